"""joule_format.jmod and Tools/lib/jmod-info.py on a packed model built here byte by byte (the
layout of Sources/JouleCore/Packed/README.md): fields, arena sizes, and errors naming the file."""
import os
import struct
import subprocess
import sys
import zlib

import pytest
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

from joule_format import FormatError, jmod


def packed(layers=2, arenas=(1000, 2000, 3001), code_bits=3, crc_ok=True, magic=b"JMOD", major=1):
    """A minimal file: header, section table (model, layers, plans, an unknown kind), model
    section, `layers` records and the three plans. Offsets 16-aligned as the format requires."""
    table, model, records = 64, 128, 144
    plans = records + 96 * layers
    plans_len = 16 + 3 * (16 + 24 * layers)
    size = plans + plans_len
    out = bytearray(size)
    out[0:4] = magic
    struct.pack_into("<HHII", out, 4, major, 0, 64, size)
    struct.pack_into("<III", out, 20, 4, table, 0)
    out[32:36] = b"demo"
    for i, (kind, off, length, n) in enumerate([(1, model, 16, 1), (2, records, 96 * layers, layers),
                                               (3, plans, plans_len, 3), (99, 0, 0, 0)]):
        struct.pack_into("<IIII", out, table + 16 * i, kind, off, length, n)
    struct.pack_into("<HHHBBII", out, model, 2, 5, 4, 6, 0, layers, 10)
    for i in range(layers):
        at = records + 96 * i
        struct.pack_into("<BBBBhh6H6B", out, at, 1 if i == 0 else 2, 8, 1 if i < layers - 1 else 0, 20,
                         i - 1, -1, 2, 5, 4, 3, 3, 2, 3, 3, 1, 1, 0, 1)
        out[at + 64:at + 64 + 6] = b"layer%d" % i
    struct.pack_into("<IIB", out, plans, 3, layers, code_bits)
    for m, arena in enumerate(arenas):
        struct.pack_into("<IIII", out, plans + 16 + m * (16 + 24 * layers), m, arena, 0, 40)
    crc = zlib.crc32(bytes(out))                    # computed with the checksum field still zero
    struct.pack_into("<I", out, 16, crc if crc_ok else crc ^ 1)
    return bytes(out)


def test_fields_and_arena_sizes(tmp_path):
    path = tmp_path / "demo.jmod"
    path.write_bytes(packed())
    m = jmod.read(str(path))
    assert (m.name, m.version, m.input_shape, m.input_bytes, m.default_T, m.outputs) == \
        ("demo", (1, 0), (2, 5, 4), 40, 6, 10)
    assert m.qnn_code_bits == 3 and [p.arena_bytes for p in m.plans] == [1000, 2000, 3001]
    first, second = m.layers
    assert (first.name, first.kind, first.weight_bits, first.activation, first.shift, first.input) == \
        ("layer0", "conv2d", 8, "quant", 20, -1)
    assert (second.kind, second.activation, second.input, second.residual) == ("linear", "none", 0, -1)
    assert (first.in_shape, first.out_shape, first.kernel, first.stride, first.padding) == \
        ((2, 5, 4), (3, 3, 2), (3, 3), (1, 1), (0, 1))
    # joule_arena_size: plan bytes rounded up to 16, + 120 per layer
    assert [m.arena_size(i) for i in range(3)] == [1008 + 240, 2000 + 240, 3008 + 240]
    assert m.arena_size("SNN_STREAMING") == m.arena_size(2)


def test_jmod_info_prints_the_facts_the_firmware_reads(tmp_path):
    path = tmp_path / "demo.jmod"
    path.write_bytes(packed())
    out = subprocess.run([sys.executable, os.path.join(ROOT, "Tools", "lib", "jmod-info.py"), str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert out == ("LAYERS=2\nINPUT_BYTES=40\nOUTPUTS=10\nDEFAULT_T=6\n"
                   "PLAN_QNN=1000\nARENA_QNN=1248\nPLAN_SNN_LAYERWISE=2000\nARENA_SNN_LAYERWISE=2240\n"
                   "PLAN_SNN_STREAMING=3001\nARENA_SNN_STREAMING=3248\n")
    bad = tmp_path / "bad.jmod"
    bad.write_bytes(b"{}")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "Tools", "lib", "jmod-info.py"), str(bad)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.strip() == f"{bad}: truncated packed model (2 bytes, the header alone is 64)"


@pytest.mark.parametrize("data,message", [
    (packed()[:40], "truncated packed model (40 bytes"),
    (packed()[:-8], "truncated packed model (header says"),
    (packed(magic=b"JSON"), "not a packed model (bad magic)"),
    (packed(major=2), "unsupported packed format version 2.0"),
    (packed(crc_ok=False), "checksum mismatch"),
])
def test_malformed_files_name_the_file(tmp_path, data, message):
    path = tmp_path / "x.jmod"
    path.write_bytes(data)
    with pytest.raises(FormatError) as e:
        jmod.read(str(path))
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value), str(e.value)


def test_a_missing_section_is_named(tmp_path):
    data = bytearray(packed())
    struct.pack_into("<I", data, 64 + 16 * 2, 77)     # the plans entry becomes an unknown kind
    struct.pack_into("<I", data, 16, 0)
    struct.pack_into("<I", data, 16, zlib.crc32(bytes(data)))
    with pytest.raises(FormatError, match="missing section kind 3"):
        jmod.decode(bytes(data), "x.jmod")


def packmodel():
    path = os.path.join(os.environ.get("JOULE_BIN") or os.path.join(ROOT, ".build", "release"), "packmodel")
    return path if os.access(path, os.X_OK) else None


@pytest.mark.skipif(packmodel() is None, reason="no packmodel (swift build -c release, or JOULE_BIN)")
def test_the_packed_fixture_reads_as_its_description(tmp_path):
    from joule_format import model_json
    src = os.path.join(ROOT, "Tests", "Fixtures", "tiny.json")
    out = tmp_path / "tiny.jmod"
    subprocess.run([packmodel(), src, "-o", str(out)], check=True, capture_output=True)
    m, desc = jmod.read(str(out)), model_json.load(src)
    assert (m.name, m.input_shape, m.default_T, m.outputs) == (desc.name, desc.input_shape, desc.timesteps, desc.outputs)
    kept = [L for L in desc.layers if L["type"] != "flatten"]      # flatten is packed as nothing
    names = [L["name"] for L in kept]
    assert [L.name for L in m.layers] == names
    for got, want in zip(m.layers, kept):
        assert got.kind == want["type"] and got.activation == want.get("activation", "quant")
        assert got.out_shape == (want["out_shape"] + (1, 1))[:3]
        assert got.residual == (names.index(want["residual"]) if want.get("residual") else -1)
        if want["type"] == "conv2d":
            assert (list(got.kernel), list(got.stride), list(got.padding), got.shift) == \
                (want["kernel"], want["stride"], want["padding"], want["shift"])
