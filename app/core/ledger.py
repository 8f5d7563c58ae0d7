"""The hash chain behind the audit record: canonical payloads, entry hashes, chain checks.

Each ledger entry commits to its payload through the SHA-256 of the payload's RFC 8785
canonical JSON, and to every earlier entry through the previous entry's hash. Changing,
removing, inserting or reordering anything breaks the chain at a findable place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rfc8785

GENESIS = "0" * 64


MAX_SAFE_INTEGER = 2**53 - 1


def canonical(value: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of a JSON value.

    For objects whose keys are ASCII and whose values are strings, safe integers, null or
    such objects again — every ledger header and almost every row — the standard library's
    compact, key-sorted JSON is byte-identical to RFC 8785 and much faster (a property test
    checks the two agree; the README has the figures). Anything else (floats above all,
    whose shortest form differs between Python and ECMAScript) goes through ``rfc8785``.
    """
    if _plain(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(key, str) and key.isascii() and _plain(item) for key, item in value.items())
    if isinstance(value, str):
        return True
    if isinstance(value, bool):
        return False  # let rfc8785 spell true/false; never reached by row payloads
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    return value is None


@dataclass(frozen=True)
class Entry:
    """One ledger entry as stored."""

    seq: int
    at: str
    os_user: str
    actor: str
    action: str
    object_type: str
    object_id: str
    payload: bytes  # canonical JSON
    payload_sha256: str
    prev_hash: str
    entry_hash: str

    def header(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "os_user": self.os_user,
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "payload_sha256": self.payload_sha256,
            "prev_hash": self.prev_hash,
        }


def entry_hash(header: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(header)).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain first fails and why."""

    seq: int
    reason: str


def check_chain(entries: Iterable[Entry]) -> tuple[int, Break | None]:
    """Walk entries in order; return (entries checked, first break or None)."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return count, Break(expected_seq, f"entry {expected_seq} is missing (found {entry.seq} next)")
        if hashlib.sha256(entry.payload).hexdigest() != entry.payload_sha256:
            return count, Break(entry.seq, "its payload does not match its recorded SHA-256")
        if entry.prev_hash != expected_prev:
            return count, Break(entry.seq, "it does not follow the entry before it (previous hash differs)")
        if entry_hash(entry.header()) != entry.entry_hash:
            return count, Break(entry.seq, "its fields do not match its entry hash")
        expected_prev = entry.entry_hash
        expected_seq += 1
    return count, None
