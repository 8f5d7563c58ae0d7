"""The signatures on a conversation, shown in full above it: who signed, as what, why, and when.

A personal signature names the signer, their role, the meaning and the statement of what it
signifies, the reason, the time in UTC and in the signer's local time, and the fingerprint of
the signer's own key. A sign-off recorded before personal identities carries only a typed name
and was signed with the installation's key: it is shown as such, never dressed up as personal.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QTextBrowser, QVBoxLayout, QWidget

from app.core.types import Conversation, Meaning, SignOff
from app.render.html import plain_to_html

MEANING_COLOURS = {Meaning.REVIEWED: "#1f5fa8", Meaning.APPROVED: "#1b5e20", Meaning.REJECTED: "#b3261e"}
BANNER_BACKGROUND = "#eef6ee"
BANNER_BORDER = "#9cc49f"
MAX_BANNER_HEIGHT = 220  # about one and a half signatures; beyond this the banner scrolls
LOCKED_NOTE = (
    "Signed, and locked: nothing in this conversation can change. "
    "Review ▸ Continue in a new conversation to discuss it further."
)


def shown_html(text: str) -> str:
    """Record text as HTML: escaped, line breaks kept, control characters as escapes."""
    return plain_to_html(text, escapes=True)


def readable_utc(stamp: str) -> str:
    """2026-11-23T17:39:01.098Z -> 2026-11-23 17:39:01 UTC."""
    return stamp[:19].replace("T", " ") + " UTC" if len(stamp) >= 19 else stamp


def readable_local(stamp: str) -> str:
    """2026-11-23T18:39:01.098+01:00 -> 2026-11-23 18:39:01 UTC+01:00, the signer's clock."""
    if len(stamp) < 19:
        return stamp
    offset = stamp[19:]
    if "." in offset[:1]:
        offset = offset.lstrip(".0123456789")
    if offset in ("Z", "+00:00"):
        offset = "+00:00"
    shown = stamp[:19].replace("T", " ")
    return f"{shown} UTC{offset}" if offset else shown


def signature_html(signoff: SignOff) -> str:
    """One signature, every field a reviewer needs to defend it, as HTML (record text escaped)."""
    colour = MEANING_COLOURS.get(signoff.meaning, "#1f2933")
    meaning = f'<b style="color:{colour};">{shown_html(str(signoff.meaning).upper())}</b>'
    if not signoff.personal:
        return (
            f"{meaning} — typed name <b>{shown_html(signoff.printed_name)}</b> "
            f"(system account {shown_html(signoff.os_user)})<br>"
            "<i>An older sign-off: a name typed in, signed with this installation's key, "
            "not with a personal key.</i><br>"
            f"Reason: {shown_html(signoff.reason)}<br>"
            f"Signed {shown_html(readable_utc(signoff.signed_at))}"
        )
    role = f", {shown_html(signoff.role)}" if signoff.role else ""
    local = (
        f" · signer's local time {shown_html(readable_local(signoff.signed_at_local))}"
        if signoff.signed_at_local
        else ""
    )
    statement = f"<br><i>“{shown_html(signoff.statement)}”</i>" if signoff.statement else ""
    return (
        f"{meaning} — signed by <b>{shown_html(signoff.printed_name)}</b>{role}"
        f"{statement}<br>"
        f"Reason: {shown_html(signoff.reason)}<br>"
        f"Signed {shown_html(readable_utc(signoff.signed_at))}{local}<br>"
        f'Key fingerprint <span style="font-family:monospace;">{shown_html(signoff.fingerprint)}</span>'
    )


def signatures_html(conversation: Conversation) -> str:
    """The note that ``conversation`` is locked, then every signature on it ("" if unsigned)."""
    if not conversation.signoffs:
        return ""
    # The lock first: it stays in view however many signatures scroll below it.
    blocks = [f'<p style="margin-top:0; margin-bottom:6px; color:#3b4a3c;"><i>{LOCKED_NOTE}</i></p>']
    blocks += [
        f'<p style="margin-top:0; margin-bottom:8px;">{signature_html(signoff)}</p>'
        for signoff in conversation.signoffs
    ]
    return "".join(blocks)


class SignaturesBanner(QFrame):
    """The signatures of the conversation shown, above it; hidden when it has none.

    Its text is a read-only document: selectable with the mouse and the keyboard and read by
    screen readers. It grows with its text up to ``MAX_BANNER_HEIGHT``, then scrolls.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignaturesBanner")
        self.setStyleSheet(
            f"QFrame#SignaturesBanner {{ background: {BANNER_BACKGROUND}; "
            f"border: 1px solid {BANNER_BORDER}; border-radius: 3px; }}"
            f"QTextBrowser#signaturesText {{ background: {BANNER_BACKGROUND}; border: none; "
            "color: #1f2933; }"
            # Drawn here, or a styled banner's scroll bar falls back to a black handle.
            "QTextBrowser#signaturesText QScrollBar:vertical { background: #e1ece1; width: 10px; margin: 0; }"
            f"QTextBrowser#signaturesText QScrollBar::handle:vertical {{ background: {BANNER_BORDER}; "
            "min-height: 24px; border-radius: 4px; }"
            "QTextBrowser#signaturesText QScrollBar::add-line:vertical, "
            "QTextBrowser#signaturesText QScrollBar::sub-line:vertical { height: 0; }"
        )
        self.text = _Document()
        self.text.setObjectName("signaturesText")
        self.text.setAccessibleName("Signatures")
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, for the keyboard
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.text.document().setDocumentMargin(8)
        self.text.document().documentLayout().documentSizeChanged.connect(self._on_document_size_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.text)
        self.conversation_id: int | None = None
        self.hide()

    def show_conversation(self, conversation: Conversation | None) -> None:
        """Show ``conversation``'s signatures, or hide when there are none (or no conversation)."""
        self.conversation_id = conversation.id if conversation else None
        shown = signatures_html(conversation) if conversation is not None else ""
        self.text.setHtml(shown)
        self.text.setAccessibleDescription(self.text.toPlainText())
        self.setVisible(bool(shown))

    def _on_document_size_changed(self, size: QSizeF) -> None:
        frame = 2 * self.text.frameWidth() + 2
        self.text.setFixedHeight(min(MAX_BANNER_HEIGHT, int(size.height()) + frame))


class _Document(QTextBrowser):
    """A read-only document that fetches nothing and opens no link."""

    def __init__(self) -> None:
        super().__init__()
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())
