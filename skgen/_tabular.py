"""Mixed-type tables to float32 matrices and back.

:class:`TableEncoder` turns a DataFrame (or a 2-D array) into one float32
matrix and maps a decoder's output back to a frame with the original column
names, order and dtypes. Each column gets a codec from :mod:`skgen._codecs`
by its kind: numbers (standardised or as normal scores), few-valued numbers
and categories (one-hot blocks), dates and times (numbers of steps on their
grid), numbers with missing values (the number and a missing indicator) and
columns left out (identifiers, free text). The encoder chooses the codecs,
lays their slots out (every number first, then every one-hot block, in
column order) and runs them chunk by chunk; the estimators fit one in
``fit`` and keep it as ``table_encoder_``. Its ``categorical_blocks`` and
``missing_slots`` tell the networks and the loss which slice of the output
is a softmax and which number may be missing.
"""

import warnings

import numpy as np
import pandas as pd

from skgen._codecs import (
    BOOLEAN,
    CATEGORICAL,
    DATETIME,
    DISCRETE,
    EXACT_FLOAT_INTEGERS,
    INTEGER,
    NUMERIC,
    PERIOD,
    TIMEDELTA,
    CategoryCodec,
    DroppedCodec,
    MissingCodec,
    NumberCodec,
    TimeCodec,
    describe_values,
    read_codec,
)

# A one-hot block this wide makes the input (and the decoder's head) large.
HIGH_CARDINALITY = 1000

# A string column with more distinct values than this share of its rows (and
# more than MIN_TEXT_CATEGORIES) is mostly unique values: an identifier or
# free text, which a model cannot learn as categories.
TEXT_LIKE_SHARE = 0.5
MIN_TEXT_CATEGORIES = 50

# Numbers with at most this many distinct values (each seen twice on average)
# are modelled as ordered categories by default.
MAX_DISCRETE_VALUES = 10

# Rows per chunk wherever skgen works through a table a chunk at a time
# (statistics, encoding, decoding, network passes at inference): a few
# megabytes of a 100-column table, small enough that the allocator hands freed
# chunks back and activations stay in cache, large enough to amortise Python's
# overhead per chunk; decoding column by column was faster than with larger
# chunks.
CHUNK_ROWS = 8192

# Families of column, from their dtype, that hold times.
TIME_KINDS = {"datetime": DATETIME, "timedelta": TIMEDELTA, "period": PERIOD}


def _column_family(name, dtype):
    """Return what a frame column's dtype makes it, or raise if unsupported.

    One of ``"float"``, ``"integer"``, ``"boolean"``, ``"category"``,
    ``"object"`` (strings and Python objects), ``"datetime"``, ``"timedelta"``
    and ``"period"``.
    """
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if isinstance(dtype, pd.PeriodDtype):
        return "period"
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
        "it to numbers or to strings first."
    )


def _array_column_families(X):
    """Return the family of each column of a 2-D array (see ``_column_family``).

    In an object array, a column holding any string is an ``"object"`` column
    and any other column is numeric.
    """
    n_features = X.shape[1]
    if X.dtype.kind in "mM":
        raise TypeError(
            f"X has dtype {X.dtype}: skgen encodes dates and times in the "
            "columns of a DataFrame; pass one (pd.DataFrame(X))."
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
                f"[0, {n_features - 1}], got {describe_values(bad.tolist())}."
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
                f"{describe_values(unknown)}."
            )
        mask[[positions[name] for name in selection.tolist()]] = True
        return mask
    raise ValueError(
        "categorical_features must be 'from_dtype', None, a boolean mask, integer "
        f"indices or column names, got {categorical_features!r}."
    )


def row_chunks(X):
    """Yield ``X`` in chunks of ``CHUNK_ROWS`` rows (one empty chunk if empty)."""
    for start in range(0, max(len(X), 1), CHUNK_ROWS):
        yield X[start : start + CHUNK_ROWS]


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


def _join(parts):
    """Concatenate the decoded pieces of one column (arrays of one type)."""
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    return type(parts[0])._concat_same_type(parts)


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


