"""Tests for the AutoregressiveGenerator: masks, likelihood, sampling, conditioning."""

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_checks,
)
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score

from skgen import AutoregressiveGenerator, GenerativeOverSampler, load
from skgen._autoregressive_nets import AutoregressiveModule
from tests.conftest import make_mixed_frame, numpy_global_state

# Small nets and few epochs: the tests check behaviour, not quality.
FAST = {"hidden_layer_sizes": (32,), "max_epochs": 5}


@imblearn_checks((AutoregressiveGenerator(**FAST, random_state=0),))
def test_imblearn_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def correlated():
    """1,000 rows of two numbers with correlation 0.9 and a third independent one."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=1000)
    b = 0.9 * a + np.sqrt(1 - 0.81) * rng.normal(size=1000)
    c = rng.exponential(size=1000)
    return np.column_stack([a, b, c])


@pytest.fixture(scope="module")
def correlated_model(correlated):
    return AutoregressiveGenerator(max_epochs=60, random_state=0).fit(correlated)


@pytest.fixture(scope="module")
def mixed():
    df = make_mixed_frame(600, random_state=0)
    model = AutoregressiveGenerator(max_epochs=40, random_state=0).fit(df)
    return df, model


def random_layout(rng):
    """A random encoded layout: numbers, blocks and missing indicators."""
    n_numeric = int(rng.integers(0, 4))
    widths = [int(w) for w in rng.integers(1, 5, size=rng.integers(0, 4))]
    missing = [j for j in range(n_numeric) if rng.random() < 0.5]
    if n_numeric + len(widths) + len(missing) == 0:
        n_numeric = 1
    widths += [2] * len(missing)
    blocks, position = [], n_numeric
    for width in widths:
        blocks.append((position, position + width))
        position += width
    indicators = blocks[len(blocks) - len(missing) :]
    slots = [(j, stop - 1) for j, (_, stop) in zip(missing, indicators, strict=True)]
    return position, n_numeric, blocks, slots


def ranks(n_numeric, blocks, n_features, n_classes):
    """Rank of each input (classes 0, blocks 1.., numbers after) and output."""
    of_input = [0] * (n_features + n_classes)
    for rank, (start, stop) in enumerate(blocks, start=1):
        of_input[start:stop] = [rank] * (stop - start)
    for j in range(n_numeric):
        of_input[j] = len(blocks) + 1 + j
    return of_input


class TestMasks:
    """Each column's distribution depends on the columns before it, only."""

    @pytest.mark.parametrize("seed", range(30))
    def test_outputs_see_only_earlier_columns(self, seed):
        rng = np.random.default_rng(seed)
        n_features, n_numeric, blocks, slots = random_layout(rng)
        n_classes = int(rng.choice([0, 1, 3]))
        sizes = tuple(int(w) for w in rng.integers(1, 12, size=rng.integers(0, 4)))
        k = int(rng.integers(1, 4))
        module = AutoregressiveModule(
            n_features, n_numeric, blocks, slots, sizes, "tanh", 0.0, n_classes, k
        )
        with torch.no_grad():
            for parameter in module.parameters():
                parameter.normal_()
        of_input = np.array(ranks(n_numeric, blocks, n_features, n_classes))
        of_output = np.repeat(of_input[:n_numeric], 3 * k).tolist()
        for rank, (start, stop) in enumerate(blocks, start=1):
            of_output += [rank] * (stop - start)
        x = torch.randn(n_features + n_classes)
        jacobian = torch.autograd.functional.jacobian(lambda v: module(v[None])[0], x)
        assert jacobian.shape == (len(of_output), len(of_input))
        for row, rank in zip(jacobian, of_output, strict=True):
            seen = of_input[row.numpy() != 0]
            assert np.all(seen < rank), (rank, seen)

    def test_hidden_path_reaches_every_earlier_column(self):
        # Three numbers and two blocks, no classes: with enough hidden units
        # every output's hidden path depends on every earlier column.
        blocks, slots = [(3, 6), (6, 8)], [(2, 7)]
        module = AutoregressiveModule(8, 3, blocks, slots, (32, 32), "tanh")
        with torch.no_grad():
            for parameter in module.hidden.parameters():
                parameter.normal_()
            module.head.layer.weight.normal_()
        jacobian = torch.autograd.functional.jacobian(
            lambda v: module.head(module.hidden(v[None]))[0], torch.randn(8)
        )
        of_input = np.array(ranks(3, blocks, 8, 0))
        of_output = np.repeat(of_input[:3], 15).tolist() + [1, 1, 1, 2, 2]
        for row, rank in zip(jacobian, of_output, strict=True):
            seen = set(of_input[row.numpy() != 0])
            assert seen == set(range(1, rank)), (rank, seen)

    def test_likelihood_sums_to_one(self):
        # One number with a missing indicator and a 3-category block, given a
        # class: summing over the categories and the indicator, and
        # integrating the number where present, gives 1.
        blocks, slots = [(1, 4), (4, 6)], [(0, 5)]
        module = AutoregressiveModule(6, 1, blocks, slots, (16,), "tanh", n_classes=2)
        with torch.no_grad():
            for parameter in module.parameters():
                parameter.mul_(0.5)
        grid = torch.linspace(-12, 12, 24001)
        total = 0.0
        for category in range(3):
            for missing in (0, 1):
                rows = torch.zeros(len(grid) if not missing else 1, 8)
                rows[:, 1 + category] = 1.0
                rows[:, 4 + missing] = 1.0
                rows[:, 7] = 1.0  # the second class
                if not missing:
                    rows[:, 0] = grid
                with torch.no_grad():
                    nll = module.negative_log_likelihood(module(rows), rows)
                density = torch.exp(-nll.double())
                if missing:
                    total += float(density[0])
                else:
                    total += float(torch.trapezoid(density, grid.double()))
        assert total == pytest.approx(1.0, abs=1e-3)

    def test_layout_is_checked(self):
        with pytest.raises(ValueError, match="follow the 1 numbers"):
            AutoregressiveModule(6, 1, [(2, 4)], [], (8,))
        with pytest.raises(ValueError, match="rows have 6 columns"):
            AutoregressiveModule(6, 1, [(1, 4)], [], (8,))
        with pytest.raises(ValueError, match=r"missing slot \(0, 3\)"):
            AutoregressiveModule(4, 1, [(1, 4)], [(0, 3)], (8,))

    def test_masks_are_not_saved(self):
        module = AutoregressiveModule(3, 3, [], [], (8,))
        assert not any("mask" in key for key in module.state_dict())


