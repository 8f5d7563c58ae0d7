"""The conversation: prompts and answers, Markdown rendered once a message is finished.

Record text holds whatever was typed or generated: every control or bidi character in it is
shown as its escape (``\\x1b``, ``\\u202e``, see ``app.core.text.visible_runs``) in the escape
style, here and in every pane that shows record text (``shown_html``, ``insert_shown``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QUrl, Signal
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
    QTextFormat,
    QTextFragment,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.core.states import State, turn_state
from app.core.text import visible_runs
from app.core.types import Conversation, Turn, TurnStatus
from app.core.word_count import word_count
from app.render.fonts import css_font_stack, with_fallbacks
from app.render.html import markdown_to_html, plain_to_html
from app.ui.attachments import has_images, thumbnail
from app.ui.follow import BottomFollower
from app.ui.signatures import signatures_html
from app.ui.theme import STATE_ROLES, Theme, current, theme_manager
from app.ui.words import counted, flag, remote_identity, state_words, utc_date_time, utc_time, where_it_ran

THUMBNAIL_HEIGHT = 72


class _StateColours(Mapping[State, str]):
    """How a turn ended (``app.core.states``), as a colour of the theme shown: green only for a
    whole, normal answer."""

    def __getitem__(self, state: State) -> str:
        return current().state(state)

    def __iter__(self) -> Iterator[State]:
        return iter(STATE_ROLES)

    def __len__(self) -> int:
        return len(STATE_ROLES)


STATE_COLOURS: Mapping[State, str] = _StateColours()
# Before the words of a state that is not a whole, normal answer.
NOT_WHOLE_MARK = "⚠"

_STYLE = """
body {{ font-size: 10.5pt; color: {theme.text}; }}
.who {{ color: {theme.muted}; font-size: 9pt; font-weight: 600; }}
.meta {{ color: {theme.muted}; font-size: 9pt; }}
.error {{ color: {theme.danger}; }}
.welcome {{ color: {theme.muted}; }}
.welcome-title {{ color: {theme.text}; }}
a {{ color: {theme.link}; text-decoration: none; }}
pre, code {{ font-family: monospace; background-color: {theme.surface}; }}
"""


def document_style(theme: Theme) -> str:
    """The conversation document's style sheet in ``theme``'s colours."""
    return _STYLE.format(theme=theme) + f"pre, code {{ font-family: {css_font_stack('mono')}; }}"


def _welcome_html() -> str:
    """What an empty conversation shows, in the window's language."""
    title = QCoreApplication.translate("ConversationView", "Ask the model anything.")
    body = QCoreApplication.translate(
        "ConversationView",
        "Its reasoning appears live in the Reasoning pane; every prompt, trace and answer "
        "is recorded with the model file's hash and every run setting.",
    )
    keys = QCoreApplication.translate("ConversationView", "Ctrl+Enter sends · Esc stops")
    return (
        '<div class="welcome" style="margin-top: 40px;" align="center">'
        f'<p class="welcome-title" style="font-size: 14pt;">{title}</p>'
        f"<p>{body}</p><p>{keys}</p></div>"
    )


# QTextDocument draws <hr> black whatever its style: a one-pixel table cell is a quiet rule.
_RULE = (
    '<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:14px; margin-bottom:14px;">'
    '<tr><td style="background-color:{}; font-size:1px;">&nbsp;</td></tr></table>'
)


