"""joule_format.safetensors: the written bytes equal hand-built files for each layout option, what
is written reads back, the committed files re-encode byte for byte, and malformed files fail with
a message naming the file."""
import json
import os
import struct

import numpy as np
import pytest
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

from joule_format import FormatError, safetensors

A = np.array([[1, 2, 3]], dtype=np.int8)
B = np.array([1, -2], dtype=np.int32)
DATA_AB = b"\x01\x02\x03" + b"\x01\x00\x00\x00" + b"\xfe\xff\xff\xff"   # a, then b (little-endian)


def by_hand(header_text, data):
    head = header_text.encode()
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head + data


def test_default_layout_equals_a_hand_built_file(tmp_path):
    expected = by_hand('{"a":{"dtype":"I8","shape":[1,3],"data_offsets":[0,3]},'
                       '"b":{"dtype":"I32","shape":[2],"data_offsets":[3,11]},'
                       '"__metadata__":{"seed":"0"}}', DATA_AB)
    tensors = {"b": B, "a": A}                          # written in name order whatever the order given
    assert safetensors.encode(tensors, {"seed": 0}) == expected
    path = tmp_path / "m.safetensors"
    safetensors.save(tensors, str(path), {"seed": 0})
    assert path.read_bytes() == expected
    back, meta = safetensors.read(str(path))
    assert list(back) == ["a", "b"] and meta == {"seed": "0"}
    assert back["a"].dtype == np.int8 and np.array_equal(back["a"], A)
    assert back["b"].dtype == np.int32 and np.array_equal(back["b"], B)


def test_sorted_keys_layout_equals_a_hand_built_file():
    expected = by_hand('{"a":{"data_offsets":[0,3],"dtype":"I8","shape":[1,3]},'
                       '"b":{"data_offsets":[3,11],"dtype":"I32","shape":[2]}}', DATA_AB)
    assert safetensors.encode({"b": B, "a": A}, sort_keys=True) == expected


def test_given_order_spaced_layout_equals_a_hand_built_file():
    data = b"\x01\x00\x00\x00\xfe\xff\xff\xff" + b"\x01\x02\x03"            # b first, as given
    expected = by_hand('{"a": {"data_offsets": [8, 11], "dtype": "I8", "shape": [1, 3]}, '
                       '"b": {"data_offsets": [0, 8], "dtype": "I32", "shape": [2]}}', data)
    got = safetensors.encode([("b", B), ("a", A)], order="given", sort_keys=True, compact=False)
    assert got == expected


def test_header_is_padded_to_8_bytes_and_every_dtype_round_trips():
    arrays = {"u8": np.arange(3, dtype=np.uint8), "i16": np.array([-3, 4], np.int16),
              "i64": np.array([[-(2 ** 40)]], np.int64), "f16": np.array([0.5], np.float16),
              "f32": np.array([1.5, -2.0], np.float32), "f64": np.array([np.pi]),
              "bool": np.array([True, False]), "empty": np.zeros((0, 4), np.int8)}
    raw = safetensors.encode(arrays)
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0 and raw[8 + n - 1:8 + n] in (b"}", b" ")
    back, _ = safetensors.decode(raw)
    for k, v in arrays.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and np.array_equal(back[k], v)


def test_big_endian_input_is_written_little_endian():
    assert safetensors.encode({"b": B.astype(">i4")}) == safetensors.encode({"b": B})


def test_unsupported_dtype_is_refused():
    with pytest.raises(ValueError, match="complex"):
        safetensors.encode({"c": np.zeros(2, np.complex64)})


def test_the_reference_library_reads_what_we_write(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = str(tmp_path / "m.safetensors")
    safetensors.save({"a": A, "b": B}, path, {"k": "v"})
    ref = st.load_file(path)
    assert np.array_equal(ref["a"], A) and np.array_equal(ref["b"], B)


@pytest.mark.parametrize("path,options", [("Models/watch-net.safetensors", {}),
                                          ("Models/spiking-resnet-sbp.safetensors", {}),
                                          ("Tests/Fixtures/tiny.safetensors", {"sort_keys": True})])
def test_committed_files_re_encode_byte_for_byte(path, options):
    path = os.path.join(ROOT, path)
    raw = open(path, "rb").read()
    tensors, meta = safetensors.decode(raw, path)
    assert safetensors.encode(tensors, meta, **options) == raw


def header_file(tmp_path, header, data=b"", length=None):
    head = json.dumps(header).encode() if not isinstance(header, bytes) else header
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", len(head) if length is None else length) + head + data)
    return str(path)


@pytest.mark.parametrize("header,data,length,message", [
    (b"", b"", None, None),                                                      # replaced below
    (b"{}", b"", 1000, "header length 1000 exceeds the file size"),
    (b"{not json", b"", None, "is not valid JSON"),
    (b"[1, 2]", b"", None, "header is not a JSON object"),
    ({"w": {"dtype": "I8", "shape": [2]}}, b"ab", None, "tensor 'w': header entry needs dtype, shape and data_offsets"),
    ({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"ab", None, "tensor 'w': unknown dtype BF16"),
    ({"w": {"dtype": "I32", "shape": [2], "data_offsets": [0, 4]}}, b"abcd", None, "do not fit shape [2]"),
    ({"w": {"dtype": "I8", "shape": [4], "data_offsets": [0, 4]}}, b"ab", None, "do not fit shape [4]"),
    ({"w": {"dtype": "I8", "shape": [1], "data_offsets": [0, 1]}, "__metadata__": 3}, b"a", None,
     "__metadata__ is not a JSON object"),
])
def test_malformed_files_name_the_file_and_the_fault(tmp_path, header, data, length, message):
    if message is None:                              # shorter than the 8-byte length
        path = tmp_path / "bad.safetensors"
        path.write_bytes(b"\x10\x00")
        path, message = str(path), "truncated safetensors file (2 bytes)"
    else:
        path = header_file(tmp_path, header, data, length)
    with pytest.raises(FormatError) as e:
        safetensors.load(path)
    assert str(e.value).startswith(path + ": ") and message in str(e.value)
