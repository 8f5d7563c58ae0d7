"""Run a recorded turn again and show both outputs side by side."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.cancel import CancelToken
from app.core.reproduction import Outcome, Reproduction
from app.services.reproduce import Overrides
from app.ui.background import Background

DIVERGED = QColor("#fde2e1")
OUTCOME_COLOURS = {
    Outcome.IDENTICAL: "#1b6e2e",
    Outcome.DIVERGES: "#a4262c",
    Outcome.REFUSED: "#a4262c",
    Outcome.STOPPED: "#6b5b00",
    Outcome.NOT_EXACT: "#6b5b00",
}


class ReproduceDialog(QDialog):
    """Runs ``reproduce(turn_id, overrides, cancel, on_status)`` in the background and shows the result.

    ``finished_with`` holds the result once shown (None before).
    """

    def __init__(
        self,
        turn_id: int,
        reproduce: Callable[[int, Overrides, CancelToken, Callable[[str], None]], Reproduction],
        overrides: Overrides | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reproduce turn {turn_id}")
        self.resize(900, 560)
        self.finished_with: Reproduction | None = None
        self.summary = QLabel(f"Running turn {turn_id} again from its recorded token ids…")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Result")
        self.changed = QLabel("")
        self.changed.setWordWrap(True)
        self.recorded = _text_pane("Recorded output")
        self.now = _text_pane("Output now")
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>RECORDED</b>"), 0, 0)
        grid.addWidget(QLabel("<b>NOW</b>"), 0, 1)
        grid.addWidget(self.recorded, 1, 0)
        grid.addWidget(self.now, 1, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.stop_button = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.changed)
        layout.addLayout(grid, 1)
        layout.addWidget(
            QLabel(
                "Every reproduction, refused or stopped ones too, is recorded in the ledger with the turn."
            )
        )
        layout.addWidget(self.buttons)
        self._background = Background("reproduce", self)
        self._token = self._background.start(
            lambda cancel: reproduce(turn_id, overrides or Overrides(), cancel, lambda _text: None),
            self.show_result,
            self._show_failure,
            doing="Reproducing the turn",
        )
        self.stop_button.clicked.connect(self._token.set)

    def wait(self, timeout: float | None = None) -> bool:
        return self._background.wait(timeout)

    def reject(self) -> None:
        self._token.set()
        super().reject()

    def show_result(self, result: Reproduction) -> None:
        self.finished_with = result
        self.stop_button.setEnabled(False)
        colour = OUTCOME_COLOURS[result.outcome]
        self.summary.setText(f'<b style="color:{colour}">{_html(result.summary)}</b>')
        self.changed.setText(
            "Changed from the recording: " + "; ".join(result.changed) if result.changed else ""
        )
        self.recorded.setPlainText(result.recorded_text)
        self.now.setPlainText(result.now_text)
        if result.now_text and result.now_text != result.recorded_text:
            start = _common_prefix(result.recorded_text, result.now_text)
            _mark_from(self.recorded, start)
            _mark_from(self.now, start)

    def _show_failure(self, words: str) -> None:
        self.stop_button.setEnabled(False)
        self.summary.setText(f'<b style="color:{OUTCOME_COLOURS[Outcome.REFUSED]}">{_html(words)}</b>')


def _text_pane(name: str) -> QPlainTextEdit:
    pane = QPlainTextEdit()
    pane.setReadOnly(True)
    pane.setAccessibleName(name)
    return pane


def _common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _mark_from(pane: QPlainTextEdit, start: int) -> None:
    """Shade the text from ``start`` on: where the two outputs part."""
    cursor = QTextCursor(pane.document())
    cursor.setPosition(min(start, len(pane.toPlainText())))
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    shade = QTextCharFormat()
    shade.setBackground(DIVERGED)
    cursor.mergeCharFormat(shade)
    cursor.setPosition(min(start, len(pane.toPlainText())))
    pane.setTextCursor(cursor)
    pane.ensureCursorVisible()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
