"""Fashion-MNIST from the Debian package `dataset-fashion-mnist` (IDX files, gzip'd).

Images are returned as uint8 tensors N×1×H×W (the raw bytes the runtime reads), labels int64.
"""
import gzip
import os
import struct

import numpy as np
import torch

DEFAULT_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Reads an IDX file (optionally .gz) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: size mismatch")
    return arr.reshape(dims)


def _find(directory, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}(.gz) not in {directory}; apt-get install dataset-fashion-mnist")


def load(split, directory=DEFAULT_DIR, pad_to=None, limit=None):
    """split: 'train' (60k) or 'test' (10k). pad_to: e.g. 32 pads 28×28 with zeros to 32×32
    (centred). limit: first `limit` images only (quick runs). Returns (images uint8 N×1×H×W,
    labels int64 N)."""
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(_find(directory, f"{prefix}-images-idx3-ubyte"))
    y = read_idx(_find(directory, f"{prefix}-labels-idx1-ubyte"))
    if limit is not None:
        x, y = x[:limit], y[:limit]
    x = torch.from_numpy(x.copy()).unsqueeze(1)
    if pad_to is not None and pad_to != x.shape[-1]:
        p = pad_to - x.shape[-1]
        x = torch.nn.functional.pad(x, (p // 2, p - p // 2, p // 2, p - p // 2))
    return x, torch.from_numpy(y.astype(np.int64))
