"""The chain of thought of one turn, live while it streams, apart from the answer.

Control and bidi characters in it are shown as escapes in the escape style, as in the conversation.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.core.states import State, turn_state
from app.core.text import visible
from app.core.types import Turn
from app.core.word_count import RunningCount, remember, word_count
from app.render.fonts import with_fallbacks
from app.ui.conversation_view import insert_shown, recolour_escapes
from app.ui.follow import BottomFollower
from app.ui.theme import theme_manager
from app.ui.words import counted, state_words

_EMPTY = str(QT_TRANSLATE_NOOP("ReasoningPane", "Select a turn to see the model's reasoning."))


class ReasoningPane(QWidget):
    """Shows one turn's reasoning trace; appends live text at the end without re-layout.

    Live text comes batched (the controller's repaint takes it from the session's output buffer);
    each ``append`` is one insert.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReasoningPane")
        self._title = QLabel(self.tr("Reasoning"))
        self._title.setObjectName("paneTitle")
        self._caption = QLabel(self.tr(_EMPTY))
        self._caption.setObjectName("paneCaption")
        self._caption.setTextFormat(Qt.TextFormat.PlainText)  # a failure's reason is text, never markup
        self._caption.setWordWrap(True)
        self._text = QPlainTextEdit()
        self._text.setObjectName("reasoningText")
        self._text.setAccessibleName(self.tr("Reasoning"))
        self._text.setAccessibleDescription(
            self.tr(
                "The model's reasoning for the selected turn, read-only. Shift with the arrow keys "
                "selects text; Ctrl+C copies it."
            )
        )
        self._text.setReadOnly(True)
        self._text.setUndoRedoEnabled(False)  # read-only: an undo stack would only copy the trace
        self._text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        font = with_fallbacks(QFont(self._text.font()))  # every script the model writes
        font.setPointSizeF(font.pointSizeF() * 0.95)
        self._text.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self._title)
        layout.addWidget(self._caption)
        layout.addWidget(self._text, 1)
        self.setFocusProxy(self._text)  # View ▸ Reasoning gives the keyboard to the trace
        # Scrolled in lines: within one line of the end is at the end (a wheel step is three).
        self._follower = BottomFollower(self._text, slack=1)
        self.turn_id: int | None = None
        self.live = False
        self._words = RunningCount()  # of the live trace
        theme_manager().changed.connect(self._on_theme_changed)

    def text(self) -> str:
        return self._text.toPlainText()

    def _on_theme_changed(self, _theme: object) -> None:
        recolour_escapes(self._text.document())

    def clear(self) -> None:
        self.turn_id, self.live = None, False
        self._text.clear()
        self._caption.setText(self.tr(_EMPTY))

    def show_turn(self, turn: Turn) -> None:
        self.turn_id, self.live = turn.id, False
        self._follower.stop()  # a finished trace is read from its start
        self._show(turn.reasoning)
        self._caption.setText(_caption(turn))

    def begin_live(self, turn: Turn, text: str = "") -> None:
        """Show a turn that is still generating, starting from text already received."""
        self.turn_id, self.live = turn.id, True
        self._words = RunningCount()  # counted as it comes: counting a long trace at its end would stall
        self._words.feed(text)
        self._follower.stop()
        self._show(text)
        self._follower.follow()  # a live trace is followed, until the reader scrolls away
        self._caption.setText(self.tr("Turn {number} · thinking…").format(number=turn.index + 1))

    def append(self, text: str) -> None:
        if self.live:
            self._append_now(text)

    def mark_answering(self, turn: Turn) -> None:
        """The model closed its reasoning and is writing the answer."""
        if self.live and self.turn_id == turn.id:
            self._caption.setText(
                self.tr("Turn {number} · reasoning finished · writing the answer…").format(
                    number=turn.index + 1
                )
            )

    def end_live(self, turn: Turn) -> None:
        if self.turn_id == turn.id:
            self.live = False
            if self._words.length == len(turn.reasoning):  # the pane holds the whole trace
                remember(turn.reasoning, self._words.words)
            self._caption.setText(_caption(turn))

    def _show(self, text: str) -> None:
        self._text.clear()
        insert_shown(QTextCursor(self._text.document()), text)
        self._text.moveCursor(QTextCursor.MoveOperation.Start)  # read from the top, as setPlainText does

    def _append_now(self, text: str) -> None:
        self._words.feed(text)
        cursor = QTextCursor(self._text.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        insert_shown(cursor, text)  # the follower keeps the end in view if the reader is there


def _caption(turn: Turn) -> str:
    detail = (
        counted().words(word_count(turn.reasoning))
        if turn.reasoning
        else QCoreApplication.translate("ReasoningPane", "no reasoning recorded")
    )
    ended = turn_state(turn)  # a trace cut off by the token limit or a stop is said to be
    status = "" if ended.state is State.COMPLETED else f" · {visible(state_words(ended))}"
    number = QCoreApplication.translate("ReasoningPane", "Turn {number}").format(number=turn.index + 1)
    return f"{number} · {detail}{status}"
