#!/usr/bin/env python3
"""Prints Tools/m4-bench's tables (Markdown) from its result folders and fails (exit 1) when the
emulated M4's scores or event counters differ from the host's, or its energy estimate read back
through the C API (`energy:`) is missing or differs from the host's board model. Standard library only (joule_format.jmod for shapes).

Usage: m4-bench-report.py [--dsp] [--joule PATH --workloads DIR] RESULT_DIR...
--joule, --workloads: also the battery table: each smartwatch workload's lifetime (`joule lifetime`,
its duty-cycle simulator) with the energy per inference each deployment's measured instructions
give (× the board's pJ per cycle): CMSIS-NN's dense QNN, Joule's QNN, Joule's layer-wise and
streaming SNN, beside the board model's estimate for Joule's QNN and SNN.
--dsp: the images were built with the DSP gather (BOARD_ISA armdsp): fails unless the QNN and the
layer-wise SNN ran every convolution and fully connected layer with int8 weights with it (the kernel
log the bench image prints; the streaming schedule has its own per-step scatter).
A result folder holds (Tools/m4-bench writes them): <name>-compact.jmod, host-<mode>.{scores,counters},
joule-<mode>.{out,marks,size}, firmware-<mode>.size, cmsis.{out,marks,size}, energy.json and energy-streaming.json (`joule energy
--json` on the MCU board) and board.json (that board); mode = qnn, snn-layerwise, snn-streaming.
Marks (insnpc plugin, "mark N: X insns since previous mark"): Joule: mark 2 = joule_run, marks
4…3+L = the L layers of the marked second run (streaming: 4…3+T·L, layer i of step s at
4 + s·L + i); CMSIS-NN: marks 2…L+1 = its L layers."""
import copy
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "format"))
from joule_format import jmod  # noqa: E402

MODES = (("qnn", "QNN"), ("snn-layerwise", "SNN layer-wise"), ("snn-streaming", "SNN streaming"))


def marks(path):
    out = {}
    for line in open(path):
        m = re.match(r"mark (\d+): (\d+) insns", line)
        if m:
            out[int(m.group(1))] = int(m.group(2))
    return out


def ints(text):
    return [int(v) for v in text.split()]


def line_after(path, prefix):
    for line in open(path):
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    return None


def size(path):
    text, data, bss = (int(v) for v in open(path).read().split())
    return text, data, bss


def argmax(v):
    return max(range(len(v)), key=lambda i: v[i])


def mega(n):
    return f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.1f} K"


def macs(layer):
    co, ho, wo = (tuple(layer.out_shape) + (1, 1))[:3]
    if layer.kind == "conv2d":
        return co * ho * wo * layer.in_shape[0] * layer.kernel[0] * layer.kernel[1]
    if layer.kind == "linear":
        return math.prod(layer.in_shape) * co
    return 0


# LayerKernel raw values (Sources/JouleCore/Runtime/Interpreter.swift) and their letters.
KERNEL_TAGS = {0: "G", 1: "P", 2: "s", 3: "-", 4: "D", 5: "S", 6: "M"}
DSP_GATHER = 6


def lifetimes(joule, workload, qnn_uj, snn_uj, origin):
    """(QNN days, SNN days) of `joule lifetime` on `workload` with these energies per inference."""
    w = copy.deepcopy(workload)
    w["model"]["energyPerInferenceMicrojoules"] = {
        "qnn": {"value": qnn_uj, "source": origin}, "snn": {"value": snn_uj, "source": origin}}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "workload.json")
        with open(path, "w") as f:
            json.dump(w, f)
        done = subprocess.run([joule, "lifetime", path, "--json", "-", "--svg-prefix", os.path.join(tmp, "l")],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"m4-bench: joule lifetime failed: {done.stderr.strip()}")
    days = {t["twin"]: t["lifetimeDaysSimulated"] for t in json.loads(done.stdout)["twins"]}
    return days["qnn"], days["snn"]


def battery_table(joule, workload_dir, measured):
    """Markdown rows: each workload × model, lifetime in days per deployment. `measured`: model
    name → {deployment: µJ per inference}."""
    lines = ["| workload | inferences/h (or schedule) | model | CMSIS-NN QNN | Joule QNN | Joule SNN layer-wise | "
             "Joule SNN streaming | board model QNN / SNN |", "|---|---:|---|---:|---:|---:|---:|---:|"]
    for path in sorted(glob.glob(os.path.join(workload_dir, "*.json"))):
        workload = json.load(open(path))
        rate = workload["schedule"].get("inferencesPerHour", {}).get("value", workload["schedule"].get("kind", "—"))
        for name, uj in measured.items():
            origin = "instructions on the emulated Cortex-M4 (Tools/m4-bench) × the board's pJ per cycle"
            cm = uj.get("cmsis")
            q, c = lifetimes(joule, workload, uj["qnn"], cm if cm else uj["qnn"], origin)
            lw, st = lifetimes(joule, workload, uj["snn-layerwise"], uj["snn-streaming"], origin)
            mq, ms = lifetimes(joule, workload, uj["model-qnn"], uj["model-snn"], "the board model")
            lines.append(f"| {workload['name']} | {rate} | {name} | {f'{c:.2f}' if cm else '—'} | {q:.2f} | {lw:.2f} | "
                         f"{st:.2f} | {mq:.2f} / {ms:.2f} |")
    return "\n".join(lines)


