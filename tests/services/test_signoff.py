"""A personal, deliberate sign-off: the summary the signer is shown, then their own key, opened by
their passphrase, signs exactly that."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.clock import local_time
from app.core.errors import LockedError, NotFoundError, VeritraceError
from app.core.hashing import sha256_text
from app.core.signing import signature_valid
from app.core.signoff import signoff_message
from app.core.states import State
from app.core.types import ChatMessage, Flag, Meaning, ModelFile, PreparedPrompt, RunSettings, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.config import DEFAULT_STATEMENTS, AppConfig, load_config, save_config, with_statement
from app.services.identities import MAX_PASSPHRASE_TRIES, revoke_identity
from app.services.session import Session
from app.services.signing import WrongPassphraseError
from app.services.signoff import (
    REFUSED_EVENT,
    SigningAttempt,
    TooManyTries,
    meaning_statement,
    signoff_summary,
)
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.ledger import fill, start_turn
from tests.fixtures.signers import PASSPHRASE, signer

MODEL = ModelFile("/models/Magistral-Small-2509-Q4_K_M.gguf", 14_000, "4d" * 32)
PROJECTOR = ModelFile("/models/mmproj-Magistral-Small-2509-F16.gguf", 800, "5e" * 32)


def turn_in(store: Store, conversation: int | None, prompt: str, **ended: object) -> int:
    """A turn with the Magistral model and its projector, ended as ``ended`` says (or left running)."""
    text = f"<user>{prompt}<assistant>"
    prepared = PreparedPrompt((ChatMessage("user", prompt),), text, sha256_text(text), 5, "gguf", "t" * 64)
    turn = store.begin_turn(
        conversation,
        prompt,
        RunSettings(),
        prepared,
        MODEL,
        "llama-cpp-python 0.3.36",
        "0.1.0",
        "alice",
        title="Indemnity review",
        projector=PROJECTOR,
    )
    store.append_output(turn.id, 0, "[THINK]weigh[/THINK]Yes.", "weigh", "Yes.")
    if ended:
        status = ended.pop("status")
        store.finish_turn(turn.id, status, **ended)  # type: ignore[arg-type]
    return turn.conversation_id


@pytest.fixture
def record(store: Store) -> Store:
    fill(store, turns=2)  # conversation 1: two completed turns
    return store


def attempt(store: Store, conversation: int = 1, **given: object) -> SigningAttempt:
    fingerprint = given.pop("fingerprint", None) or signer(store).fingerprint
    return SigningAttempt(
        store,
        conversation,
        fingerprint=str(fingerprint),
        meaning=given.pop("meaning", Meaning.APPROVED),  # type: ignore[arg-type]
        reason=str(given.pop("reason", "Checked against the contract.")),
        acknowledged=given.pop("acknowledged", None) or signoff_summary(store, conversation),  # type: ignore[arg-type]
        key=TEST_KEY,
    )


# -- the summary -------------------------------------------------------------------------------------


def test_the_summary_names_every_way_a_turn_ended_every_flag_and_every_model(store: Store) -> None:
    conversation = turn_in(
        store, None, "Is clause 4 enforceable?", status=TurnStatus.COMPLETED, finish_reason="stop"
    )
    turn_in(store, conversation, "And clause 5?", status=TurnStatus.COMPLETED, finish_reason="length")
    turn_in(store, conversation, "Clause 6?", status=TurnStatus.CANCELLED, finish_reason="cancelled")
    turn_in(store, conversation, "Clause 7?", status=TurnStatus.CANCELLED, finish_reason="window_closed")
    turn_in(
        store,
        conversation,
        "Clause 8?",
        status=TurnStatus.FAILED,
        error="The model file changed while loading",
    )
    turn_in(store, conversation, "Clause 9?\nIn full, please.")
    assert store.mark_interrupted() == [6]
    first = store.conversation(conversation).turns[0]
    store.annotate(first.id, Flag.CONCERN, "Ignores the carve-out.", "Dr. R")
    store.annotate(first.id, Flag.OK, "Discussed; fine.", "Dr. R")
    store.annotate(first.id + 4, Flag.ERROR, "Wrong governing law.", "Dr. R")

    summary = signoff_summary(store, conversation)
    assert summary.conversation_id == conversation and summary.title == "Indemnity review"
    assert [turn.state.state for turn in summary.turns] == [
        State.COMPLETED,
        State.TOKEN_LIMIT,
        State.STOPPED,
        State.WINDOW_CLOSED,
        State.FAILED,
        State.INTERRUPTED,
    ]
    assert summary.turns[-1].prompt == "Clause 9?…" and summary.turns[0].prompt == "Is clause 4 enforceable?"
    turns = store.conversation(conversation).turns
    concern, error = turns[0].annotations[0], turns[4].annotations[0]
    assert summary.turns[0].flags == (concern,) and summary.turns[4].flags == (error,)
    assert summary.warnings == (
        f"Turn 1 is flagged as a concern by Dr. R ({concern.created_at}): Ignores the carve-out.",
        "Turn 2 stopped at the token limit: its answer may be incomplete.",
        "Turn 3 was stopped by the reviewer before it finished: its answer is incomplete.",
        "Turn 4 ended when the window was closed during generation: its answer is incomplete.",
        "Turn 5 failed: The model file changed while loading.",
        f"Turn 5 is flagged as an error by Dr. R ({error.created_at}): Wrong governing law.",
        "Turn 6 was interrupted (the app stopped before it finished): its answer is incomplete.",
    )
    assert summary.models == (
        ("Model Magistral-Small-2509-Q4_K_M.gguf", MODEL.sha256),
        ("Projector mmproj-Magistral-Small-2509-F16.gguf", PROJECTOR.sha256),
    )
    assert summary.content_sha256 == store.conversation_content(conversation)[1]
    lines = "\n".join(summary.lines())
    for shown in (
        *summary.warnings,
        MODEL.sha256,
        PROJECTOR.sha256,
        summary.content_sha256,
        "failed (The model",
    ):
        assert shown in lines
    assert "Before you sign, 7 warning(s):" in lines


def test_a_summary_of_whole_unflagged_turns_says_there_is_nothing_to_warn_of(record: Store) -> None:
    summary = signoff_summary(record, 1)
    assert summary.warnings == () and [turn.state.whole for turn in summary.turns] == [True, True]
    assert "No warnings: every turn completed and no turn is flagged." in summary.lines()


def test_no_summary_for_a_conversation_that_cannot_be_signed(record: Store) -> None:
    with pytest.raises(NotFoundError, match="No conversation with id 9"):
        signoff_summary(record, 9)
    empty = record.create_conversation("Nothing asked", "alice")
    with pytest.raises(VeritraceError, match=f"Conversation {empty} has no turns to sign off."):
        signoff_summary(record, empty)
    start_turn(record, 1)
    with pytest.raises(
        VeritraceError, match=r"Conversation 1 has a turn still running; sign off once it ends\."
    ):
        signoff_summary(record, 1)


def test_the_content_digest_covers_every_row_of_the_conversation_and_nothing_else(record: Store) -> None:
    rows, digest = record.conversation_content(1)
    tables = sorted({row.table for row in rows})
    assert tables == ["conversations", "turn_chunks", "turn_images", "turn_outcomes", "turns"]
    other = turn_in(record, None, "Unrelated matter", status=TurnStatus.COMPLETED, finish_reason="stop")
    assert record.conversation_content(1) == (rows, digest), "another conversation changes nothing"
    record.annotate(1, Flag.OK, "Fine.", "Dr. R")
    now_rows, now = record.conversation_content(1)
    assert now != digest and len(now_rows) == len(rows) + 1
    assert other != 1


# -- what a signature states -------------------------------------------------------------------------


def test_each_meaning_states_its_default_unless_the_settings_word_it(veritrace_home: Path) -> None:
    assert meaning_statement(Meaning.REVIEWED) == (
        "I have reviewed this conversation's prompts, reasoning and answers as recorded."
    )
    assert meaning_statement("approved") == (
        "I approve this conversation's answers for the purpose stated in the reason."
    )
    assert meaning_statement(Meaning.REJECTED) == (
        "I reject this conversation's answers; they must not be relied on."
    )
    save_config(with_statement(AppConfig(), Meaning.APPROVED, "  Approved under SOP-12.  "))
    assert meaning_statement(Meaning.APPROVED) == "Approved under SOP-12."
    assert load_config().to_dict()["signoff_statements"] == {"approved": "Approved under SOP-12."}
    assert meaning_statement(Meaning.REVIEWED) == DEFAULT_STATEMENTS[Meaning.REVIEWED]
    save_config(with_statement(load_config(), Meaning.APPROVED, " "))
    assert meaning_statement(Meaning.APPROVED) == DEFAULT_STATEMENTS[Meaning.APPROVED]


# -- signing ---------------------------------------------------------------------------------------


def test_the_right_passphrase_signs_what_was_shown_and_locks_it(record: Store) -> None:
    save_config(with_statement(AppConfig(), Meaning.APPROVED, "Approved under SOP-12."))
    trying = attempt(record)
    signed = trying.sign(PASSPHRASE)
    identity = signer(record)
    assert signed.personal and signed.printed_name == identity.name and signed.role == identity.role
    assert signed.fingerprint == identity.fingerprint and signed.public_key == identity.public_key
    assert signed.statement == "Approved under SOP-12." and signed.reason == "Checked against the contract."
    assert signed.content_sha256 == trying.acknowledged.content_sha256
    assert signed.signed_at.endswith("Z") and signed.signed_at_local == local_time(signed.signed_at)
    record_id = record.record_id()
    fields = {**signed.to_json(), "record_id": record_id, "conversation_id": 1, "meaning": "approved"}
    assert signature_valid(identity.public_key, signoff_message(fields), signed.signature)
    assert record.conversation(1).locked and record.conversation(1).signoffs == (signed,)
    with pytest.raises(LockedError):
        record.annotate(1, Flag.OK, "after", "x")
    assert record.verify().intact


def test_an_empty_reason_is_refused_before_any_passphrase_and_nothing_is_recorded(record: Store) -> None:
    signer(record)
    before = record.head()
    for reason in ("", "  \n\t "):
        with pytest.raises(VeritraceError, match="needs a reason"):
            attempt(record, reason=reason).sign(PASSPHRASE)
    assert record.head() == before and not record.conversation(1).locked


def test_three_wrong_passphrases_end_the_attempt_and_only_the_refusal_is_recorded(record: Store) -> None:
    identity = signer(record)
    trying = attempt(record)
    before = record.head()
    for left in range(MAX_PASSPHRASE_TRIES - 1, 0, -1):
        with pytest.raises(WrongPassphraseError) as wrong:
            trying.sign("not the passphrase")
        assert wrong.value.tries_left == left == trying.tries_left
        assert record.head() == before, "a wrong passphrase records nothing"
    with pytest.raises(TooManyTries, match=r"3 wrong passphrases for identity .* the refusal recorded"):
        trying.sign("still not it")
    with pytest.raises(TooManyTries):
        trying.sign(PASSPHRASE)  # the attempt is over, even with the right one
    assert record.head()[0] == before[0] + 1
    [(_, kind, detail)] = record.events_of([REFUSED_EVENT])
    assert kind == REFUSED_EVENT and detail == {
        "fingerprint": identity.fingerprint,
        "conversation_id": 1,
        "os_user": record.os_user,
        "reason": "three wrong passphrases",
        "at": detail["at"],
    }
    assert not record.conversation(1).locked and record.verify().intact


def test_three_wrong_passphrases_lock_the_identity_for_every_later_attempt_for_a_while(
    record: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the dialog again (a new attempt) or using the command line gives no fresh tries."""
    from datetime import timedelta

    from app.services import signoff

    trying = attempt(record)
    for _ in range(MAX_PASSPHRASE_TRIES):
        with pytest.raises((WrongPassphraseError, TooManyTries)):
            trying.sign("guess")
    before = record.head()
    for _ in range(5):
        with pytest.raises(TooManyTries, match=r"is locked until .*Z after 3 wrong passphrases"):
            attempt(record).sign(PASSPHRASE)  # even the right passphrase, in a new attempt
    assert record.head() == before and not record.conversation(1).locked, "a locked try records nothing"
    later = signoff._now() + signoff.LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr(signoff, "_now", lambda: later)
    assert attempt(record).sign(PASSPHRASE).personal, "after the lockout the owner signs again"
    assert record.verify().intact


