"""Shared fixtures for skgen's tests."""

import os

# scikit-learn's check_array_api_input runs only when scipy's array API support
# is on, and scipy reads this once, at import.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def single_torch_thread():
    """Train the tests' tiny nets on one torch thread, through skgen's mechanism.

    skgen follows ``OMP_NUM_THREADS`` during fit and transform. Nets this small
    gain little from a second thread, and two torch threads competing with
    another process for two cores slow a fit by 10-100x (measured here).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")
        yield


# The device every fit with device="auto" (the tests' default) runs on, e.g.
# SKGEN_TEST_DEVICE=cuda to run the suite on a GPU; unset, "auto" keeps its
# meaning (CUDA when available).
TEST_DEVICE = os.environ.get("SKGEN_TEST_DEVICE")


@pytest.fixture(autouse=True)
def test_device(monkeypatch):
    """Resolve ``device="auto"`` to ``SKGEN_TEST_DEVICE`` when it is set.

    ``skgen._torch.auto_device`` is the one place that says what "auto" means.
    """
    if TEST_DEVICE:
        monkeypatch.setattr(
            "skgen._torch.auto_device", lambda: torch.device(TEST_DEVICE)
        )
    yield


@pytest.fixture(scope="session")
def X_digits():
    """The first 200 digits scaled to [0, 1]."""
    X, _ = load_digits(return_X_y=True)
    return X[:200] / 16


@pytest.fixture(autouse=True)
def seed_global_rngs():
    """Seed the global numpy and torch generators so every test is repeatable."""
    np.random.seed(0)  # noqa: NPY002
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def blobs():
    """Two labelled Gaussian blobs in 4-D, centred at -2 and +2."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    X = rng.normal(size=(400, 4)) + np.where(y == 0, -2.0, 2.0)[:, None]
    return X, y


@pytest.fixture(scope="session")
def conditional_vae(blobs):
    """A VAE conditioned on the blobs' labels."""
    from skgen import VAE

    X, y = blobs
    vae = VAE(
        n_components=2,
        conditional=True,
        hidden_layer_sizes=(32,),
        max_epochs=60,
        random_state=0,
    )
    return vae.fit(X, y)


@pytest.fixture(scope="session")
def conditional_gan(blobs):
    """A GAN conditioned on the blobs' labels."""
    from skgen import GAN

    X, y = blobs
    # Standardised numbers: normal scores close the gap between the two blobs
    # in each column, and a class's rows then spill into the other blob (the
    # spread of class 0 came out 1.6x too wide, which test_spread_is_learned
    # catches). The user guide names this weakness of numeric_scaling="quantile".
    return GAN(
        max_epochs=150, batch_size=100, numeric_scaling="standard", random_state=0
    ).fit(X, y)


@pytest.fixture(scope="session")
def conditional_autoregressivegenerator(blobs):
    """An AutoregressiveGenerator conditioned on the blobs' labels."""
    from skgen import AutoregressiveGenerator

    X, y = blobs
    model = AutoregressiveGenerator(
        hidden_layer_sizes=(32, 32), max_epochs=60, random_state=0
    )
    return model.fit(X, y)


def numpy_global_state():
    """Return the key array and position of numpy's global generator."""
    # The legacy global generator is exactly what skgen must leave alone.
    _, keys, position, *_ = np.random.get_state()  # noqa: NPY002
    return keys.copy(), position


def make_mixed_frame(n_samples=600, random_state=0):
    """A table with every kind of column skgen encodes, driven by 3 latent factors.

    Numeric (one skewed, one on a large scale), integer, boolean, a category
    column with missing values and an unobserved category, an object column and
    a string column; the categories follow the factors, so a model can learn
    them from the other columns.
    """
    rng = np.random.default_rng(random_state)
    t = rng.normal(size=(n_samples, 3))
    noise = 0.1 * rng.normal(size=(n_samples, 4))
    colours = np.array(["red", "green", "blue", "grey"])
    colour = pd.Categorical(
        colours[np.argmax(t @ [[1, -1, 0, 0], [0, 1, -1, 0], [1, 0, 0, -1]], 1)],
        categories=["red", "green", "blue", "grey", "violet"],
    )
    colour[rng.random(n_samples) < 0.08] = np.nan
    size = np.where(t[:, 2] < -0.5, "small", np.where(t[:, 2] < 0.5, "medium", "large"))
    return pd.DataFrame(
        {
            "height": t[:, 0] + noise[:, 0],
            "income": np.exp(t[:, 1] + noise[:, 1]).astype(np.float32),
            "area": 1000.0 * t[:, 2] + noise[:, 2],
            "rooms": np.clip(np.rint(3 + t[:, 0] + t[:, 2]), 1, 7).astype(np.int64),
            "garden": t[:, 1] + noise[:, 3] > 0,
            "colour": colour,
            "size": pd.Series(size, dtype=object),
            "zone": pd.Series(np.where(t[:, 0] > 0, "north", "south"), dtype="string"),
        }
    )
