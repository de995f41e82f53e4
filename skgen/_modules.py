"""Torch modules used by skgen's estimators.

Nothing here knows about scikit-learn or skorch: each class is a plain
``torch.nn.Module`` that can be used, saved and inspected on its own.
"""

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


def make_mlp(n_in, hidden_layer_sizes, n_out, *, activation="relu", dropout=0.0):
    """Build ``Linear -> activation [-> Dropout]`` blocks ending in a ``Linear``."""
    layers = []
    for width in hidden_layer_sizes:
        layers += [nn.Linear(n_in, width), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = width
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


class AutoEncoderModule(nn.Module):
    """A multilayer-perceptron autoencoder.

    The encoder maps ``n_features`` inputs through ``hidden_layer_sizes`` to
    ``n_components`` codes; the decoder mirrors it back. Calling the module
    returns the reconstruction.

    Parameters
    ----------
    n_features : int
        Width of the input.

    n_components : int
        Width of the code (latent) layer.

    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers; the decoder uses them reversed.

    activation : str, default="relu"
        Key of :data:`ACTIVATIONS`.

    dropout : float, default=0.0
        Dropout probability after each hidden activation.

    noise_scale : torch.Tensor or None, default=None
        Per-feature standard deviation of the Gaussian noise added to the input
        in training mode (a denoising autoencoder). ``None`` adds none.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes,
        activation="relu",
        dropout=0.0,
        noise_scale=None,
    ):
        super().__init__()
        hidden = tuple(hidden_layer_sizes)
        kwargs = {"activation": activation, "dropout": dropout}
        self.encoder = make_mlp(n_features, hidden, n_components, **kwargs)
        self.decoder = make_mlp(n_components, hidden[::-1], n_features, **kwargs)
        self.register_buffer("noise_scale", noise_scale)

    def encode(self, x):
        """Map inputs to codes."""
        return self.encoder(x)

    def decode(self, z):
        """Map codes to reconstructions."""
        return self.decoder(z)

    def forward(self, x):
        """Reconstruct ``x``, corrupting it first in training mode."""
        if self.training and self.noise_scale is not None:
            x = x + torch.randn_like(x) * self.noise_scale
        return self.decoder(self.encoder(x))


class TabularLoss(nn.Module):
    """Reconstruction loss of an encoded table, summed over its columns.

    The first ``n_numeric`` columns are standardised numbers, scored by half
    their squared error (a unit-variance Gaussian's negative log-likelihood,
    without the constant); each one-hot block is scored by the cross-entropy
    of the softmax of its outputs. An odd category and an odd number therefore
    cost alike. A block of all zeros (an unknown category, ignored at
    transform) costs as much as the least likely category would.

    Parameters
    ----------
    n_numeric : int
        Number of leading numeric columns.

    categorical_blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block.

    reduction : {"mean", "none"}, default="mean"
        Average the per-row losses, or return them.
    """

    def __init__(self, n_numeric, categorical_blocks=(), reduction="mean"):
        super().__init__()
        self.n_numeric = n_numeric
        self.reduction = reduction
        # Blocks of equal width are gathered and scored together: one
        # log-softmax per width instead of one per column.
        by_width = {}
        for start, stop in categorical_blocks:
            by_width.setdefault(stop - start, []).append(range(start, stop))
        self.n_groups = len(by_width)
        for i, blocks in enumerate(by_width.values()):
            self.register_buffer(f"group{i}", torch.tensor(blocks, dtype=torch.long))

    def row_losses(self, output, target, log_scale=None):
        """Return the loss of each row, shape ``(n_samples,)``.

        ``log_scale`` (one entry per numeric column) makes each number a
        Gaussian of that standard deviation: half the squared error in units
        of the scale, plus the log scale.
        """
        n = self.n_numeric
        error = output[:, :n] - target[:, :n]
        if log_scale is None:
            loss = 0.5 * (error * error).sum(dim=1)
        else:
            error = error * torch.exp(-log_scale)
            loss = (0.5 * error * error + log_scale).sum(dim=1)
        for i in range(self.n_groups):
            index = getattr(self, f"group{i}")
            log_p = torch.log_softmax(output[:, index], dim=-1)
            block = target[:, index]
            unknown = 1.0 - block.sum(dim=-1)
            surprise = -(block * log_p).sum(dim=-1)
            surprise = surprise - unknown * log_p.amin(dim=-1)
            loss = loss + surprise.sum(dim=1)
        return loss

    def forward(self, output, target, log_scale=None):
        """Return the mean loss, or per-row losses with ``reduction="none"``."""
        losses = self.row_losses(output, target, log_scale)
        return losses if self.reduction == "none" else losses.mean()


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
    drawn from the posterior (the reparametrisation trick), in evaluation
    mode it is the mean.

    Parameters
    ----------
    n_features : int
        Width of the encoded row.

    n_components : int
        Number of latent variables.

    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers; the decoder uses them reversed.

    activation : str, default="relu"
        Key of :data:`ACTIVATIONS`.

    dropout : float, default=0.0
        Dropout probability after each hidden activation.

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
        hidden = tuple(hidden_layer_sizes)
        kwargs = {"activation": activation, "dropout": dropout}
        self.n_features = n_features
        self.n_classes = n_classes
        self.encoder = make_mlp(n_features, hidden, 2 * n_components, **kwargs)
        self.decoder = make_mlp(
            n_components + n_classes, hidden[::-1], n_features, **kwargs
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
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        offset = mean - self.prior_mean(condition)
        return self.decode(z, condition), offset, log_var


def kl_divergence(mean, log_var):
    """KL(q(z | x) || N(0, I)) of each row, summed over the latent variables."""
    return 0.5 * (mean * mean + torch.exp(log_var) - 1.0 - log_var).sum(dim=-1)
