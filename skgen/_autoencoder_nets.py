"""The AutoEncoder's network: a torch MLP autoencoder and the net that trains it."""

import torch
from torch import nn

from skgen._layers import ColumnCorruption, layer_outputs, linear, mirrored_mlps
from skgen._torch import active_rng
from skgen._training import SkgenNet


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
        Key of :data:`skgen._layers.ACTIVATIONS`.

    dropout : float, default=0.0
        Dropout probability after each hidden activation.

    noise_scale : torch.Tensor or None, default=None
        Per-feature standard deviation of the Gaussian noise added to the input
        in training mode (a denoising autoencoder). ``None`` adds none. In a
        fit the noise, like dropout, comes from the fit's private generator
        (:func:`skgen._torch.active_rng`).

    corruption : {"swap", "mask"} or None, default=None
        How whole input columns are corrupted in training mode (see
        :class:`~skgen._layers.ColumnCorruption`), after the Gaussian noise;
        ``None`` corrupts none.

    corruption_rate : float, default=0.0
        Probability that a cell is corrupted.

    slot_columns : sequence of int or None, default=None
        The input column of each encoded slot, which ``corruption`` needs.

    predict_corruption : bool, default=False
        Add ``corruption_head``, a linear layer from the codes to one logit
        per input column that says whether the column was corrupted (the mask
        estimator of VIME, Yoon et al., 2020). In training mode with
        corruption the module then returns ``(reconstruction, logits, hit)``
        for the net's loss.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes,
        activation="relu",
        dropout=0.0,
        noise_scale=None,
        corruption=None,
        corruption_rate=0.0,
        slot_columns=None,
        predict_corruption=False,
    ):
        super().__init__()
        self.encoder, self.decoder = mirrored_mlps(
            n_features,
            hidden_layer_sizes,
            n_components,
            n_components,
            activation=activation,
            dropout=dropout,
        )
        self.register_buffer("noise_scale", noise_scale)
        self.corrupt = self.corruption_head = None
        if corruption is not None and corruption_rate > 0:
            self.corrupt = ColumnCorruption(corruption, corruption_rate, slot_columns)
            if predict_corruption:
                self.corruption_head = linear(n_components, self.corrupt.n_columns)

    def encode(self, x):
        """Map inputs to codes."""
        return self.encoder(x)

    def encode_layers(self, x):
        """Codes followed by the activations of every hidden encoder layer."""
        codes, hidden = layer_outputs(self.encoder, x)
        return torch.cat([codes, *hidden], dim=1)

    def decode(self, z):
        """Map codes to reconstructions."""
        return self.decoder(z)

    def forward(self, x):
        """Reconstruct ``x``, corrupting it first in training mode."""
        if self.training and self.noise_scale is not None:
            rng = active_rng(x.device)
            noise = torch.randn(x.shape, generator=rng, dtype=x.dtype, device=x.device)
            x = x + noise * self.noise_scale
        hit = None
        if self.corrupt is not None:
            x, hit = self.corrupt.corrupt(x)
        codes = self.encoder(x)
        reconstruction = self.decoder(codes)
        if hit is None or self.corruption_head is None:
            return reconstruction
        return reconstruction, self.corruption_head(codes), hit


class ReconstructionNet(SkgenNet):
    """Net whose loss compares the module's reconstruction with its input.

    The module returns the reconstruction; batches carry no target. The
    criterion is :class:`~skgen._layers.TabularLoss`.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Return the criterion between the reconstruction and ``X``.

        With a corruption head in training, add the binary cross-entropy of
        its logits against the cells that were corrupted, summed over the
        columns and averaged over the rows, like the reconstruction loss.
        """
        if not isinstance(y_pred, tuple):
            return self.criterion_(y_pred, X)
        reconstruction, logits, hit = y_pred
        mask_loss = nn.functional.binary_cross_entropy_with_logits(
            logits, hit.to(logits.dtype), reduction="none"
        )
        return self.criterion_(reconstruction, X) + mask_loss.sum(dim=1).mean()
