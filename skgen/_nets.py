"""skorch nets behind skgen's estimators.

Each estimator builds one of these in ``fit`` and keeps it as ``net_``. They
extend skorch only through its hooks (``get_loss``, default callbacks).
"""

import math

import torch
from skorch import NeuralNet
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    EpochTimer,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import unpack_data

from skgen._modules import kl_divergence

# Weight of the running estimate of each numeric column's scale per step.
SCALE_MOMENTUM = 0.9


class StopTraining(KeyboardInterrupt):
    """Raised by an early-stopping callback to end training as planned.

    skorch ends its fit loop on any ``KeyboardInterrupt``; this subclass tells
    an early stop from an interrupt, which :class:`SkgenNet` records.
    """


class DivergenceGuard(Callback):
    """Stop training with a clear error when a recorded loss is NaN or infinite.

    Parameters
    ----------
    keys : tuple of str, default=("train_loss", "valid_loss")
        History keys of the losses to check after every epoch.
    """

    def __init__(self, keys=("train_loss", "valid_loss")):
        self.keys = keys

    def on_epoch_end(self, net, **kwargs):
        """Check the losses just recorded for this epoch."""
        row = net.history[-1]
        for key in self.keys:
            loss = row.get(key)
            if loss is not None and not math.isfinite(loss):
                raise FloatingPointError(
                    f"Training diverged: the {key.replace('_', ' ')} became "
                    f"{loss} at epoch {row['epoch']}. {net.divergence_advice()}"
                )


class SkgenNet(NeuralNet):
    """``NeuralNet`` with lean default callbacks, a divergence guard and interrupts.

    skorch's ``PrintLog`` formats a table every epoch even when nothing is
    printed, so it is only added when ``verbose`` is set.

    A ``KeyboardInterrupt`` ends training and keeps the model, as in skorch;
    unless an early-stopping callback raised it (skorch's ``EarlyStopping``,
    or any callback raising :class:`StopTraining`), the net sets
    ``interrupted_`` and drops the epoch it cut short from the history, so
    that the history lists complete epochs only.
    """

    def notify(self, method_name, **cb_kwargs):
        """Call a hook on the net and its callbacks, as skorch does.

        Also counts the epochs that reached their end, and turns the
        ``KeyboardInterrupt`` of skorch's ``EarlyStopping`` into
        :class:`StopTraining`.
        """
        getattr(self, method_name)(self, **cb_kwargs)
        if method_name == "on_epoch_end":
            self.n_complete_epochs_ = len(self.history)
        for _, callback in self.callbacks_:
            try:
                getattr(callback, method_name)(self, **cb_kwargs)
            except StopTraining:
                raise
            except KeyboardInterrupt as exc:
                if isinstance(callback, EarlyStopping):
                    raise StopTraining from exc
                raise

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """Run skorch's loop; record an interrupt in ``interrupted_``."""
        self.interrupted_ = False
        self.n_complete_epochs_ = len(self.history)
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except StopTraining:
            raise
        except KeyboardInterrupt:
            self.interrupted_ = True
            raise

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train as skorch does; after an interrupt keep complete epochs only.

        The cut-short epoch is dropped after the callbacks' ``on_train_end``,
        which may look at it (skorch's ``EarlyStopping`` does).
        """
        super().partial_fit(X, y, classes, **fit_params)
        if self.interrupted_:
            del self.history[self.n_complete_epochs_ :]
        return self

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

    def divergence_advice(self):
        """What to try when the loss diverges, for :class:`DivergenceGuard`."""
        return (
            f"Try a lower learning rate (lr={self.lr:g} now) or scale the input "
            "features."
        )


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


class VAENet(SkgenNet):
    """Net that trains a ``VAEModule`` on the negative evidence lower bound.

    The loss of a row is its reconstruction loss (the criterion's per-column
    loss, with the module's learned numeric scales) plus ``beta`` times the KL
    divergence of its posterior from the prior. During the first
    ``kl_warmup_epochs`` epochs the gradient step weighs the KL term by the
    fraction of warm-up done (epoch / ``kl_warmup_epochs``); the recorded
    losses always use the full ``beta``, so early stopping compares like with
    like.
    """

    def __init__(
        self, *args, beta=1.0, kl_warmup_epochs=0, decoder_scale="column", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.beta = beta
        self.kl_warmup_epochs = kl_warmup_epochs
        self.decoder_scale = decoder_scale

    def loss_terms(self, y_pred, X, training=False):
        """Per-row reconstruction loss and KL divergence of a batch.

        In training, each numeric column's standard deviation is the one that
        maximises the batch's likelihood, the root mean squared error of its
        reconstructions (the "optimal sigma" of Rybkin et al., 2021), and the
        module's ``log_scale`` follows it as a moving average. A learned
        scale parameter would lag far behind (Adam moves it by about ``lr``
        per step) and starve the reconstruction term early on, which
        collapses the posterior.

        With ``decoder_scale="shared"`` the training loss uses one standard
        deviation for all numeric columns, the root mean squared error over
        all of them, so every column weighs the same in the decoder's fit;
        ``log_scale`` still follows each column's own error, for scoring and
        sampling.
        """
        reconstruction, offset, log_var = y_pred
        x, _ = self.module_.split(X)
        log_scale = self.module_.log_scale
        n_numeric = len(log_scale)
        if training and n_numeric:
            error = (reconstruction[:, :n_numeric] - x[:, :n_numeric]).detach()
            variance = (error * error).mean(dim=0)
            batch_log_scale = torch.maximum(
                0.5 * torch.log(variance), self.module_.min_log_scale
            )
            with torch.no_grad():
                log_scale.lerp_(batch_log_scale, 1.0 - SCALE_MOMENTUM)
            log_scale = batch_log_scale
            if self.decoder_scale == "shared":
                shared = torch.maximum(
                    0.5 * torch.log(variance.mean()), self.module_.min_log_scale.max()
                )
                log_scale = shared.expand(n_numeric)
        if training and self.module_.n_classes:
            self._follow_class_means(offset.detach(), X)
        losses = self.criterion_.row_losses(reconstruction, x, log_scale)
        return losses, kl_divergence(offset, log_var)

    def _follow_class_means(self, offset, X):
        """Move each class's prior mean towards the batch's mean code of the class.

        The KL divergence is smallest when a class's prior mean is the mean of
        its rows' codes; setting it so directly (as a moving average) keeps up
        with the encoder where a learned parameter would crawl, above all for
        a rare class.
        """
        module = self.module_
        _, condition = module.split(X)
        codes = offset + module.prior_mean(condition)
        counts = condition.sum(dim=0)
        present = counts > 0
        batch_means = (condition.T @ codes)[present] / counts[present, None]
        with torch.no_grad():
            means = module.prior_means
            means[present] = means[present].lerp(batch_means, 1.0 - SCALE_MOMENTUM)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Return the mean negative ELBO (KL weighted by ``beta``)."""
        reconstruction, kl = self.loss_terms(y_pred, X)
        return (reconstruction + self.beta * kl).mean()

    def train_step_single(self, batch, **fit_params):
        """Step on the warmed-up loss; report the full one."""
        self._set_training(True)
        Xi, _ = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        reconstruction, kl = self.loss_terms(y_pred, Xi, training=True)
        weight = self.beta
        if self.kl_warmup_epochs:
            weight *= min(1.0, len(self.history) / self.kl_warmup_epochs)
        (reconstruction + weight * kl).mean().backward()
        loss = (reconstruction + self.beta * kl).mean().detach()
        return {"loss": loss, "y_pred": y_pred}
