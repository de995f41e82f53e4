"""The private scikit-learn names skgen uses, imported in one place.

scikit-learn's parameter validation (``Interval``, ``StrOptions``, ...) and
``_fit_context`` are what its own estimators and those of imbalanced-learn use,
but they live in private modules that may move between releases. Every skgen
module imports them from here, so that a move is one change in this file, as
imbalanced-learn's ``sklearn_compat`` does for its own needs. skgen is tested
with scikit-learn 1.6 to 1.9, where all of them are where this module looks.
"""

import sklearn

try:
    from sklearn.base import _fit_context
    from sklearn.utils._param_validation import (
        HasMethods,
        Interval,
        InvalidParameterError,
        StrOptions,
        validate_params,
    )
    from sklearn.utils.validation import validate_data
except ImportError as exc:  # pragma: no cover - depends on the installed release
    raise ImportError(
        f"skgen needs scikit-learn's parameter validation, which scikit-learn "
        f"{sklearn.__version__} no longer has where skgen looks ({exc}); install "
        "a scikit-learn between 1.6 and 1.9, or a newer skgen."
    ) from exc

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_fit_context",
    "validate_data",
    "validate_params",
]
