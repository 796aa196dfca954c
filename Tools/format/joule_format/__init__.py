"""joule_format: the project's file formats in Python, one implementation each.

  joule_format.safetensors   read / atomically write `.safetensors` (numpy arrays), one byte layout
  joule_format.model_json    load and validate a `joule-model` JSON description (Models/README.md)
  joule_format.integer       the integer model of Models/README.md: the one definition of the
                             arithmetic (numpy core, optional torch accumulation for speed)
  joule_format.jmod          read a packed model (`.jmod`, Sources/JouleCore/Packed/README.md)
  joule_format.atomic        atomic file replacement (`replacing`)

Every reader raises `FormatError` (a `ValueError`) whose message starts with the offending file's
path. Importing this package imports nothing beyond the standard library; `safetensors`,
`model_json` and `integer` need numpy, `integer`'s torch backend needs torch. `jmod` and `atomic`
are standard library only. Contracts: Tools/format/README.md.
"""
from .errors import FormatError

__all__ = ["FormatError"]
