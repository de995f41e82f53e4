"""Over-sampling a rare class: class weights, ROS, SMOTE and skgen's generators.

Tasks (``_imbalanced.py``): binary tables from shipped data, minority class
1, each drawn at ``m`` minority training rows per fold (10, 30 or 100) and an
imbalance ratio ``r`` (10 or 50) where the source has enough rows; a full
run takes every task with ``m`` at most 30 and ``r = 50`` and three small
ones at ``r = 10`` (``DEFAULT_TASKS``; ``--tasks all`` for the rest). Each of
5 repetitions draws ``2m`` minority and ``2mr`` majority rows and runs a
stratified 2-fold cross-validation (5x2 CV: 10 folds, every test fold holding
``m`` minority rows).

Methods, each fitted on the training fold only, once per fold; the resampled
rows serve every classifier:

- ``none`` and ``class_weight`` (``"balanced"``, for the classifiers that
  take it: all but kNN);
- ``RandomOverSampler``, ``SMOTE`` (SMOTENC when the table has category or
  boolean columns) and ``BorderlineSMOTE`` (categories and booleans coded as
  ordinal numbers, interpolated, rounded and decoded), all balancing the
  classes, ``k_neighbors = min(5, m - 1)``; missing values (penguins) are
  filled with the training median or mode before SMOTE and BorderlineSMOTE,
  which refuse them;
- skgen's over-samplers from ``SKGEN_METHODS`` (and ``OPT_IN_METHODS`` with
  ``--gan``), seeded per fold; a parameter the installed skgen lacks is
  dropped and named in the tables.

Classifiers, behind one-hot encoding of categories and booleans, median
imputation and scaling of numbers: weak (LogisticRegression, kNN, SVC) and
trees (RandomForest of 100 trees, HistGradientBoosting), seeded per fold.

Metrics on the real test fold:

- **PR-AUC** (average precision of the scores; SVC's decision function), the
  primary metric, and the **Brier** score of ``predict_proba`` (not SVC);
- **F1** and **balanced accuracy after tuning**: thresholds picked on
  out-of-fold scores of the real training rows (3 stratified inner folds;
  the added rows join the training part, except those whose nearest real
  minority row is in the validation part, which would leak it: a copy made
  by RandomOverSampler, a SMOTE row next to it), the one that
  maximises F1 and the one that maximises balanced accuracy, applied to the
  test scores of the classifier fitted on all the resampled rows. So the
  ``none`` row's tuned metrics are "no resampling, tuned threshold";
  **F1 @ default** is ``predict``'s F1, for reference;
- **resample s** (wall clock, fitting included) and **added** rows;
- for the methods that add rows: **judge**, the mean P(minority) of the added
  rows from a RandomForest (200 trees) fitted on the real rows of the *test*
  fold, which no resampler saw, beside the same judge's mean on the real
  minority training rows; **NN minority**, the share of added rows whose
  nearest real training row (one-hot and scaled) is a minority row;
  **copies**, the share of added rows identical to a training row; and
  skgen's own judge (``generated_posterior_`` / ``real_posterior_`` of class
  1) where the sampler has it.

Every (task, repetition, fold, method) result is cached as JSON in
``--cache``, so an interrupted or extended run computes only what is
missing; ``--refresh METHOD`` recomputes a method, and a cached result is
recomputed when the method's parameters or ``PROTOCOL`` change.

Run ``OMP_NUM_THREADS=1 python benchmarks/bench_augmentation.py``
(``--quick``: two tasks, one repetition; ``--help`` for the options).
"""

import argparse
import functools
import json
import os
import platform
import shlex
import statistics
import sys
import time
import traceback
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from _datasets import CATEGORICAL_DTYPES, categorical_columns
from _imbalanced import N_FOLDS, REPETITIONS, draw, load_source, tasks
from _tables import to_markdown, write_report
from _threads import limited_threads
from imblearn.over_sampling import (
    SMOTE,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
)
from scipy.stats import wilcoxon
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    precision_recall_curve,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

from skgen import GAN, AutoregressiveGenerator

# skgen configurations: name -> (class, parameters); each is built with
# ``random_state`` set per fold. Add or change one here.
SKGEN_METHODS = {
    # The recommended configuration: the defaults.
    "AR": (AutoregressiveGenerator, {}),
    # The class filter switched off (an ablation).
    "AR no filter": (AutoregressiveGenerator, {"filter_factor": 1.0}),
    # Half the missing rows.
    "AR half": (AutoregressiveGenerator, {"fill_fraction": 0.5}),
}
# Run only with --gan: 15-30 s a fit.
OPT_IN_METHODS = {"GAN": (GAN, {})}
BASELINES = ("none", "class_weight", "RandomOverSampler", "SMOTE", "BorderlineSMOTE")
CLASSIFIERS = {
    "LogReg": lambda seed: LogisticRegression(max_iter=1000),
    "kNN": lambda seed: KNeighborsClassifier(),
    "SVC": lambda seed: SVC(),
    "RF": lambda seed: RandomForestClassifier(n_estimators=100, random_state=seed),
    "HGB": lambda seed: HistGradientBoostingClassifier(random_state=seed),
}
GROUPS = {"weak": ("LogReg", "kNN", "SVC"), "trees": ("RF", "HGB")}
INNER_FOLDS = 3
JUDGE_TREES = 200
# The tasks of a full run: every one of the regime (m <= 30, r = 50), and
# three at r = 10 from tables with no r = 50 task or a different shape. The
# other tasks ``_imbalanced.tasks()`` offers (``--tasks all``) add hours.
DEFAULT_TASKS = "m10 r50,m30 r50,breast_cancer,penguins,digits 8 m30 r10"
QUICK_TASKS = ("breast_cancer malignant m10 r10", "diamonds clarity=I1 m10 r50")
# Bump when a cached result's computation changes: every result is redone.
PROTOCOL = 2
CACHE = Path("/tmp/bench_augmentation_cache")
OUTPUT = Path(__file__).parent / "results" / "augmentation.md"
METRICS = ("pr_auc", "brier", "f1_default", "f1_tuned", "bacc_tuned")
DIAGNOSTICS = (
    "resample_s",
    "n_added",
    "judge_added",
    "judge_real",
    "nn_minority",
    "copies",
    "generated_posterior",
    "real_posterior",
    "warned",
)
SIGNIFICANCE = 0.05


