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
(the arguments its net is rebuilt with). A new fitted attribute is thus a
deliberate change of the format, not an accident. ``import skgen`` imports
no estimator either, so ``load`` first imports the modules listed in
:data:`ESTIMATOR_MODULES`, whatever the file names.

Reading is closed: ``load`` reads back only what the writer emits for the
class a file names, and bounds each step before taking it.
:mod:`skgen._archive` reads the file within limits of size, values and
nesting; :class:`skgen._reader.ModelReader` rebuilds the estimator, checking
every parameter with the estimator's own ``_validate_params``, every
attribute and net argument against its schema in :mod:`skgen._load_checks`,
and the net's tensors against the network its arguments describe before
building it. So loading a file runs no code from it, and a forged file is
refused with a ``ValueError`` before memory is spent on it. ``save`` runs the
same checks on what it writes, so every file it writes loads.
"""

import hashlib
import importlib
import io
import json
import os
import warnings
import zipfile

import torch
from skorch import NeuralNet
from skorch.history import History

from skgen._archive import (
    JSON_NAME,
    WEIGHTS_NAME,
    check_weights_archive,
    parse_json,
    read_archive,
)
from skgen._json_values import OPTIMIZER_NAMES, NotJSONError, encode
from skgen._load_checks import (
    SAVED_PRIVATE_ATTRIBUTES,
    ParameterMismatch,
    check_keys,
    shown,
)
from skgen._reader import ModelReader, rename_critic, upgrade_from_v1, upgrade_from_v2
from skgen._tabular import TableEncoder
from skgen._torch import resolve_device
from skgen._training import OPTIMIZERS
from skgen._version import __version__

FORMAT = "skgen-model"

# Bump when what is saved, or how, changes in a way older readers would misread.
# Version 2 (issue 15): the GAN's "critic" became its "discriminator"
# (parameter n_critic -> discriminator_steps, module critic.* -> discriminator.*).
# Version 3 (issue 17): one codec per column in the table encoder; the models'
# parameters handle_missing, max_discrete_values and numeric_output; the
# criterion's missing_slots.
FORMAT_VERSION = 3

# The versions this skgen reads; older ones are upgraded as they load.
READABLE_VERSIONS = (1, 2, 3)

# The keys of skgen.json.
DOCUMENT_KEYS = (
    "format",
    "format_version",
    "skgen_version",
    "weights_sha256",
    "model",
    "sha256",
)

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

# The skgen module that defines and registers each estimator class. ``load``
# imports them all before reading a file, so that it can rebuild any class
# even in a process that never imported it.
ESTIMATOR_MODULES = {
    "AutoEncoder": "skgen._autoencoder",
    "AutoregressiveGenerator": "skgen._autoregressive",
    "GAN": "skgen._gan",
    "GenerativeOverSampler": "skgen._sampler",
    "VAE": "skgen._vae",
}


def register(cls):
    """Class decorator: let ``save`` and ``load`` handle the estimator ``cls``.

    ``cls`` lists the fitted attributes ``save`` writes in
    ``_saved_attributes``; an estimator that trains a net also names it
    (``_net_class``, ``_module_class``, ``_criterion_class``) and lists the
    net's arguments in ``_saved_net_arguments``.
    """
    ESTIMATORS[cls.__name__] = cls
    return cls


def _import_estimators():
    """Import every estimator module, registering each class a file can name.

    ``load`` calls this before it reads a file: what it imports does not
    depend on what the file says, and is only ever skgen's own modules.
    """
    for module in ESTIMATOR_MODULES.values():
        importlib.import_module(module)


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
            own = ", ".join(ESTIMATOR_MODULES)
            raise ValueError(
                f"skgen saves its own estimators only ({own}), not a "
                f"{type(estimator).__module__}.{name}; use pickle or joblib for "
                "other objects."
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


# Files ----------------------------------------------------------------------


def _refused(prefix, exc):
    """A ValueError of ``prefix`` followed by ``exc``'s message, as one sentence."""
    return ValueError(f"{prefix}{str(exc).rstrip('.')}.")


