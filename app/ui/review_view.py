"""A read-only view of a whole conversation for review, reasoning included, with matches highlighted."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QUrl, Signal
from PySide6.QtGui import QColor, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from app.core.report import model_identity_lines
from app.core.types import Conversation, HashCheck, ModelFile, SearchField, Turn, TurnStatus
from app.ui.conversation_view import (
    ConversationView,
    _annotations_html,
    _prompt_html,
    _signoffs_html,
    answer_html,
    error_html,
    rule_html,
    shown_html,
    state_html,
)
from app.ui.theme import current
from app.ui.words import counted, number, utc_date_time

_EMPTY = str(
    QT_TRANSLATE_NOOP("ReviewView", "Open a conversation or a search hit to review it here, read-only.")
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
        self.setAccessibleName(self.tr("Review"))
        self.setAccessibleDescription(
            self.tr(
                "The conversation opened, read-only, each turn's reasoning included, the search's "
                "matches highlighted. Tab moves between its links; Enter follows the one in focus."
            )
        )
        self.setAcceptDrops(False)
        empty = QCoreApplication.translate("ReviewView", _EMPTY)
        self.setHtml(f'<p class="meta" align="center" style="margin-top:40px;">{empty}</p>')
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
        self._reviewed = (conversation, query, turn_id, field)
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
            self._insert(cursor, (turn.id, SearchField.ANNOTATION), _annotations_html(turn) + rule_html())
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
        theme = current()
        current_match = self._pick(matches, wanted)
        selections = []
        for match in matches:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = match
            selection.format = _background(theme.current_match if match is current_match else theme.match)
            selections.append(selection)
        self.setExtraSelections(selections)
        self.current_match = current_match
        if current_match is not None:
            place = QTextCursor(current_match)
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

    def redraw(self) -> None:
        """Draw the review again (in the theme now shown), at the same match."""
        reviewed = getattr(self, "_reviewed", None)
        if reviewed is not None:
            self.show_review(*reviewed)

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
    created = utc_date_time(conversation.created_at)
    meta = QCoreApplication.translate(
        "ReviewView", "Conversation {number} · created {when} by {who} · read-only review"
    ).format(number=conversation.id, when=shown_html(created), who=shown_html(conversation.created_by))
    return (
        f'<p style="font-size:13pt; font-weight:600;">{shown_html(conversation.title)}</p>'
        f'<p class="meta">{meta}</p>' + _signoffs_html(conversation)
    )


def _model_html(turn: Turn) -> str:
    details = [state_html(turn)]
    if turn.completion_tokens:
        tokens = counted().tokens(turn.completion_tokens)
        if turn.reasoning_tokens is not None and turn.answer_tokens is not None:
            tokens += " " + QCoreApplication.translate(
                "ReviewView", "({reasoning} reasoning · {answer} answer)"
            ).format(reasoning=number(turn.reasoning_tokens), answer=number(turn.answer_tokens))
        details.append(tokens)
    if turn.prompt_token_blob is not None:
        link = QCoreApplication.translate("ReviewView", "Prompt as tokens")
        details.append(f'<a href="tokens:{turn.id}">{link}</a>')
    identity = "<br>".join(shown_html(line) for line in model_words(turn))
    model = QCoreApplication.translate("ReviewView", "MODEL")
    return f'<p class="who">{model} · {" · ".join(details)}</p><p class="meta">{identity}</p>'


def model_words(turn: Turn) -> list[str]:
    """Which model (and projector) produced ``turn``, as the reports say it, in the window's
    language for a local file; a server's model in the reports' own words (its exchange in detail)."""
    if turn.ran_remotely or turn.model.is_remote:
        return model_identity_lines(turn)
    lines = [_file_words("model", turn.model, turn.model_check, turn.model_expected)]
    if turn.projector is not None:
        lines.append(_file_words("projector", turn.projector, turn.projector_check, turn.projector_expected))
    return lines


_CHECKS = {
    HashCheck.VERIFIED: str(
        QT_TRANSLATE_NOOP(
            "ReviewView", "verified: the whole file was hashed for this load before the turn began"
        )
    ),
    HashCheck.CACHED: str(
        QT_TRANSLATE_NOOP(
            "ReviewView",
            "from the hash cache (same device, file ID, size, modification and change time); "
            "not verified for this load: the app stopped before its hash finished",
        )
    ),
    HashCheck.UNHASHED: str(
        QT_TRANSLATE_NOOP("ReviewView", "not hashed: the app stopped before this load's hash finished")
    ),
    HashCheck.UNVERIFIABLE: str(
        QT_TRANSLATE_NOOP(
            "ReviewView",
            "not verifiable: the file was written to while loaded, so the bytes that ran are unknown",
        )
    ),
}


def _check_words(check: HashCheck | None, sha256: str, expected: str | None) -> str:
    """``HashCheck.words`` in the window's language."""
    if check is None:
        return QCoreApplication.translate(
            "ReviewView",
            "not verified at load (recorded before load-time hashing; cached by path, size and time)",
        )
    if check is HashCheck.VERIFIED_AFTER and expected:
        return QCoreApplication.translate(
            "ReviewView",
            "verified after the turn: this load's full hash finished later and matched the cache",
        )
    if check is HashCheck.VERIFIED_AFTER:
        return QCoreApplication.translate(
            "ReviewView", "hashed after the turn: this load's full hash finished after the turn began"
        )
    if check is HashCheck.MISMATCH:
        return QCoreApplication.translate(
            "ReviewView",
            "MISMATCH: the hash cache said {expected}, the file that loaded hashes to {sha256}; "
            "the turn was stopped or ran before this was known",
        ).format(expected=expected, sha256=sha256)
    return QCoreApplication.translate("ReviewView", _CHECKS[check])


