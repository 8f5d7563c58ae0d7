"""Build the message list sent to the model for a turn."""

from __future__ import annotations

from collections.abc import Iterable

from app.core.types import ChatMessage, Turn


def build_messages(system_prompt: str, history: Iterable[Turn], prompt: str) -> tuple[ChatMessage, ...]:
    """Return the messages for a new turn.

    Earlier turns contribute their prompt and their answer only: reasoning models are
    trained to see past answers without past traces. A turn that produced no answer
    (failed, or stopped while still thinking) is left out entirely, so the template never
    sees an empty assistant message.
    """
    messages: list[ChatMessage] = []
    if system_prompt:
        messages.append(ChatMessage("system", system_prompt))
    for turn in history:
        if not turn.answer.strip():
            continue
        messages.append(ChatMessage("user", turn.prompt))
        messages.append(ChatMessage("assistant", turn.answer.strip()))
    messages.append(ChatMessage("user", prompt))
    return tuple(messages)


def title_from_prompt(prompt: str, limit: int = 60) -> str:
    """A conversation title: the first line of the first prompt, shortened."""
    first = next((line.strip() for line in prompt.splitlines() if line.strip()), "Untitled")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"
