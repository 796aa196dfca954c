"""`joule table5`: its text and JSON agree, the paper's column holds the paper's Table 5 values
(science.md: VGG16 0.85 / 0.78, VGG* 0.70 / 0.69 on the classic / dataflow architectures) for the
models it has rows for and nothing for the others, its counted ratio is the `energy` command's on
the same images, and its charts are written."""
import json
import os
import re
import shutil

BOARDS = ["paper-v1-classic-45nm", "paper-v1-dataflow-45nm"]
PAPER = {"vgg16": {"paper-v1-classic-45nm": 0.85, "paper-v1-dataflow-45nm": 0.78},
         "vgg-star": {"paper-v1-classic-45nm": 0.70, "paper-v1-dataflow-45nm": 0.69}}
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def board_args():
    return [a for b in BOARDS for a in ("--board", b)]


def named_copies(tmp_path, *names):
    """watch-net's JSON and weights under other model names (the name picks the paper row)."""
    paths = []
    for name in names:
        with open(os.path.join(ROOT, "Models", "watch-net.json")) as f:
            model = json.load(f)
        model["weights"] = f"{name}.safetensors"
        shutil.copy(os.path.join(ROOT, "Models", "watch-net.safetensors"), tmp_path / f"{name}.safetensors")
        (tmp_path / f"{name}.json").write_text(json.dumps(model))
        paths.append(str(tmp_path / f"{name}.json"))
    return paths


def test_table5_text_json_paper_values(joule, tmp_path):
    models = named_copies(tmp_path, "vgg16", "vgg-star", "my-net")
    args = ["table5", *models, "--images", "100", *board_args()]
    text = joule(*args, "--charts", str(tmp_path / "charts"))
    doc = json.loads(joule(*args, "--json", "-"))
    assert doc["format"] == "joule-table5"
    assert [m["name"] for m in doc["models"]] == ["vgg16", "vgg-star", "my-net"]
    for m in doc["models"]:
        assert m["images"] == 100 and [b["board"] for b in m["boards"]] == BOARDS
        if m["name"] in PAPER:
            assert m["paper"]["dataset"] == "CIFAR-10" and m["paper"]["timesteps"] == 6
            assert {b["board"]: b["paper"] for b in m["boards"]} == PAPER[m["name"]]
        else:
            assert "paper" not in m and all("paper" not in b for b in m["boards"])  # absent, as every optional
        # the model's own lines in the text: name, accuracy, sparsity, spike rate, then its boards
        block = text.split("\n" + m["name"] + " ", 1)[1].splitlines()
        cells = re.findall(r"([\d.]+) %", block[0])
        assert cells == [f"{m['qnnAccuracy'] * 100:.2f}", f"{m['sparsity'] * 100:.2f}", f"{m['spikeRate'] * 100:.2f}"]
        for line, b in zip(block, m["boards"]):
            assert b["board"] in line
            assert line.split()[-3:] == [f"{b['paperStyle']:.2f}", f"{b['ownTwin']:.2f}", f"{b['counted']:.2f}"]
    assert "VGG16 [paper]" in text and "VGG* [paper]" in text and "92.76 %" in text and "94.19 %" in text
    charts = sorted(os.listdir(tmp_path / "charts"))
    assert "table5.svg" in charts and len(charts) == 1 + 3 * len(BOARDS)
    svg = (tmp_path / "charts" / "table5.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<rect") >= 3 * len(BOARDS) * 3


def test_table5_columns_are_compares_measured_points(joule, watch_net):
    """paper-style = the point against the paper's QNN, own twin = against the own QNN twin."""
    t5 = json.loads(joule("table5", watch_net, "--images", "50", *board_args(), "--json", "-"))
    cmp = json.loads(joule("compare", watch_net, "--images", "50", "--no-streaming", *board_args(), "--json", "-"))
    for ours, theirs in zip(t5["models"][0]["boards"], cmp["boards"]):
        assert ours["board"] == theirs["board"]
        assert ours["paperStyle"] == theirs["breakEvenPaperQnn"]["snnOverQnn"]
        assert ours["ownTwin"] == theirs["breakEvenOwnQnn"]["snnOverQnn"]
        assert ours["paperStyle"] != ours["ownTwin"]


def test_table5_refuses_two_models_of_one_name(bin_dir, tmp_path):
    import subprocess
    r = subprocess.run([os.path.join(bin_dir, "joule"), "table5", "Models/watch-net.json", "other/watch-net.json"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "two models are named watch-net" in r.stderr


def test_table5_counted_equals_energy_command(joule, watch_net):
    t5 = json.loads(joule("table5", watch_net, "--images", "50", *board_args(), "--json", "-"))
    energy = json.loads(joule("energy", watch_net, "--images", "50", *board_args(), "--json", "-"))
    ours = {b["board"]: b["counted"] for b in t5["models"][0]["boards"]}
    theirs = {b["board"]: b["snnOverQnn"] for b in energy["boards"]}
    assert ours.keys() == theirs.keys()
    for board in ours:
        assert abs(ours[board] - theirs[board]) <= 1e-9 * theirs[board], board


def test_table5_missing_model_is_a_clear_error(bin_dir, tmp_path):
    import subprocess
    r = subprocess.run([os.path.join(bin_dir, "joule"), "table5", str(tmp_path / "nope.json")], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode != 0 and "nope.json" in r.stderr


def test_table5_defaults_to_the_trained_paper_networks(joule):
    present = [n for n in ("vgg16", "vgg-star") if os.path.exists(os.path.join(ROOT, "Models", f"{n}.json"))]
    assert present, "no trained paper network is committed"
    doc = json.loads(joule("table5", "--images", "20", "--board", "paper-v1-classic-45nm", "--json", "-"))
    assert [m["name"] for m in doc["models"]] == present
    assert all(m["paper"]["network"] in ("VGG16", "VGG*") for m in doc["models"])
