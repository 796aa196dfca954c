"""Reader of the packed model format (`.jmod`, version 1.x; field by field in
Sources/JouleCore/Packed/README.md, constants in PackedFormat.swift). Standard library only.

`read(path)` / `decode(data, path)` return a `Jmod` with the header, the model section, the layer
records and the three arena plans, after checking what makes those readable: the magic, major
version 1, the 64-byte header, the file length, the CRC-32, the section table (each known kind
once, inside the file) and the plan section's mode and layer counts. Anything else is
`FormatError` naming the file. It does not re-validate the layers, tensors or plans as the
runtime's `PackedModel.open` does (a file the runtime rejects may still be read here).

`Jmod.arena_size(mode)` is the C API's `joule_arena_size(model, mode)` (include/joule.h): the
plan's arena bytes rounded up to 16, plus 120 bytes of counters per layer (15 uint64 counters).
"""
import struct
import zlib
from dataclasses import dataclass

from .errors import FormatError

MAGIC = b"JMOD"
VERSION_MAJOR = 1
HEADER_BYTES = 64
SECTION_MODEL, SECTION_LAYERS, SECTION_PLANS, SECTION_DATA = 1, 2, 3, 4
LAYER_RECORD_BYTES = 96
PLAN_HEADER_BYTES, PLAN_MODE_HEADER_BYTES, PLAN_LAYER_ENTRY_BYTES = 16, 16, 24
#: Execution modes in plan order (their raw values are the indices).
MODES = ("QNN", "SNN_LAYERWISE", "SNN_STREAMING")
LAYER_KINDS = {1: "conv2d", 2: "linear", 3: "avgpool", 4: "maxpool"}
COUNTER_BYTES_PER_LAYER = 120


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str               # conv2d, linear, avgpool, maxpool (or "kind N" for an unknown N)
    weight_bits: int        # 8 or 4; 0 for pooling
    activation: str         # "quant" or "none"
    shift: int
    input: int              # index of the layer read, −1 = the model input
    residual: int           # index of the residual layer, −1 = none
    in_shape: tuple         # (C, H, W)
    out_shape: tuple
    kernel: tuple           # (h, w); stride and padding likewise
    stride: tuple
    padding: tuple
    neuron: tuple = (0, 0, 0)  # (leak multiplier m, leak shift s, flags), format 1.2; (0, 0, 0) = IF


@dataclass(frozen=True)
class Plan:
    mode: int
    arena_bytes: int
    input_offset: int
    input_bytes: int


@dataclass(frozen=True)
class Jmod:
    path: str
    name: str
    version: tuple          # (major, minor)
    file_bytes: int
    input_shape: tuple      # (C, H, W)
    default_T: int
    outputs: int
    layers: tuple           # of Layer, execution order
    qnn_code_bits: int      # 0: one byte per QNN code, 1…8: bit-packed codes
    plans: tuple            # of Plan, in MODES order

    @property
    def input_bytes(self):
        c, h, w = self.input_shape
        return c * h * w

    def arena_size(self, mode):
        """joule_arena_size(model, mode) of the C API; `mode` an index or a name of MODES."""
        plan = self.plans[MODES.index(mode) if isinstance(mode, str) else mode]
        return ((plan.arena_bytes + 15) & ~15) + COUNTER_BYTES_PER_LAYER * len(self.layers)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return decode(data, path)


def decode(data, path="<bytes>"):
    def fail(msg):
        raise FormatError(f"{path}: {msg}")

    if len(data) < HEADER_BYTES:
        fail(f"truncated packed model ({len(data)} bytes, the header alone is {HEADER_BYTES})")
    if data[:4] != MAGIC:
        fail("not a packed model (bad magic)")
    major, minor, header_bytes, file_bytes, crc, count, table = struct.unpack_from("<HHIIIII", data, 4)
    if major != VERSION_MAJOR or header_bytes != HEADER_BYTES:
        fail(f"unsupported packed format version {major}.{minor} (header {header_bytes} bytes); "
             f"this reader knows {VERSION_MAJOR}.x")
    if file_bytes > len(data) or file_bytes < HEADER_BYTES:
        fail(f"truncated packed model (header says {file_bytes} bytes, the file has {len(data)})")
    if zlib.crc32(data[:16] + b"\0\0\0\0" + data[20:file_bytes]) != crc:
        fail("checksum mismatch (the file is corrupt)")
    name = data[32:64].split(b"\0", 1)[0].decode("ascii", "replace")
    if count > 16 or table < HEADER_BYTES or table + 16 * count > file_bytes:
        fail(f"section table ({count} entries at {table}) outside the file")
    sections = {}
    for s in range(count):
        kind, offset, length, _ = struct.unpack_from("<IIII", data, table + 16 * s)
        if kind not in (SECTION_MODEL, SECTION_LAYERS, SECTION_PLANS, SECTION_DATA):
            continue  # unknown kinds are skipped
        if kind in sections:
            fail(f"section kind {kind} appears twice")
        if offset + length > file_bytes:
            fail(f"section kind {kind} ({length} bytes at {offset}) outside the file")
        sections[kind] = (offset, length)
    for kind in (SECTION_MODEL, SECTION_LAYERS, SECTION_PLANS):
        if kind not in sections:
            fail(f"missing section kind {kind}")
    model, _ = sections[SECTION_MODEL]
    c, h, w, default_t, _, layer_count, outputs = struct.unpack_from("<HHHBBII", data, model)
    offset, length = sections[SECTION_LAYERS]
    if layer_count * LAYER_RECORD_BYTES > length:
        fail(f"layers section ({length} bytes) too short for {layer_count} layers")
    layers = tuple(_layer(data, offset + i * LAYER_RECORD_BYTES) for i in range(layer_count))
    offset, length = sections[SECTION_PLANS]
    modes, plan_layers, code_bits = struct.unpack_from("<IIB", data, offset)
    block = PLAN_MODE_HEADER_BYTES + layer_count * PLAN_LAYER_ENTRY_BYTES
    if modes != len(MODES) or plan_layers != layer_count or PLAN_HEADER_BYTES + len(MODES) * block > length:
        fail(f"plans section does not hold {len(MODES)} plans of {layer_count} layers")
    plans = tuple(Plan(*struct.unpack_from("<IIII", data, offset + PLAN_HEADER_BYTES + m * block))
                  for m in range(len(MODES)))
    return Jmod(path, name, (major, minor), file_bytes, (c, h, w), default_t, outputs, layers,
                code_bits, plans)


def _layer(data, at):
    kind, bits, activation, shift, inp, res = struct.unpack_from("<BBBBhh", data, at)
    dims = struct.unpack_from("<6H", data, at + 8)
    geometry = struct.unpack_from("<6B", data, at + 20)
    name = data[at + 64:at + 96].split(b"\0", 1)[0].decode("ascii", "replace")
    neuron = struct.unpack_from("<HBB", data, at + 56)
    return Layer(name, LAYER_KINDS.get(kind, f"kind {kind}"), bits, "none" if activation == 0 else "quant",
                 shift, inp, res, dims[:3], dims[3:], geometry[0:2], geometry[2:4], geometry[4:6], neuron)
