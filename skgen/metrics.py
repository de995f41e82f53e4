"""How good is synthetic data? Metrics that compare it with real rows.

Every function takes two samples of the same table, ``real`` and
``synthetic``: 2-D arrays or pandas DataFrames with the same columns, mixing
numeric, integer, boolean and categorical columns as skgen's estimators do.
Apart from :func:`tstr_score`, which hands the rows to the user's own
estimator, they encode both samples with the tabular layer fitted on the real
one (numbers standardised with the real sample's mean and standard deviation,
categories one-hot encoded; a category the real sample lacks is all zeros) and
measure in that space.

- :func:`two_sample_auc`: can a classifier tell the two samples apart?
- :func:`tstr_score`: train on synthetic rows, test on real ones.
- :func:`fidelity_report`: per-column distances (Kolmogorov-Smirnov, total
  variation) and the error of the pairwise associations, built on
  :func:`association_matrix`.
- :func:`maximum_mean_discrepancy`: a kernel distance between the samples.
- :func:`dcr`: distance to the closest real record, which flags a generator
  that copies its training rows.

The module is longer than skgen's others on purpose: it is one public
namespace (``skgen.metrics``, one API page), each metric a function with its
private helpers above it; splitting it would split that namespace.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.base import clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import check_scoring
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import (
    StratifiedGroupKFold,
    check_cv,
    cross_val_score,
)
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import Bunch, check_array

from skgen._codecs import DROPPED, NumberCodec
from skgen._compat import HasMethods, Interval, StrOptions, validate_params
from skgen._tabular import TableEncoder, prepare_table

# Rows of the first sample per block of kernel evaluations in the MMD.
KERNEL_BLOCK_ROWS = 2048

# Rows of the real sample the median heuristic looks at.
MEDIAN_HEURISTIC_ROWS = 1000

_CATEGORICAL_FEATURES = ["array-like", StrOptions({"from_dtype"}), None]


# Encoding -------------------------------------------------------------------


def _as_table(X, name):
    """Return ``X`` as a non-empty DataFrame or a 2-D array, keeping its dtypes."""
    X = prepare_table(X, name)
    if isinstance(X, pd.DataFrame):
        return X
    return check_array(X, dtype=None, ensure_all_finite=False, input_name=name)


def _align(real, synthetic):
    """Return ``synthetic`` with the columns of ``real``, or raise naming the gap."""
    if isinstance(real, pd.DataFrame) != isinstance(synthetic, pd.DataFrame):
        kinds = [type(X).__name__ for X in (real, synthetic)]
        raise TypeError(
            f"real is a {kinds[0]} but synthetic is a {kinds[1]}; pass both as "
            "DataFrames with the same columns, or both as arrays."
        )
    if isinstance(real, pd.DataFrame):
        missing = [c for c in real.columns if c not in synthetic.columns]
        extra = [c for c in synthetic.columns if c not in real.columns]
        if missing or extra:
            raise ValueError(
                "real and synthetic must have the same columns; synthetic lacks "
                f"{missing} and has extra {extra}."
            )
        return synthetic[real.columns]
    if synthetic.shape[1] != real.shape[1]:
        raise ValueError(
            f"real has {real.shape[1]} columns but synthetic has "
            f"{synthetic.shape[1]}; both samples must have the same columns."
        )
    return synthetic


def _encode(real, others, categorical_features):
    """Fit the tabular layer on ``real``; return it and the encoded samples.

    ``others`` is a sequence of further samples (``None`` entries pass through);
    every sample comes back as a float64 matrix.
    """
    real = _as_table(real, "real")
    # Standardised numbers, no few-valued ones as categories, missing numbers
    # as an indicator: the metrics' view of a table stays what it was.
    encoder = TableEncoder(
        categorical_features=categorical_features,
        handle_unknown="ignore",
        numeric_scaling="standard",
        handle_missing="model",
        max_discrete_values=0,
        numeric_output="raw",
    )
    names = list(real.columns) if isinstance(real, pd.DataFrame) else None
    others = [
        (name, None if X is None else _align(real, _as_table(X, name)))
        for name, X in others
    ]
    Xt = encoder.fit_transform(real, feature_names=names)
    samples = [X for _, X in others if X is not None]
    if any(_unseen_missing(encoder, X) for X in samples):
        # A sample has missing numbers where real has none: lay the table
        # out on all of them, so that an indicator counts the difference.
        frame = isinstance(real, pd.DataFrame)
        stacked = (
            pd.concat([real, *samples], ignore_index=True)
            if frame
            else np.concatenate([real, *samples])
        )
        encoder.fit_transform(stacked, feature_names=names)
        Xt = encoder.transform(real)
    encoded = [Xt.astype(np.float64)]
    for _, X in others:
        encoded.append(None if X is None else encoder.transform(X).astype(np.float64))
    return encoder, encoded


def _unseen_missing(encoder, X):
    """Whether ``X`` has missing values in a number that fit saw none in."""
    frame = isinstance(X, pd.DataFrame)
    return any(
        isinstance(spec, NumberCodec)
        and pd.isna(X.iloc[:, j] if frame else X[:, j]).any()
        for j, spec in enumerate(encoder.columns_)
    )


def _codes(Xt, spec):
    """Category codes of a one-hot block; all-zero rows get one more code."""
    block = Xt[:, spec.start : spec.stop]
    codes = block.argmax(axis=1)
    codes[block.max(axis=1) <= 0] = block.shape[1]
    return codes


# Associations ----------------------------------------------------------------


def _pearson(a, b):
    """Pearson correlation; 0 when either column is constant."""
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / denominator) if denominator > 0 else 0.0


def _cramers_v(a, b):
    """Cramér's V of two code arrays; 0 when either has a single value."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    n_a, n_b = a.max() + 1, b.max() + 1
    if min(n_a, n_b) < 2:
        return 0.0
    observed = np.zeros((n_a, n_b))
    np.add.at(observed, (a, b), 1)
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0) / len(a)
    chi2 = ((observed - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / len(a) / (min(n_a, n_b) - 1)))


