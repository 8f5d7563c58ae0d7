"""Dialogs for review: annotate a turn, set the reviewer's name, name the timestamp authority.

Signing off is a dialog of its own (``app.ui.signoff_dialog``)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.types import Flag
from app.ui.accessibility import describe_standard_buttons

FLAG_LABELS = {
    Flag.OK: str(QT_TRANSLATE_NOOP("AnnotateDialog", "OK — sound")),
    Flag.CONCERN: str(QT_TRANSLATE_NOOP("AnnotateDialog", "Concern — needs attention")),
    Flag.ERROR: str(QT_TRANSLATE_NOOP("AnnotateDialog", "Error — wrong")),
}


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    describe_standard_buttons(buttons)
    return buttons


class AnnotateDialog(QDialog):
    """A flag and a comment on one turn."""

    def __init__(self, turn_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Annotate turn"))
        self.flag = QComboBox()
        self.flag.setAccessibleName(self.tr("Flag"))
        self.flag.setAccessibleDescription(
            self.tr(
                "How the turn holds up: OK, a concern that needs attention, or an error. Arrow keys choose."
            )
        )
        for flag, label in FLAG_LABELS.items():
            self.flag.addItem(QCoreApplication.translate("AnnotateDialog", label), str(flag))
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName(self.tr("Comment"))
        self.comment.setAccessibleDescription(
            self.tr("What another reviewer should know about this turn; recorded with your name.")
        )
        self.comment.setTabChangesFocus(True)  # Tab reaches the buttons; a comment needs no tab stops
        self.comment.setPlaceholderText(self.tr("What should another reviewer know about this turn?"))
        form = QFormLayout()
        form.addRow(self.tr("Turn"), QLabel(turn_label))
        form.addRow(self.tr("Flag"), self.flag)
        form.addRow(self.tr("Comment"), self.comment)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel(self.tr("Annotations are added to the record; they never replace earlier ones."))
        )
        layout.addWidget(_buttons(self, self.tr("Add annotation")))

    def values(self) -> tuple[Flag, str]:
        return Flag(self.flag.currentData()), self.comment.toPlainText().strip()


class NameDialog(QDialog):
    """The reviewer's display name, recorded as the actor of everything they do."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Your name"))
        self.name = QLineEdit(name)
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setAccessibleDescription(
            self.tr("Recorded with your annotations, sign-offs and turns, beside your system account.")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("Recorded with your annotations, sign-offs and turns (with your system account)."))
        )
        layout.addWidget(self.name)
        layout.addWidget(_buttons(self, self.tr("Save")))

    def value(self) -> str:
        return self.name.text().strip()


class TimestampAuthorityDialog(QDialog):
    """The organisation's RFC 3161 timestamp authority: its address and its root certificate."""

    def __init__(self, url: str, root: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Timestamp authority"))
        self.url = QLineEdit(url)
        self.url.setAccessibleName(self.tr("Timestamp authority address"))
        self.url.setAccessibleDescription(
            self.tr("The RFC 3161 address checkpoints are sent to for a timestamp; empty for none.")
        )
        self.url.setPlaceholderText(self.tr("https://timestamp.example.org/tsr (empty: no timestamps)"))
        self.root = QLineEdit(root)
        self.root.setAccessibleName(self.tr("Root certificate"))
        self.root.setAccessibleDescription(
            self.tr("The path of the authority's root certificate, a .pem file; type it or choose it.")
        )
        self.root.setPlaceholderText(self.tr("The authority's root certificate, a .pem file"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._on_browse_clicked)
        browse.setAccessibleName(self.tr("Choose the root certificate"))
        browse.setAccessibleDescription(self.tr("Opens a file chooser for the authority's root certificate."))
        row = QHBoxLayout()
        row.addWidget(self.root, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("Address"), self.url)
        form.addRow(self.tr("Root certificate"), row)
        note = QLabel(
            self.tr(
                "Every signed checkpoint is sent to this authority to be timestamped: only its SHA-256 "
                "leaves this computer. A timestamp proves the record's head existed by that time, which "
                "no holder of the signing key can forge. Offline, requests wait and are sent later."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        describe_standard_buttons(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("The authority's root certificate"),
            "",
            self.tr("PEM certificates (*.pem *.crt);;All files (*)"),
        )
        if path:
            self.root.setText(path)

    def values(self) -> tuple[str, str]:
        return self.url.text().strip(), self.root.text().strip()
