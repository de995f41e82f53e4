"""Torch modules: the per-column tabular loss."""

import numpy as np
import pytest
import torch

from skgen._layers import TabularLoss


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
