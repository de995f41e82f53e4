"""Scale: a VAE fitted through Dask on 20 million rows, and sampled to parquet.

A seeded mixed-type table of 20,000,000 rows x 20 columns (1,000,000 with
``--quick``) is generated into a folder of parquet files of 500,000 rows
each (row groups of 100,000), one file at a time (never the whole table at
once), and reused by later runs. Its columns: ten floats (normal,
lognormal, bimodal, heavy-tailed, exponential, bounded, one seasonal with
the date, one with 5% missing values), three integers (one with the six
values 0..5, which skgen takes as discrete), two pandas categoricals (3 and 8
categories), two string columns (20 and 50 values), two booleans and a date
(whole days). Three latent factors drive most columns, so that a VAE has
something to learn.

Three tables, each step in a fresh Python process:

- **Fit**: ``VAE(max_epochs=1, random_state=0, n_iter_no_change=None)``
  fitted on ``dask.dataframe.read_parquet(folder)`` (the layout in one pass
  over the partitions, then one epoch streamed over them) with Dask's default
  threaded scheduler, against the same model fitted in memory on the first
  1,000,000 rows read with pandas, fitted before and after it (once, after
  it, with ``--quick``); and once more through a
  ``LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="2GB")``
  whose workers read the partitions for the fitting process (not with
  ``--quick`` unless ``--cluster-fit``). Throughput = rows / fit seconds
  (the Dask fit's seconds include reading the files twice; the in-memory
  fit's exclude reading them). Bounds: the fitting process's peak RSS under
  1,500 MB, and Dask rows/s at least 0.8 x the in-memory rows/s, both
  measured in the same run. ``--repeats`` alternates more Dask and in-memory
  fits; medians count.
- **Sample**: the model the Dask fit saved (``model.save``), loaded with
  ``skgen.load``, draws 100,000,000 rows (4,000,000 with ``--quick``) through
  ``skgen.dask.sample(model, n, partition_rows=1_000_000, random_state=0)``,
  written with ``.to_parquet`` on a ``LocalCluster`` of 1 and of 2 worker
  processes of one thread each, alternating. Bound: 2 workers at least 1.6 x
  as fast as 1. The outputs of 1 and 2 workers are compared file by file
  (their bytes, else their values with ``pd.testing.assert_frame_equal``):
  the rows must not depend on the number of workers. The sampled folders are
  deleted after the check.
- **Map**: ``skgen.dask.transform`` and ``skgen.dask.score_samples`` on the
  first 4 row groups (2 with ``--quick``) read as partitions of their own,
  computed on the 2-worker cluster, against ``model.transform`` and
  ``model.score_samples`` on the same rows in memory: the largest absolute
  difference (expected 0).

What is measured (Linux): as in ``bench_memory.py``, the resident set size
(``VmRSS`` in ``/proc/self/status``) after the imports, a warm-up fit on
2,000 rows of the table and the input (the lazy Dask frame, or the
DataFrame in memory), is the *baseline*; the kernel's peak counter
(``VmHWM``) is read (the peak so far) and reset, the fit runs, and ``VmHWM``
after it is the fit's peak. *Peak* is the process's whole-life peak RSS,
the larger of the two readings, which the 1,500 MB bound is about; *extra* =
fit peak - baseline. Where the counter cannot be reset, ``ru_maxrss`` is used
for both, which can only overstate. Cluster workers are processes of their
own; their peak is shown apart. MB = 10^6 bytes. Each step also records
the cores other processes kept busy meanwhile (``/proc/stat``), since timings
and the speed-up of 2 workers on 2 cores mean little on a busy machine.

Run ``OMP_NUM_THREADS=1 python benchmarks/bench_scale.py`` (tens of minutes on
2 cores; writes ``benchmarks/results/scale.md``) or add ``--quick`` (a couple
of minutes; writes nothing unless ``--output`` is given). The table is kept
in ``--data`` (default: a folder in the system's temporary directory);
``--skip-generate`` refuses to generate it.
"""

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from _tables import to_markdown, write_report
from _threads import limited_threads
from bench_memory import _lifetime_peak_mb, _reset_peak, _status_mb
from distributed import Client, LocalCluster

