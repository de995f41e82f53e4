"""Augmenting scarce labels: no resampling, RandomOverSampler, SMOTE, generators.

For each data set, 10% of the labelled training rows are kept (stratified, a
different subsample per seed), then topped up to the class counts of the full
training split by each method: nothing, RandomOverSampler, SMOTE (SMOTENC when
there are categorical columns) and every generator fitted on the scarce rows
and asked for rows of each class. LogisticRegression and RandomForest (behind
one-hot encoding and scaling) are trained on the result and scored on the real
test split. The table gives the mean and standard deviation over the seeds.

Run ``python benchmarks/bench_augmentation.py`` (``--quick`` for a short run).
"""

import statistics
import time

import numpy as np
import pandas as pd
from _datasets import DATASETS, categorical_columns, classifier, train_test
from _generators import generators, restore_dtypes
from _tables import main_for
from imblearn.over_sampling import SMOTE, SMOTENC, RandomOverSampler
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

KEEP = 0.1
FULL_SEEDS = 5
QUICK_SEEDS = 3
EPOCHS = 300
# Per generator, how many classes it could not generate from its joint model
# (see _generators.py); reported under the table.
FALLBACKS = {}


def smote(X, y, counts, seed):
    """SMOTE, or SMOTENC when ``X`` has categorical columns."""
    k_neighbors = min(5, int(pd.Series(y).value_counts().min()) - 1)
    categorical = categorical_columns(X)
    if categorical:
        sampler = SMOTENC(
            categorical,
            sampling_strategy=counts,
            k_neighbors=k_neighbors,
            random_state=seed,
        )
    else:
        sampler = SMOTE(
            sampling_strategy=counts, k_neighbors=k_neighbors, random_state=seed
        )
    X_res, y_res = sampler.fit_resample(X, y)
    return restore_dtypes(X_res, X.dtypes.to_dict()), y_res


def with_generator(generator, X, y, counts):
    """``X, y`` plus the generator's rows for each class, up to ``counts``."""
    generator.fit(X, y)
    have = pd.Series(y).value_counts()
    parts, labels = [X.reset_index(drop=True)], [np.asarray(y)]
    for label, target in counts.items():
        missing = target - have.get(label, 0)
        if missing > 0:
            parts.append(generator.sample_class(label, missing))
            labels.append(np.full(missing, label))
    FALLBACKS[generator.name] = FALLBACKS.get(generator.name, 0) + len(
        getattr(generator, "class_models_", ())
    )
    return pd.concat(parts, ignore_index=True), np.concatenate(labels)


def methods(epochs, seed):
    """``{name: resample(X, y, counts)}`` for every method."""
    found = {
        "none": lambda X, y, counts: (X, y),
        "RandomOverSampler": lambda X, y, counts: RandomOverSampler(
            sampling_strategy=counts, random_state=seed
        ).fit_resample(X, y),
        "SMOTE / SMOTENC": lambda X, y, counts: smote(X, y, counts, seed),
    }
    for generator in generators(epochs, random_state=seed):
        if generator.name.startswith("bootstrap"):
            continue  # the same rows as RandomOverSampler
        found[generator.name] = lambda X, y, counts, generator=generator: (
            with_generator(generator, X, y, counts)
        )
    return found


def scores(X, y, X_test, y_test, seed):
    """Accuracy of each classifier trained on ``X, y``."""
    models = {
        "LogReg": LogisticRegression(max_iter=1000),
        "RandomForest": RandomForestClassifier(random_state=seed),
    }
    return {
        name: classifier(model).fit(X, y).score(X_test, y_test)
        for name, model in models.items()
    }


def dataset_rows(name, seeds, epochs):
    """Mean and spread of each method's scores over the subsamples."""
    X_train, X_test, y_train, y_test = train_test(name)
    counts = {label: int(n) for label, n in y_train.value_counts().items()}
    results = {}
    for seed in range(seeds):
        X, _, y, _ = train_test_split(
            X_train, y_train, train_size=KEEP, stratify=y_train, random_state=seed
        )
        for method, resample in methods(epochs, seed).items():
            start = time.perf_counter()
            X_res, y_res = resample(X, y, counts)
            seconds = time.perf_counter() - start
            run = scores(X_res, y_res, X_test, y_test, seed)
            results.setdefault(method, []).append({**run, "seconds": seconds})
    rows = []
    for method, runs in results.items():
        row = {"data": f"{name} ({len(y)} of {len(y_train)} rows)", "method": method}
        for model in ("LogReg", "RandomForest"):
            values = [run[model] for run in runs]
            row[f"{model} acc"] = (
                f"{statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f}"
            )
        row["resample s"] = statistics.mean(run["seconds"] for run in runs)
        rows.append(row)
    return rows


def tables(quick=False):
    """The scarce-label table: ``[(title, rows)]``."""
    seeds = QUICK_SEEDS if quick else FULL_SEEDS
    FALLBACKS.clear()
    rows = [row for name in DATASETS for row in dataset_rows(name, seeds, EPOCHS)]
    title = (
        f"Scarce labels: {KEEP:.0%} of the training rows, topped up to the full "
        f"class counts; accuracy on the real test split, mean ± std over {seeds} "
        f"subsamples; generators {EPOCHS} epochs"
    )
    fallbacks = [f"{name} {count}" for name, count in FALLBACKS.items() if count]
    if fallbacks:
        title += (
            "; classes drawn from a model of that class alone because the joint "
            "model (almost) never generated them: " + ", ".join(fallbacks)
        )
    return [(title, rows)]


if __name__ == "__main__":
    main_for(tables, __doc__.splitlines()[0])
