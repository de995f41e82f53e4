"""Learned representations: PCA, BernoulliRBM and skgen's AutoEncoder and VAE.

**Synthetic part** (``--part synthetic``, what ``run.py`` runs): each model
reduces three data sets to ``k`` codes (``n_components`` in 2, 8 and 16) and
is judged two ways on a held-out 25% (stratified split, seed 0): the mean
squared error of its reconstructions, and the accuracy of a downstream
classifier, ``StandardScaler`` then ``LogisticRegression(max_iter=1000,
tol=1e-4)``, fitted on the training rows' codes. A reference row per data set
gives that classifier all input features. The tol follows the BernoulliRBM
example's classifier, whose ``tol=1`` stops after 0 iterations on
scikit-learn 1.9.

The data sets, and the space in which the errors are measured:

- ``digits``: pixels divided by 16, in [0, 1]; every model sees them as they
  are (the AutoEncoder with ``numeric_scaling=None`` and, as in the
  quickstart, ``corruption=None``).
- ``breast_cancer``: the 30 features standardised (scaler fitted on the
  training rows); PCA and the AutoEncoder see the standardised features.
- ``swiss_roll_50d``: a swiss roll (``make_swiss_roll``, noise 0.05) whose
  standardised 3-D points are lifted to 50-D through ``tanh(P @ A + b)`` with
  random ``A`` and ``b``, plus noise of standard deviation 0.01, so it is
  curved in every direction; the class is the roll's position ``t`` cut into
  four equal-count bins. Errors are measured on the standardised 50 columns.

The RBM (``learning_rate=0.06, n_iter=20``, as in the scikit-learn example)
needs inputs in [0, 1]: on the standardised data sets it sees them min-max
scaled (fitted on the training rows, held-out rows clipped) and its
reconstructions are scaled back. Its codes are ``transform`` (hidden unit
probabilities) and its reconstructions the mean field
``sigmoid(transform(X) @ components_ + intercept_visible_)``. The AutoEncoder
and the VAE keep their default architecture and early stopping, up to 200
epochs (50 in quick mode); their figures are means over 3 seeds (1 in quick
mode), with the spread of the accuracy, because at k = 2 one seed's accuracy
moves by several points. On digits the VAE also appears with
``decoder_scale="shared"``, the setting its docstring advises for columns in
one unit such as pixels. Fit times are medians of the fits (the reducer only,
not the classifier), after an untimed warm-up fit that pays torch's start-up.
Torch and the BLAS run on one thread unless ``OMP_NUM_THREADS`` says
otherwise: the table is about quality, and on a machine whose cores are busy
with other work a second thread makes these small fits up to 50 times slower.

**Real tables** (``--part real``): whether features learned by the
AutoEncoder and the VAE pay for a downstream model on four small public
tables shipped inside packages (``_real_tables.py``): diamonds (a 3,000-row
sample, target log price, R²), fair (statsmodels' affairs survey, target
``affairs > 0``, ROC AUC), penguins (``palmerpenguins``, target species,
accuracy) and diabetes (scikit-learn, R²). For each ``k`` in 2, 4 and 8, the
feature sets are:

- ``raw``: the columns encoded for a linear model (categories imputed and
  one-hot encoded, numbers mean-imputed and standardised); one row per table;
- ``PCA(k)``: PCA on that encoding;
- ``AutoEncoder(k)`` and ``VAE(k)``: the codes of the model with its defaults
  and ``random_state=seed`` (nothing else set), fed the raw DataFrame;
- ``raw + AutoEncoder(k)`` and ``raw + VAE(k)``: the raw encoding and the
  codes side by side;
- ``raw + AutoEncoder(k) layers`` and ``raw + VAE(k) layers``: the raw
  encoding and ``features="all_layers"`` (codes, then every hidden layer).

One AutoEncoder and one VAE with ``features="all_layers"`` are fitted per
fold and k; their first k columns are the codes of the same model fitted for
codes alone. Two downstream models are fitted on each feature set of the
training fold and scored on the test fold: "linear" (``StandardScaler`` then
``RidgeCV``, or ``LogisticRegression(max_iter=2000)``) and "trees"
(``HistGradientBoostingRegressor`` or ``Classifier``, ``random_state=0``).
Protocol: 3-fold ``KFold`` (regression) or ``StratifiedKFold``, shuffled by
the seed, for seeds 0, 1 and 2 (quick mode: seed 0 and k = 4 alone); a
seed's score is the mean over its folds, and the tables show the mean over
seeds ± the standard deviation over seeds, the reducers' median fit seconds,
and a summary of the linear model's differences (learned codes against PCA,
raw plus learned features against raw). The page is written to
``benchmarks/results/representation_real.md``.

Run ``python benchmarks/bench_representation.py`` for both parts, or
``--part synthetic`` / ``--part real`` for one; add ``--quick`` for a short
run (the real tables' quick run prints its page and writes it only where
``--output`` says), ``--tables diamonds,fair`` to choose real tables. The
suite's ``run.py`` runs the synthetic part (``tables``).
"""

