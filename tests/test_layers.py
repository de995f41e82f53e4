"""Torch modules: layers that draw from a fit's generators, the tabular loss."""

import numpy as np
import pytest
import torch
from torch import nn

from skgen._layers import (
    ColumnCorruption,
    Dropout,
    TabularLoss,
    balanced_category_weights,
    gumbel_noise,
    layer_outputs,
    linear,
    make_mlp,
)
from skgen._torch import private_rng

CPU = torch.device("cpu")


def assert_same_parameters(module, expected):
    """Assert two modules hold equal tensors under the same names."""
    actual, wanted = module.state_dict(), expected.state_dict()
    assert actual.keys() == wanted.keys()
    for name, tensor in wanted.items():
        assert torch.equal(actual[name], tensor), name


class TestLinear:
    def test_draws_what_nn_linear_draws_from_the_same_seed(self):
        torch.manual_seed(7)
        expected = nn.Linear(5, 3)
        before = torch.get_rng_state()
        with private_rng(7, CPU):
            layer = linear(5, 3)
        assert torch.equal(torch.get_rng_state(), before)
        assert layer.weight.device == CPU
        assert_same_parameters(layer, expected)

    def test_is_nn_linear_outside_a_block(self):
        torch.manual_seed(7)
        layer = linear(5, 3)
        torch.manual_seed(7)
        assert_same_parameters(layer, nn.Linear(5, 3))

    def test_mlp_follows_the_block_seed_only(self):
        def build(seed):
            with private_rng(seed, CPU):
                return make_mlp(6, (8, 4), 2, dropout=0.1, batch_norm=True)

        before = torch.get_rng_state()
        first = build(0)
        assert_same_parameters(build(0), first)
        assert not torch.equal(build(1)[0].weight, first[0].weight)
        assert torch.equal(torch.get_rng_state(), before)
        assert all(p.device == CPU for p in first.parameters())
        assert any(isinstance(layer, Dropout) for layer in first)


class TestDropout:
    def test_mask_follows_the_block_seed(self):
        dropout = Dropout(0.5)
        x = torch.ones(200, 10)

        def apply(seed):
            with private_rng(seed, CPU):
                return dropout(x)

        before = torch.get_rng_state()
        out = apply(0)
        # Kept entries are scaled by 1 / (1 - p), as nn.Dropout's are.
        assert set(out.unique().tolist()) == {0.0, 2.0}
        assert 0.4 < (out == 0).float().mean() < 0.6
        assert torch.equal(apply(0), out)
        assert not torch.equal(apply(1), out)
        assert torch.equal(torch.get_rng_state(), before)

    def test_evaluation_mode_passes_through(self):
        dropout = Dropout(0.5).eval()
        x = torch.randn(4, 3)
        with private_rng(0, CPU):
            assert torch.equal(dropout(x), x)

    def test_is_nn_dropout_outside_a_block(self):
        x = torch.randn(50, 4)
        torch.manual_seed(3)
        out = Dropout(0.3)(x)
        torch.manual_seed(3)
        assert torch.equal(out, nn.Dropout(0.3)(x))


def test_gumbel_noise_draws_from_the_block_generator():
    before = torch.get_rng_state()
    with private_rng(4, CPU):
        noise = gumbel_noise((3, 5))
    assert torch.equal(torch.get_rng_state(), before)
    expected = gumbel_noise((3, 5), torch.Generator().manual_seed(4), CPU)
    assert torch.equal(noise, expected)


@pytest.fixture
def batch():
    """Outputs and targets of 6 rows: 2 numbers, blocks of widths 3, 2 and 3."""
    generator = torch.Generator().manual_seed(0)
    output = torch.randn(6, 10, generator=generator)
    target = torch.zeros(6, 10)
    target[:, :2] = torch.randn(6, 2, generator=generator)
    for start, stop in [(2, 5), (5, 7), (7, 10)]:
        picks = torch.randint(start, stop, (6,), generator=generator)
        target[torch.arange(6), picks] = 1.0
    return output, target


BLOCKS = [(2, 5), (5, 7), (7, 10)]


def test_row_losses_sum_half_squared_errors_and_cross_entropies(batch):
    output, target = batch
    loss = TabularLoss(2, BLOCKS, reduction="none")
    expected = 0.5 * ((output[:, :2] - target[:, :2]) ** 2).sum(dim=1)
    for start, stop in BLOCKS:
        labels = target[:, start:stop].argmax(dim=1)
        expected += torch.nn.functional.cross_entropy(
            output[:, start:stop], labels, reduction="none"
        )
    torch.testing.assert_close(loss(output, target), expected)
    torch.testing.assert_close(TabularLoss(2, BLOCKS)(output, target), expected.mean())


def test_all_zero_block_costs_as_much_as_least_likely_category(batch):
    output, target = batch
    target[:, 5:7] = 0.0
    with_block = TabularLoss(2, BLOCKS, reduction="none")(output, target)
    without = TabularLoss(2, [(2, 5), (7, 10)], reduction="none")(output, target)
    worst = -torch.log_softmax(output[:, 5:7], dim=1).min(dim=1).values
    torch.testing.assert_close(with_block, without + worst)


def test_numbers_only_is_half_the_summed_squared_error():
    output, target = torch.randn(4, 3), torch.randn(4, 3)
    loss = TabularLoss(3)(output, target)
    assert loss.item() == pytest.approx(
        0.5 * np.sum((output - target).numpy() ** 2) / 4, rel=1e-6
    )


