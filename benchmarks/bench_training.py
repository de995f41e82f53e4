"""Training and inference throughput: skgen's AutoEncoder vs a hand-written loop.

Both sides train the same torch module (``skgen._autoencoder_nets.AutoEncoderModule``)
with the same optimizer, learning rate, batch size and number of epochs; the
hand-written loop gets its tensors ready-made and draws ``randperm`` batches.
The two alternate within each repeat so machine noise hits both alike, and the
script prints medians and the ratio skgen / hand-written (1.0 = as fast).

Run ``python benchmarks/bench_training.py`` (add ``--quick`` for a short run).
"""

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from _tables import to_markdown
from _threads import limited_threads
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import AutoEncoder
from skgen._autoencoder_nets import AutoEncoderModule
from skgen._tabular import CHUNK_ROWS

N_COMPONENTS = 8
HIDDEN = (256, 128)
BATCH_SIZE = 128
LR = 1e-3


def make_datasets(quick):
    """Return ``{name: float32 array}``: digits and a 100,000 x 100 table."""
    digits = (load_digits().data / 16).astype(np.float32)
    rng = np.random.default_rng(0)
    n_rows = 20_000 if quick else 100_000
    latent = rng.normal(size=(n_rows, 10))
    wide = np.tanh(latent @ rng.normal(size=(10, 100))) + 0.1 * rng.normal(
        size=(n_rows, 100)
    )
    return {"digits": digits, f"{n_rows:,} x 100": wide.astype(np.float32)}


def hand_written_fit(X, max_epochs, seed=0):
    """Train the module with a plain PyTorch loop; return it."""
    torch.manual_seed(seed)
    Xt = torch.from_numpy(X)
    module = AutoEncoderModule(X.shape[1], N_COMPONENTS, HIDDEN)
    optimizer = torch.optim.Adam(module.parameters(), lr=LR)
    criterion = torch.nn.MSELoss()
    module.train()
    for _ in range(max_epochs):
        order = torch.randperm(len(Xt))
        for start in range(0, len(Xt), BATCH_SIZE):
            batch = Xt[order[start : start + BATCH_SIZE]]
            optimizer.zero_grad()
            loss = criterion(module(batch), batch)
            loss.backward()
            optimizer.step()
    return module


def hand_written_transform(module, X):
    """Encode ``X`` with a ``no_grad`` batched forward; return a numpy array."""
    Xt = torch.from_numpy(X)
    module.eval()
    with torch.no_grad():
        codes = [
            module.encode(Xt[start : start + CHUNK_ROWS])
            for start in range(0, len(Xt), CHUNK_ROWS)
        ]
    return torch.cat(codes).numpy()


def timed(function, *args):
    """Return ``(seconds, result)`` of one call."""
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def bench(name, X, max_epochs, repeats):
    """Time both sides in alternation; return a row of medians and ratios.

    A warm-up round (not counted) pays torch's one-off start-up costs. The
    ratio is the median over repeats of the per-repeat ratio, which discounts
    bursts of load from other processes that hit one side of a pair.
    """
    # Clean rows, as the hand-written loop trains: swap noise (the default
    # for tables) would add work the loop does not do.
    ae = AutoEncoder(
        N_COMPONENTS,
        hidden_layer_sizes=HIDDEN,
        corruption=None,
        batch_size=BATCH_SIZE,
        lr=LR,
        max_epochs=max_epochs,
        n_iter_no_change=None,
        random_state=0,
    )
    ae.fit(X[:1000])
    hand_written_fit(X[:1000], 1)
    fit_pairs, transform_pairs = [], []
    for _ in range(repeats):
        skgen_seconds, _ = timed(ae.fit, X)
        hand_seconds, module = timed(hand_written_fit, X, max_epochs)
        fit_pairs.append((skgen_seconds, hand_seconds))
        for _ in range(5):
            transform_pairs.append(
                (
                    timed(ae.transform, X)[0],
                    timed(hand_written_transform, module, X)[0],
                )
            )
    med = statistics.median
    rows = len(X) * max_epochs
    return {
        "data": name,
        "epochs": max_epochs,
        "fit rows/s skgen": rows / med(s for s, _ in fit_pairs),
        "fit rows/s torch": rows / med(h for _, h in fit_pairs),
        "fit ratio": med(h / s for s, h in fit_pairs),
        "transform rows/s skgen": len(X) / med(s for s, _ in transform_pairs),
        "transform rows/s torch": len(X) / med(h for _, h in transform_pairs),
        "transform ratio": med(h / s for s, h in transform_pairs),
    }


