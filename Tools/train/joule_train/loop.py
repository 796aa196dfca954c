"""One training phase (float or QAT): optimiser, learning rate on a progress clock, time budget,
resumable state.

Contract:
- Progress p ∈ [0, 1] drives the cosine learning rate lr·½(1 + cos πp). p = steps / planned steps
  (planned = epochs × batches per epoch); with a deadline and `anneal='clock'`, p is the larger of
  that and the share of the phase's time used, so the schedule anneals fully by the deadline
  whatever the machine's speed; with `anneal='steps'` the schedule is the planned one and the
  phase stops where the deadline finds it (a later `--resume` continues it).
- The phase ends at p ≥ 1 or at the deadline. Under torchrun every rank takes rank 0's p.
  `a.stop_after_steps` ends a float phase after that many steps of this sitting, as a deadline
  would (resumption tests, short probes). A phase whose deadline has passed before its first step
  stops as by the budget (resumable), never as finished. p never falls below the p a sitting
  starts with. Shortcut back-propagation's λ follows p.
- `PhaseState` is everything needed to continue a phase bit for bit on the same machine and
  thread count: step, position in the epoch, the epoch's generator state, optimiser state, p,
  the log. `save(path)` callbacks receive it at each `save_every` seconds and at the end.
- Each global batch is the same on every rank (one generator); a rank trains on its shard
  (distributed.shard) with the loss scaled so the averaged gradient is the whole batch's.
"""
import json
import math
import time

import torch
import torch.nn.functional as F

from . import distributed, machine

PROGRESS_SECONDS = 60.0   # a progress line at most this often (rank 0)


def lam_schedule(epoch_frac, total, lam0, shape):
    """Evolutionary balance λ for shortcut back-propagation: λ0 at the start, 1 at the end."""
    if shape == "constant":
        return lam0
    p = min(max(epoch_frac / max(total, 1e-9), 0.0), 1.0)
    if shape == "cosine":
        p = 0.5 * (1 - math.cos(math.pi * p))
    return lam0 + (1.0 - lam0) * p


def make_optimizer(net, a, lr):
    params_decay = [p for n, p in net.named_parameters() if n.endswith("weight") and p.dim() > 1]
    params_other = [p for n, p in net.named_parameters() if not (n.endswith("weight") and p.dim() > 1)]
    groups = [{"params": params_decay, "weight_decay": a.weight_decay},
              {"params": params_other, "weight_decay": 0.0}]
    if a.optimizer == "adadelta":
        return torch.optim.Adadelta(groups, lr=lr)
    if a.optimizer == "adam":
        return torch.optim.AdamW(groups, lr=lr)
    return torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True)


class PhaseState:
    def __init__(self, phase, seed):
        self.phase = phase
        self.step = 0
        self.pos = 0                 # index of the next batch start in the current permutation
        self.epoch_gen = torch.Generator().manual_seed(seed + (0 if phase == "float" else 1)).get_state()
        self.p = 0.0
        self.p_sitting_start = 0.0
        self.optimizer = None
        self.log = []
        self.seconds = 0.0           # training seconds spent in this phase over all sittings
        self.stopped_by = None       # 'schedule' | 'budget'

    def to_dict(self):
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d):
        s = cls.__new__(cls)
        s.__dict__.update(d)
        return s


