"""The keyboard goes back to the prompt after attaching, sending and closing any dialog.

Offscreen, nothing activates the window again when a dialog closes, as a window manager does:
``come_back`` does what the window manager would. Dialogs are real and really close.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.runtime.fake_backend import FakeBackend
from app.ui.main_window import MainWindow


def shown(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    return window


def come_back(qtbot: QtBot, window: MainWindow) -> None:
    """What a window manager does once a dialog closes: the window under it is active again."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=3000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def focus_on(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=3000)


class FileDialogs:
    """Stands in for ``QFileDialog.getOpenFileNames`` with a real (Qt, not native) file dialog,
    opened over the caller and closed by a timer: accepted with ``choose`` files, or cancelled."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.opened = 0
        self.choose: list[str] = []

    def __call__(self, parent: QWidget, caption: str = "", folder: str = "", filters: str = "", *_: object):
        self.opened += 1
        dialog = QFileDialog(parent, caption, folder, filters)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        chosen = list(self.choose)

        def close() -> None:
            try:
                self.qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
                if chosen:  # as if picked: the dialog closes accepted
                    dialog.done(QDialog.DialogCode.Accepted)
            finally:
                if dialog.isVisible():  # cancelled, or anything above failed: never left open
                    dialog.reject()

        QTimer.singleShot(0, close)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        files = chosen if accepted else []
        dialog.deleteLater()
        return files, filters


@pytest.fixture
def file_dialogs(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> FileDialogs:
    dialogs = FileDialogs(qtbot)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", dialogs)
    return dialogs


@pytest.mark.parametrize("accepted", [False, True], ids=["cancelled", "accepted"])
def test_after_attach_image_closes_a_typed_space_goes_into_the_prompt(
    qtbot: QtBot, window: MainWindow, file_dialogs: FileDialogs, tmp_path: Path, accepted: bool
) -> None:
    shown(qtbot, window)
    composer = window.composer
    if accepted:
        picture = tmp_path / "chart.png"
        image = QImage(8, 8, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.darkCyan)
        assert image.save(str(picture))
        file_dialogs.choose = [str(picture)]
    composer.editor.setPlainText("Look at")
    composer.editor.moveCursor(composer.editor.textCursor().MoveOperation.End)
    focus_on(qtbot, composer.attach_button)
    qtbot.keyClick(composer.attach_button, Qt.Key.Key_Space)  # opens the dialog, which closes
    come_back(qtbot, window)

    qtbot.waitUntil(composer.editor.hasFocus, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.keyClicks(QApplication.focusWidget(), "this")
    assert file_dialogs.opened == 1, "the space did not open the dialog again"
    assert composer.text() == "Look at this"
    assert [image.filename for image in composer.attachments.images()] == (["chart.png"] if accepted else [])


def test_after_send_the_keyboard_is_in_the_prompt(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    shown(qtbot, window)
    composer = window.composer
    composer.editor.setPlainText("First question")
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)  # a click focuses Send
    assert composer.editor.hasFocus()
    qtbot.keyClicks(QApplication.focusWidget(), "Second")
    assert composer.text() == "Second"


def _close_with(qtbot: QtBot, close: Callable[[QWidget], None]) -> None:
    """Close the dialog that is open (modal or not) once it has the keyboard."""

    def dialog() -> QWidget | None:
        active = QApplication.activeModalWidget() or QApplication.activeWindow()
        return active if isinstance(active, QDialog) else None

    def later() -> None:
        qtbot.waitUntil(lambda: dialog() is not None, timeout=3000)
        found = dialog()
        assert found is not None
        close(found)

    QTimer.singleShot(0, later)


def _reject(dialog: QWidget) -> None:
    assert isinstance(dialog, QDialog)
    dialog.reject()


def _accept(dialog: QWidget) -> None:
    assert isinstance(dialog, QDialog)
    dialog.accept()


def _close(dialog: QWidget) -> None:
    dialog.close()


def _open_settings(window: MainWindow) -> None:
    window._on_settings_triggered()


def _open_name(window: MainWindow) -> None:
    window._on_name_triggered()


def _open_annotate(window: MainWindow) -> None:
    window._on_view_annotate_requested(1)  # cancelled: nothing is recorded


def _open_models(window: MainWindow) -> None:
    window.open_models_dialog()


def _open_sessions(window: MainWindow) -> None:
    window.open_session_browser()


def _open_message(window: MainWindow) -> None:
    window.controller.conversation_id = None
    window._on_export_triggered()  # nothing to export: a message box says so


@pytest.mark.parametrize(
    ("open_dialog", "close"),
    [
        (_open_settings, _reject),
        (_open_name, _accept),
        (_open_annotate, _reject),
        (_open_models, _close),
        (_open_sessions, _close),
        (_open_message, _close),
    ],
    ids=[
        "settings-cancelled",
        "name-accepted",
        "annotate-cancelled",
        "models-closed",
        "sessions-closed",
        "message-box",
    ],
)
def test_closing_a_dialog_of_the_window_gives_the_keyboard_back_to_the_prompt(
    qtbot: QtBot,
    window: MainWindow,
    open_dialog: Callable[[MainWindow], None],
    close: Callable[[QWidget], None],
) -> None:
    shown(qtbot, window)
    focus_on(qtbot, window.conversations.list)  # where the menu was opened from
    _close_with(qtbot, close)
    open_dialog(window)
    qtbot.waitUntil(
        lambda: not any(dialog.isVisible() for dialog in window.findChildren(QDialog)), timeout=3000
    )
    come_back(qtbot, window)
    qtbot.waitUntil(window.composer.editor.hasFocus, timeout=3000)


def test_the_keyboard_back_from_another_application_stays_where_it_was(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Only the window's own dialogs hand the keyboard to the prompt: switching from another
    application (any window not opened from this one) leaves it where the reader put it."""
    shown(qtbot, window)
    focus_on(qtbot, window.conversations.list)
    elsewhere = QPushButton("another application")
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is elsewhere, timeout=3000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.wait(20)  # a focus change would be queued: let it run
    assert window.conversations.list.hasFocus()
    assert not window.composer.editor.hasFocus()


def test_a_dialog_closed_over_another_dialog_leaves_the_keyboard_in_that_dialog(
    qtbot: QtBot, window: MainWindow
) -> None:
    """A message box over the sessions window gives the keyboard back to the sessions window."""
    shown(qtbot, window)
    browser = window.open_session_browser()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is browser, timeout=3000)
    _close_with(qtbot, _close)
    QMessageBox.information(browser, "Sessions", "Over the sessions window")
    browser.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is browser, timeout=3000)
    qtbot.wait(20)
    assert not window.composer.editor.hasFocus()
    browser.close()
    come_back(qtbot, window)
    qtbot.waitUntil(window.composer.editor.hasFocus, timeout=3000)


@pytest.mark.qt_log_ignore("does not support grabbing", "does not support raise")  # offscreen popups
def test_a_menu_or_a_list_popup_leaves_the_keyboard_where_it_was(qtbot: QtBot, window: MainWindow) -> None:
    """Menus and drop-down lists come and go over the window: they are not dialogs."""
    shown(qtbot, window)
    focus_on(qtbot, window.conversations.list)
    menu = QMenu(window)
    menu.addAction("Nothing")
    QTimer.singleShot(0, lambda: qtbot.waitUntil(menu.isVisible, timeout=3000) or menu.close())
    menu.exec(window.mapToGlobal(QPoint(20, 20)))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.wait(20)  # a focus change would be queued: let it run
    assert window.conversations.list.hasFocus()
