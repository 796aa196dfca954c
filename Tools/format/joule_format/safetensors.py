"""`.safetensors` files as numpy arrays: the project's one reader and writer.

The format: an 8-byte little-endian header length `n`, `n` bytes of JSON header
`{name: {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {key: value}}`,
then the raw little-endian tensor bytes (offsets relative to the first byte after the header).

Reading (`load`, `read`, `decode`) checks what the Swift reader (`Sources/JouleHost/Model/
SafeTensors.swift`) checks — header length inside the file, valid JSON object, every entry with
dtype, shape and data_offsets, a known dtype, offsets that fit the shape and lie inside the file —
and raises `FormatError` naming the file (and the tensor) otherwise. Arrays come back as
little-endian copies, in header order.

Writing (`encode`, `save`) is deterministic; committed files depend on its bytes:
  - tensors in name order (`order="sorted"`, the default) or in the caller's order
    (`order="given"`); the data in that order, contiguous from offset 0, C order, little-endian;
  - each header entry's fields in the order dtype, shape, data_offsets, then `"__metadata__"`
    (values `str()`-ed) after the tensors, if any metadata is given;
  - `sort_keys=True` sorts the keys of every JSON object instead (entries and their fields);
  - separators `","` / `":"` (`compact=True`, the default) or `", "` / `": "`;
  - the header padded with spaces to a multiple of 8 bytes, so the data starts 8-aligned.
The defaults write `Models/*.safetensors` (joule_train's export, the importer);
`sort_keys=True` writes `Tests/Fixtures/tiny.safetensors`; `sort_keys=True, compact=False,
order="given"` writes the reference workloads (`Tools/reference_workloads.py`).
`save` replaces the file atomically (`joule_format.atomic.replacing`).
"""
import json
import struct
from collections.abc import Mapping

import numpy as np

from .atomic import replacing
from .errors import FormatError

#: dtype name -> numpy dtype (little-endian).
DTYPES = {"BOOL": np.dtype("?"), "U8": np.dtype("u1"), "I8": np.dtype("i1"), "I16": np.dtype("<i2"),
          "I32": np.dtype("<i4"), "I64": np.dtype("<i8"), "F16": np.dtype("<f2"),
          "F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
_NAMES = {(d.kind, d.itemsize): name for name, d in DTYPES.items()}
METADATA = "__metadata__"


def dtype_name(dtype):
    """The safetensors name of a numpy dtype (`I8`, `I32`, …); `ValueError` if it has none."""
    dtype = np.dtype(dtype)
    try:
        return _NAMES[(dtype.kind, dtype.itemsize)]
    except KeyError:
        raise ValueError(f"no safetensors dtype for numpy {dtype}") from None


def _layout(tensors, metadata, order, sort_keys, compact):
    """(header bytes with the 8-byte length prefix, [data blobs]) of the layout described above."""
    items = list(tensors.items()) if isinstance(tensors, Mapping) else list(tensors)
    if order == "sorted":
        items.sort(key=lambda item: item[0])
    elif order != "given":
        raise ValueError(f"order must be 'sorted' or 'given', not {order!r}")
    header, blobs, offset = {}, [], 0
    for name, array in items:
        if name in header or name == METADATA:
            raise ValueError(f"tensor name {name!r} repeated or reserved")
        a = np.ascontiguousarray(array)
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype_name(a.dtype), "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header[METADATA] = {str(k): str(v) for k, v in metadata.items()}
    separators = (",", ":") if compact else (", ", ": ")
    head = json.dumps(header, separators=separators, sort_keys=sort_keys).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    return struct.pack("<Q", len(head)) + head, blobs


def encode(tensors, metadata=None, *, order="sorted", sort_keys=False, compact=True):
    """The file's bytes. `tensors`: a mapping or a sequence of (name, numpy array) pairs."""
    head, blobs = _layout(tensors, metadata, order, sort_keys, compact)
    return head + b"".join(blobs)


def save(tensors, path, metadata=None, *, order="sorted", sort_keys=False, compact=True):
    """Writes `encode(...)` to `path`, atomically: an interrupted or failed save leaves the old
    file (or none)."""
    head, blobs = _layout(tensors, metadata, order, sort_keys, compact)
    with replacing(path, "wb") as f:
        f.write(head)
        for blob in blobs:
            f.write(blob)


def decode(data, path="<bytes>"):
    """(tensors {name: array}, metadata {key: value}) of a file's bytes; errors name `path`."""
    if len(data) < 8:
        raise FormatError(f"{path}: truncated safetensors file ({len(data)} bytes)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise FormatError(f"{path}: safetensors header length {n} exceeds the file size {len(data)}")
    base = 8 + n
    try:
        header = json.loads(bytes(data[8:base]))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{path}: safetensors header (bytes 8…{base - 1}) is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: safetensors header is not a JSON object")
    metadata = header.get(METADATA, {})
    if not isinstance(metadata, dict):
        raise FormatError(f"{path}: safetensors {METADATA} is not a JSON object")
    tensors = {}
    for name, entry in header.items():
        if name == METADATA:
            continue
        where = f"{path}: tensor '{name}'"
        if not (isinstance(entry, dict) and isinstance(entry.get("dtype"), str)
                and _int_list(entry.get("shape")) and _int_list(entry.get("data_offsets"))
                and len(entry["data_offsets"]) == 2):
            raise FormatError(f"{where}: header entry needs dtype, shape and data_offsets")
        dtype = DTYPES.get(entry["dtype"])
        if dtype is None:
            raise FormatError(f"{where}: unknown dtype {entry['dtype']}")
        shape, (begin, end) = entry["shape"], entry["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if (any(d < 0 for d in shape) or begin < 0 or end < begin
                or end - begin != count * dtype.itemsize or base + end > len(data)):
            raise FormatError(f"{where}: data_offsets {[begin, end]} do not fit shape {shape} "
                              f"× {dtype.itemsize} bytes inside the file")
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=base + begin) \
            .reshape(shape).copy()
    return tensors, metadata


def _int_list(value):
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


def read(path):
    """(tensors, metadata) of the file at `path`."""
    with open(path, "rb") as f:
        data = f.read()
    return decode(data, path)


def load(path):
    """The tensors of the file at `path`, {name: numpy array} in header order."""
    return read(path)[0]
