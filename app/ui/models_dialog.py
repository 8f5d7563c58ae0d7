"""File ▸ Models…: the model library with each file's GGUF metadata, inspected off the GUI thread."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.models import ModelEntry, parameter_label
from app.services.config import AppConfig
from app.services.models import add_model, forget_model, known_models
from app.ui.background import Background
from app.ui.words import counted, family, number, size

COLUMNS = (
    str(QT_TRANSLATE_NOOP("ModelsDialog", "File")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Size")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Architecture")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Parameters")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Quantization")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Trained context")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Chat template")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Preset family")),
    str(QT_TRANSLATE_NOOP("ModelsDialog", "Vision projector")),
    "SHA-256",
)


class LibraryJob(QObject):
    """Inspects and hashes in the background (child processes do the parsing).

    No Store here: an ORM session never crosses threads; hashes are cached by the library.

    Signals:
        listed(object): the ``list[ModelEntry]`` of the library.
        added(object): the ``AppConfig`` with a newly added model.
        failed(str): why a file could not be added, or the library read; nothing changed.
    """

    listed = Signal(object)
    added = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = Background("models", self)

    def list(self, config: AppConfig) -> None:
        def failed(words: str) -> None:
            if not cancel.is_set():  # else the dialog closed while a model was being hashed
                self.failed.emit(words)

        cancel = self._background.start(
            lambda token: known_models(config, with_hash=True, cancel=token),
            self.listed.emit,
            failed,
            doing="Reading the model library",
        )

    def add(self, config: AppConfig, path: Path) -> None:
        self._background.start(
            lambda _cancel: add_model(config, path),
            self.added.emit,
            self.failed.emit,
            doing="Adding the model",
        )

    def wait(self) -> None:
        self._background.wait()

    def cancel(self) -> None:
        """Stop a hash in progress (within one chunk); an inspection finishes (seconds at most)."""
        self._background.cancel()


class ModelsDialog(QDialog):
    """Known models: add, forget, or use one.

    Signals:
        model_chosen(str, object): path and ``ModelInfo`` of the model to use ("" path: demo).
        library_changed(object): the ``AppConfig`` with the library as it now is.
    """

    model_chosen = Signal(str, object)
    library_changed = Signal(object)

    def __init__(self, config: AppConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.setObjectName("ModelsDialog")
        self.resize(1100, 420)
        self.config = config
        self.entries: list[ModelEntry] = []
        self.job = LibraryJob(self)
        self.job.listed.connect(self._on_job_listed)
        self.job.added.connect(self._on_job_added)
        self.job.failed.connect(self._on_job_failed)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(column) for column in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The hash takes the room left, cut in its middle; the detail below shows it whole.
        sha_column = len(COLUMNS) - 1
        self.table.horizontalHeader().setSectionResizeMode(sha_column, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.setAccessibleName(self.tr("Model library"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move in it
        self.table.setAccessibleDescription(
            self.tr(
                "Every known model file, one a row, with its metadata and SHA-256. The arrow keys "
                "choose a row; Tab reaches the buttons."
            )
        )
        self.progress = QLabel("")
        self.progress.setObjectName("paneCaption")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("modelsMessage")
        # The chosen model's file, hash and projector in full, wrapped, to read or copy.
        # A path or a hash has no spaces to wrap at: it wraps anywhere, never scrolls sideways.
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("modelDetail")
        self.detail.setReadOnly(True)
        self.detail.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.detail.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setFixedHeight(self.detail.fontMetrics().lineSpacing() * 4 + 12)
        self.detail.setAccessibleName(self.tr("Selected model"))
        self.detail.setAccessibleDescription(
            self.tr("The selected model's file, SHA-256 and vision projector in full, to read or copy.")
        )
        self.add_button = QPushButton(self.tr("Add…"))
        self.forget_button = QPushButton(self.tr("Forget"))
        self.use_button = QPushButton(self.tr("Use this model"))
        close_button = QPushButton(self.tr("Close"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.forget_button.clicked.connect(self._on_forget_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        close_button.clicked.connect(self.reject)
        self.add_button.setAccessibleName(self.tr("Add a model"))
        self.add_button.setAccessibleDescription(
            self.tr("Opens a file chooser for a GGUF model; it joins the library once it is inspected.")
        )
        self.forget_button.setAccessibleName(self.tr("Forget the model"))
        self.forget_button.setAccessibleDescription(
            self.tr("Takes the selected model out of the library; its file is left alone.")
        )
        self.use_button.setAccessibleDescription(self.tr("Loads the selected model for the next turns."))
        close_button.setAccessibleDescription(self.tr("Closes this window (Esc)."))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.forget_button, self.use_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.detail)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._on_table_selection_changed()
        self.refresh()

    # -- actions -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Inspect (cached) and hash every known model in the background."""
        self.progress.setText(self.tr("Reading model files…"))
        self.job.list(self.config)

    def add_path(self, path: Path) -> None:
        """Inspect ``path``; it joins the library only if it is a usable model."""
        self.message.setText("")
        self.progress.setText(self.tr("Inspecting {name}…").format(name=path.name))
        self.add_button.setEnabled(False)
        self.job.add(self.config, path)

    def selected(self) -> ModelEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def wait(self) -> None:
        self.job.wait()

    def done(self, result: int) -> None:
        # No job may outlive the dialog's signals; cancelling first means closing does not wait
        # for a 14 GB model to be hashed.
        self.job.cancel()
        self.job.wait()
        super().done(result)

    # -- slots -------------------------------------------------------------------------------

    def _on_add_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Add a GGUF model"), "", self.tr("GGUF models (*.gguf);;All files (*)")
        )
        if path:
            self.add_path(Path(path))

    def _on_forget_clicked(self) -> None:
        entry = self.selected()
        if entry is None or entry.is_demo:
            return
        self.config = forget_model(self.config, entry.path)
        self.library_changed.emit(self.config)
        self.refresh()

    def _on_use_clicked(self) -> None:
        entry = self.selected()
        if entry is None or entry.info is None or entry.info.is_projector:
            return
        self.model_chosen.emit("" if entry.is_demo else entry.path, entry.info)

    def _on_job_listed(self, entries: list[ModelEntry]) -> None:
        self.entries = entries
        self.progress.setText(counted().models(len(entries)))
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate(_cells(entry)):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.error or entry.path)
                self.table.setItem(row, column, item)
        self._on_table_selection_changed()

    def _on_job_added(self, config: AppConfig) -> None:
        self.add_button.setEnabled(True)
        if config.models != self.config.models:
            self.config = replace(self.config, models=config.models)
            self.library_changed.emit(self.config)
        self.refresh()

    def _on_job_failed(self, message: str) -> None:
        self.add_button.setEnabled(True)
        self.progress.setText("")
        self.message.setText(message)

    def _on_table_selection_changed(self) -> None:
        entry = self.selected()
        self.forget_button.setEnabled(entry is not None and not entry.is_demo)
        usable = entry is not None and entry.info is not None and not entry.info.is_projector
        self.use_button.setEnabled(usable)
        if entry is not None and entry.error:
            self.message.setText(entry.error)
        self.detail.setPlainText(_detail(entry) if entry is not None else "")
        self.detail.setVisible(entry is not None)


