"""Faults during fit: divergence leaves no model, an interrupt keeps one and says so."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback, EarlyStopping

from skgen import (
    GAN,
    VAE,
    AutoEncoder,
    AutoregressiveGenerator,
    GenerativeOverSampler,
)
from skgen.exceptions import TrainingInterruptedWarning

FAST = {"hidden_layer_sizes": (16,), "max_epochs": 10, "batch_size": 64}
FAST_GAN = {
    "generator_layer_sizes": (16,),
    "discriminator_layer_sizes": (16,),
    "max_epochs": 10,
    "batch_size": 64,
}

# Learning rates that make every loss overflow within a few steps.
DIVERGING = {
    "AutoEncoder": {"lr": 1e10, "optimizer": "sgd"},
    "VAE": {"lr": 1e10, "optimizer": "sgd"},
    "GAN": {"generator_lr": 1e30, "discriminator_lr": 1e30},
    "AutoregressiveGenerator": {"lr": 1e30},
}


ALL_MODELS = ["AutoEncoder", "VAE", "GAN", "AutoregressiveGenerator"]


def make(name, **params):
    """A small, seeded estimator of the named class."""
    if name == "GAN":
        return GAN(**{**FAST_GAN, "random_state": 0, **params})
    estimator_class = {
        "AutoEncoder": AutoEncoder,
        "VAE": VAE,
        "AutoregressiveGenerator": AutoregressiveGenerator,
    }[name]
    return estimator_class(**{**FAST, "random_state": 0, **params})


@pytest.fixture(scope="module")
def blobs():
    """Two labelled Gaussian blobs in 4-D, 150 rows each."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 150)
    X = rng.normal(size=(300, 4)) + np.where(y == 0, -2.0, 2.0)[:, None]
    return X, y


class Interrupt(Callback):
    """Raise ``KeyboardInterrupt`` at the end of an epoch or after its first batch."""

    def __init__(self, epoch=3, during_epoch=False):
        self.epoch = epoch
        self.during_epoch = during_epoch

    def on_batch_end(self, net, **kwargs):
        if self.during_epoch and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if not self.during_epoch and len(net.history) == self.epoch:
            raise KeyboardInterrupt


def assert_unfitted(estimator):
    """No fitted attribute is left behind."""
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    assert not [name for name in vars(estimator) if name.endswith("_")]


def outputs(estimator, X):
    """What a fitted estimator computes from ``X`` (or draws)."""
    if hasattr(estimator, "transform"):
        return estimator.transform(X)
    return estimator.sample(20, random_state=0)


class TestDivergence:
    @pytest.mark.parametrize("name", ALL_MODELS)
    def test_fit_raises_and_leaves_the_estimator_unfitted(self, name, blobs):
        X, y = blobs
        # A fitted estimator that diverges when fitted again loses its model.
        estimator = make(name).fit(X, y).set_params(**DIVERGING[name])
        with pytest.raises(FloatingPointError, match=r"diverged.*at epoch \d+\. Try"):
            estimator.fit(X * 1e18, y)
        assert_unfitted(estimator)

    def test_gan_fit_resample(self, blobs):
        X, y = blobs
        gan = make("GAN", **DIVERGING["GAN"])
        with pytest.raises(FloatingPointError, match="diverged"):
            gan.fit_resample(X * 1e18, y)
        assert_unfitted(gan)

    def test_over_sampler_fit_resample(self, blobs):
        X, y = blobs
        sampler = GenerativeOverSampler(make("VAE", **DIVERGING["VAE"]))
        with pytest.raises(FloatingPointError, match="diverged"):
            sampler.fit_resample(X * 1e18, y)
        assert_unfitted(sampler)

    @pytest.mark.parametrize("name", ALL_MODELS)
    def test_refit_after_divergence(self, name, blobs):
        X, y = blobs
        estimator = make(name, **DIVERGING[name])
        with pytest.raises(FloatingPointError):
            estimator.fit(X * 1e18, y)
        estimator.set_params(**make(name).get_params()).fit(X, y)
        np.testing.assert_array_equal(
            outputs(estimator, X), outputs(make(name).fit(X, y), X)
        )


