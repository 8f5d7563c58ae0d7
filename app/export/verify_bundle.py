#!/usr/bin/env python3
"""Check a Veritrace JSON audit bundle with nothing but Python's standard library.

    python3 verify_bundle.py BUNDLE        (the bundle folder, or its .zip file)

Needs Python 3.8 or newer and nothing else: no Veritrace, no third-party package, so anyone
can read what it does before trusting its answer. It checks, in order:

1. files      - every file matches the SHA-256 and size the manifest lists; none is unlisted;
2. ledger     - every entry's hash, and the chain from genesis to the signed head;
3. signature  - the Ed25519 signature over that head (RFC 8032, verified in pure Python);
   seal       - for a .zip, the signed SHA-256 of every byte of the file before its comment
                (member headers and timestamps included), carried in that comment;
4. payloads   - each record the ledger carries matches its entry's payload SHA-256 (RFC 8785);
5. export     - the export event in the ledger names this report, scope and manifest;
6. scope      - the records carried are exactly those the export recorded (a digest);
7. records    - every record in conversations/*.json is its ledger entry, and the derived
                reasoning and answer texts are the recorded output;
8. images     - every image file matches its SHA-256; every image referenced is present;
9. readme     - README.txt is the one written for this report.

It prints one line per check and ends with "BUNDLE VERIFIED ..." (exit status 0) or
"BUNDLE INVALID: <first problem>" (exit status 1); a usage error exits with 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

FORMAT = "veritrace-bundle/1"
GENESIS = "0" * 64
MAX_SAFE_INTEGER = 2**53 - 1
SCOPE_SCHEME = "veritrace-scope-v1"
CHECKPOINT_SCHEME = "veritrace-checkpoint-v1"
SEAL_SCHEME = "veritrace-zip-seal-v1"
_SEAL = re.compile(SEAL_SCHEME + r" sha256=([0-9a-f]{64}) signature=([0-9a-f]{128})")
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
MANIFEST = "manifest.json"
LEDGER = "ledger.jsonl"
README = "README.txt"
VERIFIER = "verify_bundle.py"
_CHUNK = 1 << 20
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


def zip_sealed_part(path: str) -> tuple[str, bytes]:
    """(SHA-256 of the bytes a seal covers, the zip comment) of a zip file.

    A seal covers every byte of the file up to the end record's comment length: the members,
    their headers, the central directory and the end record itself. The comment after it holds
    the seal, and must run exactly to the end of the file.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
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


class FolderSource(Source):
    def __init__(self, root: str) -> None:
        self.root = root

    def names(self) -> list[str]:
        found = []
        for folder, subfolders, files in os.walk(self.root):
            for entry in subfolders + files:
                path = os.path.join(folder, entry)
                name = os.path.relpath(path, self.root).replace(os.sep, "/")
                if os.path.islink(path):
                    raise Invalid(f"{name} is a link; a bundle holds only plain files")
                if entry in files:
                    found.append(name)
        return found

    def chunks(self, name: str) -> Iterator[bytes]:
        with open(os.path.join(self.root, *name.split("/")), "rb") as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    return
                yield chunk


class ZipSource(Source):
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise Invalid(f"{path} cannot be read as a zip file ({error})") from error

    def names(self) -> list[str]:
        names = self.archive.namelist()
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise Invalid(f"{name} appears more than once in the zip file")
            seen.add(name)
        return names

    def chunks(self, name: str) -> Iterator[bytes]:
        try:
            with self.archive.open(name) as handle:
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        return
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError) as error:  # a damaged member: bad CRC, bad data
            raise Invalid(f"{name} cannot be read from the zip file ({error})") from error


def open_source(path: str) -> Source:
    if os.path.isdir(path):
        return FolderSource(path)
    if zipfile.is_zipfile(path):
        return ZipSource(path)
    raise Invalid(f"{path} is neither a bundle folder nor a zip file")


# -- the checks -----------------------------------------------------------------------------


def readme_text(report_id: str, key_fingerprint: str) -> str:
    """README.txt of a bundle (written by the app, and checked here word for word)."""
    return f"""Veritrace audit bundle {report_id}

This bundle holds conversations exported from a Veritrace record, together with the part of
the record's hash-chained ledger that proves them, signed with the installation's key.

HOW TO CHECK IT

With Python 3.8 or newer and nothing else installed, run

    python3 verify_bundle.py BUNDLE

where BUNDLE is this folder or the .zip file it came in. It prints one line per check and
ends with BUNDLE VERIFIED, or with BUNDLE INVALID and the first problem it found. The script
is short and uses only Python's standard library: read it, or keep a copy you trust and run
that one (the copy in the bundle is itself checked against the ledger).

WHAT A PASS MEANS

- Every file is exactly as exported: nothing was changed, added or removed.
- The ledger entries chain unbroken from the first entry to the signed head, and every record
  in conversations/ and every image in images/ is the one that ledger holds.
- Nothing recorded for these conversations was left out: the export recorded, in the ledger,
  a digest of exactly which entries the bundle carries.
- The signature is valid: the holder of the private key with fingerprint

      {key_fingerprint}

  signed this chain head.

WHAT A PASS DOES NOT MEAN

- It does not tell you whose key that is. Anyone can make a bundle that verifies with a key
  of their own. Compare the fingerprint above (the verifier prints it too) with the one your
  organisation recorded for this Veritrace installation.
- It proves what the record held when this export was signed, not when each entry was
  written; an earlier signature (a sign-off, or a checkpoint kept elsewhere) does that.
- It says nothing about whether the model's reasoning or answers are right.
"""


