"""scikit-learn's estimator checks on every public skgen estimator."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from skgen import (
    GAN,
    VAE,
    AutoEncoder,
    AutoregressiveGenerator,
    GenerativeOverSampler,
)

# Few epochs keep the ~50 checks fast; the checks test the API, not quality.
TRANSFORMERS = [
    AutoEncoder(max_epochs=5, random_state=0),
    VAE(max_epochs=5, random_state=0),
    VAE(conditional=True, max_epochs=5, random_state=0),
]
SAMPLERS = [
    GenerativeOverSampler(
        VAE(hidden_layer_sizes=(16,), max_epochs=5, random_state=0), random_state=0
    ),
    GAN(
        generator_layer_sizes=(16,),
        discriminator_layer_sizes=(16,),
        max_epochs=5,
        random_state=0,
    ),
    AutoregressiveGenerator(hidden_layer_sizes=(16,), max_epochs=5, random_state=0),
]
ESTIMATORS = TRANSFORMERS + SAMPLERS

# Each expected failure names its check and why it cannot pass.
EXPECTED_FAILED_CHECKS = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda est: type(est).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


TRANSFORMER_CHECKS = [
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
]


@pytest.mark.parametrize("estimator", TRANSFORMERS, ids=lambda est: type(est).__name__)
@pytest.mark.parametrize("check", TRANSFORMER_CHECKS, ids=lambda check: check.__name__)
def test_transformer_checks(estimator, check):
    check(type(estimator).__name__, estimator)
