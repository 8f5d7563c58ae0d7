"""The signatures on a conversation, shown in full above it: who signed, as what, why, and when.

A personal signature names the signer, their role, the meaning and the statement of what it
signifies, the reason, the time in UTC and in the signer's local time, and the fingerprint of
the signer's own key. A sign-off recorded before personal identities carries only a typed name
and was signed with the installation's key: it is shown as such, never dressed up as personal.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QTextBrowser, QVBoxLayout, QWidget

from app.core.types import Conversation, Meaning, SignOff
from app.render.html import plain_to_html
from app.ui.theme import current
from app.ui.words import meaning as meaning_words

# The theme's role for each meaning, on the banner's background.
MEANING_ROLES = {Meaning.REVIEWED: "link", Meaning.APPROVED: "ok", Meaning.REJECTED: "danger"}
MAX_BANNER_HEIGHT = 220  # about one and a half signatures; beyond this the banner scrolls
LOCKED_NOTE = str(
    QT_TRANSLATE_NOOP(
        "SignaturesBanner",
        "Signed, and locked: nothing in this conversation can change. "
        "Review ▸ Continue in a new conversation to discuss it further.",
    )
)


# The default statements of what a signature means (app.services.config), to be read in the
# window's language beside the words signed: a signature covers its statement as worded, in the
# record's language; a statement the settings word otherwise has no reading here.
STATEMENT_READINGS = (
    str(
        QT_TRANSLATE_NOOP(
            "SignaturesBanner",
            "I have reviewed this conversation's prompts, reasoning and answers as recorded.",
        )
    ),
    str(
        QT_TRANSLATE_NOOP(
            "SignaturesBanner", "I approve this conversation's answers for the purpose stated in the reason."
        )
    ),
    str(
        QT_TRANSLATE_NOOP(
            "SignaturesBanner", "I reject this conversation's answers; they must not be relied on."
        )
    ),
)


def statement_reading(statement: str) -> str:
    """``statement`` in the window's language, for reading only ("" where there is none: the
    window speaks English, or the settings word the statement otherwise)."""
    reading = (
        QCoreApplication.translate("SignaturesBanner", statement) if statement in STATEMENT_READINGS else ""
    )
    return reading if reading != statement else ""


def shown_html(text: str) -> str:
    """Record text as HTML: escaped, line breaks kept, control characters as escapes."""
    return plain_to_html(text, escapes=True, colours=current().render_colours())


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
    colour = getattr(current(), MEANING_ROLES.get(signoff.meaning, "banner_text"))
    meaning = f'<b style="color:{colour};">{shown_html(meaning_words(signoff.meaning).upper())}</b>'
    reason = QCoreApplication.translate("SignaturesBanner", "Reason: {reason}").format(
        reason=shown_html(signoff.reason)
    )
    signed = QCoreApplication.translate("SignaturesBanner", "Signed {when}").format(
        when=shown_html(readable_utc(signoff.signed_at))
    )
    if not signoff.personal:
        typed = QCoreApplication.translate(
            "SignaturesBanner", "typed name <b>{name}</b> (system account {account})"
        ).format(name=shown_html(signoff.printed_name), account=shown_html(signoff.os_user))
        older = QCoreApplication.translate(
            "SignaturesBanner",
            "An older sign-off: a name typed in, signed with this installation's key, "
            "not with a personal key.",
        )
        return f"{meaning} — {typed}<br><i>{older}</i><br>{reason}<br>{signed}"
    role = f", {shown_html(signoff.role)}" if signoff.role else ""
    local = (
        " · "
        + QCoreApplication.translate("SignaturesBanner", "signer's local time {when}").format(
            when=shown_html(readable_local(signoff.signed_at_local))
        )
        if signoff.signed_at_local
        else ""
    )
    # The statement is signed as worded: shown as recorded, never translated.
    statement = f"<br><i>“{shown_html(signoff.statement)}”</i>" if signoff.statement else ""
    reading = statement_reading(signoff.statement)
    if reading:
        words = QCoreApplication.translate("SignaturesBanner", "Translation, for reading only: “{reading}”")
        statement += f"<br><i>{shown_html(words.format(reading=reading))}</i>"
    signer = QCoreApplication.translate("SignaturesBanner", "signed by <b>{name}</b>").format(
        name=shown_html(signoff.printed_name)
    )
    key = QCoreApplication.translate("SignaturesBanner", "Key fingerprint {fingerprint}").format(
        fingerprint=f'<span style="font-family:monospace;">{shown_html(signoff.fingerprint)}</span>'
    )
    return f"{meaning} — {signer}{role}{statement}<br>{reason}<br>{signed}{local}<br>{key}"


def signatures_html(conversation: Conversation) -> str:
    """The note that ``conversation`` is locked, then every signature on it ("" if unsigned)."""
    if not conversation.signoffs:
        return ""
    # The lock first: it stays in view however many signatures scroll below it.
    locked = QCoreApplication.translate("SignaturesBanner", LOCKED_NOTE)
    muted = current().banner_muted
    blocks = [f'<p style="margin-top:0; margin-bottom:6px; color:{muted};"><i>{locked}</i></p>']
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
        self.setObjectName("SignaturesBanner")  # drawn by the theme's sheet (app.ui.style)
        self.text = _Document()
        self.text.setObjectName("signaturesText")
        self.text.setAccessibleName(self.tr("Signatures"))
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
