"""Files saved before the restructure (issue 15) load and give the same results.

``tests/data`` holds four small models saved by skgen at commit 3c0e59b and
what they returned then; ``tests/data/make_saved_models.py`` wrote both.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skgen import GAN, VAE, AutoEncoder, GenerativeOverSampler, load
from tests.data.make_saved_models import as_json, frame_labels, small_frame

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def expected():
    with open(DATA / "expected.json") as file:
        return json.load(file)


@pytest.fixture(scope="module")
def frame():
    return small_frame()


def saved(name):
    """The model saved as ``name``, loaded on the CPU."""
    return load(DATA / f"{name}.skgen", device="cpu")


def assert_same(result, recorded):
    """``result`` has the dtypes, categories and numbers recorded.

    On the machine that wrote them the results are bit-identical; float32
    kernels differ in the last bits between CPUs, hence the tolerance.
    """
    result = as_json(result)
    if "columns" not in recorded:
        assert result["dtype"] == recorded["dtype"]
        np.testing.assert_allclose(result["values"], recorded["values"], rtol=1e-5)
        return
    assert list(result["columns"]) == list(recorded["columns"])
    for name, column in recorded["columns"].items():
        got = result["columns"][name]
        assert got["dtype"] == column["dtype"], name
        if column["dtype"].startswith("float"):
            np.testing.assert_allclose(got["values"], column["values"], rtol=1e-5)
        else:
            assert got["values"] == column["values"], name


def test_autoencoder_on_a_frame(expected, frame):
    ae = saved("autoencoder_frame")
    assert isinstance(ae, AutoEncoder)
    recorded = expected["autoencoder_frame"]
    Z = ae.transform(frame)
    assert_same(Z, recorded["transform"])
    assert_same(ae.inverse_transform(Z), recorded["inverse_transform"])
    assert_same(ae.score_samples(frame), recorded["score_samples"])
    # Parameters added since: the values that train as these files were.
    assert (ae.corruption, ae.category_weights, ae.features) == (None, None, "codes")
    assert ae.get_feature_names_out().tolist() == [f"autoencoder{i}" for i in range(2)]


def test_conditional_vae(expected):
    vae = saved("vae_conditional")
    assert isinstance(vae, VAE)
    X, _ = load_iris(return_X_y=True)
    recorded = expected["vae_conditional"]
    assert_same(vae.transform(X), recorded["transform"])
    assert_same(vae.score_samples(X), recorded["score_samples"])
    assert vae.features == "codes" and not hasattr(vae, "features_")
    sample = vae.sample(6, y=[0, 1, 2, 0, 1, 2], random_state=0)
    assert_same(sample, recorded["sample"])


def test_conditional_gan(expected):
    gan = saved("gan_conditional")
    assert isinstance(gan, GAN)
    # Parameters added since: the values that resample as the file did.
    assert (gan.filter_factor, gan.fill_fraction) == (1.0, 1.0)
    recorded = expected["gan_conditional"]
    assert_same(gan.sample(6, y="tall", random_state=0), recorded["sample"])
    assert_same(gan.history_[:, "valid_auc"], recorded["valid_auc"])


def test_generative_over_sampler(expected, frame):
    sampler = saved("oversampler_vae")
    assert isinstance(sampler, GenerativeOverSampler)
    assert (sampler.filter_factor, sampler.fill_fraction) == (1.0, 1.0)
    recorded = expected["oversampler_vae"]
    sample = sampler.generator_.sample(6, y="short", random_state=0)
    assert_same(sample, recorded["sample"])
    # The loaded sampler resamples like a fresh one.
    X_res, y_res = sampler.fit_resample(frame, frame_labels(frame))
    assert (
        np.unique(y_res, return_counts=True)[1].tolist()
        == [max(np.unique(frame_labels(frame), return_counts=True)[1])] * 2
    )
    assert X_res.dtypes.equals(frame.dtypes)