# Resampling ---------------------------------------------------------------


def encoder():
    """One-hot categories and booleans; median-imputed, scaled numbers."""
    return make_column_transformer(
        (
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            make_column_selector(dtype_include=CATEGORICAL_DTYPES),
        ),
        remainder=make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
    )


def classifier(estimator):
    """``estimator`` behind ``encoder()``."""
    return make_pipeline(encoder(), estimator)


def filled(X):
    """``X`` with missing numbers at their median, other missing values at the mode."""
    categorical = set(categorical_columns(X))
    X = X.copy()
    for name in X.columns[X.isna().any()]:
        column = X[name]
        fill = column.mode().iloc[0] if name in categorical else column.median()
        X[name] = column.fillna(fill)
    return X


def ordinal(X):
    """``X`` with categories as their codes and booleans as 0/1, all numbers."""
    coded = X.copy()
    for name in categorical_columns(X):
        if isinstance(X[name].dtype, pd.CategoricalDtype):
            coded[name] = X[name].cat.codes.astype("float64")
        elif pd.api.types.is_bool_dtype(X[name].dtype):
            coded[name] = X[name].astype("float64")
        else:
            raise TypeError(f"column {name!r}: make strings categories first")
    return coded


def from_ordinal(coded, dtypes):
    """Decode ``ordinal``'s numbers: rounded, clipped codes and booleans."""
    out = {}
    for name, dtype in dtypes.items():
        column = coded[name].to_numpy(dtype="float64")
        if isinstance(dtype, pd.CategoricalDtype):
            codes = np.clip(np.round(column), 0, len(dtype.categories) - 1)
            out[name] = pd.Categorical.from_codes(codes.astype(int), dtype=dtype)
        elif pd.api.types.is_bool_dtype(dtype):
            out[name] = column >= 0.5
        elif pd.api.types.is_integer_dtype(dtype):
            out[name] = np.round(column).astype(dtype)
        else:
            out[name] = column.astype(dtype)
    return pd.DataFrame(out, index=coded.index)


