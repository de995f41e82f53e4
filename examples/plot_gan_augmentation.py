"""
===================================================
Synthetic rows and over-sampling with a tabular GAN
===================================================

:class:`~skgen.GAN` is a generative adversarial network for mixed-type tables
that is also an imbalanced-learn over-sampler. This example first fits it on a
customer table with numbers, integers, a boolean and categories, and compares
real and generated rows: a 2-D projection and the marginal distribution of
every column. It then puts the GAN in an :func:`imblearn.pipeline.make_pipeline`
in front of a classifier on an imbalanced problem and compares it with
:class:`~imblearn.over_sampling.SMOTE` and with no resampling.
"""

# %%
# A mixed-type table with a label
# -------------------------------
# Numbers (one skewed), an integer, a boolean and two categorical columns, all
# derived from the informative features of ``make_classification`` so that
# they depend on each other and on the label.
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skgen import GAN

Z, y = make_classification(
    n_samples=1500,
    n_features=5,
    n_informative=4,
    n_redundant=1,
    weights=[0.7],
    random_state=0,
)
X = pd.DataFrame(
    {
        "income": np.round(30_000 * np.exp(Z[:, 0] / 2), 2),
        "age": np.clip(np.round(45 + 12 * Z[:, 1]), 18, 90).astype("int64"),
        "score": Z[:, 2],
        "member": Z[:, 3] > 0,
        "segment": pd.cut(Z[:, 4], [-np.inf, -1, 0, 1, np.inf], labels=list("abcd")),
        "region": np.where(Z[:, 0] + Z[:, 2] > 0, "north", "south").astype(object),
    }
)
X.head()

# %%
# Fit the GAN conditioned on the label and draw new rows
# ------------------------------------------------------
# ``fit(X, y)`` trains a generator and a discriminator, both conditioned on the
# class; ``sample(n, y=...)`` draws rows of the asked classes, a DataFrame
# with the training columns and dtypes.
gan = GAN(max_epochs=150, batch_size=250, random_state=0).fit(X, y)
y_synthetic = np.repeat([0, 1], np.bincount(y))
X_synthetic = gan.sample(len(y_synthetic), y=y_synthetic, random_state=0)
print("same dtypes as the real rows:", X_synthetic.dtypes.equals(X.dtypes))
X_synthetic.head()

# %%
# The generator and discriminator losses are recorded per epoch.
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(gan.history_[:, "generator_loss"], label="generator")
ax.plot(gan.history_[:, "discriminator_loss"], label="discriminator")
ax.set(xlabel="epoch", ylabel="loss")
ax.legend()
fig.tight_layout()

# %%
# Real and synthetic rows in a 2-D projection
# -------------------------------------------
# Both tables are one-hot encoded and scaled with the encoding of the real
# rows, then projected on the two first principal components of the real rows.
encode = make_column_transformer(
    (
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
        make_column_selector(dtype_include=["category", "object", "bool"]),
    ),
    remainder=StandardScaler(),
).fit(X)
pca = PCA(n_components=2).fit(encode.transform(X))
real_2d = pca.transform(encode.transform(X))
synthetic_2d = pca.transform(encode.transform(X_synthetic))

fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
for ax, points, labels, title in [
    (axes[0], real_2d, y, "real rows"),
    (axes[1], synthetic_2d, y_synthetic, "GAN rows"),
]:
    for label, colour in [(0, "tab:blue"), (1, "tab:orange")]:
        mask = labels == label
        ax.scatter(*points[mask].T, s=4, alpha=0.5, c=colour, label=f"class {label}")
    ax.set_title(title)
axes[0].legend()
fig.tight_layout()

# %%
# Per-column marginals
# --------------------
# Histograms for the numeric columns, category shares for the others.
fig, axes = plt.subplots(2, 3, figsize=(11, 6))
for ax, column in zip(axes.ravel(), X.columns, strict=True):
    real, synthetic = X[column], X_synthetic[column]
    if pd.api.types.is_numeric_dtype(real) and not pd.api.types.is_bool_dtype(real):
        bins = np.histogram_bin_edges(real, bins=30)
        ax.hist(real, bins=bins, alpha=0.5, density=True, label="real")
        ax.hist(synthetic, bins=bins, alpha=0.5, density=True, label="GAN")
    else:
        shares = pd.DataFrame(
            {
                "real": real.astype(str).value_counts(normalize=True),
                "GAN": synthetic.astype(str).value_counts(normalize=True),
            }
        ).fillna(0)
        shares.plot.bar(ax=ax, alpha=0.7, rot=0, legend=False)
    ax.set_title(column)
axes[0, 0].legend()
fig.tight_layout()

# %%
# An imbalanced classification problem
# -------------------------------------
# 3,000 rows of which 5% are positive. Each pipeline ends in the same random
# forest; the over-samplers grow the positive class to the size of the
# negative one, in ``fit`` only, so the test rows go straight to the forest.
X_imb, y_imb = make_classification(
    n_samples=3000,
    n_features=10,
    n_informative=5,
    weights=[0.95],
    class_sep=0.8,
    random_state=1,
)
X_train, X_test, y_train, y_test = train_test_split(
    X_imb, y_imb, test_size=0.5, stratify=y_imb, random_state=0
)
print("training class counts:", np.bincount(y_train))

forest = RandomForestClassifier(class_weight="balanced_subsample", random_state=0)
pipelines = {
    "no resampling": make_pipeline(forest),
    "SMOTE": make_pipeline(SMOTE(random_state=0), forest),
    "GAN": make_pipeline(GAN(max_epochs=150, batch_size=250, random_state=0), forest),
}
results = {}
for name, pipeline in pipelines.items():
    predicted = pipeline.fit(X_train, y_train).predict(X_test)
    results[name] = {
        "balanced accuracy": balanced_accuracy_score(y_test, predicted),
        "F1 of the rare class": f1_score(y_test, predicted),
    }
results = pd.DataFrame(results).T
print(results.round(3))

# %%
ax = results.plot.barh(figsize=(7, 3))
ax.set_xlim(0, 1)
ax.set_xlabel("score on the test rows")
plt.tight_layout()

# %%
# The GAN's rows are new points of the rare class drawn from a model of the
# whole class, where SMOTE's lie on segments between neighbouring rows. Either
# way, resampling changes what the forest sees of the rare class; which helps
# more depends on the data, so compare them in a cross-validated
# ``GridSearchCV`` (the GAN's parameters are tuned like any other step's,
# e.g. ``gan__noise_dim``).
