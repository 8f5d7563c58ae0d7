#!/usr/bin/env python3
"""Check a Veritrace JSON audit bundle with nothing but Python's standard library.

    python3 verify_bundle.py BUNDLE [--fingerprint FP | --key HEX] [--tsa-root PEM] [--signer FP ...]
                                           (the bundle folder, or its .zip file)

Needs Python 3.8 or newer and nothing else: no Veritrace, no third-party package, so anyone
can read what it does before trusting its answer. It checks, in order:

1. files      - every file matches the SHA-256 and size the manifest lists; none is unlisted;
2. ledger     - every entry's hash, and the chain from genesis to the signed head;
3. signature  - the Ed25519 signature over that head (RFC 8032, verified in pure Python);
   key        - with --fingerprint or --key, that the signer is the key required;
   timestamp  - an RFC 3161 token over that head, if the bundle carries one: the time it
                existed by, the authority's signature and its chain to a root (--tsa-root);
   seal       - for a .zip, the signed SHA-256 of every byte of the file before its comment
                (member headers and timestamps included), carried in that comment;
4. payloads   - each record the ledger carries matches its entry's payload SHA-256 (RFC 8785);
5. export     - the export event in the ledger names this report, scope and manifest;
6. scope      - the records carried are exactly those the export recorded (a digest);
7. records    - every record in conversations/*.json is its ledger entry (each time a turn
                was run again included), the derived reasoning and answer texts are the
                recorded output, the token ids listed are those whose SHA-256 the
                records hold (little-endian uint32), and each turn's state is the one its
                outcome record gives (see "Turn states" below), each turn named on a line
                of its own with how it ended;
8. signoffs   - every sign-off, each named on a line of its own (signer, role, meaning, reason,
                key fingerprint, valid or why not). A personal signature must be by the key of
                the identity it names: that identity is carried and recorded before it, with
                its key's proof (its signature over the identity and the record's id, which the
                record's first key enrolment, carried too, names); it was not revoked before the
                sign-off; the sign-off names the hash of the entry just before its own; and its
                Ed25519 signature holds over the fields it records, the record's id, the
                identity's fingerprint and the digest of the conversation's content, recomputed
                here from the records carried (see "Personal signatures" below). With --signer,
                every personal signature must be by one of the identities named. A sign-off with
                no signature is a name typed before personal signatures existed, and is refused
                once any identity was recorded before it;
9. images     - every image file matches its SHA-256; every image referenced is present;
10. readme    - README.txt is the one written for this report.

It prints one line per check (each turn's or sign-off's own line beneath it) and ends with
"BUNDLE VERIFIED ..." (exit status 0) or "BUNDLE INVALID: <first problem>" (exit status 1); a
usage error exits with 2.

Personal signatures. A conversation file lists its sign-offs under "signoffs", each as
{"ledger_seq", "record"}. One signed with a personal key also carries "identity" (the signer's
identity record: name, role, os_user, public_key, fingerprint, created_at, proof), "revocation"
(its revocation record, or null) and "enrolment" (the record's first key.enrolled event, whose
detail names the record_id), each as {"ledger_seq", "record"} and checked against its entry like
every record. Its record adds identity_id, role, statement, signed_at_local, content_sha256 and
signature to the columns of a typed sign-off. The signature is Ed25519 over the RFC 8785 bytes of
{"scheme": "veritrace-signoff-v1", and the fields SIGNED_FIELDS lists}; the proof, over
{"scheme": "veritrace-identity-v1", and the fields IDENTITY_FIELDS lists}. content_sha256 is
SHA-256 of the RFC 8785 bytes of {"scheme": "veritrace-signoff-v1", "rows": [[table, key,
payload_sha256], ...]}: one row for the conversation's own record and every record of
CONTENT_TABLES belonging to it whose (first) ledger entry comes before the sign-off's, named by
its table, its key (the entry's object_id) and the entry's payload_sha256, sorted by table, then
by key as a number. The bundle carries every such record in full (output chunks included), so
the digest is recomputed from them alone.

Turn states. Beside its records, each turn of a conversation file carries "state":
{"state", "words"}, how it ended: the state and the words the app shows for it everywhere
("completed", "stopped at the token limit", "failed (reason)", ...). They are derived from the
status, finish_reason and error of the turn's outcome record ("running" for a turn with none),
by the rules of state_of below, and recomputed here: a state that does not follow from the
record fails the bundle, naming the turn. Bundles written before turns carried a state have
none; their turns' states are recomputed and printed all the same.

What a personal signature cannot prove from the bundle alone: that the identity's key is the
signer's. Whoever holds the installation key can rewrite the record with an identity of a key of
their own, re-sign everything and sign a new checkpoint; such a bundle verifies, but shows that
key's fingerprint. Compare each fingerprint shown with the one its signer holds (--signer).

Limits. A bundle may come from anyone, so nothing in it is read without a bound: each file's
size is checked before it is read (for a zip, the size its header declares, before anything is
inflated), and no file is read past that size or its limit, so a zip bomb or a lying header
costs no more than the limit to refuse. Each limit is far above what the app writes:

    manifest.json                  64 MiB   (it lists every file: about 350,000 of them)
    ledger.jsonl                    1 GiB   (every entry; one line at most 256 MiB)
    conversations/N.json          256 MiB   (one conversation's records)
    images/...                     32 MiB   (the app accepts images up to 25 MiB)
    any other file                 16 MiB   (README.txt, verify_bundle.py, the timestamp files)
    all files together             16 GiB,  at most 400,000 files
    JSON nesting                   64 levels (the app's records nest under ten deep)

A folder bundle holds only plain files, at most one folder deep: a link, a named pipe, a
device or a socket in it is refused without being opened.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import calendar
import datetime
import hashlib
import json
import os
import re
import stat
import struct
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

FORMAT = "veritrace-bundle/1"
GENESIS = "0" * 64
MAX_SAFE_INTEGER = 2**53 - 1
SCOPE_SCHEME = "veritrace-scope-v1"
CHECKPOINT_SCHEME = "veritrace-checkpoint-v1"
SIGNOFF_SCHEME = "veritrace-signoff-v1"
IDENTITY_SCHEME = "veritrace-identity-v1"
KEY_ENROLLED = "key.enrolled"
SEAL_SCHEME = "veritrace-zip-seal-v1"
_SEAL = re.compile(SEAL_SCHEME + r" sha256=([0-9a-f]{64}) signature=([0-9a-f]{128})")
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
MANIFEST = "manifest.json"
LEDGER = "ledger.jsonl"
README = "README.txt"
VERIFIER = "verify_bundle.py"
TIMESTAMP_TOKEN = "timestamp/checkpoint.tsr"
TIMESTAMP_ROOT = "timestamp/authority-root.pem"
_CHUNK = 1 << 20
# Limits on what a bundle may hold (the module's docstring says why each is enough).
MAX_MANIFEST_BYTES = 64 << 20
MAX_LEDGER_BYTES = 1 << 30
MAX_JSON_BYTES = 256 << 20  # one conversation file, or one ledger line
MAX_IMAGE_FILE_BYTES = 32 << 20
MAX_OTHER_BYTES = 16 << 20
MAX_TOTAL_BYTES = 16 << 30
MAX_FILES = 400_000
MAX_JSON_DEPTH = 64
MAX_INTEGER_DIGITS = 20  # JSON numbers here are exact integers below 2**53: 16 digits
TOKEN_ID_MAX = 0xFFFFFFFF  # token ids are uint32; this one stands for an image in a prompt
_HEADER_KEYS = (
    "seq",
    "at",
    "os_user",
    "actor",
    "action",
    "object_type",
    "object_id",
    "payload_sha256",
    "prev_hash",
)
_CONVERSATION_FILE = re.compile(r"conversations/([1-9][0-9]*)\.json")
_IMAGE_FILE = re.compile(r"images/([0-9a-f]{64})\.[a-z0-9]{1,5}")


class Invalid(Exception):
    """The bundle fails a check; the message says where."""


# -- canonical JSON (RFC 8785), as the app hashes ledger payloads --------------------------


def canonical(value: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of a parsed JSON value."""
    return _serialize(value).encode("utf-8")


def _serialize(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"the integer {value} is beyond what JSON numbers hold exactly")
        return str(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list):
        return "[" + ",".join(_serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        # RFC 8785 orders keys by UTF-16 code units; for ASCII keys that is plain string order.
        ascii_keys = all(isinstance(key, str) and key.isascii() for key in value)
        keys = sorted(value) if ascii_keys else sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(_string(key) + ":" + _serialize(value[key]) for key in keys) + "}"
    raise ValueError(f"{type(value).__name__} is not a JSON value")


def _string(value: str) -> str:
    # Python's JSON string encoder (without forcing ASCII) escapes exactly what RFC 8785
    # escapes, the same way: quote, backslash, and control characters below U+0020.
    encoded = json.encoder.encode_basestring(value)
    encoded.encode("utf-8")  # refuses lone surrogates, which UTF-8 (and RFC 8785) cannot carry
    return encoded


def number(value: float) -> str:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785 section 3.2.2.3)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinity are not JSON numbers")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + number(-value)
    # repr() gives the shortest digits that round-trip, as ECMAScript requires.
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    combined = whole + fraction
    significant = combined.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(combined) - len(significant))
    digits = significant.rstrip("0")
    k, n = len(digits), point  # value = 0.digits x 10^n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    sign = "+" if n - 1 >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(n - 1)}"


