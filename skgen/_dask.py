"""Fitting on a Dask DataFrame: the table's layout in one pass, then chunks.

``fit`` and ``partial_fit`` take a ``dask.dataframe.DataFrame`` whose rows
need not fit in memory. :func:`fit_layout` describes every partition where
it lives (:func:`skgen._summary.summarise_chunk`) in one ``compute``, and
fits the table encoder from the merged description; :func:`stream_table`
gives the training loop the partitions one at a time, encoded as they
arrive. Dask is imported only here, and only when such a frame is passed.
"""

import sys
import time

import numpy as np

from skgen._summary import combine_summaries, merge_summaries, summarise_chunk
from skgen._tabular import _column_family, resolve_categorical_features
from skgen._training import StreamedTable

# Partition summaries merged per step of the layout pass.
MERGE_FAN_IN = 4


def is_dask_frame(X):
    """Whether ``X`` is a Dask DataFrame (without importing Dask)."""
    module = type(X).__module__
    return module.split(".")[0] in ("dask", "dask_expr") and hasattr(X, "npartitions")


def check_frame(X, name="X"):
    """Refuse a Dask collection that is not a DataFrame of at least one column."""
    if not is_dask_frame(X) or X.ndim != 2:
        raise TypeError(
            f"{name} must be a dask.dataframe.DataFrame, got {type(X).__name__}."
        )
    if len(X.columns) < 1:
        raise ValueError(f"{name} is a Dask DataFrame with no columns.")
    return X


def fit_layout(encoder, X, *, seed, feature_names, verbose=0):
    """Fit ``encoder`` on all partitions of ``X`` in one pass.

    Returns ``(encoded_sample, n_rows)``; with ``verbose``, says how long the
    pass took.
    """
    import dask

    meta = X._meta
    families = [_column_family(name, dtype) for name, dtype in meta.dtypes.items()]
    declared = resolve_categorical_features(
        encoder.categorical_features, families, feature_names
    )
    describe = dask.delayed(summarise_chunk, pure=True)
    summaries = [
        describe(
            part,
            declared=declared.tolist(),
            families=families,
            limit=encoder.max_discrete_values,
            seed=seed,
            index=i,
        )
        for i, part in enumerate(X.to_delayed())
    ]
    # Merged in a tree of MERGE_FAN_IN, so that no step holds the samples of
    # all partitions (100,000 rows each, at most).
    combine = dask.delayed(combine_summaries, pure=True)
    while len(summaries) > MERGE_FAN_IN:
        summaries = [
            combine(summaries[i : i + MERGE_FAN_IN])
            for i in range(0, len(summaries), MERGE_FAN_IN)
        ]
    started = time.perf_counter()
    (summaries,) = dask.compute(summaries, scheduler=_layout_scheduler(summaries))
    summary = merge_summaries(summaries)
    if not summary.n_rows:
        raise ValueError("X is a Dask DataFrame with no rows.")
    if verbose:
        print(
            f"layout of {summary.n_rows:,} rows in {len(summaries)} partitions "
            f"read in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    _check_sample_dtypes(summary.sample, meta)
    return encoder.fit_summary(summary, feature_names=feature_names), summary.n_rows


def _layout_scheduler(summaries):
    """The scheduler of the layout pass: Dask's, but one thread for threads.

    The pass reads every partition, and in a process that also trains,
    Dask's threads each hold a partition and leave memory behind: on
    500,000-row partitions of 20 columns the pass took 637 MB beyond the
    process's baseline with the threaded scheduler and 306 MB with the
    synchronous one, for 1.6 s against 1.9 s per 3,000,000 rows. A
    distributed client, or any scheduler but the threaded one, is left as
    it is.
    """
    import dask.threaded
    from dask.base import get_scheduler

    if get_scheduler(collections=summaries) is dask.threaded.get:
        return "sync"
    return None


def _check_sample_dtypes(sample, meta):
    """Refuse partitions whose dtypes are not those Dask's ``meta`` announces."""
    for name, dtype in meta.dtypes.items():
        found = sample[name].dtype
        if _column_family(name, found) != _column_family(name, dtype):
            raise TypeError(
                f"Column {name!r} of the Dask DataFrame announces dtype {dtype} "
                f"but its partitions hold {found}; fix the meta (astype) first."
            )


def stream_table(encoder, X, *, sample, n_rows=None, verbose=0):
    """The encoded partitions of ``X`` as a :class:`StreamedTable`.

    A partition is computed (on the cluster, when a Dask client is active)
    while the one before trains, and encoded when training reaches it. With
    ``verbose``, about ten lines per pass say how far it got.
    """
    parts = X.to_delayed()
    columns = list(X.columns)

    def load(i):
        frame = parts[i].compute()
        if list(frame.columns) != columns:
            raise ValueError(
                f"Partition {i} of X has columns {list(frame.columns)}, not "
                f"those of the DataFrame's meta, {columns}."
            )
        return frame

    if n_rows is None:
        n_rows = int(X.map_partitions(len).sum().compute())
    report = PassProgress() if verbose else None
    return StreamedTable(
        load, encoder.transform, len(parts), n_rows, np.asarray(sample), report
    )


class PassProgress:
    """Lines on the partitions a pass has trained on, about ten per pass."""

    def __init__(self, lines=10, stream=None):
        self.lines = lines
        self.stream = stream

    def __call__(self, k, n_chunks, n_rows):
        if k == 1:
            self.started_, self.rows_ = time.perf_counter(), 0
        self.rows_ += n_rows
        if k % max(1, n_chunks // self.lines) and k != n_chunks:
            return
        seconds = time.perf_counter() - self.started_
        print(
            f"  partition {k}/{n_chunks} of this pass: {self.rows_:,} rows in "
            f"{seconds:.1f} s ({self.rows_ / seconds:,.0f} rows/s)",
            file=self.stream if self.stream is not None else sys.stderr,
            flush=True,
        )
