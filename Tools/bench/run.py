#!/usr/bin/env python3
"""Joule next to its peers: the same weights (reference workloads W1/W2, or any plain-chain Joule
JSON model) through Joule (QNN, SNN layer-wise, SNN streaming), ONNX Runtime fp32 and int8, PyTorch
fp32, TensorFlow Lite Micro int8, SpikingJelly IF and snnTorch IF; one thread, batch 1, rounds
interleaved; one table of latency, throughput, speed ratio, memory and argmax agreement.

  .venv-bench/bin/python Tools/bench/run.py --workload w2 --out out/bench/w2      # ~2 min
  .venv-bench/bin/python Tools/bench/run.py --workload w1 --out out/bench/w1      # ~10 min

See Tools/bench/README.md for what every column means and the caveats."""
import argparse, datetime, gzip, json, os, platform, resource, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = "1"       # before numpy/torch are imported

import numpy as np                      # noqa: E402
from model import Model                 # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
WORKLOADS = {"w2": ("W2 watch-net", "watch-net-ref"), "w1": ("W1 VGG*", "vgg-star-ref"),
             "w2t": ("W2 watch-net, trained (Models/watch-net: 90.10 % on Fashion-MNIST)", "watch-net")}
TRAINED = {"w2t": os.path.join(ROOT, "Models", "watch-net.json")}     # committed models, not generated
FASHION_KEYS = ("w2", "w2t")
PEERS = ["onnx-fp32", "onnx-int8", "torch-fp32", "tflm-int8", "spikingjelly", "snntorch"]
LABELS = {"joule-qnn": "Joule QNN", "joule-snn-lw": "Joule SNN T=%d layer-wise",
          "joule-snn-ev": "Joule SNN T=%d layer-wise, event-driven kernels only",
          "joule-snn-st": "Joule SNN T=%d streaming", "onnx-fp32": "ONNX Runtime fp32",
          "onnx-int8": "ONNX Runtime int8 (QLinearConv)", "torch-fp32": "PyTorch fp32 (eager)",
          "tflm-int8": "TFLite Micro int8", "spikingjelly": "SpikingJelly IF T=%d (multi-step)",
          "snntorch": "snnTorch IF T=%d"}
SNN_PEERS = ("spikingjelly", "snntorch")


def clean_run(cmd, **kw):
    """Runs cmd as a grandchild through sh: Linux carries a process's peak RSS (ru_maxrss) across
    fork+exec, so a child forked straight from this Python (torch loaded, hundreds of MiB) would
    report our peak as its own; sh forks it afresh from a small process."""
    return subprocess.run(["sh", "-c", '"$@"; exit $?', "sh"] + list(cmd), **kw)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def make_peer(name, m, calibration):
    if name in ("onnx-fp32", "onnx-int8"):
        import peers_onnx as po
        int8 = name == "onnx-int8"
        return po.OrtRunner(po.build_int8(m) if int8 else po.build_fp32(m), int8)
    import peers_torch as pt
    if name == "torch-fp32":
        return pt.TorchRunner(m)
    if name == "spikingjelly":
        return pt.SpikingJellyRunner(m)
    if name == "snntorch":
        return pt.SnnTorchRunner(m)
    if name == "tflm-int8":
        import peers_tflm as ptf
        return ptf.TflmRunner(m, calibration)
    raise ValueError(name)


# ---------------------------------------------------------------- our runtime (subprocess)
class Joule:
    def __init__(self, bin_dir, jmod, work):
        self.joule, self.jmod, self.work = os.path.join(bin_dir, "joule"), jmod, work

    def scores(self, input_path, mode, schedule=None):
        cmd = [self.joule, "run", self.jmod, "--mode", mode, "--input", input_path]
        if schedule:
            cmd += ["--schedule", schedule]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("scores:"))
        return np.array([int(v) for v in line.split(":", 1)[1].split()], np.int64)

    def bench(self, input_path, reps):
        path = os.path.join(self.work, "joule-bench.json")
        # Both kernel policies: automatic (the SNN over spike counts where a cost model prefers
        # it) and events (the SNN's event-driven kernels only: an accumulate per spike).
        clean_run([self.joule, "bench", self.jmod, "--rounds", str(reps), "--json", path, "--input", input_path,
                   "--kernel", "automatic,events"],
                  check=True, capture_output=True, text=True)
        with open(path) as f:
            return json.load(f)


