"""What every model needs from torch: devices, seeds, threads, float32 tensors.

Nothing here knows about scikit-learn estimators or skorch. Seeding follows
one rule: a fit or a draw never changes the process's random state, so each
one runs on a fork of torch's generators, or on a private ``torch.Generator``
(called ``rng`` throughout skgen).
"""

import contextlib
import os
import warnings

import numpy as np
import torch
from sklearn.utils import check_random_state


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


def resolve_device(device):
    """Return the ``torch.device`` that ``device`` names; ``"auto"`` picks CUDA."""
    if device == "auto":
        return auto_device()
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device={device!r} is not a valid torch device.") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for but CUDA is not available; "
            "use device='cpu' or device='auto'."
        )
    return resolved


@contextlib.contextmanager
def torch_threads():
    """Use the thread count the process was given while torch works.

    joblib's process workers (``GridSearchCV(n_jobs=k)``) set
    ``OMP_NUM_THREADS`` to ``cpu_count // k``; torch reads it only when it
    starts, so a worker that imported torch earlier would keep every core and
    oversubscribe the machine. Reading it again here keeps ``k`` workers within
    the cores they share.
    """
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    before = torch.get_num_threads()
    wanted = int(wanted) if wanted.isdigit() and int(wanted) > 0 else before
    if wanted != before:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if wanted != before:
            torch.set_num_threads(before)


@contextlib.contextmanager
def private_rng(seed, device):
    """Seed the generators ``device`` uses inside a fork of their state.

    Only the CPU generator and, for a CUDA device, that device's generator are
    seeded, and both are restored on exit (``torch.manual_seed`` would reseed
    every GPU).
    """
    devices = []
    if device.type == "cuda":
        index = device.index
        devices = [torch.cuda.current_device() if index is None else index]
    with torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        for index in devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


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
