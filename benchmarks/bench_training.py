"""Training and inference throughput against hand-written loops; fresh processes.

Five tables:

- **throughput**: skgen's AutoEncoder, VAE and GAN against hand-written
  PyTorch loops that train the same torch modules
  (``skgen._autoencoder_nets.AutoEncoderModule``, ``skgen._vae_nets.VAEModule``,
  ``skgen._gan_nets.GANModule``) with the same arithmetic per step, optimizer,
  learning rates, batch size, optimizer steps per epoch and number of epochs,
  on digits and a synthetic table of 100 columns; then the AutoEncoder's and
  the VAE's ``transform`` (the VAE's posterior mean) against a ``no_grad``
  batched forward, and the GAN's ``sample`` against a ``no_grad`` batched
  generator pass. The hand-written loops get their tensors ready-made: the
  AutoEncoder's the rows as they are (skgen standardises them), the VAE's and
  the GAN's the matrix skgen's own table encoder
  (``skgen._tabular.TableEncoder``, every column a standardised number) makes
  of the rows, built once outside the timings, and the hand-written sampler
  returns rows in those standardised units. What skgen does besides (checking
  and encoding the input, mapping generated rows back to the original units)
  counts against it. The loops build torch's Adam with its defaults (on the
  CPU a loop over the tensors), where skgen asks for ``foreach`` (the same
  numbers in fewer calls). Each pair of runs alternates, so machine noise hits
  both alike; ratios are medians of per-run ratios skgen / hand-written
  throughput (1.0 = as fast).
- **search, in process**: ``GridSearchCV`` over an AutoEncoder pipeline with
  ``n_jobs=1`` and 2, once the workers run.
- **search, fresh processes**: the same search as a user's first call, in a
  fresh Python process with the user's default environment (no
  ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS``): ``n_jobs=1``, ``n_jobs=2`` with
  joblib's default (loky) backend and ``n_jobs=2`` with its threading
  backend, alternating; the whole process (from its launch, imports included,
  to the end of the search) and the search alone.
- **import time** of ``skgen``, its AutoEncoder, skorch and torch, each in
  fresh processes, against ``import skorch``.
- **a competing process**: a default digits AutoEncoder fit in a fresh
  process with the user's default environment (so skgen's own thread choice
  applies), alone and while one CPU-bound process runs, with a timeout on
  the loaded fit.

Run ``python benchmarks/bench_training.py`` (add ``--quick`` for a short run).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import joblib
import numpy as np
import torch
import torch.nn.functional as F
from _tables import to_markdown
from _threads import limited_threads
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import GAN, VAE, AutoEncoder
from skgen._autoencoder_nets import AutoEncoderModule
from skgen._gan_nets import ADAM_BETAS, GANModule
from skgen._tabular import CHUNK_ROWS, TableEncoder
from skgen._training import MIN_STEPS_PER_EPOCH
from skgen._vae_nets import SCALE_MOMENTUM, VAEModule

N_COMPONENTS = 8
HIDDEN = (256, 128)
BATCH_SIZE = 128
LR = 1e-3

# The GAN's defaults, passed to it explicitly so both sides use the same.
GAN_BATCH_SIZE = 500
NOISE_DIM = 64
GAN_LAYERS = (128, 128)
DISCRIMINATOR_STEPS = 2
PAC = 4
GENERATOR_LR = 1e-3
DISCRIMINATOR_LR = 3e-3

# Every number standardised, as the hand-written loops get them: no quantile
# scaling, no few-valued columns turned into categories.
TABLE_OPTIONS = {"numeric_scaling": "standard", "max_discrete_values": 0}

# Thread settings this script sets for itself and that a user's process lacks.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")

IMPORTS = (
    "import skgen",
    "from skgen import AutoEncoder",
    "import skorch",
    "import torch",
)

# A user's first fit: a default AutoEncoder on standardised digits. The
# callback records the thread count torch trains with (after skgen's choice).
DEFAULT_FIT = """
import time
import torch
from skorch.callbacks import Callback
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from skgen import AutoEncoder

