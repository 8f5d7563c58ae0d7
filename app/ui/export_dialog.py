"""Export conversations as an audit report, in the background, with progress and cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.signing import KeyPair
from app.services.anchoring import Authority
from app.services.exporting import ExportResult, export
from app.services.record import Store
from app.ui.accessibility import make_default
from app.ui.background import Background
from app.ui.words import number

# (format key, label, file suffix; "" for a folder)
CHOICES = (
    ("pdf", str(QT_TRANSLATE_NOOP("ExportDialog", "PDF report")), ".pdf"),
    ("md", str(QT_TRANSLATE_NOOP("ExportDialog", "Markdown report (images beside it)")), ".md"),
    (
        "json",
        str(QT_TRANSLATE_NOOP("ExportDialog", "JSON bundle, zip (verifiable without Veritrace)")),
        ".zip",
    ),
    ("json-folder", str(QT_TRANSLATE_NOOP("ExportDialog", "JSON bundle, folder")), ""),
)


class ExportJob(QObject):
    """Runs one export in the background.

    Signals:
        progress(int, int): steps done, steps in all.
        finished(object): the ``ExportResult``.
        failed(str): a message for the user; nothing was written.
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = Background("export", self)

    def start(self, store: Store, key: KeyPair, ids: list[int], destination: Path, **options: object) -> None:
        progress = self.progress.emit
        self._background.start(
            lambda cancel: export(
                store,
                key,
                ids,
                destination,
                progress=progress,
                cancel=cancel,
                **options,  # type: ignore[arg-type]
            ),
            self.finished.emit,
            self.failed.emit,
            doing="Export",
        )

    def cancel(self) -> None:
        """Stop the export; ``failed`` says so, and nothing is written."""
        self._background.cancel()

    def wait(self) -> None:
        self._background.wait()


