"""Warnings and errors of skgen's own.

skgen raises the standard exceptions where they fit (``ValueError`` for bad
input or a bad file, ``FloatingPointError`` for a diverging fit,
:class:`~sklearn.exceptions.NotFittedError` for an unfitted model); the
classes here are for what has no standard name.
"""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["GeneratedRowsWarning", "TrainingInterruptedWarning"]


class TrainingInterruptedWarning(ConvergenceWarning):
    """Warns that a ``KeyboardInterrupt`` ended training before it was done.

    The fitted model keeps the weights it had reached and may be undertrained,
    as when an iterative scikit-learn estimator stops at ``max_iter``; hence a
    :class:`~sklearn.exceptions.ConvergenceWarning` (itself a
    ``UserWarning``), so that filters for that warning apply to this one too.
    An early stop is not an interrupt and does not warn.

    Examples
    --------
    >>> import warnings
    >>> from skgen.exceptions import TrainingInterruptedWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", TrainingInterruptedWarning)
    ...     warnings.warn("stopped at epoch 3", TrainingInterruptedWarning)
    """


class GeneratedRowsWarning(UserWarning):
    """Warns that an over-sampler's generated rows look like another class.

    After ``fit_resample``, skgen's over-samplers ask a random forest fitted
    on the real rows which class each kept generated row looks like. When the
    rows added to a class look, on average, more like another class, they
    would teach a classifier the wrong boundary (label noise), so the
    sampler warns; its ``generated_posterior_`` and ``real_posterior_`` hold
    the figures.

    Examples
    --------
    >>> import warnings
    >>> from skgen.exceptions import GeneratedRowsWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", GeneratedRowsWarning)
    ...     warnings.warn("rows of class 1 look like class 0", GeneratedRowsWarning)
    """
