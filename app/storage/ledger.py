"""The ledger table: one entry per recorded row, in the same transaction, and its verification.

Every row of the record is described by exactly one ledger entry whose payload is the row
itself as canonical JSON. Verification re-hashes the chain, then checks each row against
its entry, so an edit, a deletion or an insertion made directly in the SQLite file is found
and located even when the attacker leaves the ledger alone.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import DeclarativeBase, Session

from app.core.cancel import stop_if_set
from app.core.clock import utc_now
from app.core.ledger import GENESIS, Break, Entry, canonical, check_chain, entry_hash
from app.core.signing import checkpoint_message, signature_valid

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
class Verification:
    entries: int
    head: str
    problem: Break | None
    checkpoints: int = 0

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.problem is None:
            return (
                f"Record intact: {self.entries} ledger entries, head {self.head}, "
                f"{self.checkpoints} signed checkpoint(s) valid."
            )
        return f"Record broken at entry {self.problem.seq}: {self.problem.reason}."


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
    return _check_checkpoints(connection, count, head)


def _check_checkpoints(connection: Connection, count: int, head: str) -> Verification:
    """Each signed checkpoint must name a real entry's hash and carry a valid signature."""
    checked = 0
    for row in connection.execute(
        text("SELECT id, at, entry_count, head_hash, public_key, signature FROM checkpoints ORDER BY id")
    ):
        number, at, entry_count, head_hash, public_key, signature = row
        actual = connection.execute(
            text("SELECT entry_hash FROM ledger WHERE seq = :seq"), {"seq": entry_count}
        ).scalar()
        if actual != head_hash:
            return Verification(
                count, head, Break(entry_count, f"checkpoint {number} signed a different chain head")
            )
        if not signature_valid(public_key, checkpoint_message(entry_count, head_hash, at), signature):
            return Verification(
                count, head, Break(entry_count, f"checkpoint {number} has an invalid signature")
            )
        checked += 1
    return Verification(count, head, None, checked)
