"""Mixed-type tables to float32 matrices and back.

:class:`TableEncoder` turns a DataFrame (or a 2-D array) with numeric, integer,
boolean and categorical columns into one float32 matrix: standardised numeric
columns first, then a one-hot block per categorical column. It records, per
column, what it needs to map decoder outputs back to a frame with the original
column names, order and dtypes. The estimators fit one in ``fit`` and keep it
as ``table_encoder_``; the blocks tell the loss which slice of the decoder's
output is a number and which is a softmax over categories.

The module is long because it holds one idea, the table codec: column kinds,
their statistics, encoding, decoding and the saved layout. As column kinds
are added (missing numbers, discrete numbers, dates) it is to become one
small codec per kind behind one interface, with :class:`TableEncoder`
orchestrating them.
"""

import warnings
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

# Kinds of column, named after what the decoded column holds.
NUMERIC = "numeric"
INTEGER = "integer"
BOOLEAN = "boolean"
CATEGORICAL = "categorical"

# A one-hot block this wide makes the input (and the decoder's head) large.
HIGH_CARDINALITY = 1000

# A categorical column with more categories than this share of its rows (and
# more than MIN_TEXT_CATEGORIES) is mostly unique values: an identifier or
# free text, which a model cannot learn as categories.
TEXT_LIKE_SHARE = 0.5
MIN_TEXT_CATEGORIES = 50

# Integers beyond this magnitude have no exact float64 (nor float32) value.
EXACT_FLOAT_INTEGERS = 2**53

# Rows per chunk wherever skgen works through a table a chunk at a time
# (statistics, encoding, decoding, network passes at inference): a few
# megabytes of a 100-column table, small enough that the allocator hands freed
# chunks back and activations stay in cache, large enough to amortise Python's
# overhead per chunk; decoding column by column was faster than with larger
# chunks.
CHUNK_ROWS = 8192


@dataclass
class ColumnSpec:
    """How one input column is encoded and decoded.

    ``categories`` is ``None`` for a column encoded as one standardised number
    and the array of known values for a one-hot encoded column; ``missing``
    says whether the block ends with one more slot for a missing value.
    """

    name: object
    kind: str
    dtype: object
    start: int
    stop: int
    mean: float = 0.0
    scale: float = 1.0
    min: float = -np.inf
    max: float = np.inf
    categories: np.ndarray | None = None
    missing: bool = False
    missing_value: object = None

    @property
    def one_hot(self):
        """Whether the column is encoded as a block of indicators."""
        return self.categories is not None

    @property
    def label(self):
        """The column as error messages name it."""
        return f"column {self.name!r}"


def _describe_values(values, limit=5):
    """Format up to ``limit`` values for an error message."""
    shown = ", ".join(repr(v) for v in values[:limit])
    more = len(values) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _column_family(name, dtype):
    """Return what a frame column's dtype makes it, or raise if unsupported.

    One of ``"float"``, ``"integer"``, ``"boolean"``, ``"category"`` and
    ``"object"`` (strings and Python objects).
    """
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_complex_dtype(dtype):
        raise ValueError(f"Complex data not supported (column {name!r}).")
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "object"
    raise TypeError(
        f"Column {name!r} has dtype {dtype}, which skgen cannot encode; convert "
        "it to numbers (e.g. a timestamp to seconds) or to strings first."
    )


def _array_column_families(X):
    """Return the family of each column of a 2-D array (see ``_column_family``).

    In an object array, a column holding any string is an ``"object"`` column
    and any other column is numeric.
    """
    n_features = X.shape[1]
    if X.dtype.kind in "mM":
        raise TypeError(
            f"X has dtype {X.dtype}, which skgen cannot encode; convert it to "
            "numbers (e.g. a timestamp to seconds) first."
        )
    if X.dtype.kind == "b":
        return ["boolean"] * n_features
    if X.dtype.kind in "US":
        return ["object"] * n_features
    if X.dtype.kind != "O":
        return ["float"] * n_features
    return [
        "object" if any(isinstance(v, str) for v in X[:, j]) else "float"
        for j in range(n_features)
    ]


def resolve_categorical_features(categorical_features, families, feature_names):
    """Return the boolean mask of categorical columns.

    Follows :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:
    ``"from_dtype"`` marks category, object, string and boolean columns,
    ``None`` marks none, and an array-like gives a boolean mask, integer
    indices or feature names.
    """
    n_features = len(families)
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):
        # Parameter validation admits only "from_dtype".
        categorical = {"category", "object", "boolean"}
        return np.array([family in categorical for family in families], dtype=bool)
    selection = np.asarray(categorical_features)
    mask = np.zeros(n_features, dtype=bool)
    if selection.size == 0:
        return mask
    if selection.ndim != 1:
        raise ValueError(
            "categorical_features must be 1-D (a mask, indices or names), got "
            f"shape {selection.shape}."
        )
    if selection.dtype.kind == "b":
        if selection.size != n_features:
            raise ValueError(
                "categorical_features as a boolean mask must have one entry per "
                f"feature ({n_features}), got {selection.size}."
            )
        return selection.copy()
    if selection.dtype.kind in "iu":
        bad = selection[(selection < 0) | (selection >= n_features)]
        if bad.size:
            raise ValueError(
                "categorical_features as integer indices must be in "
                f"[0, {n_features - 1}], got {_describe_values(bad.tolist())}."
            )
        mask[selection] = True
        return mask
    if selection.dtype.kind in "UO":
        if feature_names is None:
            raise ValueError(
                "categorical_features names columns, but X has no feature names; "
                "pass a DataFrame with string column names, integer indices or "
                "a boolean mask."
            )
        positions = {name: i for i, name in enumerate(feature_names)}
        unknown = [name for name in selection.tolist() if name not in positions]
        if unknown:
            raise ValueError(
                "categorical_features names columns that X does not have: "
                f"{_describe_values(unknown)}."
            )
        mask[[positions[name] for name in selection.tolist()]] = True
        return mask
    raise ValueError(
        "categorical_features must be 'from_dtype', None, a boolean mask, integer "
        f"indices or column names, got {categorical_features!r}."
    )


