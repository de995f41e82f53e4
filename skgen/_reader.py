"""Rebuild saved estimators from their JSON document and tensors, checking all.

:class:`ModelReader` is the reading half of :mod:`skgen._persistence`. It
accepts what ``save`` writes for the class a file names and nothing else: a
registered class, exactly its parameters (checked by the estimator's own
``_validate_params``), its listed fitted attributes and net arguments, each
against its schema in :mod:`skgen._load_checks`, and a network that agrees
with the parameters and whose saved tensors are exactly those the arguments
describe. It reads in two steps, the JSON document first and the tensors
after, so that no network is built before everything else is checked.
:func:`upgrade_from_v1` upgrades files of format version 1 as they are read.
"""

import numpy as np
import torch
from skorch.history import History

from skgen._archive import WEIGHTS_NAME
from skgen._json_values import OPTIMIZER_NAMES, SCALARS, Decoder, tag
from skgen._load_checks import (
    ATTRIBUTES,
    MAX_ARRAY_BYTES,
    SAVED_PRIVATE_ATTRIBUTES,
    TAGGED_ATTRIBUTES,
    TENSOR_ARGUMENTS,
    check_built_state,
    check_fitted_state,
    check_keys,
    check_name,
    check_net_arguments,
    check_net_tensors,
    check_state,
    check_tensor_arguments,
    check_value,
    shown,
)
from skgen._tabular import TableEncoder
from skgen._torch import private_rng
from skgen._training import OPTIMIZERS


