"""Seeding: fits draw from their own generators only, so threads cannot mix them.

A fit's initial weights, batch order, dropout and every noise come from
generators seeded from its ``random_state`` (``skgen._torch.private_rng``),
never from torch's global generators. Two fits in concurrent threads must
therefore be bit-identical to the same fits run alone, and leave torch's
global random state as it was.
"""

import io
import pickle
import threading

import numpy as np
import pytest
import torch

from skgen import GAN, VAE, AutoEncoder, AutoregressiveGenerator
from skgen._torch import active_rng

SEEDS = (1, 2)

# Concurrent runs of each model: a race shows up in some runs only.
N_CONCURRENT_RUNS = 3

MODELS = {
    "AutoEncoder": lambda seed: AutoEncoder(
        hidden_layer_sizes=(16,),
        dropout=0.2,
        noise_std=0.1,
        max_epochs=4,
        random_state=seed,
    ),
    "VAE": lambda seed: VAE(hidden_layer_sizes=(16,), max_epochs=4, random_state=seed),
    "GAN": lambda seed: GAN(
        generator_layer_sizes=(16,),
        discriminator_layer_sizes=(16,),
        batch_size=30,
        max_epochs=3,
        random_state=seed,
    ),
    "AutoregressiveGenerator": lambda seed: AutoregressiveGenerator(
        hidden_layer_sizes=(16,), dropout=0.2, max_epochs=3, random_state=seed
    ),
}


@pytest.fixture(scope="module")
def X():
    """Small data: 90 rows of 5 features."""
    return np.random.default_rng(0).normal(size=(90, 5))


def outputs(model, X):
    """What a fitted model returns and holds: its outputs and its weights.

    Returns a dict of numpy arrays: ``transform`` and ``sample`` where the
    model has them, and every tensor of the module's ``state_dict``.
    """
    results = {}
    if hasattr(model, "transform"):
        results["transform"] = model.transform(X)
    if hasattr(model, "sample"):
        results["sample"] = np.asarray(model.sample(20, random_state=0))
    for name, tensor in model.net_.module_.state_dict().items():
        results[f"state_dict.{name}"] = tensor.detach().cpu().numpy().copy()
    return results


def assert_identical(actual, expected):
    """Assert two :func:`outputs` are equal bit for bit."""
    assert actual.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_array_equal(actual[name], value, err_msg=name)


def global_rng_states():
    """torch's global generator states: the CPU's and every CUDA device's."""
    states = [torch.get_rng_state()]
    if torch.cuda.is_available():
        states += torch.cuda.get_rng_state_all()
    return states


def assert_same_states(after, before):
    """Assert two :func:`global_rng_states` are equal."""
    assert len(after) == len(before)
    for state_after, state_before in zip(after, before, strict=True):
        assert torch.equal(state_after, state_before)


def fit_in_threads(make, X, seeds):
    """Fit ``make(seed)`` for every seed, each in its own thread, all at once.

    A barrier starts the fits together. Returns the :func:`outputs` of each
    fit by seed; an exception in a thread is raised here.
    """
    start = threading.Barrier(len(seeds))
    results, errors = {}, []

    def fit(seed):
        try:
            start.wait()
            results[seed] = outputs(make(seed).fit(X), X)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller
            errors.append(exc)

    threads = [threading.Thread(target=fit, args=(seed,)) for seed in seeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.mark.parametrize("name", MODELS)
def test_concurrent_fits_match_fits_alone(name, X):
    make = MODELS[name]
    alone = {seed: outputs(make(seed).fit(X), X) for seed in SEEDS}
    first_weights = next(name for name in alone[1] if name.endswith(".weight"))
    assert not np.array_equal(alone[1][first_weights], alone[2][first_weights])
    before = global_rng_states()
    for _ in range(N_CONCURRENT_RUNS):
        concurrent = fit_in_threads(make, X, SEEDS)
        for seed in SEEDS:
            assert_identical(concurrent[seed], alone[seed])
    assert_same_states(global_rng_states(), before)


@pytest.mark.parametrize("name", MODELS)
def test_fit_neither_reads_nor_changes_global_generators(name, X):
    make = MODELS[name]
    torch.manual_seed(123)
    before = global_rng_states()
    first = outputs(make(0).fit(X), X)
    assert_same_states(global_rng_states(), before)
    # Another global state gives the same fit: the fit never read it.
    torch.manual_seed(456)
    assert_identical(outputs(make(0).fit(X), X), first)


@pytest.mark.parametrize("name", MODELS)
def test_refit_equals_fresh_fit(name, X):
    make = MODELS[name]
    model = make(0).fit(X)
    first = outputs(model, X)
    assert_identical(outputs(model.fit(X), X), first)
    assert_identical(outputs(make(0).fit(X), X), first)


class GeneratorFinder(pickle.Pickler):
    """A pickler that records every ``torch.Generator`` it meets."""

    def __init__(self):
        super().__init__(io.BytesIO())
        self.generators = []

    def reducer_override(self, obj):
        """Record generators; pickle everything as usual."""
        if isinstance(obj, torch.Generator):
            self.generators.append(obj)
        return NotImplemented


@pytest.mark.parametrize("name", MODELS)
def test_fitted_model_keeps_no_generator(name, X):
    model = MODELS[name](0).fit(X)
    finder = GeneratorFinder()
    finder.dump(model)
    assert finder.generators == []
    # Nor is the fit's generator still active.
    assert active_rng() is None


def test_dropout_and_noise_follow_the_seed(X):
    """Dropout and input noise draw from the fit's generator, and change results."""

    def fit(seed, **params):
        model = AutoEncoder(hidden_layer_sizes=(16,), max_epochs=4, random_state=seed)
        return model.set_params(**params).fit(X).transform(X)

    plain = fit(0)
    noisy = fit(0, dropout=0.2, noise_std=0.1)
    assert not np.array_equal(noisy, plain)
    np.testing.assert_array_equal(fit(0, dropout=0.2, noise_std=0.1), noisy)
    assert not np.array_equal(fit(1, dropout=0.2, noise_std=0.1), noisy)
