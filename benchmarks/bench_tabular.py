"""Tabular encoding round trip: skgen's TableEncoder vs a scikit-learn baseline.

Every estimator that takes a DataFrame encodes it with the private
``skgen._tabular.TableEncoder`` in ``fit`` and decodes with it in
``inverse_transform`` and ``sample``, so the encoder must cost no more than
what a user would otherwise write. The baseline is that code: a
``ColumnTransformer`` of ``StandardScaler`` and dense ``OneHotEncoder`` (all
defaults), and a hand-written inverse that rebuilds the frame with the
original column order and dtypes, as ``TableEncoder.inverse_transform`` does.
A second baseline row, for reference, gives ``OneHotEncoder`` ``dtype=float32``;
its matrix is still float64, since ``ColumnTransformer`` stacks the one-hot
block with the scaler's float64 block.

The data is a seeded table of 10 numeric columns (normal, skewed lognormal and
other shapes, at scales from 1e-3 to 1e6), a numeric column with 20% missing
values, a few-valued one (ratings 1-5 stored as floats) and 5 categorical
columns with 2 to 50 labels of Zipf-like frequencies, once with pandas
``category`` columns and once with plain ``str`` columns. The baseline imputes
the partly missing column with ``SimpleImputer(add_indicator=True)`` and
one-hot encodes the ratings, which is what skgen's encoder does with them;
skgen's side standardises numbers as the baseline does, and a third side shows
its ``numeric_scaling="quantile"`` (normal scores), the generators' default.
Timings: the sides alternate within each repeat (rotating which goes first) so
machine noise hits all alike; times are medians and the ratio is the median of
per-repeat ratios skgen / baseline (1.00 = as fast; target <= 1.5). Peak
memory: one ``tracemalloc`` run per side, apart from the timings since tracing
slows allocation; each step's peak above what was held when it started, divided
by the size of skgen's float32 matrix (target <= 2.0). The script also checks
that every side decodes its input back.

Run ``python benchmarks/bench_tabular.py`` (add ``--quick`` for a short run,
``--output benchmarks/results/bench_tabular.md`` to keep the tables).
"""

import argparse
import gc
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from _tables import to_markdown, write_report
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skgen._tabular import TableEncoder

CARDINALITIES = (2, 5, 10, 20, 50)
NUMERIC = [
    "normal",
    "normal_shifted",
    "normal_wide",
    "normal_narrow",
    "lognormal",
    "lognormal_heavy",
    "lognormal_income",
    "exponential",
    "uniform",
    "student_t",
]
CATEGORICAL = [f"cat_{k}" for k in CARDINALITIES]
MISSING = "partly_missing"
RATING = "rating"
N_RATINGS = 5
# Numbers, the missing column's number and indicator, ratings, categories.
N_ENCODED = len(NUMERIC) + 1 + 2 + N_RATINGS + sum(CARDINALITIES)


