"""Forged model files: ``load`` refuses each with a ValueError naming what is wrong.

Every row of ``CASES`` builds one forged file from a real saved model, as an
attacker would (checksums recomputed), and says what ``load`` must answer: the
words of its ``ValueError`` and, for a file built to exhaust memory, how much
``load`` may raise the peak memory of the process. No binary file is
committed: the corpus is built here, in a temporary folder.

One subprocess (``PROBE``) loads a good file and every forged one with an
audit hook installed, and reports for each its error, the growth of peak
memory while ``load`` ran, and any audit event of starting a process,
compiling code, importing the compiler or writing a file. Each row is checked
against that report and, unless it is built to exhaust memory, in this
process too.
"""

import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
import torch

from skgen import GAN, VAE, AutoEncoder, GenerativeOverSampler, load
from skgen._load_checks import (
    ARGUMENTS,
    ATTRIBUTES,
    SAVED_PRIVATE_ATTRIBUTES,
    TAGGED_ATTRIBUTES,
)
from skgen._persistence import ESTIMATORS, _checksum
from skgen._tabular import TableEncoder

ROOT = Path(__file__).parents[1]
MB = 2**20
GIB = 2**30
# What a file built to exhaust memory may add to load's peak memory.
MEMORY_BOUND_MB = 200

FAST = {"hidden_layer_sizes": (8,), "max_epochs": 2, "random_state": 0}


def small_frame(n_samples=60):
    """Numbers, a category and a flag: every kind of encoded column."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n_samples),
            "y": rng.normal(size=n_samples),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n_samples)),
            "flag": rng.random(n_samples) < 0.5,
        }
    )


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Paths of real saved models: an AutoEncoder, a VAE, a GAN and a sampler."""
    folder = tmp_path_factory.mktemp("saved")
    X = small_frame()
    y = np.where(X["x"] > 0, "up", "down")
    sampler = GenerativeOverSampler(VAE(**FAST), random_state=0)
    sampler.fit_resample(X, y)
    gan = GAN(
        noise_dim=4,
        generator_layer_sizes=(8,),
        discriminator_layer_sizes=(8,),
        max_epochs=2,
        batch_size=32,
        random_state=0,
    )
    models = {
        "ae": AutoEncoder(noise_std=0.1, **FAST).fit(X),
        "vae": VAE(conditional=True, **FAST).fit(X, y),
        "gan": gan.fit(X, y),
        "sampler": sampler,
    }
    paths = {}
    for name, model in models.items():
        paths[name] = folder / f"{name}.skgen"
        model.save(paths[name])
    return paths


# Forging ----------------------------------------------------------------------


def read(path):
    """The JSON document and the weights' bytes of a saved file."""
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("skgen.json")), archive.read("weights.pt")


def write(path, document, weights):
    """Write a file as an attacker would: both checksums recomputed."""
    document["weights_sha256"] = hashlib.sha256(weights).hexdigest()
    document["sha256"] = _checksum(document)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skgen.json", json.dumps(document), zipfile.ZIP_DEFLATED)
        archive.writestr("weights.pt", weights)


def json_edit(*edits):
    """A file whose JSON document is changed by ``edits``."""

    def build(source, target):
        document, weights = read(source)
        for edit in edits:
            edit(document)
        write(target, document, weights)

    return build


def weights_edit(edit):
    """A file whose tensors (the dict ``weights.pt`` holds) are changed by ``edit``."""

    def build(source, target):
        document, weights = read(source)
        tensors = torch.load(io.BytesIO(weights), weights_only=True)
        edit(tensors)
        buffer = io.BytesIO()
        torch.save(tensors, buffer)
        write(target, document, buffer.getvalue())

    return build


def text_edit(edit):
    """A file whose JSON text is changed by ``edit`` (a function of the text)."""

    def build(source, target):
        document, weights = read(source)
        text = edit(json.dumps(document, indent=1))
        write_zip(
            target, [entry("skgen.json", text.encode()), entry("weights.pt", weights)]
        )

    return build


def model(document):
    return document["model"]


def params(document):
    return document["model"]["params"]


def attributes(document):
    return document["model"]["attributes"]


def net(document):
    return attributes(document)["net_"]["net"]


def arguments(document):
    return net(document)["arguments"]


def encoder(document):
    return attributes(document)["table_encoder_"]["table_encoder"]


