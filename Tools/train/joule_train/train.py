"""Train a Joule model with the papers' recipes and export it.

Phase 1 (float weights, batch norm, Q_T activations with straight-through gradient, or IF
neurons over T steps with a surrogate gradient when --neuron if):
    loss = CE(main) + η · Σ_layers Σ_batch,neurons a        (a = post-quantisation activation)
with shortcut back-propagation when the net has side heads:
    loss = λ(e)·CE(main) + (1−λ(e))·mean_i CE(side_i) + η·Σa,   λ: λ0 → 1 (linear or cosine)
and weight decay `--weight-decay`.
Phase 2 (quantisation-aware fine-tuning): batch norm folded into the convs, weights
fake-quantised per output channel to int8 (or int4), the exact function the integer model runs.
Then export (JSON + safetensors), and the integer twin (integer_twin.py) measures the exported
model; the agreement between the float QAT model and the integer twin is reported.

Machine: --threads (default: every core this process may use), --precision auto (bf16 autocast
where the CPU or GPU has native bf16, else fp32) for the float phase, fp32 for QAT by default,
channels-last convolutions, --device auto (CUDA when present). Under torchrun the same command
trains data-parallel (gloo on CPU, NCCL on CUDA), batch statistics synchronised.

Budget: --budget-minutes B ends the sitting within B minutes: the float phase gets what remains
after the QAT share and the reserve for evaluations and export (timed on a sample of the test set
unless --reserve-minutes gives it), QAT gets its share from the moment it starts, and (--anneal clock, the default) its cosine schedule
is fitted to that time; --anneal steps keeps the planned epochs and stops where the time runs out.
The training state is saved to --state every --save-every-minutes and at each phase's end;
--resume STATE continues it: every option comes from the state unless given again; the machine,
output and budget options may be (the budget is the new sitting's), the model, recipe and
schedule may not.

Example: python -m joule_train.train --model watch-net --epochs 4 --qat-epochs 1 --out Models
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

from joule_format.atomic import replacing

from . import data, distributed, export, integer_twin, loop, machine, models

# The repository root (Tools/train/joule_train/ → three levels up): default paths hang off it,
# whatever the working directory.
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def estimated_eval_minutes(net, xt, yt, dev, channels_last, sample=200):
    """Minutes a budgeted sitting keeps for its evaluations and export: four passes over the test
    set (float, folded, int8 before QAT, after QAT) and the integer twin (≈ 2.5 passes), timed on
    `sample` test images in fp32, with a 20 % margin."""
    n = min(sample, len(xt))
    float_eval(net, xt[:8], yt[:8], dev=dev, channels_last=channels_last)        # warm-up
    t0 = time.time()
    float_eval(net, xt[:n], yt[:n], dev=dev, channels_last=channels_last)
    per_image = (time.time() - t0) / max(n, 1)
    return 1.2 * per_image * len(xt) * (4 + 2.5) / 60


@torch.no_grad()
def float_eval(net, x, y, batch=500, dev=torch.device("cpu"), prec="fp32", channels_last=False):
    net.eval()
    preds, acts_zero, acts_n = [], 0, 0
    for i in range(0, len(x), batch):
        xb = x[i:i + batch].to(dev)
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        with machine.autocast(dev, prec):
            out, _, acts = net(xb, collect=True)
        preds.append(out.argmax(1))
        for v in acts.values():
            acts_zero += int((v == 0).sum())
            acts_n += v.numel()
    p = torch.cat(preds).cpu()
    return float((p == y).double().mean()), p, acts_zero / max(acts_n, 1)



# On --resume every option comes from the saved state unless the command line gives it. The
# options of a sitting may be given anew; those of PER_SITTING start from their defaults (a budget
# is this sitting's); the others (model, recipe, schedule, seed) belong to the saved training and
# may not change.
SITTING_KEYS = {"budget_minutes", "anneal", "qat_share", "reserve_minutes", "threads", "device",
                "precision", "qat_precision", "channels_last", "compile", "save_every_minutes",
                "state", "resume", "stop_after_steps", "eval_every_epoch", "out", "no_export", "log", "checkpoint"}
PER_SITTING = {"budget_minutes", "reserve_minutes", "stop_after_steps", "resume"}


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="watch-net", choices=sorted(models.ARCHS))
    ap.add_argument("--name", help="output model name (default: --model)")
    ap.add_argument("-T", "--timesteps", type=int, default=6)
    ap.add_argument("--epochs", type=float, default=4, help="float (phase 1) epochs planned")
    ap.add_argument("--qat-epochs", type=float, default=1, help="QAT fine-tuning epochs (phase 2)")
    ap.add_argument("--bits", type=int, default=8, choices=[8, 4], help="weight bits")
    ap.add_argument("--weight-decay", type=float, default=0.05,
                    help="λ: decoupled (AdamW) weight decay on conv/fc weights; paper: 0.05")
    ap.add_argument("--eta", type=float, default=1e-6,
                    help="η: activation L1, multiplies Σ over layers, batch and neurons")
    ap.add_argument("--optimizer", default="adam", choices=["adam", "adadelta", "sgd"])
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--qat-lr", type=float, default=None, help="default: lr/10")
    ap.add_argument("--batch", type=int, default=128, help="global batch (all ranks together)")
    ap.add_argument("--flip", action="store_true", help="random horizontal flips")
    ap.add_argument("--neuron", default="qt", choices=["qt", "if"],
                    help="qt: Q_T + STE; if: IF neuron unrolled over T steps, surrogate gradient")
    ap.add_argument("--surrogate-width", type=float, default=1.0)
    ap.add_argument("--shortcut", default="linear", choices=["linear", "cosine", "constant", "off"],
                    help="λ schedule of shortcut back-propagation (nets with side heads)")
    ap.add_argument("--lambda0", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train-limit", type=int, default=None)
    ap.add_argument("--test-limit", type=int, default=None)
    m = ap.add_argument_group("machine")
    m.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    m.add_argument("--threads", type=int, default=None,
                   help="torch threads per process (default: the cores this process may use / ranks)")
    m.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"],
                   help="float phase: auto = bf16 autocast where the hardware has native bf16")
    m.add_argument("--qat-precision", default="fp32", choices=["auto", "fp32", "bf16"])
    m.add_argument("--channels-last", default=True, action=argparse.BooleanOptionalAction)
    m.add_argument("--compile", action="store_true", help="torch.compile the training forward pass")
    b = ap.add_argument_group("budget and resumption")
    b.add_argument("--budget-minutes", type=float, default=None,
                   help="wall-clock minutes for this sitting, QAT and export included")
    b.add_argument("--anneal", default="clock", choices=["clock", "steps"],
                   help="with a budget: fit the float schedule to the time (clock) or keep the "
                        "planned epochs and stop where the time runs out (steps)")
    b.add_argument("--qat-share", type=float, default=0.12, help="share of the budget for QAT")
    b.add_argument("--reserve-minutes", type=float, default=None,
                   help="kept for the evaluations and export (default: timed on a sample of the test set)")
    b.add_argument("--state", help="training state saved here (default: <repository>/out/train/<name>.state.pt)")
    b.add_argument("--save-every-minutes", type=float, default=10.0)
    b.add_argument("--resume", metavar="STATE", help="continue the training saved in STATE")
    b.add_argument("--stop-after-steps", type=int, default=None,
                   help="end the float phase after N steps of this sitting, as a budget would")
    o = ap.add_argument_group("output")
    o.add_argument("--eval-every-epoch", action="store_true")
    o.add_argument("--init", help="start from this checkpoint (.pt) instead of random weights")
    o.add_argument("--checkpoint", help="save the trained float (BN-folded) state here (.pt)")
    o.add_argument("--out", default="Models", help="export directory")
    o.add_argument("--no-export", action="store_true")
    o.add_argument("--log", help="write the run record (JSON) here")
    return ap


def given_options(argv):
    """The destinations of the options the command line gives explicitly."""
    ap = parser()
    for action in ap._actions:
        action.default = argparse.SUPPRESS
    return set(vars(ap.parse_known_args(argv)[0]))


def resumed_args(a, given):
    """The saved training's options, with the sitting options this command line gives."""
    ck = torch.load(a.resume, weights_only=False)
    merged = dict(ck["args"])
    changed = sorted(k for k in given - SITTING_KEYS if merged.get(k) != getattr(a, k))
    if changed:
        opts = ", ".join(f"--{k.replace('_', '-')} (saved: {merged.get(k)})" for k in changed)
        raise SystemExit(f"--resume {a.resume}: {opts} belong to the saved training, which a resume "
                         "continues unchanged; start a new run to change them")
    for k in SITTING_KEYS:
        if k in given or k in PER_SITTING:
            merged[k] = getattr(a, k)
    if "state" not in given:
        merged["state"] = a.resume
    return argparse.Namespace(**merged), ck


