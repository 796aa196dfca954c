"""Atomic file writes: the bytes go to a temporary file in the destination's folder, which is then
renamed over the destination, so an interrupted run leaves the old file or the new one, never a
part of either. The new file gets the mode a plain open() would give it."""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def replacing(path, mode="w", **kwargs):
    """`with replacing(path, "wb") as f:` — write `f`; `path` is replaced only if the block succeeds."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
