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
- :func:`quality_report`: all of the above in one call, as a
  :class:`QualityReport` with a tidy summary and a figure.

The module is longer than skgen's others on purpose: it is one public
namespace (``skgen.metrics``, one API page), each metric a function with its
private helpers above it; splitting it would split that namespace.
"""

import warnings
from collections.abc import Hashable
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.base import clone, is_classifier
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.metrics import check_scoring
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import (
    StratifiedGroupKFold,
    check_cv,
    cross_val_score,
)
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import Bunch, check_array

from skgen._codecs import DROPPED, INTEGER, MissingCodec, NumberCodec
from skgen._compat import HasMethods, Interval, StrOptions, validate_params
from skgen._tabular import MAX_DISCRETE_VALUES, TableEncoder, prepare_table

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


def _align(real, synthetic, name="synthetic"):
    """Return ``synthetic`` with the columns of ``real``, or raise naming the gap."""
    if isinstance(real, pd.DataFrame) != isinstance(synthetic, pd.DataFrame):
        kinds = [type(X).__name__ for X in (real, synthetic)]
        raise TypeError(
            f"real is a {kinds[0]} but {name} is a {kinds[1]}; pass both as "
            "DataFrames with the same columns, or both as arrays."
        )
    if isinstance(real, pd.DataFrame):
        missing = [c for c in real.columns if c not in synthetic.columns]
        extra = [c for c in synthetic.columns if c not in real.columns]
        if missing or extra:
            raise ValueError(
                f"real and {name} must have the same columns; {name} lacks "
                f"{missing} and has extra {extra}."
            )
        return synthetic[real.columns]
    if synthetic.shape[1] != real.shape[1]:
        raise ValueError(
            f"real has {real.shape[1]} columns but {name} has "
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
        (name, None if X is None else _align(real, _as_table(X, name), name))
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
        (None, False, None)
        if spec.kind == DROPPED
        else (_codes(Xt, spec), True, None)
        if spec.one_hot
        else (
            Xt[:, spec.start],
            False,
            Xt[:, spec.indicator + 1] < 0.5 if isinstance(spec, MissingCodec) else None,
        )
        for spec in encoder.columns_
    ]
    n = len(columns)
    matrix = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            (a, a_cat, a_present), (b, b_cat, b_present) = columns[i], columns[j]
            if a is None or b is None:
                # A column left out of the encoding (an identifier, free text).
                matrix[i, j] = matrix[j, i] = np.nan
                continue
            if a_present is not None or b_present is not None:
                # On the rows where both are present: the 0 written in place
                # of a missing number would pull the measure towards 0.
                present = np.logical_and(
                    True if a_present is None else a_present,
                    True if b_present is None else b_present,
                )
                if present.sum() < 2:
                    matrix[i, j] = matrix[j, i] = 0.0
                    continue
                a, b = a[present], b[present]
            if a_cat and b_cat:
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
    of their own; a pair with a missing number is measured on the rows where
    both values are present. A constant column has no association with
    anything.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        The table. Numeric, integer, boolean, categorical and date columns
        are accepted, with missing values.

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


def _present(Xt, spec):
    """The encoded values of a number's rows that are not missing."""
    values = Xt[:, spec.start]
    if isinstance(spec, MissingCodec):
        return values[Xt[:, spec.indicator + 1] < 0.5]
    return values


def _ks(a, b):
    """Two-sample KS statistic; 0 when both samples are empty, 1 when one is."""
    if a.size == 0 or b.size == 0:
        return float(a.size != b.size)
    # Only the statistic is used; "asymp" skips the exact p-value's cost.
    return float(ks_2samp(a, b, method="asymp").statistic)


def _missing_share(X):
    """Share of missing values in each column of a DataFrame or 2-D array."""
    return np.asarray(pd.isna(pd.DataFrame(X)).mean(axis=0), dtype=np.float64)


