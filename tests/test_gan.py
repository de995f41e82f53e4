"""Tests for the GAN: sampling, conditioning, over-sampling, training internals."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_checks,
)
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from skgen import GAN
from skgen._gan_nets import knn_two_sample_auc
from skgen._layers import CategoricalHeads
from skgen._training import MIN_STEPS_PER_EPOCH, BalancedIterator, WholeTensorDataset
from tests.conftest import make_mixed_frame, numpy_global_state

# Small nets and few epochs: the tests check behaviour, not quality.
FAST = {
    "generator_layer_sizes": (32,),
    "discriminator_layer_sizes": (32,),
    "max_epochs": 5,
    "batch_size": 64,
}


@imblearn_checks([GAN(**FAST, random_state=0)])
def test_imblearn_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def conditional(conditional_gan):
    return conditional_gan


@pytest.fixture(scope="module")
def unconditional(blobs):
    X, _ = blobs
    return GAN(**FAST, random_state=0).fit(X)


@pytest.fixture(scope="module")
def imbalanced():
    """300 rows in 5-D: 270 of class 0, 30 of class 1."""
    return make_classification(
        n_samples=300, n_features=5, weights=[0.9], random_state=0
    )


@pytest.fixture(scope="module")
def mixed_gan():
    df = make_mixed_frame(600, random_state=0)
    y = np.where(df["height"] > 0.5, "tall", "short")
    return df, y, GAN(max_epochs=60, batch_size=200, random_state=0).fit(df, y)


class TestSample:
    def test_shape_and_reproducibility(self, unconditional):
        rows = unconditional.sample(50, random_state=0)
        assert rows.shape == (50, 4) and rows.dtype == np.float64
        np.testing.assert_array_equal(rows, unconditional.sample(50, random_state=0))
        assert not np.array_equal(rows, unconditional.sample(50, random_state=1))

    def test_sample_leaves_global_rng_alone(self, unconditional):
        before = numpy_global_state()
        torch_before = torch.get_rng_state()
        unconditional.sample(10, random_state=3)
        unconditional.sample(10)
        np.testing.assert_array_equal(before[0], numpy_global_state()[0])
        assert torch.equal(torch_before, torch.get_rng_state())

    def test_y_without_classes(self, unconditional):
        with pytest.raises(ValueError, match="fitted without classes"):
            unconditional.sample(3, y=0)

    @pytest.mark.parametrize("n_samples", [0, -1, 2.5])
    def test_bad_n_samples(self, unconditional, n_samples):
        with pytest.raises(ValueError, match="n_samples"):
            unconditional.sample(n_samples)

    def test_unfitted(self):
        with pytest.raises(NotFittedError):
            GAN().sample(3)

    def test_no_transform(self):
        # imblearn's Pipeline refuses a step with both fit_resample and transform.
        assert not hasattr(GAN(), "transform")


class TestConditional:
    """What only the GAN does with classes; the rest is in test_conditional.py."""

    def test_spread_is_learned(self, conditional, blobs):
        X, y = blobs
        rows = conditional.sample(1000, y=0, random_state=0)
        np.testing.assert_allclose(rows.std(axis=0), X[y == 0].std(axis=0), rtol=0.5)

    def test_refit_without_y_forgets_the_classes(self, blobs):
        X, y = blobs
        gan = GAN(**FAST, random_state=0).fit(X, y).fit(X)
        assert not hasattr(gan, "classes_")

    def test_rare_class_is_learned(self):
        # 20 of 420 rows: class-weighted batches still teach the generator.
        rng = np.random.default_rng(0)
        y = np.repeat([0, 1], [400, 20])
        X = rng.normal(size=(420, 3)) + np.where(y == 0, 0.0, 4.0)[:, None]
        gan = GAN(max_epochs=100, batch_size=100, random_state=0).fit(X, y)
        rows = gan.sample(300, y=1, random_state=0)
        assert rows.mean() > 2.5


class TestMixedFrames:
    def test_columns_dtypes_and_valid_categories(self, mixed_gan):
        df, _, gan = mixed_gan
        rows = gan.sample(400, random_state=0)
        assert list(rows.columns) == list(df.columns)
        assert rows.dtypes.equals(df.dtypes)
        assert set(rows["zone"].dropna()) <= {"north", "south"}
        assert set(rows["size"]) <= {"small", "medium", "large"}
        assert rows["rooms"].between(df["rooms"].min(), df["rooms"].max()).all()
        # Categories are drawn from the generator's softmax, not argmaxed.
        assert set(rows["colour"].dropna()) >= {"red", "green", "blue"}

    def test_fit_resample_frame(self, mixed_gan):
        df, y, _ = mixed_gan
        gan = GAN(**FAST, random_state=0)
        X_res, y_res = gan.fit_resample(df, y)
        assert isinstance(X_res, pd.DataFrame)
        assert X_res.dtypes.equals(df.dtypes)
        pd.testing.assert_frame_equal(X_res.iloc[: len(df)], df)
        counts = pd.Series(y_res).value_counts()
        assert counts["tall"] == counts["short"] == pd.Series(y).value_counts().max()

    def test_object_array(self):
        X = np.array([[1.5, "a"], [2.0, "b"], [0.5, "a"], [1.0, "b"]] * 10, object)
        y = np.array([0, 0, 0, 1] * 10)
        X_res, y_res = GAN(**FAST, random_state=0).fit_resample(X, y)
        assert X_res.dtype == object and X_res.shape == (60, 2)
        assert set(X_res[:, 1]) <= {"a", "b"}


class TestResample:
    def test_tops_up_to_the_majority(self, imbalanced):
        X, y = imbalanced
        gan = GAN(**FAST, random_state=0)
        X_res, y_res = gan.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [270, 270]
        np.testing.assert_array_equal(X_res[:300], X)
        assert X_res.dtype == X.dtype
        assert gan.sampling_strategy_ == {1: 240}

    @pytest.mark.parametrize(
        "strategy, counts",
        [
            (0.5, [270, 135]),
            ("minority", [270, 270]),
            ("not minority", [270, 30]),
            ("not majority", [270, 270]),
            ("all", [270, 270]),
            ("auto", [270, 270]),
            ({1: 100}, [270, 100]),
            ({0: 300, 1: 50}, [300, 50]),
            (lambda y: {1: 50}, [270, 50]),
        ],
    )
    def test_sampling_strategy_forms(self, imbalanced, strategy, counts):
        X, y = imbalanced
        gan = GAN(**FAST, sampling_strategy=strategy, random_state=0)
        _, y_res = gan.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == counts

    def test_multiclass_strategies(self):
        X, y = make_classification(
            n_samples=300,
            n_classes=3,
            n_informative=4,
            weights=[0.6, 0.3, 0.1],
            random_state=0,
        )
        counts = np.bincount(y)
        _, y_res = GAN(**FAST, random_state=0).fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [counts.max()] * 3
        gan = GAN(**FAST, sampling_strategy="minority", random_state=0)
        _, y_res = gan.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [*counts[:2], counts.max()]

    def test_reproducible(self, imbalanced):
        X, y = imbalanced
        first, _ = GAN(**FAST, random_state=3).fit_resample(X, y)
        second, _ = GAN(**FAST, random_state=3).fit_resample(X, y)
        np.testing.assert_array_equal(first, second)
        third, _ = GAN(**FAST, random_state=4).fit_resample(X, y)
        assert not np.array_equal(first, third)

    def test_new_rows_look_like_their_class(self, imbalanced):
        X, y = imbalanced
        gan = GAN(max_epochs=100, batch_size=100, random_state=0)
        X_res, _ = gan.fit_resample(X, y)
        model = RandomForestClassifier(random_state=0).fit(X, y)
        # A forest trained on the real rows calls most new rows class 1.
        assert model.predict(X_res[300:]).mean() > 0.5

    def test_single_class(self, imbalanced):
        X, _ = imbalanced
        with pytest.raises(ValueError, match="more than 1 class"):
            GAN(**FAST).fit_resample(X, np.zeros(300, dtype=int))

    def test_nan_is_modelled_or_named(self, imbalanced):
        X, y = imbalanced
        X = X.copy()
        X[::4, 2] = np.nan
        gan = GAN(**FAST)
        X_res, y_res = gan.fit_resample(X, y)
        assert X_res.shape == (len(y_res), X.shape[1])
        rows = gan.sample(2000, random_state=0)
        assert np.isnan(rows).any(axis=0).tolist() == [False] * 2 + [True] + [False] * 2
        with pytest.raises(ValueError, match="NaN in the numeric column 2"):
            GAN(handle_missing="error", **FAST).fit_resample(X, y)


def test_grid_search_over_gan_and_classifier(imbalanced):
    X, y = imbalanced
    pipe = make_pipeline(
        GAN(**FAST, random_state=0), RandomForestClassifier(random_state=0)
    )
    grid = {
        "gan__noise_dim": [4, 16],
        "randomforestclassifier__max_depth": [2, None],
    }
    search = GridSearchCV(pipe, grid, cv=2, scoring="balanced_accuracy").fit(X, y)
    assert set(search.best_params_) == set(grid)
    assert search.best_score_ > 0.6


class TestTraining:
    def test_same_seed_is_bit_identical(self, blobs):
        X, y = blobs
        first = GAN(**FAST, random_state=3).fit(X, y)
        second = GAN(**FAST, random_state=3).fit(X, y)
        np.testing.assert_array_equal(
            first.sample(20, random_state=0), second.sample(20, random_state=0)
        )

    def test_fit_leaves_global_rng_alone(self, blobs):
        X, y = blobs
        before = numpy_global_state()
        torch_before = torch.get_rng_state()
        GAN(**FAST, random_state=0).fit(X, y)
        GAN(**FAST).fit(X, y)
        np.testing.assert_array_equal(before[0], numpy_global_state()[0])
        assert torch.equal(torch_before, torch.get_rng_state())

    @pytest.mark.parametrize("loss", ["wasserstein", "standard"])
    def test_history_records_both_players(self, blobs, loss):
        X, y = blobs
        gan = GAN(**FAST, loss=loss, discriminator_steps=2, random_state=0).fit(X, y)
        assert gan.n_epochs_ == 5
        for key in ("generator_loss", "discriminator_loss"):
            assert np.isfinite(gan.history_[:, key]).all()
        if loss == "standard":
            # The logistic discriminator loss is at least 0.
            assert min(gan.history_[:, "discriminator_loss"]) > 0

    def test_pac_and_odd_batches(self, blobs):
        X, y = blobs
        # 37 rows with packs of 10: batches are rounded down to 30 rows.
        gan = GAN(**FAST, pac=10, random_state=0).fit(X[:37], y[:37])
        assert gan.net_.module_.pac == 10
        assert gan.net_.batch_size == 30
        # Fewer rows than a pack: the pack shrinks to the data.
        tiny = GAN(**FAST, pac=10, random_state=0).fit(X[:3])
        assert tiny.net_.module_.pac == 3

    def test_early_stopping_monitors_two_sample_auc(self, blobs):
        X, y = blobs
        gan = GAN(
            max_epochs=60,
            batch_size=100,
            validation_fraction=0.25,
            n_iter_no_change=5,
            random_state=0,
        ).fit(X, y)
        auc = gan.history_[:, "valid_auc"]
        assert len(auc) == gan.n_epochs_ < 60
        assert all(0.0 <= a <= 1.0 for a in auc)
        assert gan.best_epoch_ == int(np.argmin(auc)) + 1
        assert gan.n_epochs_ == gan.best_epoch_ + 5

    def test_best_weights_are_kept(self, blobs):
        X, y = blobs
        params = {**FAST, "max_epochs": 8, "random_state": 0}
        gan = GAN(**params, validation_fraction=0.25, n_iter_no_change=None).fit(X, y)
        assert gan.n_epochs_ == 8
        assert 1 <= gan.best_epoch_ <= 8
        # The fitted net holds neither the held-out rows nor a copy of weights.
        callbacks = dict(gan.net_.callbacks_)
        assert gan.net_.train_split is None
        assert callbacks["valid_auc"].noise_ is None
        assert callbacks["early_stopping"].best_model_weights_ is None

    def test_validation_fraction_too_small(self, blobs):
        X, _ = blobs
        with pytest.raises(ValueError, match="validation_fraction"):
            GAN(**FAST, validation_fraction=0.001).fit(X)

    def test_user_callbacks_are_run_on_copies(self, blobs):
        class Count(Callback):
            def __init__(self):
                self.epochs = 0

            def on_epoch_end(self, net, **kwargs):
                self.epochs += 1

        X, _ = blobs
        counter = Count()
        gan = GAN(**FAST, callbacks=[counter], random_state=0).fit(X)
        assert counter.epochs == 0
        assert [cb for _, cb in gan.net_.callbacks_ if isinstance(cb, Count)][
            0
        ].epochs == 5

    def test_divergence_leaves_the_estimator_unfitted(self, blobs):
        X, _ = blobs
        gan = GAN(**FAST, generator_lr=1e30, discriminator_lr=1e30, random_state=0)
        with pytest.raises(FloatingPointError, match="diverged"):
            gan.fit(X * 1e18)
        assert not hasattr(gan, "net_") and not hasattr(gan, "n_features_in_")

    def test_pickle_round_trip(self, unconditional):
        copy = pickle.loads(pickle.dumps(unconditional))
        np.testing.assert_array_equal(
            copy.sample(5, random_state=0), unconditional.sample(5, random_state=0)
        )

    def test_verbose_prints_both_losses(self, blobs, capsys):
        X, _ = blobs
        GAN(**{**FAST, "max_epochs": 2}, verbose=1).fit(X)
        err = capsys.readouterr().err
        assert "generator_loss" in err and "discriminator_loss" in err
        GAN(**{**FAST, "max_epochs": 2}, verbose=2).fit(X)
        out = capsys.readouterr().out
        assert "generator_loss" in out and "discriminator_loss" in out
        # No "best so far" colouring: it means nothing for adversarial losses.
        assert "\x1b" not in out


class TestInternals:
    def test_categorical_heads_restore_column_order(self):
        # Blocks of widths 2, 3, 2 after 1 number: grouped by width, then put back.
        heads = CategoricalHeads(8, 1, [(1, 3), (3, 6), (6, 8)], temperature=0.2)
        logits = torch.tensor([[0.5, 9.0, -9.0, -9.0, 9.0, -9.0, -9.0, 9.0]])
        out = heads(logits, hard=True, rng=torch.Generator().manual_seed(0))
        assert out.tolist() == [[0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]]
        soft = heads(logits.repeat(4, 1))
        for start, stop in [(1, 3), (3, 6), (6, 8)]:
            torch.testing.assert_close(soft[:, start:stop].sum(1), torch.ones(4))

    def test_balanced_iterator(self):
        X = torch.arange(100.0)[:, None]
        dataset = WholeTensorDataset(X, torch.zeros(100, 1))
        weights = torch.where(X[:, 0] < 90, 1.0 / 90, 1.0 / 10).double()
        iterator = BalancedIterator(
            dataset, 40, weights, torch.Generator().manual_seed(0)
        )
        batches = list(iterator)
        # 100 // 40 = 2 batches, raised to the floor of 5 per epoch.
        assert len(batches) == MIN_STEPS_PER_EPOCH == 5
        assert all(len(b[0]) == 40 for b in batches)
        rare = torch.cat([b[0] for b in batches])[:, 0] >= 90
        # Each class drawn with half of the weight: about 100 of 200 rows.
        assert 70 < rare.sum() < 130
        plain = BalancedIterator(dataset, 30, None, torch.Generator().manual_seed(0))
        rows = torch.cat([b[0] for b in plain])[:, 0]
        assert len(rows) == 150 and len(set(rows[:100].tolist())) == 100
        large = WholeTensorDataset(torch.arange(1000.0)[:, None], None)
        assert len(list(BalancedIterator(large, 100))) == 10

    def test_knn_two_sample_auc(self):
        generator = torch.Generator().manual_seed(0)
        a = torch.randn(200, 3, generator=generator)
        b = torch.randn(200, 3, generator=generator)
        assert knn_two_sample_auc(a, b) == pytest.approx(0.5, abs=0.08)
        assert knn_two_sample_auc(a, b + 5) > 0.99
        # Copies are each other's nearest neighbours: far below 0.5, never
        # mistaken for a good generator (held-out rows are never copied).
        assert knn_two_sample_auc(a, a.clone()) < 0.1