def _correlation_ratio(codes, values):
    """Correlation ratio (eta) of a number given a category; 0 when constant."""
    _, codes = np.unique(codes, return_inverse=True)
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=values) / counts
    total = ((values - values.mean()) ** 2).sum()
    if total <= 0:
        return 0.0
    between = (counts * (means - values.mean()) ** 2).sum()
    return float(np.sqrt(min(between / total, 1.0)))


def _associations(Xt, encoder):
    """Pairwise association matrix of an encoded sample (see ``association_matrix``)."""
    columns = [
        (None, False)
        if spec.kind == DROPPED
        else (_codes(Xt, spec), True)
        if spec.one_hot
        else (Xt[:, spec.start], False)
        for spec in encoder.columns_
    ]
    n = len(columns)
    matrix = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            (a, a_cat), (b, b_cat) = columns[i], columns[j]
            if a is None or b is None:
                # A column left out of the encoding (an identifier, free text).
                value = np.nan
            elif a_cat and b_cat:
                value = _cramers_v(a, b)
            elif a_cat:
                value = _correlation_ratio(a, b)
            elif b_cat:
                value = _correlation_ratio(b, a)
            else:
                value = _pearson(a, b)
            matrix[i, j] = matrix[j, i] = value
    names = [spec.name for spec in encoder.columns_]
    return pd.DataFrame(matrix, index=names, columns=names)


@validate_params(
    {"X": ["array-like"], "categorical_features": _CATEGORICAL_FEATURES},
    prefer_skip_nested_validation=True,
)
def association_matrix(X, *, categorical_features="from_dtype"):
    """Pairwise association between the columns of a mixed-type table.

    Each pair of columns gets the measure its kinds call for: the Pearson
    correlation of two numeric columns (in [-1, 1]), Cramér's V of two
    categorical columns and the correlation ratio (eta) of a numeric column
    given a categorical one (both in [0, 1]; 0 means no association, 1 that
    one column determines the other). Missing categories count as a category
    of their own; a constant column has no association with anything.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        The table. Numeric, integer, boolean and categorical columns are
        accepted; numeric columns must be finite.

    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical, as in :class:`skgen.AutoEncoder`:
        ``"from_dtype"`` takes category, string, object and boolean columns.

    Returns
    -------
    associations : DataFrame of shape (n_features, n_features)
        Symmetric, with ones on the diagonal; index and columns are the column
        names (positions for an array).

    See Also
    --------
    fidelity_report : Compares the association matrices of two samples.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.metrics import association_matrix
    >>> df = pd.DataFrame(
    ...     {
    ...         "size": [1.0, 2.0, 3.0, 4.0],
    ...         "double": [2.0, 4.0, 6.0, 8.0],
    ...         "large": ["no", "no", "yes", "yes"],
    ...     }
    ... )
    >>> association_matrix(df).round(2)
            size  double  large
    size    1.00    1.00   0.89
    double  1.00    1.00   0.89
    large   0.89    0.89   1.00
    """
    encoder, (Xt,) = _encode(X, [], categorical_features)
    return _associations(Xt, encoder)