def pretty(value: Any) -> bytes:
    """The readable form of manifest.json and conversations/*.json; any other spelling is refused."""
    return (json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def scope_digest(seqs: Any) -> str:
    """SHA-256 naming the ledger entries a bundle carries in full (as the app records it)."""
    text = SCOPE_SCHEME + ":" + ",".join(str(seq) for seq in sorted(set(seqs)))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def fingerprint(public_key_hex: str) -> str:
    """The key's readable identity: SHA-256 of the raw key, first 16 bytes, in groups of four."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def checkpoint_message(count: int, head: str, at: str) -> bytes:
    return canonical({"count": count, "head": head, "at": at, "scheme": CHECKPOINT_SCHEME})


def seal_message(sha256_hex: str) -> bytes:
    """What the installation key signs to seal a zip bundle: the scheme and the file's SHA-256."""
    return f"{SEAL_SCHEME}\n{sha256_hex}".encode("ascii")


# -- personal signatures, as the app signs them ------------------------------------------------

# The tables whose records make up a conversation's signed content.
CONTENT_TABLES = (
    "conversations",
    "turns",
    "turn_images",
    "turn_chunks",
    "turn_outcomes",
    "annotations",
    "model_checks",
)
# What a personal signature covers, besides its scheme.
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
IDENTITY_FIELDS = ("record_id", "name", "role", "os_user", "public_key", "created_at")
# Each table a bundle carries records of: the ledger object type its entries name, and its key.
OBJECTS = {
    "conversations": ("conversation", "id"),
    "model_files": ("model_file", "id"),
    "turns": ("turn", "id"),
    "blobs": ("blob", "sha256"),
    "turn_images": ("turn_image", "id"),
    "turn_chunks": ("turn_chunk", "id"),
    "turn_outcomes": ("turn_outcome", "id"),
    "annotations": ("annotation", "id"),
    "signoffs": ("signoff", "id"),
    "conversation_links": ("conversation_link", "id"),
    "events": ("event", "id"),
    "model_checks": ("model_check", "id"),
    "identities": ("identity", "id"),
    "identity_revocations": ("identity_revocation", "id"),
}


def content_digest(rows: Any) -> str:
    """SHA-256 naming a conversation's content: (table, key, payload SHA-256) of each of its records,
    sorted by table, then key as a number."""

    def order(row: tuple[str, str, str]) -> tuple[str, int, str]:
        return (row[0], int(row[1]) if row[1].isdigit() else -1, row[1])

    listed = [list(row) for row in sorted(rows, key=order)]
    return hashlib.sha256(canonical({"scheme": SIGNOFF_SCHEME, "rows": listed})).hexdigest()


def signoff_message(fields: dict[str, Any]) -> bytes:
    """The bytes a personal signature covers (``fields`` as ``SIGNED_FIELDS`` lists them)."""
    return canonical({"scheme": SIGNOFF_SCHEME, **{name: fields[name] for name in SIGNED_FIELDS}})


def identity_message(fields: dict[str, Any]) -> bytes:
    """What a new identity's key signs to prove its creator held it (the identity's ``proof``)."""
    return canonical({"scheme": IDENTITY_SCHEME, **{name: fields[name] for name in IDENTITY_FIELDS}})


# -- how a turn ended, named as the app names it -------------------------------------------------

# The statuses a turn's outcome records (a turn with no outcome is running).
TURN_STATUSES = ("running", "completed", "cancelled", "failed", "interrupted")
# The finish reason of a cancelled turn whose window was closed (any other: the reviewer stopped it).
WINDOW_CLOSED = "window_closed"
# How a model or server says it ended a whole answer, and how it says it ran out of room.
WHOLE_ENDINGS = frozenset({"stop", "eos", "end_turn"})
LIMIT_ENDINGS = frozenset({"length", "model_length"})
_STATE_WORDS = {
    "running": "running",
    "completed": "completed",
    "token_limit": "stopped at the token limit",
    "stopped": "stopped by the reviewer",
    "window_closed": "window closed during generation",
    "interrupted": "interrupted (the app stopped)",
}


def state_of(status: str, finish_reason: str | None, error: str | None) -> tuple[str, str]:
    """(state, words) of a turn whose outcome records ``status``, ``finish_reason`` and ``error``,
    as the app names it; ValueError for a status the app does not record."""
    if status not in TURN_STATUSES:
        raise ValueError(f"{status!r} is not a status a turn ends with")
    if status == "failed":
        # A blank error is no reason: the finish reason, else a plain "none recorded", never "()".
        reason = (error or "").strip() or (finish_reason or "").strip() or "no reason was recorded"
        return "failed", f"failed ({reason})"
    if status in ("running", "interrupted"):
        state = status
    elif status == "cancelled":
        state = "window_closed" if finish_reason == WINDOW_CLOSED else "stopped"
    elif finish_reason in LIMIT_ENDINGS:
        state = "token_limit"
    elif finish_reason is None or not finish_reason.strip() or finish_reason in WHOLE_ENDINGS:
        state = "completed"
    else:
        # Any other ending (a content filter, tool calls, ...) is named as the server gave it.
        return "ended_by_server", f"ended by the server ({finish_reason.strip()})"
    return state, _STATE_WORDS[state]


def zip_sealed_part(path: str) -> tuple[str, bytes]:
    """(SHA-256 of the bytes a seal covers, the zip comment) of a zip file.

    A seal covers every byte of the file up to the end record's comment length: the members,
    their headers, the central directory and the end record itself. The comment after it holds
    the seal, and must run exactly to the end of the file.
    """
    with _open_plain(path, path) as handle:
        size = os.fstat(handle.fileno()).st_size
        start = max(0, size - (_END_RECORD_SIZE + 0xFFFF))
        handle.seek(start)
        tail = handle.read()
        position = len(tail)
        while True:
            position = tail.rfind(_END_RECORD, 0, position)
            if position < 0:
                raise Invalid("the zip file has no end record whose comment ends the file")
            length_at = position + _END_RECORD_SIZE - 2
            if length_at + 2 <= len(tail):
                length = int.from_bytes(tail[length_at : length_at + 2], "little")
                if length_at + 2 + length == len(tail):
                    break
        covered = start + length_at
        digest, remaining = hashlib.sha256(), covered
        handle.seek(0)
        while remaining:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                raise Invalid("the zip file ended while it was being read")
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest(), tail[length_at + 2 :]


# -- Ed25519 verification (RFC 8032 section 5.1.7, after the reference code in section 6) -------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Point addition in extended coordinates (complete: also doubles)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    p = (y1 - x1) * (y2 - x2) % _P
    q = (y1 + x1) * (y2 + x2) % _P
    r = 2 * t1 * t2 * _D % _P
    s = 2 * z1 * z2 % _P
    e, f, g, h = q - p, s - r, s + r, q + p
    return e * f % _P, g * h % _P, f * g % _P, e * h % _P


def _multiply(scalar: int, point: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    result = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _decode_point(encoded: bytes) -> tuple[int, int, int, int] | None:
    y = int.from_bytes(encoded, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_BASE_Y = 4 * pow(5, _P - 2, _P) % _P
_BASE_X = _recover_x(_BASE_Y, 0) or 0
_BASE = (_BASE_X, _BASE_Y, 1, _BASE_X * _BASE_Y % _P)


def ed25519_valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is a valid Ed25519 signature of ``message`` by ``public_key``."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decode_point(public_key)
    r = _decode_point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % _L
    return _equal(_multiply(s, _BASE), _add(r, _multiply(h, a)))


# -- reading a bundle -----------------------------------------------------------------------


class Source:
    """The files of a bundle by relative name ("images/ab….png"), however it is stored."""

    def names(self) -> list[str]:
        raise NotImplementedError

    def chunks(self, name: str) -> Iterator[bytes]:
        raise NotImplementedError

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))


class MemorySource(Source):
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def names(self) -> list[str]:
        return list(self.files)

    def chunks(self, name: str) -> Iterator[bytes]:
        yield self.files[name]


def member_limit(name: str) -> int:
    """The most bytes the bundle file ``name`` may hold (see the module's docstring)."""
    return _limit_and_kind(name)[0]


def _limit_and_kind(name: str) -> tuple[int, str]:
    if name == MANIFEST:
        return MAX_MANIFEST_BYTES, "manifest.json"
    if name == LEDGER:
        return MAX_LEDGER_BYTES, "ledger.jsonl"
    if _CONVERSATION_FILE.fullmatch(name):
        return MAX_JSON_BYTES, "a conversation file"
    if name.startswith("images/"):
        return MAX_IMAGE_FILE_BYTES, "an image"
    return MAX_OTHER_BYTES, "this file"


def _too_large(name: str, size: int, declared: bool = False) -> Invalid:
    limit, kind = _limit_and_kind(name)
    said = f"declares {_amount(size)} uncompressed" if declared else f"is {_amount(size)}"
    done = "; nothing of it was inflated" if declared else ""
    return Invalid(f"{name} {said}, more than the {_amount(limit)} allowed for {kind} (see --help){done}")


def _amount(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


def _check_count_and_total(count: int, total: int) -> None:
    if count > MAX_FILES:
        raise Invalid(f"the bundle holds more than {MAX_FILES:,} files, more than this script checks")
    if total > MAX_TOTAL_BYTES:
        raise Invalid(
            f"the bundle's files come to more than {_amount(MAX_TOTAL_BYTES)}, more than this script "
            "checks (see --help)"
        )


def _kind(mode: int) -> str | None:
    """What a file of this ``st_mode`` is, in words, or None for a plain (regular) file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


# Opened non-blocking: opening a named pipe then returns at once instead of waiting for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _open_plain(
    path: str, name: str, follow: bool = True, refusal: str = "a bundle holds only plain files"
) -> Any:
    """``path`` opened for reading if it is a plain file, else Invalid: "``name`` is a …; ``refusal``"."""
    flags = _OPEN_FLAGS if follow else _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise Invalid(f"{name} cannot be read ({error.strerror or error})") from error
    handle = os.fdopen(descriptor, "rb")
    kind = _kind(os.fstat(descriptor).st_mode)
    if kind is not None:
        handle.close()
        raise Invalid(f"{name} is {kind}; {refusal}")
    return handle


class FolderSource(Source):
    def __init__(self, root: str) -> None:
        self.root = root

    def names(self) -> list[str]:
        """Every file, refusing links, pipes, devices and sockets (without opening them), files
        nested deeper than a bundle's, and files larger than their limit."""
        found, total = [], 0

        def unreadable(error: OSError) -> None:
            raise Invalid(f"{error.filename} cannot be read ({error.strerror or error})")

        for folder, subfolders, files in os.walk(self.root, onerror=unreadable):
            for entry in subfolders + files:
                path = os.path.join(folder, entry)
                name = os.path.relpath(path, self.root).replace(os.sep, "/")
                if name.count("/") > 1:
                    raise Invalid(f"{name} is nested deeper than any file of a bundle")
                try:
                    status = os.lstat(path)
                except OSError as error:
                    raise Invalid(f"{name} cannot be read ({error.strerror or error})") from error
                kind = _kind(status.st_mode)
                if kind == "a folder":
                    continue
                if kind is not None:
                    raise Invalid(f"{name} is {kind}; a bundle holds only plain files")
                if status.st_size > member_limit(name):
                    raise _too_large(name, status.st_size)
                found.append(name)
                total += status.st_size
                _check_count_and_total(len(found), total)
        return found

    def chunks(self, name: str) -> Iterator[bytes]:
        path = os.path.join(self.root, *name.split("/"))
        limit = member_limit(name)
        with _open_plain(path, name, follow=False) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_large(name, size)
            read = 0
            while True:
                chunk = handle.read(min(_CHUNK, limit + 1 - read))
                if not chunk:
                    return
                read += len(chunk)
                if read > limit:  # it grew while being read
                    raise _too_large(name, read)
                yield chunk


class ZipSource(Source):
    def __init__(self, path: str) -> None:
        self.path = path
        # The zip file is read through a handle opened as a plain file: never a pipe that blocks.
        self.handle = _open_plain(path, path, refusal="neither a bundle folder nor a zip file")
        try:
            self.archive = zipfile.ZipFile(self.handle)
        except (zipfile.BadZipFile, OSError) as error:
            self.handle.close()
            raise Invalid(f"{path} cannot be read as a zip file ({error})") from error

    def __del__(self) -> None:
        handle = getattr(self, "handle", None)
        if handle is not None:
            handle.close()

    def names(self) -> list[str]:
        """Every member, refusing duplicates and, before anything is inflated, any member whose
        declared size is over its limit."""
        infos = self.archive.infolist()
        _check_count_and_total(len(infos), 0)
        seen: set[str] = set()
        total = 0
        for info in infos:
            if info.filename in seen:
                raise Invalid(f"{info.filename} appears more than once in the zip file")
            seen.add(info.filename)
            if info.file_size > member_limit(info.filename):
                raise _too_large(info.filename, info.file_size, declared=True)
            total += info.file_size
            _check_count_and_total(len(seen), total)
        return [info.filename for info in infos]

    def chunks(self, name: str) -> Iterator[bytes]:
        """The member's bytes, inflated no further than its declared size and its limit."""
        try:
            info = self.archive.getinfo(name)
        except KeyError as error:
            raise Invalid(f"{name} is not in the zip file") from error
        if info.file_size > member_limit(name):
            raise _too_large(name, info.file_size, declared=True)
        try:
            with self.archive.open(info) as handle:
                read = 0
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        return
                    read += len(chunk)
                    if read > info.file_size:  # zipfile stops there itself; a header may lie
                        raise Invalid(
                            f"{name} inflates beyond the {info.file_size} bytes its zip header declares"
                        )
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError) as error:  # a damaged member: bad CRC, bad data
            raise Invalid(f"{name} cannot be read from the zip file ({error})") from error


def open_source(path: str) -> Source:
    """The bundle at ``path``: a folder, or a zip file (never opened if it is not a plain file)."""
    try:
        is_folder = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as error:
        raise Invalid(f"{path} cannot be read ({error.strerror or error})") from error
    if is_folder:
        return FolderSource(path)
    with _open_plain(path, path, refusal="neither a bundle folder nor a zip file") as handle:
        is_zip = zipfile.is_zipfile(handle)
    if is_zip:
        return ZipSource(path)
    raise Invalid(f"{path} is neither a bundle folder nor a zip file")


# -- RFC 3161 timestamp tokens ---------------------------------------------------------------
# A checkpoint anchored by a timestamp authority: the request (only a SHA-256 leaves the
# machine), the token in the answer, and the token's checks: the hash and nonce it covers, the
# CMS signature, the TSA certificate (timeStamping, valid at the stamped time) and its chain to
# a root the caller trusts. Supported: RSA PKCS#1 v1.5, ECDSA on P-256 and P-384, SHA-256/384/512;
# anything else (RSA-PSS, Ed25519, SHA-1) is refused by name. Revocation is not checked.


class TimestampInvalid(Exception):
    """A timestamp request, response, token or certificate is malformed or fails a check."""


@dataclass(frozen=True)
class TokenInfo:
    """What a checked token says: when, under which policy, and who signed it."""

    gen_time: str  # ISO 8601 in UTC, fractional seconds as the TSA wrote them: 2026-12-02T18:30:12.5Z
    serial_number: int
    policy: str  # dotted OID
    tsa_name: str | None  # the TSTInfo's tsa field, when present (best effort)
    signer_subject: str  # the TSA certificate's subject (best effort)
    signer_fingerprint: str  # SHA-256 of the TSA certificate's DER, hex
    nonce: int | None


# -- object identifiers ---------------------------------------------------------------------

_OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
_OID_TST_INFO = "1.2.840.113549.1.9.16.1.4"
_OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_OID_SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"
_OID_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
_OID_SHA1 = "1.3.14.3.2.26"
_OID_SHA256 = "2.16.840.1.101.3.4.2.1"
_OID_RSA = "1.2.840.113549.1.1.1"
_OID_RSA_PSS = "1.2.840.113549.1.1.10"
_OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_OID_P256 = "1.2.840.10045.3.1.7"
_OID_P384 = "1.3.132.0.34"
_OID_BASIC_CONSTRAINTS = "2.5.29.19"
_OID_KEY_USAGE = "2.5.29.15"
_OID_EXTENDED_KEY_USAGE = "2.5.29.37"
_OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14"
_OID_TIME_STAMPING = "1.3.6.1.5.5.7.3.8"

_TS_DIGESTS = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
_TS_DIGEST_OIDS = {name: oid for oid, name in _TS_DIGESTS.items()}
# signature algorithm -> (key type, digest); None: the digest is the SignerInfo's own
_TS_SIGNATURES: dict[str, tuple[str, str | None]] = {
    _OID_RSA: ("rsa", None),
    "1.2.840.113549.1.1.11": ("rsa", "sha256"),
    "1.2.840.113549.1.1.12": ("rsa", "sha384"),
    "1.2.840.113549.1.1.13": ("rsa", "sha512"),
    _OID_EC_PUBLIC_KEY: ("ec", None),
    "1.2.840.10045.4.3.2": ("ec", "sha256"),
    "1.2.840.10045.4.3.3": ("ec", "sha384"),
    "1.2.840.10045.4.3.4": ("ec", "sha512"),
}
_TS_REFUSED_SIGNATURES = {
    _OID_RSA_PSS: "RSASSA-PSS",
    "1.2.840.113549.1.1.5": "SHA-1 with RSA",
    "1.2.840.113549.1.1.4": "MD5 with RSA",
    "1.2.840.10045.4.1": "ECDSA with SHA-1",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10040.4.3": "DSA with SHA-1",
    "2.16.840.1.101.3.4.3.2": "DSA with SHA-256",
}
_X509_NAME_KEYS = {
    "2.5.4.3": "CN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "street",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.97": "organizationIdentifier",
    "1.2.840.113549.1.9.1": "emailAddress",
    "0.9.2342.19200300.100.1.25": "DC",
}
# Extensions whose meaning this module knows, or that cannot change what a check concludes:
# any other extension marked critical makes the certificate unusable (RFC 5280 section 4.2).
_X509_UNDERSTOOD = {
    _OID_BASIC_CONSTRAINTS,
    _OID_KEY_USAGE,
    _OID_EXTENDED_KEY_USAGE,
    _OID_SUBJECT_KEY_IDENTIFIER,
    "2.5.29.35",  # authorityKeyIdentifier
    "2.5.29.17",  # subjectAltName
    "2.5.29.18",  # issuerAltName
    "2.5.29.32",  # certificatePolicies (any policy is accepted)
}
_TS_STATUS = {
    0: "granted",
    1: "grantedWithMods",
    2: "rejection",
    3: "waiting",
    4: "revocationWarning",
    5: "revocationNotification",
}
_TS_FAILURES = {
    0: "badAlg",
    2: "badRequest",
    5: "badDataFormat",
    14: "timeNotAvailable",
    15: "unacceptedPolicy",
    16: "unacceptedExtension",
    17: "addInfoNotAvailable",
    25: "systemFailure",
}
_TS_MAX_CHAIN = 5
_TS_MAX_CERTIFICATES = 32
_RSA_MIN_BITS = 2048
_RSA_MAX_BITS = 16384


# -- a minimal DER reader: definite lengths only, one level at a time ----------------------
#
# Elements are read lazily, one level per call, and only along the paths the checks below
# walk: no recursion, so nesting depth costs nothing, and each byte is looked at a bounded
# number of times.


class _DerElement:
    """One DER element: its tag, and where its header and contents lie in ``data``."""

    __slots__ = ("body", "data", "end", "start", "tag")

    def __init__(self, data: bytes, tag: int, start: int, body: int, end: int) -> None:
        self.data = data
        self.tag = tag
        self.start = start
        self.body = body
        self.end = end

    @property
    def value(self) -> bytes:
        """The contents octets."""
        return self.data[self.body : self.end]

    @property
    def encoded(self) -> bytes:
        """The whole element, header included."""
        return self.data[self.start : self.end]


def _der_read(data: bytes, start: int, limit: int, what: str) -> _DerElement:
    """The element that begins at ``start`` and must end by ``limit``."""
    if start >= limit:
        raise TimestampInvalid(f"{what} is malformed: the data ends where an element should begin")
    tag = data[start]
    if tag & 0x1F == 0x1F:
        raise TimestampInvalid(f"{what} is malformed: a multi-byte tag at byte {start}")
    if start + 1 >= limit:
        raise TimestampInvalid(f"{what} is malformed: the data ends inside the header at byte {start}")
    first = data[start + 1]
    body = start + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise TimestampInvalid(
            f"{what} is malformed: an indefinite length at byte {start}, which DER forbids"
        )
    else:
        count = first & 0x7F
        if count > 4:
            raise TimestampInvalid(f"{what} is malformed: a {count}-byte length at byte {start}")
        if body + count > limit:
            raise TimestampInvalid(f"{what} is malformed: the data ends inside the header at byte {start}")
        length = int.from_bytes(data[body : body + count], "big")
        if data[body] == 0 or length < 0x80:
            raise TimestampInvalid(f"{what} is malformed: a length not in its shortest form at byte {start}")
        body += count
    end = body + length
    if end > limit:
        raise TimestampInvalid(
            f"{what} is malformed: the element at byte {start} runs {end - limit} bytes past its end"
        )
    return _DerElement(data, tag, start, body, end)


def _der_parse(data: bytes, what: str) -> _DerElement:
    """The single element ``data`` holds, with nothing after it."""
    if not isinstance(data, (bytes, bytearray)):
        raise TimestampInvalid(f"{what} is not bytes")
    data = bytes(data)
    element = _der_read(data, 0, len(data), what)
    if element.end != len(data):
        raise TimestampInvalid(f"{what} is malformed: {len(data) - element.end} bytes follow its end")
    return element


def _der_children(element: _DerElement, what: str, tag: int = 0x30) -> list[_DerElement]:
    """The elements inside ``element``, which must have ``tag`` (a SEQUENCE unless told)."""
    if element.tag != tag:
        raise TimestampInvalid(f"{what} is malformed: tag 0x{element.tag:02x} where 0x{tag:02x} belongs")
    children = []
    position = element.body
    while position < element.end:
        child = _der_read(element.data, position, element.end, what)
        children.append(child)
        position = child.end
    return children


def _der_fields(
    element: _DerElement, what: str, minimum: int, maximum: int, tag: int = 0x30
) -> list[_DerElement]:
    children = _der_children(element, what, tag)
    if not minimum <= len(children) <= maximum:
        expected = str(minimum) if minimum == maximum else f"{minimum} to {maximum}"
        raise TimestampInvalid(f"{what} is malformed: {len(children)} elements where {expected} belong")
    return children


def _der_primitive(element: _DerElement, tag: int, what: str) -> bytes:
    if element.tag != tag:
        raise TimestampInvalid(f"{what} is malformed: tag 0x{element.tag:02x} where 0x{tag:02x} belongs")
    return element.value


def _der_integer(element: _DerElement, what: str) -> int:
    value = _der_primitive(element, 0x02, what)
    if not value:
        raise TimestampInvalid(f"{what} is malformed: an empty INTEGER")
    return int.from_bytes(value, "big", signed=True)


def _der_boolean(element: _DerElement, what: str) -> bool:
    value = _der_primitive(element, 0x01, what)
    if value not in (b"\x00", b"\xff"):
        raise TimestampInvalid(f"{what} is malformed: a BOOLEAN that is neither 0x00 nor 0xff")
    return value == b"\xff"


def _der_oid(element: _DerElement, what: str) -> str:
    value = _der_primitive(element, 0x06, what)
    if not 0 < len(value) <= 128:
        raise TimestampInvalid(f"{what} is malformed: an OBJECT IDENTIFIER of {len(value)} bytes")
    arcs: list[int] = []
    arc, fresh = 0, True
    for byte in value:
        if fresh and byte == 0x80:
            raise TimestampInvalid(f"{what} is malformed: an OBJECT IDENTIFIER arc not in its shortest form")
        arc = (arc << 7) | (byte & 0x7F)
        fresh = not byte & 0x80
        if fresh:
            arcs.append(arc)
            arc = 0
    if not fresh:
        raise TimestampInvalid(f"{what} is malformed: an OBJECT IDENTIFIER cut short")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(number) for number in [first, arcs[0] - 40 * first, *arcs[1:]])