def test_gradient_reaches_every_output(batch):
    output, target = batch
    output.requires_grad_(True)
    TabularLoss(2, BLOCKS)(output, target).backward()
    assert (output.grad.abs().sum(dim=0) > 0).all()


def test_index_buffers_follow_the_module(batch):
    loss = TabularLoss(2, BLOCKS)
    names = sorted(name for name, _ in loss.named_buffers())
    # Blocks of width 3 share one gather, the block of width 2 has its own.
    assert names == ["group0", "group1"]
    assert loss.group0.tolist() == [[2, 3, 4], [7, 8, 9]]


class TestColumnCorruption:
    # Each encoded slot's input column: a number (slot 0), a number with its
    # missing indicator (slots 1, 3, 4) and a number with a category-like
    # block (slots 2, 5-7).
    SLOTS = [0, 1, 2, 1, 1, 2, 2, 2]

    def rows(self, n_rows=400):
        generator = torch.Generator().manual_seed(0)
        return torch.randn(n_rows, len(self.SLOTS), generator=generator)

    @pytest.mark.parametrize("kind", ["swap", "mask"])
    def test_evaluation_mode_and_rate_zero_pass_through(self, kind):
        x = self.rows()
        layer = ColumnCorruption(kind, 0.5, self.SLOTS).eval()
        assert torch.equal(layer(x), x)
        layer = ColumnCorruption(kind, 0.0, self.SLOTS).train()
        assert torch.equal(layer(x), x)

    @pytest.mark.parametrize("kind", ["swap", "mask"])
    def test_a_column_is_corrupted_whole(self, kind):
        x = self.rows()
        with private_rng(0, CPU):
            out = ColumnCorruption(kind, 0.5, self.SLOTS).train()(x)
        changed = out != x
        owners = torch.tensor(self.SLOTS)
        for column in range(3):
            slots = changed[:, owners == column]
            # Every slot of a hit cell changes together (random draws are
            # never equal, and swapping a row with itself changes nothing).
            assert torch.equal(slots.all(dim=1), slots.any(dim=1))
            share = slots.any(dim=1).float().mean().item()
            assert 0.35 < share < 0.55

    def test_swap_takes_the_column_from_another_row(self):
        x = self.rows()
        with private_rng(0, CPU):
            out = ColumnCorruption("swap", 0.5, self.SLOTS).train()(x)
        owners = torch.tensor(self.SLOTS)
        for column in range(3):
            block = owners == column
            rows_in = {tuple(row.tolist()) for row in x[:, block]}
            assert {tuple(row.tolist()) for row in out[:, block]} <= rows_in

    def test_mask_writes_zeros(self):
        x = self.rows()
        with private_rng(0, CPU):
            out = ColumnCorruption("mask", 0.5, self.SLOTS).train()(x)
        changed = out != x
        assert changed.any()
        assert torch.all(out[changed] == 0)

    def test_same_seed_same_corruption(self):
        x = self.rows()
        layer = ColumnCorruption("swap", 0.3, self.SLOTS).train()
        with private_rng(3, CPU):
            first = layer(x)
        with private_rng(3, CPU):
            second = layer(x)
        assert torch.equal(first, second)
        assert not torch.equal(first, x)

    def test_slot_columns_are_not_saved(self):
        layer = ColumnCorruption("swap", 0.3, self.SLOTS)
        assert layer.state_dict() == {}


class TestLayerOutputs:
    def test_hidden_activations_in_order(self):
        torch.manual_seed(0)
        mlp = make_mlp(6, (5, 4), 3, dropout=0.5).eval()
        x = torch.randn(10, 6)
        output, hidden = layer_outputs(mlp, x)
        assert torch.equal(output, mlp(x))
        assert [h.shape[1] for h in hidden] == [5, 4]
        assert all(torch.all(h >= 0) for h in hidden)
        assert torch.equal(hidden[0], torch.relu(mlp[0](x)))


class TestCategoryWeights:
    def test_balanced_weights_cap_a_column_at_a_number(self):
        rng = np.random.default_rng(0)
        even = np.eye(8)[rng.integers(0, 8, 4000)]  # entropy ~ log(8)
        rare = np.eye(2)[(rng.random(4000) < 0.02).astype(int)]  # small entropy
        X = np.hstack([rng.normal(size=(4000, 1)), even, rare]).astype(np.float32)
        weights = balanced_category_weights(X, [(1, 9), (9, 11)])
        assert weights[0] == pytest.approx(0.5 / np.log(8), rel=0.01)
        assert weights[1] == 1.0

    def test_weights_shape_the_training_loss_only(self):
        blocks = [(1, 4), (4, 6)]
        weighted = TabularLoss(1, blocks, category_weights=[0.5, 0.25])
        plain = TabularLoss(1, blocks)
        torch.manual_seed(0)
        output = torch.randn(10, 6)
        target = torch.cat(
            [
                torch.randn(10, 1),
                torch.eye(3)[torch.arange(10) % 3],
                torch.eye(2)[torch.arange(10) % 2],
            ],
            dim=1,
        )
        assert torch.equal(
            weighted.row_losses(output, target), plain.row_losses(output, target)
        )
        number = 0.5 * (output[:, 0] - target[:, 0]) ** 2
        first = -(torch.log_softmax(output[:, 1:4], 1) * target[:, 1:4]).sum(1)
        second = -(torch.log_softmax(output[:, 4:6], 1) * target[:, 4:6]).sum(1)
        expected = (number + 0.5 * first + 0.25 * second).mean()
        assert torch.allclose(weighted(output, target), expected)
        assert weighted.state_dict().keys() == plain.state_dict().keys()
