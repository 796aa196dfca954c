"""TensorFlow Lite Micro int8 twin: a .tflite flatbuffer written with the schema classes the
tflite-micro wheel ships (no TensorFlow needed), run by its Python interpreter (reference kernels).

Integer design (NHWC, TFLite's layout): the input is the raw bytes as int8 (byte - 128, scale 1).
Codes 0..T are int8 with scale 1 and zero point 127-T, so the fused RELU gives the lower clamp 0
and int8 saturation at 127 gives the upper clamp T. Conv: per-channel int8 weights q with scale
M/2^S (first layer M*T/2^S), int32 bias carrying -0.5 output units so TFLM's round-to-nearest
becomes floor (rounded to the bias grid: a code can differ by one where A/2^S is within one bias
step of an integer). avgpool 2x2 = DEPTHWISE_CONV_2D with weights 2, scale 1/8, bias -3
(round((sum-1.5)/4) = floor(sum/4) exactly; TFLM's AVERAGE_POOL_2D rounds to nearest). Last layer:
FULLY_CONNECTED (weights permuted from CHW to HWC order) with an int8 output whose scale is
calibrated on the inputs (max |score| / 120), so near-ties in the scores can break differently."""
import os, re, sys, tempfile
import numpy as np
import flatbuffers
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as tfl


