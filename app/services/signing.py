"""The installation's signing key: created once, kept in the data folder, never leaves it."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from app.core.errors import StorageError
from app.core.signing import KeyPair
from app.services.paths import data_dir

KEY_NAME = "signing-key.pem"


def installation_key(folder: Path | None = None) -> KeyPair:
    """Load the Ed25519 key, creating it (readable by this user only) on first use."""
    path = (folder or data_dir()) / KEY_NAME
    if path.exists():
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as error:
            raise StorageError(
                f"The signing key {path} is damaged: {error}. Restore it from a backup."
            ) from error
        if not isinstance(key, Ed25519PrivateKey):
            raise StorageError(f"The signing key {path} is not an Ed25519 key.")
        return KeyPair(key)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return KeyPair(key)
