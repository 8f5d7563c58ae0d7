"""The list of recorded conversations, newest first."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.states import State, TurnState, state_of
from app.core.text import visible
from app.core.types import ConversationSummary, ReviewState
from app.render.html import label_text
from app.ui.words import counted, review_state, state_words, utc_date_time

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
# Review state: a quiet mark on the date line, spelled out in the tooltip (``words.review_state``).
_REVIEW = {
    ReviewState.UNREVIEWED: "",
    ReviewState.ANNOTATED: "✎",
    ReviewState.SIGNED: "✔",
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
        title = QLabel(self.tr("Conversations"))
        title.setObjectName("paneTitle")
        self.new_button = QPushButton(self.tr("New conversation"))
        self.new_button.setObjectName("newConversationButton")
        self.new_button.setAccessibleDescription(self.tr("Starts a new, empty conversation (Ctrl+N)."))
        self.list = QListWidget()
        self.list.setObjectName("conversationItems")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setAccessibleDescription(
            self.tr("Every recorded conversation, newest first. Enter opens the one selected.")
        )
        # A title wraps to as many lines as it needs: items differ in height, and are laid out
        # again when the list changes width.
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setItemDelegate(TitleAndDateDelegate(self.list))
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
            date = utc_date_time(summary.created_at)
            review, said = _REVIEW[summary.review_state], review_state(summary.review_state)
            marks = " ".join(part for part in (mark, review, "⚑" if summary.flagged else "") if part)
            # A narrow list wraps the line between its parts, never inside the date or the count.
            line = " · ".join(
                part.replace(" ", "\u00a0") for part in (date, counted().turns(summary.turn_count))
            )
            line += f" {marks}" if marks else ""
            # A list item has no style to set escapes apart: they are shown as text.
            item = QListWidgetItem(f"{visible(summary.title)}\n{line}")
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            parts = [self.tr("Conversation {number}").format(number=summary.id)]
            if last:
                parts.append(self.tr("last turn {state}").format(state=state_words(last)))
            parts.append(said)
            if summary.flagged:
                parts.append(self.tr("a turn is flagged (concern or error)"))
            # A failure's reason may hold markup or controls: shown as text.
            item.setToolTip(label_text(" · ".join(parts)))
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


class TitleAndDateDelegate(QStyledItemDelegate):
    """Draws an item's title and its date line as two paragraphs, each in its own direction.

    As one paragraph, a right-to-left title (Arabic, Hebrew) turned the date line right to left
    too: the date came out reordered ("09:33 07-12-2026") or cut off below a wrapped title. Here
    the title takes the direction of its own letters and the date line the window's.
    """

    PADDING = 3  # above and below an item's text

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        title, line = _title_and_line(item.text)
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        if not item.state & QStyle.StateFlag.State_Enabled:
            group = QPalette.ColorGroup.Disabled
        elif item.state & QStyle.StateFlag.State_Active:
            group = QPalette.ColorGroup.Active
        else:
            group = QPalette.ColorGroup.Inactive
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(item.palette.color(group, role))
        area = self._text_rect(item.rect, style, widget)
        top = float(area.top())
        for text, direction in self._paragraphs(title, line, _direction(widget)):
            layout, height = _laid_out(text, item.font, area.width(), direction)
            layout.draw(painter, QPointF(area.left(), top))
            top += height
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        width = widget.viewport().width() if isinstance(widget, QAbstractItemView) else item.rect.width()
        area = self._text_rect(QRect(0, 0, max(width, 1), 1), style, widget)
        title, line = _title_and_line(item.text)
        height = sum(
            _laid_out(text, item.font, area.width(), direction)[1]
            for text, direction in self._paragraphs(title, line, _direction(widget))
        )
        return QSize(width, int(height) + 2 * self.PADDING + 1)

    @staticmethod
    def _paragraphs(
        title: str, line: str, window: Qt.LayoutDirection
    ) -> list[tuple[str, Qt.LayoutDirection]]:
        paragraphs = [(title, Qt.LayoutDirection.LayoutDirectionAuto)]
        if line:
            paragraphs.append((line, window))
        return paragraphs

    def _text_rect(self, rect: QRect, style: QStyle, widget: QWidget | None) -> QRect:
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        return rect.adjusted(margin, self.PADDING, -margin, -self.PADDING)


def _title_and_line(text: str) -> tuple[str, str]:
    """An item's title and date line (the delegate's text has its line break as U+2028). The date
    line is the last: a title may hold a line separator of its own."""
    title, separator, line = text.replace("\u2028", "\n").rpartition("\n")
    return (title, line) if separator else (text, "")


def _direction(widget: QWidget | None) -> Qt.LayoutDirection:
    """The window's direction (an item's own follows its text: a right-to-left title's)."""
    return widget.layoutDirection() if widget is not None else QApplication.layoutDirection()


def _laid_out(text: str, font: QFont, width: int, direction: Qt.LayoutDirection) -> tuple[QTextLayout, float]:
    """``text`` wrapped to ``width`` in ``direction`` (its own letters' for Auto), and its height."""
    layout = QTextLayout(text, font)
    option = QTextOption(Qt.AlignmentFlag.AlignLeading)
    option.setTextDirection(direction)
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    height = 0.0
    while True:
        row = layout.createLine()
        if not row.isValid():
            break
        row.setLineWidth(max(width, 1))
        row.setPosition(QPointF(0, height))
        height += row.height()
    layout.endLayout()
    return layout, height


def last_state(summary: ConversationSummary) -> TurnState | None:
    """How the conversation's last turn ended (None: it has no turn)."""
    if summary.last_status is None:
        return None
    return state_of(summary.last_status, summary.last_finish_reason, summary.last_error)
