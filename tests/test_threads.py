"""Torch threads inside joblib's workers: each fit keeps to its share.

In process workers a fit keeps to its share of the cores; in thread workers
(joblib's ``"threading"`` backend) fits run side by side in one process and
give the results they give alone.
"""

import os

import joblib
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from skgen import AutoEncoder

N_JOBS = 2

# What joblib's process workers and dask's nannies set to limit thread pools.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


class RecordThreads(Callback):
    """Record torch's thread count in the history at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


def claim_every_core(X):
    """Let torch use every core, as in a worker whose torch started unlimited."""
    torch.set_num_threads(os.cpu_count())
    return X


def threads_in_fit(estimator, X, y=None):
    """Scorer: the most torch threads the pipeline's last step trained with."""
    return threads_in_last_step(estimator[-1], X, y)


def threads_in_last_step(estimator, X, y=None):
    """Scorer: the most torch threads the estimator trained with."""
    return max(estimator.history_[:, "torch_threads"])


def process_id(estimator, X, y=None):
    """Scorer: the id of the process that fitted and scores the estimator."""
    return os.getpid()


def thread_search(n_jobs=N_JOBS):
    """A search whose scores are the torch threads each fit used.

    Ahead of the AutoEncoder, a step gives torch every core, so the fit keeps
    to its share only if skgen limits torch itself.
    """
    pipeline = Pipeline(
        [
            ("claim", FunctionTransformer(claim_every_core)),
            (
                "ae",
                AutoEncoder(
                    hidden_layer_sizes=(8,),
                    max_epochs=2,
                    callbacks=[RecordThreads()],
                    random_state=0,
                ),
            ),
        ]
    )
    return GridSearchCV(
        pipeline,
        {"ae__n_components": [1, 2]},
        cv=2,
        scoring={"threads": threads_in_fit, "pid": process_id},
        refit=False,
        n_jobs=n_jobs,
    )


def split_scores(search, name):
    """The per-split test scores ``name`` of every candidate, as one list."""
    n_splits = search.n_splits_
    results = search.cv_results_
    return [v for i in range(n_splits) for v in results[f"split{i}_test_{name}"]]


def share_of_cores(n_jobs=N_JOBS):
    """Torch threads a fit may use when ``n_jobs`` fits share the machine."""
    return max(1, joblib.cpu_count() // n_jobs)


def test_loky_workers_keep_to_their_share(X_digits, monkeypatch):
    # joblib hands workers cpu_count // n_jobs threads unless the parent sets
    # the variables itself, as this suite's session fixture does.
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    search = thread_search()
    with joblib.parallel_backend("loky"):
        search.fit(X_digits)

    assert os.getpid() not in split_scores(search, "pid")
    threads = split_scores(search, "threads")
    assert min(threads) >= 1
    assert max(threads) <= share_of_cores()


@pytest.mark.skipif(os.cpu_count() < 2, reason="one core: nothing to share")
def test_in_process_fit_keeps_to_omp_num_threads(X_digits, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    original = torch.get_num_threads()
    search = thread_search(n_jobs=1)
    try:
        search.fit(X_digits)
    finally:
        torch.set_num_threads(original)
    assert split_scores(search, "threads") == [1, 1, 1, 1]


def test_threading_backend_matches_serial(X_digits):
    """Fits in joblib's thread workers are bit-identical to serial fits."""
    search = GridSearchCV(
        AutoEncoder(
            hidden_layer_sizes=(8,),
            dropout=0.2,
            noise_std=0.1,
            max_epochs=3,
            callbacks=[RecordThreads()],
            random_state=0,
        ),
        {"n_components": [1, 2]},
        cv=2,
        scoring={"score": None, "threads": threads_in_last_step},
        refit=False,
        n_jobs=N_JOBS,
    )
    serial = clone(search).set_params(n_jobs=1).fit(X_digits)
    with joblib.parallel_backend("threading"):
        threaded = search.fit(X_digits)

    for name in ("score", "threads"):
        assert split_scores(threaded, name) == split_scores(serial, name)
    # The suite's OMP_NUM_THREADS=1 holds in every thread worker.
    assert set(split_scores(threaded, "threads")) == {1}