class ModelReader:
    """Rebuild estimators from what ``save`` wrote, checking all of it.

    Reading takes two steps, so that no network is built before the whole
    document is checked. :meth:`model` checks the JSON document and makes
    the estimators, with every fitted attribute but their nets, whose specs it
    keeps in ``nets``; :meth:`check_tensors` checks ``weights.pt``'s tensors
    against those specs, and :meth:`build_nets` then builds the nets.

    Parameters
    ----------
    estimators : dict
        The registered estimator classes by name, the only ones a file can
        name (``skgen._persistence.ESTIMATORS``).
    """

    def __init__(self, estimators):
        self.estimators = estimators
        self.decoder = Decoder(MAX_ARRAY_BYTES)
        # (estimator, attribute name, path, spec, arguments, tensor argument names)
        self.nets = []

    def model(self, state, path=""):
        """A skgen estimator with its parameters and fitted attributes (no nets)."""
        state = check_keys(
            state, ("class", "params", "attributes"), f"{path or 'model'}"
        )
        cls = self.registered(state["class"], path)
        estimator = self.unfitted(cls, state["params"], path)
        attributes = state["attributes"]
        if not isinstance(attributes, dict):
            raise ValueError(f"{path}attributes must be an object")
        allowed = cls._saved_attributes + SAVED_PRIVATE_ATTRIBUTES
        nets = {}
        for name, value in attributes.items():
            if name not in allowed:
                raise ValueError(f"{cls.__name__} does not save an attribute {name!r}")
            check_name(cls, name, "fitted attribute")
            if TAGGED_ATTRIBUTES.get(name) == "net":
                nets[name] = value
            else:
                setattr(estimator, name, self.attribute(value, name, path + name))
        check_fitted_state(estimator, set(attributes), path)
        for name, value in nets.items():
            self.net_spec(estimator, name, value, path + name)
        return estimator

    def registered(self, name, path):
        """The registered estimator class ``name``."""
        if not isinstance(name, str) or name not in self.estimators:
            raise ValueError(
                f"{path}class {shown(name)} is not a skgen estimator (one of "
                f"{sorted(self.estimators)})"
            )
        return self.estimators[name]

    def unfitted(self, cls, params, path):
        """An estimator of ``cls`` with ``params``, checked by its own validation."""
        where = f"{path}{cls.__name__} parameter"
        if isinstance(params, dict):
            # Parameters added since files were first written take the values
            # that keep what older files did.
            params = {**getattr(cls, "_added_parameters", {}), **params}
        params = check_keys(
            params, cls._get_param_names(), f"{path}{cls.__name__} params"
        )
        values = {}
        for key, value in params.items():
            kind, payload = tag(value)
            if kind == "estimator":
                payload = check_keys(payload, ("class", "params"), f"{where} {key!r}")
                nested = self.registered(payload["class"], path)
                values[key] = self.unfitted(nested, payload["params"], f"{path}{key}.")
            else:
                values[key] = self.decode(value, f"{where} {key!r}")
                if not _is_plain_parameter(values[key]):
                    raise ValueError(f"{where} {key!r} cannot be {shown(values[key])}")
        estimator = cls(**values)
        if type(estimator) is not cls:
            raise ValueError(f"{path}{cls.__name__} did not make a {cls.__name__}")
        try:
            estimator._validate_params()
            for name in LAYER_SIZE_PARAMETERS:
                if name in values:
                    estimator._layer_sizes(name)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}{cls.__name__}: {exc}") from None
        callbacks = values.get("callbacks")
        if not (callbacks is None or isinstance(callbacks, list) and not callbacks):
            raise ValueError(f"{where} 'callbacks' must be null")
        return estimator

    def decode(self, obj, where):
        """A plain value, naming ``where`` if it is not one skgen writes."""
        try:
            return self.decoder.decode(obj)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    def attribute(self, obj, name, where):
        """One fitted attribute other than a net, checked against its schema."""
        kind, payload = tag(obj)
        expected = TAGGED_ATTRIBUTES.get(name)
        if expected is None:
            if name not in ATTRIBUTES:
                raise ValueError(f"skgen has no schema for {where}")
            value = self.decode(obj, where)
            check_value(value, ATTRIBUTES[name], where)
            return value
        if kind != expected:
            raise ValueError(f"{where} must be a {expected} object")
        if kind == "table_encoder":
            if not isinstance(payload, dict):
                raise ValueError(f"{where} must be an object of fields")
            state = {key: self.decode(item, where) for key, item in payload.items()}
            try:
                return TableEncoder.from_dict(state)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
        if kind == "history":
            return History(self.history_rows(payload, where))
        return self.model(payload, where + ".")

    def history_rows(self, rows, where):
        """The per-epoch records of a history: names to plain values.

        A record of scalars, the usual kind, is kept as parsed, not copied.
        """
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValueError(f"{where} must be a list of objects")
        for row in rows:
            for key in row:
                if key.startswith("__") or key == "batches":
                    raise ValueError(f"{where} has a record named {key!r}")
        return [
            row
            if all(isinstance(item, SCALARS) for item in row.values())
            else {key: self.decode(item, where) for key, item in row.items()}
            for row in rows
        ]

    def net_spec(self, estimator, name, obj, where):
        """Check a net's classes and JSON arguments; keep them for building."""
        kind, spec = tag(obj)
        if kind != "net":
            raise ValueError(f"{where} must be a net object")
        keys = ("class", "module", "criterion", "optimizer", "arguments")
        spec = check_keys(spec, keys, where)
        cls = type(estimator)
        for key, expected in (
            ("class", cls._net_class),
            ("module", cls._module_class),
            ("criterion", cls._criterion_class),
        ):
            if spec[key] != expected.__name__:
                raise ValueError(
                    f"{where} {key} must be {expected.__name__}, got {shown(spec[key])}"
                )
        optimizer = spec["optimizer"]
        if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
            raise ValueError(f"{where} optimizer must be one of {sorted(OPTIMIZERS)}")
        params = estimator.get_params(deep=False)
        if "optimizer" in params:
            expected = OPTIMIZER_NAMES[estimator._optimizer_class()]
            if optimizer != expected:
                raise ValueError(
                    f"{where} optimizer {optimizer!r} disagrees with parameter "
                    f"optimizer, which gives {expected!r}"
                )
        if not isinstance(spec["arguments"], dict):
            raise ValueError(f"{where} arguments must be an object")
        arguments = {
            key: self.decode(value, f"{where} argument {key!r}")
            for key, value in spec["arguments"].items()
        }
        unknown = sorted(set(arguments) - set(cls._saved_net_arguments))
        if unknown:
            raise ValueError(
                f"{where} has arguments its estimator does not save: {unknown}"
            )
        from_weights = [
            key
            for key in cls._saved_net_arguments
            if key not in arguments and key in TENSOR_ARGUMENTS
        ]
        check_net_arguments(estimator, arguments, from_weights, where)
        self.nets.append((estimator, name, where, spec, arguments, from_weights))

    def check_tensors(self, tensors, weights_size):
        """Check ``weights.pt``'s tensors against the nets read; return their args.

        Returns, for each net, its arguments (tensors included) and its
        module's and criterion's saved ``state_dict``s.
        """
        if not isinstance(tensors, dict):
            raise ValueError(f"{WEIGHTS_NAME} must hold a dict of state dicts")
        expected = [
            f"{where}.{part}"
            for _, _, where, *_ in self.nets
            for part in ("arguments", "module_", "criterion_")
        ]
        if set(tensors) != set(expected):
            unknown = sorted(map(shown, set(tensors) - set(expected)))
            missing = sorted(set(expected) - set(tensors))
            raise ValueError(
                f"{WEIGHTS_NAME} does not hold the nets of the model: unknown "
                f"entries {unknown[:5]}, missing entries {missing[:5]}"
            )
        checked = []
        n_bytes = 0
        for estimator, _, where, _, arguments, from_weights in self.nets:
            states = {}
            for part in ("arguments", "module_", "criterion_"):
                check_state(tensors[f"{where}.{part}"], f"{where}.{part}")
                states[part] = tensors[f"{where}.{part}"]
            if set(states["arguments"]) != set(from_weights):
                raise ValueError(
                    f"{where}.arguments must hold the tensors {from_weights}, not "
                    f"{sorted(map(shown, states['arguments']))}"
                )
            check_tensor_arguments(arguments, states["arguments"], where)
            n_bytes += sum(
                value.numel() * value.element_size()
                for part in ("module_", "criterion_")
                for value in states[part].values()
            )
            if n_bytes > weights_size:
                raise ValueError(
                    f"{where}'s tensors take more than {WEIGHTS_NAME} holds"
                )
            arguments = {**arguments, **states.pop("arguments")}
            check_net_tensors(type(estimator), arguments, states, where)
            checked.append((arguments, states))
        return checked

    def build_nets(self, checked, device):
        """Build each net as saved, holding its checked weights."""
        for (estimator, name, where, spec, _, _), (arguments, states) in zip(
            self.nets, checked, strict=True
        ):
            cls = type(estimator)
            try:
                net = cls._net_class(
                    cls._module_class,
                    criterion=cls._criterion_class,
                    optimizer=OPTIMIZERS[spec["optimizer"]],
                    device=device,
                    train_split=None,
                    **arguments,
                )
                # The initial weights are replaced; drawing them must not move
                # the caller's random state.
                with private_rng(0, torch.device("cpu")):
                    net.initialize()
            except (RuntimeError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"{where} cannot be built ({type(exc).__name__}: {exc})"
                ) from None
            for part in ("module_", "criterion_"):
                module = getattr(net, part)
                check_built_state(module.state_dict(), states[part], f"{where}.{part}")
                module.load_state_dict(states[part])
            net.module_.eval()
            setattr(estimator, name, net)
            if name == "net_":
                net.history = estimator.history_