import argparse
import datetime
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from _real_tables import TABLES, raw_encoder
from _tables import to_markdown, write_report
from _threads import limited_threads
from scipy.special import expit
from sklearn.datasets import load_breast_cancer, load_digits, make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import skgen
from skgen import VAE, AutoEncoder

DATASETS = ("digits", "breast_cancer", "swiss_roll_50d")
# Data sets already in [0, 1] and in one unit, which every model takes as is.
UNIT_RANGE = {"digits"}
N_COMPONENTS = (2, 8, 16)
MODELS = ("PCA", "BernoulliRBM", "AutoEncoder", "VAE", "VAE, shared scale")
# Models shown only on the data sets in one unit.
UNIT_RANGE_MODELS = {"VAE, shared scale"}
# Models whose figures are means over seeds (with the accuracy's spread).
SEEDED = {"AutoEncoder", "VAE", "VAE, shared scale"}
SEEDS = {False: 3, True: 1}
REFERENCE = "all features"
TEST_SIZE = 0.25
RBM_PARAMS = {"learning_rate": 0.06, "n_iter": 20, "random_state": 0}
SWISS_ROLL_ROWS = {False: 3000, True: 2000}
SWISS_ROLL_WIDTH = 50
AE_EPOCHS = {False: 200, True: 50}


def split(X, y):
    """Split 75/25, stratified on ``y``, with seed 0."""
    return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=0)


def standardised_split(X, y):
    """Split, then standardise both parts with a scaler fitted on the train part."""
    X_train, X_test, y_train, y_test = split(X, y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def swiss_roll_50d(n_samples):
    """Return a swiss roll lifted nonlinearly to 50-D and its quartile classes."""
    points, t = make_swiss_roll(n_samples=n_samples, noise=0.05, random_state=0)
    points = StandardScaler().fit_transform(points)
    rng = np.random.default_rng(0)
    A = rng.normal(size=(points.shape[1], SWISS_ROLL_WIDTH))
    b = rng.normal(scale=0.5, size=SWISS_ROLL_WIDTH)
    X = np.tanh(points @ A + b) + 0.01 * rng.normal(size=(n_samples, SWISS_ROLL_WIDTH))
    y = np.digitize(t, np.quantile(t, [0.25, 0.5, 0.75]))
    return X, y


def load_dataset(name, quick):
    """Return ``(X_train, X_test, y_train, y_test)`` in the data set's error space."""
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return split(X / 16, y)
    if name == "breast_cancer":
        return standardised_split(*load_breast_cancer(return_X_y=True))
    return standardised_split(*swiss_roll_50d(SWISS_ROLL_ROWS[quick]))


def timed_fit(estimator, X):
    """Fit ``estimator`` on ``X``; return the seconds it took."""
    start = time.perf_counter()
    estimator.fit(X)
    return time.perf_counter() - start


def fit_pca(k, X_train, X_test, unit_range, max_epochs):
    """Fit PCA; return ``(seconds, train codes, test codes, test recons, epochs)``."""
    pca = PCA(n_components=k, random_state=0)
    seconds = timed_fit(pca, X_train)
    Z_test = pca.transform(X_test)
    return seconds, pca.transform(X_train), Z_test, pca.inverse_transform(Z_test), ""


def fit_rbm(k, X_train, X_test, unit_range, max_epochs):
    """Fit a BernoulliRBM, min-max scaling data not in [0, 1]; as ``fit_pca``."""
    scaler = None if unit_range else MinMaxScaler(clip=True).fit(X_train)
    if scaler is not None:
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    rbm = BernoulliRBM(n_components=k, **RBM_PARAMS)
    seconds = timed_fit(rbm, X_train)
    Z_test = rbm.transform(X_test)
    X_back = expit(Z_test @ rbm.components_ + rbm.intercept_visible_)
    if scaler is not None:
        X_back = scaler.inverse_transform(X_back)
    return seconds, rbm.transform(X_train), Z_test, X_back, rbm.n_iter


def neural_fitter(estimator_class, **params):
    """A fitter for ``estimator_class`` (AutoEncoder or VAE); as ``fit_pca``.

    The model sees data in [0, 1] unscaled and standardises the rest itself;
    ``params`` are passed on. The fitter takes a ``seed`` too.
    """

    def fit(k, X_train, X_test, unit_range, max_epochs, seed=0):
        # Images train clean, as in the quickstart: swap noise (the
        # AutoEncoder's default for tables) blurs their reconstructions.
        clean = (
            {"corruption": None}
            if unit_range and estimator_class is AutoEncoder
            else {}
        )
        model = estimator_class(
            n_components=k,
            numeric_scaling=None if unit_range else "standard",
            max_epochs=max_epochs,
            random_state=seed,
            **clean,
            **params,
        )
        seconds = timed_fit(model, X_train)
        Z_test = model.transform(X_test)
        X_back = model.inverse_transform(Z_test)
        return seconds, model.transform(X_train), Z_test, X_back, model.n_epochs_

    return fit


FITTERS = {
    "PCA": fit_pca,
    "BernoulliRBM": fit_rbm,
    "AutoEncoder": neural_fitter(AutoEncoder),
    "VAE": neural_fitter(VAE),
    "VAE, shared scale": neural_fitter(VAE, decoder_scale="shared"),
}


def classifier_accuracy(Z_train, Z_test, y_train, y_test):
    """Fit the downstream classifier on train codes; return held-out accuracy."""
    classifier = make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000, tol=1e-4)
    )
    classifier.fit(Z_train, y_train)
    return classifier.score(Z_test, y_test)


