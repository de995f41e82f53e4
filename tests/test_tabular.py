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

# Numbers standardised, never categories, decoded as they are: the layout
# most tests here check. Tests of the other codecs pass their own parameters.
PLAIN = {
    "numeric_scaling": "standard",
    "max_discrete_values": 0,
    "numeric_output": "raw",
}


def fit_transform(X, **params):
    """Fit a TableEncoder on ``X`` (names from a frame) and return both.

    Parameters default to ``PLAIN``.
    """
    names = np.asarray(X.columns, dtype=object) if hasattr(X, "columns") else None
    encoder = TableEncoder(**{**PLAIN, **params})
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
            fit_transform(df, categorical_features=["id", "code"])
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
        with pytest.warns(UserWarning, match="Left out of the model") as record:
            encoder, Xt = fit_transform(df)
        assert len(record) == 1
        message = str(record[0].message)
        assert "column 'note' (300 distinct values) in 400 rows" in message
        # 30 categories in 400 rows are an ordinary categorical column.
        assert "grade" not in message
        assert [codec.kind for codec in encoder.columns_] == [
            "dropped",
            "categorical",
            "numeric",
        ]
        assert Xt.shape == (400, 30 + 1)
        back = encoder.inverse_transform(Xt)
        assert back.dtypes.equals(df.dtypes) and back["note"].isna().all()
        # Listed as categorical, it is modelled, with the high-cardinality warning.
        with pytest.warns(UserWarning, match="High-cardinality.*'note'"):
            fit_transform(df, categorical_features=["note", "grade"])

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
            fit_transform(df, handle_missing="error")
        encoder, _ = fit_transform(frame)
        with pytest.raises(ValueError, match="missing values in column 'height'"):
            encoder.transform(df)

    def test_missing_nullable_integer(self):
        df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64")})
        with pytest.raises(ValueError, match="NaN in the numeric column 'n'"):
            fit_transform(df, handle_missing="error")

    def test_infinity_names_column(self, frame):
        df = frame.copy()
        df.loc[0, "income"] = np.inf
        with pytest.raises(ValueError, match="infinity in the numeric column 'income'"):
            fit_transform(df)

    def test_array_column_is_named_by_index(self):
        X = np.ones((4, 3))
        X[1, 2] = np.nan
        with pytest.raises(ValueError, match="NaN in the numeric column 2"):
            fit_transform(X, handle_missing="error")

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
        df = pd.DataFrame({"span": pd.interval_range(0, 3)})
        with pytest.raises(TypeError, match="Column 'span' has dtype interval"):
            fit_transform(df)

    def test_datetime_array_asks_for_a_frame(self):
        X = np.array([["2026-01-01"], ["2026-01-02"]], dtype="datetime64[D]")
        with pytest.raises(TypeError, match="dates and times .* DataFrame"):
            fit_transform(X)

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
            fit_transform(X, handle_missing="error")

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


