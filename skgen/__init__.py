"""skgen: neural generative models as scikit-learn estimators."""

from skgen import metrics
from skgen._autoencoder import AutoEncoder
from skgen._gan import GAN
from skgen._persistence import load
from skgen._sampler import GenerativeOverSampler
from skgen._vae import VAE

__version__ = "0.1.0.dev0"

__all__ = [
    "AutoEncoder",
    "GAN",
    "GenerativeOverSampler",
    "VAE",
    "load",
    "metrics",
    "__version__",
]
