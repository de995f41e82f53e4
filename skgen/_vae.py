"""The variational autoencoder: a transformer that also scores and generates rows."""

import functools
import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted, column_or_1d

from skgen._base import NeuralEstimator
from skgen._compat import Interval, StrOptions
from skgen._docstrings import PIECES, Substitution
from skgen._layers import TabularLoss
from skgen._mixins import GenerativeMixin, LatentTransformerMixin, check_labels
from skgen._persistence import register
from skgen._tabular import CHUNK_ROWS, column_std
from skgen._training import StreamedTable, encoded_rows
from skgen._vae_nets import VAEModule, VAENet

HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)

# Smallest scale of a numeric column, as a fraction of its training spread.
MIN_SCALE_FRACTION = 0.01


@register
@Substitution(**PIECES)
class VAE(LatentTransformerMixin, GenerativeMixin, NeuralEstimator):
    """Variational autoencoder: latent codes, row likelihoods and new rows.

    An encoder maps each row to a Gaussian posterior over ``n_components``
    latent variables and a decoder maps latent vectors back to rows. Trained
    on the evidence lower bound (ELBO), it does three jobs:

    - **dimensionality reduction**: ``transform`` returns the posterior mean,
      a smooth code that works as features for a downstream model;
    - **scoring**: ``score_samples`` returns each row's ELBO, a lower bound of
      its log-likelihood, which ranks unusual rows first; ``score`` averages
      it, so ``GridSearchCV(VAE())`` selects models without labels;
    - **generation**: ``sample`` draws new rows from the prior through the
      decoder, a DataFrame with the training columns and dtypes when fitted
      on one. With ``conditional=True`` the decoder also takes the class, and
      ``sample(n, y=label)`` draws rows of the asked classes.

    Mixed-type tables go in as they are, as for :class:`~skgen.AutoEncoder`:
    numbers are standardised and modelled as Gaussians with a learned
    standard deviation per column, categories as softmax distributions.

    Parameters
    ----------
    n_components : int, default=2
        Number of latent variables.

    beta : float, default=1.0
        Weight of the KL divergence in the training loss: above 1 for a
        smoother, more disentangled latent space, below 1 for sharper
        reconstructions. ``score_samples`` always uses the true ELBO.

    kl_warmup_epochs : int, default=0
        Number of first epochs over which the KL weight grows linearly from 0
        to ``beta``, which helps avoid posterior collapse.

    decoder_scale : {{"column", "shared"}}, default="column"
        How the decoder's fit weighs the numeric columns. ``"column"`` gives
        each column its own noise scale, so a column it reconstructs well
        weighs more: the best density and the truest samples, for tables
        whose columns differ. ``"shared"`` uses one scale for all, so every
        column weighs the same, as in the AutoEncoder's squared error: better
        codes for columns in one unit, such as pixels, where a nearly
        constant column would otherwise take over the fit. Either way each
        column's scale for ``score_samples`` and ``sample`` is the error of
        its own reconstructions.

    conditional : bool, default=False
        Whether ``fit(X, y)`` learns p(x | z, y), so that ``sample`` can draw
        rows of given classes. When False, ``y`` is ignored, as inside
        ``Pipeline(VAE(), classifier)``, and the codes keep the class
        information. ``transform`` needs only ``X`` either way.

    {mlp_parameters}

    {features}

    {categorical_features}

    handle_unknown : {{"error", "ignore"}}, default="error"
        What ``transform`` and ``score_samples`` do with a category that fit
        did not see: raise, or encode it as all zeros (scored like the least
        likely known category).

    {numeric_scaling}

    {table_parameters}

    {optimisation_parameters}

    n_iter_no_change : int or None, default=20
        Stop when the monitored loss has not improved by a relative ``tol``
        for this many epochs. ``None`` always trains for ``max_epochs``. The
        default waits twice as long as the AutoEncoder's: the training loss
        is a one-draw estimate of the ELBO, noisy enough to stop a fit too
        early (measured on the benchmark tables, patience 10 stopped after
        90-120 epochs with a two-sample AUC 0.02-0.07 higher than patience 20).

    {tol}

    {callbacks}

    {device}

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order, dropout and the posterior
        draws of training. An int makes fits bit-identical on CPU. The global
        numpy and torch random states are never changed.

    {verbose}

    Attributes
    ----------
    net_ : skgen._vae_nets.VAENet
        The fitted skorch net; ``net_.module_`` is the torch module.

    {table_attributes}

    classes_ : ndarray of shape (n_classes,)
        The class labels, when ``conditional=True``.

    class_prior_ : ndarray of shape (n_classes,)
        The share of each class among the training rows, when
        ``conditional=True``.

    history_ : skorch.History
        Per-epoch records: ``history_[:, "train_loss"]`` (the mean negative
        ELBO with ``beta``), and ``history_[:, "valid_loss"]`` when
        ``validation_fraction`` is set.

    {fitted_attributes}

    See Also
    --------
    AutoEncoder : Deterministic codes and reconstructions.
    sklearn.decomposition.PCA : Linear dimensionality reduction.
    sklearn.mixture.GaussianMixture : A density model that also samples.

    Notes
    -----
    ``sample`` decodes draws from the prior (N(0, I), or the class's prior
    for a conditional model) and adds the decoder's Gaussian noise (its
    learned scale) to the numbers; categories are drawn from their softmax.
    ``inverse_transform`` of a conditional model decodes each code under the
    class whose prior mean is nearest to it.

    ``score_samples`` evaluates the ELBO at the posterior mean (no sampling),
    so it is deterministic: the reconstruction log-likelihood of the decoded
    mean code minus the KL divergence of the posterior from the prior. With
    ``numeric_scaling="standard"`` or ``None``, numeric columns count as
    densities in their original units (the standardisation's Jacobian is
    included), so scores of such models compare; with ``"quantile"`` (the
    default) they are densities of the normal scores, which rank rows as
    well but do not compare with the other scalings. A missing number counts
    only through its missing indicator.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import VAE
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> vae = VAE(n_components=2, max_epochs=10, random_state=0)
    >>> vae.fit_transform(X).shape
    (1797, 2)
    >>> vae.score_samples(X[:3]).shape
    (3,)
    >>> vae.sample(5, random_state=0).shape
    (5, 64)

    Rows of given classes from a conditional model:

    >>> cvae = VAE(conditional=True, max_epochs=10, random_state=0).fit(X, y)
    >>> cvae.sample(4, y=[0, 0, 7, 7], random_state=0).shape
    (4, 64)
    """

    _refit_for_classes = "refit it with conditional=True to sample given classes."

    _parameter_constraints: dict = {
        **LatentTransformerMixin._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
        "kl_warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "decoder_scale": [StrOptions({"column", "shared"})],
        "conditional": ["boolean"],
    }

    _net_class = VAENet
    _module_class = VAEModule
    _criterion_class = TabularLoss
    _streams_tables = True

    # What save() writes (skgen._persistence).
    _saved_attributes = (
        NeuralEstimator._saved_attributes
        + LatentTransformerMixin._saved_latent_attributes
        + GenerativeMixin._saved_class_attributes
    )
    _saved_net_arguments = LatentTransformerMixin._saved_net_arguments + (
        "beta",
        "kl_warmup_epochs",
        "decoder_scale",
        "module__n_classes",
        "module__n_numeric",
        "module__min_scale",
    )

    def __init__(
        self,
        n_components=2,
        *,
        beta=1.0,
        kl_warmup_epochs=0,
        decoder_scale="column",
        conditional=False,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        features="codes",
        categorical_features="from_dtype",
        handle_unknown="error",
        numeric_scaling="quantile",
        handle_missing="model",
        max_discrete_values=10,
        numeric_output="observed",
        max_epochs=200,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        validation_fraction=None,
        n_iter_no_change=20,
        tol=1e-4,
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self._store_params(locals())

    def score_samples(self, X):
        """Return each row's evidence lower bound (ELBO).

        Higher is more typical; the lowest scores flag anomalies. For a
        conditional model the ELBO is averaged over the classes, weighted by
        their training shares (on the likelihood scale), so no labels are
        needed.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ELBO of each row, in nats.
        """
        check_is_fitted(self)
        X, dtype = self._check_table(X)
        elbo = functools.partial(self._elbo, constants=self._number_constants())
        if not self._is_conditional:
            return self._forward_table(elbo, X, 1, dtype)[:, 0]
        scores = np.empty(X.shape[0])
        encoder = self.table_encoder_
        for start, Xt in encoder.transform_chunks(X, CHUNK_ROWS):
            per_class = []
            for label, prior in zip(self.classes_, self.class_prior_, strict=True):
                condition = self._one_hot(np.full(len(Xt), label))
                batch = np.hstack([Xt, condition])
                scores_given = self._forward_in_batches(elbo, batch, 1, np.float64)
                per_class.append(scores_given[:, 0] + np.log(prior))
            chunk = np.logaddexp.reduce(np.column_stack(per_class), axis=1)
            scores[start : start + len(Xt)] = chunk
        return scores.astype(dtype, copy=False)

    # Private workers -------------------------------------------------------

    def _fit(self, X, y):
        """Encode ``X`` (and ``y``), build the module and train it."""
        self._forget_labels()
        Xt = self._fit_table(X)
        n_classes = 0
        if self.conditional:
            if isinstance(Xt, StreamedTable):
                raise ValueError(
                    "VAE(conditional=True) trains on tables in memory; a Dask "
                    "DataFrame is taken by an unconditional VAE only."
                )
            if y is None:
                raise ValueError(
                    "VAE(conditional=True) requires y to be passed, but the "
                    "target y is None: call fit(X, y) with the class labels."
                )
            codes = self._fit_labels(y, len(Xt))
            n_classes = len(self.classes_)
            Xt = np.hstack([Xt, np.eye(n_classes, dtype=Xt.dtype)[codes]])
        n_numeric = self.table_encoder_.n_numeric_
        module_kwargs = {
            "n_classes": n_classes,
            "n_numeric": n_numeric,
            "min_scale": self._min_scale(encoded_rows(Xt)[:, :n_numeric]),
        }
        self._fit_table_net(Xt, **module_kwargs)

    def _more_training_rows(self, Xt, y):
        """Encoded rows of a later ``partial_fit`` pass, with their classes."""
        if not self._is_conditional:
            return Xt, None
        if y is None or isinstance(Xt, StreamedTable):
            raise ValueError(
                "VAE(conditional=True) requires y in every partial_fit call, "
                "with a table in memory."
            )
        check_labels(y)
        y = column_or_1d(np.asarray(y, dtype=object), warn=True)
        if len(y) != len(Xt):
            raise ValueError(f"X has {len(Xt)} rows but y has {len(y)} labels.")
        return np.hstack([Xt, self._one_hot(y)]), None

    def _net_arguments(self):
        """The ELBO's weights, for :class:`~skgen._vae_nets.VAENet`."""
        return {
            "beta": self.beta,
            "kl_warmup_epochs": self.kl_warmup_epochs,
            "decoder_scale": self.decoder_scale,
        }

    @staticmethod
    def _min_scale(numbers):
        """Floor of each numeric column's scale: 1% of its spread in training.

        A constant column gets 1% of the columns' mean spread. A column that
        barely varies keeps a tiny floor, so one odd value in it can still
        cost very many nats and dominate a mean score.
        """
        std = column_std(numbers) if numbers.shape[1] else np.zeros(0)
        typical = std[std > 0].mean() if np.any(std > 0) else 1.0
        floor = MIN_SCALE_FRACTION * np.where(std > 0, std, typical)
        return torch.as_tensor(floor, dtype=torch.float32)

    def _decoder_input(self, Z):
        """Codes followed, for a conditional model, by their nearest class."""
        if not self._is_conditional:
            return Z
        prior_means = self.net_.module_.prior_means.detach().cpu().numpy()
        nearest = ((Z[:, None, :] - prior_means) ** 2).sum(-1).argmin(1)
        return np.hstack([Z, self._one_hot(self.classes_[nearest]).astype(Z.dtype)])

    def _latent_prior(self):
        """Codes are ``n_components`` wide, centred on each class's prior mean."""
        prior_means = self.net_.module_.prior_means.detach().cpu().numpy()
        return self._n_codes, prior_means

    @property
    def _is_conditional(self):
        """Whether the fitted model is conditioned on classes (``conditional``)."""
        return self.net_.module_.n_classes > 0

    def _decode_batch(self, batch):
        """Decoder output for codes (followed by one-hot classes)."""
        module = self.net_.module_
        n_codes = self._n_codes
        z, condition = batch[:, :n_codes], batch[:, n_codes:]
        return module.decode(z, condition if module.n_classes else None)

    def _draw_rows(self, batch, rng):
        """Encoded rows drawn from the decoder's distributions for codes."""
        output = self._decode_batch(batch)
        encoder = self.table_encoder_
        n_numeric = encoder.n_numeric_
        scale = torch.exp(self.net_.module_.log_scale)
        noise = torch.randn(len(output), n_numeric, generator=rng)
        rows = torch.zeros_like(output)
        rows[:, :n_numeric] = output[:, :n_numeric] + noise.to(output.device) * scale
        for start, stop in encoder.categorical_blocks:
            probabilities = torch.softmax(output[:, start:stop].double(), dim=1)
            picks = torch.multinomial(probabilities.cpu(), 1, generator=rng)
            rows[torch.arange(len(rows)), start + picks[:, 0].to(rows.device)] = 1.0
        return rows

    def _number_constants(self):
        """Per number: its Gaussian's constant plus the log of its encoded unit.

        Subtracted for each number present in a row, they make numbers count
        as log-densities in their original units (normal scores: in theirs).
        """
        constants = [HALF_LOG_TWO_PI + u for u in self.table_encoder_.log_units]
        return torch.tensor(constants)

    def _elbo(self, batch, constants):
        """ELBO of encoded rows (followed by one-hot classes), in float32.

        ``constants`` come from :meth:`_number_constants`; a missing number
        counts only through its indicator.
        """
        net = self.net_
        presence = net.criterion_.presence(batch)
        constants = constants.to(batch.device, batch.dtype)
        offset = constants.sum() if presence is None else presence @ constants
        return (net.elbo(batch) - offset)[:, None]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self.conditional
        return tags
