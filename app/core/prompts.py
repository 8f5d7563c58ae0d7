"""Build the message list sent to the model for a turn."""

from __future__ import annotations

from collections.abc import Iterable

from app.core.types import ChatMessage, Turn


def build_messages(
    system_prompt: str,
    history: Iterable[Turn],
    prompt: str,
    images: tuple[str, ...] = (),
    *,
    with_images: bool = False,
    with_reasoning: bool = False,
) -> tuple[ChatMessage, ...]:
    """Return the messages for a new turn.

    Earlier turns contribute their prompt and their answer only: reasoning models are
    trained to see past answers without past traces (``with_reasoning`` sends the traces
    too, for a user who asks for it). A turn that produced no answer (failed, or stopped
    while still thinking) is left out entirely, so the template never sees an empty
    assistant message. ``images`` are the SHA-256s of the copies sent with this prompt;
    with ``with_images``, earlier turns carry the images the model saw then.
    """
    messages: list[ChatMessage] = []
    if system_prompt:
        messages.append(ChatMessage("system", system_prompt))
    for turn in history:
        if not turn.answer.strip():
            continue
        earlier = tuple(i.sent_sha256 for i in turn.images if i.sent_sha256) if with_images else ()
        messages.append(ChatMessage("user", turn.prompt, earlier))
        reasoning = turn.reasoning.strip() if with_reasoning else ""
        messages.append(ChatMessage("assistant", turn.answer.strip(), reasoning=reasoning))
    messages.append(ChatMessage("user", prompt, images))
    return tuple(messages)


def title_from_prompt(prompt: str, limit: int = 200) -> str:
    """A conversation title: the first line of the first prompt, shortened only past ``limit``.

    Lists elide a long title to fit; the record, the reports and the review show it whole.
    """
    first = next((line.strip() for line in prompt.splitlines() if line.strip()), "Untitled")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"
