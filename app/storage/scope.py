"""Everything a JSON audit bundle of some conversations holds, read from the record at once.

A bundle proves its records by the hash chain, so besides the rows themselves it needs the
ledger entry of each row (the payload, which the chain authenticates) and the header of
every other entry (so the chain can be recomputed from genesis to the signed head). All of
it is read in one transaction, so the rows and the ledger describe the same moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select, union

from app.core.errors import NotFoundError, StorageError
from app.core.report import BundleScope, LedgerLine, ScopeRecord, scope_digest
from app.core.reproduction import EVENT as REPRODUCED
from app.core.signing import KEY_ENROLLED
from app.storage.ledger import ENTRY_CHAIN, ENTRY_SUBJECT, TABLES, row_payload
from app.storage.models import (
    AnnotationRow,
    BlobRow,
    ConversationLinkRow,
    ConversationRow,
    EventRow,
    IdentityRevocationRow,
    IdentityRow,
    LedgerRow,
    ModelCheckRow,
    ModelFileRow,
    SignOffRow,
    TurnChunkRow,
    TurnImageRow,
    TurnOutcomeRow,
    TurnRow,
)
from app.storage.rows import stored
from app.storage.sqlite_dialect import among


def _in_scope(ids: tuple[int, ...]) -> dict[str, Select[Any]]:
    """Each recorded table in a bundle's scope, and how its rows are found from the conversation ids."""
    turns = select(TurnRow.id).where(among(TurnRow.conversation_id, ids))
    # The identities whose keys signed these conversations: each with its revocation, if any, and
    # the record's key enrolment, which names the record every personal signature signs for.
    signers = select(SignOffRow.identity_id).where(
        among(SignOffRow.conversation_id, ids), SignOffRow.identity_id.is_not(None)
    )
    enrolment = select(EventRow.id).where(EventRow.kind == KEY_ENROLLED).order_by(EventRow.id).limit(1)
    return {
        "conversations": stored(ConversationRow).where(among(ConversationRow.id, ids)),
        "conversation_links": stored(ConversationLinkRow).where(
            among(ConversationLinkRow.conversation_id, ids)
        ),
        "turns": stored(TurnRow).where(among(TurnRow.conversation_id, ids)),
        "turn_chunks": stored(TurnChunkRow).where(TurnChunkRow.turn_id.in_(turns)),
        "turn_outcomes": stored(TurnOutcomeRow).where(TurnOutcomeRow.turn_id.in_(turns)),
        "turn_images": stored(TurnImageRow).where(TurnImageRow.turn_id.in_(turns)),
        "annotations": stored(AnnotationRow).where(AnnotationRow.turn_id.in_(turns)),
        # Every reproduction: the turn it ran again is named in its detail, which
        # ``_rows_in_scope`` reads, so no engine's JSON functions are needed.
        "events": stored(EventRow).where(
            or_(
                EventRow.kind == REPRODUCED,
                EventRow.id.in_(enrolment.scalar_subquery()) & signers.exists(),
            )
        ),
        "model_checks": stored(ModelCheckRow).where(ModelCheckRow.turn_id.in_(turns)),
        "signoffs": stored(SignOffRow).where(among(SignOffRow.conversation_id, ids)),
        "identities": stored(IdentityRow).where(IdentityRow.id.in_(signers)),
        "identity_revocations": stored(IdentityRevocationRow).where(
            IdentityRevocationRow.identity_id.in_(signers)
        ),
        "blobs": stored(BlobRow).where(
            BlobRow.sha256.in_(
                union(
                    select(TurnImageRow.sha256).where(TurnImageRow.turn_id.in_(turns)),
                    select(TurnImageRow.sent_sha256).where(TurnImageRow.turn_id.in_(turns)),
                )
            )
        ),
        # The model a turn names is identified by its SHA-256; every hashing of that file is in scope.
        "model_files": stored(ModelFileRow).where(
            ModelFileRow.sha256.in_(
                union(
                    select(TurnRow.model_sha256).where(among(TurnRow.conversation_id, ids)),
                    select(TurnRow.projector_sha256).where(among(TurnRow.conversation_id, ids)),
                    select(ModelCheckRow.sha256).where(ModelCheckRow.turn_id.in_(turns)),
                )
            )
        ),
    }


