"""
==========================================================
Tuning an AutoEncoder pipeline with GridSearchCV
==========================================================

:class:`~skgen.AutoEncoder` is an ordinary scikit-learn transformer, so it can
be a step of a :class:`~sklearn.pipeline.Pipeline` and its hyperparameters can
be searched together with those of the classifier that follows it. This
example cross-validates a pipeline of an autoencoder, a scaler and a logistic
regression on the 8x8 handwritten digits over a small grid of code sizes
(``n_components``) and regularisation strengths (``C``), and plots the
cross-validated accuracy of every combination.
"""

# %%
# Load the digits
# ---------------
# The 1,797 images have 64 pixels with intensities from 0 to 16; dividing by 16
# puts them in [0, 1]. A quarter of the rows is held out to score the model
# that the search selects.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import AutoEncoder

X, y = load_digits(return_X_y=True)
X = X / 16
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
print(f"{X_train.shape[0]} training and {X_test.shape[0]} test digits")

# %%
# Build the pipeline
# ------------------
# The autoencoder learns codes without looking at the labels; the scaler puts
# the codes on a common scale, so that one ``C`` means the same for every code
# size; the logistic regression predicts the digit from them. As in the other
# digits examples the pixels are used as they are (``numeric_scaling=None``)
# and the images are clean (``corruption=None``, see the quickstart).
# To keep the search short, each autoencoder trains for at most 30 epochs.
pipeline = make_pipeline(
    AutoEncoder(numeric_scaling=None, corruption=None, max_epochs=30, random_state=0),
    StandardScaler(),
    LogisticRegression(max_iter=1000),
)
names = [name for name in pipeline.get_params() if name.startswith("autoencoder__")]
print(", ".join(names[:4]), "...")

# %%
# Search the grid
# ---------------
# A step's parameters are named ``<step>__<parameter>``, with the step names
# that :func:`~sklearn.pipeline.make_pipeline` gives (the lower-cased class
# names). Three code sizes times four values of ``C`` make 12 candidates, each
# fitted on three folds: 36 autoencoder fits, plus one refit of the best
# candidate on all training digits. ``GridSearchCV(n_jobs=2)`` would run
# two fits at a time; skgen then gives each worker its share of the CPU
# cores for torch.
param_grid = {
    "autoencoder__n_components": [8, 16, 32],
    "logisticregression__C": [0.1, 1.0, 10.0, 100.0],
}
search = GridSearchCV(pipeline, param_grid, cv=3)
search.fit(X_train, y_train)
print(f"best parameters: {search.best_params_}")
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"test accuracy of the refitted pipeline: {search.score(X_test, y_test):.3f}")

# %%
# Look at every candidate
# -----------------------
# ``cv_results_`` holds the mean and standard deviation of the accuracy over
# the three folds for each candidate, and the time each took to fit.
results = pd.DataFrame(search.cv_results_)
columns = {
    "param_autoencoder__n_components": "n_components",
    "param_logisticregression__C": "C",
    "mean_test_score": "mean accuracy",
    "std_test_score": "std",
    "mean_fit_time": "fit s",
}
print(results[list(columns)].rename(columns=columns).round(3).to_string(index=False))

# %%
# Plot the cross-validated accuracy
# ---------------------------------
# One line per code size; the error bars are one standard deviation over the
# folds.
fig, ax = plt.subplots(figsize=(7, 4.4), layout="constrained")
for n_components, group in results.groupby("param_autoencoder__n_components"):
    group = group.sort_values("param_logisticregression__C")
    ax.errorbar(
        group["param_logisticregression__C"].astype(float),
        group["mean_test_score"],
        yerr=group["std_test_score"],
        marker="o",
        capsize=4,
        label=f"{n_components} codes",
    )
ax.legend(title="n_components")
ax.set(
    xlabel="C of the logistic regression (less regularisation to the right)",
    ylabel="mean accuracy over 3 folds",
    title="GridSearchCV over AutoEncoder + LogisticRegression",
)
ax.set_xscale("log")

# %%
# The same scores as a table, best candidate framed.
table = results.pivot(
    index="param_autoencoder__n_components",
    columns="param_logisticregression__C",
    values="mean_test_score",
)
fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
image = ax.imshow(table.to_numpy(), cmap="viridis")
fig.colorbar(image, ax=ax)
ax.set_xticks(np.arange(table.shape[1]), [f"{c:g}" for c in table.columns])
ax.set_yticks(np.arange(table.shape[0]), table.index)
ax.set(xlabel="C", ylabel="n_components", title="Mean cross-validated accuracy")
best = search.best_params_
best_row = table.index.get_loc(best["autoencoder__n_components"])
best_column = table.columns.get_loc(best["logisticregression__C"])
frame = plt.Rectangle(
    (best_column - 0.5, best_row - 0.5), 1, 1, fill=False, color="red", lw=2
)
ax.add_patch(frame)
# Dark text on the light (high) cells, light text on the dark ones.
middle = table.to_numpy().mean()
for (row, column), value in np.ndenumerate(table.to_numpy()):
    colour = "black" if value > middle else "white"
    ax.text(column, row, f"{value:.3f}", ha="center", va="center", color=colour)

# %%
# What the search found
# ---------------------
# Accuracy grows with the number of codes at every ``C``, and for every code
# size the weakest regularisation tried is better than the strongest. The best
# ``C`` lies inside the grid, but the best code size is its largest one: when
# the best candidate sits on the edge of a grid, widen the grid in that
# direction before trusting the choice.
#
# For scale, the same scaler and logistic regression on the 64 pixels
# themselves, cross-validated on the same folds, beats every candidate: a
# linear model on 1,347 digits has no trouble with 64 features, and codes from
# an autoencoder trained for 30 epochs lose some of what the pixels know. The
# codes pay off where fewer features are the point (a smaller or faster
# downstream model, a map of the data) or where the raw features defeat the
# model that follows; the search tells how much accuracy each code size costs.
pixels = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
pixel_scores = cross_val_score(pixels, X_train, y_train, cv=3)
print(f"logistic regression on the pixels: {pixel_scores.mean():.3f}")

plt.show()
