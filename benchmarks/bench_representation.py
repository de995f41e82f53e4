"""Learned representations: PCA, BernoulliRBM and skgen's AutoEncoder and VAE.

Each model reduces three data sets to ``k`` codes (``n_components`` in 2, 8 and
16) and is judged two ways on a held-out 25% (stratified split, seed 0): the
mean squared error of its reconstructions, and the accuracy of a downstream
classifier, ``StandardScaler`` then ``LogisticRegression(max_iter=1000,
tol=1e-4)``, fitted on the training rows' codes. A reference row per data set
gives that classifier all input features. The tol follows the BernoulliRBM
example's classifier, whose ``tol=1`` stops after 0 iterations on
scikit-learn 1.9.

The data sets, and the space in which the errors are measured:

- ``digits``: pixels divided by 16, in [0, 1]; every model sees them as they
  are (the AutoEncoder with ``numeric_scaling=None``).
- ``breast_cancer``: the 30 features standardised (scaler fitted on the
  training rows); PCA and the AutoEncoder see the standardised features.
- ``swiss_roll_50d``: a swiss roll (``make_swiss_roll``, noise 0.05) whose
  standardised 3-D points are lifted to 50-D through ``tanh(P @ A + b)`` with
  random ``A`` and ``b``, plus noise of standard deviation 0.01, so it is
  curved in every direction; the class is the roll's position ``t`` cut into
  four equal-count bins. Errors are measured on the standardised 50 columns.

The RBM (``learning_rate=0.06, n_iter=20``, as in the scikit-learn example)
needs inputs in [0, 1]: on the standardised data sets it sees them min-max
scaled (fitted on the training rows, held-out rows clipped) and its
reconstructions are scaled back. Its codes are ``transform`` (hidden unit
probabilities) and its reconstructions the mean field
``sigmoid(transform(X) @ components_ + intercept_visible_)``. The AutoEncoder
and the VAE keep their default architecture and early stopping, up to 200
epochs (50 in quick mode); their figures are means over 3 seeds (1 in quick
mode), with the spread of the accuracy, because at k = 2 one seed's accuracy
moves by several points. On digits the VAE also appears with
``decoder_scale="shared"``, the setting its docstring advises for columns in
one unit such as pixels. Fit times are medians of the fits (the reducer only,
not the classifier), after an untimed warm-up fit that pays torch's start-up.
Torch and the BLAS run on one thread unless ``OMP_NUM_THREADS`` says
otherwise: the table is about quality, and on a machine whose cores are busy
with other work a second thread makes these small fits up to 50 times slower.

Run ``python benchmarks/bench_representation.py`` (add ``--quick`` for a short
run).
"""

import time

import numpy as np
import sklearn
import torch
from _tables import main_for
from _threads import limited_threads
from scipy.special import expit
from sklearn.datasets import load_breast_cancer, load_digits, make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skgen import VAE, AutoEncoder

DATASETS = ("digits", "breast_cancer", "swiss_roll_50d")
# Data sets already in [0, 1] and in one unit, which every model takes as is.
UNIT_RANGE = {"digits"}
N_COMPONENTS = (2, 8, 16)
MODELS = ("PCA", "BernoulliRBM", "AutoEncoder", "VAE", "VAE, shared scale")
# Models shown only on the data sets in one unit.
UNIT_RANGE_MODELS = {"VAE, shared scale"}
# Models whose figures are means over seeds (with the accuracy's spread).
SEEDED = {"AutoEncoder", "VAE", "VAE, shared scale"}
SEEDS = {False: 3, True: 1}
REFERENCE = "all features"
TEST_SIZE = 0.25
RBM_PARAMS = {"learning_rate": 0.06, "n_iter": 20, "random_state": 0}
SWISS_ROLL_ROWS = {False: 3000, True: 2000}
SWISS_ROLL_WIDTH = 50
AE_EPOCHS = {False: 200, True: 50}


