"""What the machine offers training, decided once per run: device, threads, precision, layout.

Contract:
- `device(arg)`: 'auto' → CUDA when torch sees a GPU, else CPU; 'cpu' / 'cuda' force it.
- `native_bf16(device)`: True when bf16 matrix arithmetic runs in hardware (CPU flags
  `avx512_bf16` or `amx_bf16`, or a CUDA device that reports bf16 support). Without it, autocast
  to bf16 is emulated and slower than fp32, so `precision('auto', …)` picks fp32 there.
- `autocast(device, precision)`: the context the forward pass runs in (bf16 autocast or nothing).
  Batch-norm statistics, the loss and the optimiser stay fp32 under autocast.
- `default_threads(world)`: the cores this process may use (its CPU affinity) divided among the
  `world` processes of one machine, at least 1.
"""
import contextlib
import os

import torch


def cpu_flags():
    """The `flags` of the first processor in /proc/cpuinfo (empty set where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def device(arg="auto", local_rank=0):
    if arg == "auto":
        arg = "cuda" if torch.cuda.is_available() else "cpu"
    if arg == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: torch sees no CUDA device")
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def native_bf16(dev):
    if dev.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def precision(arg, dev):
    """'auto' → 'bf16' where native, else 'fp32'; 'fp32' / 'bf16' are taken as asked."""
    if arg == "auto":
        return "bf16" if native_bf16(dev) else "fp32"
    return arg


def autocast(dev, prec):
    if prec == "bf16":
        return torch.autocast(dev.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def default_threads(world=1):
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, world))