class TestFit:
    def test_learns_correlation_and_marginals(self, correlated, correlated_model):
        rows = correlated_model.sample(4000, random_state=0)
        assert rows.shape == (4000, 3)
        correlation = np.corrcoef(rows[:, 0], rows[:, 1])[0, 1]
        assert 0.85 < correlation < 0.95
        assert abs(np.corrcoef(rows[:, 0], rows[:, 2])[0, 1]) < 0.1
        # Quantile encoding: the skewed column keeps its range and median.
        assert rows[:, 2].min() >= 0
        assert abs(np.median(rows[:, 2]) - np.median(correlated[:, 2])) < 0.1

    def test_early_stopping_on_the_held_out_loss(self, correlated):
        model = AutoregressiveGenerator(
            hidden_layer_sizes=(32,), n_iter_no_change=3, max_epochs=200, random_state=0
        ).fit(correlated)
        valid = np.asarray(model.history_[:, "valid_loss"])
        assert np.isfinite(valid).all()
        # Stopped once 3 epochs in a row failed to beat the best by tol.
        best = int(np.argmin(valid))
        assert model.n_epochs_ < 200
        assert model.n_epochs_ - 1 - best <= 4

    def test_mixed_frame_round_trip(self, mixed):
        df, model = mixed
        rows = model.sample(300, random_state=0)
        assert list(rows.columns) == list(df.columns)
        assert (rows.dtypes == df.dtypes).all()
        for name in df.select_dtypes("category"):
            assert set(rows[name].dropna()) <= set(df[name].cat.categories)

    def test_missing_share_is_kept(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(800, 2))
        x[rng.random(800) < 0.3, 1] = np.nan
        model = AutoregressiveGenerator(max_epochs=30, random_state=0).fit(x)
        rows = model.sample(2000, random_state=0)
        assert abs(np.isnan(rows[:, 1]).mean() - 0.3) < 0.06
        assert not np.isnan(rows[:, 0]).any()

    def test_auto_batch_size(self):
        model = AutoregressiveGenerator()
        assert model._batch_rows(100) == 32
        assert model._batch_rows(6400) == 100
        assert model._batch_rows(10**6) == 256
        assert AutoregressiveGenerator(batch_size=7)._batch_rows(100) == 7

    def test_fitted_net_uses_the_auto_batch(self, correlated_model):
        # 1,000 rows, 900 for training: 900 // 64 = 14, raised to 32.
        assert correlated_model.net_.batch_size == 32

    def test_too_few_rows_for_validation(self):
        with pytest.raises(ValueError, match="validation_fraction=0.1 leaves 0"):
            AutoregressiveGenerator(**FAST).fit(np.ones((3, 2)))
        model = AutoregressiveGenerator(**FAST, validation_fraction=None)
        assert model.fit(np.arange(6.0).reshape(3, 2)).sample(2).shape == (2, 2)


