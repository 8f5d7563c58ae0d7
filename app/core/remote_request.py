"""The request body sent to a remote server, as recorded and as sent.

A remote turn records the JSON body of its chat completion request (the API key travels in a
header, never in the body). The body is recorded exactly as sent, but for one thing: each
image the model saw travels as ``data:image/png;base64,…``, and its bytes are already in the
record (the copy the model saw, by SHA-256), so the recorded body names it
``data:image/png;sha256,HEX`` instead. ``sent_bytes`` puts the base64 back, giving exactly the
bytes that left the machine; the record keeps their SHA-256 to check it against.

Both directions are plain text substitutions on the JSON (never a re-serialisation), so any
language can reproduce the bytes from the recorded text and the stored images. The
substitution matches the key as well as the value (``"url":"data:image/png;sha256,HEX"``): inside
a JSON string every quote is escaped, so text a user typed can never match it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

IMAGE_REF = "data:image/png;sha256,"
IMAGE_DATA = "data:image/png;base64,"
_REF = re.compile(r'"url":"data:image/png;sha256,([0-9a-f]{64})"')
_DATA = re.compile(r'"url":"data:image/png;base64,([A-Za-z0-9+/=]*)"')


@dataclass(frozen=True)
class RecordedRequest:
    """A request body as recorded (``text``), and the SHA-256 and size of the exact bytes sent."""

    text: str
    sha256: str
    size: int

    @classmethod
    def of(cls, text: str, images: Mapping[str, bytes]) -> RecordedRequest:
        sent = sent_bytes(text, images)
        return cls(text, hashlib.sha256(sent).hexdigest(), len(sent))


@dataclass(frozen=True)
class ServerResponse:
    """What a server said of its answer, besides the answer: recorded with the turn's outcome.

    ``usage_json`` is its usage object as it sent it; ``unhandled_json`` a JSON array of output
    parts of a kind the app does not know, verbatim (neither reasoning nor answer).
    """

    attempts: int | None = None
    id: str | None = None
    model: str | None = None
    usage_json: str | None = None
    reasoning_tokens: int | None = None
    unhandled_json: str | None = None


def image_ref(sha256: str) -> str:
    """How the recorded body names an image sent as a data URI: by the SHA-256 of its bytes."""
    return IMAGE_REF + sha256


def body_text(body: Mapping[str, Any]) -> str:
    """The JSON text of a request body as it is sent: compact, UTF-8, keys in the order built."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def sent_bytes(recorded: str, images: Mapping[str, bytes] | Callable[[str], bytes]) -> bytes:
    """The exact bytes sent for a recorded body: each image reference replaced by its data URI.

    ``images`` maps an image's SHA-256 to its stored bytes (or is a function doing so); a
    reference to bytes that do not hash to it raises ValueError.
    """
    fetch = images if callable(images) else images.__getitem__

    def data_uri(match: re.Match[str]) -> str:
        sha256 = match.group(1)
        data = fetch(sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"the image named {sha256[:12]}… is not the one stored under that name")
        return f'"url":"{IMAGE_DATA}{base64.b64encode(data).decode("ascii")}"'

    return _REF.sub(data_uri, recorded).encode("utf-8")


def recorded_text(sent: bytes) -> str:
    """The recorded form of a body sent as ``sent``: each data URI named by its SHA-256."""

    def ref(match: re.Match[str]) -> str:
        data = base64.b64decode(match.group(1), validate=True)
        return f'"url":"{image_ref(hashlib.sha256(data).hexdigest())}"'

    return _DATA.sub(ref, sent.decode("utf-8"))
