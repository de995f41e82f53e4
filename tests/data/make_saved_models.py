"""Write the saved-model fixtures of ``tests/test_saved_files.py``.

The files in this folder were written by skgen 0.1.0.dev0 at commit 3c0e59b,
before the package was restructured (issue 15), together with the results
each model gave then (``expected.json``). The test loads them with the
current code and checks that every result is unchanged, so a change that
breaks files users already have fails. Rerun this script only for a
deliberate format change, and say so in the changelog.

    python tests/data/make_saved_models.py
"""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris

from skgen import GAN, VAE, AutoEncoder, GenerativeOverSampler

HERE = Path(__file__).parent
TINY = {"hidden_layer_sizes": (8,), "max_epochs": 3, "random_state": 0}
TINY_GAN = {
    "noise_dim": 4,
    "generator_layer_sizes": (8,),
    "discriminator_layer_sizes": (8,),
    "max_epochs": 3,
    "batch_size": 16,
    "random_state": 0,
}


def small_frame(n_samples=60):
    """Numbers, an integer, a boolean, a category with a missing value, strings."""
    rng = np.random.default_rng(0)
    t = rng.normal(size=(n_samples, 2))
    colour = pd.Categorical(
        np.where(t[:, 0] > 0.3, "red", np.where(t[:, 1] > 0, "blue", "green")),
        categories=["red", "green", "blue", "grey"],
    )
    colour[::11] = np.nan
    return pd.DataFrame(
        {
            "height": t[:, 0],
            "income": np.exp(t[:, 1]).astype(np.float32),
            "rooms": np.clip(np.rint(3 + 2 * t[:, 0]), 1, 6).astype(np.int64),
            "garden": t[:, 1] > 0,
            "colour": colour,
            "zone": pd.Series(np.where(t[:, 1] > 0.5, "north", "south"), dtype=object),
        }
    )


def frame_labels(frame):
    """Two string classes of the small frame."""
    return np.where(frame["height"] > 0, "tall", "short")


def as_json(result):
    """An array or frame as JSON that keeps every value and dtype."""
    if isinstance(result, pd.DataFrame):
        return {
            "columns": {
                name: {
                    "dtype": str(column.dtype),
                    "values": [None if pd.isna(v) else v for v in column.tolist()],
                }
                for name, column in result.items()
            }
        }
    result = np.asarray(result)
    return {"dtype": str(result.dtype), "values": result.tolist()}


def main():
    """Fit, save and record the results of four small models."""
    # The tests compute on one torch thread (tests/conftest.py), and skgen
    # follows OMP_NUM_THREADS at every fit; so does this.
    os.environ["OMP_NUM_THREADS"] = "1"
    frame = small_frame()
    labels = frame_labels(frame)
    X_iris, y_iris = load_iris(return_X_y=True)
    expected = {}

    ae = AutoEncoder(n_components=2, **TINY).fit(frame)
    ae.save(HERE / "autoencoder_frame.skgen")
    Z = ae.transform(frame)
    expected["autoencoder_frame"] = {
        "transform": as_json(Z),
        "inverse_transform": as_json(ae.inverse_transform(Z)),
        "score_samples": as_json(ae.score_samples(frame)),
    }

    vae = VAE(n_components=2, conditional=True, **TINY).fit(X_iris, y_iris)
    vae.save(HERE / "vae_conditional.skgen")
    expected["vae_conditional"] = {
        "transform": as_json(vae.transform(X_iris)),
        "score_samples": as_json(vae.score_samples(X_iris)),
        "sample": as_json(vae.sample(6, y=[0, 1, 2, 0, 1, 2], random_state=0)),
    }

    gan = GAN(validation_fraction=0.25, **TINY_GAN).fit(frame, labels)
    gan.save(HERE / "gan_conditional.skgen")
    expected["gan_conditional"] = {
        "sample": as_json(gan.sample(6, y="tall", random_state=0)),
        "valid_auc": as_json(gan.history_[:, "valid_auc"]),
    }

    sampler = GenerativeOverSampler(VAE(**TINY), random_state=0)
    sampler.fit_resample(frame, labels)
    sampler.save(HERE / "oversampler_vae.skgen")
    expected["oversampler_vae"] = {
        "sample": as_json(sampler.generator_.sample(6, y="short", random_state=0)),
    }

    with open(HERE / "expected.json", "w") as file:
        json.dump(expected, file, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main()
