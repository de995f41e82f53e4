"""What every model needs from torch: devices, seeds, threads, float32 tensors.

Nothing here knows about scikit-learn estimators or skorch. Seeding follows
one rule: a fit or a draw never changes the process's random state, nor reads
it, so fits in concurrent threads give what they give alone. Each draws from
private ``torch.Generator`` objects (called ``rng`` throughout skgen): a draw
passes its generator explicitly, and the code a fit runs (weight
initialisation, dropout, noise) finds the fit's generators through
:func:`active_rng`, set by :func:`private_rng`.
"""

import contextlib
import contextvars
import os
import signal
import threading
import warnings
from typing import NamedTuple

import numpy as np
import torch
from sklearn.utils import check_random_state

# The device types skgen trains on; torch knows others (mps, xpu, meta, ...)
# that skgen neither supports nor tests.
SUPPORTED_DEVICE_TYPES = ("cpu", "cuda")


def derive_seed(random_state):
    """Turn ``random_state`` into a torch seed without touching global RNG state.

    ``None`` draws fresh OS entropy instead of numpy's global generator, so a
    fit never advances the caller's random stream.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def make_rng(random_state):
    """A private CPU ``torch.Generator`` seeded from ``random_state``."""
    return torch.Generator().manual_seed(derive_seed(random_state))


def auto_device():
    """The device that ``device="auto"`` means: CUDA when available."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def available_devices():
    """Names of the devices skgen can train on in this process, ``"cpu"`` first."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names.append("cuda")
        names += [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    return names


def resolve_device(device):
    """Return the ``torch.device`` that ``device`` names; ``"auto"`` picks CUDA.

    Raises
    ------
    ValueError
        If ``device`` is not a torch device, is of a type skgen does not train
        on (``"mps"``, ``"xpu"``, ``"meta"``, ...), or is not on this machine.
        The message names the device and lists those that are available.
    """
    if device == "auto":
        return auto_device()
    available = ", ".join(repr(name) for name in available_devices())
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a valid torch device; available here: "
            f"{available}, or 'auto'."
        ) from exc
    if resolved.type not in SUPPORTED_DEVICE_TYPES:
        raise ValueError(
            f"device={device!r} is not supported: skgen trains on CPU and CUDA "
            f"devices only; available here: {available}, or 'auto'."
        )
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for but CUDA is not available; "
            f"available here: {available}. Use device='cpu' or device='auto'."
        )
    if resolved.type == "cuda" and resolved.index is not None:
        if resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} names CUDA device {resolved.index}, but this "
                f"machine has {torch.cuda.device_count()}; available here: "
                f"{available}."
            )
    return resolved


# Multiply-adds of one training step (batch rows x the net's weights) below
# which a fit trains on one thread. A second thread's gain on a quiet 2-core
# machine (AutoEncoder fits on 100 columns, torch 2.13): 1.00-1.06x up to
# 7 million, 1.03x at 15 (the default net, batches of 128), 1.18x at 29,
# 1.28-1.38x at 47-61, 1.6-2.0x from 160 million up.
ONE_THREAD_WORK = 40_000_000


def thread_count(work=None):
    """The intra-op threads torch should use for a task of ``work`` multiply-adds.

    ``OMP_NUM_THREADS``, when set, gives the count (joblib's process workers
    set it to their share of the cores; users who know better set it too).
    Otherwise a training step smaller than :data:`ONE_THREAD_WORK` gets one
    thread, and anything else torch's current count. Small nets gain little
    from a second thread on a quiet machine, and on a busy one torch's
    threads wait on each other at every operation: with one competing
    process on two cores, a digits AutoEncoder fit took 40 times longer on
    two threads than on one (``benchmarks/bench_training.py``).
    ``torch.set_num_threads`` caps the count.
    """
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    current = torch.get_num_threads()
    if work is not None and work < ONE_THREAD_WORK:
        return 1
    return current


@contextlib.contextmanager
def torch_threads(work=None):
    """Use :func:`thread_count`'s threads while torch works.

    joblib's process workers (``GridSearchCV(n_jobs=k)``) set
    ``OMP_NUM_THREADS`` to ``cpu_count // k``; torch reads it only when it
    starts, so a worker that imported torch earlier would keep every core and
    oversubscribe the machine. Reading it again here keeps ``k`` workers within
    the cores they share.

    The count is set, and restored, in the calling thread. With torch's
    OpenMP backend (its Linux and Windows builds) both torch's and MKL's
    thread counts are per thread, so fits in concurrent threads (joblib's
    threading backend) each keep their own count and do not see another's
    change or restore; a thread that starts later begins with the count last
    set. Backends with one process-wide pool share the count, which every fit
    reads from the same ``OMP_NUM_THREADS``.

    Parameters
    ----------
    work : int or None, default=None
        Multiply-adds of one training step; ``None`` for inference, which
        keeps torch's count.
    """
    before = torch.get_num_threads()
    wanted = thread_count(work)
    if wanted != before:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if wanted != before:
            torch.set_num_threads(before)


class _Generators(NamedTuple):
    """The private generators of a :func:`private_rng` block."""

    cpu: torch.Generator
    device: torch.Generator


# The generators of the private_rng block the current thread (or asyncio task)
# runs in. Each thread has its own value of a context variable, unlike a
# global, so concurrent fits cannot draw from each other's generators.
_ACTIVE_GENERATORS = contextvars.ContextVar("skgen_active_generators", default=None)


def _full_device(device):
    """``device`` with its index: ``"cuda"`` means the current CUDA device."""
    device = torch.device(device)
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", torch.cuda.current_device())
    return device


@contextlib.contextmanager
def private_rng(seed, device):
    """Run a block with private generators seeded with ``seed``; yield the CPU one.

    Inside the block :func:`active_rng` returns these generators: a CPU
    generator, which draws initial weights (see ``skgen._layers.make_mlp``),
    batch orders and validation splits, and for a CUDA ``device`` a generator
    on that device, for noise drawn on it (dropout, the models' input and
    latent noise). On the CPU both are the same generator. torch's global
    generators are neither read nor changed, so blocks in concurrent threads
    do not affect each other, and nothing of the generators outlives the
    block unless the caller keeps it.

    Parameters
    ----------
    seed : int
        Seed of the generators.

    device : torch.device
        The device the block trains on.

    Yields
    ------
    rng : torch.Generator
        The block's CPU generator.
    """
    rng = torch.Generator().manual_seed(seed)
    device = _full_device(device)
    device_rng = rng
    if device.type != "cpu":
        device_rng = torch.Generator(device=device).manual_seed(seed)
    token = _ACTIVE_GENERATORS.set(_Generators(rng, device_rng))
    try:
        yield rng
    finally:
        _ACTIVE_GENERATORS.reset(token)


def active_rng(device=None):
    """The private generator that draws on ``device`` in this block, if any.

    Parameters
    ----------
    device : torch.device, str or None, default=None
        Where the draw is made; ``None`` means the CPU.

    Returns
    -------
    rng : torch.Generator or None
        The generator of the :func:`private_rng` block the caller runs in
        that draws on ``device``; ``None`` outside such a block, where torch's
        functions fall back on torch's global generator, as they do for
        ``generator=None``.

    Raises
    ------
    RuntimeError
        If the block trains on another accelerator than ``device``: a draw
        there has no private generator and would use torch's global one.
    """
    generators = _ACTIVE_GENERATORS.get()
    if generators is None:
        return None
    device = torch.device("cpu" if device is None else device)
    if device.type == "cpu":
        return generators.cpu
    same_type = device.type == generators.device.device.type
    if same_type and _full_device(device) == generators.device.device:
        return generators.device
    raise RuntimeError(
        f"A draw on {device} inside a block with private generators for "
        f"{generators.device.device}."
    )


# Optimizer classes whose lazy imports complete_lazy_imports has run, with
# the device type they ran on.
_IMPORTS_DONE = set()


@contextlib.contextmanager
def deferred_sigint():
    """Hold SIGINT (Ctrl-C) back while the block runs; act on it at its end.

    In the main thread a temporary handler records the signal; the previous
    handler is put back when the block ends and, if a signal arrived, is
    called then (Python's default raises ``KeyboardInterrupt``; ``SIG_DFL``
    re-raises the signal). Python runs signal handlers in the main thread
    only, so in another thread, or when the previous handler was not set from
    Python, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:
        yield
        return
    received = []
    try:
        signal.signal(signal.SIGINT, lambda signum, frame: received.append(frame))
    except ValueError:
        # Not the main interpreter: it cannot set handlers, nor receive signals.
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous):
                previous(signal.SIGINT, received[-1])
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def complete_lazy_imports(optimizer_class, device):
    """Run the imports the first training step would start, safe from Ctrl-C.

    torch imports much of itself on first use: constructing a
    ``torch.optim`` optimizer imports ``torch._dynamo`` (and with it sympy:
    about 800 modules, a second or so) and its first ``step`` imports
    profiler modules. A ``KeyboardInterrupt`` that lands inside an
    import leaves half-built modules in ``sys.modules``, and every later fit
    in the process fails on them. This function steps a throwaway
    ``optimizer_class`` on ``device`` once per process (per class and device
    type) with SIGINT held back by :func:`deferred_sigint`, so the imports
    run whole; an interrupt that arrives meanwhile is raised when they are
    done, before training starts.

    Parameters
    ----------
    optimizer_class : type
        The ``torch.optim.Optimizer`` subclass the fit trains with.

    device : torch.device
        The device it trains on.
    """
    key = (optimizer_class, device.type)
    if key in _IMPORTS_DONE:
        return
    with deferred_sigint():
        try:
            _step_once(optimizer_class, device)
        except Exception:
            # A class that needs arguments to be built or stepped (LBFGS wants
            # a closure): the lazy imports are torch.optim.Optimizer's own, so
            # SGD runs them as well; the fit reports the class's errors itself.
            _step_once(torch.optim.SGD, device)
    _IMPORTS_DONE.add(key)


def _step_once(optimizer_class, device):
    """Build ``optimizer_class`` with its defaults on one zero parameter; step it."""
    parameter = torch.zeros(1, device=device, requires_grad=True)
    optimizer = optimizer_class([parameter])
    parameter.grad = torch.zeros_like(parameter)
    optimizer.step()
    optimizer.zero_grad()


def to_float32_tensor(X, device):
    """Return ``X`` as a float32 tensor on ``device``, sharing memory if it can."""
    if X.dtype != np.float32:
        with np.errstate(over="ignore"):
            X32 = X.astype(np.float32)
        if not np.isfinite(X32).all():
            raise ValueError(
                "Input contains values too large for float32 (above about "
                "3.4e38), which skgen uses for training."
            )
        X = X32
    X = np.ascontiguousarray(X)
    if not X.flags.writeable:
        # joblib hands workers read-only memory maps; torch warns about sharing
        # them, but skgen never writes to its input.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not writable.*")
            return torch.from_numpy(X).to(device)
    return torch.from_numpy(X).to(device)