# Parameters whose value goes through ``NeuralEstimator._layer_sizes``.
LAYER_SIZE_PARAMETERS = (
    "hidden_layer_sizes",
    "generator_layer_sizes",
    "discriminator_layer_sizes",
)


def _is_plain_parameter(value):
    """A parameter value of JSON's kinds, an array, or an optimizer class."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(map(_is_plain_parameter, value))
    if isinstance(value, dict):
        return all(map(_is_plain_parameter, [*value, *value.values()]))
    if isinstance(value, type):
        return value in OPTIMIZER_NAMES
    return isinstance(value, np.ndarray)


def upgrade_from_v1(state, prefix=""):
    """Rename, in place, what format version 1 called the GAN's critic.

    ``state`` is a model as ``save`` writes it; nested models (the
    generator of a ``GenerativeOverSampler``, fitted or not) are upgraded too.
    Returns the paths of the weights whose ``critic.*`` tensors are to be
    renamed. A state of another shape is left to the checks that follow.
    """
    if not isinstance(state, dict):
        return []
    params, attributes = state.get("params"), state.get("attributes")
    params = params if isinstance(params, dict) else {}
    attributes = attributes if isinstance(attributes, dict) else {}
    if state.get("class") == "GAN" and "n_critic" in params:
        if "discriminator_steps" not in params:
            params["discriminator_steps"] = params.pop("n_critic")
    for value in params.values():
        kind, payload = tag(value)
        if kind == "estimator" and isinstance(payload, dict):
            upgrade_from_v1({**payload, "attributes": {}})
    renamed = []
    for name, value in attributes.items():
        kind, payload = tag(value)
        if kind == "model":
            renamed += upgrade_from_v1(payload, f"{prefix}{name}.")
        elif kind == "net" and isinstance(payload, dict):
            arguments = payload.get("arguments")
            if payload.get("class") == "GANNet" and isinstance(arguments, dict):
                if "n_critic" in arguments and "discriminator_steps" not in arguments:
                    arguments["discriminator_steps"] = arguments.pop("n_critic")
                renamed.append(f"{prefix}{name}.module_")
    return renamed


# What models saved before version 3 did, in the parameters version 3 added.
V2_TABLE_PARAMETERS = {
    "handle_missing": "error",
    "max_discrete_values": 0,
    "numeric_output": "raw",
}


def upgrade_from_v2(state):
    """Add, in place, what format version 3 saves and version 2 did not.

    A model with a table gets the parameters that make it behave as it did
    (numbers never modelled as missing or as categories, decoded as they
    are); a net trained on the table loss gets no ``missing_slots``. Nested
    models are upgraded too; the table encoder reads its version-2 state
    itself (``TableEncoder.from_dict``). A state of another shape is left to
    the checks that follow.
    """
    if not isinstance(state, dict):
        return
    params, attributes = state.get("params"), state.get("attributes")
    params = params if isinstance(params, dict) else {}
    attributes = attributes if isinstance(attributes, dict) else {}
    if "numeric_scaling" in params:
        for name, value in V2_TABLE_PARAMETERS.items():
            params.setdefault(name, value)
    for value in params.values():
        kind, payload = tag(value)
        if kind == "estimator" and isinstance(payload, dict):
            upgrade_from_v2({**payload, "attributes": {}})
    for value in attributes.values():
        kind, payload = tag(value)
        if kind == "model":
            upgrade_from_v2(payload)
        elif kind == "net" and isinstance(payload, dict):
            arguments = payload.get("arguments")
            if isinstance(arguments, dict) and (
                "criterion__categorical_blocks" in arguments
            ):
                arguments.setdefault("criterion__missing_slots", [])


def rename_critic(tensors, paths):
    """Rename the ``critic.*`` weights of version 1 files ``discriminator.*``."""
    for path in paths:
        weights = tensors.get(path) if isinstance(tensors, dict) else None
        if not isinstance(weights, dict):
            continue
        for key in [key for key in weights if str(key).startswith("critic.")]:
            new = "discriminator." + key[len("critic.") :]
            if new in weights:
                raise ValueError(f"{path} holds both {key!r} and {new!r}")
            weights[new] = weights.pop(key)