import skgen.dask
from skgen import VAE

MB = 1e6
SEED = 0
FULL_ROWS = 20_000_000
QUICK_ROWS = 1_000_000
FILE_ROWS = 500_000
GROUP_ROWS = 100_000
MEMORY_ROWS = 1_000_000
WARM_ROWS = 2_000
FULL_SAMPLES = 100_000_000
QUICK_SAMPLES = 4_000_000
PARTITION_ROWS = 1_000_000
PEAK_BOUND_MB = 1_500
RATIO_BOUND = 0.8
SPEEDUP_BOUND = 1.6
FIT_WORKER_MEMORY = "2GB"
SAMPLE_WORKER_MEMORY = "4GB"
MARKER = "_bench_scale.json"
# Bumped whenever make_chunk changes, so that an old folder is not reused.
TABLE_VERSION = 2
LABELS = {
    "threads": "dask.dataframe, threaded scheduler",
    "memory": "pandas DataFrame in memory",
    "cluster": "dask.dataframe, LocalCluster 2 x 1 thread",
}
RESULTS = Path(__file__).parent / "results" / "scale.md"

SEGMENTS = ["basic", "plus", "pro"]
REGIONS = ["north", "south", "east", "west", "centre", "coast", "hills", "islands"]
PRODUCTS = [f"product-{k:02d}" for k in range(20)]
CITIES = [f"city-{k:02d}" for k in range(50)]
EPOCH = np.datetime64("2015-01-01", "D")


# Generating the table -----------------------------------------------------


def _choose(rng, Z, weights, bias, labels):
    """One label per row: the largest of ``Z @ weights + bias`` plus Gumbel noise."""
    logits = Z @ weights + bias
    logits += rng.gumbel(size=logits.shape)
    return np.asarray(labels)[logits.argmax(axis=1)]


def make_chunk(index, n_rows, seed=SEED):
    """Rows ``index * FILE_ROWS`` on of the table: a DataFrame of 20 columns.

    Drawn from a generator seeded with ``(seed, index)``, so that a chunk does
    not depend on the others. Three standard normal factors per row drive most
    columns; the rest is noise.
    """
    rng = np.random.default_rng([seed, index])
    layout = np.random.default_rng([seed, 2**31])  # the same in every chunk
    Z = rng.standard_normal((n_rows, 3))
    z1, z2, z3 = Z.T

    def noise():
        return rng.standard_normal(n_rows)

    days = np.clip(np.rint(1500 + 400 * z3 + 200 * noise()), 0, 3650).astype(int)
    season = np.sin(2 * np.pi * (days % 365) / 365)
    height = 170 + 8 * (0.5 * z3 + 0.87 * noise())
    income = np.exp(10.3 + 0.6 * z1 + 0.3 * noise())
    reading = 2 * z1 - z2 + noise()
    reading[rng.random(n_rows) < 0.05] = np.nan
    level = np.digitize(z2 + 0.5 * noise(), [-1.5, -0.5, 0.0, 0.5, 1.5])
    churn_odds = np.exp(-1 - z2 + 0.5 * z3)
    # Products and cities lean on the factors through fixed weights, cities
    # also through a Zipf-like popularity.
    product_weights = layout.standard_normal((3, len(PRODUCTS)))
    city_weights = layout.standard_normal((3, len(CITIES)))
    city_bias = -0.08 * np.arange(len(CITIES))
    return pd.DataFrame(
        {
            "income": np.round(income, 2),
            "spend": np.round(0.3 * income * np.exp(0.2 * z2 + 0.2 * noise()), 2),
            "height": np.round(height, 1),
            "weight": np.round(70 + 0.9 * (height - 170) + 10 * noise(), 1),
            "score": np.where(z2 > 0, 75 + 5 * noise(), 40 + 8 * noise()),
            "temperature": np.round(15 + 8 * season + 0.8 * z1 + 3 * noise(), 1),
            "ratio": 1 / (1 + np.exp(-(z1 + 0.5 * noise()))),
            "balance": 1000 * rng.standard_t(3, n_rows) + 500 * z2,
            "latency_ms": rng.exponential(20 * np.exp(0.3 * z3)),
            "reading": reading,
            "age": np.clip(np.rint(45 + 12 * z1 + 5 * noise()), 18, 90).astype(
                np.int64
            ),
            "visits": rng.poisson(np.exp(1 + 0.5 * z2)).astype(np.int64),
            "level": level.astype(np.int64),
            "segment": pd.Categorical(
                _choose(rng, Z, [[1.5, 0, -1.5], [0, 0, 0], [0, 0.5, 0]], 0, SEGMENTS),
                categories=SEGMENTS,
            ),
            "region": pd.Categorical(
                _choose(rng, Z, layout.standard_normal((3, 8)), 0, REGIONS),
                categories=REGIONS,
            ),
            "product": _choose(rng, Z, product_weights, 0, PRODUCTS),
            "city": _choose(rng, Z, city_weights, city_bias, CITIES),
            "churned": rng.random(n_rows) < churn_odds / (1 + churn_odds),
            "premium": income * np.exp(0.3 * noise()) > 60_000,
            "signup_date": (EPOCH + days).astype("datetime64[ns]"),
        }
    )