def rule_html() -> str:
    """A quiet rule between turns, in the theme's divider colour."""
    return _RULE.format(current().divider)


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
        self.setAccessibleName(self.tr("Conversation"))
        self.setAccessibleDescription(
            self.tr(
                "The prompts and answers of the conversation shown, read-only. Tab moves between its "
                "links (a turn's reasoning, Annotate, Reproduce) and Enter follows the one in focus."
            )
        )
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # Every script the model writes has a face; Arabic and Farsi paragraphs lay out
        # right to left by themselves (each block's direction follows its first letter).
        self.setFont(with_fallbacks(self.font()))
        self.document().setDefaultStyleSheet(document_style(current()))
        self.document().setDocumentMargin(16)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.live_turn_id: int | None = None
        self.selected_turn_id: int | None = None
        self.shown_conversation_id: int | None = None
        self.image_source: Callable[[str], bytes] | None = None
        self._registered: set[str] = set()
        self.setAcceptDrops(True)
        self.follower = BottomFollower(self)
        self.setHtml(_welcome_html())
        # What is shown, to draw it again in another theme: the conversation, or the live turn
        # (the conversation it continues, the turn, the answer so far in the pieces it came in).
        self._shown: Conversation | None = None
        self._live: tuple[Conversation | None, Turn] | None = None
        self._live_answer: list[str] = []
        theme_manager().changed.connect(self._on_theme_changed)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None  # never fetch: no remote, no file: resources from model output

    def show_conversation(
        self, conversation: Conversation | None, selected_turn_id: int | None = None
    ) -> None:
        # The same conversation again (a turn ended, an annotation): the reader keeps their place,
        # the end if they were following it. Another one opens at its end.
        if conversation is None or conversation.id != self.shown_conversation_id:
            self.follower.follow()
        with self.follower.replacing():
            self._show_conversation(conversation, selected_turn_id)

    def _show_conversation(self, conversation: Conversation | None, selected_turn_id: int | None) -> None:
        self.live_turn_id = None
        self._shown, self._live = conversation, None
        self.selected_turn_id = selected_turn_id
        self.shown_conversation_id = conversation.id if conversation else None
        self.conversation_shown.emit(conversation)
        if conversation is None or not conversation.turns:
            self.setHtml(
                (_signoffs_html(conversation, signatures=False) if conversation else "") + _welcome_html()
            )
            return
        self._register(conversation.turns)
        parts = [_signoffs_html(conversation, signatures=False)]
        parts += [
            _turn_html(turn, turn.id == selected_turn_id, conversation.locked) for turn in conversation.turns
        ]
        self.setHtml("".join(parts))

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
        self._live = (conversation, turn)
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
        self._live = (None if turn.index == 0 else self._shown, turn)
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
        self._live_answer = []
        self.live_turn_id = turn.id
        self.selected_turn_id = turn.id
        self.shown_conversation_id = turn.conversation_id
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        # A fresh block in the body style: the live answer must not inherit the header's.
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        if answer_so_far:
            self._append_now(answer_so_far)
        self.follower.follow()  # a turn starts: its output is what the reader waits for

    def append_answer(self, text: str) -> None:
        if self.live_turn_id is not None:
            self._append_now(text)

    def _append_now(self, text: str) -> None:
        self._live_answer.append(text)
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        insert_shown(cursor, text)  # the follower keeps the end in view if the reader is there

    def _on_theme_changed(self, theme: Theme) -> None:
        self.document().setDefaultStyleSheet(document_style(theme))
        self.redraw()

    def redraw(self) -> None:
        """Draw what is shown again (in the theme now shown), where it was scrolled to."""
        bar = self.verticalScrollBar()
        position, at_bottom = bar.value(), bar.value() >= bar.maximum() - 4
        if self._live is not None and self.live_turn_id is not None:
            conversation, turn = self._live
            self.begin_live(conversation, turn, "".join(self._live_answer))
        elif self.shown_conversation_id is not None and self._shown is not None:
            self.show_conversation(self._shown, self.selected_turn_id)
        elif self.shown_conversation_id is None:
            self.setHtml(_welcome_html())
        bar.setValue(bar.maximum() if at_bottom else position)

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
    return plain_to_html(text, escapes=True, colours=current().render_colours())


def answer_html(answer: str) -> str:
    """A turn's answer rendered from Markdown for the window, or a note that there is none."""
    if not answer.strip():
        return '<p class="meta"><i>{}</i></p>'.format(
            QCoreApplication.translate("ConversationView", "No answer.")
        )
    return markdown_to_html(answer, escapes=True, colours=current().render_colours())


def insert_shown(cursor: QTextCursor, text: str) -> None:
    """Insert record text at ``cursor``, control characters as escapes in the escape style."""
    runs = visible_runs(text)
    if len(runs) > 1 or runs[0][1]:  # escapes: the paragraph so far decides how they must be marked
        runs = visible_runs(text, cursor.block().text()[: cursor.positionInBlock()])
    body = QTextCharFormat()  # not the format of what is before it: the live answer follows a header
    escape = _escape_format()
    for piece, escaped in runs:
        if piece:
            cursor.insertText(piece, escape if escaped else body)


# Marks the text ``insert_shown`` set in the escape style, so another theme can colour it again.
_ESCAPE_MARK = QTextFormat.Property.UserProperty


def _escape_format() -> QTextCharFormat:
    escape = QTextCharFormat()
    theme = current()
    escape.setForeground(QColor(theme.escape))
    escape.setBackground(QColor(theme.escape_background))
    escape.setProperty(_ESCAPE_MARK, True)
    return escape


def recolour_escapes(document: QTextDocument) -> None:
    """Give the escapes ``insert_shown`` put in ``document`` the escape colours of the theme shown."""
    marked = [
        (fragment.position(), fragment.length())
        for fragment in text_fragments(document)
        if fragment.charFormat().boolProperty(_ESCAPE_MARK)
    ]
    style = _escape_format()
    for position, length in marked:
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(style)


def state_html(turn: Turn) -> str:
    """How ``turn`` ended, in its state's words and colour; a state that is not a whole, normal
    answer (the token limit, a stop, a failure with its reason) is marked and set in bold."""
    ended = turn_state(turn)
    colour = STATE_COLOURS[ended.state]
    said = shown_html(state_words(ended))
    if ended.whole:
        return f'<span style="color:{colour}">{said}</span>'
    return f'<span style="color:{colour}; font-weight:600;">{NOT_WHOLE_MARK} {said}</span>'