class Method:
    """A way to treat the imbalance: ``resample(X, y, seed)`` and a class weight.

    Parameters
    ----------
    name : str
        Its name in the tables and cache.
    make : callable or None
        ``make(seed, X, y) -> (sampler, X_in, decode)``: a sampler with
        ``fit_resample``, the frame it resamples and ``decode(rows)`` that
        turns its new rows back into rows like ``X``. ``None``: no rows added.
    class_weight : bool
        Whether the classifiers get ``class_weight="balanced"``.
    kind : {"baseline", "skgen"}
    signature : str
        What the result depends on besides the data; a cached result with
        another signature is recomputed.
    note : str
        Said in the tables (e.g. a parameter the installed skgen lacks).
    """

    def __init__(self, name, make, *, class_weight=False, kind, signature, note=""):
        self.name = name
        self.make = make
        self.class_weight = class_weight
        self.kind = kind
        self.signature = signature
        self.note = note

    @property
    def key(self):
        """The name with only letters, digits, ``-`` and ``_``."""
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)

    def resample(self, X, y, seed):
        """``added, info``: the rows added to ``X, y`` (all of class 1), facts."""
        if self.make is None:
            return X.iloc[:0], {}
        sampler, X_in, decode = self.make(seed, X, y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            X_res, y_res = sampler.fit_resample(X_in, y)
        n = len(X)
        if not np.array_equal(np.asarray(y_res[:n]), y):
            raise RuntimeError(f"{self.name}: the real rows are not first")
        if not (np.asarray(y_res[n:]) == 1).all():
            raise RuntimeError(f"{self.name}: added rows of class 0")
        added = decode(pd.DataFrame(X_res).iloc[n:].reset_index(drop=True))
        info = {
            "warned": any(
                type(w.message).__name__ == "GeneratedRowsWarning" for w in caught
            )
        }
        for name in ("generated_posterior", "real_posterior"):
            posterior = getattr(sampler, f"{name}_", None)
            if posterior and 1 in posterior:
                info[name] = float(posterior[1])
        return added, info


def as_rows_of(X):
    """``decode`` for samplers whose rows have ``X``'s columns and dtypes."""
    return lambda rows: rows.astype(X.dtypes.to_dict())


def smote(seed, X, y):
    """SMOTE, or SMOTENC on category and boolean columns; missing values filled."""
    k_neighbors = min(5, int(np.sum(y == 1)) - 1)
    categorical = categorical_columns(X)
    if categorical:
        sampler = SMOTENC(categorical, k_neighbors=k_neighbors, random_state=seed)
    else:
        sampler = SMOTE(k_neighbors=k_neighbors, random_state=seed)
    return sampler, filled(X), as_rows_of(X)


def borderline_smote(seed, X, y):
    """BorderlineSMOTE on ordinal codes of categories and booleans."""
    k_neighbors = min(5, int(np.sum(y == 1)) - 1)
    sampler = BorderlineSMOTE(k_neighbors=k_neighbors, random_state=seed)
    dtypes = X.dtypes.to_dict()
    return sampler, ordinal(filled(X)), lambda rows: from_ordinal(rows, dtypes)


def skgen_method(name, estimator, params):
    """A ``Method`` for ``estimator(random_state=seed, **params)``.

    Parameters the installed skgen lacks are dropped and named in ``note``.
    """
    known = estimator().get_params()
    used = {key: value for key, value in params.items() if key in known}
    dropped = sorted(set(params) - set(used))

    def make(seed, X, y):
        return estimator(random_state=seed, **used), X, as_rows_of(X)

    defaults = {key: value for key, value in known.items() if key != "random_state"}
    defaults.update(used)
    signature = f"{estimator.__name__}({sorted(defaults.items())!r})"
    note = f"{', '.join(dropped)} not in this skgen: ignored" if dropped else ""
    return Method(name, make, kind="skgen", signature=signature, note=note)


def all_methods(gan=False):
    """Every method by name: the baselines, then skgen's configurations."""
    found = [
        Method("none", None, kind="baseline", signature="none"),
        Method(
            "class_weight",
            None,
            class_weight=True,
            kind="baseline",
            signature="balanced",
        ),
        Method(
            "RandomOverSampler",
            lambda seed, X, y: (
                RandomOverSampler(random_state=seed),
                X,
                as_rows_of(X),
            ),
            kind="baseline",
            signature=f"imblearn {version('imbalanced-learn')}",
        ),
        Method(
            "SMOTE",
            smote,
            kind="baseline",
            signature=f"imblearn {version('imbalanced-learn')} k=min(5,m-1)",
            note="SMOTENC on tables with category/bool columns",
        ),
        Method(
            "BorderlineSMOTE",
            borderline_smote,
            kind="baseline",
            signature=f"imblearn {version('imbalanced-learn')} k=min(5,m-1) ordinal",
            note="categories and booleans as ordinal codes",
        ),
    ]
    configs = {**SKGEN_METHODS, **(OPT_IN_METHODS if gan else {})}
    found += [skgen_method(name, *config) for name, config in configs.items()]
    return {method.name: method for method in found}


# One fold -----------------------------------------------------------------


class Fold:
    """The training and test rows of one fold, and what the methods share."""

    def __init__(self, task, repetition, index, X, y, train, test):
        self.task, self.repetition, self.index = task, repetition, index
        self.seed = N_FOLDS * repetition + index
        self.X_train = X.iloc[train].reset_index(drop=True)
        self.y_train = y[train]
        self.X_test = X.iloc[test].reset_index(drop=True)
        self.y_test = y[test]

    @functools.cached_property
    def inner_folds(self):
        """Stratified folds of the real training rows, for the thresholds."""
        splitter = StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=self.seed)
        return list(splitter.split(self.X_train, self.y_train))

    @functools.cached_property
    def judge(self):
        """A forest fitted on the real test rows: P(minority) of unseen rows."""
        forest = RandomForestClassifier(n_estimators=JUDGE_TREES, random_state=0)
        return classifier(forest).fit(self.X_test, self.y_test)

    @functools.cached_property
    def judge_real(self):
        """The judge's mean P(minority) of the real minority training rows."""
        minority = self.X_train[self.y_train == 1]
        return float(self.judge.predict_proba(minority)[:, 1].mean())

    @functools.cached_property
    def neighbours(self):
        """``(encoder, NearestNeighbors)`` fitted on the real training rows."""
        encode = encoder().fit(self.X_train)
        return encode, NearestNeighbors(n_neighbors=1).fit(
            encode.transform(self.X_train)
        )

    @functools.cached_property
    def training_rows(self):
        """Hashes of the real training rows, to spot copies."""
        return set(pd.util.hash_pandas_object(self.X_train, index=False))

    @functools.cached_property
    def minority_neighbours(self):
        """``NearestNeighbors`` of the real minority training rows, and their rows."""
        encode, _ = self.neighbours
        rows = np.flatnonzero(self.y_train == 1)
        return NearestNeighbors(n_neighbors=1).fit(
            encode.transform(self.X_train.iloc[rows])
        ), rows

    def nearest_minority(self, added):
        """The training row index of each added row's nearest real minority row."""
        if not len(added):
            return np.zeros(0, dtype=int)
        encode, _ = self.neighbours
        nearest, rows = self.minority_neighbours
        index = nearest.kneighbors(encode.transform(added), return_distance=False)
        return rows[index[:, 0]]

    def diagnostics(self, added):
        """Judge, nearest-neighbour class and copy share of the added rows."""
        if not len(added):
            return {}
        encode, nearest = self.neighbours
        index = nearest.kneighbors(encode.transform(added), return_distance=False)
        hashes = pd.util.hash_pandas_object(added, index=False)
        return {
            "judge_added": float(self.judge.predict_proba(added)[:, 1].mean()),
            "judge_real": self.judge_real,
            "nn_minority": float(np.mean(self.y_train[index[:, 0]] == 1)),
            "copies": float(np.mean([h in self.training_rows for h in hashes])),
        }