# The token id blobs a bundle carries as lists (their rows' payloads hold only their SHA-256).
_TOKEN_COLUMNS = {"turns": ("prompt_token_ids",), "turn_outcomes": ("output_token_ids",)}
_HEADERS = select(*ENTRY_SUBJECT, *ENTRY_CHAIN).order_by(LedgerRow.seq)


def read_scope(
    connection: Connection,
    conversation_ids: Iterable[int],
    *,
    as_of: int | None = None,
    through: int | None = None,
    report_id: str | None = None,
) -> BundleScope:
    """The records of ``conversation_ids`` and the ledger that authenticates them.

    ``as_of`` leaves out records whose entry comes after it (rows appended while an export
    was being recorded); ``through`` ends the ledger there (at a signed checkpoint);
    ``report_id`` also carries the payload of the ``export.made`` event naming that report.
    Both default to the ledger's current head.
    """
    ids = tuple(dict.fromkeys(int(number) for number in conversation_ids))
    if not ids:
        raise NotFoundError("Nothing to export: choose at least one conversation.")
    head = int(connection.execute(select(func.coalesce(func.max(LedgerRow.seq), 0))).scalar_one())
    through = head if through is None else through
    as_of = through if as_of is None else as_of
    if not 0 <= as_of <= through <= head:
        raise StorageError(
            f"Cannot read entries 1 to {through} (records as of {as_of}): the record has {head} entries."
        )
    token_blobs: dict[tuple[str, str, int], bytes] = {}
    rows = _rows_in_scope(connection, ids, token_blobs)
    found = {int(payload["id"]) for table, _, payload in rows if table == "conversations"}
    missing = [number for number in ids if number not in found]
    if missing:
        raise NotFoundError(f"No conversation with id {missing[0]}.")
    headers = connection.execute(_HEADERS.where(LedgerRow.seq <= through)).all()
    seqs = _entries_of([key for _, key, _ in rows], headers)
    records = _referenced(
        [
            ScopeRecord(seq, table, payload)
            for (table, _, payload), seq in zip(rows, seqs, strict=True)
            if seq <= as_of
        ]
    )
    record_seqs = [record.seq for record in records]
    export_seq = _export_event(connection, headers, report_id) if report_id is not None else None
    wanted = [*record_seqs, *([export_seq] if export_seq is not None else [])]
    payloads = _payloads(connection, wanted)
    ledger = tuple(_line(header, payloads.get(int(header[0]))) for header in headers)
    return BundleScope(ids, tuple(records), ledger, scope_digest(record_seqs), as_of, export_seq, token_blobs)


def _line(header: Any, payload: dict[str, Any] | None) -> LedgerLine:
    seq, at, user, actor, action, object_type, object_id, payload_sha, prev, digest = header
    return LedgerLine(
        int(seq), at, user, actor, action, object_type, object_id, payload_sha, prev, digest, payload
    )


def _referenced(records: list[ScopeRecord]) -> list[ScopeRecord]:
    """Records in entry order, without images, model files and signers that no kept record refers to.

    An image or model hash recorded before ``as_of`` may first be referred to by a turn
    recorded after it; it then belongs to a later scope, not to this one. So may an identity
    (with its revocation, and the key enrolment) by a sign-off recorded after it.
    """
    images: set[str] = set()
    models: set[str] = set()
    signers: set[int] = set()
    for record in records:
        if record.table == "turn_images":
            images.update(record.payload.get(key, "") for key in ("sha256", "sent_sha256"))
        elif record.table == "turns":
            models.update(record.payload.get(key, "") for key in ("model_sha256", "projector_sha256"))
        elif record.table == "model_checks":
            models.add(record.payload["sha256"])
        elif record.table == "signoffs" and "identity_id" in record.payload:
            signers.add(int(record.payload["identity_id"]))
    kept = [
        record
        for record in records
        if (record.table != "blobs" or record.payload["sha256"] in images)
        and (record.table != "model_files" or record.payload["sha256"] in models)
        and (record.table != "identities" or int(record.payload["id"]) in signers)
        and (record.table != "identity_revocations" or int(record.payload["identity_id"]) in signers)
        and (record.table != "events" or record.payload["kind"] != KEY_ENROLLED or bool(signers))
    ]
    return sorted(kept, key=lambda record: record.seq)


