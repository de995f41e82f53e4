"""Tests for skgen.metrics: known answers, mixed tables and input errors."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skgen.metrics import (
    QualityReport,
    association_matrix,
    dcr,
    fidelity_report,
    maximum_mean_discrepancy,
    quality_report,
    tstr_score,
    two_sample_auc,
)
from tests.conftest import make_mixed_frame


@pytest.fixture
def gaussian_pair():
    """Two independent draws of 400 rows from the same 5-D Gaussian."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(400, 5)), rng.normal(size=(400, 5))


@pytest.fixture
def mixed_pair():
    """Two independent draws of the mixed-type test frame."""
    return make_mixed_frame(300, random_state=0), make_mixed_frame(300, random_state=1)


def make_penguins(n_samples, random_state):
    """A small table shaped like the Palmer penguins, gaps included.

    Species drive the measurements; numbers, the sex (an object column) and
    nothing else have missing values; the year is a few-valued integer, and
    there are a boolean, a category and a date column.
    """
    rng = np.random.default_rng(random_state)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], n_samples)
    mass = np.select(
        [species == "Adelie", species == "Chinstrap"], [3.4, 4.3], 5.2
    ) + 0.3 * rng.normal(size=n_samples)
    mass[rng.random(n_samples) < 0.05] = np.nan
    sex = pd.Series(rng.choice(["female", "male"], n_samples), dtype=object)
    sex[rng.random(n_samples) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "species": species,
            "island": pd.Categorical(rng.choice(["Biscoe", "Dream"], n_samples)),
            "mass": mass,
            "flipper": 150 + 12 * mass + rng.normal(size=n_samples),
            "sex": sex,
            "year": rng.integers(2007, 2010, n_samples),
            "tagged": rng.random(n_samples) < 0.3,
            "seen": pd.Timestamp("2008-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n_samples), unit="D"),
        }
    )


@pytest.fixture(scope="module")
def penguins():
    """Training rows, fresh rows of the same table and held-out rows."""
    return make_penguins(150, 0), make_penguins(150, 1), make_penguins(150, 2)


class TestTwoSampleAUC:
    def test_same_distribution_is_near_half(self, gaussian_pair):
        real, synthetic = gaussian_pair
        assert abs(two_sample_auc(real, synthetic, random_state=0) - 0.5) < 0.08

    def test_identical_rows_are_near_half(self, gaussian_pair):
        real, _ = gaussian_pair
        assert abs(two_sample_auc(real, real.copy(), random_state=0) - 0.5) < 0.05

    def test_disjoint_samples_are_near_one(self, gaussian_pair):
        real, synthetic = gaussian_pair
        assert two_sample_auc(real, synthetic + 4, random_state=0) > 0.99

    def test_mixed_frames(self, mixed_pair):
        real, synthetic = mixed_pair
        assert abs(two_sample_auc(real, synthetic, random_state=0) - 0.5) < 0.1
        # The same rows with one categorical column shuffled against the rest
        # keep every marginal but lose a dependency, which the classifier finds.
        broken = real.copy()
        broken["zone"] = np.random.default_rng(0).permutation(broken["zone"].values)
        assert two_sample_auc(real, synthetic, random_state=0) < two_sample_auc(
            real, broken, random_state=0
        )

    def test_categories_only_differ(self):
        rng = np.random.default_rng(0)
        real = pd.DataFrame({"c": rng.choice(["a", "b"], 400, p=[0.9, 0.1])})
        fake = pd.DataFrame({"c": rng.choice(["a", "b"], 400, p=[0.1, 0.9])})
        assert two_sample_auc(real, fake, random_state=0) > 0.75

    def test_estimator_and_cv(self, gaussian_pair):
        real, synthetic = gaussian_pair
        auc = two_sample_auc(
            real, synthetic + 4, estimator=LogisticRegression(), cv=3, random_state=0
        )
        assert auc > 0.99

    def test_reproducible(self, gaussian_pair):
        real, synthetic = gaussian_pair
        first = two_sample_auc(real, synthetic + 0.3, random_state=3)
        assert first == two_sample_auc(real, synthetic + 0.3, random_state=3)


