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

import inspect
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor

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


# Optimizers -------------------------------------------------------------------


# torch's Optimizer methods without their wrappers, unwrapped once.
_OPTIMIZER = torch.optim.Optimizer
_ADD_PARAM_GROUP = inspect.unwrap(_OPTIMIZER.add_param_group)
_ZERO_GRAD = inspect.unwrap(_OPTIMIZER.zero_grad)
_STATE_DICT = inspect.unwrap(_OPTIMIZER.state_dict)
_LOAD_STATE_DICT = inspect.unwrap(_OPTIMIZER.load_state_dict)


class EagerSteps:
    """torch's optimizer methods without their ``torch._dynamo`` wrappers.

    torch wraps ``Optimizer.add_param_group``, ``zero_grad``,
    ``state_dict``, ``load_state_dict`` and each optimizer's ``step`` so that
    ``torch.compile`` treats them right; the wrappers import
    ``torch._dynamo`` (with sympy, about 800 modules and a second on this
    machine) the first time a process builds or steps an optimizer. skgen
    trains eagerly, never compiled, so a mixin that calls the wrapped
    functions directly does the same arithmetic, bit for bit, without that
    import: a process's first fit, and each worker of a parallel search,
    start a second sooner. ``step`` keeps what its wrapper does outside
    compilation (gradients off unless the optimizer is differentiable), and
    torch still adds its profiler record and step hooks around it.

    Where torch leaves a method unwrapped (another torch version), the
    method is called as it is.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The torch optimizer this class steps like: the class after the mixin.
        mro = cls.__mro__
        cls._torch_step = staticmethod(
            inspect.unwrap(mro[mro.index(EagerSteps) + 1].step)
        )

    def add_param_group(self, param_group):
        _ADD_PARAM_GROUP(self, param_group)

    def zero_grad(self, set_to_none=True):
        _ZERO_GRAD(self, set_to_none)

    def state_dict(self):
        return _STATE_DICT(self)

    def load_state_dict(self, state_dict):
        _LOAD_STATE_DICT(self, state_dict)

    def step(self, closure=None):
        with torch.set_grad_enabled(self.defaults["differentiable"]):
            return self._torch_step(self, closure)


class EagerAdam(EagerSteps, torch.optim.Adam):
    """:class:`torch.optim.Adam` without the ``torch._dynamo`` import."""


class EagerAdamW(EagerSteps, torch.optim.AdamW):
    """:class:`torch.optim.AdamW` without the ``torch._dynamo`` import."""


class EagerSGD(EagerSteps, torch.optim.SGD):
    """:class:`torch.optim.SGD` without the ``torch._dynamo`` import."""


class EagerRMSprop(EagerSteps, torch.optim.RMSprop):
    """:class:`torch.optim.RMSprop` without the ``torch._dynamo`` import."""


_EAGER = {
    torch.optim.Adam: EagerAdam,
    torch.optim.AdamW: EagerAdamW,
    torch.optim.SGD: EagerSGD,
    torch.optim.RMSprop: EagerRMSprop,
}


# torch's optimizers with a fused step (one kernel per parameter for the
# whole update), on CPU and CUDA.
FUSED = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)


def fast_step_arguments(optimizer_class, given=()):
    """Arguments that make a torch optimizer step its tensors together.

    For the classes ``optimizer`` names, torch's fused step (Adam, AdamW,
    SGD: the whole update in one kernel per tensor) or ``foreach`` (RMSprop:
    one call per operation for all tensors), instead of torch's default on
    the CPU, a loop of small operations per tensor. ``foreach`` gives the
    loop's numbers; the fused kernel rounds differently in the last bits, as
    reproducibly, and made the default digits AutoEncoder fit 1.19 times as
    fast as ``foreach`` (median of 5 alternating fits, one thread). Nothing
    for an optimizer class of one's own, or when ``given`` (the arguments
    set already) chooses either.
    """
    if optimizer_class not in OPTIMIZERS.values() or {"fused", "foreach"} & set(given):
        return {}
    if optimizer_class in FUSED:
        return {"fused": True}
    return {"foreach": True}


def eager_optimizer(optimizer_class):
    """The class a net builds for ``optimizer_class``.

    torch's Adam, AdamW, SGD and RMSprop (the classes ``optimizer`` names)
    become their :class:`EagerSteps` subclasses; any other class is returned
    as it is.
    """
    return _EAGER.get(optimizer_class, optimizer_class)


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
        return self._batches(self.dataset.X, self.dataset.y)

    def _batches(self, X, y):
        """Batches of ``X`` (and ``y``), in a new order when shuffling."""
        n_samples = len(X)
        order = None
        if self.shuffle:
            order = torch.randperm(n_samples, generator=self.rng).to(X.device)
        for start in range(0, n_samples, self.batch_size):
            stop = start + self.batch_size
            # Gathering per batch keeps the extra memory at one batch.
            index = slice(start, stop) if order is None else order[start:stop]
            yield X[index], None if y is None else y[index]


class StreamedTable:
    """An encoded table that comes in chunks, for a fit that never holds it all.

    A streamed fit (a Dask DataFrame, see :mod:`skgen._dask`) trains on it
    through :class:`StreamIterator`; the models compute what they need of
    the encoded rows (spreads, category frequencies) from ``sample``.

    Parameters
    ----------
    load : callable
        ``load(i)`` returns chunk ``i`` as it is read (a DataFrame); it runs
        in a background thread while the previous chunk trains.

    encode : callable
        ``encode(chunk)`` turns a loaded chunk into an encoded float32 array;
        it runs when training reaches the chunk, so that only one chunk is
        held encoded (encoded rows of one-hot columns take more memory than
        the rows they encode).

    n_chunks, n_rows : int
        How many chunks, and rows in all.

    sample : ndarray
        Encoded rows drawn uniformly from the table.


    report : callable or None, default=None
        ``report(k, n_chunks, n_rows)``, called after the ``k``-th chunk of a
        pass (of ``n_rows`` rows) has trained: progress within long epochs.
    """

    def __init__(self, load, encode, n_chunks, n_rows, sample, report=None):
        self.load = load
        self.encode = encode
        self.report = report
        self.n_chunks = n_chunks
        self.n_rows = n_rows
        self.sample = sample

    def __len__(self):
        return self.n_rows


def encoded_rows(Xt):
    """Rows to compute statistics of an encoded table on: all, or a sample."""
    return Xt.sample if isinstance(Xt, StreamedTable) else Xt


class StreamDataset(torch.utils.data.Dataset):
    """A :class:`StreamedTable` as skorch's dataset, with the device it trains on."""

    def __init__(self, table, device):
        self.table = table
        self.device = device

    def __len__(self):
        return len(self.table)

    def __getitem__(self, index):
        raise TypeError("A streamed table is read in chunks, not row by row.")