def model_row(name, k, model, data, unit_range, max_epochs, seeds):
    """Fit one model at ``k`` codes; return its row, with the MSE as a float.

    Models in ``SEEDED`` are fitted once per seed and their figures averaged.
    """
    X_train, X_test, y_train, y_test = data
    fitter = FITTERS[model]
    runs = []
    for seed in range(seeds if model in SEEDED else 1):
        kwargs = {"seed": seed} if model in SEEDED else {}
        seconds, Z_train, Z_test, X_back, epochs = fitter(
            k, X_train, X_test, unit_range, max_epochs, **kwargs
        )
        runs.append(
            (
                seconds,
                epochs,
                float(np.mean((X_back - X_test) ** 2)),
                classifier_accuracy(Z_train, Z_test, y_train, y_test),
            )
        )
    seconds, epochs, mse, accuracies = zip(*runs, strict=True)
    accuracy = f"{np.mean(accuracies):.3f}"
    if len(runs) > 1:
        accuracy += f" ± {np.std(accuracies):.3f}"
    return {
        "data": name,
        "k": k,
        "model": model,
        "fit s": f"{np.median(seconds):.3f}",
        "epochs": epochs[0] if len(runs) == 1 else f"{np.mean(epochs):.0f}",
        "test MSE": float(np.mean(mse)),
        "MSE / PCA": "",
        "LogReg accuracy": accuracy,
    }


def reference_row(name, data):
    """Return the row of the classifier on all input features."""
    X_train = data[0]
    return {
        "data": name,
        "k": X_train.shape[1],
        "model": REFERENCE,
        "fit s": "",
        "epochs": "",
        "test MSE": 0.0,
        "MSE / PCA": "",
        "LogReg accuracy": f"{classifier_accuracy(*data):.3f}",
    }


def dataset_rows(name, quick):
    """Return one data set's rows: each model at each k, then the reference."""
    data = load_dataset(name, quick)
    unit_range = name in UNIT_RANGE
    models = [m for m in MODELS if unit_range or m not in UNIT_RANGE_MODELS]
    rows = []
    for k in N_COMPONENTS:
        k_rows = [
            model_row(name, k, model, data, unit_range, AE_EPOCHS[quick], SEEDS[quick])
            for model in models
        ]
        pca_mse = k_rows[MODELS.index("PCA")]["test MSE"]
        for k_row in k_rows:
            k_row["MSE / PCA"] = f"{k_row['test MSE'] / pca_mse:.2f}"
        rows.extend(k_rows)
    rows.append(reference_row(name, data))
    return rows


def formatted(row):
    """Return ``row`` with the MSE to 4 significant digits."""
    return {**row, "test MSE": f"{row['test MSE']:.4g}"}