def _der_bit_string(element: _DerElement, what: str) -> tuple[bytes, int]:
    """(the bits' bytes, how many trailing bits of the last byte are unused)."""
    value = _der_primitive(element, 0x03, what)
    if not value or value[0] > 7 or (value[0] and len(value) == 1):
        raise TimestampInvalid(f"{what} is malformed: a BIT STRING with a bad unused-bits count")
    return value[1:], value[0]


def _der_octets(element: _DerElement, what: str) -> bytes:
    """The bytes of a BIT STRING that must be whole bytes (keys, signatures)."""
    octets, unused = _der_bit_string(element, what)
    if unused:
        raise TimestampInvalid(f"{what} is malformed: {unused} unused bits where whole bytes belong")
    return octets


def _der_algorithm(element: _DerElement, what: str) -> tuple[str, bytes | None]:
    """An AlgorithmIdentifier: (OID, the parameters' DER or None)."""
    fields = _der_fields(element, what, 1, 2)
    return _der_oid(fields[0], what), fields[1].encoded if len(fields) == 2 else None


def _der_digest(element: _DerElement, what: str) -> str:
    """The hashlib name of a SHA-2 AlgorithmIdentifier (parameters absent or NULL)."""
    oid, parameters = _der_algorithm(element, what)
    if oid not in _TS_DIGESTS:
        raise TimestampInvalid(f"{what} uses the digest algorithm {oid}, not SHA-256, SHA-384 or SHA-512")
    if parameters not in (None, b"\x05\x00"):
        raise TimestampInvalid(f"{what} gives parameters to a digest algorithm that takes none")
    return _TS_DIGESTS[oid]


def _der_encode(tag: int, contents: bytes) -> bytes:
    length = len(contents)
    if length < 0x80:
        return bytes([tag, length]) + contents
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + contents


def _der_encode_oid(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _der_encode(0x06, bytes(body))


def _der_encode_integer(value: int) -> bytes:
    return _der_encode(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


# -- text that may reach a message: names, status strings, times ---------------------------


def _ts_printable(text: str, limit: int = 200) -> str:
    """``text`` with control characters escaped and its length bounded, fit for a message."""
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def _ts_number(value: int) -> str:
    """An integer for a message: decimal when short, else hexadecimal and cut short.

    (Decimal text of a huge integer is slow to make, and Python 3.11 refuses it outright.)
    """
    if abs(value) < 2**64:
        return str(value)
    return _ts_printable(("-" if value < 0 else "") + hex(abs(value)), 40)


def _ts_string(element: _DerElement) -> str:
    """The text of an ASN.1 string of any of the usual types (best effort)."""
    codecs = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x12: "ascii", 0x1A: "ascii", 0x14: "latin-1"}
    codecs.update({0x1E: "utf-16-be", 0x1C: "utf-32-be"})
    codec = codecs.get(element.tag)
    if codec is None:
        return "#" + element.encoded.hex()
    return element.value.decode(codec, errors="replace")


def _x509_name_text(element: _DerElement) -> str:
    """A Name as ``O=…, CN=…`` in the order it is encoded (best effort, escaped for display).

    Names are compared as DER bytes; this text only labels them, so a name it cannot read
    is shown as such rather than refused.
    """
    what = "a name"
    parts = []
    try:
        for rdn in _der_children(element, what):
            for attribute in _der_children(rdn, what, 0x31):
                fields = _der_fields(attribute, what, 2, 2)
                oid = _der_oid(fields[0], what)
                parts.append(f"{_X509_NAME_KEYS.get(oid, oid)}={_ts_string(fields[1])}")
    except TimestampInvalid:
        return "(a name that cannot be read)"
    return _ts_printable(", ".join(parts)) if parts else "(an empty name)"


def _ts_general_name_text(element: _DerElement, what: str) -> str:
    """A GeneralName (the TSTInfo's tsa field), best effort."""
    if element.tag == 0xA4:
        return _x509_name_text(_der_fields(element, what, 1, 1, 0xA4)[0])
    if element.tag in (0x81, 0x82, 0x86):  # rfc822Name, dNSName, uniformResourceIdentifier
        return _ts_printable(element.value.decode("ascii", errors="replace"))
    return f"(a name of type 0x{element.tag:02x})"


_TS_UTC_TIME = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z")
_TS_GENERALIZED_TIME = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(?:\.([0-9]*[1-9]))?Z"
)


class _TsMoment:
    """A point in time: exact (fractional seconds kept) for comparison, ISO 8601 for display."""

    __slots__ = ("seconds", "text")

    def __init__(self, seconds: Fraction, text: str) -> None:
        self.seconds = seconds
        self.text = text


def _ts_time(element: _DerElement, what: str) -> _TsMoment:
    """A UTCTime or GeneralizedTime, in the forms DER allows (UTC, seconds present)."""
    if element.tag not in (0x17, 0x18):
        raise TimestampInvalid(f"{what} is malformed: tag 0x{element.tag:02x} where a time belongs")
    try:
        text = element.value.decode("ascii")
    except UnicodeDecodeError:
        text = ""
    pattern = _TS_UTC_TIME if element.tag == 0x17 else _TS_GENERALIZED_TIME
    match = pattern.fullmatch(text)
    if match is None:
        raise TimestampInvalid(f"{what} has a time not in DER form: {_ts_printable(repr(text))}")
    numbers = [int(part) for part in match.groups()[:6]]
    if element.tag == 0x17:  # RFC 5280: two-digit years 50-99 are 19xx, 00-49 are 20xx
        numbers[0] += 1900 if numbers[0] >= 50 else 2000
    fraction = match.group(7) if element.tag == 0x18 else None
    year, month, day, hour, minute, second = numbers
    try:
        datetime.datetime(year, month, day, hour, minute, second)  # refuses month 13, February 30…
    except ValueError as error:
        raise TimestampInvalid(f"{what} has an impossible time {text!r} ({error})") from error
    seconds = Fraction(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))
    if fraction:
        seconds += Fraction(int(fraction), 10 ** len(fraction))
    iso = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    return _TsMoment(seconds, iso + (f".{fraction}" if fraction else "") + "Z")


# -- RSA PKCS#1 v1.5 and ECDSA verification ---------------------------------------------------


class _RsaKey:
    __slots__ = ("e", "n")

    def __init__(self, n: int, e: int) -> None:
        self.n = n
        self.e = e


class _EcCurve:
    __slots__ = ("a", "b", "g", "n", "name", "p", "size")

    def __init__(self, name: str, p: int, b: int, gx: int, gy: int, n: int) -> None:
        self.name = name
        self.p = p
        self.a = p - 3
        self.b = b
        self.g = (gx, gy)
        self.n = n
        self.size = (p.bit_length() + 7) // 8


_EC_CURVES = {
    _OID_P256: _EcCurve(
        "P-256",
        p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
        b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ),
    _OID_P384: _EcCurve(
        "P-384",
        p=int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF",
            16,
        ),
        b=int(
            "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF",
            16,
        ),
        gx=int(
            "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7",
            16,
        ),
        gy=int(
            "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F",
            16,
        ),
        n=int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
            16,
        ),
    ),
}


class _EcKey:
    __slots__ = ("curve", "point")

    def __init__(self, curve: _EcCurve, point: tuple[int, int]) -> None:
        self.curve = curve
        self.point = point


def _ec_on_curve(curve: _EcCurve, x: int, y: int) -> bool:
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x + curve.a * x + curve.b)) % p == 0


# Points in Jacobian coordinates (X, Y, Z) stand for (X/Z², Y/Z³); Z = 0 is the point at infinity.
_EC_INFINITY = (0, 1, 0)


def _ec_double(curve: _EcCurve, point: tuple[int, int, int]) -> tuple[int, int, int]:
    x, y, z = point
    p = curve.p
    if z == 0 or y == 0:
        return _EC_INFINITY
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p


def _ec_add(curve: _EcCurve, one: tuple[int, int, int], two: tuple[int, int, int]) -> tuple[int, int, int]:
    x1, y1, z1 = one
    x2, y2, z2 = two
    if z1 == 0:
        return two
    if z2 == 0:
        return one
    p = curve.p
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        return _ec_double(curve, one) if s1 == s2 else _EC_INFINITY
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - s1 * hhh) % p, h * z1 * z2 % p


def _ec_combination(curve: _EcCurve, u1: int, u2: int, q: tuple[int, int]) -> tuple[int, int] | None:
    """u1·G + u2·Q in affine coordinates (Shamir's trick), or None for the point at infinity."""
    g = (curve.g[0], curve.g[1], 1)
    q3 = (q[0], q[1], 1)
    both = _ec_add(curve, g, q3)
    result = _EC_INFINITY
    for bit in range(max(u1.bit_length(), u2.bit_length()) - 1, -1, -1):
        result = _ec_double(curve, result)
        pick = ((u1 >> bit) & 1, (u2 >> bit) & 1)
        if pick == (1, 1):
            result = _ec_add(curve, result, both)
        elif pick == (1, 0):
            result = _ec_add(curve, result, g)
        elif pick == (0, 1):
            result = _ec_add(curve, result, q3)
    x, y, z = result
    if z == 0:
        return None
    p = curve.p
    inverse = pow(z, p - 2, p)
    inverse2 = inverse * inverse % p
    return x * inverse2 % p, y * inverse2 * inverse % p


def _ec_valid(key: _EcKey, digest: bytes, signature: bytes, what: str) -> bool:
    """ECDSA verification (SEC 1 section 4.1.4) of a DER Ecdsa-Sig-Value over ``digest``."""
    fields = _der_fields(_der_parse(signature, what), what, 2, 2)
    r, s = _der_integer(fields[0], what), _der_integer(fields[1], what)
    curve = key.curve
    if not (0 < r < curve.n and 0 < s < curve.n):
        return False
    e = int.from_bytes(digest, "big")
    excess = 8 * len(digest) - curve.n.bit_length()
    if excess > 0:
        e >>= excess
    w = pow(s, curve.n - 2, curve.n)
    point = _ec_combination(curve, e * w % curve.n, r * w % curve.n, key.point)
    return point is not None and point[0] % curve.n == r


