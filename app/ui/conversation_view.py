"""The conversation: prompts and answers, Markdown rendered once a message is finished.

Record text holds whatever was typed or generated: every control or bidi character in it is
shown as its escape (``\\x1b``, ``\\u202e``, see ``app.core.text.visible_runs``) in the escape
style, here and in every pane that shows record text (``shown_html``, ``insert_shown``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFragment,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.core.report import model_identity_lines
from app.core.states import State, turn_state
from app.core.text import visible_runs
from app.core.types import Conversation, Turn, TurnStatus
from app.render.fonts import css_font_stack, with_fallbacks
from app.render.html import ESCAPE_BACKGROUND, ESCAPE_COLOUR, markdown_to_html, plain_to_html
from app.ui.attachments import has_images, thumbnail
from app.ui.signatures import BANNER_BACKGROUND, signatures_html

THUMBNAIL_HEIGHT = 72

# How a turn ended (``app.core.states``): green only for a whole, normal answer.
STATE_COLOURS = {
    State.RUNNING: "#1565c0",
    State.COMPLETED: "#2e7d32",
    State.TOKEN_LIMIT: "#b35c00",
    State.STOPPED: "#8d6e00",
    State.WINDOW_CLOSED: "#6a4c93",
    State.INTERRUPTED: "#c62828",
    State.FAILED: "#c62828",
    State.ENDED_BY_SERVER: "#b35c00",
}
# Before the words of a state that is not a whole, normal answer.
NOT_WHOLE_MARK = "⚠"

_STYLE = """
body { font-size: 10.5pt; }
.who { color: #5f6b7a; font-size: 9pt; font-weight: 600; }
.meta { color: #5f6b7a; font-size: 9pt; }
.error { color: #c62828; }
a { color: #1565c0; text-decoration: none; }
pre, code { font-family: monospace; background-color: #f1f3f5; }
"""

_WELCOME = """
<div style="color:#5f6b7a; margin-top: 40px;" align="center">
<p style="font-size: 14pt; color:#2b3440;">Ask the model anything.</p>
<p>Its reasoning appears live in the Reasoning pane; every prompt, trace and answer<br>
is recorded with the model file's hash and every run setting.</p>
<p>Ctrl+Enter sends · Esc stops</p>
</div>
"""


# QTextDocument draws <hr> black whatever its style: a one-pixel table cell is a quiet rule.
_RULE = (
    '<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:14px; margin-bottom:14px;">'
    '<tr><td style="background-color:#dde3ea; font-size:1px;">&nbsp;</td></tr></table>'
)


class ConversationView(QTextBrowser):
    """Renders a conversation; streams the live answer by appending at the end (text comes
    batched: the controller's repaint takes it from the session's output buffer).

    Model output is untrusted: links are never opened, no resource is ever loaded. The
    only images shown are the turns' own attachments, registered with the document by hash.

    Signals:
        turn_selected(int): the user asked for a turn's reasoning.
        annotate_requested(int): the user wants to annotate a turn.
        reproduce_requested(int): the user wants a turn run again and compared.
        image_activated(str): the user clicked an attached image (its SHA-256).
        images_dropped(object): a QMimeData with images was dropped on the conversation.
        conversation_shown(object): the ``Conversation`` now shown (None: a new, empty one); its
            signatures are shown above the view, not in it.
    """

    turn_selected = Signal(int)
    annotate_requested = Signal(int)
    reproduce_requested = Signal(int)
    image_activated = Signal(str)
    images_dropped = Signal(object)
    conversation_shown = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConversationView")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # Every script the model writes has a face; Arabic and Farsi paragraphs lay out
        # right to left by themselves (each block's direction follows its first letter).
        self.setFont(with_fallbacks(self.font()))
        self.document().setDefaultStyleSheet(
            _STYLE + f"pre, code {{ font-family: {css_font_stack('mono')}; }}"
        )
        self.document().setDocumentMargin(16)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.live_turn_id: int | None = None
        self.selected_turn_id: int | None = None
        self.shown_conversation_id: int | None = None
        self.image_source: Callable[[str], bytes] | None = None
        self._registered: set[str] = set()
        self.setAcceptDrops(True)
        self.setHtml(_WELCOME)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None  # never fetch: no remote, no file: resources from model output

    def show_conversation(
        self, conversation: Conversation | None, selected_turn_id: int | None = None
    ) -> None:
        self.live_turn_id = None
        self.selected_turn_id = selected_turn_id
        self.shown_conversation_id = conversation.id if conversation else None
        self.conversation_shown.emit(conversation)
        if conversation is None or not conversation.turns:
            self.setHtml((_signoffs_html(conversation, signatures=False) if conversation else "") + _WELCOME)
            return
        self._register(conversation.turns)
        parts = [_signoffs_html(conversation, signatures=False)]
        parts += [
            _turn_html(turn, turn.id == selected_turn_id, conversation.locked) for turn in conversation.turns
        ]
        self.setHtml("".join(parts))
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def select_turn(self, turn_id: int) -> bool:
        """Mark ``turn_id`` as the selected turn of the conversation shown; False if it is not shown.

        Only the two labels change: re-rendering a long conversation (Markdown, then layout) for
        a click would take seconds.
        """
        if self.shown_conversation_id is None or self.live_turn_id is not None:
            return False
        chosen = self._anchor_cursor(f"turn:{turn_id}")
        if chosen is None:
            return False
        previous = self._anchor_cursor(f"turn:{self.selected_turn_id}") if self.selected_turn_id else None
        if previous is not None:
            # Back to the weight of the line it sits in (the text just before the link).
            before = QTextCursor(self.document())
            before.setPosition(previous.selectionStart())
            self._set_weight(previous, before.charFormat().fontWeight())
        self._set_weight(chosen, QFont.Weight.Bold)
        self.selected_turn_id = turn_id
        return True

    @staticmethod
    def _set_weight(cursor: QTextCursor, weight: int | QFont.Weight) -> None:
        style = QTextCharFormat()
        style.setFontWeight(weight)
        cursor.mergeCharFormat(style)

    def _anchor_cursor(self, href: str) -> QTextCursor | None:
        """A cursor selecting the text of the link to ``href``, if the document has one."""
        for fragment in text_fragments(self.document()):
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(self.document())
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                return cursor
        return None

    def begin_live(self, conversation: Conversation | None, turn: Turn, answer_so_far: str = "") -> None:
        """Show finished turns rendered, then the live turn with its answer as plain text."""
        earlier = [t for t in conversation.turns if t.id != turn.id] if conversation else []
        self.conversation_shown.emit(conversation)
        self._register([*earlier, turn])
        self.setHtml("".join(_turn_html(t, False) for t in earlier) + _live_html(turn))
        self._go_live(turn, answer_so_far)

    def continue_live(self, turn: Turn) -> bool:
        """Add a new live turn below the conversation already shown; False if it is not shown.

        Appending avoids re-rendering every earlier turn on the GUI thread while the
        prompt is being prefilled.
        """
        shown = self.shown_conversation_id == turn.conversation_id and self.live_turn_id is None
        if not (shown or (turn.index == 0 and self.shown_conversation_id is None)):
            return False
        self._register([turn])
        if turn.index == 0:
            self.conversation_shown.emit(None)  # a new conversation: nothing signed yet
            self.setHtml(_live_html(turn))
        else:
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertHtml(_live_html(turn))
        self._go_live(turn, "")
        return True

    def _go_live(self, turn: Turn, answer_so_far: str) -> None:
        self.live_turn_id = turn.id
        self.selected_turn_id = turn.id
        self.shown_conversation_id = turn.conversation_id
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        # A fresh block in the body style: the live answer must not inherit the header's.
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        if answer_so_far:
            self._append_now(answer_so_far)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def append_answer(self, text: str) -> None:
        if self.live_turn_id is not None:
            self._append_now(text)

    def _append_now(self, text: str) -> None:
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        insert_shown(cursor, text)
        if at_bottom:
            bar.setValue(bar.maximum())

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == "turn" and url.path().isdigit():
            self.turn_selected.emit(int(url.path()))
        elif url.scheme() == "annotate" and url.path().isdigit():
            self.annotate_requested.emit(int(url.path()))
        elif url.scheme() == "reproduce" and url.path().isdigit():
            self.reproduce_requested.emit(int(url.path()))
        elif url.scheme() == "image":
            self.image_activated.emit(url.path())

    def _register(self, turns: Iterable[Turn]) -> None:
        """Give the document the thumbnails of these turns' images (by hash, once each)."""
        if self.image_source is None:
            return
        for turn in turns:
            for image in turn.images:
                if image.sha256 in self._registered:
                    continue
                picture = thumbnail(self.image_source(image.sha256), THUMBNAIL_HEIGHT)
                self.document().addResource(
                    QTextDocument.ResourceType.ImageResource.value, QUrl(f"thumb:{image.sha256}"), picture
                )
                self._registered.add(image.sha256)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if has_images(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if has_images(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if has_images(event.mimeData()):
            self.images_dropped.emit(event.mimeData())
            event.acceptProposedAction()
        else:
            super().dropEvent(event)


def text_fragments(document: QTextDocument) -> Iterator[QTextFragment]:
    """Every run of same-formatted text in ``document``, in order, tables and frames included."""
    block = document.begin()
    while block.isValid():
        runs = block.begin()
        while not runs.atEnd():
            yield runs.fragment()
            runs += 1
        block = block.next()


def shown_html(text: str) -> str:
    """Record text as HTML for the window: escaped, line breaks kept, control characters as escapes."""
    return plain_to_html(text, escapes=True)


def answer_html(answer: str) -> str:
    """A turn's answer rendered from Markdown for the window, or a note that there is none."""
    if not answer.strip():
        return '<p class="meta"><i>No answer.</i></p>'
    return markdown_to_html(answer, escapes=True)


def insert_shown(cursor: QTextCursor, text: str) -> None:
    """Insert record text at ``cursor``, control characters as escapes in the escape style."""
    runs = visible_runs(text)
    if len(runs) > 1 or runs[0][1]:  # escapes: the paragraph so far decides how they must be marked
        runs = visible_runs(text, cursor.block().text()[: cursor.positionInBlock()])
    body = QTextCharFormat()  # not the format of what is before it: the live answer follows a header
    escape = QTextCharFormat()
    escape.setForeground(QColor(ESCAPE_COLOUR))
    escape.setBackground(QColor(ESCAPE_BACKGROUND))
    for piece, escaped in runs:
        if piece:
            cursor.insertText(piece, escape if escaped else body)


def state_html(turn: Turn) -> str:
    """How ``turn`` ended, in its state's words and colour; a state that is not a whole, normal
    answer (the token limit, a stop, a failure with its reason) is marked and set in bold."""
    ended = turn_state(turn)
    colour = STATE_COLOURS[ended.state]
    if ended.whole:
        return f'<span style="color:{colour}">{shown_html(ended.words)}</span>'
    return f'<span style="color:{colour}; font-weight:600;">{NOT_WHOLE_MARK} {shown_html(ended.words)}</span>'


def error_html(turn: Turn) -> str:
    """The turn's recorded error, unless its state's words already give it (a failure's reason)."""
    if not turn.error or turn_state(turn).state is State.FAILED:
        return ""
    return f'<p class="error">{shown_html(turn.error)}</p>'


def _live_html(turn: Turn) -> str:
    running = STATE_COLOURS[State.RUNNING]
    return (
        _prompt_html(turn)
        + f'<p class="who">MODEL{_where_html(turn)} · <span style="color:{running}">generating…</span></p>'
    )


def _where_html(turn: Turn) -> str:
    """Plainly, for a turn that did not run on this computer: where it ran, as which model."""
    return f" · {shown_html(turn.where_it_ran())}" if turn.ran_remotely else ""


def _prompt_html(turn: Turn) -> str:
    time = turn.started_at[11:16] if len(turn.started_at) >= 16 else turn.started_at
    return (
        f'<p class="who">YOU · {shown_html(turn.os_user)} · {shown_html(time)} UTC</p>'
        '<table width="100%" cellpadding="10" cellspacing="0" style="background-color:#eef2f7;">'
        f"<tr><td>{_images_html(turn)}{shown_html(turn.prompt)}</td></tr></table>"
    )


def _images_html(turn: Turn) -> str:
    if not turn.images:
        return ""
    tiles = "".join(
        f'<a href="image:{sha}"><img src="thumb:{sha}" height="{THUMBNAIL_HEIGHT}"></a>&nbsp;'
        for sha in (image.sha256 for image in turn.images)
    )
    seen = all(image.sent_to_model for image in turn.images)
    note = (
        ""
        if seen
        else '<br><span class="meta"><i>Not seen by the model: it had no vision projector.</i></span>'
    )
    return f"<p>{tiles}{note}</p>"


FLAG_COLOURS = {"ok": "#2e7d32", "concern": "#8d6e00", "error": "#c62828"}


def _signoffs_html(conversation: Conversation, *, signatures: bool = True) -> str:
    """The link to the signed conversation this one continues, and (with ``signatures``) every
    signature in full (the window shows those above the view, in its banner)."""
    signed = signatures_html(conversation) if signatures else ""
    if not signed and conversation.continues is None:
        return ""
    continues = (
        f'<p style="margin:0 0 6px 0;">Continues signed conversation {conversation.continues}.</p>'
        if conversation.continues is not None
        else ""
    )
    return (
        f'<table width="100%" cellpadding="8" cellspacing="0" style="background-color:{BANNER_BACKGROUND};">'
        f"<tr><td>{continues}{signed}</td></tr></table><p></p>"
    )


def _annotations_html(turn: Turn) -> str:
    return "".join(
        f'<p class="meta"><span style="color:{FLAG_COLOURS.get(str(note.flag), "#5f6b7a")}"><b>'
        f"⚑ {shown_html(str(note.flag).upper())}</b></span> {shown_html(note.comment)} "
        f"— {shown_html(note.author)}, {shown_html(note.created_at[:16].replace('T', ' '))} UTC</p>"
        for note in turn.annotations
    )


def _turn_html(turn: Turn, selected: bool, locked: bool = False) -> str:
    details = [state_html(turn)]
    if turn.ran_remotely:  # in words, fingerprint included: a remote model has no file hash
        details.append(shown_html(model_identity_lines(turn)[0]))
    if turn.completion_tokens:
        about = "about " if turn.usage_source == "approximate" else ""
        details.append(f"{about}{turn.completion_tokens} tokens")
    if turn.tokens_per_second:
        details.append(f"{turn.tokens_per_second:.1f} tok/s")
    words = len(turn.reasoning.split())
    label = f"Reasoning ({words:,} words)" if turn.reasoning else "No reasoning"
    link = f'<a href="turn:{turn.id}">{"<b>" + label + "</b>" if selected else label}</a>'
    if not locked and turn.status != TurnStatus.RUNNING:
        link += f' · <a href="annotate:{turn.id}">Annotate</a>'
    if turn.status != TurnStatus.RUNNING:  # a signed conversation can be reproduced too
        link += f' · <a href="reproduce:{turn.id}">Reproduce</a>'
    return (
        _prompt_html(turn)
        + f'<p class="who">MODEL · {" · ".join(details)} · {link}</p>'
        + answer_html(turn.answer)
        + error_html(turn)
        + _annotations_html(turn)
        + _RULE
    )
