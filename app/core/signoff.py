"""What a personal signature signs, in one canonical form the app and a bundle's verifier share.

A sign-off is made with the signer's own Ed25519 key (an *identity*), never with the
installation key. The signed message names the record, the conversation, the digest of the
conversation's content as recorded (every row's payload hash), the meaning and the statement of
what it signifies, the reason, the signer's printed name, role and key fingerprint, the time (UTC
and the signer's local time) and the ledger head the signer saw. Moving a signature to another
conversation, editing any of those fields, or editing the signed content breaks it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.core.ledger import canonical

SIGNOFF_SCHEME = "veritrace-signoff-v1"
IDENTITY_SCHEME = "veritrace-identity-v1"

# The tables whose rows make up a conversation's signed content, with the column that ties a
# row to it: the conversation itself, its turns, and every row about one of those turns.
CONTENT_TABLES = (
    "conversations",
    "turns",
    "turn_images",
    "turn_chunks",
    "turn_outcomes",
    "annotations",
    "model_checks",
)


@dataclass(frozen=True)
class ContentRow:
    """One recorded row of a conversation: its table, its key, and the SHA-256 of its payload."""

    table: str
    key: str
    payload_sha256: str


def content_digest(rows: Iterable[ContentRow]) -> str:
    """SHA-256 of the conversation's rows, sorted by (table, key as a number where it is one)."""

    def order(row: ContentRow) -> tuple[str, int, str]:
        return (row.table, int(row.key) if row.key.isdigit() else -1, row.key)

    listed = [[row.table, row.key, row.payload_sha256] for row in sorted(rows, key=order)]
    return hashlib.sha256(canonical({"scheme": SIGNOFF_SCHEME, "rows": listed})).hexdigest()


def signoff_message(fields: dict[str, Any]) -> bytes:
    """The bytes a personal signature covers (``fields`` as listed in ``SIGNED_FIELDS``)."""
    missing = [name for name in SIGNED_FIELDS if name not in fields]
    if missing:
        raise ValueError(f"a sign-off message needs {', '.join(missing)}")
    return canonical({"scheme": SIGNOFF_SCHEME, **{name: fields[name] for name in SIGNED_FIELDS}})


SIGNED_FIELDS = (
    "record_id",
    "conversation_id",
    "content_sha256",
    "meaning",
    "statement",
    "reason",
    "printed_name",
    "role",
    "fingerprint",
    "signed_at",
    "signed_at_local",
    "ledger_head",
)


def identity_message(fields: dict[str, Any]) -> bytes:
    """What a new identity signs with its own key (proof that its creator holds the key)."""
    names = ("record_id", "name", "role", "os_user", "public_key", "created_at")
    return canonical({"scheme": IDENTITY_SCHEME, **{name: fields[name] for name in names}})
