"""Command line: `python -m joule_import nir|pytorch|onnx ...` (see Tools/importer/README.md).

`nir GRAPH.nir`: a NIR graph of IF / LIF / Threshold neurons (nir_import.py), packed, with an
agreement report against snnTorch's or Norse's own NIR import (`--reference`).
`pytorch MODULE`: MODULE is `file.py:factory` (a function returning the nn.Module; `--weights` loads a state dict
into it) or a whole module saved with torch.save (`file.pt`). Calibration and agreement images
come from Fashion-MNIST (padded to the input size). Exit status 2 with one line naming the node,
its type and the reason when the model cannot be mapped; nothing is written then.
"""
import argparse
import importlib.util
import json
import os
import sys
import tempfile

import torch
from joule_format import model_json
from joule_format.atomic import replacing

from . import agreement, pytorch_import
from .errors import UnsupportedModel


def load_module(spec, weights):
    if ":" in spec and spec.rsplit(":", 1)[0].endswith(".py"):
        path, factory = spec.rsplit(":", 1)
        if not os.path.exists(path):
            raise SystemExit(f"{path}: no such file")
        s = importlib.util.spec_from_file_location("user_model", path)
        mod = importlib.util.module_from_spec(s)
        s.loader.exec_module(mod)
        if not hasattr(mod, factory):
            raise SystemExit(f"{path}: no function '{factory}'")
        model = getattr(mod, factory)()
    else:
        if not os.path.exists(spec):
            raise SystemExit(f"{spec}: no such file")
        model = torch.load(spec, weights_only=False)
    if weights:
        if not os.path.exists(weights):
            raise SystemExit(f"{weights}: no such file")
        state = torch.load(weights, map_location="cpu")
        state = state.get("state_dict", state) if isinstance(state, dict) else state
        try:
            model.load_state_dict(state)
        except RuntimeError as e:
            raise SystemExit(f"{weights}: does not fit the module: {str(e).splitlines()[0]}")
    return model.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m joule_import", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="source", required=True)
    p = sub.add_parser("pytorch", help="a float PyTorch CNN, post-training quantised to T levels")
    p.add_argument("module", help="file.py:factory or a saved module (.pt)")
    p.add_argument("--weights", help="state dict (.pt) to load into the module")
    p.add_argument("--name", required=True, help="model name (1–31 characters); writes <out>/<name>.json")
    p.add_argument("--out", default="Models")
    p.add_argument("--input-shape", type=int, nargs=3, default=[1, 28, 28], metavar=("C", "H", "W"))
    p.add_argument("--scale", type=float, default=1 / 255, help="input byte → value (before mean/std)")
    p.add_argument("--mean", type=float, nargs="+", help="per-channel mean the model was trained with")
    p.add_argument("--std", type=float, nargs="+", help="per-channel std the model was trained with")
    p.add_argument("-T", "--timesteps", type=int, default=6)
    p.add_argument("--bits", type=int, default=8, choices=[8, 4])
    p.add_argument("--calibration-method", default="mse", choices=["mse", "percentile"],
                   help="activation range: least T-level rounding error, or a percentile")
    p.add_argument("--percentile", type=float, default=99.99, help="with --calibration-method percentile")
    p.add_argument("--calibration", type=int, default=1000, help="training images to calibrate on")
    p.add_argument("--test-limit", type=int, default=None, help="test images for the agreement report")
    p.add_argument("--sweep", type=int, nargs="*", default=[], help="also report these T (each its own import)")
    p.add_argument("--report", help="write the agreement rows as JSON here")
    o = sub.add_parser("onnx", help="a quantised ONNX model (QDQ), mapped onto codes at T = 255 or re-quantised")
    o.add_argument("model", help="the .onnx file")
    o.add_argument("--name", required=True)
    o.add_argument("--out", default="Models")
    o.add_argument("--input-scale", type=float, default=1 / 255,
                   help="the ONNX model's float input is the data bytes times this")
    o.add_argument("-T", "--timesteps", type=int, default=255, help="255: the uint8 codes themselves")
    o.add_argument("--test-limit", type=int, default=None)
    o.add_argument("--sweep", type=int, nargs="*", default=[])
    o.add_argument("--report")
    n = sub.add_parser("nir", help="a NIR graph (.nir) of IF / LIF / Threshold neurons, e.g. from snnTorch or Norse")
    n.add_argument("graph", help="the .nir file")
    n.add_argument("--name", required=True)
    n.add_argument("--out", default="Models")
    n.add_argument("-T", "--timesteps", type=int, required=True, help="steps the source framework simulates")
    n.add_argument("--dt", type=float, help="the simulation timestep (needed for LIF: snnTorch 1e-4, Norse 1e-3)")
    n.add_argument("--reset", default="zero", choices=["zero", "subtract"],
                   help="a spike resets to 0 (NIR's v_reset) or subtracts the threshold")
    n.add_argument("--fire-at-threshold", action="store_true", help="fire on v ≥ threshold (NIR: v > threshold)")
    n.add_argument("--bits", type=int, default=8, choices=[8, 4])
    n.add_argument("--input-shape", type=int, nargs=3, default=[1, 28, 28], metavar=("C", "H", "W"))
    n.add_argument("--scale", type=float, default=1 / 255, help="input byte → the graph's input value")
    n.add_argument("--reference", required=True, choices=["snntorch", "norse", "none"],
                   help="the framework whose NIR import simulates the graph for the agreement report")
    n.add_argument("--test-limit", type=int, default=None)
    n.add_argument("--report", help="write the agreement as JSON here")
    a = ap.parse_args(argv)
    if a.source == "onnx":
        return main_onnx(a)
    if a.source == "nir":
        return main_nir(a)

    from joule_train import data
    model = load_module(a.module, a.weights)
    c, h, w = a.input_shape
    pad = h if h != 28 else None
    x_cal, _ = data.load("train", pad_to=pad, limit=a.calibration)
    x_test, y_test = data.load("test", pad_to=pad, limit=a.test_limit)
    if x_cal.shape[1:] != (c, h, w):
        raise SystemExit(f"--input-shape {c} {h} {w} does not fit Fashion-MNIST images {tuple(x_cal.shape[1:])}")
    meta = {"source": os.path.basename(a.module)}
    try:
        path, ranges = pytorch_import.import_module(
            model, (c, h, w), x_cal, a.out, a.name, T=a.timesteps, bits=a.bits, scale=a.scale, mean=a.mean,
            std=a.std, percentile=a.percentile, method=a.calibration_method, classes=data.CLASSES, dataset="fashion-mnist", metadata=meta)
    except UnsupportedModel as e:
        print(f"joule_import: {a.module}: {e}", file=sys.stderr)
        return 2
    print(f"wrote {path} (activation ranges: " + ", ".join(f"{k} {v:.3g}" for k, v in ranges.items()) + ")")
    src = agreement.float_predictions(model, pytorch_import.float_input(x_test, a.scale, a.mean, a.std))

    def import_at(t, folder):
        return pytorch_import.import_module(model, (c, h, w), x_cal, folder, a.name, T=t, bits=a.bits,
                                            scale=a.scale, mean=a.mean, std=a.std, percentile=a.percentile,
                                            method=a.calibration_method)[0]
    report(a, a.module, path, import_at, src, None, x_test, y_test, "float model")
    return 0


