"""Real-world columns: do generated tables keep missing values, codes and marginals?

Fits :class:`skgen.VAE` and :class:`skgen.GAN` with no preprocessing on real
tables that ship inside Python packages, and scores their samples:

- **penguins** (``palmerpenguins``, 344 rows, all of them, so with their
  missing measurements and sexes; ``year`` takes three values);
- **fair** (statsmodels' ``fair``, 6,366 rows; every column but ``affairs``
  is a code stored as float64: ratings 1-5, children 0/1/2/3/4/5.5, ...;
  ``affairs`` is continuous and zero for two thirds of the rows).

Each table is split in halves (per seed); the model is fitted on one and
sampled as many rows; the sample is scored against the other half with
:func:`skgen.metrics.two_sample_auc` (0.5: a classifier cannot tell the
rows apart; the real-vs-real row gives the floor). Also reported, from a
further sample of 10,000 rows (so that sampling error stays small): the worst
gap between the training half's and the generated missing rates over the
columns (points), and the share of generated values of few-valued columns
that the training half has (1.00: only observed values); and whether the
dtypes came back. Each model
runs with its default ``numeric_scaling`` and the other scalings; everything
else is default. Numbers are means over seeds with their standard deviation.

Run ``python benchmarks/bench_real_columns.py`` (``--quick``: one seed);
needs ``pip install palmerpenguins statsmodels``. Set ``OMP_NUM_THREADS=1``
on a shared machine.
"""

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _tables import to_markdown, write_report

from skgen import GAN, VAE
from skgen.metrics import two_sample_auc

FEW_VALUES = 10
LARGE_SAMPLE = 10_000


def penguins():
    """The penguins, missing values kept; strings as categories."""
    import palmerpenguins

    frame = palmerpenguins.load_penguins()
    for name in ("species", "island", "sex"):
        frame[name] = frame[name].astype("category")
    return frame


def fair():
    """statsmodels' affairs survey: codes stored as float64."""
    import statsmodels.api as sm

    return sm.datasets.fair.load_pandas().data


TABLES = {"penguins": penguins, "fair": fair}
MODELS = {"VAE": VAE, "GAN": GAN}
SCALINGS = ("quantile", "standard")


def split(frame, seed):
    """Two halves of the rows, shuffled by ``seed``."""
    order = np.random.default_rng(seed).permutation(len(frame))
    half = len(frame) // 2
    return (
        frame.iloc[order[:half]].reset_index(drop=True),
        frame.iloc[order[half:]].reset_index(drop=True),
    )


def few_valued(frame):
    """Numeric columns with at most ``FEW_VALUES`` distinct values."""
    return [
        name
        for name in frame.columns
        if pd.api.types.is_numeric_dtype(frame[name])
        and frame[name].nunique() <= FEW_VALUES
    ]


def observed_share(real, synthetic, columns):
    """Share of generated values (not missing) of ``columns`` that real has."""
    hits = total = 0
    for name in columns:
        values = synthetic[name].dropna()
        hits += values.isin(set(real[name].dropna())).sum()
        total += len(values)
    return hits / total if total else 1.0


def missing_gap(real, synthetic):
    """Largest gap between the missing rates of a column, in points."""
    return 100 * float((real.isna().mean() - synthetic.isna().mean()).abs().max())


def run(table, model, scaling, seed):
    """One fit, sample and scoring; returns a dict of results."""
    frame = TABLES[table]()
    train, held_out = split(frame, seed)
    start = time.perf_counter()
    estimator = MODELS[model](numeric_scaling=scaling, random_state=seed).fit(train)
    seconds = time.perf_counter() - start
    synthetic = estimator.sample(len(train), random_state=seed)
    # Rates and values from a large sample, so that they measure the model
    # rather than the sampling error of a few hundred rows.
    large = estimator.sample(LARGE_SAMPLE, random_state=seed + 1)
    return {
        "auc": two_sample_auc(held_out, synthetic, random_state=seed),
        "missing gap": missing_gap(train, large),
        "observed": observed_share(train, large, few_valued(frame)),
        "dtypes": bool(synthetic.dtypes.equals(frame.dtypes)),
        "fit s": seconds,
    }


def summary(values):
    """``mean ± std`` of a list of numbers (``mean`` for one)."""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.3f}"
    return f"{mean:.3f} ± {statistics.stdev(values):.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--output", type=Path, help="also write the table here")
    args = parser.parse_args()
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    rows = []
    for table in args.tables:
        frame = TABLES[table]()
        reference = [
            two_sample_auc(*split(frame, seed), random_state=seed) for seed in seeds
        ]
        rows.append(
            {
                "table": table,
                "model": "real vs real",
                "auc": summary(reference),
                "missing gap (points)": "-",
                "few-valued observed": "-",
                "dtypes kept": "-",
                "fit s": "-",
            }
        )
        for model in MODELS:
            default = MODELS[model]().numeric_scaling
            for scaling in SCALINGS:
                results = []
                for seed in seeds:
                    results.append(run(table, model, scaling, seed))
                    print(f"{table} {model} {scaling} seed {seed}: {results[-1]}")
                name = f"{model}({'' if scaling == default else scaling})"
                rows.append(
                    {
                        "table": table,
                        "model": name.replace("()", "() default"),
                        "auc": summary([r["auc"] for r in results]),
                        "missing gap (points)": max(r["missing gap"] for r in results),
                        "few-valued observed": min(r["observed"] for r in results),
                        "dtypes kept": all(r["dtypes"] for r in results),
                        "fit s": statistics.median(r["fit s"] for r in results),
                    }
                )
    report = "\n".join(
        [
            f"Two-sample AUC of the sample against held-out real rows (mean ± std "
            f"over seeds {seeds}); missing gap: the worst column's |real - "
            "generated| missing rate over seeds; few-valued observed: the lowest "
            "share of generated values of few-valued columns that real has; fit "
            "s: median.",
            "",
            to_markdown(rows),
        ]
    )
    write_report(report, args.output)


if __name__ == "__main__":
    main()
