"""The tabular layer alone: encoding a mixed-type table and decoding it back."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

from skgen import _tabular
from skgen._tabular import TableEncoder, resolve_categorical_features
from tests.conftest import make_mixed_frame


def fit_transform(X, **params):
    """Fit a TableEncoder on ``X`` (names from a frame) and return both."""
    names = np.asarray(X.columns, dtype=object) if hasattr(X, "columns") else None
    encoder = TableEncoder(**params)
    return encoder, encoder.fit_transform(X, feature_names=names)


@pytest.fixture(scope="module")
def frame():
    return make_mixed_frame(200)


class TestRoundTrip:
    def test_every_supported_dtype(self):
        df = pd.DataFrame(
            {
                "f64": [1.5, -2.0, 3.25, 4.0],
                "f32": np.float32([1, 2, 3, 4.5]),
                "i32": np.int32([1, 2, 3, 7]),
                "Int64": pd.array([1, 5, 3, 4], dtype="Int64"),
                "bool": [True, False, True, True],
                "boolean": pd.array([True, None, False, True], dtype="boolean"),
                "category": pd.Categorical(
                    ["x", None, "y", "x"], categories=["y", "x", "unused"]
                ),
                "ordered": pd.Categorical([3, 1, 2, 1], ordered=True),
                "object": np.array(["a", 1, None, "a"], dtype=object),
                "str": pd.Series(["a", None, "b", "a"], dtype="str"),
                "string": pd.array(["a", None, "b", "b"], dtype="string"),
            },
            index=[10, 11, 12, 13],
        )
        encoder, Xt = fit_transform(df)
        assert Xt.dtype == np.float32 and Xt.flags.c_contiguous
        back = encoder.inverse_transform(Xt, index=df.index)
        pd.testing.assert_frame_equal(back, df, check_exact=False, rtol=1e-6)
        assert back["category"].cat.categories.tolist() == ["y", "x", "unused"]
        assert back["ordered"].cat.ordered
        assert back["object"][12] is None

    def test_layout_numbers_first_then_one_hot_blocks(self, frame):
        encoder, Xt = fit_transform(frame)
        kinds = {spec.name: spec.kind for spec in encoder.columns_}
        assert kinds == {
            "height": "numeric",
            "income": "numeric",
            "area": "numeric",
            "rooms": "integer",
            "garden": "boolean",
            "colour": "categorical",
            "size": "categorical",
            "zone": "categorical",
        }
        assert encoder.n_numeric_ == 4
        # garden 2, colour 5 declared + missing, size 3, zone 2.
        assert encoder.categorical_blocks == [(4, 6), (6, 12), (12, 15), (15, 17)]
        assert Xt.shape == (200, encoder.n_encoded_) == (200, 17)
        np.testing.assert_allclose(Xt[:, :4].mean(axis=0), 0, atol=1e-6)
        np.testing.assert_allclose(Xt[:, :4].std(axis=0), 1, rtol=1e-5)
        np.testing.assert_array_equal(Xt[:, 4:].sum(axis=1), 4)
        size = encoder.columns_[6]
        assert size.categories.tolist() == ["large", "medium", "small"]

    def test_missing_category_has_its_own_slot(self, frame):
        encoder, Xt = fit_transform(frame)
        colour = encoder.columns_[5]
        assert colour.missing
        missing_slot = Xt[:, colour.stop - 1]
        np.testing.assert_array_equal(missing_slot == 1, frame["colour"].isna())
        back = encoder.inverse_transform(Xt)
        assert back["colour"].isna().sum() == frame["colour"].isna().sum()

    def test_transform_equals_fit_transform(self, frame):
        encoder, Xt = fit_transform(frame)
        np.testing.assert_array_equal(encoder.transform(frame), Xt)

    def test_integers_are_rounded_and_clipped_to_seen_range(self):
        df = pd.DataFrame({"n": np.int16([2, 4, 6, 8])})
        encoder, Xt = fit_transform(df)
        spec = encoder.columns_[0]
        values = np.array([-10.0, 2.4, 4.6, 100.0])
        Xt = ((values - spec.mean) / spec.scale)[:, None].astype(np.float32)
        back = encoder.inverse_transform(Xt)
        assert back["n"].dtype == np.int16
        assert back["n"].tolist() == [2, 2, 5, 8]

    def test_decodes_argmax_of_scores(self, frame):
        encoder, Xt = fit_transform(frame)
        size = encoder.columns_[6]
        logits = Xt.copy()
        logits[:, size.start : size.stop] = [0.1, 2.0, -1.0]
        back = encoder.inverse_transform(logits)
        assert (back["size"] == "medium").all()

    def test_array_in_array_out(self):
        X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
        encoder, Xt = fit_transform(X)
        assert encoder.is_frame_ is False
        back = encoder.inverse_transform(Xt, float_dtype=np.float32)
        assert isinstance(back, np.ndarray) and back.dtype == np.float32
        np.testing.assert_allclose(back, X, rtol=1e-6)

    def test_object_array_with_strings(self):
        X = np.array([["a", 1.0], ["b", 2.0], [None, 3.0]], dtype=object)
        encoder, Xt = fit_transform(X)
        assert encoder.is_categorical_.tolist() == [True, False]
        back = encoder.inverse_transform(Xt)
        assert back.dtype == object
        assert back[:, 0].tolist() == ["a", "b", None]
        np.testing.assert_allclose(back[:, 1].astype(float), [1, 2, 3], rtol=1e-6)

    def test_bool_array_is_categorical(self):
        X = np.array([[True, False], [False, False], [True, True]])
        encoder, Xt = fit_transform(X)
        assert encoder.is_categorical_.all() and Xt.shape == (3, 4)
        back = encoder.inverse_transform(Xt)
        assert back.dtype == bool
        np.testing.assert_array_equal(back, X)

    def test_no_scaling(self, frame):
        encoder, Xt = fit_transform(frame, numeric_scaling=None)
        np.testing.assert_allclose(Xt[:, 2], frame["area"], rtol=1e-6)

    def test_chunked_array_path_matches(self, monkeypatch):
        X = np.random.default_rng(0).normal(size=(1000, 5)) * [1, 10, 100, 1e3, 1e4]
        _, expected = fit_transform(X)
        monkeypatch.setattr(_tabular, "CHUNK_ROWS", 64)
        encoder, Xt = fit_transform(X)
        np.testing.assert_allclose(Xt, expected, rtol=1e-6, atol=1e-6)
        assert np.array_equal(encoder.transform(X), Xt)

    def test_all_missing_categorical_column(self):
        df = pd.DataFrame({"a": [1.0, 2.0], "c": pd.Series([None, None], dtype=object)})
        encoder, Xt = fit_transform(df)
        assert Xt.shape == (2, 2)
        back = encoder.inverse_transform(Xt)
        assert back["c"].isna().all()


class TestCategoricalFeatures:
    def test_from_dtype(self, frame):
        mask = resolve_categorical_features(
            "from_dtype", ["float", "integer", "boolean", "category", "object"], None
        )
        assert mask.tolist() == [False, False, True, True, True]

    def test_none_makes_bool_a_number(self):
        df = pd.DataFrame({"b": [True, False, True], "x": [1.0, 2.0, 3.0]})
        encoder, Xt = fit_transform(df, categorical_features=None)
        assert Xt.shape == (3, 2)
        back = encoder.inverse_transform(Xt)
        pd.testing.assert_frame_equal(back, df)

    @pytest.mark.parametrize(
        "selection", [[1], ["x"], [False, True], np.array([1])], ids=str
    )
    def test_indices_names_and_mask(self, selection):
        df = pd.DataFrame({"w": [1.0, 2.0, 3.0], "x": [10, 20, 10]})
        encoder, Xt = fit_transform(df, categorical_features=selection)
        assert encoder.is_categorical_.tolist() == [False, True]
        assert encoder.columns_[1].categories.tolist() == [10, 20]
        back = encoder.inverse_transform(Xt)
        pd.testing.assert_frame_equal(back, df, check_exact=False)

    def test_empty_selection(self):
        encoder, _ = fit_transform(np.ones((3, 2)), categorical_features=[])
        assert not encoder.is_categorical_.any()

    @pytest.mark.parametrize(
        "selection, match",
        [
            ([5], r"\[0, 1\], got 5"),
            ([-1], r"\[0, 1\], got -1"),
            ([True], "one entry per feature \\(2\\), got 1"),
            (["nope"], "does not have: 'nope'"),
            ([1.5], "must be 'from_dtype'"),
            ([[0]], "1-D"),
        ],
    )
    def test_bad_selection(self, selection, match):
        df = pd.DataFrame({"w": [1.0, 2.0], "x": [1, 2]})
        with pytest.raises(ValueError, match=match):
            fit_transform(df, categorical_features=selection)

    def test_names_need_feature_names(self):
        with pytest.raises(ValueError, match="no feature names"):
            fit_transform(np.ones((3, 2)), categorical_features=["a"])

    def test_string_column_not_categorical(self):
        df = pd.DataFrame({"city": ["Paris", "Rome"], "x": [1.0, 2.0]})
        with pytest.raises(ValueError, match="column 'city'.*categorical_features"):
            fit_transform(df, categorical_features=None)

    def test_category_column_not_categorical(self):
        df = pd.DataFrame({"c": pd.Categorical(["a", "b"]), "x": [1.0, 2.0]})
        with pytest.raises(ValueError, match="Column 'c' has dtype category"):
            fit_transform(df, categorical_features=["x"])

    def test_high_cardinality_warns_once_with_count(self):
        df = pd.DataFrame(
            {
                "id": [f"u{i}" for i in range(1500)],
                "code": [f"c{i}" for i in range(1500)],
                "x": np.arange(1500.0),
            }
        )
        with pytest.warns(UserWarning, match="High-cardinality") as record:
            fit_transform(df)
        assert len(record) == 1
        message = str(record[0].message)
        assert "column 'id' (1500 categories)" in message
        assert "column 'code' (1500 categories)" in message

    def test_mostly_unique_strings_warn_below_the_absolute_threshold(self):
        # 300 distinct strings in 400 rows: an identifier or free text.
        rng = np.random.default_rng(0)
        df = pd.DataFrame(
            {
                "note": [f"text {i % 300}" for i in range(400)],
                "grade": rng.choice(list("abcdefghijklmnopqrstuvwxyz1234"), 400),
                "x": np.arange(400.0),
            }
        )
        with pytest.warns(UserWarning, match="High-cardinality") as record:
            fit_transform(df)
        assert len(record) == 1
        message = str(record[0].message)
        assert "column 'note' (300 categories)" in message and "in 400 rows" in message
        # 30 categories in 400 rows are an ordinary categorical column.
        assert "grade" not in message

    def test_no_warning_below_threshold(self, frame):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit_transform(frame)


class TestNumericEdges:
    def test_integers_beyond_float_precision_warn(self):
        df = pd.DataFrame({"big": 2**62 + np.arange(20, dtype=np.int64)})
        with pytest.warns(
            UserWarning, match=r"column 'big' holds values beyond 2\*\*53"
        ):
            fit_transform(df)

    def test_integers_within_float_precision_do_not_warn(self):
        df = pd.DataFrame({"id": 2**52 + np.arange(20, dtype=np.int64)})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit_transform(df)

    def test_all_missing_column_is_called_empty(self):
        df = pd.DataFrame({"gone": np.full(10, np.nan), "x": np.arange(10.0)})
        with pytest.raises(ValueError, match="no values in the numeric column 'gone'"):
            fit_transform(df)


class TestErrors:
    def test_missing_numbers_name_every_column(self, frame):
        df = frame.copy()
        df.loc[3, "height"] = np.nan
        df.loc[5, "area"] = np.nan
        match = "NaN in the numeric column 'height', column 'area'.*SimpleImputer"
        with pytest.raises(ValueError, match=match):
            fit_transform(df)
        encoder, _ = fit_transform(frame)
        with pytest.raises(ValueError, match=match):
            encoder.transform(df)

    def test_missing_nullable_integer(self):
        df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64")})
        with pytest.raises(ValueError, match="NaN in the numeric column 'n'"):
            fit_transform(df)

    def test_infinity_names_column(self, frame):
        df = frame.copy()
        df.loc[0, "income"] = np.inf
        with pytest.raises(ValueError, match="infinity in the numeric column 'income'"):
            fit_transform(df)

    def test_array_column_is_named_by_index(self):
        X = np.ones((4, 3))
        X[1, 2] = np.nan
        with pytest.raises(ValueError, match="NaN in the numeric column 2"):
            fit_transform(X)

    def test_unknown_category_names_column_and_value(self, frame):
        encoder, _ = fit_transform(frame)
        df = frame.head(5).copy()
        df["size"] = df["size"].astype(object)
        df.loc[2, "size"] = "huge"
        match = "unknown categories 'huge': fit did not see them, in column 'size'"
        with pytest.raises(ValueError, match=match):
            encoder.transform(df)
        df.loc[3, "size"] = None
        with pytest.raises(ValueError, match="'huge'.*and missing values"):
            encoder.transform(df)

    def test_unseen_missing_value_is_unknown(self, frame):
        encoder, _ = fit_transform(frame)
        df = frame.head(5).copy()
        df.loc[1, "size"] = None
        match = "missing values, but fit saw none there, in column 'size'"
        with pytest.raises(ValueError, match=match):
            encoder.transform(df)

    def test_ignore_encodes_unknown_as_zeros(self, frame):
        encoder, expected = fit_transform(frame, handle_unknown="ignore")
        df = frame.head(5).copy()
        df.loc[2, "size"] = "huge"
        Xt = encoder.transform(df)
        size = encoder.columns_[6]
        np.testing.assert_array_equal(Xt[2, size.start : size.stop], 0)
        np.testing.assert_array_equal(np.delete(Xt, 2, axis=0), expected[[0, 1, 3, 4]])

    def test_categories_in_another_order_encode_alike(self, frame):
        encoder, expected = fit_transform(frame)
        df = frame.copy()
        df["colour"] = df["colour"].cat.reorder_categories(
            ["grey", "violet", "blue", "green", "red"]
        )
        np.testing.assert_array_equal(encoder.transform(df), expected)

    def test_unsupported_dtype_names_column(self):
        df = pd.DataFrame({"when": pd.date_range("2026-01-01", periods=3)})
        with pytest.raises(TypeError, match="Column 'when' has dtype datetime64"):
            fit_transform(df)

    def test_unhashable_values(self):
        X = np.array([["a", {"k": 1}], ["b", {"k": 2}]], dtype=object)
        with pytest.raises(TypeError, match="argument must be a string.* number"):
            fit_transform(X)


# Property: encode then decode is the identity on any frame the layer accepts.
# Integers stay within float32's exact range once standardised (|x| < 2**20);
# floats round-trip to float32 precision.
FLOATS = st.floats(-1e6, 1e6, allow_nan=False, width=64)
LABELS = st.sampled_from(["a", "b", "c", None])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hpd.data_frames(
        [
            hpd.column("x", elements=FLOATS, dtype=float),
            hpd.column("n", elements=st.integers(-(2**20), 2**20), dtype=np.int64),
            hpd.column("b", dtype=bool),
            hpd.column("s", elements=LABELS, dtype=object),
        ],
        index=hpd.range_indexes(min_size=1, max_size=40),
    ),
    st.booleans(),
)
def test_encode_decode_is_identity(df, as_category):
    if as_category:
        df["s"] = df["s"].astype("category")
    encoder, Xt = fit_transform(df)
    assert Xt.shape == (len(df), encoder.n_encoded_)
    back = encoder.inverse_transform(Xt, index=df.index)
    assert back.dtypes.equals(df.dtypes)
    pd.testing.assert_series_equal(back["n"], df["n"])
    pd.testing.assert_series_equal(back["b"], df["b"])
    pd.testing.assert_series_equal(back["s"], df["s"])
    tolerance = 1e-6 * max(1.0, float(np.abs(df["x"]).max()))
    np.testing.assert_allclose(back["x"], df["x"], rtol=1e-6, atol=tolerance)


class TestTransformTimeDtypes:
    """Columns may arrive at transform in another, equivalent dtype."""

    def test_empty_categorical_dtype_with_missing(self):
        encoder, _ = fit_transform(
            pd.DataFrame({"c": pd.Categorical(["a", None, "b"])})
        )
        empty = pd.DataFrame({"c": pd.Series([None, None], dtype="category")})
        np.testing.assert_array_equal(encoder.transform(empty), [[0, 0, 1]] * 2)

    def test_bool_column_given_as_numbers(self):
        df = pd.DataFrame({"b": [True, False, True]})
        encoder, expected = fit_transform(df)
        as_int = pd.DataFrame({"b": [1, 0, 1]})
        np.testing.assert_array_equal(encoder.transform(as_int), expected)

    def test_float64_categories_given_as_float32(self):
        df = pd.DataFrame({"c": [0.1, 0.2, 0.1], "x": [1.0, 2.0, 3.0]})
        encoder, expected = fit_transform(df, categorical_features=["c"])
        df32 = df.astype({"c": np.float32})
        np.testing.assert_array_equal(encoder.transform(df32), expected)

    def test_float_categories_with_missing_stay_float(self):
        X = np.array([[np.nan, 0.5], [2.0, 1.0], [1.0, 3.0]])
        encoder, Xt = fit_transform(X, categorical_features=[0])
        back = encoder.inverse_transform(Xt)
        assert back.dtype == np.float64
        np.testing.assert_allclose(back, X, rtol=1e-6)


class TestMoreErrors:
    def test_pandas_na_in_numbers_is_a_missing_number(self):
        X = np.array([[1.0, 2.0], [pd.NA, 3.0], [2.0, 1.0]], dtype=object)
        with pytest.raises(ValueError, match="NaN in the numeric column 0"):
            fit_transform(X)

    def test_datetime_array(self):
        X = np.array([["2026-01-01"], ["2026-02-01"]], dtype="datetime64[D]")
        with pytest.raises(TypeError, match="datetime64"):
            fit_transform(X)

    def test_column_index_is_kept(self):
        df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
        df.columns.name = "field"
        encoder, Xt = fit_transform(df)
        assert encoder.inverse_transform(Xt).columns.equals(df.columns)
        assert encoder.inverse_transform(Xt).columns.name == "field"


@pytest.mark.parametrize("kind", ["frame", "object array", "float array"])
def test_block_paths_match_whole(kind, monkeypatch):
    frame = make_mixed_frame(300)
    X = {
        "frame": frame,
        "object array": frame.to_numpy(dtype=object),
        "float array": np.random.default_rng(0).normal(size=(300, 4)),
    }[kind]
    encoder, Xt = fit_transform(X)
    logits = Xt + np.random.default_rng(1).normal(size=Xt.shape).astype(np.float32)
    whole = encoder.inverse_transform(logits)

    monkeypatch.setattr(_tabular, "CHUNK_ROWS", 64)
    blocks = [block for _, block in encoder.transform_chunks(X, 64)]
    assert [len(block) for block in blocks] == [64, 64, 64, 64, 44]
    assert np.array_equal(np.concatenate(blocks), Xt)
    in_blocks = encoder.inverse_transform(logits)
    if kind == "frame":
        pd.testing.assert_frame_equal(in_blocks, whole, check_exact=True)
    else:
        assert in_blocks.dtype == whole.dtype
        pd.testing.assert_frame_equal(pd.DataFrame(in_blocks), pd.DataFrame(whole))
