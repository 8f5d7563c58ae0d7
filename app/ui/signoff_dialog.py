"""Sign off a conversation: a deliberate, personal act with everything it covers in view.

The signer picks their own identity, what the signature means (its statement shown under it),
gives a reason, reads the summary of exactly what is signed — every turn and how it ended,
every concern and error flagged, every turn whose answer is not whole, the models by their
full SHA-256 — says they have read it, and unlocks their key with its passphrase. The services
sign and record; this dialog gathers the act and says what they answer, one line at a time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QTextOption
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import VeritraceError
from app.core.states import TurnState
from app.core.types import Annotation, Flag, Identity, Meaning, SignOff
from app.services.signing import WrongPassphraseError
from app.services.signoff import SignOffSummary, TooManyTries
from app.ui.background import Background, failure_words
from app.ui.conversation_view import NOT_WHOLE_MARK, STATE_COLOURS, shown_html
from app.ui.identity_dialogs import CreateIdentityDialog
from app.ui.signing_desk import Attempt, SigningDesk

MEANING_LABELS = {
    Meaning.REVIEWED: "Reviewed",
    Meaning.APPROVED: "Approved",
    Meaning.REJECTED: "Rejected",
}
ACKNOWLEDGEMENT = (
    "I have read what I am signing: every turn and how it ended, every flag and warning, and the models."
)
FLAG_COLOURS = {Flag.CONCERN: "#8a5300", Flag.ERROR: "#b3261e"}
WARNING_BACKGROUND = "#fdecea"
WARNING_BORDER = "#e0a19b"
_STYLE = """
QLabel#signoffProblem { color: #b3261e; font-weight: 600; }
QLabel#signoffHint { color: #4a5563; }
QLabel#signoffStatement {
    color: #1f2933; background: #f4f6f8; border: 1px solid #dde3ea; border-radius: 3px; padding: 6px;
}
QTextBrowser#signoffSummary { border: 1px solid #c9d2dc; background: white; }
"""


def identity_label(identity: Identity) -> str:
    role = f" — {identity.role}" if identity.role else ""
    return f"{identity.name}{role} · key {identity.fingerprint}"


def summary_html(summary: SignOffSummary) -> str:
    """Everything the signature covers, as HTML for the dialog (record text escaped)."""
    parts = [
        f'<p style="margin-top:0;"><b>Conversation {summary.conversation_id}</b> · '
        f"{shown_html(summary.title)}</p>"
    ]
    if summary.warnings:
        items = "".join(f"<li>{shown_html(line)}</li>" for line in summary.warnings)
        parts.append(
            f'<table width="100%" cellpadding="8" cellspacing="0" '
            f'style="background-color:{WARNING_BACKGROUND}; border:1px solid {WARNING_BORDER};">'
            f'<tr><td style="color:#8c1d18;"><b>{NOT_WHOLE_MARK} Read these before you sign</b>'
            f'<ul style="margin-top:4px; margin-bottom:0;">{items}</ul></td></tr></table>'
        )
    parts.append(f"<p><b>Turns ({len(summary.turns)})</b></p>")
    for turn in summary.turns:
        parts.append(
            f'<p style="margin-top:2px; margin-bottom:2px;">Turn {turn.number} · '
            f"{_state_html(turn.state)} · <i>{shown_html(turn.prompt)}</i></p>"
        )
        for flag_line in _flag_lines(turn.flags):
            parts.append(flag_line)
    parts.append("<p><b>Models</b></p>")
    for label, sha256 in summary.models:
        parts.append(
            f'<p style="margin-top:2px; margin-bottom:2px;">{shown_html(label)}<br>'
            f'SHA-256 <span style="font-family:monospace;">{shown_html(sha256)}</span></p>'
        )
    if not summary.models:
        parts.append("<p><i>No model ran in this conversation.</i></p>")
    parts.append(
        "<p><b>Content</b><br>SHA-256 of every recorded row of the conversation: "
        f'<span style="font-family:monospace;">{shown_html(summary.content_sha256)}</span></p>'
    )
    return "".join(parts)


def _state_html(state: TurnState) -> str:
    colour = STATE_COLOURS.get(state.state, "#1f2933")
    if state.whole:
        return f'<span style="color:{colour};">{shown_html(state.words)}</span>'
    return f'<b style="color:{colour};">{NOT_WHOLE_MARK} {shown_html(state.words)}</b>'


def _flag_lines(flags: tuple[Annotation, ...]) -> list[str]:
    return [
        '<p style="margin-top:0; margin-bottom:2px; margin-left:18px;">'
        f'<b style="color:{FLAG_COLOURS.get(note.flag, "#2e7d32")};">'
        f"⚑ {shown_html(str(note.flag).upper())}</b> {shown_html(note.comment)}"
        f" — {shown_html(note.author)}</p>"
        for note in flags
    ]


class SignOffDialog(QDialog):
    """Gathers a personal signature and has the services sign and record it.

    Signals:
        signed(object): the ``SignOff`` recorded; the dialog then closes.
        refused(str): signing was refused for good (too many wrong passphrases); it then closes.
        summary_shown(): the summary of what is signed is on screen.
    """

    signed = Signal(object)
    refused = Signal(str)
    summary_shown = Signal()

    def __init__(
        self,
        desk: SigningDesk,
        conversation_id: int,
        parent: QWidget | None = None,
        *,
        default_name: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign off conversation")
        self.setObjectName("SignOffDialog")
        self.setStyleSheet(_STYLE)
        self._desk = desk
        self._conversation_id = conversation_id
        self._default_name = default_name
        self.summary: SignOffSummary | None = None
        self.signoff: SignOff | None = None
        self._attempt: Attempt | None = None
        self._signing = False
        self._ended = False  # refused for good: nothing more can be tried here
        self.identity_dialog: CreateIdentityDialog | None = None  # the latest one opened

        self.heading = QLabel(f"<b>Sign off conversation {conversation_id}</b>")
        self.heading.setTextFormat(Qt.TextFormat.RichText)

        self.identity = QComboBox()
        self.identity.setAccessibleName("Signing identity")
        self.identity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.identity.setMinimumContentsLength(30)
        self.no_identity = QLabel("You have no signing identity yet.")
        self.create_identity_button = QPushButton("Create a signing identity…")
        self.create_identity_button.clicked.connect(self._on_create_identity_clicked)
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.no_identity, 1)
        identity_row.addWidget(self.create_identity_button)

        self.meanings = QButtonGroup(self)
        meaning_row = QHBoxLayout()
        for meaning, label in MEANING_LABELS.items():
            button = QRadioButton(label)
            button.setProperty("meaning", str(meaning))
            self.meanings.addButton(button)
            meaning_row.addWidget(button)
        meaning_row.addStretch(1)
        self.statement = QLabel()
        self.statement.setObjectName("signoffStatement")
        self.statement.setWordWrap(True)
        self.statement.setTextFormat(Qt.TextFormat.PlainText)
        self.statement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statement.setAccessibleName("What your signature states")

        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText(
            "Why you sign, in a sentence. It is signed and recorded with your name."
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 3 + 14)

        self.summary_view = _SummaryView()
        self.summary_view.setObjectName("signoffSummary")
        self.summary_view.setAccessibleName("What you are signing")
        self.summary_view.setPlainText("Reading what you will sign…")

        self.acknowledge = QCheckBox(ACKNOWLEDGEMENT)
        self.acknowledge.setAccessibleName("I have read what I am signing")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("The passphrase of the identity chosen above")

        self.problem = QLabel()
        self.problem.setObjectName("signoffProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        self.hint = QLabel()
        self.hint.setObjectName("signoffHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setAccessibleName("What signing waits for")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.sign_button.clicked.connect(self._on_sign_clicked)

        # A grid, not a form: a form gives a wrapped label the height it would need at its narrowest.
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        rows: tuple[tuple[str, QWidget | QHBoxLayout], ...] = (
            ("Sign as", identity_row),
            ("Meaning", meaning_row),
            ("", self.statement),
            ("Reason", self.reason),
        )
        for row, (label, field) in enumerate(rows):
            if label:
                where = Qt.AlignmentFlag.AlignTop if field is self.reason else Qt.AlignmentFlag.AlignVCenter
                form.addWidget(QLabel(label), row, 0, Qt.AlignmentFlag.AlignLeft | where)
            if isinstance(field, QWidget):
                form.addWidget(field, row, 1)
            else:
                form.addLayout(field, row, 1)
        what = QLabel("<b>What you are signing</b> — the signature covers exactly this, as recorded now:")
        what.setWordWrap(True)
        passphrase_row = QFormLayout()
        passphrase_row.addRow("Passphrase", self.passphrase)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(what)
        layout.addWidget(self.summary_view, 1)
        layout.addWidget(self.acknowledge)
        layout.addLayout(passphrase_row)
        layout.addWidget(self.problem)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.resize(760, 560)  # fits a screen of 800 x 600; the summary scrolls

        self.identity.currentIndexChanged.connect(self._update)
        self.meanings.buttonToggled.connect(self._on_meaning_toggled)
        self.reason.textChanged.connect(self._update)
        self.acknowledge.toggled.connect(self._update)
        self.passphrase.textChanged.connect(self._update)

        self._on_meaning_toggled()
        self.load_identities()
        self._background = Background("sign-off", self)
        self._background.start(
            lambda _cancel: desk.signoff_summary(conversation_id),
            self._on_summary_read,
            self._on_summary_failed,
            doing="Reading the conversation",
        )

    # -- what is chosen ------------------------------------------------------------------------

    def meaning(self) -> Meaning | None:
        checked = self.meanings.checkedButton()
        return Meaning(str(checked.property("meaning"))) if checked is not None else None

    def choose_meaning(self, meaning: Meaning) -> None:
        for button in self.meanings.buttons():
            if button.property("meaning") == str(meaning):
                button.setChecked(True)

    def fingerprint(self) -> str:
        return str(self.identity.currentData() or "")

    def load_identities(self, select: str = "") -> None:
        """List the identities that can sign (revoked ones cannot), choosing ``select`` if given."""
        usable = [identity for identity in self._desk.identities() if not identity.revoked]
        self.identity.clear()
        for identity in usable:
            self.identity.addItem(identity_label(identity), identity.fingerprint)
            self.identity.setItemData(
                self.identity.count() - 1, identity.fingerprint, Qt.ItemDataRole.ToolTipRole
            )
        if select:
            self.identity.setCurrentIndex(max(0, self.identity.findData(select)))
        self.identity.setVisible(bool(usable))
        self.no_identity.setVisible(not usable)
        self.create_identity_button.setText("Create a signing identity…" if not usable else "New identity…")
        self._update()

    def missing(self) -> str:
        """What must still be done before Sign can be pressed ("" when nothing is missing)."""
        if self.summary is None:
            return "Reading what you will sign…"
        if not self.fingerprint():
            return "Create a signing identity first: your own key, which only your passphrase unlocks."
        if self.meaning() is None:
            return "Choose what your signature means."
        if not self.reason.toPlainText().strip():
            return "Give a reason: it is signed and recorded with your signature."
        if not self.acknowledge.isChecked():
            return "Tick the box to confirm you have read what you are signing."
        if not self.passphrase.text():
            return "Enter your passphrase to sign."
        return ""

    def _update(self) -> None:
        missing = self.missing()
        if self._ended:
            self.hint.setText("")
        elif self._signing:
            self.hint.setText("Signing…")
        else:
            self.hint.setText(missing or "Ready: Sign records your signature and locks the conversation.")
        self.sign_button.setEnabled(not missing and not self._signing and not self._ended)

    def _on_meaning_toggled(self) -> None:
        meaning = self.meaning()
        if meaning is None:
            self.statement.setText("Choose a meaning to see what your signature will state.")
        else:
            self.statement.setText(f"Your signature will state: “{self._desk.meaning_statement(meaning)}”")
        self._update()

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    # -- the summary ---------------------------------------------------------------------------

    def _on_summary_read(self, summary: SignOffSummary) -> None:
        self.summary = summary
        self.heading.setText(
            f"<b>Sign off conversation {summary.conversation_id}:</b> {shown_html(summary.title)}"
        )
        self.summary_view.setHtml(summary_html(summary))
        self._update()
        self.summary_shown.emit()

    def _on_summary_failed(self, words: str) -> None:
        self.summary_view.setPlainText("")
        self._end(words)

    # -- identities ----------------------------------------------------------------------------

    def _on_create_identity_clicked(self) -> None:
        dialog = CreateIdentityDialog(self._desk, self._default_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(lambda identity: self.load_identities(identity.fingerprint))
        self.identity_dialog = dialog
        dialog.open()

    # -- signing -------------------------------------------------------------------------------

    def _on_sign_clicked(self) -> None:
        meaning = self.meaning()
        if self.missing() or self._signing or self._ended or meaning is None or self.summary is None:
            return
        if self._attempt is None:
            try:
                self._attempt = self._desk.signing_attempt(
                    self._conversation_id,
                    fingerprint=self.fingerprint(),
                    meaning=meaning,
                    reason=self.reason.toPlainText().strip(),
                    acknowledged=self.summary,
                )
            except VeritraceError as error:
                self._end(failure_words(error, "Signing"))
                return
            # What is signed is fixed from the first try on: only the passphrase is asked again.
            self._freeze()
        attempt = self._attempt
        passphrase = self.passphrase.text()
        self.passphrase.clear()
        self._say("")
        self._signing = True
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(False)
        self._update()
        self._background.start(
            lambda _cancel: _sign(attempt, passphrase),
            self._on_sign_answered,
            self._on_sign_failed,
            doing="Signing",
        )

    def _on_sign_answered(self, answer: SignOff | WrongPassphraseError | TooManyTries) -> None:
        self._signing = False
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(True)
        if isinstance(answer, SignOff):
            self.signoff = answer
            self.signed.emit(answer)
            self.accept()
            return
        tries_left = getattr(answer, "tries_left", 0)
        if isinstance(answer, TooManyTries) or tries_left <= 0:
            words = str(answer) or "Signing was refused: the passphrase was wrong too many times."
            self._end(words)
            self.refused.emit(words)
            self.reject()
            return
        tries = "1 try" if tries_left == 1 else f"{tries_left} tries"
        self._say(f"Wrong passphrase: {tries} left before signing is refused.")
        self._update()
        self.passphrase.setFocus()

    def _on_sign_failed(self, words: str) -> None:
        self._signing = False
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(True)
        self._end(words)

    def _end(self, words: str) -> None:
        """Nothing more can be tried in this dialog: say why, in one line; only Close is left."""
        self._ended = True
        self._say(words)
        self._freeze()
        self.passphrase.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        self._update()

    def _freeze(self) -> None:
        """Fix the choices: the reason stays readable (read-only, not greyed out)."""
        for widget in (
            self.identity,
            self.create_identity_button,
            self.acknowledge,
            *self.meanings.buttons(),
        ):
            widget.setEnabled(False)
        self.reason.setReadOnly(True)

    def wait(self, timeout: float | None = None) -> bool:
        return self._background.wait(timeout)

    def reject(self) -> None:
        if self._signing:
            return  # the services are signing: its outcome must be shown, not lost
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._signing:
            event.ignore()
            return
        super().closeEvent(event)


def _sign(attempt: Attempt, passphrase: str) -> SignOff | WrongPassphraseError | TooManyTries:
    """Sign; a wrong passphrase (or the last one) comes back as a value, with its tries left."""
    try:
        return attempt.sign(passphrase)
    except (TooManyTries, WrongPassphraseError) as error:
        return error


class _SummaryView(QTextBrowser):
    """The summary: read-only, selectable, scrolling; it fetches nothing and opens no link."""

    def __init__(self) -> None:
        super().__init__()
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setMinimumHeight(140)

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        return None