class StreamIterator(SliceIterator):
    """Batches of a :class:`StreamDataset`, one chunk in memory at a time.

    Every pass visits the chunks in a new random order and each chunk's rows
    in a new random order (both from ``rng``), so an epoch sees every row
    once; the next chunk is loaded in a background thread while the current
    one trains, so one chunk is held encoded and at most two as they were
    read. The last batch of each chunk may be smaller.
    """

    def __iter__(self):
        table, device = self.dataset.table, self.dataset.device
        order = range(table.n_chunks)
        if self.shuffle:
            order = torch.randperm(table.n_chunks, generator=self.rng).tolist()
        with ThreadPoolExecutor(1, thread_name_prefix="skgen-chunks") as pool:
            pending = pool.submit(table.load, order[0])
            for k in range(len(order)):
                chunk = pending.result()
                if k + 1 < len(order):
                    pending = pool.submit(table.load, order[k + 1])
                X = to_float32_tensor(table.encode(chunk), device)
                del chunk
                yield from self._batches(X, None)
                if table.report is not None:
                    table.report(k + 1, len(order), len(X))
                del X


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


class EpochLoss(PassthroughScoring):
    """An epoch's mean loss in the history, from batches or from the lean loop.

    skorch's ``PassthroughScoring`` averages the losses the batches wrote to
    the history. When :class:`SkgenNet` trains with its lean loop, which
    writes no batches, the mean comes from the sums the loop kept
    (``net.epoch_losses_``); the history's epoch rows are the same either way.
    """

    def on_epoch_end(self, net, **kwargs):
        if not getattr(net, "lean_epochs_", False):
            return super().on_epoch_end(net, **kwargs)
        score = net.epoch_losses_.get(self.name)
        if score is None:
            return None
        is_best = self._is_best_score(score)
        if is_best:
            self.best_score_ = score
        net.history.record(self.name, score)
        if is_best is not None:
            net.history.record(self.name + "_best", bool(is_best))
        return None


# Callback hooks that run for every batch. A net none of whose callbacks does
# anything in them trains with SkgenNet's lean loop.
BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


