"""Torch modules, batch iterator, callbacks and skorch net behind skgen's GAN.

The generator maps noise (and a one-hot class) to an encoded row: linear heads
for the standardised numbers and a Gumbel-softmax relaxation of each one-hot
block, so that the critic's gradient reaches the category logits. The critic
scores packs of ``pac`` rows (PacGAN). :class:`GANNet` trains both with two
optimizers in its ``train_step``; everything else (history, callbacks,
printing) is skorch's.
"""

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from skorch.callbacks import Callback, EpochTimer, PassthroughScoring, PrintLog
from torch import nn

from skgen._nets import DivergenceGuard, SkgenNet, StopTraining

# Adam's moment decay for both players, as in the WGAN-GP paper and CTGAN.
ADAM_BETAS = (0.5, 0.9)

# Fewest batches per epoch. A GAN needs on the order of a thousand updates
# whatever the table's size; with one batch per pass, as CTGAN counts, a table
# smaller than a batch got 300 updates from 300 epochs, and its generated rows
# lowered the accuracy of classifiers trained on them (wine, 13 rows: 0.80 vs
# 0.95 with 1,500 updates; benchmarks/bench_augmentation.py).
MIN_STEPS_PER_EPOCH = 5

# Neighbours per row of the k-nearest-neighbour two-sample test.
KNN_NEIGHBORS = 5


def gumbel_noise(shape, generator=None, device=None):
    """Standard Gumbel draws from ``generator`` (the global one when ``None``)."""
    uniform = torch.rand(shape, generator=generator).to(device)
    return -torch.log(-torch.log(uniform.clamp(1e-10, 1.0 - 1e-7)))


