"""skorch nets behind skgen's estimators.

Each estimator builds one of these in ``fit`` and keeps it as ``net_``. They
extend skorch only through its hooks (``get_loss``, default callbacks).
"""

import math

from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PassthroughScoring, PrintLog


class DivergenceGuard(Callback):
    """Stop training with a clear error when an epoch's loss is NaN or infinite."""

    def on_epoch_end(self, net, **kwargs):
        """Check the losses just recorded for this epoch."""
        row = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            loss = row.get(key)
            if loss is not None and not math.isfinite(loss):
                raise FloatingPointError(
                    f"Training diverged: the {key.replace('_', ' ')} became "
                    f"{loss} at epoch {row['epoch']}. Try a lower learning rate "
                    f"(lr={net.lr:g} now) or scale the input features."
                )


class SkgenNet(NeuralNet):
    """``NeuralNet`` with a lean set of default callbacks and a divergence guard.

    skorch's ``PrintLog`` formats a table every epoch even when nothing is
    printed, so it is only added when ``verbose`` is set.
    """

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("divergence_guard", DivergenceGuard()),
        ]
        if self.verbose:
            callbacks.append(("print_log", PrintLog()))
        return callbacks


class ReconstructionNet(SkgenNet):
    """Net whose loss compares the module's reconstruction with its input.

    The module returns the reconstruction, or a tuple whose first item is the
    reconstruction; batches carry no target.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Return the criterion between the reconstruction and ``X``."""
        if isinstance(y_pred, tuple):
            y_pred = y_pred[0]
        return self.criterion_(y_pred, X)
