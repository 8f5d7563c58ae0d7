"""What the reasoning grammar forces on a model, and whether a recorded turn ran under it.

"Require a reasoning trace" (the demo preset sets it) runs the model under a llama.cpp grammar
(``app.runtime.grammar``): it must open with ``[THINK]``, write at most ``THOUGHT_MAX_CHARS``
characters of reasoning without square brackets, close with ``[/THINK]`` and answer in at most
``ANSWER_MAX_CHARS``. A trace written under it is the grammar's shape, not the model's own
thinking, so every report says so. A local turn ran under it whenever it required reasoning; a
remote one only if its recorded request carries the grammar (only llama.cpp's server takes one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from app.core.types import Turn

THOUGHT_MAX_CHARS = 1200
ANSWER_MAX_CHARS = 2400

_LIMIT = re.compile(r"^(thought|answer) ::= .*\{1,(\d+)\}\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Forcing:
    """The grammar a turn ran under: its limits (None: not readable from the grammar sent)."""

    thought_max: int | None
    answer_max: int | None
    remote: bool  # sent to a server with the request, rather than applied here

    def reached(self, turn: Turn) -> bool:
        """Whether the turn's reasoning is as long as the grammar allowed: it was cut there."""
        return self.thought_max is not None and len(turn.reasoning) >= self.thought_max


def forcing(turn: Turn) -> Forcing | None:
    """The reasoning grammar ``turn`` ran under, or None if it ran free."""
    if not turn.ran_remotely and not turn.model.is_remote:
        return Forcing(THOUGHT_MAX_CHARS, ANSWER_MAX_CHARS, False) if turn.require_reasoning else None
    grammar = _sent_grammar(turn.request_json)
    if grammar is None:
        return None
    limits = {name: int(value) for name, value in _LIMIT.findall(grammar)}
    return Forcing(limits.get("thought"), limits.get("answer"), True)


def _sent_grammar(request_json: str | None) -> str | None:
    if not request_json:
        return None
    try:
        body = json.loads(request_json)
    except ValueError:
        return None
    grammar = body.get("grammar") if isinstance(body, dict) else None
    return grammar if isinstance(grammar, str) and grammar else None
