"""The zip archive of a saved model, read within limits whatever it holds.

:func:`skgen.load` reads files from anyone, so each step here is bounded
before it is taken: the file must be a regular file (a device or a FIFO is
never opened) and a zip archive of exactly ``skgen.json``, deflated or
stored and within a size limit, and ``weights.pt``, stored, as skgen writes
them. Each member is read with a cap at the size its directory entry
declares, itself bounded first, so no header is trusted to tell the truth.
``skgen.json`` is parsed within limits of size, values and nesting, and
``weights.pt`` must be a PyTorch archive of uncompressed records. Every
refusal is a ``ValueError`` that names the file and what is wrong with it.
"""

import io
import os
import stat
import struct
import zipfile
import zlib

from skgen._json_values import loads

# Limits ---------------------------------------------------------------------

# skgen.json of a model of a table with 25,000 numeric columns takes about
# 13 MB and 900,000 values; parsing the most a file may hold takes under 150 MB.
MAX_JSON_BYTES = 16 * 2**20
MAX_JSON_VALUES = 1_000_000
# skgen writes about 20 levels (a sampler's VAE's categorical dtype).
MAX_JSON_DEPTH = 64
# The pickle in weights.pt lists the tensors (about 100 bytes each); the
# tensors themselves are separate records.
MAX_PICKLE_BYTES = 2**20

JSON_NAME = "skgen.json"
WEIGHTS_NAME = "weights.pt"

# Errors of zipfile and zlib on a damaged or forged archive.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    struct.error,
    ValueError,
    NotImplementedError,
    OverflowError,
)


# The file --------------------------------------------------------------------