def warm_up():
    """Fit a tiny AutoEncoder, untimed, so no timed fit pays torch's start-up."""
    X = np.random.default_rng(0).normal(size=(64, 4))
    AutoEncoder(max_epochs=2, random_state=0).fit(X)


def tables(quick=False):
    """Return ``[(title, rows)]``: one table, its rows dicts with the same keys."""
    with limited_threads() as threads:
        warm_up()
        rows = [
            formatted(row) for name in DATASETS for row in dataset_rows(name, quick)
        ]
    title = (
        "Representation: held-out reconstruction MSE and LogReg accuracy on the "
        f"codes, k = n_components (scikit-learn {sklearn.__version__}, torch "
        f"{torch.__version__}, {threads} thread(s), AutoEncoder and VAE "
        f"max_epochs={AE_EPOCHS[quick]}, mean ± std over {SEEDS[quick]} seed(s))"
    )
    return [(title, rows)]


# Real tables: fixed or learned features for a downstream model.

REAL_N_COMPONENTS = {False: (2, 4, 8), True: (4,)}
REAL_SEEDS = {False: (0, 1, 2), True: (0,)}
N_FOLDS = 3
REAL_OUTPUT = Path(__file__).parent / "results" / "representation_real.md"
NEURAL = {"AutoEncoder": AutoEncoder, "VAE": VAE}
# Feature sets, ``{k}`` standing for the number of codes; "raw" has none.
FEATURE_SETS = (
    "raw",
    "PCA({k})",
    "AutoEncoder({k})",
    "VAE({k})",
    "raw + AutoEncoder({k})",
    "raw + VAE({k})",
    "raw + AutoEncoder({k}) layers",
    "raw + VAE({k}) layers",
)
DOWNSTREAM = {
    "linear": "StandardScaler + RidgeCV / LogisticRegression(max_iter=2000)",
    "trees": "HistGradientBoostingRegressor / Classifier(random_state=0)",
}
METRICS = {"regression": "R²", "binary": "ROC AUC", "multiclass": "accuracy"}
# The summary's columns: (label, feature set, baseline).
COMPARISONS = (
    ("AE − PCA", "AutoEncoder({k})", "PCA({k})"),
    ("VAE − PCA", "VAE({k})", "PCA({k})"),
    ("raw+AE − raw", "raw + AutoEncoder({k})", "raw"),
    ("raw+VAE − raw", "raw + VAE({k})", "raw"),
    ("raw+AE layers − raw", "raw + AutoEncoder({k}) layers", "raw"),
    ("raw+VAE layers − raw", "raw + VAE({k}) layers", "raw"),
)


def downstream_model(kind, task):
    """Return the ``"linear"`` or ``"trees"`` model for ``task``."""
    if kind == "trees":
        if task == "regression":
            return HistGradientBoostingRegressor(random_state=0)
        return HistGradientBoostingClassifier(random_state=0)
    if task == "regression":
        return make_pipeline(StandardScaler(), RidgeCV())
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def downstream_score(kind, task, train, test, y_train, y_test):
    """Fit the downstream model on ``train``; return its score on ``test``."""
    model = downstream_model(kind, task).fit(train, y_train)
    if task == "binary":
        return roc_auc_score(y_test, model.predict_proba(test)[:, 1])
    return model.score(test, y_test)


def reducer_features(reducer, k, seed, X, R):
    """Fit one reducer on the training fold; return its feature sets.

    ``X`` and ``R`` are ``(train, test)`` pairs of the raw frame and of its
    raw encoding. PCA sees the encoding; the AutoEncoder and the VAE see the
    frame, with their defaults and ``features="all_layers"``, whose first
    ``k`` columns are the codes of the same model fitted for codes alone.
    Returns ``(seconds, epochs, {feature set: (train, test)})``.
    """
    if reducer == "PCA":
        model = PCA(n_components=k, random_state=0)
        seconds = timed_fit(model, R[0])
        return seconds, "", {"PCA({k})": tuple(model.transform(r) for r in R)}
    model = NEURAL[reducer](n_components=k, features="all_layers", random_state=seed)
    seconds = timed_fit(model, X[0])
    layers = [model.transform(x) for x in X]
    features = {
        f"{reducer}({{k}})": tuple(L[:, :k] for L in layers),
        f"raw + {reducer}({{k}})": tuple(
            np.hstack([r, L[:, :k]]) for r, L in zip(R, layers, strict=True)
        ),
        f"raw + {reducer}({{k}}) layers": tuple(
            np.hstack([r, L]) for r, L in zip(R, layers, strict=True)
        ),
    }
    return seconds, model.n_epochs_, features


