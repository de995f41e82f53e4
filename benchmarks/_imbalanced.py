"""Imbalanced binary tasks for the over-sampling benchmark, all from shipped data.

A task is a source table with a binary target (minority = 1), a number ``m``
of minority training rows per fold and an imbalance ratio ``r``. Each
repetition draws ``2m`` minority and ``2mr`` majority rows without
replacement from the source, then splits them into two stratified folds: each
fold trains on ``m`` minority and ``mr`` majority rows and tests on as many.

Sources, with the dtypes a user would have (``category`` for categorical
strings, ``bool`` for yes/no flags, integers for counts):

- **diamonds** (``plotnine.data``, 53,940 rows), three targets, each removed
  from the features: ``cut == "Fair"``, ``clarity == "I1"`` and
  ``color == "J"`` (cut, colour and clarity are ordered categories);
- **fair** (statsmodels, 6,366 rows): ``affairs > 0``; eight numeric answers;
- **randhie** (statsmodels, 20,190 rows): ``hlthp == 1`` (self-rated health
  poor, 1.5%); ``idp``, ``hlthg``, ``hlthf`` as booleans, ``mdvis`` a count.
  ``physlm`` stays a number: besides 0 and 1 it takes nine fractional values
  (1,061 rows), which a boolean would lose;
- **mixed** (``_datasets.mixed(20_000)``): the synthetic mixed-type table,
  class 1 (30%), string columns as categories;
- **digits** (scikit-learn): the digit 8 against the rest (64 pixels);
- **breast_cancer** (scikit-learn): malignant (scikit-learn's class 0);
- **penguins** (``palmerpenguins``): Chinstrap against the rest, missing
  values in the features kept, island and sex as categories.

Wine (59 rows of class 0 against 119) affords no task and is left out.
"""

import dataclasses
import functools
import zlib

import numpy as np
import pandas as pd
from _datasets import categorical_columns, mixed
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import StratifiedKFold

MINORITY_ROWS = (10, 30, 100)
RATIOS = (10, 50)
# Too slow for the benefit: 5,100 training rows a fold.
SKIPPED = {(100, 50)}
N_FOLDS = 2
REPETITIONS = 5
# The regime the benchmark is about: few minority rows, strong imbalance.
SCARCE_MINORITY = 30
STRONG_RATIO = 50


def _diamonds(target, value):
    """The diamonds, ``target == value`` as the label, ``target`` dropped."""
    from plotnine.data import diamonds

    frame = diamonds.copy()
    return frame.drop(columns=target), frame[target] == value


def _fair():
    """statsmodels' affairs survey; the label is ``affairs > 0``."""
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    return frame.drop(columns="affairs"), frame["affairs"] > 0


def _randhie():
    """The RAND health insurance experiment; the label is poor self-rated health."""
    import statsmodels.api as sm

    frame = sm.datasets.randhie.load_pandas().data
    frame = frame.astype({name: bool for name in ("idp", "hlthg", "hlthf")})
    return frame.drop(columns="hlthp"), frame["hlthp"] == 1


def _mixed():
    """``_datasets.mixed`` on 20,000 rows, its string columns as categories."""
    X, y = mixed(n_samples=20_000)
    strings = X.select_dtypes(include="object").columns
    return X.astype({name: "category" for name in strings}), y == 1


def _digits():
    """The 8x8 digits; the label is the digit 8."""
    X, y = load_digits(return_X_y=True, as_frame=True)
    return X, y == 8


def _breast_cancer():
    """The breast cancer tumours; the label is malignant (scikit-learn's 0)."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y == 0


def _penguins():
    """The penguins with a known species; the label is Chinstrap."""
    import palmerpenguins

    frame = palmerpenguins.load_penguins().dropna(subset=["species"])
    frame = frame.astype({"island": "category", "sex": "category"})
    return frame.drop(columns="species"), frame["species"] == "Chinstrap"


SOURCES = {
    "diamonds cut=Fair": functools.partial(_diamonds, "cut", "Fair"),
    "diamonds clarity=I1": functools.partial(_diamonds, "clarity", "I1"),
    "diamonds color=J": functools.partial(_diamonds, "color", "J"),
    "fair affairs>0": _fair,
    "randhie hlthp=1": _randhie,
    "mixed class 1": _mixed,
    "digits 8": _digits,
    "breast_cancer malignant": _breast_cancer,
    "penguins Chinstrap": _penguins,
}


@functools.cache
def load_source(source):
    """``X, y`` of a source: features with their index reset, ``y`` 0/1 ints."""
    X, y = SOURCES[source]()
    return X.reset_index(drop=True), pd.Series(np.asarray(y, dtype=np.int64))


@dataclasses.dataclass(frozen=True)
class Task:
    """A source, ``m`` minority training rows a fold and ``r`` majority per minority."""

    source: str
    m: int
    r: int
    mixed_type: bool

    @property
    def name(self):
        """``"<source> m<m> r<r>"``."""
        return f"{self.source} m{self.m} r{self.r}"

    @property
    def key(self):
        """The name with only letters, digits, ``-`` and ``_`` (for file names)."""
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)

    @property
    def n_train(self):
        """Training rows per fold (as many test rows)."""
        return self.m * (1 + self.r)

    @property
    def regime(self):
        """``"m≤30, r=50"`` (the scarce, skewed regime) or the task's own size."""
        if self.m <= SCARCE_MINORITY and self.r == STRONG_RATIO:
            return f"m≤{SCARCE_MINORITY}, r={STRONG_RATIO}"
        return f"m={self.m}, r={self.r}"

    @property
    def scarce_and_skewed(self):
        """Whether the task is in the regime ``m ≤ 30, r = 50``."""
        return self.m <= SCARCE_MINORITY and self.r == STRONG_RATIO


def tasks():
    """Every affordable task: ``2m`` minority and ``2mr`` majority rows exist."""
    found = []
    for source in SOURCES:
        X, y = load_source(source)
        n_minority, n_majority = int(y.sum()), int((y == 0).sum())
        mixed_type = bool(categorical_columns(X))
        for m in MINORITY_ROWS:
            for r in RATIOS:
                if (m, r) in SKIPPED:
                    continue
                if 2 * m <= n_minority and 2 * m * r <= n_majority:
                    found.append(Task(source, m, r, mixed_type))
    return found


def draw(task, repetition):
    """The rows of one repetition: ``2m`` minority and ``2mr`` majority rows.

    Returns ``X, y`` (index reset, rows in a random order) and the folds, a
    list of ``(train, test)`` index arrays of a stratified two-fold split.
    """
    X, y = load_source(task.source)
    rng = np.random.default_rng([repetition, zlib.crc32(task.key.encode())])
    minority = rng.choice(np.flatnonzero(y == 1), 2 * task.m, replace=False)
    majority = rng.choice(np.flatnonzero(y == 0), 2 * task.m * task.r, replace=False)
    rows = rng.permutation(np.concatenate([minority, majority]))
    X_rep = X.iloc[rows].reset_index(drop=True)
    y_rep = y.iloc[rows].to_numpy()
    splitter = StratifiedKFold(N_FOLDS, shuffle=True, random_state=repetition)
    return X_rep, y_rep, list(splitter.split(X_rep, y_rep))