def _rsa_valid(key: _RsaKey, digest_name: str, digest: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 verification (RFC 8017 section 8.2.2): the whole encoding is compared."""
    size = (key.n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(size, "big")
    oid = _der_encode_oid(_TS_DIGEST_OIDS[digest_name])
    # RFC 8017 writes the digest's parameters as NULL; section 9.2 note 2 lets verifiers accept
    # them absent too, as some signers wrote them.
    for algorithm in (oid + b"\x05\x00", oid):
        info = _der_encode(0x30, _der_encode(0x30, algorithm) + _der_encode(0x04, digest))
        if size < len(info) + 11:
            return False
        if encoded == b"\x00\x01" + b"\xff" * (size - len(info) - 3) + b"\x00" + info:
            return True
    return False


def _x509_public_key(spki: _DerElement, what: str) -> _RsaKey | _EcKey:
    """The RSA or EC key of a SubjectPublicKeyInfo."""
    fields = _der_fields(spki, what, 2, 2)
    oid, parameters = _der_algorithm(fields[0], what)
    bits = _der_octets(fields[1], what)
    if oid == _OID_RSA:
        if parameters not in (None, b"\x05\x00"):
            raise TimestampInvalid(f"{what} gives parameters to an RSA key, which takes none")
        numbers = _der_fields(_der_parse(bits, what), what, 2, 2)
        n, e = _der_integer(numbers[0], what), _der_integer(numbers[1], what)
        if not _RSA_MIN_BITS <= n.bit_length() <= _RSA_MAX_BITS or n % 2 == 0:
            raise TimestampInvalid(
                f"{what} has an RSA key of {n.bit_length()} bits; "
                f"{_RSA_MIN_BITS} to {_RSA_MAX_BITS} bits are supported"
            )
        if not 3 <= e < 2**256 or e % 2 == 0:
            raise TimestampInvalid(f"{what} has an RSA key with an unusable public exponent")
        return _RsaKey(n, e)
    if oid == _OID_EC_PUBLIC_KEY:
        curve_oid = _der_oid(_der_parse(parameters or b"", what), what) if parameters else ""
        curve = _EC_CURVES.get(curve_oid)
        if curve is None:
            named = curve_oid or "explicit parameters"
            raise TimestampInvalid(
                f"{what} has an EC key on the curve {named}; only P-256 and P-384 are supported"
            )
        size = curve.size
        if len(bits) == 1 + 2 * size and bits[0] == 4:
            x, y = int.from_bytes(bits[1 : 1 + size], "big"), int.from_bytes(bits[1 + size :], "big")
        elif len(bits) == 1 + size and bits[0] in (2, 3):
            x = int.from_bytes(bits[1:], "big")
            p = curve.p
            y = pow((x * x * x + curve.a * x + curve.b) % p, (p + 1) // 4, p)  # p ≡ 3 (mod 4)
            if y % 2 != bits[0] % 2:
                y = (p - y) % p
        else:
            raise TimestampInvalid(f"{what} has an EC public key that is not an encoded point")
        if not _ec_on_curve(curve, x, y):
            raise TimestampInvalid(f"{what} has an EC public key that is not a point on {curve.name}")
        return _EcKey(curve, (x, y))
    if oid == _OID_RSA_PSS:
        raise TimestampInvalid(f"{what} has an RSASSA-PSS key, which this checker does not support")
    raise TimestampInvalid(f"{what} has a public key of type {oid}, which this checker does not support")


def _ts_verify(
    key: _RsaKey | _EcKey,
    algorithm: tuple[str, bytes | None],
    signer_digest: str | None,
    message: bytes,
    signature: bytes,
    what: str,
) -> None:
    """Raise unless ``signature`` over ``message`` verifies with ``key`` under ``algorithm``.

    ``signer_digest`` is a CMS SignerInfo's digest algorithm: with a bare key algorithm
    (rsaEncryption) it is the digest used, and with a combined one it must agree.
    """
    oid, parameters = algorithm
    if oid in _TS_REFUSED_SIGNATURES:
        raise TimestampInvalid(
            f"{what} uses {_TS_REFUSED_SIGNATURES[oid]}, which this checker does not support"
        )
    if oid not in _TS_SIGNATURES:
        raise TimestampInvalid(
            f"{what} uses the signature algorithm {oid}, which this checker does not support"
        )
    kind, digest_name = _TS_SIGNATURES[oid]
    if digest_name is None:
        if signer_digest is None:
            raise TimestampInvalid(
                f"{what} names a key algorithm ({oid}) where a signature algorithm belongs"
            )
        digest_name = signer_digest
    elif signer_digest is not None and signer_digest != digest_name:
        raise TimestampInvalid(f"{what} is signed with {digest_name} but names the digest {signer_digest}")
    if (kind == "ec" and parameters is not None) or (kind == "rsa" and parameters not in (None, b"\x05\x00")):
        raise TimestampInvalid(f"{what} gives its signature algorithm parameters it does not take")
    digest = hashlib.new(digest_name, message).digest()
    if kind == "rsa" and isinstance(key, _RsaKey):
        valid = _rsa_valid(key, digest_name, digest, signature)
    elif kind == "ec" and isinstance(key, _EcKey):
        valid = _ec_valid(key, digest, signature, what)
    else:
        raise TimestampInvalid(
            f"{what} is an {kind.upper()} signature but the key is not an {kind.upper()} key"
        )
    if not valid:
        raise TimestampInvalid(f"{what} does not verify")


# -- X.509 certificates ------------------------------------------------------------------------


class _X509Certificate:
    """The parts of a certificate that the checks use."""

    def __init__(self, der: bytes, what: str) -> None:
        self.der = der
        fields = _der_fields(_der_parse(der, what), what, 3, 3)
        self.tbs = fields[0].encoded
        self.signature_algorithm = _der_algorithm(fields[1], what)
        self.signature = _der_octets(fields[2], what)
        tbs = _der_children(fields[0], what)
        version = 0
        if tbs and tbs[0].tag == 0xA0:
            version = _der_integer(_der_fields(tbs[0], what, 1, 1, 0xA0)[0], what)
            tbs = tbs[1:]
        if len(tbs) < 6:
            raise TimestampInvalid(f"{what} is malformed: its tbsCertificate has too few fields")
        self.serial = _der_integer(tbs[0], what)
        if _der_algorithm(tbs[1], what) != self.signature_algorithm:
            raise TimestampInvalid(f"{what} names two different signature algorithms")
        _der_children(tbs[2], what)
        self.issuer = tbs[2].encoded
        self.issuer_element = tbs[2]
        validity = _der_fields(tbs[3], what, 2, 2)
        self.not_before = _ts_time(validity[0], what)
        self.not_after = _ts_time(validity[1], what)
        _der_children(tbs[4], what)
        self.subject = tbs[4].encoded
        self.subject_element = tbs[4]
        self.spki = tbs[5]
        self.extensions: dict[str, tuple[bool, bytes]] = {}
        rest = [field for field in tbs[6:] if field.tag not in (0x81, 0xA1, 0x82, 0xA2)]  # unique ids
        if len(rest) > 1 or (rest and rest[0].tag != 0xA3):
            raise TimestampInvalid(f"{what} is malformed: unexpected fields after its public key")
        if rest:
            if version != 2:
                raise TimestampInvalid(f"{what} has extensions but is not a version 3 certificate")
            for extension in _der_children(_der_fields(rest[0], what, 1, 1, 0xA3)[0], what):
                parts = _der_fields(extension, what, 2, 3)
                oid = _der_oid(parts[0], what)
                critical = len(parts) == 3 and _der_boolean(parts[1], what)
                if oid in self.extensions:
                    raise TimestampInvalid(f"{what} has the extension {oid} twice")
                self.extensions[oid] = (critical, _der_primitive(parts[-1], 0x04, what))
        self._key: _RsaKey | _EcKey | None = None

    def subject_text(self) -> str:
        return _x509_name_text(self.subject_element)

    def issuer_text(self) -> str:
        return _x509_name_text(self.issuer_element)

    def key(self, what: str) -> _RsaKey | _EcKey:
        if self._key is None:
            self._key = _x509_public_key(self.spki, what)
        return self._key

    def extension(self, oid: str, what: str) -> tuple[bool, _DerElement] | None:
        """(critical, the parsed extension value) or None when absent."""
        found = self.extensions.get(oid)
        return None if found is None else (found[0], _der_parse(found[1], what))

    def key_usage(self, what: str) -> set[int] | None:
        """The keyUsage bits set (0 digitalSignature … 5 keyCertSign), or None when absent."""
        found = self.extension(_OID_KEY_USAGE, what)
        if found is None:
            return None
        octets, unused = _der_bit_string(found[1], what)
        count = 8 * len(octets) - unused
        return {bit for bit in range(count) if octets[bit // 8] & (0x80 >> (bit % 8))}

    def ca(self, what: str) -> tuple[bool, int | None]:
        """basicConstraints: (cA, pathLenConstraint)."""
        found = self.extension(_OID_BASIC_CONSTRAINTS, what)
        if found is None:
            return False, None
        fields = _der_fields(found[1], what, 0, 2)
        ca, length = False, None
        if fields and fields[0].tag == 0x01:
            ca = _der_boolean(fields.pop(0), what)
        if fields:
            length = _der_integer(fields.pop(0), what)
            if length < 0:
                raise TimestampInvalid(f"{what} has a negative pathLenConstraint")
        if fields:
            raise TimestampInvalid(f"{what} is malformed: its basicConstraints has an unexpected field")
        return ca, length

    def valid_at(self, moment: _TsMoment) -> bool:
        return self.not_before.seconds <= moment.seconds <= self.not_after.seconds

    def check_critical(self, what: str) -> None:
        for oid, (critical, _) in self.extensions.items():
            if critical and oid not in _X509_UNDERSTOOD:
                raise TimestampInvalid(
                    f"{what} has a critical extension ({oid}) this checker does not understand"
                )


# -- the request, the response, the token ------------------------------------------------------


def _ts_hash(sha256_hex: Any) -> bytes:
    if not isinstance(sha256_hex, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256_hex):
        raise ValueError("the hash to timestamp is not 64 hex digits (a SHA-256)")
    return bytes.fromhex(sha256_hex)


def timestamp_request(sha256_hex: str, nonce: int | None = None) -> bytes:
    """A DER TimeStampReq (RFC 3161 section 2.4.1) for a SHA-256, asking for the TSA's certificate.

    Raises ValueError unless ``sha256_hex`` is 64 hex digits and ``nonce`` (when given) a
    non-negative integer below 2**160.
    """
    digest = _ts_hash(sha256_hex)
    algorithm = _der_encode(0x30, _der_encode_oid(_OID_SHA256) + b"\x05\x00")
    body = _der_encode_integer(1) + _der_encode(0x30, algorithm + _der_encode(0x04, digest))
    if nonce is not None:
        if isinstance(nonce, bool) or not isinstance(nonce, int) or not 0 <= nonce < 2**160:
            raise ValueError("the nonce is not an integer from 0 to 2**160 - 1")
        body += _der_encode_integer(nonce)
    body += b"\x01\x01\xff"  # certReq TRUE: the token carries the TSA certificate
    return _der_encode(0x30, body)


def token_from_response(response_der: bytes) -> bytes:
    """The TimeStampToken (a CMS ContentInfo, DER) of a granted TimeStampResp.

    Raises TimestampInvalid when the response is malformed, carries no token, or its status
    is not granted (0) or grantedWithMods (1); the message gives the status, its text and the
    failure reasons the TSA named.
    """
    what = "the timestamp response"
    fields = _der_fields(_der_parse(response_der, what), what, 1, 2)
    status = _der_fields(fields[0], what, 1, 3)
    code = _der_integer(status[0], what)
    text, failures = [], []
    for extra in status[1:]:
        if extra.tag == 0x30:
            text = [_ts_string(line) for line in _der_children(extra, what)]
        elif extra.tag == 0x03:
            octets, unused = _der_bit_string(extra, what)
            bits = [bit for bit in range(8 * len(octets) - unused) if octets[bit // 8] & (0x80 >> (bit % 8))]
            failures = [_TS_FAILURES.get(bit, f"bit {bit}") for bit in bits]
        else:
            raise TimestampInvalid(f"{what} is malformed: tag 0x{extra.tag:02x} in its status")
    if code not in (0, 1):
        said = _ts_printable("; ".join(text)) if text else "no reason given"
        reasons = f" ({', '.join(failures)})" if failures else ""
        name = _TS_STATUS.get(code, "unknown")
        raise TimestampInvalid(
            f"the timestamp authority answered status {_ts_number(code)} ({name}): {said}{reasons}"
        )
    if len(fields) != 2:
        raise TimestampInvalid(f"{what} grants the request but carries no token")
    _der_children(fields[1], "the timestamp token")
    return fields[1].encoded


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, hex (as ``openssl x509 -fingerprint -sha256`` without colons)."""
    return hashlib.sha256(bytes(der)).hexdigest()


_TS_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)


def pem_certificates(text: str) -> list[bytes]:
    """The DER of every certificate in PEM ``text``, in order.

    Raises TimestampInvalid when there is none, or a block is not base64 of a certificate.
    """
    if not isinstance(text, str):
        raise TimestampInvalid("PEM certificates are text, not bytes")
    found = []
    for number, match in enumerate(_TS_PEM.finditer(text), 1):
        try:
            der = base64.b64decode("".join(match.group(1).split()), validate=True)
        except (binascii.Error, ValueError) as error:
            raise TimestampInvalid(f"PEM certificate {number} is not valid base64 ({error})") from error
        _X509Certificate(der, f"PEM certificate {number}")
        found.append(der)
    if not found:
        raise TimestampInvalid("the text holds no PEM certificate")
    return found


def _ts_attributes(signed: _DerElement, what: str) -> dict[str, _DerElement]:
    """The single value of each signed attribute, by type; refuses an attribute given twice."""
    values: dict[str, _DerElement] = {}
    for attribute in _der_children(signed, what, 0xA0):
        fields = _der_fields(attribute, what, 2, 2)
        oid = _der_oid(fields[0], what)
        if oid in values:
            raise TimestampInvalid(f"{what}: the attribute {oid} appears twice")
        inside = _der_children(fields[1], what, 0x31)
        if len(inside) != 1:
            raise TimestampInvalid(f"{what}: the attribute {oid} has {len(inside)} values, not one")
        values[oid] = inside[0]
    return values


def _ts_check_ess(attributes: dict[str, _DerElement], signer: _X509Certificate) -> None:
    """The ESS signingCertificate(V2) attribute names the signer's certificate (RFC 3161, 5816)."""
    what = "the signing-certificate attribute"
    present = [oid for oid in (_OID_SIGNING_CERTIFICATE, _OID_SIGNING_CERTIFICATE_V2) if oid in attributes]
    if not present:
        raise TimestampInvalid(
            "the token has no signing-certificate attribute (ESSCertID), which RFC 3161 requires"
        )
    for oid in present:
        certs = _der_children(_der_fields(attributes[oid], what, 1, 2)[0], what)
        if not certs:
            raise TimestampInvalid(f"{what} lists no certificate")
        fields = _der_children(certs[0], what)  # the first one identifies the signer
        if oid == _OID_SIGNING_CERTIFICATE:
            digest_name = "sha1"
        elif fields and fields[0].tag == 0x30:
            digest_name = _der_digest(fields[0], what)
            fields = fields[1:]
        else:
            digest_name = "sha256"  # ESSCertIDv2's default
        if not 1 <= len(fields) <= 2:
            raise TimestampInvalid(f"{what} is malformed: an ESSCertID of {len(fields)} fields")
        if _der_primitive(fields[0], 0x04, what) != hashlib.new(digest_name, signer.der).digest():
            raise TimestampInvalid(f"{what} names a certificate other than the one that signed the token")
        if len(fields) == 2:
            names, serial = _der_fields(fields[1], what, 2, 2)
            directories = [name for name in _der_children(names, what) if name.tag == 0xA4]
            issuers = [_der_fields(name, what, 1, 1, 0xA4)[0].encoded for name in directories]
            if _der_integer(serial, what) != signer.serial or signer.issuer not in issuers:
                raise TimestampInvalid(f"{what} names an issuer and serial other than the signer's")


def _ts_check_signer(signer: _X509Certificate, moment: _TsMoment) -> None:
    """The TSA certificate may sign timestamps (RFC 3161 section 2.3) at the stamped time."""
    what = f"the TSA certificate ({signer.subject_text()})"
    signer.check_critical(what)
    usage = signer.extension(_OID_EXTENDED_KEY_USAGE, what)
    if usage is None:
        raise TimestampInvalid(f"{what} has no extended key usage: it is not a timestamping certificate")
    purposes = [_der_oid(item, what) for item in _der_children(usage[1], what)]
    if purposes != [_OID_TIME_STAMPING]:
        shown = _ts_printable(", ".join(purposes)) or "none"
        raise TimestampInvalid(f"{what} is not for timestamping alone (its extended key usage: {shown})")
    if not usage[0]:
        raise TimestampInvalid(f"{what} has an extended key usage not marked critical, as RFC 3161 requires")
    bits = signer.key_usage(what)
    if bits is not None and (not bits & {0, 1} or bits - {0, 1}):
        raise TimestampInvalid(f"{what} has a key usage other than digitalSignature/nonRepudiation")
    if not signer.valid_at(moment):
        raise TimestampInvalid(
            f"{what} was not valid at {moment.text} "
            f"(valid {signer.not_before.text} to {signer.not_after.text})"
        )


