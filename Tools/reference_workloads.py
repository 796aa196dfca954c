#!/usr/bin/env python3
"""Writes the two reference workloads of ../shared/docs/benchmarks.md with seeded random weights,
as Joule JSON model descriptions + .safetensors (format: Models/README.md).

  W1 "vgg-star-ref" (the paper's VGG*, 3x32x32 input)   626,403,328 MAC, 9,306,250 parameters
  W2 "watch-net-ref" (1x28x28 input)                      21,913,344 MAC,   150,378 parameters

Usage: Tools/reference_workloads.py OUT_DIR [--seed S] [--timesteps T]
Only numpy is needed (and joule_format, Tools/format). Multipliers are scaled to the fan-in so that
activation codes spread over 0..T (a random net with arbitrary scales would saturate or go silent,
which measures nothing). The .safetensors layout: joule_format.safetensors with the tensors in
generation order and sorted, spaced header keys (sort_keys=True, compact=False, order="given")."""
import argparse, json, os, sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "format"))
from joule_format import safetensors  # noqa: E402

def conv(name, c_out, pad):
    return {"name": name, "type": "conv2d", "outChannels": c_out, "kernel": [3, 3], "stride": [1, 1],
            "padding": [pad, pad], "weightBits": 8, "activation": "quant"}

def pool(name):
    return {"name": name, "type": "avgpool", "kernel": [2, 2], "stride": [2, 2]}

W1 = ("vgg-star-ref", (3, 32, 32), [conv("conv1", 128, 1), conv("conv2", 128, 1), pool("pool1"),
      conv("conv3", 256, 1), conv("conv4", 256, 1), pool("pool2"), conv("conv5", 512, 1), conv("conv6", 512, 1),
      pool("pool3"), conv("conv7", 1024, 0), pool("pool4"), {"name": "flatten", "type": "flatten"}])
W2 = ("watch-net-ref", (1, 28, 28), [conv("conv1", 32, 1), conv("conv2", 32, 1), pool("pool1"),
      conv("conv3", 64, 1), conv("conv4", 64, 1), pool("pool2"), conv("conv5", 128, 1), pool("pool3"),
      {"name": "flatten", "type": "flatten"}])

def build(spec, out_dir, seed, timesteps):
    name, (c, h, w), layers = spec
    rng = np.random.default_rng(seed)
    shape, tensors, shift = (c, h, w), [], 24
    first = True
    for layer in layers:
        if layer["type"] == "conv2d":
            fan_in = shape[0] * 9
            weights = rng.integers(-127, 128, size=(layer["outChannels"], shape[0], 3, 3), dtype=np.int64)
            weights[rng.random(weights.shape) < 0.2] = 0
            typical_in = 128.0 if first else timesteps / 4
            scale = (1.0 if first else timesteps) / (np.sqrt(fan_in) * 63 * typical_in)
            mult = np.maximum(1, np.round(scale * rng.uniform(0.5, 1.5, layer["outChannels"]) * 2**shift))
            bias = np.round(rng.uniform(-0.1, 0.4, layer["outChannels"]) * 2**shift)
            layer["shift"] = shift
            tensors += [(layer["name"] + ".weight", weights.astype(np.int8)),
                        (layer["name"] + ".multiplier", mult.astype(np.int32)),
                        (layer["name"] + ".bias", bias.astype(np.int64))]
            pad = layer["padding"][0]
            shape = (layer["outChannels"], shape[1] + 2 * pad - 2, shape[2] + 2 * pad - 2)
            first = False
        elif layer["type"] == "avgpool":
            shape = (shape[0], shape[1] // 2, shape[2] // 2)
    fan_in = shape[0] * shape[1] * shape[2]
    fc = {"name": "fc", "type": "linear", "outFeatures": 10, "weightBits": 8, "shift": shift, "activation": "none"}
    weights = rng.integers(-127, 128, size=(10, fan_in), dtype=np.int64)
    tensors += [("fc.weight", weights.astype(np.int8)),
                ("fc.multiplier", np.full(10, 2**shift // (63 * timesteps), dtype=np.int32)),
                ("fc.bias", np.zeros(10, dtype=np.int64))]
    description = {"format": "joule-model", "version": 1, "name": name, "weights": name + ".safetensors",
                   "input": {"channels": c, "height": h, "width": w, "scale": 1 / 255},
                   "timesteps": timesteps, "layers": layers + [fc],
                   "note": "seeded random weights (Tools/reference_workloads.py, seed %d) for benchmarking" % seed}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(description, f, indent=1)
    safetensors.save(tensors, os.path.join(out_dir, name + ".safetensors"), order="given", sort_keys=True,
                     compact=False)
    print("wrote", os.path.join(out_dir, name + ".json"))

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timesteps", type=int, default=6)
    args = parser.parse_args()
    for spec in (W2, W1):
        build(spec, args.out_dir, args.seed, args.timesteps)
