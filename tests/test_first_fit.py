"""The first fit: no compiler imports, and Ctrl-C in imports breaks nothing.

torch's optimizers import ``torch._dynamo`` (with sympy: about 800 modules)
the first time a process builds or steps one. skgen's nets step torch's Adam,
AdamW, SGD and RMSprop without that import; an optimizer class of one's own
still pays it. A ``KeyboardInterrupt`` inside those imports used to leave
half-built modules behind, and every later fit of the process failed
(``AttributeError: module 'sympy' has no attribute 'core'``). Only a fresh
process has imports left to make or interrupt, so the tests run one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The module lookup of the first fit at which SIGINT is sent: deep inside
# torch's import of sympy with torch 2.13, where an interrupt used to break
# later fits; earlier lookups (mpmath) can leave nothing broken.
INTERRUPTED_LOOKUP = 200

SCRIPT = """
import json
import os
import signal
import sys
import warnings

import numpy as np
import torch

from skgen import AutoEncoder


class InterruptAtLookup:
    '''Send this process SIGINT at the n-th module lookup once armed.

    A finder first on sys.meta_path sees every import that is not already
    done; returning None leaves the import to the other finders.
    '''

    def __init__(self, n):
        self.n = n
        self.count = 0
        self.armed = False
        self.interrupted_at = None

    def find_spec(self, name, path=None, target=None):
        if self.armed:
            self.count += 1
            if self.count == self.n:
                self.armed = False
                self.interrupted_at = name
                os.kill(os.getpid(), signal.SIGINT)
        return None


class OwnAdam(torch.optim.Adam):
    '''An optimizer class of one's own: torch's wrappers and lazy imports.'''


def fit():
    X = np.random.default_rng(0).normal(size=(40, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        AutoEncoder(
            hidden_layer_sizes=(4,), optimizer=OwnAdam, max_epochs=2, random_state=0
        ).fit(X)


# A process started in the background by a shell without job control
# inherits SIGINT ignored; Python then installs no handler of its own.
signal.signal(signal.SIGINT, signal.default_int_handler)
finder = InterruptAtLookup(int(sys.argv[1]))
sys.meta_path.insert(0, finder)
finder.armed = True
try:
    fit()
    first = "completed"
except KeyboardInterrupt:
    first = "KeyboardInterrupt"
finder.armed = False
try:
    fit()
    second = "completed"
except Exception as exc:
    second = f"{type(exc).__name__}: {exc}"
print(json.dumps({
    "interrupted_at": finder.interrupted_at,
    "lookups": finder.count,
    "first": first,
    "second": second,
    "handler_restored": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
}))
"""


FIRST_FITS = """
import json
import sys

import numpy as np

from skgen import GAN, VAE, AutoEncoder, AutoregressiveGenerator

X = np.random.default_rng(0).normal(size=(40, 3))
y = np.arange(40) % 2
AutoEncoder(hidden_layer_sizes=(4,), max_epochs=2, random_state=0).fit(X)
VAE(hidden_layer_sizes=(4,), optimizer="sgd", max_epochs=2, random_state=0).fit(X)
GAN(max_epochs=1, random_state=0).fit(X, y)
AutoregressiveGenerator(max_epochs=1, random_state=0).fit(X)
print(json.dumps(sorted(
    name for name in ("torch._dynamo", "sympy") if name in sys.modules
)))
"""


def run_fresh_process(interrupted_lookup, script=SCRIPT):
    """Run ``script`` in a fresh interpreter; return what it reports."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(interrupted_lookup)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_interrupt_in_lazy_imports_leaves_later_fits_working():
    report = run_fresh_process(INTERRUPTED_LOOKUP)
    if report["interrupted_at"] is None:
        pytest.skip(
            f"the first fit looked up {report['lookups']} modules, fewer than "
            f"{INTERRUPTED_LOOKUP}: torch no longer imports much lazily"
        )
    # The interrupt reaches the caller once the imports are done, before
    # training starts, and the process stays usable.
    assert report["first"] == "KeyboardInterrupt", report
    assert report["second"] == "completed", report
    assert report["handler_restored"], report


def test_first_fits_import_no_compiler():
    """Every model's first fit steps its optimizers without ``torch._dynamo``."""
    assert run_fresh_process(0, FIRST_FITS) == []