def _fidelity(real, synthetic, categorical_features):
    """Return ``fidelity_report``'s frame and both samples' association matrices."""
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
            # On the present values only: the 0 the encoder writes in place of
            # a missing number is no value of the column's distribution.
            rows.append((spec.kind, "ks", _ks(_present(Xr, spec), _present(Xs, spec))))
    real = _as_table(real, "real")
    synthetic = _align(real, _as_table(synthetic, "synthetic"))
    real_associations = _associations(Xr, encoder)
    synthetic_associations = _associations(Xs, encoder)
    gaps = np.abs(real_associations.to_numpy() - synthetic_associations.to_numpy())
    # Over the other columns, leaving out those the encoding left out (NaN),
    # so that one identifier column does not blank every row.
    counted = ~np.eye(len(gaps), dtype=bool) & ~np.isnan(gaps)
    n_counted = counted.sum(axis=1)
    association_error = np.where(counted, gaps, 0.0).sum(axis=1) / np.maximum(
        n_counted, 1
    )
    association_error[n_counted == 0] = np.nan
    report = pd.DataFrame(
        rows,
        columns=["kind", "statistic", "distance"],
        index=pd.Index([spec.name for spec in encoder.columns_], name=None),
    )
    report["missing_gap"] = _missing_share(synthetic) - _missing_share(real)
    report["association_error"] = association_error
    return report, real_associations, synthetic_associations


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

    For a numeric (or integer, or date) column the distance is the two-sample
    Kolmogorov-Smirnov statistic, the largest gap between the two empirical
    distribution functions of the values that are present; for a categorical
    (or boolean) column it is the total variation distance, half the summed
    absolute difference of the category frequencies, a missing value counting
    as a category of its own. Both lie in [0, 1], 0 for identical marginals.

    ``missing_gap`` is the share of missing values in the synthetic column
    minus that in the real one, so that a number that is missing too often (or
    never) shows even when its present values are right.

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
        with the columns ``kind`` (``"numeric"``, ``"integer"``, ``"boolean"``,
        ``"categorical"``, ``"datetime"``, ...), ``statistic`` (``"ks"`` or
        ``"tvd"``), ``distance``, ``missing_gap`` and ``association_error``.
        The KS distance of a number missing from every row of one sample but
        not the other is 1.

    See Also
    --------
    two_sample_auc : One number for the whole table, from a classifier.
    quality_report : This report, the other metrics and a figure in one call.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgen.metrics import fidelity_report
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> synthetic = pd.DataFrame({"x": [1.0, 2.0, np.nan, 9.0], "c": list("aaab")})
    >>> fidelity_report(real, synthetic).round(3)
              kind statistic  distance  missing_gap  association_error
    x      numeric        ks     0.333         0.25              0.099
    c  categorical       tvd     0.250         0.00              0.099
    """
    return _fidelity(real, synthetic, categorical_features)[0]


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


# One-call report -----------------------------------------------------------------

# Marginal panels per row of QualityReport.plot's figure.
PLOT_PANELS_PER_ROW = 4

# Categories a panel draws before it gathers the rarer ones as "other".
PLOT_MAX_CATEGORIES = 8

# Integer columns with at most this many distinct values are drawn as bars.
PLOT_MAX_BARS = 12

REAL_COLOUR = "#4c72b0"
SYNTHETIC_COLOUR = "#dd8452"

# Real values are drawn filled, synthetic ones outlined (and lightly filled in
# bars), so that both stay visible where they overlap.
_REAL_BARS = {"color": REAL_COLOUR, "alpha": 0.55, "linewidth": 0}
_SYNTHETIC_BARS = {
    "facecolor": SYNTHETIC_COLOUR + "4d",  # 30% opaque
    "edgecolor": SYNTHETIC_COLOUR,
    "linewidth": 1.5,
}


def _slots(spec):
    """Positions in the encoded matrix of one column's slots."""
    slots = set(range(spec.start, spec.stop))
    for start, stop in spec.blocks:
        slots.update(range(start, stop))
    return sorted(slots)