class _Builder:
    def __init__(self):
        self.buffers = [tfl.BufferT()]     # buffer 0: empty by convention
        self.tensors, self.ops, self.codes = [], [], {}

    def tensor(self, name, shape, ttype, scale=None, zp=None, data=None, qdim=0):
        t = tfl.TensorT()
        t.name, t.shape, t.type = name, list(shape), ttype
        if data is not None:
            b = tfl.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        else:
            t.buffer = 0
        if scale is not None:
            q = tfl.QuantizationParametersT()
            q.scale = [float(s) for s in np.atleast_1d(scale)]
            q.zeroPoint = [int(z) for z in np.atleast_1d(zp)]
            q.quantizedDimension = qdim
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, version, inputs, outputs, opt_type, opt):
        if code not in self.codes:
            oc = tfl.OperatorCodeT()
            oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), version
            self.codes[code] = len(self.codes)
        o = tfl.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes[code], list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = opt_type, opt
        self.ops.append(o)

    def finish(self, inp, out, name):
        sg = tfl.SubGraphT()
        sg.tensors, sg.inputs, sg.outputs, sg.operators, sg.name = self.tensors, [inp], [out], self.ops, "main"
        model = tfl.ModelT()
        model.version, model.description, model.subgraphs, model.buffers = 3, name, [sg], self.buffers
        codes = [None] * len(self.codes)
        for code, i in self.codes.items():
            oc = tfl.OperatorCodeT()
            oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), 1
            codes[i] = oc
        model.operatorCodes = codes
        b = flatbuffers.Builder(1024)
        b.Finish(model.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def build(m, score_scale):
    T = m.T
    B = _Builder()
    I8, I32 = tfl.TensorType.INT8, tfl.TensorType.INT32
    C, H, W = m.input_shape
    cur = B.tensor("input", [1, H, W, C], I8, 1.0, -128)
    zp = 127 - T
    for l in m.layers:
        if l["kind"] == "conv":
            scale = l["M"].astype(np.float64) / 2.0 ** l["S"] * (T if l["first"] else 1)
            bias = np.round((T * l["B"] / 2.0 ** l["S"] - 0.5) / scale).astype(np.int32)
            O = len(scale)
            w = B.tensor(l["name"] + ".w", [O] + list(l["q"].shape[2:]) + [l["q"].shape[1]], I8, scale,
                         np.zeros(O, int), l["q"].transpose(0, 2, 3, 1).astype(np.int8))
            b = B.tensor(l["name"] + ".b", [O], I32, scale, np.zeros(O, int), bias)
            out = B.tensor(l["name"], [1] + list(l["out_shape"][1:]) + [O], I8, 1.0, zp)
            pad = l["pad"]
            kh, kw = l["q"].shape[2:]
            if pad == (0, 0):
                padding = tfl.Padding.VALID
            elif l["stride"] == (1, 1) and pad == ((kh - 1) // 2, (kw - 1) // 2) and kh % 2 == 1 and kw % 2 == 1:
                padding = tfl.Padding.SAME
            else:
                raise SystemExit("TFLite twin: padding %s is neither SAME nor VALID" % (pad,))
            opt = tfl.Conv2DOptionsT()
            opt.padding, opt.strideH, opt.strideW = padding, l["stride"][0], l["stride"][1]
            opt.dilationHFactor = opt.dilationWFactor = 1
            opt.fusedActivationFunction = tfl.ActivationFunctionType.RELU
            B.op(tfl.BuiltinOperator.CONV_2D, 3, [cur, w, b], [out], tfl.BuiltinOptions.Conv2DOptions, opt)
            cur = out
        elif l["kind"] == "avgpool":
            Cc = l["in_shape"][0]
            assert tuple(l["kernel"]) == (2, 2), "TFLite int8 avgpool twin is written for 2x2 windows"
            w = B.tensor(l["name"] + ".w", [1, 2, 2, Cc], I8, np.full(Cc, 0.125), np.zeros(Cc, int),
                         np.full((1, 2, 2, Cc), 2, np.int8), qdim=3)
            b = B.tensor(l["name"] + ".b", [Cc], I32, np.full(Cc, 0.125), np.zeros(Cc, int), np.full(Cc, -3, np.int32))
            out = B.tensor(l["name"], [1] + list(l["out_shape"][1:]) + [Cc], I8, 1.0, zp)
            opt = tfl.DepthwiseConv2DOptionsT()
            opt.padding, opt.strideH, opt.strideW, opt.depthMultiplier = tfl.Padding.VALID, *l["stride"], 1
            opt.dilationHFactor = opt.dilationWFactor = 1
            opt.fusedActivationFunction = tfl.ActivationFunctionType.RELU
            B.op(tfl.BuiltinOperator.DEPTHWISE_CONV_2D, 3, [cur, w, b], [out],
                 tfl.BuiltinOptions.DepthwiseConv2DOptions, opt)
            cur = out
        else:
            q = l["q"]
            if len(l["in_shape"]) == 3:      # CHW flatten -> HWC flatten
                Ci, Hi, Wi = l["in_shape"]
                q = q.reshape(-1, Ci, Hi, Wi).transpose(0, 2, 3, 1).reshape(q.shape[0], -1)
                shape = B.tensor(l["name"] + ".shape", [2], I32, data=np.array([1, q.shape[1]], np.int32))
                flat = B.tensor(l["name"] + ".in", [1, q.shape[1]], I8, 1.0, zp)
                opt = tfl.ReshapeOptionsT()
                opt.newShape = [1, q.shape[1]]
                B.op(tfl.BuiltinOperator.RESHAPE, 1, [cur, shape], [flat], tfl.BuiltinOptions.ReshapeOptions, opt)
                cur = flat
            O = q.shape[0]
            scale = l["M"].astype(np.float64) / 2.0 ** l["S"] * (T if l["first"] else 1)
            bias = np.round(T * l["B"] / 2.0 ** l["S"] / scale).astype(np.int32)
            w = B.tensor(l["name"] + ".w", list(q.shape), I8, scale, np.zeros(O, int), q.astype(np.int8))
            b = B.tensor(l["name"] + ".b", [O], I32, scale, np.zeros(O, int), bias)
            out = B.tensor("scores", [1, O], I8, score_scale, 0)
            opt = tfl.FullyConnectedOptionsT()
            opt.fusedActivationFunction = tfl.ActivationFunctionType.NONE
            B.op(tfl.BuiltinOperator.FULLY_CONNECTED, 4, [cur, w, b], [out],
                 tfl.BuiltinOptions.FullyConnectedOptions, opt)
            cur = out
    return B.finish(0, cur, m.name + "-int8")


def _capture_stderr(fn):
    """Runs fn with the C-level stderr captured (TFLM's PrintAllocations writes there)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            fn()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        return tmp.read().decode(errors="replace")


class TflmRunner:
    ARENA = 16 << 20      # generous: what the model uses is read back from the recording allocator

    def __init__(self, m, calibration_scores):
        from tflite_micro.python.tflite_micro import runtime
        self.m = m
        self.score_scale = max(float(np.max(np.abs(calibration_scores))), 1e-6) / 120.0
        self.model_bytes = build(m, self.score_scale)
        self.interp = runtime.Interpreter.from_bytes(self.model_bytes, arena_size=self.ARENA)
        self.arena_bytes = None

    def prepare(self, image_u8, shape):
        x = image_u8.reshape(shape).transpose(1, 2, 0)[None]
        return (x.astype(np.int16) - 128).astype(np.int8)

    def __call__(self, x):
        self.interp.set_input(x, 0)
        self.interp.invoke()
        return self.interp.get_output(0).reshape(-1).astype(np.float64) * self.score_scale

    def measure_arena(self):
        text = _capture_stderr(self.interp.print_allocations)
        m = re.search(r"Arena allocation total (\d+) bytes", text)
        self.arena_text = text
        self.arena_bytes = int(m.group(1)) if m else None
        return self.arena_bytes
