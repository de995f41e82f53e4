"""How every skgen model trains: the skorch net base, its data path and one fit.

Each estimator builds a subclass of :class:`SkgenNet` in ``fit`` through
:func:`fit_net`, the one build-and-fit function of the package: rows are
split for validation when asked, the net trains on private random generators
(never torch's global ones, so fits in concurrent threads are reproducible)
with the process's share of threads, and the fitted net keeps nothing of the
training data. A model plugs in through skorch's hooks: its net class
(``train_step``, ``get_loss``, default callbacks), its module, an iterator
and callbacks.

skorch's default ``DataLoader`` collates every batch row by row and draws from
the global torch RNG even when it does not shuffle. :class:`WholeTensorDataset`
and :class:`SliceIterator` hold the whole tensor and slice it (after one
``randperm`` per epoch when shuffling), which removes both costs and keeps
batch order under the fit's own ``rng``.
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
from skorch.helper import predefined_split

from skgen._torch import (
    complete_lazy_imports,
    private_rng,
    to_float32_tensor,
    torch_threads,
)

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


# Data path ------------------------------------------------------------------


class WholeTensorDataset(torch.utils.data.Dataset):
    """Rows of one or more tensors that share their first dimension.

    Parameters
    ----------
    X : torch.Tensor
        Input rows.

    y : torch.Tensor or None, default=None
        Optional per-row targets or conditions.
    """

    def __init__(self, X, y=None):
        if y is not None and len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}.")
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.X[index], None if self.y is None else self.y[index]


class SliceIterator:
    """Iterate over a :class:`WholeTensorDataset` in batches by slicing its tensors.

    skorch builds it with ``iterator_train(dataset, batch_size=...,
    shuffle=..., rng=...)`` and loops over it once per epoch, so every new
    iteration draws a fresh permutation from ``rng``.

    Parameters
    ----------
    dataset : WholeTensorDataset
        The rows to iterate over.

    batch_size : int
        Rows per batch; the last batch may be smaller.

    shuffle : bool, default=False
        Whether to visit the rows in a new random order on every pass.

    rng : torch.Generator or None, default=None
        Source of the permutations when shuffling. ``None`` uses the global
        torch generator.
    """

    def __init__(self, dataset, batch_size, shuffle=False, rng=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = rng

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n_samples = len(X)
        order = None
        if self.shuffle:
            order = torch.randperm(n_samples, generator=self.rng).to(X.device)
        for start in range(0, n_samples, self.batch_size):
            stop = start + self.batch_size
            # Gathering per batch keeps the extra memory at one batch.
            index = slice(start, stop) if order is None else order[start:stop]
            yield X[index], None if y is None else y[index]


# Fewest batches per epoch of a BalancedIterator. A GAN needs on the order of
# a thousand updates whatever the table's size; with one batch per pass, as
# CTGAN counts, a table smaller than a batch got 300 updates from 300 epochs,
# and its generated rows lowered the accuracy of classifiers trained on them
# (wine, 13 rows: 0.80 vs 0.95 with 1,500 updates; an earlier protocol of
# benchmarks/bench_augmentation.py).
MIN_STEPS_PER_EPOCH = 5


class BalancedIterator:
    """Batches of a fixed size, each row drawn with its class's weight.

    Every pass yields ``max(MIN_STEPS_PER_EPOCH, n_samples // batch_size)``
    batches of exactly ``batch_size`` rows (for a GAN, a multiple of its
    discriminator's pack size), so a small table is seen several times per
    epoch. Without row weights the rows come in permutations (one after
    another); with weights
    they are drawn with replacement, so a rare class appears in batches as
    often as its weight says.

    Parameters
    ----------
    dataset : skgen._training.WholeTensorDataset
        Encoded rows and, for a conditional model, one-hot classes.

    batch_size : int
        Rows per batch.

    weights : torch.Tensor or None, default=None
        Sampling weight of each row; ``None`` for uniform permutations.

    rng : torch.Generator or None, default=None
        Source of the permutations and draws.
    """

    def __init__(self, dataset, batch_size, weights=None, rng=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.weights = weights
        self.rng = rng

    def __len__(self):
        return max(MIN_STEPS_PER_EPOCH, len(self.dataset) // self.batch_size)

    def _rows(self, n_rows):
        """Indices of the rows of one pass."""
        n_samples = len(self.dataset)
        if self.weights is not None:
            return torch.multinomial(
                self.weights, n_rows, replacement=True, generator=self.rng
            )
        n_perms = -(-n_rows // n_samples)
        perms = []
        for _ in range(n_perms):
            perms.append(torch.randperm(n_samples, generator=self.rng))
        return torch.cat(perms)[:n_rows]

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        rows = self._rows(len(self) * self.batch_size).to(X.device)
        for start in range(0, len(rows), self.batch_size):
            index = rows[start : start + self.batch_size]
            yield X[index], None if y is None else y[index]


def n_validation_rows(validation_fraction, n_samples, min_rows=1):
    """Number of rows a validation split of ``n_samples`` rows holds.

    Raises when the validation side would have fewer than ``min_rows`` rows
    or leave none for training.
    """
    n_valid = int(round(validation_fraction * n_samples))
    if n_valid < min_rows or n_valid >= n_samples:
        raise ValueError(
            f"validation_fraction={validation_fraction} leaves {n_valid} of "
            f"n_samples={n_samples} rows for validation; pass more rows or "
            "validation_fraction=None."
        )
    return n_valid


def validation_split(validation_fraction, n_samples, rng, device, min_rows=1):
    """Row indices ``(valid, train)`` of a random split, drawn from ``rng``."""
    n_valid = n_validation_rows(validation_fraction, n_samples, min_rows)
    order = torch.randperm(n_samples, generator=rng).to(device)
    return order[:n_valid], order[n_valid:]


# Net ------------------------------------------------------------------------


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


# The one build-and-fit -------------------------------------------------------


def fit_net(
    net_class,
    module_class,
    X,
    y=None,
    *,
    seed,
    device,
    batch_size,
    validation_fraction=None,
    min_valid_rows=1,
    row_weights=None,
    iterator_train=SliceIterator,
    **net_kwargs,
):
    """Build a skorch net and train it on the rows of ``X`` (and ``y``).

    Every skgen model trains through this function. ``X`` (and ``y``, per-row
    conditions) become float32 tensors on ``device`` once. With
    ``validation_fraction`` a random share of the rows is held out and given
    to the net as its validation set (``dataset_valid`` of the callbacks).
    The net is built and trained inside :func:`skgen._torch.private_rng`
    seeded with ``seed``: the validation split, the initial weights, the
    batches of ``iterator_train`` (given the private ``rng``, and with
    ``row_weights`` the weights of the training rows), dropout and every
    noise are drawn from generators of this fit alone, so torch's global
    generators are never read or changed, and fits in concurrent threads
    give what they give alone. The thread count follows ``OMP_NUM_THREADS``.
    ``net_kwargs`` go to ``net_class`` as they are (``module__*``,
    ``criterion``, ``callbacks``, ...).

    Before anything else, torch's lazy imports of a first fit run where
    Ctrl-C cannot cut them short (:func:`skgen._torch.complete_lazy_imports`).

    Returns the fitted net in evaluation mode, holding no reference to the
    training rows, its random generators or early stopping's copy of the
    best weights.
    """
    complete_lazy_imports(net_kwargs.get("optimizer", torch.optim.SGD), device)
    X = to_float32_tensor(X, device)
    y = None if y is None else to_float32_tensor(y, device)
    with torch_threads(), private_rng(seed, device) as rng:
        train_split = None
        if validation_fraction is not None:
            valid, train = validation_split(
                validation_fraction, len(X), rng, device, min_valid_rows
            )
            valid_data = WholeTensorDataset(X[valid], None if y is None else y[valid])
            train_split = predefined_split(valid_data)
            X, y = X[train], None if y is None else y[train]
            if row_weights is not None:
                row_weights = row_weights[train.cpu().numpy()]
        if row_weights is not None:
            net_kwargs["iterator_train__weights"] = torch.as_tensor(
                row_weights, dtype=torch.float64
            )
        net = net_class(
            module_class,
            batch_size=min(batch_size, len(X)),
            iterator_train=iterator_train,
            iterator_train__rng=rng,
            iterator_valid=SliceIterator,
            train_split=train_split,
            device=device,
            **net_kwargs,
        )
        net.fit(WholeTensorDataset(X, y))
    net.train_split = None
    for name in ("iterator_train__rng", "iterator_train__weights"):
        if hasattr(net, name):
            setattr(net, name, None)
    for _, callback in net.callbacks_:
        if isinstance(callback, EarlyStopping):
            callback.best_model_weights_ = None
    net.module_.eval()
    return net