def put(where, key, value):
    """An edit that sets ``where(document)[key]``."""

    def edit(document):
        where(document)[key] = value

    return edit


def drop(where, key):
    """An edit that deletes ``where(document)[key]``."""

    def edit(document):
        del where(document)[key]

    return edit


class Member(NamedTuple):
    """A zip member: its bytes as stored, and what its directory entry says."""

    name: str
    stored: bytes
    method: int
    size: int
    crc: int
    compressed: int
    mode: int = 0o100644


def entry(name, data, method=zipfile.ZIP_STORED, mode=0o100644):
    """A member holding ``data`` whose directory entry tells the truth."""
    stored = data if method == zipfile.ZIP_STORED else deflate([data])
    return Member(name, stored, method, len(data), zlib.crc32(data), len(stored), mode)


def zip_bytes(entries):
    """A zip archive whose directory says what ``entries`` say, true or not."""
    body, directory = b"", b""
    for member in entries:
        name = member.name.encode()
        fields = (20, 0, member.method, 0, 0x21, member.crc, member.compressed)
        fields += (member.size, len(name), 0)
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields)
        central = (b"PK\x01\x02", 0x0314, *fields[:-1], 0, 0, 0, 0, member.mode << 16)
        directory += struct.pack("<4s6H3L5H2L", *central, len(body)) + name
        body += header + name + member.stored
    n = len(entries)
    end = (b"PK\x05\x06", 0, 0, n, n, len(directory), len(body), 0)
    return body + directory + struct.pack("<4s4H2LH", *end)


def write_zip(path, entries):
    """Write :func:`zip_bytes` of ``entries`` to ``path``."""
    Path(path).write_bytes(zip_bytes(entries))