# Per-column fidelity ---------------------------------------------------------


def _frequencies(codes, n_codes):
    """Share of each code, the last one counting rows of unknown categories."""
    return np.bincount(codes, minlength=n_codes + 1) / len(codes)


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "categorical_features": _CATEGORICAL_FEATURES,
    },
    prefer_skip_nested_validation=True,
)
def fidelity_report(real, synthetic, *, categorical_features="from_dtype"):
    """Column by column, how far the synthetic sample is from the real one.

    For a numeric (or integer) column the distance is the two-sample
    Kolmogorov-Smirnov statistic, the largest gap between the two empirical
    distribution functions; for a categorical (or boolean) column it is the
    total variation distance, half the summed absolute difference of the
    category frequencies. Both lie in [0, 1], 0 for identical marginals.

    ``association_error`` measures how well the synthetic rows keep the
    relations between columns: the mean absolute difference between the
    column's row of the real and of the synthetic :func:`association_matrix`
    (over the other columns; NaN for a one-column table).

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.

    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns (a DataFrame when ``real`` is
        one; columns are matched by name).

    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical, as in :class:`skgen.AutoEncoder`.

    Returns
    -------
    report : DataFrame
        One row per column, indexed by column name (position for an array),
        with the columns ``kind`` (``"numeric"``, ``"integer"``, ``"boolean"``
        or ``"categorical"``), ``statistic`` (``"ks"`` or ``"tvd"``),
        ``distance`` and ``association_error``.

    See Also
    --------
    two_sample_auc : One number for the whole table, from a classifier.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.metrics import fidelity_report
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> synthetic = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0], "c": list("aaab")})
    >>> fidelity_report(real, synthetic).round(3)
              kind statistic  distance  association_error
    x      numeric        ks      0.25              0.079
    c  categorical       tvd      0.25              0.079
    """
    encoder, (Xr, Xs) = _encode(real, [("synthetic", synthetic)], categorical_features)
    rows = []
    for spec in encoder.columns_:
        if spec.kind == DROPPED:
            rows.append((spec.kind, "none", np.nan))
        elif spec.one_hot:
            n_codes = spec.stop - spec.start
            gap = _frequencies(_codes(Xr, spec), n_codes) - _frequencies(
                _codes(Xs, spec), n_codes
            )
            rows.append((spec.kind, "tvd", 0.5 * float(np.abs(gap).sum())))
        else:
            statistic = ks_2samp(Xr[:, spec.start], Xs[:, spec.start]).statistic
            rows.append((spec.kind, "ks", float(statistic)))
    n_features = len(encoder.columns_)
    gaps = np.abs(
        _associations(Xr, encoder).to_numpy() - _associations(Xs, encoder).to_numpy()
    )
    if n_features > 1:
        association_error = gaps.sum(axis=1) / (n_features - 1)
    else:
        association_error = np.full(1, np.nan)
    report = pd.DataFrame(
        rows,
        columns=["kind", "statistic", "distance"],
        index=pd.Index([spec.name for spec in encoder.columns_], name=None),
    )
    report["association_error"] = association_error
    return report


