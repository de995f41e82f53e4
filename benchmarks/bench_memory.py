"""Memory: peak RSS of fit, inference and repeated fits on a large float32 array.

Three tables, each row measured in a fresh Python process:

- **Peak of fit and transform** on a 1,000,000 x 100 float32 array (400 MB;
  200,000 rows with ``--quick``): the AutoEncoder and the VAE fit (1 epoch) and
  transform, the GAN fits (1 epoch) and samples as many rows. Bound: the extra
  memory at the peak is at most 2.5 times the array's size.
- **Batched inference**: ``transform``, ``inverse_transform``,
  ``score_samples`` and ``sample`` on 100,000 and 1,000,000 rows (also with
  ``--quick``: smaller sizes drown the growth in the allocator's slack of a few
  tens of MB). The extra memory at the peak minus the size of the result is
  what the method needs beyond its output; working in batches, it must not
  grow with the rows. Bound: it grows by at most 40 bytes per additional row,
  a tenth of a row of the 100-column float32 input.
- **Repeated fits**: one process fits and transforms an AutoEncoder and a VAE
  (1 epoch) on 10,000 x 100 rows, 50 times (20 with ``--quick``), and records
  the RSS after each cycle. Bound: the mean RSS of the last 5 cycles is at
  most 5% above that of cycles 5 to 9 (single cycles vary by a few percent as
  the allocator keeps or returns freed memory).

What is measured (Linux): the resident set size (``VmRSS`` in
``/proc/self/status``) after the imports, a warm-up (a fit and a call of the
method on 2,000 rows, which loads torch's lazily loaded code and thread pool;
for inference, the model is the one fitted there, for 1 epoch) and the
creation of the input, is the *baseline*. The kernel's peak-RSS counter
(``VmHWM``) is then reset (``echo 5 > /proc/self/clear_refs``), the step runs,
and ``VmHWM`` read after it is the *peak*; *extra* = peak - baseline, which
holds the result too. Where the counter cannot be reset, ``ru_maxrss`` of
``resource.getrusage(RUSAGE_SELF)``, the peak over the process's whole life,
is used instead, which can only overstate. MB = 10^6 bytes.

Run ``python benchmarks/bench_memory.py`` (add ``--quick`` for a short run).
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
from _tables import to_markdown
from _threads import limited_threads

from skgen import GAN, VAE, AutoEncoder

MB = 1e6
N_FEATURES = 100
N_COMPONENTS = 8
FIT_BOUND = 2.5
BYTES_PER_ROW_BOUND = 40
BATCH_ROWS = (100_000, 1_000_000)
CYCLE_BOUND = 0.05
CYCLE_ROWS = 10_000
CYCLE_WINDOW = 5
WARM_ROWS = 2_000

# (model, step) of the peak table and (model, method) of the batching table.
PEAK_CASES = [
    ("AutoEncoder", "fit"),
    ("AutoEncoder", "transform"),
    ("VAE", "fit"),
    ("VAE", "transform"),
    ("GAN", "fit"),
    ("GAN", "sample"),
]
BATCH_CASES = [
    ("AutoEncoder", "transform"),
    ("AutoEncoder", "inverse_transform"),
    ("AutoEncoder", "score_samples"),
    ("VAE", "transform"),
    ("VAE", "inverse_transform"),
    ("VAE", "score_samples"),
    ("VAE", "sample"),
    ("GAN", "sample"),
]


# Measuring, in the child process ------------------------------------------


def _status_mb(field):
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / MB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak():
    """Reset the kernel's peak-RSS counter; return whether it could be."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _lifetime_peak_mb():
    """``ru_maxrss`` in MB (kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak * 1024 / MB


def make_array(n_rows, seed=0):
    """A float32 ``n_rows x 100`` array of standard normal values.

    Drawn in place, so that no temporary exists; the values do not matter to
    memory.
    """
    X = np.empty((n_rows, N_FEATURES), dtype=np.float32)
    np.random.default_rng(seed).standard_normal(out=X, dtype=np.float32)
    return X


def make_model(name):
    """An unfitted skgen model of 1 epoch, seeded."""
    if name == "GAN":
        return GAN(max_epochs=1, n_iter_no_change=None, random_state=0)
    model = {"AutoEncoder": AutoEncoder, "VAE": VAE}[name]
    return model(N_COMPONENTS, max_epochs=1, n_iter_no_change=None, random_state=0)


def _call(model, method, n_rows, X, Z):
    """Run ``method`` of a fitted ``model`` on ``n_rows`` rows; return its output."""
    if method == "sample":
        return model.sample(n_rows, random_state=0)
    if method == "inverse_transform":
        return model.inverse_transform(Z[:n_rows])
    return getattr(model, method)(X[:n_rows])


def measure(model_name, step, n_rows):
    """Baseline, peak and output size of one step, in this process (MB)."""
    model = make_model(model_name)
    if step == "fit":
        X = make_array(n_rows)
        model.fit(X[:WARM_ROWS])
        model = make_model(model_name)
        Z = None
    else:
        needs_rows = step in ("transform", "score_samples")
        X = make_array(n_rows if needs_rows else WARM_ROWS)
        model.fit(X[:WARM_ROWS])
        Z = None
        if step == "inverse_transform":
            rng = np.random.default_rng(1)
            Z = rng.standard_normal((n_rows, N_COMPONENTS), dtype=np.float32)
        _call(model, step, WARM_ROWS, X, Z)
    gc.collect()
    baseline = _status_mb("VmRSS")
    resettable = _reset_peak()
    started = time.perf_counter()
    output = model.fit(X) if step == "fit" else _call(model, step, n_rows, X, Z)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM") if resettable else _lifetime_peak_mb()
    output_mb = 0.0 if step == "fit" else output.nbytes / MB
    return {
        "baseline_mb": baseline,
        "peak_mb": peak,
        "output_mb": output_mb,
        "seconds": seconds,
        "peak_counter": "VmHWM" if resettable else "ru_maxrss",
    }


def cycles(n_cycles, n_rows):
    """RSS (MB) after each of ``n_cycles`` fit/transform cycles of the AE and VAE."""
    X = make_array(n_rows)
    models = [make_model("AutoEncoder"), make_model("VAE")]
    rss = []
    for _ in range(n_cycles):
        for model in models:
            model.fit(X)
            model.transform(X)
        gc.collect()
        rss.append(_status_mb("VmRSS"))
    return {"rss_mb": rss}


# Running the cases, in the parent process ----------------------------------


def _child(*args):
    """Run this script with ``args`` in a fresh process; return its JSON line."""
    command = [sys.executable, os.path.abspath(__file__), *map(str, args)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def peak_table(n_rows):
    """Rows of the fit/transform peak table."""
    rows, counters = [], set()
    # The GAN samples as many rows as the array has; its bound is the same.
    array_mb = n_rows * N_FEATURES * 4 / MB
    for model_name, step in PEAK_CASES:
        result = _child("--measure", model_name, step, n_rows)
        counters.add(result["peak_counter"])
        extra = result["peak_mb"] - result["baseline_mb"]
        rows.append(
            {
                "model": model_name,
                "step": f"{step} ({n_rows:,} rows)",
                "array MB": array_mb,
                "baseline RSS MB": result["baseline_mb"],
                "peak RSS MB": result["peak_mb"],
                "extra MB": extra,
                "output MB": result["output_mb"],
                "extra / array": extra / array_mb,
                "bound": f"<= {FIT_BOUND:.2f}",
                "result": "PASS" if extra <= FIT_BOUND * array_mb else "FAIL",
                "s": result["seconds"],
            }
        )
    return rows, counters


def batch_table(small, large):
    """Rows of the batched-inference table: extra beyond the output, 2 sizes."""
    rows = []
    for model_name, method in BATCH_CASES:
        beyond = {}
        for n_rows in (small, large):
            result = _child("--measure", model_name, method, n_rows)
            extra = result["peak_mb"] - result["baseline_mb"]
            beyond[n_rows] = (result["output_mb"], extra - result["output_mb"])
        growth = (beyond[large][1] - beyond[small][1]) * MB / (large - small)
        rows.append(
            {
                "model": model_name,
                "method": method,
                f"output MB {small:,}": beyond[small][0],
                f"beyond output MB {small:,}": beyond[small][1],
                f"output MB {large:,}": beyond[large][0],
                f"beyond output MB {large:,}": beyond[large][1],
                "growth bytes/row": growth,
                "bound": f"<= {BYTES_PER_ROW_BOUND}",
                "result": "PASS" if growth <= BYTES_PER_ROW_BOUND else "FAIL",
            }
        )
    return rows


def cycle_table(n_cycles):
    """The one row of the repeated-fit table."""
    rss = _child("--cycles", n_cycles, CYCLE_ROWS)["rss_mb"]
    early = np.mean(rss[4 : 4 + CYCLE_WINDOW])
    late = np.mean(rss[-CYCLE_WINDOW:])
    growth = late / early - 1
    return [
        {
            "models": "AutoEncoder + VAE, fit + transform",
            "rows": f"{CYCLE_ROWS:,} x {N_FEATURES}",
            "cycles": n_cycles,
            "RSS MB after cycle 1": rss[0],
            "after cycle 5": rss[4],
            f"after cycle {n_cycles}": rss[-1],
            "min-max over cycles 5+": f"{min(rss[4:]):.0f}-{max(rss[4:]):.0f}",
            f"mean cycles 5-{4 + CYCLE_WINDOW}": float(early),
            f"mean last {CYCLE_WINDOW}": float(late),
            "growth": f"{growth:+.1%} ({late - early:+.0f} MB)",
            "bound": f"<= {CYCLE_BOUND:.0%}",
            "result": "PASS" if growth <= CYCLE_BOUND else "FAIL",
        }
    ]


def tables(quick=False):
    """The three memory tables: ``[(title, rows)]``."""
    n_rows = 200_000 if quick else 1_000_000
    small, large = BATCH_ROWS
    n_cycles = 20 if quick else 50
    peak_rows, counters = peak_table(n_rows)
    how = (
        "baseline = RSS after imports, warm-up and the input; peak = VmHWM, "
        "reset at the baseline"
        if counters == {"VmHWM"}
        else "peak = ru_maxrss where VmHWM could not be reset (may overstate)"
    )
    peak = (
        f"Peak memory of fit and transform on a {n_rows:,} x {N_FEATURES} float32 "
        f"array, each in a fresh process; {N_COMPONENTS} components, 1 epoch "
        f"(the GAN samples {n_rows:,} rows); {how}; bound: extra <= "
        f"{FIT_BOUND} x the array"
    )
    batched = (
        f"Batched inference: memory beyond the output at {small:,} and "
        f"{large:,} rows (extra at the peak minus the result's size, MB); "
        f"growth per additional row; bound <= {BYTES_PER_ROW_BOUND} bytes/row"
    )
    repeated = (
        f"Repeated fits in one process: RSS after fit/transform cycles; bound: "
        f"mean of the last {CYCLE_WINDOW} cycles <= {1 + CYCLE_BOUND:.2f} x mean "
        f"of cycles 5-{4 + CYCLE_WINDOW}"
    )
    return [
        (peak, peak_rows),
        (batched, batch_table(small, large)),
        (repeated, cycle_table(n_cycles)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--cycles", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        model_name, step, n_rows = args.measure
        with limited_threads():
            print(json.dumps(measure(model_name, step, int(n_rows))))
        return
    if args.cycles:
        with limited_threads():
            print(json.dumps(cycles(*args.cycles)))
        return
    with limited_threads():
        for title, rows in tables(args.quick):
            print(f"\n{title}\n\n{to_markdown(rows)}", flush=True)


if __name__ == "__main__":
    main()