def table_files(folder):
    """The table's parquet files, in order."""
    return sorted(Path(folder).glob("part-*.parquet"))


def table_ready(folder, n_rows):
    """Whether ``folder`` holds this version of the table with ``n_rows`` rows."""
    marker = Path(folder) / MARKER
    if not marker.exists():
        return False
    expected = {"rows": n_rows, "seed": SEED, "version": TABLE_VERSION}
    if json.loads(marker.read_text()) != expected:
        return False
    files = table_files(folder)
    return sum(pq.ParquetFile(file).metadata.num_rows for file in files) == n_rows


def generate(folder, n_rows, log):
    """Write the table into ``folder``, one parquet file of ``FILE_ROWS`` at a time.

    The files go to a sibling folder that is renamed at the end, so that an
    interrupted run leaves no table that looks complete.
    """
    folder = Path(folder)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    n_files = -(-n_rows // FILE_ROWS)
    for index in range(n_files):
        chunk_rows = min(FILE_ROWS, n_rows - index * FILE_ROWS)
        table = pa.Table.from_pandas(
            make_chunk(index, chunk_rows), preserve_index=False
        )
        pq.write_table(
            table, partial / f"part-{index:05d}.parquet", row_group_size=GROUP_ROWS
        )
        log(f"generated file {index + 1} of {n_files} ({chunk_rows:,} rows)")
    marker = {"rows": n_rows, "seed": SEED, "version": TABLE_VERSION}
    (partial / MARKER).write_text(json.dumps(marker))
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def read_head(folder, n_rows):
    """The table's first ``n_rows`` rows as one DataFrame, read with pandas."""
    frames, held = [], 0
    for file in table_files(folder):
        if held >= n_rows:
            break
        frames.append(pd.read_parquet(file))
        held += len(frames[-1])
    head = pd.concat(frames, ignore_index=True)
    # A copy, so that the rows beyond n_rows are not kept alive by a view.
    return head.iloc[:n_rows].copy() if len(head) > n_rows else head


# Measuring, in the child processes ----------------------------------------


def _log(message):
    """Progress of a child process, on its standard error."""
    print(f"    {message}", file=sys.stderr, flush=True)


def _make_vae():
    """The benchmark's model: one epoch, seeded, no early stopping."""
    return VAE(max_epochs=1, random_state=0, n_iter_no_change=None)


def _local_cluster(n_workers, memory_limit):
    """A ``LocalCluster`` of one-thread worker processes and its client."""
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        dashboard_address=None,
    )
    client = Client(cluster)
    # Imports on the workers before the timings, as in the fitting process.
    client.run(__import__, "skgen.dask")
    client.run(__import__, "torch")
    return cluster, client


