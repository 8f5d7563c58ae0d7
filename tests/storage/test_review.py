"""Annotations and sign-offs: recorded, chained, and a signed conversation is locked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core.errors import LockedError, NotFoundError, VeritraceError
from app.core.types import Flag, Meaning, TurnStatus
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.ledger import start_turn
from tests.fixtures.signers import person, store_sign


@pytest.fixture
def store(filled_store: Store) -> Store:
    return filled_store


def test_annotations_and_signoff_are_recorded_and_verified(store: Store) -> None:
    note = store.annotate(1, Flag.CONCERN, "Ignores the gross-negligence carve-out.", "Dr. A. Reviewer")
    store.annotate(1, Flag.OK, "Carve-out discussed in turn 2; resolved.", "Dr. A. Reviewer")
    identity, key = person(store, "Dr. A. Reviewer", "Senior counsel")
    signed = store_sign(store, 1, identity, key, Meaning.APPROVED, "Reasoning complete and sound.")
    conversation = store.conversation(1)
    assert conversation.locked and conversation.signoffs == (signed,)
    assert signed.ledger_head != "0" * 64 and signed.meaning == Meaning.APPROVED
    assert signed.personal and signed.fingerprint == identity.fingerprint and signed.role == "Senior counsel"
    assert signed.content_sha256 == store.conversation_content(1)[1]
    turn = conversation.turns[0]
    assert [(a.flag, a.author) for a in turn.annotations] == [
        (Flag.CONCERN, "Dr. A. Reviewer"),
        (Flag.OK, "Dr. A. Reviewer"),
    ]
    assert turn.annotations[0] == note
    data = conversation.to_json()
    assert data["locked"] is True and data["signoffs"][0]["printed_name"] == "Dr. A. Reviewer"
    assert (
        data["signoffs"][0]["public_key"] == key.public_hex and len(data["signoffs"][0]["signature"]) == 128
    )
    assert data["turns"][0]["annotations"][0]["flag"] == "concern"
    assert store.verify().intact


def test_a_signed_conversation_is_locked(store: Store) -> None:
    viewer, viewer_key = person(store, "R. Viewer", "Reviewer")
    store_sign(store, 1, viewer, viewer_key, Meaning.REVIEWED, "Checked.")
    with pytest.raises(LockedError, match=r"signed off \(reviewed by R\. Viewer"):
        store.annotate(1, Flag.ERROR, "too late", "X")
    with pytest.raises(LockedError, match="Continue the discussion in a new, linked conversation"):
        start_turn(store, 1)
    later = store.continue_conversation(1, "alice")
    continued = store.conversation(later)
    assert continued.continues == 1 and continued.title == "Continued: Review" and not continued.locked
    start_turn(store, later)
    # signatures add, they change nothing: another person signs the same content
    prover, prover_key = person(store, "A. Prover", "Approver")
    store_sign(store, 1, prover, prover_key, Meaning.APPROVED, "Second signature")
    assert [signoff.printed_name for signoff in store.conversation(1).signoffs] == ["R. Viewer", "A. Prover"]
    assert store.verify().intact


def test_signoff_needs_a_reason_finished_turns_and_a_real_conversation(store: Store) -> None:
    identity, key = person(store)
    heads = store.head()
    with pytest.raises(VeritraceError, match="needs a reason"):
        store_sign(store, 1, identity, key, Meaning.APPROVED, "  ")
    with pytest.raises(NotFoundError):
        store_sign(store, 99, identity, key)
    with pytest.raises(NotFoundError):
        store.annotate(99, Flag.OK, "x", "N")
    running = start_turn(store, 1)
    with pytest.raises(VeritraceError, match="still running"):
        store_sign(store, 1, identity, key)
    assert store.head()[0] == heads[0] + 1, "only the running turn was recorded"
    store.finish_turn(running.id, TurnStatus.COMPLETED)
    store_sign(store, 1, identity, key)
    assert store.verify().intact


def test_a_signoff_is_refused_for_content_it_was_not_shown(store: Store) -> None:
    identity, key = person(store)
    _, shown = store.conversation_content(1)
    store.annotate(1, Flag.CONCERN, "A later note changes what is signed.", "Dr. R")
    before = store.head()
    with pytest.raises(VeritraceError, match="changed after its summary was shown; review the summary again"):
        store.sign_off(
            1,
            identity_id=identity.id,
            signer=key,
            meaning=Meaning.APPROVED,
            statement="I approve.",
            reason="ok",
            content_sha256=shown,
            key=TEST_KEY,
        )
    assert store.head() == before and not store.conversation(1).locked


def test_a_signoff_needs_the_identitys_own_key_and_an_identity_that_still_signs(store: Store) -> None:
    identity, key = person(store)
    other, other_key = person(store, "Other Person", "Clerk")
    before = store.head()
    with pytest.raises(VeritraceError, match=f"is not the key of identity {identity.fingerprint}"):
        store_sign(store, 1, identity, other_key)
    with pytest.raises(NotFoundError, match="No identity with id 99"):
        store_sign(store, 1, replace(identity, id=99), key)
    assert store.head() == before
    store.revoke_identity(other.id, "Left the firm.", TEST_KEY)
    with pytest.raises(VeritraceError, match=r"was revoked at .* and can no longer sign"):
        store_sign(store, 1, other, other_key)
    store_sign(store, 1, identity, key)
    with pytest.raises(VeritraceError, match="has already signed conversation 1"):
        store_sign(store, 1, identity, key, Meaning.REVIEWED, "Once more.")
    assert len(store.conversation(1).signoffs) == 1 and store.verify().intact
