"""The AutoEncoder transformer."""

from numbers import Real

import torch
from sklearn.utils.validation import check_is_fitted

from skgen._autoencoder_nets import AutoEncoderModule, ReconstructionNet
from skgen._base import NeuralEstimator
from skgen._compat import Interval, StrOptions
from skgen._docstrings import PIECES, Substitution
from skgen._layers import CORRUPTIONS, TabularLoss, balanced_category_weights
from skgen._mixins import LatentTransformerMixin
from skgen._persistence import register
from skgen._tabular import column_std
from skgen._training import encoded_rows


@register
@Substitution(**PIECES)
class AutoEncoder(LatentTransformerMixin, NeuralEstimator):
    """Autoencoder for nonlinear dimensionality reduction and feature learning.

    A multilayer-perceptron encoder maps each row to ``n_components`` codes and
    a mirrored decoder maps codes back, trained to reconstruct its input.
    ``transform`` returns the codes, ``inverse_transform`` the reconstructions,
    and ``score_samples`` each row's negative reconstruction loss, which ranks
    unusual rows first.

    It takes arrays and mixed-type DataFrames as they are. Numeric columns are
    standardised inside the model (no :class:`~sklearn.preprocessing.StandardScaler`
    needed) and reconstructed by a linear output; each categorical column is
    one-hot encoded and reconstructed by a softmax over its categories. The loss
    sums half the squared error of each standardised number and the
    cross-entropy of each category, so an odd category costs as much as an odd
    number. Fitted on a DataFrame, ``inverse_transform`` returns a DataFrame with
    the same columns and dtypes.

    Parameters
    ----------
    n_components : int, default=2
        Number of codes (width of the latent layer), named as in
        :class:`~sklearn.decomposition.PCA` so one parameter grid serves both.

    {mlp_parameters}

    noise_std : float, default=0.0
        Standard deviation of the Gaussian noise added to the encoded inputs
        during training, as a fraction of each encoded column's standard
        deviation: a denoising autoencoder when positive. ``transform`` never
        adds noise.

    corruption : {{"swap", "mask"}} or None, default="swap"
        How whole columns of the training rows are corrupted before the
        encoder sees them (the clean row is what the decoder must
        reconstruct): ``"swap"`` replaces a cell by the same column's value
        in another row of the batch (swap noise, which keeps each column's
        distribution), ``"mask"`` by zeros (a standardised column's mean, an
        unknown category). A number and its missing indicator, or a
        category's one-hot block, are corrupted together. ``transform``
        never corrupts. A denoising autoencoder's codes must summarise what
        the columns share, which makes them smoother functions of the row:
        on real tables swap noise lifted a linear model on the codes well
        above the plain autoencoder's (see the user guide). ``None`` trains
        on clean rows and reconstructs best (images: see the quickstart).

    corruption_rate : float, default=0.3
        Probability that a cell is corrupted, when ``corruption`` is set.

    predict_corruption : bool, default=False
        Also train a linear head to tell, from the codes, which columns of
        the row were corrupted (the mask estimator of VIME, Yoon et al.,
        2020); its binary cross-entropy joins the loss, so the codes must
        also say which values look out of place. The head is dropped after
        fit. Needs ``corruption``.

    category_weights : "balanced" or None, default="balanced"
        How much each categorical column's cross-entropy counts in the
        training loss. ``"balanced"`` scales it by ``min(1, 0.5 / H)``, with
        ``H`` the entropy of the column's categories in fit, so that no column
        costs a model that knows only the category shares more than a
        standardised number costs it (0.5 per row), as in PCA, where a one-hot
        block's variance is at most a standardised number's. Without it a
        column of many even categories outweighs several numbers, and the
        codes spend themselves on it. ``None`` weighs every category by 1.
        ``score_samples`` never weighs.

    {features}

    categorical_features : "from_dtype", array-like of int, str or bool, or \
            None, default="from_dtype"
        Which columns are categorical, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:

        - ``"from_dtype"``: DataFrame columns of dtype ``category``, ``object``,
          ``string`` and ``bool``; for an array, every column of a bool or
          string array, and the columns of an object array that hold strings;
        - integer indices or column names of the categorical columns;
        - a boolean mask with one entry per column;
        - ``None``: no categorical columns (bool columns become 0/1 numbers).

        A missing value (``None``, ``NaN``, ``pd.NA``) in a categorical column
        is a category of its own and is reconstructed as missing.

    handle_unknown : {{"error", "ignore"}}, default="error"
        What ``transform`` and ``score_samples`` do with a category that fit
        did not see: raise a ``ValueError`` naming the column and the value, or
        encode it as all zeros, like :class:`~sklearn.preprocessing.OneHotEncoder`
        (``score_samples`` then charges it as much as the least likely known
        category, so such rows still rank as unusual).

    numeric_scaling : {{"standard", "quantile"}} or None, default="standard"
        How numbers (and dates and times) enter the network. ``"standard"``
        centres each numeric column and divides it by its standard deviation,
        so columns in different units weigh alike. ``"quantile"`` maps each
        value to its normal score through the column's empirical quantiles
        (as :class:`~sklearn.preprocessing.QuantileTransformer` with
        ``output_distribution="normal"``) and decodes through the same
        quantiles, so that skewed, heavy-tailed and zero-inflated columns
        become Gaussian-like and decoded values follow the fitted marginal.
        ``None`` uses the numbers as given, which suits features that share
        one unit and whose small-variance columns matter little (pixel
        intensities).

    handle_missing : {{"model", "error"}}, default="model"
        What fit does with missing values (``NaN``, ``pd.NA``, ``NaT``) in a
        numeric, date or time column. ``"model"``: the column gets a missing
        indicator, learned like a binary category, next to its value, whose
        loss is ignored where it is missing; ``inverse_transform`` and
        ``sample`` return missing values (in the column's dtype) where the
        model predicts them, and ``transform`` and ``score_samples`` accept
        rows with missing values. ``"error"``: raise a ``ValueError`` naming
        the columns.

    max_discrete_values : int, default=0
        A numeric column with at most this many distinct values in fit (and at
        least two rows per value on average) is modelled as ordered
        categories: a one-hot block, decoded to exactly the observed values
        (codes such as 1-5 ratings, counts, years, a constant). ``transform``
        maps a number fit did not see to the nearest observed one. ``0`` (the
        AutoEncoder's default; the generators use 10) models every numeric
        column as a number, which suits a reducer: as categories, sparse
        columns such as the edge pixels of digits were reconstructed by their
        most frequent value, and the reconstruction error grew.

    numeric_output : {{"observed", "raw"}}, default="observed"
        ``"observed"``: decoded float columns come back on their observed grid
        (rounded to the fewest decimal places, up to six, that the fitted
        values have) and inside their fitted range. ``"raw"``: as the network
        decodes them. Integer, boolean, date and time columns are always
        rounded to their grid and kept inside the fitted range.

    {optimisation_parameters}

    n_iter_no_change : int or None, default=10
        Stop when the monitored loss has not improved by a relative ``tol``
        for this many epochs. ``None`` always trains for ``max_epochs``.

    {tol}

    {callbacks}

    {device}

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order, dropout and noise. An int
        makes fits bit-identical on CPU. The global numpy and torch random
        states are never changed.

    {verbose}

    Attributes
    ----------
    net_ : skgen._autoencoder_nets.ReconstructionNet
        The fitted skorch net; ``net_.module_`` is the torch module, which
        maps a batch of encoded rows to its reconstruction (numbers and
        per-category logits), and ``net_.criterion_`` the per-column loss.

    {table_attributes}

    history_ : skorch.History
        Per-epoch records: ``history_[:, "train_loss"]``, and
        ``history_[:, "valid_loss"]`` when ``validation_fraction`` is set.

    {fitted_attributes}

    See Also
    --------
    sklearn.decomposition.PCA : Linear dimensionality reduction.
    sklearn.neural_network.BernoulliRBM : Feature learning for binary data.

    Notes
    -----
    Training runs in float32. ``transform`` returns float32 for float32 input
    and float64 otherwise; ``inverse_transform`` of an array fit returns the
    codes' float dtype when every column is numeric. Inside
    ``GridSearchCV(n_jobs=k)`` each worker uses its share of the CPU cores for
    torch (skgen follows the ``OMP_NUM_THREADS`` that joblib sets in its
    workers). On a machine whose
    cores are busy with other work, small networks train much faster on one
    thread: set ``OMP_NUM_THREADS=1``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import AutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> ae = AutoEncoder(n_components=8, max_epochs=20, random_state=0)
    >>> Z = ae.fit_transform(X)
    >>> Z.shape
    (1797, 8)
    >>> ae.inverse_transform(Z).shape
    (1797, 64)
    >>> bool(ae.score(X) < 0)
    True

    A mixed-type DataFrame comes back with its columns and dtypes:

    >>> import pandas as pd
    >>> df = pd.DataFrame({{
    ...     "size": [1.0, 2.5, 3.0, 4.5] * 25,
    ...     "colour": pd.Categorical(["red", "blue", "red", None] * 25),
    ...     "rooms": [1, 2, 2, 3] * 25,
    ...     "garden": [True, False, True, False] * 25,
    ... }})
    >>> ae = AutoEncoder(n_components=2, max_epochs=50, random_state=0).fit(df)
    >>> df_back = ae.inverse_transform(ae.transform(df))
    >>> df_back.dtypes.equals(df.dtypes)
    True
    >>> df_back["colour"].cat.categories.equals(df["colour"].cat.categories)
    True
    """

    _parameter_constraints: dict = {
        **LatentTransformerMixin._parameter_constraints,
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "corruption": [StrOptions(set(CORRUPTIONS)), None],
        "corruption_rate": [Interval(Real, 0, 1, closed="left")],
        "predict_corruption": ["boolean"],
        "category_weights": [StrOptions({"balanced"}), None],
    }

    _net_class = ReconstructionNet
    _module_class = AutoEncoderModule
    _criterion_class = TabularLoss
    _streams_tables = True

    # What save() writes (skgen._persistence).
    _saved_attributes = (
        NeuralEstimator._saved_attributes
        + LatentTransformerMixin._saved_latent_attributes
    )
    # Net arguments that only shape training, which save() leaves out: a
    # loaded model transforms and scores, and a refit rebuilds its net.
    _training_net_arguments = (
        "criterion__category_weights",
        "module__corruption",
        "module__corruption_rate",
        "module__slot_columns",
        "module__predict_corruption",
    )
    _added_parameters = {
        **LatentTransformerMixin._added_parameters,
        "corruption": None,
        "corruption_rate": 0.3,
        "predict_corruption": False,
        "category_weights": None,
    }
    _saved_net_arguments = LatentTransformerMixin._saved_net_arguments + (
        "module__noise_scale",
    )

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        noise_std=0.0,
        corruption="swap",
        corruption_rate=0.3,
        predict_corruption=False,
        features="codes",
        category_weights="balanced",
        categorical_features="from_dtype",
        handle_unknown="error",
        numeric_scaling="standard",
        handle_missing="model",
        max_discrete_values=0,
        numeric_output="observed",
        max_epochs=200,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        validation_fraction=None,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self._store_params(locals())

    def score_samples(self, X):
        """Return each row's negative reconstruction loss.

        The loss sums, over the columns, half the squared error of each
        (standardised) number and the cross-entropy of each category. Higher is
        more typical; the lowest scores flag anomalies.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Negative reconstruction loss of each row.
        """
        check_is_fitted(self)
        X, dtype = self._check_table(X)
        module = self.net_.module_
        row_losses = self.net_.criterion_.row_losses

        def negative_loss(batch):
            return -row_losses(module.decode(module.encode(batch)), batch)[:, None]

        return self._forward_table(negative_loss, X, 1, dtype)[:, 0]

    def _fit(self, X, y):
        """Encode ``X``, build the module and train it (``y`` is ignored)."""
        corrupting = self.corruption is not None and self.corruption_rate > 0
        if self.predict_corruption and not corrupting:
            raise ValueError(
                "predict_corruption=True needs corrupted rows to predict: set "
                "corruption to 'swap' or 'mask' and corruption_rate above 0 "
                f"(got corruption={self.corruption!r}, "
                f"corruption_rate={self.corruption_rate})."
            )
        if self.predict_corruption and getattr(self, "_one_pass", False):
            raise ValueError(
                "partial_fit trains the codes without the corruption head of "
                "predict_corruption=True, which fit alone uses: set "
                "predict_corruption=False, or call fit."
            )
        Xt = self._fit_table(X)
        rows = encoded_rows(Xt)
        noise_scale = None
        if self.noise_std > 0:
            std = column_std(rows)
            noise_scale = torch.as_tensor(self.noise_std * std, dtype=torch.float32)
        weights = None
        if self.category_weights == "balanced":
            encoder = self.table_encoder_
            weights = balanced_category_weights(rows, encoder.categorical_blocks)
        corruption = {}
        if corrupting:
            corruption = {
                "corruption": self.corruption,
                "corruption_rate": self.corruption_rate,
                "slot_columns": self.table_encoder_.slot_columns,
                "predict_corruption": self.predict_corruption,
            }
        self._fit_table_net(
            Xt, category_weights=weights, noise_scale=noise_scale, **corruption
        )
        # The head only shapes the codes in training; the fitted model, and
        # its file, are those of an AutoEncoder without it.
        self.net_.module_.corruption_head = None
