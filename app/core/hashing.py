"""SHA-256 helpers used for every recorded hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.cancel import CancelToken, stop_if_set

_CHUNK = 4 * 1024 * 1024


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, cancel: CancelToken | None = None) -> str:
    """Hash a file in chunks so a 14 GB model never sits in memory.

    ``cancel`` set stops it within one chunk (``Cancelled``): hashing such a file takes a minute.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            stop_if_set(cancel, f"Hashing {path.name} was cancelled.")
            digest.update(chunk)
    return digest.hexdigest()
