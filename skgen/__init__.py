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
"""

from skgen import exceptions, metrics
from skgen._autoencoder import AutoEncoder
from skgen._autoregressive import AutoregressiveGenerator
from skgen._gan import GAN
from skgen._persistence import load
from skgen._sampler import GenerativeOverSampler
from skgen._vae import VAE
from skgen._version import __version__

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