def fold_scores(task, X, y, n_components, seed, log):
    """Score every feature set of one fold; return ``(scores, fits)``.

    ``scores`` maps ``(feature set, k, downstream)`` to the fold's score (k is
    ``None`` for "raw"), ``fits`` maps ``(reducer, k)`` to ``(seconds,
    epochs)``. ``X`` and ``y`` are ``(train, test)`` pairs; ``log`` prints a
    progress line.
    """
    encoder = raw_encoder().fit(X[0])
    R = tuple(encoder.transform(x) for x in X)
    candidates = [(None, {"raw": R})]
    fits = {}
    for k in n_components:
        for reducer in ("PCA", *NEURAL):
            seconds, epochs, features = reducer_features(reducer, k, seed, X, R)
            fits[reducer, k] = (seconds, epochs)
            note = f", {epochs} epochs" if epochs else ""
            log(f"{reducer}({k}) fit {seconds:.1f} s{note}")
            candidates.append((k, features))
    scores = {}
    for kind in DOWNSTREAM:
        start = time.perf_counter()
        for k, features in candidates:
            for feature_set, (train, test) in features.items():
                scores[feature_set, k, kind] = downstream_score(
                    kind, task, train, test, *y
                )
        log(f"{kind} models {time.perf_counter() - start:.1f} s")
    return scores, fits


def table_results(name, quick):
    """Run the protocol on one table; return ``(task, scores, fits, seconds)``.

    ``scores`` maps ``(feature set, k, downstream)`` to the per-seed means
    over folds, ``fits`` maps ``(reducer, k)`` to every fold's ``(seconds,
    epochs)``.
    """
    start = time.perf_counter()
    X, y, task = TABLES[name]()
    splitter = KFold if task == "regression" else StratifiedKFold
    scores, fits = {}, {}
    for seed in REAL_SEEDS[quick]:
        folds = splitter(N_FOLDS, shuffle=True, random_state=seed).split(X, y)
        seed_scores = {}
        for fold, (train, test) in enumerate(folds):

            def log(message, seed=seed, fold=fold):
                elapsed = time.perf_counter() - start
                print(
                    f"[{elapsed:6.0f} s] {name} seed {seed} fold {fold}: {message}",
                    flush=True,
                )

            pairs = [(data.iloc[train], data.iloc[test]) for data in (X, y)]
            fold_score, fold_fits = fold_scores(
                task, *pairs, REAL_N_COMPONENTS[quick], seed, log
            )
            for key, value in fold_score.items():
                seed_scores.setdefault(key, []).append(value)
            for key, value in fold_fits.items():
                fits.setdefault(key, []).append(value)
        for key, values in seed_scores.items():
            scores.setdefault(key, []).append(np.mean(values))
    seconds = time.perf_counter() - start
    print(f"{name}: {seconds:.0f} s", flush=True)
    return task, scores, fits, seconds


def score_key(feature_set, k):
    """The ``scores`` key's feature set and k: "raw" has no k."""
    return (feature_set, None) if feature_set == "raw" else (feature_set, k)


def mean_std(values):
    """Format per-seed scores as ``"mean ± std"``, or the mean for one seed."""
    if len(values) < 2:
        return f"{np.mean(values):.3f}"
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def score_rows(scores, kind, n_components):
    """Rows of one table and downstream model: feature sets by k."""
    return [
        {
            "features": feature_set.format(k="k"),
            **{
                f"k = {k}": mean_std(scores[(*score_key(feature_set, k), kind)])
                for k in n_components
            },
        }
        for feature_set in FEATURE_SETS
    ]


def fit_rows(fits, n_components):
    """Rows of the reducers' median fit seconds (and epochs) by k."""
    rows = []
    for reducer in ("PCA", *NEURAL):
        row = {"reducer": reducer}
        for k in n_components:
            seconds, epochs = zip(*fits[reducer, k], strict=True)
            cell = f"{np.median(seconds):.2f} s"
            if reducer in NEURAL:
                cell += f", {np.median(epochs):.0f} epochs"
            row[f"k = {k}"] = cell
        rows.append(row)
    return rows