def _sorted_categories(values):
    """Sort category values; mixed types are ordered by type name first."""
    try:
        return np.sort(values)
    except TypeError:
        ordered = sorted(values.tolist(), key=lambda v: (type(v).__name__, v))
        out = np.empty(len(ordered), dtype=object)
        out[:] = ordered
        return out


def _float_column(values, label):
    """Return ``values`` as float64 (missing values as NaN), or raise naming them."""
    values = np.asarray(values)
    if values.dtype == object:
        missing = np.asarray(pd.isna(values))
        if missing.any():
            values = np.where(missing, np.nan, values)
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{label} holds values that are not numbers ({exc}); list it in "
            "categorical_features to encode it as categories."
        ) from exc


def _is_nan(value):
    """Whether ``value`` is a float NaN."""
    return isinstance(value, float) and np.isnan(value)


def _comparable(values, categories):
    """Return ``values`` in a dtype that compares by value with ``categories``.

    Numbers and booleans are compared as floats (so 1 finds ``True`` and
    ``2.0`` finds ``2``), in float32 when either side is float32 so that a
    float32 column finds the categories a float64 column had.
    """
    if values.dtype.kind in "biuf" and categories.dtype.kind in "biuf":
        return values.astype(_common_float(values, categories))
    return values


def _category_index(categories, values):
    """Index of ``categories`` to look ``values`` up in (see ``_comparable``)."""
    if values.dtype.kind in "biuf" and categories.dtype.kind in "biuf":
        index = pd.Index(categories.astype(_common_float(values, categories)))
        if index.is_unique:
            return index
    return pd.Index(categories)


def _common_float(values, categories):
    """float32 when either array is float32, float64 otherwise."""
    if np.float32 in (values.dtype, categories.dtype):
        return np.float32
    return np.float64


def _moments(chunks, n_columns):
    """Column mean, std, min and max of the float64 blocks ``chunks()`` yields.

    Columns whose magnitude passes 1e150 are divided by it first, so that the
    sums and squares stay finite for any finite float64 values.
    """
    low = np.full(n_columns, np.inf)
    high = np.full(n_columns, -np.inf)
    n_samples = 0
    for block in chunks():
        low = np.minimum(low, block.min(axis=0))
        high = np.maximum(high, block.max(axis=0))
        n_samples += len(block)
    bound = np.maximum(np.abs(low), np.abs(high))
    bound = np.where(bound > 1e150, bound, 1.0)
    total = np.zeros(n_columns)
    for block in chunks():
        total += (block / bound).sum(axis=0)
    scaled_mean = total / n_samples
    squares = np.zeros(n_columns)
    for block in chunks():
        deviation = block / bound
        deviation -= scaled_mean
        squares += np.einsum("ij,ij->j", deviation, deviation)
        # Freed before the next chunk's is made: one float64 chunk at a time.
        del deviation
    std = np.sqrt(squares / n_samples) * bound
    return scaled_mean * bound, std, low, high


def row_chunks(X):
    """Yield ``X`` in chunks of ``CHUNK_ROWS`` rows (one empty chunk if empty)."""
    for start in range(0, max(len(X), 1), CHUNK_ROWS):
        yield X[start : start + CHUNK_ROWS]


def _clip_overflow(values, spec):
    """Put decoded numbers that overflow the column's dtype back inside its range.

    A model fitted on numbers near the float limit can decode a value beyond
    it (an infinity, or a float64 too large for a float32 column); such a
    value becomes the fitted minimum or maximum (the dtype's limit when the
    range was not recorded, as in files saved before it was), in place, so
    that ``inverse_transform`` and ``sample`` never return an infinity. NaN
    is left alone.
    """
    dtype = getattr(spec.dtype, "numpy_dtype", spec.dtype)
    single = isinstance(dtype, np.dtype) and dtype == np.float32
    limit = np.finfo(np.float32 if single else np.float64).max
    with np.errstate(invalid="ignore"):
        beyond = np.abs(values) > limit
    if beyond.any():
        high = spec.max if np.isfinite(spec.max) else limit
        low = spec.min if np.isfinite(spec.min) else -limit
        values[beyond] = np.where(values[beyond] > 0, high, low)


