"""What :func:`skgen.load` accepts of a model: schemas and agreement checks.

The file and its members are read within limits by :mod:`skgen._archive`;
this module says what the model they hold may be, for the reader in
:mod:`skgen._reader`:

- every fitted attribute and net argument that skgen saves has a schema
  here (:data:`ATTRIBUTES`, :data:`ARGUMENTS`), and no name with double
  underscores or of a method is ever read (:func:`check_name`);
- the fitted attributes agree with each other (:func:`check_fitted_state`),
  and a net's arguments with its estimator's parameters and fitted table
  (:func:`check_net_arguments`);
- ``weights.pt``'s tensors are exactly those of the network the arguments
  describe, built first on the ``meta`` device, which allocates nothing, and
  finite (:func:`check_net_tensors`), before the network is built; once
  built, its index buffers equal the saved ones (:func:`check_built_state`).

Every refusal is a ``ValueError`` that names what is wrong. Nothing here
imports an estimator: the reader passes in the estimators it checks.
"""

import math

import numpy as np
import pandas as pd
import torch

from skgen._layers import ACTIVATIONS

# Bytes of all the arrays decoded from skgen.json (labels, categories, names).
MAX_ARRAY_BYTES = 64 * 2**20

# Private attributes saved along with the fitted ones (set_output's choice).
SAVED_PRIVATE_ATTRIBUTES = ("_sklearn_output_config",)


class ParameterMismatch(ValueError):
    """A net's argument that disagrees with its estimator's parameter.

    ``save`` refuses such a model too, with advice: ``set_params`` changed a
    parameter after fit, and the file would not load.
    """


# Schemas --------------------------------------------------------------------


def _is_int(value, low=0):
    """An int (not a bool) of at least ``low``."""
    return type(value) is int and value >= low


def _is_posterior_dict(value, *, allow_nan=False):
    """Whether ``value`` maps labels to floats in [0, 1] (or NaN if allowed)."""
    if not isinstance(value, dict):
        return False
    return all(
        (allow_nan and isinstance(item, float) and math.isnan(item))
        or _is_real(item, 0, 1)
        for item in value.values()
    )


