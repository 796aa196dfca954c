"""Data-parallel training under torchrun equals single-process training of the same global batch:
two gloo processes, each on half of every batch with batch-norm statistics synchronised, end at
the weights one process reaches on the whole batch.

"Equal" is measured against the arithmetic's own spread. After one step the two agree to float
rounding. Over more steps, Q_T's floor turns rounding differences into flipped codes, so two
single-process runs that differ only in their thread count (summation order) drift apart too;
the data-parallel run must stay within a small multiple of that drift, far below the distance
training moved the weights (a wrong shard, loss scale or batch order moves them by that much).

The single-process reference runs NCHW: PyTorch's channels-last batch-norm kernel differs from
the NCHW one in the fifth digit, which would test the kernels' rounding, not data parallelism;
the ranks use the project's synchronised batch norm in both layouts."""
import os
import subprocess
import sys

import pytest
import torch

from joule_train import data

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAVE_DATA = any(os.path.exists(os.path.join(data.DEFAULT_DIR, f"train-images-idx3-ubyte{e}"))
                for e in (".gz", ""))
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
ONE_STEP, THREE_STEPS = "0.34", "1"   # of 3 batches of 32 images


def run(folder, tag, launcher, extra=(), epochs=THREE_STEPS):
    """Trains watch-net on 96 images in batches of 32 (SGD, fp32, flips, η) and returns the
    BN-folded float weights."""
    ck = folder / f"{tag}.pt"
    args = ["--model", "watch-net", "--epochs", epochs, "--qat-epochs", "0", "--train-limit", "96",
            "--test-limit", "32", "--batch", "32", "--flip", "--eta", "1e-5", "--threads", "1",
            "--precision", "fp32", "--optimizer", "sgd", "--lr", "0.05", "--no-export",
            "--checkpoint", str(ck), "--state", str(folder / f"{tag}.state.pt"), *extra]
    env = dict(os.environ, PYTHONPATH=HERE, OMP_NUM_THREADS="1")
    r = subprocess.run(launcher + ["-m", "joule_train.train"] + args, cwd=folder, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    return torch.load(ck)["state"]


def max_diff(a, b):
    assert a.keys() == b.keys()
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    folder = tmp_path_factory.mktemp("single")
    nchw = ["--no-channels-last"]
    return {"folder": folder,
            "start": run(folder, "start", [sys.executable], nchw, epochs="0"),
            "one_step": run(folder, "one", [sys.executable], nchw, epochs=ONE_STEP),
            "three": run(folder, "three", [sys.executable], nchw),
            "three_2threads": run(folder, "three2", [sys.executable], nchw + ["--threads", "2"])}


@pytest.mark.skipif(not HAVE_DATA, reason="dataset-fashion-mnist not installed")
@pytest.mark.parametrize("layout", ["--no-channels-last", "--channels-last"])
def test_two_processes_equal_one(single, layout):
    folder = single["folder"]
    ddp_one = run(folder, "ddp-one" + layout, TORCHRUN, [layout], epochs=ONE_STEP)
    ddp_three = run(folder, "ddp-three" + layout, TORCHRUN, [layout])
    moved = max_diff(single["three"], single["start"])
    drift = max_diff(single["three"], single["three_2threads"])
    assert moved > 0.1, f"training moved no weight ({moved:.3g})"
    assert max_diff(single["one_step"], ddp_one) < 1e-5, "one data-parallel step differs"
    apart = max_diff(single["three"], ddp_three)
    assert apart <= 4 * drift + 1e-5 and apart < moved / 20, \
        f"data-parallel weights differ by {apart:.3g} after three steps (one process with 1 vs " \
        f"2 threads: {drift:.3g}; training moved them by {moved:.3g})"
