"""skgen: neural generative models as scikit-learn estimators."""

from skgen import metrics
from skgen._autoencoder import AutoEncoder

__version__ = "0.1.0.dev0"

__all__ = ["AutoEncoder", "metrics", "__version__"]
