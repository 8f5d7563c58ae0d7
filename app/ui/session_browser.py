"""The session browser: every conversation, filtered and searched, opened read-only for review.

Record text (titles, snippets, model paths) holds control and bidi characters as escapes: styled
where the text is rich (hits, tooltips), as plain escapes in table cells and menus.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.report import remote_model_words
from app.core.text import visible
from app.core.types import (
    MATCH_END,
    MATCH_START,
    ConversationSummary,
    ModelFile,
    ReviewState,
    SearchHit,
    SessionFilter,
)
from app.render.html import label_text, plain_to_html
from app.services.record import Store
from app.services.token_view import PromptTokenView, prompt_token_view
from app.ui.attachments import ImageViewer
from app.ui.background import Background
from app.ui.conversation_list import last_state
from app.ui.conversation_view import STATE_COLOURS
from app.ui.prompt_tokens_dialog import PromptTokensDialog
from app.ui.review_view import ReviewView
from app.ui.theme import current
from app.ui.words import capitalised, review_state, search_field, state_words, utc_date_time

DEBOUNCE_MS = 200
HIT_LIMIT = 200
# A title line and two of snippet: every hit the same height, so only visible ones are laid out.
HIT_LINES = 3
# Coloured by the hit list's style sheet (``hit_style``), in the theme shown when it is drawn.
HIGHLIGHT = '<span class="match">'
COLUMNS = (
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Date")),
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Title")),
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Model")),
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Turns")),
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Status")),
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Review")),
    str(QT_TRANSLATE_NOOP("SessionBrowser", "Images")),
)
# An export's scope names its review state in the report's words (English), not the window's.
REVIEW_LABELS = {
    ReviewState.UNREVIEWED: "Unreviewed",
    ReviewState.ANNOTATED: "Annotated",
    ReviewState.SIGNED: "Signed",
}
_MARK = re.compile(f"([{MATCH_START}{MATCH_END}])")


def snippet_html(snippet: str) -> str:
    """A snippet as HTML: its text escaped like any model text, its matches (only those) highlighted."""
    parts = []
    for piece in _MARK.split(snippet):
        if piece == MATCH_START:
            parts.append(HIGHLIGHT)
        elif piece == MATCH_END:
            parts.append("</span>")
        else:
            parts.append(plain_to_html(piece, escapes=True, colours=current().render_colours()))
    return "".join(parts)


def hit_style() -> str:
    """The style sheet of a hit's document, in the theme shown."""
    theme = current()
    return (
        f".match {{ background-color: {theme.match}; color: {theme.text}; font-weight: 600; }}"
        f".where {{ color: {theme.muted}; }}"
    )


def hit_html(hit: SearchHit) -> str:
    if hit.turn_index is None:
        where = QCoreApplication.translate("SessionBrowser", "title")
    else:
        where = QCoreApplication.translate("SessionBrowser", "turn {number} · {field}").format(
            number=hit.turn_index + 1,
            field=search_field(hit.field),
        )
    return (
        f"<b>{plain_to_html(hit.conversation_title, escapes=True, colours=current().render_colours())}</b> "
        f'<span class="where">· {where}</span><br>{snippet_html(hit.snippet)}'
    )


def model_names(models: tuple[ModelFile, ...]) -> str:
    """The models' file names, control characters as escapes."""
    return visible(", ".join(model.path.replace("\\", "/").rsplit("/", 1)[-1] for model in models))


def model_tooltip(*models: ModelFile) -> str:
    """Models as a summary knows them: a file by path and SHA-256, a remote model in words."""
    return label_text("\n".join(_model_words(model) for model in models))


def _model_words(model: ModelFile) -> str:
    if model.is_remote:
        return remote_model_words(None, None, model.path)
    hashed = (
        f"SHA-256 {model.sha256}"
        if model.sha256
        else QCoreApplication.translate("SessionBrowser", "not hashed")
    )
    return f"{model.path}\n{hashed}"