def split(X, y):
    """Split 75/25, stratified on ``y``, with seed 0."""
    return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=0)


def standardised_split(X, y):
    """Split, then standardise both parts with a scaler fitted on the train part."""
    X_train, X_test, y_train, y_test = split(X, y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def swiss_roll_50d(n_samples):
    """Return a swiss roll lifted nonlinearly to 50-D and its quartile classes."""
    points, t = make_swiss_roll(n_samples=n_samples, noise=0.05, random_state=0)
    points = StandardScaler().fit_transform(points)
    rng = np.random.default_rng(0)
    A = rng.normal(size=(points.shape[1], SWISS_ROLL_WIDTH))
    b = rng.normal(scale=0.5, size=SWISS_ROLL_WIDTH)
    X = np.tanh(points @ A + b) + 0.01 * rng.normal(size=(n_samples, SWISS_ROLL_WIDTH))
    y = np.digitize(t, np.quantile(t, [0.25, 0.5, 0.75]))
    return X, y


def load_dataset(name, quick):
    """Return ``(X_train, X_test, y_train, y_test)`` in the data set's error space."""
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return split(X / 16, y)
    if name == "breast_cancer":
        return standardised_split(*load_breast_cancer(return_X_y=True))
    return standardised_split(*swiss_roll_50d(SWISS_ROLL_ROWS[quick]))


def timed_fit(estimator, X):
    """Fit ``estimator`` on ``X``; return the seconds it took."""
    start = time.perf_counter()
    estimator.fit(X)
    return time.perf_counter() - start


def fit_pca(k, X_train, X_test, unit_range, max_epochs):
    """Fit PCA; return ``(seconds, train codes, test codes, test recons, epochs)``."""
    pca = PCA(n_components=k, random_state=0)
    seconds = timed_fit(pca, X_train)
    Z_test = pca.transform(X_test)
    return seconds, pca.transform(X_train), Z_test, pca.inverse_transform(Z_test), ""


def fit_rbm(k, X_train, X_test, unit_range, max_epochs):
    """Fit a BernoulliRBM, min-max scaling data not in [0, 1]; as ``fit_pca``."""
    scaler = None if unit_range else MinMaxScaler(clip=True).fit(X_train)
    if scaler is not None:
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    rbm = BernoulliRBM(n_components=k, **RBM_PARAMS)
    seconds = timed_fit(rbm, X_train)
    Z_test = rbm.transform(X_test)
    X_back = expit(Z_test @ rbm.components_ + rbm.intercept_visible_)
    if scaler is not None:
        X_back = scaler.inverse_transform(X_back)
    return seconds, rbm.transform(X_train), Z_test, X_back, rbm.n_iter


def neural_fitter(estimator_class, **params):
    """A fitter for ``estimator_class`` (AutoEncoder or VAE); as ``fit_pca``.

    The model sees data in [0, 1] unscaled and standardises the rest itself;
    ``params`` are passed on. The fitter takes a ``seed`` too.
    """

    def fit(k, X_train, X_test, unit_range, max_epochs, seed=0):
        model = estimator_class(
            n_components=k,
            numeric_scaling=None if unit_range else "standard",
            max_epochs=max_epochs,
            random_state=seed,
            **params,
        )
        seconds = timed_fit(model, X_train)
        Z_test = model.transform(X_test)
        X_back = model.inverse_transform(Z_test)
        return seconds, model.transform(X_train), Z_test, X_back, model.n_epochs_

    return fit


FITTERS = {
    "PCA": fit_pca,
    "BernoulliRBM": fit_rbm,
    "AutoEncoder": neural_fitter(AutoEncoder),
    "VAE": neural_fitter(VAE),
    "VAE, shared scale": neural_fitter(VAE, decoder_scale="shared"),
}


def classifier_accuracy(Z_train, Z_test, y_train, y_test):
    """Fit the downstream classifier on train codes; return held-out accuracy."""
    classifier = make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000, tol=1e-4)
    )
    classifier.fit(Z_train, y_train)
    return classifier.score(Z_test, y_test)