def _worker_peak_mb(client):
    """The largest ``VmHWM`` among the client's workers (their whole lives)."""
    return max(client.run(_status_mb, "VmHWM").values())


def fit(how, folder, n_rows, model_path):
    """Fit the VAE in this process; time and peak memory (MB) of the fit.

    ``how`` is ``"memory"`` (the first ``n_rows`` rows in a DataFrame),
    ``"threads"`` (the whole folder through Dask's default scheduler) or
    ``"cluster"`` (the same through a local cluster of 2 workers).
    """
    warm = read_head(folder, WARM_ROWS)
    if how != "memory":
        # Dask's and skgen's code for Dask frames loaded before the baseline.
        warm = dd.from_pandas(warm, npartitions=1)
    _make_vae().fit(warm)
    del warm
    cluster = client = None
    if how == "memory":
        X = read_head(folder, n_rows)
    else:
        if how == "cluster":
            cluster, client = _local_cluster(2, FIT_WORKER_MEMORY)
        X = dd.read_parquet(folder)
    model = _make_vae()
    gc.collect()
    baseline = _status_mb("VmRSS")
    before = _status_mb("VmHWM")
    resettable = _reset_peak()
    _log(f"fitting ({how}) on {n_rows:,} rows, baseline {baseline:,.0f} MB")
    started = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM") if resettable else _lifetime_peak_mb()
    result = {
        "seconds": seconds,
        "baseline_mb": baseline,
        "fit_peak_mb": peak,
        "peak_mb": max(before, peak),
        "counter": "VmHWM" if resettable else "ru_maxrss",
        "train_loss": float(model.history_[-1, "train_loss"]),
        "worker_peak_mb": None,
    }
    if client is not None:
        result["worker_peak_mb"] = _worker_peak_mb(client)
        client.close()
        cluster.close()
    if model_path:
        model.save(model_path)
    return result


def sample(model_path, n_samples, n_workers, output):
    """Sample ``n_samples`` rows to parquet on ``n_workers`` workers; seconds."""
    model = skgen.load(model_path)
    cluster, client = _local_cluster(n_workers, SAMPLE_WORKER_MEMORY)
    samples = skgen.dask.sample(
        model, n_samples, partition_rows=PARTITION_ROWS, random_state=0
    )
    _log(f"sampling {n_samples:,} rows on {n_workers} worker(s)")
    started = time.perf_counter()
    samples.to_parquet(output)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "npartitions": samples.npartitions,
        "worker_peak_mb": _worker_peak_mb(client),
    }
    client.close()
    cluster.close()
    return result


def _as_array(result):
    """A computed Dask result (frame, series or array) as a numpy array."""
    return np.asarray(result.to_numpy() if hasattr(result, "to_numpy") else result)


def map_partitions(model_path, folder, n_partitions):
    """``skgen.dask`` transform and score_samples on a cluster against memory."""
    model = skgen.load(model_path)
    # Partitions of one row group each: a small slice.
    head = dd.read_parquet(folder, split_row_groups=True).partitions[:n_partitions]
    X = head.compute(scheduler="synchronous")
    cluster, client = _local_cluster(2, SAMPLE_WORKER_MEMORY)
    results = {"rows": len(X), "partitions": n_partitions}
    for method in ("transform", "score_samples"):
        lazy = getattr(skgen.dask, method)(model, head)
        started = time.perf_counter()
        on_cluster = _as_array(lazy.compute())
        cluster_seconds = time.perf_counter() - started
        started = time.perf_counter()
        in_memory = _as_array(getattr(model, method)(X))
        memory_seconds = time.perf_counter() - started
        same_shape = on_cluster.shape == in_memory.shape
        results[method] = {
            "type": type(lazy).__name__,
            "shape": list(on_cluster.shape),
            "memory_shape": list(in_memory.shape),
            "max_abs_diff": (
                float(np.max(np.abs(on_cluster - in_memory))) if same_shape else None
            ),
            "cluster_seconds": cluster_seconds,
            "memory_seconds": memory_seconds,
        }
    client.close()
    cluster.close()
    return results


