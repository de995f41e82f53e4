"""How every model trains: the data path, the skorch net base, the divergence guard."""

import io

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from skgen import AutoEncoder
from skgen._training import (
    DivergenceGuard,
    EagerSteps,
    EpochProgress,
    SliceIterator,
    WholeTensorDataset,
)


class TestSliceIterator:
    n_samples = 10
    batch_size = 4

    @pytest.fixture
    def dataset(self):
        X = torch.arange(self.n_samples, dtype=torch.float32).reshape(-1, 1) * 10
        y = torch.arange(self.n_samples)
        return WholeTensorDataset(X, y)

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
        iterator = SliceIterator(WholeTensorDataset(dataset.X), self.batch_size)
        batches = list(iterator)
        assert all(y is None for _, y in batches)
        torch.testing.assert_close(torch.cat([X for X, _ in batches]), dataset.X)
        assert [len(X) for X, _ in batches] == [4, 4, 2]

        shuffled = SliceIterator(
            WholeTensorDataset(dataset.X),
            self.batch_size,
            shuffle=True,
            rng=torch.Generator().manual_seed(0),
        )
        batches = list(shuffled)
        assert all(y is None for _, y in batches)
        values = torch.cat([X for X, _ in batches])[:, 0]
        assert sorted(values.tolist()) == dataset.X[:, 0].tolist()

    def test_shuffle_visits_every_row_once(self, dataset):
        generator = torch.Generator().manual_seed(0)
        iterator = SliceIterator(dataset, self.batch_size, shuffle=True, rng=generator)
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
            iterator = SliceIterator(dataset, 3, shuffle=True, rng=generator)
            return [self._rows(iterator)[0] for _ in range(3)]

        torch_state = torch.get_rng_state()
        assert passes(0) == passes(0)
        assert passes(0) != passes(1)
        # An explicit generator leaves the global torch RNG alone.
        assert torch.equal(torch.get_rng_state(), torch_state)

    def test_dataset_length_mismatch(self):
        with pytest.raises(ValueError, match="rows"):
            WholeTensorDataset(torch.zeros(5, 2), torch.zeros(4))


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

            def divergence_advice(self):
                return "Try a lower learning rate."

        DivergenceGuard().on_epoch_end(Net())
        Net.history = [{"epoch": 7, "train_loss": 0.5, "valid_loss": float("nan")}]
        with pytest.raises(
            FloatingPointError, match="valid loss became nan at epoch 7"
        ):
            DivergenceGuard().on_epoch_end(Net())


class TestOptimizerStep:
    """torch's own optimizers step their tensors together (fused or foreach)."""

    X = torch.rand(40, 5).numpy()

    @pytest.mark.parametrize(
        "name, flag",
        [
            ("adam", "fused"),
            ("adamw", "fused"),
            ("sgd", "fused"),
            ("rmsprop", "foreach"),
        ],
    )
    def test_builtin_optimizers_step_together(self, name, flag):
        from skgen import VAE, AutoregressiveGenerator

        models = [
            AutoEncoder(2, optimizer=name, max_epochs=1, random_state=0),
            VAE(2, optimizer=name, max_epochs=1, random_state=0),
        ]
        if name == "adam":  # the AutoregressiveGenerator always uses Adam
            models.append(AutoregressiveGenerator(max_epochs=1, random_state=0))
        for model in models:
            model.fit(self.X)
            groups = model.net_.optimizer_.param_groups
            assert all(group[flag] is True for group in groups), model

    def test_gan_players_step_fused(self):
        from skgen import GAN

        gan = GAN(max_epochs=1, random_state=0).fit(self.X)
        for player in ("generator_optimizer_", "discriminator_optimizer_"):
            groups = getattr(gan.net_, player).param_groups
            assert all(group["fused"] is True for group in groups)

    def test_foreach_gives_the_same_fit(self, monkeypatch):
        from skgen import _training

        params = dict(optimizer="rmsprop", max_epochs=5, random_state=0)
        fitted = AutoEncoder(2, **params).fit(self.X)
        original = _training.SkgenNet.get_params_for_optimizer

        def per_tensor(self, prefix, named_parameters):
            args, kwargs = original(self, prefix, named_parameters)
            return args, {**kwargs, "foreach": False}

        monkeypatch.setattr(_training.SkgenNet, "get_params_for_optimizer", per_tensor)
        looped = AutoEncoder(2, **params).fit(self.X)
        assert looped.net_.optimizer_.param_groups[0]["foreach"] is False
        assert torch.equal(
            torch.as_tensor(fitted.transform(self.X)),
            torch.as_tensor(looped.transform(self.X)),
        )

    def test_fused_fits_are_reproducible_and_close_to_the_loop(self, monkeypatch):
        from skgen import _training

        fused = AutoEncoder(2, max_epochs=5, random_state=0).fit(self.X)
        again = AutoEncoder(2, max_epochs=5, random_state=0).fit(self.X)
        np.testing.assert_array_equal(fused.transform(self.X), again.transform(self.X))
        monkeypatch.setattr(_training, "fast_step_arguments", lambda *args: {})
        looped = AutoEncoder(2, max_epochs=5, random_state=0).fit(self.X)
        assert looped.net_.optimizer_.param_groups[0]["fused"] is None
        # The fused kernel rounds differently, by a few float32 units.
        np.testing.assert_allclose(
            fused.transform(self.X), looped.transform(self.X), rtol=1e-4, atol=1e-5
        )

    def test_an_optimizer_of_ones_own_gets_its_arguments_unchanged(self):
        class PlainSGD(torch.optim.SGD):
            def __init__(self, params, lr, weight_decay=0.0):
                super().__init__(params, lr=lr, weight_decay=weight_decay)

        model = AutoEncoder(2, optimizer=PlainSGD, max_epochs=1, random_state=0)
        model.fit(self.X)
        assert isinstance(model.net_.optimizer_, PlainSGD)


