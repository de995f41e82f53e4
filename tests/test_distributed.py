"""Hyperparameter search scaled out on Dask through joblib's ``dask`` backend.

A local cluster of two single-threaded worker processes stands in for a real
one: the searches must pick what a local run picks, with fits running in the
workers, and each fit must keep to the worker's share of the cores.
"""

import os

import joblib
import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import GAN, VAE, AutoEncoder
from tests.test_threads import (
    THREAD_VARIABLES,
    process_id,
    share_of_cores,
    split_scores,
    thread_search,
)

distributed = pytest.importorskip("distributed")

N_WORKERS = 2


@pytest.fixture(scope="module")
def client():
    """A client of a local cluster of 2 single-threaded worker processes.

    The workers start without the session's thread variables, so they get
    only what dask sets for them.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in THREAD_VARIABLES:
            patch.delenv(name, raising=False)
        cluster = distributed.LocalCluster(
            n_workers=N_WORKERS,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


def worker_pids(client):
    """Process ids of the cluster's workers."""
    return set(client.run(os.getpid).values())


def search_both_ways(search, client, X, y=None):
    """Fit a clone of ``search`` locally and ``search`` on the cluster."""
    local = clone(search).fit(X, y)
    with joblib.parallel_backend("dask"):
        search.fit(X, y)
    assert set(split_scores(search, "pid")) <= worker_pids(client)
    return local, search


def assert_same_search(local, dask):
    """Same winner and the same scores, candidate by candidate."""
    assert dask.best_params_ == local.best_params_
    np.testing.assert_allclose(
        dask.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        rtol=1e-6,
    )


def test_pipeline_search_matches_local(client):
    X, y = load_digits(return_X_y=True)
    X, y = X[:240], y[:240]
    pipeline = make_pipeline(
        StandardScaler(),
        AutoEncoder(hidden_layer_sizes=(16,), max_epochs=5, random_state=0),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(
        pipeline,
        {"autoencoder__n_components": [1, 4]},
        cv=3,
        scoring={"score": "accuracy", "pid": process_id},
        refit="score",
    )
    local, dask = search_both_ways(search, client, X, y)
    assert_same_search(local, dask)
    assert dask.best_params_ == {"autoencoder__n_components": 4}


def test_imblearn_gan_pipeline_search_matches_local(client):
    X, y = make_classification(
        n_samples=200, n_features=6, weights=[0.8], random_state=0
    )
    pipeline = ImbPipeline(
        [
            (
                "gan",
                GAN(
                    generator_layer_sizes=(16,),
                    discriminator_layer_sizes=(16,),
                    max_epochs=2,
                    batch_size=64,
                    random_state=0,
                ),
            ),
            ("clf", RandomForestClassifier(n_estimators=10, random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipeline,
        {"gan__sampling_strategy": [0.5, 1.0]},
        cv=3,
        scoring={"score": "balanced_accuracy", "pid": process_id},
        refit="score",
    )
    local, dask = search_both_ways(search, client, X, y)
    assert_same_search(local, dask)


def test_dask_workers_keep_to_their_share(client, X_digits):
    search = thread_search()
    with joblib.parallel_backend("dask"):
        search.fit(X_digits)

    assert set(split_scores(search, "pid")) <= worker_pids(client)
    threads = split_scores(search, "threads")
    assert min(threads) >= 1
    assert max(threads) <= share_of_cores(N_WORKERS)


# Dask DataFrames on the cluster (skgen.dask, fit) ----------------------------


def cluster_frame(n_rows=900):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n_rows),
            "n": rng.integers(0, 50, n_rows),
            "c": pd.Categorical(rng.choice(["a", "b", "c"], n_rows)),
        }
    )


def test_dask_methods_on_the_cluster_equal_in_memory(client):
    dd = pytest.importorskip("dask.dataframe")
    import skgen.dask

    df = cluster_frame()
    ddf = dd.from_pandas(df, npartitions=3)
    vae = VAE(hidden_layer_sizes=(16,), max_epochs=2, random_state=0).fit(df)
    # The model travels to the workers, which compute the partitions.
    Z = client.compute(skgen.dask.transform(vae, ddf)).result()
    np.testing.assert_array_equal(Z.to_numpy(), vae.transform(df))
    scores = client.compute(skgen.dask.score_samples(vae, ddf)).result()
    np.testing.assert_array_equal(scores.to_numpy(), vae.score_samples(df))


def test_dask_sample_on_the_cluster_equals_local(client, monkeypatch):
    pytest.importorskip("dask.dataframe")
    import dask

    import skgen.dask

    monkeypatch.setattr(skgen.dask, "BLOCK_ROWS", 200)
    vae = VAE(hidden_layer_sizes=(16,), max_epochs=2, random_state=0)
    vae.fit(cluster_frame())
    rows = skgen.dask.sample(vae, 1_500, partition_rows=400, random_state=7)
    on_cluster = client.compute(rows).result()
    local = dask.compute(rows, scheduler="sync")[0]
    pd.testing.assert_frame_equal(on_cluster, local)


def test_dask_fit_with_a_client_reads_partitions_on_the_cluster(client):
    dd = pytest.importorskip("dask.dataframe")
    import dask

    df = cluster_frame()
    ddf = dd.from_pandas(df, npartitions=3)
    on_cluster = AutoEncoder(hidden_layer_sizes=(16,), max_epochs=2, random_state=0)
    on_cluster.fit(ddf)
    local = AutoEncoder(hidden_layer_sizes=(16,), max_epochs=2, random_state=0)
    with dask.config.set(scheduler="sync"):
        local.fit(ddf)
    np.testing.assert_array_equal(on_cluster.transform(df), local.transform(df))
