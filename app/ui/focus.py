"""Keyboard focus goes back to the prompt when the window gets it back from one of its dialogs.

Without this, Qt gives the focus back to whatever had it when a dialog opened: most often the
button that opened it, so the next typed space opens the dialog again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QWidget


class PromptFocus(QObject):
    """Watches which window has the focus; when ``window`` gets it back from a window of its own
    (a dialog, a file dialog, a message box, the sessions window…), the ``prompt`` gets the focus.

    The focus coming back from another application is left where it was.
    """

    def __init__(self, window: QWidget, prompt: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._prompt = prompt
        self._from_own_dialog = False  # the last window of this app that had the focus
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.focusWindowChanged.connect(self._on_focus_window_changed)

    def give_back(self) -> None:
        """Put the focus in the prompt, if it can take it (a hidden or disabled one cannot)."""
        prompt = self._prompt
        if prompt.isVisible() and prompt.isEnabled():
            prompt.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_focus_window_changed(self, focused: QWindow | None) -> None:
        if focused is None or focused.type() in _PASSING:
            return  # between windows, another application, a menu: what had it last still counts
        main = self._window.windowHandle()
        if focused is main:
            if self._from_own_dialog:
                # After Qt has put the focus back where it was when the dialog opened.
                QTimer.singleShot(0, self.give_back)
            self._from_own_dialog = False
            return
        self._from_own_dialog = _opened_from(focused, main)


# Windows that come and go over another without being somewhere the keyboard returns from.
_PASSING = (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)


def _opened_from(window: QWindow, main: QWindow | None) -> bool:
    """Whether ``window`` was opened from ``main`` (directly or through another of its dialogs)."""
    if main is None:
        return False
    parent = window.transientParent()
    seen = 0
    while parent is not None and seen < 32:
        if parent is main:
            return True
        parent = parent.transientParent()
        seen += 1
    return False
