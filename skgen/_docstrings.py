"""Docstring pieces shared by the class docstrings of the AutoEncoder, VAE and GAN.

The models document many parameters and fitted attributes alike. Each such
description is written once here, in :data:`PIECES`, and a class fills them in
with :class:`Substitution`, which calls ``str.format`` on its docstring as
imbalanced-learn's decorator of that name does (skgen has its own, so that
the AutoEncoder and the VAE do not import imbalanced-learn): the docstring
names a piece by a placeholder on a line of its own, such as
``{mlp_parameters}``, and doubles its literal braces
(``{{"error", "ignore"}}``, ``pd.DataFrame({{...}})``).

A piece is written below as it stands in a class docstring. Its first line
takes the placeholder's place; its further lines carry the indentation of a
class docstring, so the filled-in docstring is valid numpydoc.

The AutoEncoder describes ``categorical_features``, ``handle_unknown``,
``numeric_scaling``, ``handle_missing``, ``max_discrete_values`` and
``numeric_output`` in full in its own docstring; the VAE and the GAN refer to
it with the short pieces ``categorical_features``, ``numeric_scaling`` and
``table_parameters``.
Descriptions that differ between the models in substance (defaults,
``n_iter_no_change``, ``random_state``, ``history_``, ...) stay in each
model's docstring.
"""

import sys
import textwrap

# The indentation of a class docstring's lines after the first. Python 3.13
# strips it from docstrings when compiling (4 spaces before).
_CLASS_DOCSTRING_INDENT = "" if sys.version_info >= (3, 13) else "    "

