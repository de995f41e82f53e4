"""Tests for GenerativeOverSampler: imblearn's contract, frames, pipelines, search."""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_checks,
)
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skgen import VAE, GenerativeOverSampler
from tests.conftest import make_mixed_frame

FAST_VAE = {"hidden_layer_sizes": (16,), "max_epochs": 5}


@imblearn_checks([GenerativeOverSampler(VAE(**FAST_VAE), random_state=0)])
def test_imblearn_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def imbalanced():
    """300 rows in 5-D: 270 of class 0, 30 of class 1."""
    return make_classification(
        n_samples=300, n_features=5, weights=[0.9], random_state=0
    )


class TestResample:
    def test_tops_up_to_the_majority(self, imbalanced):
        X, y = imbalanced
        sampler = GenerativeOverSampler(VAE(**FAST_VAE), random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [270, 270]
        np.testing.assert_array_equal(X_res[:300], X)
        np.testing.assert_array_equal(y_res[:300], y)
        assert sampler.generator_.conditional
        assert sampler.sampling_strategy_ == {1: 240}

    @pytest.mark.parametrize(
        "strategy, counts",
        [
            (0.5, [270, 135]),
            ("minority", [270, 270]),
            ({1: 100}, [270, 100]),
            (lambda y: {1: 50}, [270, 50]),
        ],
    )
    def test_sampling_strategy_forms(self, imbalanced, strategy, counts):
        X, y = imbalanced
        sampler = GenerativeOverSampler(
            VAE(**FAST_VAE), sampling_strategy=strategy, random_state=0
        )
        _, y_res = sampler.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == counts

    def test_new_rows_look_like_their_class(self, imbalanced):
        X, y = imbalanced
        vae = VAE(hidden_layer_sizes=(128,), max_epochs=60, random_state=0)
        sampler = GenerativeOverSampler(vae, random_state=0)
        X_res, _ = sampler.fit_resample(X, y)
        majority_rows = sampler.generator_.sample(240, y=0, random_state=0)
        model = LogisticRegression().fit(X, y)
        # A classifier trained on the real rows calls 67% of the real class-1
        # rows and 2% of the class-0 rows class 1 (SMOTE's rows: 74%).
        assert model.predict(X_res[300:]).mean() > 0.4
        assert model.predict(majority_rows).mean() < 0.1

    def test_reproducible(self, imbalanced):
        X, y = imbalanced
        first = GenerativeOverSampler(VAE(**FAST_VAE), random_state=3).fit_resample(
            X, y
        )
        second = GenerativeOverSampler(VAE(**FAST_VAE), random_state=3).fit_resample(
            X, y
        )
        np.testing.assert_array_equal(first[0], second[0])

    def test_generator_is_cloned(self, imbalanced):
        X, y = imbalanced
        vae = VAE(**FAST_VAE)
        GenerativeOverSampler(vae, random_state=0).fit_resample(X, y)
        assert not hasattr(vae, "net_") and vae.conditional is False

    def test_mixed_frame_keeps_columns_and_dtypes(self):
        df = make_mixed_frame(300, random_state=0)
        y = (df["height"] > 1).to_numpy().astype(int)
        sampler = GenerativeOverSampler(VAE(**FAST_VAE), random_state=0)
        X_res, y_res = sampler.fit_resample(df, y)
        assert isinstance(X_res, pd.DataFrame)
        assert list(X_res.columns) == list(df.columns)
        assert X_res.dtypes.equals(df.dtypes)
        assert len(X_res) == len(y_res) == 2 * np.bincount(y).max()

    def test_nan_is_modelled_or_named(self, imbalanced):
        X, y = imbalanced
        X = X.copy()
        X[:40:4, 2] = np.nan
        X_res, _ = GenerativeOverSampler(VAE(**FAST_VAE)).fit_resample(X, y)
        assert X_res.shape[1] == X.shape[1] and np.isnan(X_res[:, 2]).any()
        refusing = VAE(handle_missing="error", **FAST_VAE)
        with pytest.raises(ValueError, match="NaN in the numeric column 2"):
            GenerativeOverSampler(refusing).fit_resample(X, y)


def test_grid_search_over_generator_and_classifier(imbalanced):
    X, y = imbalanced
    pipe = make_pipeline(
        GenerativeOverSampler(VAE(**FAST_VAE, random_state=0), random_state=0),
        LogisticRegression(),
    )
    grid = {
        "generativeoversampler__generator__beta": [0.5, 2.0],
        "logisticregression__C": [0.1, 1.0],
    }
    search = GridSearchCV(pipe, grid, cv=2, scoring="balanced_accuracy").fit(X, y)
    assert set(search.best_params_) == set(grid)
    assert search.best_score_ > 0.6
