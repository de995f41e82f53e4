"""
===============================================================
Feature learning on a real table: AutoEncoder codes against PCA
===============================================================

:class:`~skgen.AutoEncoder` is a scikit-learn transformer: ``transform``
returns a few learned codes per row, which a downstream model can use as
features. This example fits it on the Palmer penguins, a small table that
mixes numbers, categories and a missing value or two, and sets its codes
beside those of :class:`~sklearn.decomposition.PCA`: as 2-D maps, as the
only features of a classifier, and added to the raw columns.
"""

# %%
# The penguins table
# ------------------
# 342 penguins of three species, measured on three islands between 2007 and
# 2009. ``island`` and ``sex`` are pandas categories; ``sex`` is missing for
# nine penguins, and the autoencoder models a missing value as a category of
# its own. What a user wants here: a few compact features for a downstream
# model, computed straight from the mixed DataFrame.
import matplotlib.pyplot as plt
import pandas as pd
from palmerpenguins import load_penguins
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skgen import AutoEncoder

penguins = load_penguins().dropna(subset=["species", "bill_length_mm"])
penguins = penguins.astype({"island": "category", "sex": "category"})
X = penguins.drop(columns="species").reset_index(drop=True)
y = penguins["species"].to_numpy()
print(X.dtypes.to_string())
print("missing sex:", X["sex"].isna().sum())
X.head()

# %%
# Two codes side by side
# ----------------------
# PCA needs the table turned into numbers first: the categories imputed with
# their most frequent value and one-hot encoded, the numbers imputed and
# standardised. The autoencoder takes the frame as it is and does the
# equivalent encoding inside the model.


def make_raw_encoder():
    """Encode the table for PCA and logistic regression: one-hot and scaled."""
    return make_column_transformer(
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore"),
            ),
            make_column_selector(dtype_include="category"),
        ),
        (
            make_pipeline(SimpleImputer(), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
    )


pca = make_pipeline(make_raw_encoder(), PCA(n_components=2))
Z_pca = pca.fit_transform(X)
ae = AutoEncoder(n_components=2, random_state=0)
Z_ae = ae.fit_transform(X)
print(f"autoencoder: {ae.n_epochs_} epochs")

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
for ax, (name, Z) in zip(axes, [("PCA", Z_pca), ("AutoEncoder", Z_ae)], strict=True):
    for species in pd.unique(y):
        codes = Z[y == species]
        ax.scatter(codes[:, 0], codes[:, 1], s=12, label=species)
    ax.set(title=f"{name}, 2 codes", xlabel="code 1", ylabel="code 2")
    ax.legend(title="species")

# %%
# Codes as the only features of a classifier
# ------------------------------------------
# Each reducer is followed by a standard scaler and a logistic regression,
# and scored by 3-fold cross-validated accuracy; "raw features" skips the
# reduction and gives the classifier every encoded column. Neither reducer
# sees the species. The numbers below are computed when the documentation is
# built; compare them, keeping in mind that they come from one small table,
# one split into folds and one seed. The :doc:`../benchmarks` page
# (``benchmarks/results/representation_real.md``) runs the comparison on
# several tables with several seeds.
cv = StratifiedKFold(3, shuffle=True, random_state=0)


def score(reducer):
    """Mean cross-validated accuracy of a classifier on the reducer's output."""
    model = make_pipeline(reducer, StandardScaler(), LogisticRegression(max_iter=2000))
    return cross_val_score(model, X, y, cv=cv).mean()


reducers = {("raw features", "all"): make_raw_encoder()}
for k in (2, 4):
    reducers["PCA", k] = make_pipeline(make_raw_encoder(), PCA(n_components=k))
    reducers["AutoEncoder", k] = AutoEncoder(n_components=k, random_state=0)
accuracy = pd.Series({key: score(reducer) for key, reducer in reducers.items()})
accuracy.index.names = ["features", "n_components"]
print(accuracy.rename("mean accuracy").round(3).to_frame().to_string())

# %%
# Codes added to the raw columns
# ------------------------------
# Codes need not replace the columns they came from:
# :func:`~sklearn.pipeline.make_union` puts the encoded raw columns and four
# codes side by side. With ``features="all_layers"`` the autoencoder returns
# its codes followed by the activations of every hidden layer of its encoder,
# a much wider set of learned features; ``get_feature_names_out`` names them.
wide = AutoEncoder(n_components=4, features="all_layers", random_state=0).fit(X)
names = wide.get_feature_names_out()
print(f"{len(names)} features:", ", ".join(names[:6]), "...")

augmented = {
    "raw + 4 codes": make_union(
        make_raw_encoder(), AutoEncoder(n_components=4, random_state=0)
    ),
    "raw + 4 codes + hidden layers": make_union(
        make_raw_encoder(),
        AutoEncoder(n_components=4, features="all_layers", random_state=0),
    ),
}
augmented_accuracy = pd.Series(
    {name: score(reducer) for name, reducer in augmented.items()}
)
print(augmented_accuracy.rename("mean accuracy").round(3).to_frame().to_string())

# %%
# Codes as a named DataFrame
# --------------------------
# With ``set_output(transform="pandas")`` the fitted autoencoder returns its
# codes as a DataFrame with named columns, indexed like the input.
ae.set_output(transform="pandas")
ae.transform(X).head()

# %%
# When to use what
# ----------------
# PCA is deterministic, fast and has nothing to train, but it needs the
# encoding spelled out and only finds linear directions. The autoencoder
# learns its encoding from the mixed frame, missing categories included, and
# can bend its codes to the data; it costs a training run and its codes
# depend on the seed. Which codes serve a downstream model better is an
# empirical question for each table: score the candidates as above, with the
# raw features as the baseline, and keep the raw columns next to the codes
# with :func:`~sklearn.pipeline.make_union` when the codes alone lose
# information.
plt.show()
