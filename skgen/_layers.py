"""Torch building blocks of skgen's networks: MLPs, per-block heads, the table loss.

An encoded table (see :mod:`skgen._tabular`) is a float matrix whose first
``n_numeric`` columns are numbers, followed by one one-hot block per
categorical column. The networks end in one head per block: numbers as they
are, a softmax (or its Gumbel relaxation) over each block's categories; the
loss is summed per block. Nothing here knows about scikit-learn or skorch.

Inside a fit (:func:`skgen._torch.private_rng`) every random draw of these
modules, from their initial weights to dropout and Gumbel noise, comes from
the fit's private generators (:func:`skgen._torch.active_rng`); outside one
they draw from torch's global generators, as torch's own modules do.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skgen._torch import active_rng

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


def linear(n_in, n_out):
    """An ``nn.Linear`` initialised as torch does, from the active private generator.

    Inside :func:`skgen._torch.private_rng` the layer is created without
    initial values (on the ``meta`` device, which draws nothing), given empty
    CPU parameters and filled with ``nn.Linear``'s own initialisation, drawn
    from the block's CPU generator: the same values ``nn.Linear`` would draw
    from torch's global generator in the same state. Outside such a block it
    is a plain ``nn.Linear``. (``nn.utils.skip_init`` does the same in one
    call, but its ``to_empty`` imports sympy, a second of a process's first
    fit.)
    """
    rng = active_rng()
    if rng is None:
        return nn.Linear(n_in, n_out)
    layer = nn.Linear(n_in, n_out, device="meta")
    layer.weight = nn.Parameter(torch.empty(n_out, n_in))
    layer.bias = nn.Parameter(torch.empty(n_out))
    # nn.Linear.reset_parameters: kaiming_uniform with a=sqrt(5) makes the
    # weights uniform on +-1/sqrt(n_in), as the bias is.
    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=rng)
    bound = 1 / math.sqrt(n_in) if n_in > 0 else 0
    nn.init.uniform_(layer.bias, -bound, bound, generator=rng)
    return layer


class Dropout(nn.Dropout):
    """``nn.Dropout`` whose masks come from the active private generator.

    Inside :func:`skgen._torch.private_rng` (a fit) each mask is drawn from
    the generator of the input's device; outside one the module is
    ``nn.Dropout``. It keeps ``nn.Dropout``'s state and scaling: kept
    entries are divided by ``1 - p``.
    """

    def forward(self, input):
        """Zero each entry with probability ``p`` in training; else pass through."""
        rng = active_rng(input.device) if self.training and self.p > 0 else None
        if rng is None:
            return super().forward(input)
        keep = torch.empty_like(input).bernoulli_(1.0 - self.p, generator=rng)
        if self.p < 1.0:
            # Scaling the mask in place saves a pass over the activations.
            keep.div_(1.0 - self.p)
        return input * keep


def make_mlp(
    n_in, hidden_layer_sizes, n_out, *, activation="relu", dropout=0.0, batch_norm=False
):
    """Stack ``Linear [-> BatchNorm] -> activation [-> Dropout]``, then a ``Linear``.

    ``activation`` is a key of :data:`ACTIVATIONS` or a callable that returns a
    module, such as ``functools.partial(nn.LeakyReLU, 0.2)``. Linear layers
    come from :func:`linear`, dropout from :class:`Dropout`, so that inside a
    fit their random draws are the fit's own; the activations and
    ``BatchNorm1d`` draw nothing.
    """
    make_activation = ACTIVATIONS.get(activation, activation)
    layers = []
    for width in hidden_layer_sizes:
        layers.append(linear(n_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(make_activation())
        if dropout > 0:
            layers.append(Dropout(dropout))
        n_in = width
    layers.append(linear(n_in, n_out))
    return nn.Sequential(*layers)


def layer_outputs(mlp, x):
    """Run an MLP from :func:`make_mlp`; return its output and hidden activations.

    The hidden activations are the outputs of each hidden layer's activation
    (before its dropout), in order.
    """
    hidden = []
    for layer in mlp:
        x = layer(x)
        if not isinstance(layer, nn.Linear | nn.BatchNorm1d | nn.Dropout):
            hidden.append(x)
    return x, hidden


def mirrored_mlps(n_features, hidden_layer_sizes, n_codes, n_decoder_inputs, **kwargs):
    """An encoder and a decoder MLP whose hidden layers mirror each other.

    The encoder maps ``n_features`` through ``hidden_layer_sizes`` to
    ``n_codes`` outputs; the decoder maps ``n_decoder_inputs`` through the
    same layers reversed back to ``n_features``. ``kwargs`` go to
    :func:`make_mlp`.
    """
    hidden = tuple(hidden_layer_sizes)
    encoder = make_mlp(n_features, hidden, n_codes, **kwargs)
    decoder = make_mlp(n_decoder_inputs, hidden[::-1], n_features, **kwargs)
    return encoder, decoder


CORRUPTIONS = ("swap", "mask")


class ColumnCorruption(nn.Module):
    """Corrupt whole input columns of encoded rows, in training mode only.

    Each cell of the input table (a row and one of its columns, which may own
    several encoded slots: a number and its missing indicator, or a one-hot
    block) is hit with probability ``rate``. A hit cell is replaced by the
    same column's encoded value in a row drawn at random from the batch
    (``"swap"``: swap noise, which keeps every column's marginal) or by
    zeros (``"mask"``: the centre of a standardised number and an unknown
    category). Draws come from the fit's private generator
    (:func:`skgen._torch.active_rng`). In evaluation mode, or with
    ``rate=0``, the input passes through unchanged.

    Parameters
    ----------
    kind : {"swap", "mask"}
        How a hit cell is replaced.

    rate : float
        Probability that a cell is hit.

    slot_columns : sequence of int
        The input column of each encoded slot, in matrix order.
    """

    def __init__(self, kind, rate, slot_columns):
        super().__init__()
        self.kind = kind
        self.rate = rate
        slot_columns = torch.as_tensor(slot_columns, dtype=torch.long)
        self.n_columns = int(slot_columns.max()) + 1 if len(slot_columns) else 0
        # Not persistent: it is rebuilt from the table encoder, and it only
        # matters in training.
        self.register_buffer("slot_columns", slot_columns, persistent=False)

    def forward(self, x):
        """Return ``x`` with the hit cells replaced (training mode only)."""
        return self.corrupt(x)[0]

    def corrupt(self, x):
        """Return the corrupted ``x`` and which cells were hit.

        The second item has shape ``(n_rows, n_columns)``; it is ``None``
        where nothing is corrupted (evaluation mode, ``rate=0``).
        """
        if not self.training or self.rate == 0 or not self.n_columns:
            return x, None
        rng = active_rng(x.device)
        n_rows = len(x)
        cells = (n_rows, self.n_columns)
        hit = torch.rand(cells, generator=rng, device=x.device) < self.rate
        slot_hit = hit[:, self.slot_columns]
        if self.kind == "mask":
            return x.masked_fill(slot_hit, 0.0), hit
        donors = torch.randint(n_rows, cells, generator=rng, device=x.device)
        replacement = torch.gather(x, 0, donors[:, self.slot_columns])
        return torch.where(slot_hit, replacement, x), hit


def balanced_category_weights(X, categorical_blocks, numeric_loss=0.5):
    """A weight per one-hot block: ``min(1, numeric_loss / entropy)``.

    ``entropy`` is that of the block's category shares in the encoded rows
    ``X``: the cross-entropy per row of a model that knows nothing but the
    shares. A standardised number costs such a model ``numeric_loss`` (half
    its variance) per row, so the weights cap every categorical column's
    starting loss at a number's, as PCA caps a one-hot block's variance at a
    standardised number's. Without them a column of many even categories
    (entropy ``log(n_categories)``) outweighs several numbers.
    """
    weights = []
    for start, stop in categorical_blocks:
        # Accumulated in float64 without a float64 copy of the block.
        shares = np.asarray(X[:, start:stop]).mean(axis=0, dtype=np.float64)
        shares = shares[shares > 0]
        entropy = float(-(shares * np.log(shares)).sum())
        weights.append(min(1.0, numeric_loss / entropy) if entropy > 0 else 1.0)
    return weights


def by_width(categorical_blocks, values):
    """``values`` (one per block) gathered by block width, in first-seen order.

    The order of :func:`group_blocks`'s groups, so that ``group{i}`` and the
    i-th list line up.
    """
    groups = {}
    for (start, stop), value in zip(categorical_blocks, values, strict=True):
        groups.setdefault(stop - start, []).append(value)
    return list(groups.values())


def group_blocks(module, categorical_blocks):
    """Register the column indices of equal-width blocks as buffers of ``module``.

    Blocks of equal width are gathered and handled together: one softmax per
    width instead of one per column. Buffer ``group{i}`` holds, for the i-th
    width, an index of shape ``(n_blocks, width)``. Returns the number of
    groups.
    """
    indices = [range(start, stop) for start, stop in categorical_blocks]
    groups = by_width(categorical_blocks, indices)
    for i, blocks in enumerate(groups):
        module.register_buffer(f"group{i}", torch.tensor(blocks, dtype=torch.long))
    return len(groups)


def gumbel_noise(shape, rng=None, device=None):
    """Standard Gumbel draws on ``device``, from ``rng`` or the active generator.

    ``rng`` may live on another device than ``device`` (sampling draws on the
    CPU whatever the model's device); the draws are made on ``rng``'s device
    and moved. Without ``rng`` they come from the active private generator of
    ``device`` (see :func:`skgen._torch.active_rng`), or torch's global CPU
    generator outside a fit.
    """
    if rng is None:
        rng = active_rng(device)
    where = None if rng is None else rng.device
    uniform = torch.rand(shape, generator=rng, device=where).to(device)
    return -torch.log(-torch.log(uniform.clamp(1e-10, 1.0 - 1e-7)))


class CategoricalHeads(nn.Module):
    """Turn per-block logits into (relaxed) one-hot blocks, in one pass per width.

    Blocks of equal width are gathered and handled together; a final gather
    puts the columns back in the encoded order.

    Parameters
    ----------
    n_features : int
        Width of the encoded row.

    n_numeric : int
        Number of leading numeric columns, passed through unchanged.

    categorical_blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block.

    temperature : float
        Temperature of the Gumbel-softmax relaxation in training.
    """

    def __init__(self, n_features, n_numeric, categorical_blocks, temperature):
        super().__init__()
        self.n_numeric = n_numeric
        self.temperature = temperature
        self.n_groups = group_blocks(self, categorical_blocks)
        order = list(range(n_numeric))
        for i in range(self.n_groups):
            order += getattr(self, f"group{i}").ravel().tolist()
        # Column j of the encoded row is column inverse[j] of the gathered one.
        inverse = torch.empty(n_features, dtype=torch.long)
        inverse[torch.tensor(order, dtype=torch.long)] = torch.arange(len(order))
        self.register_buffer("inverse", inverse)

    def forward(self, output, hard=False, rng=None):
        """Numbers as they are; each block a Gumbel-softmax or a one-hot draw.

        With ``hard=True`` each block is the one-hot of a draw from the
        softmax of its logits (the argmax of logits plus Gumbel noise from
        ``rng``); otherwise it is the relaxed draw used in training.
        """
        if not self.n_groups:
            return output
        parts = [output[:, : self.n_numeric]]
        for i in range(self.n_groups):
            logits = output[:, getattr(self, f"group{i}")]
            noise = gumbel_noise(logits.shape, rng, logits.device)
            if hard:
                picks = (logits + noise).argmax(dim=-1)
                block = F.one_hot(picks, logits.shape[-1]).to(logits.dtype)
            else:
                block = torch.softmax((logits + noise) / self.temperature, dim=-1)
            parts.append(block.flatten(1))
        return torch.cat(parts, dim=1)[:, self.inverse]


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

    missing_slots : list of (int, int), default=()
        ``(number, slot)`` pairs: where the target's ``slot`` is 1 the number
        is missing, and its error is left out of the loss (the slot's own
        block scores whether the model predicted it missing).

    category_weights : sequence of float or None, default=None
        A weight per one-hot block (in matrix order) for its cross-entropy in
        the training loss (``forward``), such as
        :func:`balanced_category_weights`; ``row_losses``, which scores rows,
        never weighs. ``None``: every block weighs 1.

    reduction : {"mean", "none"}, default="mean"
        Average the per-row losses, or return them.
    """

    def __init__(
        self,
        n_numeric,
        categorical_blocks=(),
        missing_slots=(),
        category_weights=None,
        reduction="mean",
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.reduction = reduction
        self.n_groups = group_blocks(self, categorical_blocks)
        self.weighted = category_weights is not None
        if self.weighted:
            # Not persistent: they only shape training, and files written
            # before they existed keep loading.
            groups = by_width(categorical_blocks, category_weights)
            for i, weights in enumerate(groups):
                self.register_buffer(
                    f"weight{i}", torch.tensor(weights), persistent=False
                )
        # Buffers only where a number can be missing: a model without any
        # keeps the tensors of models saved before missing numbers existed.
        self.n_missing = len(missing_slots)
        if missing_slots:
            numbers, slots = zip(*missing_slots, strict=True)
            self.register_buffer("missing_numbers", torch.tensor(numbers))
            self.register_buffer("missing_indicators", torch.tensor(slots))

    def presence(self, target):
        """1 where a number of ``target`` is present, 0 where it is missing.

        Shape ``(n_samples, n_numeric)``; ``None`` when no number can be
        missing.
        """
        if not self.n_missing:
            return None
        present = torch.ones(
            len(target), self.n_numeric, dtype=target.dtype, device=target.device
        )
        present[:, self.missing_numbers] = 1.0 - target[:, self.missing_indicators]
        return present

    def number_error(self, output, target, presence=None):
        """Error of each number, 0 where the target says it is missing."""
        n = self.n_numeric
        error = output[:, :n] - target[:, :n]
        return error if presence is None else error * presence

    def row_losses(self, output, target, log_scale=None, weighted=False):
        """Return the loss of each row, shape ``(n_samples,)``.

        ``log_scale`` (one entry per numeric column) makes each number a
        Gaussian of that standard deviation: half the squared error in units
        of the scale, plus the log scale. ``weighted`` applies the
        ``category_weights``.
        """
        presence = self.presence(target)
        error = self.number_error(output, target, presence)
        if log_scale is None:
            loss = 0.5 * (error * error).sum(dim=1)
        else:
            error = error * torch.exp(-log_scale)
            log_scale = log_scale if presence is None else log_scale * presence
            loss = (0.5 * error * error + log_scale).sum(dim=1)
        for i in range(self.n_groups):
            index = getattr(self, f"group{i}")
            log_p = torch.log_softmax(output[:, index], dim=-1)
            block = target[:, index]
            unknown = 1.0 - block.sum(dim=-1)
            surprise = -(block * log_p).sum(dim=-1)
            surprise = surprise - unknown * log_p.amin(dim=-1)
            if weighted and self.weighted:
                surprise = surprise * getattr(self, f"weight{i}")
            loss = loss + surprise.sum(dim=1)
        return loss

    def forward(self, output, target, log_scale=None):
        """Return the mean (weighted) loss, or per-row losses with ``"none"``."""
        losses = self.row_losses(output, target, log_scale, weighted=True)
        return losses if self.reduction == "none" else losses.mean()
