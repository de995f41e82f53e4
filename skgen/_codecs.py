"""One codec per kind of table column: numbers, times, categories, missing values.

A codec turns one column of a table into its slots of the encoded float32
matrix and back. It may own one *number* slot (a standardised or normal-score
value) and any number of one-hot *blocks* (categories, a missing-value
indicator); :class:`~skgen._tabular.TableEncoder` decides where they go
(numbers first, then blocks, both in column order) and calls every codec
through the same interface:

- ``fit(column)`` records the statistics the codec needs;
- ``n_numbers`` and ``block_widths`` say which slots it owns, and
  ``place(numbers, blocks)`` gives it their positions;
- ``encode(column, out, handle_unknown)`` writes its slots of ``out``;
- ``decode(Xt)`` maps its slots of a decoder's output back to a column of the
  fitted dtype;
- ``to_dict()`` and ``from_dict(state, fail, frame)`` save and check its
  state.

A new kind of column is a new codec here, not a longer encoder.
"""

import math
import warnings

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

# Kinds of column, named after what the decoded column holds.
NUMERIC = "numeric"
INTEGER = "integer"
BOOLEAN = "boolean"
CATEGORICAL = "categorical"
DISCRETE = "discrete"
DATETIME = "datetime"
TIMEDELTA = "timedelta"
PERIOD = "period"
DROPPED = "dropped"

# Integers beyond this magnitude have no exact float64 (nor float32) value.
EXACT_FLOAT_INTEGERS = 2**53

# Quantile encoding: at most this many quantiles per column, estimated from at
# most SUBSAMPLE values (evenly spaced through the column, so deterministic).
N_QUANTILES = 1000
SUBSAMPLE = 100_000

# Decimal places tried when looking for the grid a float column lives on.
MAX_DECIMALS = 6

# Values of a column whose decimal places are checked before all of them.
DECIMALS_PROBE = 1_000

# Candidate steps of a time column's grid, in nanoseconds, largest first.
TIME_STEPS_NS = (
    86_400 * 10**9,
    3_600 * 10**9,
    60 * 10**9,
    10**9,
    10**6,
    10**3,
    1,
)
UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
NAT = np.iinfo(np.int64).min


def describe_values(values, limit=5):
    """Format up to ``limit`` values for an error message."""
    shown = ", ".join(repr(v) for v in values[:limit])
    more = len(values) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def sorted_categories(values):
    """Sort category values; mixed types are ordered by type name first."""
    try:
        return np.sort(values)
    except TypeError:
        ordered = sorted(values.tolist(), key=lambda v: (type(v).__name__, v))
        out = np.empty(len(ordered), dtype=object)
        out[:] = ordered
        return out


def float_values(column, label):
    """Return a column as float64 (missing values as NaN), or raise naming it."""
    if isinstance(column, pd.Series):
        dtype = column.dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(
                dtype
            ):
                return column.to_numpy(dtype=np.float64, na_value=np.nan)
            column = column.to_numpy(dtype=object)
    values = np.asarray(column)
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


def _common_float(values, categories):
    """float32 when either array is float32, float64 otherwise."""
    if np.float32 in (values.dtype, categories.dtype):
        return np.float32
    return np.float64


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


