"""Whole-tensor dataset and slicing batch iterator: skorch's fast data path.

skorch's default ``DataLoader`` collates every batch row by row and draws from
the global torch RNG even when it does not shuffle. Holding the whole tensor
and slicing it (after one ``randperm`` per epoch when shuffling) removes both
costs and keeps batch order under the estimator's own random generator.
"""

import torch


class WholeTensorDataset(torch.utils.data.Dataset):
    """Rows of one or more tensors that share their first dimension.

    Parameters
    ----------
    X : torch.Tensor
        Input rows.

    y : torch.Tensor or None, default=None
        Optional per-row targets or conditions.
    """

    def __init__(self, X, y=None):
        if y is not None and len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}.")
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.X[index], None if self.y is None else self.y[index]


class SliceIterator:
    """Iterate over a :class:`WholeTensorDataset` in batches by slicing its tensors.

    skorch builds it with ``iterator_train(dataset, batch_size=...,
    shuffle=..., generator=...)`` and loops over it once per epoch, so every
    new iteration draws a fresh permutation from ``generator``.

    Parameters
    ----------
    dataset : WholeTensorDataset
        The rows to iterate over.

    batch_size : int
        Rows per batch; the last batch may be smaller.

    shuffle : bool, default=False
        Whether to visit the rows in a new random order on every pass.

    generator : torch.Generator or None, default=None
        Source of the permutations when shuffling. ``None`` uses the global
        torch generator.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n_samples = len(X)
        order = None
        if self.shuffle:
            order = torch.randperm(n_samples, generator=self.generator).to(X.device)
        for start in range(0, n_samples, self.batch_size):
            stop = start + self.batch_size
            # Gathering per batch keeps the extra memory at one batch.
            index = slice(start, stop) if order is None else order[start:stop]
            yield X[index], None if y is None else y[index]
