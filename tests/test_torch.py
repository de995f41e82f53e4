"""What every model needs from torch: seeding, devices, dtypes, threads, imports."""

import signal
import threading

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import GAN, VAE, AutoEncoder
from skgen._torch import (
    ONE_THREAD_WORK,
    active_rng,
    available_devices,
    complete_lazy_imports,
    deferred_sigint,
    derive_seed,
    private_rng,
    resolve_device,
    thread_count,
    to_float32_tensor,
    torch_threads,
)
from tests.conftest import TEST_DEVICE, numpy_global_state

CPU = torch.device("cpu")

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA")


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
        with pytest.raises(ValueError, match="valid torch device.*available here"):
            resolve_device(device)

    @pytest.mark.parametrize("device", ["mps", "xpu", "meta", "mps:0", "xpu:1"])
    def test_unsupported_type_names_it_and_lists_available(self, device):
        expected = ", ".join(repr(name) for name in available_devices())
        with pytest.raises(ValueError, match="not supported") as info:
            resolve_device(device)
        message = str(info.value)
        assert f"device={device!r}" in message
        assert f"available here: {expected}" in message

    def test_available_devices(self):
        names = available_devices()
        assert names[0] == "cpu"
        if torch.cuda.is_available():
            count = torch.cuda.device_count()
            assert names[1:] == ["cuda"] + [f"cuda:{i}" for i in range(count)]
        else:
            assert names == ["cpu"]
        for name in names:
            assert resolve_device(name) == torch.device(name)

    @needs_cuda
    def test_cuda_index_beyond_the_devices(self):
        device = f"cuda:{torch.cuda.device_count()}"
        with pytest.raises(ValueError, match=rf"{device}.*available here: 'cpu'"):
            resolve_device(device)

    @pytest.mark.parametrize("device", ["mps", "meta"])
    def test_estimator_reports_unsupported_device(self, X_digits, device):
        with pytest.raises(ValueError, match=f"device='{device}' is not supported"):
            AutoEncoder(device=device, max_epochs=1).fit(X_digits)

    @pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available")
    @pytest.mark.parametrize("device", ["cuda", "cuda:1"])
    def test_cuda_unavailable(self, device):
        with pytest.raises(ValueError, match="CUDA is not available.*'cpu'"):
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


class TestPrivateRng:
    def test_no_generator_outside_a_block(self):
        assert active_rng() is None
        assert active_rng("cpu") is None
        assert active_rng("cuda") is None

    def test_block_yields_its_active_cpu_generator(self):
        before = torch.get_rng_state()
        with private_rng(3, CPU) as rng:
            assert active_rng() is rng
            assert active_rng(CPU) is rng
            assert active_rng("cpu") is rng
            drawn = torch.rand(5, generator=rng)
        assert active_rng() is None
        torch.testing.assert_close(
            drawn, torch.rand(5, generator=torch.Generator().manual_seed(3))
        )
        assert torch.equal(torch.get_rng_state(), before)

    def test_blocks_nest(self):
        with private_rng(1, CPU) as outer:
            with private_rng(2, CPU) as inner:
                assert active_rng() is inner
            assert active_rng() is outer
        assert active_rng() is None

    def test_block_ends_on_error(self):
        with pytest.raises(RuntimeError, match="boom"), private_rng(1, CPU):
            raise RuntimeError("boom")
        assert active_rng() is None

    def test_other_threads_do_not_see_the_block(self):
        seen = []
        with private_rng(1, CPU):
            thread = threading.Thread(target=lambda: seen.append(active_rng()))
            thread.start()
            thread.join()
        assert seen == [None]

    def test_draw_on_another_accelerator_is_refused(self):
        with private_rng(1, CPU), pytest.raises(RuntimeError, match="cuda"):
            active_rng("cuda")

    @needs_cuda
    def test_cuda_block_draws_noise_on_the_device(self):
        cuda = torch.device("cuda")
        before = torch.cuda.get_rng_state_all()
        with private_rng(5, cuda) as rng:
            assert rng.device == CPU
            device_rng = active_rng(cuda)
            assert device_rng.device.type == "cuda"
            assert active_rng(f"cuda:{torch.cuda.current_device()}") is device_rng
            noise = torch.randn(4, device=cuda, generator=device_rng)
        expected = torch.Generator(device=cuda).manual_seed(5)
        torch.testing.assert_close(
            noise, torch.randn(4, device=cuda, generator=expected)
        )
        for after, state in zip(torch.cuda.get_rng_state_all(), before, strict=True):
            assert torch.equal(after, state)