# Property: with every default codec (normal scores, few-valued numbers as
# categories, missing numbers, dates), decoding the encoding gives the frame
# back: missing values where they were, codes and dates exactly, numbers to
# float32 precision of their normal scores.
DAYS = st.one_of(st.none(), st.integers(0, 3000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hpd.data_frames(
        [
            hpd.column("x", elements=FLOATS, dtype=float),
            hpd.column("m", elements=st.one_of(st.just(np.nan), FLOATS), dtype=float),
            hpd.column("code", elements=st.sampled_from([1.0, 2.0, 5.5]), dtype=float),
            hpd.column("day", elements=DAYS, dtype=object),
        ],
        index=hpd.range_indexes(min_size=2, max_size=40),
    )
)
def test_every_codec_decodes_its_encoding(df):
    df["day"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        df["day"].astype("float64"), unit="D"
    )
    if df["m"].isna().all() or df["day"].isna().all():
        df = df.fillna({"m": 0.0, "day": pd.Timestamp("2020-01-01")})
    encoder = TableEncoder()
    Xt = encoder.fit_transform(df)
    back = encoder.inverse_transform(Xt, index=df.index)
    assert back.dtypes.equals(df.dtypes)
    pd.testing.assert_series_equal(back["m"].isna(), df["m"].isna())
    pd.testing.assert_series_equal(back["code"], df["code"])
    pd.testing.assert_series_equal(back["day"], df["day"])
    for name in ("x", "m"):
        values = df[name].dropna()
        spread = float(values.max() - values.min()) if len(values) else 0.0
        np.testing.assert_allclose(
            back[name], df[name], rtol=1e-5, atol=1e-4 * max(spread, 1.0)
        )


class TestMissingNumbers:
    def test_indicator_block_and_masked_slot(self):
        df = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0], "b": [0.5, 1.5, 2.5, 9.0]})
        encoder, Xt = fit_transform(df)
        codec = encoder.columns_[0]
        assert codec.codec == "missing" and codec.kind == "numeric"
        assert encoder.n_numeric_ == 2 and encoder.categorical_blocks == [(2, 4)]
        assert encoder.missing_slots == [(0, 3)]
        np.testing.assert_array_equal(Xt[:, 2:], [[1, 0], [0, 1], [1, 0], [1, 0]])
        assert Xt[1, 0] == 0.0
        back = encoder.inverse_transform(Xt)
        assert back["a"].isna().tolist() == [False, True, False, False]
        np.testing.assert_allclose(back["a"].dropna(), [1, 3, 4], rtol=1e-6)

    @pytest.mark.parametrize(
        "values, dtype",
        [
            ([1.5, None, 3.25, 7.0, 2.0], "Float64"),
            ([1, None, 3, 7, 2], "Int64"),
            ([1.5, np.nan, 3.25, 7.0, 2.0], "float32"),
        ],
    )
    def test_nullable_and_float32_dtypes(self, values, dtype):
        df = pd.DataFrame({"a": pd.array(values, dtype=dtype)})
        encoder, Xt = fit_transform(df)
        back = encoder.inverse_transform(Xt)
        assert back.dtypes.equals(df.dtypes)
        assert back["a"].isna().tolist() == df["a"].isna().tolist()

    def test_transform_accepts_missing_where_fit_saw_them(self):
        df = pd.DataFrame({"a": [1.0, np.nan, 3.0]})
        encoder, _ = fit_transform(df)
        Xt = encoder.transform(pd.DataFrame({"a": [np.nan, np.nan]}))
        np.testing.assert_array_equal(Xt, [[0, 0, 1], [0, 0, 1]])

    def test_ignore_encodes_unseen_missing_as_the_centre(self):
        encoder, _ = fit_transform(
            pd.DataFrame({"a": [1.0, 2.0, 3.0]}), handle_unknown="ignore"
        )
        np.testing.assert_array_equal(
            encoder.transform(pd.DataFrame({"a": [np.nan]})), [[0.0]]
        )