def run_child(args):
    """Run the step named by ``--child`` and print its result as a JSON line."""
    step, *rest = args
    with limited_threads():
        if step == "fit":
            how, folder, n_rows, model_path = rest
            result = fit(how, folder, int(n_rows), model_path or None)
        elif step == "sample":
            model_path, n_samples, n_workers, output = rest
            result = sample(model_path, int(n_samples), int(n_workers), output)
        else:
            model_path, folder, n_partitions = rest
            result = map_partitions(model_path, folder, int(n_partitions))
    print(json.dumps(result))


# Running the steps, in the parent process ---------------------------------


def _busy_seconds():
    """CPU seconds the machine's cores have been busy, from ``/proc/stat``."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal ...: idle and iowait rest.
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _children_seconds():
    """CPU seconds of this process's finished children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child(*args):
    """Run this script's ``--child`` step in a fresh process; return its result.

    The child's progress and warnings reach the terminal on standard error.
    The result gains ``other_cores``: the cores that other work kept busy
    meanwhile, on average (the machine's busy time less the child's and its
    workers' CPU time, over the wall time), a measure of the noise.
    """
    environment = dict(
        os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1")
    )
    command = [sys.executable, os.path.abspath(__file__), "--child", *map(str, args)]
    busy, ours, started = _busy_seconds(), _children_seconds(), time.perf_counter()
    output = subprocess.run(
        command, check=True, stdout=subprocess.PIPE, text=True, env=environment
    )
    wall = time.perf_counter() - started
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["other_cores"] = (
        None
        if busy is None
        else max(0.0, _busy_seconds() - busy - (_children_seconds() - ours)) / wall
    )
    return result


class Clock:
    """Prints progress lines with the seconds since the run started."""

    def __init__(self):
        self.started = time.perf_counter()

    def __call__(self, message):
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:7.1f} s] {message}", file=sys.stderr, flush=True)


def _median_load(runs):
    """The median of the runs' ``other_cores``, or "-" where unknown."""
    loads = [run["other_cores"] for run in runs if run["other_cores"] is not None]
    return f"{statistics.median(loads):.2f}" if loads else "-"


def _verdict(passed):
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"


def fit_table(folder, n_rows, model_path, log, *, repeats, bracket, cluster_fit):
    """Rows of the fit table; the first Dask fit (threads) saves its model.

    With ``bracket``, an in-memory fit also comes before the first Dask fit,
    so that one runs before and after each Dask fit.
    """
    memory_rows = min(MEMORY_ROWS, n_rows)
    runs = {"threads": [], "memory": [], "cluster": []}
    order = ["memory"] * bracket + ["threads", "memory"] * repeats
    order += ["cluster"] if cluster_fit else []
    for step, how in enumerate(order):
        rows = memory_rows if how == "memory" else n_rows
        log(f"fit {step + 1} of {len(order)}: {LABELS[how]}, {rows:,} rows")
        save_to = model_path if how == "threads" and not runs[how] else ""
        runs[how].append(_child("fit", how, folder, rows, save_to))
        log(f"  {runs[how][-1]['seconds']:.1f} s")
    memory_speed = memory_rows / statistics.median(
        run["seconds"] for run in runs["memory"]
    )
    table = []
    for how in ("threads", "memory", "cluster"):
        if not runs[how]:
            continue
        rows = memory_rows if how == "memory" else n_rows
        # Medians of the seconds and the baseline, the largest peaks.
        median = {
            "seconds": statistics.median(run["seconds"] for run in runs[how]),
            "baseline_mb": statistics.median(run["baseline_mb"] for run in runs[how]),
            "fit_peak_mb": max(run["fit_peak_mb"] for run in runs[how]),
            "peak_mb": max(run["peak_mb"] for run in runs[how]),
        }
        speed = rows / median["seconds"]
        ratio = speed / memory_speed
        workers = [run["worker_peak_mb"] for run in runs[how] if run["worker_peak_mb"]]
        table.append(
            {
                "input": LABELS[how],
                "rows": f"{rows:,}",
                "runs": len(runs[how]),
                "fit s": median["seconds"],
                "rows/s": speed,
                "vs memory": ratio,
                "baseline MB": median["baseline_mb"],
                "extra MB": median["fit_peak_mb"] - median["baseline_mb"],
                "peak MB": median["peak_mb"],
                "worker peak MB": max(workers) if workers else "-",
                "train loss": runs[how][0]["train_loss"],
                "other load": _median_load(runs[how]),
                "bounds": (
                    "-"
                    if how == "memory"
                    else f"peak {_verdict(median['peak_mb'] < PEAK_BOUND_MB)}, "
                    f"ratio {_verdict(ratio >= RATIO_BOUND)}"
                ),
            }
        )
    counters = {run["counter"] for how_runs in runs.values() for run in how_runs}
    return table, counters


