"""The LeNet of lenet_fashion.py as a quantised ONNX model, made the way ONNX Runtime's users
make one: export the float model (torch.onnx), then static QDQ quantisation with ONNX Runtime's
quantiser (int8 weights per channel, uint8 activations, MinMax calibration on 500 training
images). `python lenet_onnx.py lenet.pt lenet-qdq.onnx` (nothing from Joule but the IDX reader)."""
import sys

import numpy as np
import torch
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                      quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process

from lenet_fashion import lenet


class Reader(CalibrationDataReader):
    def __init__(self, images):
        self.batches = iter([{"input": images[i:i + 50]} for i in range(0, len(images), 50)])

    def get_next(self):
        return next(self.batches, None)


def main(weights, out):
    from joule_train import data
    model = lenet()
    model.load_state_dict(torch.load(weights))
    model.eval()
    float_path, pre_path = out + ".float.onnx", out + ".pre.onnx"
    torch.onnx.export(model, (torch.zeros(1, 1, 28, 28),), float_path, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "n"}}, dynamo=False)
    quant_pre_process(float_path, pre_path)
    x, _ = data.load("train", limit=500)
    quantize_static(pre_path, out, Reader((x.numpy() / 255).astype(np.float32)), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
