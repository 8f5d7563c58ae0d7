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
from app.ui.accessibility import describe_standard_buttons
from app.ui.background import Background
from app.ui.theme import current

# The theme's role for each outcome, on the dialog's background.
OUTCOME_ROLES = {
    Outcome.IDENTICAL: "ok",
    Outcome.DIVERGES: "danger",
    Outcome.REFUSED: "danger",
    Outcome.STOPPED: "caution",
    Outcome.NOT_EXACT: "caution",
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
        self.setWindowTitle(self.tr("Reproduce turn {number}").format(number=turn_id))
        self.resize(900, 560)
        self.finished_with: Reproduction | None = None
        self.summary = QLabel(
            self.tr("Running turn {number} again from its recorded token ids…").format(number=turn_id)
        )
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Result"))
        self.changed = QLabel("")
        self.changed.setWordWrap(True)
        self.recorded = _text_pane(self.tr("Recorded output"))
        self.now = _text_pane(self.tr("Output now"))
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>{}</b>".format(self.tr("RECORDED"))), 0, 0)
        grid.addWidget(QLabel("<b>{}</b>".format(self.tr("NOW"))), 0, 1)
        grid.addWidget(self.recorded, 1, 0)
        grid.addWidget(self.now, 1, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.stop_button = self.buttons.addButton(self.tr("Stop"), QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.recorded.setAccessibleDescription(
            self.tr(
                "What the turn produced when it was recorded, read-only; where it parts from now is shaded."
            )
        )
        self.now.setAccessibleDescription(
            self.tr(
                "What running the turn again produced, read-only; "
                "where it parts from the recording is shaded."
            )
        )
        self.stop_button.setAccessibleDescription(
            self.tr("Stops running the turn again; the stop is recorded.")
        )
        describe_standard_buttons(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.changed)
        layout.addLayout(grid, 1)
        layout.addWidget(
            QLabel(
                self.tr(
                    "Every reproduction, refused or stopped ones too, is recorded in the ledger "
                    "with the turn."
                )
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
        colour = getattr(current(), OUTCOME_ROLES[result.outcome])
        self.summary.setText(f'<b style="color:{colour}">{_html(self.summary_words(result))}</b>')
        self.changed.setText(
            self.tr("Changed from the recording: {changes}").format(changes="; ".join(result.changed))
            if result.changed
            else ""
        )
        self.recorded.setPlainText(result.recorded_text)
        self.now.setPlainText(result.now_text)
        if result.now_text and result.now_text != result.recorded_text:
            start = _common_prefix(result.recorded_text, result.now_text)
            _mark_from(self.recorded, start)
            _mark_from(self.now, start)

    def summary_words(self, result: Reproduction) -> str:
        """What the run gave, in the window's language where the result says it as values; the
        recorded summary itself otherwise (why it was refused or stopped, a server's turn)."""
        if result.outcome is Outcome.IDENTICAL:
            return self.tr("identical: %Ln output tokens", "", result.compared_tokens)
        if result.outcome is Outcome.DIVERGES and result.diverges_at is not None:
            return self.tr("diverges at output token {index} (recorded {recorded}, now {now})").format(
                index=result.diverges_at, recorded=result.recorded_token, now=result.now_token
            )
        return result.summary

    def _show_failure(self, words: str) -> None:
        self.stop_button.setEnabled(False)
        self.summary.setText(f'<b style="color:{current().danger}">{_html(words)}</b>')


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
    shade.setBackground(QColor(current().diverged))
    cursor.mergeCharFormat(shade)
    cursor.setPosition(min(start, len(pane.toPlainText())))
    pane.setTextCursor(cursor)
    pane.ensureCursorVisible()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