def _tstr(real, synthetic, holdout, target, categorical_features, random_state):
    """Train on synthetic and on real rows, score on the holdout: ``target``.

    Returns the metric's name, the kind of model, the TSTR and the TRTR score.
    """
    encoder, encoded = _encode(
        real, [("synthetic", synthetic), ("holdout", holdout)], categorical_features
    )
    spec = encoder.columns_[list(real.columns).index(target)]
    if spec.kind == DROPPED:
        raise ValueError(
            f"target={target!r} is a column the encoding leaves out (mostly "
            "unique values); predict a column of numbers or categories."
        )
    features = np.setdiff1d(np.arange(encoded[0].shape[1]), _slots(spec))
    if features.size == 0:
        raise ValueError(f"target={target!r} is the only column; nothing predicts it.")
    classify = spec.one_hot or (
        spec.kind == INTEGER and real[target].nunique() <= MAX_DISCRETE_VALUES
    )
    if classify:
        model = HistGradientBoostingClassifier(random_state=random_state)
        kind, scoring = "classifier", "balanced_accuracy"
    else:
        model = HistGradientBoostingRegressor(random_state=random_state)
        kind, scoring = "regressor", "r2"
    data = []
    for (name, X), Xt in zip(
        [("real", real), ("synthetic", synthetic), ("holdout", holdout)],
        encoded,
        strict=True,
    ):
        present = ~pd.isna(X[target]).to_numpy()
        if not present.any():
            raise ValueError(f"target={target!r} is missing in every row of {name}.")
        # Labels as they are; numbers standardised like the features, which
        # leaves R^2 as it is.
        y = (
            np.asarray(X[target][present].tolist())
            if classify
            else Xt[present, spec.start]
        )
        data.append((Xt[present][:, features], y))
    (X_real, y_real), (X_synthetic, y_synthetic), (X_holdout, y_holdout) = data
    tstr = tstr_score(
        model, X_synthetic, y_synthetic, X_holdout, y_holdout, scoring=scoring
    )
    trtr = tstr_score(model, X_real, y_real, X_holdout, y_holdout, scoring=scoring)
    return f"tstr_{scoring}", kind, tstr, trtr


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "target": [Hashable, None],
        "holdout": ["array-like", None],
        "categorical_features": _CATEGORICAL_FEATURES,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def quality_report(
    real,
    synthetic,
    *,
    target=None,
    holdout=None,
    categorical_features="from_dtype",
    random_state=None,
):
    """Every metric of this module in one call: is the synthetic data good?

    Runs :func:`two_sample_auc`, :func:`fidelity_report` and
    :func:`maximum_mean_discrepancy` on the two samples; with a ``holdout``
    of real rows the generator did not see, :func:`dcr` with that holdout as
    reference; and with a ``target`` column too, train-on-synthetic,
    test-on-real (:func:`tstr_score`): a
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (for a
    categorical, boolean, or integer target of at most 10 values, scored by
    balanced accuracy) or :class:`~sklearn.ensemble.HistGradientBoostingRegressor`
    (otherwise, scored by R²) trained on the synthetic rows and scored on the
    holdout, next to the same model trained on the real rows (TRTR). Both
    models see the other columns encoded as the other metrics do; rows whose
    target is missing are left out.

    Tables go in as they are: missing numbers and categories, integer,
    boolean, category and date columns.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        The real rows the generator was trained on.

    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns (a DataFrame when ``real`` is
        one; columns are matched by name). A number of rows close to
        ``n_samples`` suits the two-sample AUC best.

    target : column name or None, default=None
        A column of the DataFrames to predict from the others for TSTR; needs
        ``holdout``.

    holdout : {array-like, DataFrame} of shape (n_holdout, n_features) or None, \
            default=None
        Real rows the generator did not see, with the same columns: the
        reference of :func:`dcr` and the test rows of TSTR.

    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical, as in :class:`skgen.AutoEncoder`.

    random_state : int, RandomState instance or None, default=None
        Seeds the two-sample AUC's folds and the gradient-boosting models.

    Returns
    -------
    report : QualityReport
        Its ``summary`` has a row per metric, ``columns`` the per-column
        distances, ``plot()`` draws the marginals and associations.

    Raises
    ------
    ValueError
        If the samples do not have the same columns, if ``target`` is not a
        column, or if ``target`` is given without ``holdout``.

    See Also
    --------
    QualityReport : What the report holds and draws.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgen.metrics import quality_report
    >>> rng = np.random.default_rng(0)
    >>> def table(n):
    ...     x = rng.normal(size=n)
    ...     return pd.DataFrame({"x": x, "big": np.where(x > 0, "yes", "no")})
    >>> real, holdout = table(200), table(200)
    >>> report = quality_report(real, table(200), target="big", holdout=holdout)
    >>> report.summary["metric"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['two_sample_auc', 'mean_ks', 'mean_tvd', 'mean_association_error', 'mmd',
     'dcr_closer_fraction', 'dcr_memorizes', 'tstr_balanced_accuracy']
    >>> report.memorizes
    False
    """
    real = _as_table(real, "real")
    synthetic = _align(real, _as_table(synthetic, "synthetic"))
    if holdout is not None:
        holdout = _align(real, _as_table(holdout, "holdout"), "holdout")
    if target is not None:
        if not isinstance(real, pd.DataFrame):
            raise TypeError(
                "target names a column: pass real, synthetic and holdout as DataFrames."
            )
        if target not in real.columns:
            raise ValueError(
                f"target={target!r} is not a column of real; its columns are "
                f"{list(real.columns)}."
            )
        if holdout is None:
            raise ValueError(
                "target needs a holdout: TSTR trains on the synthetic rows and "
                "scores on real rows the generator did not see; pass them as "
                "holdout."
            )
    columns, real_associations, synthetic_associations = _fidelity(
        real, synthetic, categorical_features
    )
    rows = [
        (
            "two_sample_auc",
            two_sample_auc(
                real,
                synthetic,
                categorical_features=categorical_features,
                random_state=random_state,
            ),
            0.5,
            "can a classifier tell the samples apart? 0.5 no, 1 always",
        )
    ]
    for statistic, name, kinds, reading in [
        ("ks", "mean_ks", "numeric", "KS of present values"),
        ("tvd", "mean_tvd", "categorical", "total variation"),
    ]:
        chosen = columns["statistic"] == statistic
        if chosen.any():
            rows.append(
                (
                    name,
                    columns.loc[chosen, "distance"].mean(),
                    0.0,
                    f"{reading}, mean of {chosen.sum()} {kinds} columns; "
                    "0 same, 1 disjoint",
                )
            )
    with_missing = (_missing_share(real) > 0) | (_missing_share(synthetic) > 0)
    if with_missing.any():
        rows.append(
            (
                "mean_missing_gap",
                columns.loc[with_missing, "missing_gap"].abs().mean(),
                0.0,
                "|gap| in share missing, mean of the "
                f"{with_missing.sum()} columns with any",
            )
        )
    if len(columns) > 1:
        rows.append(
            (
                "mean_association_error",
                columns["association_error"].mean(),
                0.0,
                "|gap| in pairwise associations, mean of all pairs",
            )
        )
    rows.append(
        (
            "mmd",
            maximum_mean_discrepancy(
                real, synthetic, categorical_features=categorical_features
            ),
            0.0,
            "kernel distance of the samples; 0 same, sqrt(2) at most",
        )
    )
    closest = None
    if holdout is not None:
        closest = dcr(
            real, synthetic, holdout=holdout, categorical_features=categorical_features
        )
        rows += [
            (
                "dcr_closer_fraction",
                closest.closer_fraction,
                closest.reference_fraction,
                "share nearer a training row than 95% of holdout rows are",
            ),
            (
                "dcr_memorizes",
                float(closest.memorizes),
                0.0,
                "1 if that share is over twice the holdout's: copies rows",
            ),
        ]
    if target is not None:
        metric, model, tstr, trtr = _tstr(
            real, synthetic, holdout, target, categorical_features, random_state
        )
        rows.append(
            (
                metric,
                tstr,
                trtr,
                f"boosted-tree {model} of {target!r} fitted on synthetic rows; "
                "reference: on real rows",
            )
        )
    summary = pd.DataFrame(rows, columns=["metric", "value", "reference", "reads_as"])
    return QualityReport(
        summary,
        columns,
        real_associations,
        synthetic_associations,
        dcr=closest,
        real=real,
        synthetic=synthetic,
    )