class TestDeferredSigint:
    @pytest.fixture(autouse=True)
    def default_handler(self):
        """Python's own SIGINT handler before and after each test."""
        original = signal.signal(signal.SIGINT, signal.default_int_handler)
        yield
        signal.signal(signal.SIGINT, original)

    def test_interrupt_is_raised_when_the_block_ends(self):
        finished = False
        with pytest.raises(KeyboardInterrupt), deferred_sigint():
            signal.raise_signal(signal.SIGINT)
            # Python runs handlers between bytecodes: a loop gives it many.
            for _ in range(1000):
                pass
            finished = True
        assert finished
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    def test_no_signal_no_interrupt(self):
        with deferred_sigint():
            pass
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    def test_a_custom_handler_is_called_after_the_block(self):
        calls = []
        signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
        with deferred_sigint():
            signal.raise_signal(signal.SIGINT)
            for _ in range(1000):
                pass
            assert calls == []
        assert calls == [signal.SIGINT]

    def test_other_threads_run_the_block_as_is(self):
        results = []

        def run():
            with deferred_sigint():
                results.append(signal.getsignal(signal.SIGINT))

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert results == [signal.default_int_handler]


class TestCompleteLazyImports:
    @pytest.fixture(autouse=True)
    def fresh_record(self, monkeypatch):
        """Forget which optimizers have run their imports."""
        monkeypatch.setattr("skgen._torch._IMPORTS_DONE", set())

    def test_steps_each_optimizer_once(self, monkeypatch):
        steps = []

        class Counted(torch.optim.SGD):
            def step(self, closure=None):
                steps.append(self)
                return super().step(closure)

        for _ in range(3):
            complete_lazy_imports(Counted, CPU)
        assert len(steps) == 1

    def test_optimizer_that_needs_arguments_falls_back_on_sgd(self):
        class NeedsArgument(torch.optim.SGD):
            def __init__(self, params, momentum_decay):
                super().__init__(params)

        before = torch.get_rng_state()
        complete_lazy_imports(NeedsArgument, CPU)
        # LBFGS steps only with a closure.
        complete_lazy_imports(torch.optim.LBFGS, CPU)
        assert torch.equal(torch.get_rng_state(), before)


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

    @pytest.mark.skipif(
        "OpenMP" not in torch.__config__.parallel_info(),
        reason="torch's thread count is per thread with its OpenMP backend only",
    )
    def test_other_threads_keep_their_count(self, monkeypatch, two_threads):
        """A fit's change and restore stay in its thread (joblib's threading)."""
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        entered, done = threading.Event(), threading.Event()
        counts = []

        def fit_in_thread():
            with torch_threads():
                entered.set()
                done.wait()
                counts.append(torch.get_num_threads())

        thread = threading.Thread(target=fit_in_thread)
        thread.start()
        entered.wait()
        # The thread's count does not reach this thread, nor does this
        # thread's change and restore reach the fit still running there.
        assert torch.get_num_threads() == 2
        with torch_threads():
            assert torch.get_num_threads() == 1
        done.set()
        thread.join()
        assert counts == [1]
        assert torch.get_num_threads() == 2

    def test_small_steps_get_one_thread(self, monkeypatch, two_threads):
        monkeypatch.delenv("OMP_NUM_THREADS")
        assert thread_count(ONE_THREAD_WORK - 1) == 1
        assert thread_count(ONE_THREAD_WORK) == 2
        assert thread_count(None) == 2
        with torch_threads(1000):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        # OMP_NUM_THREADS still decides when it is set.
        monkeypatch.setenv("OMP_NUM_THREADS", "2")
        assert thread_count(1000) == 2

    def test_a_fit_chooses_from_its_step(self, monkeypatch, two_threads):
        from skgen import AutoEncoder, _torch
        from tests.test_threads import RecordThreads

        monkeypatch.delenv("OMP_NUM_THREADS")
        monkeypatch.setattr(_torch, "ONE_THREAD_WORK", 100_000)
        X = torch.rand(64, 6).numpy()
        # 64 rows per step of a net of 152 weights: 9,728 multiply-adds.
        small = AutoEncoder(2, hidden_layer_sizes=(8,), max_epochs=1)
        small.set_params(callbacks=[RecordThreads()]).fit(X)
        assert small.history_[:, "torch_threads"] == [1]
        # The same rows through 2,048 hidden units: over 2 million.
        large = AutoEncoder(2, hidden_layer_sizes=(2048,), max_epochs=1)
        large.set_params(callbacks=[RecordThreads()]).fit(X)
        assert large.history_[:, "torch_threads"] == [2]
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
