"""How a turn ended, in words: every recorded status with every finish reason the app writes,
reasons it does not know, and failures with and without an error."""

from __future__ import annotations

import itertools

import pytest

from app.core import states
from app.core.states import State, TurnState, state_of, turn_state
from app.core.types import TurnStatus
from app.storage.repository import Store
from tests.fixtures.ledger import start_turn

# Every finish reason the runtimes and the chat service record, the two states.py names, and
# reasons no part of the app writes (a server's own, an empty one, one that only looks alike).
KNOWN_REASONS = (
    None,
    "stop",
    "length",
    "model_length",
    states.STOPPED_BY_REVIEWER,
    states.WINDOW_CLOSED,
    "error",
    "model_changed",
    "context_overflow",
    "stream_dropped",
)
UNKNOWN_REASONS = ("content_filter", "tool_calls", "", "WINDOW_CLOSED", "window_closed ", "length\n")
ERRORS = (None, "", "ValueError: the model returned nonsense", "  padded reason  ")

WORDS = {
    State.RUNNING: "running",
    State.COMPLETED: "completed",
    State.TOKEN_LIMIT: "stopped at the token limit",
    State.STOPPED: "stopped by the reviewer",
    State.WINDOW_CLOSED: "window closed during generation",
    State.INTERRUPTED: "interrupted (the app stopped)",
}
WHOLE = {None, "", "stop"}
LIMIT = {"length", "model_length"}


def expected_state(status: TurnStatus, finish_reason: str | None) -> State:
    """The rule, written out once more: the status decides; the finish reason splits a completed
    turn (a whole answer, the token limit, or any other ending the server named) and a cancelled
    one (the window closed)."""
    if status is TurnStatus.COMPLETED:
        if finish_reason in LIMIT:
            return State.TOKEN_LIMIT
        return State.COMPLETED if finish_reason in WHOLE else State.ENDED_BY_SERVER
    if status is TurnStatus.CANCELLED:
        return State.WINDOW_CLOSED if finish_reason == "window_closed" else State.STOPPED
    return {
        TurnStatus.RUNNING: State.RUNNING,
        TurnStatus.FAILED: State.FAILED,
        TurnStatus.INTERRUPTED: State.INTERRUPTED,
    }[status]


@pytest.mark.parametrize(
    ("status", "finish_reason", "error"),
    list(itertools.product(TurnStatus, KNOWN_REASONS + UNKNOWN_REASONS, ERRORS)),
)
def test_every_status_with_every_finish_reason_has_one_state_in_words(
    status: TurnStatus, finish_reason: str | None, error: str | None
) -> None:
    ended = state_of(status, finish_reason, error)
    state = expected_state(status, finish_reason)
    assert ended.state is state
    if state is State.FAILED:
        reason = (error or "").strip() or (finish_reason or "").strip() or "no reason was recorded"
        assert ended.words == f"failed ({reason})" and ended.reason == reason
    elif state is State.ENDED_BY_SERVER:
        assert finish_reason is not None
        reason = finish_reason.strip()
        assert ended.words == f"ended by the server ({reason})" and ended.reason == reason
    else:
        assert ended.words == WORDS[state] and ended.reason == ""
    assert ended.whole is (state in (State.COMPLETED, State.RUNNING))
    assert ended.to_json() == {"state": str(state), "words": ended.words}
    assert state_of(str(status), finish_reason, error) == ended, "the status as the record's text"


def test_only_a_whole_normal_answer_is_called_completed() -> None:
    completed = [
        (status, reason)
        for status, reason in itertools.product(TurnStatus, KNOWN_REASONS + UNKNOWN_REASONS)
        if state_of(status, reason, None).words == "completed"
    ]
    assert completed, "some recorded outcome is called completed"
    assert all(status is TurnStatus.COMPLETED and reason in WHOLE for status, reason in completed)


def test_every_state_has_distinct_words() -> None:
    shown = {
        state_of(status, reason, None).words
        for status, reason in itertools.product(TurnStatus, KNOWN_REASONS)
        if state_of(status, reason, None).state not in (State.FAILED, State.ENDED_BY_SERVER)
    }
    assert shown == set(WORDS.values())


@pytest.mark.parametrize("reason", ["content_filter", "tool_calls", "error", "recitation"])
def test_an_answer_a_server_cut_short_is_not_called_completed(reason: str) -> None:
    ended = state_of(TurnStatus.COMPLETED, reason, None)
    assert ended.state is State.ENDED_BY_SERVER and not ended.whole
    assert ended.words == f"ended by the server ({reason})"


@pytest.mark.parametrize(
    ("finish_reason", "error", "words"),
    [
        (None, None, "failed (no reason was recorded)"),
        (None, "", "failed (no reason was recorded)"),
        ("", "", "failed (no reason was recorded)"),
        ("   ", None, "failed (no reason was recorded)"),
        ("   ", "\n", "failed (no reason was recorded)"),
        ("stream_dropped", None, "failed (stream_dropped)"),
        ("stream_dropped", "  ", "failed (stream_dropped)"),
        ("stream_dropped", "The connection broke off.", "failed (The connection broke off.)"),
    ],
)
def test_a_failure_without_an_error_still_says_why_or_that_nothing_was_recorded(
    finish_reason: str | None, error: str | None, words: str
) -> None:
    ended = state_of(TurnStatus.FAILED, finish_reason, error)
    assert ended.state is State.FAILED and not ended.whole
    assert ended.words == words, "a blank reason is no reason: never an empty pair of brackets"


def test_an_unknown_status_is_refused_not_shown_as_completed() -> None:
    with pytest.raises(ValueError):
        state_of("finished", "stop", None)


@pytest.mark.parametrize(
    ("status", "finish_reason", "error", "state"),
    [
        (TurnStatus.COMPLETED, "stop", None, State.COMPLETED),
        (TurnStatus.COMPLETED, "length", None, State.TOKEN_LIMIT),
        (TurnStatus.COMPLETED, "content_filter", None, State.ENDED_BY_SERVER),
        (TurnStatus.CANCELLED, "cancelled", None, State.STOPPED),
        (TurnStatus.CANCELLED, "window_closed", None, State.WINDOW_CLOSED),
        (TurnStatus.FAILED, "error", "RuntimeError: decode failed", State.FAILED),
        (TurnStatus.FAILED, None, None, State.FAILED),
    ],
)
def test_a_recorded_turn_reads_back_in_the_same_state(
    store: Store, status: TurnStatus, finish_reason: str | None, error: str | None, state: State
) -> None:
    conversation = store.create_conversation("States", "alice")
    turn = start_turn(store, conversation)
    assert turn_state(store.turn(turn.id)) == TurnState(State.RUNNING, "running")
    store.finish_turn(turn.id, status, finish_reason=finish_reason, error=error)
    recorded = store.turn(turn.id)
    assert turn_state(recorded) == state_of(status, finish_reason, error)
    assert turn_state(recorded).state is state


def test_a_turn_the_app_stopped_under_reads_back_interrupted(store: Store) -> None:
    conversation = store.create_conversation("States", "alice")
    orphan = start_turn(store, conversation)
    assert store.mark_interrupted() == [orphan.id]
    recorded = store.turn(orphan.id)
    assert turn_state(recorded) == TurnState(State.INTERRUPTED, "interrupted (the app stopped)")
    assert not turn_state(recorded).whole