class TestInterrupt:
    @pytest.mark.parametrize("name", ALL_MODELS)
    @pytest.mark.parametrize("during_epoch", [False, True])
    def test_keeps_the_model_and_warns(self, name, during_epoch, blobs):
        X, y = blobs
        estimator = make(name, callbacks=[Interrupt(3, during_epoch)])
        n_epochs = 2 if during_epoch else 3
        message = f"after {n_epochs} complete epochs of max_epochs=10"
        with pytest.warns(TrainingInterruptedWarning, match=message):
            estimator.fit(X, y)
        check_is_fitted(estimator)
        assert estimator.n_epochs_ == len(estimator.history_) == n_epochs
        assert [row["epoch"] for row in estimator.history_] == [1, 2, 3][:n_epochs]
        loss = "generator_loss" if name == "GAN" else "train_loss"
        assert len(estimator.history_[:, loss]) == n_epochs
        assert np.isfinite(outputs(estimator, X)).all()

    def test_is_a_convergence_warning(self):
        assert issubclass(TrainingInterruptedWarning, ConvergenceWarning)
        assert issubclass(TrainingInterruptedWarning, UserWarning)

    def test_gan_fit_resample_still_resamples(self, blobs):
        X, y = blobs
        gan = make("GAN", callbacks=[Interrupt(2)])
        with pytest.warns(TrainingInterruptedWarning, match="after 2 complete"):
            X_res, y_res = gan.fit_resample(X[:200], y[:200])
        assert np.bincount(y_res).tolist() == [150, 150]
        assert gan.n_epochs_ == 2 and np.isfinite(X_res).all()

    def test_with_validation_keeps_best_epoch_among_those_done(self, blobs):
        X, y = blobs
        gan = make("GAN", validation_fraction=0.2, callbacks=[Interrupt(4)])
        with pytest.warns(TrainingInterruptedWarning):
            gan.fit(X, y)
        assert gan.n_epochs_ == 4 and 1 <= gan.best_epoch_ <= 4
        ae = make("AutoEncoder", validation_fraction=0.2)
        ae.set_params(callbacks=[Interrupt(1, during_epoch=True)])
        with pytest.warns(TrainingInterruptedWarning, match="after 0 complete"):
            ae.fit(X)
        assert ae.n_epochs_ == 0 and np.isfinite(ae.transform(X)).all()

    @pytest.mark.parametrize("name", ALL_MODELS)
    def test_refit_after_interrupt(self, name, blobs):
        X, y = blobs
        estimator = make(name, callbacks=[Interrupt(2)])
        with pytest.warns(TrainingInterruptedWarning):
            estimator.fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error", TrainingInterruptedWarning)
            estimator.set_params(callbacks=None).fit(X, y)
        assert estimator.n_epochs_ == 10
        np.testing.assert_array_equal(
            outputs(estimator, X), outputs(clone(estimator).fit(X, y), X)
        )

    def test_interrupt_before_training_leaves_no_model(self, blobs):
        class InterruptAtStart(Callback):
            def on_train_begin(self, net, **kwargs):
                raise KeyboardInterrupt

        X, _ = blobs
        ae = make("AutoEncoder", callbacks=[InterruptAtStart()])
        with pytest.raises(KeyboardInterrupt):
            ae.fit(X)
        assert_unfitted(ae)


class TestEarlyStoppingDoesNotWarn:
    @pytest.mark.parametrize(
        "name, params",
        [
            ("AutoEncoder", {"n_iter_no_change": 1, "tol": 0.9}),
            ("VAE", {"validation_fraction": 0.2, "n_iter_no_change": 1, "tol": 0.9}),
            ("GAN", {"validation_fraction": 0.2, "n_iter_no_change": 1}),
            (
                "AutoEncoder",
                {
                    "n_iter_no_change": None,
                    "callbacks": [EarlyStopping("train_loss", 1, threshold=0.9)],
                },
            ),
        ],
        ids=["autoencoder", "vae-validation", "gan-two-sample", "user-callback"],
    )
    def test_early_stop(self, name, params, blobs):
        X, y = blobs
        estimator = make(name, **params, max_epochs=200)
        with warnings.catch_warnings():
            warnings.simplefilter("error", TrainingInterruptedWarning)
            estimator.fit(X, y)
        assert estimator.n_epochs_ < 200
        assert estimator.n_epochs_ == len(estimator.history_)
