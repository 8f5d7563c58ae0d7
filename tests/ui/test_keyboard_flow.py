"""The whole review flow from the keyboard alone: key events to whatever has the focus, nothing
clicked and no method of the window called. Send, stop, read the reasoning, annotate, sign off,
search and export, in the real window over a real record, the model scripted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPlainTextEdit, QTextBrowser, QWidget
from pytestqt.qtbot import QtBot

from app.core.types import Flag, Meaning, Turn, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from app.ui.review_dialogs import AnnotateDialog
from app.ui.signoff_dialog import SignOffDialog
from tests.fixtures.accessibility import press_tab_until

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
REASONING = "Clause 7 names both parties and sets no end date, so it binds them both."
ANSWER = "Yes: clause 7 binds both parties."


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key, to whatever has the focus (as a keyboard sends it)."""
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def reasoning_text(window: MainWindow) -> QPlainTextEdit:
    text = window.reasoning.findChild(QPlainTextEdit, "reasoningText")
    assert text is not None
    return text


def shown(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def back_to(qtbot: QtBot, window: QWidget) -> None:
    """What a window manager does when a dialog closes: the window under it is active again (the
    offscreen platform has no window manager to do it)."""
    if QApplication.activeWindow() is not window:
        window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)


def ask(qtbot: QtBot, window: MainWindow, backend: FakeBackend, prompt: str) -> Turn:
    """Ctrl+L, the prompt typed, Ctrl+Enter: a finished turn."""
    backend.enqueue([f"[THINK]{REASONING}[/THINK]", ANSWER])
    press(qtbot, Qt.Key.Key_L, CTRL)
    assert focused() is window.composer.editor, "Ctrl+L puts the keyboard in the prompt"
    type_text(qtbot, prompt)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        press(qtbot, Qt.Key.Key_Return, CTRL)
    turn: Turn = finished.args[0]
    return turn


def focused_link(view: QTextBrowser) -> str:
    """The address of the link the keyboard is on in ``view`` ("" if none)."""
    cursor = view.textCursor()
    if not cursor.hasSelection():
        return ""
    inside = QTextCursor(view.document())
    inside.setPosition(cursor.selectionStart() + 1)
    return inside.charFormat().anchorHref()


def tab_to_link(qtbot: QtBot, view: QTextBrowser, href: str, limit: int = 40) -> None:
    """Tab through ``view``'s links until the keyboard is on ``href``."""
    for _ in range(limit):
        if focused() is view and focused_link(view) == href:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"the link {href} is not reached with Tab")


def when_modal(qtbot: QtBot, drive: Callable[[QDialog], None]) -> list[str]:
    """Drive the next modal dialog from the keyboard once it is up; whatever goes wrong closes it
    (so the test fails instead of waiting on it) and is returned."""
    problems: list[str] = []

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if not isinstance(dialog, QDialog) or focus is None or focus.window() is not dialog:
            QTimer.singleShot(10, attempt)  # not up yet, or the keyboard not in it yet
            return
        try:
            drive(dialog)
        except BaseException as error:  # reported by the test, not lost in Qt
            problems.append(repr(error))
            dialog.reject()

    QTimer.singleShot(0, attempt)
    return problems


