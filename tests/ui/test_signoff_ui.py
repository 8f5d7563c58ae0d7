"""Signing off in the window as a deliberate, personal act: the real window over a real record file,
the real services (identities, summary, signing attempt), driven as a signer drives them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.core import states
from app.core.types import Flag, Identity, Meaning, Turn
from app.runtime.fake_backend import FakeBackend
from app.services import signoff as signoff_service
from app.services.config import AppConfig, load_config
from app.storage.repository import Store
from app.ui.controller import LOCKED_HINT
from app.ui.conversation_view import NOT_WHOLE_MARK
from app.ui.identity_dialogs import CreateIdentityDialog, IdentitiesDialog
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from app.ui.signoff_dialog import SignOffDialog
from tests.fixtures.old_records import fill_old_record, make_old_record, steps_through
from tests.fixtures.window import send

PASSPHRASE = "correct horse battery"
NAME = "Dr. Ada Reviewer"
ROLE = "Senior contracts counsel"
REASON = "Checked against the signed master agreement."


def ask(qtbot: QtBot, window: MainWindow, backend: FakeBackend, prompt: str, chunks: list[str]) -> Turn:
    backend.enqueue(chunks)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, prompt)
    turn: Turn = finished.args[0]
    return turn


def flagged_and_cut_short(qtbot: QtBot, window: MainWindow, backend: FakeBackend) -> tuple[Turn, Turn]:
    """A conversation of two turns: the first whole and flagged as a concern, the second stopped at
    the token limit."""
    first = ask(qtbot, window, backend, "Does clause 7.2 cap liability?", ["[THINK]read 7.2[/THINK]", "Yes."])
    window.controller.annotate(first.id, Flag.CONCERN, "The carve-out in 7.4 is not discussed.")
    settings = window.controller.settings()
    window.controller.apply_settings(replace(settings, params=replace(settings.params, max_tokens=3)))
    second = ask(
        qtbot,
        window,
        backend,
        "And under clause 9?",
        ["[THINK]Clause 9", " lists", " indemnities", "[/THINK]No."],
    )
    return first, second


def open_signoff(qtbot: QtBot, window: MainWindow) -> SignOffDialog:
    """Review ▸ Sign off this conversation…, its summary read."""
    dialog = window.open_sign_off()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.problem.isVisibleTo(dialog), timeout=5000)
    return dialog


def create_in_dialog(qtbot: QtBot, create: CreateIdentityDialog) -> Identity:
    create.name.setText(NAME)
    create.role.setText(ROLE)
    create.passphrase.setText(PASSPHRASE)
    create.repeat.setText(PASSPHRASE)
    assert create.create_button.isEnabled()
    with qtbot.waitSignal(create.created, timeout=10_000) as made:
        qtbot.mouseClick(create.create_button, Qt.MouseButton.LeftButton)
    identity: Identity = made.args[0]
    return identity


def fill(dialog: SignOffDialog, meaning: Meaning = Meaning.APPROVED, passphrase: str = PASSPHRASE) -> None:
    dialog.choose_meaning(meaning)
    dialog.reason.setPlainText(REASON)
    dialog.acknowledge.setChecked(True)
    dialog.passphrase.setText(passphrase)


def refused_events(store: Store) -> int:
    with store.engine.connect() as connection:
        return len(list(connection.exec_driver_sql("SELECT id FROM events WHERE kind = 'signoff.refused'")))


def test_signing_through_the_window_from_a_new_identity_to_the_banner(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.controller.set_display_name(NAME)
    concern, cut = flagged_and_cut_short(qtbot, window, backend)
    conversation_id = concern.conversation_id
    limit = states.turn_state(store.turn(cut.id))
    assert limit.state is states.State.TOKEN_LIMIT, "the scripted turn really stopped at the token limit"

    dialog = open_signoff(qtbot, window)
    # No identity yet: nothing to choose, one way to make one, and Sign says why it waits.
    assert dialog.identity.count() == 0 and not dialog.identity.isVisibleTo(dialog)
    assert dialog.create_identity_button.text() == "Create a signing identity…"
    assert not dialog.sign_button.isEnabled() and "identity" in dialog.hint.text()

    # The summary: every turn with its state's words, the concern, the token limit called out
    # among the warnings, the model by its full SHA-256, the content's digest.
    summary = dialog.summary_view.toPlainText()
    assert f"Turn 1 · {states.turn_state(store.turn(concern.id)).words}" in summary
    assert f"Turn 2 · {NOT_WHOLE_MARK} {limit.words}" in summary
    assert "CONCERN The carve-out in 7.4 is not discussed." in summary
    assert dialog.summary is not None and dialog.summary.warnings
    warnings = summary[summary.index("Read these before you sign") : summary.index("Turns (2)")]
    assert any("Turn 2" in line and "token limit" in line for line in dialog.summary.warnings)
    for line in dialog.summary.warnings:
        assert line in " ".join(warnings.split()), line
    sha256 = store.turn(concern.id).model.sha256
    assert len(sha256) == 64 and sha256 in summary
    assert dialog.summary.content_sha256 in summary

    # A new identity, made from the dialog: too short a passphrase, or one typed differently, is
    # refused before anything is made.
    qtbot.mouseClick(dialog.create_identity_button, Qt.MouseButton.LeftButton)
    create = dialog.identity_dialog
    assert create is not None and create.isVisible()
    assert create.name.text() == NAME, "the reviewer's name is offered"
    create.role.setText(ROLE)
    create.passphrase.setText("short")
    create.repeat.setText("short")
    assert not create.create_button.isEnabled() and "8 characters" in create.hint.text()
    create.passphrase.setText(PASSPHRASE)
    assert not create.create_button.isEnabled() and "same passphrase" in create.hint.text()
    identity = create_in_dialog(qtbot, create)
    assert dialog.identity.count() == 1 and dialog.fingerprint() == identity.fingerprint

    # Sign waits for each part of the act, and says what is missing.
    assert not dialog.sign_button.isEnabled() and dialog.hint.text() == "Choose what your signature means."
    dialog.choose_meaning(Meaning.APPROVED)
    assert window.controller.session.meaning_statement(Meaning.APPROVED) in dialog.statement.text()
    dialog.reason.setPlainText("   \n\t ")
    assert not dialog.sign_button.isEnabled() and "reason" in dialog.hint.text()
    dialog.reason.setPlainText(REASON)
    assert not dialog.sign_button.isEnabled() and "read what you are signing" in dialog.hint.text()
    dialog.acknowledge.setChecked(True)
    assert not dialog.sign_button.isEnabled() and "passphrase" in dialog.hint.text()
    dialog.passphrase.setText("not the passphrase")
    assert dialog.sign_button.isEnabled()
    dialog.acknowledge.setChecked(False)
    assert not dialog.sign_button.isEnabled()
    dialog.acknowledge.setChecked(True)

    # Three wrong passphrases: the tries left are said, then signing is refused and the dialog closes.
    for left in (2, 1):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda left=left: f"{left} tr" in dialog.problem.text(), timeout=10_000)
        assert "Wrong passphrase" in dialog.problem.text() and dialog.passphrase.text() == ""
        assert dialog.reason.isReadOnly() and not dialog.acknowledge.isEnabled(), "fixed after the first try"
        dialog.passphrase.setText("still not it")
    refusals: list[str] = []
    dialog.refused.connect(refusals.append)
    with qtbot.waitSignal(dialog.finished, timeout=10_000) as closed:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert closed.args == [0], "closed, not accepted"
    assert len(refusals) == 1 and "refused" in refusals[0] and "refused" in window.status.currentMessage()
    assert store.conversation(conversation_id).signoffs == (), "nothing was signed"
    assert refused_events(store) == 1, "the refusal is recorded"
    window.composer.editor.setPlainText("Still open?")  # Send is off only for an empty draft
    assert window.composer.send_button.isEnabled() and not window.signatures.isVisibleTo(window)
    assert window.composer.attach_button.isEnabled(), "not signed: not locked"
    window.composer.clear()

    # Again at once, even with the right passphrase: the identity is locked for a while.
    dialog = open_signoff(qtbot, window)
    fill(dialog)
    refusals.clear()
    dialog.refused.connect(refusals.append)
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert len(refusals) == 1 and "is locked until" in refusals[0], refusals
    assert store.conversation(conversation_id).signoffs == () and refused_events(store) == 1

    # After the lockout, with the right passphrase: signed, locked, and the signature shown above it.
    later = signoff_service._now() + signoff_service.LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr(signoff_service, "_now", lambda: later)
    dialog = open_signoff(qtbot, window)
    assert dialog.fingerprint() == identity.fingerprint
    fill(dialog)
    with qtbot.waitSignal(window.controller.signed_off, timeout=10_000) as signed_off:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    signed = signed_off.args[0]
    assert signed.personal and signed.fingerprint == identity.fingerprint
    banner = window.signatures.text.toPlainText()
    assert window.signatures.isVisibleTo(window)
    for shown in (
        NAME,
        ROLE,
        "APPROVED",
        window.controller.session.meaning_statement(Meaning.APPROVED),
        REASON,
        identity.fingerprint,
        signed.signed_at[:19].replace("T", " ") + " UTC",
        signed.signed_at_local[:19].replace("T", " "),
    ):
        assert shown in banner, shown
    assert "locked" in banner
    flags = window.signatures.text.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert window.signatures.text.accessibleName() == "Signatures"
    assert not window.composer.send_button.isEnabled() and window.composer.hint.text() == LOCKED_HINT
    assert f'href="annotate:{concern.id}"' not in window.view.toHtml(), "nothing left to annotate"
    assert store.conversation(conversation_id).locked and store.verify().intact

    # Opened again from the list, the signed conversation shows its signature; a new one does not.
    window.controller.new_conversation()
    assert not window.signatures.isVisibleTo(window)
    window.conversations.select(conversation_id)
    assert window.signatures.isVisibleTo(window) and window.signatures.text.toPlainText() == banner


def test_the_same_identity_cannot_sign_twice_and_says_so_in_one_line(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    turn = ask(qtbot, window, backend, "Is clause 4 enforceable?", ["[THINK]t[/THINK]Yes."])
    window.controller.session.create_identity(NAME, ROLE, PASSPHRASE)
    dialog = open_signoff(qtbot, window)
    fill(dialog)
    with qtbot.waitSignal(window.controller.signed_off, timeout=10_000):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)

    again = open_signoff(qtbot, window)
    assert again.summary is not None, "a signed conversation can be signed by others"
    fill(again, Meaning.REVIEWED)
    qtbot.mouseClick(again.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.problem.isVisibleTo(again), timeout=10_000)
    assert "already signed" in again.problem.text() and "\n" not in again.problem.text()
    assert not again.sign_button.isEnabled()
    assert again.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Close"
    assert len(store.conversation(turn.conversation_id).signoffs) == 1


def test_a_revoked_identity_is_not_offered_and_cannot_sign(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    turn = ask(qtbot, window, backend, "Is clause 4 enforceable?", ["[THINK]t[/THINK]Yes."])
    session = window.controller.session
    leaving = session.create_identity("Bob Leaving", "Reviewer", PASSPHRASE)

    # Review ▸ Signing identities…: made there, and revoked there with a reason.
    identities = window.open_identities()
    assert isinstance(identities, IdentitiesDialog)
    assert [one.fingerprint for one in identities.shown] == [leaving.fingerprint]
    qtbot.mouseClick(identities.create_button, Qt.MouseButton.LeftButton)
    assert identities.create_dialog is not None
    staying = create_in_dialog(qtbot, identities.create_dialog)
    assert [one.fingerprint for one in identities.shown] == [leaving.fingerprint, staying.fingerprint]
    assert identities.table.item(1, 0).text() == NAME and identities.table.item(1, 1).text() == ROLE
    assert identities.table.item(1, 4).text() == "Can sign"
    identities.table.selectRow(0)
    qtbot.mouseClick(identities.revoke_button, Qt.MouseButton.LeftButton)
    revoke = identities.revoke_dialog
    assert revoke is not None and not revoke.revoke_button.isEnabled(), "no revocation without a reason"
    revoke.reason.setText("Left the team.")
    qtbot.mouseClick(revoke.revoke_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: identities.shown[0].revoked, timeout=5000)
    status = identities.table.item(0, 4).text()
    assert status.startswith("Revoked") and "Left the team." in status
    assert identities.table.item(0, 2).text() == leaving.fingerprint
    assert not identities.revoke_button.isEnabled(), "a revoked identity cannot be revoked again"

    # Not offered; and an identity revoked while the dialog is open cannot sign.
    dialog = open_signoff(qtbot, window)
    offered = [dialog.identity.itemData(row) for row in range(dialog.identity.count())]
    assert offered == [staying.fingerprint]
    fill(dialog)
    session.revoke_identity(staying.fingerprint, "Passphrase may be known to others.")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.problem.isVisibleTo(dialog), timeout=10_000)
    assert "revoked" in dialog.problem.text() and "\n" not in dialog.problem.text()
    assert store.conversation(turn.conversation_id).signoffs == ()

    # With every identity revoked, the dialog offers only to make a new one.
    dialog = open_signoff(qtbot, window)
    assert (
        dialog.identity.count() == 0 and dialog.create_identity_button.text() == "Create a signing identity…"
    )


def test_a_conversation_changed_after_its_summary_is_not_signed(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    turn = ask(qtbot, window, backend, "Is clause 4 enforceable?", ["[THINK]t[/THINK]Yes."])
    window.controller.session.create_identity(NAME, ROLE, PASSPHRASE)
    dialog = open_signoff(qtbot, window)
    fill(dialog)
    window.controller.annotate(turn.id, Flag.ERROR, "Clause 4 was repealed.")  # after the summary was read
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.problem.isVisibleTo(dialog), timeout=10_000)
    assert "changed after its summary" in dialog.problem.text()
    assert store.conversation(turn.conversation_id).signoffs == ()

    # Opened again, the summary shows the new flag as a warning.
    dialog = open_signoff(qtbot, window)
    assert "ERROR Clause 4 was repealed." in dialog.summary_view.toPlainText()
    assert any("an error" in line for line in dialog.summary.warnings)  # type: ignore[union-attr]


def test_a_conversation_with_a_running_turn_cannot_be_signed(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    ask(qtbot, window, backend, "Is clause 4 enforceable?", ["[THINK]t[/THINK]Yes."])
    window.controller.session.create_identity(NAME, ROLE, PASSPHRASE)
    script = backend.enqueue(["[THINK]more", " thought[/THINK]", "No."], hold_after=1)
    send(qtbot, window, "And clause 5?")
    qtbot.waitUntil(lambda: window.controller.live is not None, timeout=5000)
    dialog = open_signoff(qtbot, window)
    assert "still running" in dialog.problem.text()
    fill(dialog)
    assert not dialog.sign_button.isEnabled()
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    assert store.conversation(window.controller.conversation_id).signoffs == ()  # type: ignore[arg-type]


def test_an_older_typed_name_sign_off_is_shown_as_such(
    qtbot: QtBot, tmp_path: Path, backend: FakeBackend, model_file: Path
) -> None:
    path = tmp_path / "old.db"
    make_old_record(path, steps_through("0011_turn_tokens"))
    fill_old_record(path)
    old = Store(path)  # brought up to date; its sign-off stays as it was made
    try:
        window = MainWindow(old, backend, AppConfig(model_path=str(model_file)), modal_errors=False)
        qtbot.addWidget(window)
        window.controller.refresh_conversations()
        window.conversations.select(1)
        banner = window.signatures.text.toPlainText()
        assert window.signatures.isVisibleTo(window)
        assert "APPROVED" in banner and "typed name Bob Reviewer" in banner
        assert "not with a personal key" in banner and "Checked against the contract" in banner
        assert "Key fingerprint" not in banner, "no personal key to name"
        window.controller.shutdown()
    finally:
        old.close()


def test_statements_edited_in_settings_are_what_signers_read_and_sign(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    ask(qtbot, window, backend, "Is clause 4 enforceable?", ["[THINK]t[/THINK]Yes."])
    window.controller.session.create_identity(NAME, ROLE, PASSPHRASE)
    ours = "I approve these answers under SOP-12, section 4."
    edited: list[SettingsDialog] = []

    def edit_and_accept() -> None:
        settings = QApplication.activeModalWidget()
        assert isinstance(settings, SettingsDialog)
        edited.append(settings)
        shown = settings.statement_fields[Meaning.APPROVED].text()
        assert shown == window.controller.session.meaning_statement(Meaning.APPROVED)
        first, rest = ours.split(" under ")
        settings.statement_fields[Meaning.APPROVED].setText(f"  {first}\n   under  {rest} ")
        settings.accept()

    QTimer.singleShot(0, edit_and_accept)
    window._on_settings_triggered()
    assert edited, "the settings dialog was shown"
    assert window.controller.session.meaning_statement(Meaning.APPROVED) == ours, "one line, one space"
    assert load_config().statement(Meaning.APPROVED) == ours, "saved with the settings"

    dialog = open_signoff(qtbot, window)
    fill(dialog)
    assert ours in dialog.statement.text()
    with qtbot.waitSignal(window.controller.signed_off, timeout=10_000) as signed:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert signed.args[0].statement == ours
    assert ours in window.signatures.text.toPlainText()


def test_the_signoff_dialog_is_usable_on_a_screen_of_800_by_600(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    flagged_and_cut_short(qtbot, window, backend)
    dialog = open_signoff(qtbot, window)
    room = QSize(800, 600 - 40)  # a title bar and a task bar take the rest
    hint = dialog.minimumSizeHint()
    assert hint.width() <= room.width() and hint.height() <= room.height()
    assert dialog.width() <= room.width() and dialog.height() <= room.height(), "it opens within the screen"
    dialog.resize(hint)
    qtbot.waitUntil(lambda: dialog.size() == hint, timeout=2000)
    for part in (
        dialog.sign_button,
        dialog.passphrase,
        dialog.acknowledge,
        dialog.reason,
        dialog.summary_view,
    ):
        assert part.isVisibleTo(dialog) and part.height() > 0
    assert dialog.summary_view.verticalScrollBar().maximum() > 0, "the summary scrolls"


def test_record_text_in_the_summary_and_the_banner_is_shown_as_text_never_as_markup(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    hostile = '<a href="file:///etc/passwd">click</a> <img src="x"> \u202eright-to-left'
    turn = ask(qtbot, window, backend, f"Prompt {hostile}", ["[THINK]t[/THINK]Yes."])
    window.controller.annotate(turn.id, Flag.CONCERN, f"Note {hostile}")

    # A name that would hide or reorder text is refused when the identity is made, in one line.
    window.controller.session.create_identity(NAME, ROLE, PASSPHRASE)
    dialog = open_signoff(qtbot, window)
    qtbot.mouseClick(dialog.create_identity_button, Qt.MouseButton.LeftButton)
    create = dialog.identity_dialog
    assert create is not None and create.isVisible()
    create.name.setText("Eve\u202eliveL")
    create.role.setText(ROLE)
    create.passphrase.setText(PASSPHRASE)
    create.repeat.setText(PASSPHRASE)
    qtbot.mouseClick(create.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: create.problem.isVisibleTo(create), timeout=10_000)
    assert "control character" in create.problem.text() and "\n" not in create.problem.text()
    assert [one.name for one in store.identities()] == [NAME], "nothing was made"
    create.reject()

    summary = dialog.summary_view
    assert '<a href="file:///etc/passwd">click</a> <img src="x">' in summary.toPlainText()
    assert "\\u202e" in summary.toPlainText() and "\u202e" not in summary.toPlainText()
    assert 'href="file:' not in summary.toHtml() and "<img" not in summary.toHtml()

    dialog.choose_meaning(Meaning.REJECTED)
    dialog.reason.setPlainText(f"Reason {hostile}")
    dialog.acknowledge.setChecked(True)
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(window.controller.signed_off, timeout=10_000):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    banner = window.signatures.text
    assert '<a href="file:///etc/passwd">click</a> <img src="x">' in banner.toPlainText()
    assert "\\u202e" in banner.toPlainText() and "\u202e" not in banner.toPlainText()
    assert 'href="file:' not in banner.toHtml() and "<img" not in banner.toHtml()