class Threads(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("threads", torch.get_num_threads())

X = StandardScaler().fit_transform(load_digits().data)
start = time.perf_counter()
model = AutoEncoder(random_state=0, callbacks=[Threads()]).fit(X)
print(time.perf_counter() - start, model.n_epochs_, model.history_[-1, "threads"])
"""


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


# Hand-written loops ---------------------------------------------------------


def hand_written_fit(X, max_epochs, seed=0):
    """Train the AutoEncoder's module with a plain PyTorch loop; return it."""
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


def vae_min_scale(Xt):
    """Floor of each column's scale, as :class:`skgen.VAE` computes it."""
    return VAE._min_scale(Xt)


def hand_written_vae_fit(Xt, max_epochs, seed=0):
    """Train a ``VAEModule`` on the negative ELBO with a plain loop; return it.

    The step of ``VAENet.train_step_single`` for numeric columns: each
    column's scale is the root mean squared error of its reconstructions in
    the batch (floored), ``log_scale`` follows it as a moving average, and the
    loss is the Gaussian reconstruction loss plus the KL divergence (beta=1).
    """
    torch.manual_seed(seed)
    X = torch.from_numpy(Xt)
    n_features = X.shape[1]
    module = VAEModule(
        n_features,
        N_COMPONENTS,
        HIDDEN,
        n_numeric=n_features,
        min_scale=vae_min_scale(Xt),
    )
    optimizer = torch.optim.Adam(module.parameters(), lr=LR)
    module.train()
    for _ in range(max_epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), BATCH_SIZE):
            batch = X[order[start : start + BATCH_SIZE]]
            optimizer.zero_grad()
            reconstruction, mean, log_var = module(batch)
            error = reconstruction - batch
            variance = error.detach().square().mean(dim=0)
            log_scale = torch.maximum(0.5 * torch.log(variance), module.min_log_scale)
            with torch.no_grad():
                module.log_scale.lerp_(log_scale, 1.0 - SCALE_MOMENTUM)
            scaled = error * torch.exp(-log_scale)
            nll = (0.5 * scaled * scaled + log_scale).sum(dim=1)
            kl = 0.5 * (mean * mean + torch.exp(log_var) - 1.0 - log_var).sum(dim=1)
            (nll + kl).mean().backward()
            optimizer.step()
    return module


