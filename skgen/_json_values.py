"""Plain values as JSON, for saved models: what JSON lacks becomes a tagged object.

Tuples, non-finite floats, numpy arrays and dtypes, pandas dtypes and indexes,
``pd.NA`` and optimizer classes are written as one-key objects whose key names
the type (``{"tuple": [...]}``). :func:`decode` accepts those tags only, so
reading a value never runs code from it.
"""

import math

import numpy as np
import pandas as pd

from skgen._training import OPTIMIZERS

OPTIMIZER_NAMES = {cls: name for name, cls in OPTIMIZERS.items()}

# Kinds of numpy dtype saved: bool, numbers, unicode strings and objects.
NUMPY_KINDS = "biufcUO"


class NotJSONError(TypeError):
    """A value that skgen cannot write as JSON."""


# Values ---------------------------------------------------------------------


def encode(value, where):
    """Return ``value`` as JSON, tagging what JSON lacks; raise naming ``where``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        return encode(value.item(), where)
    if isinstance(value, (list, tuple)):
        items = [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return {"tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {"dict": {k: encode(v, f"{where}[{k!r}]") for k, v in value.items()}}
        return {
            "dict": [
                [encode(k, where), encode(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
        }
    if isinstance(value, np.ndarray):
        return {
            "ndarray": {
                "dtype": encode_dtype(value.dtype, where),
                "shape": list(value.shape),
                "values": [encode(item, where) for item in value.ravel().tolist()],
            }
        }
    if isinstance(value, pd.RangeIndex):
        return {
            "range_index": [
                value.start,
                value.stop,
                value.step,
                encode(value.name, where),
            ]
        }
    if isinstance(value, pd.Index) and not isinstance(value, pd.MultiIndex):
        return {
            "index": {
                "dtype": encode_dtype(value.dtype, where),
                "values": [encode(item, where) for item in value.tolist()],
                "name": encode(value.name, where),
            }
        }
    if isinstance(value, (np.dtype, pd.api.extensions.ExtensionDtype)):
        return {"dtype": encode_dtype(value, where)}
    if value is pd.NA:
        return {"NA": None}
    if isinstance(value, type) and value in OPTIMIZER_NAMES:
        return {"optimizer": OPTIMIZER_NAMES[value]}
    raise NotJSONError(
        f"{where} holds {_describe(value)}, which skgen cannot write as JSON."
    )


def _describe(value):
    """A short description of a value for an error message."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__name__} ({text})"


def encode_dtype(dtype, where):
    """Return a numpy or pandas dtype as JSON."""
    if isinstance(dtype, np.dtype):
        if dtype.kind not in NUMPY_KINDS or dtype.fields is not None:
            raise NotJSONError(f"{where} has dtype {dtype}, which skgen cannot save.")
        return {"numpy": dtype.str}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        return {
            "category": {
                "categories": None if categories is None else encode(categories, where),
                "ordered": bool(dtype.ordered),
            }
        }
    if isinstance(dtype, pd.StringDtype):
        na_value = encode(dtype.na_value, where)
        return {"string": {"storage": dtype.storage, "na_value": na_value}}
    return {"extension": dtype.name}


def tag(obj):
    """Return the tag and payload of a one-key JSON object, else ``(None, None)``."""
    if isinstance(obj, dict) and len(obj) == 1:
        return next(iter(obj.items()))
    return None, None


def decode(obj):
    """Return the value that :func:`encode` wrote as ``obj``."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(item) for item in obj]
    kind, payload = tag(obj)
    if kind not in DECODERS:
        raise ValueError(f"unknown value {str(obj)[:60]}")
    return DECODERS[kind](payload)


def _decode_float(payload):
    """NaN or an infinity, from its ``repr``."""
    if payload not in ("nan", "inf", "-inf"):
        raise ValueError(f"unknown float {payload!r}")
    return float(payload)


def _decode_dict(payload):
    """A dict from an object (string keys) or a list of pairs."""
    if isinstance(payload, dict):
        return {key: decode(value) for key, value in payload.items()}
    return {decode(key): decode(value) for key, value in payload}


def _decode_ndarray(payload):
    """A numpy array from its dtype, shape and flat values."""
    dtype = decode_dtype(payload["dtype"])
    values = [decode(item) for item in payload["values"]]
    if dtype.kind == "O":
        array = np.empty(len(values), dtype=object)
        array[:] = values
    else:
        array = np.array(values, dtype=dtype)
    return array.reshape(payload["shape"])


def _decode_index(payload):
    """A pandas Index from its dtype, values and name."""
    values = [decode(item) for item in payload["values"]]
    dtype = decode_dtype(payload["dtype"])
    return pd.Index(values, dtype=dtype, name=decode(payload["name"]))


def _decode_range_index(payload):
    """A pandas RangeIndex from its start, stop, step and name."""
    start, stop, step, name = payload
    return pd.RangeIndex(start, stop, step, name=decode(name))


def decode_dtype(payload):
    """A numpy or pandas dtype from what :func:`encode_dtype` wrote."""
    kind, value = tag(payload)
    if kind == "numpy":
        dtype = np.dtype(value)
        if dtype.kind in NUMPY_KINDS and dtype.fields is None:
            return dtype
    if kind == "category":
        return pd.CategoricalDtype(decode(value["categories"]), value["ordered"])
    if kind == "string":
        return pd.StringDtype(value["storage"], na_value=decode(value["na_value"]))
    if kind == "extension":
        dtype = pd.api.types.pandas_dtype(value)
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.name == value:
            return dtype
    raise ValueError(f"unknown dtype {str(payload)[:60]}")


DECODERS = {
    "float": _decode_float,
    "tuple": lambda items: tuple(decode(item) for item in items),
    "dict": _decode_dict,
    "ndarray": _decode_ndarray,
    "index": _decode_index,
    "range_index": _decode_range_index,
    "dtype": decode_dtype,
    "NA": lambda _: pd.NA,
    "optimizer": lambda name: OPTIMIZERS[name],
}
