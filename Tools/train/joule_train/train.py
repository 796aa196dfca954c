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

Example: python -m joule_train.train --model watch-net --epochs 4 --qat-epochs 1 --out Models
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import data, export, integer_twin, models
from .atomic import replacing


def lam_schedule(epoch_frac, total, lam0, shape):
    """Evolutionary balance λ for shortcut back-propagation: λ0 at the start, 1 at the end."""
    if shape == "constant":
        return lam0
    p = min(max(epoch_frac / max(total, 1e-9), 0.0), 1.0)
    if shape == "cosine":
        p = 0.5 * (1 - math.cos(math.pi * p))
    return lam0 + (1.0 - lam0) * p


def run_epochs(net, x, y, epochs, a, lr, log, phase, xt, yt):
    params_decay = [p for n, p in net.named_parameters() if n.endswith("weight") and p.dim() > 1]
    params_other = [p for n, p in net.named_parameters() if not (n.endswith("weight") and p.dim() > 1)]
    groups = [{"params": params_decay, "weight_decay": a.weight_decay},
              {"params": params_other, "weight_decay": 0.0}]
    if a.optimizer == "adadelta":
        opt = torch.optim.Adadelta(groups, lr=lr)
    elif a.optimizer == "adam":
        opt = torch.optim.AdamW(groups, lr=lr)
    else:
        opt = torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True)
    steps_per_epoch = math.ceil(len(x) / a.batch)
    total_steps = max(1, int(round(epochs * steps_per_epoch)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s / total_steps, 1.0))))
    g = torch.Generator().manual_seed(a.seed + (0 if phase == "float" else 1))
    step, t0 = 0, time.time()
    use_sides = bool(net.side_outputs) and a.shortcut != "off" and phase == "float"
    while step < total_steps:
        perm = torch.randperm(len(x), generator=g)
        net.train()
        tot = {"loss": 0.0, "ce": 0.0, "l1": 0.0, "correct": 0, "n": 0}
        for i in range(0, len(x), a.batch):
            if step >= total_steps:
                break
            idx = perm[i:i + a.batch]
            xb, yb = x[idx], y[idx]
            if a.flip:
                flip = torch.rand(len(idx), generator=g) < 0.5
                xb = torch.where(flip[:, None, None, None], xb.flip(-1), xb)
            out, sides, acts = net(xb, collect=a.eta > 0)
            ce = F.cross_entropy(out, yb)
            loss = ce
            if use_sides:
                lam = lam_schedule(step / steps_per_epoch, epochs, a.lambda0, a.shortcut)
                side = torch.stack([F.cross_entropy(s, yb) for s in sides]).mean()
                loss = lam * ce + (1 - lam) * side
            l1 = sum(v.sum() for v in acts.values()) if acts else torch.zeros(())
            loss = loss + a.eta * l1
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            tot["loss"] += float(loss.detach()) * len(idx)
            tot["ce"] += float(ce.detach()) * len(idx)
            tot["l1"] += float(l1.detach())
            tot["correct"] += int((out.argmax(1) == yb).sum())
            tot["n"] += len(idx)
        rec = {"phase": phase, "epoch": round(step / steps_per_epoch, 3),
               "loss": tot["loss"] / tot["n"], "ce": tot["ce"] / tot["n"],
               "act_sum_per_image": tot["l1"] / tot["n"], "train_acc": tot["correct"] / tot["n"],
               "elapsed_s": round(time.time() - t0, 1)}
        if a.eval_every_epoch:
            rec["test_acc"] = float_eval(net, xt, yt)[0]
        log.append(rec)
        print(json.dumps(rec), flush=True)