def _ts_check_chain(
    signer: _X509Certificate,
    carried: list[_X509Certificate],
    roots: list[_X509Certificate],
    moment: _TsMoment,
) -> None:
    """Walk issuer to subject from the signer to a trusted root, checking each link."""
    trusted = {root.der for root in roots}
    chain = [signer]
    current = signer
    while current.der not in trusted:
        name = current.subject_text()
        candidates = [root for root in roots if root.subject == current.issuer]
        candidates += [c for c in carried if c.subject == current.issuer and c is not current]
        if not candidates:
            if current.subject == current.issuer:
                raise TimestampInvalid(f"the TSA certificate chains to {name}, which is not a trusted root")
            raise TimestampInvalid(
                f"the TSA certificate chains to {current.issuer_text()}, which is not a trusted root "
                f"(it issued {name}; the token does not carry it)"
            )
        if len(chain) == _TS_MAX_CHAIN:
            raise TimestampInvalid(f"the TSA certificate's chain is longer than {_TS_MAX_CHAIN} certificates")
        problems = []
        for candidate in candidates:
            what = f"the signature on the certificate {name}"
            try:
                _ts_verify(
                    candidate.key(f"the certificate {candidate.subject_text()}"),
                    current.signature_algorithm,
                    None,
                    current.tbs,
                    current.signature,
                    what,
                )
            except TimestampInvalid as problem:
                problems.append(str(problem))
                continue
            issuer = candidate
            break
        else:
            raise TimestampInvalid(f"{problems[0]} (checked with the key of {current.issuer_text()})")
        what = f"the CA certificate {issuer.subject_text()}"
        issuer.check_critical(what)
        ca, path_length = issuer.ca(what)
        if not ca:
            raise TimestampInvalid(f"{what} is not a CA (basicConstraints cA is not TRUE)")
        bits = issuer.key_usage(what)
        if bits is not None and 5 not in bits:
            raise TimestampInvalid(f"{what} may not sign certificates (keyUsage lacks keyCertSign)")
        if path_length is not None and len(chain) - 1 > path_length:
            raise TimestampInvalid(
                f"{what} allows {_ts_number(path_length)} intermediate CAs below it, not {len(chain) - 1}"
            )
        if not issuer.valid_at(moment):
            raise TimestampInvalid(
                f"{what} was not valid at {moment.text} "
                f"(valid {issuer.not_before.text} to {issuer.not_after.text})"
            )
        chain.append(issuer)
        current = issuer


def check_token(
    token_der: bytes,
    sha256_hex: str,
    trusted_roots_der: list[bytes],
    nonce: int | None = None,
) -> TokenInfo:
    """Check an RFC 3161 TimeStampToken over ``sha256_hex``; what it says, or TimestampInvalid.

    Checks that the token is CMS SignedData over a TSTInfo with one signer; that the TSTInfo
    stamps this SHA-256 (and ``nonce``, when given); that the signed attributes name the TSTInfo
    and its digest, and the signer's certificate (ESSCertID or ESSCertIDv2); that the token
    carries that certificate, for timestamping alone (critical extended key usage) and valid at
    the stamped time, named by the TSTInfo's tsa field when that is a directory name; that the
    signature verifies with its key; and that it chains, through certificates in the token, to
    one of ``trusted_roots_der`` (at most five certificates, every issuer a CA valid at that time).
    """
    try:
        expected = _ts_hash(sha256_hex)
    except ValueError as error:
        raise TimestampInvalid(str(error)) from error
    roots = [
        _X509Certificate(der, f"trusted root {number}") for number, der in enumerate(trusted_roots_der, 1)
    ]

    what = "the timestamp token"
    info = _der_fields(_der_parse(token_der, what), what, 2, 2)
    if _der_oid(info[0], what) != _OID_SIGNED_DATA:
        raise TimestampInvalid(f"{what} is not CMS SignedData (content type {_der_oid(info[0], what)})")
    signed_data = _der_children(_der_fields(info[1], what, 1, 1, 0xA0)[0], what)
    if len(signed_data) < 4:
        raise TimestampInvalid(f"{what} is malformed: its SignedData has too few fields")
    if _der_integer(signed_data[0], what) not in (3, 4, 5):  # RFC 5652 section 5.1, for a TSTInfo
        raise TimestampInvalid(f"{what} is malformed: its SignedData version is not 3, 4 or 5")
    listed = [_der_algorithm(item, what) for item in _der_children(signed_data[1], what, 0x31)]
    encapsulated = _der_fields(signed_data[2], what, 1, 2)
    content_type = _der_oid(encapsulated[0], what)
    if content_type != _OID_TST_INFO:
        raise TimestampInvalid(f"{what} does not sign a TSTInfo (content type {content_type})")
    if len(encapsulated) != 2:
        raise TimestampInvalid(f"{what} does not carry its TSTInfo")
    tst_der = _der_primitive(_der_fields(encapsulated[1], what, 1, 1, 0xA0)[0], 0x04, what)
    rest = signed_data[3:]
    carried: list[_X509Certificate] = []
    if rest[0].tag == 0xA0:
        entries = [entry for entry in _der_children(rest[0], what, 0xA0) if entry.tag == 0x30]
        if len(entries) > _TS_MAX_CERTIFICATES:
            raise TimestampInvalid(f"{what} carries {len(entries)} certificates, more than a TSA sends")
        carried = [
            _X509Certificate(entry.encoded, f"certificate {n} in {what}")
            for n, entry in enumerate(entries, 1)
        ]
        rest = rest[1:]
    if rest and rest[0].tag == 0xA1:  # revocation information: not used
        rest = rest[1:]
    if len(rest) != 1:
        raise TimestampInvalid(f"{what} is malformed: unexpected fields in its SignedData")
    signer_infos = _der_children(rest[0], what, 0x31)
    if len(signer_infos) != 1:
        raise TimestampInvalid(f"{what} has {len(signer_infos)} signers, not one")

    # The TSTInfo (RFC 3161 section 2.4.2)
    where = "the token's TSTInfo"
    tst = _der_children(_der_parse(tst_der, where), where)
    if len(tst) < 5:
        raise TimestampInvalid(f"{where} is malformed: too few fields")
    if _der_integer(tst[0], where) != 1:
        raise TimestampInvalid(f"{where} is not version 1")
    policy = _der_oid(tst[1], where)
    imprint = _der_fields(tst[2], where, 2, 2)
    hash_oid, hash_parameters = _der_algorithm(imprint[0], where)
    if hash_oid != _OID_SHA256 or hash_parameters not in (None, b"\x05\x00"):
        raise TimestampInvalid(f"{where} stamps a hash made with {hash_oid}, not SHA-256")
    stamped = _der_primitive(imprint[1], 0x04, where)
    if stamped != expected:
        raise TimestampInvalid(f"the token stamps the hash {stamped.hex()}, not {expected.hex()}")
    serial = _der_integer(tst[3], where)
    if tst[4].tag != 0x18:
        raise TimestampInvalid(f"{where} is malformed: genTime is not a GeneralizedTime")
    moment = _ts_time(tst[4], where)
    optional = tst[5:]
    token_nonce: int | None = None
    tsa_name: str | None = None
    tsa_directory: bytes | None = None
    for tag in (0x30, 0x01, 0x02, 0xA0, 0xA1):  # accuracy, ordering, nonce, tsa, extensions
        if optional and optional[0].tag == tag:
            if tag == 0x02:
                token_nonce = _der_integer(optional[0], where)
            elif tag == 0x01:
                _der_boolean(optional[0], where)
            elif tag == 0xA0:
                general_name = _der_fields(optional[0], where, 1, 1, 0xA0)[0]
                tsa_name = _ts_general_name_text(general_name, where)
                if general_name.tag == 0xA4:
                    tsa_directory = _der_fields(general_name, where, 1, 1, 0xA4)[0].encoded
            else:
                _der_children(optional[0], where, tag)
            optional = optional[1:]
    if optional:
        raise TimestampInvalid(f"{where} is malformed: unexpected fields after genTime")
    if nonce is not None and token_nonce != nonce:
        shown = "no nonce" if token_nonce is None else f"the nonce {_ts_number(token_nonce)}"
        raise TimestampInvalid(f"the token has {shown}, not the nonce {_ts_number(nonce)} of the request")

    # The SignerInfo (RFC 5652 section 5.3)
    where = "the token's SignerInfo"
    signer_info = _der_children(signer_infos[0], where)
    if len(signer_info) < 6:
        raise TimestampInvalid(f"{where} is malformed: too few fields, or no signed attributes")
    sid = signer_info[1]
    if _der_integer(signer_info[0], where) != (1 if sid.tag == 0x30 else 3):  # RFC 5652 section 5.3
        raise TimestampInvalid(f"{where} is malformed: its version does not match its signer identifier")
    digest_name = _der_digest(signer_info[2], where)
    if not any(oid == _TS_DIGEST_OIDS[digest_name] and p in (None, b"\x05\x00") for oid, p in listed):
        raise TimestampInvalid(f"{what} does not list its signer's digest algorithm ({digest_name})")
    signed = signer_info[3]
    if signed.tag != 0xA0:
        raise TimestampInvalid(f"{where} has no signed attributes, which a timestamp token must have")
    algorithm = _der_algorithm(signer_info[4], where)
    signature = _der_primitive(signer_info[5], 0x04, where)
    if len(signer_info) > 7 or (len(signer_info) == 7 and signer_info[6].tag != 0xA1):
        raise TimestampInvalid(f"{where} is malformed: unexpected fields after the signature")
    attributes = _ts_attributes(signed, "the token's signed attributes")
    if _OID_CONTENT_TYPE not in attributes or _OID_MESSAGE_DIGEST not in attributes:
        raise TimestampInvalid("the token's signed attributes lack the content type or the message digest")
    if _der_oid(attributes[_OID_CONTENT_TYPE], where) != _OID_TST_INFO:
        raise TimestampInvalid("the token's signed content-type attribute is not id-ct-TSTInfo")
    digest = _der_primitive(attributes[_OID_MESSAGE_DIGEST], 0x04, where)
    if digest != hashlib.new(digest_name, tst_der).digest():
        raise TimestampInvalid(
            f"the token's TSTInfo does not match its signed message digest ({digest_name}): "
            "the timestamp was altered after signing"
        )

    # The signer's certificate, found by the SignerInfo's identifier
    if sid.tag == 0x30:
        issuer, serial_element = _der_fields(sid, where, 2, 2)
        _der_children(issuer, where)
        sid_serial = _der_integer(serial_element, where)
        found = [c for c in carried if c.issuer == issuer.encoded and c.serial == sid_serial]
    elif sid.tag == 0x80:
        key_id = sid.value
        found = []
        for certificate in carried:
            extension = certificate.extension(_OID_SUBJECT_KEY_IDENTIFIER, "a certificate in the token")
            if extension is not None and _der_primitive(extension[1], 0x04, where) == key_id:
                found.append(certificate)
    else:
        raise TimestampInvalid(f"{where} is malformed: its signer identifier has tag 0x{sid.tag:02x}")
    if not found:
        raise TimestampInvalid("the token does not carry the certificate of the TSA that signed it")
    signer = found[0]
    _ts_check_ess(attributes, signer)
    _ts_check_signer(signer, moment)
    # RFC 3161 section 2.4.2: the tsa field must be one of the signer's names. Only a directory
    # name is compared; other forms would need the subjectAltName, and are taken as a hint.
    if tsa_directory is not None and tsa_directory != signer.subject:
        raise TimestampInvalid(f"the token names its TSA {tsa_name} but is signed by {signer.subject_text()}")
    _ts_verify(
        signer.key("the TSA certificate"),
        algorithm,
        digest_name,
        b"\x31" + signed.encoded[1:],  # the attributes are signed as a SET OF (RFC 5652 section 5.4)
        signature,
        f"the token's signature (by {signer.subject_text()})",
    )
    _ts_check_chain(signer, carried, roots, moment)
    return TokenInfo(
        gen_time=moment.text,
        serial_number=serial,
        policy=policy,
        tsa_name=tsa_name,
        signer_subject=signer.subject_text(),
        signer_fingerprint=certificate_fingerprint(signer.der),
        nonce=token_nonce,
    )


# -- the checks -----------------------------------------------------------------------------


def readme_text(report_id: str, key_fingerprint: str) -> str:
    """README.txt of a bundle (written by the app, and checked here word for word)."""
    return f"""Veritrace audit bundle {report_id}

This bundle holds conversations exported from a Veritrace record, together with the part of
the record's hash-chained ledger that proves them, signed with the installation's key.

HOW TO CHECK IT

With Python 3.8 or newer and nothing else installed, run

    python3 verify_bundle.py BUNDLE --fingerprint {key_fingerprint}

where BUNDLE is this folder or the .zip file it came in. --fingerprint makes it fail unless the
bundle was signed by that key: compare it with the fingerprint your organisation recorded for
this Veritrace installation (Help > About in the app), not only with the one printed here.
It prints one line per check and ends with BUNDLE VERIFIED, or with BUNDLE INVALID and the
first problem it found. The script is short and uses only Python's standard library: read it,
or keep a copy you trust and run that one (the copy in the bundle is itself checked against
the ledger).

WHAT A PASS MEANS

- Every file is exactly as exported: nothing was changed, added or removed.
- The ledger entries chain unbroken from the first entry to the signed head, and every record
  in conversations/ and every image in images/ is the one that ledger holds.
- Nothing recorded for these conversations was left out: the export recorded, in the ledger,
  a digest of exactly which entries the bundle carries.
- The signature is valid: the holder of the private key with fingerprint

      {key_fingerprint}

  signed this chain head.
- How each turn ended (completed, stopped at the token limit, failed and why, ...), as the
  bundle states it and the verifier prints it, is what the turn's recorded outcome says.
- Each sign-off made with a personal signature was signed by the key of the identity it
  names (the fingerprint printed beside it), over the conversation exactly as recorded before
  it, and that identity had not been revoked when it signed.

WHAT A PASS DOES NOT MEAN

- It does not tell you whose key that is. Anyone can make a bundle that verifies with a key
  of their own, and the holder of a key can sign anything, a rewritten record included. Pin
  the key with --fingerprint, taking the fingerprint from the installation or from a report
  you received earlier, not from this bundle alone.
- Likewise for a personal signature: the holder of the installation key could have recorded an
  identity of their own key under the signer's name. Ask the signer for their fingerprint and
  pin it with --signer FP.
- It proves what the record held when this export was signed, not when each entry was
  written. What bounds that: an earlier report of the same record (on the record,
  `veritrace verify --since EARLIER-REPORT` proves it still holds that report's head), the
  witness the installation keeps outside its record, or a timestamp from a timestamp
  authority.
- It says nothing about whether the model's reasoning or answers are right.
"""


