"""What every model needs from torch: seeding, devices, dtypes, threads."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import GAN, VAE, AutoEncoder
from skgen._torch import derive_seed, resolve_device, to_float32_tensor, torch_threads
from tests.conftest import TEST_DEVICE, numpy_global_state


class TestDeriveSeed:
    def test_int_is_reproducible(self):
        seeds = {derive_seed(42) for _ in range(5)}
        assert len(seeds) == 1
        assert derive_seed(42) != derive_seed(43)
        (seed,) = seeds
        assert isinstance(seed, int) and 0 <= seed < 2**32

    def test_random_state_instance_is_consumed(self):
        rng = np.random.RandomState(0)
        assert derive_seed(rng) != derive_seed(rng)
        assert derive_seed(np.random.RandomState(0)) == derive_seed(
            np.random.RandomState(0)
        )

    def test_none_leaves_numpy_global_state_alone(self):
        before = numpy_global_state()
        seeds = {derive_seed(None) for _ in range(5)}
        after = numpy_global_state()
        np.testing.assert_array_equal(after[0], before[0])
        assert after[1] == before[1]
        # Fresh entropy every call.
        assert len(seeds) == 5
        assert all(isinstance(seed, int) and seed >= 0 for seed in seeds)


class TestResolveDevice:
    def test_auto(self):
        expected = "cuda" if torch.cuda.is_available() else "cpu"
        assert resolve_device("auto").type == expected

    def test_cpu(self):
        assert resolve_device("cpu") == torch.device("cpu")

    @pytest.mark.parametrize("device", ["gpu0", "not-a-device", ""])
    def test_invalid(self, device):
        with pytest.raises(ValueError, match="valid torch device"):
            resolve_device(device)

    @pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available")
    @pytest.mark.parametrize("device", ["cuda", "cuda:1"])
    def test_cuda_unavailable(self, device):
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device(device)

    @pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available")
    def test_estimator_reports_cuda_unavailable(self, X_digits):
        with pytest.raises(ValueError, match="CUDA is not available"):
            AutoEncoder(device="cuda", max_epochs=1).fit(X_digits)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_to_float32_tensor():
    X = np.arange(6, dtype=np.float64).reshape(2, 3)
    Xt = to_float32_tensor(X, torch.device("cpu"))
    assert Xt.dtype == torch.float32
    np.testing.assert_array_equal(Xt.numpy(), X)

    X32 = X.astype(np.float32)
    # float32 input shares its memory rather than being copied.
    assert to_float32_tensor(X32, torch.device("cpu")).data_ptr() == X32.ctypes.data

    with pytest.raises(ValueError, match="float32"):
        to_float32_tensor(np.array([[1e300]]), torch.device("cpu"))


class TestTorchThreads:
    @pytest.fixture
    def two_threads(self):
        """Run with torch using two threads, restoring the original count after."""
        original = torch.get_num_threads()
        torch.set_num_threads(2)
        yield
        torch.set_num_threads(original)

    def test_follows_omp_num_threads(self, monkeypatch, two_threads):
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        with torch_threads():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2

    def test_restores_after_error(self, monkeypatch, two_threads):
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        with pytest.raises(RuntimeError, match="boom"), torch_threads():
            raise RuntimeError("boom")
        assert torch.get_num_threads() == 2

    @pytest.mark.parametrize("value", [None, "", "0", "abc", "-2"])
    def test_ignores_unset_or_invalid(self, monkeypatch, two_threads, value):
        if value is None:
            monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        else:
            monkeypatch.setenv("OMP_NUM_THREADS", value)
        with torch_threads():
            assert torch.get_num_threads() == 2
        assert torch.get_num_threads() == 2


def test_grid_search_in_parallel_matches_serial(X_digits):
    pipe = make_pipeline(
        StandardScaler(),
        AutoEncoder(hidden_layer_sizes=(16,), max_epochs=5, random_state=0),
    )
    grid = {"autoencoder__n_components": [1, 6]}
    serial = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X_digits)
    parallel = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X_digits)

    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-3,
    )


@pytest.mark.parametrize("estimator", [AutoEncoder, VAE, GAN])
def test_fits_run_on_the_test_device(estimator):
    """With SKGEN_TEST_DEVICE set, the suite's fits run there (see conftest)."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    model = estimator(max_epochs=1, random_state=0).fit(X)
    parameter = next(model.net_.module_.parameters())
    expected = torch.device(TEST_DEVICE) if TEST_DEVICE else resolve_device("auto")
    assert parameter.device.type == expected.type
