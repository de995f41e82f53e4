"""The autoregressive generator's network: a masked MLP over a table's columns.

The module predicts each column of an encoded table from the columns before
it, in one pass (a MADE network: Germain et al., 2015): every weight that
would let a column see itself or a later column is masked to zero. Numbers
(normal scores, from ``numeric_scaling="quantile"``) get a mixture of
Gaussians, one-hot blocks a softmax. A masked linear path from the inputs to
the outputs sits beside the hidden layers; with one Gaussian per number and
no hidden layers the model is a Gaussian copula, so training starts from the
copula's kind of dependence and adds what the hidden layers find.

The order of the columns: every one-hot block (categories, few-valued numbers,
missing indicators) in column order, then every number. A missing indicator
therefore comes before its number, whose value is only modelled where present,
and numbers are conditioned on every category. The class of a conditional
model comes before all of them.
"""

import math

import torch
from skorch.dataset import unpack_data
from torch import nn

from skgen._layers import ACTIVATIONS, Dropout, group_blocks, linear
from skgen._training import SkgenNet

HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)

# Bounds of a mixture component's log standard deviation, in normal scores:
# from about 0.001 (a near-deterministic number) to about 7 (wider than any
# normal score), so the likelihood stays finite.
MIN_LOG_SCALE = -7.0
MAX_LOG_SCALE = 2.0

# Largest norm of a step's gradient (see AutoregressiveNet.train_step_single).
MAX_GRADIENT_NORM = 10.0


def hidden_degrees(width, n_units, n_classes):
    """Degree of each of ``width`` hidden units, spread evenly over the ranks.

    A unit of degree d sees inputs of rank up to d and feeds outputs of rank
    above d. Degrees run from 0 (the class) or, without classes, from 1 (a
    unit of degree 0 would see nothing) up to ``n_units - 1`` (the last rank
    with a later one to feed).
    """
    low = 0 if n_classes else 1
    span = max(n_units - low, 1)
    return low + torch.arange(width) * span // width


def check_layout(n_features, n_numeric, blocks, missing_slots):
    """Refuse a layout the module cannot read: blocks must tile the one-hot part.

    The table encoder lays rows out as numbers, then blocks one after another,
    and a missing indicator is the second slot of a two-slot block.
    """
    position = n_numeric
    for start, stop in blocks:
        if start != position or stop <= start:
            raise ValueError(
                f"blocks must follow the {n_numeric} numbers one after another; "
                f"got {blocks}"
            )
        position = stop
    if position != n_features:
        raise ValueError(f"blocks end at {position} but rows have {n_features} columns")
    two_slot = {stop - 1 for start, stop in blocks if stop - start == 2}
    for number, slot in missing_slots:
        if not 0 <= number < n_numeric or slot not in two_slot:
            raise ValueError(
                f"missing slot ({number}, {slot}) is not the second slot of a "
                "two-slot block after a number"
            )


class MaskedLinear(nn.Module):
    """A linear layer whose weight is multiplied by a fixed 0/1 mask.

    The mask is a non-persistent buffer: it follows from the module's
    arguments, so a saved file neither holds nor can change it.
    """

    def __init__(self, mask):
        super().__init__()
        n_out, n_in = mask.shape
        self.layer = linear(n_in, n_out)
        self.register_buffer("mask", mask.to(torch.float32), persistent=False)

    def forward(self, x):
        """``x @ (weight * mask).T + bias``."""
        return nn.functional.linear(x, self.layer.weight * self.mask, self.layer.bias)