def deflate(parts):
    """A raw deflate stream of ``parts``; ``(chunk, n)`` repeats a chunk n times.

    Each chunk is compressed once and flushed to a byte boundary with a fresh
    window, so a gigabyte of repeated chunks costs a moment to build.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = []
    for part in parts:
        chunk, count = part if isinstance(part, tuple) else (part, 1)
        out.append(compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH))
        if count > 1:
            again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
            out.append(again * (count - 1))
    out.append(compressor.flush())
    return b"".join(out)


def members(json_entry=None, weights_entry=None, extra=()):
    """A file of the saved members, some replaced by crafted entries."""

    def build(source, target):
        document, weights = read(source)
        text = json.dumps(document).encode()
        entries = [
            json_entry(text) if json_entry else entry("skgen.json", text),
            weights_entry(weights) if weights_entry else entry("weights.pt", weights),
            *extra,
        ]
        write_zip(target, entries)

    return build


def json_bomb(declared):
    """``skgen.json`` with a GiB of spaces inside, deflated to a MB.

    Its directory entry declares ``declared(text)`` bytes.
    """

    def make(text):
        stream = deflate([text[:1], (b" " * MB, 1024), text[1:]])
        size, crc = declared(text), zlib.crc32(text)
        return Member(
            "skgen.json", stream, zipfile.ZIP_DEFLATED, size, crc, len(stream)
        )

    return make


def weights_bomb(weights):
    """``weights.pt`` as a GiB of zeros deflated to a MB, its size declared."""
    stream = deflate([(b"\0" * MB, 1024)])
    return Member("weights.pt", stream, zipfile.ZIP_DEFLATED, GIB, 0, len(stream))


def stored_as(declared):
    """``weights.pt`` stored, its directory entry declaring ``declared`` bytes."""

    def make(weights):
        return entry("weights.pt", weights)._replace(size=declared, compressed=declared)

    return make


def inner_record_bomb(source, target):
    """``weights.pt`` whose PyTorch archive has a record of a GiB, deflated."""
    document, weights = read(source)
    with zipfile.ZipFile(io.BytesIO(weights)) as inner:
        records = [(info.filename, inner.read(info)) for info in inner.infolist()]
    stream = deflate([(b"\0" * MB, 1024)])
    forged = zip_bytes(
        [
            Member(name, stream, zipfile.ZIP_DEFLATED, GIB, 0, len(stream))
            if name.endswith("/data/0")
            else entry(name, data)
            for name, data in records
        ]
    )
    write(target, document, forged)


def many_values(source, target):
    """A history of 1.5 million zeros: small compressed, beyond the value limit."""
    document, weights = read(source)
    attributes(document)["history_"] = {"history": [{"epoch": [0] * 1_500_000}]}
    write(target, document, weights)


def near_value_limit(source, target):
    """A history of 300,000 one-key records: within the limits, refused after."""
    document, weights = read(source)
    rows = [{"e": 0}] * 300_000
    attributes(document)["history_"] = {"history": rows}
    write(target, document, weights)


def many_labels(source, target):
    """800,000 distinct class labels: within the limits, about 2 MB compressed."""
    document, weights = read(source)
    labels = [f"label{i}" for i in range(800_000)]
    array = {"dtype": {"numpy": "|O"}, "shape": [len(labels)], "values": labels}
    attributes(document)["classes_"] = {"ndarray": array}
    write(target, document, weights)


def deep_nesting(text):
    """An attribute nested 100,000 levels deep."""
    return text.replace(
        '"n_epochs_": 2', '"n_epochs_": ' + "[" * 100_000 + "]" * 100_000
    )


def oversized_table(source, target):
    """A table of 12,000 columns and a hidden layer of 12,000: 1.2 GB of weights."""
    document, weights = read(source)
    n = 12_000
    state = encoder(document)
    spec = state["columns_"][0]["dict"]
    columns = []
    for j in range(n):
        column = json.loads(json.dumps(spec))
        column.update(name=f"c{j}")
        columns.append({"dict": column})
    names = [f"c{j}" for j in range(n)]
    flags = {
        "ndarray": {"dtype": {"numpy": "|b1"}, "shape": [n], "values": [False] * n}
    }
    state.update(
        columns_=columns,
        columns_index_={
            "index": {"dtype": {"numpy": "|O"}, "values": names, "name": None}
        },
    )
    attributes(document).update(
        n_features_in_=n,
        is_categorical_=flags,
        feature_names_in_={
            "ndarray": {"dtype": {"numpy": "|O"}, "shape": [n], "values": names}
        },
    )
    params(document)["hidden_layer_sizes"] = {"tuple": [n]}
    arguments(document).update(
        module__n_features=n,
        module__hidden_layer_sizes={"tuple": [n]},
        criterion__n_numeric=n,
        criterion__categorical_blocks=[],
    )
    tensors = torch.load(io.BytesIO(weights), weights_only=True)
    tensors["net_.arguments"]["module__noise_scale"] = torch.ones(n)
    tensors["net_.criterion_"] = {}
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    write(target, document, buffer.getvalue())


def oversized_hidden_layer(source, target):
    """Hidden layers of 12,000 declared in a 5 KB file: refused before building."""
    document, weights = read(source)
    params(document)["hidden_layer_sizes"] = {"tuple": [12_000]}
    arguments(document)["module__hidden_layer_sizes"] = {"tuple": [12_000]}
    write(target, document, weights)


def expanded_weights(tensors):
    """A weight of the right shape whose storage is a single number."""
    weights = tensors["net_.module_"]
    shape = weights["encoder.0.weight"].shape
    weights["encoder.0.weight"] = torch.zeros(1).expand(shape)


def nan_weights(tensors):
    """Every weight and float buffer of the module NaN."""
    for key, value in tensors["net_.module_"].items():
        # noise_scale shares its storage with the argument of the same name.
        if value.dtype.is_floating_point and key != "noise_scale":
            value.fill_(float("nan"))


def wider_weight(tensors):
    """A first layer with twice the units the arguments give."""
    weights = tensors["net_.module_"]
    weights["encoder.0.weight"] = torch.cat([weights["encoder.0.weight"]] * 2)


def forged_index(tensors):
    """The loss's columns of a one-hot block swapped (an index buffer)."""
    groups = tensors["net_.criterion_"]
    key = next(iter(groups))
    groups[key] = groups[key].flip(-1)


def huge_string_dtype(document):
    """Class labels of 500 million characters each: 4 GB for two labels."""
    classes = attributes(document)["classes_"]["ndarray"]
    classes["dtype"] = {"numpy": "<U500000000"}