def column_std(X):
    """Standard deviation of each column of a float matrix, in row chunks."""
    mean = X.mean(axis=0, dtype=np.float64)
    squares = np.zeros(X.shape[1])
    for start in range(0, len(X), CHUNK_ROWS):
        block = X[start : start + CHUNK_ROWS] - mean
        squares += np.einsum("ij,ij->j", block, block)
        # Freed before the next chunk's is made: one float64 chunk at a time.
        del block
    return np.sqrt(squares / len(X))


def _finite_columns(X):
    """Which columns of ``X`` hold only finite values, checked in row chunks.

    Bounds the boolean temporary to ``CHUNK_ROWS`` rows.
    """
    finite = np.ones(X.shape[1], dtype=bool)
    for start in range(0, X.shape[0], CHUNK_ROWS):
        finite &= np.isfinite(X[start : start + CHUNK_ROWS]).all(axis=0)
    return finite


def _join(parts):
    """Concatenate the decoded pieces of one column (arrays of one type)."""
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    return type(parts[0])._concat_same_type(parts)


def _raise_if_not_finite(columns):
    """Raise naming the numeric columns, as ``(spec, values)``, with NaN or inf."""
    empty = [
        spec.label for spec, values in columns if len(values) and np.isnan(values).all()
    ]
    if empty:
        raise ValueError(
            f"Input X has no values in the numeric {', '.join(empty)}: every "
            "value is missing. Drop the column."
        )
    nan = [spec.label for spec, values in columns if np.isnan(values).any()]
    if nan:
        raise ValueError(
            f"Input X contains NaN in the numeric {', '.join(nan)}. skgen does "
            "not impute numbers yet: fill them first (for a DataFrame, "
            "X.fillna(X.median(numeric_only=True)) keeps every column and dtype; "
            "for an array, sklearn.impute.SimpleImputer), or list the column in "
            "categorical_features to treat missing as a category."
        )
    infinite = [spec.label for spec, values in columns if np.isinf(values).any()]
    if infinite:
        raise ValueError(
            f"Input X contains infinity in the numeric {', '.join(infinite)}."
        )