def scores_of(model, X):
    """Ranking scores: P(class 1), or the decision function (SVC)."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return model.decision_function(X)


def best_thresholds(y, scores):
    """The thresholds on ``scores`` that maximise F1 and balanced accuracy."""
    precision, recall, thresholds = precision_recall_curve(y, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    f1_threshold = thresholds[np.argmax(f1[:-1])]
    fpr, tpr, thresholds = roc_curve(y, scores, drop_intermediate=False)
    bacc_threshold = thresholds[np.argmax(tpr - fpr)]
    return float(f1_threshold), float(bacc_threshold)


def evaluate(make_model, fold, added, nearest):
    """A classifier's metrics, fitted on the real training rows plus ``added``.

    ``nearest`` holds the training row of each added row's nearest real
    minority row (``Fold.nearest_minority``).
    """
    X_added, y_added = added, np.ones(len(added), dtype=fold.y_train.dtype)
    X_fit = pd.concat([fold.X_train, X_added], ignore_index=True)
    y_fit = np.concatenate([fold.y_train, y_added])
    model = make_model().fit(X_fit, y_fit)
    scores = scores_of(model, fold.X_test)
    result = {
        "pr_auc": float(average_precision_score(fold.y_test, scores)),
        "brier": None,
        "f1_default": float(f1_score(fold.y_test, model.predict(fold.X_test))),
    }
    if hasattr(model, "predict_proba"):
        result["brier"] = float(brier_score_loss(fold.y_test, scores))
    out_of_fold = np.empty(len(fold.y_train))
    for inner_train, inner_valid in fold.inner_folds:
        # An added row made from (or next to) a validation row would leak it
        # into the inner training part: leave out the added rows whose
        # nearest real minority row is a validation row.
        kept = ~np.isin(nearest, inner_valid)
        X_inner = pd.concat([fold.X_train.iloc[inner_train], X_added[kept]])
        y_inner = np.concatenate([fold.y_train[inner_train], y_added[kept]])
        inner = make_model().fit(X_inner, y_inner)
        out_of_fold[inner_valid] = scores_of(inner, fold.X_train.iloc[inner_valid])
    f1_threshold, bacc_threshold = best_thresholds(fold.y_train, out_of_fold)
    result["f1_tuned"] = float(f1_score(fold.y_test, scores >= f1_threshold))
    result["bacc_tuned"] = float(
        balanced_accuracy_score(fold.y_test, scores >= bacc_threshold)
    )
    return result


def make_classifier(name, seed, class_weight=False):
    """A fresh classifier ``name`` behind ``encoder()``, seeded."""
    model = CLASSIFIERS[name](seed)
    if class_weight:
        model.set_params(class_weight="balanced")
    return classifier(model)


def run_unit(fold, method):
    """Resample the fold once with ``method`` and score every classifier."""
    start = time.perf_counter()
    added, info = method.resample(fold.X_train, fold.y_train, fold.seed)
    resample_s = time.perf_counter() - start
    result = {
        "resample_s": resample_s,
        "n_added": len(added),
        **info,
        **fold.diagnostics(added),
        "classifiers": {},
    }
    nearest = fold.nearest_minority(added)
    for name, estimator in CLASSIFIERS.items():
        if method.class_weight and "class_weight" not in estimator(0).get_params():
            continue
        make_model = functools.partial(
            make_classifier, name, fold.seed, method.class_weight
        )
        result["classifiers"][name] = evaluate(make_model, fold, added, nearest)
    result["classify_s"] = time.perf_counter() - start - resample_s
    return result


# The run ------------------------------------------------------------------


class Progress:
    """Lines on stderr: where the run is, what a unit took, an ETA."""

    def __init__(self, units):
        self.remaining = list(units)
        self.rates = {}
        self.started = time.perf_counter()
        self.done = 0

    def work(self, task, method):
        """Expected seconds of a unit: the method's seconds per training row."""
        rates = self.rates.get(method) or [
            rate for values in self.rates.values() for rate in values
        ]
        return task.n_train * statistics.fmean(rates) if rates else None

    def report(self, task, method, seconds, line):
        """Record a finished unit and print ``line`` with the ETA."""
        self.rates.setdefault(method, []).append(seconds / task.n_train)
        self.remaining.remove((task, method))
        self.done += 1
        left = [self.work(task, method) for task, method in self.remaining]
        eta = sum(value for value in left if value is not None)
        elapsed = time.perf_counter() - self.started
        print(
            f"{line} | {seconds:.1f} s | unit {self.done}/{self.done + len(left)}"
            f" | elapsed {clock(elapsed)} | ETA {clock(eta)}",
            file=sys.stderr,
            flush=True,
        )


def clock(seconds):
    """``1h02m``, ``3m05s`` or ``12s``."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def cache_path(cache, task, repetition, fold, method):
    """Where a unit's result lives."""
    return cache / f"{task.key}__rep{repetition}__fold{fold}__{method.key}.json"


def cached(path, method, refresh):
    """The cached result at ``path``, if it is still valid."""
    if method.name in refresh or not path.exists():
        return None
    result = json.loads(path.read_text())
    if result.get("protocol") != PROTOCOL or result.get("signature") != (
        method.signature
    ):
        return None
    return None if "error" in result else result


def run(selected, methods, repetitions, cache, refresh=(), from_cache=False):
    """Every unit's result: ``{(task name, repetition, fold, method): dict}``.

    A failed unit's result holds its ``"error"``; it is computed again next
    time. With ``from_cache``, units not in the cache are left out.
    """
    results, todo = {}, []
    for task in selected:
        for repetition in range(repetitions):
            for fold in range(N_FOLDS):
                for method in methods.values():
                    path = cache_path(cache, task, repetition, fold, method)
                    result = cached(path, method, refresh)
                    if result is not None:
                        key = (task.name, repetition, fold, method.name)
                        results[key] = result
                    elif not from_cache:
                        todo.append((task, repetition, fold, method))
    print(
        f"{len(results)} results cached, {len(todo)} to compute",
        file=sys.stderr,
        flush=True,
    )
    if not todo:
        return results
    progress = Progress((task, method.name) for task, _, _, method in todo)
    cache.mkdir(parents=True, exist_ok=True)
    wanted = {(task.name, rep, fold) for task, rep, fold, _ in todo}
    for number, task in enumerate(selected, 1):
        for repetition in range(repetitions):
            if not any((task.name, repetition, f) in wanted for f in range(N_FOLDS)):
                continue
            X, y, splits = draw(task, repetition)
            for index, (train, test) in enumerate(splits):
                fold = Fold(task, repetition, index, X, y, train, test)
                for method in methods.values():
                    key = (task.name, repetition, index, method.name)
                    if key in results:
                        continue
                    where = (
                        f"task {number}/{len(selected)} {task.name} | rep "
                        f"{repetition + 1}/{repetitions} fold {index + 1} | "
                        f"{method.name}"
                    )
                    result = compute(fold, method)
                    path = cache_path(cache, task, repetition, index, method)
                    path.write_text(json.dumps(result, indent=1))
                    results[key] = result
                    progress.report(
                        task,
                        method.name,
                        result["seconds"],
                        where + " | " + summary_line(result),
                    )
    return results