def model_row(name, k, model, data, unit_range, max_epochs, seeds):
    """Fit one model at ``k`` codes; return its row, with the MSE as a float.

    Models in ``SEEDED`` are fitted once per seed and their figures averaged.
    """
    X_train, X_test, y_train, y_test = data
    fitter = FITTERS[model]
    runs = []
    for seed in range(seeds if model in SEEDED else 1):
        kwargs = {"seed": seed} if model in SEEDED else {}
        seconds, Z_train, Z_test, X_back, epochs = fitter(
            k, X_train, X_test, unit_range, max_epochs, **kwargs
        )
        runs.append(
            (
                seconds,
                epochs,
                float(np.mean((X_back - X_test) ** 2)),
                classifier_accuracy(Z_train, Z_test, y_train, y_test),
            )
        )
    seconds, epochs, mse, accuracies = zip(*runs, strict=True)
    accuracy = f"{np.mean(accuracies):.3f}"
    if len(runs) > 1:
        accuracy += f" ± {np.std(accuracies):.3f}"
    return {
        "data": name,
        "k": k,
        "model": model,
        "fit s": f"{np.median(seconds):.3f}",
        "epochs": epochs[0] if len(runs) == 1 else f"{np.mean(epochs):.0f}",
        "test MSE": float(np.mean(mse)),
        "MSE / PCA": "",
        "LogReg accuracy": accuracy,
    }


def reference_row(name, data):
    """Return the row of the classifier on all input features."""
    X_train = data[0]
    return {
        "data": name,
        "k": X_train.shape[1],
        "model": REFERENCE,
        "fit s": "",
        "epochs": "",
        "test MSE": 0.0,
        "MSE / PCA": "",
        "LogReg accuracy": f"{classifier_accuracy(*data):.3f}",
    }


def dataset_rows(name, quick):
    """Return one data set's rows: each model at each k, then the reference."""
    data = load_dataset(name, quick)
    unit_range = name in UNIT_RANGE
    models = [m for m in MODELS if unit_range or m not in UNIT_RANGE_MODELS]
    rows = []
    for k in N_COMPONENTS:
        k_rows = [
            model_row(name, k, model, data, unit_range, AE_EPOCHS[quick], SEEDS[quick])
            for model in models
        ]
        pca_mse = k_rows[MODELS.index("PCA")]["test MSE"]
        for k_row in k_rows:
            k_row["MSE / PCA"] = f"{k_row['test MSE'] / pca_mse:.2f}"
        rows.extend(k_rows)
    rows.append(reference_row(name, data))
    return rows


def formatted(row):
    """Return ``row`` with the MSE to 4 significant digits."""
    return {**row, "test MSE": f"{row['test MSE']:.4g}"}


def warm_up():
    """Fit a tiny AutoEncoder, untimed, so no timed fit pays torch's start-up."""
    X = np.random.default_rng(0).normal(size=(64, 4))
    AutoEncoder(max_epochs=2, random_state=0).fit(X)


def tables(quick=False):
    """Return ``[(title, rows)]``: one table, its rows dicts with the same keys."""
    with limited_threads() as threads:
        warm_up()
        rows = [
            formatted(row) for name in DATASETS for row in dataset_rows(name, quick)
        ]
    title = (
        "Representation: held-out reconstruction MSE and LogReg accuracy on the "
        f"codes, k = n_components (scikit-learn {sklearn.__version__}, torch "
        f"{torch.__version__}, {threads} thread(s), AutoEncoder and VAE "
        f"max_epochs={AE_EPOCHS[quick]}, mean ± std over {SEEDS[quick]} seed(s))"
    )
    return [(title, rows)]


if __name__ == "__main__":
    main_for(tables, __doc__.splitlines()[0])
