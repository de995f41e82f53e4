"""What skgen's neural estimators share.

Common hyperparameters and their constraints, seeding that leaves the global
random state alone, device and thread selection, the float32 round trip, and
building and fitting the private skorch net.
"""

import contextlib
import copy
import os
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state, column_or_1d
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split

from skgen._data import SliceIterator, WholeTensorDataset
from skgen._modules import ACTIVATIONS, TabularLoss
from skgen._tabular import CHUNK_ROWS, TableEncoder, prepare_table

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

# Rows per forward pass at inference: large enough to amortise Python overhead,
# small enough that activations stay in cache-friendly tens of megabytes.
INFERENCE_BATCH_SIZE = 8192

# Fewest rows per inference batch (see ``_forward_in_batches``). On AVX-512 CPUs
# oneDNN multiplies up to 15 rows with other kernels than larger batches (seen
# on a Xeon with AMX: a 256 -> 3 layer differed for 1-10 rows); 16 rows made
# every row's result independent of its batch there and on AVX2 machines.
MIN_INFERENCE_ROWS = 16


def column_std(X):
    """Standard deviation of each column of a float32 matrix, in row chunks."""
    mean = X.mean(axis=0, dtype=np.float64)
    squares = np.zeros(X.shape[1])
    for start in range(0, len(X), CHUNK_ROWS):
        block = X[start : start + CHUNK_ROWS] - mean
        squares += np.einsum("ij,ij->j", block, block)
        # Freed before the next chunk's is made: one float64 chunk at a time.
        del block
    return np.sqrt(squares / len(X))


def row_chunks(X):
    """Yield ``X`` in inference batches of rows (one empty block if empty)."""
    for start in range(0, max(len(X), 1), INFERENCE_BATCH_SIZE):
        yield X[start : start + INFERENCE_BATCH_SIZE]


def validation_split(validation_fraction, n_samples, generator, device, min_rows=1):
    """Row indices ``(valid, train)`` of a random split, drawn from ``generator``.

    Raises when the validation side would have fewer than ``min_rows`` rows
    or leave none for training.
    """
    n_valid = int(round(validation_fraction * n_samples))
    if n_valid < min_rows or n_valid >= n_samples:
        raise ValueError(
            f"validation_fraction={validation_fraction} leaves {n_valid} of "
            f"{n_samples} rows for validation; pass more rows or "
            "validation_fraction=None."
        )
    order = torch.randperm(n_samples, generator=generator).to(device)
    return order[:n_valid], order[n_valid:]


def derive_seed(random_state):
    """Turn ``random_state`` into a torch seed without touching global RNG state.

    ``None`` draws fresh OS entropy instead of numpy's global generator, so a
    fit never advances the caller's random stream.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def resolve_device(device):
    """Return the ``torch.device`` that ``device`` names; ``"auto"`` picks CUDA."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
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


class TrainingInterruptedWarning(ConvergenceWarning):
    """Warns that a ``KeyboardInterrupt`` ended training before it was done.

    The fitted model keeps the weights it had reached and may be undertrained,
    as when an iterative scikit-learn estimator stops at ``max_iter``; hence a
    :class:`~sklearn.exceptions.ConvergenceWarning` (itself a
    ``UserWarning``), so that filters for that warning apply to this one too.
    An early stop is not an interrupt and does not warn.
    """