class TestTSTR:
    def test_real_rows_as_synthetic_match_the_estimator_score(self):
        X, y = load_iris(return_X_y=True)
        model = LogisticRegression(max_iter=1000)
        expected = model.fit(X[::2], y[::2]).score(X[1::2], y[1::2])
        assert tstr_score(model, X[::2], y[::2], X[1::2], y[1::2]) == expected

    def test_label_noise_scores_near_chance(self):
        X, y = load_iris(return_X_y=True)
        y_noise = np.random.default_rng(0).permutation(y[::2])
        model = DecisionTreeClassifier(random_state=0)
        assert tstr_score(model, X[::2], y_noise, X[1::2], y[1::2]) < 0.6

    def test_scoring(self):
        X, y = load_iris(return_X_y=True)
        model = LogisticRegression(max_iter=1000)
        score = tstr_score(model, X[::2], y[::2], X[1::2], y[1::2], scoring="f1_macro")
        assert 0.9 < score <= 1.0

    def test_several_scorers_share_one_fit(self):
        X, y = load_iris(return_X_y=True)
        model = LogisticRegression(max_iter=1000)
        scores = tstr_score(
            model, X[::2], y[::2], X[1::2], y[1::2], scoring=["accuracy", "f1_macro"]
        )
        assert list(scores) == ["accuracy", "f1_macro"]
        assert scores["accuracy"] == tstr_score(model, X[::2], y[::2], X[1::2], y[1::2])

    def test_estimator_is_cloned(self):
        X, y = load_iris(return_X_y=True)
        model = LogisticRegression(max_iter=1000)
        tstr_score(model, X, y, X, y)
        assert not hasattr(model, "coef_")

    def test_warns_on_missing_class(self):
        X, y = load_iris(return_X_y=True)
        keep = y < 2
        model = LogisticRegression(max_iter=1000)
        with pytest.warns(UserWarning, match=r"no label \[2\]"):
            score = tstr_score(model, X[keep], y[keep], X, y)
        assert score <= 2 / 3


class TestFidelityReport:
    def test_known_answers(self):
        real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
        synthetic = pd.DataFrame({"x": [5.0, 6.0, 7.0, 8.0], "c": list("aaab")})
        report = fidelity_report(real, synthetic)
        assert list(report.index) == ["x", "c"]
        assert list(report["statistic"]) == ["ks", "tvd"]
        assert list(report["kind"]) == ["numeric", "categorical"]
        np.testing.assert_allclose(report["distance"], [1.0, 0.25])

    def test_identical_samples_are_zero(self, mixed_pair):
        real, _ = mixed_pair
        report = fidelity_report(real, real.sample(frac=1, random_state=0))
        np.testing.assert_allclose(report["distance"], 0, atol=1e-12)
        np.testing.assert_allclose(report["association_error"], 0, atol=1e-12)

    def test_mixed_frames_and_column_order(self, mixed_pair):
        real, synthetic = mixed_pair
        report = fidelity_report(real, synthetic[real.columns[::-1]])
        assert list(report.index) == list(real.columns)
        assert (report["distance"] < 0.2).all()
        assert set(report.loc[["colour", "zone", "garden"], "statistic"]) == {"tvd"}
        assert set(report.loc[["height", "rooms"], "statistic"]) == {"ks"}

    def test_category_the_real_sample_lacks_counts(self):
        real = pd.DataFrame({"c": list("aabb")})
        synthetic = pd.DataFrame({"c": list("aazz")})
        assert fidelity_report(real, synthetic)["distance"].iloc[0] == 0.5

    def test_broken_dependency_shows_in_association_error(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=500)
        real = pd.DataFrame({"x": x, "y": x + 0.1 * rng.normal(size=500)})
        shuffled = real.assign(y=rng.permutation(real["y"].values))
        report = fidelity_report(real, shuffled)
        np.testing.assert_allclose(report["distance"], 0, atol=1e-12)
        assert (report["association_error"] > 0.8).all()

    def test_arrays(self, gaussian_pair):
        real, synthetic = gaussian_pair
        report = fidelity_report(real, synthetic)
        assert list(report.index) == list(range(5))
        assert report["statistic"].eq("ks").all()

    def test_one_column_has_no_association_error(self):
        report = fidelity_report(np.arange(10.0)[:, None], np.arange(10.0)[:, None])
        assert np.isnan(report["association_error"].iloc[0])

    def test_ks_ignores_missing_numbers(self):
        # Regression: the 0 the encoder writes for a missing number counted
        # as a value, so equal present values scored a KS distance above 0.
        real = pd.DataFrame({"x": np.arange(100.0)})
        synthetic = pd.DataFrame({"x": np.r_[np.arange(100.0), [np.nan] * 50]})
        report = fidelity_report(real, synthetic)
        assert report.loc["x", "distance"] == 0
        assert report.loc["x", "missing_gap"] == pytest.approx(1 / 3)
        report = fidelity_report(synthetic, real)
        assert report.loc["x", "distance"] == 0
        assert report.loc["x", "missing_gap"] == pytest.approx(-1 / 3)

    def test_number_missing_from_every_synthetic_row(self):
        real = pd.DataFrame({"x": [1.0, 2.0, np.nan], "y": [1.0, 2.0, 3.0]})
        synthetic = real.assign(x=np.nan)
        report = fidelity_report(real, synthetic)
        assert report.loc["x", "distance"] == 1
        assert report.loc["x", "missing_gap"] == pytest.approx(2 / 3)
        assert report.loc["y", "distance"] == 0

    def test_missing_gap_of_categories(self):
        real = pd.DataFrame({"c": ["a", "b", None, "a"]})
        synthetic = pd.DataFrame({"c": ["a", "b", "b", "a"]})
        report = fidelity_report(real, synthetic)
        assert report.loc["c", "missing_gap"] == -0.25
        assert report.loc["c", "distance"] == 0.25

    def test_column_left_out_does_not_blank_association_errors(self):
        rng = np.random.default_rng(0)
        real = pd.DataFrame(
            {
                "x": rng.normal(size=200),
                "c": rng.choice(["a", "b"], 200),
                "id": [f"row{i}" for i in range(200)],
            }
        )
        with pytest.warns(UserWarning, match="id"):
            report = fidelity_report(real, real.assign(x=rng.permutation(real["x"])))
        assert report.loc["id", "statistic"] == "none"
        assert np.isnan(report.loc["id", "association_error"])
        assert np.isfinite(report.loc[["x", "c"], "association_error"]).all()


