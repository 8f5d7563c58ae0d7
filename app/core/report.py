"""Report ids, the slice of the record a JSON audit bundle carries, and how a report names a model.

Every export (PDF, Markdown, JSON bundle) gets a report id that people can quote on the
phone and find again in the ledger: the UTC time it was made plus four random hex digits,
so two exports in the same second still differ.

Every report, the command line and the window say which model produced a turn in the same
words (``model_identity_lines``): a local file by its full SHA-256 and how that hash was
established, a remote model — which has no file to hash — by its server, id and fingerprint,
and, for turns recorded with it, the request sent (its size and SHA-256) and the server's answer.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.types import REMOTE_MODEL_MARKER, HashCheck, ModelFile, Turn, hash_check_words

_RECORDED_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z")
SCOPE_SCHEME = "veritrace-scope-v1"


def new_report_id(now: str) -> str:
    """``VT-YYYYMMDD-HHMMSS-XXXX`` from a recorded UTC time such as ``2026-11-23T18:30:12.345Z``."""
    match = _RECORDED_TIME.fullmatch(now)
    if match is None:
        raise ValueError(f"Not a recorded UTC time: {now!r} (expected e.g. 2026-11-23T18:30:12.345Z).")
    year, month, day, hour, minute, second = match.groups()
    return f"VT-{year}{month}{day}-{hour}{minute}{second}-{secrets.token_hex(2).upper()}"


def remote_model_words(endpoint: str | None, model_id: str | None, address: str = "") -> str:
    """A model on a server, in words: it has no file to hash, so where it ran and as which model."""
    where = f"endpoint {endpoint}, model id {model_id}" if endpoint and model_id else f"address {address}"
    return f"Remote model — no file hash: {where}"


def model_identity_lines(turn: Turn) -> list[str]:
    """Which model (and projector) produced ``turn``, one sentence each, as every report says it.

    A local file is named by its full SHA-256 and how that hash was established for its load;
    a mismatch names both hashes. A remote model, recorded with no hash (or, before, with a
    "remote:" one that is no file's hash), is named by its server, id and fingerprint.
    """
    model = turn.model
    if turn.ran_remotely or model.is_remote:
        if turn.server_fingerprint:
            reported = f"server fingerprint {turn.server_fingerprint}"
        elif model.sha256.startswith(REMOTE_MODEL_MARKER):
            reported = "no server fingerprint recorded (recorded before fingerprints were kept)"
        else:
            reported = "no fingerprint reported by the server"
        where = remote_model_words(turn.endpoint, turn.remote_model, model.path)
        return [f"{where}, {reported}", *remote_exchange_lines(turn)]
    lines = [_file_line("Model", model, turn.model_check, turn.model_expected)]
    if turn.projector is not None:
        lines.append(_file_line("Projector", turn.projector, turn.projector_check, turn.projector_expected))
    return lines


def remote_exchange_lines(turn: Turn) -> list[str]:
    """What left the machine for a remote turn and what the server said of its answer, in words."""
    lines = []
    if turn.request_json is not None:
        sent = f"Request sent: {turn.request_size} bytes, SHA-256 {turn.request_sha256}"
        try:
            body = json.loads(turn.request_json)
        except ValueError:
            body = None
        if isinstance(body, dict) and "prompt_mode" in body:  # Mistral's API
            mode = body["prompt_mode"]
            sent += (
                f', prompt_mode "{mode}" (the API\'s own system prompt for it)'
                if mode
                else ", prompt_mode null (the API's default system prompt declined)"
            )
        if turn.request_attempts and turn.request_attempts > 1:
            sent += f", sent {turn.request_attempts} times (the server asked to wait in between)"
        lines.append(sent)
    answered = []
    if turn.response_model:
        answered.append(f"answered as model {turn.response_model}")
    if turn.response_id:
        answered.append(f"response id {turn.response_id}")
    if turn.reasoning_tokens is not None:
        answered.append(f"{turn.reasoning_tokens} reasoning tokens by the server's count")
    if turn.unhandled_output_json:
        try:
            count = len(json.loads(turn.unhandled_output_json))
        except (ValueError, TypeError):
            count = 0
        answered.append(f"{count} output part(s) of a kind Veritrace does not know, kept verbatim")
    if answered:
        lines.append("Server: " + ", ".join(answered))
    return lines


def _file_line(role: str, file: ModelFile, check: HashCheck | None, expected: str | None) -> str:
    words = hash_check_words(check, file.sha256, expected)
    if file.sha256:
        return f"{role} {file.path}: SHA-256 {file.sha256} — {words}"
    if check is HashCheck.UNHASHED:  # its words begin "not hashed"
        return f"{role} {file.path}: {words}"
    return f"{role} {file.path}: not hashed — {words}"


def scope_digest(seqs: Iterable[int]) -> str:
    """SHA-256 naming exactly which ledger entries a bundle holds in full.

    Recorded in the export event, so a bundle that silently drops a record (from its
    conversation files and its ledger alike) no longer matches what the app exported.
    ``verify_bundle.py`` computes the same digest on its own.
    """
    text = SCOPE_SCHEME + ":" + ",".join(str(seq) for seq in sorted(set(seqs)))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ScopeRecord:
    """One recorded row in a bundle's scope: its ledger entry and its payload (``row_payload``)."""

    seq: int
    table: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class LedgerLine:
    """A ledger entry as a bundle carries it: the header, its hash, and the payload if in scope."""

    seq: int
    at: str
    os_user: str
    actor: str
    action: str
    object_type: str
    object_id: str
    payload_sha256: str
    prev_hash: str
    entry_hash: str
    payload: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at,
            "os_user": self.os_user,
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "payload_sha256": self.payload_sha256,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }
        if self.payload is not None:
            line["payload"] = self.payload
        return line


@dataclass(frozen=True)
class BundleScope:
    """Everything in scope for a set of conversations, read in one transaction.

    ``records`` are the rows as of ledger entry ``as_of``; ``ledger`` runs from entry 1 to
    its last entry and carries payloads for the records (and for the export event, once
    one is named). ``digest`` is ``scope_digest`` of the records' entries.
    """

    conversation_ids: tuple[int, ...]
    records: tuple[ScopeRecord, ...]
    ledger: tuple[LedgerLine, ...]
    digest: str
    as_of: int
    export_seq: int | None = None
    # The token id blobs of the records, by (table, column, row id): a record's payload holds
    # only each blob's SHA-256, a bundle carries the ids themselves.
    token_blobs: Mapping[tuple[str, str, int], bytes] = field(default_factory=dict, repr=False)

    @property
    def record_seqs(self) -> frozenset[int]:
        return frozenset(record.seq for record in self.records)

    @property
    def entry_count(self) -> int:
        return self.ledger[-1].seq if self.ledger else 0