def _rows_in_scope(
    connection: Connection, ids: tuple[int, ...], token_blobs: dict[tuple[str, str, int], bytes]
) -> list[tuple[str, tuple[str, str], dict[str, Any]]]:
    """(table, ledger object key, payload) of every row in scope; token id blobs go to ``token_blobs``.

    Payloads are made as rows arrive, so image bytes are hashed and dropped one at a time.
    Events are read after turns: one is kept when the turn its detail names is in scope.
    """
    rows: list[tuple[str, tuple[str, str], dict[str, Any]]] = []
    turn_ids: set[int] = set()
    for table, query in _in_scope(ids).items():
        object_type, _, key = TABLES[table]
        result = connection.execute(query)
        names = list(result.keys())
        for values in result:
            row = dict(zip(names, values, strict=True))
            if table == "turns":
                turn_ids.add(int(row["id"]))
            elif (
                table == "events"
                and row["kind"] == REPRODUCED
                and _turn_named(row["detail_json"]) not in turn_ids
            ):
                continue
            for column in _TOKEN_COLUMNS.get(table, ()):
                if row.get(column) is not None:
                    token_blobs[(table, column, int(row["id"]))] = bytes(row[column])
            rows.append((table, (object_type, str(row[key])), row_payload(table, row)))
    return rows


def _turn_named(detail_json: Any) -> int | None:
    """The turn an event's detail names (``turn_id``), or None."""
    try:
        detail = json.loads(detail_json)
    except (TypeError, ValueError):
        return None  # a detail this version cannot read names no turn
    turn_id = detail.get("turn_id") if isinstance(detail, dict) else None
    return turn_id if isinstance(turn_id, int) and not isinstance(turn_id, bool) else None


def _entries_of(keys: list[tuple[str, str]], headers: Sequence[Any]) -> list[int]:
    """The ledger entry describing each row: the first entry for its (object type, id)."""
    wanted = set(keys)
    first: dict[tuple[str, str], int] = {}
    for header in headers:
        key = (header[5], header[6])
        if key in wanted and key not in first:
            first[key] = int(header[0])
    for key in keys:
        if key not in first:
            raise StorageError(
                f"{key[0]} {key[1]} has no ledger entry: the record is damaged. "
                "Run Verify to locate the problem before exporting."
            )
    return [first[key] for key in keys]


def _export_event(connection: Connection, headers: Sequence[Any], report_id: str) -> int:
    """The entry of the ``export.made`` event recorded for ``report_id`` (the latest such)."""
    candidates = [int(header[0]) for header in headers if header[4] == "export.made" and header[5] == "event"]
    for seq, payload in sorted(_payloads(connection, candidates).items(), reverse=True):
        detail = json.loads(payload.get("detail_json", "{}"))
        if isinstance(detail, dict) and detail.get("report_id") == report_id:
            return seq
    raise NotFoundError(f"No export event for report {report_id} in the ledger.")


def _payloads(connection: Connection, seqs: list[int]) -> dict[int, dict[str, Any]]:
    result: dict[int, dict[str, Any]] = {}
    for seq, payload in connection.execute(
        select(LedgerRow.seq, LedgerRow.payload).where(among(LedgerRow.seq, seqs))
    ):
        # Stored as a BLOB of canonical JSON; a tampered cell may come back as text.
        result[int(seq)] = json.loads(payload if isinstance(payload, str) else bytes(payload))
    return result
