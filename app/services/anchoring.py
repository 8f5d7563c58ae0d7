"""Checkpoints anchored in time by an RFC 3161 timestamp authority the organisation names.

A signature shows who signed a head, not when: whoever holds the key can sign a rewritten
record today and date it last year. A timestamp token from an outside authority over the
checkpoint's hash proves the head existed by the token's time, which no key holder can forge.
Only that SHA-256 leaves the machine.

Offline first: each checkpoint is queued in the ledger (``timestamp.queued``) and sent when the
authority can be reached; the token comes back into the ledger (``timestamp.received``), where
``verify`` checks it against the checkpoint as recorded and against the authority's root.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import VeritraceError
from app.core.files import NotAFileError, TooLargeError, read_bounded
from app.core.signing import checkpoint_message
from app.core.types import Checkpoint
from app.export.verify_bundle import (
    TimestampInvalid,
    certificate_fingerprint,
    check_token,
    pem_certificates,
    timestamp_request,
    token_from_response,
)
from app.storage.repository import Store

QUEUED = "timestamp.queued"
RECEIVED = "timestamp.received"
REFUSED = "timestamp.refused"
TIMEOUT_S = 15.0
_MAX_RESPONSE = 1 << 20  # a timestamp reply is a few kilobytes; never read more than this


class AnchorError(VeritraceError):
    """The timestamp authority is not usable as configured."""


@dataclass(frozen=True)
class Authority:
    """A timestamp authority and the root certificates its tokens must chain to."""

    url: str
    roots: tuple[bytes, ...]

    @classmethod
    def named(cls, url: str, root_pem: str | Path) -> Authority:
        if not url.startswith(("http://", "https://")):
            raise AnchorError(f"The timestamp authority {url!r} is not an http:// or https:// address.")
        path = Path(root_pem).expanduser()
        if not str(root_pem):
            raise AnchorError(
                "A timestamp authority needs its root certificate (a PEM file) so its tokens can be checked."
            )
        roots = read_roots(path)
        if not roots:
            raise AnchorError(f"{path} holds no PEM certificate for the timestamp authority.")
        return cls(url, tuple(roots))


MAX_ROOT_BYTES = 1024 * 1024  # a PEM bundle of a few certificates is a few kilobytes


def read_roots(path: Path) -> list[bytes]:
    """The certificates (DER) of a root PEM file, read bounded: a pipe or device is not opened."""
    try:
        data = read_bounded(path, MAX_ROOT_BYTES)
        return pem_certificates(data.decode("ascii", errors="replace"))
    except (OSError, TimestampInvalid, NotAFileError, TooLargeError) as error:
        raise AnchorError(
            f"The timestamp authority's root certificate {path} cannot be read: {error}"
        ) from error


def configured_authority(url: str, root: str) -> Authority | None:
    """The authority named in Settings (``tsa_url``, ``tsa_root``), or None where none is."""
    return Authority.named(url, root) if url else None


def imprint(checkpoint: Checkpoint) -> str:
    """The SHA-256 the authority timestamps: of exactly the bytes the checkpoint signed."""
    return hashlib.sha256(
        checkpoint_message(checkpoint.entry_count, checkpoint.head_hash, checkpoint.at)
    ).hexdigest()


def queue(store: Store, checkpoint: Checkpoint, authority: Authority) -> None:
    """Record that ``checkpoint`` is to be timestamped (sent by ``send_queued``)."""
    store.log_event(
        QUEUED, {"checkpoint_id": checkpoint.id, "imprint": imprint(checkpoint), "tsa_url": authority.url}
    )


@dataclass(frozen=True)
class Sent:
    received: tuple[int, ...] = ()  # checkpoint ids now anchored
    refused: tuple[tuple[int, str], ...] = ()  # (checkpoint id, why) the authority or its token failed
    offline: str | None = None  # why the authority could not be reached; the rest stay queued

    def describe(self) -> str:
        parts = []
        if self.received:
            parts.append(f"{len(self.received)} checkpoint(s) timestamped")
        parts += [f"checkpoint {number} not timestamped: {why}" for number, why in self.refused]
        if self.offline:
            parts.append(
                f"the timestamp authority could not be reached ({self.offline}); the request stays queued"
            )
        return "; ".join(parts) or "nothing was waiting to be timestamped"


def pending(store: Store) -> list[int]:
    """Checkpoints queued and neither timestamped nor refused yet, oldest first."""
    done: set[int] = set()
    queued: list[int] = []
    for _, kind, detail in store.events_of((QUEUED, RECEIVED, REFUSED)):
        number = int(detail["checkpoint_id"])
        if kind == QUEUED:
            queued.append(number)
        else:
            done.add(number)
    return [number for number in dict.fromkeys(queued) if number not in done]


def send_queued(store: Store, authority: Authority) -> Sent:
    """Ask the authority for a token for every queued checkpoint; stop at the first network failure."""
    import httpx

    received: list[int] = []
    refused: list[tuple[int, str]] = []
    checkpoints = {made.id: made for made in store.checkpoints()}
    for number in pending(store):
        made = checkpoints[number]
        digest = imprint(made)
        nonce = secrets.randbits(63)
        try:
            with (
                httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client,
                client.stream(
                    "POST",
                    authority.url,
                    content=timestamp_request(digest, nonce),
                    headers={"Content-Type": "application/timestamp-query"},
                ) as response,
            ):
                body = _bounded(response)
        except httpx.HTTPError as error:
            return Sent(tuple(received), tuple(refused), str(error) or type(error).__name__)
        try:
            if response.status_code != 200:
                raise TimestampInvalid(f"the authority answered HTTP {response.status_code}")
            token = token_from_response(body)
            info = check_token(token, digest, list(authority.roots), nonce)
        except TimestampInvalid as error:
            store.log_event(REFUSED, {"checkpoint_id": number, "tsa_url": authority.url, "error": str(error)})
            refused.append((number, str(error)))
            continue
        store.log_event(
            RECEIVED,
            {
                "checkpoint_id": number,
                "imprint": digest,
                "tsa_url": authority.url,
                "token": base64.b64encode(token).decode("ascii"),
                "gen_time": info.gen_time,
                "serial_number": str(info.serial_number),
                "tsa_certificate_sha256": info.signer_fingerprint,
                "tsa_subject": info.signer_subject,
                "root_sha256": [certificate_fingerprint(root) for root in authority.roots],
                "roots": [base64.b64encode(root).decode("ascii") for root in authority.roots],
            },
        )
        received.append(number)
    return Sent(tuple(received), tuple(refused))


def received_token(store: Store, checkpoint_id: int) -> bytes | None:
    """The timestamp token recorded for a checkpoint, if one came back."""
    for _, _kind, detail in store.events_of((RECEIVED,)):
        if int(detail["checkpoint_id"]) == checkpoint_id:
            return base64.b64decode(detail["token"])
    return None


def pem_certificate(der: bytes) -> bytes:
    """A DER certificate as a PEM block."""
    lines = textwrap.wrap(base64.b64encode(der).decode("ascii"), 64)
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n").encode(
        "ascii"
    )


def _bounded(response: Any) -> bytes:
    body = b""
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > _MAX_RESPONSE:
            raise TimestampInvalid("the authority's answer is larger than any timestamp reply")
    return body


@dataclass(frozen=True)
class Anchors:
    """What ``verify`` found about timestamps: each anchored checkpoint, or why one fails."""

    anchored: tuple[tuple[int, str, str], ...] = ()  # (checkpoint id, entry count, stamped time)
    problems: tuple[str, ...] = ()
    queued: int = 0
    unchecked_chain: bool = False

    def lines(self) -> list[str]:
        lines = []
        if self.anchored:
            number, count, when = self.anchored[-1]
            lines.append(
                f"Timestamps: {len(self.anchored)} checkpoint(s) anchored by a timestamp authority; "
                "the latest, "
                f"checkpoint {number} over entry {count}, existed by {when}."
                + (
                    " (Each token was checked against the root recorded with it: name the authority's "
                    "root in "
                    "Settings or with --tsa-root to check against one you trust.)"
                    if self.unchecked_chain
                    else ""
                )
            )
        if self.queued:
            lines.append(f"Timestamps: {self.queued} checkpoint(s) still queued for the timestamp authority.")
        return lines


def check_anchors(store: Store, roots: tuple[bytes, ...] = ()) -> Anchors:
    """Check every timestamp token in the record against the checkpoint it names, as recorded.

    A token binds the exact bytes a checkpoint signed; after a rewrite, even one re-signed with
    the stolen key, the checkpoint no longer matches the token.
    """
    checkpoints = {made.id: made for made in store.checkpoints()}
    anchored: list[tuple[int, str, str]] = []
    problems: list[str] = []
    unchecked = False
    for _, _kind, detail in store.events_of((RECEIVED,)):
        number = int(detail["checkpoint_id"])
        made = checkpoints.get(number)
        if made is None:
            problems.append(f"a timestamp token names checkpoint {number}, which the record does not hold")
            continue
        digest = imprint(made)
        trusted = roots
        if not trusted:
            unchecked = True
            trusted = tuple(root for root in _recorded_roots(detail))
        try:
            if detail.get("imprint") != digest:
                raise TimestampInvalid("the checkpoint it names is no longer the one it timestamped")
            info = check_token(base64.b64decode(detail["token"]), digest, list(trusted))
        except (TimestampInvalid, ValueError) as error:
            problems.append(
                f"the timestamp token of checkpoint {number} (entry {made.entry_count}) fails: {error}. "
                "The checkpoint or its token was changed after it was timestamped."
            )
            continue
        anchored.append((number, str(made.entry_count), info.gen_time))
    return Anchors(tuple(anchored), tuple(problems), len(pending(store)), unchecked and bool(anchored))


def _recorded_roots(detail: dict[str, Any]) -> list[bytes]:
    """The roots the token was checked against when it arrived (no root named now)."""
    return [base64.b64decode(root) for root in detail.get("roots", [])]
