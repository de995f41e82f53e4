"""Synthetic data quality: generators side by side on three labelled tables.

Every generator is fitted on the same training split (features and label) and
draws the same number of rows. The table reports, per data set and generator:

- fit and sample time (seconds, wall clock), means over seeds;
- TSTR: a RandomForest trained on the synthetic rows, accuracy and macro-F1 on
  the real test split (the "real" row trains on the real training rows);
- the two-sample AUC of a classifier telling the training rows from as many
  synthetic ones, and their maximum mean discrepancy (0.5 and 0 are best);
- the fidelity summary: mean Kolmogorov-Smirnov statistic of the numeric
  columns, mean total variation distance of the categorical ones (the label
  included), mean association error;
- distance to closest record against the test rows: the share of synthetic
  rows closer to a training row than 5% of real test rows are, and whether
  ``skgen.metrics.dcr`` flags the generator as a memoriser.

The "real (test rows)" line scores the held-out real rows as if they were a
generator's output: the values an ideal generator would reach. CTGAN and TVAE
need the ``ctgan`` package (``pip install -e ".[benchmarks]"``); without it
their lines are left out.

Run ``python benchmarks/bench_generators.py`` (``--quick`` for a short run).
"""

import statistics
import time

from _datasets import DATASETS, classifier, train_test, with_label
from _generators import generators
from _tables import main_for
from sklearn.ensemble import RandomForestClassifier

from skgen.metrics import (
    dcr,
    fidelity_report,
    maximum_mean_discrepancy,
    tstr_score,
    two_sample_auc,
)

N_SYNTHETIC = 10_000
EPOCHS = 300
FULL_SEEDS = 3
QUICK_SEEDS = 1
# Columns that also show their spread over seeds.
SPREAD = ("TSTR acc", "2-sample AUC")


def tstr(X, y, X_test, y_test):
    """TSTR accuracy and macro-F1 of a RandomForest."""
    model = classifier(RandomForestClassifier(random_state=0))
    scores = tstr_score(model, X, y, X_test, y_test, scoring=["accuracy", "f1_macro"])
    return scores["accuracy"], scores["f1_macro"]


def quality(train, synthetic, holdout):
    """Two-sample, fidelity and DCR figures of a synthetic table (label included)."""
    subsample = synthetic.sample(
        min(len(train), len(synthetic)), random_state=0
    ).reset_index(drop=True)
    report = fidelity_report(train, synthetic)
    numeric = report["statistic"] == "ks"
    check = dcr(train, synthetic, holdout=holdout)
    return {
        "2-sample AUC": two_sample_auc(train, subsample, random_state=0),
        "MMD": maximum_mean_discrepancy(train, subsample),
        "mean KS": report.loc[numeric, "distance"].mean(),
        "mean TVD": report.loc[~numeric, "distance"].mean(),
        "assoc. error": report["association_error"].mean(),
        "DCR closer": check.closer_fraction,
        "memorises": "yes" if check.memorizes else "no",
    }


def generator_row(generator, X_train, y_train, X_test, y_test, train, holdout):
    """Times and quality figures of one fit of one generator."""
    start = time.perf_counter()
    generator.fit(X_train, y_train)
    fitted = time.perf_counter()
    X, y = generator.sample(N_SYNTHETIC)
    sampled = time.perf_counter()
    accuracy, f1 = tstr(X, y, X_test, y_test)
    row = {
        "fit s": fitted - start,
        "sample s": sampled - fitted,
        "TSTR acc": accuracy,
        "TSTR F1": f1,
    }
    return {**row, **quality(train, with_label(X, y), holdout)}


def summarise(runs):
    """Means over seeds; the spread too for TSTR accuracy and the AUC."""
    row = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        if key == "memorises":
            flagged = values.count("yes")
            row[key] = {0: "no", len(runs): "yes"}.get(
                flagged, f"{flagged} of {len(runs)}"
            )
        elif key in SPREAD and len(runs) > 1:
            row[key] = (
                f"{statistics.mean(values):.2f} ± {statistics.pstdev(values):.2f}"
            )
        else:
            row[key] = statistics.mean(values)
    return row


def dataset_rows(name, epochs, seeds):
    """One row per generator (and the real test rows) on one data set."""
    X_train, X_test, y_train, y_test = train_test(name)
    train = with_label(X_train, y_train)
    holdout = with_label(X_test, y_test)
    accuracy, f1 = tstr(X_train, y_train, X_test, y_test)
    real = {"fit s": "-", "sample s": "-", "TSTR acc": accuracy, "TSTR F1": f1}
    # The real test rows against the training rows; DCR's reference is then
    # the training rows' distances to each other.
    real_quality = quality(train, holdout, None)
    rows = [{"data": name, "generator": "real (test rows)", **real, **real_quality}]
    runs = {}
    for seed in range(seeds):
        for generator in generators(epochs, random_state=seed):
            runs.setdefault(generator.name, []).append(
                generator_row(
                    generator, X_train, y_train, X_test, y_test, train, holdout
                )
            )
    for generator, generator_runs in runs.items():
        rows.append({"data": name, "generator": generator, **summarise(generator_runs)})
    return rows


def tables(quick=False):
    """The generator table: ``[(title, rows)]``."""
    seeds = QUICK_SEEDS if quick else FULL_SEEDS
    rows = [row for name in DATASETS for row in dataset_rows(name, EPOCHS, seeds)]
    title = (
        f"Generators: {EPOCHS} epochs, batch 500, {N_SYNTHETIC:,} synthetic rows, "
        f"mean over {seeds} seed(s) (± std); TSTR with RandomForest on the real "
        "test split"
    )
    return [(title, rows)]


if __name__ == "__main__":
    main_for(tables, __doc__.splitlines()[0])
