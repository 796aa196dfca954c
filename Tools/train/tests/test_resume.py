"""A training cut short (as by a time budget) and resumed from its saved state ends bit for bit
where the uninterrupted training ends: the state holds the optimiser, the position in the epoch
and the batch-order generator. The cut sitting still finishes: it exports a model."""
import os

import pytest
import torch

from joule_train import data, train

HAVE_DATA = any(os.path.exists(os.path.join(data.DEFAULT_DIR, f"train-images-idx3-ubyte{e}"))
                for e in (".gz", ""))


def args(tmp_path, tag, *extra):
    return ["--model", "watch-net", "--epochs", "2", "--qat-epochs", "0.5", "--train-limit", "96",
            "--test-limit", "32", "--batch", "32", "--flip", "--threads", "1", "--precision", "fp32",
            "--optimizer", "sgd", "--lr", "0.05", "--checkpoint", str(tmp_path / f"{tag}.pt"),
            "--state", str(tmp_path / f"{tag}.state.pt"), "--out", str(tmp_path / tag), *extra]


@pytest.mark.skipif(not HAVE_DATA, reason="dataset-fashion-mnist not installed")
def test_resume_equals_uninterrupted(tmp_path):
    whole = train.main(args(tmp_path, "whole"))
    cut = train.main(args(tmp_path, "cut", "--stop-after-steps", "4"))
    assert cut["float_stopped_by"] == "budget" and cut["float_epochs_done"] < 2
    assert os.path.exists(cut["json"]), "a cut sitting still exports its model"
    # everything but the outputs comes from the state, which is also where the progress goes
    resumed = train.main(["--resume", str(tmp_path / "cut.state.pt"),
                          "--checkpoint", str(tmp_path / "resumed.pt"), "--out", str(tmp_path / "resumed")])
    assert resumed["float_stopped_by"] == "schedule"
    assert resumed["float_steps_this_sitting"] == 2, "the resumed sitting runs only the steps left"
    assert resumed["float_epochs_done"] == whole["float_epochs_done"] == 2
    assert resumed["machine"]["threads"] == 1 and resumed["machine"]["float_precision"] == "fp32"
    assert resumed["state"] == str(tmp_path / "cut.state.pt")
    a = torch.load(tmp_path / "whole.pt")["state"]
    b = torch.load(tmp_path / "resumed.pt")["state"]
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert resumed["twin_acc"] == whole["twin_acc"]


@pytest.mark.skipif(not HAVE_DATA, reason="dataset-fashion-mnist not installed")
def test_resume_refuses_a_changed_recipe(tmp_path):
    train.main(args(tmp_path, "cut", "--stop-after-steps", "1", "--no-export"))
    with pytest.raises(SystemExit) as e:
        train.main(["--resume", str(tmp_path / "cut.state.pt"), "--lr", "0.01"])
    assert "--lr (saved: 0.05)" in str(e.value)


def test_budget_without_training_time_is_refused():
    with pytest.raises(SystemExit) as e:
        train.main(["--budget-minutes", "1"])
    assert "leaves no time to train" in str(e.value)
