"""Real data: skgen's generators against their peers on seven public tables.

Every generator is fitted, unconditionally and with its defaults, on the whole
training split of a table (features and target as one frame, categorical
columns as ``category``) and draws as many rows. Tables, all shipped inside
packages (nothing is downloaded):

- **diamonds** (``plotnine.data``): a 10,000-row subsample drawn by the
  split seed, and **diamonds (full)**, all 53,940 rows; target ``price``;
- **penguins** (``palmerpenguins``, 344 rows, missing values kept); target
  ``species``;
- **fair** (statsmodels, 6,366 rows); target ``affairs``, replaced by whether
  it is above zero (a yes/no category);
- **breast_cancer** and **wine** (scikit-learn); target ``target``;
- **mixed** (``_datasets.mixed``, 2,000 rows, string columns as categories);
  target ``target``.

Each seed splits the table 75/25 into training and holdout rows (stratified
on a class target). Per table, generator and seed:

- **AUC**: ``two_sample_auc(train, synthetic)`` (0.5 is best);
- **AUC new**: ``two_sample_auc(holdout, synthetic)`` on as many synthetic
  rows as holdout rows: rows the generator never saw against its output. A
  generator that reproduces its training sample's quirks scores well on
  **AUC** (even below 0.5) and worse here; fresh real rows score the same on
  both. (Runs cached before this column existed show ``-``.)
- **TSTR**: a ``HistGradientBoosting`` model (``categorical_features=
  "from_dtype"``) trained on the synthetic rows, scored on the holdout:
  balanced accuracy for a class target, R² for ``price``;
- **assoc. error** and **mean KS**: means over the columns of
  ``fidelity_report(train, synthetic)``'s association error and of its
  Kolmogorov-Smirnov statistics (numeric columns);
- **DCR closer** and **copies?**: ``dcr(train, synthetic, holdout=holdout)``,
  the share of synthetic rows closer to a training row than 5% of holdout
  rows are, and whether it flags the generator as a memoriser;
- fit and sample seconds (wall clock).

The "real (holdout)" row scores the holdout rows as if they were a
generator's output (its TSTR trains on the training rows): what an ideal
generator reaches.

Each run's result is kept as JSON in ``--cache``; a peer's is reused unless
``--rerun`` names it, skgen's models rerun unless ``--cache-skgen``. So
``python benchmarks/bench_real.py --models "skgen VAE,skgen GAN"`` refits
skgen alone, and ``--cache-skgen`` then rebuilds the full page from the
cache (``--from-cache`` tabulates the cache without fitting anything). Set
``OMP_NUM_THREADS=1`` on a shared machine.
"""

import argparse
import json
import platform
import shlex
import statistics
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
from _datasets import mixed
from _peers import PEER_PACKAGES, PEERS, package_note
from _tables import to_markdown, write_report
from _threads import limited_threads
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.model_selection import train_test_split

import skgen
from skgen.metrics import dcr, fidelity_report, tstr_score, two_sample_auc

HOLDOUT = 0.25
DIAMONDS_SUBSAMPLE = 10_000
# ForestDiffusion fits for minutes per few hundred rows: small tables only.
FOREST_MAX_ROWS = 600
SMALL_TABLES = ("penguins", "wine", "breast_cancer")
REAL = "real (holdout)"
# How the best generator's figure (in bold) is found: the lowest of
# ``sign * value``, with ``None`` for the AUCs: the closest to 0.5. An AUC
# below 0.5 is no better than one as far above it: generated rows that a
# classifier scores the wrong way round lean towards the training rows.
SIGNS = {"AUC": None, "AUC new": None, "TSTR": -1, "assoc. error": 1, "mean KS": 1}
METRICS = (
    "AUC",
    "AUC new",
    "TSTR",
    "assoc. error",
    "mean KS",
    "DCR closer",
    "fit s",
    "sample s",
)


def diamonds():
    """All 53,940 diamonds; cut, colour and clarity are ordered categories."""
    from plotnine.data import diamonds as frame

    return frame.copy(), "price"