def compute(fold, method):
    """``run_unit`` with its errors caught, stamped with the protocol."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = run_unit(fold, method)
    except Exception as error:  # noqa: BLE001 - a failed unit is a result
        message = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        result = {"error": message, "traceback": traceback.format_exc()}
    result.update(
        protocol=PROTOCOL,
        signature=method.signature,
        seconds=time.perf_counter() - start,
    )
    return result


def summary_line(result):
    """The PR-AUCs and resample time of a unit, or its error."""
    if "error" in result:
        return "ERROR " + result["error"]
    pr_auc = " ".join(
        f"{name} {values['pr_auc']:.2f}"
        for name, values in result["classifiers"].items()
    )
    return (
        f"resample {result['resample_s']:.1f} s, +{result['n_added']} rows | "
        f"PR-AUC {pr_auc}"
    )


# Tables -------------------------------------------------------------------


def long_frame(results, selected):
    """One row per task, repetition, fold, method and classifier."""
    by_name = {task.name: task for task in selected}
    rows = []
    for (task, repetition, fold, method), result in results.items():
        if "error" in result:
            continue
        facts = {name: result.get(name) for name in DIAGNOSTICS}
        for model, metrics in result["classifiers"].items():
            rows.append(
                {
                    "task": task,
                    "rep": repetition,
                    "fold": fold,
                    "method": method,
                    "classifier": model,
                    "mixed_type": by_name[task].mixed_type,
                    "scarce": by_name[task].scarce_and_skewed,
                    **{name: metrics.get(name) for name in METRICS},
                    **facts,
                }
            )
    frame = pd.DataFrame(rows)
    columns = list(METRICS) + list(DIAGNOSTICS)
    frame[columns] = frame[columns].astype("float64")
    # kNN has no class weight: under class_weight it is the kNN of none.
    weighted = frame.loc[frame["method"] == "class_weight", ["task", "rep", "fold"]]
    knn = frame[(frame["method"] == "none") & (frame["classifier"] == "kNN")]
    knn = knn.merge(weighted.drop_duplicates()).assign(method="class_weight")
    return pd.concat([frame, knn], ignore_index=True)


def spread(values, digits=3):
    """``mean ± std`` of the non-missing values, ``-`` when there are none."""
    values = [value for value in values if value is not None and np.isfinite(value)]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    mean, std = statistics.fmean(values), statistics.stdev(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def p_value(differences):
    """Two-sided Wilcoxon signed-rank p of paired differences (``-`` if undefined)."""
    differences = np.asarray(differences, dtype=float)
    differences = differences[np.isfinite(differences)]
    if len(differences) < 2 or not np.any(differences):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(wilcoxon(differences).pvalue)


def show_p(p):
    """A p-value for a table."""
    if not np.isfinite(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fold_means(frame):
    """Means over the folds: one row per task, method and classifier."""
    columns = list(METRICS) + list(DIAGNOSTICS)
    return frame.groupby(["task", "method", "classifier"])[columns].mean()


def deltas(frame, metric="pr_auc", against="none"):
    """Per (task, classifier): each method's mean ``metric`` minus ``against``'s."""
    table = fold_means(frame)[metric].unstack("method")
    return table.sub(table[against], axis=0).drop(columns=against)


def per_task(series):
    """A series indexed by (task, classifier) averaged over the classifiers."""
    return series.groupby(level="task").mean()


def group_table(frame, group, methods):
    """Table 1 for one group of classifiers: one row per method."""
    sub = frame[frame["classifier"].isin(GROUPS[group])]
    means = fold_means(sub)
    change = deltas(sub)
    units = sub.drop_duplicates(["task", "rep", "fold", "method"])
    rows = []
    for name in methods:
        if name not in means.index.get_level_values("method"):
            continue
        mine = means.xs(name, level="method")
        row = {"method": name, "PR-AUC": spread(per_task(mine["pr_auc"]))}
        if name != "none":
            delta = change[name].dropna()
            row["ΔPR-AUC vs none"] = spread(per_task(delta))
            row["p"] = show_p(p_value(delta))
            row["better"] = f"{np.mean(delta > 0):.0%} of {len(delta)}"
        else:
            row.update({"ΔPR-AUC vs none": "-", "p": "-", "better": "-"})
        row["F1 tuned"] = spread(per_task(mine["f1_tuned"]))
        row["bal. acc. tuned"] = spread(per_task(mine["bacc_tuned"]))
        row["F1 @ default"] = spread(per_task(mine["f1_default"]))
        row["Brier"] = spread(per_task(mine["brier"].dropna()))
        mine_units = units[units["method"] == name]
        seconds = mine_units["resample_s"]
        row["resample s"] = f"{seconds.mean():.2f} (max {seconds.max():.2f})"
        row["added"] = f"{mine_units['n_added'].mean():.0f}"
        task_means = mine_units.groupby("task")[list(DIAGNOSTICS)].mean()
        if mine_units["n_added"].sum() > 0:
            row["judge: added / real"] = (
                f"{task_means['judge_added'].mean():.2f} / "
                f"{task_means['judge_real'].mean():.2f}"
            )
            row["NN minority"] = spread(task_means["nn_minority"], 2)
            row["copies"] = spread(task_means["copies"], 2)
            own = task_means["generated_posterior"].dropna()
            row["own judge: added / real"] = (
                f"{own.mean():.2f} / {task_means['real_posterior'].mean():.2f}"
                if len(own)
                else "-"
            )
        else:
            for column in ("judge: added / real", "NN minority", "copies"):
                row[column] = "-"
            row["own judge: added / real"] = "-"
        rows.append(row)
    return rows


def regime_tables(frame, methods, skgen_names):
    """Table 2: the scarce, skewed regime, RF and HGB, skgen against the best baseline.

    Returns the summary rows, the per-task rows and the baseline chosen per
    classifier.
    """
    sub = frame[frame["scarce"]]
    if sub.empty:
        return [], [], {}
    mixed = sub.groupby("task")["mixed_type"].first()
    means = fold_means(sub)["pr_auc"].unstack("method")
    rows, per_task_rows, chosen = [], {}, {}
    for model in ("RF", "HGB"):
        table = means.xs(model, level="classifier")
        baselines = [name for name in BASELINES if name in table]
        if not baselines:
            continue
        best = max(baselines, key=lambda name: table[name].median())
        chosen[model] = best
        for name in skgen_names:
            if name not in table:
                continue
            both = table[list(dict.fromkeys([name, best, "none"]))].dropna()
            delta = both[name] - both[best]
            delta_none = both[name] - both["none"]
            is_mixed = mixed.loc[both.index]
            rows.append(
                {
                    "classifier": model,
                    "method": name,
                    "best baseline": f"{best} ({both[best].median():.3f})",
                    "median PR-AUC": f"{both[name].median():.3f}",
                    "median Δ vs best": f"{delta.median():+.3f}",
                    "Δ quartiles": quartiles(delta),
                    "p": show_p(p_value(delta)),
                    "better in": f"{int((delta > 0).sum())}/{len(delta)}",
                    "median Δ vs none": f"{delta_none.median():+.3f}",
                    "median Δ mixed-type": median_of(delta[is_mixed]),
                    "median Δ numeric": median_of(delta[~is_mixed]),
                }
            )
            for task, value in delta.items():
                row = per_task_rows.setdefault(
                    task, {"task": task, "mixed_type": "yes" if mixed[task] else "no"}
                )
                row[f"{model}: {name}"] = f"{value:+.3f}"
    return rows, list(per_task_rows.values()), chosen


def quartiles(values):
    """The first and third quartiles, ``-0.010, +0.020``."""
    return f"{values.quantile(0.25):+.3f}, {values.quantile(0.75):+.3f}"


def median_of(values):
    """``median (n tasks)`` or ``-``."""
    return f"{values.median():+.3f} ({len(values)})" if len(values) else "-"


def never_hurts_table(frame, methods, skgen):
    """Table 3: mean ΔPR-AUC vs none, and the tasks each method makes worse."""
    change = deltas(frame)
    per_fold = frame.set_index(["task", "rep", "fold", "classifier", "method"])
    pr_auc = per_fold["pr_auc"].unstack("method")
    rows = []
    for name in methods:
        if name == "none" or name not in change:
            continue
        delta = change[name].dropna()
        worse, better = [], []
        paired = (pr_auc[name] - pr_auc["none"]).dropna()
        for task, values in paired.groupby(level="task"):
            p = p_value(values)
            if not (np.isfinite(p) and p < SIGNIFICANCE) or values.median() == 0:
                continue
            (worse if values.median() < 0 else better).append(
                f"{task} ({values.median():+.3f})"
            )
        rows.append(
            {
                "method": name,
                "mean ΔPR-AUC vs none": spread(delta),
                "worse in": f"{np.mean(delta < 0):.0%} of {len(delta)}",
                "tasks significantly worse (median Δ)": ", ".join(worse) or "none",
                "tasks significantly better": str(len(better)),
                "skgen warned": warned_share(frame, name) if name in skgen else "-",
            }
        )
    return rows


def warned_share(frame, method):
    """Share of folds where the sampler raised GeneratedRowsWarning, or ``-``."""
    units = frame[frame["method"] == method].drop_duplicates(["task", "rep", "fold"])
    warned = units["warned"].dropna()
    return f"{warned.mean():.0%} of {len(warned)}" if len(warned) else "-"


def task_table(frame, selected, methods):
    """Table 4: per task, each method's PR-AUC averaged over the classifiers."""
    per_fold = frame.groupby(["task", "method", "rep", "fold"])["pr_auc"].mean()
    rows = []
    for task in selected:
        if task.name not in per_fold.index.get_level_values("task"):
            continue
        values = per_fold.xs(task.name, level="task")
        row = {
            "task": task.source,
            "m": str(task.m),
            "r": str(task.r),
            "train rows": str(task.n_train),
            "mixed_type": "yes" if task.mixed_type else "no",
        }
        means = {
            name: values.xs(name, level="method")
            for name in methods
            if name in values.index.get_level_values("method")
        }
        best = max(means, key=lambda name: means[name].mean())
        for name in methods:
            if name not in means:
                row[name] = "-"
                continue
            cell = spread(means[name], 3)
            row[name] = f"**{cell}**" if name == best else cell
        rows.append(row)
    return rows


