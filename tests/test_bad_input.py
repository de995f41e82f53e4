"""The bad-input matrix: odd input gives a right answer or an error naming it.

Every case is a row of the table in ``docs/bad_input.rst``: one input, what
each estimator does with it (``"ok"``: a correct, finite result; otherwise the
error type and the words its message must hold). Never a torch traceback, a
hang or NaN in the output. ``test_docs_table_lists_every_case`` keeps the
table and these cases in step.
"""

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError

from skgen import GAN, VAE, AutoEncoder, AutoregressiveGenerator, GenerativeOverSampler

SMALL = {"max_epochs": 2, "hidden_layer_sizes": (8,), "random_state": 0}
ESTIMATORS = {
    "AutoEncoder": lambda **kw: AutoEncoder(**{"n_components": 2, **SMALL, **kw}),
    "VAE": lambda **kw: VAE(**{"n_components": 2, **SMALL, **kw}),
    "GAN": lambda **kw: GAN(
        max_epochs=2,
        noise_dim=4,
        generator_layer_sizes=(8,),
        discriminator_layer_sizes=(8,),
        random_state=0,
        **kw,
    ),
    "AutoregressiveGenerator": lambda **kw: AutoregressiveGenerator(**{**SMALL, **kw}),
}
TRANSFORMERS = ["AutoEncoder", "VAE"]
DOCS_TABLE = Path(__file__).parents[1] / "docs" / "bad_input.rst"


def _X(n_samples=40, n_features=4):
    return np.random.default_rng(0).normal(size=(n_samples, n_features))


def _with(value, row=3, column=1):
    X = _X()
    X[row, column] = value
    return X


def _frame():
    X = _X()
    return pd.DataFrame(
        {"a": X[:, 0], "b": X[:, 1], "c": pd.Categorical(["x", "y"] * 20)}
    )


@dataclass
class Case:
    """One row of the matrix: an input and the outcome per estimator."""

    id: str
    input: str
    make: object
    outcome: object = "ok"  # "ok" or (error type, regex), for every estimator
    per_estimator: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    def expected(self, name):
        return self.per_estimator.get(name, self.outcome)


NAN = (ValueError, r"NaN in the numeric column 1")
FIT_CASES = [
    Case("nan", "NaN in X (modelled: handle_missing='model')", lambda: _with(np.nan)),
    Case(
        "nan_refused",
        "NaN in X with handle_missing='error'",
        lambda: _with(np.nan),
        NAN,
        params={"handle_missing": "error"},
    ),
    Case(
        "all_nan_column",
        "a numeric column with no values (all NaN)",
        lambda: np.where(np.arange(4) == 2, np.nan, _X()),
        (ValueError, r"no values in the numeric column 2: every value is missing"),
    ),
    Case(
        "inf",
        "infinity in X",
        lambda: _with(-np.inf),
        (ValueError, r"infinity in the numeric column 1"),
    ),
    Case(
        "empty",
        "no rows",
        lambda: _X()[:0],
        (ValueError, r"0 sample\(s\)"),
    ),
    Case(
        "one_row",
        "a single row",
        lambda: _X()[:1],
        per_estimator={
            "GAN": (ValueError, r"at least 2 training rows"),
            "AutoregressiveGenerator": (
                ValueError,
                r"validation_fraction=0.1 leaves 0 of n_samples=1 rows",
            ),
        },
    ),
    Case("one_column", "a single column", lambda: _X()[:, :1], params={"n": 1}),
    Case(
        "constant_columns", "constant columns", lambda: np.c_[_X()[:, :2], np.ones(40)]
    ),
    Case(
        "float32_limit",
        "values near the float32 limit (3e38)",
        lambda: _X() * 1e38,
    ),
    Case("beyond_float32", "values beyond float32 (1e300)", lambda: _X() * 1e300),
    Case(
        "near_float64_limit",
        "values up to 1.79e308, next to float64's limit",
        lambda: np.random.default_rng(0).uniform(0.1, 1.79, size=(40, 4)) * 1e308,
    ),
    Case("int", "an integer array", lambda: (_X() * 3).astype(int)),
    Case("bool", "a boolean array", lambda: _X() > 0),
    Case(
        "object",
        "an object array of numbers and strings",
        lambda: np.array([[1.5, "a", True], [2.5, "b", False]] * 20, dtype=object),
    ),
    Case(
        "sparse",
        "a sparse matrix",
        lambda: sp.csr_matrix(np.abs(_X())),
        (TypeError, r"Sparse data was passed"),
    ),
    Case("list", "a list of lists", lambda: _X().tolist()),
    Case(
        "n_components_above_width",
        "n_components larger than the width",
        lambda: _X(n_features=3),
        params={"n": 6},
    ),
    Case(
        "batch_size_above_rows",
        "batch_size larger than the rows",
        _X,
        params={"batch_size": 1000},
    ),
]