def penguins():
    """The penguins with their missing values; strings as categories."""
    import palmerpenguins

    frame = palmerpenguins.load_penguins()
    for name in ("species", "island", "sex"):
        frame[name] = frame[name].astype("category")
    return frame, "species"


def fair():
    """statsmodels' affairs survey, ``affairs`` as a yes/no category."""
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    frame["affairs"] = pd.Categorical(
        np.where(frame["affairs"] > 0, "yes", "no"), categories=["no", "yes"]
    )
    return frame, "affairs"


def sklearn_table(loader):
    """A scikit-learn data set as one frame, its target a category."""
    X, y = loader(return_X_y=True, as_frame=True)
    return X.assign(target=pd.Categorical(y)), "target"


def mixed_table():
    """``_datasets.mixed`` with its label; string columns as categories."""
    X, y = mixed()
    frame = X.assign(target=pd.Categorical(y))
    strings = frame.select_dtypes(include="object").columns
    return frame.astype({name: "category" for name in strings}), "target"


TABLES = {
    "diamonds": diamonds,
    "diamonds (full)": diamonds,
    "penguins": penguins,
    "fair": fair,
    "breast_cancer": lambda: sklearn_table(load_breast_cancer),
    "wine": lambda: sklearn_table(load_wine),
    "mixed": mixed_table,
}


def split(table, seed):
    """``train, holdout, target`` of a table for one seed."""
    frame, target = TABLES[table]()
    if table == "diamonds":
        frame = frame.sample(DIAMONDS_SUBSAMPLE, random_state=seed)
    frame = frame.reset_index(drop=True)
    is_class = isinstance(frame[target].dtype, pd.CategoricalDtype)
    train, holdout = train_test_split(
        frame,
        test_size=HOLDOUT,
        random_state=seed,
        stratify=frame[target] if is_class else None,
    )
    return train.reset_index(drop=True), holdout.reset_index(drop=True), target


class SkgenModel:
    """One of skgen's generators, fitted on the frame with its defaults."""

    def __init__(self, name, estimator, random_state=0):
        self.name = name
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, frame):
        """Fit ``estimator(random_state=...)`` on the whole frame."""
        self.model_ = self.estimator(random_state=self.random_state).fit(frame)
        return self

    def sample(self, n):
        """``n`` rows, seeded."""
        return self.model_.sample(n, random_state=self.random_state)


def skgen_models():
    """skgen's generators available in the installed version, by name."""
    found = {"skgen VAE": skgen.VAE, "skgen GAN": skgen.GAN}
    autoregressive = getattr(skgen, "AutoregressiveGenerator", None)
    if autoregressive is not None:
        found["skgen AR"] = autoregressive
    return found


def make_generator(name, seed):
    """A fresh, seeded generator."""
    if name in PEERS:
        return PEERS[name](random_state=seed)
    return SkgenModel(name, skgen_models()[name], random_state=seed)


def tstr(synthetic, holdout, target):
    """HistGradientBoosting trained on ``synthetic``, scored on ``holdout``."""
    if isinstance(holdout[target].dtype, pd.CategoricalDtype):
        model = HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=0
        )
        scoring = "balanced_accuracy"
    else:
        model = HistGradientBoostingRegressor(
            categorical_features="from_dtype", random_state=0
        )
        scoring = "r2"
    synthetic = synthetic[synthetic[target].notna()]
    return tstr_score(
        model,
        synthetic.drop(columns=target),
        synthetic[target],
        holdout.drop(columns=target),
        holdout[target],
        scoring=scoring,
    )


