"""The roles skgen's estimators play on top of their base class.

Each mixin adds one role to a :class:`~skgen._base.NeuralEstimator`:
:class:`LatentTransformerMixin` (``transform`` to codes and back, ``score``),
:class:`GenerativeMixin` (the class labels a generator conditions on and the
one ``sample``) and :class:`TableOverSamplerMixin` (the resampled table of an
imbalanced-learn over-sampler).
"""

import functools
import math
import warnings
from numbers import Integral, Number, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array, check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from skgen._base import NeuralEstimator
from skgen._compat import Interval, StrOptions, _fit_context, validate_data
from skgen._layers import ACTIVATIONS
from skgen._tabular import CHUNK_ROWS, TableEncoder, prepare_table, row_chunks
from skgen._torch import make_rng
from skgen._training import OPTIMIZERS
from skgen.exceptions import GeneratedRowsWarning

# Seeds drawn for each class's resampled rows are below this bound (numpy's
# int32 range).
SEED_BOUND = 2**31 - 1


def check_labels(y):
    """Refuse class labels ``y`` with missing ones (NaN, ``None``, ``pd.NA``).

    They would otherwise fail deep in numpy or scikit-learn with a message
    that does not name ``y``. Labels may be 1-D or one-hot rows.
    """
    labels = y.to_numpy(dtype=object) if isinstance(y, pd.Series) else np.asarray(y)
    missing = np.asarray(pd.isna(labels))
    if missing.ndim > 1:
        missing = missing.any(axis=tuple(range(1, missing.ndim)))
    missing = np.flatnonzero(missing)
    if len(missing):
        raise ValueError(
            f"y holds {len(missing)} missing class labels (NaN, None or pd.NA), "
            f"the first in row {missing[0]}; every row needs a class: drop those "
            "rows or give them a class of their own."
        )


def check_n_samples(n_samples):
    """Refuse an ``n_samples`` that is not a positive int (``True`` included)."""
    is_int = isinstance(n_samples, Integral) and not isinstance(n_samples, bool)
    if not is_int or n_samples < 1:
        raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")


def _plain(label):
    """A numpy scalar label as the Python value it holds, for messages."""
    return label.item() if isinstance(label, np.generic) else label


class LatentTransformerMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """What estimators with an encoder share: ``transform``, ``score``, codes.

    The estimator is a :class:`NeuralEstimator` with ``n_components``, a
    fitted ``net_`` whose module has ``encode``, and ``score_samples``.
    Defining ``transform`` here, in a ``TransformerMixin`` subclass, lets
    scikit-learn wrap it for ``set_output``. Its parameters are those of an
    MLP encoder and decoder trained by a torch optimizer, on top of the
    common ones.
    """

    _parameter_constraints: dict = {
        **NeuralEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "features": [StrOptions({"codes", "all_layers"})],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    # Fitted attributes of every encoder-decoder (see _saved_attributes).
    _saved_latent_attributes = ("features_",)

    # Parameters added since files were first written, with the values that
    # keep what older files did (read by skgen._reader).
    _added_parameters = {"features": "codes"}

    # The net arguments of an MLP encoder-decoder trained on the table loss.
    _saved_net_arguments = NeuralEstimator._saved_net_arguments + (
        "optimizer__weight_decay",
        "criterion__n_numeric",
        "criterion__categorical_blocks",
        "criterion__missing_slots",
        "module__n_features",
        "module__n_components",
        "module__hidden_layer_sizes",
        "module__activation",
        "module__dropout",
    )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on one more chunk of rows: one pass over ``X``.

        For tables that come in pieces (files, a database cursor, the
        partitions of a Dask DataFrame), as scikit-learn's incremental
        estimators take them. The first call fixes the table's layout from
        ``X`` (its columns, their kinds, categories and scaling) and builds
        the network; each call then trains it for one pass over ``X``,
        keeping the weights and the optimizer's state between calls.
        Categories or missing values that the first chunk did not have
        follow ``handle_unknown``: by default they raise, so make the first
        chunk representative, or fit the layout on the whole table with
        :meth:`fit` of a Dask DataFrame. ``max_epochs``,
        ``validation_fraction`` and ``n_iter_no_change`` do not apply: the
        caller decides how many passes to make. Batches are drawn from a
        seed of ``random_state`` and the epochs trained so far, so the same
        calls in the same order give the same model.

        Parameters
        ----------
        X : {array-like, DataFrame, dask DataFrame} of shape (n_samples, n_features)
            Rows to train on, with the columns of the first call.

        y : array-like of shape (n_samples,) or None, default=None
            Class labels, for a conditional VAE (the first call sets
            ``classes_``); ignored otherwise.

        Returns
        -------
        self : object
            The estimator, trained one more pass.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skgen import AutoEncoder
        >>> X, _ = load_digits(return_X_y=True)
        >>> ae = AutoEncoder(n_components=4, random_state=0)
        >>> for start in range(0, len(X), 600):
        ...     ae = ae.partial_fit(X[start : start + 600] / 16)
        >>> ae.n_epochs_, ae.transform(X[:2] / 16).shape
        (3, (2, 4))
        """
        return self._partial_fit(X, y)

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
        module = self.net_.module_
        encode = module.encode_layers if self._all_layers else module.encode
        return self._forward_table(encode, X, self._n_features_out, dtype)

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        The codes are named by the lowercased class name and their index
        (``autoencoder0``, ``autoencoder1``, ...); with
        ``features="all_layers"`` the hidden units follow, named by their
        layer and index (``autoencoder_hidden0_0``, ...).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only used to validate feature names with the names seen in fit.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Transformed feature names.
        """
        names = super().get_feature_names_out(input_features)
        if not self._all_layers:
            return names
        prefix = type(self).__name__.lower()
        hidden = [
            f"{prefix}_hidden{layer}_{unit}"
            for layer, width in enumerate(self.net_.module__hidden_layer_sizes)
            for unit in range(width)
        ]
        return np.asarray([*names[: self._n_codes], *hidden], dtype=object)

    def inverse_transform(self, X):
        """Decode latent codes to rows (the most likely value of each column).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_original : DataFrame or ndarray of shape (n_samples, `n_features_in_`)
            Decoded rows. Fitted on a DataFrame: a DataFrame with its columns
            and dtypes (categories by the most likely one, integers rounded
            and clipped to the range seen in fit), indexed like ``X`` when
            ``X`` is a DataFrame. Fitted on an array: an array in the codes'
            float dtype, or of object dtype when categorical columns hold
            strings. A conditional VAE decodes each code under the class
            whose prior mean is nearest to it; use ``sample`` with ``y`` for
            rows of a class.
        """
        check_is_fitted(self)
        index = X.index if isinstance(X, pd.DataFrame) else None
        Z = self._decoder_input(self._validate_codes(X))
        return self._decode_chunks(
            self._decode_batch, row_chunks(Z), len(Z), index=index, float_dtype=Z.dtype
        )

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
        if Z.shape[1] != self._n_codes:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {type(self).__name__} "
                f"expects {self._n_codes} codes (n_components at fit) as input "
                "to inverse_transform."
            )
        return Z

    def _decoder_input(self, Z):
        """What the decoder takes for codes ``Z``: the codes themselves."""
        return Z

    def _decode_batch(self, batch):
        """Decoder output for a batch of decoder input."""
        return self.net_.module_.decode(batch)

    @property
    def _n_codes(self):
        """Number of codes the fitted net makes (``n_components`` at fit).

        Methods after fit read it, not ``n_components``, so that
        ``set_params`` changes nothing until the next fit.
        """
        return self.net_.module__n_components

    @property
    def _all_layers(self):
        """Whether ``transform`` adds the hidden layers (``features_``).

        Files saved before ``features`` existed have no ``features_``; they
        return codes.
        """
        return getattr(self, "features_", "codes") == "all_layers"

    @property
    def _n_features_out(self):
        """Width of ``transform``'s output, for ``get_feature_names_out``."""
        if self._all_layers:
            return self._n_codes + sum(self.net_.module__hidden_layer_sizes)
        return self._n_codes

    def _fit_table_net(self, Xt, category_weights=None, **module_kwargs):
        """Train the encoder-decoder on an encoded table (and one-hot classes).

        The module gets the encoded width, ``n_components``, the hidden
        layers, activation and dropout, and ``module_kwargs``; the criterion
        is the per-column :class:`~skgen._layers.TabularLoss` of
        ``table_encoder_``'s layout, its one-hot blocks weighed in training by
        ``category_weights`` (``None``: all 1).
        """
        encoder = self.table_encoder_
        weights = {}
        if category_weights is not None:
            weights = {"criterion__category_weights": category_weights}
        module_kwargs = {
            "n_features": encoder.n_encoded_,
            "n_components": self.n_components,
            "hidden_layer_sizes": self._layer_sizes(),
            "activation": self.activation,
            "dropout": self.dropout,
            **module_kwargs,
        }
        self._train(
            Xt,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            optimizer=self._optimizer_class(),
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            criterion__n_numeric=encoder.n_numeric_,
            criterion__categorical_blocks=encoder.categorical_blocks,
            criterion__missing_slots=encoder.missing_slots,
            **{f"module__{key}": value for key, value in module_kwargs.items()},
            **self._net_arguments(),
            **weights,
        )
        self.features_ = self.features

    def _net_arguments(self):
        """Arguments of the model's own net class, beyond skorch's."""
        return {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        # Missing numbers are modelled (handle_missing="model").
        tags.input_tags.allow_nan = True
        return tags


class GenerativeMixin:
    """What generators share: the class labels they condition on, and ``sample``.

    A fit calls :meth:`_fit_labels`, which sets ``classes_`` and
    ``class_prior_``; a model without classes has neither attribute.
    ``_refit_for_classes`` tells users how to get one that has them. A model
    draws rows through two hooks: :meth:`_latent_prior` (the width of its
    Gaussian input and, per class, its mean) and :meth:`_draw_rows` (encoded
    rows for a batch of that input).
    """

    _refit_for_classes = "fit it with fit(X, y) to sample given classes."

    # Fitted attributes of a model fitted with classes (see _saved_attributes).
    _saved_class_attributes = ("classes_", "class_prior_")

    def sample(self, n_samples=1, *, y=None, random_state=None):
        """Draw new rows from the model.

        A VAE decodes a draw from its prior (the class's prior for a
        conditional model) and adds its decoder's noise to the numbers; a
        GAN's generator maps Gaussian noise to a row; an
        AutoregressiveGenerator draws each column given the ones drawn before
        it. Every categorical column is drawn from the model's softmax over
        its categories, so it holds a category seen in fit, and the rows
        follow the model's distribution rather than its modes. The rows
        depend on ``n_samples`` and ``random_state`` together: the first rows
        of a larger sample may be other rows.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows.

        y : label, array-like of shape (n_samples,) or None, default=None
            Classes of the rows, for a model fitted with classes (a GAN or
            an AutoregressiveGenerator fitted with ``y``, a VAE with
            ``conditional=True``): one label
            for every row, or one per row. ``None`` draws the classes in
            proportion to the training rows.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws; an int gives the same rows every time.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, `n_features_in_`)
            New rows, a DataFrame with the training columns and dtypes when
            fitted on one.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skgen import GAN
        >>> X, y = load_iris(return_X_y=True, as_frame=True)
        >>> gan = GAN(max_epochs=10, random_state=0).fit(X, y)
        >>> gan.sample(2, y=[0, 2], random_state=0).columns.tolist()
        ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', \
'petal width (cm)']
        """
        check_is_fitted(self)
        check_n_samples(n_samples)
        rng = make_rng(random_state)
        labels = self._sample_labels(n_samples, y, rng)
        width, class_means = self._latent_prior()
        # Blocks and batches run in order, so the draws follow rng's stream.
        latent = self._gaussian_blocks(n_samples, width, labels, rng, class_means)
        draw = functools.partial(self._draw_rows, rng=rng)
        return self._decode_chunks(draw, latent, n_samples)

    def _fit_labels(self, y, n_samples):
        """Check the class labels; set ``classes_`` and return their codes."""
        check_labels(y)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        y = column_or_1d(y, warn=True)
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

    def _gaussian_blocks(self, n_samples, width, labels, rng, class_means=None):
        """Yield standard normal draws of ``width`` values per row, a block at a time.

        The draws never exist for all ``n_samples`` rows at once. With
        ``labels``, each row is followed by its one-hot class and shifted by
        its class's row of ``class_means`` when given.
        """
        for start in range(0, n_samples, CHUNK_ROWS):
            n_rows = min(CHUNK_ROWS, n_samples - start)
            Z = torch.randn(n_rows, width, generator=rng).numpy()
            if labels is None:
                yield Z
                continue
            condition = self._one_hot(labels[start : start + n_rows])
            if class_means is not None:
                Z = Z + condition @ class_means
            yield np.hstack([Z, condition])

    def _sample_labels(self, n_samples, y, rng):
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
            codes = torch.multinomial(prior, n_samples, True, generator=rng)
            return self.classes_[codes.numpy()]
        if isinstance(y, (str, bytes, Number, np.generic)):
            return np.full(n_samples, y)
        if isinstance(y, (set, frozenset, dict)) or np.ndim(y) == 0:
            raise ValueError(
                "y must be one class label or an array-like of labels, one per "
                f"row; got {type(y).__name__} {y!r}."
            )
        labels = column_or_1d(np.asarray(y))
        if len(labels) != n_samples:
            raise ValueError(
                f"y has {len(labels)} labels, but n_samples={n_samples} rows "
                "were asked for; pass one label or one per row."
            )
        return labels


class TableOverSamplerMixin:
    """Input checks, tags, the class filter and the resampled table of a sampler.

    Unlike imbalanced-learn's samplers, these leave ``X``'s values to the
    model's table encoder, which names any bad column, so a DataFrame keeps
    its dtypes, and the new rows come back in the same form as ``X``. Each
    class gets ``fill_fraction`` of the rows ``sampling_strategy`` asks for,
    the most class-like of ``filter_factor`` times as many drawn rows (see
    :mod:`skgen._filtering`).
    """

    _sampler_parameter_constraints: dict = {
        "filter_factor": [Interval(Real, 1, None, closed="left")],
        "fill_fraction": [Interval(Real, 0, 1, closed="both")],
    }

    # Parameters that files saved before them lack, and the values that keep
    # what those files did (see skgen._reader).
    _added_parameters = {"filter_factor": 1.0, "fill_fraction": 1.0}

    # Fitted attributes of every over-sampler (see _saved_attributes).
    _saved_sampler_attributes = (
        "sampling_strategy_",
        "generated_posterior_",
        "real_posterior_",
    )

    def fit_resample(self, X, y, **params):
        """Resample the dataset: ``X, y`` followed by the generated rows.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The rows to resample; a DataFrame keeps its columns and dtypes.

        y : array-like of shape (n_samples,)
            The class of each row; missing labels are refused.

        **params : dict
            Extra parameters for the sampler.

        Returns
        -------
        X_resampled : {ndarray, DataFrame} of shape (n_samples_new, n_features)
            ``X`` followed by the new rows, in the form of ``X``.

        y_resampled : ndarray of shape (n_samples_new,)
            The class of each row of ``X_resampled``.
        """
        # imbalanced-learn looks at the labels first, with errors that do not
        # name y when one is missing.
        check_labels(y)
        return super().fit_resample(X, y, **params)

    def _fit_resample(self, X, y):
        """Train for resampling; append the rows ``sampling_strategy_`` asks for."""
        with self._unfitted_on_error():
            self._fit(X, y, resampling=True)
        self._warn_if_interrupted()
        random_state = check_random_state(self.random_state)
        return self._append_samples(X, y, self.sample, random_state)

    def _check_X_y(self, X, y, accept_sparse=None):
        """Check ``y`` and the shape of ``X``; leave ``X``'s columns to the model."""
        # Imported here, so that the AutoEncoder and the VAE, which use this
        # module but not this method, do not import imbalanced-learn.
        from imblearn.utils import check_target_type

        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, skip_check_array=True, reset=True)
            y = column_or_1d(np.asarray(y))
        else:
            # Missing values are modelled, and the encoder names a column
            # with infinities.
            X, y = validate_data(
                self, X, y, reset=True, dtype=None, ensure_all_finite=False
            )
        check_consistent_length(X, y)
        return X, y, binarize_y

    def _append_samples(self, X, y, sample, random_state):
        """``X, y`` followed by the rows ``sampling_strategy_`` asks for.

        ``sampling_strategy_`` is first scaled by ``fill_fraction``. For each
        class, ``sample(n_draw, y=label, random_state=seed)`` draws
        ``filter_factor`` times the rows needed, with a seed from
        ``random_state`` (a ``RandomState``), and the judge keeps the most
        class-like of them; their mean posterior for their class is stored
        in ``generated_posterior_``, beside the real rows' out-of-fold one in
        ``real_posterior_``.
        """
        self.sampling_strategy_ = {
            label: int(round(n_samples * self.fill_fraction))
            for label, n_samples in self.sampling_strategy_.items()
        }
        self.generated_posterior_, self.real_posterior_ = {}, {}
        wanted = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        if not wanted:
            return X, y
        # Imported here: only resampling needs the forest, and importing
        # scikit-learn's ensembles would slow ``from skgen import AutoEncoder``.
        from skgen._filtering import ClassJudge, most_class_like

        classes, codes = np.unique(y, return_inverse=True)
        encode = self._judge_encoding(X)
        judge = ClassJudge(encode(X), codes.ravel(), random_state)
        real_posterior = judge.real_posterior()
        X_parts, y_parts = [X], [y]
        for label, n_samples in wanted.items():
            seed = random_state.randint(SEED_BOUND)
            n_draw = math.ceil(n_samples * self.filter_factor)
            rows = sample(n_draw, y=label, random_state=seed)
            code = int(np.searchsorted(classes, label))
            posterior = judge.posterior(encode(rows))
            keep = most_class_like(posterior[:, code], n_samples)
            rows = rows.iloc[keep] if isinstance(rows, pd.DataFrame) else rows[keep]
            mean_posterior = posterior[keep].mean(axis=0)
            self.generated_posterior_[label] = float(mean_posterior[code])
            self.real_posterior_[label] = float(real_posterior[code])
            self._warn_if_unlike(label, mean_posterior, classes, code)
            X_parts.append(rows)
            y_parts.append(np.full(n_samples, label, dtype=y.dtype))
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.vstack([np.asarray(part, dtype=X.dtype) for part in X_parts])
        return X_res, np.concatenate(y_parts)

    def _judge_encoding(self, X):
        """``rows -> encoded matrix`` for the judge: the fitted model's encoding.

        A generator without skgen's table encoder gets one fitted on ``X``.
        """
        model = getattr(self, "generator_", self)
        if hasattr(model, "table_encoder_") and hasattr(model, "_check_table"):
            return lambda rows: model.table_encoder_.transform(
                model._check_table(rows)[0]
            )
        encoder = TableEncoder(handle_unknown="ignore")
        encoder.fit_transform(prepare_table(X))
        return lambda rows: encoder.transform(prepare_table(rows))

    def _warn_if_unlike(self, label, mean_posterior, classes, code):
        """Warn when the kept rows of ``label`` look more like another class."""
        likeliest = int(np.argmax(mean_posterior))
        if likeliest == code:
            return
        real = self.real_posterior_[label]
        own, other = (_plain(value) for value in (label, classes[likeliest]))
        warnings.warn(
            f"The {self.sampling_strategy_[label]} generated rows of class "
            f"{own!r} look more like class {other!r} than like their own: a "
            "forest fitted on the real rows gives them a mean probability of "
            f"{mean_posterior[code]:.2f} for {own!r} and "
            f"{mean_posterior[likeliest]:.2f} for {other!r} (real rows of "
            f"{own!r}: {real:.2f} out of fold). They would add label noise: "
            "raise filter_factor, lower fill_fraction, or give the model more "
            "rows of the class.",
            GeneratedRowsWarning,
            # Up to the caller of fit_resample.
            stacklevel=8,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        # Missing numbers are modelled (handle_missing="model").
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