def _sha256(path):
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compare_outputs(first, second):
    """Whether two sampled parquet folders hold the same rows; a short verdict.

    Compared file by file: equal bytes, else equal frames.
    """
    names = sorted(path.name for path in Path(first).glob("*.parquet"))
    if names != sorted(path.name for path in Path(second).glob("*.parquet")):
        return False, "different files"
    by_value = 0
    for name in names:
        if _sha256(Path(first) / name) == _sha256(Path(second) / name):
            continue
        try:
            pd.testing.assert_frame_equal(
                pd.read_parquet(Path(first) / name),
                pd.read_parquet(Path(second) / name),
            )
        except AssertionError as exc:
            return False, f"{name} differs: {str(exc).splitlines()[0]}"
        by_value += 1
    how = "bytes" if not by_value else f"values ({by_value} files differ in bytes)"
    return True, f"identical {how}, {len(names)} files"


def _parquet_rows(folder):
    """Rows in a folder of parquet files, from their footers."""
    return sum(
        pq.ParquetFile(file).metadata.num_rows
        for file in Path(folder).glob("*.parquet")
    )


def sample_table(model_path, n_samples, repeats, work, log):
    """Rows of the sampling table: 1 and 2 workers, alternating."""
    runs = {1: [], 2: []}
    kept = {}
    for repeat in range(repeats):
        for n_workers in (1, 2):
            output = Path(work) / f"sample-{n_workers}-workers-{repeat}"
            shutil.rmtree(output, ignore_errors=True)
            log(
                f"sample {repeat + 1} of {repeats}: {n_samples:,} rows on "
                f"{n_workers} worker(s)"
            )
            result = _child("sample", model_path, n_samples, n_workers, output)
            result["rows_written"] = _parquet_rows(output)
            result["mb_written"] = (
                sum(file.stat().st_size for file in output.glob("*.parquet")) / MB
            )
            runs[n_workers].append(result)
            log(f"  {result['seconds']:.1f} s")
            if n_workers in kept:
                shutil.rmtree(output)
            else:
                kept[n_workers] = output
    log("comparing the outputs of 1 and 2 workers")
    identical, verdict = compare_outputs(kept[1], kept[2])
    for output in kept.values():
        shutil.rmtree(output)
    seconds = {n: statistics.median(run["seconds"] for run in runs[n]) for n in runs}
    speedup = seconds[1] / seconds[2]
    table = []
    for n_workers, worker_runs in runs.items():
        table.append(
            {
                "workers": n_workers,
                "rows": f"{n_samples:,}",
                "partitions": worker_runs[0]["npartitions"],
                "runs": len(worker_runs),
                "s": seconds[n_workers],
                "rows/s": n_samples / seconds[n_workers],
                "speed-up": seconds[1] / seconds[n_workers],
                "rows written": f"{worker_runs[0]['rows_written']:,}",
                "parquet MB": worker_runs[0]["mb_written"],
                "worker peak MB": max(run["worker_peak_mb"] for run in worker_runs),
                "other load": _median_load(worker_runs),
            }
        )
    written = {run["rows_written"] for worker in runs.values() for run in worker}
    checks = [
        f"speed-up of 2 workers: {speedup:.2f} (bound >= {SPEEDUP_BOUND}): "
        f"{_verdict(speedup >= SPEEDUP_BOUND)}",
        f"outputs of 1 and 2 workers: {verdict}: {_verdict(identical)}",
        f"rows written = rows asked: {_verdict(written == {n_samples})}",
    ]
    return table, checks


