"""Download Magistral Small 1.2 from the Hugging Face Hub in the background: progress, pause, cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.cancel import CancelToken
from app.core.catalogue import MAGISTRAL_SMALL_1_2, Offering, RemoteFile
from app.core.images import human_size
from app.services.downloads import (
    Download,
    DownloadResult,
    FreeSpace,
    Outcome,
    Progress,
    default_folder,
    describe_progress,
    free_bytes,
)
from app.ui.background import Background

BAR_STEPS = 1000  # QProgressBar holds an int: a 14 GB byte count would overflow it


class DownloadJob(QObject):
    """Downloads files one after the other in the background; a paused job continues with ``start``.

    Signals:
        progress(object): a ``Progress`` of the file being fetched.
        finished(object): the list of ``DownloadResult``, one per file, all completed.
        paused(): stopped with the partial file kept.
        cancelled(): stopped and the partial file deleted.
        failed(str): a message for the user.
    """

    progress = Signal(object)
    finished = Signal(object)
    paused = Signal()
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = Background("download", self)
        self._downloads: list[Download] = []
        self._results: list[DownloadResult] = []
        self._current: Download | None = None

    def prepare(self, files: list[RemoteFile], folder: Path, *, free_space: FreeSpace = free_bytes) -> None:
        self._downloads = [Download(file, folder, free_space=free_space) for file in files]
        self._results = []

    def start(self) -> None:
        """Run (or continue) the prepared downloads in the background."""
        pending = self._downloads[len(self._results) :]
        self._background.start(
            lambda cancel: self._run(pending, cancel), self._on_ran, self.failed.emit, doing="Download"
        )

    def _run(self, pending: list[Download], cancel: CancelToken) -> Outcome:
        """On the worker thread: each file in turn, until one pauses or is cancelled."""
        for download in pending:
            self._current = download
            unsubscribe = cancel.subscribe(download.cancel)
            try:
                result = download.run(self.progress.emit)
            finally:
                unsubscribe()
                self._current = None
            if result.outcome is Outcome.CANCELLED:
                self._discard_all()
            if result.outcome is not Outcome.COMPLETED:
                return result.outcome
            self._results.append(result)
        return Outcome.COMPLETED

    def _on_ran(self, outcome: Outcome) -> None:
        if outcome is Outcome.PAUSED:
            self.paused.emit()
        elif outcome is Outcome.CANCELLED:
            self.cancelled.emit()
        else:
            self.finished.emit(list(self._results))

    def pause(self) -> None:
        current = self._current
        if current is not None:
            current.pause()

    def cancel(self) -> None:
        """Stop a running download and delete its partial file (a paused one is deleted too)."""
        # A job starting or running stops and deletes its own partial file. The job that paused
        # may still be ending on its thread when its pause is heard, so whether one is running
        # is told by the download in hand, not by the job: with none, the partial files go now.
        self._background.cancel()
        if self._current is None:
            self._discard_all()

    def _discard_all(self) -> None:
        for download in self._downloads[len(self._results) :]:
            download.discard()

    def wait(self) -> None:
        self._background.wait()


class DownloadDialog(QDialog):
    """Pick a quantization, the projector and a folder; download with progress, pause and cancel.

    Signals:
        downloaded(object, object): the model's path and the projector's path (or None).
        use_requested(object, object): the same, when the user asks to use the model now.
    """

    downloaded = Signal(object, object)
    use_requested = Signal(object, object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        offering: Offering = MAGISTRAL_SMALL_1_2,
        folder: Path | None = None,
        free_space: Callable[[Path], int] = free_bytes,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Download {offering.title}")
        self.setMinimumWidth(620)
        self._offering = offering
        self._free_space = free_space
        self.results: list[DownloadResult] = []
        self.job = DownloadJob(self)
        self.job.progress.connect(self._on_job_progress)
        self.job.finished.connect(self._on_job_finished)
        self.job.paused.connect(self._on_job_paused)
        self.job.cancelled.connect(self._on_job_cancelled)
        self.job.failed.connect(self._on_job_failed)
        self._state = "idle"  # idle | running | pausing | paused | done

        self.quantization = QComboBox()
        for quantization in offering.quantizations:
            note = f" — {quantization.note}" if quantization.note else ""
            self.quantization.addItem(
                f"{quantization.name}, about {human_size(quantization.approx_bytes)}{note}", quantization.name
            )
        index = self.quantization.findData(offering.default_quant)
        self.quantization.setCurrentIndex(max(index, 0))
        self.projector = QCheckBox(
            f"Also download the vision projector ({offering.projector.filename}, about "
            f"{human_size(offering.projector_approx_bytes)}) to show the model images"
            if offering.projector
            else "This model has no vision projector"
        )
        self.projector.setEnabled(offering.projector is not None)
        self.projector.setChecked(offering.projector is not None)
        self.folder = QLineEdit(str(folder or default_folder()))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._on_choose_clicked)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(choose)
        self.space = QLabel()
        self.space.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Quantization:", self.quantization)
        form.addRow("", self.projector)
        form.addRow("Save in:", where)
        form.addRow("Space:", self.space)

        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setVisible(False)
        self.status = QLabel("Sizes and SHA-256 checksums are read from the Hub when the download starts.")
        self.status.setWordWrap(True)
        self.download_button = QPushButton("Download")
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self._on_download_clicked)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setEnabled(False)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.use_button = QPushButton("Use this model")
        self.use_button.setVisible(False)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.quantization.currentIndexChanged.connect(self._update_space)
        self.projector.toggled.connect(self._update_space)
        self.folder.textChanged.connect(self._update_space)
        self._update_space()

    # -- choices -------------------------------------------------------------------

    def chosen_files(self) -> list[RemoteFile]:
        files = [self._offering.quantization(self.quantization.currentData()).file]
        if self.projector.isChecked() and self._offering.projector is not None:
            files.append(self._offering.projector)
        return files

    def _approx_bytes(self) -> int:
        total = self._offering.quantization(self.quantization.currentData()).approx_bytes
        if self.projector.isChecked():
            total += self._offering.projector_approx_bytes
        return total

    def _update_space(self) -> None:
        folder = Path(self.folder.text().strip() or ".").expanduser()
        try:
            free = f"{human_size(self._free_space(folder))} free in {folder}"
        except OSError as error:
            free = f"free space in {folder} unknown ({error.strerror or error})"
        self.space.setText(f"About {human_size(self._approx_bytes())} to download; {free}.")

    def _on_choose_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the model files", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- running -------------------------------------------------------------------

    def running(self) -> bool:
        return self._state in ("running", "pausing")

    def _on_download_clicked(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.status.setText("Choose a folder for the model files.")
            return
        self.job.prepare(self.chosen_files(), Path(text).expanduser(), free_space=self._free_space)
        self.use_button.setVisible(False)
        self._run("Asking the Hub for the file's size and checksum…")

    def _run(self, message: str) -> None:
        self._state = "running"
        for widget in (self.quantization, self.projector, self.folder, self.download_button):
            widget.setEnabled(False)
        self.pause_button.setText("Pause")
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.bar.setVisible(True)
        self.status.setText(message)
        self.job.start()

    def _on_pause_clicked(self) -> None:
        if self._state == "running":
            self._state = "pausing"
            self.pause_button.setEnabled(False)
            self.status.setText("Pausing…")
            self.job.pause()
        elif self._state == "paused":
            self._run("Resuming…")

    def _on_cancel_clicked(self) -> None:
        if self._state == "paused":
            self.job.cancel()
            self._on_job_cancelled()
        elif self.running():
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self.job.cancel()

    def _on_job_progress(self, progress: Progress) -> None:
        if self._state != "running":
            return
        self.bar.setValue(int(BAR_STEPS * progress.done / progress.total) if progress.total else BAR_STEPS)
        self.status.setText(describe_progress(progress))

    def _on_job_paused(self) -> None:
        self._state = "paused"
        self.pause_button.setText("Resume")
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.status.setText("Paused. The part already downloaded is kept; Resume continues from it.")

    def _on_job_cancelled(self) -> None:
        self._idle("Cancelled; the partial file was deleted.")

    def _on_job_failed(self, message: str) -> None:
        self._idle(message)

    def _on_job_finished(self, results: list[DownloadResult]) -> None:
        self.results = results
        model = results[0].path
        projector = results[1].path if len(results) > 1 else None
        lines = [f"{r.path.name}: {human_size(r.size)}, SHA-256 {r.sha256} verified." for r in results]
        self._idle("\n".join([*lines, f"Saved in {model.parent}."]))
        self.bar.setVisible(True)
        self.bar.setValue(BAR_STEPS)
        self.use_button.setVisible(True)
        self.use_button.setDefault(True)
        self.downloaded.emit(model, projector)

    def _idle(self, message: str) -> None:
        self._state = "idle"
        for widget in (self.quantization, self.folder, self.download_button):
            widget.setEnabled(True)
        self.projector.setEnabled(self._offering.projector is not None)
        self.pause_button.setText("Pause")
        self.pause_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.bar.setVisible(False)
        self.status.setText(message)

    def _on_use_clicked(self) -> None:
        if self.results:
            projector = self.results[1].path if len(self.results) > 1 else None
            self.use_requested.emit(self.results[0].path, projector)
        self.accept()

    def done(self, result: int) -> None:  # also reached by Esc and the window's close button
        if self.running():
            # Closing pauses: a 14 GB download should not be thrown away by a stray Esc.
            self.job.pause()
            self.job.wait()
        super().done(result)