def gan_batch_size(n_rows):
    """Rows per GAN step: the batch size capped at the rows, a multiple of pac."""
    return max(PAC, min(GAN_BATCH_SIZE, n_rows) // PAC * PAC)


def gan_steps(n_rows):
    """GAN steps per epoch, as ``skgen._training.BalancedIterator`` counts them."""
    return max(MIN_STEPS_PER_EPOCH, n_rows // gan_batch_size(n_rows))


def hand_written_gan_fit(Xt, max_epochs, seed=0):
    """Train a ``GANModule`` with a plain loop (the standard GAN loss); return it.

    The step of ``GANNet.train_step``: ``DISCRIMINATOR_STEPS`` discriminator
    updates on a batch of real rows against fresh fakes, the last fakes kept
    with their graph for one generator update scored by the updated
    discriminator (whose parameters need no gradient then). Adam with the
    GAN's betas for both players; batches are slices of concatenated
    permutations, as many per epoch as skgen's ``BalancedIterator`` makes.
    """
    torch.manual_seed(seed)
    X = torch.from_numpy(Xt)
    n_rows, n_features = X.shape
    module = GANModule(
        n_features, n_features, [], NOISE_DIM, GAN_LAYERS, GAN_LAYERS, pac=PAC
    )
    generator_optimizer = torch.optim.Adam(
        module.generator.parameters(), lr=GENERATOR_LR, betas=ADAM_BETAS
    )
    discriminator_optimizer = torch.optim.Adam(
        module.discriminator.parameters(), lr=DISCRIMINATOR_LR, betas=ADAM_BETAS
    )

    def discriminator_step(real, fake):
        loss = (
            F.softplus(-module.discriminate(real)).mean()
            + F.softplus(module.discriminate(fake)).mean()
        )
        discriminator_optimizer.zero_grad()
        loss.backward()
        discriminator_optimizer.step()

    batch_size = gan_batch_size(n_rows)
    n_steps = gan_steps(n_rows)
    module.train()
    for _ in range(max_epochs):
        n_permutations = -(-n_steps * batch_size // n_rows)
        order = torch.cat([torch.randperm(n_rows) for _ in range(n_permutations)])
        for step in range(n_steps):
            real = X[order[step * batch_size : (step + 1) * batch_size]]
            for _ in range(DISCRIMINATOR_STEPS - 1):
                with torch.no_grad():
                    fake = module.generate(torch.randn(batch_size, NOISE_DIM))
                discriminator_step(real, fake)
            fake = module.generate(torch.randn(batch_size, NOISE_DIM))
            discriminator_step(real, fake.detach())
            module.discriminator.requires_grad_(False)
            loss = F.softplus(-module.discriminate(fake)).mean()
            generator_optimizer.zero_grad()
            loss.backward()
            generator_optimizer.step()
            module.discriminator.requires_grad_(True)
    return module


def hand_written_sample(module, n_rows):
    """Generate ``n_rows`` encoded rows with ``no_grad`` batched passes."""
    module.eval()
    with torch.no_grad():
        rows = [
            module.generate(
                torch.randn(min(CHUNK_ROWS, n_rows - start), NOISE_DIM), hard=True
            )
            for start in range(0, n_rows, CHUNK_ROWS)
        ]
    return torch.cat(rows).numpy()


# Throughput -------------------------------------------------------------------


def contenders(model, X, max_epochs):
    """What each side of a race runs, for ``model`` on ``X``.

    Returns ``(estimator, hand_input, hand_fit, skgen_infer, hand_infer,
    inference, rows_per_epoch)``: the configured skgen estimator, the array
    the hand-written loop trains on, the loop, the two inference calls (each
    given the fitted model and the rows), the inference's name and the rows
    one epoch trains on.
    """
    encoder_options = dict(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH_SIZE,
        lr=LR,
        max_epochs=max_epochs,
        n_iter_no_change=None,
        random_state=0,
    )
    if model in ("AutoEncoder", "VAE"):
        if model == "AutoEncoder":
            # Clean rows, as the hand-written loop trains: swap noise (the
            # default for tables) would add work the loop does not do.
            estimator = AutoEncoder(N_COMPONENTS, corruption=None, **encoder_options)
            hand_input, hand_fit = X, hand_written_fit
        else:
            estimator = VAE(N_COMPONENTS, **encoder_options, **TABLE_OPTIONS)
            hand_input = TableEncoder(**TABLE_OPTIONS).fit_transform(X)
            hand_fit = hand_written_vae_fit
        return (
            estimator,
            hand_input,
            hand_fit,
            lambda fitted, rows: fitted.transform(rows),
            hand_written_transform,
            "transform",
            len(X),
        )
    Xt = TableEncoder(**TABLE_OPTIONS).fit_transform(X)
    estimator = GAN(
        noise_dim=NOISE_DIM,
        generator_layer_sizes=GAN_LAYERS,
        discriminator_layer_sizes=GAN_LAYERS,
        discriminator_steps=DISCRIMINATOR_STEPS,
        pac=PAC,
        generator_lr=GENERATOR_LR,
        discriminator_lr=DISCRIMINATOR_LR,
        batch_size=GAN_BATCH_SIZE,
        max_epochs=max_epochs,
        random_state=0,
        **TABLE_OPTIONS,
    )
    return (
        estimator,
        Xt,
        hand_written_gan_fit,
        lambda fitted, rows: fitted.sample(len(rows), random_state=0),
        lambda module, rows: hand_written_sample(module, len(rows)),
        "sample",
        gan_steps(len(X)) * gan_batch_size(len(X)),
    )


def timed(function, *args):
    """Return ``(seconds, result)`` of one call."""
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def bench(model, name, X, max_epochs, repeats):
    """Time both sides in alternation; return a row of medians and ratios.

    A warm-up round (not counted) pays torch's one-off start-up costs. The
    ratio is the median over repeats of the per-repeat ratio, which discounts
    bursts of load from other processes that hit one side of a pair. Each
    repeat times one fit per side, then five inference calls per side.
    """
    estimator, Xt, hand_fit, skgen_infer, hand_infer, inference, rows_per_epoch = (
        contenders(model, X, max_epochs)
    )
    estimator.fit(X[:1000])
    hand_fit(Xt[:1000], 1)
    fit_pairs, infer_pairs = [], []
    for _ in range(repeats):
        skgen_seconds, _ = timed(estimator.fit, X)
        hand_seconds, module = timed(hand_fit, Xt, max_epochs)
        fit_pairs.append((skgen_seconds, hand_seconds))
        for _ in range(5):
            infer_pairs.append(
                (
                    timed(skgen_infer, estimator, X)[0],
                    timed(hand_infer, module, Xt)[0],
                )
            )
    med = statistics.median
    rows = rows_per_epoch * max_epochs
    return {
        "model": model,
        "data": name,
        "epochs": max_epochs,
        "fit rows/s skgen": rows / med(s for s, _ in fit_pairs),
        "fit rows/s torch": rows / med(h for _, h in fit_pairs),
        "fit ratio": med(h / s for s, h in fit_pairs),
        "inference": inference,
        "inference rows/s skgen": len(X) / med(s for s, _ in infer_pairs),
        "inference rows/s torch": len(X) / med(h for _, h in infer_pairs),
        "inference ratio": med(h / s for s, h in infer_pairs),
    }


# Search ---------------------------------------------------------------------


def search_seconds(n_jobs, max_epochs, backend=None):
    """Time one GridSearchCV over an AutoEncoder pipeline; return (s, best).

    ``backend`` names a joblib backend for the search (``None``: joblib's
    default).
    """
    X, y = load_digits(return_X_y=True)
    pipeline = make_pipeline(
        StandardScaler(),
        AutoEncoder(max_epochs=max_epochs, n_iter_no_change=None, random_state=0),
        LogisticRegression(max_iter=500),
    )
    grid = {"autoencoder__n_components": [2, 8, 16]}
    search = GridSearchCV(pipeline, grid, cv=3, n_jobs=n_jobs)
    if backend is None:
        seconds, _ = timed(search.fit, X, y)
    else:
        with joblib.parallel_backend(backend):
            seconds, _ = timed(search.fit, X, y)
    return seconds, search.best_params_


def bench_search(repeats, max_epochs):
    """Time the search with n_jobs=1 and 2 in this process, workers started."""
    warm = {1: [], 2: []}
    # Untimed first searches: they start the n_jobs=2 workers, so the timed
    # runs are warm, and give the best_params_ to compare.
    best = {n_jobs: search_seconds(n_jobs, max_epochs)[1] for n_jobs in (1, 2)}
    for _ in range(repeats):
        for n_jobs in (1, 2):
            warm[n_jobs].append(search_seconds(n_jobs, max_epochs)[0])
    med = statistics.median
    return {
        "search": f"3 candidates x 3 folds, {max_epochs} epochs",
        "n_jobs=1 s": med(warm[1]),
        "n_jobs=2 s": med(warm[2]),
        "speed-up": med(warm[1]) / med(warm[2]),
        "same best_params_": best[1] == best[2],
    }


def user_environment():
    """This process's environment without the thread settings the script adds."""
    return {
        key: value for key, value in os.environ.items() if key not in THREAD_VARIABLES
    }


def run_python(arguments, timeout=None):
    """Run a fresh Python with the user's environment; return its output.

    Returns ``None`` when the process ran past ``timeout`` seconds (it is
    killed then); raises with the end of its error output if it failed.
    """
    try:
        done = subprocess.run(
            [sys.executable, *arguments],
            capture_output=True,
            text=True,
            env=user_environment(),
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode:
        raise RuntimeError(f"{arguments[:2]} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def search_once(n_jobs, max_epochs, backend, launched):
    """The search of a fresh process: print its times and ``best_params_``.

    ``launched`` is the wall-clock time at which the parent started this
    process, so the whole process's time includes the interpreter's start
    and the imports.
    """
    seconds, best = search_seconds(n_jobs, max_epochs, backend)
    process = time.time() - launched
    print(json.dumps({"process": process, "search": seconds, "best": best}))


# (label, n_jobs, joblib backend or None for the default) of fresh searches.
FRESH_SEARCHES = (
    ("n_jobs=1", 1, None),
    ("n_jobs=2 (loky, the default)", 2, None),
    ("n_jobs=2, threading backend", 2, "threading"),
)


def fresh_search(n_jobs, max_epochs, backend):
    """Run the search in a fresh process; return its times and best_params_."""
    arguments = [__file__, "--search-once", str(n_jobs), str(max_epochs)]
    arguments += [backend or "default", repr(time.time())]
    return json.loads(run_python(arguments).strip().splitlines()[-1])


def bench_fresh_search(repeats, max_epochs):
    """Time the search in fresh processes, the three configurations alternating.

    Each process pays what a user's first search pays: the interpreter's
    start, importing torch and skgen, torch's one-off start-up, and with loky
    the start of two worker processes (importing them again in each). The
    speed-ups are medians of per-repeat ratios of n_jobs=1's time to the
    configuration's.
    """
    runs = {label: [] for label, _, _ in FRESH_SEARCHES}
    for _ in range(repeats):
        for label, n_jobs, backend in FRESH_SEARCHES:
            runs[label].append(fresh_search(n_jobs, max_epochs, backend))
    med = statistics.median
    serial = runs[FRESH_SEARCHES[0][0]]
    bests = {json.dumps(run["best"]) for label in runs for run in runs[label]}
    rows = []
    for label, measured in runs.items():
        pairs = list(zip(serial, measured, strict=True))
        best = {json.dumps(run["best"]) for run in measured}
        rows.append(
            {
                "configuration": label,
                "whole process s": med(run["process"] for run in measured),
                "search s": med(run["search"] for run in measured),
                "speed-up, whole process": med(
                    one["process"] / run["process"] for one, run in pairs
                ),
                "speed-up, search": med(
                    one["search"] / run["search"] for one, run in pairs
                ),
                "best_params_": " or ".join(sorted(best)),
            }
        )
    return rows, len(bests) == 1


# Imports and threads ----------------------------------------------------------


def import_ms(statement):
    """Milliseconds ``statement`` takes in a fresh process, timed inside it."""
    code = (
        "import time; start = time.perf_counter(); "
        f"{statement}; print(1000 * (time.perf_counter() - start))"
    )
    return float(run_python(["-c", code]))


def bench_imports(repeats):
    """Median import times over fresh processes, the statements alternating."""
    ms = {statement: [] for statement in IMPORTS}
    for _ in range(repeats):
        for statement in IMPORTS:
            ms[statement].append(import_ms(statement))
    med = statistics.median
    skorch = ms["import skorch"]
    return [
        {
            "statement": f"`{statement}`",
            "median ms": med(times),
            "ratio to `import skorch`": med(
                t / s for t, s in zip(times, skorch, strict=True)
            ),
        }
        for statement, times in ms.items()
    ]


def default_fit(timeout, loaded):
    """Run :data:`DEFAULT_FIT` in a fresh process, with a competitor if ``loaded``.

    Returns ``(seconds, epochs, threads)``; seconds are infinite when the
    process ran past ``timeout``.
    """
    competitor = None
    if loaded:
        competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        output = run_python(["-c", DEFAULT_FIT], timeout)
    finally:
        if competitor is not None:
            competitor.kill()
            competitor.wait()
    if output is None:
        return math.inf, None, None
    seconds, epochs, threads = output.split()
    return float(seconds), int(epochs), int(threads)


def bench_competing(repeats, timeout):
    """Time the default fit alone and beside a busy process, alternating.

    A loaded fit is stopped after ``timeout`` seconds, a quiet one after twice
    that. The runs end early once more than half of ``repeats`` loaded fits
    have timed out, which settles their median.
    """
    quiet, loaded = [], []
    for _ in range(repeats):
        quiet.append(default_fit(2 * timeout, loaded=False))
        loaded.append(default_fit(timeout, loaded=True))
        if 2 * sum(math.isinf(s) for s, _, _ in loaded) > repeats:
            break
    med = statistics.median
    quiet_s = med(s for s, _, _ in quiet)
    loaded_s = med(s for s, _, _ in loaded)
    ratios = [
        s_loaded / s
        for (s, _, _), (s_loaded, _, _) in zip(quiet, loaded, strict=True)
        if math.isfinite(s)
    ]
    ratio = med(ratios) if ratios else math.nan

    def described(values):
        return ", ".join(sorted({str(v) for v in values if v is not None})) or "-"

    def bounded(value, bound):
        return value if math.isfinite(value) else f"> {bound:.0f}"

    return {
        "fit": "AutoEncoder(random_state=0) on standardised digits",
        "torch threads": described(t for _, _, t in quiet + loaded),
        "epochs": described(e for _, e, _ in quiet + loaded),
        "runs": len(quiet),
        "quiet s": bounded(quiet_s, 2 * timeout),
        "loaded s": bounded(loaded_s, timeout),
        "loaded / quiet": bounded(ratio, timeout / quiet_s)
        if not math.isnan(ratio)
        else "-",
    }


def tables(quick=False, repeats=None):
    """Every table of the section: ``[(title, rows)]``."""
    repeats = repeats or (3 if quick else 7)
    epochs = {"digits": 10 if quick else 20}
    datasets = make_datasets(quick)
    rows = [
        bench(model, name, X, epochs.get(name, 1), repeats)
        for model in ("AutoEncoder", "VAE", "GAN")
        for name, X in datasets.items()
    ]
    search_epochs = 10 if quick else 30
    search_row = bench_search(min(repeats, 3), search_epochs)
    fresh_repeats = 1 if quick else 3
    fresh_rows, same_best = bench_fresh_search(fresh_repeats, search_epochs)
    import_repeats = 3 if quick else 5
    import_rows = bench_imports(import_repeats)
    timeout = 60 if quick else 300
    competing_repeats = 1 if quick else 3
    competing_row = bench_competing(competing_repeats, timeout)
    throughput = (
        "Training throughput: skgen vs hand-written PyTorch loops on the same "
        f"modules; torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
        f"batch_size={BATCH_SIZE} (GAN {GAN_BATCH_SIZE}, pac={PAC}, "
        f"{DISCRIMINATOR_STEPS} discriminator steps), hidden={HIDDEN}, "
        f"{repeats} alternating runs. A GAN epoch is max({MIN_STEPS_PER_EPOCH}, "
        "n_rows // batch_size) batches. rows/s: medians; ratios: median of "
        "per-run skgen / hand-written throughput (1.00 = as fast); inference: "
        "transform (a VAE's posterior mean) or sample, as many rows as the data"
    )
    search = (
        "GridSearchCV(Pipeline(StandardScaler, AutoEncoder, LogisticRegression)) "
        f"on digits, {search_epochs} epochs, n_jobs=1 vs 2 in this process "
        f"({torch.get_num_threads()} thread(s)), workers started"
    )
    fresh = (
        "The same GridSearchCV as a first call in a fresh process with the "
        "user's default environment (no OMP_NUM_THREADS or MKL_NUM_THREADS), "
        f"{os.cpu_count()} cores, the configurations alternating, "
        f"{fresh_repeats} run(s) each. Whole process: from its launch "
        "(interpreter start and imports included) to the end of the search. "
        "Speed-ups: median of per-run n_jobs=1 time / this time. "
        f"best_params_ identical across all three: {'yes' if same_best else 'no'}"
    )
    imports = (
        "Import time in fresh processes (timed inside each with "
        f"time.perf_counter), median of {import_repeats} alternating runs"
    )
    competing = (
        "A default AutoEncoder fit in a fresh process with the user's default "
        "environment (skgen's own thread choice; torch threads as recorded "
        "during training) with no competitor started (quiet) and while "
        "one CPU-bound Python process runs (loaded); fit seconds, median of up "
        f"to {competing_repeats} alternating runs (fewer once most loaded fits "
        f"timed out); a loaded fit is stopped after {timeout} s, a quiet one "
        f"after {2 * timeout} s"
    )
    return [
        (throughput, rows),
        (search, [search_row]),
        (fresh, fresh_rows),
        (imports, import_rows),
        (competing, [competing_row]),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--search-once", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.search_once:
        n_jobs, max_epochs, backend, launched = args.search_once
        backend = None if backend == "default" else backend
        search_once(int(n_jobs), int(max_epochs), backend, float(launched))
        return
    with limited_threads():
        for title, rows in tables(args.quick, args.repeats):
            print(f"\n{title}\n\n{to_markdown(rows)}", flush=True)


if __name__ == "__main__":
    main()
