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

    def row_losses(self, output, target):
        """Return the loss of each row, shape ``(n_samples,)``."""
        n = self.n_numeric
        error = output[:, :n] - target[:, :n]
        loss = 0.5 * (error * error).sum(dim=1)
        for i in range(self.n_groups):
            index = getattr(self, f"group{i}")
            log_p = torch.log_softmax(output[:, index], dim=-1)
            block = target[:, index]
            unknown = 1.0 - block.sum(dim=-1)
            surprise = -(block * log_p).sum(dim=-1)
            surprise = surprise - unknown * log_p.amin(dim=-1)
            loss = loss + surprise.sum(dim=1)
        return loss

    def forward(self, output, target):
        """Return the mean loss, or per-row losses with ``reduction="none"``."""
        losses = self.row_losses(output, target)
        return losses if self.reduction == "none" else losses.mean()
