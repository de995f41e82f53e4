"""Tests for the VAE: codes, ELBO scores, sampling, conditional generation."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skgen import VAE
from skgen._vae_nets import kl_divergence
from tests.conftest import make_mixed_frame, numpy_global_state


@pytest.fixture(scope="module")
def fitted(blobs):
    X, _ = blobs
    return VAE(
        n_components=2, hidden_layer_sizes=(32,), max_epochs=60, random_state=0
    ).fit(X)


@pytest.fixture(scope="module")
def mixed_vae():
    df = make_mixed_frame(600, random_state=0)
    vae = VAE(n_components=4, hidden_layer_sizes=(64,), max_epochs=60, random_state=0)
    return df, vae.fit(df)


class TestTransform:
    def test_codes_are_deterministic_posterior_means(self, fitted, blobs):
        X, _ = blobs
        Z = fitted.transform(X)
        assert Z.shape == (400, 2) and Z.dtype == np.float64
        np.testing.assert_array_equal(Z, fitted.transform(X))
        # The table layer standardises first; the module sees standardised rows.
        Xt = fitted.table_encoder_.transform(X[:5])
        with torch.no_grad():
            expected = fitted.net_.module_.encode(torch.from_numpy(Xt)).numpy()
        np.testing.assert_allclose(Z[:5], expected, rtol=1e-5, atol=1e-6)

    def test_codes_separate_the_blobs(self, fitted, blobs):
        X, y = blobs
        score = (
            LogisticRegression()
            .fit(fitted.transform(X), y)
            .score(fitted.transform(X), y)
        )
        assert score > 0.95

    def test_pipeline_ignores_y_when_not_conditional(self, blobs):
        X, y = blobs
        pipe = make_pipeline(
            VAE(hidden_layer_sizes=(32,), max_epochs=30, random_state=0),
            LogisticRegression(),
        ).fit(X, y)
        assert pipe.score(X, y) > 0.95

    def test_inverse_transform_decodes_near_the_input(self, fitted, blobs):
        X, _ = blobs
        X_back = fitted.inverse_transform(fitted.transform(X))
        assert X_back.shape == X.shape
        # Two latent variables for 4 noisy features: blob centres come back.
        assert np.mean((X_back - X) ** 2) < 1.5

    def test_feature_names_and_pandas_output(self, fitted, blobs):
        X, _ = blobs
        assert list(fitted.get_feature_names_out()) == ["vae0", "vae1"]
        fitted.set_output(transform="pandas")
        try:
            Z = fitted.transform(X)
        finally:
            fitted.set_output(transform="default")
        assert list(Z.columns) == ["vae0", "vae1"]


class TestScores:
    def test_score_samples_is_the_elbo(self, fitted, blobs):
        X, _ = blobs
        encoder = fitted.table_encoder_
        Xt = torch.from_numpy(encoder.transform(X[:10]))
        module = fitted.net_.module_
        with torch.no_grad():
            reconstruction, mean, log_var = module(Xt)
            sigma = torch.exp(module.log_scale)
            log_lik = torch.distributions.Normal(reconstruction, sigma).log_prob(Xt)
            elbo = log_lik.sum(1) - kl_divergence(mean, log_var)
        # Densities of the encoded numbers; in original units (minus the log
        # of each column's scale) when they are standardised.
        jacobian = sum(
            np.log(c.scale) for c in encoder.columns_ if c.scaling != "quantile"
        )
        np.testing.assert_allclose(
            fitted.score_samples(X[:10]), elbo.numpy() - jacobian, rtol=1e-4
        )

    def test_outliers_score_lower(self, fitted, blobs):
        X, _ = blobs
        outliers = np.random.default_rng(1).normal(size=(20, 4)) * 0.5 + [8, -8, 8, -8]
        assert fitted.score_samples(outliers).max() < np.median(fitted.score_samples(X))

    def test_score_is_mean_of_score_samples(self, fitted, blobs):
        X, _ = blobs
        assert fitted.score(X) == pytest.approx(np.mean(fitted.score_samples(X)))

    def test_unsupervised_grid_search_uses_the_elbo(self, blobs):
        X, _ = blobs
        search = GridSearchCV(
            VAE(hidden_layer_sizes=(16,), max_epochs=15, random_state=0),
            {"beta": [0.5, 1.0]},
            cv=2,
        ).fit(X)
        assert np.isfinite(search.best_score_)
        assert search.best_params_["beta"] in (0.5, 1.0)

    def test_conditional_scores_need_no_labels(self, conditional_vae, blobs):
        X, _ = blobs
        scores = conditional_vae.score_samples(X)
        assert scores.shape == (400,) and np.isfinite(scores).all()
        outliers = np.full((3, 4), 9.0)
        assert conditional_vae.score_samples(outliers).max() < np.median(scores)


class TestSample:
    def test_shape_and_reproducibility(self, fitted):
        rows = fitted.sample(50, random_state=0)
        assert rows.shape == (50, 4)
        np.testing.assert_array_equal(rows, fitted.sample(50, random_state=0))
        assert not np.array_equal(rows, fitted.sample(50, random_state=1))

    def test_rows_follow_the_training_distribution(self, fitted, blobs):
        X, _ = blobs
        rows = fitted.sample(2000, random_state=0)
        # Bimodal columns: the samples fill both blobs, not the middle only.
        assert np.mean(rows[:, 0] < 0) == pytest.approx(0.5, abs=0.15)
        assert abs(rows.std(axis=0) - X.std(axis=0)).max() < 0.6

    def test_sample_leaves_global_rng_alone(self, fitted):
        before = numpy_global_state()
        torch_before = torch.get_rng_state()
        fitted.sample(10, random_state=3)
        after = numpy_global_state()
        np.testing.assert_array_equal(before[0], after[0])
        assert torch.equal(torch_before, torch.get_rng_state())

    def test_mixed_frame_comes_back_with_columns_and_dtypes(self, mixed_vae):
        df, vae = mixed_vae
        rows = vae.sample(300, random_state=0)
        assert list(rows.columns) == list(df.columns)
        assert rows.dtypes.equals(df.dtypes)
        assert set(rows["zone"].dropna()) <= {"north", "south"}
        assert rows["rooms"].between(df["rooms"].min(), df["rooms"].max()).all()
        # Categories are drawn, not argmaxed: every common category appears.
        assert set(rows["colour"].dropna()) >= {"red", "green", "blue", "grey"}

    def test_y_without_conditional(self, fitted):
        with pytest.raises(ValueError, match="fitted without classes"):
            fitted.sample(3, y=0)

    @pytest.mark.parametrize("n_samples", [0, -1, 2.5])
    def test_bad_n_samples(self, fitted, n_samples):
        with pytest.raises(ValueError, match="n_samples"):
            fitted.sample(n_samples)

    def test_unfitted(self):
        with pytest.raises(NotFittedError):
            VAE().sample(3)


class TestConditional:
    """What only the VAE does with classes; the rest is in test_conditional.py."""

    def test_needs_y(self, blobs):
        X, _ = blobs
        with pytest.raises(ValueError, match=r"requires y to be passed"):
            VAE(conditional=True, max_epochs=2).fit(X)


class TestTraining:
    def test_same_seed_is_bit_identical(self, blobs):
        X, _ = blobs
        params = {"hidden_layer_sizes": (16,), "max_epochs": 5, "random_state": 3}
        first = VAE(**params).fit(X)
        second = VAE(**params).fit(X)
        np.testing.assert_array_equal(first.transform(X), second.transform(X))
        np.testing.assert_array_equal(
            first.sample(20, random_state=0), second.sample(20, random_state=0)
        )

    def test_learns_numeric_scales(self, fitted):
        assert not torch.equal(
            fitted.net_.module_.log_scale,
            torch.zeros_like(fitted.net_.module_.log_scale),
        )

    def test_kl_warmup_records_the_full_loss(self, blobs):
        X, _ = blobs
        vae = VAE(
            hidden_layer_sizes=(16,),
            max_epochs=6,
            kl_warmup_epochs=5,
            n_iter_no_change=None,
            random_state=0,
        ).fit(X)
        losses = vae.history_[:, "train_loss"]
        assert len(losses) == 6 and np.isfinite(losses).all()

    def test_warmup_changes_training(self, blobs):
        X, _ = blobs
        params = {"hidden_layer_sizes": (16,), "max_epochs": 3, "random_state": 0}
        plain = VAE(**params).fit(X).transform(X)
        warm = VAE(kl_warmup_epochs=3, **params).fit(X).transform(X)
        assert not np.allclose(plain, warm)

    def test_shared_decoder_scale_keeps_a_column_among_near_constant_ones(self):
        # One informative column and four that barely vary, in one unit: with
        # a scale per column the tiny ones weigh ~10^6 times more and the
        # single code ignores the informative column; a shared scale encodes it.
        rng = np.random.default_rng(0)
        signal = rng.normal(size=300)
        X = np.column_stack([signal, 1e-3 * rng.normal(size=(300, 4))])
        params = {
            "n_components": 1,
            "numeric_scaling": None,
            "hidden_layer_sizes": (32,),
            "max_epochs": 60,
            "random_state": 0,
        }
        correlation = {}
        for decoder_scale in ("column", "shared"):
            vae = VAE(decoder_scale=decoder_scale, **params).fit(X)
            code = vae.transform(X)[:, 0]
            correlation[decoder_scale] = abs(np.corrcoef(code, signal)[0, 1])
        assert correlation["shared"] > 0.95
        assert correlation["column"] < 0.8
        # Scoring and sampling still use each column's own scale.
        scale = torch.exp(vae.net_.module_.log_scale)
        assert scale[0] > 5 * scale[1:].max()

    def test_pickle_round_trip(self, fitted, blobs):
        X, _ = blobs
        copy = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(copy.transform(X), fitted.transform(X))

    def test_nan_names_the_problem(self, blobs):
        X, _ = blobs
        X = X.copy()
        X[3, 1] = np.nan
        with pytest.raises(ValueError, match="NaN in the numeric column 1"):
            VAE(max_epochs=2, handle_missing="error").fit(X)

    def test_mixed_frame_round_trip(self, mixed_vae):
        df, vae = mixed_vae
        back = vae.inverse_transform(vae.transform(df))
        assert isinstance(back, pd.DataFrame)
        assert back.dtypes.equals(df.dtypes)
        assert (back["zone"] == df["zone"]).mean() > 0.8


def test_planted_anomalies_rank_first_on_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0, stratify=y)
    rng = np.random.default_rng(0)
    planted = X_test.iloc[:60].copy()
    columns = rng.integers(0, X.shape[1], len(planted))
    std = X_train.std()
    for row, column in enumerate(columns):
        planted.iloc[row, column] += 6 * std.iloc[column]
    # Standardised numbers, as the user guide recommends for anomaly scoring:
    # the default normal scores compress the tails (0.909 when measured).
    vae = VAE(max_epochs=50, numeric_scaling="standard", random_state=0)
    vae.fit(X_train)
    scores = np.r_[vae.score_samples(X_test), vae.score_samples(planted)]
    is_planted = np.r_[np.zeros(len(X_test)), np.ones(len(planted))]
    # 0.961 when measured (IsolationForest: 0.727); the bar is the issue's.
    assert roc_auc_score(is_planted, -scores) >= 0.95
