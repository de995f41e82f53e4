"""Shared fixtures for skgen's tests."""

import numpy as np
import pytest


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


def numpy_global_state():
    """Return the key array and position of numpy's global generator."""
    # The legacy global generator is exactly what skgen must leave alone.
    _, keys, position, *_ = np.random.get_state()  # noqa: NPY002
    return keys.copy(), position