def main(argv=None):
    a = parser().parse_args(argv)
    ck = None
    if a.resume:
        if not os.path.exists(a.resume):
            raise SystemExit(f"--resume {a.resume}: no such file")
        a, ck = resumed_args(a, given_options(argv if argv is not None else sys.argv[1:]))
    if a.budget_minutes is not None:
        reserve = a.reserve_minutes if a.reserve_minutes is not None else 1.0
        if a.budget_minutes - reserve - a.qat_share * a.budget_minutes <= 0:
            raise SystemExit(f"--budget-minutes {a.budget_minutes:g} leaves no time to train: {reserve:g} min "
                             f"are reserved for evaluations and export and {a.qat_share:.0%} for QAT")
    t_start = time.time()
    dev = machine.device(a.device)
    w = distributed.init(dev.type)
    if w.active and dev.type == "cuda":
        dev = machine.device("cuda", w.local_rank)
    threads = a.threads or machine.default_threads(w.local_size)
    torch.set_num_threads(threads)
    prec, qat_prec = machine.precision(a.precision, dev), machine.precision(a.qat_precision, dev)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    name = a.name or a.model
    state_path = a.state or os.path.join(REPO_ROOT, "out", "train", f"{name}.state.pt")
    pad = models.ARCHS[a.model][2]
    x, y = data.load("train", pad_to=pad, limit=a.train_limit)
    xt, yt = data.load("test", pad_to=pad, limit=a.test_limit)
    if dev.type == "cuda":
        x, y = x.to(dev), y.to(dev)
    net = models.build(a.model, T=a.timesteps, name=name)
    net.set_neuron(a.neuron, a.surrogate_width)
    cl = a.channels_last and net.has_conv
    log, fstate, qstate = [], loop.PhaseState("float", a.seed), loop.PhaseState("qat", a.seed)
    if a.init and ck is None:
        init = torch.load(a.init)
        if init.get("folded"):
            net.fold_bn()
        net.load_state_dict(init["state"])
    if ck is not None:
        if ck["folded"]:
            net.fold_bn()
        net.load_state_dict(ck["net"])
        fstate = loop.PhaseState.from_dict(ck["float"])
        if ck.get("qat"):
            qstate = loop.PhaseState.from_dict(ck["qat"])
        torch.set_rng_state(ck["rng"])
        if w.main:
            print(f"resuming {a.resume}: float phase p={fstate.p:.3f} "
                  f"({fstate.step} steps, {fstate.seconds / 60:.1f} min), "
                  f"QAT p={qstate.p:.3f}", flush=True)
    net.to(dev)
    if cl and not w.active:
        # channels-last inputs make the convolutions channels-last; the weights follow only in a
        # single process (DistributedDataParallel's gradient buckets mis-average them)
        net.to(memory_format=torch.channels_last)

    def model_for_training():
        m = net
        if w.active:
            m = torch.nn.parallel.DistributedDataParallel(
                net, find_unused_parameters=bool(net.side_outputs))
        return torch.compile(m) if a.compile else m

    def save(phase_state=None):
        if not w.main:
            return
        with replacing(state_path, "wb") as f:
            torch.save({"args": vars(a), "net": net.state_dict(), "folded": net.folded,
                        "float": fstate.to_dict(), "qat": qstate.to_dict() if net.folded else None,
                        "rng": torch.get_rng_state()}, f)

    def evaluator(precision):
        return lambda: float_eval(net, xt, yt, dev=dev, prec=precision, channels_last=cl)[0]

    deadline_float = None
    qat_seconds = None
    if a.budget_minutes:
        reserve = a.reserve_minutes if a.reserve_minutes is not None \
            else max(1.0, estimated_eval_minutes(net, xt, yt, dev, cl))
        qat_seconds = 60 * a.qat_share * a.budget_minutes
        deadline_float = t_start + 60 * (a.budget_minutes - reserve) - qat_seconds
        if deadline_float <= time.time() and fstate.p < 1.0 and not net.folded:
            raise SystemExit(f"--budget-minutes {a.budget_minutes:g} leaves no time to train: the evaluations "
                             f"and export need ≈ {reserve:.1f} min and QAT {a.qat_share:.0%} of the budget")
        if w.main:
            print(f"budget: float phase until +{(deadline_float - t_start) / 60:.1f} min, QAT "
                  f"{qat_seconds / 60:.1f} min, evaluations and export {reserve:.1f} min", flush=True)
    if w.main:
        print(f"machine: {dev}, {threads} threads x {w.size} process(es), float phase {prec}, "
              f"QAT {qat_prec}, channels-last {cl}, compile {a.compile}"
              + (f", budget {a.budget_minutes:g} min" if a.budget_minutes else ""), flush=True)

    resumed_in_qat = net.folded
    fstate.sitting_steps = 0
    if not net.folded and a.epochs > 0 and fstate.p < 1.0:
        fstate.stopped_by = None
        loop.run_phase(net, model_for_training(), x, y, a, a.lr, a.epochs, fstate, dev, prec,
                       deadline=deadline_float, anneal=a.anneal, save=save,
                       save_every=60 * a.save_every_minutes, evaluate=evaluator(prec))
    t_float = fstate.seconds
    resumable_float = fstate.stopped_by == "budget"
    acc_float = acc_fold = acc_ptq = None
    if resumed_in_qat:
        if w.main:
            print("resumed in the QAT phase: the float-phase accuracies are not measured again", flush=True)
        net.set_weight_bits(a.bits)
    else:
        acc_float, _, sp_float = float_eval(net, xt, yt, dev=dev, prec=prec, channels_last=cl)
        if w.main:
            print(f"float model (BN, float weights): test acc {acc_float * 100:.2f}% "
                  f"sparsity {sp_float * 100:.2f}% [{fstate.stopped_by or 'no float phase'}]", flush=True)
        net.fold_bn()
        acc_fold, _, _ = float_eval(net, xt, yt, dev=dev, prec=qat_prec, channels_last=cl)
        if w.main:
            print(f"after BN folding: test acc {acc_fold * 100:.2f}%", flush=True)
        net.set_weight_bits(a.bits)
        acc_ptq, _, _ = float_eval(net, xt, yt, dev=dev, prec=qat_prec, channels_last=cl)
        if w.main:
            print(f"int{a.bits} weights before QAT: test acc {acc_ptq * 100:.2f}%", flush=True)
    if a.qat_epochs > 0 and qstate.p < 1.0:
        # a float phase cut by the budget stays resumable: its state is on disk, QAT saves apart
        qsave = None if resumable_float else save
        qstate.stopped_by = None
        deadline_qat = time.time() + qat_seconds if qat_seconds is not None else None
        loop.run_phase(net, model_for_training(), x, y, a, a.qat_lr or a.lr / 10, a.qat_epochs,
                       qstate, dev, qat_prec, deadline=deadline_qat, anneal="clock", save=qsave,
                       save_every=60 * a.save_every_minutes, evaluate=evaluator("fp32"))
    acc_qat, p_qat, sp_qat = float_eval(net, xt, yt, dev=dev, channels_last=cl)
    t_train = time.time() - t_start
    if w.main:
        print(f"QAT model: test acc {acc_qat * 100:.2f}% sparsity {sp_qat * 100:.2f}% "
              f"[sitting {t_train:.0f}s]", flush=True)
    log = fstate.log + qstate.log
    net.to("cpu").to(memory_format=torch.contiguous_format)
    rec = None
    if w.main:
        if a.checkpoint:
            net.set_weight_bits(None)
            with replacing(a.checkpoint, "wb") as f:
                torch.save({"state": net.state_dict(), "folded": True, "args": vars(a)}, f)
            net.set_weight_bits(a.bits)
        rec = {"args": vars(a), "name": name, "train_images": len(x), "test_images": len(xt),
               "machine": {"device": str(dev), "threads": threads, "processes": w.size,
                           "float_precision": prec, "qat_precision": qat_prec,
                           "channels_last": cl, "compile": a.compile,
                           "cpu_bf16": machine.native_bf16(torch.device("cpu"))},
               "float_acc": acc_float, "folded_acc": acc_fold, "ptq_acc": acc_ptq, "qat_acc": acc_qat,
               "qat_sparsity_weighted_layers": sp_qat, "sitting_seconds": round(t_train, 1),
               "float_phase_seconds": round(t_float, 1), "qat_phase_seconds": round(qstate.seconds, 1),
               "float_epochs_done": round(fstate.step / math.ceil(len(x) / a.batch), 3),
               "float_steps_this_sitting": getattr(fstate, "sitting_steps", 0),
               "float_stopped_by": fstate.stopped_by, "float_progress": round(fstate.p, 4),
               "budget_minutes": a.budget_minutes, "state": state_path,
               "epochs_log": log, "torch": torch.__version__}
        if not a.no_export:
            jpath = export.export(net, a.out, bits=a.bits, classes=data.CLASSES,
                                  metadata={"trainer": "joule_train", "seed": a.seed})
            preds, acc_int, stats = integer_twin.evaluate(jpath, xt, yt, a.timesteps)
            rows, total, wtotal = integer_twin.summarize(stats, a.timesteps)
            agree = float((torch.from_numpy(preds.astype(np.int64)) == p_qat).double().mean())
            print(f"exported {jpath}; integer twin acc {acc_int * 100:.2f}%, prediction agreement "
                  f"with the float QAT model {agree * 100:.2f}%; sparsity {total[0] * 100:.2f}% "
                  f"spike rate {total[1] * 100:.3f}%", flush=True)
            rec.update({"json": jpath, "twin_acc": acc_int, "twin_float_agreement": agree,
                        "twin_sparsity": total[0], "twin_spike_rate": total[1],
                        "twin_sparsity_weighted": wtotal[0], "twin_spike_rate_weighted": wtotal[1],
                        "twin_layers": rows})
        rec["total_seconds"] = round(time.time() - t_start, 1)
        if a.log:
            os.makedirs(os.path.dirname(os.path.abspath(a.log)), exist_ok=True)
            with replacing(a.log, "w") as f:
                json.dump(rec, f, indent=1)
    distributed.finish()
    return rec


if __name__ == "__main__":
    main()
