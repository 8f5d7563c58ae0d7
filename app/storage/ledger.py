"""The ledger table: one entry per recorded row, in the same transaction, and its verification.

Every row of the record is described by exactly one ledger entry whose payload is the row
itself as canonical JSON. Verification re-hashes the chain, then checks each row against
its entry, so an edit, a deletion or an insertion made directly in the SQLite file is found
and located even when the attacker leaves the ledger alone.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import DeclarativeBase, Session

from app.core.cancel import stop_if_set
from app.core.clock import utc_now
from app.core.ledger import GENESIS, Break, Entry, canonical, check_chain, entry_hash
from app.core.signing import (
    KEY_ENROLLED,
    KEY_EVENTS,
    KEY_REPLACED,
    KEY_ROTATED,
    checkpoint_message,
    fingerprint,
    key_event_message,
    signature_valid,
)

# Each recorded table, the object type its rows are logged as, the action, and its key.
TABLES: dict[str, tuple[str, str, str]] = {
    "conversations": ("conversation", "conversation.created", "id"),
    "model_files": ("model_file", "model.hashed", "id"),
    "turns": ("turn", "turn.started", "id"),
    "blobs": ("blob", "blob.stored", "sha256"),
    "turn_images": ("turn_image", "image.attached", "id"),
    "turn_chunks": ("turn_chunk", "turn.output_saved", "id"),
    "turn_outcomes": ("turn_outcome", "turn.finished", "id"),
    "annotations": ("annotation", "turn.annotated", "id"),
    "signoffs": ("signoff", "conversation.signed", "id"),
    "conversation_links": ("conversation_link", "conversation.continued", "id"),
    "checkpoints": ("checkpoint", "checkpoint.signed", "id"),
    "events": ("event", "event", "id"),
}
MAX_SAFE_INTEGER = 2**53 - 1
APPEND_ONLY_TABLES = (*TABLES, "ledger", "schema_migrations")


def row_payload(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The JSON payload describing a row (blob bytes are represented by their hash).

    NULL columns are left out, so a nullable column added by a later migration does not
    change the payload of rows recorded before it.
    """
    payload: dict[str, Any] = {"table": table}
    for key, value in row.items():
        if value is None:
            continue
        if isinstance(value, bytes | memoryview):
            payload[key] = {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
        elif isinstance(value, bool):
            payload[key] = int(value)  # SQLite stores booleans as integers; read back either way
        elif isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
            payload[key] = str(value)  # RFC 8785 numbers are IEEE doubles (e.g. mtime in ns)
        else:
            payload[key] = value
    return payload


def append(
    connection: Connection, actor: str, os_user: str, action: str, table: str, row: dict[str, Any]
) -> Entry:
    """Append the entry for ``row`` inside the caller's (write) transaction."""
    object_type, _, key = TABLES[table]
    head = connection.execute(text("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    payload = canonical(row_payload(table, row))
    fields = {
        "seq": seq,
        "at": utc_now(),
        "os_user": os_user,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": str(row[key]),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "prev_hash": prev,
    }
    digest = entry_hash(fields)
    connection.execute(
        text(
            "INSERT INTO ledger (seq, at, os_user, actor, action, object_type, object_id, payload, "
            "payload_sha256, prev_hash, entry_hash) VALUES (:seq, :at, :os_user, :actor, :action, "
            ":object_type, :object_id, :payload, :payload_sha256, :prev_hash, :entry_hash)"
        ),
        {**fields, "payload": payload, "entry_hash": digest},
    )
    return Entry(payload=payload, entry_hash=digest, **fields)  # type: ignore[arg-type]


def head(connection: Connection) -> tuple[int, str]:
    """(entry count, head hash) of the ledger."""
    row = connection.execute(text("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def backfill(connection: Connection) -> None:
    """Describe rows written before the ledger existed (migration 0003), oldest first."""
    from app.core.clock import os_user

    existing = {
        row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    }
    for table, (_, _, key) in TABLES.items():
        if table not in existing:  # created by a later migration, which records its own rows
            continue
        result = connection.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
        names = list(result.keys())
        for values in result.all():
            append(
                connection,
                "veritrace",
                os_user(),
                "record.backfilled",
                table,
                dict(zip(names, values, strict=True)),
            )


def append_rows(
    session: Session, actor: str, os_user: str, rows: list[DeclarativeBase], action: str = ""
) -> None:
    """Ledger entries for freshly flushed ORM rows, in order."""
    connection = session.connection()
    for row in rows:
        table = row.__table__.name  # type: ignore[attr-defined]
        # The mapped attributes carry the column names (models.py keeps them identical).
        values = {column.name: getattr(row, column.name) for column in row.__table__.columns}  # type: ignore[attr-defined]
        append(connection, actor, os_user, action or TABLES[table][1], table, values)


@dataclass(frozen=True)
class KeyRecord:
    """One key in the record's key history: which entry brought it in, and how."""

    public_key: str
    seq: int  # the ledger entry of the key event
    how: str  # key.enrolled, key.rotated or key.replaced
    at: str
    reason: str = ""
    retired_at: int | None = None  # the entry that rotated or replaced it away


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str
    problem: Break | None
    checkpoints: int = 0
    keys: tuple[KeyRecord, ...] = ()
    record_id: str | None = None
    signed_through: int = 0  # the entry count the newest valid checkpoint signed

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def active_key(self) -> str | None:
        return self.keys[-1].public_key if self.keys else None

    def describe(self) -> str:
        if self.problem is not None:
            return f"Record broken at entry {self.problem.seq}: {self.problem.reason}."
        text = (
            f"Record intact: {self.entries} ledger entries, head {self.head}, "
            f"{self.checkpoints} signed checkpoint(s) valid"
        )
        if not self.keys:
            return text + ("; no signing key is enrolled in it." if self.entries else ".")
        history = "; ".join(_describe_key(key) for key in self.keys)
        return f"{text}; key history: {history}."


def _describe_key(key: KeyRecord) -> str:
    text = f"{fingerprint(key.public_key)} "
    text += {
        KEY_ENROLLED: f"enrolled at entry {key.seq}",
        KEY_ROTATED: f"rotated in at entry {key.seq}, signed by the key before it",
        KEY_REPLACED: (
            f"REPLACED at entry {key.seq} without the previous key's signature (reason given: {key.reason!r})"
        ),
    }[key.how]
    if key.retired_at is not None:
        text += f", retired at entry {key.retired_at}"
    return text


def entries(connection: Connection) -> Iterator[Entry]:
    result = connection.execute(
        text(
            "SELECT seq, at, os_user, actor, action, object_type, object_id, payload, payload_sha256, "
            "prev_hash, entry_hash FROM ledger ORDER BY seq"
        )
    )
    for seq, at, user, actor, action, object_type, object_id, payload, payload_sha, prev, digest in result:
        # Stored as a BLOB; a tampered cell may come back as text, which must still be checked.
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        yield Entry(seq, at, user, actor, action, object_type, object_id, data, payload_sha, prev, digest)


_CANCEL_EVERY = 1024  # entries or rows between looks at the cancel flag


def verify(connection: Connection, cancel: threading.Event | None = None) -> Verification:
    """Check the chain, then every recorded row against the entry that describes it.

    ``cancel`` set raises ``Cancelled`` within about a thousand entries (100,000 take seconds).
    """
    described: dict[tuple[str, str], tuple[int, bytes]] = {}
    head = GENESIS

    def collect() -> Iterator[Entry]:
        nonlocal head
        for number, entry in enumerate(entries(connection)):
            if number % _CANCEL_EVERY == 0:
                stop_if_set(cancel, "Verification cancelled.")
            described.setdefault((entry.object_type, entry.object_id), (entry.seq, entry.payload))
            head = entry.entry_hash
            yield entry

    count, problem = check_chain(collect())
    if problem is not None:
        return Verification(count, head, problem)
    for table, (object_type, _, key) in TABLES.items():
        result = connection.execute(text(f"SELECT * FROM {table}"))
        names = list(result.keys())
        for number, values in enumerate(result):
            if number % _CANCEL_EVERY == 0:
                stop_if_set(cancel, "Verification cancelled.")
            row = dict(zip(names, values, strict=True))
            object_id = str(row[key])
            found = described.pop((object_type, object_id), None)
            if found is None:
                return Verification(
                    count, head, Break(count + 1, f"{object_type} {object_id} has no ledger entry")
                )
            seq, payload = found
            if canonical(row_payload(table, row)) != payload:
                return Verification(
                    count, head, Break(seq, f"{object_type} {object_id} differs from what it recorded")
                )
            if table == "blobs" and hashlib.sha256(bytes(row["data"])).hexdigest() != row["sha256"]:
                return Verification(
                    count, head, Break(seq, f"the bytes of blob {object_id} do not match its SHA-256")
                )
    if described:
        (object_type, object_id), (seq, _) = min(described.items(), key=lambda item: item[1][0])
        return Verification(count, head, Break(seq, f"{object_type} {object_id} it records is missing"))
    return _check_signatures(connection, count, head, cancel)


_TRUST_ROWS = text(
    "SELECT seq, object_type, payload FROM ledger "
    "WHERE object_type IN ('checkpoint', 'signoff', 'event') ORDER BY seq"
)


class _Untrusted(Exception):
    """A signature rule is broken at ``seq``."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def _check_signatures(
    connection: Connection, count: int, head: str, cancel: threading.Event | None = None
) -> Verification:
    """The key history, every checkpoint against it, and a checkpoint after every sign-off.

    The chain alone proves nothing against someone who rebuilds it: only signatures by a key
    the record itself trusts do. The first key is enrolled once; each later key is brought in
    by a rotation signed by the key it retires (or, if that key was lost, by a replacement the
    description names in capitals). A checkpoint counts only if the key current at its entry
    signed it; checkpoints written before the first enrolment (records from before keys were
    enrolled) must be signed by the first enrolled key.
    """
    keys: list[KeyRecord] = []
    record_id: str | None = None
    early: list[tuple[int, dict[str, Any]]] = []  # checkpoints before any enrolment
    signoffs: list[tuple[int, str]] = []
    signed_through = checked = 0
    try:
        for number, (seq, object_type, data) in enumerate(connection.execute(_TRUST_ROWS)):
            if number % _CANCEL_EVERY == 0:
                stop_if_set(cancel, "Verification cancelled.")
            payload = json.loads(bytes(data) if not isinstance(data, str) else data)
            if object_type == "signoff":
                signoffs.append((seq, str(payload.get("id"))))
            elif object_type == "checkpoint":
                if not keys:
                    early.append((seq, payload))
                    continue
                _check_checkpoint(connection, seq, payload, keys)
                signed_through, checked = int(payload["entry_count"]), checked + 1
            elif payload.get("kind") in KEY_EVENTS:
                record_id = _key_event(seq, payload, keys, record_id)
        if early:
            if not keys:
                seq, payload = early[0]
                raise _Untrusted(
                    seq,
                    f"checkpoint {payload.get('id')} was signed, "
                    "but no signing key is enrolled in the record",
                )
            for seq, payload in early:
                _check_checkpoint(connection, seq, payload, keys[:1], legacy=True)
                signed_through = max(signed_through, int(payload["entry_count"]))
                checked += 1
        for seq, signoff in signoffs:
            if signed_through < seq:
                raise _Untrusted(seq, f"sign-off {signoff} has no valid signed checkpoint after it")
    except _Untrusted as untrusted:
        return Verification(
            count, head, Break(untrusted.seq, untrusted.reason), checked, tuple(keys), record_id
        )
    except (KeyError, TypeError, ValueError) as error:  # a payload that is not what the app writes
        return Verification(count, head, Break(count, f"a signature record is malformed ({error})"))
    return Verification(count, head, None, checked, tuple(keys), record_id, signed_through)


def _key_event(seq: int, payload: dict[str, Any], keys: list[KeyRecord], record_id: str | None) -> str:
    """Add a key event to the history if its signatures hold; return the record's id."""
    kind = payload["kind"]
    detail = json.loads(payload["detail_json"])
    new, at, rid = str(detail["public_key"]), str(detail["at"]), str(detail["record_id"])
    old = keys[-1].public_key if keys else None
    if kind == KEY_ENROLLED:
        if keys:
            raise _Untrusted(
                seq,
                f"a second key ({fingerprint(new)}) is enrolled without a rotation signed by the current key "
                f"({fingerprint(old or '')})",
            )
        record_id = rid
    elif not keys:
        raise _Untrusted(seq, f"a {kind} event comes before any key was enrolled")
    if rid != record_id:
        raise _Untrusted(seq, f"the {kind} event names another record ({rid})")
    if str(detail.get("old_key") or "") != (old or "") or new == old:
        raise _Untrusted(seq, f"the {kind} event does not follow the current key {fingerprint(old or '')}")
    message = key_event_message(kind, rid, old, new, at)
    if not signature_valid(new, message, str(detail["signature"])):
        raise _Untrusted(seq, f"the {kind} event's signature by the new key {fingerprint(new)} is not valid")
    if kind == KEY_ROTATED and not signature_valid(old or "", message, str(detail["old_signature"])):
        raise _Untrusted(
            seq,
            f"the rotation to {fingerprint(new)} is not signed by the key it retires "
            f"({fingerprint(old or '')})",
        )
    if keys:
        keys[-1] = replace(keys[-1], retired_at=seq)
    keys.append(KeyRecord(new, seq, kind, at, str(detail.get("reason", ""))))
    return rid


def _check_checkpoint(
    connection: Connection, seq: int, payload: dict[str, Any], keys: list[KeyRecord], legacy: bool = False
) -> None:
    """A checkpoint signs the head just before it, with the key current at its entry."""
    number, count = payload["id"], int(payload["entry_count"])
    if count != seq - 1:
        raise _Untrusted(
            seq, f"checkpoint {number} claims to sign entry {count} but was recorded at entry {seq}"
        )
    actual = (
        connection.execute(text("SELECT entry_hash FROM ledger WHERE seq = :seq"), {"seq": count}).scalar()
        if count
        else GENESIS  # a record's very first checkpoint may sign the empty chain
    )
    if actual != payload["head_hash"]:
        raise _Untrusted(count, f"checkpoint {number} signed a different chain head")
    signer, current = str(payload["public_key"]), keys[-1]
    if signer != current.public_key:
        retired = next((key for key in keys if key.public_key == signer), None)
        why = (
            f"retired at entry {retired.retired_at}"
            if retired is not None and retired.retired_at is not None and not legacy
            else "not in the record's key history"
        )
        raise _Untrusted(
            seq,
            f"checkpoint {number} is signed by key {fingerprint(signer)}, {why} "
            f"(the current key is {fingerprint(current.public_key)})",
        )
    message = checkpoint_message(count, payload["head_hash"], payload["at"])
    if not signature_valid(signer, message, str(payload["signature"])):
        raise _Untrusted(seq, f"checkpoint {number} has an invalid signature")