def _is_real(value, low=-math.inf, high=math.inf, *, open_low=False, open_high=False):
    """A finite int or float (not a bool) in the given interval."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int) and abs(value) > 2**1000:
        return False
    if not math.isfinite(value) or value < low or value > high:
        return False
    return not (open_low and value == low or open_high and value == high)


def _is_sizes(value):
    """Layer widths as the estimators pass them to their modules."""
    return type(value) is tuple and all(_is_int(size, 1) for size in value)


def _is_blocks(value):
    """``(start, stop)`` of each one-hot block, as the table encoder lists them."""
    return isinstance(value, list) and all(
        type(block) is tuple
        and len(block) == 2
        and _is_int(block[0])
        and _is_int(block[1])
        and block[0] < block[1]
        for block in value
    )


def _is_labels_array(value):
    """Distinct class labels, none missing, as ``np.unique`` returns them."""
    return (
        isinstance(value, np.ndarray)
        and value.ndim == 1
        and len(value) > 0
        and not pd.isna(value).any()
        and pd.Index(value).is_unique
    )


def _is_prior(value):
    """Class shares: finite, non-negative, summing to 1."""
    return (
        isinstance(value, np.ndarray)
        and value.dtype == np.float64
        and value.ndim == 1
        and bool(np.all(np.isfinite(value)) and np.all(value >= 0))
        and abs(value.sum() - 1.0) < 1e-6
    )


def _one_of(*options):
    """A schema for one of a few strings."""
    return (
        f"one of {list(options)}",
        lambda value: isinstance(value, str) and value in options,
    )


INT_0 = ("an int >= 0", _is_int)
INT_1 = ("an int >= 1", lambda value: _is_int(value, 1))
POSITIVE = ("a finite number > 0", lambda value: _is_real(value, 0, open_low=True))
NON_NEGATIVE = ("a finite number >= 0", lambda value: _is_real(value, 0))
SIZES = ("a tuple of ints >= 1", _is_sizes)
BLOCKS = ("a list of (start, stop) pairs of ints", _is_blocks)
# A tensor of weights.pt, or null in the JSON for "none".
TENSOR = ("a tensor", None)

# The schema of every net argument that skgen saves: (what it must be, test).
ARGUMENTS = {
    "lr": POSITIVE,
    "max_epochs": INT_1,
    "batch_size": INT_1,
    "verbose": ("an int >= 0", lambda value: isinstance(value, int) and value >= 0),
    "optimizer__weight_decay": NON_NEGATIVE,
    "criterion__n_numeric": INT_0,
    "criterion__categorical_blocks": BLOCKS,
    "criterion__missing_slots": (
        "a list of (number, slot) pairs of ints",
        _is_blocks,
    ),
    "module__n_features": INT_1,
    "module__n_components": INT_1,
    "module__hidden_layer_sizes": SIZES,
    "module__activation": (
        f"one of {sorted(ACTIVATIONS)}",
        lambda value: isinstance(value, str) and value in ACTIVATIONS,
    ),
    "module__dropout": (
        "a number in [0, 1)",
        lambda v: _is_real(v, 0, 1, open_high=True),
    ),
    "module__noise_scale": TENSOR,
    "module__n_classes": INT_0,
    "module__n_numeric": INT_0,
    "module__min_scale": TENSOR,
    "beta": NON_NEGATIVE,
    "kl_warmup_epochs": INT_0,
    "decoder_scale": _one_of("column", "shared"),
    "loss": _one_of("wasserstein", "standard"),
    "gradient_penalty": NON_NEGATIVE,
    "discriminator_steps": INT_1,
    "generator_lr": POSITIVE,
    "discriminator_lr": POSITIVE,
    "module__categorical_blocks": BLOCKS,
    "module__noise_dim": INT_1,
    "module__generator_layer_sizes": SIZES,
    "module__discriminator_layer_sizes": SIZES,
    "module__pac": INT_1,
    "module__temperature": POSITIVE,
    "module__missing_slots": (
        "a list of (number, slot) pairs of ints",
        _is_blocks,
    ),
    "module__n_mixture_components": INT_1,
}

# Tensor arguments: the argument that gives their length, whether they may be
# None, and whether their entries must be positive (else non-negative).
TENSOR_ARGUMENTS = {
    "module__noise_scale": ("module__n_features", True, False),
    "module__min_scale": ("module__n_numeric", False, True),
}

# Fitted attributes whose value is a tagged object of skgen's own, by tag.
TAGGED_ATTRIBUTES = {
    "table_encoder_": "table_encoder",
    "net_": "net",
    "history_": "history",
    "generator_": "model",
}

# The schema of every other fitted attribute that skgen saves.
ATTRIBUTES = {
    "n_epochs_": INT_0,
    "n_features_in_": INT_1,
    "feature_names_in_": (
        "a 1-D object array of strings",
        lambda value: (
            isinstance(value, np.ndarray)
            and value.dtype == object
            and value.ndim == 1
            and all(isinstance(item, str) for item in value)
        ),
    ),
    "is_categorical_": (
        "a 1-D bool array",
        lambda value: (
            isinstance(value, np.ndarray) and value.dtype == bool and value.ndim == 1
        ),
    ),
    "classes_": ("a 1-D array of distinct labels", _is_labels_array),
    "class_prior_": ("a 1-D float64 array of shares summing to 1", _is_prior),
    "best_epoch_": ("an int >= 1 or null", lambda v: v is None or _is_int(v, 1)),
    "features_": (
        "'codes' or 'all_layers'",
        lambda value: isinstance(value, str) and value in ("codes", "all_layers"),
    ),
    "sampling_strategy_": (
        "a dict of class labels to ints >= 0",
        lambda value: isinstance(value, dict) and all(map(_is_int, value.values())),
    ),
    "generated_posterior_": (
        "a dict of class labels to probabilities",
        _is_posterior_dict,
    ),
    "real_posterior_": (
        "a dict of class labels to probabilities or NaN",
        lambda value: _is_posterior_dict(value, allow_nan=True),
    ),
    "_sklearn_output_config": (
        "a dict like {'transform': 'pandas'}",
        lambda value: (
            isinstance(value, dict)
            and set(value) <= {"transform"}
            and all(
                isinstance(item, str) and item in ("default", "pandas", "polars")
                for item in value.values()
            )
        ),
    ),
}

# Net arguments equal to a parameter of their estimator, and those equal to
# the layer sizes a parameter gives (``NeuralEstimator._layer_sizes``).
SAME_AS_PARAMETER = {
    "module__n_components": "n_components",
    "module__activation": "activation",
    "module__dropout": "dropout",
    "module__noise_dim": "noise_dim",
    "module__n_mixture_components": "n_mixture_components",
    "beta": "beta",
    "kl_warmup_epochs": "kl_warmup_epochs",
    "decoder_scale": "decoder_scale",
    "loss": "loss",
    "gradient_penalty": "gradient_penalty",
    "discriminator_steps": "discriminator_steps",
    "generator_lr": "generator_lr",
    "discriminator_lr": "discriminator_lr",
}
LAYER_SIZES = {
    "module__hidden_layer_sizes": "hidden_layer_sizes",
    "module__generator_layer_sizes": "generator_layer_sizes",
    "module__discriminator_layer_sizes": "discriminator_layer_sizes",
}

# Net arguments that the fitted table encoder gives.
FROM_TABLE = {
    "module__n_features": lambda encoder: encoder.n_encoded_,
    "module__n_numeric": lambda encoder: encoder.n_numeric_,
    "criterion__n_numeric": lambda encoder: encoder.n_numeric_,
    "module__categorical_blocks": lambda encoder: encoder.categorical_blocks,
    "criterion__categorical_blocks": lambda encoder: encoder.categorical_blocks,
    "criterion__missing_slots": lambda encoder: encoder.missing_slots,
    "module__missing_slots": lambda encoder: encoder.missing_slots,
}


def shown(value):
    """A value as an error message shows it, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_keys(obj, keys, where):
    """``obj`` as a dict with exactly ``keys``; else a ValueError naming them."""
    if not isinstance(obj, dict):
        raise ValueError(f"{where} must be an object, got {shown(obj)}")
    missing = [key for key in keys if key not in obj]
    unknown = sorted(map(shown, set(obj) - set(keys)))
    if missing or unknown:
        raise ValueError(
            f"{where} lacks the keys {missing}"
            if missing
            else f"{where} has unknown keys {unknown[:5]}"
        )
    return obj


