"""The ablation runner: every (arm, seed) once, resumable from its record, and a summary whose
mean and spread follow from the recorded accuracies."""
import json
import os
import statistics

import pytest

from joule_train import ablation, data

HAVE_DATA = any(os.path.exists(os.path.join(data.DEFAULT_DIR, f"train-images-idx3-ubyte{e}"))
                for e in (".gz", ""))


@pytest.mark.skipif(not HAVE_DATA, reason="dataset-fashion-mnist not installed")
def test_ablation_runs_each_arm_and_seed_once(tmp_path, capsys):
    record = tmp_path / "ablation.json"
    tiny = ["--extra", "--train-limit", "64", "--test-limit", "64", "--batch", "32",
            "--epochs", "0.5", "--qat-epochs", "0.5", "--threads", "1"]
    ablation.main(["--seeds", "0", "1", "--record", str(record)] + tiny)
    rec = json.loads(record.read_text())
    assert sorted((r["arm"], r["seed"]) for r in rec["runs"]) == [("plain", 0), ("plain", 1), ("sbp", 0), ("sbp", 1)]
    for arm, s in rec["summary"].items():
        accs = [r["twin_acc"] for r in rec["runs"] if r["arm"] == arm]
        assert s["n"] == 2 and s["mean"] == pytest.approx(sum(accs) / 2)
        assert s["std"] == pytest.approx(statistics.stdev(accs)) and s["min"] == min(accs)
    capsys.readouterr()
    ablation.main(["--seeds", "0", "1", "--record", str(record)] + tiny)   # nothing left to run
    assert capsys.readouterr().out.count("skipped") == 4
    assert len(json.loads(record.read_text())["runs"]) == 4
    with pytest.raises(SystemExit):   # another recipe may not join this record
        ablation.main(["--seeds", "2", "--record", str(record)] + tiny[:-2])
