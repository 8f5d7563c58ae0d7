"""The list of recorded conversations, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.core.states import State, TurnState, state_of
from app.core.text import visible
from app.core.types import ConversationSummary, ReviewState
from app.render.html import label_text

# How the last turn ended: a mark on the date line (none for a whole, normal answer), spelled
# out in the tooltip in the words every view uses.
_MARKS = {
    State.RUNNING: "●",
    State.COMPLETED: "",
    State.TOKEN_LIMIT: "✂",
    State.STOPPED: "■",
    State.WINDOW_CLOSED: "□",
    State.INTERRUPTED: "⚠",
    State.FAILED: "✕",
    State.ENDED_BY_SERVER: "✂",
}
# Review state: a quiet mark on the date line, spelled out in the tooltip.
_REVIEW = {
    ReviewState.UNREVIEWED: ("", "not reviewed yet"),
    ReviewState.ANNOTATED: ("✎", "annotated"),
    ReviewState.SIGNED: ("✔", "signed off and locked"),
}


class ConversationList(QWidget):
    """Conversations with their date and turn count; control characters in a title shown as escapes.

    Signals:
        conversation_selected(int): the user picked a conversation.
        new_requested(): the user wants a new, empty conversation.
    """

    conversation_selected = Signal(int)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConversationList")
        title = QLabel("Conversations")
        title.setObjectName("paneTitle")
        self.new_button = QPushButton("New conversation")
        self.new_button.setObjectName("newConversationButton")
        self.list = QListWidget()
        self.list.setObjectName("conversationItems")
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.new_button)
        layout.addWidget(self.list, 1)
        self.new_button.clicked.connect(self.new_requested)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.itemActivated.connect(self._on_list_item_clicked)

    def set_conversations(self, conversations: list[ConversationSummary], selected: int | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for summary in conversations:
            last = last_state(summary)
            mark = _MARKS[last.state] if last else ""
            date = summary.created_at[:16].replace("T", " ")
            plural = "turn" if summary.turn_count == 1 else "turns"
            review, said = _REVIEW[summary.review_state]
            flag = " ⚑" if summary.flagged else ""
            line = f"{date} · {summary.turn_count} {plural} {mark} {review}{flag}"
            # A list item has no style to set escapes apart: they are shown as text.
            item = QListWidgetItem(f"{visible(summary.title)}\n{' '.join(line.split())}")
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            flagged = " · a turn is flagged (concern or error)" if summary.flagged else ""
            ended = f" · last turn {last.words}" if last else ""
            # A failure's reason may hold markup or controls: shown as text.
            item.setToolTip(label_text(f"Conversation {summary.id}{ended} · {said}{flagged}"))
            self.list.addItem(item)
            if summary.id == selected:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def ids(self) -> list[int]:
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]

    def select(self, conversation_id: int) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == conversation_id:
                self.list.setCurrentItem(item)
                self.conversation_selected.emit(conversation_id)
                return

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        self.conversation_selected.emit(int(item.data(Qt.ItemDataRole.UserRole)))


def last_state(summary: ConversationSummary) -> TurnState | None:
    """How the conversation's last turn ended (None: it has no turn)."""
    if summary.last_status is None:
        return None
    return state_of(summary.last_status, summary.last_finish_reason, summary.last_error)