# Classifier-based metrics -----------------------------------------------------


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "estimator": [HasMethods(["fit"]), None],
        "cv": ["cv_object"],
        "categorical_features": _CATEGORICAL_FEATURES,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def two_sample_auc(
    real,
    synthetic,
    *,
    estimator=None,
    cv=5,
    categorical_features="from_dtype",
    random_state=None,
):
    """Cross-validated ROC AUC of a classifier telling real from synthetic rows.

    A classifier two-sample test: the rows of both samples are pooled,
    labelled 0 (real) and 1 (synthetic), encoded by the tabular layer fitted
    on the real rows, and a classifier is cross-validated on the task. An AUC
    of 0.5 means the classifier cannot tell the samples apart; 1.0 means every
    synthetic row is recognisable. Pass samples of similar size: the AUC does
    not depend on the class balance, but the classifier learns less about the
    smaller sample.

    When the real rows are mostly distinct, equal rows are kept in the same
    fold, so a copy of the real rows scores 0.5, as a sample of the same
    distribution should; whether a generator copies its training rows is
    :func:`dcr`'s question.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.

    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    estimator : classifier or None, default=None
        A classifier with ``predict_proba`` or ``decision_function``, cloned
        and fitted on the encoded rows (numbers standardised, categories
        one-hot). ``None`` uses
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.

    cv : int, cross-validation generator or iterable, default=5
        An int gives that many shuffled
        :class:`~sklearn.model_selection.StratifiedGroupKFold` folds seeded by
        ``random_state``, in which equal rows stay in one fold (see above).
        Other splitters receive the same groups.

    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical, as in :class:`skgen.AutoEncoder`.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the default classifier.

    Returns
    -------
    auc : float
        Mean ROC AUC over the folds.

    See Also
    --------
    maximum_mean_discrepancy : A kernel distance between the two samples.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import two_sample_auc
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(300, 4))
    >>> print(f"{two_sample_auc(real, rng.normal(size=(300, 4)), random_state=0):.1f}")
    0.5
    >>> print(f"{two_sample_auc(real, real + 3, random_state=0):.1f}")
    1.0
    """
    _, (Xr, Xs) = _encode(real, [("synthetic", synthetic)], categorical_features)
    X = np.vstack([Xr, Xs])
    y = np.r_[np.zeros(len(Xr), dtype=int), np.ones(len(Xs), dtype=int)]
    if estimator is None:
        estimator = HistGradientBoostingClassifier(random_state=random_state)
    else:
        estimator = clone(estimator)
    # Where real rows are mostly distinct (as with any continuous column),
    # equal rows share a fold: a classifier that saw a row's copy under the
    # other label scores the row as the opposite of what it is, and identical
    # samples would give an AUC near 0 rather than 0.5. Tables of few distinct
    # rows (a handful of categories) repeat rows by nature; there the
    # classifier must see every row value to learn its frequency in each
    # sample.
    groups = np.unique(X, axis=0, return_inverse=True)[1].ravel()
    if len(np.unique(groups[: len(Xr)])) < len(Xr) / 2:
        groups = np.arange(len(X))
    if isinstance(cv, Integral):
        cv = StratifiedGroupKFold(cv, shuffle=True, random_state=random_state)
    cv = check_cv(cv, y, classifier=True)
    scores = cross_val_score(estimator, X, y, groups=groups, cv=cv, scoring="roc_auc")
    return float(np.mean(scores))


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X_synthetic": ["array-like"],
        "y_synthetic": ["array-like"],
        "X_real": ["array-like"],
        "y_real": ["array-like"],
        "scoring": [str, callable, list, tuple, dict, None],
    },
    prefer_skip_nested_validation=True,
)
def tstr_score(estimator, X_synthetic, y_synthetic, X_real, y_real, *, scoring=None):
    """Train on synthetic rows, test on real ones.

    Fits a clone of ``estimator`` on the synthetic rows and their labels and
    scores it on real held-out rows. Compared with the same estimator trained
    on real rows, it tells how much of what a model needs the synthetic data
    kept: a generator that only matches the marginals scores near chance.

    Parameters
    ----------
    estimator : estimator
        The downstream model, for example a pipeline that ends in a
        classifier; it receives the rows as they are.

    X_synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows to train on.

    y_synthetic : array-like of shape (n_synthetic,)
        Their labels or targets.

    X_real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows to test on, not used to fit the generator.

    y_real : array-like of shape (n_samples,)
        Their labels or targets.

    scoring : str, callable, list, tuple, dict or None, default=None
        A scikit-learn scorer name or callable; ``None`` uses the estimator's
        ``score`` (accuracy for a classifier, R² for a regressor). Several
        scorers (a list or tuple of names, or a dict of name to scorer) share
        one fit.

    Returns
    -------
    score : float or dict
        The score on the real rows; a dict of scores, keyed by scorer name,
        for several scorers.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skgen.metrics import tstr_score
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000)
    >>> print(f"{tstr_score(model, X[::2], y[::2], X[1::2], y[1::2]):.2f}")
    0.96
    """
    estimator = clone(estimator)
    if is_classifier(estimator):
        unseen = np.setdiff1d(np.unique(y_real), np.unique(y_synthetic))
        if unseen.size:
            warnings.warn(
                f"The synthetic rows have no label {unseen.tolist()} among those "
                "of the real rows; the estimator can never predict it.",
                UserWarning,
                stacklevel=2,
            )
    estimator.fit(X_synthetic, y_synthetic)
    scores = check_scoring(estimator, scoring=scoring)(estimator, X_real, y_real)
    if isinstance(scores, dict):
        return {name: float(value) for name, value in scores.items()}
    return float(scores)