def _fit(name, case):
    params = dict(case.params)
    n_components = params.pop("n", None)
    if n_components is not None and name in TRANSFORMERS:
        params["n_components"] = n_components
    return ESTIMATORS[name](**params).fit(case.make())


def _assert_finite(out, missing=False):
    """No infinity in the numbers, and NaN only where missing values are modelled."""
    numbers = pd.DataFrame(out).select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(numbers).any()
    assert missing or not np.isnan(numbers).any()


@pytest.mark.parametrize("case", FIT_CASES, ids=lambda case: case.id)
@pytest.mark.parametrize("name", ESTIMATORS)
def test_fit(name, case):
    expected = case.expected(name)
    if expected != "ok":
        error, message = expected
        with pytest.raises(error, match=message):
            _fit(name, case)
        return
    model = _fit(name, case)
    X = case.make()
    missing = bool(pd.isna(pd.DataFrame(X)).to_numpy().any())
    n_rows = np.shape(X)[0]
    if name in TRANSFORMERS:
        Z = model.transform(X)
        assert Z.shape == (n_rows, model.n_components) and np.isfinite(Z).all()
        assert np.isfinite(model.score_samples(X)).all()
        X_back = model.inverse_transform(Z)
        assert np.shape(X_back) == np.shape(X)
        _assert_finite(X_back, missing)
    rows = model.sample(7, random_state=0) if name != "AutoEncoder" else None
    if rows is not None:
        assert np.shape(rows) == (7, np.shape(X)[1])
        _assert_finite(rows, missing)


TRANSFORM_CASES = [
    Case(
        "wrong_width",
        "another width at transform",
        lambda: _X()[:, :3],
        (ValueError, r"X has 3 features, but \w+ is expecting 4"),
    ),
    Case(
        "nan_at_transform",
        "NaN at transform in a column fit saw no NaN in",
        lambda: _with(np.nan),
        (ValueError, r"missing values in column 1 during transform"),
    ),
    Case(
        "inf_at_transform",
        "infinity at transform",
        lambda: _with(np.inf),
        (ValueError, r"infinity in the numeric column 1"),
    ),
    Case(
        "empty_at_transform",
        "no rows at transform",
        lambda: _X()[:0],
        (ValueError, r"0 sample\(s\)"),
    ),
    Case(
        "sparse_at_transform",
        "a sparse matrix at transform",
        lambda: sp.csr_matrix(_X()),
        (TypeError, r"Sparse data was passed"),
    ),
]
FRAME_CASES = [
    Case(
        "wrong_column_names",
        "other column names at transform",
        lambda: _frame().rename(columns={"a": "z"}),
        (ValueError, r"Feature names unseen at fit time:\n- z"),
    ),
    Case(
        "column_order",
        "the columns in another order at transform",
        lambda: _frame()[["c", "a", "b"]],
        (ValueError, r"same order"),
    ),
    Case(
        "unseen_category",
        "a category fit did not see, at transform",
        lambda: _frame().assign(c=pd.Categorical(["x", "new"] * 20)),
        (ValueError, r"unknown categories 'new'.*column 'c'"),
    ),
]


@pytest.mark.parametrize(
    "case", TRANSFORM_CASES + FRAME_CASES, ids=lambda case: case.id
)
@pytest.mark.parametrize("name", TRANSFORMERS)
@pytest.mark.parametrize("method", ["transform", "score_samples"])
def test_transform(name, method, case):
    X_fit = _frame() if case in FRAME_CASES else _X()
    model = ESTIMATORS[name]().fit(X_fit)
    error, message = case.expected(name)
    with pytest.raises(error, match=message):
        getattr(model, method)(case.make())