# Each piece as it is written in a class docstring: 4-space indentation.
_TEXTS = {
    # AutoEncoder and VAE: the mirrored encoder and decoder.
    "mlp_parameters": """
    hidden_layer_sizes : array-like of int or int, default=(256, 128)
        Widths of the encoder's hidden layers, from input to code; the decoder
        uses them in reverse.

    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh", \
            "sigmoid", "identity"}, default="relu"
        Activation after each hidden layer.

    dropout : float, default=0.0
        Dropout probability after each hidden activation, during training only.
    """,
    # AutoEncoder and VAE.
    "features": """
    features : {"codes", "all_layers"}, default="codes"
        What ``transform`` returns: the ``n_components`` codes, or the codes
        followed by the activations of every hidden layer of the encoder
        (``n_components + sum(hidden_layer_sizes)`` features, named by
        ``get_feature_names_out``), the wide features that denoising
        autoencoders fed to downstream models in tabular competitions. Feed
        them to tree models: behind a scaler, a unit that is rarely active
        in the training rows turns its rare values into huge inputs of a
        linear model. ``inverse_transform`` always takes codes. Fixed at fit.
    """,
    # VAE and GAN (the AutoEncoder describes it in full).
    "categorical_features": """
    categorical_features : "from_dtype", array-like of int, str or bool, or \
            None, default="from_dtype"
        Which columns are categorical; as in :class:`~skgen.AutoEncoder`.
    """,
    # VAE and GAN (the AutoEncoder describes it in full).
    "numeric_scaling": """
    numeric_scaling : {"quantile", "standard"} or None, default="quantile"
        ``"quantile"`` maps numbers to normal scores through their empirical
        quantiles and back, so generated values follow each column's
        marginal; ``"standard"`` standardises them; ``None`` uses them as
        given. See :class:`~skgen.AutoEncoder`.
    """,
    # VAE and GAN (the AutoEncoder describes them in full).
    "table_parameters": """
    handle_missing : {"model", "error"}, default="model"
        ``"model"`` learns where numbers (and dates) are missing and puts
        missing values back at that rate; ``"error"`` refuses them. See
        :class:`~skgen.AutoEncoder`.

    max_discrete_values : int, default=10
        Numeric columns with at most this many distinct values are modelled
        as ordered categories and come back on exactly those values; ``0``
        turns this off.

    numeric_output : {"observed", "raw"}, default="observed"
        ``"observed"`` returns float columns rounded to their observed decimal
        places and inside their fitted range; ``"raw"`` as decoded.
    """,
    # AutoEncoder and VAE, which train with one optimizer on one loss.
    "optimisation_parameters": """
    max_epochs : int, default=200
        Maximum number of passes over the training rows.

    batch_size : int, default=128
        Rows per gradient step; capped at the number of training rows.

    lr : float, default=1e-3
        Learning rate.

    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        Optimizer used for training.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    validation_fraction : float or None, default=None
        Fraction of rows held out to monitor the validation loss for early
        stopping; the weights of the best validation epoch are kept. ``None``
        trains on all rows and monitors the training loss.
    """,
    # AutoEncoder and VAE.
    "tol": """
    tol : float, default=1e-4
        Relative improvement of the monitored loss that counts as progress.
    """,
    "callbacks": """
    callbacks : list of skorch callbacks or None, default=None
        Extra :mod:`skorch.callbacks` (instances or ``(name, instance)``
        pairs) run during training. They are copied at fit; the fitted copies
        are in ``net_.callbacks_``.
    """,
    "device": """
    device : str, default="auto"
        Torch device for training and for the fitted network: ``"cpu"``,
        ``"cuda"``, ``"cuda:1"``, ... ``"auto"`` uses CUDA when available.
        Other devices (``"mps"``, ...) are refused.
    """,
    "verbose": """
    verbose : int, default=0
        ``1`` reports progress on standard error: on a terminal a bar over
        the epochs with the time left and the latest losses, elsewhere (a
        file, a pipe) ten plain lines with no escape codes; then one line on
        how training ended, naming the epoch whose weights the model keeps
        when early stopping ended it. ``2`` prints a table of the losses of
        every epoch on standard output instead of the progress, then the
        same last line.
    """,
    "table_attributes": """
    table_encoder_ : skgen._tabular.TableEncoder
        The column layout learned in fit: each column's kind, scaling,
        categories and place in the encoded matrix (``columns_``).

    is_categorical_ : ndarray of bool of shape (`n_features_in_`,)
        Which input columns were treated as categorical.
    """,
    # The over-samplers that condition on y (GAN, AutoregressiveGenerator).
    "sampler_class_attributes": """
    classes_ : ndarray of shape (n_classes,)
        The class labels, when fitted with ``y``.

    class_prior_ : ndarray of shape (n_classes,)
        The share of each class among the training rows, when fitted with
        ``y``.
    """,
    "resample_attributes": """
    sampling_strategy_ : dict
        Number of new rows ``fit_resample`` added to each class.

    generated_posterior_ : dict
        For each class that ``fit_resample`` added rows to, their mean
        probability of that class according to a random forest fitted on the
        real rows (with balanced class weights, so 0.5 is a coin toss between
        two classes): how much the new rows look like their class.

    real_posterior_ : dict
        The same forest's mean out-of-fold probability of each of those
        classes for its own real rows (NaN when a class has a single row),
        the figure to compare ``generated_posterior_`` with.
    """,
    "sampler_parameters": """
    filter_factor : float, default=3.0
        Draw this many times the rows each class needs and keep the ones
        that a random forest fitted on the real rows finds most like their
        class; ``1.0`` keeps every drawn row. Rows generated for a class with
        few training rows often look like another class and teach a
        classifier the wrong boundary; see :ref:`ug_augmentation`.

    fill_fraction : float, default=1.0
        Share of the rows ``sampling_strategy`` asks for that are added:
        ``0.5`` adds half of them, ``0.0`` none (the model is still fitted).
        A tunable for a search, like the classifier's own parameters.
    """,
    "fitted_attributes": """
    n_epochs_ : int
        Number of epochs trained.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    """,
}


def _piece(text):
    """``text`` without its blank ends, indented for a class docstring.

    The first line loses its indentation (the placeholder's stays in front of
    it); the other non-blank lines keep theirs relative to it.
    """
    first, *rest = textwrap.dedent(text).strip("\n").splitlines()
    rest = [_CLASS_DOCSTRING_INDENT + line if line else line for line in rest]
    return "\n".join([first, *rest])


class Substitution:
    """Class decorator: fill the placeholders of the class docstring.

    Parameters
    ----------
    **pieces : str
        The text of each placeholder, by name; the docstring is formatted
        with ``str.format(**pieces)``.
    """

    def __init__(self, **pieces):
        self.pieces = pieces

    def __call__(self, cls):
        # Docstrings are None under ``python -OO``.
        if cls.__doc__:
            cls.__doc__ = cls.__doc__.format(**self.pieces)
        return cls


#: The named pieces, for ``Substitution(**PIECES)`` on a class.
PIECES = {name: _piece(text) for name, text in _TEXTS.items()}