class _Payload:
    """An object whose unpickling would write the file ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (Path(self.marker),)


def pickled_code(marker):
    """Weights whose unpickling would create ``marker``."""

    def build(source, target):
        document, _ = read(source)
        buffer = io.BytesIO()
        torch.save({"net_.module_": _Payload(marker)}, buffer)
        write(target, document, buffer.getvalue())

    return build


def fifo(source, target):
    """A FIFO, which a reader opening it waits on until a writer comes."""
    os.mkfifo(target)


def dev_zero(source, target):
    """A link to ``/dev/zero``, which never ends."""
    target.symlink_to("/dev/zero")


# Cases built only where the system has what they need.
POSIX_ONLY = {"fifo": hasattr(os, "mkfifo"), "dev_zero": os.path.exists("/dev/zero")}


# The corpus -------------------------------------------------------------------


@dataclass
class Case:
    """One forged file: from which model, how it is built, what load says."""

    id: str
    source: str
    build: object
    error: str
    memory_mb: int | None = None  # a bound on load's peak memory growth

    @property
    def heavy(self):
        return self.memory_mb is not None


def compile_options(tmp):
    """Options that make torch.compile write traces into ``tmp``."""
    return {"trace.enabled": True, "trace.debug_dir": str(tmp / "compile_trace")}


CASES = [
    # No code path beyond the reader.
    Case(
        "torch_compile",
        "ae",
        lambda s, t: json_edit(
            put(arguments, "compile", True),
            put(arguments, "compile__options", {"dict": compile_options(t.parent)}),
        )(s, t),
        r"net_ has arguments its estimator does not save: \['compile', "
        r"'compile__options'\]",
    ),
    Case(
        "dataset_os_system",
        "gan",
        json_edit(put(arguments, "dataset", "os.system")),
        r"does not save: \['dataset'\]",
    ),
    Case(
        "pickled_code",
        "ae",
        lambda s, t: pickled_code(t.parent / "pickle_ran")(s, t),
        r"weights_only=True",
    ),
    Case(
        "class_outside_skgen",
        "ae",
        json_edit(put(model, "class", "os.system")),
        r"class 'os.system' is not a skgen estimator",
    ),
    Case(
        "net_class_swapped",
        "ae",
        json_edit(put(net, "class", "GANNet")),
        r"net_ class must be ReconstructionNet, got 'GANNet'",
    ),
    Case(
        "unknown_value_tag",
        "ae",
        json_edit(put(attributes, "n_epochs_", {"__reduce__": ["os.system", "x"]})),
        r"n_epochs_: unknown value",
    ),
    # Names: dunders, methods, fields an encoder does not have.
    Case(
        "dunder_class",
        "ae",
        json_edit(put(attributes, "__class__", "VAE")),
        r"AutoEncoder does not save an attribute '__class__'",
    ),
    Case(
        "dunder_dict",
        "vae",
        json_edit(put(attributes, "__dict__", {"dict": {}})),
        r"VAE does not save an attribute '__dict__'",
    ),
    Case(
        "method_name",
        "ae",
        json_edit(put(attributes, "transform", "x")),
        r"does not save an attribute 'transform'",
    ),
    Case(
        "encoder_dunder_class",
        "ae",
        json_edit(put(encoder, "__class__", "x")),
        r"table encoder: missing fields \[\], unknown fields \['__class__'\]",
    ),
    Case(
        "encoder_method_name",
        "gan",
        json_edit(put(encoder, "transform", "x")),
        r"unknown fields \['transform'\]",
    ),
    Case(
        "column_spec_dunder_dict",
        "ae",
        json_edit(
            lambda d: encoder(d)["columns_"][0]["dict"].update(__dict__={"dict": {}})
        ),
        r"columns_\[0\]: a number column must have the fields",
    ),
    Case(
        "history_dunder_key",
        "ae",
        json_edit(
            lambda d: attributes(d)["history_"]["history"][0].update(__class__=1)
        ),
        r"history_ has a record named '__class__'",
    ),
    # Type confusion.
    Case(
        "format_version_true",
        "ae",
        json_edit(put(lambda d: d, "format_version", True)),
        r"format version True",
    ),
    Case(
        "string_parameter",
        "vae",
        json_edit(put(params, "n_components", "2")),
        r"VAE: The 'n_components' parameter of VAE must be",
    ),
    Case(
        "string_net_size",
        "gan",
        json_edit(put(arguments, "module__n_features", "12")),
        r"argument 'module__n_features' must be an int >= 1, got '12'",
    ),
    Case(
        "list_for_int",
        "ae",
        json_edit(put(attributes, "n_epochs_", [2])),
        r"n_epochs_ must be an int >= 0, got \[2\]",
    ),
    Case(
        "bool_for_int",
        "vae",
        json_edit(put(attributes, "n_features_in_", True)),
        r"n_features_in_ must be an int >= 1, got True",
    ),
    Case(
        "encoder_field_type",
        "ae",
        json_edit(put(encoder, "max_discrete_values", 1.5)),
        r"max_discrete_values=1.5",
    ),
    Case(
        "callbacks_list",
        "ae",
        json_edit(put(params, "callbacks", ["os.system"])),
        r"'callbacks' must be null",
    ),
    Case(
        "unknown_optimizer",
        "vae",
        json_edit(put(params, "optimizer", {"optimizer": "os.system"})),
        r"unknown optimizer 'os.system'",
    ),
    # Missing and repeated keys.
    Case(
        "missing_model",
        "ae",
        json_edit(drop(lambda d: d, "model")),
        r"skgen.json lacks the keys \['model'\]",
    ),
    Case(
        "missing_params",
        "gan",
        json_edit(drop(model, "params")),
        r"model lacks the keys \['params'\]",
    ),
    Case(
        "missing_parameter",
        "vae",
        json_edit(drop(params, "lr")),
        r"VAE params lacks the keys \['lr'\]",
    ),
    Case(
        "missing_net_argument",
        "ae",
        json_edit(drop(arguments, "batch_size")),
        r"net_ lacks the arguments \['batch_size'\]",
    ),
    Case(
        "missing_fitted_attribute",
        "vae",
        json_edit(drop(attributes, "history_")),
        r"VAE has fitted state without \['history_'\]",
    ),
    Case(
        "missing_tensor_argument",
        "vae",
        weights_edit(lambda tensors: tensors["net_.arguments"].clear()),
        r"net_.arguments must hold the tensors \['module__min_scale'\]",
    ),
    Case(
        "duplicate_json_key",
        "ae",
        text_edit(
            lambda text: text.replace(
                '"n_epochs_": 2', '"n_epochs_": 2, "n_epochs_": 3'
            )
        ),
        r"skgen.json is not valid JSON \(an object has the key 'n_epochs_' twice",
    ),
    Case(
        "duplicate_member",
        "ae",
        members(extra=[entry("skgen.json", b"{}")]),
        r"has more than one skgen.json",
    ),
    Case(
        "path_traversal_member",
        "ae",
        members(extra=[entry("../../evil.py", b"import os")]),
        r"holds members other than skgen.json and weights.pt: \['../../evil.py'\]",
    ),
    Case(
        "symlink_member",
        "ae",
        members(
            json_entry=lambda text: entry("skgen.json", b"/etc/passwd", mode=0o120777)
        ),
        r"skgen.json is a symbolic link",
    ),
    # JSON that Python would read but skgen never writes.
    Case(
        "nan_literal",
        "ae",
        text_edit(lambda text: text.replace('"n_epochs_": 2', '"n_epochs_": NaN')),
        r"NaN is not JSON",
    ),
    Case(
        "number_beyond_float",
        "ae",
        text_edit(lambda text: text.replace('"n_epochs_": 2', '"n_epochs_": 1e400')),
        r"the number 1e400 is beyond float range",
    ),
    Case(
        "deep_nesting",
        "ae",
        text_edit(deep_nesting),
        r"skgen.json nests more than the 64 levels allowed",
    ),
    # Parameters that disagree with the net.
    Case(
        "n_components_disagrees",
        "ae",
        json_edit(put(params, "n_components", 3)),
        r"module__n_components=2 disagrees with parameter n_components, which gives 3",
    ),
    Case(
        "negative_lr",
        "ae",
        json_edit(put(params, "lr", -1)),
        r"The 'lr' parameter of AutoEncoder must be a float in the range \(0.0, inf\)",
    ),
    Case(
        "negative_net_lr",
        "vae",
        json_edit(put(arguments, "lr", -1)),
        r"argument 'lr' must be a finite number > 0, got -1",
    ),
    Case(
        "activation_disagrees",
        "vae",
        json_edit(put(params, "activation", "tanh")),
        r"module__activation='relu' disagrees with parameter activation",
    ),
    Case(
        "activation_unknown",
        "ae",
        json_edit(put(params, "activation", "os.system")),
        r"The 'activation' parameter of AutoEncoder must be a str among",
    ),
    Case(
        "hidden_layers_disagree",
        "vae",
        json_edit(put(params, "hidden_layer_sizes", {"tuple": [16]})),
        r"module__hidden_layer_sizes=\(8,\) disagrees with parameter",
    ),
    Case(
        "gan_noise_dim",
        "gan",
        json_edit(put(params, "noise_dim", 64)),
        r"module__noise_dim=4 disagrees with parameter noise_dim, which gives 64",
    ),
    Case(
        "vae_not_conditional",
        "vae",
        json_edit(put(params, "conditional", False)),
        r"parameter conditional=False but the model has classes_",
    ),
    Case(
        "ae_noise_removed",
        "ae",
        json_edit(put(params, "noise_std", 0.0)),
        r"parameter noise_std=0.0 disagrees with the net's noise_scale",
    ),
    Case(
        "n_features_disagrees",
        "gan",
        json_edit(put(arguments, "module__n_features", 9)),
        r"module__n_features=9 disagrees with the fitted state, which gives 7",
    ),
    Case(
        "sampler_generator_disagrees",
        "sampler",
        json_edit(
            lambda d: attributes(d)["generator_"]["model"]["params"].update(
                n_components=5
            )
        ),
        r"generator_.net_ argument module__n_components=2 disagrees",
    ),
    Case(
        "posterior_above_one",
        "sampler",
        json_edit(put(attributes, "generated_posterior_", {"dict": {"down": 1.5}})),
        r"generated_posterior_ must be a dict of class labels to probabilities",
    ),
    Case(
        "posterior_of_a_class_not_resampled",
        "sampler",
        json_edit(put(attributes, "real_posterior_", {"dict": {"up": 0.5}})),
        r"real_posterior_ names classes it did not resample",
    ),
    Case(
        "n_epochs_disagrees",
        "gan",
        json_edit(put(attributes, "n_epochs_", 7)),
        r"GAN n_epochs_=7 but the history has 2 epochs",
    ),
    # Weights.
    Case(
        "nan_weights",
        "ae",
        weights_edit(nan_weights),
        r"net_.module_ 'encoder.0.weight' holds NaN or infinity",
    ),
    Case(
        "mismatched_shape",
        "vae",
        weights_edit(wider_weight),
        r"'encoder.0.weight' has shape \(16, 7\), the arguments give \(8, 7\)",
    ),
    Case(
        "expanded_weights",
        "ae",
        weights_edit(expanded_weights),
        r"'encoder.0.weight' must be a dense float or int64 tensor",
    ),
    Case(
        "forged_index_buffer",
        "ae",
        weights_edit(forged_index),
        r"net_.criterion_ 'group0' disagrees with its arguments",
    ),
    Case(
        "missing_weights",
        "gan",
        weights_edit(lambda tensors: tensors.pop("net_.module_")),
        r"weights.pt does not hold the nets of the model: .*missing entries "
        r"\['net_.module_'\]",
    ),
    # Not a regular file.
    Case("fifo", "ae", fifo, r"not a regular file"),
    Case("dev_zero", "ae", dev_zero, r"not a regular file"),
    # Built to exhaust memory.
    Case(
        "zip_bomb_json",
        "ae",
        members(json_entry=json_bomb(declared=lambda text: GIB + len(text))),
        r"skgen.json declares 1,073,7[\d,]+ bytes, more than the 16,777,216",
        MEMORY_BOUND_MB,
    ),
    Case(
        "zip_bomb_json_lying_header",
        "ae",
        members(json_entry=json_bomb(declared=len)),
        r"skgen.json cannot be read \(BadZipFile: Bad CRC-32",
        MEMORY_BOUND_MB,
    ),
    Case(
        "zip_bomb_weights",
        "ae",
        members(weights_entry=weights_bomb),
        r"weights.pt is compressed \(1,073,741,824 bytes declared from [\d,]+\)",
        MEMORY_BOUND_MB,
    ),
    Case(
        "weights_lying_header",
        "ae",
        members(weights_entry=stored_as(GIB)),
        r"weights.pt declares 1,073,741,824 bytes, more than the file's",
        MEMORY_BOUND_MB,
    ),
    Case(
        "zip_bomb_torch_record",
        "ae",
        inner_record_bomb,
        r"weights.pt: record '\w+/data/0' is compressed",
        MEMORY_BOUND_MB,
    ),
    Case(
        "too_many_values",
        "ae",
        many_values,
        r"skgen.json holds more than the 1,000,000 values allowed",
        MEMORY_BOUND_MB,
    ),
    Case(
        "near_value_limit",
        "gan",
        near_value_limit,
        r"GAN n_epochs_=2 but the history has 300000 epochs",
        MEMORY_BOUND_MB,
    ),
    Case(
        "many_labels",
        "vae",
        many_labels,
        r"VAE classes_ and class_prior_ do not match",
        MEMORY_BOUND_MB,
    ),
    Case(
        "huge_string_dtype",
        "vae",
        json_edit(huge_string_dtype),
        r"classes_: an array of <U500000000 would take 4,000,000,000 bytes",
        MEMORY_BOUND_MB,
    ),
    Case(
        "oversized_hidden_layer",
        "ae",
        oversized_hidden_layer,
        r"module__hidden_layer_sizes=\(12000,\) describes a network larger than",
        MEMORY_BOUND_MB,
    ),
    Case(
        "oversized_table",
        "ae",
        oversized_table,
        r"argument \w+=12000 describes a network larger than the 176 values",
        MEMORY_BOUND_MB,
    ),
]


@pytest.fixture(scope="module")
def corpus(saved, tmp_path_factory):
    """Every forged file, by case id."""
    folder = tmp_path_factory.mktemp("forged")
    paths = {}
    for case in CASES:
        if POSIX_ONLY.get(case.id, True):
            paths[case.id] = folder / f"{case.id}.skgen"
            case.build(saved[case.source], paths[case.id])
    return paths


# What load does with each file, in a fresh process with an audit hook.
PROBE = r"""
import gc, json, os, sys

