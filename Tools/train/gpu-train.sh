#!/usr/bin/env bash
# The full training schedule on a CUDA machine, with the same command as on the CPU:
#   Tools/train/gpu-train.sh MODEL MINUTES [extra train.py options]
# Runs from the repository root of a copy of the working tree. It expects PyTorch on the machine
# (the device machines have it) and the Fashion-MNIST IDX files in data/fashion-mnist (carried
# along: `mkdir -p data && cp -r /usr/share/datasets/fashion-mnist data/` here, then carry "data").
# Writes the model, its run record and its training state under $OUT (or out/gpu when unset);
# copy Models/<model>.* back and run `python -m joule_train.report` here for the card and the
# reference predictions. MINUTES is the budget of the whole sitting, QAT and export included.
set -euo pipefail
model="${1:?usage: gpu-train.sh MODEL MINUTES [options]}"
minutes="${2:?usage: gpu-train.sh MODEL MINUTES [options]}"
shift 2
out="${OUT:-out/gpu}"
mkdir -p "$out/Models" "$out/runs"
export FASHION_MNIST_DIR="${FASHION_MNIST_DIR:-$PWD/data/fashion-mnist}"
export PYTHONPATH="$PWD/Tools/train"
python3 -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print(torch.__version__, torch.cuda.get_device_name(0))'
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
python3 -m joule_train.train --model "$model" --device cuda --budget-minutes "$minutes" \
    --epochs 60 --qat-epochs 2 --eta 1e-6 --flip --batch 256 --seed 0 \
    --out "$out/Models" --state "$out/$model.state.pt" --log "$out/runs/$model.json" "$@" \
    2>&1 | tee "$out/$model.log"
