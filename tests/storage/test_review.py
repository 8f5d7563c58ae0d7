"""Annotations and sign-offs: recorded, chained, and a signed conversation is locked."""

from __future__ import annotations

import pytest

from app.core.errors import LockedError, NotFoundError, VeritraceError
from app.core.types import Flag, Meaning, TurnStatus
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.ledger import start_turn


@pytest.fixture
def store(filled_store: Store) -> Store:
    return filled_store


def test_annotations_and_signoff_are_recorded_and_verified(store: Store) -> None:
    note = store.annotate(1, Flag.CONCERN, "Ignores the gross-negligence carve-out.", "Dr. A. Reviewer")
    store.annotate(1, Flag.OK, "Carve-out discussed in turn 2; resolved.", "Dr. A. Reviewer")
    signed = store.sign_off(1, Meaning.APPROVED, "Dr. A. Reviewer", "Reasoning complete and sound.", TEST_KEY)
    conversation = store.conversation(1)
    assert conversation.locked and conversation.signoffs == (signed,)
    assert signed.ledger_head != "0" * 64 and signed.meaning == Meaning.APPROVED
    turn = conversation.turns[0]
    assert [(a.flag, a.author) for a in turn.annotations] == [
        (Flag.CONCERN, "Dr. A. Reviewer"),
        (Flag.OK, "Dr. A. Reviewer"),
    ]
    assert turn.annotations[0] == note
    data = conversation.to_json()
    assert data["locked"] is True and data["signoffs"][0]["printed_name"] == "Dr. A. Reviewer"
    assert data["turns"][0]["annotations"][0]["flag"] == "concern"
    assert store.verify().intact


def test_a_signed_conversation_is_locked(store: Store) -> None:
    store.sign_off(1, Meaning.REVIEWED, "R. Viewer", "Checked.", TEST_KEY)
    with pytest.raises(LockedError, match=r"signed off \(reviewed by R\. Viewer"):
        store.annotate(1, Flag.ERROR, "too late", "X")
    with pytest.raises(LockedError, match="Continue the discussion in a new, linked conversation"):
        start_turn(store, 1)
    later = store.continue_conversation(1, "alice")
    continued = store.conversation(later)
    assert continued.continues == 1 and continued.title == "Continued: Review" and not continued.locked
    start_turn(store, later)
    # signatures add, they change nothing
    store.sign_off(1, Meaning.APPROVED, "A. Prover", "Second signature", TEST_KEY)
    assert len(store.conversation(1).signoffs) == 2
    assert store.verify().intact


def test_signoff_needs_a_name_finished_turns_and_a_real_conversation(store: Store) -> None:
    with pytest.raises(VeritraceError, match="printed name"):
        store.sign_off(1, Meaning.APPROVED, "  ", "x", TEST_KEY)
    with pytest.raises(NotFoundError):
        store.sign_off(99, Meaning.APPROVED, "N", "x", TEST_KEY)
    with pytest.raises(NotFoundError):
        store.annotate(99, Flag.OK, "x", "N")
    running = start_turn(store, 1)
    with pytest.raises(VeritraceError, match="still running"):
        store.sign_off(1, Meaning.APPROVED, "N", "x", TEST_KEY)
    store.finish_turn(running.id, TurnStatus.COMPLETED)
    store.sign_off(1, Meaning.APPROVED, "N", "x", TEST_KEY)