def all_tables(results, selected, methods, repetitions):
    """The benchmark's tables: ``[(title, rows)]``, then failed or missing units."""
    found = []
    expected = len(selected) * repetitions * N_FOLDS * len(methods)
    failed = {key: result for key, result in results.items() if "error" in result}
    if failed or len(results) < expected:
        coverage = {
            "results": f"{len(results) - len(failed)} of {expected}",
            "not in the cache": str(expected - len(results)),
            "failed": str(len(failed)),
        }
        found.append(("Coverage: (task, repetition, fold, method) units.", [coverage]))
    if failed:
        rows = [
            {
                "task": task,
                "repetition": str(repetition),
                "fold": str(fold),
                "method": method,
                "error": result["error"],
            }
            for (task, repetition, fold, method), result in failed.items()
        ]
        found.append(("Failed units (computed again on the next run).", rows))
    if len(failed) == len(results):
        return found
    frame = long_frame(results, selected)
    names = [name for name in methods if name in set(frame["method"])]
    skgen_names = [name for name in names if methods[name].kind == "skgen"]
    n_tasks = frame["task"].nunique()
    notes = [f"{name}: {methods[name].note}" for name in names if methods[name].note]
    folds = f"{repetitions}x{N_FOLDS} CV"
    for group, models in GROUPS.items():
        title = f"Table 1 ({group}: {', '.join(models)})."
        if group == next(iter(GROUPS)):
            title += (
                f" PR-AUC and ΔPR-AUC vs none: mean ± std over {n_tasks} tasks of "
                f"the per-task means ({folds}, averaged over the classifiers); p: "
                "Wilcoxon signed-rank of ΔPR-AUC paired per task and classifier; "
                "better: share of those pairs above none. F1, balanced accuracy "
                "(thresholds tuned on out-of-fold training scores), F1 at the "
                "default threshold and Brier: mean ± std over tasks. resample s: "
                "mean (max) per fold; added: rows per fold. judge: mean "
                "P(minority) of the added rows from a forest fitted on the test "
                "fold / of the real minority training rows; NN minority: share of "
                "added rows whose nearest real training row is a minority row; "
                "copies: share identical to a training row; own judge: skgen's "
                "generated_posterior_ / real_posterior_ for class 1. kNN has no "
                "class weight: under class_weight it is the kNN of none (Δ = 0)."
            )
            if notes:
                title += " Notes: " + "; ".join(notes) + "."
        else:
            title += " Columns as above."
        found.append((title, group_table(frame, group, names)))
    summary, per_task_rows, chosen = regime_tables(frame, methods, skgen_names)
    if summary:
        regime_tasks = frame.loc[frame["scarce"], "task"].unique()
        found.append(
            (
                f"Table 2. m ≤ 30, r = 50 ({len(regime_tasks)} tasks): each skgen "
                "configuration against the best cheap baseline for that classifier "
                "(highest median PR-AUC over these tasks among "
                f"{', '.join(BASELINES)}). Δ: per-task PR-AUC (mean over "
                f"{folds}) minus the baseline's; p: Wilcoxon signed-rank over "
                "the tasks.",
                summary,
            )
        )
        found.append(
            (
                "Table 2b. m ≤ 30, r = 50, per task: ΔPR-AUC against the best "
                "baseline ("
                + ", ".join(f"{model}: {name}" for model, name in chosen.items())
                + ").",
                per_task_rows,
            )
        )
    found.append(
        (
            f"Table 3. Never hurts? ΔPR-AUC vs none over all {n_tasks} tasks and "
            "the classifiers (mean ± std over task × classifier pairs); worse in: "
            "share of those pairs below none; tasks significantly worse: Wilcoxon "
            f"signed-rank over the task's folds × classifiers, p < {SIGNIFICANCE}, "
            "negative median (in brackets); significantly better likewise; skgen "
            "warned: share of folds where the sampler raised GeneratedRowsWarning "
            "(its kept rows look more like the other class).",
            never_hurts_table(frame, names, skgen_names),
        )
    )
    found.append(
        (
            "Table 4. Per task: PR-AUC averaged over the five classifiers, mean ± "
            f"std over the folds ({folds}); best in bold.",
            task_table(frame, selected, names),
        )
    )
    judged = [name for name in names if name not in ("none", "class_weight")]
    found.append(
        (
            "Table 5. Per task: how minority-like the added rows are. judge: mean "
            "P(minority) of the added rows from a forest fitted on the real rows "
            "of the test fold (which no resampler saw), mean ± std over the "
            "folds; real: the same judge on the real minority training rows. "
            "A method whose rows score far below the real ones adds label noise.",
            judge_table(frame, selected, judged),
        )
    )
    return found


