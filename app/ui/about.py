"""Help ▸ About: the version, where the record is, the installation key's fingerprint, and licences.

The licence texts are read from the installation (``app.services.licences``): what is shown is
what ships.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.licences import Licence, licences, licences_folder
from app.ui.accessibility import describe_standard_buttons


def _field(text: str, name: str, description: str) -> QLineEdit:
    """A read-only one-line field: selectable and copyable, reachable with Tab."""
    field = QLineEdit(text)
    field.setReadOnly(True)
    field.setCursorPosition(0)
    field.setAccessibleName(name)
    field.setAccessibleDescription(description)
    return field


class AboutDialog(QDialog):
    """Two tabs: About (version, data folder, record, key fingerprint) and Licences."""

    def __init__(
        self,
        version: str,
        data_folder: Path,
        record: Path,
        key_fingerprint: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AboutDialog")
        self.setWindowTitle(self.tr("About Veritrace"))
        self.setAccessibleName(self.tr("About Veritrace"))
        self.setAccessibleDescription(
            self.tr("The version, the data folder, the signing key's fingerprint and the licences.")
        )
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("About and licences"))
        self.tabs.addTab(self._about_tab(version, data_folder, record, key_fingerprint), self.tr("&About"))
        self.tabs.addTab(self._licences_tab(version), self.tr("&Licences"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        describe_standard_buttons(buttons)
        self.tabs.setAccessibleDescription(self.tr("Two pages: about this installation, and the licences."))
        # A screen reader reads a tab's tooltip as its description.
        self.tabs.setTabToolTip(0, self.tr("The version, the data folder and the signing key's fingerprint."))
        self.tabs.setTabToolTip(1, self.tr("Each part Veritrace is made of, with its licence."))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def _about_tab(
        self, version: str, data_folder: Path, record: Path, key_fingerprint: str | None
    ) -> QWidget:
        title = QLabel(self.tr("Veritrace {version}").format(version=version))
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        title.setTextFormat(Qt.TextFormat.PlainText)
        summary = QLabel(
            self.tr(
                "Auditable reasoning with a local model. Every prompt, reasoning trace, answer and run "
                "setting is recorded with the model file's SHA-256, in a hash-chained record signed "
                "with this installation's key."
            )
        )
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        self.version_field = _field(version, self.tr("Version"), self.tr("Veritrace's version"))
        self.folder_field = _field(
            str(data_folder),
            self.tr("Data folder"),
            self.tr("The folder that keeps the record, its backups, settings and signing keys."),
        )
        self.record_field = _field(
            str(record), self.tr("Record"), self.tr("The record file this window has open.")
        )
        self.key_field = _field(
            key_fingerprint or self.tr("No signing key is enrolled in this record yet."),
            self.tr("Installation key fingerprint"),
            self.tr("The Ed25519 key that signs this record's checkpoints."),
        )
        form = QFormLayout()
        form.addRow(self.tr("Version"), self.version_field)
        form.addRow(self.tr("Data folder"), self.folder_field)
        form.addRow(self.tr("Record"), self.record_field)
        form.addRow(self.tr("Installation key"), self.key_field)
        runtime = QLabel(self.tr("Qt {qt} (PySide6).").format(qt=qVersion()))
        runtime.setTextFormat(Qt.TextFormat.PlainText)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(runtime)
        layout.addStretch(1)
        return tab

    def _role(self, key: str) -> str:
        roles = {
            "app": self.tr("this app"),
            "qt": self.tr("the window toolkit"),
            "llama.cpp": self.tr("the model runtime"),
            "llama-cpp-python": self.tr("the model runtime's Python binding"),
            "demo-model": self.tr("the demo model"),
            "fonts": self.tr("the fonts shown and embedded in PDF reports"),
        }
        return roles.get(key, "")

    def _licences_tab(self, version: str) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        try:
            self.licences: list[Licence] = licences(version)
            folder = str(licences_folder())
        except FileNotFoundError as error:  # an installation missing a file: say so, show the rest
            self.licences = []
            folder = str(error)
        where = QLabel(
            self.tr(
                "Veritrace ships these parts under their own licences. The texts are in {folder}."
            ).format(folder=folder)
        )
        where.setWordWrap(True)
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.licence_list = QListWidget()
        self.licence_list.setAccessibleName(self.tr("Parts and their licences"))
        self.licence_list.setAccessibleDescription(self.tr("Choose a part to read its licence below."))
        for licence in self.licences:
            versioned = f"{licence.part} {licence.version}".strip()
            self.licence_list.addItem(
                self.tr("{part} — {role}: {licence}").format(
                    part=versioned, role=self._role(licence.key), licence=licence.licence
                )
            )
        self.licence_text = QPlainTextEdit()
        self.licence_text.setReadOnly(True)
        self.licence_text.setAccessibleName(self.tr("Licence text"))
        self.licence_text.setAccessibleDescription(self.tr("The full text of the chosen part's licence."))
        self.licence_list.currentRowChanged.connect(self._on_licence_list_current_row_changed)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.licence_list)
        split.addWidget(self.licence_text)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout.addWidget(where)
        layout.addWidget(split, 1)
        if self.licences:
            self.licence_list.setCurrentRow(0)
        return tab

    def _on_licence_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.licences):
            chosen = self.licences[row]
            files = "\n".join(str(path) for path in chosen.files)
            self.licence_text.setPlainText(f"{files}\n\n{chosen.text()}")
            self.licence_text.moveCursor(self.licence_text.textCursor().MoveOperation.Start)
