"""Small files that must never be seen half-written: the signing key and the record's witness.

A crash or a full disk at any moment leaves either the old file or the new one, whole:
the bytes go to a temporary sibling, are flushed to the disk, and only then renamed over
the target (an atomic step on every supported file system); the folder is flushed too, so
the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; on POSIX, readable by this user only."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, PRIVATE_FOLDER)
    return path


def write_durably(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Replace ``path`` with ``data`` all at once, flushed to disk (``OSError`` leaves it as it was)."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk; Windows has no such call and needs none."""
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