def judge_table(frame, selected, methods):
    """Table 5: per task, the held-out judge's P(minority) of each method's rows."""
    units = frame.drop_duplicates(["task", "rep", "fold", "method"])
    rows = []
    for task in selected:
        these = units[units["task"] == task.name]
        if these.empty:
            continue
        row = {"task": task.source, "m": str(task.m), "r": str(task.r)}
        row["real"] = spread(these["judge_real"].dropna().unique(), 2)
        for name in methods:
            values = these.loc[these["method"] == name, "judge_added"].dropna()
            row[name] = spread(values, 2) if len(values) else "-"
        rows.append(row)
    return rows


# The cost of one default fit -----------------------------------------------

TIMING_SEEDS = 5


def timing_report():
    """Seconds of default over-sampling fits: 25 Fair diamonds against 1,250.

    Each seed draws its own rows; the samplers run one after another on the
    same rows, so the ratios compare like with like. Median and range.
    """
    X, y = load_source("diamonds cut=Fair")
    seconds = {}
    samplers = {
        "AutoregressiveGenerator()": lambda seed, X, y: (
            AutoregressiveGenerator(random_state=seed),
            X,
        ),
        "GAN()": lambda seed, X, y: (GAN(random_state=seed), X),
        "SMOTENC": lambda seed, X, y: smote(seed, X, y)[:2],
    }
    for seed in range(TIMING_SEEDS):
        rng = np.random.default_rng(seed)
        rows = np.concatenate(
            [
                rng.choice(np.flatnonzero(y == 1), 25, replace=False),
                rng.choice(np.flatnonzero(y == 0), 1250, replace=False),
            ]
        )
        X_seed, y_seed = X.iloc[rows].reset_index(drop=True), y.to_numpy()[rows]
        for name, make in samplers.items():
            sampler, X_in = make(seed, X_seed, y_seed)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sampler.fit_resample(X_in, y_seed)
            seconds.setdefault(name, []).append(time.perf_counter() - start)
            print(f"seed {seed} {name}: {seconds[name][-1]:.1f} s", file=sys.stderr)
    rows = [
        {
            "sampler": name,
            "median s": f"{statistics.median(values):.2f}",
            "range s": f"{min(values):.2f}-{max(values):.2f}",
        }
        for name, values in seconds.items()
    ]
    return (
        'One over-sampling fit at defaults on diamonds\' cut == "Fair": 25 '
        f"minority rows against 1,250, {TIMING_SEEDS} draws, "
        f"{os.environ.get('OMP_NUM_THREADS', '?')} thread(s)\n\n" + to_markdown(rows)
    )