def check_value(value, schema, where):
    """Raise a ValueError naming ``where`` unless ``value`` fits ``schema``."""
    description, test = schema
    if not test(value):
        raise ValueError(f"{where} must be {description}, got {shown(value)}")


def check_name(cls, name, what):
    """Refuse a dunder or method name, whatever the lists say."""
    if (
        not isinstance(name, str)
        or name.startswith("__")
        or (callable(getattr(cls, name, None)))
    ):
        raise ValueError(
            f"{cls.__name__} has no {what} {shown(name)}: skgen never saves "
            "one by that name."
        )


# Estimators and their nets --------------------------------------------------


def check_fitted_state(estimator, names, where):
    """Check that the fitted attributes of ``estimator`` agree with each other.

    ``names`` are the attributes the file holds, all set on ``estimator`` but
    its nets. A model with a net has all of its core attributes or none;
    sizes and labels must match; a sampler's fitted generator is of its
    generator's class.
    """
    cls = type(estimator)
    where = f"{where}{cls.__name__}"

    def has(name):
        return name in names

    present = [name for name in cls._saved_attributes if has(name)]
    if "net_" in cls._saved_attributes and present:
        core = [name for name in NEURAL_CORE if not has(name)]
        if core:
            raise ValueError(f"{where} has fitted state without {core}")
        encoder = estimator.table_encoder_
        if not hasattr(encoder, "columns_"):
            raise ValueError(f"{where} table_encoder_ is not fitted")
        if estimator.n_features_in_ != len(encoder.columns_):
            raise ValueError(
                f"{where} n_features_in_={estimator.n_features_in_} but the table "
                f"encoder has {len(encoder.columns_)} columns"
            )
        if not np.array_equal(estimator.is_categorical_, encoder.is_categorical_):
            raise ValueError(
                f"{where} is_categorical_ disagrees with the table encoder"
            )
        if estimator.n_epochs_ != len(estimator.history_):
            raise ValueError(
                f"{where} n_epochs_={estimator.n_epochs_} but the history has "
                f"{len(estimator.history_)} epochs"
            )
        if (
            has("classes_") != has("class_prior_")
            or has("classes_")
            and (len(estimator.classes_) != len(estimator.class_prior_))
        ):
            raise ValueError(f"{where} classes_ and class_prior_ do not match")
        strategy = getattr(estimator, "sampling_strategy_", {})
        if strategy and not set(strategy) <= set(getattr(estimator, "classes_", ())):
            raise ValueError(f"{where} sampling_strategy_ names unknown classes")
        best = getattr(estimator, "best_epoch_", None)
        if best is not None and best > estimator.n_epochs_:
            raise ValueError(f"{where} best_epoch_={best} is past the last epoch")
    if has("generator_"):
        generator = estimator.generator_
        if type(generator) is not type(estimator.generator):
            raise ValueError(
                f"{where} generator_ is a {type(generator).__name__}, but its "
                f"generator is a {type(estimator.generator).__name__}"
            )
        if not has("n_features_in_") or not has("sampling_strategy_"):
            raise ValueError(f"{where} has generator_ without its other fitted state")
        if "table_encoder_" not in vars(generator):
            raise ValueError(f"{where} generator_ is not fitted")
        if estimator.n_features_in_ != generator.n_features_in_:
            raise ValueError(f"{where} n_features_in_ disagrees with generator_")
    strategy = getattr(estimator, "sampling_strategy_", {})
    for name in ("generated_posterior_", "real_posterior_"):
        if not set(getattr(estimator, name, {})) <= set(strategy):
            raise ValueError(f"{where} {name} names classes it did not resample")
    if has("feature_names_in_") and (
        not has("n_features_in_")
        or len(estimator.feature_names_in_) != estimator.n_features_in_
    ):
        raise ValueError(f"{where} feature_names_in_ does not name n_features_in_")