class TestDiscreteNumbers:
    def test_few_values_become_ordered_categories(self):
        df = pd.DataFrame(
            {"rate": [1.0, 2.0, 5.0, 2.0, 1.0, 5.0] * 5, "x": np.arange(30.0)}
        )
        encoder, Xt = fit_transform(df, max_discrete_values=10)
        rate = encoder.columns_[0]
        assert rate.kind == "discrete" and rate.categories.tolist() == [1, 2, 5]
        assert encoder.is_categorical_.tolist() == [True, False]
        logits = np.random.default_rng(0).normal(size=Xt.shape).astype(np.float32)
        back = encoder.inverse_transform(logits)
        assert set(back["rate"]) <= {1.0, 2.0, 5.0}
        assert back.dtypes.equals(df.dtypes)

    def test_threshold_and_repeats(self):
        df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0] * 2})
        assert fit_transform(df, max_discrete_values=4)[0].columns_[0].one_hot
        # More distinct values than the threshold, or values seen once on
        # average: numbers.
        assert not fit_transform(df, max_discrete_values=3)[0].columns_[0].one_hot
        assert not fit_transform(df[:4], max_discrete_values=4)[0].columns_[0].one_hot

    def test_unseen_values_take_the_nearest_code(self):
        df = pd.DataFrame({"a": [0.0, 1.0, 3.0] * 4})
        encoder, _ = fit_transform(df, max_discrete_values=10)
        Xt = encoder.transform(pd.DataFrame({"a": [-5.0, 0.4, 2.2, 99.0]}))
        np.testing.assert_array_equal(Xt.argmax(axis=1), [0, 0, 2, 2])
        with pytest.raises(ValueError, match="infinity in the numeric column 'a'"):
            encoder.transform(pd.DataFrame({"a": [np.inf]}))

    def test_constant_and_nullable_integer_columns(self):
        df = pd.DataFrame(
            {
                "c": [3.0] * 8,
                "n": pd.array(
                    [2007, 2008, None, 2009, 2008, 2007, 2009, 2007], dtype="Int64"
                ),
                "y": np.array([2007, 2008, 2009, 2009, 2008, 2007, 2007, 2008]),
            }
        )
        encoder, Xt = fit_transform(df, max_discrete_values=10)
        assert [c.kind for c in encoder.columns_] == ["discrete"] * 3
        logits = np.random.default_rng(1).normal(size=(50, Xt.shape[1]))
        back = encoder.inverse_transform(logits.astype(np.float32))
        assert back.dtypes.equals(df.dtypes)
        assert (back["c"] == 3.0).all()
        assert set(back["n"].dropna()) <= {2007, 2008, 2009} and back["n"].isna().any()
        assert set(back["y"]) <= {2007, 2008, 2009}


class TestObservedOutput:
    def test_decimals_and_range(self):
        df = pd.DataFrame({"price": [1.25, 3.5, 10.0, 7.75, 2.1]})
        encoder, _ = fit_transform(
            df, numeric_scaling="standard", numeric_output="observed"
        )
        assert encoder.columns_[0].decimals == 2
        codec = encoder.columns_[0]
        values = np.array([-100.0, 3.14159, 6.666, 1e6])
        Xt = ((values - codec.mean) / codec.scale)[:, None].astype(np.float32)
        back = encoder.inverse_transform(Xt)["price"].tolist()
        assert back == [1.25, 3.14, 6.67, 10.0]

    def test_raw_keeps_decoded_values(self):
        df = pd.DataFrame({"price": [1.25, 3.5, 10.0]})
        encoder, _ = fit_transform(df)
        codec = encoder.columns_[0]
        Xt = np.float32([[(20.0 - codec.mean) / codec.scale]])
        assert encoder.inverse_transform(Xt)["price"][0] == pytest.approx(20.0)


class TestQuantileScaling:
    def test_shared_values_keep_their_share_and_come_back_exactly(self):
        rng = np.random.default_rng(0)
        zero = rng.random(2000) < 0.6
        df = pd.DataFrame({"a": np.where(zero, 0.0, rng.exponential(5.0, 2000))})
        encoder, Xt = fit_transform(df, numeric_scaling="quantile")
        # 60% zeros: the middle of [0, 0.6] is the normal score of 0.3.
        np.testing.assert_allclose(Xt[zero, 0], -0.5244, atol=0.01)
        assert Xt[~zero, 0].min() > 0.2
        back = encoder.inverse_transform(Xt)["a"]
        assert (back[zero] == 0.0).all()
        np.testing.assert_allclose(back, df["a"], rtol=1e-4, atol=1e-4)

    def test_scores_go_on_beyond_the_range(self):
        df = pd.DataFrame({"a": np.linspace(0.0, 10.0, 101)})
        encoder, Xt = fit_transform(df, numeric_scaling="quantile")
        far = encoder.transform(pd.DataFrame({"a": [10.0, 20.0, 40.0, -30.0]}))[:, 0]
        assert far[0] < far[1] < far[2] and far[2] > 10 and far[3] < -10
        raw = encoder.inverse_transform(far[:, None])["a"]
        np.testing.assert_allclose(raw, [10.0, 20.0, 40.0, -30.0], rtol=1e-4)


