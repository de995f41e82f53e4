"""The autoregressive generator: each column drawn given the ones before it."""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from skorch.callbacks import EarlyStopping
from torch import nn
from torch.optim import Adam

from skgen._autoregressive_nets import AutoregressiveModule, AutoregressiveNet
from skgen._base import NeuralEstimator
from skgen._compat import Interval, StrOptions
from skgen._docstrings import PIECES, Substitution
from skgen._layers import ACTIVATIONS
from skgen._mixins import GenerativeMixin, TableOverSamplerMixin
from skgen._persistence import register
from skgen._training import BalancedIterator

# fit_resample trains on batches that hold every class equally often (row
# weights of count ** (power - 1)), so that the rows of the rare classes it
# generates shape their conditionals. On 25 rows of diamonds' cut == "Fair"
# against 1,250 others (3 draws), a forest fitted on the real rows gave the
# generated "Fair" rows a mean probability of "Fair" of 0.34-0.41 with the
# data's proportions, 0.41-0.60 with a square root and 0.55-0.72 with equal
# shares (real "Fair" rows, out of fold: 0.45-0.51). fit keeps the data's
# proportions: there the held-out likelihood of all rows is what counts, and
# equal shares cost 0.9 nats a row on the same draws.
RESAMPLING_CLASS_POWER = 0.0

# batch_size="auto": about 64 steps per epoch, within these bounds. Small
# tables need small batches to get enough steps before early stopping.
MIN_AUTO_BATCH = 32
MAX_AUTO_BATCH = 256
AUTO_STEPS_PER_EPOCH = 64