# What every fitted model with a net has.
NEURAL_CORE = (
    "table_encoder_",
    "is_categorical_",
    "net_",
    "history_",
    "n_epochs_",
    "n_features_in_",
)


def check_net_arguments(estimator, arguments, tensor_names, where):
    """Check a net's arguments, as read from JSON, against their estimator.

    ``arguments`` are the decoded JSON arguments; ``tensor_names`` the
    arguments held in ``weights.pt`` instead. Together they must be exactly
    the estimator's ``_saved_net_arguments``, each fitting its schema, and
    agree with the parameters and the fitted table encoder, so that the net
    is the one these parameters train.
    """
    cls = type(estimator)
    names = set(arguments) | set(tensor_names)
    both = sorted(set(arguments) & set(tensor_names))
    missing = sorted(set(cls._saved_net_arguments) - names)
    unknown = sorted(names - set(cls._saved_net_arguments))
    if both or missing or unknown:
        raise ValueError(
            f"{where} has arguments its estimator does not save: {unknown}"
            if unknown
            else f"{where} lacks the arguments {missing}"
            if missing
            else f"{where} has the arguments {both} twice"
        )
    for name, value in arguments.items():
        check_name(cls._net_class, name, "net argument")
        schema = ARGUMENTS.get(name)
        if schema is None:
            raise ValueError(f"skgen has no schema for {where} argument {name!r}")
        if schema is TENSOR:
            if value is not None:
                raise ValueError(f"{where} argument {name!r} must be a tensor or null")
            if not TENSOR_ARGUMENTS[name][1]:
                raise ValueError(f"{where} argument {name!r} cannot be null")
            continue
        check_value(value, schema, f"{where} argument {name!r}")
    params = estimator.get_params(deep=False)
    expected = {
        name: params[param]
        for name, param in SAME_AS_PARAMETER.items()
        if name in arguments and param in params
    }
    for name, param in LAYER_SIZES.items():
        if name in arguments and param in params:
            expected[name] = estimator._layer_sizes(param)
    encoder = estimator.table_encoder_
    for name, value in FROM_TABLE.items():
        if name in arguments:
            expected[name] = value(encoder)
    if "module__n_classes" in arguments:
        classes = getattr(estimator, "classes_", ())
        expected["module__n_classes"] = len(classes)
    for name, value in expected.items():
        if arguments[name] != value:
            source = SAME_AS_PARAMETER.get(name) or LAYER_SIZES.get(name)
            error = ParameterMismatch if source else ValueError
            source = f"parameter {source}" if source else "the fitted state"
            raise error(
                f"{where} argument {name}={shown(arguments[name])} disagrees with "
                f"{source}, which gives {shown(value)}"
            )
    if "module__pac" in arguments and arguments["module__pac"] > params.get("pac", 1):
        raise ParameterMismatch(f"{where} argument module__pac is above parameter pac")
    if "conditional" in params and params["conditional"] != hasattr(
        estimator, "classes_"
    ):
        raise ParameterMismatch(
            f"{where}: parameter conditional={params['conditional']} but the model "
            f"{'has no' if params['conditional'] else 'has'} classes_"
        )
    if "noise_std" in params:
        noisy = "module__noise_scale" in tensor_names
        if noisy != (params["noise_std"] > 0):
            raise ParameterMismatch(
                f"{where}: parameter noise_std={params['noise_std']} disagrees with "
                "the net's noise_scale"
            )


