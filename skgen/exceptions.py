"""Warnings and errors of skgen's own.

skgen raises the standard exceptions where they fit (``ValueError`` for bad
input or a bad file, ``FloatingPointError`` for a diverging fit,
:class:`~sklearn.exceptions.NotFittedError` for an unfitted model); the
classes here are for what has no standard name.
"""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["TrainingInterruptedWarning"]


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