def test_a_conversation_changed_after_its_summary_was_shown_is_not_signed(record: Store) -> None:
    trying = attempt(record)
    record.annotate(1, Flag.CONCERN, "A concern added after the summary was read.", "Eve")
    before = record.head()
    with pytest.raises(VeritraceError, match="changed after its summary was shown; review the summary again"):
        trying.sign(PASSPHRASE)
    assert record.head() == before and trying.tries_left == MAX_PASSPHRASE_TRIES


def test_a_summary_of_another_conversation_signs_nothing(record: Store) -> None:
    other = turn_in(record, None, "Other", status=TurnStatus.COMPLETED, finish_reason="stop")
    with pytest.raises(VeritraceError, match=f"The summary shown is of conversation {other}, not of 1"):
        attempt(record, acknowledged=signoff_summary(record, other)).sign(PASSPHRASE)


def test_a_revoked_unknown_or_repeated_signer_is_refused(record: Store) -> None:
    identity = signer(record)
    with pytest.raises(NotFoundError, match="No identity of this record has the fingerprint 'ffff'"):
        attempt(record, fingerprint="ffff").sign(PASSPHRASE)
    attempt(record).sign(PASSPHRASE)
    with pytest.raises(VeritraceError, match="has already signed conversation 1"):
        attempt(record, meaning=Meaning.REVIEWED).sign(PASSPHRASE)
    conversation = turn_in(record, None, "Second matter", status=TurnStatus.COMPLETED, finish_reason="stop")
    revoke_identity(record, identity.fingerprint, "Left the firm.", key=TEST_KEY)
    before = record.head()
    with pytest.raises(VeritraceError, match=r"was revoked at .* and can no longer sign"):
        attempt(record, conversation, fingerprint=identity.fingerprint).sign(PASSPHRASE)
    assert record.head() == before
    with pytest.raises(VeritraceError, match="'signed' is not a meaning of a signature"):
        attempt(record, conversation, meaning="signed")