def has_batch_hooks(obj, base):
    """Whether ``obj``'s class overrides any of ``base``'s :data:`BATCH_HOOKS`."""
    return any(
        getattr(type(obj), hook, None) is not getattr(base, hook)
        for hook in BATCH_HOOKS
    )


def wants_batches(callback):
    """Whether ``callback`` works per batch or reads the batches' history."""
    if isinstance(callback, PassthroughScoring) and not isinstance(callback, EpochLoss):
        return True
    return has_batch_hooks(callback, Callback)


# Progress -----------------------------------------------------------------

# Lines a progress report writes over a fit when its stream is not a terminal.
PROGRESS_LINES = 10


def is_terminal(stream):
    """Whether ``stream`` is an interactive terminal (colours and bars allowed)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _losses(row, keys):
    """The losses of a history row, as ``name value`` pairs."""
    return ", ".join(f"{key} {row[key]:.4g}" for key in keys if key in row)


class EpochProgress(Callback):
    """Progress over the epochs of a fit, and one line on how it ended.

    On a terminal, one tqdm bar counts the epochs, with the elapsed and
    remaining time and the latest losses. Elsewhere (a file, a pipe, a
    notebook's captured stream) it writes :data:`PROGRESS_LINES` plain lines,
    with no carriage returns or escape codes. When the fit ends it writes one
    line: the epochs trained and the seconds taken, and, when early stopping
    ended it, the epoch whose weights the model keeps; or that an interrupt
    cut it short.

    Parameters
    ----------
    keys : tuple of str
        The history's losses to show.

    epochs : bool, default=True
        Whether to show progress during training, or only the last line (when
        a table of the epochs is printed too).

    stream : file-like or None, default=None
        Where to write; ``None`` is ``sys.stderr`` at the start of training.
    """

    def __init__(self, keys=("train_loss", "valid_loss"), epochs=True, stream=None):
        self.keys = keys
        self.epochs = epochs
        self.stream = stream

    def on_train_begin(self, net, **kwargs):
        self.stream_ = self.stream if self.stream is not None else sys.stderr
        self.started_ = time.perf_counter()
        self.first_epoch_ = len(net.history)
        self.bar_ = None
        if self.epochs and is_terminal(self.stream_):
            from tqdm.auto import tqdm

            self.bar_ = tqdm(
                total=net.max_epochs,
                unit="epoch",
                file=self.stream_,
                leave=False,
                dynamic_ncols=True,
            )

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        done = len(net.history) - self.first_epoch_
        if self.bar_ is not None:
            self.bar_.set_postfix_str(_losses(row, self.keys), refresh=False)
            self.bar_.update(1)
            return
        if not self.epochs:
            return
        step = max(1, math.ceil(net.max_epochs / PROGRESS_LINES))
        if done == 1 or done % step == 0:
            elapsed = time.perf_counter() - self.started_
            left = elapsed / done * (net.max_epochs - done)
            self._write(
                f"epoch {done}/{net.max_epochs}, {elapsed:.1f} s, up to "
                f"{left:.0f} s more; {_losses(row, self.keys)}"
            )

    def on_train_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.close()
        done = len(net.history) - self.first_epoch_
        seconds = time.perf_counter() - self.started_
        if getattr(net, "interrupted_", False):
            self._write(
                f"interrupted after {done - 1} complete epochs ({seconds:.1f} s); "
                "the model keeps their weights"
            )
            return
        stopper = next(
            (cb for _, cb in net.callbacks_ if isinstance(cb, EarlyStopping)), None
        )
        if stopper is not None and stopper.misses_ >= stopper.patience:
            kept = (
                f"keeps the weights of epoch {stopper.best_epoch_}"
                if stopper.load_best and stopper.best_epoch_
                else "keeps the last weights"
            )
            self._write(
                f"stopped early after {done} of {net.max_epochs} epochs "
                f"({seconds:.1f} s): {stopper.monitor} did not improve for "
                f"{stopper.patience} epochs; the model {kept}"
            )
            return
        self._write(f"trained {done} epochs in {seconds:.1f} s")

    def _write(self, line):
        print(line, file=self.stream_, flush=True)


class EpochTable(PrintLog):
    """skorch's per-epoch table, coloured only on a terminal.

    ``mark_best=False`` drops skorch's highlighting of the best loss so far,
    which means nothing for losses that should not fall (a GAN's players).
    """

    def __init__(self, mark_best=True, **kwargs):
        super().__init__(**kwargs)
        self.mark_best = mark_best

    def format_row(self, row, key, color):
        if not (self.mark_best and is_terminal(sys.stdout)):
            row = {name: value for name, value in row.items() if name != key + "_best"}
        return super().format_row(row, key, color)


def verbose_callbacks(verbose, keys, mark_best=True):
    """Callbacks for ``verbose``: progress from 1, the epoch table from 2."""
    callbacks = []
    if verbose >= 1:
        callbacks.append(("progress", EpochProgress(keys, epochs=verbose == 1)))
    if verbose >= 2:
        # A GAN's history has a train_loss that means nothing for it.
        ignored = None if "train_loss" in keys else ["train_loss"]
        table = EpochTable(mark_best=mark_best, keys_ignored=ignored)
        callbacks.append(("print_log", table))
    return callbacks


class SkgenNet(NeuralNet):
    """``NeuralNet`` with lean default callbacks, a divergence guard and interrupts.

    skorch's ``PrintLog`` formats a table every epoch even when nothing is
    printed, so it is only added when ``verbose`` is set.

    A ``KeyboardInterrupt`` ends training and keeps the model, as in skorch;
    unless an early-stopping callback raised it (skorch's ``EarlyStopping``,
    or any callback raising :class:`StopTraining`), the net sets
    ``interrupted_`` and drops the epoch it cut short from the history, so
    that the history lists complete epochs only.

    When no callback works per batch (see :func:`wants_batches`), the net
    trains with a lean loop (``lean_epochs_``): each batch is one optimizer
    step and its losses are summed; the history gets one row per epoch, with
    the means :class:`EpochLoss` records, and no per-batch entries. skorch's
    loop, which notifies every callback three times per batch and writes
    each batch's loss and size to the history, runs otherwise. Both do the
    same arithmetic.
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
        self.lean_epochs_ = not has_batch_hooks(self, NeuralNet) and not any(
            wants_batches(callback) for _, callback in self.callbacks_
        )
        self.interrupted_ = False
        self.n_complete_epochs_ = len(self.history)
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except StopTraining:
            raise
        except KeyboardInterrupt:
            self.interrupted_ = True
            raise

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One pass over ``iterator``: skorch's, or the lean loop's.

        The lean loop keeps, per loss, the sum over batches of the loss times
        the batch's rows, and puts the means in ``epoch_losses_``; the
        batches' losses are summed as tensors on an accelerator, so that
        reading them does not wait for every step.
        """
        if not getattr(self, "lean_epochs_", False):
            super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
            return
        if iterator is None:
            return
        if training:
            self.epoch_losses_ = {}
        self.batch_loss_sums_ = {}
        n_batches = 0
        # The steps set the modules' mode every batch; nothing else runs
        # between them here, so once per pass does.
        self._set_training(training)
        self.pass_mode_ = training
        try:
            for batch in iterator:
                step = step_fn(batch, **fit_params)
                self.record_batch_loss(prefix + "_loss", step["loss"], len(batch[0]))
                n_batches += 1
        finally:
            self.pass_mode_ = None
        self.history.record(prefix + "_batch_count", n_batches)
        for name, (total, rows) in self.batch_loss_sums_.items():
            self.epoch_losses_[name] = float(total) / rows

    def _set_training(self, training=True):
        """Set the modules' mode, unless the lean loop's pass already did."""
        if getattr(self, "pass_mode_", None) is not training:
            super()._set_training(training)

    def record_batch_loss(self, name, loss, n_rows):
        """Record a batch's ``loss`` (a scalar tensor) over ``n_rows`` rows.

        skorch's loop writes it to the batch's history; the lean loop adds it
        to the epoch's sums.
        """
        if not getattr(self, "lean_epochs_", False):
            self.history.record_batch(name, loss.item())
            return
        loss = loss.detach()
        loss = loss.item() if loss.device.type == "cpu" else loss.double()
        total, rows = self.batch_loss_sums_.get(name, (0.0, 0))
        self.batch_loss_sums_[name] = (total + loss * n_rows, rows + n_rows)

    def train_step(self, batch, **fit_params):
        """skorch's step; in the lean loop, without notifying callbacks."""
        if not getattr(self, "lean_epochs_", False):
            return super().train_step(batch, **fit_params)
        step = {}

        def closure():
            self._zero_grad_optimizer()
            step.update(self.train_step_single(batch, **fit_params))
            return step["loss"]

        self._step_optimizer(closure)
        return step

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train as skorch does; after an interrupt keep complete epochs only.

        The cut-short epoch is dropped after the callbacks' ``on_train_end``,
        which may look at it (skorch's ``EarlyStopping`` does).
        """
        super().partial_fit(X, y, classes, **fit_params)
        if self.interrupted_:
            del self.history[self.n_complete_epochs_ :]
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        """The optimizer's arguments, with :func:`fast_step_arguments`."""
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        return args, {**fast_step_arguments(self.optimizer, kwargs), **kwargs}

    def initialize_optimizer(self, triggered_directly=None):
        """Build the optimizer as skorch does, from :func:`eager_optimizer`'s class."""
        named_parameters = self.get_all_learnable_params()
        args, kwargs = self.get_params_for_optimizer("optimizer", named_parameters)
        self.optimizer_ = eager_optimizer(self.optimizer)(*args, **kwargs)
        return self

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", EpochLoss(name="train_loss", on_train=True)),
            ("valid_loss", EpochLoss(name="valid_loss")),
            ("divergence_guard", DivergenceGuard()),
        ]
        return callbacks + verbose_callbacks(self.verbose, ("train_loss", "valid_loss"))

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
    epochs=None,
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
    give what they give alone. The thread count follows ``OMP_NUM_THREADS``,
    or the size of a training step (:func:`skgen._torch.thread_count`).
    ``net_kwargs`` go to ``net_class`` as they are (``module__*``,
    ``criterion``, ``callbacks``, ...).

    Before anything else, torch's lazy imports of a first fit run where
    Ctrl-C cannot cut them short (:func:`skgen._torch.complete_lazy_imports`).

    Returns the fitted net in evaluation mode, holding no reference to the
    training rows, its random generators or early stopping's copy of the
    best weights.
    """
    optimizer_class = net_kwargs.get("optimizer", torch.optim.SGD)
    complete_lazy_imports(eager_optimizer(optimizer_class), device)
    streamed = isinstance(X, StreamedTable)
    if streamed:
        if validation_fraction is not None or y is not None or row_weights is not None:
            raise ValueError(
                "A table that comes in chunks (a Dask DataFrame) trains without "
                "a validation split, classes or row weights; set "
                "validation_fraction=None (early stopping then watches the "
                "training loss)."
            )
        iterator_train = StreamIterator
    else:
        X = to_float32_tensor(X, device)
        y = None if y is None else to_float32_tensor(y, device)
    with private_rng(seed, device) as rng:
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
        batch_size = min(batch_size, len(X))
        net = net_class(
            module_class,
            batch_size=batch_size,
            iterator_train=iterator_train,
            iterator_train__rng=rng,
            iterator_valid=SliceIterator,
            train_split=train_split,
            device=device,
            **net_kwargs,
        )
        net.initialize()
        dataset = StreamDataset(X, device) if streamed else WholeTensorDataset(X, y)
        _train_net(net, dataset, batch_size, epochs)
    net.train_split = None
    return _release(net)


def continue_net(net, X, y=None, *, seed, epochs=1):
    """Train a fitted net of :func:`fit_net` on more rows, for ``epochs`` passes.

    What ``partial_fit`` does after its first call: the net keeps its
    weights, its optimizer's state and its history, and the batches (and
    any noise) of these passes come from private generators seeded with
    ``seed``. ``X`` is an encoded array or a :class:`StreamedTable`.
    """
    device = net.device
    with private_rng(seed, device) as rng:
        net.iterator_train__rng = rng
        if isinstance(X, StreamedTable):
            net.iterator_train = StreamIterator
            dataset = StreamDataset(X, device)
        else:
            net.iterator_train = SliceIterator
            X = to_float32_tensor(X, device)
            y = None if y is None else to_float32_tensor(y, device)
            dataset = WholeTensorDataset(X, y)
        _train_net(net, dataset, min(net.batch_size, len(X)), epochs)
    return _release(net)


def _train_net(net, dataset, batch_size, epochs):
    """Train an initialised net on ``dataset`` with the step's share of threads."""
    n_parameters = sum(p.numel() for p in net.module_.parameters())
    with torch_threads(batch_size * n_parameters):
        net.partial_fit(dataset, epochs=epochs)


def _release(net):
    """Drop the net's references to its generators, weights copies and data."""
    for name in ("iterator_train__rng", "iterator_train__weights"):
        if hasattr(net, name):
            setattr(net, name, None)
    for _, callback in net.callbacks_:
        if isinstance(callback, EarlyStopping):
            callback.best_model_weights_ = None
    net.module_.eval()
    return net