def test_send_stop_and_read_the_reasoning(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    shown(qtbot, window)
    # Send: Ctrl+L, type, Ctrl+Enter; the model holds after its first words: the turn runs.
    backend.enqueue(["[THINK]Clause 7", " names both", " parties", "[/THINK]", "never shown"], hold_after=2)
    press(qtbot, Qt.Key.Key_L, CTRL)
    type_text(qtbot, "Does clause 7 bind both parties?")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.reasoning.text() == "Clause 7 names both", timeout=5000)
    assert window.composer.stop_button.isEnabled()

    # Over to the live reasoning (Ctrl+3), and stop from there: Ctrl+. (Run ▸ Stop generation).
    press(qtbot, Qt.Key.Key_3, CTRL)
    live = reasoning_text(window)
    assert focused() is live and live.toPlainText() == "Clause 7 names both"
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        press(qtbot, Qt.Key.Key_Period, CTRL)
    stopped: Turn = finished.args[0]
    assert stopped.status is TurnStatus.CANCELLED
    assert "never shown" not in window.view.toPlainText()

    # A whole turn, then the reasoning read from the keyboard: Ctrl+3 reaches it, Tab does too.
    turn = ask(qtbot, window, backend, "And clause 8?")
    assert turn.reasoning == REASONING
    press(qtbot, Qt.Key.Key_3, CTRL)
    reasoning = reasoning_text(window)
    assert focused() is reasoning, "Ctrl+3 puts the keyboard in the reasoning"
    press(qtbot, Qt.Key.Key_L, CTRL)
    press_tab_until(qtbot, reasoning)
    press(qtbot, Qt.Key.Key_Home, CTRL)
    for _ in range(len("Clause 7")):
        press(qtbot, Qt.Key.Key_Right, SHIFT)
    assert reasoning.textCursor().selectedText() == "Clause 7"
    press(qtbot, Qt.Key.Key_End, CTRL | SHIFT)
    assert reasoning.textCursor().selectedText() == REASONING
    press(qtbot, Qt.Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == REASONING
    press(qtbot, Qt.Key.Key_Delete)
    type_text(qtbot, "x")
    assert reasoning.toPlainText() == REASONING, "read-only: the keys changed nothing"

    # An earlier turn's reasoning, chosen from the conversation with Tab and Enter.
    view = window.view
    press(qtbot, Qt.Key.Key_2, CTRL)
    assert focused() is view
    tab_to_link(qtbot, view, f"turn:{stopped.id}")
    press(qtbot, Qt.Key.Key_Return)
    assert window.reasoning.turn_id == stopped.id and window.reasoning.text() == "Clause 7 names both"


def test_annotate_a_turn(qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store) -> None:
    shown(qtbot, window)
    turn = ask(qtbot, window, backend, "Does clause 7 bind both parties?")
    press(qtbot, Qt.Key.Key_2, CTRL)
    tab_to_link(qtbot, window.view, f"annotate:{turn.id}")

    def annotate(dialog: QDialog) -> None:
        assert isinstance(dialog, AnnotateDialog)
        assert focused() is dialog.flag
        press(qtbot, Qt.Key.Key_Down)  # OK → Concern
        press_tab_until(qtbot, dialog.comment)
        type_text(qtbot, "The carve-out in 7.4 is not weighed.")
        press(qtbot, Qt.Key.Key_Tab)  # out of the comment, not a tab character in it
        add = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert focused() is add, "Tab goes from the comment to Add annotation"
        press(qtbot, Qt.Key.Key_Return)

    problems = when_modal(qtbot, annotate)
    press(qtbot, Qt.Key.Key_Return)  # opens the dialog; returns once it is closed
    assert problems == []
    notes = store.turn(turn.id).annotations
    assert [(note.flag, note.comment) for note in notes] == [
        (Flag.CONCERN, "The carve-out in 7.4 is not weighed.")
    ]
    back_to(qtbot, window)
    assert focused() is window.composer.editor, "back in the prompt after the dialog"

    # A new conversation (Ctrl+N), then back to the annotated one from the list (Ctrl+1, ↓, Enter).
    press(qtbot, Qt.Key.Key_N, CTRL)
    other = ask(qtbot, window, backend, "Who pays the notary?")
    assert other.conversation_id != turn.conversation_id
    press(qtbot, Qt.Key.Key_1, CTRL)
    assert focused() is window.conversations.list
    press(qtbot, Qt.Key.Key_Home)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert window.controller.conversation_id == turn.conversation_id
    assert "The carve-out in 7.4 is not weighed." in window.view.toPlainText()


# A menu opened from the keyboard grabs it; the offscreen platform cannot, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_sign_off_with_a_new_identity(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    shown(qtbot, window)
    turn = ask(qtbot, window, backend, "Does clause 7 bind both parties?")
    # Review ▸ Sign off this conversation…, through the menu's mnemonics: Alt+V, S.
    press(qtbot, Qt.Key.Key_V, ALT)
    menu = QApplication.activePopupWidget()
    assert menu is not None, "Alt+V opens the Review menu"
    qtbot.keyClick(menu, Qt.Key.Key_S)
    dialog = window.signoff_dialog
    assert isinstance(dialog, SignOffDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=5000)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)

    # No identity yet: make one from the dialog.
    press_tab_until(qtbot, dialog.create_identity_button)
    press(qtbot, Qt.Key.Key_Space)
    create = dialog.identity_dialog
    assert create is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is create, timeout=2000)
    press_tab_until(qtbot, create.name)
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, "Dana Reviewer")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Senior counsel")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "correct horse battery")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "correct horse battery")
    with qtbot.waitSignal(create.created, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    back_to(qtbot, dialog)
    assert dialog.fingerprint()

    # Meaning with the arrow keys, the reason, the box ticked, the passphrase, Enter.
    first = dialog.meanings.buttons()[0]
    press_tab_until(qtbot, first)
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Right)
    assert dialog.meaning() is Meaning.APPROVED
    press_tab_until(qtbot, dialog.reason)
    type_text(qtbot, "Checked against the master agreement.")
    press_tab_until(qtbot, dialog.acknowledge)
    press(qtbot, Qt.Key.Key_Space)
    press_tab_until(qtbot, dialog.passphrase)
    type_text(qtbot, "correct horse battery")
    with qtbot.waitSignal(window.controller.signed_off, timeout=10_000) as signed:
        press(qtbot, Qt.Key.Key_Return)
    signoff = signed.args[0]
    assert signoff.meaning is Meaning.APPROVED and signoff.reason == "Checked against the master agreement."
    assert store.conversation(turn.conversation_id).locked


