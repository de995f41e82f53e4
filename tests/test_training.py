"""How every model trains: the data path, the skorch net base, the divergence guard."""

import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skgen import AutoEncoder
from skgen._training import DivergenceGuard, SliceIterator, WholeTensorDataset


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