# -- the session front ends call ---------------------------------------------------------------------


def test_the_session_lists_summarizes_and_signs(record: Store, model_file: Path) -> None:
    session = Session(record, FakeBackend(), AppConfig(), signer=TEST_KEY)
    made = session.create_identity("Dr. R", "Counsel", PASSPHRASE)
    assert session.identities() == [made]
    session.set_signoff_statements({Meaning.APPROVED: "Approved for filing.", Meaning.REJECTED: ""})
    assert session.meaning_statement(Meaning.APPROVED) == "Approved for filing."
    [(_, _, detail)] = record.events_of(["signoff.statements_changed"])
    assert (
        detail["approved"] == "Approved for filing."
        and detail["rejected"] == DEFAULT_STATEMENTS[Meaning.REJECTED]
    )
    summary = session.signoff_summary(1)
    trying = session.signing_attempt(
        1, fingerprint=made.fingerprint, meaning=Meaning.APPROVED, reason="Filed.", acknowledged=summary
    )
    with pytest.raises(WrongPassphraseError):
        session.sign_off(trying, "wrong passphrase")
    signed = session.sign_off(trying, PASSPHRASE)
    assert signed.statement == "Approved for filing." and signed.printed_name == "Dr. R"
    assert session.revoke_identity(made.fingerprint, "Left.").revoked
    session.close()
    assert record.verify().intact