# Command line -------------------------------------------------------------


def select_tasks(quick, patterns=DEFAULT_TASKS):
    """The tasks to run: ``QUICK_TASKS``, or those whose name holds a pattern.

    ``patterns="all"`` keeps every task.
    """
    found = tasks()
    if quick:
        return [task for task in found if task.name in QUICK_TASKS]
    patterns = "" if patterns == "all" else patterns
    pieces = [piece.strip() for piece in patterns.split(",") if piece.strip()]
    if pieces:
        found = [task for task in found if any(p in task.name for p in pieces)]
    return found


def task_list(selected):
    """A table of the tasks: name, m, r, rows, mixed_type, regime."""
    return [
        {
            "task": task.source,
            "m": str(task.m),
            "r": str(task.r),
            "train rows": str(task.n_train),
            "mixed_type": "yes" if task.mixed_type else "no",
            "regime": task.regime,
        }
        for task in selected
    ]


def tables(quick=False):
    """The over-sampling tables (``[(title, rows)]``), cached in ``CACHE``."""
    selected = select_tasks(quick)
    methods = all_methods()
    repetitions = 1 if quick else REPETITIONS
    results = run(selected, methods, repetitions, CACHE)
    return [("Tasks", task_list(selected))] + all_tables(
        results, selected, methods, repetitions
    )


def header(args, selected, repetitions):
    """The report's first lines: command, machine, tasks."""
    command = "OMP_NUM_THREADS=1 python benchmarks/bench_augmentation.py " + " ".join(
        shlex.quote(arg) for arg in sys.argv[1:]
    )
    return (
        "# Over-sampling a rare class (benchmarks/bench_augmentation.py)\n\n"
        f"`{command.strip()}`; {len(selected)} tasks, {repetitions} repetition(s) "
        f"x {N_FOLDS} folds; {platform.machine()} CPU, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, skgen {version('skgen')}, "
        f"imbalanced-learn {version('imbalanced-learn')}, scikit-learn "
        f"{version('scikit-learn')}; {os.environ.get('OMP_NUM_THREADS', '1')} "
        "thread(s)."
        + (f" {args.note}" if args.note else "")
        + "\n\n"
        + __doc__.split("\n\n", 1)[1].rsplit("\n\nRun ", 1)[0]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 tasks, 1 repetition")
    parser.add_argument(
        "--tasks",
        default=DEFAULT_TASKS,
        help="comma-separated pieces of task names to keep, or 'all'",
    )
    parser.add_argument(
        "--methods", default="", help="comma-separated methods (default: all)"
    )
    parser.add_argument("--gan", action="store_true", help="add skgen's GAN (slow)")
    parser.add_argument("--repetitions", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument(
        "--refresh", default="", help="comma-separated methods to recompute"
    )
    parser.add_argument(
        "--from-cache", action="store_true", help="only tabulate cached results"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="markdown file (default: benchmarks/results/augmentation.md for a "
        "full run, none for --quick)",
    )
    parser.add_argument("--note", default="", help="a note for the report's header")
    parser.add_argument(
        "--timing",
        action="store_true",
        help="only time default over-sampling fits on diamonds' Fair cut",
    )
    args = parser.parse_args()
    if args.timing:
        with limited_threads():
            write_report(timing_report(), None)
        return
    methods = all_methods(gan=args.gan)
    if args.methods:
        wanted = [name.strip() for name in args.methods.split(",") if name.strip()]
        unknown = set(wanted) - set(methods)
        if unknown:
            parser.error(f"unknown methods {sorted(unknown)}; known: {list(methods)}")
        if "none" not in wanted:
            wanted.insert(0, "none")
        methods = {name: methods[name] for name in wanted}
    selected = select_tasks(args.quick, args.tasks)
    repetitions = args.repetitions or (1 if args.quick else REPETITIONS)
    output = args.output or (None if args.quick else OUTPUT)
    refresh = {name.strip() for name in args.refresh.split(",") if name.strip()}
    with limited_threads():
        results = run(
            selected, methods, repetitions, args.cache, refresh, args.from_cache
        )
    parts = [
        header(args, selected, repetitions),
        "## Tasks\n\n" + to_markdown(task_list(selected)),
    ]
    for title, rows in all_tables(results, selected, methods, repetitions):
        parts.append(f"{title}\n\n{to_markdown(rows)}")
    write_report("\n\n".join(parts), output)


if __name__ == "__main__":
    main()