class TestAssociationMatrix:
    def test_known_answers(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=300)
        colour = np.where(x > 0, "warm", "cold")
        df = pd.DataFrame(
            {
                "x": x,
                "minus_x": -x,
                "colour": colour,
                "same_colour": colour.copy(),
                "noise": rng.normal(size=300),
                "coin": rng.choice(["h", "t"], 300),
            }
        )
        A = association_matrix(df)
        assert list(A.index) == list(A.columns) == list(df.columns)
        np.testing.assert_allclose(A.to_numpy(), A.to_numpy().T)
        np.testing.assert_allclose(np.diag(A), 1)
        assert A.loc["x", "minus_x"] == pytest.approx(-1)
        assert A.loc["colour", "same_colour"] == pytest.approx(1)
        # A standard normal split at 0: eta^2 = (E|x|)^2 = 2 / pi.
        assert A.loc["x", "colour"] == pytest.approx(np.sqrt(2 / np.pi), abs=0.05)
        assert abs(A.loc["x", "noise"]) < 0.15
        assert A.loc["colour", "coin"] < 0.15
        assert A.loc["noise", "coin"] < 0.15

    def test_constant_column_has_no_association(self):
        df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "k": [5.0] * 3, "c": ["a"] * 3})
        A = association_matrix(df)
        assert A.loc["x", "k"] == A.loc["x", "c"] == A.loc["k", "c"] == 0

    def test_missing_numbers_are_left_out_pairwise(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=300)
        df = pd.DataFrame({"x": x, "y": 2 * x + 1, "c": np.where(x > 0, "a", "b")})
        gappy = df.copy()
        gappy.loc[::3, "y"] = np.nan
        A = association_matrix(gappy)
        assert A.loc["x", "y"] == pytest.approx(1)
        present = gappy["y"].notna()
        assert A.loc["y", "c"] == pytest.approx(
            association_matrix(df[present]).loc["y", "c"]
        )


