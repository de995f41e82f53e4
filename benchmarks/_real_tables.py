"""Four small real tables for the representation benchmark, and their encoding.

Every table ships inside an installed package (nothing is downloaded). Each
loader returns ``(X, y, task)``: ``X`` a DataFrame whose string columns are
``category``, ``y`` a Series, ``task`` one of ``"regression"``, ``"binary"``
and ``"multiclass"``.
"""

import numpy as np
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DIAMONDS_ROWS = 3000


def diamonds():
    """3,000 diamonds; target log(price), cut, colour and clarity as categories."""
    from plotnine.data import diamonds as frame

    frame = frame.sample(DIAMONDS_ROWS, random_state=0).reset_index(drop=True)
    for name in ("cut", "color", "clarity"):
        frame[name] = frame[name].cat.as_unordered()
    return frame.drop(columns="price"), np.log(frame["price"]), "regression"


def fair():
    """statsmodels' affairs survey; target whether ``affairs`` is above zero."""
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    return frame.drop(columns="affairs"), frame["affairs"] > 0, "binary"


def penguins():
    """Penguins with a species and a bill length; island and sex as categories."""
    import palmerpenguins

    frame = palmerpenguins.load_penguins()
    frame = frame.dropna(subset=["species", "bill_length_mm"]).reset_index(drop=True)
    for name in ("island", "sex"):
        frame[name] = frame[name].astype("category")
    return frame.drop(columns="species"), frame["species"], "multiclass"


def diabetes():
    """scikit-learn's diabetes regression, its 10 numeric features."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X, y, "regression"


TABLES = {
    "diamonds": diamonds,
    "fair": fair,
    "penguins": penguins,
    "diabetes": diabetes,
}


def raw_encoder():
    """Encode a frame's raw columns for a linear model, as a dense array.

    Categories (category, object and string dtypes) are imputed with their
    most frequent value and one-hot encoded, booleans one-hot encoded with
    one column, numbers mean-imputed and standardised.
    """
    return make_column_transformer(
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            make_column_selector(dtype_include=["category", "object", "string"]),
        ),
        (
            OneHotEncoder(drop="if_binary", sparse_output=False),
            make_column_selector(dtype_include=bool),
        ),
        (
            make_pipeline(SimpleImputer(), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        sparse_threshold=0,
    )