def _evenly_spaced(values, limit=SUBSAMPLE):
    """At most ``limit`` of ``values``, evenly spaced through them."""
    if len(values) <= limit:
        return values
    return values[:: -(-len(values) // limit)]


def _references(n_quantiles):
    """Probabilities of ``n_quantiles`` quantiles: the midpoints of equal bins.

    The lowest and highest fitted values get scores of about -3.3 and 3.3
    (for 1,000 quantiles) rather than infinities.
    """
    return (np.arange(n_quantiles) + 0.5) / n_quantiles


def _decimals(values, dtype):
    """The fewest decimal places (up to ``MAX_DECIMALS``) all ``values`` have.

    ``None`` when they have more. Checked on at most ``SUBSAMPLE`` of them,
    to the precision of ``dtype`` (float32 or float64): a value stored with
    ``decimals`` places is a few units in its last place from them.
    """
    sample = _evenly_spaced(values)
    if not len(sample) or np.abs(sample).max() >= EXACT_FLOAT_INTEGERS:
        return None
    dtype = getattr(dtype, "numpy_dtype", dtype)
    single = isinstance(dtype, np.dtype) and dtype == np.float32
    # The values need at least the places a few of them need: checking those
    # first settles most columns of measured numbers (which have more than
    # six) without a pass per place over the whole sample. Same answer.
    probe = _evenly_spaced(sample, DECIMALS_PROBE)
    fewest = _fewest_decimals(probe, single, 0)
    if fewest is None or probe is sample:
        return fewest
    return _fewest_decimals(sample, single, fewest)


def _fewest_decimals(values, single, start):
    """The fewest places from ``start`` up to ``MAX_DECIMALS`` ``values`` all have."""
    ulp = np.spacing(np.abs(values).astype(np.float32 if single else np.float64))
    for decimals in range(start, MAX_DECIMALS + 1):
        scale = 10.0**decimals
        shifted = values * scale
        tolerance = 4 * ulp.astype(np.float64) * scale + 4 * np.spacing(np.abs(shifted))
        if np.all(np.abs(shifted - np.rint(shifted)) <= tolerance):
            return decimals
    return None


def moments(values):
    """Mean, std, min and max of a float64 vector, finite for any finite values.

    A column whose magnitude passes 1e150 is divided by it first, so that the
    sums and squares stay finite. The squares are summed by NumPy itself, not
    by a BLAS ``dot``: BLAS threads wait on each other whenever another
    process holds a core (12 ms a column instead of 0.1 ms, measured with one
    competing process on two cores), and their count would change the sum.
    """
    low, high = float(values.min()), float(values.max())
    bound = max(abs(low), abs(high))
    bound = bound if bound > 1e150 else 1.0
    scaled = values / bound if bound != 1.0 else values
    mean = float(scaled.mean())
    deviation = scaled - mean
    std = float(np.sqrt(np.square(deviation).sum() / len(values)))
    return mean * bound, std * bound, low, high


def clip_overflow(values, dtype, low, high):
    """Put decoded numbers that overflow ``dtype`` back inside its range, in place.

    A model fitted on numbers near the float limit can decode a value beyond
    it (an infinity, or a float64 too large for a float32 column); such a
    value becomes the fitted minimum or maximum (the dtype's limit when the
    range is unknown), so that decoding never returns an infinity. NaN is
    left alone.
    """
    dtype = getattr(dtype, "numpy_dtype", dtype)
    single = isinstance(dtype, np.dtype) and dtype == np.float32
    limit = np.finfo(np.float32 if single else np.float64).max
    with np.errstate(invalid="ignore"):
        beyond = np.abs(values) > limit
    if beyond.any():
        high = high if np.isfinite(high) else limit
        low = low if np.isfinite(low) else -limit
        values[beyond] = np.where(values[beyond] > 0, high, low)


class Codec:
    """What every column codec has: a name, a dtype and its slots.

    ``start`` and ``stop`` delimit the column's main slots in the matrix: its
    number, or its block of categories; ``one_hot`` says which.
    """

    kind = None
    codec = None
    n_numbers = 0
    one_hot = False

    def __init__(self, name, dtype, frame):
        self.name = name
        self.dtype = dtype
        self.frame = frame
        self.start = self.stop = 0

    @property
    def label(self):
        """The column as error messages name it."""
        return f"column {self.name!r}"

    @property
    def block_widths(self):
        """Widths of the one-hot blocks the codec owns, in matrix order."""
        return []

    @property
    def blocks(self):
        """``(start, stop)`` of each one-hot block the codec owns, once placed."""
        return [(self.start, self.stop)] if self.one_hot else []

    @property
    def missing_slots(self):
        """``(number, slot)`` pairs: the slot that says the number is missing."""
        return []

    def place(self, numbers, blocks):
        """Take the matrix positions of the codec's number and blocks."""
        if self.n_numbers:
            self.start, self.stop = numbers[0], numbers[0] + 1
        elif blocks:
            self.start, self.stop = blocks[0], blocks[0] + self.block_widths[0]

    def to_dict(self):
        """The codec's state as plain values (see ``from_dict``)."""
        return {"codec": self.codec, **self._state()}

    def _state(self):
        return {"name": self.name, "kind": self.kind, "dtype": self.dtype}


class NumberCodec(Codec):
    """A number in one slot: standardised, as normal scores, or as it is.

    Parameters
    ----------
    name, dtype, frame
        The column's name and dtype, and whether it comes from a DataFrame.

    kind : {"numeric", "integer", "boolean"}
        What the decoded column holds: integers and booleans are rounded.

    scaling : {"standard", "quantile"} or None
        ``"standard"``: centred on the mean and divided by the standard
        deviation (1 for a constant column). ``"quantile"``: each value's
        normal score through the column's empirical quantiles, decoded back
        through them, so that decoded values follow the fitted marginal and
        stay inside its range. ``None``: the values as they are.

    observed : bool
        Decoded floats come back rounded to the fewest decimal places the
        fitted values have (up to six) and inside the fitted range.
    """

    codec = "number"
    n_numbers = 1

    def __init__(self, name, dtype, frame, kind, scaling, observed):
        super().__init__(name, dtype, frame)
        self.kind = kind
        self.scaling = scaling
        self.observed = observed
        self.mean, self.scale = 0.0, 1.0
        self.min, self.max = -np.inf, np.inf
        self.quantiles = None
        self.decimals = None

    # Fit -----------------------------------------------------------------

    def values(self, column):
        """The column as float64, missing values as NaN."""
        return float_values(column, self.label)

    def fit_values(self, column):
        """What ``values`` returns, once the codec knows how to read the column."""
        return self.values(column)

    def fit(self, values):
        """Record scaling statistics and the range of finite float64 ``values``."""
        self.set_moments(*moments(values))
        if self.scaling == "quantile":
            sample = np.sort(_evenly_spaced(values))
            n_quantiles = min(N_QUANTILES, len(sample))
            quantiles = np.quantile(sample, _references(n_quantiles))
            self.quantiles = np.maximum.accumulate(quantiles)
        if self.kind == NUMERIC and self.observed:
            self.decimals = _decimals(values, self.dtype)
        if self.kind == INTEGER and max(abs(self.min), abs(self.max)) > (
            EXACT_FLOAT_INTEGERS
        ):
            warnings.warn(
                f"The integer {self.label} holds values beyond 2**53, which "
                "skgen models as floating-point numbers: decoded and generated "
                "values come back rounded (to multiples of 1,024 near 2**62). "
                "Subtract an offset or store the column as a category to keep "
                "every digit.",
                UserWarning,
                stacklevel=6,
            )

    def set_moments(self, mean, std, low, high):
        """Take the mean, standard deviation and range of the column's values.

        ``fit`` computes them; a table fitted in chunks (see
        :mod:`skgen._summary`) sets those of all its rows after fitting on a
        sample.
        """
        self.min, self.max = low, high
        if self.scaling is not None:
            # Quantile scaling extends its scores beyond the range by this scale.
            self.mean, self.scale = mean, std if std > 0 else 1.0

    # Encode --------------------------------------------------------------

    def centre(self):
        """A value that encodes to about 0: where a missing value is put."""
        if self.scaling == "quantile":
            return float(self.quantiles[len(self.quantiles) // 2])
        return self.mean

    def encode(self, column, out, handle_unknown):
        """Write the column's numbers into its slot of ``out``."""
        values = self.values(column)
        missing = np.isnan(values)
        if missing.any():
            if handle_unknown != "ignore":
                raise ValueError(
                    f"Found missing values in {self.label} during transform, "
                    "but fit saw none there. Refit on data that has them (skgen "
                    "then models where values are missing), or pass "
                    "handle_unknown='ignore' to encode them as the column's "
                    "centre."
                )
            values = np.where(missing, self.centre(), values)
        self.write(values, out)

    def write(self, values, out):
        """Write finite float64 ``values``, encoded, into the number slot."""
        target = out[:, self.start]
        with np.errstate(over="ignore", invalid="ignore"):
            if self.scaling == "quantile":
                target[:] = self._normal_scores(values)
            else:
                target[:] = (values - self.mean) / self.scale
        if not np.isfinite(target).all():
            if np.isinf(values).any():
                raise ValueError(
                    f"Input X contains infinity in the numeric {self.label}."
                )
            raise ValueError(
                "Input X has values too large for float32 once standardised in "
                f"{self.label}."
            )

    def _normal_scores(self, values):
        """Normal scores of ``values`` through the fitted quantiles.

        A value that several quantiles equal (one that many rows share: a
        zero, a cap, the minimum) maps to the middle of their interval of
        probabilities, also at the ends of the range, so that its rows keep
        their share of the normal scores; scikit-learn's QuantileTransformer
        sends ties at the minimum or maximum to the extreme score instead.
        """
        q = self.quantiles
        references = _references(len(q))
        with np.errstate(over="ignore", invalid="ignore"):
            probabilities = np.interp(values, q, references)
        # Quantiles a subnormal step apart make interp's slope overflow.
        broken = ~((probabilities >= 0) & (probabilities <= 1))
        if broken.any():
            nearest = np.searchsorted(q, values[broken])
            probabilities[broken] = references[np.minimum(nearest, len(q) - 1)]
        if np.any(q[1:] == q[:-1]):
            first = np.searchsorted(q, values, side="left")
            last = np.searchsorted(q, values, side="right") - 1
            tied = last > first
            probabilities[tied] = 0.5 * (
                references[first[tied]] + references[last[tied]]
            )
        scores = ndtri(probabilities)
        # Beyond the fitted range, scores go on linearly in units of the
        # column's standard deviation, so an outlier still looks like one.
        low, high = values < q[0], values > q[-1]
        scores[low] -= (q[0] - values[low]) / self.scale
        scores[high] += (values[high] - q[-1]) / self.scale
        return scores

    # Decode --------------------------------------------------------------

    def read(self, Xt):
        """The column's decoded numbers as float64, rounded where its kind is."""
        encoded = Xt[:, self.start].astype(np.float64)
        if self.scaling == "quantile":
            q = self.quantiles
            references = _references(len(q))
            probabilities = ndtr(encoded)
            with np.errstate(over="ignore", invalid="ignore"):
                values = np.interp(probabilities, references, q)
            # Quantiles near the float64 limit make interp's slope overflow.
            broken = ~np.isfinite(values)
            if broken.any():
                nearest = np.searchsorted(references, probabilities[broken])
                values[broken] = q[np.minimum(nearest, len(q) - 1)]
            edges = ndtri(references[[0, -1]])
            low, high = encoded < edges[0], encoded > edges[1]
            with np.errstate(over="ignore", invalid="ignore"):
                values[low] -= (edges[0] - encoded[low]) * self.scale
                values[high] += (encoded[high] - edges[1]) * self.scale
            clip_overflow(values, self.dtype, self.min, self.max)
        else:
            values = encoded
            with np.errstate(over="ignore", invalid="ignore"):
                values *= self.scale
                values += self.mean
            clip_overflow(values, self.dtype, self.min, self.max)
        if self.kind != NUMERIC:
            np.rint(values, out=values)
            np.clip(values, self.min, self.max, out=values)
        elif self.observed:
            if self.decimals is not None:
                np.round(values, self.decimals, out=values)
            np.clip(values, self.min, self.max, out=values)
        return values

    def cast(self, values, missing=None):
        """Decoded float64 ``values`` as a column of the fitted dtype.

        ``missing`` (a boolean mask or None) marks rows to return as missing:
        NaN, or the missing value of a pandas dtype.
        """
        if missing is not None:
            values[missing] = np.nan
        if not self.frame:
            return values
        if isinstance(self.dtype, pd.api.extensions.ExtensionDtype):
            if self.kind == BOOLEAN:
                array = pd.array(values.astype(bool), dtype=self.dtype)
                if missing is not None:
                    array[missing] = pd.NA
                return array
            return pd.array(values, dtype=self.dtype)
        if self.kind == BOOLEAN:
            return values.astype(bool)
        return values.astype(self.dtype, copy=False)

    def decode(self, Xt):
        """The column, decoded from its slot of ``Xt``."""
        return self.cast(self.read(Xt))

    @property
    def log_unit(self):
        """Log of one encoded unit in the column's own units (its Jacobian).

        A density of the encoded number is one of the original number once
        this is subtracted; normal scores have no single unit, so 0 for them.
        """
        return math.log(self.scale) if self.scaling != "quantile" else 0.0

    # State ---------------------------------------------------------------

    def _state(self):
        return {
            **super()._state(),
            "scaling": self.scaling,
            "observed": self.observed,
            "mean": self.mean,
            "scale": self.scale,
            "min": self.min,
            "max": self.max,
            "quantiles": self.quantiles,
            "decimals": self.decimals,
        }

    @classmethod
    def from_dict(cls, state, fail, frame):
        """A codec from ``to_dict``'s values; ``fail(message)`` raises."""
        codec = cls(
            state["name"],
            state["dtype"],
            frame,
            state["kind"],
            state["scaling"],
            state["observed"],
        )
        for key in ("mean", "scale", "min", "max"):
            setattr(codec, key, float(state[key]))
        codec.quantiles, codec.decimals = state["quantiles"], state["decimals"]
        codec.check(fail)
        return codec

    def check(self, fail):
        """Raise through ``fail`` unless the fitted state is usable."""
        kinds = (NUMERIC, INTEGER, BOOLEAN) if type(self) is NumberCodec else None
        if kinds is not None and self.kind not in kinds:
            fail(f"kind cannot be {self.kind!r:.60}")
        # An object array's numeric columns keep the array's object dtype.
        numbers = (
            pd.api.types.is_numeric_dtype(self.dtype)
            or pd.api.types.is_bool_dtype(self.dtype)
            or isinstance(self.dtype, np.dtype)
            and self.dtype.kind == "O"
        )
        if kinds is not None and (
            not numbers or isinstance(self.dtype, pd.CategoricalDtype)
        ):
            fail(f"a number column cannot have dtype {self.dtype}")
        if self.scaling not in ("standard", "quantile", None):
            fail(f"scaling cannot be {self.scaling!r:.60}")
        if not isinstance(self.observed, bool):
            fail("observed must be a bool")
        if not (
            np.isfinite(self.mean)
            and np.isfinite(self.scale)
            and self.scale > 0
            and self.min <= self.max
        ):
            fail("mean, scale, min or max out of range")
        q = self.quantiles
        if (
            (self.scaling == "quantile") != (q is not None)
            or q is not None
            and not (
                isinstance(q, np.ndarray)
                and q.dtype == np.float64
                and q.ndim == 1
                and 1 <= len(q) <= N_QUANTILES
                and np.isfinite(q).all()
                and np.all(np.diff(q) >= 0)
            )
        ):
            fail(
                "quantiles must be increasing finite float64 values, given for "
                "scaling 'quantile' only"
            )
        d = self.decimals
        if not (d is None or type(d) is int and 0 <= d <= MAX_DECIMALS):
            fail(f"decimals cannot be {d!r:.60}")


class TimeCodec(NumberCodec):
    """Dates, times, durations and periods, as a count of steps of their grid.

    Each value becomes its distance from the earliest fitted value in steps
    (a day, an hour, ... down to the column's resolution: the largest step
    every fitted value lies on), which :class:`NumberCodec` encodes; decoding
    rounds back to the grid, so dates that were whole days come back as whole
    days, in the fitted dtype, resolution and time zone.
    """

    codec = "time"

    def __init__(self, name, dtype, frame, kind, scaling, observed):
        super().__init__(name, dtype, frame, kind, scaling, observed)
        self.origin = 0
        self.step = 1

    def ticks(self, column):
        """The column, in the fitted dtype, as int64 ticks of its unit; NaT as NAT.

        A column that arrives in another unit or frequency is converted first.
        Datetimes with a time zone are read on the zone's wall clock, so that
        local midnights lie on a grid of whole days across daylight saving.
        """
        series = pd.Series(column)
        if series.dtype != self.dtype:
            try:
                series = series.astype(self.dtype)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"{self.label} has dtype {series.dtype}, but fit saw "
                    f"{self.dtype} ({exc})."
                ) from exc
        if isinstance(self.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
        return np.asarray(series.array.asi8, dtype=np.int64)

    def values(self, column):
        ticks = self.ticks(column)
        offsets = ticks - self.origin
        values = offsets / self.step
        # Far from the fitted range the int64 difference wraps around.
        wrapped = (ticks >= self.origin) != (offsets >= 0)
        if wrapped.any():
            far = ticks[wrapped].astype(np.float64)
            values[wrapped] = (far - self.origin) / self.step
        values[ticks == NAT] = np.nan
        return values

    def fit_values(self, column):
        """Record the origin and step of the column's grid; return its values."""
        ticks = self.ticks(column)
        observed = ticks[ticks != NAT]
        if len(observed):
            origin = int(observed.min())
            self.set_grid(origin, observed - origin, int(observed.max()))
        return self.values(column)

    def set_grid(self, origin, offsets, last):
        """Take the earliest tick ``origin`` and the largest step ``offsets`` allow.

        ``offsets`` are ticks minus ``origin``, or their greatest common
        divisor (what a table fitted in chunks knows of them); ``last`` is
        the latest tick.
        """
        self.origin, self.step = origin, 1
        if last - origin >= 2**62:
            raise ValueError(
                f"{self.label} spans too long a time for its unit ({self.dtype}): "
                "convert it to a coarser one, e.g. with .dt.as_unit('s')."
            )
        offsets = np.atleast_1d(np.asarray(offsets, dtype=np.int64))
        if self.kind == PERIOD:
            # Multiples of a frequency (2 days, a quarter) keep their spacing.
            self.step = max(int(np.gcd.reduce(offsets)) if len(offsets) else 1, 1)
            return
        unit = UNIT_NS[np.datetime_data(self._numpy_dtype())[0]]
        for step_ns in TIME_STEPS_NS:
            if step_ns >= unit and np.all(offsets % (step_ns // unit) == 0):
                self.step = step_ns // unit
                return

    def _numpy_dtype(self):
        """The numpy dtype of the column's ticks: datetime64 or timedelta64."""
        if isinstance(self.dtype, pd.DatetimeTZDtype):
            unit = self.dtype.unit
        else:
            unit = np.datetime_data(self.dtype)[0]
        return np.dtype(f"{'m8' if self.kind == TIMEDELTA else 'M8'}[{unit}]")

    def cast(self, values, missing=None):
        ticks = self.origin + values.astype(np.int64) * self.step
        if missing is not None:
            ticks[missing] = NAT
        if self.kind == PERIOD:
            return pd.arrays.PeriodArray(ticks, dtype=self.dtype)
        array = ticks.view(self._numpy_dtype())
        if isinstance(self.dtype, pd.DatetimeTZDtype):
            # Wall-clock times: an hour that occurs twice is taken in standard
            # time, one that does not occur is moved past the gap.
            index = pd.DatetimeIndex(array).tz_localize(
                self.dtype.tz,
                ambiguous=np.zeros(len(array), dtype=bool),
                nonexistent="shift_forward",
            )
            return index.array
        return pd.array(array)

    def _state(self):
        return {**super()._state(), "origin": self.origin, "step": self.step}

    @classmethod
    def from_dict(cls, state, fail, frame):
        codec = super().from_dict(state, fail, frame)
        codec.origin, codec.step = state["origin"], state["step"]
        if not (type(codec.origin) is int and abs(codec.origin) < 2**63):
            fail("origin must be an int64")
        if not (type(codec.step) is int and 1 <= codec.step < 2**62):
            fail("step must be a positive int")
        dtype = codec.dtype
        families = {
            DATETIME: isinstance(dtype, pd.DatetimeTZDtype)
            or isinstance(dtype, np.dtype)
            and dtype.kind == "M",
            TIMEDELTA: isinstance(dtype, np.dtype) and dtype.kind == "m",
            PERIOD: isinstance(dtype, pd.PeriodDtype),
        }
        if not families.get(codec.kind, False):
            fail(f"kind {codec.kind!r:.60} cannot have dtype {dtype}")
        reach = max(abs(codec.min), abs(codec.max)) * codec.step
        if not abs(codec.origin) + reach < 2**63 - 1:
            fail("origin and range reach beyond int64 ticks")
        return codec


class MissingCodec(Codec):
    """A number that may be missing: the number, and a [present, missing] block.

    Where a value is missing its number is encoded as 0 and the loss ignores it
    (see ``missing_slots``); the indicator is learned like a binary category,
    so decoding puts a missing value back where the model predicts one.
    """

    codec = "missing"

    def __init__(self, inner):
        super().__init__(inner.name, inner.dtype, inner.frame)
        self.inner = inner
        self.kind = inner.kind
        self.indicator = 0

    n_numbers = 1

    @property
    def block_widths(self):
        return [2]

    @property
    def blocks(self):
        return [(self.indicator, self.indicator + 2)]

    @property
    def missing_slots(self):
        return [(self.inner.start, self.indicator + 1)]

    @property
    def log_unit(self):
        return self.inner.log_unit

    def place(self, numbers, blocks):
        self.inner.place(numbers, [])
        self.start, self.stop = self.inner.start, self.inner.stop
        self.indicator = blocks[0]

    def encode(self, column, out, handle_unknown):
        values = self.inner.values(column)
        missing = np.isnan(values)
        self.inner.write(np.where(missing, self.inner.centre(), values), out)
        out[missing, self.start] = 0.0
        out[:, self.indicator] = ~missing
        out[:, self.indicator + 1] = missing

    def decode(self, Xt):
        missing = Xt[:, self.indicator + 1] > Xt[:, self.indicator]
        return self.inner.cast(self.inner.read(Xt), missing)

    def to_dict(self):
        return {"codec": self.codec, "inner": self.inner.to_dict()}

    @classmethod
    def from_dict(cls, state, fail, frame):
        inner = state["inner"]
        if not (isinstance(inner, dict) and inner.get("codec") in ("number", "time")):
            fail("inner must be a number or time codec")
        return cls(read_codec(inner, fail, frame))


class CategoryCodec(Codec):
    """A one-hot block over the fitted categories, plus a slot for a missing value.

    Holds categorical, boolean and few-valued (``"discrete"``) columns. The
    block is decoded by argmax; a discrete column's unseen numbers are
    encoded as the nearest fitted value, since its categories are ordered
    numbers.
    """

    codec = "category"
    one_hot = True

    def __init__(self, name, dtype, frame, kind):
        super().__init__(name, dtype, frame)
        self.kind = kind
        self.categories = None
        self.missing = False
        self.missing_value = None

    @property
    def block_widths(self):
        return [len(self.categories) + self.missing]

    def fit(self, column):
        """Record the categories (and whether a value is missing); return codes."""
        if self.frame and isinstance(self.dtype, pd.CategoricalDtype):
            self.categories = self.dtype.categories.to_numpy()
            codes = column.cat.codes.to_numpy()
            missing = codes < 0
        elif self.kind == BOOLEAN:
            self.categories = np.array([False, True])
            values = float_values(column, self.label)
            missing = np.isnan(values)
            codes = np.where(missing, -1, values == 1).astype(np.int64)
        else:
            values = np.asarray(column)
            if self.kind == DISCRETE:
                values = float_values(column, self.label)
            try:
                codes, uniques = pd.factorize(values, use_na_sentinel=True)
            except TypeError as exc:
                raise TypeError(
                    f"{self.label} holds values that cannot be categories ({exc})."
                ) from exc
            uniques = np.asarray(uniques)
            if self.kind == DISCRETE and self.frame:
                numpy_dtype = getattr(self.dtype, "numpy_dtype", self.dtype)
                if numpy_dtype.kind in "iu":
                    uniques = uniques.astype(numpy_dtype)
            self.categories = sorted_categories(uniques)
            rank = pd.Index(self.categories).get_indexer(uniques)
            missing = codes < 0
            if len(rank):
                codes = np.where(missing, -1, rank[codes])
        self.missing = bool(missing.any())
        if self.missing:
            self.missing_value = self._missing_value(column, missing)
            codes = np.where(missing, len(self.categories), codes)
        return codes

    def _missing_value(self, column, missing):
        """The value a decoded missing entry takes in this column's dtype."""
        if isinstance(self.dtype, pd.api.extensions.ExtensionDtype):
            return self.dtype.na_value
        if self.dtype == object:
            return np.asarray(column)[np.argmax(missing)]
        return np.nan

    def codes(self, column, handle_unknown):
        """Return the block position of each value; -1 encodes as all zeros."""
        n_categories = len(self.categories)
        if self.frame and isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            missing = codes < 0
            if not column.dtype.categories.equals(pd.Index(self.categories)):
                mapping = pd.Index(self.categories).get_indexer(column.dtype.categories)
                # The appended -1 keeps a missing value's code at -1.
                codes = np.append(mapping, -1)[codes]
        else:
            values = np.asarray(column)
            if self.kind == DISCRETE:
                values = float_values(column, self.label)
            if values.dtype == object or values.dtype.kind in "fc":
                missing = np.asarray(pd.isna(values))
            else:
                missing = np.zeros(len(values), dtype=bool)
            try:
                codes = _category_index(self.categories, values).get_indexer(
                    _comparable(values, self.categories)
                )
            except TypeError as exc:
                raise TypeError(
                    f"{self.label} holds values that cannot be categories ({exc})."
                ) from exc
            if self.kind == DISCRETE:
                codes = self._nearest(values, codes, missing)
        codes = codes.astype(np.int64)
        if self.missing:
            codes[missing] = n_categories
        unknown = codes < 0
        if unknown.any() and handle_unknown == "error":
            if (unknown == missing).all():
                problem = "missing values, but fit saw none there"
            else:
                values = np.asarray(column, dtype=object)[unknown & ~missing]
                unseen = describe_values(list(pd.unique(values)))
                problem = f"unknown categories {unseen}: fit did not see them"
                if (unknown & missing).any():
                    problem += " (and missing values, which fit did not see either)"
            raise ValueError(
                f"Found {problem}, in {self.label} during transform. Refit on data "
                "that has them, or pass handle_unknown='ignore' to encode them as "
                "all zeros."
            )
        return codes

    def _nearest(self, values, codes, missing):
        """Codes of unseen numbers: the nearest fitted value's."""
        unseen = (codes < 0) & ~missing
        if not unseen.any():
            return codes
        if np.isinf(values[unseen]).any():
            raise ValueError(f"Input X contains infinity in the numeric {self.label}.")
        grid = self.categories.astype(np.float64)
        right = np.clip(np.searchsorted(grid, values[unseen]), 1, len(grid) - 1)
        if len(grid) == 1:
            nearest = np.zeros(unseen.sum(), dtype=np.int64)
        else:
            left = right - 1
            closer_left = values[unseen] - grid[left] <= grid[right] - values[unseen]
            nearest = np.where(closer_left, left, right)
        codes = codes.copy()
        codes[unseen] = nearest
        return codes

    def write(self, codes, out):
        """Set the indicator of each row's code in the block (none for -1)."""
        rows = np.flatnonzero(codes >= 0)
        out[rows, self.start + codes[rows]] = 1.0

    def encode(self, column, out, handle_unknown):
        self.write(self.codes(column, handle_unknown), out)

    def decode(self, Xt):
        codes = Xt[:, self.start : self.stop].argmax(axis=1)
        n_categories = len(self.categories)
        missing = codes == n_categories if self.missing else None
        if self.frame and isinstance(self.dtype, pd.CategoricalDtype):
            codes = np.where(missing, -1, codes) if self.missing else codes
            return pd.Categorical.from_codes(codes, dtype=self.dtype)
        if n_categories:
            values = self.categories.take(np.minimum(codes, n_categories - 1))
        else:
            values = np.empty(len(codes), dtype=object)
        if self.missing:
            if not (values.dtype.kind == "f" and _is_nan(self.missing_value)):
                values = values.astype(object)
            values[missing] = self.missing_value
        if not self.frame:
            return values
        if isinstance(self.dtype, pd.api.extensions.ExtensionDtype):
            return pd.array(values, dtype=self.dtype)
        if self.missing and self.dtype.kind in "iub":
            # A missing value in a numpy int or bool column is impossible.
            return values
        return values.astype(self.dtype, copy=False)

    def _state(self):
        return {
            **super()._state(),
            "categories": self.categories,
            "missing": self.missing,
            "missing_value": self.missing_value,
        }

    @classmethod
    def from_dict(cls, state, fail, frame):
        codec = cls(state["name"], state["dtype"], frame, state["kind"])
        codec.categories = state["categories"]
        codec.missing, codec.missing_value = state["missing"], state["missing_value"]
        if codec.kind not in (CATEGORICAL, BOOLEAN, DISCRETE):
            fail(f"kind cannot be {codec.kind!r:.60}")
        categories = codec.categories
        if not (
            isinstance(categories, np.ndarray)
            and categories.ndim == 1
            and pd.Index(categories).is_unique
        ):
            fail("categories must be a 1-D array of distinct values")
        if not isinstance(codec.missing, bool):
            fail("missing must be a bool")
        if isinstance(codec.dtype, pd.CategoricalDtype) and (
            codec.dtype.categories is None
            or len(codec.dtype.categories) != len(categories)
        ):
            fail("its dtype's categories are not its categories")
        if codec.kind == DISCRETE and not (
            categories.dtype.kind in "iuf" and np.all(np.diff(categories) > 0)
        ):
            fail("a discrete column's categories must be increasing numbers")
        if not len(categories) + codec.missing:
            fail("a category column needs at least one category")
        return codec


class DroppedCodec(Codec):
    """A column left out of the model (an identifier, free text): no slots.

    Decoding returns it as missing values of its dtype.
    """

    codec = "dropped"
    kind = DROPPED

    def fit(self, column):
        """Nothing to learn."""

    def encode(self, column, out, handle_unknown):
        """Nothing to write."""

    def decode(self, Xt):
        values = np.full(len(Xt), None, dtype=object)
        if self.frame and isinstance(self.dtype, pd.api.extensions.ExtensionDtype):
            return pd.array(values, dtype=self.dtype)
        return values

    @classmethod
    def from_dict(cls, state, fail, frame):
        return cls(state["name"], state["dtype"], frame)


CODECS = {
    codec.codec: codec
    for codec in (NumberCodec, TimeCodec, MissingCodec, CategoryCodec, DroppedCodec)
}

# The fields of each codec's saved state, besides "codec".
FIELDS = {
    "number": (
        "name kind dtype scaling observed mean scale min max quantiles decimals"
    ).split(),
    "time": (
        "name kind dtype scaling observed mean scale min max quantiles decimals "
        "origin step"
    ).split(),
    "missing": ["inner"],
    "category": "name kind dtype categories missing missing_value".split(),
    "dropped": ["name", "kind", "dtype"],
}


def _is_real(value):
    return type(value) is float or type(value) is int and abs(value) < 2**1000


def _is_scalar(value):
    return value is None or value is pd.NA or isinstance(value, (int, float, str))


# Checks of the fields every codec shares, by name.
FIELD_CHECKS = {
    "name": _is_scalar,
    "kind": lambda kind: isinstance(kind, str),
    "dtype": lambda dtype: isinstance(
        dtype, (np.dtype, pd.api.extensions.ExtensionDtype)
    ),
    "mean": _is_real,
    "scale": _is_real,
    "min": _is_real,
    "max": _is_real,
    "missing_value": _is_scalar,
}


def read_codec(state, fail, frame):
    """A codec from what its ``to_dict`` returned, checked field by field.

    ``fail(message)`` raises; ``frame`` says whether the encoder was fitted on
    a DataFrame.
    """
    if not isinstance(state, dict) or state.get("codec") not in CODECS:
        fail(f"a column must be a dict with 'codec' one of {sorted(CODECS)}")
    names = FIELDS[state["codec"]]
    if set(state) != {"codec", *names}:
        fail(f"a {state['codec']} column must have the fields {names}")
    for name in names:
        check = FIELD_CHECKS.get(name)
        if check is not None and not check(state[name]):
            fail(f"{name} cannot be {state[name]!r:.60}")
    return CODECS[state["codec"]].from_dict(state, fail, frame)