@register
@Substitution(sampling_strategy=BaseOverSampler._sampling_strategy_docstring, **PIECES)
class AutoregressiveGenerator(
    GenerativeMixin, TableOverSamplerMixin, NeuralEstimator, BaseOverSampler
):
    """Autoregressive generator for tables: each column given the columns before it.

    A masked network (MADE) predicts every column of a row from the columns
    before it, all in one pass: each number, mapped to normal scores through
    its quantiles, by a mixture of Gaussians, and each categorical column by
    a softmax over its categories. ``sample`` draws the columns one after
    another. A masked linear path beside the hidden layers makes the model a
    Gaussian copula to begin with, which the hidden layers refine: marginals
    are kept through the quantiles, monotone relations through the linear
    path, and sharp or multimodal conditionals (a price given a size and a
    grade) through the mixtures.

    It serves the purposes of :class:`~skgen.GAN`: ``fit(X)`` (or ``fit(X,
    y)``, conditioned on the class) and ``sample(n, y=...)`` generate rows;
    ``fit_resample(X, y)`` adds the rows that ``sampling_strategy`` asks for,
    skgen's recommended over-sampler: it trains on batches that hold every
    class equally often, so that a rare class's few rows shape its
    conditionals, and keeps the drawn rows that look most like their class
    (``filter_factor``). Training maximises the rows' likelihood and stops
    early on a held-out share of the rows, whose best weights are kept.

    Parameters
    ----------
    {sampling_strategy}

    {sampler_parameters}

    n_mixture_components : int, default=5
        Gaussians in the mixture that models each number given the columns
        before it.

    hidden_layer_sizes : array-like of int or int, default=(256, 256)
        Widths of the masked hidden layers.

    activation : {{"relu", "leaky_relu", "elu", "selu", "gelu", "tanh", \
            "sigmoid", "identity"}}, default="relu"
        Activation after each hidden layer.

    dropout : float, default=0.2
        Dropout probability after each hidden activation, in training only.
        It keeps the model from learning its training rows' quirks: against
        held-out real rows, the two-sample AUC of generated rows fell from
        0.58 to 0.52 on wine, 0.65 to 0.60 on breast_cancer, 0.60 to 0.54 on
        the penguins and 0.65 to 0.62 on diamonds (10,000 rows) with 0.2
        instead of 0 (three seeds; 0.3 did no better).

    max_epochs : int, default=300
        Maximum number of epochs.

    batch_size : int or "auto", default="auto"
        Rows per step. ``"auto"`` makes about 64 steps per epoch, within 32
        to 256 rows: small tables get small batches, and so enough steps.

    lr : float, default=1e-3
        Learning rate of the Adam optimizer.

    weight_decay : float, default=0.0
        L2 penalty of the optimizer.

    {categorical_features}

    {numeric_scaling}

    {table_parameters}

    validation_fraction : float or None, default=0.1
        Share of the rows held out to stop training early: the weights of the
        epoch with the lowest held-out negative log-likelihood (to within
        ``tol``) are kept.
        ``None`` trains on every row and watches the training loss.

    n_iter_no_change : int or None, default=20
        Stop when the monitored loss has not improved by ``tol`` for this
        many epochs. ``None`` always trains for ``max_epochs``.

    tol : float, default=1e-3
        Least improvement of the monitored loss (nats per row) that counts.

    {callbacks}

    {device}

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, the validation split, batch order and
        the rows that ``fit_resample`` adds. An int makes fits bit-identical
        on CPU. The global numpy and torch random states are never changed.

    {verbose}

    Attributes
    ----------
    net_ : skgen._autoregressive_nets.AutoregressiveNet
        The fitted skorch net; ``net_.module_`` is the masked network.

    {table_attributes}

    {sampler_class_attributes}

    {resample_attributes}

    history_ : skorch.History
        Per-epoch records: ``history_[:, "train_loss"]`` and, with
        ``validation_fraction``, ``history_[:, "valid_loss"]``, mean negative
        log-likelihoods of a row (numbers counted in normal scores).

    {fitted_attributes}

    See Also
    --------
    GAN : A generative adversarial network for tables.
    VAE : A variational autoencoder that also samples rows.
    GenerativeOverSampler : Over-samples with any skgen generator.

    Notes
    -----
    The columns are ordered: the class first (conditional models), then the
    one-hot columns (categories, few-valued numbers, missing indicators) in
    table order, then the numbers in table order. A number is modelled only
    where present, after its missing indicator. The design borrows from
    TabularARGN (an autoregressive network over columns) and from the
    Gaussian copula (normal scores through the empirical quantiles); the
    masks are those of MADE (Germain et al., 2015).

    Sampling takes one pass of the network per column: slower than a GAN's
    one pass for wide tables, still thousands of rows per second.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skgen import AutoregressiveGenerator
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> model = AutoregressiveGenerator(max_epochs=20, random_state=0).fit(X, y)
    >>> rows = model.sample(4, y=[0, 0, 2, 2], random_state=0)
    >>> rows.shape, rows.columns[0]
    ((4, 4), 'sepal length (cm)')

    As an over-sampler, it tops up the rare classes:

    >>> import numpy as np
    >>> y_rare = np.where(y == 0, 1, 0)[::2]
    >>> X_res, y_res = model.fit_resample(X.iloc[::2], y_rare)
    >>> np.bincount(y_rare).tolist(), np.bincount(y_res).tolist()
    ([50, 25], [50, 50])
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        **TableOverSamplerMixin._sampler_parameter_constraints,
        **NeuralEstimator._parameter_constraints,
        "n_mixture_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    _net_class = AutoregressiveNet
    _module_class = AutoregressiveModule
    _criterion_class = nn.Identity

    # What save() writes (skgen._persistence).
    _saved_attributes = (
        NeuralEstimator._saved_attributes
        + GenerativeMixin._saved_class_attributes
        + TableOverSamplerMixin._saved_sampler_attributes
    )
    _saved_net_arguments = NeuralEstimator._saved_net_arguments + (
        "optimizer__weight_decay",
        "module__n_features",
        "module__n_numeric",
        "module__categorical_blocks",
        "module__missing_slots",
        "module__hidden_layer_sizes",
        "module__activation",
        "module__dropout",
        "module__n_classes",
        "module__n_mixture_components",
    )

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        filter_factor=3.0,
        fill_fraction=1.0,
        n_mixture_components=5,
        hidden_layer_sizes=(256, 256),
        activation="relu",
        dropout=0.2,
        max_epochs=300,
        batch_size="auto",
        lr=1e-3,
        weight_decay=0.0,
        categorical_features="from_dtype",
        numeric_scaling="quantile",
        handle_missing="model",
        max_discrete_values=10,
        numeric_output="observed",
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-3,
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self._store_params(locals())

    # Private workers -------------------------------------------------------

    def _fit(self, X, y, resampling=False):
        """Encode ``X`` (and ``y``), build the masked network and train it.

        For ``fit_resample`` (``resampling=True``), batches hold the classes
        equally often.
        """
        self._forget_labels()
        Xt = self._fit_table(X)
        n_classes = 0
        batches = {"iterator_train__shuffle": True}
        if y is not None:
            codes = self._fit_labels(y, len(Xt))
            n_classes = len(self.classes_)
            Xt = np.hstack([Xt, np.eye(n_classes, dtype=Xt.dtype)[codes]])
            if resampling:
                counts = np.bincount(codes)
                batches = {
                    "iterator_train": BalancedIterator,
                    "row_weights": counts[codes] ** (RESAMPLING_CLASS_POWER - 1.0),
                }
        encoder = self.table_encoder_
        self._train(
            Xt,
            batch_size=self._batch_rows(self._n_training_rows(len(Xt))),
            **batches,
            optimizer=Adam,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            module__n_features=encoder.n_encoded_,
            module__n_numeric=encoder.n_numeric_,
            module__categorical_blocks=encoder.categorical_blocks,
            module__missing_slots=encoder.missing_slots,
            module__hidden_layer_sizes=self._layer_sizes(),
            module__activation=self.activation,
            module__dropout=self.dropout,
            module__n_classes=n_classes,
            module__n_mixture_components=self.n_mixture_components,
        )

    def _batch_rows(self, n_train):
        """The rows per step: ``batch_size``, or the one ``"auto"`` picks."""
        if self.batch_size != "auto":
            return self.batch_size
        rows = n_train // AUTO_STEPS_PER_EPOCH
        return int(min(MAX_AUTO_BATCH, max(MIN_AUTO_BATCH, rows)))

    def _monitor_callbacks(self, seed):
        """Early stopping on the (held-out) negative log-likelihood.

        An absolute threshold: the loss counts numbers as densities of normal
        scores, which can make it negative, where a relative one misleads.
        """
        if self.n_iter_no_change is None and self.validation_fraction is None:
            return []
        validating = self.validation_fraction is not None
        early_stopping = EarlyStopping(
            monitor="valid_loss" if validating else "train_loss",
            patience=self.n_iter_no_change or self.max_epochs,
            threshold=self.tol,
            threshold_mode="abs",
            load_best=validating,
        )
        return [("early_stopping", early_stopping)]

    def _latent_prior(self):
        """Rows are drawn from the classes alone: no Gaussian input."""
        return 0, None

    def _draw_rows(self, batch, rng):
        """Encoded rows drawn column by column, given one-hot classes ``batch``."""
        return self.net_.module_.sample(batch, rng)
