"""ONNX import: a small float model exported with torch.onnx and quantised by ONNX Runtime's own
quantiser (QDQ) imports at T = 255 with the same prediction as ONNX Runtime on every image where
ONNX Runtime's (itself quantised) output has a unique maximum; unsupported operators are refused
by name and nothing is written."""
import numpy as np
import onnx
import pytest
import torch
import torch.nn as nn
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

from joule_import import onnx_import
from joule_import.errors import UnsupportedModel
from joule_train import integer_twin


class Reader(CalibrationDataReader):
    def __init__(self, x):
        self.it = iter([{"input": x[i:i + 16]} for i in range(0, len(x), 16)])

    def get_next(self):
        return next(self.it, None)


def images(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 1, 12, 12), generator=g, dtype=torch.uint8)


def qdq_model(tmp_path, model, calib):
    float_path, path = str(tmp_path / "float.onnx"), str(tmp_path / "qdq.onnx")
    torch.onnx.export(model.eval(), (torch.zeros(1, 1, 12, 12),), float_path, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "n"}}, dynamo=False)
    quantize_static(float_path, path, Reader((calib.numpy() / 255).astype(np.float32)), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    return path


def small(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 16), nn.ReLU(),
                         nn.Linear(16, 5))


def test_qdq_import_at_255_equals_onnxruntime_where_untied(tmp_path):
    path = qdq_model(tmp_path, small(), images(128, 1))
    out = tmp_path / "joule"
    jpath, ranges, in_scale = onnx_import.import_onnx(path, str(out), "small", T=255)
    assert len(ranges) == 3 and abs(in_scale - 1 / 255) < 1e-6
    x = images(400, 2)
    src, ties = onnx_import.onnxruntime_predictions(path, x.numpy() / 255.0)
    ours = integer_twin.IntegerModel(jpath).run(x, 255).argmax(1)
    untied = ~ties
    assert int(untied.sum()) > 300
    assert torch.equal(ours[untied], src[untied])


def test_grouped_convolution_is_refused_by_name(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, groups=2), nn.ReLU(),
                          nn.Flatten(), nn.Linear(4 * 10 * 10, 3))
    path = qdq_model(tmp_path, model, images(32, 3))
    conv = [n for n in onnx.load(path).graph.node if n.op_type == "Conv"][1]
    out = tmp_path / "joule"
    with pytest.raises(UnsupportedModel) as e:
        onnx_import.import_onnx(path, str(out), "bad")
    assert e.value.node == (conv.name or conv.output[0]) and e.value.kind == "Conv"
    assert "grouped convolution" in str(e.value)
    assert not out.exists(), "a refused import writes nothing"


def test_qoperator_format_is_refused(tmp_path):
    float_path, path = str(tmp_path / "float.onnx"), str(tmp_path / "qop.onnx")
    torch.onnx.export(small().eval(), (torch.zeros(1, 1, 12, 12),), float_path, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "n"}}, dynamo=False)
    quantize_static(float_path, path, Reader((images(32, 4).numpy() / 255).astype(np.float32)),
                    quant_format=QuantFormat.QOperator, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8)
    with pytest.raises(UnsupportedModel) as e:
        onnx_import.import_onnx(path, str(tmp_path / "joule"), "bad")
    assert "QOperator format" in str(e.value) and e.value.kind.startswith("QLinear")
    assert not (tmp_path / "joule").exists(), "a refused import writes nothing"


def test_float_onnx_is_refused_and_nothing_written(tmp_path):
    float_path = str(tmp_path / "float.onnx")
    torch.onnx.export(small().eval(), (torch.zeros(1, 1, 12, 12),), float_path, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "n"}}, dynamo=False)
    with pytest.raises(UnsupportedModel) as e:
        onnx_import.import_onnx(float_path, str(tmp_path / "joule"), "bad")
    assert "not quantised" in str(e.value)
    assert not (tmp_path / "joule").exists()
