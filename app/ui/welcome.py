"""The first start: who reviews, a signing identity of their own, the demo model, where the record is.

Shown once, after the window's first paint (``MainWindow.welcome_if_first_start``), and again from
*Help ▸ Welcome…*. It never blocks: it is opened, not executed, so start-up, the tests and
``--self-test`` go on around it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


WIDTH = 640


class WelcomeDialog(QDialog):
    """The reviewer's name, an offer of a signing identity, the demo model and the data folder.

    Signals:
        name_given(str): the name to record as the actor of what this reviewer does (only when
            it changed and is not blank).
        identity_requested(str): *Create a signing identity…* was pressed, with the name typed.
        guide_requested(): *Read the guide* was pressed.
    """

    name_given = Signal(str)
    identity_requested = Signal(str)
    guide_requested = Signal()

    def __init__(
        self,
        name: str,
        account: str,
        data_folder: Path,
        *,
        identities: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("WelcomeDialog")
        self.setWindowTitle(self.tr("Welcome to Veritrace"))
        self.setAccessibleName(self.tr("Welcome to Veritrace"))
        self.setAccessibleDescription(
            self.tr(
                "First start: your name, a signing identity, the demo model and where the record is kept."
            )
        )
        self._initial_name = name.strip()

        intro = _paragraph(
            self.tr(
                "Veritrace keeps every prompt, the model's reasoning and its answer in a record that "
                "cannot be changed unnoticed, so that you and other reviewers can audit, annotate, "
                "sign off and export them."
            )
        )

        # Who reviews.
        self.name = QLineEdit(name)
        self.name.setObjectName("welcomeName")
        self.name.setPlaceholderText(self.tr("e.g. Dr Alice Martin"))
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setAccessibleDescription(
            self.tr("Recorded with every turn, annotation and sign-off you make from now on.")
        )
        name_note = _paragraph(
            self.tr(
                "Recorded with every turn, annotation and sign-off you make, beside your system "
                "account ({account}). Review ▸ Your name… changes it later."
            ).format(account=account)
        )
        form = QFormLayout()
        name_label = QLabel(self.tr("Your &name"))
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)

        # A signing identity of one's own.
        self.identity_button = QPushButton(self.tr("Create a signing &identity…"))
        self.identity_button.setObjectName("welcomeIdentity")
        self.identity_button.setAccessibleName(self.tr("Create a signing identity"))
        self.identity_button.setAccessibleDescription(
            self.tr("Opens the dialog that makes your own signing key, protected by a passphrase.")
        )
        self.identity_button.setAutoDefault(False)
        self.identity_button.clicked.connect(self._on_identity_clicked)
        if identities == 1:
            identity_text = self.tr(
                "This record has one signing identity. If it is not yours, create one of your own to "
                "sign off conversations in your name (Review ▸ Signing identities… lists them)."
            )
        elif identities:
            identity_text = self.tr(
                "This record has %n signing identities. If none is yours, create one of your own to "
                "sign off conversations in your name (Review ▸ Signing identities… lists them).",
                "",
                identities,
            )
        else:
            identity_text = self.tr(
                "To sign off a conversation in your name, create a signing identity: a key of your "
                "own, kept on this computer and unlocked only by your passphrase (or later, in "
                "Review ▸ Signing identities…)."
            )
        self.identity_note = _paragraph(identity_text)

        # The demo model.
        self.demo_note = _paragraph(
            self.tr(
                "Veritrace starts on a demo model, SmolLM2-135M-Instruct: a tiny model (135 million "
                "parameters) that runs on any computer, so you can try asking, reading the reasoning, "
                "reviewing and exporting at once. Its answers are often wrong and its reasoning is "
                "forced: do not rely on it. For real work pick a real model: File ▸ Models… or "
                "File ▸ Open model… for a GGUF file such as Magistral Small, File ▸ Download "
                "Magistral… to fetch it, or File ▸ Use a remote server… to run one elsewhere."
            )
        )

        # Where the record is.
        self.folder = QLineEdit(str(data_folder))
        self.folder.setObjectName("welcomeFolder")
        self.folder.setReadOnly(True)
        self.folder.setAccessibleName(self.tr("Data folder"))
        self.folder.setAccessibleDescription(
            self.tr("The folder that keeps the record, its backups and the signing keys.")
        )
        self.folder.setCursorPosition(0)
        folder_note = _paragraph(
            self.tr(
                "The record (veritrace.db), its daily backups, your settings and the signing keys "
                "are kept in this folder, readable by your account only. Include it in your backups."
            )
        )

        self.buttons = QDialogButtonBox()
        self.guide_button = self.buttons.addButton(
            self.tr("Read the &guide"), QDialogButtonBox.ButtonRole.HelpRole
        )
        self.guide_button.setAccessibleName(self.tr("Read the guide"))
        self.guide_button.setAccessibleDescription(self.tr("Opens the short guide (Help ▸ Guide…)."))
        self.guide_button.setAutoDefault(False)
        self.guide_button.clicked.connect(self.guide_requested)
        self.start_button = self.buttons.addButton(self.tr("&Start"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setAccessibleName(self.tr("Start"))
        self.start_button.setAccessibleDescription(self.tr("Records your name and closes this welcome."))
        self.start_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(_heading(self.tr("Who reviews")))
        layout.addLayout(form)
        layout.addWidget(name_note)
        layout.addSpacing(6)
        layout.addWidget(_heading(self.tr("Your signature")))
        layout.addWidget(self.identity_note)
        layout.addWidget(self.identity_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(6)
        layout.addWidget(_heading(self.tr("The demo model")))
        layout.addWidget(self.demo_note)
        layout.addSpacing(6)
        layout.addWidget(_heading(self.tr("Where the record is kept")))
        layout.addWidget(self.folder)
        layout.addWidget(folder_note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        # Tall enough for every wrapped paragraph at this width (a dialog's own size hint is not).
        self.resize(WIDTH, max(layout.totalHeightForWidth(WIDTH), self.sizeHint().height()))
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def value(self) -> str:
        """The name typed, trimmed."""
        return self.name.text().strip()

    def _on_identity_clicked(self) -> None:
        self.identity_requested.emit(self.value())

    def accept(self) -> None:
        name = self.value()
        if name and name != self._initial_name:
            self.name_given.emit(name)
            self._initial_name = name
        super().accept()