def comparison(scores, feature_set, baseline, k):
    """Difference of the linear model's mean scores, and whether within spread.

    Within the spread: the difference is no larger than the larger of the
    two rows' standard deviations over seeds. One seed has no spread.
    """
    values = scores[(*score_key(feature_set, k), "linear")]
    base = scores[(*score_key(baseline, k), "linear")]
    difference = np.mean(values) - np.mean(base)
    if len(values) < 2:
        return f"{difference:+.3f}"
    spread = max(np.std(values), np.std(base))
    return f"{difference:+.3f} ({'within' if abs(difference) <= spread else 'beyond'})"


def summary_rows(results, n_components):
    """The summary: per table and k, the linear model's differences."""
    return [
        {
            "table": name,
            "k": k,
            **{
                label: comparison(scores, feature_set, baseline, k)
                for label, feature_set, baseline in COMPARISONS
            },
        }
        for name, (task, scores, fits, seconds) in results.items()
        for k in n_components
    ]


def real_header(quick, threads, n_components):
    """Title, command, date, machine and protocol of the real-tables page."""
    seeds = REAL_SEEDS[quick]
    command = "python benchmarks/bench_representation.py " + shlex.join(sys.argv[1:])
    return "\n".join(
        [
            "# Representation on real tables (benchmarks/bench_representation.py)",
            "",
            f"`OMP_NUM_THREADS={threads} {command.strip()}`, run on "
            f"{datetime.date.today().isoformat()}: {os.cpu_count()} CPU cores "
            f"({platform.machine()}), OMP_NUM_THREADS={threads}; scikit-learn "
            f"{sklearn.__version__}, torch {torch.__version__}, skgen "
            f"{skgen.__version__}.",
            "",
            f"Each table is split {N_FOLDS}-fold (KFold for regression, "
            "StratifiedKFold for classes; shuffled by the seed) for seeds "
            f"{list(seeds)}, with k = n_components in {list(n_components)}. "
            "Each fold fits the raw encoding (one-hot categories, standardised "
            "numbers), PCA(k) on it, and one AutoEncoder and one VAE per k on "
            'the raw frame with their defaults and `features="all_layers"` '
            "(whose first k columns are the codes); a downstream model fitted "
            "on each feature set of the training fold is scored on the test "
            "fold. Cells are the mean over seeds of the mean over folds, ± its "
            "standard deviation over seeds (numpy's, ddof=0); the raw row does "
            "not depend on k. "
            "Metrics: R² (diamonds' log price, diabetes), ROC AUC (fair), "
            "accuracy (penguins).",
        ]
    )


def real_report(quick, names):
    """Run the real tables; return the markdown page."""
    n_components = REAL_N_COMPONENTS[quick]
    with limited_threads() as threads:
        warm_up()
        results = {name: table_results(name, quick) for name in names}
    sections = [
        real_header(quick, threads, n_components),
        "\n## Summary: linear model, difference of mean scores\n",
        "Per table and k: learned codes against PCA's, and raw plus learned "
        "features against raw alone. (within): the difference is no larger than "
        "the larger standard deviation over seeds of the two rows; (beyond): it "
        "is; with one seed, no spread is shown.\n",
        to_markdown(summary_rows(results, n_components)),
    ]
    for name, (task, scores, fits, seconds) in results.items():
        sections.append(f"\n## {name} ({METRICS[task]}; {seconds:.0f} s in all)")
        for kind, model in DOWNSTREAM.items():
            sections += [
                f"\n{kind}: {model}\n",
                to_markdown(score_rows(scores, kind, n_components)),
            ]
        sections += [
            "\nReducer fit seconds (median over folds and seeds) and epochs:\n",
            to_markdown(fit_rows(fits, n_components)),
        ]
    return "\n".join(sections)


def main():
    """Command line: ``--part``, ``--quick``, ``--tables`` and ``--output``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run")
    parser.add_argument("--part", choices=("both", "synthetic", "real"), default="both")
    parser.add_argument(
        "--tables", default=",".join(TABLES), help="real tables, comma-separated"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="real tables' page (default benchmarks/results/"
        "representation_real.md for a full run, none with --quick)",
    )
    args = parser.parse_args()
    if args.part in ("both", "synthetic"):
        with limited_threads():
            for title, rows in tables(args.quick):
                print(f"\n{title}\n\n{to_markdown(rows)}", flush=True)
    if args.part in ("both", "real"):
        names = [name for name in args.tables.split(",") if name]
        output = args.output or (None if args.quick else REAL_OUTPUT)
        write_report(real_report(args.quick, names), output)


if __name__ == "__main__":
    main()
