"""Methods after fit read fitted state only: ``set_params`` changes nothing until refit.

scikit-learn's rule: ``transform``, ``inverse_transform``, ``score_samples``,
``sample`` and ``get_feature_names_out`` of a fitted estimator use what fit
learned, never a parameter set since. Each test fits a model, records what
it returns, sets one parameter to another valid value and checks that every
result is unchanged.
"""

import numpy as np
import pandas as pd
import pytest

from skgen import GAN, VAE, AutoEncoder, AutoregressiveGenerator
from tests.conftest import make_mixed_frame

# Another valid value for every parameter of the three networks.
ALTERNATIVES = {
    "n_components": 4,
    "hidden_layer_sizes": (32, 16),
    "activation": "tanh",
    "dropout": 0.5,
    "noise_std": 0.3,
    "corruption": "swap",
    "corruption_rate": 0.3,
    "predict_corruption": True,
    "features": "all_layers",
    "category_weights": None,
    "categorical_features": None,
    "handle_unknown": "ignore",
    "numeric_scaling": None,
    "handle_missing": "error",
    "max_discrete_values": 3,
    "numeric_output": "raw",
    "max_epochs": 1,
    "batch_size": 7,
    "lr": 0.5,
    "optimizer": "sgd",
    "weight_decay": 0.1,
    "validation_fraction": 0.5,
    "n_iter_no_change": None,
    "tol": 0.5,
    "callbacks": [],
    "device": "cpu",
    "random_state": 123,
    "verbose": 1,
    "beta": 3.0,
    "kl_warmup_epochs": 5,
    "decoder_scale": "shared",
    "conditional": False,
    "sampling_strategy": "all",
    "filter_factor": 2.0,
    "fill_fraction": 0.5,
    "noise_dim": 8,
    "generator_layer_sizes": (8,),
    "discriminator_layer_sizes": (8,),
    "loss": "wasserstein",
    "gradient_penalty": 1.0,
    "discriminator_steps": 3,
    "pac": 2,
    "generator_lr": 0.5,
    "discriminator_lr": 0.5,
    "n_mixture_components": 2,
}
SMALL = {"max_epochs": 3, "random_state": 0}
MODELS = {
    "AutoEncoder": lambda: AutoEncoder(2, hidden_layer_sizes=(16,), **SMALL),
    "VAE": lambda: VAE(2, conditional=True, hidden_layer_sizes=(16,), **SMALL),
    "GAN": lambda: GAN(
        noise_dim=4,
        generator_layer_sizes=(16,),
        discriminator_layer_sizes=(16,),
        **SMALL,
    ),
    "AutoregressiveGenerator": lambda: AutoregressiveGenerator(
        hidden_layer_sizes=(16,), **SMALL
    ),
}


@pytest.fixture(scope="module")
def data():
    frame = make_mixed_frame(120)
    return frame, np.where(frame["height"] > 0, "tall", "short")


def outputs(model, frame):
    """Everything a fitted model returns for ``frame``, as arrays and frames."""
    results = {}
    if hasattr(model, "transform"):
        Z = model.transform(frame)
        results["transform"] = Z
        results["inverse_transform"] = model.inverse_transform(Z)
        results["score_samples"] = model.score_samples(frame)
        results["feature_names"] = model.get_feature_names_out()
    if hasattr(model, "sample"):
        results["sample"] = model.sample(20, random_state=0)
        results["sample_of_a_class"] = model.sample(20, y="tall", random_state=0)
    return results


def assert_same(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(after[key], value, check_exact=True)
        else:
            np.testing.assert_array_equal(after[key], value, err_msg=key)


def parameters(name):
    return sorted(MODELS[name]().get_params())


@pytest.mark.parametrize("name", MODELS)
def test_every_parameter_has_an_alternative(name):
    assert set(parameters(name)) <= set(ALTERNATIVES)


@pytest.fixture(scope="module")
def fitted(data):
    frame, labels = data
    return {name: make().fit(frame, labels) for name, make in MODELS.items()}


@pytest.mark.parametrize(
    "name, parameter",
    [(name, parameter) for name in MODELS for parameter in parameters(name)],
)
def test_set_params_after_fit_changes_no_result(name, parameter, fitted, data):
    frame, _ = data
    model = fitted[name]
    before = outputs(model, frame)
    original = model.get_params()[parameter]
    model.set_params(**{parameter: ALTERNATIVES[parameter]})
    try:
        assert_same(before, outputs(model, frame))
    finally:
        model.set_params(**{parameter: original})
