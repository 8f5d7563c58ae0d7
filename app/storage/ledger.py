"""The ledger table: one entry per recorded row, in the same transaction, and its verification.

Every row of the record is described by exactly one ledger entry whose payload is the row
itself as canonical JSON. Verification re-hashes the chain, then checks each row against
its entry, so an edit, a deletion or an insertion made directly in the SQLite file is found
and located even when the attacker leaves the ledger alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, Table, Text, cast, column, insert, inspect, select
from sqlalchemy.orm import DeclarativeBase, Session

from app.core.cancel import CancelToken, stop_if_set
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
from app.core.signoff import (
    CONTENT_TABLES,
    SIGNED_FIELDS,
    ContentRow,
    content_digest,
    identity_message,
    signoff_message,
)
from app.core.text import counted
from app.storage.models import Base, EventRow, LedgerRow, TurnRow
from app.storage.rows import stored
from app.storage.sqlite_dialect import among, read_only

_HEAD = select(LedgerRow.seq, LedgerRow.entry_hash).order_by(LedgerRow.seq.desc()).limit(1)

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
    "model_checks": ("model_check", "model.checked", "id"),
    "identities": ("identity", "identity.created", "id"),
    "identity_revocations": ("identity_revocation", "identity.revoked", "id"),
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
    head = connection.execute(_HEAD).first()
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
    connection.execute(insert(LedgerRow), {**fields, "payload": payload, "entry_hash": digest})
    return Entry(payload=payload, entry_hash=digest, **fields)  # type: ignore[arg-type]


def head(connection: Connection) -> tuple[int, str]:
    """(entry count, head hash) of the ledger."""
    row = connection.execute(_HEAD).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def peek(path: Path, seq: int) -> tuple[int, str, str | None, str | None]:
    """(entry count, head hash, record id, hash of entry ``seq``) of a record file, read as it is.

    For checks that must refuse a file before anything (even switching it to WAL) writes to it.
    """
    if not path.exists() or path.stat().st_size == 0:
        return 0, GENESIS, None, None
    with read_only(path) as connection:
        tables = set(inspect(connection).get_table_names())
        if "ledger" not in tables:
            return 0, GENESIS, None, None
        row = connection.execute(_HEAD).first()
        found = connection.scalar(select(LedgerRow.entry_hash).where(LedgerRow.seq == seq))
        first_key = select(EventRow.detail_json).where(EventRow.kind == KEY_ENROLLED).order_by(EventRow.id)
        enrolled = connection.scalar(first_key.limit(1)) if "events" in tables else None
    record_id = json.loads(enrolled).get("record_id") if enrolled else None
    count, head = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    return count, head, record_id, (None if found is None else str(found))


def backfill(connection: Connection) -> None:
    """Describe rows written before the ledger existed (migration 0003), oldest first."""
    from app.core.clock import os_user

    existing = set(inspect(connection).get_table_names())
    for table, (_, _, key) in TABLES.items():
        if table not in existing:  # created by a later migration, which records its own rows
            continue
        result = connection.execute(stored(table).order_by(column(key)))
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

    def describe(self) -> str:
        """One line: its fingerprint and how it came in (a replacement in capitals) and went."""
        text = f"{fingerprint(self.public_key)} "
        text += {
            KEY_ENROLLED: f"enrolled at entry {self.seq}",
            KEY_ROTATED: f"rotated in at entry {self.seq}, signed by the key before it",
            KEY_REPLACED: (
                f"REPLACED at entry {self.seq} without the previous key's signature "
                f"(reason given: {self.reason!r})"
            ),
        }[self.how]
        if self.retired_at is not None:
            text += f", retired at entry {self.retired_at}"
        return text


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str
    problem: Break | None
    checkpoints: int = 0
    keys: tuple[KeyRecord, ...] = ()
    record_id: str | None = None
    signed_through: int = 0  # the entry count the newest valid checkpoint signed
    # A record from before keys were enrolled: the one key that signed all its checkpoints.
    unenrolled_key: str | None = None

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
            f"Record intact: {counted(self.entries, 'ledger entry', 'ledger entries')}, head {self.head}, "
            f"{self.checkpoints} signed checkpoint(s) valid"
        )
        if self.unenrolled_key is not None:
            return (
                f"{text}, all by key {fingerprint(self.unenrolled_key)}, not yet enrolled in it (a record "
                "from before keys were enrolled: its key is enrolled when it is next opened to write)."
            )
        if not self.keys:
            return text + ("; no signing key is enrolled in it." if self.entries else ".")
        history = "; ".join(key.describe() for key in self.keys)
        return f"{text}; key history: {history}."


# An entry's header: what it describes, then how it is chained (its payload goes between).
ENTRY_SUBJECT = (
    LedgerRow.seq,
    LedgerRow.at,
    LedgerRow.os_user,
    LedgerRow.actor,
    LedgerRow.action,
    LedgerRow.object_type,
    LedgerRow.object_id,
)
ENTRY_CHAIN = (LedgerRow.payload_sha256, LedgerRow.prev_hash, LedgerRow.entry_hash)
_ENTRIES: Select = select(
    *ENTRY_SUBJECT,
    column("payload"),  # untyped: a tampered cell is read as it is
    *ENTRY_CHAIN,
).order_by(LedgerRow.seq)


def entries(connection: Connection) -> Iterator[Entry]:
    result = connection.execute(_ENTRIES)
    for seq, at, user, actor, action, object_type, object_id, payload, payload_sha, prev, digest in result:
        # Stored as a BLOB; a tampered cell may come back as text, which must still be checked.
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        yield Entry(seq, at, user, actor, action, object_type, object_id, data, payload_sha, prev, digest)


_CANCEL_EVERY = 1024  # entries or rows between looks at the cancel flag


def verify(connection: Connection, cancel: CancelToken | None = None) -> Verification:
    """Check the chain, then every recorded row against the entry that describes it.

    ``cancel`` set raises ``Cancelled`` within about a thousand entries (100,000 take seconds).
    """
    described: dict[tuple[str, str], tuple[int, bytes]] = {}
    signed: list[Entry] = []  # what the signature checks read, kept from this one pass
    head = GENESIS

    def collect() -> Iterator[Entry]:
        nonlocal head
        for number, entry in enumerate(entries(connection)):
            if number % _CANCEL_EVERY == 0:
                stop_if_set(cancel, "Verification cancelled.")
            described.setdefault((entry.object_type, entry.object_id), (entry.seq, entry.payload))
            if entry.object_type in _SIGNATURE_OBJECTS:
                signed.append(entry)
            head = entry.entry_hash
            yield entry

    count, problem = check_chain(collect())
    if problem is not None:
        return Verification(count, head, problem)
    for table, (object_type, _, key) in TABLES.items():
        result = connection.execute(stored(table))
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
                changes = _changes(table, row, payload)
                why = f"{object_type} {object_id} differs from what it recorded{changes}"
                return Verification(count, head, Break(seq, why))
            if table == "blobs" and hashlib.sha256(bytes(row["data"])).hexdigest() != row["sha256"]:
                return Verification(
                    count, head, Break(seq, f"the bytes of blob {object_id} do not match its SHA-256")
                )
    if described:
        (object_type, object_id), (seq, _) = min(described.items(), key=lambda item: item[1][0])
        return Verification(count, head, Break(seq, f"{object_type} {object_id} it records is missing"))
    # Every row now matches the entry describing it, so the rows tell which entries are whose.
    return _check_signatures(signed, count, head, lambda ids: content_entries(connection, ids))


# -- what a personal sign-off covers --------------------------------------------------------
#
# A conversation's content is its own row and every row of CONTENT_TABLES that belongs to it (its
# turns, and each row about one of its turns), each named by its table, its key and the
# payload_sha256 of the ledger entry that describes it: the digest a signer signs can then be
# recomputed from the ledger alone, as it stood before the sign-off's entry.


def content_entries(
    connection: Connection, conversation_ids: Collection[int]
) -> dict[int, list[tuple[int, ContentRow]]]:
    """For each conversation, (ledger seq, row) of every row of its content, in no set order.

    A row is named by the first entry that describes it (verification finds any other). The rows
    are found first (through their tables' keys), then the entries of each table's rows in one
    pass over the ledger.
    """
    ids = sorted({int(number) for number in conversation_ids})
    found: dict[int, dict[tuple[str, str], tuple[int, ContentRow]]] = defaultdict(dict)
    if not ids:
        return {}
    turns: Table = TurnRow.__table__  # type: ignore[assignment]
    for name in CONTENT_TABLES:
        rows: Table = Base.metadata.tables[name]
        object_type, _, key = TABLES[name]
        if name == "conversations":
            owner = rows.c.id
        elif "conversation_id" in rows.c:
            owner = rows.c.conversation_id
        else:
            owner = turns.c.conversation_id
        members = select(cast(rows.c[key], Text).label("object_id"), owner.label("owner")).where(
            among(owner, ids)
        )
        if name not in ("conversations", "turns"):
            members = members.select_from(rows).join(turns, turns.c.id == rows.c.turn_id)
        whose = {str(object_id): int(conversation) for object_id, conversation in connection.execute(members)}
        if not whose:
            continue
        entries = select(LedgerRow.seq, LedgerRow.object_id, LedgerRow.payload_sha256).where(
            LedgerRow.object_type == object_type,
            LedgerRow.object_id.in_(select(members.subquery().c.object_id)),
        )
        for seq, object_id, payload_sha256 in connection.execute(entries):
            kept = found[whose[str(object_id)]]
            earlier = kept.get((name, str(object_id)))
            if earlier is None or int(seq) < earlier[0]:
                kept[(name, str(object_id))] = (
                    int(seq),
                    ContentRow(name, str(object_id), str(payload_sha256)),
                )
    return {conversation: list(rows.values()) for conversation, rows in found.items()}


def conversation_content(connection: Connection, conversation_id: int) -> tuple[tuple[ContentRow, ...], str]:
    """The rows of a conversation's content as recorded now, and their digest."""
    entries = content_entries(connection, [conversation_id]).get(conversation_id, [])
    rows = tuple(row for _, row in sorted(entries, key=lambda item: item[0]))
    return rows, content_digest(rows)


def _changes(table: str, row: dict[str, Any], payload: bytes) -> str:
    """Which columns of a row differ from its entry, and the turn it belongs to, in words."""
    try:
        recorded = json.loads(payload)
    except ValueError:
        return ""
    now = row_payload(table, row)
    changed = sorted(key for key in {*recorded, *now} if key != "table" and recorded.get(key) != now.get(key))
    turn = f" (turn {row['turn_id']})" if table != "turns" and row.get("turn_id") is not None else ""
    return f"{turn}: {', '.join(changed)} changed" if changed else turn


_SIGNATURE_OBJECTS = frozenset({"checkpoint", "signoff", "event", "identity", "identity_revocation"})
Contents = Callable[[set[int]], dict[int, list[tuple[int, ContentRow]]]]


class _Untrusted(Exception):
    """A signature rule is broken at ``seq``."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def _check_signatures(signed: list[Entry], count: int, head: str, contents: Contents) -> Verification:
    """The key history, every checkpoint against it, every identity and personal sign-off, and a
    checkpoint after every sign-off.

    The chain alone proves nothing against someone who rebuilds it: only signatures by a key
    the record itself trusts do. The first key is enrolled once; each later key is brought in
    by a rotation signed by the key it retires (or, if that key was lost, by a replacement the
    description names in capitals). A checkpoint counts only if the key current at its entry
    signed it; checkpoints written before the first enrolment (records from before keys were
    enrolled) must be signed by the first enrolled key.

    A personal sign-off counts only if its identity was recorded (with a valid proof of its key)
    by an earlier entry and not revoked by one, and its signature by that identity's key holds
    over the message rebuilt from the sign-off, the identity, the conversation's content as the
    entries before the sign-off describe it, and the entry just before it (``PersonalSignOffs``).
    ``contents`` gives those entries for a set of conversations.
    """
    keys: list[KeyRecord] = []
    record_id: str | None = None
    early: list[tuple[Entry, dict[str, Any]]] = []  # checkpoints before any enrolment
    signoffs: list[tuple[int, str]] = []
    signed_through = checked = 0
    personal = PersonalSignOffs(signed, contents)
    try:
        for entry in signed:
            payload = json.loads(entry.payload)
            if entry.object_type == "signoff":
                signoffs.append((entry.seq, str(payload.get("id"))))
                personal.check_signoff(entry, payload, record_id)
            elif entry.object_type == "identity":
                personal.add_identity(entry, payload, record_id)
            elif entry.object_type == "identity_revocation":
                personal.revoke(entry, payload)
            elif entry.object_type == "checkpoint":
                if not keys:
                    early.append((entry, payload))
                    continue
                _check_checkpoint(entry, payload, keys)
                signed_through, checked = int(payload["entry_count"]), checked + 1
            elif payload.get("kind") in KEY_EVENTS:
                record_id = _key_event(entry.seq, payload, keys, record_id)
        unenrolled = None
        if early:
            # Before any enrolment (an earlier version's record): all signed by one key, which
            # must be the key enrolled first, if one is; the caller ties it to the installation.
            first = keys[:1] or [KeyRecord(str(early[0][1]["public_key"]), 0, KEY_ENROLLED, "")]
            unenrolled = None if keys else first[0].public_key
            for entry, payload in early:
                _check_checkpoint(entry, payload, first, legacy=True)
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
    return Verification(count, head, None, checked, tuple(keys), record_id, signed_through, unenrolled)


class PersonalSignOffs:
    """The identities recorded so far, and the checks on each identity and personal sign-off.

    What no check here can catch, said plainly: whoever holds the installation key can rebuild
    the whole chain, and so can replace an identity by one of their own key (with a proof and
    sign-offs signed by it) and re-sign every checkpoint. The record alone then verifies. What
    still tells is outside it: the fingerprint printed in every report and known to its owner,
    and the checkpoints already witnessed or timestamped over the identity's creation, which the
    rebuilt chain no longer contains (``verify --since``, the witness, a timestamp token).
    """

    def __init__(self, signed: list[Entry], contents: Contents) -> None:
        self._identities: dict[str, tuple[int, dict[str, Any]]] = {}  # id -> (seq, payload)
        self._revoked: dict[str, int] = {}  # identity id -> the entry that revoked it
        self._first_identity: int | None = None
        self._contents: dict[int, list[tuple[int, ContentRow]]] | None = None
        self._signed = signed
        self._load_contents = contents

    def add_identity(self, entry: Entry, payload: dict[str, Any], record_id: str | None) -> None:
        number, key = payload["id"], str(payload["public_key"])
        if record_id is None:
            raise _Untrusted(entry.seq, f"identity {number} comes before any key was enrolled")
        if fingerprint(key) != payload["fingerprint"]:
            raise _Untrusted(
                entry.seq,
                f"identity {number} names fingerprint {payload['fingerprint']}, but its key's is "
                f"{fingerprint(key)}",
            )
        message = identity_message({**payload, "record_id": record_id})
        if not signature_valid(key, message, str(payload["proof"])):
            raise _Untrusted(
                entry.seq, f"identity {number} ({fingerprint(key)}) has no valid proof that its key signed it"
            )
        self._identities[str(number)] = (entry.seq, payload)
        if self._first_identity is None:
            self._first_identity = entry.seq

    def revoke(self, entry: Entry, payload: dict[str, Any]) -> None:
        who = str(payload["identity_id"])
        if who not in self._identities:
            raise _Untrusted(
                entry.seq, f"revocation {payload['id']} names identity {who}, which no earlier entry records"
            )
        self._revoked[who] = entry.seq

    def check_signoff(self, entry: Entry, payload: dict[str, Any], record_id: str | None) -> None:
        number = payload["id"]
        if "signature" not in payload:
            if "identity_id" in payload or self._first_identity is not None:
                # Stripping the signature would leave a sign-off only the installation key covers.
                raise _Untrusted(
                    entry.seq,
                    f"sign-off {number} carries no personal signature, though identities sign from entry "
                    f"{self._first_identity or entry.seq} on",
                )
            return  # recorded before identities: checked as it always was (a checkpoint after it)
        who = str(payload.get("identity_id"))
        found = self._identities.get(who)
        if found is None:
            raise _Untrusted(
                entry.seq, f"sign-off {number} names identity {who}, which no earlier entry records"
            )
        identity = found[1]
        signer = f"{identity['fingerprint']} ({identity['name']})"
        if who in self._revoked:
            raise _Untrusted(
                entry.seq,
                f"sign-off {number} is signed by identity {signer}, revoked at entry {self._revoked[who]}",
            )
        if payload["ledger_head"] != entry.prev_hash:
            raise _Untrusted(
                entry.seq,
                f"sign-off {number} names ledger head {payload['ledger_head']}, but the entry before it "
                f"is {entry.prev_hash}",
            )
        if payload["printed_name"] != identity["name"] or payload.get("role", "") != identity["role"]:
            raise _Untrusted(
                entry.seq,
                f"sign-off {number} names {payload['printed_name']!r} ({payload.get('role', '')!r}) as its "
                f"signer, but identity {signer} is {identity['name']!r} ({identity['role']!r})",
            )
        conversation = int(payload["conversation_id"])
        rows = [row for seq, row in self._conversation(conversation) if seq < entry.seq]
        digest = content_digest(rows)
        if payload.get("content_sha256") != digest:
            raise _Untrusted(
                entry.seq,
                f"sign-off {number} signed content {payload.get('content_sha256')}, but conversation "
                f"{conversation} as recorded before it has content {digest}: the signed content was changed",
            )
        if record_id is None:
            raise _Untrusted(entry.seq, f"sign-off {number} comes before any key was enrolled")
        fields = {
            **{name: payload.get(name, "") for name in SIGNED_FIELDS},
            "record_id": record_id,
            "content_sha256": digest,
            "printed_name": identity["name"],
            "role": identity["role"],
            "fingerprint": identity["fingerprint"],
            "ledger_head": entry.prev_hash,
        }
        if not signature_valid(
            str(identity["public_key"]), signoff_message(fields), str(payload["signature"])
        ):
            raise _Untrusted(
                entry.seq,
                f"sign-off {number}'s personal signature by identity {signer} is not valid over what it "
                "records (its meaning, statement, reason, time or record was changed)",
            )

    def _conversation(self, conversation: int) -> list[tuple[int, ContentRow]]:
        if self._contents is None:  # read once, for every conversation a personal sign-off names
            wanted = set()
            for entry in self._signed:
                if entry.object_type == "signoff":
                    with contextlib.suppress(ValueError, TypeError, KeyError):
                        payload = json.loads(entry.payload)
                        if "signature" in payload:
                            wanted.add(int(payload["conversation_id"]))
            self._contents = self._load_contents(wanted)
        return self._contents.get(conversation, [])


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
    entry: Entry, payload: dict[str, Any], keys: list[KeyRecord], legacy: bool = False
) -> None:
    """A checkpoint signs the head just before it, with the key current at its entry.

    That head is the hash its own entry chains to (``prev_hash``, already checked): the
    all-zero genesis hash for a checkpoint of an empty record, which verifies like any other.
    """
    seq = entry.seq
    number, count = payload["id"], int(payload["entry_count"])
    if count != seq - 1:
        raise _Untrusted(
            seq, f"checkpoint {number} claims to sign entry {count} but was recorded at entry {seq}"
        )
    if entry.prev_hash != payload["head_hash"]:
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