class TestEagerOptimizers:
    """torch's optimizers, stepped without their ``torch._dynamo`` wrappers."""

    X = torch.rand(40, 5).numpy()

    @pytest.mark.parametrize(
        "optimizer", ["adam", "adamw", "sgd", "rmsprop", torch.optim.Adam]
    )
    def test_named_optimizers_step_eagerly(self, optimizer):
        model = AutoEncoder(2, optimizer=optimizer, max_epochs=1, random_state=0)
        model.fit(self.X)
        built = model.net_.optimizer_
        assert isinstance(built, EagerSteps)
        assert isinstance(built, model._optimizer_class())
        # It still reports and restores its state as torch's optimizer does.
        state = built.state_dict()
        built.load_state_dict(state)
        assert built.state_dict()["param_groups"] == state["param_groups"]

    @pytest.mark.parametrize(
        "optimizer_class",
        [torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD, torch.optim.RMSprop],
    )
    @pytest.mark.parametrize("together", [False, True])
    def test_same_steps_as_torchs_own(self, optimizer_class, together):
        from skgen._training import eager_optimizer, fast_step_arguments

        options = fast_step_arguments(optimizer_class) if together else {}
        options["weight_decay"] = 0.01
        if optimizer_class is torch.optim.SGD:
            options["momentum"] = 0.9
        start = torch.rand(3, 4)
        eager = torch.nn.Parameter(start.clone())
        wrapped = torch.nn.Parameter(start.clone())
        optimizers = [
            eager_optimizer(optimizer_class)([eager], lr=0.1, **options),
            optimizer_class([wrapped], lr=0.1, **options),
        ]
        assert isinstance(optimizers[0], EagerSteps)
        for step in range(5):
            gradient = torch.sin(start * (step + 1))
            for parameter, optimizer in zip([eager, wrapped], optimizers, strict=True):
                optimizer.zero_grad()
                parameter.grad = gradient.clone()
                optimizer.step()
        assert torch.equal(eager, wrapped)

    def test_an_own_class_keeps_torchs_wrappers(self):
        own = type("OwnAdam", (torch.optim.Adam,), {})
        model = AutoEncoder(2, optimizer=own, max_epochs=1, random_state=0)
        model.fit(self.X)
        assert type(model.net_.optimizer_) is own

    def test_learning_rate_schedules_drive_it(self):
        from skorch.callbacks import LRScheduler

        schedule = LRScheduler(policy=torch.optim.lr_scheduler.StepLR, step_size=1)
        model = AutoEncoder(
            2, lr=0.1, max_epochs=3, callbacks=[schedule], random_state=0
        ).fit(self.X)
        lr = model.net_.optimizer_.param_groups[0]["lr"]
        assert lr == pytest.approx(0.1 * 0.1**3)


class CountBatches(Callback):
    """A callback that works per batch: the net then runs skorch's loop."""

    def on_batch_end(self, net, **kwargs):
        self.n_batches_ = getattr(self, "n_batches_", 0) + 1


