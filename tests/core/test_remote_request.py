"""The recorded request body and the bytes sent: each made from the other, exactly."""

from __future__ import annotations

import base64
import hashlib

import pytest

from app.core.remote_request import (
    RecordedRequest,
    body_text,
    image_ref,
    recorded_text,
    sent_bytes,
)
from app.core.types import RunSettings

IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
SHA = hashlib.sha256(IMAGE).hexdigest()


def _body(text: str) -> dict:
    return {
        "model": "magistral-small-2509",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": image_ref(SHA)}},
                    {"type": "text", "text": text},
                ],
            }
        ],
        "stream": True,
    }


def test_the_recorded_body_and_the_images_give_the_bytes_sent_and_back() -> None:
    recorded = body_text(_body("Qu'est-ce que c'est ? «×»"))
    sent = sent_bytes(recorded, {SHA: IMAGE})
    assert base64.b64encode(IMAGE) in sent and SHA.encode() not in sent
    assert "«×»".encode() in sent, "UTF-8 as it is, not escaped"
    assert recorded_text(sent) == recorded
    request = RecordedRequest.of(recorded, {SHA: IMAGE})
    assert (request.sha256, request.size) == (hashlib.sha256(sent).hexdigest(), len(sent))


def test_text_a_user_typed_is_never_taken_for_an_image() -> None:
    typed = f'"url":"{image_ref(SHA)}"'  # the very text the substitution looks for
    recorded = body_text(_body(typed))
    sent = sent_bytes(recorded, {SHA: IMAGE})
    assert sent.count(base64.b64encode(IMAGE)) == 1, "only the image part is replaced"
    assert typed.replace('"', '\\"').encode() in sent


def test_an_image_that_is_not_the_one_named_is_refused() -> None:
    with pytest.raises(ValueError, match="is not the one stored under that name"):
        sent_bytes(body_text(_body("?")), {SHA: IMAGE + b"x"})
    with pytest.raises(KeyError):
        sent_bytes(body_text(_body("?")), {})


def test_prompt_mode_is_a_setting_with_known_values() -> None:
    settings = RunSettings(prompt_mode="reasoning", resend_reasoning=True)
    assert RunSettings.from_dict(settings.to_dict()) == settings
    assert RunSettings.from_dict({}).prompt_mode == "" and not RunSettings.from_dict({}).resend_reasoning
    with pytest.raises(ValueError, match="is not a prompt mode"):
        RunSettings.from_dict({"prompt_mode": "chatty"})
