"""Internals shared by skgen's estimators: data path, seeding, devices, threads."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skgen import AutoEncoder
from skgen._base import derive_seed, resolve_device, to_float32_tensor, torch_threads
from skgen._data import SliceIterator, TensorDataset
from skgen._nets import DivergenceGuard
from tests.conftest import numpy_global_state


@pytest.fixture(scope="module")
def X_digits():
    """The first 200 digits scaled to [0, 1]."""
    X, _ = load_digits(return_X_y=True)
    return X[:200] / 16


class TestSliceIterator:
    n_samples = 10
    batch_size = 4

    @pytest.fixture
    def dataset(self):
        X = torch.arange(self.n_samples, dtype=torch.float32).reshape(-1, 1) * 10
        y = torch.arange(self.n_samples)
        return TensorDataset(X, y)

    @staticmethod
    def _rows(iterator):
        """Return the row ids (``y``) of one pass, and the batch sizes."""
        batches = list(iterator)
        sizes = [len(X) for X, _ in batches]
        for X, y in batches:
            torch.testing.assert_close(X[:, 0], y.float() * 10)
        return torch.cat([y for _, y in batches]).tolist(), sizes

    def test_len(self, dataset):
        for batch_size, expected in [(1, 10), (3, 4), (4, 3), (5, 2), (10, 1), (11, 1)]:
            assert len(SliceIterator(dataset, batch_size)) == expected

    def test_in_order_without_shuffle(self, dataset):
        iterator = SliceIterator(dataset, self.batch_size)
        for _ in range(2):
            rows, sizes = self._rows(iterator)
            assert rows == list(range(self.n_samples))
            assert sizes == [4, 4, 2]
        assert len(iterator) == len(sizes)

    def test_without_y(self, dataset):
        iterator = SliceIterator(TensorDataset(dataset.X), self.batch_size)
        batches = list(iterator)
        assert all(y is None for _, y in batches)
        torch.testing.assert_close(torch.cat([X for X, _ in batches]), dataset.X)
        assert [len(X) for X, _ in batches] == [4, 4, 2]

        shuffled = SliceIterator(
            TensorDataset(dataset.X),
            self.batch_size,
            shuffle=True,
            generator=torch.Generator().manual_seed(0),
        )
        batches = list(shuffled)
        assert all(y is None for _, y in batches)
        values = torch.cat([X for X, _ in batches])[:, 0]
        assert sorted(values.tolist()) == dataset.X[:, 0].tolist()

    def test_shuffle_visits_every_row_once(self, dataset):
        generator = torch.Generator().manual_seed(0)
        iterator = SliceIterator(
            dataset, self.batch_size, shuffle=True, generator=generator
        )
        first, sizes = self._rows(iterator)
        second, _ = self._rows(iterator)
        assert sorted(first) == sorted(second) == list(range(self.n_samples))
        assert sizes == [4, 4, 2]
        # A new pass draws a new order.
        assert first != second
        assert first != list(range(self.n_samples))

    def test_shuffle_order_follows_the_generator(self, dataset):
        def passes(seed):
            generator = torch.Generator().manual_seed(seed)
            iterator = SliceIterator(dataset, 3, shuffle=True, generator=generator)
            return [self._rows(iterator)[0] for _ in range(3)]

        torch_state = torch.get_rng_state()
        assert passes(0) == passes(0)
        assert passes(0) != passes(1)
        # An explicit generator leaves the global torch RNG alone.
        assert torch.equal(torch.get_rng_state(), torch_state)

    def test_dataset_length_mismatch(self):
        with pytest.raises(ValueError, match="rows"):
            TensorDataset(torch.zeros(5, 2), torch.zeros(4))


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


class TestDivergence:
    params = {
        "hidden_layer_sizes": (8,),
        "lr": 1e10,
        "optimizer": "sgd",
        "max_epochs": 5,
        "random_state": 0,
    }

    def test_raises_with_clear_message(self, X_digits):
        ae = AutoEncoder(**self.params)
        with pytest.raises(FloatingPointError, match=r"epoch \d+.*learning rate"):
            ae.fit(X_digits * 100)

    def test_leaves_estimator_unfitted(self, X_digits):
        ae = AutoEncoder(**self.params)
        with pytest.raises(FloatingPointError):
            ae.fit(X_digits * 100)
        with pytest.raises(NotFittedError):
            check_is_fitted(ae)
        with pytest.raises(NotFittedError):
            ae.transform(X_digits)

    def test_guard_checks_validation_loss(self, X_digits):
        ae = AutoEncoder(validation_fraction=0.2, **self.params)
        with pytest.raises(FloatingPointError, match="diverged"):
            ae.fit(X_digits * 100)

    def test_guard_passes_finite_losses(self):
        class Net:
            lr = 0.1
            history = [{"epoch": 1, "train_loss": 0.5, "valid_loss": 0.4}]

        DivergenceGuard().on_epoch_end(Net())
        Net.history = [{"epoch": 7, "train_loss": 0.5, "valid_loss": float("nan")}]
        with pytest.raises(
            FloatingPointError, match="valid loss became nan at epoch 7"
        ):
            DivergenceGuard().on_epoch_end(Net())


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
