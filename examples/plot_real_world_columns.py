"""
======================================================
Real-world columns: skew, codes, dates and gaps
======================================================

Real tables are not tidy Gaussian numbers. They hold skewed amounts, codes
stored as numbers (a 1-5 rating), dates, and values that are simply missing.
skgen models each of these as it is (see :ref:`ug_tables`): numbers become
normal scores through their quantiles, few-valued numbers become ordered
categories, dates become a count of days, and a missing value gets an
indicator of its own. This example fits a :class:`~skgen.VAE` with default
parameters on such a table and compares the generated columns with the real
ones.
"""

# %%
# A customer table
# ----------------
# Incomes are lognormal, ratings take five values, sign-up dates are whole
# days, and the last order amount is missing for a third of the customers,
# more often for those who rate low.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skgen import VAE

rng = np.random.default_rng(0)
n = 3000
rating = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n, p=[0.1, 0.15, 0.2, 0.3, 0.25])
income = np.round(rng.lognormal(10.5 + 0.1 * rating, 0.6), 2)
signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(
    np.minimum(rng.exponential(300, n), 1000).astype(int), unit="D"
)
amount = np.round(rng.gamma(2.0, 20 + 5 * rating), 2)
amount[rng.random(n) < 0.6 - 0.1 * rating] = np.nan
df = pd.DataFrame(
    {
        "income": income,
        "rating": rating,
        "signup": signup,
        "last_order": amount,
        "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n)),
    }
)
df.head()

# %%
# Fit and sample
# --------------
# No preprocessing: the frame goes in as it is, and the sample comes back with
# the same columns and dtypes.
vae = VAE(random_state=0).fit(df)
synthetic = vae.sample(n, random_state=0)
print(synthetic.dtypes.equals(df.dtypes))
synthetic.head()

# %%
# What each column became
# -----------------------
# The fitted encoder lists a codec per column.
for codec in vae.table_encoder_.columns_:
    print(f"{codec.name:>10}: {type(codec).__name__} ({codec.kind})")

# %%
# Real and generated marginals
# ----------------------------
# Ratings come back on exactly the five observed values, dates as whole days,
# amounts with two decimals, and missing amounts at about the real rate.
print(
    "ratings generated:",
    sorted(synthetic["rating"].unique().tolist()),
    "\nmissing last_order, real vs generated:",
    f"{df['last_order'].isna().mean():.3f} vs "
    f"{synthetic['last_order'].isna().mean():.3f}",
)

fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
style = {"alpha": 0.55, "density": True}
bins = np.geomspace(df["income"].min(), df["income"].max(), 40)
axes[0, 0].hist(df["income"], bins=bins, label="real", **style)
axes[0, 0].hist(synthetic["income"], bins=bins, label="VAE", **style)
axes[0, 0].set(xscale="log", title="income (skewed)")
axes[0, 0].legend()

values = np.arange(1, 6)
width = 0.4
for offset, (frame, label) in zip(
    (-width / 2, width / 2), ((df, "real"), (synthetic, "VAE")), strict=True
):
    shares = frame["rating"].value_counts(normalize=True).reindex(values, fill_value=0)
    axes[0, 1].bar(values + offset, shares, width=width, label=label, alpha=0.8)
axes[0, 1].set(title="rating (five values)", xticks=values)

day_bins = pd.date_range(df["signup"].min(), df["signup"].max(), periods=40)
axes[1, 0].hist(df["signup"], bins=day_bins, **style)
axes[1, 0].hist(synthetic["signup"], bins=day_bins, **style)
axes[1, 0].set(title="signup (dates)")
axes[1, 0].tick_params(axis="x", labelrotation=30)

amount_bins = np.linspace(0, np.nanpercentile(df["last_order"], 99), 40)
real_missing = df["last_order"].isna().mean()
fake_missing = synthetic["last_order"].isna().mean()
axes[1, 1].hist(df["last_order"].dropna(), bins=amount_bins, **style)
axes[1, 1].hist(synthetic["last_order"].dropna(), bins=amount_bins, **style)
axes[1, 1].set(
    title=f"last_order (missing: real {real_missing:.0%}, VAE {fake_missing:.0%})"
)
fig.tight_layout()
plt.show()

# %%
# Missing where the model expects it
# ----------------------------------
# The indicator is learned with the other columns, so the generated rows keep
# the real relation between a low rating and a missing amount.
print(
    pd.DataFrame(
        {
            "real": df["last_order"].isna().groupby(df["rating"]).mean(),
            "VAE": synthetic["last_order"].isna().groupby(synthetic["rating"]).mean(),
        }
    ).round(2)
)
