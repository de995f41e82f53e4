"""Real-world columns through the estimators: dates and times, missing numbers,
few-valued numbers come back in their dtypes, at their rates, on their values.

The tabular layer's own tests (tests/test_tabular.py) check each codec; these
check what users see from ``inverse_transform`` and ``sample``.
"""

import numpy as np
import pandas as pd
import pytest

from skgen import GAN, VAE, AutoEncoder

FAST = {"max_epochs": 20, "random_state": 0}


def dated_frame(n=300, seed=0):
    """Naive and zoned timestamps, a timedelta, dates, a number, a category."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    seconds = pd.to_timedelta(rng.integers(0, 90 * 86_400, n), unit="s")
    days = pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    frame = pd.DataFrame(
        {
            "when": start + seconds,
            "zoned": (start + seconds).tz_localize("America/New_York"),
            "took": pd.to_timedelta(rng.integers(1, 600, n), unit="min"),
            "day": start + days,
            "amount": rng.gamma(2.0, 10.0, n).round(2),
            "kind": pd.Categorical(rng.choice(["a", "b"], n)),
        }
    )
    frame.loc[::17, "day"] = pd.NaT
    return frame


MODELS = {
    "AutoEncoder": lambda: AutoEncoder(n_components=3, **FAST),
    "VAE": lambda: VAE(n_components=3, **FAST),
    "GAN": lambda: GAN(**FAST),
}


@pytest.mark.parametrize("name", MODELS)
def test_dates_and_times_come_back_in_their_dtypes(name):
    frame = dated_frame()
    model = MODELS[name]().fit(frame)
    if name == "AutoEncoder":
        out = model.inverse_transform(model.transform(frame))
    else:
        out = model.sample(500, random_state=0)
    assert out.dtypes.equals(frame.dtypes)
    assert str(out["zoned"].dt.tz) == "America/New_York"
    days = out["day"].dropna()
    assert (days == days.dt.normalize()).all()
    for name in ("when", "day", "took"):
        values = out[name].dropna()
        assert values.between(frame[name].min(), frame[name].max()).all()


@pytest.mark.parametrize("model", [VAE, GAN])
def test_missing_rates_are_learned(model):
    rng = np.random.default_rng(0)
    n = 600
    group = rng.choice(["low", "high"], n)
    value = rng.normal(size=n) + (group == "high")
    # Missing far more often in one group: the rate and its dependence.
    value[rng.random(n) < np.where(group == "low", 0.5, 0.1)] = np.nan
    frame = pd.DataFrame({"group": group.astype(object), "value": value})
    fitted = model(max_epochs=150, random_state=0).fit(frame)
    sample = fitted.sample(4000, random_state=0)
    real_rate = frame["value"].isna().mean()
    assert abs(sample["value"].isna().mean() - real_rate) < 0.05
    by_group = sample["value"].isna().groupby(sample["group"]).mean()
    assert by_group["low"] > by_group["high"] + 0.15


@pytest.mark.parametrize("model", [VAE, GAN])
def test_few_valued_columns_hold_observed_values_only(model):
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "rating": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n),
            "children": rng.choice([0.0, 1.0, 2.0, 5.5], n),
            "year": rng.choice([2007, 2008, 2009], n),
            "score": rng.normal(size=n).round(3),
        }
    )
    sample = model(**FAST).fit(frame).sample(1000, random_state=0)
    for name in ("rating", "children", "year"):
        assert set(sample[name]) <= set(frame[name]), name
    assert sample.dtypes.equals(frame.dtypes)
    # Three decimals, inside the fitted range.
    assert (sample["score"] == sample["score"].round(3)).all()
    assert sample["score"].between(frame["score"].min(), frame["score"].max()).all()
