"""Ed25519 signatures over ledger checkpoints, checkable by anyone with the public key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.core.ledger import canonical


def checkpoint_message(count: int, head: str, at: str) -> bytes:
    """What a checkpoint signs: the number of entries, the head hash and the time."""
    return canonical({"count": count, "head": head, "at": at, "scheme": "veritrace-checkpoint-v1"})


def fingerprint(public_key_hex: str) -> str:
    """A short, readable identity for a public key: SHA-256 of the raw key, first 16 bytes."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey

    @property
    def public_hex(self) -> str:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()


def signature_valid(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
            bytes.fromhex(signature_hex), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def describe_key(public_key_hex: str) -> dict[str, Any]:
    return {"algorithm": "Ed25519", "public_key": public_key_hex, "fingerprint": fingerprint(public_key_hex)}
