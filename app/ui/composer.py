"""Where the user writes a prompt: Ctrl+Enter sends, Esc or Stop stops."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class Composer(QWidget):
    """A multi-line prompt editor with Send and Stop.

    Signals:
        submitted(str): the user sent a prompt (the editor keeps it until the turn starts).
        stop_requested(): the user asked to stop the running generation.
    """

    submitted = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Composer")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("promptEditor")
        self.editor.setPlaceholderText("Write a prompt…  (Ctrl+Enter to send)")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(70)
        self.hint = QLabel("")
        self.hint.setObjectName("composerHint")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.editor.installEventFilter(self)
        self._can_send = True
        self._busy = False

    def text(self) -> str:
        return self.editor.toPlainText()

    def clear(self) -> None:
        self.editor.clear()

    def set_busy(self, busy: bool, stopping: bool = False) -> None:
        """While a turn runs, Send is off and Stop is on (off again once stopping)."""
        self._busy = busy
        self.stop_button.setEnabled(busy and not stopping)
        self.stop_button.setText("Stopping…" if stopping else "Stop")
        self._refresh()

    def set_can_send(self, can_send: bool, hint: str = "") -> None:
        self._can_send = can_send
        self.hint.setText(hint)
        self._refresh()

    def _refresh(self) -> None:
        self.send_button.setEnabled(self._can_send and not self._busy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Keys are handled here rather than by QShortcut: shortcuts need an active window,
        # and the editor must own Ctrl+Enter before QPlainTextEdit inserts a newline.
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, modifiers = event.key(), event.modifiers()
            if (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and modifiers & Qt.KeyboardModifier.ControlModifier
            ):
                self._on_send_clicked()
                return True
            if key == Qt.Key.Key_Escape:
                self._on_escape()
                return True
        return super().eventFilter(watched, event)

    def _on_send_clicked(self) -> None:
        text = self.text()
        if text.strip() and self.send_button.isEnabled():
            self.submitted.emit(text)

    def _on_escape(self) -> None:
        if self.stop_button.isEnabled():
            self.stop_requested.emit()