def scores(train, synthetic, holdout, target, reference):
    """AUC, TSTR, fidelity and DCR figures of one synthetic table."""
    report = fidelity_report(train, synthetic)
    check = dcr(train, synthetic, holdout=None if reference else holdout)
    if reference:
        # Fresh rows against fresh rows: the holdout against training rows.
        fresh = train.sample(len(holdout), random_state=0)
    else:
        fresh = synthetic.sample(min(len(holdout), len(synthetic)), random_state=0)
    return {
        "AUC": two_sample_auc(train, synthetic, random_state=0),
        "AUC new": two_sample_auc(
            holdout, fresh.reset_index(drop=True), random_state=0
        ),
        "TSTR": tstr(train if reference else synthetic, holdout, target),
        "assoc. error": float(report["association_error"].mean()),
        "mean KS": float(report.loc[report["statistic"] == "ks", "distance"].mean()),
        "DCR closer": check.closer_fraction,
        "copies": bool(check.memorizes),
    }


def run(table, name, seed):
    """Fit, sample and score one generator (or the holdout) on one split."""
    train, holdout, target = split(table, seed)
    if name == REAL:
        return {**scores(train, holdout, holdout, target, True), "fit s": None}
    generator = make_generator(name, seed)
    start = time.perf_counter()
    generator.fit(train)
    fitted = time.perf_counter()
    synthetic = generator.sample(len(train))
    sampled = time.perf_counter()
    return {
        **scores(train, synthetic[list(train.columns)], holdout, target, False),
        "fit s": fitted - start,
        "sample s": sampled - fitted,
    }


def cached_run(table, name, seed, args):
    """A run's result from the cache, or a fresh run stored there."""
    path = args.cache / f"{table}__{name}__{seed}.json".replace(" ", "_")
    reuse = args.from_cache or (
        name not in args.rerun and (name in PEERS or name == REAL or args.cache_skgen)
    )
    if reuse and path.exists():
        result = json.loads(path.read_text())
        if "error" not in result or args.from_cache:
            return result
    if args.from_cache:
        return {"error": "not run (nothing in the cache)"}
    start = time.perf_counter()
    try:
        result = run(table, name, seed)
    except Exception as error:  # noqa: BLE001 - a failed run is a result
        message = f"{type(error).__name__}: {error}".splitlines()[0][:200]
        result = {"error": message, "traceback": traceback.format_exc()}
    seconds = time.perf_counter() - start
    result["skgen"] = skgen.__version__
    print(
        f"{table} | {name} | seed {seed} | {seconds:.1f} s | "
        + (result["error"] if "error" in result else f"AUC {result['AUC']:.3f}"),
        flush=True,
    )
    args.cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1))
    return result


def summary(values):
    """``mean ± std`` over seeds (``mean`` for one, ``-`` for none)."""
    values = [value for value in values if value is not None]
    if not values:
        return "-"
    mean = statistics.fmean(values)
    digits = 0 if abs(mean) >= 100 else 1 if abs(mean) >= 10 else 3
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def table_rows(results):
    """One row per generator; the best non-copying figures in bold."""
    rows, means = [], {}
    for name, runs in results.items():
        good = [run for run in runs if "error" not in run]
        errors = sorted({run["error"] for run in runs if "error" in run})
        copies = [run["copies"] for run in good]
        flag = (
            "-"
            if not good
            else "yes"
            if all(copies)
            else (f"{sum(copies)} of {len(copies)}" if any(copies) else "no")
        )
        copying = good and any(copies) and name != REAL
        label = f"{name} (copies)" if copying else name
        row = {"generator": label, "seeds": f"{len(good)}/{len(runs)}"}
        for metric in METRICS:
            row[metric] = summary([run.get(metric) for run in good])
        row["copies?"] = flag
        if errors:
            row["generator"] += " — error: " + "; ".join(errors)
        if good and not any(copies) and name != REAL:
            means[name] = {}
            for metric in SIGNS:
                values = [r[metric] for r in good if r.get(metric) is not None]
                if values:
                    means[name][metric] = statistics.fmean(values)
        rows.append((name, row))
    best = {
        metric: min(
            (n for n in means if metric in means[n]),
            key=lambda n: (
                abs(means[n][metric] - 0.5) if sign is None else sign * means[n][metric]
            ),
            default=None,
        )
        for metric, sign in SIGNS.items()
    }
    for name, row in rows:
        for metric, winner in best.items():
            if name == winner:
                row[metric] = f"**{row[metric]}**"
    return [row for _, row in rows]