def main(dirs, dsp=False, joule=None, workloads=None):
    ok = True
    rows, layer_tables, energy_rows = [], [], []
    measured = {}
    for d in dirs:
        jpath = glob.glob(os.path.join(d, "*-compact.jmod"))[0]
        m = jmod.read(jpath)
        name = os.path.basename(jpath)[: -len("-compact.jmod")]
        L = len(m.layers)
        have_cm = os.path.exists(os.path.join(d, "cmsis.marks"))  # absent: Joule only (smoke without CMSIS-NN)
        cm = marks(os.path.join(d, "cmsis.marks")) if have_cm else {}
        cm_layers = [cm.get(i + 2, 0) for i in range(L)]
        cm_total = sum(cm_layers)
        cm_out = ints(line_after(os.path.join(d, "cmsis.out"), "outputs:") or "") if have_cm else []
        cm_size = size(os.path.join(d, "cmsis.size")) if have_cm else None
        per_layer, kernels = {}, {}
        for mode, label in MODES:
            host = ints(open(os.path.join(d, f"host-{mode}.scores")).read())
            got = ints(line_after(os.path.join(d, f"joule-{mode}.out"), "scores:") or "")
            mk = marks(os.path.join(d, f"joule-{mode}.marks"))
            total = mk.get(2, 0)
            # Streaming marks every layer once per step: marks 4 + s·L + i, summed over the steps s.
            steps = m.default_T if mode == "snn-streaming" else 1
            per_layer[mode] = [sum(mk.get(s * L + i + 4, 0) for s in range(steps)) for i in range(L)]
            host_counters = ints(open(os.path.join(d, f"host-{mode}.counters")).read())
            got_counters = ints(line_after(os.path.join(d, f"joule-{mode}.out"), "counters:") or "")
            same = got == host and got_counters == host_counters and len(host_counters) == 11
            ok &= same
            ran = ints(line_after(os.path.join(d, f"joule-{mode}.out"), "kernels:") or "")
            kernels[mode] = ran
            if dsp and mode != "snn-streaming":
                missed = [layer.name for i, layer in enumerate(m.layers)
                          if layer.kind in ("conv2d", "linear") and layer.weight_bits == 8
                          and (i >= len(ran) or ran[i] != DSP_GATHER)]
                if missed:
                    print(f"m4-bench: {name} {mode}: the DSP gather did not run {', '.join(missed)}", file=sys.stderr)
                    ok = False
            fw = size(os.path.join(d, f"firmware-{mode}.size"))
            cm_arg = argmax(cm_out) if cm_out else -1
            stack = (line_after(os.path.join(d, f"joule-{mode}.out"), "stack ") or "?",
                     (line_after(os.path.join(d, "cmsis.out"), "stack ") or "?") if have_cm else "—")
            energy_path, board_path = os.path.join(d, "energy.json"), os.path.join(d, "board.json")
            if mode == "snn-streaming":
                energy_path = os.path.join(d, "energy-streaming.json")
            if total > 0 and os.path.exists(energy_path) and os.path.exists(board_path):
                board = json.load(open(board_path))
                pj_per_cycle = board["operations"]["addPJ"]["value"]
                model_pj = json.load(open(energy_path))["boards"][0]["qnn" if mode == "qnn" else "snn"]["totalPJ"]
                counted_pj = total * pj_per_cycle
                cm_pj = cm_total * pj_per_cycle if cm_total else None
                # The same estimate read back through the C API on the emulated M4 (rounded to pJ).
                device = ints(line_after(os.path.join(d, f"joule-{mode}.out"), "energy:") or "")
                device_pj = device[0] if device else None
                if device_pj is None or abs(device_pj - model_pj) > 1:
                    print(f"m4-bench: {name} {mode}: the M4's joule_total_energy ({device_pj} pJ) is not the host's "
                          f"board model ({model_pj:.0f} pJ)", file=sys.stderr)
                    ok = False
                energy_rows.append(f"| {name} | {label} | {model_pj / 1e6:,.1f} | "
                                   f"{f'{device_pj / 1e6:,.1f}' if device_pj is not None else '—'} | {total:,} | "
                                   f"{counted_pj / 1e6:,.1f} | {model_pj / counted_pj:.2f} | "
                                   f"{f'{cm_pj / 1e6:,.1f}' if cm_pj else '—'} |")
                energy_board = (board["name"], pj_per_cycle)
                uj = measured.setdefault(name, {})
                uj[mode] = counted_pj / 1e6
                if mode != "snn-streaming":
                    uj["model-qnn" if mode == "qnn" else "model-snn"] = model_pj / 1e6
                if cm_pj:
                    uj["cmsis"] = cm_pj / 1e6
            cm_cells = (f"{cm_total:,} | {total / cm_total:.2f}" if cm_total else "— | —")
            cm_sz = f"{cm_size[0]:,} / {cm_size[1]:,} / {cm_size[2]:,}" if cm_size else "—"
            rows.append(f"| {name} | {label} | {m.default_T} | {total:,} | {cm_cells} | "
                        f"{fw[0]:,} / {fw[1]:,} / {fw[2]:,} | {cm_sz} | {stack[0]} / {stack[1]} | "
                        f"{'yes' if same else 'NO'} | {argmax(host)} / {cm_arg if have_cm else '—'} |")
        t = [f"\n{name}: instructions per layer (Joule: the marked second run; per MAC in brackets)\n",
             "| layer | MACs | kernel QNN / SNN / streaming | Joule QNN | Joule SNN layer-wise | Joule SNN streaming | "
             "CMSIS-NN | QNN / CMSIS-NN |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
        for i, layer in enumerate(m.layers):
            n = macs(layer)
            def cell(v):
                return f"{v:,}" + (f" ({v / n:.2f})" if n else "")
            q, s, st, c = per_layer["qnn"][i], per_layer["snn-layerwise"][i], per_layer["snn-streaming"][i], cm_layers[i]
            tags = " / ".join(KERNEL_TAGS.get(kernels[mode][i], "?") if i < len(kernels[mode]) else "?"
                              for mode, _ in MODES)
            t.append(f"| {layer.name} ({layer.kind}) | {n:,} | {tags} | {cell(q)} | {cell(s)} | {cell(st)} | "
                     f"{cell(c) if have_cm else '—'} | "
                     f"{f'{q / c:.2f}' if c else '—'} |")
        ratio = f"{sum(per_layer['qnn']) / cm_total:.2f}" if cm_total else "—"
        t.append(f"| sum | {sum(macs(x) for x in m.layers):,} | | {sum(per_layer['qnn']):,} | "
                 f"{sum(per_layer['snn-layerwise']):,} | {sum(per_layer['snn-streaming']):,} | "
                 f"{f'{cm_total:,}' if have_cm else '—'} | "
                 f"{ratio} |")
        layer_tables.append("\n".join(t))
    print("\nCortex-M4 (QEMU mps2-an386), instructions per inference; sizes text / data / bss in bytes "
          "(Joule: the stock firmware image, Tools/firmware cortex-m4; CMSIS-NN: the harness image; both bss "
          "include an 8 KiB stack); stack used: high-water mark on the emulated M4\n")
    print("| model | mode | T | Joule | CMSIS-NN | Joule / CMSIS-NN | Joule firmware | CMSIS-NN harness | "
          "stack used Joule / CMSIS-NN | scores, counters = host | argmax host / CMSIS-NN |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    print("\n".join(rows))
    for t in layer_tables:
        print(t)
    print("\nkernels: M the DSP gather (SMLAD), P the plain gather, s the plain per-spike scatter, - pooling")
    if energy_rows:
        name, pj = energy_board
        print(f"\nMCU energy per inference on {name}: the board's analytical model (`joule energy`, from the "
              f"run's event counters) against the instructions executed × its {pj:g} pJ per cycle "
              f"(one cycle per instruction: a lower bound, loads and taken branches take 2+)\n")
        print("| model | mode | board model µJ | read back on the M4 (C API) µJ | instructions | "
              "instructions × pJ/cycle µJ | model / instructions | CMSIS-NN instructions × pJ/cycle µJ |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        print("\n".join(energy_rows))
    full = [n for n, uj in measured.items() if all(k in uj for k in ("qnn", "snn-layerwise", "snn-streaming"))]
    if joule and workloads and full:
        name, pj = energy_board
        print(f"\nBattery lifetime in days per smartwatch workload (`joule lifetime`, Workloads/*.json, on {name}) "
              f"when one inference costs the instructions executed × {pj:g} pJ (a lower bound: one cycle per "
              f"instruction); the last column prices the run's counters with the board model instead (SNN: "
              f"layer-wise)\n")
        print(battery_table(joule, workloads, {n: measured[n] for n in full}))
    if not ok:
        print("m4-bench: the emulated M4's scores, event counters or energy read-back differ from the host's "
              "(see above)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    args = sys.argv[1:]
    dsp = "--dsp" in args
    args = [a for a in args if a != "--dsp"]
    opts = {}
    for key in ("--joule", "--workloads"):
        if key in args:
            k = args.index(key)
            opts[key[2:]] = args[k + 1]
            del args[k:k + 2]
    main(args, dsp=dsp, **opts)
