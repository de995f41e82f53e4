"""Throughput on a GPU: skgen on CUDA against skgen on the CPU and a hand loop.

For each model the same fit (or draw) runs on ``device="cuda"`` and on
``device="cpu"`` of the same machine, alternating, and the AutoEncoder's fit
also against a hand-written PyTorch loop on the GPU that trains the same
module. Rows per second are medians over the repeats; the ratios are medians
of per-repeat ratios. ``--tests`` then runs the test suite with
``SKGEN_TEST_DEVICE=cuda``, so that every fit of the suite trains on the GPU.

Without CUDA the script says so and exits with status 0.

Run ``python benchmarks/bench_gpu.py [--quick] [--tests]``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from _tables import to_markdown

from skgen import GAN, VAE, AutoEncoder
from skgen._autoencoder_nets import AutoEncoderModule

HIDDEN = (256, 128)
BATCH_SIZE = 512
LR = 1e-3


def make_table(n_rows, n_columns=100, seed=0):
    """A float32 table of ``n_rows`` rows driven by 10 latent factors."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n_rows, 10))
    X = np.tanh(latent @ rng.normal(size=(10, n_columns)))
    return (X + 0.1 * rng.normal(size=X.shape)).astype(np.float32)


def hand_written_fit(X, max_epochs, device):
    """Train the AutoEncoder's module with a plain loop on ``device``."""
    torch.manual_seed(0)
    Xt = torch.from_numpy(X).to(device)
    module = AutoEncoderModule(X.shape[1], 8, HIDDEN).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=LR)
    for _ in range(max_epochs):
        order = torch.randperm(len(Xt), device=device)
        for start in range(0, len(Xt), BATCH_SIZE):
            batch = Xt[order[start : start + BATCH_SIZE]]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(module(batch), batch)
            loss.backward()
            optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return module


def seconds(function, *args, **kwargs):
    """Wall seconds of one call, waiting for the GPU to finish."""
    start = time.perf_counter()
    function(*args, **kwargs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def estimators(device, max_epochs):
    """The three networks, each with the same settings on ``device``."""
    common = {"max_epochs": max_epochs, "device": device, "random_state": 0}
    fast = {"batch_size": BATCH_SIZE, "n_iter_no_change": None, **common}
    return {
        # Clean rows, as the hand-written loop trains.
        "AutoEncoder": AutoEncoder(
            8, hidden_layer_sizes=HIDDEN, corruption=None, **fast
        ),
        "VAE": VAE(8, hidden_layer_sizes=HIDDEN, **fast),
        "GAN": GAN(batch_size=BATCH_SIZE, **common),
    }


def bench(X, max_epochs, n_draws, repeats):
    """Rows of fit and sample throughput, CUDA against the CPU."""
    cuda, cpu = estimators("cuda", max_epochs), estimators("cpu", max_epochs)
    for model in [*cuda.values(), *cpu.values()]:
        model.set_params(max_epochs=1).fit(X[:2048])
        model.set_params(max_epochs=max_epochs)
    gpu = torch.device("cuda")
    hand_written_fit(X[:2048], 1, gpu)
    rows = []
    for name in cuda:
        fit_pairs, draw_pairs, hand = [], [], []
        for _ in range(repeats):
            fit_pairs.append((seconds(cuda[name].fit, X), seconds(cpu[name].fit, X)))
            if name == "AutoEncoder":
                hand.append(seconds(hand_written_fit, X, max_epochs, gpu))
            else:
                draw_pairs.append(
                    (
                        seconds(cuda[name].sample, n_draws, random_state=0),
                        seconds(cpu[name].sample, n_draws, random_state=0),
                    )
                )
        med = statistics.median
        fit_rows = len(X) * max_epochs
        row = {
            "model": name,
            "fit rows/s cuda": f"{fit_rows / med(p[0] for p in fit_pairs):,.0f}",
            "fit rows/s cpu": f"{fit_rows / med(p[1] for p in fit_pairs):,.0f}",
            "fit cuda / cpu": f"{med(p[1] / p[0] for p in fit_pairs):.2f}",
            "fit cuda / hand loop on cuda": "-",
            "sample rows/s cuda": "-",
            "sample cuda / cpu": "-",
        }
        if hand:
            ratio = med(h / p[0] for h, p in zip(hand, fit_pairs, strict=True))
            row["fit cuda / hand loop on cuda"] = f"{ratio:.2f}"
        if draw_pairs:
            row["sample rows/s cuda"] = (
                f"{n_draws / med(p[0] for p in draw_pairs):,.0f}"
            )
            row["sample cuda / cpu"] = f"{med(p[1] / p[0] for p in draw_pairs):.2f}"
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows")
    parser.add_argument(
        "--tests", action="store_true", help="then run the suite on CUDA"
    )
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("No CUDA device here: nothing to measure (bench_gpu.py needs a GPU).")
        return 0
    n_rows = 50_000 if args.quick else 200_000
    print(
        f"{torch.cuda.get_device_name()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads; {n_rows:,} x 100 rows, "
        f"batch {BATCH_SIZE}, hidden {HIDDEN}",
        flush=True,
    )
    rows = bench(make_table(n_rows), 2, 10 * n_rows, 3)
    print(to_markdown(rows), flush=True)
    if not args.tests:
        return 0
    env = {**os.environ, "SKGEN_TEST_DEVICE": "cuda"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
