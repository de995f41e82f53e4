"""The over-samplers' class filter: keep the generated rows that look like their class.

A conditional generator fitted on a few rows of a rare class can draw rows
that look more like the common class than the rare one; added to the
training data they are label noise. :class:`ClassJudge` is a random forest
fitted on the real rows, with balanced class weights so that its posterior
does not lean towards the common class. The over-samplers draw more rows
than they need, keep those the judge finds most like their own class, and
report how class-like the kept rows are against the real rows of the class
(their out-of-fold posterior).
"""

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict

# The judge's forest. A hundred trees rank rows steadily and fit a few
# thousand rows in well under a second on one core.
JUDGE_TREES = 100
# Rows per class the judge learns from; larger classes are subsampled (the
# balanced class weights keep the posterior unchanged in expectation).
JUDGE_ROWS_PER_CLASS = 5000
# Folds of the out-of-fold posterior of the real rows.
JUDGE_FOLDS = 3


class ClassJudge:
    """A forest's class posterior, fitted on encoded real rows ``Xt`` of ``codes``.

    Parameters
    ----------
    Xt : ndarray of shape (n_samples, n_encoded)
        Encoded real rows.

    codes : ndarray of shape (n_samples,)
        Class code (0 to n_classes - 1) of each row.

    random_state : numpy.random.RandomState
        Seeds the subsample and the forests.
    """

    def __init__(self, Xt, codes, random_state):
        self.n_classes = int(codes.max()) + 1
        rows = _rows_per_class(codes, JUDGE_ROWS_PER_CLASS, random_state)
        self._Xt, self._codes = Xt[rows], codes[rows]
        self._seed = random_state.randint(2**31 - 1)
        self._forest = self._new_forest().fit(self._Xt, self._codes)

    def posterior(self, Xt):
        """Class probabilities of encoded rows, ``(n_rows, n_classes)``."""
        return self._forest.predict_proba(Xt)

    def real_posterior(self):
        """Mean out-of-fold posterior of each class for its own real rows.

        A class with fewer rows than folds gets NaN (no out-of-fold
        estimate), as do all classes when one class has a single row.
        """
        counts = np.bincount(self._codes, minlength=self.n_classes)
        means = np.full(self.n_classes, np.nan)
        n_folds = min(JUDGE_FOLDS, counts.min())
        if n_folds < 2:
            return means
        folds = StratifiedKFold(n_folds, shuffle=True, random_state=self._seed)
        proba = cross_val_predict(
            self._new_forest(), self._Xt, self._codes, cv=folds, method="predict_proba"
        )
        own = proba[np.arange(len(self._codes)), self._codes]
        return np.bincount(self._codes, weights=own) / counts

    def _new_forest(self):
        return RandomForestClassifier(
            n_estimators=JUDGE_TREES,
            class_weight="balanced",
            n_jobs=1,
            random_state=self._seed,
        )


def _rows_per_class(codes, limit, random_state):
    """Indices of at most ``limit`` rows of each class, in their order."""
    keep = []
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        if len(rows) > limit:
            rows = np.sort(random_state.choice(rows, limit, replace=False))
        keep.append(rows)
    return np.sort(np.concatenate(keep))


def most_class_like(own_posterior, n_keep):
    """Indices of the ``n_keep`` rows with the highest ``own_posterior``, in order.

    Ties keep the earlier row, so the choice depends only on the draws.
    """
    best = np.argsort(-own_posterior, kind="stable")[:n_keep]
    return np.sort(best)
