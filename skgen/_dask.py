"""Fitting on a Dask DataFrame: the table's layout in one pass, then chunks.

``fit`` and ``partial_fit`` take a ``dask.dataframe.DataFrame`` whose rows
need not fit in memory. :func:`fit_layout` describes every partition where
it lives (:func:`skgen._summary.summarise_chunk`) in one ``compute``, and
fits the table encoder from the merged description; :func:`stream_table`
gives the training loop the partitions one at a time, encoded as they
arrive. Dask is imported only here, and only when such a frame is passed.
"""

import numpy as np

from skgen._summary import merge_summaries, summarise_chunk
from skgen._tabular import _column_family, resolve_categorical_features
from skgen._training import StreamedTable


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


def fit_layout(encoder, X, *, seed, feature_names):
    """Fit ``encoder`` on all partitions of ``X`` in one pass.

    Returns ``(encoded_sample, n_rows)``.
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
    (summaries,) = dask.compute(summaries)
    summary = merge_summaries(summaries)
    if not summary.n_rows:
        raise ValueError("X is a Dask DataFrame with no rows.")
    _check_sample_dtypes(summary.sample, meta)
    return encoder.fit_summary(summary, feature_names=feature_names), summary.n_rows


def _check_sample_dtypes(sample, meta):
    """Refuse partitions whose dtypes are not those Dask's ``meta`` announces."""
    for name, dtype in meta.dtypes.items():
        found = sample[name].dtype
        if _column_family(name, found) != _column_family(name, dtype):
            raise TypeError(
                f"Column {name!r} of the Dask DataFrame announces dtype {dtype} "
                f"but its partitions hold {found}; fix the meta (astype) first."
            )


def stream_table(encoder, X, *, sample, n_rows=None):
    """The encoded partitions of ``X`` as a :class:`StreamedTable`.

    A partition is computed (on the cluster, when a Dask client is active)
    and encoded only when the training loop reaches it.
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
    return StreamedTable(
        load, encoder.transform, len(parts), n_rows, np.asarray(sample)
    )
