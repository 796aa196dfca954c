"""joule_import: bring models made elsewhere into the joule-model format (Models/README.md).

It runs with Tools/train on the path (joule_train: export, integer twin); importing joule_import
puts Tools/format (joule_format) on sys.path as joule_train does."""
import os as _os
import sys as _sys

_FORMAT = _os.path.normpath(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "..", "..", "format"))
if _FORMAT not in _sys.path:
    _sys.path.insert(0, _FORMAT)
