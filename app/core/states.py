"""How a turn ended, in words a reviewer can defend: one distinct state for each way it can end.

The record keeps ``status`` and ``finish_reason`` as written when the turn ended; this module is
the one place that turns them into the state shown in the window, the list, the review view,
every export and ``show --json``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.core.types import Turn, TurnStatus

# finish_reason values that say who or what stopped a cancelled turn.
STOPPED_BY_REVIEWER = "cancelled"
WINDOW_CLOSED = "window_closed"


class State(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    TOKEN_LIMIT = "token_limit"
    STOPPED = "stopped"
    WINDOW_CLOSED = "window_closed"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    ENDED_BY_SERVER = "ended_by_server"


_WORDS = {
    State.RUNNING: "running",
    State.COMPLETED: "completed",
    State.TOKEN_LIMIT: "stopped at the token limit",
    State.STOPPED: "stopped by the reviewer",
    State.WINDOW_CLOSED: "window closed during generation",
    State.INTERRUPTED: "interrupted (the app stopped)",
    State.FAILED: "failed",
    State.ENDED_BY_SERVER: "ended by the server",
}

# How a model or server says it ended a whole answer, and how it says it ran out of room
# (OpenAI-style servers say "length"; Mistral's API says "model_length" when the context is full).
WHOLE_ENDINGS = frozenset({"stop", "eos", "end_turn"})
LIMIT_ENDINGS = frozenset({"length", "model_length"})

# States a signer must see called out before signing: the answer is not a whole, normal one.
NOT_WHOLE = frozenset(
    {
        State.TOKEN_LIMIT,
        State.STOPPED,
        State.WINDOW_CLOSED,
        State.INTERRUPTED,
        State.FAILED,
        State.ENDED_BY_SERVER,
    }
)


@dataclass(frozen=True)
class TurnState:
    state: State
    words: str  # e.g. "failed (the model file changed while loading)"
    reason: str = ""  # the failure's reason, for FAILED

    @property
    def whole(self) -> bool:
        return self.state not in NOT_WHOLE

    def to_json(self) -> dict[str, str]:
        return {"state": str(self.state), "words": self.words}


def turn_state(turn: Turn) -> TurnState:
    """The state of ``turn`` as recorded."""
    return state_of(turn.status, turn.finish_reason, turn.error)


def state_of(status: TurnStatus | str, finish_reason: str | None, error: str | None) -> TurnState:
    state = _state(TurnStatus(status), finish_reason)
    if state is State.FAILED:
        # A blank error is no reason: the finish reason, else a plain "none recorded", never "()".
        reason = (error or "").strip() or (finish_reason or "").strip() or "no reason was recorded"
        return TurnState(state, f"failed ({reason})", reason)
    if state is State.ENDED_BY_SERVER:
        # Any other ending (a content filter, tool calls, an error sent as a finish reason) is
        # named as the server gave it: a filtered answer must not look whole.
        reason = (finish_reason or "").strip()
        return TurnState(state, f"ended by the server ({reason})", reason)
    return TurnState(state, _WORDS[state])


def _state(status: TurnStatus, finish_reason: str | None) -> State:
    if status is TurnStatus.RUNNING:
        return State.RUNNING
    if status is TurnStatus.INTERRUPTED:
        return State.INTERRUPTED
    if status is TurnStatus.FAILED:
        return State.FAILED
    if status is TurnStatus.CANCELLED:
        return State.WINDOW_CLOSED if finish_reason == WINDOW_CLOSED else State.STOPPED
    if finish_reason in LIMIT_ENDINGS:
        return State.TOKEN_LIMIT
    if finish_reason is None or not finish_reason.strip() or finish_reason in WHOLE_ENDINGS:
        return State.COMPLETED
    return State.ENDED_BY_SERVER
