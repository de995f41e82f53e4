"""Saving and loading skgen estimators without pickle.

A saved estimator is one zip archive with two members:

``skgen.json``
    The format name and version, the skgen version, the estimator's class,
    parameters and fitted attributes, the SHA-256 of ``weights.pt``, and a
    SHA-256 of the rest of the document.

``weights.pt``
    A flat dict of torch ``state_dict``s (and of the tensors the networks
    were built with), written with :func:`torch.save` and read with
    ``torch.load(weights_only=True)``.

This module imports no estimator: each estimator class registers itself with
:func:`register`, and lists what ``save`` writes of it, explicitly, in
``_saved_attributes`` (its fitted attributes) and ``_saved_net_arguments``
(the arguments its net is rebuilt with). Reading accepts the registered
classes, those names and the value tags of :mod:`skgen._json_values` only, so
loading a file never runs code from it, and a new fitted attribute is a
deliberate change of the format, not an accident.
"""

import hashlib
import io
import json
import os
import warnings
import zipfile

import torch
from skorch import NeuralNet
from skorch.history import History

from skgen._json_values import OPTIMIZER_NAMES, NotJSONError, decode, encode, tag
from skgen._tabular import TableEncoder
from skgen._torch import private_rng, resolve_device
from skgen._training import OPTIMIZERS
from skgen._version import __version__

FORMAT = "skgen-model"

# Bump when what is saved, or how, changes in a way older readers would misread.
# Version 2 (issue 15): the GAN's "critic" became its "discriminator"
# (parameter n_critic -> discriminator_steps, module critic.* -> discriminator.*).
FORMAT_VERSION = 2

# The versions this skgen reads; older ones are upgraded as they load.
READABLE_VERSIONS = (1, 2)

JSON_NAME = "skgen.json"
WEIGHTS_NAME = "weights.pt"

# Private attributes saved along with the fitted ones (set_output's choice).
SAVED_PRIVATE_ATTRIBUTES = ("_sklearn_output_config",)

PARAMETER_HINTS = {
    "callbacks": (
        "Callbacks only shape training: set_params(callbacks=None) before saving."
    ),
    "random_state": "Set an int or None with set_params before saving.",
    "optimizer": f"Name it by a string, one of {sorted(OPTIMIZERS)}, to save.",
    "sampling_strategy": (
        "Set the dict, string or float it stands for with set_params before saving."
    ),
}


# Registry -------------------------------------------------------------------

# The only classes a file can name, filled by ``register``.
ESTIMATORS = {}
NETS = {}
TORCH_MODULES = {}


def register(cls):
    """Class decorator: let ``save`` and ``load`` handle the estimator ``cls``.

    ``cls`` lists the fitted attributes ``save`` writes in
    ``_saved_attributes``; an estimator that trains a net also names it
    (``_net_class``, ``_module_class``, ``_criterion_class``) and lists the
    net's arguments in ``_saved_net_arguments``.
    """
    ESTIMATORS[cls.__name__] = cls
    net_class = getattr(cls, "_net_class", None)
    if net_class is not None:
        NETS[net_class.__name__] = net_class
        for module in (cls._module_class, cls._criterion_class):
            TORCH_MODULES[module.__name__] = module
    return cls


def _is_skgen_estimator(value):
    """Whether ``value`` is an instance of a registered class (not a subclass)."""
    return ESTIMATORS.get(type(value).__name__) is type(value)


def _saved_names(estimator):
    """Names of the attributes of ``estimator`` that ``save`` writes."""
    listed = type(estimator)._saved_attributes + SAVED_PRIVATE_ATTRIBUTES
    return [name for name in listed if hasattr(estimator, name)]


# Estimators -----------------------------------------------------------------