class SkgenEstimatorMixin:
    """What every skgen estimator has: a fit that fails cleanly, and ``save``."""

    @contextlib.contextmanager
    def _unfitted_on_error(self):
        """Leave the estimator unfitted, not half-fitted, when ``fit`` fails."""
        try:
            yield
        except BaseException:
            for name in [name for name in vars(self) if name.endswith("_")]:
                delattr(self, name)
            raise

    def save(self, path):
        """Save the estimator to one file, without pickle.

        The file is a zip archive that holds ``skgen.json`` (the parameters
        and the fitted state, such as the column layout, classes and
        training history) and ``weights.pt`` (the network weights, a torch
        ``state_dict``). :func:`skgen.load` reads it back without running any
        code from it, so it is safe to load files from others, unlike a
        pickle. Checksums of both parts are stored and checked at load.

        Parameters
        ----------
        path : str or path-like
            Where to write the file (replaced if it exists); for example
            ``"model.skgen"``.

        Raises
        ------
        ValueError
            If a parameter cannot be written as JSON: callback objects, a
            ``RandomState`` instance, an optimizer class that no string
            names, or a callable ``sampling_strategy``. Set it with
            ``set_params`` to a value that can (``callbacks=None``, an int
            ``random_state``, ...) before saving; the fitted model does not
            depend on it.

        See Also
        --------
        skgen.load : Load an estimator saved with this method.

        Notes
        -----
        ``history_`` keeps its per-epoch records, not the per-batch ones. The
        loaded ``net_`` is rebuilt for inference: its module, criterion and
        history are those saved, and it carries no training callbacks. Pickle
        and joblib work too, for trusted files.

        Examples
        --------
        >>> import os
        >>> import tempfile
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from skgen import AutoEncoder, load
        >>> X, _ = load_iris(return_X_y=True)
        >>> ae = AutoEncoder(max_epochs=5, random_state=0).fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "autoencoder.skgen")
        ...     ae.save(path)
        ...     loaded = load(path)
        >>> np.array_equal(loaded.transform(X), ae.transform(X))
        True
        """
        # skgen._persistence imports the estimators, which import this module.
        from skgen._persistence import save

        save(self, path)


