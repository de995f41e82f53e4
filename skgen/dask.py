"""Generate and encode rows of a fitted skgen model in parallel with Dask.

A fitted model is an ordinary picklable object, so Dask can ship it to its
workers. These functions build the lazy Dask collections that do so, each
partition on its own, with the right ``meta``:

- :func:`sample` draws a Dask DataFrame of any number of rows, in blocks
  with seeds of their own, so the rows are the same whatever the partitions,
  workers and threads (write it with ``.to_parquet``);
- :func:`transform`, :func:`inverse_transform` and :func:`score_samples`
  apply the model's method to every partition of a Dask DataFrame, with the
  results the method gives in memory.

To fit on a Dask DataFrame, pass it to the estimator's ``fit`` or
``partial_fit`` (see :ref:`ug_scaling`). Requires ``dask[dataframe]``
(``pip install "skgen[distributed]"``).
"""

import contextlib

import numpy as np
import pandas as pd
import torch
from sklearn.utils.validation import check_is_fitted

from skgen._dask import check_frame
from skgen._mixins import check_n_samples
from skgen._torch import derive_seed

__all__ = ["inverse_transform", "sample", "score_samples", "transform"]

# Rows drawn with one seed. Rows depend on their block, not on the partition
# that holds them; partitions hold whole blocks.
BLOCK_ROWS = 100_000


