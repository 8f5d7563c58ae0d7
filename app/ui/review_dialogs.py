"""Dialogs for review: annotate a turn, set the reviewer's name, name the timestamp authority.

Signing off is a dialog of its own (``app.ui.signoff_dialog``)."""

from __future__ import annotations

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

FLAG_LABELS = {Flag.OK: "OK — sound", Flag.CONCERN: "Concern — needs attention", Flag.ERROR: "Error — wrong"}


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class AnnotateDialog(QDialog):
    """A flag and a comment on one turn."""

    def __init__(self, turn_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotate turn")
        self.flag = QComboBox()
        for flag, label in FLAG_LABELS.items():
            self.flag.addItem(label, str(flag))
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("What should another reviewer know about this turn?")
        form = QFormLayout()
        form.addRow("Turn", QLabel(turn_label))
        form.addRow("Flag", self.flag)
        form.addRow("Comment", self.comment)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Annotations are added to the record; they never replace earlier ones."))
        layout.addWidget(_buttons(self, "Add annotation"))

    def values(self) -> tuple[Flag, str]:
        return Flag(self.flag.currentData()), self.comment.toPlainText().strip()


class NameDialog(QDialog):
    """The reviewer's display name, recorded as the actor of everything they do."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your name")
        self.name = QLineEdit(name)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Recorded with your annotations, sign-offs and turns (with your system account).")
        )
        layout.addWidget(self.name)
        layout.addWidget(_buttons(self, "Save"))

    def value(self) -> str:
        return self.name.text().strip()


class TimestampAuthorityDialog(QDialog):
    """The organisation's RFC 3161 timestamp authority: its address and its root certificate."""

    def __init__(self, url: str, root: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timestamp authority")
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("https://timestamp.example.org/tsr (empty: no timestamps)")
        self.root = QLineEdit(root)
        self.root.setPlaceholderText("The authority's root certificate, a .pem file")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.root, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Address", self.url)
        form.addRow("Root certificate", row)
        note = QLabel(
            "Every signed checkpoint is sent to this authority to be timestamped: only its SHA-256 "
            "leaves this computer. A timestamp proves the record's head existed by that time, which "
            "no holder of the signing key can forge. Offline, requests wait and are sent later."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The authority's root certificate", "", "PEM certificates (*.pem *.crt);;All files (*)"
        )
        if path:
            self.root.setText(path)

    def values(self) -> tuple[str, str]:
        return self.url.text().strip(), self.root.text().strip()