def make_frame(n_rows, seed=0):
    """Return the benchmark frame, its categorical columns of dtype ``category``.

    A categorical column follows every two numeric ones, so that decoding must
    restore an order that is not skgen's numbers-first matrix order.
    """
    rng = np.random.default_rng(seed)
    numeric = {
        "normal": rng.normal(size=n_rows),
        "normal_shifted": rng.normal(40.0, 12.0, n_rows),
        "normal_wide": rng.normal(0.0, 1e6, n_rows),
        "normal_narrow": rng.normal(0.0, 1e-3, n_rows),
        "lognormal": rng.lognormal(0.0, 0.5, n_rows),
        "lognormal_heavy": rng.lognormal(0.0, 1.5, n_rows),
        "lognormal_income": rng.lognormal(10.5, 0.8, n_rows),
        "exponential": rng.exponential(3.0, n_rows),
        "uniform": rng.uniform(-1.0, 1.0, n_rows),
        "student_t": rng.standard_t(3, n_rows),
    }
    categorical = {}
    for name, n_categories in zip(CATEGORICAL, CARDINALITIES, strict=True):
        weights = 1.0 / np.arange(1, n_categories + 1)
        codes = rng.choice(n_categories, size=n_rows, p=weights / weights.sum())
        labels = [f"c{i}" for i in range(n_categories)]
        categorical[name] = pd.Categorical.from_codes(codes, categories=labels)
    columns = {}
    for i, name in enumerate(NUMERIC):
        columns[name] = numeric[name]
        if i % 2:
            columns[CATEGORICAL[i // 2]] = categorical[CATEGORICAL[i // 2]]
    missing = rng.random(n_rows) < 0.2
    columns[MISSING] = np.where(missing, np.nan, rng.gamma(2.0, 3.0, n_rows))
    columns[RATING] = rng.integers(1, N_RATINGS + 1, n_rows).astype(np.float64)
    return pd.DataFrame(columns)


def skgen_encoder(numeric_scaling):
    """Return ``encode``: fit a TableEncoder on ``X``, return ``(encoder, Xt)``."""

    def encode(X):
        encoder = TableEncoder(numeric_scaling=numeric_scaling)
        return encoder, encoder.fit_transform(X)

    return encode


def skgen_decode(encoder, Xt):
    """Decode ``Xt`` back to a frame with the encoder."""
    return encoder.inverse_transform(Xt)


def baseline_encoder(**ohe_params):
    """Return ``(encode, decode)`` for ColumnTransformer with these OHE params."""

    def encode(X):
        missing = make_pipeline(
            SimpleImputer(add_indicator=True),
            ColumnTransformer(
                [("num", StandardScaler(), [0])], remainder="passthrough"
            ),
        )
        transformer = ColumnTransformer(
            [
                ("num", StandardScaler(), NUMERIC),
                ("missing", missing, [MISSING]),
                (
                    "cat",
                    OneHotEncoder(sparse_output=False, **ohe_params),
                    [RATING, *CATEGORICAL],
                ),
            ],
            sparse_threshold=0,
        )
        Xt = transformer.fit_transform(X)
        return (transformer, X.columns, X.dtypes), Xt

    def decode(state, Xt):
        transformer, columns, dtypes = state
        n_numeric = len(NUMERIC)
        scaler = transformer.named_transformers_["num"]
        missing = transformer.named_transformers_["missing"]
        one_hot = transformer.named_transformers_["cat"]
        numbers = scaler.inverse_transform(Xt[:, :n_numeric])
        missing_scaler = missing[-1].named_transformers_["num"]
        values = missing_scaler.inverse_transform(Xt[:, [n_numeric]])[:, 0]
        values[Xt[:, n_numeric + 1] > 0.5] = np.nan
        labels = one_hot.inverse_transform(Xt[:, n_numeric + 2 :])
        frame = pd.concat(
            [
                pd.DataFrame(numbers, columns=NUMERIC),
                pd.DataFrame({MISSING: values}),
                pd.DataFrame(labels, columns=[RATING, *CATEGORICAL]),
            ],
            axis=1,
        )
        return frame[columns].astype(dtypes)

    return encode, decode


QUANTILE = "skgen TableEncoder, quantile"
SIDES = {
    "skgen TableEncoder": (skgen_encoder("standard"), skgen_decode),
    QUANTILE: (skgen_encoder("quantile"), skgen_decode),
    "ColumnTransformer": baseline_encoder(),
    "ColumnTransformer, OHE float32": baseline_encoder(dtype=np.float32),
}
SKGEN = "skgen TableEncoder"


def round_trip_seconds(side, X):
    """Return ``(encode s, decode s)`` of one round trip through ``side``."""
    encode, decode = SIDES[side]
    start = time.perf_counter()
    state, Xt = encode(X)
    middle = time.perf_counter()
    decode(state, Xt)
    return middle - start, time.perf_counter() - middle


def bench_time(variant, X, repeats):
    """Time all sides in alternation; return a row of medians per side.

    A full-size warm-up round (not counted) pays one-off costs: lazy imports
    and the first large allocations, which made the first runs of a process
    up to 3x slower than the next. The ratio is the median over repeats of
    the per-repeat ratio, which discounts bursts of load from other processes
    that hit one side of a repeat.
    """
    sides = list(SIDES)
    for side in sides:
        round_trip_seconds(side, X)
    times = {side: [] for side in sides}
    for repeat in range(repeats):
        shift = repeat % len(sides)
        for side in sides[shift:] + sides[:shift]:
            gc.collect()
            times[side].append(round_trip_seconds(side, X))
    med = statistics.median
    rows = []
    for side in sides:
        totals = [encode + decode for encode, decode in times[side]]
        skgen_totals = [encode + decode for encode, decode in times[SKGEN]]
        rows.append(
            {
                "categoricals": variant,
                "side": side,
                "encode s": med(encode for encode, _ in times[side]),
                "decode s": med(decode for _, decode in times[side]),
                "total s": med(totals),
                "skgen / side": "-"
                if side == SKGEN
                else med(s / b for s, b in zip(skgen_totals, totals, strict=True)),
            }
        )
    return rows


def traced_round_trip(side, X):
    """Trace one round trip; return ``(encode peak, decode peak, Xt, decoded)``.

    Each peak is in bytes above what was traced when the step started: the
    step's temporaries and its result, not the input frame or matrix.
    """
    encode, decode = SIDES[side]
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        state, Xt = encode(X)
        encode_peak = tracemalloc.get_traced_memory()[1] - held
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        decoded = decode(state, Xt)
        decode_peak = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    return encode_peak, decode_peak, Xt, decoded


def check_round_trip(side, X, Xt, decoded):
    """Assert that ``decoded`` is ``X``: same columns, dtypes and values.

    Numbers pass through a standardised float32 (or float64) value, whose
    rounding error scales with the column's spread, not with the value; so
    besides ``rtol=1e-5`` values near zero get 1e-5 standard deviations.
    """
    if side.startswith(SKGEN):
        assert Xt.shape == (len(X), N_ENCODED), Xt.shape
        assert Xt.dtype == np.float32 and Xt.flags.c_contiguous
    assert list(decoded.columns) == list(X.columns), side
    assert (decoded.dtypes == X.dtypes).all(), (side, decoded.dtypes)
    for name in [RATING, *CATEGORICAL]:
        assert (decoded[name].to_numpy() == X[name].to_numpy()).all(), (side, name)
    # Normal scores pass through quantiles, exact at them and interpolated
    # between: a looser tolerance for the quantile side.
    rtol = 1e-2 if side.endswith("quantile") else 1e-5
    for name in [*NUMERIC, MISSING]:
        expected = X[name].to_numpy()
        np.testing.assert_allclose(
            decoded[name].to_numpy(),
            expected,
            rtol=rtol,
            atol=rtol * np.nanstd(expected),
        )


def bench_memory(variant, X):
    """Trace each side once, check its round trip; return a row per side."""
    matrix_bytes = len(X) * N_ENCODED * np.dtype(np.float32).itemsize
    rows = []
    for side in SIDES:
        encode_peak, decode_peak, Xt, decoded = traced_round_trip(side, X)
        check_round_trip(side, X, Xt, decoded)
        del Xt, decoded
        rows.append(
            {
                "categoricals": variant,
                "side": side,
                "encode peak MB": encode_peak / 1e6,
                "encode peak / float32 Xt": encode_peak / matrix_bytes,
                "decode peak MB": decode_peak / 1e6,
                "decode peak / float32 Xt": decode_peak / matrix_bytes,
            }
        )
    return rows


def verdicts(time_rows, memory_rows):
    """Return one line per variant saying whether skgen meets its targets."""
    lines = []
    for time_row in time_rows:
        if time_row["side"] != "ColumnTransformer":
            continue
        variant = time_row["categoricals"]
        memory = next(
            row
            for row in memory_rows
            if row["categoricals"] == variant and row["side"] == SKGEN
        )
        worst = max(
            memory["encode peak / float32 Xt"], memory["decode peak / float32 Xt"]
        )
        ratio = time_row["skgen / side"]
        quantile = next(
            row
            for row in time_rows
            if row["categoricals"] == variant and row["side"] == QUANTILE
        )
        quantile_ratio = quantile["total s"] / time_row["total s"]
        lines.append(
            f"- {variant}: time ratio {ratio:.2f} "
            f"({'meets' if ratio <= 1.5 else 'MISSES'} <= 1.5; with normal "
            f"scores {quantile_ratio:.2f}, a ratio of medians), "
            f"peak memory {worst:.2f} x float32 Xt "
            f"({'meets' if worst <= 2.0 else 'MISSES'} <= 2.0)"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--output", type=Path, help="also write the tables here")
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 5)
    n_rows = 100_000 if args.quick else 1_000_000
    frame = make_frame(n_rows)
    frames = {
        "category": frame,
        "str": frame.astype(dict.fromkeys(CATEGORICAL, "str")),
    }
    time_rows, memory_rows = [], []
    for variant, X in frames.items():
        time_rows += bench_time(variant, X, repeats)
        memory_rows += bench_memory(variant, X)
    matrix_mb = n_rows * N_ENCODED * 4 / 1e6
    report = "\n".join(
        [
            f"{n_rows:,} rows x {len(NUMERIC)} numeric, 1 partly missing, 1 "
            f"few-valued and {len(CATEGORICAL)} categorical columns -> "
            f"{N_ENCODED} encoded ({matrix_mb:,.0f} MB as "
            f"float32); numpy {np.__version__}, pandas {pd.__version__}, "
            f"scikit-learn {sklearn.__version__}",
            "",
            f"Round trip (fit_transform + inverse), {repeats} alternating runs; "
            "seconds: medians; skgen / side: median of per-run total-time ratios "
            "(target <= 1.5 against ColumnTransformer; with OHE float32 the "
            "ColumnTransformer still returns float64)",
            "",
            to_markdown(time_rows, thousands_above=100),
            "",
            "Peak traced memory (tracemalloc, one run per side) of each step above "
            "what was held when it started, over the float32 matrix skgen returns "
            "(target <= 2.0 for skgen)",
            "",
            to_markdown(memory_rows, thousands_above=100),
            "",
            *verdicts(time_rows, memory_rows),
        ]
    )
    write_report(report, args.output)


if __name__ == "__main__":
    main()
