"""The skorch nets: divergence guard and losses."""

import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skgen import AutoEncoder
from skgen._nets import DivergenceGuard


class TestDivergence:
    params = {
        "hidden_layer_sizes": (8,),
        "lr": 1e10,
        "optimizer": "sgd",
        "max_epochs": 5,
        "random_state": 0,
    }

    def test_raises_with_clear_message(self, X_digits):
        ae = AutoEncoder(**self.params)
        with pytest.raises(FloatingPointError, match=r"epoch \d+.*learning rate"):
            ae.fit(X_digits * 100)

    def test_leaves_estimator_unfitted(self, X_digits):
        ae = AutoEncoder(**self.params)
        with pytest.raises(FloatingPointError):
            ae.fit(X_digits * 100)
        with pytest.raises(NotFittedError):
            check_is_fitted(ae)
        with pytest.raises(NotFittedError):
            ae.transform(X_digits)

    def test_guard_checks_validation_loss(self, X_digits):
        ae = AutoEncoder(validation_fraction=0.2, **self.params)
        with pytest.raises(FloatingPointError, match="diverged"):
            ae.fit(X_digits * 100)

    def test_guard_passes_finite_losses(self):
        class Net:
            lr = 0.1
            history = [{"epoch": 1, "train_loss": 0.5, "valid_loss": 0.4}]

            def divergence_advice(self):
                return "Try a lower learning rate."

        DivergenceGuard().on_epoch_end(Net())
        Net.history = [{"epoch": 7, "train_loss": 0.5, "valid_loss": float("nan")}]
        with pytest.raises(
            FloatingPointError, match="valid loss became nan at epoch 7"
        ):
            DivergenceGuard().on_epoch_end(Net())
