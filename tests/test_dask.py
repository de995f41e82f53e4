"""Tables larger than memory: Dask DataFrames in fit, partial_fit, skgen.dask.

The layout fitted from a Dask DataFrame's partitions must be the one a fit
on the whole table in memory gives; streamed training must see every row
once per epoch with few partitions in memory and be reproducible;
``partial_fit`` must keep the layout of its first call; skgen.dask's rows
must not depend on the partitioning. The cluster runs are in
tests/test_distributed.py.
"""

import numpy as np
import pandas as pd
import pytest
import torch

from skgen import GAN, VAE, AutoEncoder, _summary
from skgen._tabular import TableEncoder
from skgen._training import StreamDataset, StreamedTable, StreamIterator

dd = pytest.importorskip("dask.dataframe")
skgen_dask = pytest.importorskip("skgen.dask")

FAST = {"max_epochs": 2, "hidden_layer_sizes": (16,), "random_state": 0}


def mixed_frame(n_rows=2_000, seed=0):
    """Numbers (one with missing values), few-valued integers, categories,
    strings with a missing value, booleans and whole-day dates."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n_rows).round(3),
            "y": np.where(
                rng.random(n_rows) < 0.05, np.nan, rng.lognormal(size=n_rows)
            ),
            "k": rng.integers(0, 4, n_rows),
            "n": rng.integers(0, 1_000, n_rows),
            "c": pd.Categorical(rng.choice(["a", "b", "c"], n_rows)),
            "s": pd.Series(rng.choice(["u", "v", None], n_rows), dtype=object),
            "b": rng.random(n_rows) < 0.3,
            "d": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 900, n_rows), unit="D"),
        }
    )


def codec_states(encoder):
    return [codec.to_dict() for codec in encoder.columns_]


def assert_same_layout(fitted, expected, quantiles=True):
    """Equal codecs (kinds, categories, moments), quantiles optionally."""
    assert len(fitted.columns_) == len(expected.columns_)
    for got, want in zip(codec_states(fitted), codec_states(expected), strict=True):
        got, want = got.get("inner", got), want.get("inner", want)
        assert set(got) == set(want)
        for key, value in want.items():
            if key == "quantiles" and not quantiles:
                continue
            numeric = isinstance(value, np.ndarray) and value.dtype.kind in "fiu"
            if isinstance(value, float) or numeric:
                np.testing.assert_allclose(got[key], value, rtol=1e-9)
            elif isinstance(value, np.ndarray):
                np.testing.assert_array_equal(got[key], value)
            elif isinstance(value, list):
                assert list(got[key]) == list(value), key
            else:
                # repr: pd.NA and NaN compare equal to themselves this way.
                assert repr(got[key]) == repr(value), key


class TestLayout:
    @pytest.mark.parametrize("npartitions", [1, 3, 7])
    @pytest.mark.parametrize("scaling", ["quantile", "standard"])
    def test_dask_layout_is_the_in_memory_one(self, npartitions, scaling):
        df = mixed_frame()
        # max_discrete_values=10: few-valued numbers become categories.
        params = {"numeric_scaling": scaling, "max_discrete_values": 10, **FAST}
        ddf = dd.from_pandas(df, npartitions=npartitions)
        ae = AutoEncoder(**params).fit(ddf)
        # Dask turns object columns of strings into pandas' string dtype.
        df = ddf.compute()
        expected = TableEncoder(numeric_scaling=scaling)
        Xt = expected.fit_transform(df)
        assert [c.codec for c in expected.columns_].count("category") == 4
        assert_same_layout(ae.table_encoder_, expected)
        np.testing.assert_array_equal(ae.table_encoder_.transform(df), Xt)
        assert ae.n_features_in_ == df.shape[1]
        np.testing.assert_array_equal(ae.feature_names_in_, df.columns)

    def test_sample_stands_in_for_quantiles_only(self, monkeypatch):
        # A sample smaller than the table: counts, categories and moments
        # stay exact; only the quantiles come from the sample.
        monkeypatch.setattr(_summary, "SAMPLE_ROWS", 300)
        df = mixed_frame()
        ddf = dd.from_pandas(df, npartitions=4)
        vae = VAE(**FAST).fit(ddf)
        expected = TableEncoder(numeric_scaling="quantile")
        expected.fit_transform(ddf.compute())
        assert_same_layout(vae.table_encoder_, expected, quantiles=False)

    def test_merging_in_a_tree_gives_the_same_summary(self, monkeypatch):
        monkeypatch.setattr(_summary, "SAMPLE_ROWS", 100)
        df = mixed_frame(1_200)
        families = ["float", "float", "integer", "integer"]
        parts = [
            _summary.summarise_chunk(
                df.iloc[i : i + 200, :4],
                declared=[False] * 4,
                families=families,
                limit=10,
                seed=0,
                index=k,
            )
            for k, i in enumerate(range(0, 1_200, 200))
        ]
        flat = _summary.merge_summaries(parts)
        tree = _summary.merge_summaries(
            [
                _summary.combine_summaries(parts[:4]),
                _summary.combine_summaries(parts[4:]),
            ]
        )
        pd.testing.assert_frame_equal(flat.sample, tree.sample)
        assert len(flat.sample) == 100
        assert flat.n_rows == tree.n_rows == 1_200
        for a, b in zip(flat.columns, tree.columns, strict=True):
            assert (a.n_missing, a.count) == (b.n_missing, b.count)
            np.testing.assert_allclose([a.mean, a.std], [b.mean, b.std], rtol=1e-12)

    def test_categories_that_differ_between_partitions(self):
        df = mixed_frame(400)
        df["c"] = df["c"].astype(str)
        df.loc[:199, "c"] = "early"
        parts = [df.iloc[:200], df.iloc[200:]]
        for part in parts:
            part["c"] = part["c"].astype("category")
        ddf = dd.from_delayed(
            [_delayed(p) for p in parts], meta=parts[1].iloc[:0], verify_meta=False
        )
        ae = AutoEncoder(**FAST).fit(ddf)
        codec = ae.table_encoder_.columns_[4]
        assert sorted(codec.categories) == ["a", "b", "c", "early"]

    def test_missing_value_outside_the_sample(self, monkeypatch):
        monkeypatch.setattr(_summary, "SAMPLE_ROWS", 50)
        df = mixed_frame(1_000)
        df["x"] = df["x"].astype(float)
        df.loc[997, "x"] = np.nan
        ae = AutoEncoder(**FAST).fit(dd.from_pandas(df, npartitions=2))
        assert ae.table_encoder_.columns_[0].codec == "missing"
        assert np.isfinite(ae.transform(df)).all()

    def test_dates_missing_from_the_sample(self, monkeypatch):
        # Two dates in 1,000 rows: the 20-row sample has none of them.
        monkeypatch.setattr(_summary, "SAMPLE_ROWS", 20)
        dates = pd.Series(pd.NaT, index=range(1_000), dtype="datetime64[ns]")
        dates[[500, 900]] = pd.to_datetime(["2021-03-01", "2021-03-11"])
        df = pd.DataFrame({"x": np.arange(1_000.0), "d": dates})
        vae = VAE(**FAST).fit(dd.from_pandas(df, npartitions=2))
        codec = vae.table_encoder_.columns_[1].inner
        expected = TableEncoder()
        expected.fit_transform(df)
        want = expected.columns_[1].inner
        assert (codec.origin, codec.step) == (want.origin, want.step)
        assert (codec.min, codec.max) == (want.min, want.max) == (0.0, 10.0)
        # Quantiles in days, of the range's two ends, as the sample has no date.
        assert codec.quantiles.tolist() == [2.5, 7.5]

    def test_infinity_is_refused_by_name(self):
        df = mixed_frame(300)
        df.loc[123, "y"] = np.inf
        with pytest.raises(ValueError, match="infinity in the numeric column 'y'"):
            AutoEncoder(**FAST).fit(dd.from_pandas(df, npartitions=3))


def _delayed(frame):
    import dask

    return dask.delayed(frame)


class TestStreamIterator:
    def make(self, sizes, shuffle=True, seed=0):
        loads = []
        chunks = [np.full((n, 1), i, dtype=np.float32) for i, n in enumerate(sizes)]
        chunks = [
            c + np.arange(len(c), dtype=np.float32)[:, None] / 1e4 for c in chunks
        ]

        def load(i):
            loads.append(i)
            return chunks[i]

        table = StreamedTable(
            load, np.asarray, len(sizes), sum(sizes), np.zeros((0, 1))
        )
        rng = torch.Generator().manual_seed(seed)
        iterator = StreamIterator(
            StreamDataset(table, torch.device("cpu")), 16, shuffle=shuffle, rng=rng
        )
        return iterator, loads, np.concatenate(chunks)

    def test_every_row_once_per_pass_in_a_new_order(self):
        iterator, loads, rows = self.make([50, 7, 33, 40])
        first = np.concatenate([batch.numpy() for batch, _ in iterator])
        second = np.concatenate([batch.numpy() for batch, _ in iterator])
        for seen in (first, second):
            np.testing.assert_array_equal(np.sort(seen[:, 0]), np.sort(rows[:, 0]))
        assert not np.array_equal(first, second)
        assert sorted(loads) == sorted(list(range(4)) * 2)

    def test_loads_at_most_one_chunk_ahead(self):
        iterator, loads, _ = self.make([20] * 5, shuffle=False)
        batches = iter(iterator)
        next(batches)
        # The first chunk trains while the second is loaded.
        assert len(loads) <= 2
        for _ in range(2):
            next(batches)
        assert len(loads) <= 3

    def test_same_seed_same_batches(self):
        a, _, _ = self.make([30, 30, 30], seed=3)
        b, _, _ = self.make([30, 30, 30], seed=3)
        for (x, _), (z, _) in zip(a, b, strict=True):
            torch.testing.assert_close(x, z, rtol=0, atol=0)


class TestDaskFit:
    def test_reproducible_for_a_partitioning(self):
        ddf = dd.from_pandas(mixed_frame(), npartitions=4)
        first = VAE(**FAST).fit(ddf)
        second = VAE(**FAST).fit(ddf)
        df = ddf.compute()
        np.testing.assert_array_equal(first.transform(df), second.transform(df))
        assert first.n_epochs_ == 2
        rows = first.sample(50, random_state=0)
        assert rows.dtypes.equals(df.dtypes)

    def test_trains_as_well_as_in_memory(self):
        df = mixed_frame(3_000)
        params = {**FAST, "max_epochs": 20, "n_components": 3}
        streamed = AutoEncoder(**params).fit(dd.from_pandas(df, npartitions=5))
        memory = AutoEncoder(**params).fit(df)
        # Streamed batches are shuffled within partitions: the loss ends near
        # the in-memory one, not at it.
        assert streamed.score(df) > 1.3 * memory.score(df)

    def test_verbose_reports_the_layout_pass_and_partitions(self, capsys):
        ddf = dd.from_pandas(mixed_frame(), npartitions=4)
        AutoEncoder(verbose=1, **FAST).fit(ddf)
        err = capsys.readouterr().err
        assert "layout of 2,000 rows in 4 partitions read in" in err
        assert err.count("partition 4/4 of this pass: 2,000 rows") == 2

    def test_validation_split_is_refused(self):
        ddf = dd.from_pandas(mixed_frame(300), npartitions=2)
        with pytest.raises(ValueError, match="validation_fraction=None"):
            AutoEncoder(validation_fraction=0.2, **FAST).fit(ddf)

    def test_models_that_train_in_memory_say_so(self):
        ddf = dd.from_pandas(mixed_frame(300), npartitions=2)
        with pytest.raises(TypeError, match=r"GAN trains on a table in memory"):
            GAN(max_epochs=1).fit(ddf)
        with pytest.raises(ValueError, match="conditional=True"):
            VAE(conditional=True, **FAST).fit(ddf, None)
        assert not hasattr(AutoEncoder(**FAST), "net_")

    def test_a_dask_series_is_refused(self):
        ddf = dd.from_pandas(mixed_frame(300), npartitions=2)
        with pytest.raises(TypeError, match="dask.dataframe.DataFrame"):
            skgen_dask.transform(AutoEncoder(**FAST).fit(ddf), ddf["x"])


class TestPartialFit:
    def test_passes_accumulate_and_reproduce(self):
        df = mixed_frame()
        chunks = [df.iloc[i : i + 500] for i in range(0, len(df), 500)]
        models = []
        for _ in range(2):
            vae = VAE(**FAST)
            for chunk in chunks:
                assert vae.partial_fit(chunk) is vae
            models.append(vae)
        assert models[0].n_epochs_ == len(chunks)
        assert len(models[0].history_) == len(chunks)
        np.testing.assert_array_equal(models[0].transform(df), models[1].transform(df))

    def test_more_passes_lower_the_loss(self):
        df = mixed_frame()
        ae = AutoEncoder(**FAST)
        ae.partial_fit(df)
        first = ae.score(df)
        for _ in range(10):
            ae.partial_fit(df)
        assert ae.score(df) > first

    def test_first_call_fixes_the_layout(self):
        df = mixed_frame()
        ae = AutoEncoder(**FAST).partial_fit(df.iloc[:1000])
        layout = codec_states(ae.table_encoder_)
        ae.partial_fit(df.iloc[1000:])
        assert codec_states(ae.table_encoder_) == layout

    def test_unseen_category_follows_handle_unknown(self):
        df = mixed_frame(600)
        later = df.iloc[300:].copy()
        later["s"] = later["s"].replace("u", "w")
        ae = AutoEncoder(**FAST).partial_fit(df.iloc[:300])
        with pytest.raises(ValueError, match="'s'"):
            ae.partial_fit(later)
        ignoring = AutoEncoder(handle_unknown="ignore", **FAST)
        ignoring.partial_fit(df.iloc[:300]).partial_fit(later)
        assert ignoring.n_epochs_ == 2

    def test_wrong_width_is_refused(self):
        df = mixed_frame(300)
        ae = AutoEncoder(**FAST).partial_fit(df)
        with pytest.raises(ValueError, match="missing:\n- d"):
            ae.partial_fit(df.iloc[:, :-1])
        with (
            pytest.warns(UserWarning, match="valid feature names"),
            pytest.raises(ValueError, match="4 features"),
        ):
            ae.partial_fit(df.iloc[:, :4].to_numpy())

    def test_dask_frames_and_max_epochs(self):
        df = mixed_frame()
        ddf = dd.from_pandas(df, npartitions=3)
        ae = AutoEncoder(**{**FAST, "max_epochs": 50}).partial_fit(ddf)
        ae.partial_fit(ddf)
        assert ae.n_epochs_ == 2

    def test_conditional_vae_takes_labels_every_call(self):
        df = mixed_frame(400)
        y = np.arange(400) % 2
        vae = VAE(conditional=True, **FAST).partial_fit(df, y)
        vae.partial_fit(df, y)
        assert vae.n_epochs_ == 2
        with pytest.raises(ValueError, match="requires y"):
            vae.partial_fit(df)
        with pytest.raises(ValueError, match="not fitted on"):
            vae.partial_fit(df, y + 5)

    def test_corruption_head_needs_fit(self):
        with pytest.raises(ValueError, match="predict_corruption"):
            AutoEncoder(predict_corruption=True, **FAST).partial_fit(mixed_frame(200))


@pytest.fixture(scope="module")
def vae():
    return VAE(**FAST).fit(mixed_frame(500))


class TestSample:
    def test_rows_do_not_depend_on_partitions(self, vae, monkeypatch):
        monkeypatch.setattr(skgen_dask, "BLOCK_ROWS", 100)
        few = skgen_dask.sample(vae, 1_050, partition_rows=600, random_state=4)
        many = skgen_dask.sample(vae, 1_050, partition_rows=100, random_state=4)
        assert (few.npartitions, many.npartitions) == (2, 11)
        rows = few.compute()
        pd.testing.assert_frame_equal(rows, many.compute())
        # Dask gives columns of Python strings pandas' string dtype.
        expected = vae.sample(1, random_state=0).astype({"s": "string"}).dtypes
        assert rows.dtypes.astype(str).equals(expected.astype(str))
        assert rows.index.equals(pd.RangeIndex(1_050))
        assert (
            not rows.iloc[:100]
            .reset_index(drop=True)
            .equals(rows.iloc[100:200].reset_index(drop=True))
        )
        other = skgen_dask.sample(vae, 1_050, random_state=5).compute()
        assert not other.equals(rows)

    # Dask's parquet code calls pandas' deprecated inplace keyword.
    @pytest.mark.filterwarnings("ignore:The inplace keyword")
    def test_to_parquet_round_trip(self, vae, tmp_path):
        rows = skgen_dask.sample(vae, 300, partition_rows=100, random_state=0)
        rows.to_parquet(tmp_path / "rows")
        back = dd.read_parquet(tmp_path / "rows").compute()
        assert len(back) == 300
        assert list(back.columns) == list(rows.columns)

    def test_bad_arguments(self, vae):
        with pytest.raises(ValueError, match="one class label"):
            skgen_dask.sample(vae, 10, y=[0, 1])
        with pytest.raises(ValueError, match="partition_rows"):
            skgen_dask.sample(vae, 10, partition_rows=0)
        array_model = VAE(**FAST).fit(np.random.default_rng(0).normal(size=(50, 3)))
        with pytest.raises(ValueError, match="fit the model on a DataFrame"):
            skgen_dask.sample(array_model, 10)


def test_map_partitions_equal_in_memory():
    df = mixed_frame(700)
    ddf = dd.from_pandas(df, npartitions=3)
    vae = VAE(**FAST).fit(df)
    Z = skgen_dask.transform(vae, ddf).compute()
    np.testing.assert_array_equal(Z.to_numpy(), vae.transform(df))
    assert list(Z.columns) == list(vae.get_feature_names_out())
    scores = skgen_dask.score_samples(vae, ddf).compute()
    np.testing.assert_array_equal(scores.to_numpy(), vae.score_samples(df))
    decoded = skgen_dask.inverse_transform(vae, skgen_dask.transform(vae, ddf))
    pd.testing.assert_frame_equal(
        decoded.compute(), vae.inverse_transform(vae.transform(df))
    )
