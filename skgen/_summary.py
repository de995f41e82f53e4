"""What a table encoder needs to know of a table that comes in chunks.

A table too large for memory (the partitions of a Dask DataFrame) is read
once: :func:`summarise_chunk` describes each chunk, and
:func:`merge_summaries` joins the descriptions into a :class:`TableSummary`,
from which :meth:`skgen._tabular.TableEncoder.fit_summary` fits the same
layout as a fit on the whole table. Exact over all rows: the number of rows,
each column's missing values and infinities, the mean, standard deviation
and range of its numbers, the grid of its dates, its distinct values (all of
a categorical column's, up to ``max_discrete_values + 1`` of a number's).
From a uniform random sample of :data:`SAMPLE_ROWS` rows: the quantiles and
decimal places of numbers, which a fit in memory also estimates from at most
that many values. The summaries hold plain pandas and NumPy objects, so that
the chunks can be described where they are (on Dask's workers) and only the
descriptions travel.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skgen._codecs import NAT, SUBSAMPLE, float_values

# Rows of the random sample a chunked table's quantiles and decimal places
# are estimated from: as many values as a fit in memory uses.
SAMPLE_ROWS = SUBSAMPLE

# Distinct values a chunk may give of one categorical column. A string column
# with more is an identifier or free text, which the encoder leaves out.
MAX_CHUNK_CATEGORIES = 100_000

TIME_FAMILIES = ("datetime", "timedelta", "period")

# The sample's column of random keys while chunks are merged.
KEY = "__skgen_key__"


@dataclass
class NumberStats:
    """Moments, range and distinct values of a number column, over its rows.

    ``distinct`` holds the distinct finite values while there are at most
    ``limit`` of them, and is ``None`` beyond. Time columns keep their
    statistics in ticks from ``origin`` and the greatest common divisor of
    those offsets in ``spacing``.
    """

    n_rows: int = 0
    n_missing: int = 0
    n_inf: int = 0
    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    min: float = np.inf
    max: float = -np.inf
    distinct: np.ndarray | None = field(default_factory=lambda: np.zeros(0))
    origin: int | None = None
    spacing: int = 0
    last: int | None = None

    @property
    def std(self):
        """Population standard deviation of the finite values."""
        return float(np.sqrt(self.m2 / self.count)) if self.count else 0.0


@dataclass
class CategoryStats:
    """The distinct values of a categorical column (a Series of its dtype)."""

    values: pd.Series
    truncated: bool = False


@dataclass
class TableSummary:
    """A chunked table, as :meth:`TableEncoder.fit_summary` takes it."""

    n_rows: int
    sample: pd.DataFrame
    columns: list


def summarise_chunk(frame, *, declared, families, limit, seed, index):
    """Describe one chunk of a table (see the module's docstring).

    Parameters
    ----------
    frame : DataFrame
        The chunk.

    declared, families : sequences
        Per column, whether it is categorical, and its family
        (:func:`skgen._tabular._column_family`).

    limit : int
        ``max_discrete_values``: distinct numbers are kept up to one more.

    seed, index : int
        The fit's seed and the chunk's position: the random keys that choose
        the sample rows come from both, so the sample depends on the
        chunking, not on where or in what order chunks are described.
    """
    keys = np.random.default_rng([seed, index]).random(len(frame))
    keep = np.arange(len(frame))
    if len(frame) > SAMPLE_ROWS:
        keep = np.sort(np.argpartition(keys, SAMPLE_ROWS)[:SAMPLE_ROWS])
    columns = []
    for j, family in enumerate(families):
        column = frame.iloc[:, j]
        if declared[j]:
            columns.append(_category_stats(column))
        elif family in TIME_FAMILIES:
            columns.append(_time_stats(column))
        else:
            columns.append(_number_stats(column, limit))
    sample = frame.iloc[keep]
    return TableSummary(len(frame), sample.assign(**{KEY: keys[keep]}), columns)


def _category_stats(column):
    if isinstance(column.dtype, pd.CategoricalDtype):
        missing = column.isna().any()
        values = pd.Series(column.cat.categories).astype(column.dtype)
        if missing:
            values = pd.concat([values, column[column.isna()].iloc[:1]])
        return CategoryStats(values.reset_index(drop=True))
    values = column.drop_duplicates().reset_index(drop=True)
    truncated = len(values) > MAX_CHUNK_CATEGORIES
    return CategoryStats(values.iloc[:MAX_CHUNK_CATEGORIES], truncated)


def _moments(stats, values):
    """Set ``stats``' count, mean and squared deviations from finite ``values``."""
    stats.count = len(values)
    if stats.count:
        stats.mean = float(values.mean())
        stats.m2 = float(np.square(values - stats.mean).sum())
        stats.min, stats.max = float(values.min()), float(values.max())


def _number_stats(column, limit):
    values = float_values(column, f"column {column.name!r}")
    missing = np.isnan(values)
    infinite = np.isinf(values)
    finite = values[~(missing | infinite)]
    stats = NumberStats(len(values), int(missing.sum()), int(infinite.sum()))
    _moments(stats, finite)
    stats.distinct = None
    if limit and len(pd.unique(finite[: 20 * limit])) <= limit:
        distinct = pd.unique(finite)
        stats.distinct = np.sort(distinct) if len(distinct) <= limit else None
    return stats


def _time_stats(column):
    series = pd.Series(column)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    ticks = np.asarray(series.array.asi8, dtype=np.int64)
    observed = ticks[ticks != NAT]
    stats = NumberStats(len(ticks), len(ticks) - len(observed))
    if len(observed):
        stats.origin, stats.last = int(observed.min()), int(observed.max())
        offsets = observed - stats.origin
        stats.spacing = int(np.gcd.reduce(offsets))
        _moments(stats, offsets.astype(np.float64))
    return stats


def merge_summaries(summaries):
    """Join chunk summaries, in chunk order, into one :class:`TableSummary`.

    The sample keeps the :data:`SAMPLE_ROWS` rows with the smallest random
    keys of all chunks: a uniform sample of the whole table, in table order.
    """
    summary = combine_summaries(summaries)
    summary.sample = summary.sample.drop(columns=KEY)
    return summary


def combine_summaries(summaries):
    """:func:`merge_summaries`, keeping the sample's keys for further merges.

    Merging is associative, so summaries can be merged in a tree (where the
    chunks are) instead of all at once: the sample of a merge is the rows
    with the smallest keys of its parts, whatever the grouping.
    """
    summaries = [s for s in summaries if s.n_rows] or summaries[:1]
    samples = [s.sample for s in summaries]
    samples = _unify_categories(samples)
    sample = pd.concat(samples) if len(samples) > 1 else samples[0]
    if len(sample) > SAMPLE_ROWS:
        keys = sample[KEY].to_numpy()
        keep = np.sort(np.argpartition(keys, SAMPLE_ROWS)[:SAMPLE_ROWS])
        sample = sample.iloc[keep]
    columns = []
    for j in range(len(summaries[0].columns)):
        parts = [s.columns[j] for s in summaries]
        if isinstance(parts[0], CategoryStats):
            columns.append(_merge_categories(parts, sample.dtypes.iloc[j]))
        else:
            columns.append(_merge_numbers(parts))
    return TableSummary(sum(s.n_rows for s in summaries), sample, columns)


def _unify_categories(frames):
    """Give every category column of ``frames`` the union of their categories."""
    if len(frames) < 2:
        return frames
    first = frames[0]
    union = {}
    for j, dtype in enumerate(first.dtypes):
        if isinstance(dtype, pd.CategoricalDtype):
            categories = pd.Index(dtype.categories)
            for frame in frames[1:]:
                categories = categories.union(
                    frame.dtypes.iloc[j].categories, sort=False
                )
            union[first.columns[j]] = pd.CategoricalDtype(categories, dtype.ordered)
    if not union:
        return frames
    return [frame.astype(union) for frame in frames]


def _merge_categories(parts, dtype):
    values = [part.values for part in parts]
    if isinstance(dtype, pd.CategoricalDtype):
        values = [v.astype(dtype) for v in values]
    merged = pd.concat(values).drop_duplicates().reset_index(drop=True)
    truncated = any(part.truncated for part in parts)
    if len(merged) > MAX_CHUNK_CATEGORIES:
        merged, truncated = merged.iloc[:MAX_CHUNK_CATEGORIES], True
    return CategoryStats(merged, truncated)


def _merge_numbers(parts):
    """Chan's pairwise update of counts, means and squared deviations."""
    merged = NumberStats()
    shift = 0
    origins = [p.origin for p in parts if p.origin is not None]
    if origins:
        merged.origin = min(origins)
        merged.last = max(p.last for p in parts if p.last is not None)
    for part in parts:
        merged.n_rows += part.n_rows
        merged.n_missing += part.n_missing
        merged.n_inf += part.n_inf
        if not part.count:
            continue
        mean, low, high = part.mean, part.min, part.max
        if part.origin is not None:
            shift = part.origin - merged.origin
            merged.spacing = int(np.gcd(np.gcd(merged.spacing, part.spacing), shift))
            mean, low, high = mean + shift, low + shift, high + shift
        count = merged.count + part.count
        delta = mean - merged.mean
        merged.m2 += part.m2 + delta**2 * merged.count * part.count / count
        merged.mean += delta * part.count / count
        merged.count = count
        merged.min, merged.max = min(merged.min, low), max(merged.max, high)
        if merged.distinct is not None and part.distinct is not None:
            merged.distinct = np.union1d(merged.distinct, part.distinct)
        else:
            merged.distinct = None
    return merged
