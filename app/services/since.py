"""``verify --since``: any earlier report is a witness of the record it came from.

Every PDF, Markdown report and JSON bundle carries the chain head it was signed over. The hash
of entry N commits to every entry before it, so a record that still has that hash at entry N
still holds everything recorded up to then, unchanged. A record that ends before N was rolled
back or truncated; one with another hash at N was rewritten at or before N. A bundle carries
every entry's hash, which also locates the first entry that differs.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import VeritraceError
from app.core.files import NotAFileError, TooLargeError, read_bounded
from app.core.signing import SignedHead, find_head_tokens, fingerprint
from app.export.verify_bundle import LEDGER, MANIFEST, Invalid, open_source
from app.storage.ledger import Verification
from app.storage.repository import Store

_HASH = re.compile(r"(?:(\d{1,15}):)?([0-9a-f]{64})")
_STREAM = re.compile(rb"stream\r?\n")
_MAX_REPORT_BYTES = 1 << 30  # a report is read whole; refuse anything no report could be
_MAX_INFLATED = 64 << 20  # per compressed stream searched in a PDF: bounded work on a hostile file


@dataclass(frozen=True)
class Claim:
    """What an earlier report says the record held."""

    source: str
    entry_count: int | None
    head_hash: str
    signed: SignedHead | None = None
    hashes: tuple[str, ...] = ()  # every entry's hash up to the head, when a bundle carries them
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SinceCheck:
    claim: Claim | None
    problem: str | None
    found: str = ""

    @property
    def intact(self) -> bool:
        return self.problem is None

    def lines(self) -> list[str]:
        return [self.found] if self.problem is None else [f"FAILED: {self.problem}"]


def read_claim(argument: str) -> Claim:
    """The head that ``argument`` (a report, a bundle, or a head hash) says the record held."""
    path = Path(argument).expanduser()
    try:
        exists = path.exists()
    except OSError:  # a name too long for the file system (ENAMETOOLONG) names no file either
        exists = False
    if not exists:
        match = _HASH.fullmatch(argument.strip().lower())
        if match is None:
            shown = argument if len(argument) <= 200 else f"{argument[:200]}… ({len(argument)} characters)"
            raise VeritraceError(
                f"{shown!r} is neither a report, a bundle nor a head hash (64 hexadecimal digits, "
                "optionally preceded by the entry number and a colon)."
            )
        count = int(match.group(1)) if match.group(1) else None
        return Claim(f"head {match.group(2)}", count, match.group(2))
    if path.is_dir() or path.suffix.lower() == ".zip":
        return _bundle_claim(path)
    try:
        data = read_bounded(path, _MAX_REPORT_BYTES)
    except NotAFileError as error:
        raise VeritraceError(
            f"{path} is not a regular file: give a report, a bundle or a head hash."
        ) from error
    except TooLargeError as error:
        raise VeritraceError(f"{path} is larger than any Veritrace report; it was not read.") from error
    heads = _heads_in(data)
    if not heads:
        raise VeritraceError(f"{path} carries no Veritrace signed head: it is not a Veritrace report.")
    head = heads[-1]
    return Claim(str(path), head.entry_count, head.head_hash, head)


def _heads_in(data: bytes) -> list[SignedHead]:
    heads = find_head_tokens(data.decode("latin-1"))
    if heads or not data.startswith(b"%PDF"):
        return heads
    for inflated in _pdf_streams(data):  # a PDF writer that compressed its metadata
        heads = find_head_tokens(inflated.decode("latin-1"))
        if heads:
            return heads
    return []


def _pdf_streams(data: bytes) -> Iterator[bytes]:
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            yield inflater.decompress(data[match.end() : match.end() + _MAX_INFLATED], _MAX_INFLATED)
        except zlib.error:
            continue


def _bundle_claim(path: Path) -> Claim:
    try:
        source = open_source(str(path))
        manifest = json.loads(source.read(MANIFEST))
        checkpoint = manifest["checkpoint"]
        head = SignedHead(
            int(checkpoint["entry_count"]),
            str(checkpoint["head_hash"]),
            str(checkpoint["at"]),
            str(checkpoint["public_key"]),
            str(checkpoint["signature"]),
        )
        lines = source.read(LEDGER).splitlines()
        entries = [json.loads(line) for line in lines]
        hashes = tuple(str(entry["entry_hash"]) for entry in entries)
        actions = tuple(f"{entry['action']} {entry['object_type']} {entry['object_id']}" for entry in entries)
    except (Invalid, OSError, ValueError, KeyError, TypeError) as error:
        raise VeritraceError(f"{path} is not a readable Veritrace bundle ({error}).") from error
    return Claim(str(path), head.entry_count, head.head_hash, head, hashes, actions)


def check_since(store: Store, argument: str, verification: Verification) -> SinceCheck:
    """Whether the record still contains the head ``argument`` names, and everything before it."""
    claim = read_claim(argument)
    return SinceCheck(claim, *_judge(store, claim, verification))


def _judge(store: Store, claim: Claim, verification: Verification) -> tuple[str | None, str]:
    name = claim.source
    signed = claim.signed
    if signed is not None:
        if not signed.genuine():
            return f"{name}: its signed head does not carry a valid signature (the report was altered).", ""
        known = {key.public_key for key in verification.keys}
        if signed.public_key not in known:
            return (
                f"{name} was signed by key {fingerprint(signed.public_key)}, which is not in this "
                "record's key "
                "history: it comes from another record, or this record's keys were rewritten.",
                "",
            )
    count, _ = store.head()
    at = claim.entry_count
    if at is None:
        at = store.entry_seq(claim.head_hash)
        if at is None:
            return (
                f"No entry of the record has hash {claim.head_hash}: the record was rewritten or rolled back "
                "before it, or the hash belongs to another record.",
                "",
            )
    if count < at:
        return (
            f"The record does not contain the head of {name}: it ends at entry {count}, the report's head is "
            f"entry {at} ({claim.head_hash}). It was rolled back or truncated: entries {count + 1} to {at} "
            "are missing.",
            "",
        )
    actual = store.entry_hash_at(at)
    if actual != claim.head_hash:
        where = ""
        for seq, expected in enumerate(claim.hashes, start=1):
            if store.entry_hash_at(seq) != expected:
                where = f" The first entry that differs is {seq} ({claim.actions[seq - 1]} in the report)."
                break
        return (
            f"The record has forked from {name}: its entry {at} has hash {actual}, the report's head is "
            f"{claim.head_hash}. It was rewritten at or before entry {at}.{where}",
            "",
        )
    who = f", signed {signed.at} by key {fingerprint(signed.public_key)}" if signed else ""
    return None, (
        f"Since {name}: the record contains its head at entry {at} ({claim.head_hash}{who}); "
        f"nothing recorded up to then was changed or removed."
    )