class TestSample:
    def test_reproducible_and_global_rng_untouched(self, correlated_model):
        before = numpy_global_state()
        torch_before = torch.get_rng_state()
        rows = correlated_model.sample(20, random_state=3)
        np.testing.assert_array_equal(rows, correlated_model.sample(20, random_state=3))
        assert not np.array_equal(rows, correlated_model.sample(20, random_state=4))
        np.testing.assert_array_equal(before[0], numpy_global_state()[0])
        assert torch.equal(torch_before, torch.get_rng_state())

    def test_fits_are_reproducible(self, correlated):
        fits = [
            AutoregressiveGenerator(**FAST, random_state=1).fit(correlated)
            for _ in range(2)
        ]
        rows = [fit.sample(10, random_state=0) for fit in fits]
        np.testing.assert_array_equal(*rows)

    def test_unfitted(self):
        with pytest.raises(NotFittedError):
            AutoregressiveGenerator().sample(3)

    def test_y_without_classes(self, correlated_model):
        with pytest.raises(ValueError, match="fitted without classes"):
            correlated_model.sample(3, y=1)


@pytest.fixture(scope="module")
def separated():
    rng = np.random.default_rng(0)
    y = np.repeat(["low", "high"], [400, 100])
    X = rng.normal(size=(500, 2)) + np.where(y == "high", 6.0, 0.0)[:, None]
    model = AutoregressiveGenerator(max_epochs=40, random_state=0).fit(X, y)
    return X, y, model


class TestConditional:
    def test_rows_follow_their_class(self, separated):
        X, y, model = separated
        for label in ("low", "high"):
            rows = model.sample(500, y=label, random_state=0)
            mean = X[y == label].mean(axis=0)
            np.testing.assert_allclose(rows.mean(axis=0), mean, atol=0.4)

    def test_unknown_label(self, separated):
        _, _, model = separated
        with pytest.raises(ValueError, match="not fitted on"):
            model.sample(2, y="medium")

    def test_fit_resample_balances(self):
        X, y = make_classification(
            n_samples=300, n_features=4, weights=[0.9], random_state=0
        )
        model = AutoregressiveGenerator(**FAST, random_state=0)
        X_res, y_res = model.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [269, 269]
        np.testing.assert_array_equal(X_res[:300], X)
        assert model.sampling_strategy_ == {1: 238}

    def test_in_pipelines(self):
        X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
        plain = LogisticRegression().fit(X, y).predict(X)
        for sampler in (
            AutoregressiveGenerator(**FAST, random_state=0),
            GenerativeOverSampler(AutoregressiveGenerator(**FAST), random_state=0),
        ):
            pipe = make_pipeline(sampler, LogisticRegression()).fit(X, y)
            # The classifier saw balanced classes: it finds more of the
            # minority than when fitted on the rows alone (recall 0.875).
            assert recall_score(y, pipe.predict(X)) > recall_score(y, plain)


def test_save_load_round_trip(mixed, tmp_path):
    _, model = mixed
    path = tmp_path / "ar.skgen"
    model.save(path)
    loaded = load(path)
    pd.testing.assert_frame_equal(
        loaded.sample(50, random_state=0), model.sample(50, random_state=0)
    )
