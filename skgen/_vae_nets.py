"""The VAE's network: a conditional Gaussian VAE for tables, its loss and its net.

The loss of a row is its negative evidence lower bound: the reconstruction
loss of :class:`~skgen._layers.TabularLoss` with each numeric column's learned
scale, plus the KL divergence of the posterior from the (class's) prior. It is
computed in one place, :meth:`VAENet.loss_terms`, for training, scoring and
early stopping alike.
"""

import torch
from skorch.dataset import unpack_data
from torch import nn

from skgen._layers import layer_outputs, mirrored_mlps
from skgen._torch import active_rng
from skgen._training import SkgenNet

# Weight of the running estimate of each numeric column's scale per step.
SCALE_MOMENTUM = 0.9


def kl_divergence(mean, log_var):
    """KL(q(z | x) || N(0, I)) of each row, summed over the latent variables."""
    return 0.5 * (mean * mean + torch.exp(log_var) - 1.0 - log_var).sum(dim=-1)


class VAEModule(nn.Module):
    """A variational autoencoder for encoded tables, optionally class-conditional.

    The encoder maps a row to the mean and log-variance of a diagonal Gaussian
    over ``n_components`` latent variables; the decoder maps a latent vector
    (and, when ``n_classes > 0``, a one-hot class) to the row's numbers and
    per-category logits. Each numeric column has a log standard deviation,
    the buffer ``log_scale``, which scoring uses and sampling draws with; the
    net sets it during training (see ``skgen._nets.VAENet``).

    A conditional model also has a prior per class, N(``prior_means[y]``, I),
    whose mean the net keeps at the mean code of the class's rows: the
    encoder sees only the row (so codes need no label), the codes of a class
    gather around its prior mean, and sampling from that prior, decoded with
    the class, gives rows of the class. (With a single N(0, I) prior the codes
    carry the class and the decoder learns to ignore the condition.)

    A batch is one tensor: the encoded row, followed by ``n_classes`` one-hot
    class columns for a conditional model (so skorch's single-tensor batches
    carry the condition). Calling the module returns ``(reconstruction,
    offset, log_var)``, where ``offset`` is the posterior mean minus the
    prior mean, so that the KL divergence from the prior is
    ``kl_divergence(offset, log_var)``. In training mode the latent vector is
    drawn from the posterior (the reparametrisation trick, with noise from
    the fit's private generator, :func:`skgen._torch.active_rng`), in
    evaluation mode it is the mean.

    Parameters
    ----------
    n_features, n_components, hidden_layer_sizes, activation, dropout
        The encoded row's width, the number of latent variables and the
        encoder's hidden layers (mirrored by the decoder), as for
        :class:`~skgen._autoencoder_nets.AutoEncoderModule`.

    n_classes : int, default=0
        Number of classes the decoder is conditioned on; 0 for none.

    n_numeric : int, default=0
        Number of leading numeric columns, each with its own scale.

    min_scale : torch.Tensor or None, default=None
        Smallest standard deviation of each numeric column (default 1e-3): a
        column that is constant in training would otherwise get an infinite
        likelihood.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes,
        activation="relu",
        dropout=0.0,
        n_classes=0,
        n_numeric=0,
        min_scale=None,
    ):
        super().__init__()
        self.n_features = n_features
        self.n_classes = n_classes
        self.encoder, self.decoder = mirrored_mlps(
            n_features,
            hidden_layer_sizes,
            2 * n_components,
            n_components + n_classes,
            activation=activation,
            dropout=dropout,
        )
        self.register_buffer("log_scale", torch.zeros(n_numeric))
        if min_scale is None:
            min_scale = torch.full((n_numeric,), 1e-3)
        self.register_buffer("min_log_scale", torch.log(min_scale))
        self.register_buffer("prior_means", torch.zeros(n_classes, n_components))

    def prior_mean(self, condition):
        """Mean of each row's prior: its class's, or 0 when not conditional."""
        if self.n_classes:
            return condition @ self.prior_means
        return 0.0

    def posterior(self, x):
        """Mean and log-variance of q(z | x)."""
        mean, log_var = self.encoder(x).chunk(2, dim=-1)
        # Bounded so that exp() can neither overflow nor vanish in float32.
        return mean, log_var.clamp(-30.0, 20.0)

    def encode(self, x):
        """Posterior mean of each row: its deterministic code."""
        return self.posterior(x)[0]

    def encode_layers(self, x):
        """Posterior means followed by the activations of every hidden encoder layer."""
        output, hidden = layer_outputs(self.encoder, x)
        return torch.cat([output.chunk(2, dim=-1)[0], *hidden], dim=1)

    def decode(self, z, condition=None):
        """Numbers and logits of the rows that codes ``z`` (and classes) give."""
        if self.n_classes:
            z = torch.cat([z, condition], dim=-1)
        return self.decoder(z)

    def split(self, batch):
        """Encoded rows and one-hot classes (``None`` when not conditional)."""
        if self.n_classes:
            return batch[:, : self.n_features], batch[:, self.n_features :]
        return batch, None

    def forward(self, batch):
        """Reconstruct a batch: ``(reconstruction, offset, log_var)``."""
        x, condition = self.split(batch)
        mean, log_var = self.posterior(x)
        z = mean
        if self.training:
            rng = active_rng(mean.device)
            noise = torch.randn(
                mean.shape, generator=rng, dtype=mean.dtype, device=mean.device
            )
            z = mean + noise * torch.exp(0.5 * log_var)
        offset = mean - self.prior_mean(condition)
        return self.decode(z, condition), offset, log_var


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
            presence = self.criterion_.presence(x)
            error = self.criterion_.number_error(reconstruction, x, presence).detach()
            n_present = len(x) if presence is None else presence.sum(dim=0).clamp(min=1)
            variance = (error * error).sum(dim=0) / n_present
            batch_log_scale = torch.maximum(
                0.5 * torch.log(variance), self.module_.min_log_scale
            )
            if presence is not None:
                # A number missing from every row of the batch keeps its scale.
                seen = presence.sum(dim=0) > 0
                batch_log_scale = torch.where(seen, batch_log_scale, log_scale)
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

    def elbo(self, batch):
        """ELBO of each row of a batch (rows followed by one-hot classes)."""
        reconstruction, kl = self.loss_terms(self.module_(batch), batch)
        return -(reconstruction + kl)

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