def search_seconds(n_jobs, max_epochs):
    """Time one GridSearchCV over an AutoEncoder pipeline; return (s, best)."""
    X, y = load_digits(return_X_y=True)
    pipeline = make_pipeline(
        StandardScaler(),
        AutoEncoder(max_epochs=max_epochs, n_iter_no_change=None, random_state=0),
        LogisticRegression(max_iter=500),
    )
    grid = {"autoencoder__n_components": [2, 8, 16]}
    search = GridSearchCV(pipeline, grid, cv=3, n_jobs=n_jobs)
    seconds, _ = timed(search.fit, X, y)
    return seconds, search.best_params_


def cold_search_seconds(n_jobs, max_epochs):
    """Time the search in a fresh Python process, as a user's first call."""
    command = [sys.executable, __file__, "--search-once", str(n_jobs), str(max_epochs)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return float(output.stdout.split()[-1])


def bench_search(repeats, max_epochs):
    """Time the search with n_jobs=1 and 2, warm and in fresh processes.

    Fresh processes pay what a user's first search pays: with n_jobs=2 the
    start of two worker processes (importing torch and skgen in each), with
    n_jobs=1 torch's one-off start-up in the main process.
    """
    warm = {1: [], 2: []}
    cold = {1: [], 2: []}
    # Untimed first searches: they start the n_jobs=2 workers, so the timed
    # in-process runs are warm, and give the best_params_ to compare.
    best = {n_jobs: search_seconds(n_jobs, max_epochs)[1] for n_jobs in (1, 2)}
    for _ in range(repeats):
        for n_jobs in (1, 2):
            warm[n_jobs].append(search_seconds(n_jobs, max_epochs)[0])
            cold[n_jobs].append(cold_search_seconds(n_jobs, max_epochs))
    med = statistics.median
    return {
        "search": f"3 candidates x 3 folds, {max_epochs} epochs",
        "n_jobs=1 s": med(warm[1]),
        "n_jobs=2 s": med(warm[2]),
        "speed-up": med(warm[1]) / med(warm[2]),
        "fresh process n_jobs=1 s": med(cold[1]),
        "fresh process n_jobs=2 s": med(cold[2]),
        "fresh speed-up": med(cold[1]) / med(cold[2]),
        "same best_params_": best[1] == best[2],
    }


def tables(quick=False, repeats=None):
    """The throughput and search tables: ``[(title, rows)]``."""
    repeats = repeats or (3 if quick else 9)
    epochs = {"digits": 10 if quick else 20}
    rows = [
        bench(name, X, epochs.get(name, 1), repeats)
        for name, X in make_datasets(quick).items()
    ]
    search_epochs = 10 if quick else 30
    search_row = bench_search(min(repeats, 3), search_epochs)
    throughput = (
        f"Training throughput: AutoEncoder vs a hand-written PyTorch loop; torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads, "
        f"batch_size={BATCH_SIZE}, hidden={HIDDEN}, {repeats} alternating runs. "
        "rows/s: medians; ratio: median of per-run skgen / hand-written "
        "throughput (1.00 = as fast)"
    )
    search = (
        "GridSearchCV(Pipeline(StandardScaler, AutoEncoder, LogisticRegression)) "
        f"on digits, {search_epochs} epochs, n_jobs=1 vs 2"
    )
    return [(throughput, rows), (search, [search_row])]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--search-once", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.search_once:
        print(search_seconds(*args.search_once)[0])
        return
    with limited_threads():
        for title, rows in tables(args.quick, args.repeats):
            print(f"\n{title}\n\n{to_markdown(rows)}")


if __name__ == "__main__":
    main()