def _sha256(data):
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def _checksum(document):
    """SHA-256 of a document's canonical JSON, without its own checksum."""
    body = {key: value for key, value in document.items() if key != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return _sha256(text.encode("utf-8"))


def save(estimator, path):
    """Write ``estimator`` to ``path``; see :meth:`SkgenEstimator.save`.

    What is written is first read back with :func:`load`'s checks, so that a
    file ``save`` writes always loads: a model whose parameters were changed
    with ``set_params`` after fit, or whose weights are not finite, is
    refused with a ``ValueError``.
    """
    writer = _Writer()
    name = type(estimator).__name__
    try:
        model = writer.model(estimator)
    except NotJSONError as exc:
        raise ValueError(f"Cannot save {name}: {exc}") from None
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
    try:
        reader = ModelReader(ESTIMATORS)
        reader.model(parse_json(text.encode("utf-8"))["model"])
        reader.check_tensors(writer.tensors, len(weights))
    except ParameterMismatch as exc:
        raise ValueError(
            f"Cannot save {name}: {str(exc).rstrip('.')}. set_params changed the "
            "parameter since fit: set it back, or fit again, before saving."
        ) from None
    except ValueError as exc:
        raise _refused(f"Cannot save {name}: ", exc) from None
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(JSON_NAME, text, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(WEIGHTS_NAME, weights, compress_type=zipfile.ZIP_STORED)


def _check_document(document, weights, name):
    """Check the document's format, version, keys and both checksums."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{name} is not a skgen model file: {JSON_NAME} says so.")
    version = document.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        written = document.get("skgen_version")
        if not isinstance(written, str) or len(written) > 40:
            written = shown(written)
        raise ValueError(
            f"{name} is in skgen model format version {shown(version)} (written by "
            f"skgen {written}), but skgen {__version__} reads format versions "
            f"{list(READABLE_VERSIONS)}. Load it with the skgen that wrote it, or "
            "fit the model again."
        )
    try:
        check_keys(document, DOCUMENT_KEYS, JSON_NAME)
    except ValueError as exc:
        raise _refused(f"{name}: ", exc) from None
    try:
        intact = document["sha256"] == _checksum(document)
    except ValueError:
        intact = False
    if not intact:
        raise ValueError(
            f"{name}: {JSON_NAME} does not match its checksum; the file was "
            "changed after it was saved."
        )
    if _sha256(weights) != document["weights_sha256"]:
        raise ValueError(
            f"{name}: {WEIGHTS_NAME} does not match the checksum in {JSON_NAME}; "
            "the weights were changed after they were saved."
        )


def _saved_device(estimator):
    """The ``device`` parameter of a model, or of the fitted generator it holds."""
    for model in (estimator, getattr(estimator, "generator_", None)):
        if model is not None and "device" in model.get_params(deep=False):
            return model.device
    return "cpu"


def _load_device(estimator, device):
    """The device to load onto: ``device``, else the saved one, else the CPU."""
    if device is not None:
        return resolve_device(device)
    saved = _saved_device(estimator)
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


def _read_tensors(weights, target, name):
    """``weights.pt`` as a dict of tensors, read without unpickling code."""
    try:
        check_weights_archive(weights)
    except ValueError as exc:
        raise _refused(f"{name}: ", exc) from None
    try:
        return torch.load(io.BytesIO(weights), map_location=target, weights_only=True)
    except Exception as exc:
        raise ValueError(
            f"{name}: {WEIGHTS_NAME} cannot be read as torch tensors with "
            f"weights_only=True ({type(exc).__name__}: {exc})."
        ) from None


def load(path, *, device=None):
    """Load an estimator saved with ``save``, without unpickling anything.

    The parameters and fitted state are read from JSON and the weights with
    ``torch.load(weights_only=True)``, so a file cannot run code when loaded.
    Everything in the file is checked before it is used: its size and
    structure, both checksums, that it holds only what ``save`` writes for
    the estimator's class, with the types it writes, and that the network
    described by the parameters is the one whose weights the file holds.
    The loaded estimator gives the same results as the saved one, bit for
    bit on the same device, and can be refitted.

    Parameters
    ----------
    path : str, path-like or file object
        A file written by the ``save`` method of a skgen estimator, or a
        seekable binary file object holding one.

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
        If the file is not a skgen model file (not a regular file, not a zip
        archive of the two members, beyond the size limits, invalid JSON),
        was written in another format version, does not match its checksums
        (it was changed after saving), or holds anything ``save`` does not
        write: the message names what is wrong.

    OSError
        If the file cannot be opened (it does not exist, or may not be read).

    See Also
    --------
    AutoEncoder.save : Save an estimator (every skgen estimator has ``save``).

    Notes
    -----
    The checksums catch a file that was damaged or edited by hand, not a
    deliberate forgery (anyone can recompute them). What makes loading safe
    is that nothing is unpickled and nothing unchecked is used: JSON names
    only skgen's own classes, attributes and arguments, and the weights are
    read with ``weights_only=True``. The user guide's page on saving says
    what ``load`` guarantees for a file from someone else, and what not.

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
    _import_estimators()
    name = repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "file"
    raw, weights = read_archive(path, name)
    try:
        document = parse_json(raw)
    except ValueError as exc:
        raise _refused(f"{name}: ", exc) from None
    del raw
    _check_document(document, weights, name)
    reader = ModelReader(ESTIMATORS)
    try:
        renamed = []
        if document["format_version"] == 1:
            renamed = upgrade_from_v1(document["model"])
        if document["format_version"] <= 2:
            upgrade_from_v2(document["model"])
        estimator = reader.model(document["model"])
    except ValueError as exc:
        raise _refused(f"{name} holds a model that skgen cannot load: ", exc) from None
    target = _load_device(estimator, device)
    tensors = _read_tensors(weights, target, name)
    try:
        rename_critic(tensors, renamed)
        checked = reader.check_tensors(tensors, len(weights))
        del weights, tensors
        reader.build_nets(checked, target)
    except ValueError as exc:
        raise _refused(f"{name} holds a model that skgen cannot load: ", exc) from None
    return estimator
