"""The tools never destroy a user's files, and refuse work that would exceed a budget before running it."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "Tools", "format"))
from joule_format import safetensors  # noqa: E402


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture()
def model_dir(tmp_path):
    """A copy of Models/watch-net.json and its weights in a scratch folder."""
    for ext in ("json", "safetensors"):
        shutil.copy(os.path.join(ROOT, "Models", f"watch-net.{ext}"), tmp_path)
    return tmp_path


def packmodel(bin_dir, *args, cwd):
    return subprocess.run([os.path.join(bin_dir, "packmodel"), *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("target", ["watch-net.safetensors", "watch-net.json", "./watch-net.json", "../{dir}/watch-net.safetensors"])
def test_packmodel_refuses_to_write_over_its_inputs(bin_dir, model_dir, target):
    before = {f: digest(model_dir / f) for f in os.listdir(model_dir)}
    r = packmodel(bin_dir, "watch-net.json", "-o", target.format(dir=model_dir.name), cwd=model_dir)
    assert r.returncode == 1
    assert "refusing to write the packed model over it" in r.stderr and "watch-net" in r.stderr
    assert {f: digest(model_dir / f) for f in os.listdir(model_dir)} == before, "an input changed"
    r = packmodel(bin_dir, "watch-net.json", "-o", target.format(dir=model_dir.name), "--force", cwd=model_dir)
    assert r.returncode == 1, "--force must not replace the model's own files"
    assert {f: digest(model_dir / f) for f in os.listdir(model_dir)} == before


def test_packmodel_replaces_a_foreign_file_only_with_force(bin_dir, model_dir):
    notes = model_dir / "notes.txt"
    notes.write_text("my notes\n")
    r = packmodel(bin_dir, "watch-net.json", "-o", "notes.txt", cwd=model_dir)
    assert r.returncode == 1 and "is not a packed model" in r.stderr and "--force" in r.stderr
    assert notes.read_text() == "my notes\n"
    r = packmodel(bin_dir, "watch-net.json", "-o", "notes.txt", "--force", cwd=model_dir)
    assert r.returncode == 0, r.stderr
    assert notes.read_bytes()[:4] == b"JMOD"


def test_packmodel_replaces_an_older_packed_model(bin_dir, model_dir):
    assert packmodel(bin_dir, "watch-net.json", cwd=model_dir).returncode == 0
    first = digest(model_dir / "watch-net.jmod")
    r = packmodel(bin_dir, "watch-net.json", "--compact", cwd=model_dir)
    assert r.returncode == 0, r.stderr
    assert digest(model_dir / "watch-net.jmod") != first
    assert sorted(os.listdir(model_dir)) == ["watch-net.jmod", "watch-net.json", "watch-net.safetensors"], \
        "a temporary file was left behind"


@pytest.mark.parametrize("option", ["--json", "--write-predictions"])
def test_joule_refuses_to_write_over_its_model(bin_dir, model_dir, option):
    assert packmodel(bin_dir, "watch-net.json", cwd=model_dir).returncode == 0
    before = digest(model_dir / "watch-net.jmod")
    r = subprocess.run([os.path.join(bin_dir, "joule"), "eval", "watch-net.jmod", "--limit", "5", option, "./watch-net.jmod"],
                       cwd=model_dir, capture_output=True, text=True)
    assert r.returncode == 1 and "refusing to write over it" in r.stderr
    assert "accuracy" not in r.stdout, "the evaluation ran before the refusal"
    assert digest(model_dir / "watch-net.jmod") == before


def test_eval_never_writes_over_its_reference_predictions(bin_dir, watch_net, tmp_path):
    ref = tmp_path / "ref.predictions"
    ref.write_bytes(bytes(5))  # five wrong predictions: comparing with them must fail, not be replaced
    r = subprocess.run([os.path.join(bin_dir, "joule"), "eval", watch_net, "--limit", "5", "--expect", str(ref),
                        "--write-predictions", str(ref)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and "refusing to write over it" in r.stderr
    assert ref.read_bytes() == bytes(5)


def test_outputs_replace_the_old_file_by_renaming(bin_dir, watch_net, tmp_path):
    """An atomic write renames a new file over the old one (a new inode), never rewrites it in place."""
    out = tmp_path / "eval.json"
    out.write_text("old")
    inode = os.stat(out).st_ino
    keep = open(out)  # holds the old inode alive so that it cannot be reused
    subprocess.run([os.path.join(bin_dir, "joule"), "eval", watch_net, "--limit", "5", "--json", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    assert os.stat(out).st_ino != inode and keep.read() == "old"
    keep.close()
    assert json.loads(out.read_text())["images"] == 5
    assert sorted(os.listdir(tmp_path)) == ["eval.json"]


def test_standard_output_is_only_for_json(bin_dir, model_dir):
    r = packmodel(bin_dir, "watch-net.json", "-o", "-", cwd=model_dir)
    assert r.returncode == 1 and "only for --json" in r.stderr and "JMOD" not in r.stdout


def test_interrupted_eval_leaves_the_old_output_whole(bin_dir, watch_net, tmp_path):
    out = tmp_path / "eval.json"
    out.write_text('{"old": true}\n')
    p = subprocess.Popen([os.path.join(bin_dir, "joule"), "eval", watch_net, "--mode", "snn", "--schedule", "streaming",
                          "--json", str(out), "--write-predictions", str(tmp_path / "p.bin")], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    assert p.poll() is None, "the evaluation finished before it could be interrupted"
    p.send_signal(signal.SIGINT)
    p.wait(timeout=30)
    assert p.returncode != 0
    assert json.loads(out.read_text()) == {"old": True}
    assert sorted(os.listdir(tmp_path)) == ["eval.json"], "a partial output was left"


@pytest.fixture(scope="module")
def huge_model(bin_dir, tmp_path_factory):
    """Valid and small on disk, but 1020×1020 input → 16-channel 3×3 conv (150 M MACs) → 170×170 pool:
    a streaming arena of 284 MB and 3.8·10¹⁰ synaptic operations per inference at T = 255."""
    d = tmp_path_factory.mktemp("huge")
    rng = np.random.default_rng(7)
    layers = [{"name": "conv", "type": "conv2d", "outChannels": 16, "kernel": [3, 3], "stride": [1, 1],
               "padding": [1, 1], "weightBits": 8, "shift": 16, "activation": "quant"},
              {"name": "pool", "type": "avgpool", "kernel": [170, 170]},
              {"name": "flat", "type": "flatten"},
              {"name": "head", "type": "linear", "outFeatures": 10, "weightBits": 8, "shift": 16, "activation": "none"}]
    doc = {"format": "joule-model", "version": 1, "name": "huge", "weights": "huge.safetensors",
           "input": {"channels": 1, "height": 1020, "width": 1020, "scale": 1 / 255}, "timesteps": 6, "layers": layers}
    (d / "huge.json").write_text(json.dumps(doc))
    safetensors.save({
        "conv.weight": rng.integers(-8, 8, (16, 1, 3, 3), dtype=np.int8),
        "conv.multiplier": np.full(16, 1 << 10, dtype=np.int32),
        "conv.bias": np.zeros(16, dtype=np.int64),
        "head.weight": rng.integers(-8, 8, (10, 16 * 36), dtype=np.int8),
        "head.multiplier": np.full(10, 1 << 10, dtype=np.int32),
        "head.bias": np.zeros(10, dtype=np.int64)}, str(d / "huge.safetensors"))
    r = packmodel(bin_dir, "huge.json", cwd=d)
    assert r.returncode == 0, r.stderr
    (d / "input.bin").write_bytes(bytes(1020 * 1020))
    return d


def test_a_run_over_the_work_budget_is_refused_before_it_starts(bin_dir, huge_model):
    args = [os.path.join(bin_dir, "joule"), "run", "huge.jmod", "--mode", "snn", "--schedule", "streaming",
            "-t", "255", "--input", "input.bin"]
    started = time.time()
    r = subprocess.run(args, cwd=huge_model, capture_output=True, text=True)
    assert r.returncode == 1 and "over the budget" in r.stderr and "huge.jmod" in r.stderr, r.stderr
    assert time.time() - started < 5, "refused only after running"
    assert "--max-arena" in r.stderr or "--max-work" in r.stderr
    # Within the arena budget, the work budget still refuses it.
    r = subprocess.run(args + ["--max-arena", str(1 << 30)], cwd=huge_model, capture_output=True, text=True)
    assert r.returncode == 1 and "synaptic operations, over the budget" in r.stderr and "--max-work" in r.stderr, r.stderr


def test_the_arena_budget_is_stated_and_can_be_raised(bin_dir, huge_model):
    joule = os.path.join(bin_dir, "joule")
    r = subprocess.run([joule, "run", "huge.jmod", "--input", "input.bin", "--max-arena", "4096"], cwd=huge_model,
                       capture_output=True, text=True)
    assert r.returncode == 1 and "needs an arena of" in r.stderr and "--max-arena" in r.stderr
    r = subprocess.run([joule, "run", "huge.jmod", "--input", "input.bin"], cwd=huge_model, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr  # the QNN pass (150 M MACs) is within the default budget
    assert "predicted class" in r.stdout
