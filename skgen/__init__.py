"""skgen: neural generative models as scikit-learn estimators.

How the package is built (docs/developers.rst has the whole picture):

- a model's scikit-learn API lives in ``_<model>.py`` (``_autoencoder.py``,
  ``_vae.py``, ``_gan.py``, ``_autoregressive.py``), its torch module, skorch
  net and loss in ``_<model>_nets.py``;
- what models share lives in ``_base.py`` and ``_mixins.py`` (how they meet
  scikit-learn), ``_training.py`` (how they train: one ``fit_net``),
  ``_layers.py`` (what their networks are built of), ``_tabular.py`` (tables
  in and out, through one codec per column kind in ``_codecs.py``) and
  ``_torch.py`` (devices, seeds, threads);
- ``_persistence.py`` saves and loads registered estimators and imports none;
  ``_compat.py`` holds the private scikit-learn names skgen uses.

Imports point from models to shared modules, never back, and no module
imports the package.

``import skgen`` imports none of these modules: each public name is imported
from its module on first use (PEP 562), so that ``from skgen import
AutoEncoder`` loads torch, skorch, scikit-learn and pandas but not the GAN,
imbalanced-learn or the metrics.
"""

import importlib
from typing import TYPE_CHECKING

from skgen._version import __version__

if TYPE_CHECKING:
    from skgen import exceptions, metrics
    from skgen._autoencoder import AutoEncoder
    from skgen._autoregressive import AutoregressiveGenerator
    from skgen._gan import GAN
    from skgen._persistence import load
    from skgen._sampler import GenerativeOverSampler
    from skgen._vae import VAE

__all__ = [
    "AutoEncoder",
    "AutoregressiveGenerator",
    "GAN",
    "GenerativeOverSampler",
    "VAE",
    "exceptions",
    "load",
    "metrics",
    "__version__",
]

# The module each lazy public name comes from; a submodule is its own value.
_ESTIMATOR_MODULES = {
    "AutoEncoder": "skgen._autoencoder",
    "AutoregressiveGenerator": "skgen._autoregressive",
    "GAN": "skgen._gan",
    "GenerativeOverSampler": "skgen._sampler",
    "VAE": "skgen._vae",
}
_MODULES = {
    **_ESTIMATOR_MODULES,
    "exceptions": "skgen.exceptions",
    "load": "skgen._persistence",
    "metrics": "skgen.metrics",
}


def __getattr__(name):
    """Import the public name ``name`` from its module, once."""
    if name not in _MODULES:
        raise AttributeError(f"module 'skgen' has no attribute {name!r}", name=name)
    try:
        if name in _ESTIMATOR_MODULES:
            # torch, skorch and scikit-learn first, through the estimators'
            # shared base: after imbalanced-learn (the over-samplers' first
            # import), torch's own import takes 0.3 s longer here, mostly in
            # torch.library inspecting the caller of each operator it registers.
            importlib.import_module("skgen._base")
        module = importlib.import_module(_MODULES[name])
    except AttributeError as exc:
        # ``from skgen import name`` would report it as "cannot import name",
        # without the error that broke the import.
        raise ImportError(f"importing {_MODULES[name]} failed: {exc}") from exc
    value = module if module.__name__ == f"skgen.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    """The module's names, the public ones not yet imported included."""
    return sorted({*globals(), *__all__})