@torch.no_grad()
def float_eval(net, x, y, batch=1000):
    net.eval()
    preds, acts_sum, acts_zero, acts_n = [], 0.0, 0, 0
    for i in range(0, len(x), batch):
        out, _, acts = net(x[i:i + batch], collect=True)
        preds.append(out.argmax(1))
        for v in acts.values():
            acts_zero += int((v == 0).sum())
            acts_n += v.numel()
    p = torch.cat(preds)
    return float((p == y).double().mean()), p, acts_zero / max(acts_n, 1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="watch-net", choices=sorted(models.ARCHS))
    ap.add_argument("--name", help="output model name (default: --model)")
    ap.add_argument("-T", "--timesteps", type=int, default=6)
    ap.add_argument("--epochs", type=float, default=4, help="float (phase 1) epochs")
    ap.add_argument("--qat-epochs", type=float, default=1, help="QAT fine-tuning epochs (phase 2)")
    ap.add_argument("--bits", type=int, default=8, choices=[8, 4], help="weight bits")
    ap.add_argument("--weight-decay", type=float, default=0.05,
                    help="λ: decoupled (AdamW) weight decay on conv/fc weights; paper: 0.05")
    ap.add_argument("--eta", type=float, default=1e-6,
                    help="η: activation L1, multiplies Σ over layers, batch and neurons")
    ap.add_argument("--optimizer", default="adam", choices=["adam", "adadelta", "sgd"])
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--qat-lr", type=float, default=None, help="default: lr/10")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--flip", action="store_true", help="random horizontal flips")
    ap.add_argument("--neuron", default="qt", choices=["qt", "if"],
                    help="qt: Q_T + STE; if: IF neuron unrolled over T steps, surrogate gradient")
    ap.add_argument("--surrogate-width", type=float, default=1.0)
    ap.add_argument("--shortcut", default="linear", choices=["linear", "cosine", "constant", "off"],
                    help="λ schedule of shortcut back-propagation (nets with side heads)")
    ap.add_argument("--lambda0", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--train-limit", type=int, default=None)
    ap.add_argument("--test-limit", type=int, default=None)
    ap.add_argument("--eval-every-epoch", action="store_true")
    ap.add_argument("--init", help="start from this checkpoint (.pt) instead of random weights")
    ap.add_argument("--checkpoint", help="save the trained float (BN-folded) state here (.pt)")
    ap.add_argument("--out", default="Models", help="export directory")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--log", help="write the run record (JSON) here")
    a = ap.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    name = a.name or a.model
    pad = models.ARCHS[a.model][2]
    x, y = data.load("train", pad_to=pad, limit=a.train_limit)
    xt, yt = data.load("test", pad_to=pad, limit=a.test_limit)
    net = models.build(a.model, T=a.timesteps, name=name)
    net.set_neuron(a.neuron, a.surrogate_width)
    log, t_start = [], time.time()
    if a.init:
        ck = torch.load(a.init)
        if ck.get("folded"):
            net.fold_bn()
        net.load_state_dict(ck["state"])
    if a.epochs > 0:
        run_epochs(net, x, y, a.epochs, a, a.lr, log, "float", xt, yt)
    t_float = time.time() - t_start
    acc_float, _, sp_float = float_eval(net, xt, yt)
    print(f"float model (BN, float weights): test acc {acc_float * 100:.2f}% "
          f"sparsity {sp_float * 100:.2f}%", flush=True)
    net.fold_bn()
    acc_fold, _, _ = float_eval(net, xt, yt)
    print(f"after BN folding: test acc {acc_fold * 100:.2f}%", flush=True)
    net.set_weight_bits(a.bits)
    acc_ptq, _, _ = float_eval(net, xt, yt)
    print(f"int{a.bits} weights before QAT: test acc {acc_ptq * 100:.2f}%", flush=True)
    if a.qat_epochs > 0:
        run_epochs(net, x, y, a.qat_epochs, a, a.qat_lr or a.lr / 10, log, "qat", xt, yt)
    acc_qat, p_qat, sp_qat = float_eval(net, xt, yt)
    t_train = time.time() - t_start
    print(f"QAT model: test acc {acc_qat * 100:.2f}% sparsity {sp_qat * 100:.2f}% "
          f"[training {t_train:.0f}s]", flush=True)
    if a.checkpoint:
        net.set_weight_bits(None)
        with replacing(a.checkpoint, "wb") as f:
            torch.save({"state": net.state_dict(), "folded": True, "args": vars(a)}, f)
        net.set_weight_bits(a.bits)
    rec = {"args": vars(a), "name": name, "train_images": len(x), "test_images": len(xt),
           "float_acc": acc_float, "folded_acc": acc_fold, "ptq_acc": acc_ptq, "qat_acc": acc_qat,
           "qat_sparsity_weighted_layers": sp_qat, "train_seconds": round(t_train, 1),
           "float_phase_seconds": round(t_float, 1), "epochs_log": log,
           "torch": torch.__version__, "threads": torch.get_num_threads()}
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
    if a.log:
        os.makedirs(os.path.dirname(os.path.abspath(a.log)), exist_ok=True)
        with replacing(a.log, "w") as f:
            json.dump(rec, f, indent=1)
    return rec


if __name__ == "__main__":
    main()