def sample(model, n_samples, *, y=None, partition_rows=1_000_000, random_state=None):
    """Draw ``n_samples`` new rows from a fitted model, as a lazy Dask DataFrame.

    Block ``b`` of :data:`BLOCK_ROWS` rows is ``model.sample(rows,
    y=y, random_state=s_b)`` with ``s_b`` a seed of its own drawn from
    ``random_state`` and ``b`` (NumPy's ``SeedSequence``), made on one torch
    thread; partitions hold whole blocks. The rows therefore do not depend
    on ``partition_rows``, on the number of workers or threads, or on the
    order in which Dask runs the blocks; nothing is drawn until the frame is
    computed or written.

    Parameters
    ----------
    model : fitted skgen generator
        A VAE, GAN or AutoregressiveGenerator (anything with ``sample``),
        fitted on a DataFrame.

    n_samples : int
        Number of rows.

    y : label or None, default=None
        For a model fitted with classes: one class for every row, or
        ``None`` to draw the classes as ``model.sample`` does.

    partition_rows : int, default=1_000_000
        Rows per partition, rounded up to whole blocks.

    random_state : int, RandomState instance or None, default=None
        Seeds the blocks' seeds; an int gives the same rows every time.

    Returns
    -------
    X : dask.dataframe.DataFrame
        ``n_samples`` rows with the model's columns and dtypes, indexed 0 to
        ``n_samples - 1``. As in any Dask DataFrame, columns of Python
        strings (``object``) come as pandas' string dtype, unless Dask's
        ``dataframe.convert-string`` setting is off.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skgen import VAE
    >>> import skgen.dask
    >>> X, _ = load_iris(return_X_y=True, as_frame=True)
    >>> vae = VAE(max_epochs=5, random_state=0).fit(X)
    >>> rows = skgen.dask.sample(vae, 250_000, partition_rows=100_000, random_state=0)
    >>> rows.npartitions, len(rows.partitions[1].compute())
    (3, 100000)
    """
    import dask.dataframe as dd

    check_is_fitted(model)
    check_n_samples(n_samples)
    if not getattr(model.table_encoder_, "is_frame_", False):
        raise ValueError(
            "skgen.dask.sample makes DataFrames: fit the model on a DataFrame "
            "(pd.DataFrame(X) names the columns 0, 1, ...)."
        )
    if not (np.ndim(y) == 0):
        raise ValueError(
            "y must be one class label or None for skgen.dask.sample; draw "
            "one frame per class to give the classes."
        )
    if int(partition_rows) < 1:
        raise ValueError(f"partition_rows must be positive, got {partition_rows}.")
    seed = derive_seed(random_state)
    blocks_per_partition = -(-int(partition_rows) // BLOCK_ROWS)
    n_blocks = -(-n_samples // BLOCK_ROWS)
    starts = list(range(0, n_blocks, blocks_per_partition))
    # Each partition carries all it needs, so workers read no global.
    partitions = [
        (
            seed,
            range(first, min(first + blocks_per_partition, n_blocks)),
            BLOCK_ROWS,
            n_samples,
            y,
        )
        for first in starts
    ]
    meta = model.sample(1, y=y, random_state=0).iloc[:0]
    divisions = [first * BLOCK_ROWS for first in starts] + [n_samples - 1]
    return dd.from_map(
        _SampleBlocks(model),
        partitions,
        meta=meta,
        divisions=divisions,
        enforce_metadata=False,
    )


class _SampleBlocks:
    """Draw a partition's blocks of rows; what :func:`sample` maps."""

    def __init__(self, model):
        self.model = model

    def __call__(self, partition):
        seed, blocks, block_rows, n_samples, y = partition
        frames = []
        with _one_thread():
            for block in blocks:
                start = block * block_rows
                rows = min(block_rows, n_samples - start)
                entropy = np.random.SeedSequence([seed, block])
                frame = self.model.sample(
                    rows, y=y, random_state=int(entropy.generate_state(1)[0])
                )
                frames.append(frame.set_axis(pd.RangeIndex(start, start + rows)))
        return pd.concat(frames) if len(frames) > 1 else frames[0]


@contextlib.contextmanager
def _one_thread():
    """Run torch on one intra-op thread in this thread (rows then never vary)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def transform(model, X):
    """``model.transform`` of every partition of a Dask DataFrame, lazily.

    Parameters
    ----------
    model : fitted skgen transformer
        An AutoEncoder or VAE.

    X : dask.dataframe.DataFrame
        Rows with the columns seen in fit.

    Returns
    -------
    Z : dask.dataframe.DataFrame
        The codes, with the columns of ``model.get_feature_names_out()`` and
        the index of ``X``; each partition equals ``model.transform`` of it.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from sklearn.datasets import load_iris
    >>> from skgen import AutoEncoder
    >>> import skgen.dask
    >>> X, _ = load_iris(return_X_y=True, as_frame=True)
    >>> ae = AutoEncoder(n_components=2, max_epochs=5, random_state=0).fit(X)
    >>> Z = skgen.dask.transform(ae, dd.from_pandas(X, npartitions=3))
    >>> bool((Z.compute().to_numpy() == ae.transform(X)).all())
    True
    """
    check_is_fitted(model)
    X = check_frame(X)
    names = model.get_feature_names_out()
    meta = pd.DataFrame(np.zeros((0, len(names)), _float_dtype(X)), columns=names)
    return X.map_partitions(_transform_part, model, names, meta=meta)


def score_samples(model, X):
    """``model.score_samples`` of every partition of a Dask DataFrame, lazily.

    Parameters
    ----------
    model : fitted skgen AutoEncoder or VAE

    X : dask.dataframe.DataFrame
        Rows with the columns seen in fit.

    Returns
    -------
    scores : dask.dataframe.Series
        One score per row, with the index of ``X``.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from sklearn.datasets import load_iris
    >>> from skgen import VAE
    >>> import skgen.dask
    >>> X, _ = load_iris(return_X_y=True, as_frame=True)
    >>> vae = VAE(max_epochs=5, random_state=0).fit(X)
    >>> scores = skgen.dask.score_samples(vae, dd.from_pandas(X, npartitions=3))
    >>> bool((scores.compute().to_numpy() == vae.score_samples(X)).all())
    True
    """
    check_is_fitted(model)
    X = check_frame(X)
    meta = pd.Series(np.zeros(0, _float_dtype(X)), name="score")
    return X.map_partitions(_score_part, model, meta=meta)


def inverse_transform(model, Z):
    """``model.inverse_transform`` of every partition of codes, lazily.

    Parameters
    ----------
    model : fitted skgen AutoEncoder or VAE

    Z : dask.dataframe.DataFrame
        Codes, one column per code (what :func:`transform` returns).

    Returns
    -------
    X : dask.dataframe.DataFrame
        Decoded rows with the fitted columns and dtypes (the model must have
        been fitted on a DataFrame), and the index of ``Z``.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from sklearn.datasets import load_iris
    >>> from skgen import AutoEncoder
    >>> import skgen.dask
    >>> X, _ = load_iris(return_X_y=True, as_frame=True)
    >>> ae = AutoEncoder(n_components=2, max_epochs=5, random_state=0).fit(X)
    >>> codes = skgen.dask.transform(ae, dd.from_pandas(X, npartitions=3))
    >>> skgen.dask.inverse_transform(ae, codes).compute().shape
    (150, 4)
    """
    check_is_fitted(model)
    Z = check_frame(Z, "Z")
    if not getattr(model.table_encoder_, "is_frame_", False):
        raise ValueError(
            "skgen.dask.inverse_transform makes DataFrames: fit the model on a "
            "DataFrame."
        )
    meta = model.inverse_transform(np.zeros((1, len(Z.columns)))).iloc[:0]
    return Z.map_partitions(_inverse_part, model, meta=meta)


def _float_dtype(X):
    """The float dtype a method's results take for ``X`` (see ``_check_table``)."""
    single = all(dtype == np.float32 for dtype in X.dtypes)
    return np.float32 if single else np.float64


def _transform_part(part, model, names):
    if not len(part):
        return pd.DataFrame(
            np.zeros((0, len(names)), _float_dtype(part)), columns=names
        )
    return pd.DataFrame(model.transform(part), index=part.index, columns=names)


def _score_part(part, model):
    if not len(part):
        return pd.Series(np.zeros(0, _float_dtype(part)), name="score")
    return pd.Series(model.score_samples(part), index=part.index, name="score")


def _inverse_part(part, model):
    if not len(part):
        return model.inverse_transform(np.zeros((1, part.shape[1]))).iloc[:0]
    return model.inverse_transform(part.to_numpy()).set_axis(part.index)
