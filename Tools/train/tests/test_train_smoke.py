import os

import pytest

from joule_train import data, train

HAVE_DATA = os.path.exists(os.path.join(data.DEFAULT_DIR, "t10k-images-idx3-ubyte.gz")) or \
    os.path.exists(os.path.join(data.DEFAULT_DIR, "t10k-images-idx3-ubyte"))


@pytest.mark.skipif(not HAVE_DATA, reason="dataset-fashion-mnist not installed")
def test_idx_reader():
    x, y = data.load("test", limit=10)
    assert x.shape == (10, 1, 28, 28) and x.dtype.is_floating_point is False
    assert y.tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]  # the well-known first test labels
    xp, _ = data.load("test", limit=2, pad_to=32)
    assert xp.shape == (2, 1, 32, 32) and int(xp[:, :, :2].sum()) == 0


@pytest.mark.skipif(not HAVE_DATA, reason="dataset-fashion-mnist not installed")
@pytest.mark.parametrize("extra", [[], ["--model", "resnet", "--neuron", "if", "--bits", "4"]])
def test_train_export_smoke(tmp_path, extra):
    rec = train.main(["--epochs", "0.5", "--qat-epochs", "0.5", "--train-limit", "64",
                      "--test-limit", "64", "--batch", "32", "--out", str(tmp_path),
                      "--state", str(tmp_path / "state.pt")] + extra)
    assert 0.0 <= rec["twin_acc"] <= 1.0
    assert rec["twin_float_agreement"] >= 0.8
    assert os.path.exists(rec["json"])
