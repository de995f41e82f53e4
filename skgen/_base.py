"""The base classes of skgen's estimators, where they meet scikit-learn.

:class:`SkgenEstimator` is the base of every public estimator (a fit that
fails cleanly, ``save``); :class:`NeuralEstimator` adds what the networks
share: the common parameters, the table in and out, training through
:func:`skgen._training.fit_net`, and batched inference. The roles a model
plays on top (transformer, generator, over-sampler) are the mixins of
:mod:`skgen._mixins`.
"""

import contextlib
import copy
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from skorch.callbacks import Callback, EarlyStopping
from skorch.utils import noop

from skgen._compat import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _fit_context,
    validate_data,
)
from skgen._dask import check_frame, fit_layout, is_dask_frame, stream_table
from skgen._persistence import save
from skgen._tabular import CHUNK_ROWS, TableEncoder, prepare_table
from skgen._torch import derive_seed, resolve_device, to_float32_tensor, torch_threads
from skgen._training import OPTIMIZERS, continue_net, fit_net, n_validation_rows
from skgen.exceptions import TrainingInterruptedWarning

# Fewest rows per inference batch (see ``_forward_in_batches``). On AVX-512 CPUs
# oneDNN multiplies up to 15 rows with other kernels than larger batches (seen
# on a Xeon with AMX: a 256 -> 3 layer differed for 1-10 rows); 16 rows made
# every row's result independent of its batch there and on AVX2 machines.
MIN_INFERENCE_ROWS = 16


class SkgenEstimator(BaseEstimator):
    """What every skgen estimator has: a fit that fails cleanly, and ``save``."""

    def _store_params(self, params):
        """Store each ``__init__`` argument under its own name, and nothing else.

        ``params`` is the ``locals()`` of ``__init__``, whose signature
        scikit-learn reads the parameter names from.
        """
        for name in self._get_param_names():
            setattr(self, name, params[name])

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
            depend on it. Also if a parameter that shapes the network
            (``n_components``, layer sizes, ``activation``, ...) was changed
            with ``set_params`` after fit (set it back or fit again), or if
            the weights are not finite: ``save`` writes only files that
            :func:`skgen.load` reads back.

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
        save(self, path)