def ensure_models(args, stem, key=None):
    models = os.path.join(args.work, "models")
    os.makedirs(models, exist_ok=True)
    js = TRAINED.get(key) or os.path.join(models, stem + ".json")
    if not os.path.exists(js):
        subprocess.run([sys.executable, os.path.join(ROOT, "Tools", "reference_workloads.py"), models], check=True)
    jmod = os.path.join(models, stem + ".jmod")
    packer = os.path.join(args.bin, "packmodel")
    # Re-pack when the model or the packer changed: a packer's arena plans decide which kernels run.
    if not os.path.exists(jmod) or os.path.getmtime(jmod) < max(os.path.getmtime(js), os.path.getmtime(packer)):
        subprocess.run([packer, js, "-o", jmod], check=True, capture_output=True)
    return js, jmod


def inputs_for(m, key, n, seed):
    size = int(np.prod(m.input_shape))
    if key in FASHION_KEYS and m.input_shape == (1, 28, 28) and os.path.exists(FASHION):
        raw = gzip.open(FASHION).read()
        return np.frombuffer(raw[16:], np.uint8).reshape(-1, size)[:n].copy(), \
            "first %d Fashion-MNIST test images" % n
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, size), dtype=np.uint8), "%d seeded random inputs (seed %d)" % (n, seed)


