"""The package's one error type."""


class FormatError(ValueError):
    """A file that does not follow its format. The message starts with the file's path (or the
    label the caller gave for in-memory data) and names the field, tensor or layer at fault, e.g.
    `Models/x.safetensors: tensor 'fc.weight': unknown dtype BF16`."""
