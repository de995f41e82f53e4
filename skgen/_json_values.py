"""Plain values as JSON, for saved models: what JSON lacks becomes a tagged object.

Tuples, non-finite floats, numpy arrays and dtypes, pandas dtypes and indexes,
``pd.NA`` and optimizer classes are written as one-key objects whose key names
the type (``{"tuple": [...]}``).

Reading is for untrusted files. :func:`loads` parses JSON text that stays
within the limits it is given (values, nesting) and refuses what skgen never
writes (duplicate keys, ``NaN`` literals, numbers beyond float range);
:class:`Decoder` accepts the tags above only, each in exactly the form
:func:`encode` writes it, and bounds the bytes of the arrays it makes. Reading
a value never runs code from it, and every failure is a ``ValueError``.
"""

import json
import math
import reprlib

import numpy as np
import pandas as pd

from skgen._training import OPTIMIZERS

OPTIMIZER_NAMES = {cls: name for name, cls in OPTIMIZERS.items()}

# Kinds of numpy dtype saved: bool, numbers, unicode strings and objects; and,
# as a dtype on its own (a column's), dates and durations.
NUMPY_KINDS = "biufcUO"
DTYPE_KINDS = NUMPY_KINDS + "mM"

# Types of the plain values JSON holds, and of the scalars arrays hold.
SCALARS = (type(None), bool, int, float, str)

# Most dimensions of a decoded array (numpy's own limit is 64).
MAX_NDIM = 32

# Most digits of an integer in JSON text (a 64-bit integer has 20).
MAX_INT_DIGITS = 100


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
        return {"dtype": encode_dtype(value, where, kinds=DTYPE_KINDS)}
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


def encode_dtype(dtype, where, kinds=NUMPY_KINDS):
    """Return a numpy (of one of ``kinds``) or pandas dtype as JSON."""
    if isinstance(dtype, np.dtype):
        if dtype.kind not in kinds or dtype.fields is not None:
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
    try:
        readable = pd.api.types.pandas_dtype(dtype.name) == dtype
    except (TypeError, ValueError):
        readable = False
    if not readable:
        # A time zone from dateutil, say, has a name pandas cannot read back.
        raise NotJSONError(
            f"{where} has dtype {dtype}, which skgen cannot save; a time zone "
            "by its IANA name (tz='Europe/Paris') can be."
        )
    return {"extension": dtype.name}


def tag(obj):
    """Return the tag and payload of a one-key JSON object, else ``(None, None)``."""
    if isinstance(obj, dict) and len(obj) == 1:
        return next(iter(obj.items()))
    return None, None


# JSON text ------------------------------------------------------------------

# Bytes of JSON text scanned at a time by ``_structure``.
SCAN_CHUNK = 2**20
_QUOTE = ord('"')
# Per byte: whether it precedes a value, and how it changes the nesting.
_SEPARATORS = np.zeros(256, dtype=np.int8)
_SEPARATORS[[ord("["), ord("{"), ord(","), ord(":")]] = 1
_NESTING = np.zeros(256, dtype=np.int8)
_NESTING[[ord("["), ord("{")]] = 1
_NESTING[[ord("]"), ord("}")]] = -1


def _structure(raw, max_values, max_depth):
    """Check the number of values and the nesting depth of JSON text ``raw``.

    Escaped backslashes and quotes are removed first; the text is then
    scanned a chunk at a time, knowing from the parity of the quotes seen
    which bytes lie outside strings, so that only the structure counts. Time
    is linear in the text and memory a copy of it, whatever it holds.
    """
    text = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    codes = np.frombuffer(text, dtype=np.uint8)
    # Every value but the first is preceded by one of the separators.
    n_values, depth, in_string = 1, 0, 0
    for start in range(0, len(codes), SCAN_CHUNK):
        chunk = codes[start : start + SCAN_CHUNK]
        quotes = (chunk == _QUOTE).view(np.uint8)
        inside = np.bitwise_xor.accumulate(quotes) ^ in_string
        in_string = int(inside[-1])
        structure = chunk[inside == 0]
        n_values += int(_SEPARATORS[structure].sum(dtype=np.int64))
        if n_values > max_values:
            raise ValueError(f"holds more than the {max_values:,} values allowed")
        levels = np.cumsum(_NESTING[structure], dtype=np.int64) + depth
        if len(levels):
            if levels.max() > max_depth:
                raise ValueError(f"nests more than the {max_depth} levels allowed")
            depth = int(levels[-1])


def _unique_keys(pairs):
    """An object's members as a dict; a key given twice is refused."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"an object has the key {key[:60]!r} twice")
            seen.add(key)
    return obj


def _reject_constant(name):
    """Refuse the NaN and Infinity that Python's JSON reader would accept."""
    raise ValueError(f"{name} is not JSON")


