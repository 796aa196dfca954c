"""Every command's --json agrees with its own text output (read back from both, independently)."""
import json
import re

import pytest

BOARDS = ["paper-v1-classic-45nm", "nrf52840-cortex-m4-64mhz"]


def text_and_json(joule, *args):
    text = joule(*args)
    doc = json.loads(joule(*args, "--json", "-"))  # the whole standard output must be one JSON document
    return text, doc


def close(a, b, digits):
    """`a` printed with `digits` decimals equals the text value `b`."""
    return f"{a:.{digits}f}" == b


def test_eval(joule, watch_net):
    text, doc = text_and_json(joule, "eval", watch_net, "--mode", "snn", "--limit", "300")
    assert doc["format"] == "joule-eval" and doc["formatVersion"] == 1 and doc["mode"] == "snn-layerwise"
    m = re.search(r"accuracy ([\d.]+) % \((\d+)/(\d+)\)", text)
    assert close(doc["accuracy"] * 100, m.group(1), 2)
    assert (doc["correct"], doc["images"]) == (int(m.group(2)), int(m.group(3))) == (doc["correct"], 300)
    m = re.search(r"activation sparsity ([\d.]+) %, spike rate s_r ([\d.]+)", text)
    assert close(doc["sparsity"] * 100, m.group(1), 2) and close(doc["spikeRate"], m.group(2), 4)
    hidden = [l for l in doc["layers"] if l["hidden"]]
    assert hidden, "no hidden layers in the JSON"
    for layer in hidden:
        m = re.search(rf"^{re.escape(layer['name'])}\s+([\d.]+) %\s+([\d.]+)$", text, re.M)
        assert m, f"layer {layer['name']} missing from the text"
        assert close(layer["sparsity"] * 100, m.group(1), 2) and close(layer["spikeRate"], m.group(2), 4)
    total = re.search(r"^total\s+([\d\s]+)$", text, re.M).group(1).split()
    keys = ["denseSynapticOps", "effectiveMACs", "effectiveACs", "inputEvents", "outputEvents", "outputLevelSum",
            "neuronUpdates", "membraneReads", "weightReadBits", "activationReadBits", "activationWriteBits"]
    assert [int(v) for v in total] == [doc["totalCounters"][k] for k in keys]
    assert sum(l["counters"]["outputLevelSum"] for l in doc["layers"]) == doc["totalCounters"]["outputLevelSum"]
    assert re.search(rf"^scores digest {doc['scoresDigest']} ", text, re.M)


def fnv1a(words):
    """FNV-1a 64 over 64-bit words, little-endian bytes (docs/json-output.md, `scoresDigest`)."""
    h = 0xCBF29CE484222325
    for w in words:
        for byte in (w & (2**64 - 1)).to_bytes(8, "little"):
            h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h


def test_eval_scores_digest_is_every_images_scores(joule, watch_net, tmp_path):
    """The digest, recomputed here from `joule run`'s printed scores of the first three test images."""
    import gzip
    raw = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()
    for mode in ["qnn", "snn"]:
        per_image = []
        for i in range(3):
            image = tmp_path / f"{i}.raw"
            image.write_bytes(raw[16 + 784 * i:16 + 784 * (i + 1)])
            scores = re.search(r"^scores: (.*)$", joule("run", watch_net, "--mode", mode, "--input", str(image)), re.M)
            per_image.append(fnv1a(int(v) for v in scores.group(1).split()))
        doc = json.loads(joule("eval", watch_net, "--mode", mode, "--limit", "3", "--json", "-"))
        assert doc["scoresDigest"] == f"{fnv1a(per_image):016x}", mode