def _cells(entry: ModelEntry) -> list[str]:
    info = entry.info
    demo = " " + QCoreApplication.translate("ModelsDialog", "(demo)") if entry.is_demo else ""
    name = Path(entry.path).name + demo
    if info is None:
        unusable = QCoreApplication.translate("ModelsDialog", "unusable")
        return [name, "", "", "", "", "", "", unusable, "", entry.error or ""]
    return [
        name,
        size(info.size),
        info.architecture,
        parameter_label(info.parameter_count),
        info.quantization or "?",
        number(info.context_length) if info.context_length else "?",
        QCoreApplication.translate("ModelsDialog", "yes")
        if info.has_chat_template
        else QCoreApplication.translate("ModelsDialog", "no"),
        QCoreApplication.translate("ModelsDialog", "vision projector")
        if info.is_projector
        else (family(entry.family) if entry.family else ""),
        Path(info.projector).name if info.projector else QCoreApplication.translate("ModelsDialog", "none"),
        info.sha256 or "",
    ]


def _detail(entry: ModelEntry) -> str:
    """The entry's file, SHA-256 and projector, one a line, in full."""
    info = entry.info
    lines = [entry.path]
    if info is not None:
        sha256 = info.sha256 or QCoreApplication.translate("ModelsDialog", "not hashed yet")
        lines.append(QCoreApplication.translate("ModelsDialog", "SHA-256 {sha256}").format(sha256=sha256))
        if not info.is_projector:
            projector = info.projector or QCoreApplication.translate("ModelsDialog", "none")
            lines.append(
                QCoreApplication.translate("ModelsDialog", "Vision projector: {projector}").format(
                    projector=projector
                )
            )
    return "\n".join(lines)