def map_table(model_path, folder, n_partitions):
    """Rows of the map table: cluster against memory, per method."""
    result = _child("map", model_path, folder, n_partitions)
    table = []
    for method in ("transform", "score_samples"):
        found = result[method]
        diff = found["max_abs_diff"]
        table.append(
            {
                "method": f"skgen.dask.{method}",
                "returns": found["type"],
                "rows": f"{result['rows']:,} ({result['partitions']} partitions)",
                "shape": "x".join(map(str, found["shape"])),
                "cluster s": found["cluster_seconds"],
                "memory s": found["memory_seconds"],
                "max abs diff": "shapes differ" if diff is None else f"{diff:.3g}",
                "result": _verdict(diff == 0),
            }
        )
    return table


def skgen_revision():
    """The commit of skgen's checkout, ``+dirty`` if ``skgen/`` has changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*args):
        command = ["git", "-C", str(root), *args]
        return subprocess.run(command, capture_output=True, text=True, check=True)

    try:
        commit = git("rev-parse", "--short", "HEAD").stdout.strip()
        dirty = git("status", "--porcelain", "--", "skgen").stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def header(n_rows, n_samples, repeats, bracket, revisions):
    """Title, date, machine, command line and settings of the report.

    ``revisions`` holds skgen's revision at the start and at the end.
    """
    threads = os.environ.get("OMP_NUM_THREADS", "1")
    command = shlex.join(["python", "benchmarks/bench_scale.py", *sys.argv[1:]])
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1e9
    fits = (
        f"{repeats} Dask fit(s), an in-memory fit before and after each"
        if bracket
        else f"{repeats} Dask fit(s) each followed by an in-memory fit"
    )
    return "\n".join(
        [
            "# Scale: fitting through Dask and sampling to parquet "
            "(benchmarks/bench_scale.py)",
            "",
            f"`OMP_NUM_THREADS={threads} {command}`; "
            f"{datetime.date.today().isoformat()}; {platform.machine()} CPU, "
            f"{os.cpu_count()} cores, {memory:.0f} GB; Python "
            f"{platform.python_version()}, skgen {version('skgen')} "
            f"({_revisions_note(revisions)}), torch "
            f"{version('torch')}, dask {version('dask')}, distributed "
            f"{version('distributed')}, pandas {pd.__version__}, pyarrow "
            f"{pa.__version__}.",
            "",
            f"Table: {n_rows:,} rows x 20 columns (10 float, 3 integer, 2 "
            f"categorical, 2 string, 2 boolean, 1 date) in parquet files of "
            f"{FILE_ROWS:,} rows (one Dask partition each), seed {SEED}. Model: "
            "`VAE(max_epochs=1, random_state=0, n_iter_no_change=None)`, "
            f"otherwise defaults. Fits: {fits}; seconds and baselines are "
            f"medians, peaks the largest. Sampling: {n_samples:,} rows, "
            f"partition_rows={PARTITION_ROWS:,}, {repeats} run(s) per worker "
            "count, alternating. *other load*: the cores that other processes "
            "kept busy during a step, on average (the machine's busy time less "
            "the step's own processes'), median over runs; above 0.1 the "
            "timings are noisy, and on 2 cores a busy core caps the speed-up.",
        ]
    )


def _revisions_note(revisions):
    """The skgen commit a run measured, or that it changed during the run."""
    first, last = revisions
    if first == last:
        return f"commit {first}"
    return f"commit {first} at the start, {last} at the end: skgen changed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run")
    parser.add_argument("--rows", type=int, help="rows of the table")
    parser.add_argument("--samples", type=int, help="rows to sample")
    parser.add_argument("--repeats", type=int, help="alternating runs of each step")
    parser.add_argument("--data", type=Path, help="folder of the table")
    parser.add_argument(
        "--skip-generate", action="store_true", help="fail if the table is missing"
    )
    parser.add_argument(
        "--cluster-fit",
        action=argparse.BooleanOptionalAction,
        help="also fit through a LocalCluster (default: not with --quick)",
    )
    parser.add_argument("--output", type=Path, help="also write the tables here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    n_rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    n_samples = args.samples or (QUICK_SAMPLES if args.quick else FULL_SAMPLES)
    repeats = args.repeats or 1
    root = Path(tempfile.gettempdir()) / "skgen-bench-scale"
    folder = args.data or root / f"table-{n_rows}"
    output = args.output or (None if args.quick else RESULTS)
    cluster_fit = not args.quick if args.cluster_fit is None else args.cluster_fit
    # On SIGTERM, as on Ctrl-C, stop the running step and delete the work folder.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    log = Clock()
    first_revision = skgen_revision()

    if table_ready(folder, n_rows):
        log(f"reusing the table in {folder}")
    elif args.skip_generate:
        parser.error(f"no table of {n_rows:,} rows in {folder} (--skip-generate)")
    else:
        log(f"generating {n_rows:,} rows into {folder}")
        generate(folder, n_rows, log)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=folder.parent))
    try:
        model_path = work / "vae.skgen"
        fit_rows, counters = fit_table(
            folder,
            n_rows,
            model_path,
            log,
            repeats=repeats,
            bracket=not args.quick,
            cluster_fit=cluster_fit,
        )
        sample_rows, sample_checks = sample_table(
            model_path, n_samples, repeats, work, log
        )
        n_partitions = min(2 if args.quick else 4, -(-n_rows // GROUP_ROWS))
        log(f"transform and score_samples on {n_partitions} partitions")
        map_rows = map_table(model_path, folder, n_partitions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log("done")

    how = (
        "baseline = RSS after imports, a warm-up fit and the input; peak = the "
        "process's whole-life VmHWM; extra = VmHWM of the fit (reset at the "
        "baseline) - baseline"
        if counters == {"VmHWM"}
        else "peak = ru_maxrss where VmHWM could not be reset (may overstate)"
    )
    report = "\n".join(
        [
            header(
                n_rows,
                n_samples,
                repeats,
                bracket=not args.quick,
                revisions=(first_revision, skgen_revision()),
            ),
            "",
            f"## Fit, one epoch, each in a fresh process\n\n{how}; bounds: peak < "
            f"{PEAK_BOUND_MB:,} MB, Dask rows/s >= {RATIO_BOUND} x in-memory "
            "rows/s (Dask's seconds include reading the files for the layout "
            "pass and the epoch; the in-memory fit's exclude reading).",
            "",
            to_markdown(fit_rows),
            "",
            "## Sampling to parquet with skgen.dask.sample on a LocalCluster\n\n"
            "One-thread worker processes; seconds of `.to_parquet` (the cluster "
            "started and its workers' imports done before).",
            "",
            to_markdown(sample_rows),
            "",
            *[f"- {check}" for check in sample_checks],
            "",
            "## transform and score_samples through map_partitions\n\n"
            "skgen.dask on the 2-worker LocalCluster against the model's own "
            "method on the same rows in memory.",
            "",
            to_markdown(map_rows),
        ]
    )
    write_report(report, output)


if __name__ == "__main__":
    main()