def test_energy(joule, watch_net):
    args = ["energy", watch_net, "--images", "20"] + [a for b in BOARDS for a in ("--board", b)]
    text, doc = text_and_json(joule, *args)
    assert [b["board"] for b in doc["boards"]] == BOARDS and doc["inputs"] == 20
    sections = text.split("board ")[1:]
    assert len(sections) == len(BOARDS)
    for section, board in zip(sections, doc["boards"]):
        assert section.startswith(board["board"])
        rows = {line.split("|")[0].strip(): [c.strip() for c in line.split("|")[1:]]
                for line in section.splitlines() if line.count("|") == 5}
        for layer in board["layers"] + [{"name": "total", "qnn": board["qnn"], "snn": board["snn"]}]:
            cells = rows[layer["name"]]
            assert close(layer["qnn"]["totalPJ"] / 1000, cells[0], 3) and close(layer["snn"]["totalPJ"] / 1000, cells[1], 3)
            parts = [float(v) for v in cells[3].split("/")]
            q = layer["qnn"]
            assert parts == pytest.approx([q["computePJ"] / 1000, q["onChipMemoryPJ"] / 1000, q["offChipMemoryPJ"] / 1000,
                                           q["networkPJ"] / 1000], abs=6e-4)
        assert close(board["snnOverQnn"], rows["total"][2], 3)


def test_breakeven(joule):
    args = ["breakeven", "--spike-rate", "0.03", "--at-timesteps", "6"] + [a for b in BOARDS for a in ("--board", b)]
    text, doc = text_and_json(joule, *args)
    assert [b["board"] for b in doc["boards"]] == BOARDS
    for board in doc["boards"]:
        section = text.split(board["board"] + " — ")[1]
        for row in board["rows"]:
            m = re.search(rf"^\s*{row['timesteps']} \|\s+(\d+) \|\s+([\d.]+) \|\s+([\d.]+) \|\s+([\d.]+)", section, re.M)
            assert m, f"T = {row['timesteps']} missing for {board['board']}"
            assert int(m.group(1)) == row["activationBits"]
            assert close(row["sparsity"] * 100, m.group(2), 2) and close(row["spikeRate"] * 100, m.group(3), 2)
            assert close(row["qnnPJPerSynapse"], m.group(4), 4)
        measured = board["measured"]
        m = re.search(r"the SNN (saves energy|costs more energy) on (\S+) \(break-even spike rate ([\d.]+) %; "
                      r"SNN/QNN energy per synapse ([\d.]+)\)", section)
        assert m.group(2) == board["board"]
        assert (m.group(1) == "saves energy") == measured["snnSavesEnergy"]
        assert close(measured["breakEvenSpikeRate"] * 100, m.group(3), 2) and close(measured["snnOverQnn"], m.group(4), 3)
        assert measured["snnSavesEnergy"] == (measured["snnOverQnn"] < 1)


def test_lifetime(joule, watch_net, tmp_path):
    args = ["lifetime", "Workloads/activity-recognition.json", "--model", watch_net, "--svg-prefix", str(tmp_path / "w")]
    text, doc = text_and_json(joule, *args)
    assert [t["twin"] for t in doc["twins"]] == ["qnn", "snn"]
    for twin in doc["twins"]:
        m = re.search(rf"^{twin['twin'].upper()}\s+\|\s+([\d.]+) \|\s+([\d.]+) \|\s+([\d.]+) \|", text, re.M)
        assert close(twin["microjoulesPerInference"], m.group(1), 3)
        assert close(twin["lifetimeDaysSimulated"], m.group(2), 3) and close(twin["lifetimeDaysClosedForm"], m.group(3), 3)
        watts = sum(twin["batteryMicrowatts"].values())
        assert twin["batteryMicrowatts"]["inference"] == pytest.approx(watts * twin["inferenceShare"])
    m = re.search(r"SNN/QNN lifetime ratio: ([\d.]+)×", text)
    assert close(doc["snnOverQnnLifetime"], m.group(1), 3)
    assert len(doc["rateSweep"]) > 4


