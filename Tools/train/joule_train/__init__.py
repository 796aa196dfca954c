"""joule_train: train quantised / spiking twins for the Joule runtime and export them
in the `joule-model` JSON + safetensors format (see Models/README.md).

The format code is the `joule_format` package in Tools/format; importing joule_train puts that
folder on sys.path (once), so `python -m joule_train…` with PYTHONPATH=Tools/train needs nothing
else."""
import os as _os
import sys as _sys

_FORMAT = _os.path.normpath(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "..", "..", "format"))
if _FORMAT not in _sys.path:
    _sys.path.insert(0, _FORMAT)
