"""An imbalanced-learn over-sampler that draws rows from a skgen generator."""

from imblearn.over_sampling.base import BaseOverSampler
from sklearn.base import clone
from sklearn.utils import check_random_state

from skgen._base import SkgenEstimator
from skgen._compat import HasMethods
from skgen._docstrings import PIECES, Substitution
from skgen._mixins import SEED_BOUND, TableOverSamplerMixin
from skgen._persistence import register


@register
@Substitution(**PIECES)
class GenerativeOverSampler(TableOverSamplerMixin, SkgenEstimator, BaseOverSampler):
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

    {sampler_parameters}

    random_state : int, RandomState instance or None, default=None
        Seeds the draws and, when the generator's own ``random_state`` is
        ``None``, its fit.

    Attributes
    ----------
    generator_ : estimator
        The fitted clone of ``generator``.

    {resample_attributes}

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
        **TableOverSamplerMixin._sampler_parameter_constraints,
        "generator": [HasMethods(["fit", "sample"])],
        "random_state": ["random_state"],
    }

    # What save() writes; a fitted attribute missing here is not saved, so
    # adding one is a deliberate change of the file format.
    _saved_attributes = (
        "generator_",
        *TableOverSamplerMixin._saved_sampler_attributes,
        "n_features_in_",
        "feature_names_in_",
    )

    def __init__(
        self,
        generator,
        *,
        sampling_strategy="auto",
        filter_factor=3.0,
        fill_fraction=1.0,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.filter_factor = filter_factor
        self.fill_fraction = fill_fraction
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
