"""Shortcut back-propagation ablation: the spiking ResNet trained with side heads (SBP, paper 2)
and without (plain), several seeds per arm, the same recipe otherwise; reports each arm's
integer-twin test accuracy as mean ± sample standard deviation and min…max.

Each finished run is appended to the record (--record) atomically, and runs already in it are
skipped, so the ablation can be spread over several sittings:

    python -m joule_train.ablation --seeds 0 1 2 --record Tools/train/runs/sbp-ablation.json

Recipe of every run (the committed spiking-resnet models'): IF neurons over T = 6 with BPTT and a
rectangular surrogate, 1.5 float epochs + 0.25 QAT epochs, AdamW lr 2e-3 cosine, batch 128,
λ = 0.05, η = 0, flips, int8, fp32 throughout; SBP: λ(e) linear from 0.25 to 1.
"""
import argparse
import json
import os
import statistics
import tempfile
import time

from joule_format.atomic import replacing

from . import train

ARMS = {"sbp": ["--model", "resnet", "--shortcut", "linear"],
        "plain": ["--model", "resnet-plain"]}
RECIPE = ["--neuron", "if", "--epochs", "1.5", "--qat-epochs", "0.25", "--eta", "0", "--flip",
          "--bits", "8", "-T", "6", "--precision", "fp32"]


def summarize(runs):
    """{arm: {"n", "mean", "std", "min", "max", "accuracies"}} from the record's runs."""
    out = {}
    for arm in ARMS:
        accs = [r["twin_acc"] for r in runs if r["arm"] == arm]
        if accs:
            out[arm] = {"n": len(accs), "mean": statistics.fmean(accs),
                        "std": statistics.stdev(accs) if len(accs) > 1 else None,
                        "min": min(accs), "max": max(accs), "accuracies": accs}
    return out


def table(summary):
    lines = ["| arm | seeds | integer-twin accuracy, mean ± s.d. | min … max |", "|---|---:|---:|---:|"]
    for arm, s in summary.items():
        sd = f" ± {s['std'] * 100:.2f}" if s["std"] is not None else ""
        lines.append(f"| {arm} | {s['n']} | {s['mean'] * 100:.2f}{sd} % | "
                     f"{s['min'] * 100:.2f} … {s['max'] * 100:.2f} % |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    ap.add_argument("--record", required=True, help="JSON record: read, extended, rewritten")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                    help="further train.py options for every run (e.g. --train-limit 512)")
    a = ap.parse_args(argv)
    rec = {"recipe": RECIPE, "arms": ARMS, "extra": a.extra, "runs": []}
    if os.path.exists(a.record):
        with open(a.record) as f:
            rec = json.load(f)
        if rec.get("recipe") != RECIPE or rec.get("extra", []) != a.extra:
            raise SystemExit(f"{a.record}: recorded with another recipe or --extra "
                             f"({rec.get('extra', [])}); one record holds one recipe")
    for seed in a.seeds:
        for arm in a.arms:
            if any(r["arm"] == arm and r["seed"] == seed for r in rec["runs"]):
                print(f"{arm} seed {seed}: in the record, skipped", flush=True)
                continue
            t0 = time.time()
            with tempfile.TemporaryDirectory() as tmp:
                args = ARMS[arm] + RECIPE + ["--seed", str(seed), "--name", f"{arm}-{seed}",
                                             "--out", tmp, "--state", os.path.join(tmp, "state.pt")]
                if a.threads:
                    args += ["--threads", str(a.threads)]
                r = train.main(args + a.extra)
            run = {"arm": arm, "seed": seed, "twin_acc": r["twin_acc"], "qat_acc": r["qat_acc"],
                   "twin_spike_rate": r["twin_spike_rate"], "seconds": round(time.time() - t0, 1),
                   "machine": r["machine"], "extra": a.extra}
            rec["runs"].append(run)
            rec["summary"] = summarize(rec["runs"])
            with replacing(a.record, "w") as f:
                json.dump(rec, f, indent=1)
            print(f"{arm} seed {seed}: integer twin {run['twin_acc'] * 100:.2f} % "
                  f"({run['seconds']:.0f} s)", flush=True)
    print(table(summarize(rec["runs"])))
    return rec


if __name__ == "__main__":
    main()
