"""Training throughput of one network under each machine setting, in one interleaved run.

Each setting runs the training step of train.py (forward with the activation L1, backward, AdamW
step) on random Fashion-MNIST-sized bytes for --steps timed steps after --warmup untimed ones;
the settings are run round-robin --rounds times and the best round of each is reported, so a
background load touches every setting alike. The first row is the old default (fp32, NCHW, one
thread); the last column is the speed-up over it.

    python -m joule_train.throughput --model vgg-star --batch 64 --json out/throughput.json
"""
import argparse
import json
import os
import platform
import subprocess
import time

import torch
import torch.nn.functional as F

from joule_format.atomic import replacing

from . import machine, models

SETTINGS = [
    # name, threads (None: all), precision, channels-last, compile
    ("fp32 NCHW, 1 thread (before)", 1, "fp32", False, False),
    ("fp32 NCHW, all threads", None, "fp32", False, False),
    ("fp32 channels-last, all threads", None, "fp32", True, False),
    ("bf16 NCHW, all threads", None, "bf16", False, False),
    ("bf16 channels-last, all threads", None, "bf16", True, False),
    ("bf16 channels-last + torch.compile", None, "bf16", True, True),
]


def make_step(arch, batch, prec, cl, compile_):
    torch.manual_seed(0)
    net = models.build(arch)
    if cl:
        net.to(memory_format=torch.channels_last)
    model = torch.compile(net) if compile_ else net
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    _, shape, pad = models.ARCHS[arch]
    hw = pad or shape[-1]
    x = torch.randint(0, 256, (batch, 1, hw, hw), dtype=torch.uint8)
    if cl:
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (batch,))
    dev = torch.device("cpu")

    def step():
        with machine.autocast(dev, prec):
            out, _, acts = model(x, collect=True, sides=False)
        loss = F.cross_entropy(out.float(), y) + 1e-6 * sum(v.float().sum() for v in acts.values())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="vgg-star", choices=sorted(models.ARCHS))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--json", help="write the measurements here")
    a = ap.parse_args(argv)
    all_threads = machine.default_threads()
    bf16 = machine.native_bf16(torch.device("cpu"))
    settings = [s for s in SETTINGS if not (s[4] and a.no_compile)]
    steps, best = {}, {s[0]: 0.0 for s in settings}
    for r in range(a.rounds):
        for name, threads, prec, cl, comp in settings:
            torch.set_num_threads(threads or all_threads)
            if name not in steps:
                t0 = time.time()
                steps[name] = make_step(a.model, a.batch, prec, cl, comp)
                for _ in range(a.warmup):
                    steps[name]()
                print(f"  {name}: warm-up {time.time() - t0:.1f} s", flush=True)
            t0 = time.time()
            for _ in range(a.steps):
                steps[name]()
            rate = a.steps * a.batch / (time.time() - t0)
            best[name] = max(best[name], rate)
            print(f"round {r + 1}: {name:38s} {rate:7.1f} images/s", flush=True)
    base = best[settings[0][0]]
    print(f"\n{a.model}, batch {a.batch}, {all_threads} threads, native bf16: {bf16}")
    print(f"{'setting':38s} {'images/s':>9s} {'speed-up':>9s}")
    for name, *_ in settings:
        print(f"{name:38s} {best[name]:9.1f} {best[name] / base:8.2f}x")
    if a.json:
        try:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                    text=True).stdout.strip()
        except OSError:
            commit = ""
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), platform.processor())
        rec = {"model": a.model, "batch": a.batch, "steps": a.steps, "rounds": a.rounds,
               "threads": all_threads, "native_bf16": bf16, "cpu": cpu, "commit": commit,
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "torch": torch.__version__,
               "images_per_s": best}
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with replacing(a.json, "w") as f:
            json.dump(rec, f, indent=1)


if __name__ == "__main__":
    main()
