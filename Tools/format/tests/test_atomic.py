"""Files are written atomically: an interrupted or failed write leaves the old file."""
import os

import numpy as np
import pytest

from joule_format import safetensors
from joule_format.atomic import replacing


def test_interrupted_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with replacing(str(path)) as f:
            f.write("half of the new")
            raise KeyboardInterrupt
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["model.json"], "the temporary file was left behind"


def test_completed_write_replaces_and_keeps_a_plain_mode(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"old")
    safetensors.save({"w": np.arange(6, dtype=np.int8).reshape(2, 3)}, str(path))
    assert safetensors.load(str(path))["w"].tolist() == [[0, 1, 2], [3, 4, 5]]
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["w.safetensors"]


def test_failed_safetensors_save_keeps_the_old_weights(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"trained weights")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)  # every byte written, the flush to disk fails
    with pytest.raises(OSError):
        safetensors.save({"w": np.zeros(2, dtype=np.int8)}, str(path))
    assert path.read_bytes() == b"trained weights"
    assert os.listdir(tmp_path) == ["w.safetensors"]
