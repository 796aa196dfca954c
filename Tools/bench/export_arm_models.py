"""Writes one workload's model for every runtime of the Cortex-A benchmark (Tools/a-bench) into a
folder: Joule's packed model (`model.jmod`), the first input (`input.bin`: the first Fashion-MNIST
test image for W2, a seeded one for W1, as Tools/bench/run.py picks them), the same int8 weights as
a LiteRT/TFLite flatbuffer (`model.tflite`, peers_tflm.build: what XNNPACK runs) and as a
QLinear ONNX model (`model-int8.onnx`, peers_onnx.build_int8: ONNX Runtime), and `info.json`
(input shape, T, Joule's integer QNN scores from the numpy reference and their argmax, the
TFLite score scale). Run with the bench environment:
  .venv-bench/bin/python Tools/bench/export_arm_models.py --workload w2t --out DIR [--bin .build/release]"""
import argparse
import json
import os
import shutil
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import peers_onnx  # noqa: E402
import peers_tflm  # noqa: E402
import run  # noqa: E402
from model import Model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, choices=sorted(run.WORKLOADS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--bin", default=os.path.join(run.ROOT, ".build", "release"))
    ap.add_argument("--work", default=os.path.join(run.ROOT, "out", "bench"), help="where generated workloads live")
    a = ap.parse_args()
    _, stem = run.WORKLOADS[a.workload]
    js, jmod = run.ensure_models(types.SimpleNamespace(work=a.work, bin=a.bin), stem, a.workload)
    m = Model(js)
    x = run.inputs_for(m, a.workload, 1, 0)[0][0]
    scores = m.run_integer(x)
    real = np.asarray(scores, np.float64) / 2.0 ** m.layers[-1]["S"]
    score_scale = max(float(np.max(np.abs(real))), 1e-6) / 120.0   # as peers_tflm.TflmRunner
    os.makedirs(a.out, exist_ok=True)
    shutil.copyfile(jmod, os.path.join(a.out, "model.jmod"))
    x.astype(np.uint8).tofile(os.path.join(a.out, "input.bin"))
    with open(os.path.join(a.out, "model.tflite"), "wb") as f:
        f.write(peers_tflm.build(m, score_scale))
    with open(os.path.join(a.out, "model-int8.onnx"), "wb") as f:
        f.write(peers_onnx.build_int8(m))
    info = {"workload": a.workload, "model": stem, "json": os.path.relpath(js, run.ROOT),
            "input_shape": list(m.input_shape), "timesteps": m.T, "macs": m.macs(),
            "joule_qnn_scores": [int(v) for v in scores], "joule_qnn_argmax": int(np.argmax(scores)),
            "tflite_score_scale": score_scale}
    with open(os.path.join(a.out, "info.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(f"{a.workload}: {stem}, {m.macs():,} MAC, T = {m.T} -> {a.out}")


if __name__ == "__main__":
    main()