class TestMMD:
    def test_identical_samples_are_zero(self, mixed_pair):
        real, _ = mixed_pair
        assert maximum_mean_discrepancy(real, real) == pytest.approx(0, abs=1e-6)

    def test_grows_with_the_shift(self, gaussian_pair):
        real, synthetic = gaussian_pair
        values = [
            maximum_mean_discrepancy(real, synthetic + shift)
            for shift in (0, 0.5, 1, 3)
        ]
        assert values[0] < 0.1
        assert values == sorted(values)
        assert values[-1] > 0.5

    def test_known_answer_for_a_fixed_gamma(self):
        real = np.array([[0.0], [2.0]])  # standardised by its own moments: -1, 1
        synthetic = np.array([[1.0], [3.0]])  # encoded as 0 and 2
        k = lambda d: np.exp(-0.5 * d**2)  # noqa: E731
        expected = (1 + k(2)) / 2 + (1 + k(2)) / 2 - 2 * (k(1) + k(3) + k(1) + k(1)) / 4
        assert maximum_mean_discrepancy(real, synthetic, gamma=0.5) == pytest.approx(
            np.sqrt(expected)
        )

    def test_blocks_give_the_same_answer(self, gaussian_pair, monkeypatch):
        real, synthetic = gaussian_pair
        whole = maximum_mean_discrepancy(real, synthetic + 0.5)
        monkeypatch.setattr("skgen.metrics.KERNEL_BLOCK_ROWS", 7)
        assert maximum_mean_discrepancy(real, synthetic + 0.5) == pytest.approx(whole)

    def test_mixed_frames(self, mixed_pair):
        real, synthetic = mixed_pair
        rng = np.random.default_rng(0)
        shuffled = real.apply(lambda column: rng.permutation(column.to_numpy()))
        assert maximum_mean_discrepancy(real, synthetic) < maximum_mean_discrepancy(
            real, shuffled
        )


class TestDCR:
    def test_bootstrap_copy_is_flagged(self, gaussian_pair):
        real, _ = gaussian_pair
        rows = np.random.default_rng(0).integers(0, len(real), size=1000)
        result = dcr(real, real[rows])
        assert result.memorizes
        assert result.exact_copies == 1.0
        assert result.closer_fraction == 1.0
        assert result.median_ratio == 0.0
        assert result.distances.shape == (1000,)

    def test_fresh_rows_are_not_flagged(self, gaussian_pair):
        real, synthetic = gaussian_pair
        result = dcr(real, synthetic)
        assert not result.memorizes
        assert result.exact_copies == 0.0
        assert result.closer_fraction < 0.1
        assert 0.8 < result.median_ratio < 1.25
        assert result.reference_distances.shape == (400,)

    def test_perturbed_copies_are_flagged(self, gaussian_pair):
        real, _ = gaussian_pair
        jittered = real + 0.01 * np.random.default_rng(0).normal(size=real.shape)
        result = dcr(real, jittered)
        assert result.memorizes and result.exact_copies == 0.0

    def test_holdout_reference(self, gaussian_pair):
        real, synthetic = gaussian_pair
        result = dcr(real[:200], synthetic, holdout=real[200:], quantile=0.1)
        assert result.reference_distances.shape == (200,)
        assert result.threshold == pytest.approx(
            np.quantile(result.reference_distances, 0.1)
        )
        assert not result.memorizes

    def test_mixed_frames(self, mixed_pair):
        real, synthetic = mixed_pair
        assert dcr(real, real.sample(300, replace=True, random_state=0)).memorizes
        assert not dcr(real, synthetic).memorizes

    def test_needs_two_rows_without_holdout(self):
        with pytest.raises(ValueError, match="at least 2 real rows"):
            dcr(np.zeros((1, 2)), np.zeros((3, 2)))


ALL_METRICS = [
    two_sample_auc,
    fidelity_report,
    maximum_mean_discrepancy,
    dcr,
]


@pytest.mark.parametrize("metric", ALL_METRICS)
class TestInputErrors:
    def test_width_mismatch(self, metric):
        with pytest.raises(ValueError, match="real has 3 columns but synthetic has 2"):
            metric(np.zeros((20, 3)), np.zeros((20, 2)))

    def test_column_mismatch(self, metric, mixed_pair):
        real, synthetic = mixed_pair
        with pytest.raises(ValueError, match=r"lacks \['zone'\] and has extra"):
            metric(real, synthetic.rename(columns={"zone": "area51"}))

    def test_frame_and_array(self, metric, mixed_pair):
        real, _ = mixed_pair
        with pytest.raises(TypeError, match="real is a DataFrame but synthetic"):
            metric(real, real.to_numpy())

    @pytest.mark.parametrize("in_real", [True, False])
    def test_missing_numbers(self, metric, in_real):
        # Missing in both samples, or only in the synthetic one.
        real = pd.DataFrame({"a": [1.0, 2.0, 3.0] * 10, "b": [0.0, 1.5, 2.0] * 10})
        synthetic = real.sample(frac=1.0, random_state=0).reset_index(drop=True)
        synthetic.loc[::3, "b"] = np.nan
        if in_real:
            real.loc[::4, "b"] = np.nan
        result = metric(real, synthetic)
        if isinstance(result, pd.DataFrame):
            result = result["distance"]
        elif not np.isscalar(result):
            result = result["distances"]
        assert np.all(np.isfinite(result))

    def test_empty(self, metric):
        with pytest.raises(ValueError, match="at least one row|0 sample"):
            metric(pd.DataFrame({"a": []}), pd.DataFrame({"a": [1.0]}))

    def test_bad_categorical_features(self, metric, gaussian_pair):
        real, synthetic = gaussian_pair
        with pytest.raises(ValueError, match="categorical_features"):
            metric(real, synthetic, categorical_features="all")