class NeuralEstimatorMixin(SkgenEstimatorMixin):
    """Hyperparameters and training machinery shared by skgen's estimators.

    A subclass lists its own parameters in ``_parameter_constraints`` on top of
    :attr:`_common_parameter_constraints`, builds its torch module and calls
    :meth:`_fit_net`.
    """

    _common_parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [list, None],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "numeric_scaling": [StrOptions({"standard"}), None],
    }

    def __sklearn_is_fitted__(self):
        """Fitted means a trained net is in place."""
        return hasattr(self, "net_")

    def _fit_table(self, X):
        """Validate ``X`` and fit ``table_encoder_``; return the float32 matrix.

        A DataFrame is taken column by column; anything else is validated as a
        2-D array whose dtype (object included) is kept for the encoder.
        """
        X = self._validate_table(X, reset=True)
        self.table_encoder_ = TableEncoder(
            categorical_features=self.categorical_features,
            handle_unknown=getattr(self, "handle_unknown", "error"),
            numeric_scaling=self.numeric_scaling,
        )
        Xt = self.table_encoder_.fit_transform(
            X, feature_names=getattr(self, "feature_names_in_", None)
        )
        self.is_categorical_ = self.table_encoder_.is_categorical_
        return Xt

    def _check_table(self, X):
        """Check ``X`` against the fitted table; return it as the encoder takes it.

        Also returns the float dtype that results computed from ``X`` take:
        float32 for float32 input (every column of a frame), float64 otherwise.
        """
        X = self._validate_table(X, reset=False)
        dtypes = X.dtypes if isinstance(X, pd.DataFrame) else [X.dtype]
        dtype = np.float32 if all(d == np.float32 for d in dtypes) else np.float64
        return X, dtype

    def _validate_table(self, X, *, reset):
        """Check feature names and width; return ``X`` as the encoder takes it."""
        fitted_on_frame = reset or self.table_encoder_.is_frame_
        if isinstance(X, pd.DataFrame) and fitted_on_frame:
            validate_data(self, X, skip_check_array=True, reset=reset)
            return prepare_table(X)
        X = prepare_table(X)
        X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=reset)
        if not reset and fitted_on_frame:
            names = [spec.name for spec in self.table_encoder_.columns_]
            X = pd.DataFrame(X, columns=names)
        return X

    def _hidden_layer_sizes(self):
        """Return ``hidden_layer_sizes`` as a tuple of positive ints."""
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _optimizer_class(self):
        """Return the torch optimizer class that ``optimizer`` names."""
        if isinstance(self.optimizer, str):
            return OPTIMIZERS[self.optimizer]
        if not issubclass(self.optimizer, torch.optim.Optimizer):
            raise InvalidParameterError(
                "optimizer must be one of "
                f"{sorted(OPTIMIZERS)} or a torch.optim.Optimizer subclass, got "
                f"{self.optimizer!r}."
            )
        return self.optimizer

    def _training_callbacks(self, monitor):
        """Return copies of the user's callbacks plus early stopping, if asked."""
        callbacks = [copy.deepcopy(cb) for cb in self.callbacks or []]
        if self.n_iter_no_change is not None:
            early_stopping = EarlyStopping(
                monitor=monitor,
                patience=self.n_iter_no_change,
                threshold=self.tol,
                threshold_mode="rel",
                load_best=monitor == "valid_loss",
            )
            callbacks.append(("early_stopping", early_stopping))
        return callbacks

    def _fit_net(self, net_class, module_class, module_kwargs, X, **net_kwargs):
        """Build and train a skorch net on the float32 array ``X``.

        Rows are split for validation when ``validation_fraction`` is set; the
        whole fit runs on a private torch RNG seeded from ``random_state`` and
        with the process's share of threads. Returns the fitted net.
        """
        device = resolve_device(self.device)
        seed = derive_seed(self.random_state)
        Xt = to_float32_tensor(X, device)
        n_samples = len(Xt)
        with torch_threads(), private_rng(seed, device):
            generator = torch.Generator().manual_seed(seed)
            train_split = None
            if self.validation_fraction is not None:
                valid, train = validation_split(
                    self.validation_fraction, n_samples, generator, device
                )
                train_data = WholeTensorDataset(Xt[train])
                train_split = predefined_split(WholeTensorDataset(Xt[valid]))
            else:
                train_data = WholeTensorDataset(Xt)
            monitor = "valid_loss" if train_split is not None else "train_loss"
            net = net_class(
                module_class,
                optimizer=self._optimizer_class(),
                lr=self.lr,
                optimizer__weight_decay=self.weight_decay,
                max_epochs=self.max_epochs,
                batch_size=min(self.batch_size, len(train_data)),
                iterator_train=SliceIterator,
                iterator_train__shuffle=True,
                iterator_train__generator=generator,
                iterator_valid=SliceIterator,
                train_split=train_split,
                callbacks=self._training_callbacks(monitor),
                device=device,
                verbose=self.verbose,
                **{f"module__{key}": value for key, value in module_kwargs.items()},
                **net_kwargs,
            )
            net.fit(train_data)
        # The fitted net keeps no reference to the training data, generator or
        # early stopping's copy of the best weights.
        net.train_split = None
        net.iterator_train__generator = None
        for _, callback in net.callbacks_:
            if isinstance(callback, EarlyStopping):
                callback.best_model_weights_ = None
        net.module_.eval()
        return net

    def _fit_table_net(self, net_class, module_class, Xt, module_kwargs, **net_kwargs):
        """Train a net on an encoded table; set ``net_``, ``history_``, ``n_epochs_``.

        The module gets the encoded width, ``n_components`` and the hidden
        layers, activation and dropout on top of ``module_kwargs``; the
        criterion is the per-column :class:`~skgen._modules.TabularLoss` of
        ``table_encoder_``'s layout.
        """
        encoder = self.table_encoder_
        module_kwargs = {
            "n_features": encoder.n_encoded_,
            "n_components": self.n_components,
            "hidden_layer_sizes": self._hidden_layer_sizes(),
            "activation": self.activation,
            "dropout": self.dropout,
            **module_kwargs,
        }
        self.net_ = self._fit_net(
            net_class,
            module_class,
            module_kwargs,
            Xt,
            criterion=TabularLoss,
            criterion__n_numeric=encoder.n_numeric_,
            criterion__categorical_blocks=encoder.categorical_blocks,
            **net_kwargs,
        )
        self._keep_history()
        return self

    def _keep_history(self):
        """Set ``history_`` and ``n_epochs_`` from ``net_``; warn if interrupted.

        After an interrupt the history lists the epochs completed, so
        ``n_epochs_`` counts those.
        """
        self.history_ = self.net_.history
        self.n_epochs_ = len(self.history_)
        if getattr(self.net_, "interrupted_", False):
            warnings.warn(
                f"Training of {type(self).__name__} was interrupted "
                f"(KeyboardInterrupt) after {self.n_epochs_} complete epochs of "
                f"max_epochs={self.max_epochs}. The model keeps the weights it "
                "had reached and may be undertrained; fit again to train it "
                "fully.",
                TrainingInterruptedWarning,
                stacklevel=4,
            )

    def _forward_in_batches(self, function, X, n_outputs, dtype=None):
        """Apply ``function`` to float32 batches of ``X`` without gradients.

        Returns an array of shape ``(n_samples, n_outputs)`` in ``dtype``
        (default: ``X``'s float dtype); memory beyond the output stays at one
        batch.
        """
        device = self.net_.device
        module = self.net_.module_
        if module.training:
            module.eval()
        n_samples = X.shape[0]

        def apply(batch):
            batch = to_float32_tensor(batch, device)
            n_rows = len(batch)
            if n_rows >= MIN_INFERENCE_ROWS:
                return function(batch)
            # BLAS multiplies a few rows with other kernels, whose float32
            # rounding differs; padding keeps each row's result independent of
            # the batch it comes in (bit-identical on one thread).
            padding = batch[-1:].expand(MIN_INFERENCE_ROWS - n_rows, -1)
            return function(torch.cat([batch, padding]))[:n_rows]

        with torch_threads(), torch.inference_mode():
            if n_samples <= INFERENCE_BATCH_SIZE:
                out = apply(X).cpu().numpy()
            else:
                out = np.empty((n_samples, n_outputs), dtype=np.float32)
                out_t = torch.from_numpy(out)
                for start in range(0, n_samples, INFERENCE_BATCH_SIZE):
                    stop = start + INFERENCE_BATCH_SIZE
                    out_t[start:stop] = apply(X[start:stop])
        dtype = X.dtype if dtype is None else np.dtype(dtype)
        return out if dtype == np.float32 else out.astype(dtype)

    def _forward_table(self, function, X, n_outputs, dtype):
        """:meth:`_forward_in_batches` on a checked table, encoded chunk by chunk.

        ``X`` comes from :meth:`_check_table`; its encoded rows exist one
        inference batch at a time, so memory beyond the ``(n_samples,
        n_outputs)`` result in ``dtype`` does not grow with the rows.
        """
        out = np.empty((X.shape[0], n_outputs), dtype=dtype)
        encoder = self.table_encoder_
        for start, Xt in encoder.transform_chunks(X, INFERENCE_BATCH_SIZE):
            stop = start + len(Xt)
            out[start:stop] = self._forward_in_batches(function, Xt, n_outputs)
        return out

    def _decode_chunks(self, function, chunks, n_samples, **decode_params):
        """Decode ``n_samples`` rows through ``function`` and the table encoder.

        ``chunks`` yields the inputs of ``function`` (codes, noise) in blocks
        of at most ``INFERENCE_BATCH_SIZE`` rows; each block's output becomes
        table rows before the next block is made, so the encoded rows never
        exist all at once. ``decode_params`` go to
        :meth:`TableEncoder.inverse_transform_chunks`.
        """
        width = self.table_encoder_.n_encoded_
        encoded = (
            self._forward_in_batches(function, chunk, width, np.float32)
            for chunk in chunks
        )
        return self.table_encoder_.inverse_transform_chunks(
            encoded, n_samples, **decode_params
        )