FORBIDDEN = (
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
    "os.fork", "os.forkpty", "pty.spawn", "os.remove", "os.unlink", "os.rmdir",
    "os.rename", "os.replace", "os.mkdir", "os.symlink", "os.link", "os.truncate",
    "os.chmod", "shutil.", "tempfile.", "socket.", "ctypes.", "marshal.loads",
    "pickle.find_class", "exec", "compile", "code.__new__",
)
COMPILER = ("torch._dynamo", "torch._inductor", "torch.compiler", "triton")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
recording = False
events = []

def hook(event, args):
    if not recording:
        return
    if event.startswith(FORBIDDEN):
        events.append([event, repr(args)[:200]])
    elif event == "open":
        path, mode, flags = args
        if (mode and set(mode) & set("wax+")) or (flags or 0) & WRITE_FLAGS:
            events.append([event, repr(args)[:200]])
    elif event == "import" and str(args[0]).startswith(COMPILER):
        events.append([event, str(args[0])])

sys.addaudithook(hook)
import skgen

def memory_kb():
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status)
    except OSError:
        return None, None
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
        return True
    except OSError:
        return False

good, cases = sys.argv[1], json.loads(sys.argv[2])
skgen.load(good)
# Collections then see only what each load leaves, not all of torch.
gc.collect()
gc.freeze()
report = {}
for case_id, path in [("good", good), *cases.items()]:
    gc.collect()
    measured = reset_peak()
    before, _ = memory_kb()
    del events[:]
    recording = True
    try:
        skgen.load(path)
        error = None
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
    recording = False
    _, peak = memory_kb()
    growth = (peak - before) / 1024 if measured and peak else None
    report[case_id] = {"error": error, "peak_mb": growth, "events": list(events)}