class _Writer:
    """Turn an estimator into a JSON-ready dict, collecting its tensors.

    Tensors go in ``tensors`` under the path of the attribute that holds
    them, such as ``"net_.module_"`` or ``"generator_.net_.module_"``.
    """

    def __init__(self):
        self.tensors = {}

    def model(self, estimator, prefix=""):
        """Class, parameters and fitted attributes of a skgen estimator."""
        name = type(estimator).__name__
        if not _is_skgen_estimator(estimator):
            raise ValueError(
                f"skgen saves its own estimators only ({', '.join(ESTIMATORS)}), "
                f"not a {type(estimator).__module__}.{name}; use pickle or joblib "
                "for other objects."
            )
        params = {}
        for key, value in estimator.get_params(deep=False).items():
            try:
                params[key] = self.parameter(value, f"parameter {key!r}")
            except NotJSONError as exc:
                hint = PARAMETER_HINTS.get(key, "Change it with set_params to save.")
                raise NotJSONError(f"{exc} {hint}") from None
        attributes = {
            attribute: self.attribute(
                getattr(estimator, attribute), prefix + attribute, estimator
            )
            for attribute in _saved_names(estimator)
        }
        return {"class": name, "params": params, "attributes": attributes}

    def parameter(self, value, where):
        """A parameter as JSON: an unfitted skgen estimator, or a plain value."""
        if not _is_skgen_estimator(value):
            return encode(value, where)
        params = value.get_params(deep=False)
        return {
            "estimator": {
                "class": type(value).__name__,
                "params": {
                    key: self.parameter(item, f"{where}, parameter {key!r}")
                    for key, item in params.items()
                },
            }
        }

    def attribute(self, value, path, owner):
        """One fitted attribute as JSON (its tensors to ``tensors``)."""
        if isinstance(value, NeuralNet):
            return {"net": self.net(value, path, owner._saved_net_arguments)}
        if isinstance(value, TableEncoder):
            state = value.to_dict()
            return {
                "table_encoder": {
                    key: encode(item, f"{path}.{key}") for key, item in state.items()
                }
            }
        if isinstance(value, History):
            return {
                "history": [
                    {
                        key: encode(item, f"{path}[{i}][{key!r}]")
                        for key, item in row.items()
                        if key != "batches"
                    }
                    for i, row in enumerate(value)
                ]
            }
        if _is_skgen_estimator(value):
            return {"model": self.model(value, path + ".")}
        return encode(value, f"fitted attribute {path!r}")

    def net(self, net, path, names):
        """A fitted skorch net's classes and the arguments ``names``.

        Its weights, and the arguments that are tensors, go to ``tensors``.
        """
        params = net.get_params(deep=False)
        arguments = {name: params[name] for name in names}
        self.tensors[f"{path}.arguments"] = {
            key: arguments.pop(key)
            for key in list(arguments)
            if isinstance(arguments[key], torch.Tensor)
        }
        self.tensors[f"{path}.module_"] = net.module_.state_dict()
        self.tensors[f"{path}.criterion_"] = net.criterion_.state_dict()
        return {
            "class": type(net).__name__,
            "module": net.module.__name__,
            "criterion": net.criterion.__name__,
            "optimizer": OPTIMIZER_NAMES[net.optimizer],
            "arguments": {
                key: encode(value, f"{path} argument {key!r}")
                for key, value in arguments.items()
            },
        }


class _Reader:
    """Rebuild estimators from :class:`_Writer`'s output and the loaded tensors."""

    def __init__(self, tensors, device):
        self.tensors = tensors
        self.device = device

    def model(self, state, prefix=""):
        """A skgen estimator with its parameters and fitted attributes."""
        cls = ESTIMATORS[state["class"]]
        params = {key: self.parameter(value) for key, value in state["params"].items()}
        estimator = cls(**params)
        allowed = cls._saved_attributes + SAVED_PRIVATE_ATTRIBUTES
        for name, value in state["attributes"].items():
            if name not in allowed:
                raise ValueError(f"{cls.__name__} does not save an attribute {name!r}")
            value = self.attribute(value, prefix + name, cls)
            setattr(estimator, name, value)
        if hasattr(estimator, "net_") and hasattr(estimator, "history_"):
            estimator.net_.history = estimator.history_
        return estimator

    def parameter(self, obj):
        """A parameter: an unfitted skgen estimator, or a plain value."""
        kind, payload = tag(obj)
        if kind != "estimator":
            return decode(obj)
        params = {
            key: self.parameter(value) for key, value in payload["params"].items()
        }
        return ESTIMATORS[payload["class"]](**params)

    def attribute(self, obj, path, owner):
        """One fitted attribute."""
        kind, payload = tag(obj)
        if kind == "net":
            return self.net(payload, path, owner._saved_net_arguments)
        if kind == "table_encoder":
            state = {key: decode(value) for key, value in payload.items()}
            return TableEncoder.from_dict(state)
        if kind == "history":
            rows = [
                {key: decode(value) for key, value in row.items()} for row in payload
            ]
            return History(rows)
        if kind == "model":
            return self.model(payload, path + ".")
        return decode(obj)

    def net(self, spec, path, names):
        """A skorch net built as saved, holding the saved weights."""
        arguments = {key: decode(value) for key, value in spec["arguments"].items()}
        arguments.update(self.tensors[f"{path}.arguments"])
        unknown = sorted(set(arguments) - set(names))
        if unknown:
            raise ValueError(
                f"{path} has arguments its estimator does not save: {unknown}"
            )
        net = NETS[spec["class"]](
            TORCH_MODULES[spec["module"]],
            criterion=TORCH_MODULES[spec["criterion"]],
            optimizer=OPTIMIZERS[spec["optimizer"]],
            device=self.device,
            train_split=None,
            **arguments,
        )
        # The initial weights are replaced; drawing them must not move the
        # caller's random state.
        with private_rng(0, torch.device("cpu")):
            net.initialize()
        net.module_.load_state_dict(self.tensors[f"{path}.module_"])
        net.criterion_.load_state_dict(self.tensors[f"{path}.criterion_"])
        net.module_.eval()
        return net