def _distinct_column(stats, dtype):
    """A number column's distinct values (and a missing one), in its dtype."""
    values = pd.Series(stats.distinct)
    if stats.n_missing:
        values = pd.concat([values, pd.Series([np.nan])], ignore_index=True)
    try:
        return values.astype(dtype)
    except (TypeError, ValueError):
        return values


def _missing_number_error(codecs):
    """The error for numbers and times with missing values not to be modelled."""
    numbers = [codec.label for codec in codecs if codec.kind in (NUMERIC, INTEGER)]
    times = [codec.label for codec in codecs if codec.kind in TIME_KINDS.values()]
    found = []
    if numbers:
        found.append(f"NaN in the numeric {', '.join(numbers)}")
    if times:
        found.append(f"NaT in the time {', '.join(times)}")
    return ValueError(
        f"Input X contains {' and '.join(found)}, and handle_missing='error'. "
        "Pass handle_missing='model' (the default) to model where values are "
        "missing, or fill them first: for a DataFrame, "
        "X.fillna(X.median(numeric_only=True)) keeps every column and dtype (it "
        "leaves dates missing: fill or drop those rows); for an array, "
        "sklearn.impute.SimpleImputer."
    )


def _runs(columns, slots):
    """``(first, last)`` index ranges over which both lists go up by one."""
    runs, first = [], 0
    for i in range(1, len(columns) + 1):
        if (
            i == len(columns)
            or columns[i] != columns[i - 1] + 1
            or slots[i] != slots[i - 1] + 1
        ):
            runs.append((first, i))
            first = i
    return runs