# The hook sees what it looks for: a file written, code compiled.
recording = True
with open(os.path.join(os.path.dirname(good), "control.txt"), "w"):
    pass
compile("1 + 1", "<control>", "eval")
recording = False
report["control"] = {"events": [event for event, _ in events]}
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def probe(saved, corpus):
    """What load did with each file in a subprocess: error, peak memory, events."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(saved["ae"]),
            json.dumps({case: str(path) for case, path in corpus.items()}),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def load_with_timeout(path, timeout=30):
    """``load(path)``'s exception, in a thread that must not block (a FIFO)."""
    outcome = {}

    def run():
        try:
            load(path)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        # Open the FIFO's other end, so that a reader blocked on it returns.
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(descriptor)
        pytest.fail(f"load({path}) blocked for {timeout} s")
    return outcome.get("error")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_forged_file_is_refused(case, corpus, probe):
    if case.id not in corpus:
        pytest.skip(f"{case.id} needs a POSIX system")
    reported = probe[case.id]
    assert reported["error"] is not None, "the forged file loaded"
    assert reported["error"].startswith("ValueError: "), reported["error"]
    assert re.search(case.error, reported["error"]), reported["error"]
    assert reported["events"] == [], "load ran code or wrote a file"
    if case.heavy and reported["peak_mb"] is not None:
        assert reported["peak_mb"] < case.memory_mb, reported
    if not case.heavy:
        error = load_with_timeout(corpus[case.id])
        assert type(error) is ValueError, repr(error)
        assert re.search(case.error, str(error)), str(error)