def _short(label, width=18):
    """``label`` as text of at most ``width`` characters."""
    label = str(label)
    return label if len(label) <= width else label[: width - 1] + "…"


def _percent(share):
    """A share as a percentage, with a decimal below 10% so that 0.4% is not 0%."""
    return f"{share:.1%}" if 0 < share < 0.1 else f"{share:.0%}"


def _plot_numbers(column, kind):
    """A column's present values as floats for a histogram (dates as day numbers)."""
    from matplotlib import dates

    values = column.dropna()
    if isinstance(values.dtype, pd.PeriodDtype):
        values = values.dt.to_timestamp()
    if kind in ("datetime", "period"):
        values = pd.to_datetime(values)
        if values.dt.tz is not None:
            values = values.dt.tz_convert(None)
        return dates.date2num(values.to_numpy(dtype="datetime64[ns]"))
    if kind == "timedelta":
        return values.dt.total_seconds().to_numpy() / 86400
    return values.to_numpy(dtype=np.float64)


def _plot_histograms(ax, real, synthetic, kind):
    """Real (filled) and synthetic (outlined) histograms on shared bins."""
    r, s = _plot_numbers(real, kind), _plot_numbers(synthetic, kind)
    ends = [*([r.min(), r.max()] if r.size else [])]
    # The synthetic sample's 1% tails are left out of the range (and piled on
    # its ends) so that one wild value does not squeeze the real histogram.
    ends += list(np.quantile(s, [0.01, 0.99])) if s.size else []
    if not ends:
        ax.text(0.5, 0.5, "all missing", ha="center", va="center")
        return
    low, high = min(ends), max(ends)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    bins = np.histogram_bin_edges(r if r.size else s, bins="auto", range=(low, high))
    bins = np.linspace(low, high, int(np.clip(len(bins) - 1, 10, 40)) + 1)
    ax.hist(np.clip(r, low, high), bins, density=True, color=REAL_COLOUR, alpha=0.55)
    ax.hist(
        np.clip(s, low, high),
        bins,
        density=True,
        histtype="step",
        color=SYNTHETIC_COLOUR,
        linewidth=1.8,
    )
    if kind in ("datetime", "period"):
        from matplotlib import dates

        locator = dates.AutoDateLocator(maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    ax.set_yticks([])


def _plot_value_bars(ax, real, synthetic):
    """Side-by-side bars of the shares of each value of a few-valued integer."""
    r, s = real.dropna(), synthetic.dropna()
    values = np.union1d(r.unique(), s.unique()).astype(np.float64)
    width = 0.4 * (np.diff(values).min() if len(values) > 1 else 1.0)
    for sample, offset, style in [(r, -0.5, _REAL_BARS), (s, 0.5, _SYNTHETIC_BARS)]:
        shares = sample.astype(np.float64).value_counts(normalize=True)
        shares = shares.reindex(values, fill_value=0.0)
        ax.bar(values + offset * width, shares, width=width, **style)
    ax.set_xticks(values, [f"{v:g}" for v in values])


def _plot_category_bars(ax, real, synthetic):
    """Side-by-side horizontal bars of the category shares, missing ones included."""
    r = real.astype(object).where(real.notna(), "(missing)")
    s = synthetic.astype(object).where(synthetic.notna(), "(missing)")
    r_shares, s_shares = r.value_counts(normalize=True), s.value_counts(normalize=True)
    order = [c for c in r_shares.index if c != "(missing)"]
    order += [c for c in s_shares.index if c not in r_shares.index and c != "(missing)"]
    if len(order) > PLOT_MAX_CATEGORIES:
        rest = order[PLOT_MAX_CATEGORIES - 1 :]
        order = order[: PLOT_MAX_CATEGORIES - 1]
        r = r.where(~r.isin(rest), "(other)")
        s = s.where(~s.isin(rest), "(other)")
        r_shares = r.value_counts(normalize=True)
        s_shares = s.value_counts(normalize=True)
        order.append("(other)")
    if "(missing)" in r_shares.index or "(missing)" in s_shares.index:
        order.append("(missing)")
    positions = np.arange(len(order))
    for shares, offset, style in [
        (r_shares, -0.2, _REAL_BARS),
        (s_shares, 0.2, _SYNTHETIC_BARS),
    ]:
        ax.barh(positions + offset, shares.reindex(order, fill_value=0.0), 0.4, **style)
    ax.set_yticks(positions, [_short(c, 14) for c in order])
    ax.invert_yaxis()


class QualityReport:
    """How good a synthetic sample is: the result of :func:`quality_report`.

    Holds every metric of :func:`quality_report` in one tidy table, the
    per-column distances and the association matrices, and draws them.
    Displayed in a notebook, it shows its summary.

    Parameters
    ----------
    summary : DataFrame
        One row per metric (see Attributes).

    columns : DataFrame
        The :func:`fidelity_report` of the two samples.

    real_associations, synthetic_associations : DataFrame
        The :func:`association_matrix` of each sample.

    dcr : :class:`~sklearn.utils.Bunch` or None, default=None
        The result of :func:`dcr`, when a holdout was given.

    real, synthetic : DataFrame, ndarray or None, default=None
        The samples, which :meth:`plot` draws.

    Attributes
    ----------
    summary : DataFrame
        One row per metric, with the columns ``metric`` (its name), ``value``,
        ``reference`` (what an ideal generator scores or, for the DCR share and
        TSTR, what real rows score) and ``reads_as`` (how to read it). The
        rows are ``two_sample_auc``, ``mean_ks`` (over the numeric columns),
        ``mean_tvd`` (over the categorical ones), ``mean_missing_gap`` (the
        mean absolute :func:`fidelity_report` ``missing_gap`` over the columns
        with missing values), ``mean_association_error`` and ``mmd``; with a
        holdout, ``dcr_closer_fraction`` and ``dcr_memorizes`` (1.0 when
        flagged); with a target, ``tstr_balanced_accuracy`` or ``tstr_r2``,
        whose reference is the TRTR score. Rows that do not apply are left
        out.

    columns : DataFrame
        Per column: ``kind``, ``statistic``, ``distance``, ``missing_gap`` and
        ``association_error``, as :func:`fidelity_report` returns them.

    associations : DataFrame
        ``synthetic_associations - real_associations``: positive where the
        synthetic rows tie two columns more closely than the real ones.

    real_associations, synthetic_associations : DataFrame
        The two association matrices.

    dcr : :class:`~sklearn.utils.Bunch` or None
        The full result of :func:`dcr` (distances included), or ``None``
        without a holdout.

    memorizes : bool or None
        Whether :func:`dcr` flags the generator as copying its training rows;
        ``None`` without a holdout.

    See Also
    --------
    quality_report : Computes the report.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgen.metrics import quality_report
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame(
    ...     {"x": rng.normal(size=200), "c": rng.choice(["a", "b"], 200)}
    ... )
    >>> shifted = real.assign(x=real["x"] + 1)
    >>> report = quality_report(real, shifted, random_state=0)
    >>> report.summary[["metric", "value", "reference"]].round(2)
                       metric  value  reference
    0          two_sample_auc   0.72        0.5
    1                 mean_ks   0.41        0.0
    2                mean_tvd   0.00        0.0
    3  mean_association_error   0.00        0.0
    4                     mmd   0.36        0.0
    >>> report.columns["distance"].round(2).to_dict()
    {'x': 0.41, 'c': 0.0}
    """

    def __init__(
        self,
        summary,
        columns,
        real_associations,
        synthetic_associations,
        *,
        dcr=None,
        real=None,
        synthetic=None,
    ):
        self.summary = summary
        self.columns = columns
        self.real_associations = real_associations
        self.synthetic_associations = synthetic_associations
        self.associations = synthetic_associations - real_associations
        self.dcr = dcr
        self._real = real
        self._synthetic = synthetic

    @property
    def memorizes(self):
        """Whether :func:`dcr` flags copying; ``None`` without a holdout."""
        return None if self.dcr is None else bool(self.dcr.memorizes)

    def _heading(self):
        """One line naming what was compared."""
        n_real = "?" if self._real is None else len(self._real)
        n_synthetic = "?" if self._synthetic is None else len(self._synthetic)
        return (
            f"QualityReport: {n_synthetic} synthetic rows against {n_real} real "
            f"rows, {len(self.columns)} columns"
        )

    def __repr__(self):
        width = max(len("metric"), *self.summary["metric"].str.len())
        lines = [self._heading(), f"{'metric':<{width}}   value  reference  reads as"]
        for metric, value, reference, reads_as in self.summary.itertuples(index=False):
            lines.append(
                f"{metric:<{width}} {value:7.3f} {reference:10.3f}  {reads_as}"
            )
        return "\n".join(lines)

    def _repr_html_(self):
        table = self.summary.to_html(index=False, float_format="{:.3f}".format)
        return f"<p><strong>{self._heading()}</strong></p>\n{table}"

    def plot(self, columns=None, *, max_columns=12):
        """Draw real and synthetic marginals, and the change of associations.

        One small panel per column: overlaid histograms on shared bins for
        numbers and dates (real filled, synthetic outlined; each sample's
        missing share in the panel's label), side-by-side bars for
        categories, booleans and integers of few values (a missing value as a
        bar of its own). Below them, a heatmap of
        :attr:`associations`, synthetic minus real, centred at 0.

        Parameters
        ----------
        columns : list of column names or None, default=None
            The columns to draw. ``None`` draws every column the encoding
            kept, or, beyond ``max_columns``, the ``max_columns`` whose
            marginals differ most; the heatmap shows the same columns.

        max_columns : int, default=12
            How many columns ``columns=None`` draws at most.

        Returns
        -------
        fig : matplotlib Figure
            The figure, with one axes per column, then the heatmap's and its
            colour bar's.
        """
        try:
            import matplotlib.pyplot as plt
            from matplotlib.patches import Patch
        except ImportError as exc:
            raise ImportError(
                "QualityReport.plot draws with matplotlib, which is not "
                "installed: pip install matplotlib"
            ) from exc
        if self._real is None or self._synthetic is None:
            raise ValueError("This report holds no samples to draw.")
        names = self._plot_columns(columns, max_columns)
        real, synthetic = pd.DataFrame(self._real), pd.DataFrame(self._synthetic)
        n_panels = min(len(names), PLOT_PANELS_PER_ROW)
        n_rows = -(-len(names) // n_panels)
        heatmap_rows = 2 if len(names) > 1 else 0
        fig = plt.figure(
            figsize=(3.1 * max(n_panels, 2), 2.5 * n_rows + 2.6 * heatmap_rows),
            layout="constrained",
        )
        grid = fig.add_gridspec(n_rows + heatmap_rows, max(n_panels, 2))
        for i, name in enumerate(names):
            ax = fig.add_subplot(grid[i // n_panels, i % n_panels])
            self._plot_marginal(ax, name, real[name], synthetic[name])
        if heatmap_rows:
            span = slice(1, 3) if n_panels == 4 else slice(None)
            self._plot_associations(fig, fig.add_subplot(grid[n_rows:, span]), names)
        fig.legend(
            handles=[
                Patch(**_REAL_BARS, label=f"real ({len(real)} rows)"),
                Patch(**_SYNTHETIC_BARS, label=f"synthetic ({len(synthetic)} rows)"),
            ],
            loc="outside upper center",
            ncols=2,
            frameon=False,
        )
        return fig

    def _plot_columns(self, columns, max_columns):
        """The names of the columns ``plot`` draws."""
        if columns is None:
            kept = self.columns[self.columns["kind"] != DROPPED]
            if len(kept) > max_columns:
                worst = kept["distance"].nlargest(max_columns).index
                kept = kept[kept.index.isin(worst)]
            names = list(kept.index)
        else:
            names = [columns] if isinstance(columns, str) else list(columns)
            unknown = [name for name in names if name not in self.columns.index]
            if unknown:
                raise ValueError(f"{unknown} are not columns of the report.")
        if not names:
            raise ValueError("There is no column to draw.")
        return names

    def _plot_marginal(self, ax, name, real, synthetic):
        """One column's panel: histograms or bars, titled, with its distance."""
        row = self.columns.loc[name]
        if row["kind"] in ("categorical", "boolean"):
            _plot_category_bars(ax, real, synthetic)
        elif (
            row["kind"] == INTEGER
            and pd.concat([real, synthetic]).nunique() <= PLOT_MAX_BARS
        ):
            _plot_value_bars(ax, real, synthetic)
        else:
            _plot_histograms(ax, real, synthetic, row["kind"])
        label = f"{row['statistic'].upper()} {row['distance']:.2f}"
        missing = real.isna().mean(), synthetic.isna().mean()
        if max(missing) > 0 and row["statistic"] == "ks":
            label += f"  ·  missing {_percent(missing[0])} / {_percent(missing[1])}"
        ax.set_title(_short(name, 28), fontsize=10)
        ax.set_xlabel(label, fontsize=8, color="0.3")
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)

    def _plot_associations(self, fig, ax, names):
        """Heatmap of synthetic minus real associations over ``names``."""
        import matplotlib.pyplot as plt

        difference = self.associations.loc[names, names].to_numpy(copy=True)
        np.fill_diagonal(difference, np.nan)
        finite = np.abs(difference[np.isfinite(difference)])
        limit = max(0.25, finite.max()) if finite.size else 1.0
        image = ax.imshow(
            difference,
            cmap=plt.get_cmap("RdBu_r").with_extremes(bad="0.93"),
            vmin=-limit,
            vmax=limit,
        )
        labels = [_short(name) for name in names]
        ticks = np.arange(len(names))
        ax.set_xticks(ticks, labels, rotation=40, ha="right", rotation_mode="anchor")
        ax.set_yticks(ticks, labels)
        ax.tick_params(labelsize=8, length=0)
        ax.spines[:].set_visible(False)
        if len(names) <= 12:
            for i, j in zip(*np.nonzero(np.isfinite(difference)), strict=True):
                value = difference[i, j]
                ax.text(
                    j,
                    i,
                    f"{value:+.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if abs(value) > 0.6 * limit else "0.2",
                )
        ax.set_title("Associations, synthetic minus real", fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.8, label="difference")


__all__ = [
    "QualityReport",
    "association_matrix",
    "dcr",
    "fidelity_report",
    "maximum_mean_discrepancy",
    "quality_report",
    "tstr_score",
    "two_sample_auc",
]