class ClassConditionalMixin:
    """Class labels of a model conditioned on ``y``: checks, one-hot, draws.

    A fit calls :meth:`_fit_labels`, which sets ``classes_`` and
    ``class_prior_``; a model without classes has neither attribute.
    ``_refit_for_classes`` tells users how to get one that has them.
    """

    _refit_for_classes = "fit it with fit(X, y) to sample given classes."

    def _fit_labels(self, y, n_samples):
        """Check the class labels; set ``classes_`` and return their codes."""
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None), warn=True)
        check_classification_targets(y)
        if len(y) != n_samples:
            raise ValueError(f"X has {n_samples} rows but y has {len(y)} labels.")
        self.classes_, codes = np.unique(y, return_inverse=True)
        codes = codes.ravel()
        counts = np.bincount(codes)
        self.class_prior_ = counts / counts.sum()
        return codes

    def _forget_labels(self):
        """Drop ``classes_`` and ``class_prior_`` left by an earlier fit."""
        for name in ("classes_", "class_prior_"):
            if hasattr(self, name):
                delattr(self, name)

    def _one_hot(self, labels):
        """One-hot float32 rows of class labels (which must be known)."""
        labels = np.asarray(labels)
        codes = pd.Index(self.classes_).get_indexer(labels)
        if np.any(codes < 0):
            unknown = pd.unique(labels[codes < 0]).tolist()
            raise ValueError(
                f"y holds labels the model was not fitted on: {unknown}; known "
                f"classes are {self.classes_.tolist()}."
            )
        return np.eye(len(self.classes_), dtype=np.float32)[codes]

    def _gaussian_blocks(self, n_samples, width, labels, generator, class_means=None):
        """Yield standard normal draws of ``width`` values per row, a block at a time.

        The draws never exist for all ``n_samples`` rows at once. With
        ``labels``, each row is followed by its one-hot class and shifted by
        its class's row of ``class_means`` when given.
        """
        for start in range(0, n_samples, INFERENCE_BATCH_SIZE):
            n_rows = min(INFERENCE_BATCH_SIZE, n_samples - start)
            Z = torch.randn(n_rows, width, generator=generator).numpy()
            if labels is None:
                yield Z
                continue
            condition = self._one_hot(labels[start : start + n_rows])
            if class_means is not None:
                Z = Z + condition @ class_means
            yield np.hstack([Z, condition])

    def _sample_labels(self, n_samples, y, generator):
        """Class labels of the rows to sample, or ``None`` without classes.

        ``y=None`` draws the classes in proportion to the training rows; one
        label is repeated; otherwise there must be one label per row.
        """
        if not hasattr(self, "classes_"):
            if y is not None:
                raise ValueError(
                    f"y was given, but this {type(self).__name__} was fitted "
                    f"without classes; {self._refit_for_classes}"
                )
            return None
        if y is None:
            prior = torch.as_tensor(self.class_prior_, dtype=torch.float64)
            codes = torch.multinomial(prior, n_samples, True, generator=generator)
            return self.classes_[codes.numpy()]
        if np.ndim(y) == 0:
            return np.full(n_samples, y)
        labels = column_or_1d(np.asarray(y))
        if len(labels) != n_samples:
            raise ValueError(
                f"y has {len(labels)} labels, but n_samples={n_samples} rows "
                "were asked for; pass one label or one per row."
            )
        return labels


class LatentTransformerMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """What estimators with an encoder share: ``transform``, ``score``, codes.

    The estimator has ``n_components``, a fitted ``net_`` whose module has
    ``encode``, and ``score_samples``. Defining ``transform`` here, in a
    ``TransformerMixin`` subclass, lets scikit-learn wrap it for
    ``set_output``.
    """

    def transform(self, X):
        """Encode ``X`` into its latent codes.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to encode, with the columns seen in fit.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Codes (a VAE's posterior means): float32 for float32 input,
            float64 otherwise.
        """
        check_is_fitted(self)
        X, dtype = self._check_table(X)
        encode = self.net_.module_.encode
        return self._forward_table(encode, X, self.n_components, dtype)

    def score(self, X, y=None):
        """Return the mean of :meth:`score_samples` over ``X``.

        Higher is better, so ``GridSearchCV`` without labels selects the model
        that fits held-out rows best.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X), dtype=np.float64))

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