class TestDatesAndTimes:
    def frame(self):
        days = pd.to_datetime(["2021-03-01", "2021-03-05", None, "2022-01-31"])
        return pd.DataFrame(
            {
                "naive": pd.to_datetime(
                    ["2021-01-01 10:00", "2021-01-02 11:30", "2021-01-05 00:00", None]
                ),
                "zoned": pd.to_datetime(
                    ["2021-06-01 08:00", "2021-06-01 09:15", None, "2021-12-24 00:00"]
                ).tz_localize("Europe/Paris"),
                "date": days,
                "seconds": pd.to_datetime(
                    [
                        "2021-01-01 00:00:01",
                        "2021-01-01 00:00:00",
                        "2021-01-02 00:00:00",
                        "2021-01-03 00:00:00",
                    ]
                ).astype("datetime64[s]"),
                "wait": pd.to_timedelta(["1h", "90min", None, "2 days"]),
                "month": pd.period_range("2020-01", periods=4, freq="M"),
            }
        )

    def test_round_trip_keeps_dtype_zone_resolution_and_values(self):
        df = self.frame()
        encoder, Xt = fit_transform(df, max_discrete_values=0)
        kinds = [codec.kind for codec in encoder.columns_]
        assert kinds == ["datetime"] * 4 + ["timedelta", "period"]
        back = encoder.inverse_transform(Xt)
        assert back.dtypes.equals(df.dtypes)
        assert str(back["zoned"].dt.tz) == "Europe/Paris"
        pd.testing.assert_frame_equal(back, df)

    def test_whole_days_come_back_whole_days(self):
        df = self.frame()[["date"]]
        encoder, Xt = fit_transform(df, max_discrete_values=0)
        assert encoder.columns_[0].inner.step == 86_400 * 10**6  # days in us
        noisy = Xt + np.float32([0.37, 0, 0])
        back = encoder.inverse_transform(noisy)["date"].dropna()
        assert (back == back.dt.normalize()).all()
        assert back.between(df["date"].min(), df["date"].max()).all()

    def test_saved_state_reads_back(self):
        df = self.frame()
        encoder, Xt = fit_transform(df, max_discrete_values=0)
        again = TableEncoder.from_dict(encoder.to_dict())
        np.testing.assert_array_equal(again.transform(df), Xt)
        pd.testing.assert_frame_equal(again.inverse_transform(Xt), df)


def test_legacy_state_reads_as_codecs():
    """An encoder saved before codecs (format 2: one spec per column) still reads."""

    def spec(**fields):
        return {
            "mean": 0.0,
            "scale": 1.0,
            "min": -np.inf,
            "max": np.inf,
            "categories": None,
            "missing": False,
            "missing_value": None,
            **fields,
        }

    legacy = {
        "categorical_features": "from_dtype",
        "handle_unknown": "error",
        "numeric_scaling": "standard",
        "is_frame_": False,
        "columns_index_": None,
        "is_categorical_": np.array([False, True]),
        "columns_": [
            spec(name=0, kind="numeric", dtype=np.dtype("float64"), start=0, stop=1)
            | {"mean": 2.0, "scale": 4.0, "min": -1.0, "max": 9.0},
            spec(name=1, kind="categorical", dtype=np.dtype("O"), start=1, stop=3)
            | {"categories": np.array(["a", "b"], dtype=object)},
        ],
        "n_numeric_": 1,
        "n_encoded_": 3,
    }
    encoder = TableEncoder.from_dict(legacy)
    assert encoder.numeric_output == "raw" and encoder.max_discrete_values == 0
    back = encoder.inverse_transform(np.float32([[2.5, 0, 1]]))
    assert back.tolist() == [[12.0, "b"]]
    broken = {**legacy, "n_encoded_": 4}
    with pytest.raises(ValueError, match="saved layout is not the one"):
        TableEncoder.from_dict(broken)