def _finite_float(text):
    """A JSON number with a fraction or exponent, refused beyond float range."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:30]} is beyond float range")
    return value


def _bounded_int(text):
    """A JSON integer of at most ``MAX_INT_DIGITS`` digits.

    Python parses longer ones in time quadratic in their length.
    """
    if len(text) > MAX_INT_DIGITS:
        raise ValueError(f"an integer has {len(text)} digits")
    return int(text)


def loads(raw, *, max_values, max_depth):
    """Parse untrusted JSON bytes into dicts, lists and plain values.

    Parameters
    ----------
    raw : bytes
        UTF-8 JSON text.

    max_values : int
        Most values (objects, arrays, keys and scalars) the text may hold.

    max_depth : int
        Most levels of nested objects and arrays.

    Returns
    -------
    obj : dict, list, str, int, float, bool or None
        The parsed value.

    Raises
    ------
    ValueError
        If the text is beyond the limits (checked before parsing), is not
        UTF-8 or not JSON, has an object with a repeated key, or holds
        ``NaN``, ``Infinity`` or a number beyond float range.
    """
    _structure(raw, max_values, max_depth)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text ({exc})") from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise ValueError("nests too deeply to parse") from None
    except ValueError as exc:
        raise ValueError(f"is not valid JSON ({exc})") from None


# Values ---------------------------------------------------------------------


def _describe_json(obj):
    """A short description of a JSON value for an error message."""
    return f"{reprlib.repr(obj)} ({type(obj).__name__})"


def _payload(obj, keys, what):
    """``obj`` as a dict with exactly ``keys``; else a ValueError naming ``what``."""
    if not isinstance(obj, dict) or set(obj) != set(keys):
        raise ValueError(
            f"a {what} must be an object with the keys {sorted(keys)}, got "
            f"{_describe_json(obj)}"
        )
    return obj


def _converted(function, what, *args, **kwargs):
    """Call a numpy or pandas constructor; its errors become ValueErrors."""
    try:
        return function(*args, **kwargs)
    except (
        TypeError,
        ValueError,
        OverflowError,
        ImportError,
        KeyError,
        IndexError,
        AttributeError,
        NotImplementedError,
    ) as exc:
        raise ValueError(f"{what}: {type(exc).__name__}: {exc}") from None


def _is_scalar(value):
    """Whether a decoded value is a scalar an array or an index may hold."""
    return isinstance(value, SCALARS) or value is pd.NA


class Decoder:
    """Turn what :func:`encode` wrote back into values, from an untrusted file.

    Only the tags :func:`encode` writes are accepted, each payload in exactly
    its form (the keys of an array, a pair of a dict, the dtype kinds saved);
    a dict with a repeated key is refused, and arrays and indexes hold scalars
    only. The arrays made in all stay within ``max_array_bytes``, so a
    string dtype of a billion characters cannot fill memory. Every failure is
    a ``ValueError``.

    Parameters
    ----------
    max_array_bytes : int
        Most bytes of all the arrays and indexes this decoder makes.
    """

    def __init__(self, max_array_bytes):
        self.array_bytes_left = max_array_bytes

    def decode(self, obj):
        """Return the value that :func:`encode` wrote as ``obj``."""
        if isinstance(obj, SCALARS):
            return obj
        if isinstance(obj, list):
            if all(isinstance(item, SCALARS) for item in obj):
                return obj
            return [self.decode(item) for item in obj]
        kind, payload = tag(obj)
        method = getattr(self, f"_decode_{kind}", None) if kind in TAGS else None
        if method is None:
            raise ValueError(f"unknown value {_describe_json(obj)}")
        return method(payload)

    def scalar(self, obj):
        """A decoded scalar (None, bool, int, float, str or ``pd.NA``)."""
        value = self.decode(obj)
        if not _is_scalar(value):
            raise ValueError(f"expected a scalar, got {_describe_json(obj)}")
        return value

    def _allocate(self, n_bytes, what):
        """Count ``n_bytes`` against the budget of arrays."""
        if n_bytes > self.array_bytes_left:
            raise ValueError(
                f"{what} would take {n_bytes:,} bytes, more than the arrays of a "
                "skgen file may take"
            )
        self.array_bytes_left -= n_bytes

    def _decode_float(self, payload):
        """NaN or an infinity, from its ``repr``."""
        if payload not in ("nan", "inf", "-inf"):
            raise ValueError(f"unknown float {_describe_json(payload)}")
        return float(payload)

    def _decode_tuple(self, payload):
        """A tuple from a list."""
        if not isinstance(payload, list):
            raise ValueError(f"a tuple must be a list, got {_describe_json(payload)}")
        return tuple(self.decode(item) for item in payload)

    def _decode_dict(self, payload):
        """A dict from an object (string keys) or a list of key-value pairs."""
        if isinstance(payload, dict):
            return {key: self.decode(value) for key, value in payload.items()}
        if not isinstance(payload, list):
            raise ValueError(
                f"a dict must be an object or a list of pairs, got "
                f"{_describe_json(payload)}"
            )
        result = {}
        for pair in payload:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(
                    f"a dict's pair must be a list of two, got {_describe_json(pair)}"
                )
            key = self.decode(pair[0])
            if not isinstance(key, SCALARS):
                raise ValueError(f"a dict's key cannot be {_describe_json(pair[0])}")
            if key in result:
                raise ValueError(f"a dict has the key {key!r} twice")
            result[key] = self.decode(pair[1])
        return result

    def _decode_ndarray(self, payload):
        """A numpy array from its dtype, shape and flat values."""
        payload = _payload(payload, ("dtype", "shape", "values"), "array")
        dtype = self.dtype(payload["dtype"])
        if not isinstance(dtype, np.dtype):
            raise ValueError(f"an array's dtype must be a numpy dtype, not {dtype}")
        shape, values = payload["shape"], payload["values"]
        if (
            not isinstance(shape, list)
            or len(shape) > MAX_NDIM
            or not all(type(size) is int and size >= 0 for size in shape)
        ):
            raise ValueError(f"an array's shape must be sizes, got {shape!r:.60}")
        if not isinstance(values, list):
            raise ValueError(f"an array's values must be a list, got {values!r:.60}")
        if math.prod(shape) != len(values):
            raise ValueError(f"an array of shape {shape} has {len(values)} values")
        self._allocate(dtype.itemsize * len(values), f"an array of {dtype}")
        items = [self.scalar(item) for item in values]
        if dtype.kind == "O":
            array = np.empty(len(items), dtype=object)
            array[:] = items
        else:
            array = _converted(np.array, f"values of dtype {dtype}", items, dtype=dtype)
        return array.reshape(shape)

    def _decode_index(self, payload):
        """A pandas Index from its dtype, values and name."""
        payload = _payload(payload, ("dtype", "values", "name"), "index")
        values = payload["values"]
        if not isinstance(values, list):
            raise ValueError(f"an index's values must be a list, got {values!r:.60}")
        dtype = self.dtype(payload["dtype"])
        itemsize = dtype.itemsize if isinstance(dtype, np.dtype) else 8
        self._allocate(max(itemsize, 8) * len(values), f"an index of {dtype}")
        items = [self.scalar(item) for item in values]
        name = self.scalar(payload["name"])
        return _converted(pd.Index, "an index", items, dtype=dtype, name=name)

    def _decode_range_index(self, payload):
        """A pandas RangeIndex from its start, stop, step and name."""
        if (
            not isinstance(payload, list)
            or len(payload) != 4
            or not all(type(number) is int for number in payload[:3])
            or payload[2] == 0
        ):
            raise ValueError(
                "a range index must be [start, stop, step, name], got "
                f"{_describe_json(payload)}"
            )
        start, stop, step, name = payload
        try:
            length = len(range(start, stop, step))
        except OverflowError:
            length = math.inf
        # A RangeIndex is lazy, but the columns it names are not.
        self._allocate(8 * length, "a range index")
        name = self.scalar(name)
        return _converted(pd.RangeIndex, "a range index", start, stop, step, name=name)

    def _decode_dtype(self, payload):
        """A numpy or pandas dtype."""
        return self.dtype(payload, kinds=DTYPE_KINDS)

    def _decode_NA(self, payload):
        """``pd.NA``."""
        if payload is not None:
            raise ValueError(f"NA must be null, got {_describe_json(payload)}")
        return pd.NA

    def _decode_optimizer(self, payload):
        """An optimizer class that skgen names."""
        if not isinstance(payload, str) or payload not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {_describe_json(payload)}; skgen's are "
                f"{sorted(OPTIMIZERS)}"
            )
        return OPTIMIZERS[payload]

    def dtype(self, payload, kinds=NUMPY_KINDS):
        """A numpy or pandas dtype from what :func:`encode_dtype` wrote."""
        kind, value = tag(payload)
        if kind == "numpy" and isinstance(value, str):
            dtype = _converted(np.dtype, "a numpy dtype", value)
            if dtype.kind in kinds and dtype.fields is None:
                return dtype
        elif kind == "category":
            value = _payload(value, ("categories", "ordered"), "category dtype")
            categories = self.decode(value["categories"])
            ordered = value["ordered"]
            if (categories is None or isinstance(categories, pd.Index)) and (
                isinstance(ordered, bool)
            ):
                return _converted(
                    pd.CategoricalDtype, "a category dtype", categories, ordered
                )
        elif kind == "string":
            value = _payload(value, ("storage", "na_value"), "string dtype")
            na_value = self.scalar(value["na_value"])
            if value["storage"] in ("python", "pyarrow"):
                return _converted(
                    pd.StringDtype, "a string dtype", value["storage"], na_value
                )
        elif kind == "extension" and isinstance(value, str):
            dtype = _converted(pd.api.types.pandas_dtype, "a pandas dtype", value)
            if isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
                dtype.name == value
            ):
                return dtype
        raise ValueError(f"unknown dtype {_describe_json(payload)}")


# The tags Decoder reads, each by its method ``_decode_<tag>``.
TAGS = (
    "float",
    "tuple",
    "dict",
    "ndarray",
    "index",
    "range_index",
    "dtype",
    "NA",
    "optimizer",
)