def _is_plain_tensor(value):
    """A dense tensor of torch's own class, laid out contiguously."""
    return (
        type(value) in (torch.Tensor, torch.nn.Parameter)
        and value.layout == torch.strided
        and value.is_contiguous()
        and (value.dtype.is_floating_point or value.dtype == torch.int64)
    )


def check_state(state, where):
    """Check a ``state_dict`` read from ``weights.pt``: names to plain tensors."""
    if not isinstance(state, dict):
        raise ValueError(f"{where} must be a dict of tensors")
    for key, value in state.items():
        if not isinstance(key, str) or not _is_plain_tensor(value):
            raise ValueError(
                f"{where} entry {shown(key)} must be a dense float or int64 tensor"
            )


def check_tensor_arguments(arguments, tensors, where):
    """Check the tensor arguments of a net: 1-D, finite, of the right length."""
    for name, value in tensors.items():
        size_name, _, positive = TENSOR_ARGUMENTS[name]
        size = arguments[size_name]
        if not (
            _is_plain_tensor(value)
            and value.dtype.is_floating_point
            and tuple(value.shape) == (size,)
            and bool(torch.isfinite(value).all())
            and bool((value > 0).all() if positive else (value >= 0).all())
        ):
            sign = "> 0" if positive else ">= 0"
            raise ValueError(
                f"{where} argument {name!r} must be {size} finite numbers {sign}"
            )


def _sizes(value):
    """Every int in an argument's value (sizes, blocks), flattened."""
    if type(value) is int:
        return [value]
    if isinstance(value, (list, tuple)):
        return [size for item in value for size in _sizes(item)]
    return []