class TestCodecEdges:
    """Cases found in review: each once returned wrong values silently."""

    def test_large_floats_keep_their_decimals(self):
        df = pd.DataFrame({"t": 1.7e9 + np.array([0.962, 1.5, 636.125, 2.0])})
        encoder, Xt = fit_transform(df, numeric_output="observed")
        assert encoder.columns_[0].decimals == 3
        np.testing.assert_array_equal(encoder.inverse_transform(Xt)["t"], df["t"])

    def test_float32_decimals(self):
        df = pd.DataFrame({"x": np.float32([0.1, 0.2, 1.3, 2.7])})
        encoder, _ = fit_transform(df, numeric_output="observed")
        assert encoder.columns_[0].decimals == 1

    def test_time_in_another_unit_at_transform(self):
        days = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
        df = pd.DataFrame({"d": days.astype("datetime64[ns]")})
        encoder, Xt = fit_transform(df)
        again = pd.DataFrame({"d": days.astype("datetime64[s]")})
        np.testing.assert_array_equal(encoder.transform(again), Xt)
        zoned = pd.DataFrame({"d": days.dt.tz_localize("UTC")})
        with pytest.raises(TypeError, match="column 'd' has dtype datetime64"):
            encoder.transform(zoned)

    def test_local_midnights_across_daylight_saving_are_whole_days(self):
        days = pd.date_range("2024-03-25", periods=14, freq="D", tz="Europe/Paris")
        df = pd.DataFrame({"d": days})
        encoder, Xt = fit_transform(df)
        assert encoder.columns_[0].step == 86_400 * 10**6  # days, in microseconds
        shifted = encoder.inverse_transform(Xt + np.float32(0.3))["d"]
        assert (shifted == shifted.dt.normalize()).all()
        pd.testing.assert_series_equal(encoder.inverse_transform(Xt)["d"], df["d"])

    def test_periods_keep_a_multiple_frequency(self):
        df = pd.DataFrame({"p": pd.period_range("2020-01-01", periods=6, freq="2D")})
        encoder, Xt = fit_transform(df)
        assert encoder.columns_[0].step == 2
        back = encoder.inverse_transform(Xt + np.float32(0.2))["p"]
        assert set(back) <= set(df["p"])

    def test_nanosecond_span_beyond_int64_is_refused(self):
        when = np.array(["1700-01-01", "2200-01-01"], dtype="M8[ns]")
        with pytest.raises(ValueError, match="column 'w' spans too long a time"):
            fit_transform(pd.DataFrame({"w": when}))

    def test_integers_beyond_float_precision_are_not_merged(self):
        df = pd.DataFrame({"n": pd.array([2**60 + 1, 2**60 + 3] * 4, dtype="Int64")})
        with pytest.warns(UserWarning, match="beyond 2\\*\\*53"):
            encoder, _ = fit_transform(df, max_discrete_values=10)
        assert not encoder.columns_[0].one_hot

    def test_quantiles_near_the_float64_limit_decode_finite(self):
        df = pd.DataFrame({"x": [-1.7e308, 1.7e308, 0.0, 1.0]})
        encoder, Xt = fit_transform(df, numeric_scaling="quantile")
        back = encoder.inverse_transform(Xt)["x"]
        assert np.isfinite(back).all()
        assert back[0] < 0 < back[1]

    def test_saved_category_codec_needs_a_slot(self):
        df = pd.DataFrame({"c": ["a", "b", "a"]})
        encoder, _ = fit_transform(df)
        state = encoder.to_dict()
        state["columns_"][0]["categories"] = np.array([], dtype=object)
        with pytest.raises(ValueError, match="needs at least one category"):
            TableEncoder.from_dict(state)


class TestSlotColumns:
    def test_every_slot_belongs_to_its_column(self):
        frame = make_mixed_frame(100)
        frame.loc[::7, "height"] = np.nan
        encoder = TableEncoder(max_discrete_values=0)
        Xt = encoder.fit_transform(frame)
        owners = np.asarray(encoder.slot_columns)
        assert owners.shape == (Xt.shape[1],)
        # Numbers first (height, income, area, rooms), then the blocks in
        # column order: height's missing indicator, garden, colour, size, zone.
        assert owners[:4].tolist() == [0, 1, 2, 3]
        assert sorted(set(owners.tolist())) == list(range(frame.shape[1]))
        for j, codec in enumerate(encoder.columns_):
            for start, stop in codec.blocks:
                assert (owners[start:stop] == j).all()
        assert (owners[encoder.columns_[0].blocks[0][0]] == 0).all()