def run_phase(net, model, x, y, a, lr, epochs, state, dev, prec, deadline=None, anneal="clock",
              save=None, save_every=600.0, evaluate=None):
    """Trains `model` (net, or its DDP wrapper) until the phase ends; returns the state.
    deadline: time.time() by which this phase must stop (None: no budget)."""
    w = distributed.world()
    opt = make_optimizer(net, a, lr)
    if state.optimizer is not None:
        opt.load_state_dict(state.optimizer)
    steps_per_epoch = math.ceil(len(x) / a.batch)
    total_steps = max(1, int(round(epochs * steps_per_epoch)))
    phase_start = time.time()
    state.p_sitting_start = state.p
    phase_seconds = (deadline - phase_start) if deadline is not None else None
    use_sides = bool(net.side_outputs) and a.shortcut != "off" and state.phase == "float"
    channels_last = getattr(a, "channels_last", False) and net.has_conv
    g = torch.Generator()
    last_save = last_note = time.time()
    seconds_before = state.seconds
    note = {"steps": 0, "images": 0, "correct": 0}

    def progress():
        p = max(state.step / total_steps, state.p_sitting_start)
        if deadline is not None and anneal == "clock":
            used = (time.time() - phase_start) / max(phase_seconds, 1e-9)
            p = max(p, state.p_sitting_start + (1 - state.p_sitting_start) * used)
        return distributed.agree(min(p, 1.0))

    first_step = state.step
    stop_after = getattr(a, "stop_after_steps", None) if state.phase == "float" else None

    def out_of_time():
        if stop_after is not None and state.step - first_step >= stop_after:
            return True
        return distributed.agree(float(deadline is not None and time.time() >= deadline)) > 0.5

    if deadline is not None and distributed.agree(float(phase_seconds <= 0)) > 0.5:
        state.stopped_by = "budget"          # no time left for this phase: it stays resumable
    while state.p < 1.0 and state.stopped_by is None:
        g.set_state(state.epoch_gen)
        perm = torch.randperm(len(x), generator=g)
        flips = torch.rand(len(x), generator=g) < 0.5
        net.train()
        tot = {"ce": 0.0, "l1": 0.0, "correct": 0, "n": 0}
        t_epoch = time.time()
        while state.pos < len(x):
            state.p = progress()
            if state.p >= 1.0:
                state.stopped_by = "schedule"
                break
            if (anneal == "steps" or stop_after is not None) and out_of_time():
                state.stopped_by = "budget"
                break
            for group in opt.param_groups:
                group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * state.p))
            gidx = perm[state.pos:state.pos + a.batch]
            n_global = len(gidx)
            idx = distributed.shard(gidx)
            xb, yb = x[idx], y[idx]
            if a.flip:
                f = distributed.shard(flips[state.pos:state.pos + a.batch]).to(xb.device)
                xb = torch.where(f[:, None, None, None], xb.flip(-1), xb)
            xb, yb = xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
            if channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            with machine.autocast(dev, prec):
                out, sides, acts = model(xb, collect=a.eta > 0, sides=use_sides)
            out = out.float()
            # Σ over this shard, scaled so the ranks' average is the global batch's mean
            scale = w.size / n_global
            ce_sum = F.cross_entropy(out, yb, reduction="sum")
            loss = ce_sum * scale
            if use_sides:
                lam = lam_schedule(state.p, 1.0, a.lambda0, a.shortcut)
                side = torch.stack([F.cross_entropy(s.float(), yb, reduction="sum")
                                    for s in sides]).mean()
                loss = lam * loss + (1 - lam) * side * scale
            l1 = sum(v.float().sum() for v in acts.values()) if acts else torch.zeros((), device=dev)
            loss = loss + a.eta * l1 * w.size
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            state.step += 1
            state.pos += n_global
            tot["ce"] += float(ce_sum.detach())
            tot["l1"] += float(l1.detach())
            correct = int((out.argmax(1) == yb).sum())
            tot["correct"] += correct
            tot["n"] += len(idx)
            note["steps"] += 1
            note["images"] += n_global
            note["correct"] += correct
            if w.main and time.time() - last_note >= PROGRESS_SECONDS:
                now = time.time()
                print(json.dumps({"progress": state.phase, "step": state.step,
                                  "epoch": round(state.step / steps_per_epoch, 3),
                                  "p": round(state.p, 4), "lr": round(opt.param_groups[0]["lr"], 8),
                                  "images_per_s": round(note["images"] / (now - last_note), 1),
                                  "train_acc_shard": round(note["correct"] * w.size / max(note["images"], 1), 4),
                                  "elapsed_s": round(seconds_before + now - phase_start, 1)}), flush=True)
                last_note, note = now, {"steps": 0, "images": 0, "correct": 0}
            if save is not None and time.time() - last_save >= save_every:
                state.optimizer = opt.state_dict()
                state.seconds = seconds_before + time.time() - phase_start
                save(state)
                last_save = time.time()
        if state.pos >= len(x):
            state.pos = 0
            state.epoch_gen = g.get_state()   # the next epoch's permutation continues this stream
        seconds = time.time() - t_epoch
        if tot["n"]:
            rec = {"phase": state.phase, "epoch": round(state.step / steps_per_epoch, 3),
                   "p": round(state.p, 4), "lr": opt.param_groups[0]["lr"],
                   "ce": tot["ce"] / tot["n"],
                   "act_sum_per_image": tot["l1"] / tot["n"], "train_acc": tot["correct"] / tot["n"],
                   "images_per_s": round(tot["n"] * w.size / max(seconds, 1e-9), 1),
                   "elapsed_s": round(seconds_before + time.time() - phase_start, 1)}
            if evaluate is not None and a.eval_every_epoch and state.pos == 0:
                rec["test_acc"] = evaluate()
            state.log.append(rec)
            if w.main:
                print(json.dumps(rec), flush=True)
    if state.stopped_by is None:
        state.stopped_by = "schedule"
    state.seconds = seconds_before + time.time() - phase_start
    state.sitting_steps = state.step - first_step
    state.optimizer = opt.state_dict()
    if save is not None:
        save(state)
    return state
