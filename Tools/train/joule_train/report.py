"""Markdown tables for a model card, measured by the integer twin on the full test set:
per-layer activation sparsity and spike rate at the default T, and a sweep over T
(accuracy and spike rate per T, like paper 1's Figure 7). Optionally writes the plot and the
uint8 prediction file.

  python -m joule_train.report Models/watch-net.json --sweep 1 2 3 4 6 8 10 16 \
      --plot Models/watch-net.t-sweep.png --predictions Models/watch-net.test-predictions
"""
import argparse
import json
import time

import torch

from joule_format import model_json
from joule_format.atomic import replacing

from . import data, integer_twin


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--sweep", type=int, nargs="*", default=[])
    ap.add_argument("--plot")
    ap.add_argument("--predictions")
    ap.add_argument("--json", help="write the measured numbers here")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    model = model_json.load(a.model, weights=False)
    T0 = model.timesteps
    pad = model.input_shape[1] if model.input_shape[1] != 28 else None
    x, y = data.load("test", pad_to=pad)
    t0 = time.time()
    preds, acc, stats = integer_twin.evaluate(a.model, x, y, T0)
    dt = time.time() - t0
    rows, total, wtotal = integer_twin.summarize(stats, T0)
    out = {"model": a.model, "T": T0, "accuracy": acc, "correct": int(round(acc * len(y))),
           "images": len(y), "sparsity": total[0], "spike_rate": total[1],
           "sparsity_weighted": wtotal[0], "spike_rate_weighted": wtotal[1],
           "layers": rows, "eval_seconds": round(dt, 1), "sweep": []}
    if a.predictions:
        preds.tofile(a.predictions)
    print(f"### Integer twin, T = {T0}, {len(y)} test images ({dt:.0f} s)\n")
    print(f"Accuracy **{acc * 100:.2f} %** ({out['correct']}/{len(y)}).\n")
    print("| layer | type | neurons | activation sparsity | spike rate |")
    print("|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3] * 100:.2f} % | {r[4] * 100:.3f} % |")
    print(f"| **total, all code-producing layers** | | | **{total[0] * 100:.2f} %** | "
          f"**{total[1] * 100:.3f} %** |")
    print(f"| total, conv/linear layers only | | | {wtotal[0] * 100:.2f} % | "
          f"{wtotal[1] * 100:.3f} % |\n")
    if a.sweep:
        print("| T | accuracy | activation sparsity | spike rate |")
        print("|---:|---:|---:|---:|")
        for T in a.sweep:
            if T == T0:
                acc_t, tot = acc, total
            else:
                _, acc_t, st = integer_twin.evaluate(a.model, x, y, T)
                _, tot, _ = integer_twin.summarize(st, T)
            out["sweep"].append({"T": T, "accuracy": acc_t, "sparsity": tot[0], "spike_rate": tot[1]})
            print(f"| {T}{' (trained)' if T == T0 else ''} | {acc_t * 100:.2f} % | "
                  f"{tot[0] * 100:.2f} % | {tot[1] * 100:.3f} % |", flush=True)
        if a.plot:
            plot_t_sweep(out["sweep"], model.name, a.plot)
    if a.json:
        with replacing(a.json, "w") as f:
            json.dump(out, f, indent=1)


def plot_t_sweep(sweep, name, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    Ts = [s["T"] for s in sweep]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(Ts, [s["accuracy"] * 100 for s in sweep], "o-", color="C0")
    ax.set_xlabel("timesteps T (run time; trained at T = 6)")
    ax.set_ylabel("accuracy (%)", color="C0")
    ax2 = ax.twinx()
    ax2.plot(Ts, [s["spike_rate"] * 100 for s in sweep], "s--", color="C3")
    ax2.set_ylabel("spike rate (%)", color="C3")
    ax.set_title(f"{name}: integer twin on Fashion-MNIST test")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