@pytest.fixture(scope="module")
def penguin_report(penguins):
    """The report of the fresh rows, with a holdout and the species as target."""
    real, synthetic, holdout = penguins
    return quality_report(
        real, synthetic, target="species", holdout=holdout, random_state=0
    )


class TestQualityReport:
    @pytest.fixture
    def report(self, penguin_report):
        return penguin_report

    def test_summary_holds_every_metric(self, report, penguins):
        real, synthetic, _ = penguins
        assert isinstance(report, QualityReport)
        assert list(report.summary.columns) == [
            "metric",
            "value",
            "reference",
            "reads_as",
        ]
        summary = report.summary.set_index("metric")
        assert list(summary.index) == [
            "two_sample_auc",
            "mean_ks",
            "mean_tvd",
            "mean_missing_gap",
            "mean_association_error",
            "mmd",
            "dcr_closer_fraction",
            "dcr_memorizes",
            "tstr_balanced_accuracy",
        ]
        assert summary.loc["two_sample_auc", "value"] == two_sample_auc(
            real, synthetic, random_state=0
        )
        assert summary.loc["mmd", "value"] == maximum_mean_discrepancy(real, synthetic)
        assert summary.loc["two_sample_auc", "reference"] == 0.5
        assert summary["value"].notna().all()
        assert summary["reads_as"].str.len().between(10, 100).all()

    def test_columns_are_the_fidelity_report(self, report, penguins):
        real, synthetic, _ = penguins
        pd.testing.assert_frame_equal(report.columns, fidelity_report(real, synthetic))
        summary = report.summary.set_index("metric")["value"]
        numeric = report.columns["statistic"] == "ks"
        assert summary["mean_ks"] == report.columns.loc[numeric, "distance"].mean()
        assert summary["mean_tvd"] == report.columns.loc[~numeric, "distance"].mean()
        # The numbers with gaps and the sex.
        assert summary["mean_missing_gap"] == pytest.approx(
            report.columns.loc[["mass", "flipper", "sex"], "missing_gap"].abs().mean()
        )

    def test_associations(self, report, penguins):
        real, synthetic, _ = penguins
        # The same whichever sample's gaps the encoding was laid out on.
        pd.testing.assert_frame_equal(
            report.real_associations, association_matrix(real)
        )
        pd.testing.assert_frame_equal(
            report.associations,
            association_matrix(synthetic) - association_matrix(real),
        )

    def test_tstr_and_trtr(self, report, penguins):
        real, synthetic, holdout = penguins
        tstr = report.summary.iloc[-1]
        # Species drive the mass, so both models beat chance (1/3) by far.
        assert tstr["value"] > 0.6 and tstr["reference"] > 0.6
        assert "classifier" in tstr["reads_as"]

    def test_fresh_rows_are_not_flagged(self, report):
        assert report.memorizes is False
        assert report.dcr.distances.shape == (150,)

    def test_identical_samples(self, penguins):
        real, _, _ = penguins
        summary = quality_report(real, real.copy(), random_state=0).summary
        values = summary.set_index("metric")["value"]
        assert abs(values["two_sample_auc"] - 0.5) < 0.05
        assert values["mean_ks"] == values["mean_tvd"] == 0
        assert values["mean_missing_gap"] == values["mean_association_error"] == 0
        assert values["mmd"] == pytest.approx(0, abs=1e-6)
        assert "dcr_memorizes" not in values.index

    def test_bootstrap_copy_is_flagged(self, penguins):
        real, _, holdout = penguins
        copy = real.sample(len(real), replace=True, random_state=0)
        report = quality_report(real, copy, holdout=holdout, random_state=0)
        assert report.memorizes is True
        values = report.summary.set_index("metric")["value"]
        assert values["dcr_memorizes"] == 1.0
        assert values["dcr_closer_fraction"] == 1.0

    def test_regression_target(self, penguins):
        real, synthetic, holdout = penguins
        report = quality_report(
            real, synthetic, target="flipper", holdout=holdout, random_state=0
        )
        tstr = report.summary.iloc[-1]
        assert tstr["metric"] == "tstr_r2"
        assert "regressor" in tstr["reads_as"]
        # The flipper follows the mass.
        assert tstr["value"] > 0.5 and tstr["reference"] > 0.5

    @pytest.mark.parametrize("target", ["year", "tagged", "sex"])
    def test_few_valued_boolean_and_gappy_targets_are_classified(
        self, penguins, target
    ):
        real, synthetic, holdout = penguins
        report = quality_report(
            real, real, target=target, holdout=holdout, random_state=0
        )
        tstr = report.summary.iloc[-1]
        assert tstr["metric"] == "tstr_balanced_accuracy"
        # Trained on the real rows as synthetic ones: the TRTR score.
        assert tstr["value"] == tstr["reference"]

    def test_arrays(self, gaussian_pair):
        real, synthetic = gaussian_pair
        report = quality_report(real[:200], synthetic[:200], holdout=real[200:])
        assert list(report.columns.index) == list(range(5))
        assert "mean_tvd" not in set(report.summary["metric"])
        assert report.memorizes is False

    def test_repr(self, report):
        text = repr(report)
        assert text.startswith("QualityReport: 150 synthetic rows against 150")
        assert "tstr_balanced_accuracy" in text
        html = report._repr_html_()
        assert "<table" in html and "dcr_closer_fraction" in html

    def test_target_not_a_column(self, penguins):
        real, synthetic, holdout = penguins
        with pytest.raises(ValueError, match="target='beak' is not a column"):
            quality_report(real, synthetic, target="beak", holdout=holdout)

    def test_target_needs_a_holdout(self, penguins):
        real, synthetic, _ = penguins
        with pytest.raises(ValueError, match="target needs a holdout"):
            quality_report(real, synthetic, target="species")

    def test_target_needs_frames(self, gaussian_pair):
        real, synthetic = gaussian_pair
        with pytest.raises(TypeError, match="target names a column"):
            quality_report(real, synthetic, target=0, holdout=real)

    def test_mismatched_columns(self, penguins):
        real, synthetic, holdout = penguins
        with pytest.raises(ValueError, match=r"synthetic lacks \['sex'\]"):
            quality_report(real, synthetic.drop(columns="sex"))
        with pytest.raises(ValueError, match=r"holdout lacks \['sex'\]"):
            quality_report(real, synthetic, holdout=holdout.drop(columns="sex"))