class ExportDialog(QDialog):
    """Choose format, page size and destination; export; show progress; allow cancelling."""

    exported = Signal(object)

    def __init__(
        self,
        store: Store,
        key: KeyPair,
        conversation_ids: list[int],
        scope: str,
        parent: QWidget | None = None,
        authority: Authority | None = None,
    ) -> None:
        super().__init__(parent)
        self._authority = authority  # a bundle's checkpoint is timestamped by it, if named
        self.setWindowTitle(self.tr("Export audit report"))
        self.setMinimumWidth(560)
        self._store, self._key, self._ids, self._scope = store, key, list(conversation_ids), scope
        self.job = ExportJob(self)
        self.job.progress.connect(self._on_job_progress)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)
        self.outcome: ExportResult | None = None

        # The report's own words for what it covers, shown as the report will state them: reports,
        # like the record, are written in English whatever language the window speaks.
        self.scope = QLabel(scope)
        self.scope.setObjectName("exportScope")
        self.scope.setWordWrap(True)
        self.scope.setToolTip(self.tr("As the report states it: reports are written in English."))
        self.formats = QButtonGroup(self)
        format_box = QVBoxLayout()
        described = {
            "pdf": self.tr("A PDF report to read and print."),
            "md": self.tr("A Markdown report; its images are saved beside it."),
            "json": self.tr("Every recorded row in one zip file, verifiable without Veritrace."),
            "json-folder": self.tr("The same JSON bundle, as a folder rather than a zip file."),
        }
        for index, (_, label, _) in enumerate(CHOICES):
            button = QRadioButton(QCoreApplication.translate("ExportDialog", label))
            self.formats.addButton(button, index)
            button.setAccessibleDescription(described[CHOICES[index][0]])
            format_box.addWidget(button)
        self.formats.button(0).setChecked(True)
        self.formats.idToggled.connect(self._on_format_toggled)
        self.page_size = QComboBox()
        self.page_size.addItem(self.tr("A4"), "a4")
        self.page_size.addItem(self.tr("Letter"), "letter")
        self.destination = QLineEdit()
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._on_choose_clicked)
        choose.setAccessibleName(self.tr("Choose where to save"))
        choose.setAccessibleDescription(self.tr("Opens a file chooser for where the report is written."))
        where = QHBoxLayout()
        where.addWidget(self.destination, 1)
        where.addWidget(choose)
        form = QFormLayout()
        form.addRow(self.tr("Scope in the report:"), self.scope)
        form.addRow(self.tr("Format:"), format_box)
        form.addRow(self.tr("Page size:"), self.page_size)
        form.addRow(self.tr("Save as:"), where)

        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self._on_close_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.page_size.setAccessibleName(self.tr("Page size"))
        self.page_size.setAccessibleDescription(self.tr("The paper size of a PDF report."))
        self.destination.setAccessibleName(self.tr("Save as"))
        self.destination.setAccessibleDescription(
            self.tr("Where the report is written: type a path or choose one. Enter exports.")
        )
        self.export_button.setAccessibleDescription(
            self.tr("Writes the report in the background; the export is recorded in the ledger.")
        )
        self.close_button.setAccessibleDescription(
            self.tr("Closes this window (Esc); while an export runs, cancels it and nothing is written.")
        )
        self._suggest_destination()
        make_default(self.export_button)

    # -- choices -------------------------------------------------------------------

    def choice(self) -> tuple[str, str, str]:
        return CHOICES[self.formats.checkedId()]

    def _suggest_destination(self) -> None:
        _, _, suffix = self.choice()
        current = self.destination.text().strip()
        if current:
            path = Path(current)
            stem = path.name[: -len(path.suffix)] if path.suffix else path.name
            self.destination.setText(str(path.with_name(stem + suffix)))
            return
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        folder = documents if documents and Path(documents).is_dir() else str(Path.home())
        name = f"veritrace-{'-'.join(str(number) for number in self._ids[:3])}"
        if len(self._ids) > 3:
            name += f"-and-{len(self._ids) - 3}-more"
        self.destination.setText(str(Path(folder) / (name + suffix)))

    def _on_format_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.page_size.setEnabled(self.choice()[0] == "pdf")
            self._suggest_destination()

    def _on_choose_clicked(self) -> None:
        _, label, suffix = self.choice()
        if not suffix:
            chosen = QFileDialog.getExistingDirectory(self, self.tr("Folder to create the bundle in"))
            if chosen:
                self.destination.setText(str(Path(chosen) / Path(self.destination.text()).name))
            return
        shown = QCoreApplication.translate("ExportDialog", label)
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save report as"), self.destination.text(), f"{shown} (*{suffix})"
        )
        if chosen:
            self.destination.setText(chosen if chosen.endswith(suffix) else chosen + suffix)

    # -- running -------------------------------------------------------------------

    def _on_export_clicked(self) -> None:
        text = self.destination.text().strip()
        if not text:
            self.status.setText(self.tr("Choose where to save the report."))
            return
        destination = Path(text).expanduser()
        overwrite = False
        if destination.exists():
            answer = QMessageBox.question(
                self,
                self.tr("Replace it?"),
                self.tr("{path} already exists. Replace it with this report?").format(path=destination),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            overwrite = True
        key = self.choice()[0]
        self.export_button.setEnabled(False)
        self.close_button.setText(self.tr("Cancel"))
        self.bar.setVisible(True)
        self.bar.setRange(0, 0)
        self.status.setText(self.tr("Verifying the record and signing a checkpoint…"))
        self.job.start(
            self._store,
            self._key,
            self._ids,
            destination,
            format="json" if key == "json-folder" else key,
            scope=self._scope,
            page_size=self.page_size.currentData(),
            overwrite=overwrite,
            authority=self._authority,
        )

    def running(self) -> bool:
        return not self.export_button.isEnabled()

    def _on_job_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        self.status.setText(
            self.tr("Writing… {done} of {total}").format(done=number(done), total=number(total))
        )

    def _on_job_finished(self, result: ExportResult) -> None:
        self.outcome = result
        self._finish(
            self.tr(
                "Report {report} saved to {path}.\nSHA-256 {sha256}; the export is recorded in the ledger."
            ).format(report=result.report_id, path=result.path, sha256=result.sha256)
        )
        self.exported.emit(result)

    def _on_job_failed(self, message: str) -> None:
        self._finish(message)

    def _finish(self, message: str) -> None:
        self.bar.setVisible(False)
        self.status.setText(message)
        self.export_button.setEnabled(True)
        self.close_button.setText(self.tr("Close"))

    def _on_close_clicked(self) -> None:
        if self.running():
            self.job.cancel()
            self.status.setText(self.tr("Cancelling…"))
            return
        self.accept()

    def done(self, result: int) -> None:  # also reached by Esc and the window's close button
        if self.running():
            self.job.cancel()
            self.job.wait()
        super().done(result)
