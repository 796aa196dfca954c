"""η sweep (paper 1's Figure 8: accuracy against sparsity). Trains the same model with the same
budget and seed for each η, exports it, and measures accuracy and sparsity with the integer twin.

  python -m joule_train.sweep_eta --etas 0 1e-7 1e-6 3e-6 1e-5 --epochs 1 --qat-epochs 0.25 \
      --train-limit 20000 --json Tools/train/runs/eta-sweep.json
  python -m joule_train.sweep_eta --plot-only --json Tools/train/runs/eta-sweep.json \
      --plot Models/watch-net.eta-sweep.png
"""
import argparse
import json
import os

from joule_format.atomic import replacing

from . import train


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="watch-net")
    ap.add_argument("--etas", type=float, nargs="*", default=[0, 1e-7, 1e-6, 3e-6, 1e-5])
    ap.add_argument("--epochs", default="1")
    ap.add_argument("--qat-epochs", default="0.25")
    ap.add_argument("--train-limit", default=None)
    ap.add_argument("--seed", default="0")
    ap.add_argument("--threads", default="1")
    ap.add_argument("--out", default="out/eta-sweep")
    ap.add_argument("--json", default="Tools/train/runs/eta-sweep.json")
    ap.add_argument("--plot")
    ap.add_argument("--plot-only", action="store_true")
    a = ap.parse_args(argv)
    if not a.plot_only:
        results = []
        for eta in a.etas:
            args = ["--model", a.model, "--name", f"{a.model}-eta{eta:g}", "--eta", str(eta),
                    "--epochs", a.epochs, "--qat-epochs", a.qat_epochs, "--seed", a.seed,
                    "--threads", a.threads, "--out", a.out, "--flip"]
            if a.train_limit:
                args += ["--train-limit", a.train_limit]
            rec = train.main(args)
            results.append({"eta": eta, "twin_acc": rec["twin_acc"],
                            "twin_sparsity": rec["twin_sparsity"],
                            "twin_spike_rate": rec["twin_spike_rate"],
                            "twin_sparsity_weighted": rec["twin_sparsity_weighted"],
                            "train_seconds": rec["train_seconds"], "args": args})
            os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
            with replacing(a.json, "w") as f:
                json.dump(results, f, indent=1)
    results = json.load(open(a.json))
    print("| η | accuracy (integer twin) | activation sparsity | spike rate (T = 6) | training time |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['eta']:g} | {r['twin_acc'] * 100:.2f} % | {r['twin_sparsity'] * 100:.2f} % | "
              f"{r['twin_spike_rate'] * 100:.3f} % | {r['train_seconds']:.0f} s |")
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(5, 3.2))
        xs = [r["twin_sparsity"] * 100 for r in results]
        ys = [r["twin_acc"] * 100 for r in results]
        ax.plot(xs, ys, "o-")
        for r, x_, y_ in zip(results, xs, ys):
            ax.annotate(f"η={r['eta']:g}", (x_, y_), textcoords="offset points", xytext=(4, 4),
                        fontsize=8)
        ax.set_xlabel("activation sparsity (%)")
        ax.set_ylabel("accuracy (%)")
        ax.set_title(f"{a.model}: η sweep (integer twin, Fashion-MNIST test)")
        fig.tight_layout()
        fig.savefig(a.plot, dpi=110)
        print(f"wrote {a.plot}")


if __name__ == "__main__":
    main()
