"""ONNX fp32 and int8 twins of a Joule model, run with ONNX Runtime (one thread)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 10   # onnx 1.23 writes IR 14 by default; onnxruntime 1.31 accepts at most 10
OPSET = 17


def _finish(nodes, inits, inp, out, name):
    graph = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model.SerializeToString()


def build_fp32(m):
    """Float twin (model.py): input bytes/255 (N,C,H,W float32), activations in code units;
    after each hidden weighted layer Q_T = Clip(Floor(y), 0, T); avgpool then Floor; output A/2^S."""
    T = float(m.T)
    nodes, inits = [], []
    c = lambda name, arr: inits.append(numpy_helper.from_array(np.asarray(arr, np.float32), name)) or name
    c("T", T); c("zero", 0.0)
    cur = "input"
    for i, l in enumerate(m.layers):
        o = "t%d" % i
        if l["kind"] == "conv":
            w, b = c(l["name"] + ".w", m.float_weight(l)), c(l["name"] + ".b", m.float_bias(l))
            nodes.append(helper.make_node("Conv", [cur, w, b], [o + "x"], kernel_shape=list(l["q"].shape[2:]),
                                          pads=[l["pad"][0], l["pad"][1]] * 2, strides=list(l["stride"])))
        elif l["kind"] == "fc":
            if len(l["in_shape"]) > 1:
                nodes.append(helper.make_node("Flatten", [cur], [o + "f"], axis=1))
                cur = o + "f"
            w, b = c(l["name"] + ".w", m.float_weight(l).T), c(l["name"] + ".b", m.float_bias(l))
            nodes.append(helper.make_node("Gemm", [cur, w, b], ["scores" if l["last"] else o + "x"]))
            if l["last"]:
                break
        else:
            nodes.append(helper.make_node("AveragePool", [cur], [o + "x"], kernel_shape=list(l["kernel"]),
                                          strides=list(l["stride"])))
        nodes.append(helper.make_node("Floor", [o + "x"], [o + "f"]))
        if l["kind"] == "avgpool":   # the mean of codes 0..T stays in 0..T
            cur = o + "f"
            continue
        nodes.append(helper.make_node("Clip", [o + "f", "zero", "T"], [o]))
        cur = o
    C, H, W = m.input_shape
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, C, H, W])
    out = helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, m.classes])
    return _finish(nodes, inits, inp, out, m.name + "-fp32")


def build_int8(m):
    """Integer twin with QLinearConv: activations are uint8 codes 0..T (scale 1, zero point 0), the
    input is the raw uint8 bytes (scale 1). Per-channel int8 weights q with scale M/2^S (first layer:
    M*T/2^S, k = T). floor() instead of ONNX's round-to-nearest: the int32 bias carries -0.5 output
    units (rounded to the bias grid, so a code can differ by one where A/2^S is within one bias step
    of an integer). Upper clamp to T: Clip on uint8. avgpool = depthwise QLinearConv with weights 2,
    scale 1/8 and bias -3: round((sum - 1.5)/4) = floor(sum/4) exactly. First layer: uint8 weights
    (q+128, zero point 128): u8s8 on AVX2 (vpmaddubsw) saturates 16-bit pair sums for bytes up to 255.
    Last layer: MatMulInteger (uint8 x int8 -> int32) then float scale and bias."""
    T = m.T
    nodes, inits = [], []

    def c(name, arr, dtype):
        inits.append(numpy_helper.from_array(np.asarray(arr, dtype), name))
        return name
    c("one_f", 1.0, np.float32); c("zp_u8", 0, np.uint8); c("Tmax", T, np.uint8); c("zmin", 0, np.uint8)
    cur = "input"
    for i, l in enumerate(m.layers):
        o = "t%d" % i
        if l["kind"] == "fc":
            if len(l["in_shape"]) > 1:
                c("shape%d" % i, [1, -1], np.int64)
                nodes.append(helper.make_node("Reshape", [cur, "shape%d" % i], [o + "f"]))
                cur = o + "f"
            qT = c(l["name"] + ".qT", l["q"].T, np.int8)
            c(l["name"] + ".zpw", 0, np.int8)
            nodes.append(helper.make_node("MatMulInteger", [cur, qT, "zp_u8", l["name"] + ".zpw"], [o + "acc"]))
            nodes.append(helper.make_node("Cast", [o + "acc"], [o + "accf"], to=TensorProto.FLOAT))
            scale = l["M"].astype(np.float64) / 2.0 ** l["S"] * (T if l["first"] else 1)
            c(l["name"] + ".s", scale, np.float32); c(l["name"] + ".b", m.float_bias(l), np.float32)
            nodes.append(helper.make_node("Mul", [o + "accf", l["name"] + ".s"], [o + "m"]))
            nodes.append(helper.make_node("Add", [o + "m", l["name"] + ".b"], ["scores"]))
            break
        if l["kind"] == "conv":
            scale = l["M"].astype(np.float64) / 2.0 ** l["S"] * (T if l["first"] else 1)
            bias = np.round((T * l["B"] / 2.0 ** l["S"] - 0.5) / scale)
            if l["first"]:
                w = c(l["name"] + ".w", l["q"].astype(np.int16) + 128, np.uint8)
                wzp = c(l["name"] + ".wzp", np.full(len(scale), 128), np.uint8)
            else:
                w = c(l["name"] + ".w", l["q"], np.int8)
                wzp = c(l["name"] + ".wzp", np.zeros(len(scale)), np.int8)
            attrs = dict(kernel_shape=list(l["q"].shape[2:]), pads=[l["pad"][0], l["pad"][1]] * 2,
                         strides=list(l["stride"]))
        else:
            C = l["in_shape"][0]
            kh, kw = l["kernel"]
            assert (kh, kw) == (2, 2), "int8 avgpool twin is written for 2x2 windows"
            w = c(l["name"] + ".w", np.full((C, 1, kh, kw), 2), np.int8)
            wzp = c(l["name"] + ".wzp", np.zeros(C), np.int8)
            scale, bias = np.full(C, 0.125), np.full(C, -3)
            attrs = dict(kernel_shape=[kh, kw], strides=list(l["stride"]), group=C)
        s = c(l["name"] + ".ws", scale, np.float32)
        b = c(l["name"] + ".bias", bias, np.int32)
        nodes.append(helper.make_node("QLinearConv", [cur, "one_f", "zp_u8", w, s, wzp, "one_f", "zp_u8", b],
                                      [o + "y"], **attrs))
        nodes.append(helper.make_node("Clip", [o + "y", "zmin", "Tmax"], [o]))
        cur = o
    C, H, W = m.input_shape
    inp = helper.make_tensor_value_info("input", TensorProto.UINT8, [1, C, H, W])
    out = helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, m.classes])
    return _finish(nodes, inits, inp, out, m.name + "-int8")


class OrtRunner:
    def __init__(self, model_bytes, int8):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.sess = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
        self.int8 = int8

    def prepare(self, image_u8, shape):
        x = image_u8.reshape((1,) + shape)
        return {"input": x.astype(np.uint8) if self.int8 else (x.astype(np.float32) / np.float32(255.0))}

    def __call__(self, feed):
        return self.sess.run(None, feed)[0].reshape(-1)
