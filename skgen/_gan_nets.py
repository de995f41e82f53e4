"""The GAN's network: generator and discriminator, batch iterator, callbacks, net.

The generator maps noise (and a one-hot class) to an encoded row: linear heads
for the standardised numbers and a Gumbel-softmax relaxation of each one-hot
block, so that the discriminator's gradient reaches the category logits. The
discriminator scores packs of ``pac`` rows (PacGAN). :class:`GANNet` trains
both with two optimizers in its ``train_step``; everything else (history,
callbacks, early stopping, printing) is skorch's.
"""

import functools

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from skorch.callbacks import Callback, EpochTimer
from torch import nn

from skgen._layers import CategoricalHeads, make_mlp
from skgen._torch import active_rng
from skgen._training import (
    DivergenceGuard,
    EpochLoss,
    SkgenNet,
    eager_optimizer,
    fast_step_arguments,
    verbose_callbacks,
)

# Adam's moment decay for both players, as in the WGAN-GP paper and CTGAN.
ADAM_BETAS = (0.5, 0.9)

# Neighbours per row of the k-nearest-neighbour two-sample test.
KNN_NEIGHBORS = 5

# The hidden layers' activation in both players.
LEAKY_RELU = functools.partial(nn.LeakyReLU, 0.2)


class GANModule(nn.Module):
    """A generator of encoded rows and a discriminator of packs of rows.

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
        Hidden widths of the generator and the discriminator.

    n_classes : int, default=0
        Number of classes both networks are conditioned on; 0 for none.

    pac : int, default=1
        Rows the discriminator sees together.

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
        self.generator = make_mlp(
            noise_dim + n_classes,
            generator_layer_sizes,
            n_features,
            activation=LEAKY_RELU,
            batch_norm=True,
        )
        self.heads = CategoricalHeads(
            n_features, n_numeric, categorical_blocks, temperature
        )
        self.discriminator = make_mlp(
            pac * (n_features + n_classes),
            discriminator_layer_sizes,
            1,
            activation=LEAKY_RELU,
        )

    def generate(self, noise, condition=None, hard=False, rng=None):
        """Encoded rows for noise (and one-hot classes)."""
        if self.n_classes:
            noise = torch.cat([noise, condition], dim=1)
        return self.heads(self.generator(noise), hard=hard, rng=rng)

    def discriminate(self, rows, condition=None):
        """One score per pack of ``pac`` consecutive rows (and their classes)."""
        if self.n_classes:
            rows = torch.cat([rows, condition], dim=1)
        return self.discriminator(rows.reshape(-1, self.pac * rows.shape[1]))[:, 0]

    def forward(self, noise):
        """Encoded rows for a batch of noise followed by one-hot classes."""
        return self.generate(noise[:, : self.noise_dim], noise[:, self.noise_dim :])


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
    distances.fill_diagonal_(np.inf)
    k = min(n_neighbors, len(pooled) - 1)
    nearest = distances.topk(k, largest=False).indices.cpu()
    scores = labels[nearest].mean(dim=1).numpy()
    return float(roc_auc_score(labels.numpy(), scores))


class TwoSampleScoring(Callback):
    """Record how well fresh samples mix with the held-out rows, as ``valid_auc``.

    After every epoch the generator draws rows for the classes of the
    held-out rows (the net's validation set), always from the same noise, and
    the k-nearest-neighbour two-sample AUC of the two samples is recorded as
    ``valid_auc`` (0.5 is best), with ``valid_auc_best`` marking a new
    lowest. skorch's ``EarlyStopping(monitor="valid_auc")`` stops on it and
    keeps the best weights.

    Parameters
    ----------
    seed : int
        Seeds the fixed noise of the evaluation draws.
    """

    def __init__(self, seed):
        self.seed = seed

    def initialize(self):
        """Forget the noise and the best score of an earlier fit."""
        self.noise_ = None
        self.best_auc_ = np.inf
        return self

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        """Score the current generator on the held-out rows."""
        if dataset_valid is None:
            return
        real, condition = dataset_valid.X, dataset_valid.y
        module = net.module_
        if self.noise_ is None:
            rng = torch.Generator().manual_seed(self.seed)
            shape = (len(real), module.noise_dim)
            self.noise_ = torch.randn(shape, generator=rng).to(real.device)
            self.gumbel_seed_ = int(torch.randint(2**31 - 1, (1,), generator=rng))
        module.eval()
        with torch.no_grad():
            rng = torch.Generator().manual_seed(self.gumbel_seed_)
            fake = module.generate(self.noise_, condition, True, rng)
        module.train()
        if condition is not None:
            real = torch.cat([real, condition], dim=1)
            fake = torch.cat([fake, condition], dim=1)
        auc = knn_two_sample_auc(real, fake)
        net.history.record("valid_auc", auc)
        net.history.record("valid_auc_best", bool(auc < self.best_auc_))
        self.best_auc_ = min(auc, self.best_auc_)

    def on_train_end(self, net, **kwargs):
        """Drop the evaluation noise."""
        self.noise_ = None


class GANNet(SkgenNet):
    """Net that trains a :class:`GANModule`'s generator against its discriminator.

    Each training step takes a batch of real rows (and their one-hot classes),
    updates the discriminator ``discriminator_steps`` times on it against
    fresh fake rows of the same classes, then updates the generator once.
    ``loss="wasserstein"`` is WGAN-GP (the discriminator's score gap plus
    ``gradient_penalty`` times the squared deviation of its gradient norm from
    1 on interpolated packs); ``loss="standard"`` is the non-saturating
    logistic GAN loss. The epoch's ``generator_loss`` and
    ``discriminator_loss`` (penalty included) are recorded in the history;
    ``train_loss`` is the generator's. The criterion is unused: each player's
    loss is computed here. The validation rows are not run through the net:
    :class:`TwoSampleScoring` scores them. In a fit the noise, Gumbel noise
    and the penalty's mixing weights come from the fit's private generator
    (:func:`skgen._torch.active_rng`).
    """

    def __init__(
        self,
        module,
        *args,
        criterion=nn.Identity,
        loss="standard",
        gradient_penalty=10.0,
        discriminator_steps=1,
        generator_lr=1e-3,
        discriminator_lr=3e-3,
        **kwargs,
    ):
        super().__init__(module, criterion, *args, **kwargs)
        self.loss = loss
        self.gradient_penalty = gradient_penalty
        self.discriminator_steps = discriminator_steps
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("generator_loss", EpochLoss("generator_loss", on_train=True)),
            ("discriminator_loss", EpochLoss("discriminator_loss", on_train=True)),
            (
                "divergence_guard",
                DivergenceGuard(keys=("generator_loss", "discriminator_loss")),
            ),
        ]
        keys = ("generator_loss", "discriminator_loss")
        return callbacks + verbose_callbacks(self.verbose, keys, mark_best=False)

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
        optimizer_class = eager_optimizer(self.optimizer)
        fast = fast_step_arguments(self.optimizer)
        self.generator_optimizer_ = optimizer_class(
            module.generator.parameters(),
            lr=self.generator_lr,
            betas=ADAM_BETAS,
            **fast,
        )
        self.discriminator_optimizer_ = optimizer_class(
            module.discriminator.parameters(),
            lr=self.discriminator_lr,
            betas=ADAM_BETAS,
            **fast,
        )
        return self

    def _fake(self, n_rows, condition):
        """Relaxed fake rows for a batch of classes."""
        module = self.module_
        rng = active_rng(self.device)
        shape = (n_rows, module.noise_dim)
        noise = torch.randn(shape, generator=rng, device=self.device)
        return module.generate(noise, condition)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """Train as skorch does; leave the held-out rows to ``TwoSampleScoring``."""
        if training:
            super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)

    def _penalty(self, real, fake, condition):
        """Gradient penalty of the discriminator on packs between real and fake."""
        module = self.module_
        n_packs = len(real) // module.pac
        rng = active_rng(real.device)
        alpha = torch.rand((n_packs, 1, 1), generator=rng, device=real.device)
        shape = (n_packs, module.pac, real.shape[1])
        mixed = alpha * real.reshape(shape) + (1 - alpha) * fake.reshape(shape)
        mixed = mixed.reshape(real.shape).requires_grad_(True)
        scores = module.discriminate(mixed, condition)
        (gradient,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        norms = gradient.reshape(n_packs, -1).norm(dim=1)
        return self.gradient_penalty * ((norms - 1.0) ** 2).mean()

    def _discriminator_step(self, real, fake, condition):
        """One update of the discriminator against ``fake`` rows; returns its loss."""
        module = self.module_
        real_scores = module.discriminate(real, condition)
        fake_scores = module.discriminate(fake, condition)
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
        module.discriminator.requires_grad_(False)
        fake_scores = module.discriminate(fake, condition)
        if self.loss == "wasserstein":
            loss = -fake_scores.mean()
        else:
            loss = F.softplus(-fake_scores).mean()
        self.generator_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.generator_optimizer_.step()
        module.discriminator.requires_grad_(True)
        return loss.detach()

    def train_step(self, batch, **fit_params):
        """Discriminator steps on the batch, then a generator step; record losses.

        The fake rows of the last discriminator step are those the generator
        step scores again, with the updated discriminator, which saves a
        generator pass.
        """
        self._set_training(True)
        real, condition = batch
        for _ in range(self.discriminator_steps - 1):
            with torch.no_grad():
                fake = self._fake(len(real), condition)
            self._discriminator_step(real, fake, condition)
        fake = self._fake(len(real), condition)
        discriminator_loss = self._discriminator_step(real, fake.detach(), condition)
        generator_loss = self._generator_step(fake, condition)
        self.record_batch_loss("generator_loss", generator_loss, len(real))
        self.record_batch_loss("discriminator_loss", discriminator_loss, len(real))
        return {"loss": generator_loss, "y_pred": None}