class TestQualityReportPlot:
    @pytest.fixture
    def report(self, penguin_report):
        return penguin_report

    @pytest.fixture
    def pyplot(self):
        # matplotlib is in the test extra (it is optional at run time).
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        yield plt
        plt.close("all")

    def test_a_panel_per_column_and_a_heatmap(self, report, pyplot):
        from matplotlib.figure import Figure

        fig = report.plot()
        assert isinstance(fig, Figure)
        # A panel per column, the heatmap and its colour bar.
        assert len(fig.axes) == 8 + 2
        assert [ax.get_title() for ax in fig.axes[:8]] == list(report.columns.index)
        heatmap = fig.axes[8]
        assert heatmap.get_images()[0].get_array().shape == (8, 8)
        assert [t.get_text() for t in heatmap.get_xticklabels()][:2] == [
            "species",
            "island",
        ]

    def test_columns(self, report, pyplot):
        fig = report.plot(columns=["mass", "sex"])
        assert [ax.get_title() for ax in fig.axes[:2]] == ["mass", "sex"]
        assert len(fig.axes) == 4
        # A single column has no associations to draw.
        assert len(report.plot(columns="seen").axes) == 1

    def test_max_columns_keeps_the_furthest(self, report, pyplot):
        fig = report.plot(max_columns=3)
        furthest = report.columns["distance"].nlargest(3).index
        titles = [ax.get_title() for ax in fig.axes[:3]]
        assert set(titles) == set(furthest)
        assert len(fig.axes) == 3 + 2

    def test_unknown_column(self, report, pyplot):
        with pytest.raises(ValueError, match=r"\['beak'\] are not columns"):
            report.plot(columns=["beak"])

    def test_without_matplotlib(self, report, monkeypatch):
        monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
        with pytest.raises(ImportError, match="pip install matplotlib"):
            report.plot()
