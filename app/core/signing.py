"""Ed25519 signatures over ledger checkpoints, checkable by anyone with the public key."""

from __future__ import annotations

import hashlib
import re
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


KEY_SCHEME = "veritrace-key-v1"
KEY_ENROLLED = "key.enrolled"
KEY_ROTATED = "key.rotated"
KEY_REPLACED = "key.replaced"
KEY_EVENTS = (KEY_ENROLLED, KEY_ROTATED, KEY_REPLACED)


def key_event_message(kind: str, record_id: str, old_key: str | None, new_key: str, at: str) -> bytes:
    """What a key event's signatures cover: which record, which key replaced which, and when.

    Enrolment is signed by the new key (proof it is held); a rotation by the old key too,
    which is what makes the new key trusted; a replacement (the old key lost or damaged) by
    the new key alone, and ``verify`` says so.
    """
    return canonical(
        {
            "scheme": KEY_SCHEME,
            "event": kind,
            "record": record_id,
            "old": old_key or "",
            "new": new_key,
            "at": at,
        }
    )


HEAD_SCHEME = "veritrace-head/1"
_HEAD_TOKEN = re.compile(
    re.escape(HEAD_SCHEME)
    + r" entry=(\d{1,15}) head=([0-9a-f]{64}) at=([0-9T:.\-]{10,40}Z)"
    + r" key=([0-9a-f]{64}) signature=([0-9a-f]{128})"
)


@dataclass(frozen=True)
class SignedHead:
    """A signed chain head as a report carries it: enough to prove a record still contains it."""

    entry_count: int
    head_hash: str
    at: str
    public_key: str
    signature: str

    def token(self) -> str:
        """One line of plain ASCII printed in every report (and in a PDF's metadata)."""
        return (
            f"{HEAD_SCHEME} entry={self.entry_count} head={self.head_hash} at={self.at} "
            f"key={self.public_key} signature={self.signature}"
        )

    def genuine(self) -> bool:
        message = checkpoint_message(self.entry_count, self.head_hash, self.at)
        return signature_valid(self.public_key, message, self.signature)


def find_head_tokens(text: str) -> list[SignedHead]:
    """Every signed head token in ``text``, in order."""
    return [
        SignedHead(int(count), head, at, key, signature)
        for count, head, at, key, signature in _HEAD_TOKEN.findall(text)
    ]