def gan_mlp(n_in, hidden_layer_sizes, n_out, *, negative_slope, batch_norm=False):
    """Build ``Linear [-> BatchNorm] -> LeakyReLU`` blocks ending in a ``Linear``."""
    layers = []
    for width in hidden_layer_sizes:
        layers.append(nn.Linear(n_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.LeakyReLU(negative_slope))
        n_in = width
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


class CategoricalHeads(nn.Module):
    """Turn per-block logits into (relaxed) one-hot blocks, in one pass per width.

    Blocks of equal width are gathered and handled together; a final gather
    puts the columns back in the encoded order.

    Parameters
    ----------
    n_features : int
        Width of the encoded row.

    n_numeric : int
        Number of leading numeric columns, passed through unchanged.

    categorical_blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block.

    temperature : float
        Temperature of the Gumbel-softmax relaxation in training.
    """

    def __init__(self, n_features, n_numeric, categorical_blocks, temperature):
        super().__init__()
        self.n_numeric = n_numeric
        self.temperature = temperature
        by_width = {}
        for start, stop in categorical_blocks:
            by_width.setdefault(stop - start, []).append(range(start, stop))
        self.n_groups = len(by_width)
        order = list(range(n_numeric))
        for i, blocks in enumerate(by_width.values()):
            index = torch.tensor(blocks, dtype=torch.long)
            self.register_buffer(f"group{i}", index)
            order += index.ravel().tolist()
        # Column j of the encoded row is column inverse[j] of the gathered one.
        inverse = torch.empty(n_features, dtype=torch.long)
        inverse[torch.tensor(order, dtype=torch.long)] = torch.arange(len(order))
        self.register_buffer("inverse", inverse)

    def forward(self, output, hard=False, generator=None):
        """Numbers as they are; each block a Gumbel-softmax or a one-hot draw.

        With ``hard=True`` each block is the one-hot of a draw from the
        softmax of its logits (the argmax of logits plus Gumbel noise from
        ``generator``); otherwise it is the relaxed draw used in training.
        """
        if not self.n_groups:
            return output
        parts = [output[:, : self.n_numeric]]
        for i in range(self.n_groups):
            logits = output[:, getattr(self, f"group{i}")]
            noise = gumbel_noise(logits.shape, generator, logits.device)
            if hard:
                picks = (logits + noise).argmax(dim=-1)
                block = F.one_hot(picks, logits.shape[-1]).to(logits.dtype)
            else:
                block = torch.softmax((logits + noise) / self.temperature, dim=-1)
            parts.append(block.flatten(1))
        return torch.cat(parts, dim=1)[:, self.inverse]


class GANModule(nn.Module):
    """A generator of encoded rows and a critic of packs of rows, conditional or not.

    Parameters
    ----------
    n_features : int
        Width of the encoded row.

    n_numeric : int
        Number of leading numeric columns.

    categorical_blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block.

    noise_dim : int
        Width of the generator's noise input.

    generator_layer_sizes, discriminator_layer_sizes : tuple of int
        Hidden widths of the generator and the critic.

    n_classes : int, default=0
        Number of classes both networks are conditioned on; 0 for none.

    pac : int, default=1
        Rows the critic sees together.

    temperature : float, default=0.2
        Temperature of the Gumbel-softmax relaxation.
    """

    def __init__(
        self,
        n_features,
        n_numeric,
        categorical_blocks,
        noise_dim,
        generator_layer_sizes,
        discriminator_layer_sizes,
        n_classes=0,
        pac=1,
        temperature=0.2,
    ):
        super().__init__()
        self.n_features = n_features
        self.noise_dim = noise_dim
        self.n_classes = n_classes
        self.pac = pac
        self.generator = gan_mlp(
            noise_dim + n_classes,
            generator_layer_sizes,
            n_features,
            negative_slope=0.2,
            batch_norm=True,
        )
        self.heads = CategoricalHeads(
            n_features, n_numeric, categorical_blocks, temperature
        )
        self.critic = gan_mlp(
            pac * (n_features + n_classes),
            discriminator_layer_sizes,
            1,
            negative_slope=0.2,
        )

    def generate(self, noise, condition=None, hard=False, generator=None):
        """Encoded rows for noise (and one-hot classes)."""
        if self.n_classes:
            noise = torch.cat([noise, condition], dim=1)
        return self.heads(self.generator(noise), hard=hard, generator=generator)

    def criticize(self, rows, condition=None):
        """One score per pack of ``pac`` consecutive rows (and their classes)."""
        if self.n_classes:
            rows = torch.cat([rows, condition], dim=1)
        return self.critic(rows.reshape(-1, self.pac * rows.shape[1]))[:, 0]

    def forward(self, noise):
        """Encoded rows for a batch of noise followed by one-hot classes."""
        return self.generate(noise[:, : self.noise_dim], noise[:, self.noise_dim :])


class BalancedIterator:
    """Batches of a fixed size, each row drawn with its class's weight.

    Every pass yields ``max(MIN_STEPS_PER_EPOCH, n_samples // batch_size)``
    batches of exactly ``batch_size`` rows (a multiple of the critic's pack
    size), so a small table is seen several times per epoch. Without row
    weights the rows come in permutations (one after another); with weights
    they are drawn with replacement, so a rare class appears in batches as
    often as its weight says.

    Parameters
    ----------
    dataset : skgen._data.WholeTensorDataset
        Encoded rows and, for a conditional model, one-hot classes.

    batch_size : int
        Rows per batch.

    weights : torch.Tensor or None, default=None
        Sampling weight of each row; ``None`` for uniform permutations.

    generator : torch.Generator or None, default=None
        Source of the permutations and draws.
    """

    def __init__(self, dataset, batch_size, weights=None, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.weights = weights
        self.generator = generator

    def __len__(self):
        return max(MIN_STEPS_PER_EPOCH, len(self.dataset) // self.batch_size)

    def _rows(self, n_rows):
        """Indices of the rows of one pass."""
        n_samples = len(self.dataset)
        if self.weights is not None:
            return torch.multinomial(
                self.weights, n_rows, replacement=True, generator=self.generator
            )
        n_perms = -(-n_rows // n_samples)
        perms = []
        for _ in range(n_perms):
            perms.append(torch.randperm(n_samples, generator=self.generator))
        return torch.cat(perms)[:n_rows]

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        rows = self._rows(len(self) * self.batch_size).to(X.device)
        for start in range(0, len(rows), self.batch_size):
            index = rows[start : start + self.batch_size]
            yield X[index], None if y is None else y[index]


def knn_two_sample_auc(real, synthetic, n_neighbors=KNN_NEIGHBORS):
    """ROC AUC of a leave-one-out k-nearest-neighbour real-vs-synthetic classifier.

    Each pooled row is scored by the share of synthetic rows among its
    ``n_neighbors`` nearest other rows; 0.5 means the samples mix, 1.0 that
    every row sits among its own kind; copies of the real rows score near 0,
    as each row's nearest neighbour is its copy. Cheap enough to run every
    epoch.
    """
    pooled = torch.cat([real, synthetic]).double()
    labels = torch.cat([torch.zeros(len(real)), torch.ones(len(synthetic))])
    distances = torch.cdist(pooled, pooled)
    distances.fill_diagonal_(math.inf)
    k = min(n_neighbors, len(pooled) - 1)
    nearest = distances.topk(k, largest=False).indices.cpu()
    scores = labels[nearest].mean(dim=1).numpy()
    labels = labels.numpy()
    # Mann-Whitney U with mid-ranks for ties.
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    mid = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(mid, counts)
    n_real, n_synthetic = len(real), len(synthetic)
    u = ranks[labels == 1].sum() - n_synthetic * (n_synthetic + 1) / 2.0
    return float(u / (n_real * n_synthetic))


class TwoSampleEarlyStopping(Callback):
    """Stop when held-out rows and fresh samples stop getting harder to tell apart.

    After every epoch the generator draws rows for the classes of the held-out
    rows, always from the same noise, and the k-nearest-neighbour two-sample
    AUC of the two samples is recorded as ``valid_auc``. Training stops after
    ``patience`` epochs without a lower AUC, and the weights of the epoch with
    the lowest one are restored.

    Parameters
    ----------
    X_valid : torch.Tensor
        Held-out encoded rows.

    condition : torch.Tensor or None
        Their one-hot classes, for a conditional model.

    patience : int or None
        Epochs without improvement before stopping; ``None`` records the AUC
        and keeps the best weights without stopping early.

    seed : int
        Seeds the fixed noise of the evaluation draws.
    """

    def __init__(self, X_valid, condition, patience, seed):
        self.X_valid = X_valid
        self.condition = condition
        self.patience = patience
        self.seed = seed

    def initialize(self):
        """Reset the best score and draw the evaluation noise."""
        self.best_auc_ = math.inf
        self.best_epoch_ = 0
        self.best_state_ = None
        self.n_bad_epochs_ = 0
        return self

    def on_train_begin(self, net, **kwargs):
        """Draw the fixed evaluation noise once per fit."""
        generator = torch.Generator().manual_seed(self.seed)
        module = net.module_
        shape = (len(self.X_valid), module.noise_dim)
        self.noise_ = torch.randn(shape, generator=generator).to(self.X_valid.device)
        self.gumbel_seed_ = int(torch.randint(2**31 - 1, (1,), generator=generator))

    def on_epoch_end(self, net, **kwargs):
        """Score the current generator; stop when it has not improved for long."""
        module = net.module_
        module.eval()
        with torch.no_grad():
            generator = torch.Generator().manual_seed(self.gumbel_seed_)
            fake = module.generate(self.noise_, self.condition, True, generator)
        module.train()
        real, fake = self.X_valid, fake
        if self.condition is not None:
            real = torch.cat([real, self.condition], dim=1)
            fake = torch.cat([fake, self.condition], dim=1)
        auc = knn_two_sample_auc(real, fake)
        epoch = len(net.history)
        net.history.record("valid_auc", auc)
        if auc < self.best_auc_:
            self.best_auc_, self.best_epoch_ = auc, epoch
            self.best_state_ = copy.deepcopy(module.state_dict())
            self.n_bad_epochs_ = 0
            net.history.record("valid_auc_best", True)
            return
        net.history.record("valid_auc_best", False)
        self.n_bad_epochs_ += 1
        if self.patience is not None and self.n_bad_epochs_ >= self.patience:
            if net.verbose:
                print(
                    f"Stopping: valid_auc has not improved for {self.patience} "
                    f"epochs; keeping epoch {self.best_epoch_} "
                    f"(valid_auc={self.best_auc_:.3f})."
                )
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        """Restore the best weights and drop the copy."""
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
        self.best_state_ = None
        self.noise_ = None


class GANNet(SkgenNet):
    """Net that trains a :class:`GANModule`'s generator against its critic.

    Each training step takes a batch of real rows (and their one-hot classes),
    updates the critic ``n_critic`` times on it against fresh fake rows of the
    same classes, then updates the generator once. ``loss="wasserstein"`` is
    WGAN-GP (the critic's score gap plus ``gradient_penalty`` times the
    squared deviation of its gradient norm from 1 on interpolated packs);
    ``loss="standard"`` is the non-saturating logistic GAN loss. The epoch's
    ``generator_loss`` and ``discriminator_loss`` (the critic's, penalty
    included) are recorded in the history; ``train_loss`` is the generator's.
    The criterion is unused: each player's loss is computed here.
    """

    def __init__(
        self,
        module,
        *args,
        criterion=nn.Identity,
        loss="standard",
        gradient_penalty=10.0,
        n_critic=1,
        generator_lr=1e-3,
        discriminator_lr=3e-3,
        **kwargs,
    ):
        super().__init__(module, criterion, *args, **kwargs)
        self.loss = loss
        self.gradient_penalty = gradient_penalty
        self.n_critic = n_critic
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("generator_loss", PassthroughScoring("generator_loss", on_train=True)),
            (
                "discriminator_loss",
                PassthroughScoring("discriminator_loss", on_train=True),
            ),
            (
                "divergence_guard",
                DivergenceGuard(keys=("generator_loss", "discriminator_loss")),
            ),
        ]
        if self.verbose:
            callbacks.append(("print_log", PrintLog(keys_ignored=["train_loss"])))
        return callbacks

    def divergence_advice(self):
        """What to try when a player's loss diverges."""
        return (
            f"Try lower learning rates (generator_lr={self.generator_lr:g}, "
            f"discriminator_lr={self.discriminator_lr:g} now) or "
            "loss='wasserstein'."
        )

    def initialize_optimizer(self, triggered_directly=None):
        """One Adam optimizer per player; attributes ending in ``_`` register them."""
        module = self.module_
        # foreach: one call per operation for all tensors, not one per tensor;
        # the same updates, 10-20% faster GAN fits on CPU (benchmarks' wine).
        self.generator_optimizer_ = self.optimizer(
            module.generator.parameters(),
            lr=self.generator_lr,
            betas=ADAM_BETAS,
            foreach=True,
        )
        self.discriminator_optimizer_ = self.optimizer(
            module.critic.parameters(),
            lr=self.discriminator_lr,
            betas=ADAM_BETAS,
            foreach=True,
        )
        return self

    def _fake(self, n_rows, condition):
        """Relaxed fake rows for a batch of classes."""
        module = self.module_
        noise = torch.randn(n_rows, module.noise_dim, device=self.device)
        return module.generate(noise, condition)

    def _penalty(self, real, fake, condition):
        """Gradient penalty of the critic on packs between real and fake ones."""
        module = self.module_
        n_packs = len(real) // module.pac
        alpha = torch.rand(n_packs, 1, 1, device=real.device)
        shape = (n_packs, module.pac, real.shape[1])
        mixed = alpha * real.reshape(shape) + (1 - alpha) * fake.reshape(shape)
        mixed = mixed.reshape(real.shape).requires_grad_(True)
        scores = module.criticize(mixed, condition)
        (gradient,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        norms = gradient.reshape(n_packs, -1).norm(dim=1)
        return self.gradient_penalty * ((norms - 1.0) ** 2).mean()

    def _critic_step(self, real, fake, condition):
        """One update of the critic against ``fake`` rows; returns its loss."""
        module = self.module_
        real_scores = module.criticize(real, condition)
        fake_scores = module.criticize(fake, condition)
        if self.loss == "wasserstein":
            loss = fake_scores.mean() - real_scores.mean()
            loss = loss + self._penalty(real, fake, condition)
        else:
            loss = F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()
        self.discriminator_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.discriminator_optimizer_.step()
        return loss.detach()

    def _generator_step(self, fake, condition):
        """One update of the generator that made ``fake``; returns its loss."""
        module = self.module_
        module.critic.requires_grad_(False)
        fake_scores = module.criticize(fake, condition)
        if self.loss == "wasserstein":
            loss = -fake_scores.mean()
        else:
            loss = F.softplus(-fake_scores).mean()
        self.generator_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.generator_optimizer_.step()
        module.critic.requires_grad_(True)
        return loss.detach()

    def train_step(self, batch, **fit_params):
        """Critic steps on the batch, then a generator step; record both losses.

        The fake rows of the last critic step are those the generator step
        scores again, with the updated critic, which saves a generator pass.
        """
        self._set_training(True)
        real, condition = batch
        for _ in range(self.n_critic - 1):
            with torch.no_grad():
                fake = self._fake(len(real), condition)
            self._critic_step(real, fake, condition)
        fake = self._fake(len(real), condition)
        discriminator_loss = self._critic_step(real, fake.detach(), condition)
        generator_loss = self._generator_step(fake, condition)
        self.history.record_batch("generator_loss", generator_loss.item())
        self.history.record_batch("discriminator_loss", discriminator_loss.item())
        return {"loss": generator_loss, "y_pred": None}