def test_search_then_export(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store, tmp_path: Path
) -> None:
    shown(qtbot, window)
    turn = ask(qtbot, window, backend, "Does clause 7 bind both parties?")
    ask(qtbot, window, backend, "Who pays the notary?")

    # Ctrl+Shift+F: the Sessions window, the keyboard in its search box.
    press(qtbot, Qt.Key.Key_F, CTRL | SHIFT)
    browser = window.session_browser
    assert browser is not None and browser.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is browser, timeout=2000)
    assert focused() is browser.query
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        type_text(qtbot, "notary")
        press(qtbot, Qt.Key.Key_Return)
    assert browser.result_ids() == [turn.conversation_id]
    # The conversation found, from the table: Tab to it, the arrow keys, Enter.
    press_tab_until(qtbot, browser.table)
    press(qtbot, Qt.Key.Key_Down)
    with qtbot.waitSignal(browser.conversation_opened, timeout=5000) as opened:
        press(qtbot, Qt.Key.Key_Return)
    assert opened.args == [turn.conversation_id]
    # The match itself, from the list of matches: Tab leaves the table for it.
    press_tab_until(qtbot, browser.hits)
    press(qtbot, Qt.Key.Key_Down)
    with qtbot.waitSignal(browser.conversation_opened, timeout=5000) as opened:
        press(qtbot, Qt.Key.Key_Return)
    assert opened.args == [turn.conversation_id]
    assert browser.review.match_count == 1 and browser.review.current_match is not None
    assert browser.review.current_match.selectedText() == "notary"
    press(qtbot, Qt.Key.Key_Escape)
    assert not browser.isVisible()
    back_to(qtbot, window)

    # Ctrl+E: export the conversation as Markdown, its file name typed.
    press(qtbot, Qt.Key.Key_E, CTRL)
    dialog = next(child for child in window.findChildren(QDialog) if child.isVisible())
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    markdown = dialog.formats.button(1)  # type: ignore[attr-defined]
    press_tab_until(qtbot, dialog.formats.checkedButton())  # type: ignore[attr-defined]
    press(qtbot, Qt.Key.Key_Down)
    assert markdown.isChecked()
    destination = tmp_path / "out" / "review.md"
    destination.parent.mkdir()
    press_tab_until(qtbot, dialog.destination)  # type: ignore[attr-defined]
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, str(destination))
    with qtbot.waitSignal(dialog.exported, timeout=20_000):  # type: ignore[attr-defined]
        press(qtbot, Qt.Key.Key_Return)
    assert destination.is_file() and "notary" in destination.read_text(encoding="utf-8")
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def mnemonic(text: str) -> str:
    """The letter after the single '&' of a menu text ("" if none)."""
    marked = text.replace("&&", "")
    place = marked.find("&")
    return marked[place + 1].lower() if 0 <= place < len(marked) - 1 else ""


def test_every_menu_entry_is_reached_by_its_own_letter(window: MainWindow) -> None:
    """Alt and a letter open each menu; in it, each entry has a letter no other entry of it has
    (two entries sharing one would need the letter pressed twice and Enter)."""
    titles = [action.text() for action in window.menuBar().actions()]
    letters = [mnemonic(title) for title in titles]
    assert all(letters) and len(set(letters)) == len(letters), titles
    for action in window.menuBar().actions():
        menu = action.menu()
        assert menu is not None
        entries = [entry.text() for entry in menu.actions() if not entry.isSeparator()]
        keys = [mnemonic(text) for text in entries]
        assert all(keys), f"{action.text()}: entries without a letter: {entries}"
        assert len(set(keys)) == len(keys), f"{action.text()}: entries sharing a letter: {entries}"