class TableEncoder:
    """Encode a mixed-type table as one float32 matrix and decode it back.

    Each column gets a codec by its kind (see :mod:`skgen._codecs`): a
    number, a one-hot block of categories (categorical and boolean columns,
    numbers with few distinct values), a date or time as a number of steps,
    a number with a missing indicator, or nothing (a column of mostly unique
    strings, left out with a warning). Numbers come first in the matrix, then
    the one-hot blocks, both in column order. :meth:`inverse_transform`
    takes any matrix of that width (for example a decoder's output: numbers
    and per-block logits), decodes each block by argmax and returns the
    original columns with their dtypes.

    Parameters
    ----------
    categorical_features : "from_dtype", None, or array-like, default="from_dtype"
        Which columns are categorical; see
        :func:`resolve_categorical_features`.

    handle_unknown : {"error", "ignore"}, default="error"
        What :meth:`transform` does with a category, or a missing value, that
        fit did not see in a column: raise, or encode it as all zeros (a
        missing number as the column's centre).

    numeric_scaling : {"quantile", "standard"} or None, default="quantile"
        How numbers are encoded: as normal scores through their quantiles,
        standardised, or as they are.

    handle_missing : {"model", "error"}, default="model"
        What fit does with missing values in a numeric column: model them (an
        indicator next to the number), or raise.

    max_discrete_values : int, default=10
        Numbers with at most this many distinct values in fit (and, on
        average, at least two rows per value) are modelled as ordered
        categories and decoded to exactly those values; 0 turns it off.

    numeric_output : {"observed", "raw"}, default="observed"
        ``"observed"``: decoded floats are rounded to the decimal places the
        fitted values have (up to six) and kept inside the fitted range.
        ``"raw"``: as decoded (integers and booleans are always rounded).

    Attributes
    ----------
    columns_ : list of codecs
        One codec per input column, in input order.

    n_numeric_ : int
        Number of numbers, which come first in the matrix.

    n_encoded_ : int
        Width of the encoded matrix.

    is_categorical_ : ndarray of bool
        Which input columns are one-hot encoded.

    is_frame_ : bool
        Whether fit saw a DataFrame, so that the inverse returns one.
    """

    _parameters = (
        "categorical_features",
        "handle_unknown",
        "numeric_scaling",
        "handle_missing",
        "max_discrete_values",
        "numeric_output",
    )

    def __init__(
        self,
        categorical_features="from_dtype",
        handle_unknown="error",
        numeric_scaling="quantile",
        handle_missing="model",
        max_discrete_values=MAX_DISCRETE_VALUES,
        numeric_output="observed",
    ):
        self.categorical_features = categorical_features
        self.handle_unknown = handle_unknown
        self.numeric_scaling = numeric_scaling
        self.handle_missing = handle_missing
        self.max_discrete_values = max_discrete_values
        self.numeric_output = numeric_output

    @property
    def categorical_blocks(self):
        """``(start, stop)`` of every one-hot block, in matrix order."""
        return [block for codec in self.columns_ for block in codec.blocks]

    @property
    def log_units(self):
        """Log of each number's encoded unit in its own units, in matrix order."""
        return [codec.log_unit for codec in self.columns_ if codec.n_numbers]

    @property
    def missing_slots(self):
        """``(number, slot)`` pairs: the slot that says a number is missing."""
        return [pair for codec in self.columns_ for pair in codec.missing_slots]

    @property
    def slot_columns(self):
        """The input column that owns each encoded slot, in matrix order."""
        owners = np.zeros(self.n_encoded_, dtype=np.int64)
        for j, codec in enumerate(self.columns_):
            if codec.n_numbers:
                owners[codec.start : codec.stop] = j
            for start, stop in codec.blocks:
                owners[start:stop] = j
        return owners.tolist()

    def fit_transform(self, X, feature_names=None):
        """Fit on ``X`` and return its encoded float32 matrix."""
        return self._fit(X, feature_names)

    def fit_summary(self, summary, feature_names=None):
        """Fit on a table known from a :class:`skgen._summary.TableSummary`.

        The layout is the one a fit on the whole table gives: kinds,
        categories, missing values, discreteness, scaling and ranges come
        from all its rows, quantiles and decimal places from the summary's
        sample, as in a fit in memory on a table of more than
        ``SUBSAMPLE`` rows. Returns the encoded sample.
        """
        return self._fit(summary.sample, feature_names, summary)

    def transform(self, X):
        """Encode ``X`` (columns as in fit) as a float32 matrix."""
        return self._encode(X)

    def _encode(self, X, codes=None):
        """The encoded matrix of ``X``; ``codes``: fit's one-hot codes by column."""
        out = np.zeros((X.shape[0], self.n_encoded_), dtype=np.float32)
        encoded = set()
        if not self.is_frame_ and X.dtype.kind in "biuf":
            encoded = self._encode_numbers(X, out)
        codes = codes or {}
        for j, codec in enumerate(self.columns_):
            if j in encoded:
                continue
            if codes.get(j) is not None:
                codec.write(codes[j], out)
            else:
                codec.encode(self._column(X, j), out, self.handle_unknown)
        return out

    def _encode_numbers(self, X, out):
        """Encode an array's plain numbers in one pass; return their columns.

        Standardised (or unscaled) numbers with no missing value encode as
        ``(X - mean) / scale``, column by column in the codecs, or all at
        once here, with the same float64 arithmetic: the same matrix, without
        a pass per column. Anything else (quantiles, a missing value, a
        value too large) is left to the codecs, which encode or report it.
        """
        plain = [
            j
            for j, codec in enumerate(self.columns_)
            if type(codec) is NumberCodec and codec.scaling != "quantile"
        ]
        if not plain:
            return set()
        codecs = [self.columns_[j] for j in plain]
        starts = [codec.start for codec in codecs]
        means = np.array([codec.mean for codec in codecs])
        scales = np.array([codec.scale for codec in codecs])
        # Runs of columns that sit side by side in X and in the matrix are
        # read and written as slices, not gathered; rows go a chunk at a
        # time, so the float64 differences never exceed one chunk. The
        # division is done in float64 and rounded once, into the matrix.
        runs = [
            (
                slice(plain[a], plain[b - 1] + 1),
                slice(a, b),
                slice(starts[a], starts[b - 1] + 1),
            )
            for a, b in _runs(plain, starts)
        ]
        with np.errstate(over="ignore", invalid="ignore"):
            for rows in range(0, X.shape[0], CHUNK_ROWS):
                rows = slice(rows, rows + CHUNK_ROWS)
                for columns, part, slots in runs:
                    differences = X[rows, columns] - means[part]
                    np.divide(
                        differences,
                        scales[part],
                        out=out[rows, slots],
                        casting="same_kind",
                    )
        # A NaN or infinity stays one in float32, and so does a number too
        # large for it; the codecs then rewrite every slot, and report.
        for _, _, slots in runs:
            if not np.isfinite(out[:, slots]).all():
                return set()
        return set(plain)

    def inverse_transform(self, Xt, *, index=None, float_dtype=np.float64):
        """Decode an encoded (or decoder-output) matrix back to the table.

        Parameters
        ----------
        Xt : ndarray of shape (n_samples, n_encoded_)
            Encoded numbers and, per one-hot block, scores whose argmax is the
            decoded category (one-hot indicators or logits).

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
        return self.inverse_transform_chunks(
            row_chunks(Xt), len(Xt), index=index, float_dtype=float_dtype
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
            columns = [codec.decode(chunk) for codec in self.columns_]
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

    def _fit(self, X, feature_names, summary=None):
        """Choose and fit a codec per column; return the encoded matrix.

        With a ``summary`` of the whole table, ``X`` is its sample, and the
        statistics of all rows decide (see :meth:`fit_summary`).
        """
        self.is_frame_ = isinstance(X, pd.DataFrame)
        if self.is_frame_:
            families = [_column_family(name, dtype) for name, dtype in X.dtypes.items()]
            self.columns_index_ = X.columns
            names, dtypes = list(X.columns), list(X.dtypes)
        else:
            families = _array_column_families(X)
            self.columns_index_ = None
            names, dtypes = list(range(X.shape[1])), [X.dtype] * X.shape[1]
        declared = resolve_categorical_features(
            self.categorical_features, families, feature_names
        )
        n_samples = X.shape[0] if summary is None else summary.n_rows
        self.columns_, codes, missing, dropped = [], {}, [], []
        for j, (name, dtype, family) in enumerate(
            zip(names, dtypes, families, strict=True)
        ):
            column = self._column(X, j)
            stats = None if summary is None else summary.columns[j]
            if declared[j]:
                kind = BOOLEAN if family == "boolean" else CATEGORICAL
                codec = CategoryCodec(name, dtype, self.is_frame_, kind)
                codes[j] = codec.fit(column if stats is None else stats.values)
                if self._text_like(codec, family, n_samples, stats):
                    del codes[j]
                    n_values = len(codec.categories)
                    codec = DroppedCodec(name, dtype, self.is_frame_)
                    dropped.append(f"{codec.label} ({n_values} distinct values)")
            elif family == "category":
                raise ValueError(
                    f"Column {name!r} has dtype category but is not in "
                    "categorical_features; list it there, or convert it to "
                    "numbers."
                )
            else:
                codec, codes[j] = self._fit_number(name, dtype, family, column, stats)
                if isinstance(codec, MissingCodec):
                    missing.append(codec)
            self.columns_.append(codec)
        if missing and self.handle_missing == "error":
            raise _missing_number_error(missing)
        self._place()
        self._warn_left_out(dropped, n_samples)
        self._warn_high_cardinality(n_samples)
        # A summary's codes are those of its distinct values, not of X's rows.
        return self._encode(X, None if summary is not None else codes)

    def _fit_number(self, name, dtype, family, column, stats=None):
        """The codec of a non-categorical column and, if one-hot, its codes.

        ``stats``: the column's :class:`skgen._summary.NumberStats` over the
        whole table, of which ``column`` is a sample.
        """
        frame = self.is_frame_
        if family in TIME_KINDS:
            kind, codec_class = TIME_KINDS[family], TimeCodec
        else:
            codec_class = NumberCodec
            kind = NUMERIC
            if family == "boolean":
                kind = BOOLEAN
            elif family == "integer" and frame:
                kind = INTEGER
        observed = self.numeric_output == "observed"
        codec = codec_class(name, dtype, frame, kind, self.numeric_scaling, observed)
        if stats is None:
            values = codec.fit_values(column)
            n_missing, n_rows = int(np.isnan(values).sum()), len(values)
        else:
            if stats.origin is not None:
                codec.set_grid(stats.origin, stats.spacing, stats.last)
            values = codec.values(column)
            n_missing, n_rows = stats.n_missing, stats.n_rows
        if n_missing == n_rows:
            what = "time" if family in TIME_KINDS else "numeric"
            raise ValueError(
                f"Input X has no values in the {what} {codec.label}: every "
                "value is missing. Drop the column."
            )
        values = values[~np.isnan(values)]
        if np.isinf(values).any() if stats is None else stats.n_inf:
            raise ValueError(f"Input X contains infinity in the numeric {codec.label}.")
        if kind in (NUMERIC, INTEGER) and self._discrete(values, stats):
            codec = CategoryCodec(name, dtype, frame, DISCRETE)
            if stats is None:
                return codec, codec.fit(column)
            return codec, codec.fit(_distinct_column(stats, dtype))
        if stats is None:
            codec.fit(values)
        else:
            # Time statistics are in ticks, the codec's values in steps.
            step = getattr(codec, "step", 1)
            low, high = stats.min / step, stats.max / step
            # A sample without a value of a column that has a few still
            # gets their range.
            codec.fit(values if len(values) else np.array([low, high]))
            codec.set_moments(stats.mean / step, stats.std / step, low, high)
        return (MissingCodec(codec) if n_missing else codec), None

    def _discrete(self, values, stats=None):
        """Whether numbers take few enough distinct values to be categories."""
        limit = self.max_discrete_values
        if stats is not None:
            # Integers beyond float64's exact range would merge as categories.
            if not limit or stats.distinct is None or stats.count == 0:
                return False
            n_distinct = len(stats.distinct)
            bound = max(abs(stats.min), abs(stats.max))
            return (
                bound <= EXACT_FLOAT_INTEGERS
                and n_distinct <= limit
                and 2 * n_distinct <= stats.count
            )
        # Integers beyond float64's exact range would merge as categories.
        if not limit or np.abs(values).max() > EXACT_FLOAT_INTEGERS:
            return False
        # Most numeric columns show more than ``limit`` values in their first rows.
        if len(pd.unique(values[: 20 * limit])) > limit:
            return False
        n_distinct = len(pd.unique(values))
        return n_distinct <= limit and 2 * n_distinct <= len(values)

    def _text_like(self, codec, family, n_samples, stats=None):
        """Whether a string column, categorical by dtype, is mostly unique values.

        A column of a chunked table with more distinct values than a chunk
        may give (``stats.truncated``) is one, or cannot be fitted.
        """
        by_dtype = isinstance(self.categorical_features, str)
        if stats is not None and stats.truncated:
            if not (by_dtype and family == "object"):
                raise ValueError(
                    f"{codec.label} has more than {len(codec.categories)} "
                    "distinct values, too many to learn as categories from a "
                    "table in chunks; drop it or group its values."
                )
            return True
        return (
            family == "object"
            and by_dtype
            and len(codec.categories)
            > max(MIN_TEXT_CATEGORIES, TEXT_LIKE_SHARE * n_samples)
        )

    def _place(self):
        """Give each codec its slots: numbers first, then blocks, in column order."""
        numbers = {}
        for codec in self.columns_:
            if codec.n_numbers:
                numbers[id(codec)] = len(numbers)
        self.n_numeric_ = width = len(numbers)
        for codec in self.columns_:
            blocks = []
            for block_width in codec.block_widths:
                blocks.append(width)
                width += block_width
            number = numbers.get(id(codec))
            codec.place([] if number is None else [number], blocks)
        self.n_encoded_ = width
        self.is_categorical_ = np.array([c.one_hot for c in self.columns_], dtype=bool)

    def _column(self, X, j):
        """Return column ``j`` of ``X`` (a Series for a frame)."""
        return X.iloc[:, j] if self.is_frame_ else X[:, j]

    def _warn_left_out(self, dropped, n_samples):
        """Warn about string columns left out of the model as identifiers or text."""
        if dropped:
            warnings.warn(
                f"Left out of the model: {', '.join(dropped)} in {n_samples} rows, "
                "whose values are mostly unique (an identifier or free text), "
                "which cannot be learned as categories. inverse_transform and "
                "sample return them as missing values. Drop them, or list them "
                "in categorical_features to model them as categories anyway.",
                UserWarning,
                stacklevel=4,
            )

    def _warn_high_cardinality(self, n_samples):
        """Warn once about columns with very many categories.

        More than ``HIGH_CARDINALITY``, or more than ``TEXT_LIKE_SHARE`` of
        the rows (an identifier or free text), whichever comes first.
        """
        limit = min(
            HIGH_CARDINALITY, max(MIN_TEXT_CATEGORIES, TEXT_LIKE_SHARE * n_samples)
        )
        wide = [
            f"{codec.label} ({len(codec.categories)} categories)"
            for codec in self.columns_
            if codec.one_hot and len(codec.categories) > limit
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

    # Decoding --------------------------------------------------------------

    def _decode_frame(self, chunks, n_samples, index):
        """Decode row blocks into a frame with the fitted columns and dtypes.

        Each column's pieces are joined, and dropped, one column at a time, and
        the frame takes the joined columns without copying them.
        """
        pieces = [[] for _ in self.columns_]
        for chunk in chunks:
            for parts, codec in zip(pieces, self.columns_, strict=True):
                parts.append(codec.decode(chunk))
        if index is None:
            index = pd.RangeIndex(n_samples)
        data = {}
        for i, codec in enumerate(self.columns_):
            parts, pieces[i] = pieces[i], None
            column = _join(parts)
            del parts
            if pd.api.types.is_object_dtype(codec.dtype):
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

        Each codec becomes the dict its ``to_dict`` returns; everything else is
        the encoder's own values (numbers, strings, the column ``Index``),
        which ``skgen._persistence`` writes as JSON. :meth:`from_dict`
        reverses it. The layout (positions, widths) is not saved: it follows
        from the codecs.
        """
        state = {name: getattr(self, name) for name in self._parameters}
        if hasattr(self, "columns_"):
            state["is_frame_"] = self.is_frame_
            state["columns_index_"] = self.columns_index_
            state["columns_"] = [codec.to_dict() for codec in self.columns_]
        return state

    @classmethod
    def from_dict(cls, state):
        """Rebuild an encoder, fitted or not, from what :meth:`to_dict` returned.

        ``state`` may come from an untrusted file, so it is checked as it is
        read: it must hold the encoder's parameters and, if fitted, its fitted
        fields and nothing else, each of its type, and each codec must hold
        exactly its own fields, each valid (see
        :func:`skgen._codecs.read_codec`). The layout is then made as fitting
        makes it, so that the encoder never indexes outside its matrix.

        Raises
        ------
        ValueError
            Naming the field that is missing, unknown, of the wrong type or
            inconsistent with the others.
        """

        def fail(message):
            raise ValueError(f"table encoder: {message}")

        if not isinstance(state, dict):
            fail(f"expected a dict of fields, got {type(state).__name__}")
        if "n_numeric_" in state or set(state) == set(_LEGACY_PARAMETERS):
            state = _upgrade_legacy(state, fail)
        params = cls._parameters
        fitted = ("is_frame_", "columns_index_", "columns_")
        names = set(state)
        expected = set(params) | (set(fitted) if names - set(params) else set())
        if names != expected:
            missing, unknown = sorted(expected - names), sorted(names - expected)
            fail(f"missing fields {missing}, unknown fields {unknown}")
        _check_parameters(state, fail)
        encoder = cls(**{name: state[name] for name in params})
        if not names - set(params):
            return encoder
        is_frame, index, columns = (state[name] for name in fitted)
        if not isinstance(columns, list) or not columns:
            fail("columns_ must be a non-empty list of column codecs")
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
        codecs = []
        for j, column in enumerate(columns):

            def fail_column(message, j=j):
                fail(f"columns_[{j}]: {message}")

            codecs.append(read_codec(column, fail_column, is_frame))
        names = pd.Index([codec.name for codec in codecs], dtype=object)
        if not names.equals(index if is_frame else pd.RangeIndex(len(codecs))):
            fail("the columns' names are not those of columns_index_")
        encoder.is_frame_ = is_frame
        encoder.columns_index_ = index
        encoder.columns_ = codecs
        encoder._place()
        return encoder