def _open_regular(path, name):
    """Open ``path`` for reading, refusing anything but a regular file.

    ``stat`` comes first, so a FIFO or a device is never opened; the file is
    opened without blocking and checked again, in case it was swapped.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"{name} is not a skgen model file: it is not a regular file "
            "(a device, a FIFO or a directory), which load never reads."
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ValueError(f"{name} is not a skgen model file: not a regular file.")
    return os.fdopen(descriptor, "rb")


def _check_file_object(file, name):
    """Refuse a file object that is not a seekable regular file or buffer."""
    try:
        descriptor = file.fileno()
    except (AttributeError, OSError, ValueError):
        descriptor = None
    if descriptor is not None and not stat.S_ISREG(os.fstat(descriptor).st_mode):
        raise ValueError(
            f"{name} is not a skgen model file: it is not a regular file "
            "(a device, a FIFO or a pipe), which load never reads."
        )
    seekable = getattr(file, "seekable", None)
    if seekable is None or not seekable():
        raise ValueError(f"{name} must be a path or a seekable binary file object.")


def _member_infos(archive, size, name):
    """The directory entries of the two members, checked before reading either.

    ``size`` is the archive's size in bytes, which no member's compressed
    size may exceed.
    """
    infos = archive.infolist()
    names = [info.filename for info in infos]
    for member in (JSON_NAME, WEIGHTS_NAME):
        if names.count(member) != 1:
            problem = "has no" if member not in names else "has more than one"
            raise ValueError(
                f"{name} is not a skgen model file: it {problem} {member}."
            )
    others = sorted(set(names) - {JSON_NAME, WEIGHTS_NAME})
    if others:
        raise ValueError(
            f"{name} is not a skgen model file: it holds members other than "
            f"{JSON_NAME} and {WEIGHTS_NAME}: {others[:5]}."
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValueError(f"{name}: {info.filename} is encrypted.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(
                f"{name}: {info.filename} is compressed with method "
                f"{info.compress_type}; skgen files are stored or deflated."
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ValueError(f"{name}: {info.filename} is a symbolic link.")
        if info.compress_size > size:
            raise ValueError(
                f"{name}: {info.filename} declares {info.compress_size:,} bytes, "
                f"more than the file's {size:,}."
            )
    found = {info.filename: info for info in infos}
    text, weights = found[JSON_NAME], found[WEIGHTS_NAME]
    if text.file_size > MAX_JSON_BYTES:
        raise ValueError(
            f"{name}: {JSON_NAME} declares {text.file_size:,} bytes, more than the "
            f"{MAX_JSON_BYTES:,} a skgen file holds."
        )
    if (
        weights.compress_type != zipfile.ZIP_STORED
        or weights.file_size != weights.compress_size
    ):
        raise ValueError(
            f"{name}: {WEIGHTS_NAME} is compressed ({weights.file_size:,} bytes "
            f"declared from {weights.compress_size:,}); skgen stores it as it is."
        )
    return text, weights


def _read_member(archive, info, name):
    """The bytes of one member, never more than its directory entry declares."""
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except ZIP_ERRORS as exc:
        raise ValueError(
            f"{name}: {info.filename} cannot be read ({type(exc).__name__}: {exc})."
        ) from None
    if len(data) != info.file_size:
        raise ValueError(
            f"{name}: {info.filename} holds {len(data):,} bytes or more, but the "
            f"archive declares {info.file_size:,}."
        )
    return data


def read_archive(path, name):
    """Return the bytes of ``skgen.json`` and ``weights.pt``, within the limits.

    ``path`` is a path or a file object. The file must be regular, the
    archive must hold the two members only, and each is read with a cap at
    its declared size, which itself is bounded before anything is read.
    """
    if isinstance(path, (str, os.PathLike)):
        file, close = _open_regular(path, name), True
    else:
        _check_file_object(path, name)
        file, close = path, False
    try:
        size = file.seek(0, os.SEEK_END)
        try:
            archive = zipfile.ZipFile(file)
        except ZIP_ERRORS as exc:
            raise ValueError(
                f"{name} is not a skgen model file: it is not a readable zip "
                f"archive ({type(exc).__name__}: {exc})."
            ) from None
        with archive:
            members = _member_infos(archive, size, name)
            return tuple(_read_member(archive, info, name) for info in members)
    finally:
        if close:
            file.close()


def check_weights_archive(weights):
    """Check that ``weights.pt`` is a PyTorch archive of uncompressed records.

    PyTorch allocates each record at its declared size before reading it;
    stored records cannot declare more than the archive holds, and the
    pickle that lists the tensors is bounded.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(weights)) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS as exc:
        raise ValueError(
            f"{WEIGHTS_NAME} is not a PyTorch archive ({type(exc).__name__}: {exc})"
        ) from None
    total = 0
    for info in infos:
        if (
            info.compress_type != zipfile.ZIP_STORED
            or info.flag_bits & 0x1
            or info.file_size != info.compress_size
        ):
            raise ValueError(
                f"{WEIGHTS_NAME}: record {info.filename!r} is compressed or "
                "encrypted; PyTorch stores records as they are."
            )
        if info.filename.endswith("data.pkl") and info.file_size > MAX_PICKLE_BYTES:
            raise ValueError(
                f"{WEIGHTS_NAME}: its list of tensors takes {info.file_size:,} "
                f"bytes, more than the {MAX_PICKLE_BYTES:,} a skgen file needs."
            )
        total += info.file_size
    if total > len(weights):
        raise ValueError(f"{WEIGHTS_NAME}: its records declare more than it holds.")


def parse_json(raw):
    """``skgen.json``'s bytes parsed within the limits of a skgen file."""
    if len(raw) > MAX_JSON_BYTES:
        raise ValueError(
            f"{JSON_NAME} takes {len(raw):,} bytes, more than the "
            f"{MAX_JSON_BYTES:,} allowed"
        )
    try:
        return loads(raw, max_values=MAX_JSON_VALUES, max_depth=MAX_JSON_DEPTH)
    except ValueError as exc:
        raise ValueError(f"{JSON_NAME} {exc}") from None