def wanted_runs(table, models, args):
    """The generators that run on ``table``."""
    names = [REAL, *models]
    if "ForestDiffusion" in names:
        train, _, _ = split(table, 0)
        if not args.with_forestdiffusion or len(train) > FOREST_MAX_ROWS:
            names.remove("ForestDiffusion")
    return names


def header(args, seeds):
    """Title, command, machine and the peers' versions and licences."""
    packages = sorted(set(PEER_PACKAGES.values()))
    return "\n".join(
        [
            "# Real data: generators against their peers (benchmarks/bench_real.py)",
            "",
            f"`OMP_NUM_THREADS=1 python benchmarks/{Path(sys.argv[0]).name} "
            f"{shlex.join(sys.argv[1:])}`; seeds {list(seeds)}; "
            f"{platform.machine()} CPU, {platform.python_version()}, skgen "
            f"{skgen.__version__}. {args.note}",
            "",
            "Peers: " + "; ".join(package_note(p) for p in packages) + "; the "
            "empirical copula is written here (benchmarks/_peers.py).",
            "",
            "Every generator is fitted unconditionally with its defaults on the "
            "75% training split and draws as many rows. AUC: two-sample AUC "
            "against the training rows; AUC new: against the held-out rows, "
            "on as many synthetic rows (0.5 best for both: below 0.5 the "
            "classifier scores the rows the wrong way round, which generated "
            "rows that lean towards their training rows cause, so the bold one "
            "is the closest to 0.5). TSTR: HistGradientBoosting "
            "trained on the synthetic rows, scored on the 25% holdout "
            "(balanced accuracy; R² for diamonds' price). assoc. error and mean "
            "KS: from `fidelity_report` (0 best). DCR closer: share of synthetic "
            "rows closer to a training row than 5% of holdout rows are; copies?: "
            "`dcr(...).memorizes`. Mean ± std over seeds; bold: best among "
            "generators not flagged as copying. The real (holdout) row's DCR "
            "compares the training rows with each other. `seeds` counts the runs "
            "that finished.",
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(TABLES), help="comma-separated")
    default_models = [name for name in PEERS if name != "ForestDiffusion"]
    default_models += list(skgen_models())
    parser.add_argument("--models", default=",".join(default_models))
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds")
    parser.add_argument("--quick", action="store_true", help="1 seed, small tables")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench_real_cache"))
    parser.add_argument("--rerun", default="", help="models to refit, comma-separated")
    parser.add_argument("--cache-skgen", action="store_true", help="reuse skgen runs")
    parser.add_argument(
        "--from-cache", action="store_true", help="only tabulate cached runs"
    )
    parser.add_argument("--with-forestdiffusion", action="store_true")
    parser.add_argument("--note", default="", help="machine note for the page")
    parser.add_argument(
        "--output", type=Path, default=Path("benchmarks/results/real.md")
    )
    args = parser.parse_args()
    args.rerun = set(filter(None, args.rerun.split(",")))
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    if args.with_forestdiffusion and "ForestDiffusion" not in models:
        models.append("ForestDiffusion")
    available = set(PEERS) | set(skgen_models())
    models = [name for name in models if name in available]
    tables = args.tables.split(",")
    seeds = range(1 if args.quick else args.seeds)
    if args.quick:
        tables = [table for table in tables if table in SMALL_TABLES]
    sections = [header(args, seeds)]
    with limited_threads():
        for table in tables:
            results = {
                name: [cached_run(table, name, seed, args) for seed in seeds]
                for name in wanted_runs(table, models, args)
            }
            sections += [f"\n## {table}\n", to_markdown(table_rows(results))]
    write_report("\n".join(sections), args.output)


if __name__ == "__main__":
    main()