Y = np.array([0] * 30 + [1] * 10)
MISSING_LABEL = (ValueError, r"y holds 1 missing class labels .* first in row 3")
LABEL_CASES = [
    Case(
        "nan_in_y",
        "NaN in y",
        lambda: np.where(np.arange(40) == 3, np.nan, Y),
        MISSING_LABEL,
    ),
    Case(
        "na_in_y",
        "pd.NA in a string y",
        lambda: pd.Series(np.where(Y == 0, "a", "b"), dtype="string").where(
            np.arange(40) != 3
        ),
        MISSING_LABEL,
    ),
    Case(
        "none_in_y",
        "None in an object y",
        lambda: np.where(np.arange(40) == 3, None, Y.astype(object)),
        MISSING_LABEL,
    ),
]
SAMPLER_CASES = [
    *LABEL_CASES,
    Case(
        "inf_in_y",
        "infinity in y",
        lambda: np.where(np.arange(40) == 3, np.inf, Y),
        (ValueError, r"Input y contains infinity"),
    ),
    Case(
        "single_class",
        "a y with a single class",
        lambda: np.zeros(40),
        (ValueError, r"more than 1 class"),
    ),
    Case(
        "y_length",
        "fewer labels than rows",
        lambda: Y[:30],
        (ValueError, r"inconsistent numbers of samples: \[40, 30\]"),
    ),
]
SAMPLERS = {
    "GAN": ESTIMATORS["GAN"],
    "AutoregressiveGenerator": ESTIMATORS["AutoregressiveGenerator"],
    "GenerativeOverSampler": lambda: GenerativeOverSampler(
        ESTIMATORS["VAE"](), random_state=0
    ),
}


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast")
@pytest.mark.parametrize("case", SAMPLER_CASES, ids=lambda case: case.id)
@pytest.mark.parametrize("name", SAMPLERS)
def test_fit_resample(name, case):
    sampler = SAMPLERS[name]()
    error, message = case.expected(name)
    with pytest.raises(error, match=message):
        sampler.fit_resample(_X(), case.make())


@pytest.mark.parametrize("case", LABEL_CASES, ids=lambda case: case.id)
@pytest.mark.parametrize("name", ["VAE", "GAN", "AutoregressiveGenerator"])
def test_fit_with_labels(name, case):
    model = ESTIMATORS[name](**({"conditional": True} if name == "VAE" else {}))
    error, message = case.expected(name)
    with pytest.raises(error, match=message):
        model.fit(_X(), case.make())


PARAMETER_CASES = [
    Case(
        "callback_not_a_callback",
        "callbacks=[object()]",
        lambda: {"callbacks": [object()]},
        (ValueError, r"callbacks\[0\] is object .* skorch callbacks"),
    ),
    Case(
        "callback_pair_not_a_callback",
        'callbacks=[("name", 3)]',
        lambda: {"callbacks": [("name", 3)]},
        (ValueError, r"callbacks\[0\] is tuple \('name', 3\)"),
    ),
]


@pytest.mark.parametrize("case", PARAMETER_CASES, ids=lambda case: case.id)
@pytest.mark.parametrize("name", ESTIMATORS)
def test_parameters(name, case):
    model = ESTIMATORS[name](**case.make())
    error, message = case.expected(name)
    with pytest.raises(error, match=message):
        model.fit(_X())


UNFITTED_CASES = [
    Case("unfitted", "an unfitted model", None, (NotFittedError, r"not fitted")),
]


@pytest.mark.parametrize(
    "name, method",
    [
        *[(name, m) for name in TRANSFORMERS for m in ("transform", "score_samples")],
        ("AutoEncoder", "inverse_transform"),
        ("VAE", "sample"),
        ("GAN", "sample"),
        ("AutoregressiveGenerator", "sample"),
    ],
)
def test_unfitted(name, method):
    model = ESTIMATORS[name]()
    arg = 3 if method == "sample" else _X()
    error, message = UNFITTED_CASES[0].outcome
    with pytest.raises(error, match=message):
        getattr(model, method)(arg)