@dataclass
class _SignOff:
    """A sign-off read from a conversation file: its entry, its record, and for a personal
    signature the (entry, record) of its identity, of the identity's revocation and of the
    record's key enrolment."""

    conversation: int
    seq: int
    record: dict[str, Any]
    identity: tuple[int, dict[str, Any]] | None = None
    revocation: tuple[int, dict[str, Any]] | None = None
    enrolment: tuple[int, dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return f"sign-off {self.record.get('id')} of conversation {self.conversation}"


class Bundle:
    """A bundle being checked: what has been read and established so far."""

    def __init__(
        self,
        source: Source,
        fingerprint: str | None = None,
        key: str | None = None,
        tsa_roots: list[bytes] | None = None,
        signers: list[str] | None = None,
    ) -> None:
        self.source = source
        self.wanted_fingerprint, self.wanted_key = fingerprint, key  # the signer required, if any
        self.tsa_roots = tsa_roots  # the timestamp authority roots trusted; None: the bundle's own
        self.wanted_signers = signers  # the identities' fingerprints a personal signature must be by
        self.manifest: dict[str, Any] = {}
        self.digests: dict[str, tuple[str, int]] = {}
        self.entries: list[dict[str, Any]] = []
        self.detail: dict[str, Any] = {}
        self.referenced: set[int] = set()
        self.image_files: dict[str, dict[str, Any]] = {}
        self.token_lists = 0  # lists of token ids checked
        self.reproductions = 0  # turn.reproduced events checked
        # Each conversation's content as its records' entries name it: (table, key) -> (seq, SHA-256).
        self.content: dict[int, dict[tuple[str, str], tuple[int, str]]] = {}
        self.reading: int | None = None  # the conversation whose file is being read
        self.signoffs: list[_SignOff] = []
        self.notes: list[str] = []  # lines a check reports beneath its own (one per sign-off)

    # manifest.json and the file list ------------------------------------------------------

    def check_files(self) -> str:
        names = self.source.names()
        if MANIFEST not in names:
            raise Invalid("manifest.json is missing")
        self.manifest = _manifest(_parse_pretty(self.source.read(MANIFEST), MANIFEST))
        listed = self.manifest["files"]
        unlisted = sorted(set(names) - set(listed) - {MANIFEST})
        if unlisted:
            raise Invalid(f"{unlisted[0]} is in the bundle but not listed in the manifest")
        for name in sorted(listed):
            if name not in names:
                raise Invalid(f"{name} is listed in the manifest but missing from the bundle")
            digest, size = hashlib.sha256(), 0
            for chunk in self.source.chunks(name):
                digest.update(chunk)
                size += len(chunk)
                if size > listed[name]["size"]:
                    break  # no need to read an oversized file to the end
            if size != listed[name]["size"]:
                raise Invalid(f"{name}: its size differs from the manifest ({listed[name]['size']} bytes)")
            if digest.hexdigest() != listed[name]["sha256"]:
                raise Invalid(f"{name}: its SHA-256 differs from the manifest")
            self.digests[name] = (digest.hexdigest(), size)
        return f"{len(listed)} files match the manifest (SHA-256 and size); none unlisted"

    # ledger.jsonl ---------------------------------------------------------------------------

    def check_ledger(self) -> str:
        previous = GENESIS
        for number, line in enumerate(_lines(self.source.chunks(LEDGER), LEDGER), start=1):
            where = f"ledger.jsonl line {number}"
            entry = _object(_parse(line, where), (*_HEADER_KEYS, "entry_hash"), where, optional=("payload",))
            if canonical(entry) != line:
                raise Invalid(f"{where}: not in canonical form (RFC 8785)")
            if not _is_int(entry["seq"]) or entry["seq"] != number:
                raise Invalid(f"{where}: entry {entry['seq']!r} where entry {number} should be")
            header = {key: entry[key] for key in _HEADER_KEYS}
            if entry["prev_hash"] != previous:
                raise Invalid(f"{where} (entry {number}): it does not follow the entry before it")
            if hashlib.sha256(canonical(header)).hexdigest() != entry["entry_hash"]:
                raise Invalid(f"{where} (entry {number}): its fields do not match its entry hash")
            previous = entry["entry_hash"]
            self.entries.append(entry)
        count, head = len(self.entries), previous
        ledger, checkpoint = self.manifest["ledger"], self.manifest["checkpoint"]
        if count != ledger["entry_count"] or count != checkpoint["entry_count"]:
            raise Invalid(
                f"ledger.jsonl holds {count} entries, but the signed checkpoint is at entry "
                f"{checkpoint['entry_count']} (manifest: {ledger['entry_count']})"
            )
        if head != ledger["head_hash"] or head != checkpoint["head_hash"]:
            raise Invalid(f"the chain ends at head {head}, not at the signed head {checkpoint['head_hash']}")
        return f"entries 1 to {count} chain from genesis to head {head}"

    def check_signature(self) -> str:
        checkpoint = self.manifest["checkpoint"]
        key = checkpoint["public_key"]
        if checkpoint["key_fingerprint"] != fingerprint(key):
            raise Invalid("manifest.json: the key fingerprint is not that of the public key")
        message = checkpoint_message(checkpoint["entry_count"], checkpoint["head_hash"], checkpoint["at"])
        if not ed25519_valid(bytes.fromhex(key), message, bytes.fromhex(checkpoint["signature"])):
            raise Invalid(f"the checkpoint signature over entry {checkpoint['entry_count']} is not valid")
        return (
            f"Ed25519 signature over entry {checkpoint['entry_count']} (signed {checkpoint['at']}) valid; "
            f"key fingerprint {checkpoint['key_fingerprint']}"
        )

    def check_key(self) -> str:
        checkpoint = self.manifest["checkpoint"]
        if self.wanted_fingerprint is None and self.wanted_key is None:
            return "not pinned: pass --fingerprint FP to require the installation's key"
        if self.wanted_fingerprint is not None and checkpoint["key_fingerprint"] != self.wanted_fingerprint:
            raise Invalid(
                f"signed by the key with fingerprint {checkpoint['key_fingerprint']}, "
                f"not by {self.wanted_fingerprint} as required (--fingerprint)"
            )
        if self.wanted_key is not None and checkpoint["public_key"] != self.wanted_key:
            raise Invalid(
                f"signed by public key {checkpoint['public_key']}, "
                f"not by {self.wanted_key} as required (--key)"
            )
        return "signed by the key required"

    def check_timestamp(self) -> str:
        files = self.manifest["files"]
        if TIMESTAMP_TOKEN not in files:
            if self.tsa_roots is not None:
                raise Invalid("--tsa-root was given, but the bundle carries no timestamp token")
            return "none: the signature shows who signed the head, not when"
        checkpoint = self.manifest["checkpoint"]
        message = checkpoint_message(checkpoint["entry_count"], checkpoint["head_hash"], checkpoint["at"])
        roots = self.tsa_roots
        if roots is None:
            if TIMESTAMP_ROOT not in files:
                raise Invalid(f"{TIMESTAMP_TOKEN} comes without {TIMESTAMP_ROOT}: pass --tsa-root ROOT.pem")
            roots = pem_certificates(self.source.read(TIMESTAMP_ROOT).decode("ascii", "replace"))
        try:
            info = check_token(self.source.read(TIMESTAMP_TOKEN), hashlib.sha256(message).hexdigest(), roots)
        except TimestampInvalid as invalid:
            raise Invalid(f"{TIMESTAMP_TOKEN}: {invalid}") from invalid
        whose = (
            "the root you gave (--tsa-root)"
            if self.tsa_roots is not None
            else f"the root the bundle carries, {TIMESTAMP_ROOT} (pin one with --tsa-root)"
        )
        return (
            f"the signed head existed by {info.gen_time}, timestamped by {info.signer_subject}; "
            f"its chain ends at {whose}"
        )

    def check_seal(self) -> str:
        if not isinstance(self.source, ZipSource):
            return "a folder: no zip container to seal; every file was checked against the manifest"
        digest, comment = zip_sealed_part(self.source.path)
        match = _SEAL.fullmatch(comment.decode("ascii", "replace"))
        if match is None:
            raise Invalid(
                "the zip file's comment is not a Veritrace seal (the file was re-zipped or altered)"
            )
        if match.group(1) != digest:
            raise Invalid("the zip file's bytes differ from those it was sealed with (its seal's SHA-256)")
        key = self.manifest["checkpoint"]["public_key"]
        if not ed25519_valid(bytes.fromhex(key), seal_message(digest), bytes.fromhex(match.group(2))):
            raise Invalid("the zip file's seal is not signed by the key that signed the checkpoint")
        return f"every byte of the zip file sealed: SHA-256 {digest[:16]}…, signed by the same key"

    def check_payloads(self) -> str:
        carried = 0
        for entry in self.entries:
            if "payload" not in entry:
                continue
            where = f"ledger.jsonl line {entry['seq']}"
            if not isinstance(entry["payload"], dict):
                raise Invalid(f"{where}: its payload is not an object")
            if hashlib.sha256(canonical(entry["payload"])).hexdigest() != entry["payload_sha256"]:
                raise Invalid(f"{where} (entry {entry['seq']}): its payload does not match its SHA-256")
            carried += 1
        return f"{carried} entries carry their payload, each matching its recorded SHA-256"

    # the export event and the scope --------------------------------------------------------

    def check_export(self) -> str:
        seq = self.manifest["export_event"]
        where = f"the export event (entry {seq})"
        if not 1 <= seq <= len(self.entries) or "payload" not in self.entries[seq - 1]:
            raise Invalid(f"{where} is not in the ledger with its payload")
        entry = self.entries[seq - 1]
        payload = entry["payload"]
        if entry["action"] != "export.made" or payload.get("table") != "events":
            raise Invalid(f"{where} is not an export event")
        if payload.get("kind") != "export.made" or not isinstance(payload.get("detail_json"), str):
            raise Invalid(f"{where} is not an export event")
        self.detail = _parse(payload["detail_json"].encode("utf-8"), where)
        if not isinstance(self.detail, dict):
            raise Invalid(f"{where}: its detail is not an object")
        manifest, scope = self.manifest, self.manifest["scope"]
        expected = {
            "report_id": manifest["report_id"],
            "bundle_format": manifest["format"],
            "generated_at": manifest["generated_at"],
            "generated_by": manifest["generated_by"],
            "app_version": manifest["app_version"],
            "scope": scope["label"],
            "conversations": scope["conversation_ids"],
            "scope_entries": scope["entries"],
            "scope_as_of": scope["as_of"],
            "scope_digest": scope["digest"],
            "verifier_sha256": manifest["files"][VERIFIER]["sha256"],
        }
        for key, value in expected.items():
            if key not in self.detail or canonical(self.detail[key]) != canonical(value):
                raise Invalid(f"{where} records a different {key.replace('_', ' ')} than manifest.json")
        return f"entry {seq} records report {manifest['report_id']}, its scope and this verifier"

    def check_scope(self) -> str:
        scope, event = self.manifest["scope"], self.manifest["export_event"]
        carried = [entry["seq"] for entry in self.entries if "payload" in entry and entry["seq"] != event]
        if len(carried) != scope["entries"] or scope_digest(carried) != scope["digest"]:
            raise Invalid(
                f"the ledger carries {len(carried)} records, not the {scope['entries']} the export recorded "
                "(scope digest differs): a record was left out or added"
            )
        if (carried and max(carried) > scope["as_of"]) or scope["as_of"] >= event:
            raise Invalid("a record carried comes after the entry the export's scope was taken at")
        return f"{len(carried)} records, exactly those the export recorded (digest {scope['digest'][:16]}...)"

    # conversations/*.json and images/ -------------------------------------------------------

    def check_records(self) -> str:
        ids = self.manifest["scope"]["conversation_ids"]
        files = sorted(name for name in self.manifest["files"] if name.startswith("conversations/"))
        expected = sorted(f"conversations/{number}.json" for number in ids)
        if files != expected:
            raise Invalid(f"the conversation files {files} are not those of conversations {ids}")
        turns = 0
        for number in ids:
            name = f"conversations/{number}.json"
            turns += self._conversation(number, _parse_pretty(self.source.read(name), name), name)
        event = self.manifest["export_event"]
        for entry in self.entries:
            if "payload" in entry and entry["seq"] != event and entry["seq"] not in self.referenced:
                raise Invalid(
                    f"ledger entry {entry['seq']} ({entry['object_type']} {entry['object_id']}) is in scope "
                    "but in no conversation file"
                )
        return (
            f"{len(self.referenced)} records in {len(ids)} conversation files match the ledger; "
            f"reasoning and answer of {turns} turns match their recorded output; "
            f"{self.token_lists} lists of token ids match their recorded SHA-256; "
            f"{self.reproductions} reproductions of turns match their recorded events; "
            "how each turn ended (listed below) follows from its recorded outcome"
        )

    def check_images(self) -> str:
        present = {name for name in self.manifest["files"] if name.startswith("images/")}
        stray = sorted(present - set(self.image_files))
        if stray:
            raise Invalid(f"{stray[0]} is not an image any record refers to")
        for name, blob in sorted(self.image_files.items()):
            if name not in present:
                raise Invalid(f"{name} is referred to but missing")
            digest, size = self.digests[name]
            sha = _IMAGE_FILE.fullmatch(name)
            if sha is None or digest != sha.group(1) or digest != blob["sha256"]:
                raise Invalid(f"{name}: its bytes do not match its SHA-256")
            if size != blob.get("size") or blob.get("data") != {"sha256": digest}:
                raise Invalid(f"{name}: its bytes are not the stored image its record describes")
        return f"{len(present)} image files match their SHA-256; every image referred to is present"

    def check_readme(self) -> str:
        readme = readme_text(self.manifest["report_id"], self.manifest["checkpoint"]["key_fingerprint"])
        if self.source.read(README) != readme.encode("utf-8"):
            raise Invalid("README.txt is not the one written for this report")
        return "README.txt is the one written for this report; verify_bundle.py is the one recorded"

    # personal signatures ----------------------------------------------------------------------

    def check_signoffs(self) -> str:
        """Every sign-off, named in a line of its own: a personal signature checked in full, or a
        name typed before personal signatures existed."""
        first = next((entry["seq"] for entry in self.entries if entry["object_type"] == "identity"), None)
        problems, personal = [], 0
        for signoff in sorted(self.signoffs, key=lambda found: found.seq):
            shown = _signer_words(signoff)
            try:
                verdict = self._check_signoff(signoff, first)
            except Invalid as invalid:
                problems.append(f"{signoff.label} ({_signer_short(signoff)}): {invalid}")
                self.notes.append(f"{signoff.label}: {shown}: NOT VALID, {invalid}")
                continue
            personal += "signature" in signoff.record
            self.notes.append(f"{signoff.label}: {shown}: {verdict}")
        if problems:
            raise Invalid(problems[0])
        if not self.signoffs:
            return "none: no conversation in the bundle is signed off"
        typed = len(self.signoffs) - personal
        return (
            f"{personal} personal signature(s) valid, each by its identity's key over the conversation as "
            f"recorded before it; {typed} typed name(s) (before personal signatures)"
        )

    def _check_signoff(self, signoff: _SignOff, first_identity: int | None) -> str:
        """Check one sign-off (Invalid says why it fails); what it is, in words, if it holds."""
        record, seq = signoff.record, signoff.seq
        if "signature" not in record:
            if "identity_id" in record:
                raise Invalid("it names an identity but carries no personal signature")
            if first_identity is not None and first_identity < seq:
                raise Invalid(
                    f"it carries no personal signature, though identities sign from entry {first_identity} on"
                )
            return "typed name (before personal signatures)"
        assert signoff.identity is not None and signoff.enrolment is not None  # read with the sign-off
        (identity_seq, identity), (enrolled_seq, enrolment) = signoff.identity, signoff.enrolment
        if identity.get("id") != record.get("identity_id"):
            raise Invalid(
                f"it names identity {record.get('identity_id')!r}, "
                f"but carries identity {identity.get('id')!r}"
            )
        if identity_seq >= seq:
            raise Invalid(
                f"its identity is recorded at entry {identity_seq}, after the sign-off (entry {seq})"
            )
        for name in ("name", "role", "os_user", "public_key", "fingerprint", "created_at", "proof"):
            _typed(identity.get(name), str, f"identity {identity.get('id')!r} {name}")
        _hex(identity["public_key"], 64, f"identity {identity['id']} public key")
        if fingerprint(identity["public_key"]) != identity["fingerprint"]:
            raise Invalid(
                f"its identity names fingerprint {identity['fingerprint']}, but its key's is "
                f"{fingerprint(identity['public_key'])}"
            )
        first_key = next((entry["seq"] for entry in self.entries if entry["action"] == KEY_ENROLLED), None)
        detail = _parse(str(enrolment.get("detail_json", "")).encode("utf-8"), f"{signoff.label} enrolment")
        if enrolment.get("kind") != KEY_ENROLLED or enrolled_seq != first_key or not isinstance(detail, dict):
            raise Invalid("the enrolment it carries is not the record's first key enrolment")
        if enrolled_seq >= identity_seq:
            raise Invalid(f"its identity (entry {identity_seq}) comes before the record's key was enrolled")
        record_id = detail.get("record_id")
        _typed(record_id, str, f"{signoff.label} enrolment record_id")
        key = bytes.fromhex(identity["public_key"])
        proof = identity["proof"]
        _hex(proof, 128, f"identity {identity['id']} proof")
        if not ed25519_valid(
            key, identity_message({**identity, "record_id": record_id}), bytes.fromhex(proof)
        ):
            raise Invalid(
                f"its identity's proof is not a valid signature by the identity's own key "
                f"{identity['fingerprint']}"
            )
        later = ""
        if signoff.revocation is not None:
            revoked_seq, revocation = signoff.revocation
            _belongs(revocation, "identity_id", identity["id"], f"{signoff.label} revocation")
            reason = _quoted(revocation.get("reason"))
            when = f"entry {revoked_seq} ({revocation.get('revoked_at')}, reason {reason})"
            if revoked_seq < seq:
                raise Invalid(f"its identity was revoked at {when}, before it signed (entry {seq})")
            later = f"; the identity was revoked later, at {when}"
        rows = self.content.get(signoff.conversation, {})
        digest = content_digest((table, name, sha) for (table, name), (at, sha) in rows.items() if at < seq)
        if record.get("content_sha256") != digest:
            raise Invalid(
                f"it signed content {record.get('content_sha256')}, but the conversation's records before it "
                f"come to {digest}: the signed content was changed"
            )
        previous = self.entries[seq - 1]["prev_hash"]
        if record.get("ledger_head") != previous:
            raise Invalid(
                f"it names ledger head {record.get('ledger_head')}, but the entry before it is {previous}"
            )
        if record.get("printed_name") != identity["name"] or record.get("role") != identity["role"]:
            raise Invalid(
                f"it names {record.get('printed_name')!r} ({record.get('role')!r}) as its signer, but its "
                f"identity is {identity['name']!r} ({identity['role']!r})"
            )
        fields = {name: record.get(name) for name in SIGNED_FIELDS}
        fields.update(record_id=record_id, fingerprint=identity["fingerprint"])
        signature = record["signature"]
        _hex(signature, 128, f"{signoff.label} signature")
        if not ed25519_valid(key, signoff_message(fields), bytes.fromhex(signature)):
            raise Invalid(
                f"its signature by key {identity['fingerprint']} is not valid over what it records (its "
                "meaning, statement, reason, signer, times, content, ledger head or record changed)"
            )
        if self.wanted_signers is not None and identity["fingerprint"] not in self.wanted_signers:
            raise Invalid(
                f"signed by the identity with fingerprint {identity['fingerprint']}, not by a signer "
                "required (--signer)"
            )
        return f"personal signature valid{later}"

    def _conversation(self, number: int, document: Any, name: str) -> int:
        top = _object(
            document, ("format", "report_id", "conversation", "continues", "turns", "signoffs"), name
        )
        if top["format"] != FORMAT or top["report_id"] != self.manifest["report_id"]:
            raise Invalid(f"{name}: not part of report {self.manifest['report_id']}")
        self.reading = number
        conversation = self._record(top["conversation"], "conversations", f"{name} conversation")
        if conversation.get("id") != number:
            raise Invalid(f"{name}: holds conversation {conversation.get('id')!r}, not {number}")
        if top["continues"] is not None:
            link = self._record(top["continues"], "conversation_links", f"{name} continues")
            _belongs(link, "conversation_id", number, f"{name} continues")
        turns = [
            self._turn(turn, number, f"{name} turn {position}")
            for position, turn in enumerate(_list(top["turns"], f"{name} turns"))
        ]
        _ascending(turns, ("turn_index",), f"{name} turns")
        signoffs = [
            self._signoff(item, number, f"{name} signoff {index}")
            for index, item in enumerate(_list(top["signoffs"], f"{name} signoffs"))
        ]
        _ascending(signoffs, ("id",), f"{name} signoffs")
        self.reading = None
        return len(turns)

    def _signoff(self, item: Any, conversation: int, where: str) -> dict[str, Any]:
        """A sign-off, with (if it is signed personally) its identity, revocation and the enrolment."""
        signoff = self._record(item, "signoffs", where)
        _belongs(signoff, "conversation_id", conversation, where)
        personal = "identity_id" in signoff or "signature" in signoff
        signer = ("identity", "revocation", "enrolment") if personal else ()
        _object(item, ("ledger_seq", "record", *signer), where)
        found = _SignOff(conversation, item["ledger_seq"], signoff)
        if personal:
            identity = self._record(item["identity"], "identities", f"{where} identity")
            found.identity = (item["identity"]["ledger_seq"], identity)
            if item["revocation"] is not None:
                revocation = self._record(item["revocation"], "identity_revocations", f"{where} revocation")
                found.revocation = (item["revocation"]["ledger_seq"], revocation)
            enrolment = self._record(item["enrolment"], "events", f"{where} enrolment")
            found.enrolment = (item["enrolment"]["ledger_seq"], enrolment)
        self.signoffs.append(found)
        return signoff

    def _turn(self, item: Any, conversation: int, where: str) -> dict[str, Any]:
        keys = ("ledger_seq", "record", "settings", "model_files", "images", "chunks", "outcome")
        # model_checks: written by versions that hash the model in full at every load; the
        # token ids, by versions that record them; reproductions and state, by versions that carry them.
        turn_item = _object(
            item,
            (*keys, "annotations", "reasoning", "answer"),
            where,
            ("model_checks", "prompt_token_ids", "output_token_ids", "reproductions", "state"),
        )
        turn = self._record(turn_item, "turns", where)
        _belongs(turn, "conversation_id", conversation, where)
        turn_id = turn.get("id")
        settings = _parse(str(turn.get("params_json", "")).encode("utf-8"), f"{where} params_json")
        if canonical(turn_item["settings"]) != canonical(settings):
            raise Invalid(f"{where}: its settings are not the recorded parameters")
        models = {turn.get("model_sha256"), turn.get("projector_sha256")}
        for index, check_item in enumerate(_list(turn_item.get("model_checks", []), f"{where} model_checks")):
            check = self._record(check_item, "model_checks", f"{where} model check {index}")
            _belongs(check, "turn_id", turn_id, f"{where} model check {index}")
            models.add(check.get("sha256"))
        for index, model in enumerate(_list(turn_item["model_files"], f"{where} model_files")):
            record = self._record(model, "model_files", f"{where} model file {index}")
            if record.get("sha256") not in models:
                raise Invalid(f"{where} model file {index}: not the model the turn names")
        images = [
            self._image(image, turn_id, f"{where} image {index}")
            for index, image in enumerate(_list(turn_item["images"], f"{where} images"))
        ]
        _ascending(images, ("position",), f"{where} images")
        chunks = [
            self._record(chunk, "turn_chunks", f"{where} chunk {index}")
            for index, chunk in enumerate(_list(turn_item["chunks"], f"{where} chunks"))
        ]
        for index, chunk in enumerate(chunks):
            _belongs(chunk, "turn_id", turn_id, f"{where} chunk {index}")
        _ascending(chunks, ("seq", "id"), f"{where} chunks")
        for field in ("reasoning", "answer"):
            if turn_item[field] != "".join(str(chunk.get(field, "")) for chunk in chunks):
                raise Invalid(f"{where}: its {field} is not the concatenation of its recorded output")
        self._token_ids(turn_item, "prompt_token_ids", turn, where)
        outcome: dict[str, Any] = {}
        if turn_item["outcome"] is not None:
            outcome = self._record(turn_item["outcome"], "turn_outcomes", f"{where} outcome")
            _belongs(outcome, "turn_id", turn_id, f"{where} outcome")
        self._token_ids(turn_item, "output_token_ids", outcome, where)
        self._state(turn_item, turn, outcome, conversation, where)
        notes = [
            self._record(note, "annotations", f"{where} annotation {index}")
            for index, note in enumerate(_list(turn_item["annotations"], f"{where} annotations"))
        ]
        for index, note in enumerate(notes):
            _belongs(note, "turn_id", turn_id, f"{where} annotation {index}")
        _ascending(notes, ("id",), f"{where} annotations")
        runs = [
            self._reproduction(run, turn_id, f"{where} reproduction {index}")
            for index, run in enumerate(_list(turn_item.get("reproductions", []), f"{where} reproductions"))
        ]
        _ascending(runs, ("id",), f"{where} reproductions")
        return turn

    def _state(
        self,
        item: dict[str, Any],
        turn: dict[str, Any],
        outcome: dict[str, Any],
        conversation: int,
        where: str,
    ) -> None:
        """How the turn ended, recomputed from its outcome (running without one), against the state
        the bundle gives it, if any; one line of the report."""
        index = turn.get("turn_index")
        number = index + 1 if isinstance(index, int) and not isinstance(index, bool) else index
        turn_name = f"conversation {conversation} turn {number} (id {turn.get('id')})"
        status = outcome.get("status") if outcome else "running"
        finish_reason, error = outcome.get("finish_reason"), outcome.get("error")
        if not isinstance(status, str) or not all(
            isinstance(text, (str, type(None))) for text in (finish_reason, error)
        ):
            raise Invalid(f"{turn_name}: its outcome's status, finish reason or error is not text")
        try:
            state, words = state_of(status, finish_reason, error)
        except ValueError as unknown:
            raise Invalid(
                f"{turn_name}: its outcome's status {status!r} is not one a turn ends with"
            ) from unknown
        if "state" in item:
            stated = _object(item["state"], ("state", "words"), f"{where} state")
            _typed(stated["state"], str, f"{where} state")
            _typed(stated["words"], str, f"{where} state words")
            if stated["state"] != state or stated["words"] != words:
                raise Invalid(
                    f"{turn_name}: the bundle says it ended {_quoted(stated['words'])} ({stated['state']}), "
                    f"but its recorded outcome says {_quoted(words)} ({state})"
                )
        self.notes.append(f"{turn_name}: {words}")

    def _reproduction(self, item: Any, turn_id: Any, where: str) -> dict[str, Any]:
        """A time the turn was run again: its ``turn.reproduced`` event, naming this turn."""
        event = self._record(item, "events", where)
        if event.get("kind") != "turn.reproduced" or not isinstance(event.get("detail_json"), str):
            raise Invalid(f"{where}: not a reproduction of a turn")
        detail = _parse(event["detail_json"].encode("utf-8"), f"{where} detail_json")
        if not isinstance(detail, dict):
            raise Invalid(f"{where}: its detail is not an object")
        _belongs(detail, "turn_id", turn_id, where)
        self.reproductions += 1
        return event

    def _token_ids(self, item: dict[str, Any], field: str, record: dict[str, Any], where: str) -> None:
        """A turn's token ids, listed in the bundle, against the SHA-256 its record holds."""
        recorded, ids = record.get(field), item.get(field)
        if recorded is None:
            if ids is not None:
                raise Invalid(f"{where}: lists {field} that its record does not hold")
            return
        if not isinstance(recorded, dict) or set(recorded) != {"sha256"}:
            raise Invalid(f"{where}: its record's {field} is not a SHA-256")
        if not isinstance(ids, list):
            raise Invalid(f"{where}: its {field} are not listed")
        if not all(_is_int(token) and 0 <= token <= TOKEN_ID_MAX for token in ids):
            raise Invalid(f"{where}: its {field} are not all token ids (whole numbers 0 to {TOKEN_ID_MAX})")
        packed = struct.pack(f"<{len(ids)}I", *ids)
        if hashlib.sha256(packed).hexdigest() != recorded["sha256"]:
            raise Invalid(
                f"{where}: its {field} are not the ids recorded (SHA-256 of their uint32 bytes differs)"
            )
        self.token_lists += 1

    def _image(self, item: Any, turn_id: Any, where: str) -> dict[str, Any]:
        image_item = _object(item, ("ledger_seq", "record", "original", "sent"), where)
        image = self._record(image_item, "turn_images", where)
        _belongs(image, "turn_id", turn_id, where)
        self._blob(image_item["original"], image.get("sha256"), f"{where} original")
        if "sent_sha256" in image:
            self._blob(image_item["sent"], image["sent_sha256"], f"{where} copy sent to the model")
        elif image_item["sent"] is not None:
            raise Invalid(f"{where}: the record says no copy was sent to the model")
        return image

    def _blob(self, item: Any, sha256: Any, where: str) -> None:
        blob_item = _object(item, ("ledger_seq", "record", "file"), where)
        blob = self._record(blob_item, "blobs", where)
        name = blob_item["file"]
        match = _IMAGE_FILE.fullmatch(name) if isinstance(name, str) else None
        if blob.get("sha256") != sha256 or match is None or match.group(1) != sha256:
            raise Invalid(f"{where}: not the stored image the record names")
        self.image_files[name] = blob

    def _record(self, item: Any, table: str, where: str) -> dict[str, Any]:
        """The record of a ``{"ledger_seq", "record", ...}`` item, checked against its entry."""
        if not isinstance(item, dict) or "ledger_seq" not in item or "record" not in item:
            raise Invalid(f"{where}: not a record with its ledger entry")
        seq = item["ledger_seq"]
        if not _is_int(seq) or not 1 <= seq <= len(self.entries) or seq == self.manifest["export_event"]:
            raise Invalid(f"{where}: names ledger entry {seq!r}, which is not in scope")
        payload = self.entries[seq - 1].get("payload")
        if payload is None:
            raise Invalid(f"{where}: ledger entry {seq} is not in scope (the ledger carries no payload)")
        record = item["record"]
        if not isinstance(record, dict) or record.get("table") != table:
            raise Invalid(f"{where}: not a record of {table}")
        if canonical(record) != canonical(payload):
            raise Invalid(f"{where}: differs from ledger entry {seq}")
        entry = self.entries[seq - 1]
        object_type, key = OBJECTS[table]
        if entry["object_type"] != object_type or entry["object_id"] != str(record.get(key)):
            raise Invalid(
                f"{where}: ledger entry {seq} describes {entry['object_type']} {entry['object_id']}, "
                f"not this {object_type}"
            )
        if table in CONTENT_TABLES and self.reading is not None:
            # A record is named by the first entry describing it, as the app names it when signing.
            content = self.content.setdefault(self.reading, {})
            earlier = content.get((table, entry["object_id"]))
            if earlier is None or seq < earlier[0]:
                content[(table, entry["object_id"])] = (seq, entry["payload_sha256"])
        self.referenced.add(seq)
        return record


def _signer_words(signoff: _SignOff) -> str:
    """Who signed, as what, meaning what and why, with which key and when: for the report."""
    record = signoff.record
    name, meaning, reason = record.get("printed_name"), record.get("meaning"), _quoted(record.get("reason"))
    if signoff.identity is None:
        return f"{name}, {meaning}, reason {reason}, signed {record.get('signed_at')}"
    return (
        f"{name} ({record.get('role')}), key {signoff.identity[1].get('fingerprint')}, {meaning} "
        f"({_quoted(record.get('statement'))}), reason {reason}, signed {record.get('signed_at')} "
        f"(local {record.get('signed_at_local')})"
    )


def _signer_short(signoff: _SignOff) -> str:
    name = signoff.record.get("printed_name")
    return f"{name}, key {signoff.identity[1].get('fingerprint')}" if signoff.identity else f"{name}"


def _quoted(text: Any) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _manifest(value: Any) -> dict[str, Any]:
    """manifest.json, shape and types checked, so later checks can rely on them."""
    keys = ("format", "report_id", "generated_at", "generated_by", "app_version", "scope", "export_event")
    manifest = _object(value, (*keys, "ledger", "checkpoint", "files"), MANIFEST)
    if manifest["format"] != FORMAT:
        raise Invalid(f"manifest.json: format {manifest['format']!r} is not {FORMAT}")
    for key in ("report_id", "generated_at", "generated_by", "app_version"):
        _typed(manifest[key], str, f"manifest.json {key}")
    scope = _object(manifest["scope"], ("label", "conversation_ids", "entries", "as_of", "digest"), MANIFEST)
    _typed(scope["label"], str, "manifest.json scope label")
    ids = _list(scope["conversation_ids"], "manifest.json conversation ids")
    if not ids or not all(_is_int(number) and number > 0 for number in ids) or len(set(ids)) != len(ids):
        raise Invalid("manifest.json: the conversation ids are not distinct positive integers")
    for key in ("entries", "as_of"):
        _typed(scope[key], int, f"manifest.json scope {key}")
    _hex(scope["digest"], 64, "manifest.json scope digest")
    _typed(manifest["export_event"], int, "manifest.json export_event")
    ledger = _object(manifest["ledger"], ("entry_count", "head_hash"), "manifest.json ledger")
    _typed(ledger["entry_count"], int, "manifest.json ledger entry_count")
    _hex(ledger["head_hash"], 64, "manifest.json ledger head_hash")
    keys = ("algorithm", "entry_count", "head_hash", "at", "public_key", "signature", "key_fingerprint")
    checkpoint = _object(manifest["checkpoint"], keys, "manifest.json checkpoint")
    if checkpoint["algorithm"] != "Ed25519":
        raise Invalid("manifest.json: the checkpoint is not signed with Ed25519")
    _typed(checkpoint["entry_count"], int, "manifest.json checkpoint entry_count")
    _hex(checkpoint["head_hash"], 64, "manifest.json checkpoint head_hash")
    _typed(checkpoint["at"], str, "manifest.json checkpoint at")
    _hex(checkpoint["public_key"], 64, "manifest.json checkpoint public_key")
    _hex(checkpoint["signature"], 128, "manifest.json checkpoint signature")
    _typed(checkpoint["key_fingerprint"], str, "manifest.json checkpoint key_fingerprint")
    files = manifest["files"]
    if not isinstance(files, dict):
        raise Invalid("manifest.json: files is not an object")
    for name, entry in files.items():
        if name not in (LEDGER, README, VERIFIER, TIMESTAMP_TOKEN, TIMESTAMP_ROOT) and not (
            _CONVERSATION_FILE.fullmatch(name) or _IMAGE_FILE.fullmatch(name)
        ):
            raise Invalid(f"manifest.json: {name!r} is not a file a bundle holds")
        described = _object(entry, ("sha256", "size"), f"manifest.json files {name}")
        _hex(described["sha256"], 64, f"manifest.json files {name} sha256")
        _typed(described["size"], int, f"manifest.json files {name} size")
    for name in (LEDGER, README, VERIFIER):
        if name not in files:
            raise Invalid(f"manifest.json: {name} is not listed")
    return manifest


def _lines(chunks: Iterator[bytes], name: str) -> Iterator[bytes]:
    """The lines of a file read in chunks, each without its line break; every line must end with
    one, and none may be longer than a JSON document may be (it is never held whole otherwise)."""
    pending: list[bytes] = []
    held = 0
    empty = True
    for chunk in chunks:
        empty = empty and not chunk
        pieces = chunk.split(b"\n")
        for number, piece in enumerate(pieces):
            held += len(piece)
            if held > MAX_JSON_BYTES:
                raise Invalid(f"{name} holds a line longer than {_amount(MAX_JSON_BYTES)} (see --help)")
            pending.append(piece)
            if number < len(pieces) - 1:  # the piece ends at a line break
                yield b"".join(pending)
                pending, held = [], 0
    if any(pending) or empty:
        raise Invalid(f"{name} does not end with a complete line")


_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_BRACKET_PAIR = re.compile(rb"\[\]|\{\}")


def _deeper_than(data: bytes, limit: int) -> bool:
    """Whether the JSON text ``data`` nests arrays and objects more than ``limit`` deep.

    Found before parsing and without recursion, in at most ``limit`` passes over the text: with
    escapes dropped, every other run between quotes is a string; of the brackets outside them,
    each pass removes the innermost pairs, so a text at most ``limit`` deep is gone after ``limit``.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[0::2]).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        fewer = _BRACKET_PAIR.sub(b"", brackets)
        if len(fewer) == len(brackets):
            return False  # none left, or unbalanced: json.loads says where
        brackets = fewer
    return bool(brackets)


def _integer(text: str) -> int:
    # Python before 3.11 turns any number of digits into an int, in time quadratic in them.
    if len(text) > MAX_INTEGER_DIGITS + 1:
        raise ValueError(f"a number of {len(text)} digits, longer than any a bundle holds")
    return int(text)


def _parse(data: bytes, where: str) -> Any:
    if _deeper_than(data, MAX_JSON_DEPTH):
        raise Invalid(f"{where}: JSON nested more than {MAX_JSON_DEPTH} deep, deeper than the app writes")
    try:
        return json.loads(data.decode("utf-8"), parse_int=_integer)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise Invalid(f"{where}: not valid JSON ({error})") from error


def _parse_pretty(data: bytes, where: str) -> Any:
    value = _parse(data, where)
    try:
        written = pretty(value)
    except ValueError as error:
        raise Invalid(f"{where}: {error}") from error
    if written != data:
        raise Invalid(f"{where}: not in the form the app writes (edited by hand?)")
    return value


def _object(value: Any, keys: tuple[str, ...], where: str, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{where}: not a JSON object")
    missing = [key for key in keys if key not in value]
    extra = [key for key in value if key not in keys and key not in optional]
    if missing or extra:
        raise Invalid(f"{where}: fields {missing or extra} {'missing' if missing else 'unexpected'}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(f"{where}: not a JSON list")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _typed(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Invalid(f"{where}: not a {kind.__name__}")


def _hex(value: Any, length: int, where: str) -> None:
    if not isinstance(value, str) or not re.fullmatch(f"[0-9a-f]{{{length}}}", value):
        raise Invalid(f"{where}: not {length} lowercase hex digits")


def _belongs(record: dict[str, Any], field: str, owner: Any, where: str) -> None:
    if record.get(field) != owner or not _is_int(owner):
        raise Invalid(f"{where}: belongs to {field.split('_')[0]} {record.get(field)!r}, not {owner!r}")


def _ascending(records: list[dict[str, Any]], fields: tuple[str, ...], where: str) -> None:
    keys = [tuple(record.get(field) for field in fields) for record in records]
    try:
        ordered = all(keys[index] < keys[index + 1] for index in range(len(keys) - 1))
    except TypeError:
        ordered = False
    if not ordered:
        raise Invalid(f"{where}: not in recorded order")


CHECKS: tuple[tuple[str, Callable[[Bundle], str]], ...] = (
    ("files", Bundle.check_files),
    ("ledger", Bundle.check_ledger),
    ("signature", Bundle.check_signature),
    ("key", Bundle.check_key),
    ("timestamp", Bundle.check_timestamp),
    ("seal", Bundle.check_seal),
    ("payloads", Bundle.check_payloads),
    ("export", Bundle.check_export),
    ("scope", Bundle.check_scope),
    ("records", Bundle.check_records),
    ("signoffs", Bundle.check_signoffs),
    ("images", Bundle.check_images),
    ("readme", Bundle.check_readme),
)


def verify(
    source: Source,
    out: Callable[[str], None] = print,
    fingerprint: str | None = None,
    key: str | None = None,
    tsa_roots: list[bytes] | None = None,
    signers: list[str] | None = None,
) -> tuple[str | None, dict[str, Any]]:
    """Run every check, reporting each through ``out``: (the first problem or None, the manifest).

    ``fingerprint`` or ``key``: the signing key required (else any key's signature is reported).
    ``tsa_roots``: the timestamp authority roots to require (else the root the bundle carries).
    ``signers``: the identities' fingerprints every personal signature must be by (else any).
    A check's own lines (one per sign-off) follow its verdict, indented.
    """
    bundle = Bundle(source, fingerprint, key, tsa_roots, signers)
    for name, check in CHECKS:
        try:
            summary = check(bundle)
        except Invalid as invalid:
            out(f"  FAIL  {name}")
            _report_notes(bundle, out)
            return str(invalid), bundle.manifest
        except Exception as error:  # any malformed input the checks above did not foresee
            out(f"  FAIL  {name}")
            return f"the {name} check could not read the bundle ({type(error).__name__}: {error})", {}
        out(_shown(f"  ok    {name:<9} {summary}"))
        _report_notes(bundle, out)
    return None, bundle.manifest


def _report_notes(bundle: Bundle, out: Callable[[str], None]) -> None:
    for note in bundle.notes:
        out(_shown(f"          {note}"))
    bundle.notes.clear()


WHAT_IT_PROVES = (
    "What this proves: every file is as exported, the records are those the signed ledger holds, and\n"
    "nothing recorded for these conversations was left out; the holder of the key above signed it.\n"
    "What it cannot prove: whose key that is (a key holder can sign anything, including a rewritten\n"
    "record), or when it was signed. Pin the key you trust with --fingerprint; an earlier report of\n"
    "the same record, or a timestamp from a timestamp authority, bounds when. Each personal signature\n"
    "listed was made by the key whose fingerprint it shows, over the conversation as recorded; whose\n"
    "key that is, its signer can say: pin it with --signer."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, escaped: an argument may hold terminal controls
        print(f"verify_bundle.py: {_shown(message)} (--help lists the options)", file=sys.stderr)
        raise SystemExit(2)


def _shown(text: object) -> str:
    """Text from the bundle or the command line, fit for a terminal: controls escaped, bounded."""
    return _ts_printable(str(text), 2000)


def _parser() -> argparse.ArgumentParser:
    doc = __doc__ or ""  # none under python -OO
    parser = _Parser(
        prog="verify_bundle.py",
        description="Check a Veritrace JSON audit bundle with Python alone.",
        epilog=doc[doc.find("Limits.") :] if "Limits." in doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("bundle", metavar="BUNDLE", help="a Veritrace bundle folder or .zip file")
    pinned = parser.add_mutually_exclusive_group()
    pinned.add_argument(
        "--fingerprint",
        metavar="FP",
        help="fail unless the signing key has this fingerprint (from the installation, or an earlier report)",
    )
    pinned.add_argument(
        "--key", metavar="HEX", help="fail unless the signing key is this public key (64 hexadecimal digits)"
    )
    parser.add_argument(
        "--signer",
        metavar="FP",
        action="append",
        help="fail unless every personal signature is by the identity with this fingerprint (repeat for "
        "several signers; take it from the signer, not from this bundle)",
    )
    parser.add_argument(
        "--tsa-root",
        metavar="PEM",
        help="fail unless the bundle's timestamp chains to a root certificate in this PEM file",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")  # a console that cannot show a name still gets the verdict
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)  # a usage error exits with 2
    path = args.bundle
    if not os.path.exists(path):  # a dangling link or a link loop names nothing either
        print(f"verify_bundle.py: no such file or folder: {_shown(path)}", file=sys.stderr)
        return 2
    roots = None
    if args.tsa_root is not None:
        try:
            # Read like a bundle's own files: a pipe or device is refused unopened, the size bounded.
            with _open_plain(
                args.tsa_root, "--tsa-root", refusal="a root certificate is a PEM file"
            ) as handle:
                data = handle.read(MAX_OTHER_BYTES + 1)
            if len(data) > MAX_OTHER_BYTES:
                raise Invalid(
                    f"--tsa-root is larger than {MAX_OTHER_BYTES} bytes; a PEM file is a few kilobytes"
                )
            roots = pem_certificates(data.decode("ascii", errors="replace"))
        except (OSError, Invalid, TimestampInvalid) as error:
            print(
                f"verify_bundle.py: cannot read --tsa-root {_shown(args.tsa_root)}: {_shown(error)}",
                file=sys.stderr,
            )
            return 2
    print(f"Verifying {_shown(path)}")
    try:
        source = open_source(path)
    except Invalid as invalid:
        print(f"BUNDLE INVALID: {_shown(invalid)}")
        return 1
    wanted = args.fingerprint.strip().lower() if args.fingerprint else None
    key = args.key.strip().lower() if args.key else None
    signers = [
        signer.strip().lower() for signer in args.signer or () if signer.strip()
    ] or None  # blank pins none
    problem, manifest = verify(source, fingerprint=wanted, key=key, tsa_roots=roots, signers=signers)
    if problem is not None:
        print(f"BUNDLE INVALID: {_shown(problem)}")
        return 1
    checkpoint = manifest["checkpoint"]
    print(WHAT_IT_PROVES)
    print(
        _shown(
            f"BUNDLE VERIFIED: report {manifest['report_id']}, "
            f"{len(manifest['scope']['conversation_ids'])} conversation(s), {checkpoint['entry_count']} "
            f"ledger entries to head {checkpoint['head_hash']}, signed by the key with fingerprint "
            f"{checkpoint['key_fingerprint']}"
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