def report(a, source, path, import_at, src, ties, x_test, y_test, label):
    """The agreement rows of the import at `path` (T = a.timesteps) and of one import per further
    T of `a.sweep` (`import_at(T, folder)` writes one and returns its JSON path): printed, and
    written to `a.report` when given."""
    rows = [agreement.compare(path, src, x_test, y_test, a.timesteps, ties)]
    for t in a.sweep:
        if t == a.timesteps:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(agreement.compare(import_at(t, tmp), src, x_test, y_test, t, ties))
    rows.sort(key=lambda r: r["T"])
    print(f"test set: {len(x_test)} images; source: {label}")
    print(agreement.table(rows, source=label))
    if a.report:
        with replacing(a.report, "w") as f:
            json.dump({"model": path, "source": source, "rows": rows}, f, indent=1)


def main_onnx(a):
    from joule_train import data

    from . import onnx_import
    if not os.path.exists(a.model):
        raise SystemExit(f"{a.model}: no such file")
    try:
        path, ranges, in_scale = onnx_import.import_onnx(a.model, a.out, a.name, T=a.timesteps,
                                                         input_scale=a.input_scale, classes=data.CLASSES,
                                                         dataset="fashion-mnist")
    except UnsupportedModel as e:
        print(f"joule_import: {a.model}: {e}", file=sys.stderr)
        return 2
    print(f"wrote {path} (activation ranges: " + ", ".join(f"{k} {v:.3g}" for k, v in ranges.items())
          + f"; ONNX input scale {in_scale:.6g}, data scale {a.input_scale:.6g})")
    height = model_json.load(path, weights=False).input_shape[1]
    pad = height if height != 28 else None
    x_test, y_test = data.load("test", pad_to=pad, limit=a.test_limit)
    src, ties = onnx_import.onnxruntime_predictions(a.model, x_test.numpy() * a.input_scale)
    report(a, a.model, path, lambda t, folder: onnx_import.import_onnx(a.model, folder, a.name, T=t,
                                                                      input_scale=a.input_scale)[0],
           src, ties, x_test, y_test, "ONNX Runtime")
    return 0


