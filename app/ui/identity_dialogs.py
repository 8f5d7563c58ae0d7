"""Signing identities: create one (name, role, passphrase), list them, revoke one with a reason.

An identity is the signer's own Ed25519 key, kept in a file only its passphrase unlocks; its
public half is recorded in the ledger. The services create, list and revoke; these dialogs
gather what they need and say what they answer, one line at a time.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import VeritraceError
from app.core.types import Identity
from app.ui.accessibility import describe_standard_buttons, make_default
from app.ui.background import Background
from app.ui.signatures import readable_utc
from app.ui.signing_desk import SigningDesk

MIN_PASSPHRASE_LENGTH = 8


def _line(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class CreateIdentityDialog(QDialog):
    """Name, role and a passphrase (twice) for a new signing identity; the key is made in the
    background.

    Signals:
        created(object): the ``Identity`` recorded; the dialog then closes.
    """

    created = Signal(object)

    def __init__(self, desk: SigningDesk, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Create a signing identity"))
        self.setObjectName("CreateIdentityDialog")  # its labels are drawn by the theme's sheet
        self._desk = desk
        self._creating = False
        self.identity: Identity | None = None
        self.name = QLineEdit(name)
        self.name.setAccessibleName(self.tr("Printed name"))
        self.name.setPlaceholderText(self.tr("Your full name, as it will be printed with your signatures"))
        self.role = QLineEdit()
        self.role.setAccessibleName(self.tr("Role"))
        self.role.setPlaceholderText(self.tr("e.g. Clinical reviewer, Compliance officer"))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setPlaceholderText(self.tr("At least %n characters", "", MIN_PASSPHRASE_LENGTH))
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(self.tr("Passphrase again"))
        form = QFormLayout()
        form.addRow(self.tr("Printed name"), self.name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        form.addRow(self.tr("Again"), self.repeat)
        note = QLabel(
            self.tr(
                "Your signing identity is a key of your own, kept in a file on this computer that only "
                "your passphrase unlocks. Its public half is recorded in the ledger with your name and "
                "role; every sign-off made with it names them and the key's fingerprint. Nobody can "
                "recover a forgotten passphrase: you would create a new identity."
            )
        )
        note.setWordWrap(True)
        self.problem = _line("identityProblem")
        self.problem.hide()
        self.hint = _line("identityHint")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            self.tr("Create identity"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.buttons.rejected.connect(self.reject)
        for field, description in (
            (self.name, self.tr("Your full name, as it will be printed with every signature you make.")),
            (self.role, self.tr("Your role, recorded with every signature you make.")),
            (self.passphrase, self.tr("The passphrase that unlocks your key; nobody can recover it.")),
            (self.repeat, self.tr("The same passphrase again, to be sure of it.")),
        ):
            field.setAccessibleDescription(description)
        self.create_button.setAccessibleDescription(
            self.tr("Makes your key and records its public half in the ledger with your name and role.")
        )
        describe_standard_buttons(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        for field in (self.name, self.role, self.passphrase, self.repeat):
            field.textChanged.connect(self._update)
        self._background = Background("identity", self)
        make_default(self.create_button)
        self._update()

    def missing(self) -> str:
        """What must still be filled in before the identity can be created ("" when nothing)."""
        if not self.name.text().strip():
            return self.tr("Give your name, as it will be printed with your signatures.")
        if not self.role.text().strip():
            return self.tr("Give your role: it is recorded with every signature you make.")
        if len(self.passphrase.text()) < MIN_PASSPHRASE_LENGTH:
            return self.tr("Choose a passphrase of at least %n characters.", "", MIN_PASSPHRASE_LENGTH)
        if self.repeat.text() != self.passphrase.text():
            return self.tr("Type the same passphrase again.")
        return ""

    def _update(self) -> None:
        missing = self.missing()
        self.hint.setText(self.tr("Creating your key…") if self._creating else missing)
        self.create_button.setEnabled(not missing and not self._creating)

    def _on_create_clicked(self) -> None:
        if self.missing() or self._creating:
            return
        name, role, passphrase = self.name.text().strip(), self.role.text().strip(), self.passphrase.text()
        self._creating = True
        self.problem.hide()
        self._update()
        self._background.start(
            lambda _cancel: self._desk.create_identity(name, role, passphrase),
            self._on_created,
            self._on_failed,
            doing="Creating the identity",
        )

    def _on_created(self, identity: Identity) -> None:
        self._creating = False
        self.identity = identity
        self.created.emit(identity)
        self.accept()

    def _on_failed(self, words: str) -> None:
        self._creating = False
        self.problem.setText(words)
        self.problem.show()
        self._update()

    def wait(self, timeout: float | None = None) -> bool:
        return self._background.wait(timeout)

    def reject(self) -> None:
        if not self._creating:  # a key being made is recorded: its outcome must be shown
            super().reject()


class RevokeIdentityDialog(QDialog):
    """Why an identity is revoked; nothing is revoked without a reason."""

    def __init__(self, identity: Identity, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Revoke signing identity"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason for revoking"))
        self.reason.setPlaceholderText(self.tr("e.g. left the team; passphrase may be known to others"))
        what = QLabel(
            self.tr(
                "Revoke {name} ({role}), key {fingerprint}?\n\n"
                "A revoked identity can sign nothing more. Its earlier signatures stay in the record "
                "and still verify; the revocation, its time and reason are recorded in the ledger."
            ).format(name=identity.name, role=identity.role, fingerprint=identity.fingerprint)
        )
        what.setWordWrap(True)
        what.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.revoke_button = self.buttons.addButton(self.tr("Revoke"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.setAccessibleDescription(
            self.tr("Why the identity is revoked; recorded in the ledger with the revocation.")
        )
        self.revoke_button.setAccessibleDescription(
            self.tr("Revokes the identity: it can sign nothing more; its earlier signatures still verify.")
        )
        describe_standard_buttons(self.buttons)
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self.setMinimumWidth(520)
        self._update()

    def _update(self) -> None:
        self.revoke_button.setEnabled(bool(self.reason.text().strip()))

    def value(self) -> str:
        return self.reason.text().strip()


COLUMNS = (
    str(QT_TRANSLATE_NOOP("IdentitiesDialog", "Name")),
    str(QT_TRANSLATE_NOOP("IdentitiesDialog", "Role")),
    str(QT_TRANSLATE_NOOP("IdentitiesDialog", "Key fingerprint")),
    str(QT_TRANSLATE_NOOP("IdentitiesDialog", "Created")),
    str(QT_TRANSLATE_NOOP("IdentitiesDialog", "Status")),
)


class IdentitiesDialog(QDialog):
    """Every signing identity in the record, with Create and Revoke.

    Signals:
        changed(): an identity was created or revoked.
    """

    changed = Signal()

    def __init__(self, desk: SigningDesk, default_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Signing identities"))
        self.setObjectName("IdentitiesDialog")  # its labels are drawn by the theme's sheet
        self._desk = desk
        self._default_name = default_name
        self.shown: list[Identity] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(
            [QCoreApplication.translate("IdentitiesDialog", column) for column in COLUMNS]
        )
        self.table.setAccessibleName(self.tr("Signing identities"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update)
        self.create_button = QPushButton(self.tr("Create…"))
        self.create_button.clicked.connect(self._on_create_clicked)
        self.revoke_button = QPushButton(self.tr("Revoke…"))
        self.revoke_button.clicked.connect(self._on_revoke_clicked)
        self.problem = _line("identityProblem")
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.revoke_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move in it
        self.table.setAccessibleDescription(
            self.tr("Every signing identity, one a row: name, role, key fingerprint, when made, and status.")
        )
        self.create_button.setAccessibleName(self.tr("Create an identity"))
        self.create_button.setAccessibleDescription(self.tr("Opens the form for a new signing identity."))
        self.revoke_button.setAccessibleName(self.tr("Revoke the identity"))
        self.revoke_button.setAccessibleDescription(
            self.tr("Asks why, then revokes the selected identity: it can sign nothing more.")
        )
        describe_standard_buttons(self.buttons)
        note = QLabel(
            self.tr(
                "Each identity is one person's own key. Sign-offs name the identity's holder, role and "
                "key fingerprint; a revoked identity can sign nothing more."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(860, 360)
        self.create_dialog: CreateIdentityDialog | None = None  # the latest one opened
        self.revoke_dialog: RevokeIdentityDialog | None = None
        self.refresh()

    def refresh(self) -> None:
        self.shown = list(self._desk.identities())
        self.table.setRowCount(len(self.shown))
        for row, identity in enumerate(self.shown):
            status = (
                self.tr("Revoked {when}: {reason}").format(
                    when=readable_utc(identity.revoked_at), reason=identity.revoked_reason
                )
                if identity.revoked
                else self.tr("Can sign")
            )
            cells = (
                identity.name,
                identity.role,
                identity.fingerprint,
                readable_utc(identity.created_at),
                status,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self._update()

    def selected(self) -> Identity | None:
        rows = self.table.selectionModel().selectedRows()
        return self.shown[rows[0].row()] if rows else None

    def _update(self) -> None:
        chosen = self.selected()
        self.revoke_button.setEnabled(chosen is not None and not chosen.revoked)

    def _on_create_clicked(self) -> None:
        dialog = CreateIdentityDialog(self._desk, self._default_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._on_created)
        self.create_dialog = dialog
        dialog.open()

    def _on_created(self, _identity: Identity) -> None:
        self.refresh()
        self.changed.emit()

    def _on_revoke_clicked(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.revoked:
            return
        dialog = RevokeIdentityDialog(chosen, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.revoke(chosen, dialog.value()))
        self.revoke_dialog = dialog
        dialog.open()

    def revoke(self, identity: Identity, reason: str) -> bool:
        """Revoke ``identity`` for ``reason``; a refusal is said in one line."""
        try:
            self._desk.revoke_identity(identity.fingerprint, reason)
        except VeritraceError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return False
        self.problem.hide()
        self.refresh()
        self.changed.emit()
        return True