SAMPLE_CASES = [
    Case(
        "n_samples_zero",
        "sample(0)",
        lambda: {"n_samples": 0},
        (ValueError, r"n_samples must be a positive int"),
    ),
    Case(
        "unknown_label",
        "sample(y=...) with a class fit did not see",
        lambda: {"n_samples": 3, "y": 7},
        (ValueError, r"labels the model was not fitted on: \[7\]"),
    ),
    Case(
        "y_without_classes",
        "sample(y=...) from a model fitted without classes",
        lambda: {"n_samples": 3, "y": 0},
        (ValueError, r"fitted without classes"),
    ),
    Case(
        "n_samples_bool",
        "sample(True)",
        lambda: {"n_samples": True},
        (ValueError, r"n_samples must be a positive int, got True"),
    ),
    Case(
        "y_set",
        "sample(y={...}), a set",
        lambda: {"n_samples": 3, "y": {"dog"}},
        (ValueError, r"y must be one class label or an array-like of labels"),
    ),
    Case(
        "y_two_dimensional",
        "sample(y=[[0, 1]])",
        lambda: {"n_samples": 2, "y": [[0, 1]]},
        (ValueError, r"y should be a 1d array"),
    ),
]


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=lambda case: case.id)
@pytest.mark.parametrize("name", ["VAE", "GAN", "AutoregressiveGenerator"])
def test_sample(name, case):
    conditional = case.id != "y_without_classes"
    if name == "VAE":
        model = ESTIMATORS[name](conditional=conditional)
    else:
        model = ESTIMATORS[name]()
    model.fit(_X(), Y if conditional else None)
    error, message = case.expected(name)
    with pytest.raises(error, match=message):
        model.sample(**case.make())


@pytest.mark.parametrize("name", ["VAE", "GAN", "AutoregressiveGenerator"])
def test_samples_never_overflow(name):
    # Decoded numbers beyond float64 (or a float32 column) would be infinite:
    # they come back as the fitted minimum or maximum, without a warning.
    X = np.random.default_rng(0).uniform(0.1, 1.79, size=(60, 2)) * 1e308
    model = ESTIMATORS[name]().set_params(max_epochs=3).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = model.sample(2000, random_state=0)
    assert np.isfinite(rows).all()
    # A float32 column near its limit, in a frame: the same, in float32.
    big = (X[:, 0] / 1e308 * 1.85e38).astype(np.float32)
    frame = pd.DataFrame({"big": big, "x": X[:, 1] / 1e300})
    model = ESTIMATORS[name]().set_params(max_epochs=3).fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = model.sample(2000, random_state=0)
    assert rows.dtypes.equals(frame.dtypes) and np.isfinite(rows.to_numpy()).all()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(2, 30), st.integers(1, 5)),
        elements=st.floats(-1e6, 1e6, allow_nan=False, width=32),
    ),
    name=st.sampled_from(sorted(ESTIMATORS)),
)
def test_any_finite_array_gives_finite_output(X, name):
    model = ESTIMATORS[name]()
    if name == "AutoregressiveGenerator" and len(X) < 10:
        # Its default validation split needs 5 rows; one_row covers the error.
        model.set_params(validation_fraction=None)
    model.fit(X)
    if name in TRANSFORMERS:
        Z = model.transform(X)
        assert Z.shape == (len(X), 2) and np.isfinite(Z).all()
        assert np.isfinite(model.score_samples(X)).all()
        assert np.isfinite(model.inverse_transform(Z)).all()
    else:
        rows = model.sample(5, random_state=0)
        assert rows.shape == (5, X.shape[1]) and np.isfinite(rows).all()


ALL_CASES = (
    FIT_CASES
    + TRANSFORM_CASES
    + FRAME_CASES
    + SAMPLER_CASES
    + PARAMETER_CASES
    + UNFITTED_CASES
    + SAMPLE_CASES
)


def test_case_ids_are_unique():
    ids = [case.id for case in ALL_CASES]
    assert len(ids) == len(set(ids))


def test_docs_table_lists_every_case():
    text = DOCS_TABLE.read_text()
    listed = set(re.findall(r"``([a-z0-9_]+)``", text))
    assert {case.id for case in ALL_CASES} <= listed