class Bundle:
    """A bundle being checked: what has been read and established so far."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.manifest: dict[str, Any] = {}
        self.digests: dict[str, tuple[str, int]] = {}
        self.entries: list[dict[str, Any]] = []
        self.detail: dict[str, Any] = {}
        self.referenced: set[int] = set()
        self.image_files: dict[str, dict[str, Any]] = {}

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
        data = self.source.read(LEDGER)
        if not data.endswith(b"\n"):
            raise Invalid("ledger.jsonl does not end with a complete line")
        previous = GENESIS
        for number, line in enumerate(data[:-1].split(b"\n"), start=1):
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
            f"reasoning and answer of {turns} turns match their recorded output"
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

    def _conversation(self, number: int, document: Any, name: str) -> int:
        top = _object(
            document, ("format", "report_id", "conversation", "continues", "turns", "signoffs"), name
        )
        if top["format"] != FORMAT or top["report_id"] != self.manifest["report_id"]:
            raise Invalid(f"{name}: not part of report {self.manifest['report_id']}")
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
            self._record(item, "signoffs", f"{name} signoff {index}")
            for index, item in enumerate(_list(top["signoffs"], f"{name} signoffs"))
        ]
        for index, signoff in enumerate(signoffs):
            _belongs(signoff, "conversation_id", number, f"{name} signoff {index}")
        _ascending(signoffs, ("id",), f"{name} signoffs")
        return len(turns)

    def _turn(self, item: Any, conversation: int, where: str) -> dict[str, Any]:
        keys = ("ledger_seq", "record", "settings", "model_files", "images", "chunks", "outcome")
        turn_item = _object(item, (*keys, "annotations", "reasoning", "answer"), where)
        turn = self._record(turn_item, "turns", where)
        _belongs(turn, "conversation_id", conversation, where)
        turn_id = turn.get("id")
        settings = _parse(str(turn.get("params_json", "")).encode("utf-8"), f"{where} params_json")
        if canonical(turn_item["settings"]) != canonical(settings):
            raise Invalid(f"{where}: its settings are not the recorded parameters")
        models = {turn.get("model_sha256"), turn.get("projector_sha256")}
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
        if turn_item["outcome"] is not None:
            outcome = self._record(turn_item["outcome"], "turn_outcomes", f"{where} outcome")
            _belongs(outcome, "turn_id", turn_id, f"{where} outcome")
        notes = [
            self._record(note, "annotations", f"{where} annotation {index}")
            for index, note in enumerate(_list(turn_item["annotations"], f"{where} annotations"))
        ]
        for index, note in enumerate(notes):
            _belongs(note, "turn_id", turn_id, f"{where} annotation {index}")
        _ascending(notes, ("id",), f"{where} annotations")
        return turn

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
        self.referenced.add(seq)
        return record


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
        if name not in (LEDGER, README, VERIFIER) and not (
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


def _parse(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
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
    ("seal", Bundle.check_seal),
    ("payloads", Bundle.check_payloads),
    ("export", Bundle.check_export),
    ("scope", Bundle.check_scope),
    ("records", Bundle.check_records),
    ("images", Bundle.check_images),
    ("readme", Bundle.check_readme),
)


def verify(source: Source, out: Callable[[str], None] = print) -> tuple[str | None, dict[str, Any]]:
    """Run every check, reporting each through ``out``: (the first problem or None, the manifest)."""
    bundle = Bundle(source)
    for name, check in CHECKS:
        try:
            summary = check(bundle)
        except Invalid as invalid:
            out(f"  FAIL  {name}")
            return str(invalid), bundle.manifest
        except Exception as error:  # any malformed input the checks above did not foresee
            out(f"  FAIL  {name}")
            return f"the {name} check could not read the bundle ({type(error).__name__}: {error})", {}
        out(f"  ok    {name:<9} {summary}")
    return None, bundle.manifest


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")  # a console that cannot show a name still gets the verdict
    if len(arguments) != 1 or arguments[0] in ("-h", "--help"):
        print(
            "usage: python3 verify_bundle.py BUNDLE   (a Veritrace bundle folder or .zip file)",
            file=sys.stderr,
        )
        return 2
    path = arguments[0]
    if not os.path.exists(path):
        print(f"verify_bundle.py: no such file or folder: {path}", file=sys.stderr)
        return 2
    print(f"Verifying {path}")
    try:
        source = open_source(path)
    except Invalid as invalid:
        print(f"BUNDLE INVALID: {invalid}")
        return 1
    problem, manifest = verify(source)
    if problem is not None:
        print(f"BUNDLE INVALID: {problem}")
        return 1
    checkpoint = manifest["checkpoint"]
    print(
        f"BUNDLE VERIFIED: report {manifest['report_id']}, {len(manifest['scope']['conversation_ids'])} "
        f"conversation(s), {checkpoint['entry_count']} ledger entries to head {checkpoint['head_hash']}, "
        f"signed by the key with fingerprint {checkpoint['key_fingerprint']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