def main_nir(a):
    from joule_train import data

    from . import joule_run, nir_import, nir_reference
    if not os.path.exists(a.graph):
        raise SystemExit(f"{a.graph}: no such file")
    if not 1 <= a.timesteps <= 255:
        raise SystemExit(f"-T {a.timesteps}: must be 1…255")
    if a.reference != "none":
        try:
            why = nir_reference.unfaithful(nir_import.read(a.graph), a.reference, a.dt)
        except UnsupportedModel as e:
            why = str(e)
        if why:
            print(f"joule_import: {a.graph}: --reference {a.reference}: {why} (use another reference, or none)",
                  file=sys.stderr)
            return 2
    try:
        path, readout, notes = nir_import.import_nir(
            a.graph, a.out, a.name, a.timesteps, tuple(a.input_shape), a.scale, a.bits, a.dt, a.reset,
            a.fire_at_threshold, classes=data.CLASSES, dataset="fashion-mnist",
            metadata={"source": os.path.basename(a.graph)})
    except UnsupportedModel as e:
        print(f"joule_import: {a.graph}: {e}", file=sys.stderr)
        return 2
    jmod = joule_run.pack(path)
    print(f"wrote {path} and {jmod} (read-out: {readout})")
    for note in notes:
        print(f"note: {note}")
    if a.reference == "none":
        return 0
    x_test, y_test = data.load("test", limit=a.test_limit)
    def progress(done, total):
        print(f"\r{a.reference}: {done}/{total} images", end="\n" if done == total else "", file=sys.stderr, flush=True)
    src, src_rate = nir_reference.simulate(a.graph, a.reference, x_test, a.scale, a.timesteps, a.dt, readout,
                                           progress=progress)
    preds, acc, rate = joule_run.evaluate(jmod, a.timesteps, readout, a.test_limit)
    p = torch.from_numpy(preds.astype("int64"))
    row = {"T": a.timesteps, "images": len(y_test), "joule_accuracy": acc,
           "source_accuracy": float((src == y_test).double().mean()),
           "agreement": float((p == src).double().mean()), "joule_spike_rate": rate, "source_spike_rate": src_rate}
    print(f"test set: {len(y_test)} images; source: {a.reference} (its NIR import), T = {a.timesteps}, "
          f"read-out: {readout}")
    print(f"  Joule SNN accuracy  {acc * 100:6.2f} %   spike rate {rate * 100:.3f} %")
    print(f"  {a.reference:<9} accuracy  {row['source_accuracy'] * 100:6.2f} %   spike rate {src_rate * 100:.3f} %")
    print(f"  agreement           {row['agreement'] * 100:6.2f} %   (accuracy difference "
          f"{(acc - row['source_accuracy']) * 100:+.2f} points)")
    if a.report:
        with replacing(a.report, "w") as f:
            json.dump({"model": path, "source": a.graph, "reference": a.reference, "readout": readout,
                       "notes": notes, "rows": [row]}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