def error_html(turn: Turn) -> str:
    """The turn's recorded error, unless its state's words already give it (a failure's reason)."""
    if not turn.error or turn_state(turn).state is State.FAILED:
        return ""
    return f'<p class="error">{shown_html(turn.error)}</p>'


def _live_html(turn: Turn) -> str:
    running = STATE_COLOURS[State.RUNNING]
    return (
        _prompt_html(turn)
        + f'<p class="who">{_model_word()}{_where_html(turn)} · <span style="color:{running}">'
        + QCoreApplication.translate("ConversationView", "generating…")
        + "</span></p>"
    )


def _model_word() -> str:
    """The header word of a model's answer."""
    return QCoreApplication.translate("ConversationView", "MODEL")


def _where_html(turn: Turn) -> str:
    """Plainly, for a turn that did not run on this computer: where it ran, as which model."""
    return f" · {shown_html(where_it_ran(turn))}" if turn.ran_remotely else ""


def _who(turn: Turn) -> str:
    """Who asked: the reviewer's name the record gives the turn, with the system account."""
    if turn.actor and turn.actor != turn.os_user:
        return QCoreApplication.translate("ConversationView", "{name} ({account})").format(
            name=turn.actor, account=turn.os_user
        )
    return turn.os_user


def _prompt_html(turn: Turn) -> str:
    you = QCoreApplication.translate("ConversationView", "YOU")
    return (
        f'<p class="who">{you} · {shown_html(_who(turn))} · {shown_html(utc_time(turn.started_at))}</p>'
        '<table width="100%" cellpadding="10" cellspacing="0" '
        f'style="background-color:{current().surface};">'
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
        else '<br><span class="meta"><i>{}</i></span>'.format(
            QCoreApplication.translate(
                "ConversationView", "Not seen by the model: it had no vision projector."
            )
        )
    )
    return f"<p>{tiles}{note}</p>"


# The theme's role for each flag of an annotation.
FLAG_ROLES = {"ok": "ok", "concern": "caution", "error": "danger"}


def flag_colour(flag: object) -> str:
    """The colour of an annotation's flag in the theme shown."""
    return str(getattr(current(), FLAG_ROLES.get(str(flag), "muted")))


def _signoffs_html(conversation: Conversation, *, signatures: bool = True) -> str:
    """The link to the signed conversation this one continues, and (with ``signatures``) every
    signature in full (the window shows those above the view, in its banner)."""
    signed = signatures_html(conversation) if signatures else ""
    if not signed and conversation.continues is None:
        return ""
    continues = (
        '<p style="margin:0 0 6px 0;">{}</p>'.format(
            QCoreApplication.translate("ConversationView", "Continues signed conversation {number}.").format(
                number=conversation.continues
            )
        )
        if conversation.continues is not None
        else ""
    )
    return (
        f'<table width="100%" cellpadding="8" cellspacing="0" style="background-color:{current().banner};">'
        f"<tr><td>{continues}{signed}</td></tr></table><p></p>"
    )


def _annotations_html(turn: Turn) -> str:
    return "".join(
        f'<p class="meta"><span style="color:{flag_colour(note.flag)}"><b>'
        f"⚑ {shown_html(flag(note.flag).upper())}</b></span> {shown_html(note.comment)} "
        f"— {shown_html(note.author)}, {shown_html(utc_date_time(note.created_at))}</p>"
        for note in turn.annotations
    )


def _turn_html(turn: Turn, selected: bool, locked: bool = False) -> str:
    details = [state_html(turn)]
    if turn.ran_remotely:  # in words, fingerprint included: a remote model has no file hash
        details.append(shown_html(remote_identity(turn)))
    if turn.completion_tokens:
        if turn.usage_source == "approximate":
            details.append(counted().about_tokens(turn.completion_tokens))
        else:
            details.append(counted().tokens(turn.completion_tokens))
    if turn.tokens_per_second:
        details.append(counted().tokens_per_second(turn.tokens_per_second))
    label = (
        QCoreApplication.translate("ConversationView", "Reasoning ({words})").format(
            words=counted().words(word_count(turn.reasoning))
        )
        if turn.reasoning
        else QCoreApplication.translate("ConversationView", "No reasoning")
    )
    link = f'<a href="turn:{turn.id}">{"<b>" + label + "</b>" if selected else label}</a>'
    if not locked and turn.status != TurnStatus.RUNNING:
        annotate = QCoreApplication.translate("ConversationView", "Annotate")
        link += f' · <a href="annotate:{turn.id}">{annotate}</a>'
    if turn.status != TurnStatus.RUNNING:  # a signed conversation can be reproduced too
        reproduce = QCoreApplication.translate("ConversationView", "Reproduce")
        link += f' · <a href="reproduce:{turn.id}">{reproduce}</a>'
    return (
        _prompt_html(turn)
        + f'<p class="who">{_model_word()} · {" · ".join(details)} · {link}</p>'
        + answer_html(turn.answer)
        + error_html(turn)
        + _annotations_html(turn)
        + rule_html()
    )