# Distances ---------------------------------------------------------------------


def _kernel_mean(A, B, gamma):
    """Mean of the RBF kernel ``exp(-gamma * |a - b|^2)`` over all pairs."""
    total = 0.0
    for start in range(0, len(A), KERNEL_BLOCK_ROWS):
        squared = euclidean_distances(
            A[start : start + KERNEL_BLOCK_ROWS], B, squared=True
        )
        total += np.exp(-gamma * squared).sum()
    return total / (len(A) * len(B))


def _median_heuristic(X):
    """``1 / median`` of the squared distances between rows of ``X`` (a sample)."""
    if len(X) > MEDIAN_HEURISTIC_ROWS:
        rows = np.random.default_rng(0).choice(len(X), MEDIAN_HEURISTIC_ROWS, False)
        X = X[rows]
    squared = euclidean_distances(X, squared=True)[np.triu_indices(len(X), k=1)]
    median = np.median(squared) if squared.size else 0.0
    return 1.0 / median if median > 0 else 1.0


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "gamma": [Interval(Real, 0, None, closed="neither"), None],
        "categorical_features": _CATEGORICAL_FEATURES,
    },
    prefer_skip_nested_validation=True,
)
def maximum_mean_discrepancy(
    real, synthetic, *, gamma=None, categorical_features="from_dtype"
):
    """Maximum mean discrepancy between the samples under an RBF kernel.

    The distance between the mean embeddings of the two samples in the
    kernel's feature space, ``sqrt(mean k(r, r') + mean k(s, s') - 2 mean
    k(r, s))`` with ``k(a, b) = exp(-gamma * |a - b|^2)`` on the encoded rows
    (the biased estimate, so identical samples give exactly 0). It is 0 when
    the distributions are the same and grows to at most ``sqrt(2)`` as they
    separate; unlike the per-column distances it sees every dependency between
    columns. The cost grows with the product of the sample sizes (memory
    stays bounded).

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.

    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    gamma : float or None, default=None
        Kernel coefficient. ``None`` takes the median heuristic on the real
        rows: one over the median squared distance between them (on at most
        1,000 rows), so that the kernel's scale depends on the real data only
        and different synthetic samples are measured with the same kernel.

    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical, as in :class:`skgen.AutoEncoder`.

    Returns
    -------
    mmd : float
        The maximum mean discrepancy, at least 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import maximum_mean_discrepancy
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 3))
    >>> maximum_mean_discrepancy(real, real)
    0.0
    >>> near = maximum_mean_discrepancy(real, rng.normal(size=(500, 3)))
    >>> far = maximum_mean_discrepancy(real, rng.normal(2, 1, size=(500, 3)))
    >>> bool(near < 0.1 < far)
    True
    """
    _, (Xr, Xs) = _encode(real, [("synthetic", synthetic)], categorical_features)
    if gamma is None:
        gamma = _median_heuristic(Xr)
    squared = _kernel_mean(Xr, Xr, gamma) + _kernel_mean(Xs, Xs, gamma)
    squared -= 2 * _kernel_mean(Xr, Xs, gamma)
    return float(np.sqrt(max(squared, 0.0)))


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "holdout": ["array-like", None],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "categorical_features": _CATEGORICAL_FEATURES,
    },
    prefer_skip_nested_validation=True,
)
def dcr(
    real,
    synthetic,
    *,
    holdout=None,
    quantile=0.05,
    categorical_features="from_dtype",
):
    """Distance to the closest record: does the generator copy its training rows?

    For each synthetic row, the Euclidean distance (on the encoded rows) to
    the closest row of ``real``, the rows the generator was trained on. The
    reference is what fresh rows from the same distribution give: the distance
    from each ``holdout`` row to its closest training row, or, without a
    holdout, from each training row to its closest *other* training row.

    The check compares the shares of rows that come unusually close: the
    threshold is the ``quantile`` of the reference distances, and the
    generator is flagged (``memorizes``) when the share of synthetic rows
    within it is more than twice the share of reference rows (about
    ``quantile``). A generator that returns its training rows, or small
    perturbations of them, puts nearly every row within the threshold; an
    honest one about ``quantile`` of them.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        The generator's training rows.

    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    holdout : {array-like, DataFrame} of shape (n_holdout, n_features) or None, \
            default=None
        Real rows the generator did not see; the better reference when there
        are enough of them.

    quantile : float in (0, 1), default=0.05
        Which quantile of the reference distances counts as unusually close.

    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical, as in :class:`skgen.AutoEncoder`.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With the attributes

        - ``distances``: ndarray of shape (n_synthetic,), each synthetic row's
          distance to its closest training row;
        - ``reference_distances``: ndarray, the same for the reference rows;
        - ``threshold``: float, the ``quantile`` of ``reference_distances``;
        - ``closer_fraction``: share of synthetic rows within ``threshold``;
        - ``reference_fraction``: share of reference rows within it;
        - ``median_ratio``: median of ``distances`` over the median of
          ``reference_distances`` (about 1 for fresh rows, 0 for copies);
        - ``exact_copies``: share of synthetic rows equal to a training row;
        - ``memorizes``: bool, ``closer_fraction > 2 * reference_fraction``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import dcr
    >>> rng = np.random.default_rng(0)
    >>> train = rng.normal(size=(400, 5))
    >>> dcr(train, train[rng.integers(0, 400, size=400)]).memorizes
    True
    >>> dcr(train, rng.normal(size=(400, 5))).memorizes
    False
    """
    _, (Xr, Xs, Xh) = _encode(
        real, [("synthetic", synthetic), ("holdout", holdout)], categorical_features
    )
    if Xh is None and len(Xr) < 2:
        raise ValueError(
            "dcr needs at least 2 real rows (or a holdout) to measure how close "
            "fresh rows come to each other."
        )
    neighbors = NearestNeighbors(n_neighbors=1).fit(Xr)
    distances = neighbors.kneighbors(Xs, return_distance=True)[0][:, 0]
    if Xh is None:
        # Each training row's nearest neighbour is itself; take the second.
        reference = neighbors.kneighbors(Xr, n_neighbors=2)[0][:, 1]
    else:
        reference = neighbors.kneighbors(Xh)[0][:, 0]
    threshold = float(np.quantile(reference, quantile))
    closer = float(np.mean(distances <= threshold))
    reference_fraction = float(np.mean(reference <= threshold))
    reference_median = np.median(reference)
    return Bunch(
        distances=distances,
        reference_distances=reference,
        threshold=threshold,
        closer_fraction=closer,
        reference_fraction=reference_fraction,
        median_ratio=float(np.median(distances) / reference_median)
        if reference_median > 0
        else float("nan"),
        exact_copies=float(np.mean(distances <= 1e-6)),
        memorizes=bool(closer > 2 * reference_fraction),
    )


__all__ = [
    "association_matrix",
    "dcr",
    "fidelity_report",
    "maximum_mean_discrepancy",
    "tstr_score",
    "two_sample_auc",
]