def _file_words(role: str, file: ModelFile, check: HashCheck | None, expected: str | None) -> str:
    words = _check_words(check, file.sha256, expected)
    projector = role == "projector"
    if file.sha256:
        if projector:
            line = QCoreApplication.translate("ReviewView", "Projector {path}: SHA-256 {sha256} — {check}")
        else:
            line = QCoreApplication.translate("ReviewView", "Model {path}: SHA-256 {sha256} — {check}")
    elif check is HashCheck.UNHASHED:  # its words begin "not hashed"
        if projector:
            line = QCoreApplication.translate("ReviewView", "Projector {path}: {check}")
        else:
            line = QCoreApplication.translate("ReviewView", "Model {path}: {check}")
    elif projector:
        line = QCoreApplication.translate("ReviewView", "Projector {path}: not hashed — {check}")
    else:
        line = QCoreApplication.translate("ReviewView", "Model {path}: not hashed — {check}")
    return line.format(path=file.path, sha256=file.sha256, check=words)


def _reasoning_html(turn: Turn) -> str:
    reasoning = QCoreApplication.translate("ReviewView", "REASONING")
    theme = current()
    return (
        f'<p class="who">{reasoning}</p>'
        '<table width="100%" cellpadding="8" cellspacing="0" '
        f'style="background-color:{theme.reasoning};">'
        f'<tr><td style="color:{theme.reasoning_text};">{shown_html(turn.reasoning)}</td></tr></table>'
    )


def _answer_html(turn: Turn) -> str:
    running = ""
    if turn.status == TurnStatus.RUNNING:
        still = QCoreApplication.translate("ReviewView", "Still running when this view was opened.")
        running = f'<p class="meta"><i>{still}</i></p>'
    # Labelled as the reasoning above it is: where the trace ends and the answer begins.
    answer = QCoreApplication.translate("ReviewView", "ANSWER")
    return f'<p class="who">{answer}</p>' + answer_html(turn.answer) + error_html(turn) + running
