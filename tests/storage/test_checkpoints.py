"""Signed checkpoints: Ed25519 over (entry count, head hash, time), checked by verify."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.core.signing import checkpoint_message, fingerprint, signature_valid
from app.core.types import Meaning
from app.services.signing import KEY_NAME, installation_key
from app.storage.repository import Store
from tests.fixtures.ledger import tamper
from tests.fixtures.signers import person, store_sign


@pytest.fixture
def store(filled_store: Store) -> Store:
    return filled_store


def test_installation_key_is_created_once_and_private(veritrace_home: Path) -> None:
    first = installation_key()
    again = installation_key()
    assert first.public_hex == again.public_hex and len(first.public_hex) == 64
    mode = (veritrace_home / KEY_NAME).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert len(fingerprint(first.public_hex).split(":")) == 8


def test_signoff_signs_the_head_and_verify_checks_it(store: Store) -> None:
    key = installation_key()
    identity, own = person(store, "Dr. R", key=key)
    signed = store_sign(store, 1, identity, own, Meaning.APPROVED, "ok", key=key)
    after = store.checkpoints()[-1]
    assert (
        after.reason == f"sign-off {signed.id} of conversation 1" and after.entry_count == store.head()[0] - 1
    )
    made = store.checkpoint(key, "on demand")
    assert signature_valid(
        made.public_key, checkpoint_message(made.entry_count, made.head_hash, made.at), made.signature
    )
    result = store.verify()
    assert result.intact and result.checkpoints == 3, "after the identity, after the sign-off, on demand"
    assert "3 signed checkpoint(s) valid" in result.describe()


def test_rewriting_history_consistently_is_caught_by_the_signed_checkpoint(
    store: Store, tmp_path: Path
) -> None:
    """A forger who edits an answer and rebuilds every hash still cannot re-sign the checkpoint."""
    import hashlib
    import sqlite3

    from app.core.ledger import GENESIS, canonical, entry_hash
    from app.storage.ledger import row_payload

    store.checkpoint(installation_key(), "before the forgery")
    path = Path(str(store.path))
    store.close()
    tamper(path, "UPDATE turn_chunks SET answer = 'No.' WHERE id = 2")
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        chunk = dict(connection.execute("SELECT * FROM turn_chunks WHERE id = 2").fetchone())
        prev = GENESIS
        for entry in connection.execute("SELECT * FROM ledger ORDER BY seq").fetchall():
            payload = bytes(entry["payload"])
            if entry["object_type"] == "turn_chunk" and entry["object_id"] == "2":
                payload = canonical(row_payload("turn_chunks", chunk))
            header = {
                key: entry[key]
                for key in ("seq", "at", "os_user", "actor", "action", "object_type", "object_id")
            }
            header.update(payload_sha256=hashlib.sha256(payload).hexdigest(), prev_hash=prev)
            prev = entry_hash(header)
            connection.execute(
                "UPDATE ledger SET payload = ?, payload_sha256 = ?, prev_hash = ?, entry_hash = ? "
                "WHERE seq = ?",
                (payload, header["payload_sha256"], header["prev_hash"], prev, entry["seq"]),
            )
    reopened = Store(path)
    try:
        result = reopened.verify()
    finally:
        reopened.close()
    assert not result.intact
    assert "checkpoint 1 signed a different chain head" in result.describe()


def test_checkpoint_signature_check_rejects_other_keys() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.core.signing import KeyPair

    mine, theirs = KeyPair(Ed25519PrivateKey.generate()), KeyPair(Ed25519PrivateKey.generate())
    message = checkpoint_message(10, "a" * 64, "2026-11-23T10:00:00.000Z")
    assert signature_valid(mine.public_hex, message, mine.sign(message))
    assert not signature_valid(theirs.public_hex, message, mine.sign(message))
    assert not signature_valid(mine.public_hex, message + b" ", mine.sign(message))
    assert not signature_valid(mine.public_hex, message, "zz")