def _check_parameters(state, fail):
    """Raise through ``fail`` unless the encoder's saved parameters are valid."""
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
    choices = {
        "handle_unknown": ("error", "ignore"),
        "numeric_scaling": ("quantile", "standard", None),
        "handle_missing": ("model", "error"),
        "numeric_output": ("observed", "raw"),
    }
    for name, options in choices.items():
        value = state[name]
        if not (value is None or isinstance(value, str)) or value not in options:
            fail(f"{name}={value!r:.60}")
    limit = state["max_discrete_values"]
    if not (type(limit) is int and limit >= 0):
        fail(f"max_discrete_values={limit!r:.60}")


# What encoders saved in format version 2 (skgen 0.x before column codecs).
_LEGACY_PARAMETERS = ("categorical_features", "handle_unknown", "numeric_scaling")
_LEGACY_FITTED = (
    "is_frame_",
    "columns_index_",
    "is_categorical_",
    "columns_",
    "n_numeric_",
    "n_encoded_",
)
_LEGACY_SPEC = (
    "name kind dtype start stop mean scale min max categories missing missing_value"
).split()


def _upgrade_legacy(state, fail):
    """The state of a format-2 encoder (one spec per column) in today's form.

    Its numbers were standardised (or kept), never rounded to a grid, never
    modelled as missing or as categories; its layout, which today's is
    checked against, was numbers first, then blocks.
    """
    names = set(state)
    fitted = names - set(_LEGACY_PARAMETERS)
    if names - set(_LEGACY_PARAMETERS) - set(_LEGACY_FITTED) or (
        fitted and fitted != set(_LEGACY_FITTED)
    ):
        missing = sorted(set(_LEGACY_PARAMETERS) | set(_LEGACY_FITTED) - names)
        unknown = sorted(names - set(_LEGACY_PARAMETERS) - set(_LEGACY_FITTED))
        fail(f"missing fields {missing}, unknown fields {unknown}")
    upgraded = {
        **{name: state.get(name) for name in _LEGACY_PARAMETERS},
        "handle_missing": "error",
        "max_discrete_values": 0,
        "numeric_output": "raw",
    }
    if not fitted:
        return upgraded
    scaling = state["numeric_scaling"]
    columns = state["columns_"]
    if not isinstance(columns, list):
        fail("columns_ must be a non-empty list of column specs")
    codecs = []
    for j, spec in enumerate(columns):
        if not isinstance(spec, dict) or set(spec) != set(_LEGACY_SPEC):
            fail(f"columns_[{j}] must be a dict with the fields {_LEGACY_SPEC}")
        common = {key: spec[key] for key in ("name", "kind", "dtype")}
        if spec["categories"] is not None:
            codecs.append(
                {
                    "codec": "category",
                    **common,
                    **{k: spec[k] for k in ("categories", "missing", "missing_value")},
                }
            )
        else:
            codecs.append(
                {
                    "codec": "number",
                    **common,
                    "scaling": scaling if isinstance(scaling, str) else None,
                    "observed": False,
                    **{k: spec[k] for k in ("mean", "scale", "min", "max")},
                    "quantiles": None,
                    "decimals": None,
                }
            )
    upgraded.update(
        is_frame_=state["is_frame_"],
        columns_index_=state["columns_index_"],
        columns_=codecs,
    )
    encoder = TableEncoder.from_dict(upgraded)
    layout = [(codec.start, codec.stop) for codec in encoder.columns_]
    saved = [(spec["start"], spec["stop"]) for spec in columns]
    if (
        layout != saved
        or (state["n_numeric_"], state["n_encoded_"])
        != (encoder.n_numeric_, encoder.n_encoded_)
        or not np.array_equal(state["is_categorical_"], encoder.is_categorical_)
    ):
        fail("its saved layout is not the one its columns make")
    return upgraded