def _upgrade_from_v1(state, tensors, prefix=""):
    """Rename, in place, what format version 1 called the GAN's critic.

    ``state`` is a model as :class:`_Writer` writes it; nested models (the
    generator of a ``GenerativeOverSampler``, fitted or not) are upgraded too.
    """
    if state["class"] == "GAN":
        params = state["params"]
        if "n_critic" in params:
            params["discriminator_steps"] = params.pop("n_critic")
    for value in state["params"].values():
        kind, payload = tag(value)
        if kind == "estimator":
            _upgrade_from_v1({**payload, "attributes": {}}, tensors)
    for name, value in state["attributes"].items():
        kind, payload = tag(value)
        if kind == "model":
            _upgrade_from_v1(payload, tensors, f"{prefix}{name}.")
        elif kind == "net" and payload["class"] == "GANNet":
            arguments = payload["arguments"]
            arguments["discriminator_steps"] = arguments.pop("n_critic")
            weights = tensors[f"{prefix}{name}.module_"]
            for key in [key for key in weights if key.startswith("critic.")]:
                weights["discriminator." + key[len("critic.") :]] = weights.pop(key)


# Files ----------------------------------------------------------------------


def _sha256(data):
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def _checksum(document):
    """SHA-256 of a document's canonical JSON, without its own checksum."""
    body = {key: value for key, value in document.items() if key != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return _sha256(text.encode("utf-8"))


def _reject_constant(name):
    """Refuse the NaN and Infinity that Python's JSON reader would accept."""
    raise ValueError(f"{name} is not JSON")


def save(estimator, path):
    """Write ``estimator`` to ``path``; see :meth:`SkgenEstimator.save`."""
    writer = _Writer()
    try:
        model = writer.model(estimator)
    except NotJSONError as exc:
        raise ValueError(f"Cannot save {type(estimator).__name__}: {exc}") from None
    buffer = io.BytesIO()
    torch.save(writer.tensors, buffer)
    weights = buffer.getvalue()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skgen_version": __version__,
        "weights_sha256": _sha256(weights),
        "model": model,
    }
    document["sha256"] = _checksum(document)
    text = json.dumps(document, indent=1, allow_nan=False)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(JSON_NAME, text, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(WEIGHTS_NAME, weights, compress_type=zipfile.ZIP_STORED)


def _read_archive(path, name):
    """Return the parsed ``skgen.json`` and the bytes of ``weights.pt``."""
    try:
        with zipfile.ZipFile(path) as archive:
            missing = {JSON_NAME, WEIGHTS_NAME} - set(archive.namelist())
            if missing:
                raise ValueError(
                    f"{name} is not a skgen model file: it has no "
                    f"{' or '.join(sorted(missing))}."
                )
            text = archive.read(JSON_NAME)
            weights = archive.read(WEIGHTS_NAME)
    except zipfile.BadZipFile as exc:
        raise ValueError(
            f"{name} is not a skgen model file: it is not a readable zip archive "
            f"({exc})."
        ) from None
    try:
        document = json.loads(text.decode("utf-8"), parse_constant=_reject_constant)
    except ValueError as exc:
        raise ValueError(f"{name}: {JSON_NAME} is not valid JSON ({exc}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{name} is not a skgen model file: {JSON_NAME} says so.")
    return document, weights


def _check_document(document, weights, name):
    """Check the format version and both checksums."""
    version = document.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise ValueError(
            f"{name} is in skgen model format version {version!r} (written by "
            f"skgen {document.get('skgen_version')}), but skgen "
            f"{__version__} reads format versions {list(READABLE_VERSIONS)}. Load it "
            "with the skgen that wrote it, or fit the model again."
        )
    try:
        intact = document.get("sha256") == _checksum(document)
    except ValueError:
        intact = False
    if not intact:
        raise ValueError(
            f"{name}: {JSON_NAME} does not match its checksum; the file was "
            "changed after it was saved."
        )
    if _sha256(weights) != document.get("weights_sha256"):
        raise ValueError(
            f"{name}: {WEIGHTS_NAME} does not match the checksum in {JSON_NAME}; "
            "the weights were changed after they were saved."
        )


def _saved_device(state):
    """The ``device`` parameter of a model, or of the first model it holds."""
    if "device" in state["params"]:
        return decode(state["params"]["device"])
    for value in state["attributes"].values():
        kind, payload = tag(value)
        if kind == "model":
            return _saved_device(payload)
    return "cpu"


def _load_device(state, device):
    """The device to load onto: ``device``, else the saved one, else the CPU."""
    if device is not None:
        return resolve_device(device)
    saved = _saved_device(state)
    try:
        return resolve_device(saved)
    except ValueError as exc:
        warnings.warn(
            f"The model was saved with device={saved!r}, which this machine "
            f"cannot use ({exc}); it is loaded on the CPU. Pass device= to "
            "skgen.load to choose.",
            UserWarning,
            stacklevel=3,
        )
        return torch.device("cpu")


def load(path, *, device=None):
    """Load an estimator saved with ``save``, without unpickling anything.

    The parameters and fitted state are read from JSON and the weights with
    ``torch.load(weights_only=True)``, so a file cannot run code when loaded;
    checksums of both are checked first. The loaded estimator gives the same
    results as the saved one, bit for bit on the same device, and can be
    refitted.

    Parameters
    ----------
    path : str or path-like
        A file written by the ``save`` method of a skgen estimator.

    device : str or None, default=None
        Where the loaded networks compute, such as ``"cpu"`` or ``"cuda"``.
        ``None`` uses the estimator's ``device`` parameter, or the CPU, with
        a warning, when that names a GPU this machine lacks, so a model
        trained on a GPU loads anywhere. The ``device`` parameter itself,
        which a refit uses, is kept as saved.

    Returns
    -------
    estimator : AutoEncoder, VAE, GAN or GenerativeOverSampler
        The saved estimator, fitted if it was saved fitted.

    Raises
    ------
    ValueError
        If the file is not a skgen model file (not a zip archive, missing
        members, invalid JSON), was written in another format version, or
        does not match its checksums (it was changed after saving), or if its
        contents cannot be rebuilt.

    See Also
    --------
    AutoEncoder.save : Save an estimator (every skgen estimator has ``save``).

    Notes
    -----
    The checksums catch a file that was damaged or edited by hand, not a
    deliberate forgery (anyone can recompute them). What makes loading safe
    is that nothing is unpickled: JSON names only skgen's own classes, and
    the weights are read with ``weights_only=True``.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from skgen import VAE, load
    >>> X, y = load_iris(return_X_y=True)
    >>> vae = VAE(conditional=True, max_epochs=5, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "vae.skgen")
    ...     vae.save(path)
    ...     loaded = load(path, device="cpu")
    >>> loaded.get_params() == vae.get_params()
    True
    >>> loaded.sample(3, y=2, random_state=0).shape
    (3, 4)
    """
    name = repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "file"
    document, weights = _read_archive(path, name)
    _check_document(document, weights, name)
    target = _load_device(document["model"], device)
    try:
        tensors = torch.load(
            io.BytesIO(weights), map_location=target, weights_only=True
        )
    except Exception as exc:
        raise ValueError(
            f"{name}: {WEIGHTS_NAME} cannot be read as torch tensors with "
            f"weights_only=True ({type(exc).__name__}: {exc})."
        ) from None
    try:
        if document["format_version"] == 1:
            _upgrade_from_v1(document["model"], tensors)
        return _Reader(tensors, target).model(document["model"])
    except (ImportError, KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} holds a model that this skgen cannot rebuild "
            f"({type(exc).__name__}: {exc}). It was saved by skgen "
            f"{document.get('skgen_version')}; this is skgen {__version__}."
        ) from exc
