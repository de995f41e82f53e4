"""The over-samplers' class filter, its diagnostics, and ``fill_fraction``."""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skgen import GAN, AutoregressiveGenerator, GenerativeOverSampler
from skgen._filtering import ClassJudge, most_class_like
from skgen.exceptions import GeneratedRowsWarning

FAST_AR = {"hidden_layer_sizes": (16,), "max_epochs": 5, "random_state": 0}
FAST_GAN = {"generator_layer_sizes": (16,), "max_epochs": 3, "random_state": 0}


def two_blobs(n_major=200, n_minor=20, seed=0):
    """Class 0 around (0, 0), class 1 around (4, 4), in a frame."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0, 1, (n_major, 2)), rng.normal(4, 1, (n_minor, 2))])
    y = np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]
    return pd.DataFrame(X, columns=["a", "b"]), y


class MixedRowsGenerator(BaseEstimator):
    """A stand-in generator: alternates rows of the asked class and of the other.

    With ``wrong_only=True`` every row comes from the other class. It has no
    skgen table encoder, so the judge fits its own.
    """

    def __init__(self, wrong_only=False):
        self.wrong_only = wrong_only

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        return self

    def sample(self, n_samples, *, y=None, random_state=None):
        rng = np.random.default_rng(random_state)
        own = self.X_[self.y_ == y]
        other = self.X_[self.y_ != y]
        rows = []
        for i in range(n_samples):
            source = other if self.wrong_only or i % 2 else own
            rows.append(source[rng.integers(len(source))] + rng.normal(0, 0.05, 2))
        return pd.DataFrame(np.array(rows), columns=["a", "b"])


class TestFilter:
    def test_keeps_the_rows_of_their_class(self):
        X, y = two_blobs()
        sampler = GenerativeOverSampler(
            MixedRowsGenerator(), filter_factor=2.0, random_state=0
        )
        X_res, y_res = sampler.fit_resample(X, y)
        new = X_res.iloc[len(X) :]
        assert len(new) == 180 and (y_res[len(X) :] == 1).all()
        # Every other drawn row is a class-0 row: the filter drops them all.
        assert (new.to_numpy().mean(axis=1) > 2).all()
        assert sampler.generated_posterior_[1] > 0.9
        assert 0.5 < sampler.real_posterior_[1] <= 1

    def test_off_keeps_every_drawn_row(self):
        X, y = two_blobs()
        sampler = GenerativeOverSampler(
            MixedRowsGenerator(), filter_factor=1.0, random_state=0
        )
        X_res, _ = sampler.fit_resample(X, y)
        near_class_1 = X_res.iloc[len(X) :].to_numpy().mean(axis=1) > 2
        assert near_class_1.mean() == pytest.approx(0.5)
        assert sampler.generated_posterior_[1] < 0.6

    def test_warns_when_rows_look_like_another_class(self):
        X, y = two_blobs()
        sampler = GenerativeOverSampler(
            MixedRowsGenerator(wrong_only=True), random_state=0
        )
        with pytest.warns(GeneratedRowsWarning, match="class 1 look more like class 0"):
            sampler.fit_resample(X, y)
        assert sampler.generated_posterior_[1] < 0.5

    def test_no_warning_for_rows_of_their_class(self, recwarn):
        X, y = two_blobs()
        GenerativeOverSampler(MixedRowsGenerator(), random_state=0).fit_resample(X, y)
        assert not [w for w in recwarn if w.category is GeneratedRowsWarning]

    @pytest.mark.parametrize(
        "make", [lambda: AutoregressiveGenerator(**FAST_AR), lambda: GAN(**FAST_GAN)]
    )
    def test_models_filter_their_own_rows(self, make):
        X, y = two_blobs()
        scores = {}
        for factor in (1.0, 4.0):
            sampler = make().set_params(filter_factor=factor)
            X_res, y_res = sampler.fit_resample(X, y)
            assert np.bincount(y_res).tolist() == [200, 200]
            assert set(sampler.generated_posterior_) == {1}
            scores[factor] = sampler.generated_posterior_[1]
        assert scores[4.0] > scores[1.0]

    def test_reproducible(self):
        X, y = two_blobs()
        first = AutoregressiveGenerator(**FAST_AR).fit_resample(X, y)[0]
        second = AutoregressiveGenerator(**FAST_AR).fit_resample(X, y)[0]
        pd.testing.assert_frame_equal(first, second)

    def test_multiclass_posteriors(self):
        X, y = two_blobs()
        X = pd.concat([X, X.iloc[:30] - 4], ignore_index=True)
        y = np.r_[y, np.full(30, 2)]
        sampler = GenerativeOverSampler(MixedRowsGenerator(), random_state=0)
        _, y_res = sampler.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [200, 200, 200]
        assert set(sampler.generated_posterior_) == {1, 2}
        assert set(sampler.real_posterior_) == {1, 2}


class TestFillFraction:
    @pytest.mark.parametrize("fraction, added", [(0.0, 0), (0.5, 90), (1.0, 180)])
    def test_adds_that_share_of_the_rows(self, fraction, added):
        X, y = two_blobs()
        sampler = AutoregressiveGenerator(fill_fraction=fraction, **FAST_AR)
        X_res, y_res = sampler.fit_resample(X, y)
        assert len(X_res) == len(y_res) == 220 + added
        assert sampler.sampling_strategy_ == {1: added}
        assert set(sampler.generated_posterior_) == ({1} if added else set())
        pd.testing.assert_frame_equal(X_res.iloc[:220], X)

    def test_none_still_fits_the_model(self):
        X, y = two_blobs()
        sampler = AutoregressiveGenerator(fill_fraction=0.0, **FAST_AR)
        sampler.fit_resample(X, y)
        assert sampler.sample(3, y=1, random_state=0).shape == (3, 2)

    def test_search_with_no_resampling_as_a_candidate(self):
        X, y = two_blobs()
        pipeline = Pipeline(
            [
                ("sampler", AutoregressiveGenerator(**FAST_AR)),
                ("model", LogisticRegression()),
            ]
        )
        grid = [
            {"sampler": ["passthrough"]},
            {"sampler__fill_fraction": [0.5, 1.0]},
        ]
        search = GridSearchCV(pipeline, grid, cv=2, scoring="average_precision")
        search.fit(X, y)
        assert len(search.cv_results_["params"]) == 3


@pytest.mark.parametrize(
    "params, message",
    [
        ({"filter_factor": 0.5}, "filter_factor"),
        ({"fill_fraction": 1.5}, "fill_fraction"),
        ({"fill_fraction": -0.1}, "fill_fraction"),
    ],
)
def test_bad_parameters(params, message):
    X, y = two_blobs()
    with pytest.raises(ValueError, match=message):
        AutoregressiveGenerator(**FAST_AR, **params).fit_resample(X, y)


class TestJudge:
    def test_balanced_posterior(self):
        X, y = two_blobs(n_major=500, n_minor=10)
        judge = ClassJudge(X.to_numpy(), y, np.random.RandomState(0))
        # Balanced class weights: a row of the rare blob is called rare even
        # though the class is 2% of the rows.
        assert judge.posterior(np.array([[4.0, 4.0]]))[0, 1] > 0.8
        real = judge.real_posterior()
        assert real.shape == (2,) and (real > 0.8).all()

    def test_one_row_class_has_no_out_of_fold_posterior(self):
        X, y = two_blobs(n_minor=1)
        judge = ClassJudge(X.to_numpy(), y, np.random.RandomState(0))
        assert np.isnan(judge.real_posterior()).all()

    def test_subsamples_large_classes(self, monkeypatch):
        monkeypatch.setattr("skgen._filtering.JUDGE_ROWS_PER_CLASS", 50)
        X, y = two_blobs(n_major=500, n_minor=20)
        judge = ClassJudge(X.to_numpy(), y, np.random.RandomState(0))
        assert np.bincount(judge._codes).tolist() == [50, 20]

    def test_most_class_like_keeps_order_and_ties(self):
        posterior = np.array([0.2, 0.9, 0.5, 0.9, 0.1])
        np.testing.assert_array_equal(most_class_like(posterior, 3), [1, 2, 3])
        np.testing.assert_array_equal(most_class_like(posterior, 1), [1])
