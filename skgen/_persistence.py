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

Values that JSON lacks (tuples, non-finite floats, numpy arrays and dtypes,
pandas dtypes and indexes, estimators) are written as one-key objects whose
key names the type. Reading accepts those types only, and classes only from
fixed lists of skgen's own, so loading a file never runs code from it.
"""

import hashlib
import inspect
import io
import json
import math
import os
import warnings
import zipfile

import numpy as np
import pandas as pd
import torch
from skorch import NeuralNet
from skorch.history import History
from torch import nn

import skgen
from skgen._autoencoder import AutoEncoder
from skgen._base import OPTIMIZERS, private_rng, resolve_device
from skgen._gan import GAN
from skgen._gan_nets import GANModule, GANNet
from skgen._modules import AutoEncoderModule, TabularLoss, VAEModule
from skgen._nets import ReconstructionNet, VAENet
from skgen._sampler import GenerativeOverSampler
from skgen._tabular import TableEncoder
from skgen._vae import VAE

FORMAT = "skgen-model"

# Bump when what is saved, or how, changes in a way older readers would misread.
FORMAT_VERSION = 1

JSON_NAME = "skgen.json"
WEIGHTS_NAME = "weights.pt"

# The only classes a file can name.
ESTIMATORS = {
    cls.__name__: cls for cls in (AutoEncoder, VAE, GAN, GenerativeOverSampler)
}
NETS = {cls.__name__: cls for cls in (ReconstructionNet, VAENet, GANNet)}
TORCH_MODULES = {
    cls.__name__: cls
    for cls in (AutoEncoderModule, VAEModule, GANModule, TabularLoss, nn.Identity)
}
OPTIMIZER_NAMES = {cls: name for name, cls in OPTIMIZERS.items()}

# Kinds of numpy dtype saved: bool, numbers, unicode strings and objects.
NUMPY_KINDS = "biufcUO"

# Private attributes saved along with the fitted ones (set_output's choice).
SAVED_PRIVATE_ATTRIBUTES = ("_sklearn_output_config",)

# Net arguments saved besides the module's, criterion's, optimizer's and those
# of the net's own class.
NET_ARGUMENTS = ("lr", "max_epochs", "batch_size", "verbose")

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


class NotJSONError(TypeError):
    """A value that skgen cannot write as JSON."""


# Values ---------------------------------------------------------------------


def _encode(value, where):
    """Return ``value`` as JSON, tagging what JSON lacks; raise naming ``where``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        return _encode(value.item(), where)
    if isinstance(value, (list, tuple)):
        items = [_encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return {"tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {
                "dict": {k: _encode(v, f"{where}[{k!r}]") for k, v in value.items()}
            }
        return {
            "dict": [
                [_encode(k, where), _encode(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
        }
    if isinstance(value, np.ndarray):
        return {
            "ndarray": {
                "dtype": _encode_dtype(value.dtype, where),
                "shape": list(value.shape),
                "values": [_encode(item, where) for item in value.ravel().tolist()],
            }
        }
    if isinstance(value, pd.RangeIndex):
        return {
            "range_index": [
                value.start,
                value.stop,
                value.step,
                _encode(value.name, where),
            ]
        }
    if isinstance(value, pd.Index) and not isinstance(value, pd.MultiIndex):
        return {
            "index": {
                "dtype": _encode_dtype(value.dtype, where),
                "values": [_encode(item, where) for item in value.tolist()],
                "name": _encode(value.name, where),
            }
        }
    if isinstance(value, (np.dtype, pd.api.extensions.ExtensionDtype)):
        return {"dtype": _encode_dtype(value, where)}
    if value is pd.NA:
        return {"NA": None}
    if isinstance(value, type) and value in OPTIMIZER_NAMES:
        return {"optimizer": OPTIMIZER_NAMES[value]}
    if _is_skgen_estimator(value):
        params = value.get_params(deep=False)
        return {
            "estimator": {
                "class": type(value).__name__,
                "params": {
                    key: _encode(item, f"{where}, parameter {key!r}")
                    for key, item in params.items()
                },
            }
        }
    raise NotJSONError(
        f"{where} holds {_describe(value)}, which skgen cannot write as JSON."
    )


def _is_skgen_estimator(value):
    """Whether ``value`` is an instance of one of ``ESTIMATORS`` (not a subclass)."""
    return ESTIMATORS.get(type(value).__name__) is type(value)


def _describe(value):
    """A short description of a value for an error message."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__name__} ({text})"


def _encode_dtype(dtype, where):
    """Return a numpy or pandas dtype as JSON."""
    if isinstance(dtype, np.dtype):
        if dtype.kind not in NUMPY_KINDS or dtype.fields is not None:
            raise NotJSONError(f"{where} has dtype {dtype}, which skgen cannot save.")
        return {"numpy": dtype.str}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        return {
            "category": {
                "categories": None
                if categories is None
                else _encode(categories, where),
                "ordered": bool(dtype.ordered),
            }
        }
    if isinstance(dtype, pd.StringDtype):
        na_value = _encode(dtype.na_value, where)
        return {"string": {"storage": dtype.storage, "na_value": na_value}}
    return {"extension": dtype.name}


def _tag(obj):
    """Return the tag and payload of a one-key JSON object, else ``(None, None)``."""
    if isinstance(obj, dict) and len(obj) == 1:
        return next(iter(obj.items()))
    return None, None


def _decode(obj):
    """Return the value that :func:`_encode` wrote as ``obj``."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [_decode(item) for item in obj]
    tag, payload = _tag(obj)
    if tag not in DECODERS:
        raise ValueError(f"unknown value {str(obj)[:60]}")
    return DECODERS[tag](payload)


def _decode_float(payload):
    """NaN or an infinity, from its ``repr``."""
    if payload not in ("nan", "inf", "-inf"):
        raise ValueError(f"unknown float {payload!r}")
    return float(payload)


def _decode_dict(payload):
    """A dict from an object (string keys) or a list of pairs."""
    if isinstance(payload, dict):
        return {key: _decode(value) for key, value in payload.items()}
    return {_decode(key): _decode(value) for key, value in payload}


def _decode_ndarray(payload):
    """A numpy array from its dtype, shape and flat values."""
    dtype = _decode_dtype(payload["dtype"])
    values = [_decode(item) for item in payload["values"]]
    if dtype.kind == "O":
        array = np.empty(len(values), dtype=object)
        array[:] = values
    else:
        array = np.array(values, dtype=dtype)
    return array.reshape(payload["shape"])


def _decode_index(payload):
    """A pandas Index from its dtype, values and name."""
    values = [_decode(item) for item in payload["values"]]
    dtype = _decode_dtype(payload["dtype"])
    return pd.Index(values, dtype=dtype, name=_decode(payload["name"]))


def _decode_range_index(payload):
    """A pandas RangeIndex from its start, stop, step and name."""
    start, stop, step, name = payload
    return pd.RangeIndex(start, stop, step, name=_decode(name))


def _decode_dtype(payload):
    """A numpy or pandas dtype from what :func:`_encode_dtype` wrote."""
    kind, value = _tag(payload)
    if kind == "numpy":
        dtype = np.dtype(value)
        if dtype.kind in NUMPY_KINDS and dtype.fields is None:
            return dtype
    if kind == "category":
        return pd.CategoricalDtype(_decode(value["categories"]), value["ordered"])
    if kind == "string":
        return pd.StringDtype(value["storage"], na_value=_decode(value["na_value"]))
    if kind == "extension":
        dtype = pd.api.types.pandas_dtype(value)
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.name == value:
            return dtype
    raise ValueError(f"unknown dtype {str(payload)[:60]}")


def _decode_estimator(payload):
    """An unfitted skgen estimator from its class name and parameters."""
    params = {key: _decode(value) for key, value in payload["params"].items()}
    return ESTIMATORS[payload["class"]](**params)


DECODERS = {
    "float": _decode_float,
    "tuple": lambda items: tuple(_decode(item) for item in items),
    "dict": _decode_dict,
    "ndarray": _decode_ndarray,
    "index": _decode_index,
    "range_index": _decode_range_index,
    "dtype": _decode_dtype,
    "NA": lambda _: pd.NA,
    "optimizer": lambda name: OPTIMIZERS[name],
    "estimator": _decode_estimator,
}


# Estimators -----------------------------------------------------------------


def _state_names(estimator):
    """Names of the attributes that make up a fitted estimator's state."""
    return [
        name
        for name in vars(estimator)
        if (name.endswith("_") and not name.startswith("_"))
        or name in SAVED_PRIVATE_ATTRIBUTES
    ]


def _net_arguments(net):
    """The net's constructor arguments that shape its modules and losses.

    Those of the module, criterion and optimizer (``module__*``, ...), those
    of the net's own class (a VAE's ``beta``, ...) and ``NET_ARGUMENTS``;
    training plumbing (iterators, callbacks, splits) is left out.
    """
    own = set(inspect.signature(type(net)).parameters)
    own -= set(inspect.signature(NeuralNet).parameters)
    prefixes = ("module__", "criterion__", "optimizer__")
    return {
        key: value
        for key, value in net.get_params(deep=False).items()
        if key in own or key in NET_ARGUMENTS or key.startswith(prefixes)
    }


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
                params[key] = _encode(value, f"parameter {key!r}")
            except NotJSONError as exc:
                hint = PARAMETER_HINTS.get(key, "Change it with set_params to save.")
                raise NotJSONError(f"{exc} {hint}") from None
        attributes = {
            attribute: self.attribute(getattr(estimator, attribute), prefix + attribute)
            for attribute in _state_names(estimator)
        }
        return {"class": name, "params": params, "attributes": attributes}

    def attribute(self, value, path):
        """One fitted attribute as JSON (its tensors to ``tensors``)."""
        if isinstance(value, NeuralNet):
            return {"net": self.net(value, path)}
        if isinstance(value, TableEncoder):
            state = value.to_dict()
            return {
                "table_encoder": {
                    key: _encode(item, f"{path}.{key}") for key, item in state.items()
                }
            }
        if isinstance(value, History):
            return {
                "history": [
                    {
                        key: _encode(item, f"{path}[{i}][{key!r}]")
                        for key, item in row.items()
                        if key != "batches"
                    }
                    for i, row in enumerate(value)
                ]
            }
        if _is_skgen_estimator(value):
            return {"model": self.model(value, path + ".")}
        return _encode(value, f"fitted attribute {path!r}")

    def net(self, net, path):
        """Classes and arguments of a fitted skorch net; its weights to ``tensors``."""
        arguments = _net_arguments(net)
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
                key: _encode(value, f"{path} argument {key!r}")
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
        params = {key: _decode(value) for key, value in state["params"].items()}
        estimator = ESTIMATORS[state["class"]](**params)
        for name, value in state["attributes"].items():
            setattr(estimator, name, self.attribute(value, prefix + name))
        if hasattr(estimator, "net_") and hasattr(estimator, "history_"):
            estimator.net_.history = estimator.history_
        return estimator

    def attribute(self, obj, path):
        """One fitted attribute."""
        tag, payload = _tag(obj)
        if tag == "net":
            return self.net(payload, path)
        if tag == "table_encoder":
            state = {key: _decode(value) for key, value in payload.items()}
            return TableEncoder.from_dict(state)
        if tag == "history":
            rows = [
                {key: _decode(value) for key, value in row.items()} for row in payload
            ]
            return History(rows)
        if tag == "model":
            return self.model(payload, path + ".")
        return _decode(obj)

    def net(self, spec, path):
        """A skorch net built as saved, holding the saved weights."""
        arguments = {key: _decode(value) for key, value in spec["arguments"].items()}
        arguments.update(self.tensors[f"{path}.arguments"])
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
    """Write ``estimator`` to ``path``; see :meth:`SkgenEstimatorMixin.save`."""
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
        "skgen_version": skgen.__version__,
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
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{name} is in skgen model format version {version!r} (written by "
            f"skgen {document.get('skgen_version')}), but skgen "
            f"{skgen.__version__} reads format version {FORMAT_VERSION}. Load it "
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
        return _decode(state["params"]["device"])
    for value in state["attributes"].values():
        tag, payload = _tag(value)
        if tag == "model":
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
        return _Reader(tensors, target).model(document["model"])
    except (ImportError, KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} holds a model that this skgen cannot rebuild "
            f"({type(exc).__name__}: {exc}). It was saved by skgen "
            f"{document.get('skgen_version')}; this is skgen {skgen.__version__}."
        ) from exc