def scope_label(chosen: SessionFilter, total: int, model_label: str = "", selected: int | None = None) -> str:
    """Describe an export's scope: 'Search “foo”, 12 conversations, 2026-01-01–2026-03-31'."""
    plural = "" if total == 1 else "s"
    count = f"{total} conversation{plural}" if selected is None else f"{selected} selected of {total}"
    parts = [f"Search “{chosen.text.strip()}”"] if chosen.text.strip() else []
    parts.append(count)
    if chosen.date_from or chosen.date_to:
        start = chosen.date_from.isoformat() if chosen.date_from else "…"
        end = chosen.date_to.isoformat() if chosen.date_to else "…"
        parts.append(f"{start}–{end}")
    if chosen.model:
        parts.append(f"model {model_label or chosen.model}")
    if chosen.review_state:
        parts.append(REVIEW_LABELS[chosen.review_state].lower())
    if chosen.flagged_only:
        parts.append("flagged")
    return ", ".join(parts)


class SessionTable(QAbstractTableModel):
    """Conversation summaries as rows, in the order shown.

    Sorting happens here, with Python's sort over one key per row: a sorting proxy model
    would call back into Python twice per comparison, far slower for 10,000 rows.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ConversationSummary] = []
        self._order = (0, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: list[ConversationSummary]) -> None:
        self.beginResetModel()
        self.rows = self._sorted(rows)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._order = (column, order)
        self.layoutAboutToBeChanged.emit()
        self.rows = self._sorted(self.rows)
        self.layoutChanged.emit()

    def _sorted(self, rows: list[ConversationSummary]) -> list[ConversationSummary]:
        column, order = self._order
        return sorted(
            rows,
            key=lambda summary: _sort_key(summary, column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("SessionBrowser", COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        summary = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(summary, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            last = last_state(summary)
            return QColor(STATE_COLOURS[last.state]) if last and not last.whole else None
        return None


def _display(summary: ConversationSummary, column: int) -> str:
    if column == 0:
        return utc_date_time(summary.created_at)
    if column == 1:
        return _one_line(visible(summary.title))  # no bidi override reordering the row
    if column == 2:
        return model_names(summary.models)
    if column == 3:
        return str(summary.turn_count)
    if column == 4:  # how the last turn ended, in the words every view uses
        last = last_state(summary)
        return (
            _one_line(visible(state_words(last)))
            if last
            else QCoreApplication.translate("SessionBrowser", "empty")
        )
    if column == 5:
        return capitalised(review_state(summary.review_state)) + (" ⚑" if summary.flagged else "")
    return QCoreApplication.translate("SessionBrowser", "yes") if summary.has_images else ""


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def _sort_key(summary: ConversationSummary, column: int) -> Any:
    if column == 3:
        return summary.turn_count
    if column == 5:
        return (list(ReviewState).index(summary.review_state), summary.flagged)
    if column == 6:
        return int(summary.has_images)
    return _display(summary, column).lower() if column else summary.created_at


def _tooltip(summary: ConversationSummary, column: int) -> str:
    if column == 2:
        return model_tooltip(*summary.models)
    if column == 4 and summary.last_status is not None:
        last = last_state(summary)
        last_turn = QCoreApplication.translate("SessionBrowser", "Last turn: {state}")
        return label_text(last_turn.format(state=state_words(last))) if last else ""
    if column == 5 and summary.flagged:
        return QCoreApplication.translate("SessionBrowser", "A turn's latest note is a concern or an error.")
    return QCoreApplication.translate(
        "SessionBrowser", "Conversation {number} · last activity {when}"
    ).format(number=summary.id, when=utc_date_time(summary.last_activity))


class _HitDelegate(QStyledItemDelegate):
    """Draws a hit's HTML (escaped snippet, highlighted matches) in the hit list."""

    def _document(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDefaultStyleSheet(hit_style())
        document.setHtml(index.data(Qt.ItemDataRole.UserRole + 1))
        width = option.rect.width()
        view = self.parent()
        if width <= 0 and isinstance(view, QListWidget):  # asked for a size before layout
            width = view.viewport().width()
        document.setTextWidth(max(width, 200))
        document.setDocumentMargin(3)
        return document

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        style = option.widget.style() if option.widget else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.setClipRect(option.rect)
        painter.translate(option.rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(
                QPalette.ColorRole.Text,
                option.palette.color(QPalette.ColorRole.HighlightedText),
            )
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(200, option.fontMetrics.lineSpacing() * HIT_LINES + 10)


@dataclass(frozen=True)
class Results:
    """What one search produced, and for which request."""

    generation: int
    session_filter: SessionFilter
    conversations: list[ConversationSummary]
    hits: list[SearchHit]
    every: list[ConversationSummary]  # all conversations, kept for the next search
    seconds: float


class SessionBrowser(QDialog):
    """Filter bar, search box, results table, hit list and a read-only review of the opened conversation.

    Searches run in the background, one at a time, debounced while typing; a result that
    arrives after a newer request was made is dropped.

    Signals:
        export_requested(list, str): conversation ids to export and a description of their scope.
        results_shown(): a search's results are on screen.
        conversation_opened(int): the review view now shows this conversation.
        prompt_tokens_opened(object): a ``PromptTokensDialog`` opened for a turn's prompt.
    """

    export_requested = Signal(list, str)
    results_shown = Signal()
    conversation_opened = Signal(int)
    prompt_tokens_opened = Signal(object)

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        prompt_tokens: Callable[[int], Future[PromptTokenView]] | None = None,
    ) -> None:
        """``prompt_tokens``: a turn's prompt as tokens, spelled out by the model in use (the
        session's); without it, the recorded ids alone."""
        super().__init__(parent)
        self.setObjectName("SessionBrowser")
        self.setWindowTitle(self.tr("Sessions"))
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setSizeGripEnabled(True)
        self.store = store
        self.shown: Results | None = None
        self._every: list[ConversationSummary] | None = None
        self._generation = 0
        self._background = Background("search", self)
        self._prompt_tokens = prompt_tokens
        # Apart from searches: the session reads tokens only after a running turn ends.
        self._token_reads = Background("prompt tokens", self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self._build()
        self.resize(1280, 800)

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.query = QLineEdit()
        self.query.setObjectName("sessionQuery")
        self.query.setPlaceholderText(
            self.tr("Search prompts, reasoning, answers and notes (exact phrase, any case)")
        )
        self.query.setClearButtonEnabled(True)
        self.use_from, self.date_from = QCheckBox(self.tr("From")), _date_edit()
        self.use_to, self.date_to = QCheckBox(self.tr("to")), _date_edit()
        self.model = QComboBox()
        self.model.addItem(self.tr("Any model"), None)
        self.review_state = QComboBox()
        self.review_state.addItem(self.tr("Any review state"), None)
        for state in ReviewState:
            self.review_state.addItem(capitalised(review_state(state)), str(state))
        # However long a language or a model's file name makes a choice, the filter row fits an
        # 800-pixel screen: the boxes narrow down to a few words (their lists stay as wide as their
        # longest choice) and widen to show it whole where there is room.
        for combo in (self.model, self.review_state):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
            _fit_list(combo)
        self.flagged = QCheckBox(self.tr("Flagged only"))

        filters = QHBoxLayout()
        for widget in (self.use_from, self.date_from, self.use_to, self.date_to):
            filters.addWidget(widget)
        filters.addSpacing(12)
        filters.addWidget(self.model, 1)
        filters.addWidget(self.review_state, 1)
        filters.addWidget(self.flagged)
        filters.addStretch(1)

        self.table_model = SessionTable(self)
        self.table = QTableView()
        self.table.setObjectName("sessionTable")
        self.table.setModel(self.table_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        digits = self.table.fontMetrics().horizontalAdvance(utc_date_time("2026-12-31T23:59:00Z"))
        for column, width in enumerate((digits + 28, 0, 150, 56, 96, 112, 60)):
            if width:
                header.resizeSection(column, width)
        self.table.setWordWrap(False)

        self.hits = QListWidget()
        self.hits.setObjectName("sessionHits")
        self.hits.setItemDelegate(_HitDelegate(self.hits))
        self.hits.setWordWrap(True)
        self.hits.setUniformItemSizes(True)
        self.summary = QLabel()
        self.summary.setObjectName("paneCaption")

        self.review = ReviewView()
        self.review.image_source = self.store.image_data
        self.review.image_activated.connect(self._on_review_image_activated)
        self.review.tokens_requested.connect(self.show_prompt_tokens)

        self.export_selected = QPushButton(self.tr("Export selected…"))
        self.export_results = QPushButton(self.tr("Export results…"))
        self.export_selected.setEnabled(False)
        self.export_results.setEnabled(False)

        lists = QSplitter(Qt.Orientation.Vertical)
        lists.addWidget(self.table)
        lists.addWidget(self.hits)
        lists.setStretchFactor(0, 3)
        lists.setStretchFactor(1, 2)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(lists)
        body.addWidget(self.review)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.export_selected)
        buttons.addWidget(self.export_results)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(body, 1)
        layout.addLayout(buttons)

        self.query.textEdited.connect(self._on_query_text_edited)
        self.query.returnPressed.connect(self.run_search)
        for box in (self.use_from, self.use_to, self.flagged):
            box.toggled.connect(self.run_search)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._on_date_changed)
        for combo in (self.model, self.review_state):
            combo.currentIndexChanged.connect(self.run_search)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.activated.connect(self._on_table_activated)
        self.table.clicked.connect(self._on_table_activated)
        self.hits.itemActivated.connect(self._on_hits_item_activated)
        self.hits.itemClicked.connect(self._on_hits_item_activated)
        self.export_selected.clicked.connect(self._on_export_selected_clicked)
        self.export_results.clicked.connect(self._on_export_results_clicked)
        spoken = (
            (
                self.query,
                self.tr("Search"),
                self.tr(
                    "Finds this exact phrase, in any case, in prompts, reasoning, answers and notes. "
                    "Ctrl+F comes back here."
                ),
            ),
            (
                self.use_from,
                self.tr("From a date"),
                self.tr("Only conversations started on or after the date beside it."),
            ),
            (
                self.date_from,
                self.tr("First day"),
                self.tr("The first day to include; the arrow keys change it."),
            ),
            (
                self.use_to,
                self.tr("To a date"),
                self.tr("Only conversations started on or before the date beside it."),
            ),
            (
                self.date_to,
                self.tr("Last day"),
                self.tr("The last day to include; the arrow keys change it."),
            ),
            (self.model, self.tr("Model"), self.tr("Only conversations in which this model ran.")),
            (self.review_state, self.tr("Review state"), self.tr("Only conversations in this review state.")),
            (
                self.flagged,
                self.tr("Flagged only"),
                self.tr("Only conversations with a turn flagged as a concern or an error."),
            ),
            (
                self.table,
                self.tr("Conversations found"),
                self.tr(
                    "One conversation a row; Enter opens the selected one for review. Shift or Ctrl with "
                    "the arrow keys selects several to export."
                ),
            ),
            (
                self.hits,
                self.tr("Matches"),
                self.tr("Where the search found its text; Enter opens the conversation there."),
            ),
            (
                self.export_selected,
                self.tr("Export selected"),
                self.tr("Exports the selected conversations as a report."),
            ),
            (
                self.export_results,
                self.tr("Export results"),
                self.tr("Exports every conversation found as a report."),
            ),
        )
        for control, name, description in spoken:
            control.setAccessibleName(name)
            control.setAccessibleDescription(description)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move in it
        QShortcut(QKeySequence.StandardKey.Find, self, self.query.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)

    # -- searching ------------------------------------------------------------------------

    def session_filter(self) -> SessionFilter:
        """The filter the bar and search box describe right now."""
        state = self.review_state.currentData()
        return SessionFilter(
            date_from=_day(self.date_from) if self.use_from.isChecked() else None,
            date_to=_day(self.date_to) if self.use_to.isChecked() else None,
            model=self.model.currentData(),
            review_state=ReviewState(state) if state else None,
            flagged_only=self.flagged.isChecked(),
            text=self.query.text(),
        )

    def refresh(self) -> None:
        """Reload every conversation's summary and search again (the record changed)."""
        self._every = None
        self.run_search()

    def run_search(self, *_: object) -> None:
        """Search now, in the background.

        The summaries of all conversations are loaded once (``refresh``) and filtered here;
        each search then only asks the index which conversations match and for the hits.
        """
        self._debounce.stop()
        self._generation += 1
        generation, chosen, store, every = self._generation, self.session_filter(), self.store, self._every

        def work(_cancel: CancelToken) -> Results:
            started = time.perf_counter()
            loaded = store.browse() if every is None else every
            conversations = [summary for summary in loaded if chosen.accepts(summary)]
            hits: list[SearchHit] = []
            if chosen.text.strip():
                matching = store.conversations_matching(chosen.text)
                conversations = [summary for summary in conversations if summary.id in matching]
                within = {summary.id for summary in conversations}
                hits = store.search(chosen.text, None, HIT_LIMIT, within=within)
            return Results(generation, chosen, conversations, hits, loaded, time.perf_counter() - started)

        self.summary.setText(self.tr("Searching…"))
        self._background.start(work, self._on_search_done, self.summary.setText, doing="Searching")

    def wait(self) -> None:
        """Let a search still running finish (before closing)."""
        self._background.wait()

    def _on_query_text_edited(self, _text: str) -> None:
        self._debounce.start()

    def _on_date_changed(self, _date: QDate) -> None:
        if self.use_from.isChecked() or self.use_to.isChecked():
            self.run_search()

    def _on_search_done(self, result: Results) -> None:
        if result.generation != self._generation:
            return  # a newer search is on its way
        if result.every is not self._every:
            self._every = result.every
            self._set_models(_models(result.every))
        self.shown = result
        self.table_model.set_rows(result.conversations)
        self._show_hits(result)
        count = len(result.conversations)
        parts = [self.tr("%Ln conversations", "", count)]
        if result.session_filter.text.strip():
            found = len(result.hits)
            if found >= HIT_LIMIT:
                parts.append(self.tr("%Ln+ matches", "", found))
            else:
                parts.append(self.tr("%Ln matches", "", found))
        parts.append(self.tr("{milliseconds} ms").format(milliseconds=f"{result.seconds * 1000:.0f}"))
        self.summary.setText(" · ".join(parts))
        self.export_results.setEnabled(count > 0)
        self.export_selected.setEnabled(False)
        self.results_shown.emit()

    def _show_hits(self, result: Results) -> None:
        self.hits.clear()
        for hit in result.hits:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, hit)
            item.setData(Qt.ItemDataRole.UserRole + 1, hit_html(hit))
            item.setToolTip(label_text(hit.plain()))
            self.hits.addItem(item)

    def _set_models(self, models: list[ModelFile]) -> None:
        chosen = self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItem(self.tr("Any model"), None)
        for model in models:
            self.model.addItem(model_names((model,)), model.key)  # a remote model has no hash
            self.model.setItemData(self.model.count() - 1, model_tooltip(model), Qt.ItemDataRole.ToolTipRole)
        self.model.setCurrentIndex(max(0, self.model.findData(chosen)))
        _fit_list(self.model)
        self.model.blockSignals(False)

    # -- opening --------------------------------------------------------------------------

    def open_conversation(self, conversation_id: int, hit: SearchHit | None = None) -> None:
        """Show a conversation read-only, at the hit's turn if given, with the query highlighted."""
        try:
            conversation = self.store.conversation(conversation_id)
        except VeritraceError as error:
            self.summary.setText(str(error))
            return
        query = self.shown.session_filter.text if self.shown else ""
        self.review.show_review(conversation, query, hit.turn_id if hit else None, hit.field if hit else None)
        self.conversation_opened.emit(conversation_id)

    def _on_hits_item_activated(self, item: QListWidgetItem) -> None:
        hit: SearchHit = item.data(Qt.ItemDataRole.UserRole)
        if self.review.shown_conversation_id == hit.conversation_id:  # no need to lay it out again
            self.review.highlight(
                self.shown.session_filter.text if self.shown else "", hit.turn_id, hit.field
            )
            self.conversation_opened.emit(hit.conversation_id)
        else:
            self.open_conversation(hit.conversation_id, hit)

    def _on_table_activated(self, index: QModelIndex) -> None:
        summary = self.table_model.rows[index.row()]
        if self.review.shown_conversation_id != summary.id:
            self.open_conversation(summary.id)

    def show_prompt_tokens(self, turn_id: int) -> PromptTokensDialog:
        """Open a turn's prompt as tokens; they are read in the background."""
        dialog = PromptTokensDialog(turn_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        source, store = self._prompt_tokens, self.store

        def read(_cancel: CancelToken) -> PromptTokenView:
            if source is not None:
                return source(turn_id).result()
            return prompt_token_view(store.turn(turn_id), None, None)

        def done(view: PromptTokenView) -> None:
            if shiboken6.isValid(dialog):  # not closed meanwhile
                dialog.set_view(view)

        def failed(words: str) -> None:
            if shiboken6.isValid(dialog):
                dialog.set_failure(words)

        self._token_reads.start(read, done, failed, doing="Reading the prompt's tokens")
        dialog.show()
        self.prompt_tokens_opened.emit(dialog)
        return dialog

    def _on_review_image_activated(self, sha256: str) -> None:
        try:
            data = self.store.image_data(sha256)
        except VeritraceError as error:
            self.summary.setText(str(error))
            return
        viewer = ImageViewer(data, f"SHA-256 {sha256}", self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()

    def _on_table_selection_changed(self, *_: object) -> None:
        self.export_selected.setEnabled(bool(self.selected_ids()))

    def selected_ids(self) -> list[int]:
        """The selected conversations, in the table's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.table_model.rows[row].id for row in rows]

    def result_ids(self) -> list[int]:
        """Every conversation the current search found, in the table's order."""
        return [summary.id for summary in self.table_model.rows]

    # -- exporting ------------------------------------------------------------------------

    def _on_export_selected_clicked(self) -> None:
        ids = self.selected_ids()
        if ids and self.shown is not None:
            label = scope_label(
                self.shown.session_filter, len(self.shown.conversations), self.model.currentText(), len(ids)
            )
            self.export_requested.emit(ids, label)

    def _on_export_results_clicked(self) -> None:
        ids = self.result_ids()
        if ids and self.shown is not None:
            self.export_requested.emit(
                ids, scope_label(self.shown.session_filter, len(ids), self.model.currentText())
            )

    def closeEvent(self, event: Any) -> None:
        self._debounce.stop()
        self.wait()
        super().closeEvent(event)


def _fit_list(combo: QComboBox) -> None:
    """Let a combo box's list show its longest choice whole, however narrow the box, and the box
    grow no wider than that choice."""
    longest = combo.view().sizeHintForColumn(0) + 8
    combo.view().setMinimumWidth(longest)
    combo.setMaximumWidth(max(longest + 40, combo.minimumSizeHint().width()))


def _date_edit() -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))  # the locale's way
    return edit


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


def _models(summaries: list[ConversationSummary]) -> list[ModelFile]:
    """Every model used, once each (by ``ModelFile.key``), by name."""
    seen: dict[str, ModelFile] = {}
    for summary in summaries:
        for model in summary.models:
            seen.setdefault(model.key, model)
    return sorted(seen.values(), key=lambda model: model_names((model,)).lower())
