"""Sign off a conversation: a deliberate, personal act with everything it covers in view.

The signer picks their own identity, what the signature means (its statement shown under it),
gives a reason, reads the summary of exactly what is signed — every turn and how it ended,
every concern and error flagged, every turn whose answer is not whole, the models by their
full SHA-256 — says they have read it, and unlocks their key with its passphrase. The services
sign and record; this dialog gathers the act and says what they answer, one line at a time.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QUrl, Signal
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
from app.core.states import State, TurnState
from app.core.types import Annotation, Flag, HashCheck, Identity, Meaning, SignOff
from app.services.signing import WrongPassphraseError
from app.services.signoff import SignOffSummary, TooManyTries
from app.ui.accessibility import describe_standard_buttons, make_default
from app.ui.background import Background, failure_words
from app.ui.conversation_view import NOT_WHOLE_MARK, STATE_COLOURS, flag_colour, shown_html
from app.ui.identity_dialogs import CreateIdentityDialog
from app.ui.signatures import statement_reading
from app.ui.signing_desk import Attempt, SigningDesk
from app.ui.theme import current
from app.ui.words import capitalised, state_words
from app.ui.words import flag as flag_words
from app.ui.words import meaning as meaning_words


def identity_label(identity: Identity) -> str:
    role = f" — {identity.role}" if identity.role else ""
    key = QCoreApplication.translate("SignOffDialog", "key {fingerprint}").format(
        fingerprint=identity.fingerprint
    )
    return f"{identity.name}{role} · {key}"


def summary_html(summary: SignOffSummary) -> str:
    """Everything the signature covers, as HTML for the dialog (record text escaped)."""
    conversation = QCoreApplication.translate("SignOffDialog", "Conversation {number}").format(
        number=summary.conversation_id
    )
    parts = [f'<p style="margin-top:0;"><b>{conversation}</b> · {shown_html(summary.title)}</p>']
    if summary.warnings:
        items = "".join(f"<li>{shown_html(line)}</li>" for line in warning_lines(summary))
        read_first = QCoreApplication.translate("SignOffDialog", "Read these before you sign")
        theme = current()
        parts.append(
            f'<table width="100%" cellpadding="8" cellspacing="0" '
            f'style="background-color:{theme.problem}; border:1px solid {theme.problem_border};">'
            f'<tr><td style="color:{theme.problem_text};"><b>{NOT_WHOLE_MARK} {read_first}</b>'
            f'<ul style="margin-top:4px; margin-bottom:0;">{items}</ul></td></tr></table>'
        )
    turns = QCoreApplication.translate("SignOffDialog", "Turns ({count})").format(count=len(summary.turns))
    parts.append(f"<p><b>{turns}</b></p>")
    for turn in summary.turns:
        number = QCoreApplication.translate("SignOffDialog", "Turn {number}").format(number=turn.number)
        parts.append(
            f'<p style="margin-top:2px; margin-bottom:2px;">{number} · '
            f"{_state_html(turn.state)} · <i>{shown_html(turn.prompt)}</i></p>"
        )
        for flag_line in _flag_lines(turn.flags):
            parts.append(flag_line)
    models = QCoreApplication.translate("SignOffDialog", "Models")
    parts.append(f"<p><b>{models}</b></p>")
    for label, sha256 in model_lines(summary):
        digest = (
            f'SHA-256 <span style="font-family:monospace;">{shown_html(sha256)}</span>'
            if sha256
            else QCoreApplication.translate("SignOffDialog", "no file hash (it ran on a server)")
        )
        parts.append(f'<p style="margin-top:2px; margin-bottom:2px;">{shown_html(label)}<br>{digest}</p>')
    if not summary.models:
        no_model = QCoreApplication.translate("SignOffDialog", "No model ran in this conversation.")
        parts.append(f"<p><i>{no_model}</i></p>")
    content = QCoreApplication.translate("SignOffDialog", "Content")
    rows = QCoreApplication.translate("SignOffDialog", "SHA-256 of every recorded row of the conversation:")
    parts.append(
        f"<p><b>{content}</b><br>{rows} "
        f'<span style="font-family:monospace;">{shown_html(summary.content_sha256)}</span></p>'
    )
    return "".join(parts)


def warning_lines(summary: SignOffSummary) -> tuple[str, ...]:
    """The summary's warnings in the window's language, in the services' order; the services' own
    sentences instead if the two do not tally (a warning this window does not know how to word)."""
    lines: list[str] = []
    for turn in summary.turns:
        lines += _state_warnings(turn.number, turn.state)
        lines += [_flag_warning(turn.number, note) for note in turn.flags]
        lines += [_hash_warning(turn.number, role, check) for role, check in turn.hash_problems]
    return tuple(lines) if len(lines) == len(summary.warnings) else summary.warnings


_INCOMPLETE = {
    State.TOKEN_LIMIT: str(
        QT_TRANSLATE_NOOP(
            "SignOffDialog", "Turn {number} stopped at the token limit: its answer may be incomplete."
        )
    ),
    State.STOPPED: str(
        QT_TRANSLATE_NOOP(
            "SignOffDialog",
            "Turn {number} was stopped by the reviewer before it finished: its answer is incomplete.",
        )
    ),
    State.WINDOW_CLOSED: str(
        QT_TRANSLATE_NOOP(
            "SignOffDialog",
            "Turn {number} ended when the window was closed during generation: its answer is incomplete.",
        )
    ),
    State.INTERRUPTED: str(
        QT_TRANSLATE_NOOP(
            "SignOffDialog",
            "Turn {number} was interrupted (the app stopped before it finished): its answer is incomplete.",
        )
    ),
}


def _state_warnings(number: int, state: TurnState) -> list[str]:
    if state.state in _INCOMPLETE:
        return [QCoreApplication.translate("SignOffDialog", _INCOMPLETE[state.state]).format(number=number)]
    if state.state is State.FAILED:
        words = QCoreApplication.translate("SignOffDialog", "Turn {number} failed: {reason}.")
        return [words.format(number=number, reason=state.reason.rstrip("."))]
    if state.state is State.ENDED_BY_SERVER:
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number} was {state}: its answer may be cut short or filtered."
        )
        return [words.format(number=number, state=state_words(state))]
    return []


def _flag_warning(number: int, note: Annotation) -> str:
    if note.flag is Flag.ERROR:
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number} is flagged as an error by {author} ({when}): {comment}"
        )
    else:
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number} is flagged as a concern by {author} ({when}): {comment}"
        )
    # The time as recorded, to the millisecond, as the services and the command line give it.
    return words.format(number=number, author=note.author, when=note.created_at, comment=note.comment)


def _hash_warning(number: int, role: str, check: HashCheck) -> str:
    if check is HashCheck.MISMATCH and role == "projector":
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number}: its projector file's hash did not match the cached one."
        )
    elif check is HashCheck.MISMATCH:
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number}: its model file's hash did not match the cached one."
        )
    elif role == "projector":
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number}: its projector file was written to while loaded (not hashable)."
        )
    else:
        words = QCoreApplication.translate(
            "SignOffDialog", "Turn {number}: its model file was written to while loaded (not hashable)."
        )
    return words.format(number=number)


def model_lines(summary: SignOffSummary) -> tuple[tuple[str, str], ...]:
    """(label, SHA-256) of each model, labelled in the window's language where the summary names
    them as values; its own labels otherwise."""
    if len(summary.model_uses) != len(summary.models):
        return summary.models
    lines = []
    for use in summary.model_uses:
        if use.server:
            label = QCoreApplication.translate("SignOffDialog", "Model {name} at {server}")
        elif use.role == "projector":
            label = QCoreApplication.translate("SignOffDialog", "Projector {name}")
        else:
            label = QCoreApplication.translate("SignOffDialog", "Model {name}")
        lines.append((label.format(name=use.name, server=use.server), use.sha256))
    return tuple(lines)


def _state_html(state: TurnState) -> str:
    colour = STATE_COLOURS[state.state]
    if state.whole:
        return f'<span style="color:{colour};">{shown_html(state_words(state))}</span>'
    return f'<b style="color:{colour};">{NOT_WHOLE_MARK} {shown_html(state_words(state))}</b>'


def _flag_lines(flags: tuple[Annotation, ...]) -> list[str]:
    return [
        '<p style="margin-top:0; margin-bottom:2px; margin-left:18px;">'
        f'<b style="color:{flag_colour(note.flag)};">'
        f"⚑ {shown_html(flag_words(note.flag).upper())}</b> {shown_html(note.comment)}"
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
        self.setWindowTitle(self.tr("Sign off conversation"))
        self.setObjectName("SignOffDialog")  # its labels are drawn by the theme's sheet (app.ui.style)
        self._desk = desk
        self._conversation_id = conversation_id
        self._default_name = default_name
        self.summary: SignOffSummary | None = None
        self.signoff: SignOff | None = None
        self._attempt: Attempt | None = None
        self._signing = False
        self._ended = False  # refused for good: nothing more can be tried here
        self.identity_dialog: CreateIdentityDialog | None = None  # the latest one opened

        heading = self.tr("Sign off conversation {number}").format(number=conversation_id)
        self.heading = QLabel(f"<b>{heading}</b>")
        self.heading.setTextFormat(Qt.TextFormat.RichText)

        self.identity = QComboBox()
        self.identity.setAccessibleName(self.tr("Signing identity"))
        self.identity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.identity.setMinimumContentsLength(30)
        self.no_identity = QLabel(self.tr("You have no signing identity yet."))
        self.create_identity_button = QPushButton(self.tr("Create a signing identity…"))
        self.create_identity_button.clicked.connect(self._on_create_identity_clicked)
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.no_identity, 1)
        identity_row.addWidget(self.create_identity_button)

        self.meanings = QButtonGroup(self)
        meaning_row = QHBoxLayout()
        for meaning in Meaning:
            button = QRadioButton(capitalised(meaning_words(meaning)))
            button.setProperty("meaning", str(meaning))
            button.setAccessibleDescription(
                self.tr("Your signature will state: “{statement}”").format(
                    statement=desk.meaning_statement(meaning)
                )
            )
            self.meanings.addButton(button)
            meaning_row.addWidget(button)
        meaning_row.addStretch(1)
        self.statement = QLabel()
        self.statement.setObjectName("signoffStatement")
        self.statement.setWordWrap(True)
        self.statement.setTextFormat(Qt.TextFormat.PlainText)
        self.statement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statement.setAccessibleName(self.tr("What your signature states"))

        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setPlaceholderText(
            self.tr("Why you sign, in a sentence. It is signed and recorded with your name.")
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 3 + 14)

        self.summary_view = _SummaryView()
        self.summary_view.setObjectName("signoffSummary")
        self.summary_view.setAccessibleName(self.tr("What you are signing"))
        self.summary_view.setPlainText(self.tr("Reading what you will sign…"))

        self.acknowledge = QCheckBox(
            self.tr(
                "I have read what I am signing: every turn and how it ended, every flag and warning, "
                "and the models."
            )
        )
        self.acknowledge.setAccessibleName(self.tr("I have read what I am signing"))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setPlaceholderText(self.tr("The passphrase of the identity chosen above"))

        self.problem = QLabel()
        self.problem.setObjectName("signoffProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setAccessibleName(self.tr("Problem"))
        self.problem.hide()
        self.hint = QLabel()
        self.hint.setObjectName("signoffHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setAccessibleName(self.tr("What signing waits for"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton(self.tr("Sign"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.sign_button.clicked.connect(self._on_sign_clicked)
        self.identity.setAccessibleDescription(
            self.tr("The identity you sign as: your own key, named with your role and its fingerprint.")
        )
        self.create_identity_button.setAccessibleDescription(
            self.tr("Opens the form for a new signing identity of your own.")
        )
        self.reason.setAccessibleDescription(
            self.tr("Why you sign, in a sentence; signed and recorded with your name. Tab leaves the box.")
        )
        self.summary_view.setAccessibleDescription(
            self.tr(
                "Everything the signature covers, read-only: each turn and how it ended, the flags and "
                "warnings, the models by SHA-256."
            )
        )
        self.acknowledge.setAccessibleDescription(
            self.tr("Confirms you have read every turn, flag and warning and the models you sign for.")
        )
        self.passphrase.setAccessibleDescription(
            self.tr("The passphrase of the identity chosen; Enter signs once everything is filled in.")
        )
        self.sign_button.setAccessibleDescription(
            self.tr("Signs and records the sign-off; the conversation is then locked.")
        )
        describe_standard_buttons(self.buttons)

        # A grid, not a form: a form gives a wrapped label the height it would need at its narrowest.
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        rows: tuple[tuple[str, QWidget | QHBoxLayout], ...] = (
            (self.tr("Sign as"), identity_row),
            (self.tr("Meaning"), meaning_row),
            ("", self.statement),
            (self.tr("Reason"), self.reason),
        )
        first_control = {0: self.identity, 1: self.meanings.buttons()[0]}
        for row, (label, field) in enumerate(rows):
            if label:
                where = Qt.AlignmentFlag.AlignTop if field is self.reason else Qt.AlignmentFlag.AlignVCenter
                caption = QLabel(label)
                # Read with the control it names: the field, or the first control of its row.
                caption.setBuddy(field if isinstance(field, QWidget) else first_control[row])
                form.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignLeft | where)
            if isinstance(field, QWidget):
                form.addWidget(field, row, 1)
            else:
                form.addLayout(field, row, 1)
        what = QLabel(
            self.tr("<b>What you are signing</b> — the signature covers exactly this, as recorded now:")
        )
        what.setWordWrap(True)
        passphrase_row = QFormLayout()
        passphrase_row.addRow(self.tr("Passphrase"), self.passphrase)
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
        make_default(self.sign_button)

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
        self.create_identity_button.setText(
            self.tr("Create a signing identity…") if not usable else self.tr("New identity…")
        )
        self._update()

    def missing(self) -> str:
        """What must still be done before Sign can be pressed ("" when nothing is missing)."""
        if self.summary is None:
            return self.tr("Reading what you will sign…")
        if not self.fingerprint():
            return self.tr(
                "Create a signing identity first: your own key, which only your passphrase unlocks."
            )
        if self.meaning() is None:
            return self.tr("Choose what your signature means.")
        if not self.reason.toPlainText().strip():
            return self.tr("Give a reason: it is signed and recorded with your signature.")
        if not self.acknowledge.isChecked():
            return self.tr("Tick the box to confirm you have read what you are signing.")
        if not self.passphrase.text():
            return self.tr("Enter your passphrase to sign.")
        return ""

    def _update(self) -> None:
        missing = self.missing()
        if self._ended:
            self.hint.setText("")
        elif self._signing:
            self.hint.setText(self.tr("Signing…"))
        else:
            ready = self.tr("Ready: Sign records your signature and locks the conversation.")
            self.hint.setText(missing or ready)
        self.sign_button.setEnabled(not missing and not self._signing and not self._ended)

    def _on_meaning_toggled(self) -> None:
        meaning = self.meaning()
        if meaning is None:
            self.statement.setText(self.tr("Choose a meaning to see what your signature will state."))
        else:
            statement = self._desk.meaning_statement(meaning)  # signed as worded: shown as it is
            words = self.tr("Your signature will state: “{statement}”").format(statement=statement)
            reading = statement_reading(statement)
            if reading:
                words += "\n" + self.tr(
                    "Translation, for reading only (the words above are what is signed): “{reading}”"
                ).format(reading=reading)
            self.statement.setText(words)
        self._update()

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    # -- the summary ---------------------------------------------------------------------------

    def _on_summary_read(self, summary: SignOffSummary) -> None:
        self.summary = summary
        heading = self.tr("Sign off conversation {number}:").format(number=summary.conversation_id)
        self.heading.setText(f"<b>{heading}</b> {shown_html(summary.title)}")
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
            words = str(answer) or self.tr("Signing was refused: the passphrase was wrong too many times.")
            self._end(words)
            self.refused.emit(words)
            self.reject()
            return
        self._say(self.tr("Wrong passphrase: %n tries left before signing is refused.", "", tries_left))
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
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))
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
