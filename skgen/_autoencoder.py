"""The AutoEncoder transformer."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from skgen._base import NeuralEstimatorMixin
from skgen._modules import AutoEncoderModule
from skgen._nets import ReconstructionNet


class AutoEncoder(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    NeuralEstimatorMixin,
    BaseEstimator,
):
    """Autoencoder for nonlinear dimensionality reduction and feature learning.

    A multilayer-perceptron encoder maps each row to ``n_components`` codes and
    a mirrored decoder maps codes back, trained to minimise the mean squared
    reconstruction error. ``transform`` returns the codes, ``inverse_transform``
    the reconstructions, and ``score_samples`` each row's negative
    reconstruction error, which ranks unusual rows first.

    Inputs are used as given: standardise features (e.g. with
    :class:`~sklearn.preprocessing.StandardScaler`) when their scales differ.

    Parameters
    ----------
    n_components : int, default=2
        Number of codes (width of the latent layer), named as in
        :class:`~sklearn.decomposition.PCA` so one parameter grid serves both.

    hidden_layer_sizes : array-like of int or int, default=(256, 128)
        Widths of the encoder's hidden layers, from input to code; the decoder
        uses them in reverse.

    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh", \
            "sigmoid", "identity"}, default="relu"
        Activation after each hidden layer.

    dropout : float, default=0.0
        Dropout probability after each hidden activation, during training only.

    noise_std : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs during
        training, as a fraction of each feature's standard deviation: a
        denoising autoencoder when positive. ``transform`` never adds noise.

    max_epochs : int, default=200
        Maximum number of passes over the training rows.

    batch_size : int, default=128
        Rows per gradient step; capped at the number of training rows.

    lr : float, default=1e-3
        Learning rate.

    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        Optimizer used for training.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    validation_fraction : float or None, default=None
        Fraction of rows held out to monitor the validation loss for early
        stopping; the weights of the best validation epoch are kept. ``None``
        trains on all rows and monitors the training loss.

    n_iter_no_change : int or None, default=10
        Stop when the monitored loss has not improved by a relative ``tol``
        for this many epochs. ``None`` always trains for ``max_epochs``.

    tol : float, default=1e-4
        Relative improvement of the monitored loss that counts as progress.

    callbacks : list of skorch callbacks or None, default=None
        Extra :mod:`skorch.callbacks` (instances or ``(name, instance)``
        pairs) run during training. They are copied at fit; the fitted copies
        are in ``net_.callbacks_``.

    device : str, default="auto"
        Torch device to train and infer on: ``"cpu"``, ``"cuda"``,
        ``"cuda:1"``, ... ``"auto"`` uses CUDA when available.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order, dropout and noise. An int
        makes fits bit-identical on CPU. The global numpy and torch random
        states are never changed.

    verbose : int, default=0
        ``1`` prints a line of losses per epoch.

    Attributes
    ----------
    net_ : skgen._nets.ReconstructionNet
        The fitted skorch net; ``net_.module_`` is the torch module, which
        maps a float32 batch to its reconstruction.

    history_ : skorch.History
        Per-epoch records: ``history_[:, "train_loss"]``, and
        ``history_[:, "valid_loss"]`` when ``validation_fraction`` is set.

    n_epochs_ : int
        Number of epochs trained.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : Linear dimensionality reduction.
    sklearn.neural_network.BernoulliRBM : Feature learning for binary data.

    Notes
    -----
    Training runs in float32; ``transform`` and ``inverse_transform`` return
    the input's float dtype. Inside ``GridSearchCV(n_jobs=k)`` each worker
    uses its share of the CPU cores for torch (skgen follows the
    ``OMP_NUM_THREADS`` that joblib sets in its workers). On a machine whose
    cores are busy with other work, small networks train much faster on one
    thread: set ``OMP_NUM_THREADS=1``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import AutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> ae = AutoEncoder(n_components=8, max_epochs=20, random_state=0)
    >>> Z = ae.fit_transform(X)
    >>> Z.shape
    (1797, 8)
    >>> ae.inverse_transform(Z).shape
    (1797, 64)
    >>> bool(ae.score(X) < 0)
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "noise_std": [Interval(Real, 0, None, closed="left")],
        **NeuralEstimatorMixin._common_parameter_constraints,
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        noise_std=0.0,
        max_epochs=200,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        validation_fraction=None,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.noise_std = noise_std
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : AutoEncoder
            The fitted estimator.
        """
        with self._unfitted_on_error():
            return self._fit(X)

    def transform(self, X):
        """Encode ``X`` into its latent codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to encode.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Codes, in ``X``'s float dtype.
        """
        X = self._validate_input(X)
        encode = self.net_.module_.encode
        return self._forward_in_batches(encode, X, self.n_components)

    def inverse_transform(self, X):
        """Decode latent codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
            Reconstructed rows, in the codes' float dtype.
        """
        check_is_fitted(self)
        Z = self._validate_codes(X)
        decode = self.net_.module_.decode
        return self._forward_in_batches(decode, Z, self.n_features_in_)

    def score_samples(self, X):
        """Return each row's negative mean squared reconstruction error.

        Higher is more typical; the lowest scores flag anomalies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Negative mean over features of the squared reconstruction error.
        """
        X = self._validate_input(X)
        module = self.net_.module_

        def negative_error(batch):
            error = module.decode(module.encode(batch)) - batch
            return -(error * error).mean(dim=1, keepdim=True)

        return self._forward_in_batches(negative_error, X, 1)[:, 0]

    def score(self, X, y=None):
        """Return the negative mean squared reconstruction error of ``X``.

        Higher is better, so ``GridSearchCV(AutoEncoder())`` without labels
        selects the model that reconstructs held-out rows best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to reconstruct.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X), dtype=np.float64))

    def _fit(self, X):
        """Validate ``X``, build the module and train it."""
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        noise_scale = None
        if self.noise_std > 0:
            std = X.std(axis=0, dtype=np.float64)
            noise_scale = torch.as_tensor(self.noise_std * std, dtype=torch.float32)
        module_kwargs = {
            "n_features": X.shape[1],
            "n_components": self.n_components,
            "hidden_layer_sizes": self._hidden_layer_sizes(),
            "activation": self.activation,
            "dropout": self.dropout,
            "noise_scale": noise_scale,
        }
        self.net_ = self._fit_net(
            ReconstructionNet,
            AutoEncoderModule,
            module_kwargs,
            X,
            criterion=torch.nn.MSELoss,
        )
        self.history_ = self.net_.history
        self.n_epochs_ = len(self.history_)
        return self

    def _validate_input(self, X):
        """Check fitted state and that ``X`` matches the training features."""
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

    def _validate_codes(self, Z):
        """Check that ``Z`` is a finite 2-D array of ``n_components`` columns."""
        Z = check_array(Z, dtype=[np.float64, np.float32])
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {type(self).__name__} "
                f"expects {self.n_components} codes (n_components) as input "
                "to inverse_transform."
            )
        return Z

    @property
    def _n_features_out(self):
        """Number of codes, for ``get_feature_names_out``."""
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