def timed(fn, x, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn(x)
        ts.append((time.perf_counter_ns() - t0) * 1e-9)
    return statistics.median(ts)


def rss_of(name, args, key):
    """Peak RSS (bytes) of a fresh Python process that builds this peer and runs one inference."""
    cmd = [sys.executable, os.path.abspath(__file__), "--workload", key, "--work", args.work, "--bin", args.bin,
           "--rss-of", name, "--images", "1"]
    out = clean_run(cmd, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("peak-rss "):
            return int(line.split()[1])
    log("  rss of %s failed: %s" % (name, out.stderr[-500:]))
    return None


def rss_child(args, key):
    _, stem = WORKLOADS[key]
    js, _ = ensure_models(args, stem, key)
    m = Model(js)
    x, _ = inputs_for(m, key, 1, args.seed)
    cal = np.full(m.classes, 1e3) if args.rss_of == "tflm-int8" else None
    runner = make_peer(args.rss_of, m, cal)
    runner(runner.prepare(x[0], m.input_shape))
    print("peak-rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


# ---------------------------------------------------------------- one workload
def run_workload(args, key):
    title, stem = WORKLOADS[key]
    js, jmod = ensure_models(args, stem, key)
    m = Model(js)
    T = m.T
    work = os.path.join(args.work, key)
    os.makedirs(work, exist_ok=True)
    joule = Joule(args.bin, jmod, work)
    small = key in FASHION_KEYS
    n = args.images or (20 if small else 5)
    rounds = args.rounds or (7 if small else 3)
    reps = args.reps or (5 if small else 1)
    xs, input_note = inputs_for(m, key, n, args.seed)
    paths = []
    for i, x in enumerate(xs):
        p = os.path.join(work, "input%02d.bin" % i)
        x.tofile(p)
        paths.append(p)
    log("== %s (%s): %d MAC, T=%d, %s" % (title, stem, m.macs(), T, input_note))

    # ---- our outputs on every input (QNN; SNN streaming, the schedule the SNN frameworks run)
    ours_q = np.array([joule.scores(p, "qnn") for p in paths])
    ours_st = np.array([joule.scores(p, "snn", "streaming") for p in paths])
    checks = {}
    if small or args.check_integer:
        ref = np.array([m.run_integer(x) for x in xs])
        checks["qnn_equals_numpy_integer_reference"] = bool(np.array_equal(ref, ours_q))
        log("  Joule QNN scores equal the numpy integer reference:", checks["qnn_equals_numpy_integer_reference"])
    ours_q_arg, ours_st_arg = ours_q.argmax(1), ours_st.argmax(1)
    top3 = lambda scores: np.argsort(-np.asarray(scores, np.float64), axis=1, kind="stable")[:, :3]
    ours_q_top3, ours_st_top3 = top3(ours_q), top3(ours_st)

    # ---- peers: build, outputs on every input, agreement
    real_scores = ours_q.astype(np.float64) / 2.0 ** m.layers[-1]["S"]
    peers, agreement = {}, {}
    for name in [p for p in PEERS if p not in args.skip]:
        t0 = time.time()
        r = make_peer(name, m, real_scores)
        outs = np.array([r(r.prepare(x, m.input_shape)) for x in xs])
        arg = outs.argmax(1)
        agreement[name] = {"vs_qnn": int((arg == ours_q_arg).sum()), "vs_snn_streaming": int((arg == ours_st_arg).sum()),
                           "top3_vs_qnn": int((top3(outs) == ours_q_top3).all(1).sum()),
                           "top3_vs_snn_streaming": int((top3(outs) == ours_st_top3).all(1).sum()), "n": len(xs)}
        peers[name] = r
        log("  %-13s built + %d inputs in %.1fs; argmax = Joule QNN %d/%d, = Joule SNN streaming %d/%d"
            % (name, len(xs), time.time() - t0, agreement[name]["vs_qnn"], len(xs), agreement[name]["vs_snn_streaming"], len(xs)))
    tflm_arena = peers["tflm-int8"].measure_arena() if "tflm-int8" in peers else None

    # ---- timing: rounds interleaved, every system once per round, order rotated each round
    feed = {k: r.prepare(xs[0], m.input_shape) for k, r in peers.items()}
    for k, r in peers.items():                                   # warm-up
        for _ in range(2):
            r(feed[k])
    systems = ["joule"] + list(peers)
    ours = {"joule-qnn": ("qnn", "automatic"), "joule-snn-lw": ("snn-layerwise", "automatic"),
            "joule-snn-ev": ("snn-layerwise", "events"), "joule-snn-st": ("snn-streaming", "automatic")}
    samples = {k: [] for k in list(ours) + list(peers)}
    uncounted = {k: [] for k in ours}
    ratios = {k: [] for k in ours}  # counted / uncounted, paired
    bench_doc = None
    load_before = os.getloadavg()
    t_start = time.time()
    for rnd in range(rounds):
        order = systems[rnd % len(systems):] + systems[:rnd % len(systems)]
        for s in order:
            if s == "joule":
                doc = joule.bench(paths[0], reps)
                bench_doc = bench_doc or doc
                by = {(d["mode"], d["kernel"]): d for d in doc["modes"]}
                for k, variant in ours.items():
                    samples[k].append(by[variant]["medianSeconds"])
                    uncounted[k].append(by[variant]["uncountedMedianSeconds"])
                    ratios[k].extend(by[variant]["countingRatios"])
            else:
                samples[s].append(timed(peers[s], feed[s], reps))
        log("  round %d/%d: " % (rnd + 1, rounds) + ", ".join("%s %.2f ms" % (k, v[-1] * 1e3) for k, v in samples.items()))
    load_after = os.getloadavg()
    med = {k: statistics.median(v) for k, v in samples.items()}

    # ---- memory
    rss = {k: rss_of(k, args, key) for k in peers} if not args.no_rss else {}
    by = {(d["mode"], d["kernel"]): d for d in bench_doc["modes"]}

    rows = []
    for k in samples:
        label = LABELS[k] % T if "%d" in LABELS[k] else LABELS[k]
        row = {"id": k, "system": label, "latency_ms": med[k] * 1e3, "images_per_s": 1.0 / med[k],
               "rounds_ms": [v * 1e3 for v in samples[k]]}
        if k.startswith("joule"):
            mode = ours[k]
            row["layer_kernels"] = by[mode]["layerKernels"]
            row["arena_bytes"] = by[mode]["arenaBytes"]
            row["peak_rss_bytes"] = bench_doc["peakResidentBytes"]
            row["spike_or_activity_rate"] = by[mode]["spikeRate"]
            # Median of every back-to-back pair (counters on / off) of every round.
            row["counting_overhead"] = statistics.median(ratios[k]) - 1
            row["layer_ms"] = {name: sec * 1e3 for name, sec in by[mode]["layerSeconds"].items()}
            if k == "joule-qnn":
                row["agreement"] = "reference"
            elif k in ("joule-snn-lw", "joule-snn-ev"):
                row["agreement"] = "= QNN (exact by construction)"
            else:
                a = int((ours_st_arg == ours_q_arg).sum())
                a3 = int((ours_st_top3 == ours_q_top3).all(1).sum())
                row["agreement"] = "%d/%d vs QNN (top-3 %d/%d)" % (a, n, a3, n)
        else:
            row["peak_rss_bytes"] = rss.get(k)
            if k == "tflm-int8":
                row["arena_bytes"] = tflm_arena
            a = agreement[k]
            if k in SNN_PEERS:
                row["agreement"] = "%d/%d vs SNN streaming (top-3 %d/%d); %d/%d vs QNN" % (
                    a["vs_snn_streaming"], n, a["top3_vs_snn_streaming"], n, a["vs_qnn"], n)
                row["ours_over_peer"] = {"snn-layerwise": med[k] / med["joule-snn-lw"],
                                         "snn-layerwise-events": med[k] / med["joule-snn-ev"],
                                         "snn-streaming": med[k] / med["joule-snn-st"]}
            else:
                row["agreement"] = "%d/%d vs QNN (top-3 %d/%d)" % (a["vs_qnn"], n, a["top3_vs_qnn"], n)
                row["ours_over_peer"] = {"qnn": med[k] / med["joule-qnn"]}
            row["agreement_counts"] = a
        rows.append(row)
    return {"workload": title, "model": stem, "json": os.path.relpath(js, ROOT), "macs": m.macs(), "timesteps": T,
            "inputs": input_note, "timing_input": os.path.relpath(paths[0], ROOT), "rounds": rounds,
            "reps_per_round": reps, "load_before": load_before, "load_after": load_after,
            "seconds": time.time() - t_start, "distinct_classes_ours": int(len(set(ours_q_arg.tolist()))),
            "checks": checks, "rows": rows}


# ---------------------------------------------------------------- report
def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    flags = open("/proc/cpuinfo").read()
    simd = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni") if " %s " % f in flags] or ["none of avx2/avx512"]
    return {"cpu": cpu, "logical_cpus": os.cpu_count(), "simd": simd, "kernel": platform.release()}


def versions():
    import importlib.metadata as md
    out = {}
    for p in ("numpy", "onnx", "onnxruntime", "torch", "tflite-micro", "spikingjelly", "snntorch"):
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = None
    try:
        out["joule"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                      text=True).stdout.strip()
    except OSError:
        pass
    return out


def fmt_bytes(b):
    if b is None:
        return "–"
    return "{:,} B".format(b) if b < 1 << 20 else "%.1f MiB" % (b / 2 ** 20)


def ratio_text(row):
    r = row.get("ours_over_peer")
    if not r:
        return "–"
    if "qnn" in r:
        return "%.2f×" % r["qnn"]
    return "%.2f× lw · %.2f× ev · %.2f× st" % (r["snn-layerwise"], r["snn-layerwise-events"], r["snn-streaming"])


def markdown(report):
    mc = report["machine"]
    lines = ["# Joule vs peers, %s" % report["date"], "",
             "Machine: %s, %d logical CPUs (%s), Linux %s; pinned to CPU %s, one thread, batch 1. "
             "Versions: %s (checkout; `joule` binary built %s)." % (
                 mc["cpu"], mc["logical_cpus"], ", ".join(mc["simd"]), mc["kernel"], report["cpu_pinned"],
                 ", ".join("%s %s" % kv for kv in report["versions"].items()), report["joule_binary_built"]), ""]
    for w in report["workloads"]:
        lines += ["## %s (`%s`, %s MAC, T = %d)" % (w["workload"], w["model"], "{:,}".format(w["macs"]), w["timesteps"]), "",
                  "| system | latency ms | img/s | ours/peer | arena | peak RSS | argmax agreement |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for r in w["rows"]:
            arena = fmt_bytes(r.get("arena_bytes")) if r.get("arena_bytes") is not None else "–"
            lines.append("| %s | %.3f | %.1f | %s | %s | %s | %s |" % (
                r["system"], r["latency_ms"], r["images_per_s"], ratio_text(r), arena,
                fmt_bytes(r.get("peak_rss_bytes")), r["agreement"]))
        counting = [r for r in w["rows"] if "counting_overhead" in r]
        if counting:
            lines += ["", "Event counters on vs off (median of the back-to-back pairs of all rounds): " + ", ".join(
                "%s %+.1f %%" % (r["system"], 100 * r["counting_overhead"]) for r in counting) + "."]
        chk = "; ".join("%s: %s" % kv for kv in w["checks"].items())
        lines += ["", "Medians of %d interleaved rounds (each round: every system once, order rotated; a round's "
                  "sample is the median of %d back-to-back inferences, Joule's from one `joule bench --rounds %d` "
                  "call). Timing input: `%s`. Agreement on %s (our QNN predicts %d distinct classes on them; top-3 = "
                  "the three best classes in the same order)%s. Peak RSS: whole process (peers: a fresh Python "
                  "process that loads only that framework and runs one inference; Joule: `joule bench`, all "
                  "three modes). "
                  "ours/peer = peer latency / our latency (QNN for non-spiking peers; SNN layer-wise (lw), "
                  "layer-wise with event-driven kernels only (ev) and streaming (st) for the SNN frameworks): > 1 "
                  "means Joule is faster. The layer-wise SNN's automatic kernels evaluate a layer over its input's "
                  "spike counts (the dense convolution, a multiply-add per firing input) where a cost model "
                  "prices that below its event-driven kernels: exact, since a layer-wise neuron fires on its "
                  "integrated total; its counters still count the spike trains' events. Load average %.1f before, "
                  "%.1f after%s; the interleaving keeps the ratios comparable." % (
                      w["rounds"], w["reps_per_round"], w["reps_per_round"], w["timing_input"], w["inputs"],
                      w["distinct_classes_ours"], ("; " + chk) if chk else "", w["load_before"][0], w["load_after"][0],
                      ": **the 2-core machine was shared with other jobs**, absolute times are noisy"
                      if max(w["load_before"][0], w["load_after"][0]) > 1.2 else ""), ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", choices=["w1", "w2", "w2t", "both", "all"], default="w2",
                    help="both = w2 and w1; all = w2, w2t (the trained watch-net) and w1")
    ap.add_argument("--out", help="write OUT.md and OUT.json")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default: W2 7, W1 3)")
    ap.add_argument("--reps", type=int, help="inferences per system per round (default: W2 5, W1 1)")
    ap.add_argument("--images", type=int, help="inputs for the agreement check (default: W2 20, W1 5)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random inputs (W1)")
    ap.add_argument("--cpu", type=int, default=1, help="CPU to pin to (-1: no pinning)")
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"), help="where joule and packmodel are")
    ap.add_argument("--work", default=os.path.join(ROOT, "out", "bench"), help="models and inputs go here")
    ap.add_argument("--skip", nargs="*", default=[], choices=PEERS, help="peers to leave out")
    ap.add_argument("--no-rss", action="store_true", help="skip the per-peer peak-RSS child processes")
    ap.add_argument("--check-integer", action="store_true", help="W1 too: compare Joule QNN with the numpy reference")
    ap.add_argument("--rss-of", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})     # children (joule, RSS probes) inherit it
    if not args.rss_of or args.rss_of in ("torch-fp32",) + SNN_PEERS:   # RSS probes load only what they need
        import torch
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    if args.rss_of:
        return rss_child(args, args.workload)
    for tool in ("joule", "packmodel"):
        if not os.path.exists(os.path.join(args.bin, tool)):
            sys.exit("%s not found in %s: run `Tools/setup --main-job` first (the build for this machine's instruction set)" % (tool, args.bin))
    built = datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(args.bin, "joule"))).astimezone()
    report = {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(),
              "cpu_pinned": args.cpu if args.cpu >= 0 else "none", "versions": versions(),
              "joule_binary_built": built.strftime("%Y-%m-%d %H:%M %Z"), "workloads": []}
    keys = {"both": ["w2", "w1"], "all": ["w2", "w2t", "w1"]}.get(args.workload, [args.workload])
    for key in keys:
        report["workloads"].append(run_workload(args, key))
    md = markdown(report)
    print(md)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out + ".md", "w") as f:
            f.write(md + "\n")
        with open(args.out + ".json", "w") as f:
            json.dump(report, f, indent=1)
        log("wrote %s.md and %s.json" % (args.out, args.out))


if __name__ == "__main__":
    main()