class AutoregressiveModule(nn.Module):
    """A MADE network with a mixture of Gaussians per number and a softmax per block.

    A batch is one tensor: the encoded row, followed by ``n_classes`` one-hot
    class columns for a conditional model. Calling the module returns the
    parameters of every column's distribution given the columns before it:
    first, per number, ``n_mixture_components`` logits, means and log
    standard deviations; then the logits of each one-hot block.

    Parameters
    ----------
    n_features : int
        Width of the encoded row.

    n_numeric : int
        Number of leading numbers (normal scores).

    categorical_blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block, in matrix order.

    missing_slots : list of (int, int)
        ``(number, slot)`` pairs: where ``slot`` is 1 the number is missing.

    hidden_layer_sizes : tuple of int
        Widths of the hidden layers.

    activation : str, default="relu"
        Activation of the hidden layers, a key of ``skgen._layers.ACTIVATIONS``.

    dropout : float, default=0.0
        Dropout after each hidden layer, in training.

    n_classes : int, default=0
        Width of the one-hot class the model is conditioned on; 0 for none.

    n_mixture_components : int, default=5
        Gaussians in the mixture of each number.
    """

    # The float weights' shapes depend on ``categorical_blocks``, and the module
    # reads no tensor values when built: the load checks may build it on the
    # meta device with its blocks (see skgen._load_checks._expected_state).
    blocks_shape_weights = True

    def __init__(
        self,
        n_features,
        n_numeric,
        categorical_blocks,
        missing_slots,
        hidden_layer_sizes,
        activation="relu",
        dropout=0.0,
        n_classes=0,
        n_mixture_components=5,
    ):
        super().__init__()
        self.n_features = n_features
        self.n_numeric = n_numeric
        self.n_classes = n_classes
        self.n_mixture_components = n_mixture_components
        blocks = [tuple(block) for block in categorical_blocks]
        check_layout(n_features, n_numeric, blocks, missing_slots)
        self.blocks = blocks
        self.missing_of = {int(number): int(slot) for number, slot in missing_slots}
        self.n_groups = group_blocks(self, blocks)
        # The order: blocks in matrix order, then numbers; rank 0 is the class.
        rank_of_input = torch.zeros(n_features + n_classes, dtype=torch.long)
        for rank, (start, stop) in enumerate(blocks, start=1):
            rank_of_input[start:stop] = rank
        number_ranks = torch.arange(n_numeric) + len(blocks) + 1
        rank_of_input[:n_numeric] = number_ranks
        n_units = len(blocks) + n_numeric
        k = n_mixture_components
        self.n_number_outputs = 3 * k * n_numeric
        rank_of_output = torch.cat(
            [number_ranks.repeat_interleave(3 * k)]
            + [
                torch.full((stop - start,), rank)
                for rank, (start, stop) in enumerate(blocks, start=1)
            ]
        ).long()
        make_activation = ACTIVATIONS[activation]
        layers = []
        previous = rank_of_input
        for width in hidden_layer_sizes:
            degree = hidden_degrees(width, n_units, n_classes)
            mask = degree[:, None] >= previous[None, :]
            layers += [MaskedLinear(mask), make_activation()]
            if dropout > 0:
                layers.append(Dropout(dropout))
            previous = degree
        self.hidden = nn.Sequential(*layers)
        self.head = MaskedLinear(rank_of_output[:, None] > previous[None, :])
        self.direct = MaskedLinear(rank_of_output[:, None] > rank_of_input[None, :])
        with torch.no_grad():
            # Start from independent columns: the direct path adds nothing yet.
            self.direct.layer.weight.zero_()
            self.direct.layer.bias.zero_()
        self.order = [("block", block) for block in blocks] + [
            ("number", j) for j in range(n_numeric)
        ]

    @torch.no_grad()
    def start_from_marginals(self, rows):
        """Set each block's output bias to the log of its categories' shares.

        Then every block starts at its marginal distribution, which a bias
        alone would take thousands of small steps to reach (a rare category,
        a share of missing values).
        """
        shift = self.block_shift
        for start, stop in self.blocks:
            shares = rows[:, start:stop].mean(dim=0).clamp(min=1e-4)
            bias = self.head.layer.bias[start + shift : stop + shift]
            bias.copy_(torch.log(shares / shares.sum()))

    def forward(self, batch):
        """Parameters of each column's distribution given the columns before it."""
        return self.head(self.hidden(batch)) + self.direct(batch)

    def number_parameters(self, output):
        """Mixture logits, means and log scales, each ``(n, n_numeric, k)``."""
        k = self.n_mixture_components
        numbers = output[:, : self.n_number_outputs].reshape(-1, self.n_numeric, 3, k)
        log_scale = numbers[:, :, 2].clamp(MIN_LOG_SCALE, MAX_LOG_SCALE)
        return numbers[:, :, 0], numbers[:, :, 1], log_scale

    def presence(self, x):
        """1 where a number of ``x`` is present, 0 where missing; ``None`` if never."""
        if not self.missing_of:
            return None
        present = torch.ones(len(x), self.n_numeric, dtype=x.dtype, device=x.device)
        for number, slot in self.missing_of.items():
            present[:, number] = 1.0 - x[:, slot]
        return present

    @property
    def block_shift(self):
        """Output column of a one-hot block's column, minus the row column.

        Blocks follow the numbers in the row, one after another, and follow
        the numbers' mixtures in the output in the same order.
        """
        return self.n_number_outputs - self.n_numeric

    def negative_log_likelihood(self, output, batch):
        """Each row's negative log-likelihood, numbers counted in normal scores."""
        x = batch[:, : self.n_features]
        loss = torch.zeros(len(x), dtype=output.dtype, device=output.device)
        if self.n_numeric:
            logits, means, log_scale = self.number_parameters(output)
            target = x[:, : self.n_numeric, None]
            z = (target - means) * torch.exp(-log_scale)
            log_p = torch.log_softmax(logits, dim=-1) - 0.5 * z * z - log_scale
            number_loss = HALF_LOG_TWO_PI - torch.logsumexp(log_p, dim=-1)
            presence = self.presence(x)
            if presence is not None:
                number_loss = number_loss * presence
            loss = loss + number_loss.sum(dim=1)
        shift = self.block_shift
        for i in range(self.n_groups):
            index = getattr(self, f"group{i}")
            log_p = torch.log_softmax(output[:, index + shift], dim=-1)
            loss = loss - (x[:, index] * log_p).sum(dim=(1, 2))
        return loss

    @torch.no_grad()
    def sample(self, condition, rng):
        """Draw encoded rows, column by column; ``condition`` is ``(n, n_classes)``.

        Draws come from ``rng`` (a CPU generator) whatever the device. A
        number whose missing indicator was drawn as missing is left at 0, as
        the table encoder writes it.
        """
        n = len(condition)
        device = condition.device
        x = torch.zeros(n, self.n_features, dtype=condition.dtype, device=device)
        batch = torch.cat([x, condition], dim=1)
        rows = torch.arange(n, device=device)
        k = self.n_mixture_components
        for kind, unit in self.order:
            output = self(batch)
            if kind == "block":
                start, stop = unit
                shift = self.block_shift
                logits = output[:, start + shift : stop + shift]
                probabilities = torch.softmax(logits.double(), dim=1)
                picks = torch.multinomial(probabilities.cpu(), 1, generator=rng)
                batch[rows, start + picks[:, 0].to(device)] = 1.0
                continue
            j = unit
            start = 3 * k * j
            params = output[:, start : start + 3 * k]
            logits, means = params[:, :k], params[:, k : 2 * k]
            log_scale = params[:, 2 * k :].clamp(MIN_LOG_SCALE, MAX_LOG_SCALE)
            weights = torch.softmax(logits.double(), dim=1).cpu()
            component = torch.multinomial(weights, 1, generator=rng).to(device)
            noise = torch.randn(n, 1, generator=rng).to(device, batch.dtype)
            value = (
                means.gather(1, component)
                + torch.exp(log_scale.gather(1, component)) * noise
            )
            slot = self.missing_of.get(j)
            if slot is not None:
                value = value * (1.0 - batch[:, slot : slot + 1])
            batch[:, j] = value[:, 0]
        return batch[:, : self.n_features]


class AutoregressiveNet(SkgenNet):
    """Net that trains an ``AutoregressiveModule`` on the rows' likelihood."""

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Start every categorical column at its training shares."""
        super().on_train_begin(net, X=X, y=y, **kwargs)
        rows = getattr(X, "X", None)
        if rows is not None and len(rows):
            self.module_.start_from_marginals(rows)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Return the mean negative log-likelihood of the batch ``X``."""
        return self.module_.negative_log_likelihood(y_pred, X).mean()

    def train_step_single(self, batch, **fit_params):
        """One step on the batch's negative log-likelihood."""
        self._set_training(True)
        Xi, _ = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, None, X=Xi, training=True)
        loss.backward()
        # A mixture component that narrows onto a few rows makes a spike of
        # gradient that throws Adam off for many epochs; clipping keeps the
        # step bounded.
        torch.nn.utils.clip_grad_norm_(self.module_.parameters(), MAX_GRADIENT_NORM)
        return {"loss": loss.detach(), "y_pred": y_pred}

    def divergence_advice(self):
        """What to try when the likelihood diverges."""
        return f"Try a lower learning rate (lr={self.lr:g} now)."