def prepare_table(X, name="X"):
    """Check a DataFrame's shape, or turn a mixed list into an object array.

    Returns a non-empty DataFrame as it is, and anything else ready for
    ``check_array(dtype=None)``: numpy would turn the numbers of a list that
    mixes numbers and strings into strings, so such a list becomes an object
    array.
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(
                f"{name} is a DataFrame of shape {X.shape}; at least one row and "
                "one column are required."
            )
        return X
    if not hasattr(X, "dtype") and np.asarray(X).dtype.kind in "US":
        return np.asarray(X, dtype=object)
    return X


class TableEncoder:
    """Encode a mixed-type table as one float32 matrix and decode it back.

    Numeric, integer and non-categorical boolean columns become one
    standardised column each, placed first; each categorical column becomes a
    one-hot block over the categories seen in fit (the declared categories of
    a pandas ``category`` column), plus a final slot for a missing value when
    fit saw one. :meth:`inverse_transform` takes any matrix of that width (for
    example a decoder's output: numbers and per-block logits), decodes each
    block by argmax and returns the original columns with their dtypes.

    Parameters
    ----------
    categorical_features : "from_dtype", None, or array-like, default="from_dtype"
        Which columns are categorical; see
        :func:`resolve_categorical_features`.

    handle_unknown : {"error", "ignore"}, default="error"
        What :meth:`transform` does with a category, or a missing value, that
        fit did not see in a column: raise, or encode it as all zeros.

    numeric_scaling : {"standard"} or None, default="standard"
        ``"standard"`` centres each numeric column and divides it by its
        standard deviation (1 for a constant column); ``None`` keeps the
        values as they are.

    Attributes
    ----------
    columns_ : list of ColumnSpec
        One spec per input column, in input order.

    n_numeric_ : int
        Number of standardised columns, which come first in the matrix.

    n_encoded_ : int
        Width of the encoded matrix.

    is_categorical_ : ndarray of bool
        Which input columns are one-hot encoded.

    is_frame_ : bool
        Whether fit saw a DataFrame, so that the inverse returns one.
    """

    def __init__(
        self,
        categorical_features="from_dtype",
        handle_unknown="error",
        numeric_scaling="standard",
    ):
        self.categorical_features = categorical_features
        self.handle_unknown = handle_unknown
        self.numeric_scaling = numeric_scaling

    @property
    def categorical_blocks(self):
        """``(start, stop)`` of every one-hot block, in matrix order."""
        return [(c.start, c.stop) for c in self.columns_ if c.one_hot]

    def fit_transform(self, X, feature_names=None):
        """Fit on ``X`` and return its encoded float32 matrix."""
        return self._fit(X, feature_names)

    def transform(self, X):
        """Encode ``X`` (columns as in fit) as a float32 matrix."""
        n_samples = X.shape[0]
        out = np.zeros((n_samples, self.n_encoded_), dtype=np.float32)
        self._encode_numeric(X, out)
        row_offsets = np.arange(n_samples, dtype=np.int64) * self.n_encoded_
        for j, spec in enumerate(self.columns_):
            if spec.one_hot:
                codes = self._codes(self._column(X, j), spec)
                self._write_one_hot(out, row_offsets, spec, codes)
        return out

    def inverse_transform(self, Xt, *, index=None, float_dtype=np.float64):
        """Decode an encoded (or decoder-output) matrix back to the table.

        Parameters
        ----------
        Xt : ndarray of shape (n_samples, n_encoded_)
            Standardised numbers and, per categorical block, scores whose
            argmax is the decoded category (one-hot indicators or logits).

        index : pandas.Index or None, default=None
            Index of the returned frame when fit saw a DataFrame.

        float_dtype : dtype, default=np.float64
            dtype of an array result whose columns are all numbers.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            A frame with the fitted columns and dtypes when fit saw a
            DataFrame, an array otherwise.
        """
        chunks = (
            Xt[start : start + CHUNK_ROWS]
            for start in range(0, max(len(Xt), 1), CHUNK_ROWS)
        )
        return self.inverse_transform_chunks(
            chunks, len(Xt), index=index, float_dtype=float_dtype
        )

    def transform_chunks(self, X, chunk_rows=CHUNK_ROWS):
        """Yield ``(start, Xt)``: ``X`` encoded ``chunk_rows`` rows at a time.

        What :meth:`transform` returns, in pieces, for callers that consume
        the encoded rows as they come and so never hold all of them.
        """
        frame = isinstance(X, pd.DataFrame)
        for start in range(0, max(X.shape[0], 1), chunk_rows):
            stop = start + chunk_rows
            yield start, self.transform(X.iloc[start:stop] if frame else X[start:stop])

    def inverse_transform_chunks(
        self, chunks, n_samples, *, index=None, float_dtype=np.float64
    ):
        """Decode encoded rows that come in chunks, in row order, into one result.

        Takes what :meth:`inverse_transform` takes, as an iterable of row
        blocks of ``n_samples`` rows in all (for example decoder outputs made
        one block at a time), and returns what it returns. Memory beyond the
        result stays at about one block and its decoded columns.
        """
        if self.is_frame_:
            return self._decode_frame(chunks, n_samples, index)
        out = None
        start = 0
        for chunk in chunks:
            columns = [self._decode_column(chunk, spec) for spec in self.columns_]
            if out is None:
                dtype = self._stack_dtype(columns, float_dtype)
                out = np.empty((n_samples, len(columns)), dtype=dtype)
            for j, column in enumerate(columns):
                out[start : start + len(chunk), j] = column
            start += len(chunk)
        if start != n_samples:
            raise ValueError(f"Expected {n_samples} encoded rows, got {start}.")
        return out

    # Fitting ---------------------------------------------------------------

    def _fit(self, X, feature_names):
        """Build the column specs and return the encoded matrix."""
        self.is_frame_ = isinstance(X, pd.DataFrame)
        if self.is_frame_:
            families = [_column_family(name, dtype) for name, dtype in X.dtypes.items()]
            self.columns_index_ = X.columns
        else:
            families = _array_column_families(X)
            self.columns_index_ = None
        self.is_categorical_ = resolve_categorical_features(
            self.categorical_features, families, feature_names
        )
        names = list(X.columns) if self.is_frame_ else list(range(X.shape[1]))
        dtypes = list(X.dtypes) if self.is_frame_ else [X.dtype] * X.shape[1]
        self.columns_ = []
        for name, dtype, family, categorical in zip(
            names, dtypes, families, self.is_categorical_, strict=True
        ):
            if categorical:
                kind = BOOLEAN if family == "boolean" else CATEGORICAL
            elif family == "category":
                raise ValueError(
                    f"Column {name!r} has dtype category but is not in "
                    "categorical_features; list it there, or convert it to "
                    "numbers."
                )
            elif family == "boolean":
                kind = BOOLEAN
            elif family == "integer" and self.is_frame_:
                kind = INTEGER
            else:
                kind = NUMERIC
            self.columns_.append(ColumnSpec(name, kind, dtype, 0, 0))
        numeric = self._numeric_specs()
        for position, (_, spec) in enumerate(numeric):
            spec.start, spec.stop = position, position + 1
        self.n_numeric_ = len(numeric)

        n_samples = X.shape[0]
        self._fit_numeric(X)
        width = self.n_numeric_
        codes_by_column = {}
        for j in np.flatnonzero(self.is_categorical_):
            spec = self.columns_[j]
            codes_by_column[j] = self._fit_categories(self._column(X, j), spec)
            spec.start = width
            width = spec.stop = width + len(spec.categories) + spec.missing
        self.n_encoded_ = width
        self._warn_high_cardinality(n_samples)
        out = np.zeros((n_samples, width), dtype=np.float32)
        self._encode_numeric(X, out)
        row_offsets = np.arange(n_samples, dtype=np.int64) * width
        for j, codes in codes_by_column.items():
            self._write_one_hot(out, row_offsets, self.columns_[j], codes)
        return out

    def _column(self, X, j):
        """Return column ``j`` of ``X`` (a Series for a frame)."""
        return X.iloc[:, j] if self.is_frame_ else X[:, j]

    def _numeric_specs(self):
        """Return ``(input position, spec)`` of each standardised column."""
        return [
            (j, spec)
            for j, (spec, categorical) in enumerate(
                zip(self.columns_, self.is_categorical_, strict=True)
            )
            if not categorical
        ]

    def _fit_numeric(self, X):
        """Record mean, scale and (for integers and booleans) the seen range."""
        specs = self._numeric_specs()
        if not specs:
            return
        # Non-finite values show in the range; the statistics are then unused.
        with np.errstate(over="ignore", invalid="ignore"):
            if self.is_frame_:
                stats = [
                    _moments(lambda v=values: [v[:, None]], 1)
                    for values in self._frame_numbers(X, specs)
                ]
                mean, std, low, high = (
                    np.concatenate(column) for column in zip(*stats, strict=True)
                )
            else:

                def blocks():
                    return (block for _, block in self._array_numbers(X, specs))

                mean, std, low, high = _moments(blocks, len(specs))
        finite = np.isfinite(low) & np.isfinite(high)
        if not finite.all():
            self._raise_for_columns(X, [specs[i] for i in np.flatnonzero(~finite)])
        for (_, spec), m, s, lo, hi in zip(specs, mean, std, low, high, strict=True):
            if self.numeric_scaling == "standard":
                spec.mean = float(m)
                spec.scale = float(s) if s > 0 else 1.0
            spec.min, spec.max = float(lo), float(hi)
        self._warn_imprecise_integers([spec for _, spec in specs])

    def _numeric_block(self, block, specs):
        """Return array rows as float64, naming a column that holds no numbers."""
        if block.dtype == object:
            block = np.column_stack(
                [
                    _float_column(block[:, j], spec.label)
                    for j, (_, spec) in enumerate(specs)
                ]
            )
        return np.asarray(block, dtype=np.float64)

    def _frame_numbers(self, X, specs):
        """Yield each numeric column of a frame as float64."""
        for j, spec in specs:
            yield self._numeric_values(self._column(X, j), spec)

    def _array_numbers(self, X, specs):
        """Yield ``(start, rows)`` of an array's numeric columns, in row chunks.

        Float rows are yielded as they are; others are converted to float64.
        """
        columns = [j for j, _ in specs]
        all_columns = columns == list(range(X.shape[1]))
        for start in range(0, X.shape[0], CHUNK_ROWS):
            stop = start + CHUNK_ROWS
            block = X[start:stop] if all_columns else X[start:stop, columns]
            if block.dtype.kind != "f":
                block = self._numeric_block(block, specs)
            yield start, block

    def _raise_for_columns(self, X, specs):
        """Raise naming the numeric ``specs`` whose values are NaN or infinite."""
        if self.is_frame_:
            values = self._frame_numbers(X, specs)
        else:
            values = (self._numeric_block(X[:, [j]], [(j, s)]) for j, s in specs)
        _raise_if_not_finite(
            [(spec, v) for (_, spec), v in zip(specs, values, strict=True)]
        )

    def _numeric_values(self, column, spec):
        """Return one frame column as float64, naming it if it is not numeric."""
        dtype = column.dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(
                dtype
            ):
                values = column.to_numpy(dtype=np.float64, na_value=np.nan)
                if column.hasnans:
                    _raise_if_not_finite([(spec, values)])
                return values
            column = column.to_numpy(dtype=object)
        return _float_column(np.asarray(column), spec.label)

    def _fit_categories(self, column, spec):
        """Record the categories of one column and return its codes."""
        if self.is_frame_ and isinstance(spec.dtype, pd.CategoricalDtype):
            spec.categories = spec.dtype.categories.to_numpy()
            codes = column.cat.codes.to_numpy()
            missing = codes < 0
        elif spec.kind == BOOLEAN:
            spec.categories = np.array([False, True])
            if isinstance(column, pd.Series):
                values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                values = np.asarray(column, dtype=np.float64)
            missing = np.isnan(values)
            codes = np.where(missing, -1, values == 1).astype(np.int64)
        else:
            try:
                codes, uniques = pd.factorize(np.asarray(column), use_na_sentinel=True)
            except TypeError as exc:
                raise TypeError(
                    f"{spec.label} holds values that cannot be categories ({exc})."
                ) from exc
            spec.categories = _sorted_categories(np.asarray(uniques))
            rank = pd.Index(spec.categories).get_indexer(uniques)
            missing = codes < 0
            if len(rank):
                codes = np.where(missing, -1, rank[codes])
        spec.missing = bool(missing.any())
        if spec.missing:
            spec.missing_value = self._missing_value(column, spec, missing)
            codes = np.where(missing, len(spec.categories), codes)
        return codes

    @staticmethod
    def _missing_value(column, spec, missing):
        """The value a decoded missing entry takes in this column's dtype."""
        if isinstance(spec.dtype, pd.api.extensions.ExtensionDtype):
            return spec.dtype.na_value
        if spec.dtype == object:
            return np.asarray(column)[np.argmax(missing)]
        return np.nan

    def _warn_high_cardinality(self, n_samples):
        """Warn once about columns with very many categories.

        More than ``HIGH_CARDINALITY``, or more than ``TEXT_LIKE_SHARE`` of
        the rows (an identifier or free text), whichever comes first.
        """
        limit = min(
            HIGH_CARDINALITY, max(MIN_TEXT_CATEGORIES, TEXT_LIKE_SHARE * n_samples)
        )
        wide = [
            f"{spec.label} ({len(spec.categories)} categories)"
            for spec in self.columns_
            if spec.one_hot and len(spec.categories) > limit
        ]
        if wide:
            warnings.warn(
                f"High-cardinality categorical {', '.join(wide)} in {n_samples} "
                "rows: each category "
                f"becomes an input and an output of the network ({self.n_encoded_} "
                "in all), which slows training and needs many rows per category. "
                "A column whose values are mostly unique (an identifier, free "
                "text) cannot be learned as categories: drop it. Otherwise "
                "consider grouping rare categories or treating the column as "
                "numeric.",
                UserWarning,
                stacklevel=4,
            )

    @staticmethod
    def _warn_imprecise_integers(specs):
        """Warn about integer columns with values that float64 cannot hold exactly."""
        imprecise = [
            spec.label
            for spec in specs
            if spec.kind == INTEGER
            and max(abs(spec.min), abs(spec.max)) > EXACT_FLOAT_INTEGERS
        ]
        if imprecise:
            warnings.warn(
                f"The integer {', '.join(imprecise)} holds values beyond 2**53, "
                "which skgen models as floating-point numbers: decoded and "
                "generated values come back rounded (to multiples of 1,024 near "
                "2**62). Subtract an offset or store the column as a category "
                "to keep every digit.",
                UserWarning,
                stacklevel=5,
            )

    # Encoding --------------------------------------------------------------

    def _encode_numeric(self, X, out):
        """Write the standardised numeric columns into ``out[:, :n_numeric_]``.

        Checking the output catches NaN, infinity and values beyond float32
        in one pass; the errors then name the columns.
        """
        specs = self._numeric_specs()
        if not specs:
            return
        numbers = out[:, : len(specs)]
        with np.errstate(over="ignore", invalid="ignore"):
            self._write_numbers(X, specs, numbers, precise=False)
            if _finite_columns(numbers).all():
                return
            # Centring values beyond float32 overflowed: scale them in float64.
            self._write_numbers(X, specs, numbers, precise=True)
            finite = _finite_columns(numbers)
        if finite.all():
            return
        bad = [specs[i] for i in np.flatnonzero(~finite)]
        self._raise_for_columns(X, bad)
        labels = ", ".join(spec.label for _, spec in bad)
        raise ValueError(
            f"Input X has values too large for float32 once standardised in {labels}."
        )

    def _write_numbers(self, X, specs, numbers, precise):
        """Standardise the numeric columns of ``X`` into the float32 ``numbers``.

        The fast way centres in float64, rounds to float32 and scales there;
        the ``precise`` way also scales in float64, through a float64
        temporary of one column or one chunk of rows.
        """
        mean = np.array([spec.mean for _, spec in specs])
        inverse_scale = 1 / np.array([spec.scale for _, spec in specs])
        if not precise:
            inverse_scale = inverse_scale.astype(np.float32)

        def write(values, centre, factor, target):
            if precise:
                np.multiply(values - centre, factor, out=target, casting="same_kind")
            else:
                np.subtract(values, centre, out=target, casting="same_kind")
                target *= factor

        if self.is_frame_:
            for position, values in enumerate(self._frame_numbers(X, specs)):
                target = numbers[:, position]
                write(values, mean[position], inverse_scale[position], target)
            return
        for start, block in self._array_numbers(X, specs):
            write(block, mean, inverse_scale, numbers[start : start + len(block)])

    def _codes(self, column, spec):
        """Return the block position of each value; -1 encodes as all zeros."""
        n_categories = len(spec.categories)
        if self.is_frame_ and isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            missing = codes < 0
            if not column.dtype.categories.equals(pd.Index(spec.categories)):
                mapping = pd.Index(spec.categories).get_indexer(column.dtype.categories)
                # The appended -1 keeps a missing value's code at -1.
                codes = np.append(mapping, -1)[codes]
        else:
            values = np.asarray(column)
            if values.dtype == object or values.dtype.kind in "fc":
                missing = np.asarray(pd.isna(values))
            else:
                missing = np.zeros(len(values), dtype=bool)
            try:
                codes = _category_index(spec.categories, values).get_indexer(
                    _comparable(values, spec.categories)
                )
            except TypeError as exc:
                raise TypeError(
                    f"{spec.label} holds values that cannot be categories ({exc})."
                ) from exc
        codes = codes.astype(np.int64)
        if spec.missing:
            codes[missing] = n_categories
        unknown = codes < 0
        if unknown.any() and self.handle_unknown == "error":
            if (unknown == missing).all():
                problem = "missing values, but fit saw none there"
            else:
                values = np.asarray(column, dtype=object)[unknown & ~missing]
                unseen = _describe_values(list(pd.unique(values)))
                problem = f"unknown categories {unseen}: fit did not see them"
                if (unknown & missing).any():
                    problem += " (and missing values, which fit did not see either)"
            raise ValueError(
                f"Found {problem}, in {spec.label} during transform. Refit on data "
                "that has them, or pass handle_unknown='ignore' to encode them as "
                "all zeros."
            )
        return codes

    @staticmethod
    def _write_one_hot(out, row_offsets, spec, codes):
        """Set the indicator of each row's code in the block (none for -1)."""
        known = codes >= 0
        positions = row_offsets + spec.start + codes
        if not known.all():
            positions = positions[known]
        out.reshape(-1)[positions] = 1.0

    # Decoding --------------------------------------------------------------

    def _decode_column(self, Xt, spec):
        """Map one column's slice of ``Xt`` back to values of its dtype."""
        if not spec.one_hot:
            values = Xt[:, spec.start].astype(np.float64)
            with np.errstate(over="ignore"):
                values *= spec.scale
                values += spec.mean
            _clip_overflow(values, spec)
            if spec.kind in (INTEGER, BOOLEAN):
                np.rint(values, out=values)
                np.clip(values, spec.min, spec.max, out=values)
            if not self.is_frame_:
                return values
            if spec.kind == BOOLEAN:
                values = values.astype(bool)
            if isinstance(spec.dtype, pd.api.extensions.ExtensionDtype):
                return pd.array(values, dtype=spec.dtype)
            return values.astype(spec.dtype, copy=False)
        codes = Xt[:, spec.start : spec.stop].argmax(axis=1)
        n_categories = len(spec.categories)
        missing = codes == n_categories if spec.missing else None
        if self.is_frame_ and isinstance(spec.dtype, pd.CategoricalDtype):
            codes = np.where(missing, -1, codes) if spec.missing else codes
            return pd.Categorical.from_codes(codes, dtype=spec.dtype)
        if n_categories:
            values = spec.categories.take(np.minimum(codes, n_categories - 1))
        else:
            values = np.empty(len(codes), dtype=object)
        if spec.missing:
            if not (values.dtype.kind == "f" and _is_nan(spec.missing_value)):
                values = values.astype(object)
            values[missing] = spec.missing_value
        if not self.is_frame_:
            return values
        if isinstance(spec.dtype, pd.api.extensions.ExtensionDtype):
            return pd.array(values, dtype=spec.dtype)
        if spec.missing and spec.dtype.kind in "iub":
            # A missing value in a numpy int or bool column is impossible.
            return values
        return values.astype(spec.dtype, copy=False)

    def _decode_frame(self, chunks, n_samples, index):
        """Decode row blocks into a frame with the fitted columns and dtypes.

        Each column's pieces are joined, and dropped, one column at a time, and
        the frame takes the joined columns without copying them.
        """
        pieces = [[] for _ in self.columns_]
        for chunk in chunks:
            for parts, spec in zip(pieces, self.columns_, strict=True):
                parts.append(self._decode_column(chunk, spec))
        if index is None:
            index = pd.RangeIndex(n_samples)
        data = {}
        for i, spec in enumerate(self.columns_):
            parts, pieces[i] = pieces[i], None
            column = _join(parts)
            del parts
            if pd.api.types.is_object_dtype(spec.dtype):
                # pandas would infer a string dtype from an array of str.
                column = pd.Series(column, index=index, dtype=object, copy=False)
            data[i] = column
        frame = pd.DataFrame(data, index=index, copy=False)
        return frame.set_axis(self.columns_index_, axis=1)

    @staticmethod
    def _stack_dtype(columns, float_dtype):
        """The common dtype of decoded array columns, where there is one."""
        dtypes = {column.dtype for column in columns}
        if len(dtypes) == 1:
            dtype = dtypes.pop()
            return float_dtype if dtype.kind == "f" else dtype
        if all(dtype.kind in "fiub" for dtype in dtypes):
            return float_dtype
        return object

    # Serialisation ---------------------------------------------------------

    def to_dict(self):
        """Return the parameters and fitted state as plain values.

        Each :class:`ColumnSpec` becomes a dict of its fields; everything else
        is the encoder's own values (numbers, numpy arrays and dtypes, pandas
        dtypes and the column ``Index``), which ``skgen._persistence`` writes
        as JSON. :meth:`from_dict` reverses it.
        """
        state = dict(vars(self))
        if "columns_" in state:
            state["columns_"] = [
                {field.name: getattr(spec, field.name) for field in fields(spec)}
                for spec in self.columns_
            ]
        return state

    @classmethod
    def from_dict(cls, state):
        """Rebuild an encoder, fitted or not, from what :meth:`to_dict` returned.

        ``state`` may come from an untrusted file, so it is checked as it is
        read: it must hold the encoder's parameters and, if fitted, all of its
        fitted fields and nothing else, each of its type; each column spec
        must hold exactly the fields of :class:`ColumnSpec`; and the layout
        must be the one fitting makes (numeric columns first, in order, then
        one block per categorical column, each starting where the previous
        ends), so that the encoder never indexes outside its matrix.

        Raises
        ------
        ValueError
            Naming the field that is missing, unknown, of the wrong type or
            inconsistent with the others.
        """
        params = ("categorical_features", "handle_unknown", "numeric_scaling")
        fitted = (
            "is_frame_",
            "columns_index_",
            "is_categorical_",
            "columns_",
            "n_numeric_",
            "n_encoded_",
        )

        def fail(message):
            raise ValueError(f"table encoder: {message}")

        def is_int(value, low=0):
            return type(value) is int and value >= low

        def is_real(value):
            return type(value) is float or type(value) is int and abs(value) < 2**1000

        def is_scalar(value):
            return (
                value is None or value is pd.NA or isinstance(value, (int, float, str))
            )

        if not isinstance(state, dict):
            fail(f"expected a dict of fields, got {type(state).__name__}")
        names = set(state)
        expected = set(params) | (set(fitted) if names - set(params) else set())
        if names != expected:
            missing, unknown = sorted(expected - names), sorted(names - expected)
            fail(f"missing fields {missing}, unknown fields {unknown}")
        features = state["categorical_features"]
        if isinstance(features, np.ndarray) and features.ndim == 1:
            features = features.tolist()
        if not (
            features is None
            or isinstance(features, str)
            and features == "from_dtype"
            or isinstance(features, (list, tuple))
            and all(isinstance(item, (int, str)) for item in features)
        ):
            fail(f"categorical_features={state['categorical_features']!r:.60}")
        handle_unknown, scaling = state["handle_unknown"], state["numeric_scaling"]
        if not (
            isinstance(handle_unknown, str) and handle_unknown in ("error", "ignore")
        ):
            fail(f"handle_unknown={handle_unknown!r:.60}")
        if not (scaling is None or isinstance(scaling, str) and scaling == "standard"):
            fail(f"numeric_scaling={scaling!r:.60}")
        encoder = cls(*(state[name] for name in params))
        if not names - set(params):
            return encoder

        is_frame, index = state["is_frame_"], state["columns_index_"]
        is_categorical, columns = state["is_categorical_"], state["columns_"]
        n_numeric, n_encoded = state["n_numeric_"], state["n_encoded_"]
        if not isinstance(columns, list) or not columns:
            fail("columns_ must be a non-empty list of column specs")
        if not isinstance(is_frame, bool):
            fail(f"is_frame_ must be a bool, got {is_frame!r:.60}")
        if is_frame and not (
            isinstance(index, pd.Index)
            and not isinstance(index, pd.MultiIndex)
            and len(index) == len(columns)
        ):
            fail(f"columns_index_ must be an Index of the {len(columns)} columns")
        if not is_frame and index is not None:
            fail("columns_index_ must be None for an encoder fitted on an array")
        if not (
            isinstance(is_categorical, np.ndarray)
            and is_categorical.dtype == bool
            and is_categorical.shape == (len(columns),)
        ):
            fail(f"is_categorical_ must be {len(columns)} bools")
        if not is_int(n_numeric) or not is_int(n_encoded):
            fail("n_numeric_ and n_encoded_ must be non-negative ints")

        kinds = (NUMERIC, INTEGER, BOOLEAN, CATEGORICAL)
        dtypes = (np.dtype, pd.api.extensions.ExtensionDtype)
        spec_checks = {
            "name": is_scalar,
            "kind": lambda kind: isinstance(kind, str) and kind in kinds,
            "dtype": lambda dtype: isinstance(dtype, dtypes),
            "start": is_int,
            "stop": is_int,
            "mean": is_real,
            "scale": is_real,
            "min": is_real,
            "max": is_real,
            "categories": lambda categories: (
                categories is None
                or isinstance(categories, np.ndarray)
                and categories.ndim == 1
            ),
            "missing": lambda missing: isinstance(missing, bool),
            "missing_value": is_scalar,
        }
        field_names = [field.name for field in fields(ColumnSpec)]
        specs = []
        position, width = 0, n_numeric
        for j, spec in enumerate(columns):
            label = f"columns_[{j}]"
            if not isinstance(spec, dict) or set(spec) != set(field_names):
                fail(f"{label} must be a dict with the fields {field_names}")
            for name in field_names:
                if not spec_checks[name](spec[name]):
                    fail(f"{label}.{name} cannot be {spec[name]!r:.60}")
            numbers = {key: float(spec[key]) for key in ("mean", "scale", "min", "max")}
            spec = ColumnSpec(**{**spec, **numbers})
            if not (
                np.isfinite(spec.mean)
                and np.isfinite(spec.scale)
                and spec.scale > 0
                and spec.min <= spec.max
            ):
                fail(f"{label}: mean, scale, min or max out of range")
            if spec.one_hot != bool(is_categorical[j]):
                fail(f"{label}: its categories disagree with is_categorical_")
            if spec.one_hot:
                n_slots = len(spec.categories) + spec.missing
                if not (
                    spec.kind in (BOOLEAN, CATEGORICAL)
                    and (spec.start, spec.stop) == (width, width + n_slots)
                    and pd.Index(spec.categories).is_unique
                ):
                    fail(f"{label}: not a one-hot block of its categories at {width}")
                if isinstance(spec.dtype, pd.CategoricalDtype) and (
                    spec.dtype.categories is None
                    or len(spec.dtype.categories) != n_slots - spec.missing
                ):
                    fail(f"{label}: its dtype's categories are not its categories")
                width += n_slots
            else:
                if spec.kind == CATEGORICAL or (spec.start, spec.stop) != (
                    position,
                    position + 1,
                ):
                    fail(f"{label}: not numeric column {position} of the matrix")
                position += 1
            specs.append(spec)
        if (position, width) != (n_numeric, n_encoded):
            fail(
                f"n_numeric_={n_numeric} and n_encoded_={n_encoded}, but the columns "
                f"make {position} and {width}"
            )
        names = pd.Index([spec.name for spec in specs], dtype=object)
        if not names.equals(index if is_frame else pd.RangeIndex(len(specs))):
            fail("the columns' names are not those of columns_index_")
        encoder.is_frame_ = is_frame
        encoder.columns_index_ = index
        encoder.is_categorical_ = is_categorical
        encoder.columns_ = specs
        encoder.n_numeric_ = n_numeric
        encoder.n_encoded_ = n_encoded
        return encoder