class TestLeanEpochLoop:
    """Without per-batch callbacks the net skips skorch's per-batch work."""

    X = torch.rand(90, 5).numpy()

    @staticmethod
    def epochs(history, keys):
        return [{key: row[key] for key in keys if key in row} for row in history]

    def test_same_fit_and_history_as_skorchs_loop(self):
        from skgen import VAE

        for model_class in (AutoEncoder, VAE):
            params = dict(
                max_epochs=6, validation_fraction=0.2, batch_size=16, random_state=0
            )
            lean = model_class(2, **params).fit(self.X)
            full = model_class(2, callbacks=[CountBatches()], **params).fit(self.X)
            assert lean.net_.lean_epochs_ and not full.net_.lean_epochs_
            (counter,) = [
                cb for _, cb in full.net_.callbacks_ if isinstance(cb, CountBatches)
            ]
            # 72 training rows in batches of 16: 5 per epoch, and 2 validation.
            assert counter.n_batches_ == 6 * (5 + 2)
            assert lean.history_[-1]["batches"] == []
            assert len(full.history_[-1]["batches"]) == 5 + 2
            keys = ["train_loss", "valid_loss", "train_loss_best", "valid_loss_best"]
            keys += ["train_batch_count", "valid_batch_count"]
            assert self.epochs(lean.history_, keys) == self.epochs(full.history_, keys)
            np.testing.assert_array_equal(
                lean.transform(self.X), full.transform(self.X)
            )

    def test_gan_losses_match(self):
        from skgen import GAN

        y = np.arange(len(self.X)) % 2
        lean = GAN(max_epochs=3, random_state=0).fit(self.X, y)
        full = GAN(max_epochs=3, callbacks=[CountBatches()], random_state=0)
        full.fit(self.X, y)
        assert lean.net_.lean_epochs_ and not full.net_.lean_epochs_
        keys = ["generator_loss", "discriminator_loss"]
        assert self.epochs(lean.history_, keys) == self.epochs(full.history_, keys)
        assert all(len(row) == 2 for row in self.epochs(lean.history_, keys))

    def test_a_scoring_of_batches_gets_them(self):
        from skorch.callbacks import PassthroughScoring

        scoring = PassthroughScoring(name="train_loss", on_train=True)
        model = AutoEncoder(
            2, max_epochs=2, callbacks=[("batch_mean", scoring)], random_state=0
        ).fit(self.X)
        assert not model.net_.lean_epochs_
        assert len(model.history_[-1]["batches"]) > 0


class TestProgress:
    """verbose=1 reports progress and how training ended; verbose=2 the table."""

    X = torch.rand(60, 5).numpy()

    def test_plain_lines_when_not_a_terminal(self, capsys):
        AutoEncoder(2, max_epochs=30, n_iter_no_change=None, verbose=1).fit(self.X)
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.splitlines()
        assert lines[0].startswith("epoch 1/30, ")
        assert lines[-2].startswith("epoch 30/30, ") and "train_loss" in lines[-2]
        assert len(lines) == 1 + 10 + 1
        assert lines[-1].startswith("trained 30 epochs in ")
        assert "\x1b" not in captured.err and "\r" not in captured.err

    def test_early_stopping_names_the_epoch_kept(self, capsys):
        ae = AutoEncoder(
            2,
            max_epochs=200,
            validation_fraction=0.2,
            n_iter_no_change=3,
            tol=0.0,
            verbose=1,
            random_state=0,
        ).fit(self.X)
        last = capsys.readouterr().err.splitlines()[-1]
        losses = ae.history_[:, "valid_loss"]
        best = int(np.argmin(losses)) + 1
        assert last.startswith(f"stopped early after {ae.n_epochs_} of 200 epochs")
        assert last.endswith(f"keeps the weights of epoch {best}")

    def test_interrupt_says_what_is_kept(self, capsys):
        class Interrupt(Callback):
            def on_epoch_end(self, net, **kwargs):
                if len(net.history) == 3:
                    raise KeyboardInterrupt

        ae = AutoEncoder(
            2, max_epochs=10, callbacks=[Interrupt()], verbose=1, random_state=0
        )
        with pytest.warns(UserWarning, match="interrupted"):
            ae.fit(self.X)
        last = capsys.readouterr().err.splitlines()[-1]
        assert last.startswith("interrupted after 2 complete epochs")

    def test_verbose_2_prints_the_table_and_the_last_line(self, capsys):
        AutoEncoder(2, max_epochs=4, n_iter_no_change=None, verbose=2).fit(self.X)
        captured = capsys.readouterr()
        rows = [line for line in captured.out.splitlines() if line.split()[0].isdigit()]
        assert len(rows) == 4 and "\x1b" not in captured.out
        assert captured.err.splitlines() == [captured.err.splitlines()[-1]]
        assert captured.err.startswith("trained 4 epochs")

    def test_a_bar_on_a_terminal(self):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

            def __deepcopy__(self, memo):  # skgen copies the callbacks it gets
                return self

        stream = Terminal()
        progress = EpochProgress(stream=stream)
        AutoEncoder(2, max_epochs=5, n_iter_no_change=None, callbacks=[progress]).fit(
            self.X
        )
        text = stream.getvalue()
        # tqdm draws at most ten times a second: this fit shows the start.
        assert "0/5" in text and "epoch/s" in text and "\r" in text
        assert text.rstrip().splitlines()[-1].startswith("trained 5 epochs")
