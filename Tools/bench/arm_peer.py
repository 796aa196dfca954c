"""One inference of a peer runtime on a Cortex-A core, framed for instruction counting: run by an
arm64 Python under qemu-aarch64 with the insnmark plugin (Tools/a-bench). Builds the runtime's
session (one thread), runs a warm-up inference, then one inference between two guest syscalls
0x4A4F (labels 1 and 2) that the plugin turns into the instructions of that inference plus one
mark call through ctypes; labels 3 and 4 frame nothing, so their count is that call's cost
(Tools/a-bench subtracts it). Prints the output and its argmax.
Usage: python arm_peer.py litert|onnxruntime MODEL INPUT.bin C H W"""
import ctypes
import sys

import numpy as np

MARK = 0x4A4F


def main():
    engine, model, path = sys.argv[1:4]
    c, h, w = (int(v) for v in sys.argv[4:7])
    x = np.fromfile(path, dtype=np.uint8).reshape(c, h, w)
    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(label):
        libc.syscall(ctypes.c_long(MARK), ctypes.c_long(label))
    if engine == "litert":
        from ai_edge_litert.interpreter import Interpreter
        it = Interpreter(model_path=model, num_threads=1)
        it.allocate_tensors()
        inp, out = it.get_input_details()[0], it.get_output_details()[0]
        it.set_tensor(inp["index"], (x.transpose(1, 2, 0)[None].astype(np.int16) - 128).astype(np.int8))
        it.invoke()
        mark(1)
        it.invoke()
        mark(2)
        mark(3)
        mark(4)
        y = it.get_tensor(out["index"]).reshape(-1)
    else:
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        feed = {"input": x[None].astype(np.uint8)}
        sess.run(None, feed)
        mark(1)
        outputs = sess.run(None, feed)
        mark(2)
        mark(3)
        mark(4)
        y = outputs[0].reshape(-1)
    print("output:", " ".join(str(v) for v in y.tolist()))
    print("argmax:", int(np.argmax(y)))


if __name__ == "__main__":
    main()