def test_bench(joule, watch_net):
    args = ["bench", watch_net, "--rounds", "3", "--modes", "qnn,snn-layerwise"]
    text = joule(*args)
    doc = json.loads(joule(*args, "--json", "-"))  # separate runs: timings differ, layout and arenas do not
    assert [v["mode"] for v in doc["modes"]] == ["qnn", "snn-layerwise"] and doc["rounds"] == 3
    assert doc["denseBlock"] in ("none", "avx2", "avx512VNNI")
    assert f"dense convolution block in this build: {doc['denseBlock']} " in text
    for v, label in zip(doc["modes"], ["QNN", "SNN layer-wise"]):
        m = re.search(rf"^{label}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)×\s+(\d+)\s+([\d.]+)", text, re.M)
        assert int(m.group(5)) == v["arenaBytes"]
        assert close(v["spikeRate"], m.group(6), 4)
        assert v["medianSeconds"] > 0 and v["imagesPerSecond"] == pytest.approx(1 / v["medianSeconds"])
        assert set(v["layerSeconds"]) == set(v["layerKernels"]) == set(v["layerCosts"])
        for name, cost in v["layerCosts"].items():  # terms of the kernel that ran (KernelCostTerms)
            if v["layerKernels"][name] in ("pooling", "plainGather", "plainScatter"):
                assert cost is None
            elif cost is not None:
                assert len(cost["terms"]) == 8 and cost["function"] in doc["costCoefficients"]
                assert name in doc["layerInputs"]
    assert sorted(doc["costCoefficients"]) == ["dense", "eventGather", "eventScatter", "spikeGather", "spikeScatter"]


def test_sweep_t(joule, watch_net, tmp_path):
    args = ["sweep-t", watch_net, "--t-min", "2", "--t-max", "4", "--limit", "100", "--svg", str(tmp_path / "s.svg")]
    text, doc = text_and_json(joule, *args)
    assert [p["timesteps"] for p in doc["points"]] == [2, 3, 4] and doc["images"] == 100
    for p in doc["points"]:
        m = re.search(rf"^\s*{p['timesteps']}\s+([\d.]+) %\s+([\d.]+)$", text, re.M)
        assert close(p["accuracy"] * 100, m.group(1), 2) and close(p["spikeRate"], m.group(2), 4)


def test_compare(joule, watch_net):
    args = ["compare", watch_net, "--images", "200", "--no-streaming"] + [a for b in BOARDS for a in ("--board", b)]
    text, doc = text_and_json(joule, *args)
    assert doc["format"] == "joule-compare" and doc["images"] == 200
    assert doc["evaluations"].get("snnStreaming") is None
    assert doc["verdict"] in text.replace("\n", " ")
    m = re.search(r"accuracy: QNN ([\d.]+) %, SNN layer-wise ([\d.]+) %", text)
    assert close(doc["evaluations"]["qnn"]["accuracy"] * 100, m.group(1), 2)
    assert close(doc["evaluations"]["snnLayerwise"]["accuracy"] * 100, m.group(2), 2)
    m = re.search(r"SNN spike rate ([\d.]+) %, QNN twin ([\d.]+) % non-zero", text)
    assert close(doc["spikeRate"] * 100, m.group(1), 2) and close(doc["qnnDensity"] * 100, m.group(2), 2)
    for b in doc["boards"]:
        cells = re.search(rf"^{re.escape(b['board'])}\s+(.*)$", text, re.M).group(1).split()
        assert float(cells[0]) == pytest.approx(b["qnnMicrojoules"], rel=1e-3)
        assert float(cells[1]) == pytest.approx(b["snnMicrojoules"], rel=1e-3)
        assert close(b["snnOverQnn"], cells[2], 2) and cells[3] == b["winner"].upper()
        assert close(b["battery"]["qnnDays"], cells[-2], 2) and close(b["battery"]["snnDays"], cells[-1], 2)


def test_compare_energy_equals_energy_command(joule, watch_net):
    """compare prices the averaged counters of its evaluation: the same as `joule energy` on those images."""
    compare = json.loads(joule("compare", watch_net, "--images", "50", "--no-streaming", "--board", BOARDS[0], "--json", "-"))
    energy = json.loads(joule("energy", watch_net, "--images", "50", "--board", BOARDS[0], "--json", "-"))
    assert compare["boards"][0]["energy"] == energy["boards"][0]