def _expected_state(module_class, kwargs, where):
    """``{name: shape}`` of a module's float tensors, built on ``meta``.

    The meta device records shapes and allocates nothing. One-hot blocks
    are left out, unless the module's float weights depend on them
    (``blocks_shape_weights``): they only shape small index buffers, which a
    module reads back as numbers (impossible on meta) and which are compared
    once the net is built.
    """
    if not getattr(module_class, "blocks_shape_weights", False):
        kwargs = {
            key: [] if key == "categorical_blocks" else value
            for key, value in kwargs.items()
        }
    try:
        with torch.device("meta"):
            module = module_class(**kwargs)
    except (TypeError, ValueError, RuntimeError, IndexError) as exc:
        raise ValueError(
            f"{where}: its arguments do not build a {module_class.__name__} "
            f"({type(exc).__name__}: {exc})"
        ) from None
    return {
        key: tuple(value.shape)
        for key, value in module.state_dict().items()
        if value.dtype.is_floating_point
    }


def check_net_tensors(owner, arguments, states, where):
    """Check a net's saved tensors against the network its arguments describe.

    ``states`` maps ``"module_"`` and ``"criterion_"`` to the saved
    ``state_dict``s. Before anything is built, every size in the arguments
    must be at most the number of values saved (each is a dimension of some
    saved tensor), which bounds the network to the file's own content; then
    the float tensors must have exactly the names and shapes of the module
    and criterion built on the meta device, and finite values.
    """
    n_saved = sum(
        value.numel() for state in states.values() for value in state.values()
    )
    n_tensors = sum(len(state) for state in states.values())
    for name, value in arguments.items():
        if not name.startswith(("module__", "criterion__")):
            continue
        sizes = _sizes(value)
        if max(sizes, default=0) > n_saved or (
            isinstance(value, tuple) and len(value) > n_tensors
        ):
            raise ValueError(
                f"{where} argument {name}={shown(value)} describes a network larger "
                f"than the {n_saved:,} values its file holds"
            )
    for part, cls in (
        ("module_", owner._module_class),
        ("criterion_", owner._criterion_class),
    ):
        prefix = part[:-1] + "__"
        kwargs = {
            key[len(prefix) :]: value
            for key, value in arguments.items()
            if key.startswith(prefix)
        }
        expected = _expected_state(cls, kwargs, f"{where}.{part}")
        state = states[part]
        saved = {
            key: tuple(value.shape)
            for key, value in state.items()
            if value.dtype.is_floating_point
        }
        if saved != expected:
            wrong = sorted(
                key
                for key in set(saved) | set(expected)
                if saved.get(key) != expected.get(key)
            )
            key = wrong[0]
            found, wanted = saved.get(key, "none"), expected.get(key, "none")
            raise ValueError(
                f"{where}.{part} does not match its arguments: {key!r} has shape "
                f"{found}, the arguments give {wanted} ({len(wrong)} tensors differ)"
            )
        for key, value in state.items():
            if value.dtype.is_floating_point and not bool(torch.isfinite(value).all()):
                raise ValueError(f"{where}.{part} {key!r} holds NaN or infinity")
            if key.endswith("running_var") and not bool((value >= 0).all()):
                raise ValueError(f"{where}.{part} {key!r} holds negative variances")


def check_built_state(built, state, where):
    """Compare a freshly built module's state with the saved one, before loading it.

    Names and shapes must match; integer buffers (index buffers computed from
    the arguments) must be equal, except BatchNorm's counters of batches.
    """
    if set(built) != set(state):
        unknown = sorted(set(state) - set(built))
        missing = sorted(set(built) - set(state))
        raise ValueError(
            f"{where} does not match its arguments: unknown tensors {unknown[:5]}, "
            f"missing tensors {missing[:5]}"
        )
    for key, value in state.items():
        expected = built[key]
        if value.shape != expected.shape or value.dtype.is_floating_point != (
            expected.dtype.is_floating_point
        ):
            raise ValueError(f"{where} {key!r} does not match its arguments")
        if value.dtype.is_floating_point:
            continue
        if key.endswith("num_batches_tracked"):
            if bool((value < 0).any()):
                raise ValueError(f"{where} {key!r} is negative")
        elif not torch.equal(value.cpu(), expected.cpu()):
            raise ValueError(f"{where} {key!r} disagrees with its arguments")
