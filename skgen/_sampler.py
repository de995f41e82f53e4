"""An imbalanced-learn over-sampler that draws rows from a skgen generator."""

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.utils import assert_all_finite, check_random_state, column_or_1d
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_consistent_length, validate_data

from skgen._base import SkgenEstimatorMixin

# Seeds drawn for each class's rows are below this bound (numpy's int32 range).
SEED_BOUND = 2**31 - 1


class TableOverSamplerMixin:
    """Input checks, tags and the resampled table of skgen's over-samplers.

    Unlike imbalanced-learn's samplers, these leave ``X``'s values to the
    model's table encoder, which names any bad column, so a DataFrame keeps
    its dtypes, and the new rows come back in the same form as ``X``.
    """

    def _check_X_y(self, X, y, accept_sparse=None):
        """Check ``y`` and the shape of ``X``; leave ``X``'s columns to the model."""
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, skip_check_array=True, reset=True)
            y = column_or_1d(np.asarray(y))
        else:
            X, y = validate_data(
                self, X, y, reset=True, dtype=None, ensure_all_finite=False
            )
            if X.dtype.kind in "fc":
                # Object arrays may hold missing categories; the encoder
                # names any bad column of those.
                assert_all_finite(X, input_name="X")
        check_consistent_length(X, y)
        return X, y, binarize_y

    def _append_samples(self, X, y, sample, random_state):
        """``X, y`` followed by the rows ``sampling_strategy_`` asks for.

        ``sample(n_samples, y=label, random_state=seed)`` draws each class's
        rows, with a seed from ``random_state`` (a ``RandomState``).
        """
        X_parts, y_parts = [X], [y]
        for label, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            seed = random_state.randint(SEED_BOUND)
            X_parts.append(sample(n_samples, y=label, random_state=seed))
            y_parts.append(np.full(n_samples, label, dtype=y.dtype))
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.vstack([np.asarray(part, dtype=X.dtype) for part in X_parts])
        return X_res, np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags


class GenerativeOverSampler(
    SkgenEstimatorMixin, TableOverSamplerMixin, BaseOverSampler
):
    """Over-sample classes with new rows from a class-conditional generator.

    A clone of ``generator`` is fitted on ``X`` and ``y`` (with
    ``conditional=True`` when the generator has that parameter) and asked, for
    each class that ``sampling_strategy`` tops up, for that many new rows of
    the class. Inside :class:`imblearn.pipeline.Pipeline` it augments scarce or
    imbalanced labelled data ahead of any classifier, and ``GridSearchCV`` can
    tune the generator (``generativeoversampler__generator__beta``) and the
    classifier together. Mixed-type DataFrames go in and come out with their
    columns and dtypes.

    Parameters
    ----------
    generator : estimator
        A skgen generator with ``fit(X, y)`` and ``sample(n_samples, y=...,
        random_state=...)``, for example ``VAE(conditional=True)``.

    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class should end with, as for every
        imbalanced-learn over-sampler: a float (minority / majority ratio, for
        two classes), ``"minority"``, ``"not minority"``, ``"not majority"``,
        ``"all"``, ``"auto"`` (= ``"not majority"``), a dict of class to
        number of rows, or a callable ``y -> dict``.

    random_state : int, RandomState instance or None, default=None
        Seeds the draws and, when the generator's own ``random_state`` is
        ``None``, its fit.

    Attributes
    ----------
    generator_ : estimator
        The fitted clone of ``generator``.

    sampling_strategy_ : dict
        Number of new rows drawn for each class.

    n_features_in_ : int
        Number of features seen during ``fit_resample``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``, when ``X`` has string
        column names.

    See Also
    --------
    imblearn.over_sampling.SMOTE : Interpolates between neighbouring rows.
    imblearn.over_sampling.RandomOverSampler : Repeats rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skgen import VAE, GenerativeOverSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> sampler = GenerativeOverSampler(VAE(max_epochs=20), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> print(np.bincount(y), np.bincount(y_res))
    [269  31] [269 269]
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "generator": [HasMethods(["fit", "sample"])],
        "random_state": ["random_state"],
    }

    def __init__(self, generator, *, sampling_strategy="auto", random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.random_state = random_state

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        generator = clone(self.generator)
        params = generator.get_params()
        if "conditional" in params:
            generator.set_params(conditional=True)
        if params.get("random_state", 0) is None:
            generator.set_params(random_state=random_state.randint(SEED_BOUND))
        with self._unfitted_on_error():
            self.generator_ = generator.fit(X, y)
        return self._append_samples(X, y, generator.sample, random_state)
