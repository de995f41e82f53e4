"""Labelled tables for the generator and augmentation benchmarks.

Each loader returns ``(X, y)``: a DataFrame of features with the dtypes a user
would have (floats, integers, booleans, categories, strings) and a Series of
class labels. Everything comes from scikit-learn's bundled data or generators,
so nothing is downloaded.
"""

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

TEST_SIZE = 0.2
CATEGORICAL_DTYPES = ["category", "object", "string", "bool"]


def breast_cancer():
    """569 tumours, 30 numeric measurements, benign or malignant."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y


def wine():
    """178 wines, 13 numeric measurements, three cultivars."""
    X, y = load_wine(return_X_y=True, as_frame=True)
    return X, y


def mixed(n_samples=2000):
    """A mixed-type customer table built on ``make_classification``.

    Numbers (one skewed), integers, a boolean, a ``category`` column and a
    string column, all derived from the informative features so that they
    carry the class signal and depend on each other, plus an independent
    string column. The classes are imbalanced (70/30).
    """
    Z, y = make_classification(
        n_samples=n_samples,
        n_features=7,
        n_informative=5,
        n_redundant=1,
        weights=[0.7],
        class_sep=1.0,
        random_state=0,
    )
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "income": np.round(30_000 * np.exp(Z[:, 0] / 2), 2),
            "age": np.clip(np.round(45 + 12 * Z[:, 1]), 18, 90).astype("int64"),
            "score": Z[:, 2],
            "balance": Z[:, 3] * 1_000,
            "segment": pd.cut(
                Z[:, 4], [-np.inf, -1, 0, 1, np.inf], labels=["a", "b", "c", "d"]
            ),
            "region": np.where(
                Z[:, 5] > 0.5, "north", np.where(Z[:, 5] < -0.5, "south", "centre")
            ).astype(object),
            "member": Z[:, 6] > 0,
            "channel": rng.choice(
                ["web", "shop", "phone"], n_samples, p=[0.5, 0.3, 0.2]
            ).astype(object),
        }
    )
    return X, pd.Series(y, name="target")


DATASETS = {"breast_cancer": breast_cancer, "wine": wine, "mixed": mixed}


def train_test(name):
    """Stratified 80/20 split of a data set: ``X_train, X_test, y_train, y_test``."""
    X, y = DATASETS[name]()
    return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=0)


def categorical_columns(X):
    """Names of the columns that skgen's ``"from_dtype"`` treats as categories."""
    return list(X.select_dtypes(include=CATEGORICAL_DTYPES).columns)


def with_label(X, y):
    """One frame of the features and the label as a ``category`` column."""
    return X.assign(target=pd.Categorical(np.asarray(y)))


def classifier(estimator):
    """``estimator`` behind one-hot encoding of categories and scaled numbers."""
    encode = make_column_transformer(
        (
            OneHotEncoder(handle_unknown="ignore"),
            make_column_selector(dtype_include=CATEGORICAL_DTYPES),
        ),
        remainder=StandardScaler(),
    )
    return make_pipeline(encode, estimator)