def test_a_good_file_loads_without_events(probe):
    assert probe["good"]["error"] is None
    assert probe["good"]["events"] == []
    # The hook does see a file written and code compiled, outside load.
    assert probe["control"]["events"] == ["open", "compile"]


def test_nothing_was_written(corpus, probe):
    folder = next(iter(corpus.values())).parent
    assert not (folder / "compile_trace").exists()
    assert not (folder / "pickle_ran").exists()


# Beyond the table ---------------------------------------------------------------


class _Pipe(io.RawIOBase):
    """A readable stream that cannot seek, like a pipe or a socket."""

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:1] = b"P"
        return 1


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_at_once():
    with pytest.raises(ValueError, match="'/dev/zero' is not a skgen model file: it "):
        load("/dev/zero")
    with open("/dev/zero", "rb") as file:
        with pytest.raises(ValueError, match="not a regular file"):
            load(file)


def test_other_files_that_are_not_models(saved, tmp_path):
    with pytest.raises(ValueError, match="not a regular file"):
        load(tmp_path)
    with pytest.raises(ValueError, match="must be a path or a seekable binary file"):
        load(_Pipe())
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.skgen")


def test_file_objects_load(saved):
    with open(saved["vae"], "rb") as file:
        from_file = load(file, device="cpu")
    from_bytes = load(io.BytesIO(saved["vae"].read_bytes()), device="cpu")
    X = small_frame()
    np.testing.assert_array_equal(from_file.transform(X), from_bytes.transform(X))