class NeuralEstimator(SkgenEstimator):
    """Base of the estimators that train a network: parameters, tables, training.

    A subclass names its skorch net, torch module and criterion
    (``_net_class``, ``_module_class``, ``_criterion_class``), lists its own
    parameters in ``_parameter_constraints`` on top of these, and trains
    through :meth:`_train`.
    """

    _parameter_constraints: dict = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "numeric_scaling": [StrOptions({"quantile", "standard"}), None],
        "handle_missing": [StrOptions({"model", "error"})],
        "max_discrete_values": [Interval(Integral, 0, None, closed="left")],
        "numeric_output": [StrOptions({"observed", "raw"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "callbacks": [list, None],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # What save() writes of every net's estimator (skgen._persistence): its
    # fitted attributes and the arguments its net is rebuilt with. Each model
    # lists its own from these, so adding one is a deliberate format change.
    _saved_attributes = (
        "table_encoder_",
        "is_categorical_",
        "net_",
        "history_",
        "n_epochs_",
        "n_features_in_",
        "feature_names_in_",
    )
    _saved_net_arguments = ("lr", "max_epochs", "batch_size", "verbose")

    # Whether fit takes a Dask DataFrame and trains on it partition by
    # partition (the model's fit must then use encoded_rows for statistics).
    _streams_tables = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the model on ``X``, and on the classes ``y`` if it takes them.

        A GAN conditions on ``y`` when it is given (unlike other
        imbalanced-learn samplers, whose ``fit`` only checks its input, it
        trains the model, so that ``sample`` can be called); a VAE requires
        ``y`` with ``conditional=True`` and ignores it otherwise; the
        AutoEncoder ignores it. A fit that fails leaves the estimator
        unfitted.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training rows; a DataFrame may mix numeric, categorical and
            boolean columns.

        y : array-like of shape (n_samples,) or None, default=None
            Class labels, for a model conditioned on them.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        with self._unfitted_on_error():
            self._fit(X, y)
        self._warn_if_interrupted()
        return self

    def __sklearn_is_fitted__(self):
        """Fitted means a trained net is in place."""
        return hasattr(self, "net_")

    # Tables ------------------------------------------------------------------

    def _fit_table(self, X):
        """Validate ``X`` and fit ``table_encoder_``; return the float32 matrix.

        A DataFrame is taken column by column; anything else is validated as a
        2-D array whose dtype (object included) is kept for the encoder. A
        Dask DataFrame is described in one pass and returned as a
        :class:`~skgen._training.StreamedTable` of its partitions.
        """
        if is_dask_frame(X):
            if not self._streams_tables:
                raise TypeError(
                    f"{type(self).__name__} trains on a table in memory, and X "
                    "is a Dask DataFrame: pass X.compute() (or a sample of "
                    "it). AutoEncoder and VAE train on Dask DataFrames "
                    "partition by partition."
                )
            return self._fit_dask_table(X)
        X = self._validate_table(X, reset=True)
        self.table_encoder_ = self._new_table_encoder()
        Xt = self.table_encoder_.fit_transform(
            X, feature_names=getattr(self, "feature_names_in_", None)
        )
        self.is_categorical_ = self.table_encoder_.is_categorical_
        return Xt

    def _fit_dask_table(self, X):
        """:meth:`_fit_table` for a Dask DataFrame (see :mod:`skgen._dask`)."""
        X = check_frame(X)
        # The meta: an empty frame with the columns and dtypes.
        validate_data(self, X._meta, skip_check_array=True, reset=True)
        self.table_encoder_ = self._new_table_encoder()
        sample, n_rows = fit_layout(
            self.table_encoder_,
            X,
            seed=derive_seed(self.random_state),
            feature_names=getattr(self, "feature_names_in_", None),
            verbose=self.verbose,
        )
        self.is_categorical_ = self.table_encoder_.is_categorical_
        return stream_table(
            self.table_encoder_, X, sample=sample, n_rows=n_rows, verbose=self.verbose
        )

    def _new_table_encoder(self):
        """An unfitted table encoder with the estimator's parameters."""
        return TableEncoder(
            categorical_features=self.categorical_features,
            handle_unknown=getattr(self, "handle_unknown", "error"),
            numeric_scaling=self.numeric_scaling,
            handle_missing=self.handle_missing,
            max_discrete_values=self.max_discrete_values,
            numeric_output=self.numeric_output,
        )

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

    # Training ----------------------------------------------------------------

    def _layer_sizes(self, name="hidden_layer_sizes"):
        """Return a layer-sizes parameter as a tuple of positive ints."""
        sizes = getattr(self, name)
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                f"{name} must be positive integers, got {getattr(self, name)!r}."
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

    def _n_training_rows(self, n_samples, min_valid_rows=1):
        """Rows left for training once ``validation_fraction`` is held out."""
        if self.validation_fraction is None:
            return n_samples
        n_valid = n_validation_rows(self.validation_fraction, n_samples, min_valid_rows)
        return n_samples - n_valid

    def _checked_callbacks(self):
        """The user's ``callbacks``: skorch callbacks or (name, callback) pairs."""
        callbacks = self.callbacks or []
        for i, item in enumerate(callbacks):
            callback = item
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                callback = item[1]
            is_class = isinstance(callback, type) and issubclass(callback, Callback)
            if not (is_class or isinstance(callback, Callback)):
                raise ValueError(
                    f"callbacks[{i}] is {type(item).__name__} {item!r:.60}; skgen "
                    "takes skorch callbacks (skorch.callbacks.Callback instances) "
                    "or (name, callback) pairs."
                )
        return callbacks

    def _monitor_callbacks(self, seed):
        """Early stopping on the validation loss, or the training loss without one.

        The best weights are kept when a validation split is watched.
        """
        if self.n_iter_no_change is None:
            return []
        validating = self.validation_fraction is not None
        early_stopping = EarlyStopping(
            monitor="valid_loss" if validating else "train_loss",
            patience=self.n_iter_no_change,
            threshold=self.tol,
            threshold_mode="rel",
            load_best=validating,
            # The progress report (verbose) says how training ended.
            sink=noop,
        )
        return [("early_stopping", early_stopping)]

    def _train(self, X, y=None, **net_kwargs):
        """Train ``net_`` on ``X`` (and per-row conditions ``y``) through ``fit_net``.

        The model's net, module and criterion are built with ``net_kwargs``,
        the common parameters (epochs, device, validation split, callbacks,
        verbosity) and a seed drawn from ``random_state``; sets ``net_``,
        ``history_`` and ``n_epochs_``.
        """
        seed = derive_seed(self.random_state)
        callbacks = [copy.deepcopy(cb) for cb in self._checked_callbacks()]
        # partial_fit's first call: one pass, no validation nor early stopping.
        one_pass = getattr(self, "_one_pass", False)
        if not one_pass:
            callbacks += self._monitor_callbacks(seed)
        self.net_ = fit_net(
            self._net_class,
            self._module_class,
            X,
            y,
            seed=seed,
            device=resolve_device(self.device),
            validation_fraction=None if one_pass else self.validation_fraction,
            criterion=self._criterion_class,
            callbacks=callbacks,
            max_epochs=self.max_epochs,
            verbose=self.verbose,
            epochs=1 if one_pass else None,
            **net_kwargs,
        )
        self._keep_history()

    def _partial_fit(self, X, y=None):
        """One pass over ``X``: the first fixes the layout and builds the net.

        Later passes encode ``X`` with the fitted layout (unseen categories
        follow ``handle_unknown``) and train the net further, with batches
        drawn from a seed of ``random_state`` and the epochs trained so far.
        """
        if not hasattr(self, "net_"):
            self._one_pass = True
            try:
                with self._unfitted_on_error():
                    self._fit(X, y)
            finally:
                del self._one_pass
        else:
            if is_dask_frame(X):
                X = check_frame(X)
                self._check_dask_columns(X)
                Xt = stream_table(
                    self.table_encoder_,
                    X,
                    sample=np.zeros((0, self.table_encoder_.n_encoded_)),
                    verbose=self.verbose,
                )
            else:
                X, _ = self._check_table(X)
                Xt = self.table_encoder_.transform(X)
            Xt, y = self._more_training_rows(Xt, y)
            entropy = [derive_seed(self.random_state), self.n_epochs_]
            seed = int(np.random.SeedSequence(entropy).generate_state(1)[0])
            self.net_ = continue_net(self.net_, Xt, y, seed=seed)
            self._keep_history()
        self._warn_if_interrupted()
        return self

    def _more_training_rows(self, Xt, y):
        """The rows (and conditions) a later ``partial_fit`` pass trains on."""
        return Xt, None

    def _check_dask_columns(self, X):
        """Check a Dask DataFrame's column names against the fitted ones."""
        validate_data(self, X._meta, skip_check_array=True, reset=False)

    def _keep_history(self):
        """Set ``history_`` and ``n_epochs_`` from ``net_``.

        After an interrupt the history lists the epochs completed, so
        ``n_epochs_`` counts those.
        """
        self.history_ = self.net_.history
        self.n_epochs_ = len(self.history_)

    def _warn_if_interrupted(self):
        """Warn the caller of ``fit`` if a ``KeyboardInterrupt`` cut training short."""
        if getattr(self.net_, "interrupted_", False):
            warnings.warn(
                f"Training of {type(self).__name__} was interrupted "
                f"(KeyboardInterrupt) after {self.n_epochs_} complete epochs of "
                f"max_epochs={self.max_epochs}. The model keeps the weights it "
                "had reached and may be undertrained; fit again to train it "
                "fully.",
                TrainingInterruptedWarning,
                # Past this method, fit and scikit-learn's _fit_context.
                stacklevel=4,
            )

    # Inference ---------------------------------------------------------------

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
            if n_samples <= CHUNK_ROWS:
                out = apply(X).cpu().numpy()
            else:
                out = np.empty((n_samples, n_outputs), dtype=np.float32)
                out_t = torch.from_numpy(out)
                for start in range(0, n_samples, CHUNK_ROWS):
                    stop = start + CHUNK_ROWS
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
        for start, Xt in encoder.transform_chunks(X, CHUNK_ROWS):
            stop = start + len(Xt)
            out[start:stop] = self._forward_in_batches(function, Xt, n_outputs)
        return out

    def _decode_chunks(self, function, chunks, n_samples, **decode_params):
        """Decode ``n_samples`` rows through ``function`` and the table encoder.

        ``chunks`` yields the inputs of ``function`` (codes, noise) in blocks
        of at most ``CHUNK_ROWS`` rows; each block's output becomes
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
