"""A read-only view of a whole conversation for review, reasoning included, with matches highlighted."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from app.core.report import model_identity_lines
from app.core.types import Conversation, SearchField, Turn, TurnStatus
from app.ui.conversation_view import (
    _RULE,
    ConversationView,
    _annotations_html,
    _prompt_html,
    _signoffs_html,
    answer_html,
    error_html,
    shown_html,
    state_html,
)

MATCH_COLOUR = "#ffe08a"
CURRENT_COLOUR = "#ff9f43"
_EMPTY = (
    '<p class="meta" align="center" style="margin-top:40px;">'
    "Open a conversation or a search hit to review it here, read-only.</p>"
)
MAX_HIGHLIGHTS = 2000  # enough to see where a common word is, without stalling on thousands

Section = tuple[int | None, SearchField]  # (turn id, field); the title has no turn


class ReviewView(ConversationView):
    """The conversation view's rendering, read-only, with each turn's reasoning shown inline.

    Nothing here changes the record: no annotate links, no drops. ``show_review`` remembers
    where each turn's prompt, reasoning, answer and notes start and end in the document, so a
    search hit can be scrolled to and its match told apart from the other highlights.

    Signals:
        tokens_requested(int): the user asked to see a turn's prompt as tokens.
    """

    tokens_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewView")
        self.setAcceptDrops(False)
        self.setHtml(_EMPTY)
        self.sections: dict[Section, tuple[int, int]] = {}
        self.current_match: QTextCursor | None = None
        self.match_count = 0

    def show_review(
        self,
        conversation: Conversation | None,
        query: str = "",
        turn_id: int | None = None,
        field: SearchField | None = None,
    ) -> None:
        """Render ``conversation``, highlight ``query`` and scroll to the match in (turn, field)."""
        self.sections = {}
        self.current_match = None
        self.shown_conversation_id = conversation.id if conversation else None
        self.clear()
        if conversation is None:
            return
        self._register(conversation.turns)
        cursor = QTextCursor(self.document())
        self._insert(cursor, (None, SearchField.TITLE), _header_html(conversation))
        for turn in conversation.turns:
            self._insert(cursor, (turn.id, SearchField.PROMPT), _prompt_html(turn))
            self._insert(cursor, None, _model_html(turn))
            if turn.reasoning:
                self._insert(cursor, (turn.id, SearchField.REASONING), _reasoning_html(turn))
            self._insert(cursor, (turn.id, SearchField.ANSWER), _answer_html(turn))
            self._insert(cursor, (turn.id, SearchField.ANNOTATION), _annotations_html(turn) + _RULE)
        self.highlight(query, turn_id, field)

    def _insert(self, cursor: QTextCursor, section: Section | None, fragment: str) -> None:
        if cursor.position() > 0:  # a block of its own: inserted HTML would join the last paragraph
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        start = cursor.position()
        cursor.insertHtml(fragment)
        if section is not None:
            self.sections[section] = (start, cursor.position())

    def highlight(self, query: str, turn_id: int | None = None, field: SearchField | None = None) -> None:
        """Mark every match of ``query``; scroll to the first in (turn, field), else in the turn, else any."""
        query = query.strip()
        wanted = (turn_id, field or SearchField.PROMPT) if turn_id is not None else None
        matches: list[QTextCursor] = []
        if query:
            found = self.document().find(query, 0)
            while not found.isNull() and len(matches) < MAX_HIGHLIGHTS:
                matches.append(found)
                found = self.document().find(query, found)
        self.match_count = len(matches)
        current = self._pick(matches, wanted)
        selections = []
        for match in matches:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = match
            selection.format = _background(CURRENT_COLOUR if match is current else MATCH_COLOUR)
            selections.append(selection)
        self.setExtraSelections(selections)
        self.current_match = current
        if current is not None:
            place = QTextCursor(current)
            place.clearSelection()
            self.setTextCursor(place)
            self.ensureCursorVisible()
        elif wanted is not None and wanted in self.sections:
            self._scroll_to(self.sections[wanted][0])
        else:
            self.verticalScrollBar().setValue(0)

    def _pick(self, matches: list[QTextCursor], wanted: Section | None) -> QTextCursor | None:
        if not matches:
            return None
        if wanted is None:
            return matches[0]
        turn_id = wanted[0]
        regions = [self.sections.get(wanted)] + [
            span for (turn, _), span in self.sections.items() if turn == turn_id
        ]
        for region in regions:
            if region is None:
                continue
            start, end = region
            for match in matches:
                if start <= match.selectionStart() and match.selectionEnd() <= end:
                    return match
        return matches[0]

    def _scroll_to(self, position: int) -> None:
        place = QTextCursor(self.document())
        place.setPosition(position)
        self.setTextCursor(place)
        self.ensureCursorVisible()

    def _on_anchor_clicked(self, url: QUrl) -> None:
        # Nothing that changes the record: look at an attached image, or at a prompt's tokens.
        if url.scheme() == "image":
            self.image_activated.emit(url.path())
        elif url.scheme() == "tokens" and url.path().isdigit():
            self.tokens_requested.emit(int(url.path()))


def _background(colour: str) -> QTextCharFormat:
    shade = QTextCharFormat()
    shade.setBackground(QColor(colour))
    return shade


def _header_html(conversation: Conversation) -> str:
    created = conversation.created_at[:16].replace("T", " ")
    return (
        f'<p style="font-size:13pt; font-weight:600;">{shown_html(conversation.title)}</p>'
        f'<p class="meta">Conversation {conversation.id} · created {shown_html(created)} UTC by '
        f"{shown_html(conversation.created_by)} · read-only review</p>" + _signoffs_html(conversation)
    )


def _model_html(turn: Turn) -> str:
    details = [state_html(turn)]
    if turn.completion_tokens:
        split = ""
        if turn.reasoning_tokens is not None and turn.answer_tokens is not None:
            split = f" ({turn.reasoning_tokens} reasoning · {turn.answer_tokens} answer)"
        details.append(f"{turn.completion_tokens} tokens{split}")
    if turn.prompt_token_blob is not None:
        details.append(f'<a href="tokens:{turn.id}">Prompt as tokens</a>')
    identity = "<br>".join(shown_html(line) for line in model_identity_lines(turn))
    return f'<p class="who">MODEL · {" · ".join(details)}</p><p class="meta">{identity}</p>'


def _reasoning_html(turn: Turn) -> str:
    return (
        '<p class="who">REASONING</p>'
        '<table width="100%" cellpadding="8" cellspacing="0" style="background-color:#fbf8f1;">'
        f'<tr><td style="color:#3d3a33;">{shown_html(turn.reasoning)}</td></tr></table>'
    )


def _answer_html(turn: Turn) -> str:
    running = (
        '<p class="meta"><i>Still running when this view was opened.</i></p>'
        if turn.status == TurnStatus.RUNNING
        else ""
    )
    return answer_html(turn.answer) + error_html(turn) + running