@pytest.mark.parametrize("cls", sorted(ESTIMATORS.values(), key=lambda c: c.__name__))
def test_every_saved_name_has_a_schema(cls):
    """A name added to a saved list needs a schema: the reader is closed."""
    for name in cls._saved_attributes + SAVED_PRIVATE_ATTRIBUTES:
        assert name in ATTRIBUTES or name in TAGGED_ATTRIBUTES, name
        assert not name.startswith("__") and not callable(getattr(cls, name, None))
    for name in getattr(cls, "_saved_net_arguments", ()):
        assert name in ARGUMENTS, name
        assert not name.startswith("__")


def test_save_refuses_what_load_would(saved, tmp_path):
    """Every file save writes loads: it checks what it writes with load's checks."""
    ae = load(saved["ae"]).set_params(n_components=3)
    with pytest.raises(ValueError, match=r"n_components.*set it back, or fit again"):
        ae.save(tmp_path / "changed.skgen")
    vae = load(saved["vae"])
    with torch.no_grad():
        vae.net_.module_.encoder[0].weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="Cannot save VAE: net_.module_ 'encoder"):
        vae.save(tmp_path / "nan.skgen")
    assert not list(tmp_path.iterdir())
    # A parameter that only shapes training may change after fit.
    ae.set_params(n_components=2, max_epochs=50, lr=0.1).save(tmp_path / "ok.skgen")
    assert load(tmp_path / "ok.skgen").max_epochs == 50


def test_table_encoder_sets_only_its_own_fields(saved):
    state = load(saved["ae"]).table_encoder_.to_dict()
    assert TableEncoder.from_dict(state).to_dict().keys() == state.keys()
    for field in ("__class__", "__dict__", "transform", "columns"):
        with pytest.raises(ValueError, match=rf"unknown fields \['{field}'\]"):
            TableEncoder.from_dict({**state, field: None})
    with pytest.raises(ValueError, match=r"columns_\[0\]: kind cannot be 3"):
        columns = [dict(spec) for spec in state["columns_"]]
        columns[0]["kind"] = 3
        TableEncoder.from_dict({**state, "columns_": columns})
    unfitted = {key: state[key] for key in TableEncoder._parameters}
    del unfitted["numeric_output"]
    with pytest.raises(ValueError, match=r"missing fields \['numeric_output'\]"):
        TableEncoder.from_dict(unfitted)
