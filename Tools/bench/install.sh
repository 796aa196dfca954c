#!/usr/bin/env bash
# Creates .venv-bench (repository root, gitignored) with the pinned peer frameworks of Tools/bench.
# CPU only: torch is the 2.13.0 CPU wheel (an unpinned or PyPI-default torch pulls ~3 GB of CUDA),
# SpikingJelly is installed --no-deps under a torch==2.13.0 constraint (its declared dependencies
# include torchvision/torchaudio/tensorboard, which would replace the CPU torch).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$root/.venv-bench}"
python="${PYTHON:-python3}"

TORCH_VERSION=2.13.0
SPIKINGJELLY_VERSION=2.0.0

"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install --upgrade pip

constraints="$(mktemp)"
trap 'rm -f "$constraints"' EXIT
echo "torch==$TORCH_VERSION" > "$constraints"
sed -n 's/^\(numpy==.*\)$/\1/p' "$here/requirements.txt" >> "$constraints"

# 1. torch, CPU only: a local CPU wheel (pip find-links, e.g. /opt/wheels) if there is one,
#    else the PyTorch CPU index. Never the PyPI default wheel (it depends on nvidia-* packages).
if ls /opt/wheels/torch-${TORCH_VERSION}+cpu-*.whl >/dev/null 2>&1; then
    "${pip[@]}" install /opt/wheels/torch-${TORCH_VERSION}+cpu-*.whl -c "$constraints"
else
    "${pip[@]}" install "torch==${TORCH_VERSION}+cpu" --index-url https://download.pytorch.org/whl/cpu \
        --extra-index-url https://pypi.org/simple -c <(echo "numpy==$(sed -n 's/^numpy==//p' "$here/requirements.txt")")
fi

# 2. everything else, pinned (tflite-micro has only dated dev builds; an exact == pin admits one without --pre).
"${pip[@]}" install -r "$here/requirements.txt" -c "$constraints"

# 3. SpikingJelly without its dependency list (what it imports at runtime, loguru, is pinned above).
"${pip[@]}" install --no-deps "spikingjelly==$SPIKINGJELLY_VERSION"

# 4. nothing may have pulled CUDA or replaced torch.
"$venv/bin/python" - <<'PY'
import importlib.metadata as md, sys
import torch
assert torch.__version__.startswith("2.13.0"), torch.__version__
assert not torch.cuda.is_available() or True
cuda = [d.metadata["Name"] for d in md.distributions() if d.metadata["Name"].lower().startswith(("nvidia", "triton"))]
if cuda:
    sys.exit("CUDA packages were installed: %s" % cuda)
import onnx, onnxruntime, snntorch, spikingjelly.activation_based.neuron, tflite_micro  # noqa: F401
print("bench environment ok: torch", torch.__version__, "onnx", onnx.__version__, "onnxruntime",
      onnxruntime.__version__, "snntorch", snntorch.__version__)
PY
echo "installed into $venv"
