"""Download Magistral Small 1.2 from the Hugging Face Hub in the background: progress, pause, cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
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
from app.services.downloads import (
    Download,
    DownloadResult,
    FreeSpace,
    Outcome,
    Progress,
    Stage,
    default_folder,
    free_bytes,
    human_duration,
)
from app.ui.accessibility import make_default
from app.ui.background import Background
from app.ui.words import size as size_words

BAR_STEPS = 1000  # QProgressBar holds an int: a 14 GB byte count would overflow it
# The catalogue's notes on its quantizations, in the window's language (a note not listed here
# is shown as the catalogue words it).
CATALOGUE_NOTES = (
    str(QT_TRANSLATE_NOOP("DownloadDialog", "smallest; the usual choice with 32 GB of RAM")),
    str(QT_TRANSLATE_NOOP("DownloadDialog", "Unsloth's quantization")),
    str(QT_TRANSLATE_NOOP("DownloadDialog", "closest to the original weights")),
)


def breakable(path: Path) -> str:
    """A path as a wrapping label may break it: after each separator (a long folder name would
    otherwise widen the dialog past the screen)."""
    return str(path).replace("/", "/\u200b").replace("\\", "\\\u200b")


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
        self.setWindowTitle(self.tr("Download {model}").format(model=offering.title))
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
            words = self.tr("{name}, about {size}").format(
                name=quantization.name, size=size_words(quantization.approx_bytes)
            )
            if quantization.note:
                words += " — " + QCoreApplication.translate("DownloadDialog", quantization.note)
            self.quantization.addItem(words, quantization.name)
        index = self.quantization.findData(offering.default_quant)
        self.quantization.setCurrentIndex(max(index, 0))
        # However long a language words a choice, the box keeps the dialog narrow; its list is
        # as wide as its longest choice.
        self.quantization.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.quantization.setMinimumContentsLength(28)
        self.quantization.view().setMinimumWidth(self.quantization.view().sizeHintForColumn(0) + 8)
        self.projector = QCheckBox(
            self.tr("Also download the vision projector")
            if offering.projector
            else self.tr("This model has no vision projector")
        )
        # A check box does not wrap: what the projector is goes on a line of its own that does.
        self.projector_note = QLabel(
            self.tr("{file}, about {size}: lets the model see the images you attach.").format(
                file=offering.projector.filename, size=size_words(offering.projector_approx_bytes)
            )
            if offering.projector
            else ""
        )
        self.projector_note.setObjectName("projectorNote")
        self.projector_note.setWordWrap(True)
        self.projector_note.setVisible(offering.projector is not None)
        projector_box = QVBoxLayout()
        projector_box.setSpacing(2)
        projector_box.addWidget(self.projector)
        projector_box.addWidget(self.projector_note)
        self.projector.setEnabled(offering.projector is not None)
        self.projector.setChecked(offering.projector is not None)
        self.folder = QLineEdit(str(folder or default_folder()))
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._on_choose_clicked)
        choose.setAccessibleName(self.tr("Choose the folder"))
        choose.setAccessibleDescription(
            self.tr("Opens a folder chooser for where the model files are saved.")
        )
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(choose)
        self.space = QLabel()
        self.space.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Quantization:"), self.quantization)
        form.addRow("", projector_box)
        form.addRow(self.tr("Save in:"), where)
        form.addRow(self.tr("Space:"), self.space)

        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setVisible(False)
        self.status = QLabel(
            self.tr("Sizes and SHA-256 checksums are read from the Hub when the download starts.")
        )
        self.status.setWordWrap(True)
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self._on_download_clicked)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setEnabled(False)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.cancel_button = QPushButton(self.tr("Cancel download"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.use_button = QPushButton(self.tr("Use this model"))
        self.use_button.setVisible(False)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.close_button = QPushButton(self.tr("Close"))
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

        self.quantization.setAccessibleName(self.tr("Quantization"))
        self.quantization.setAccessibleDescription(
            self.tr(
                "How finely the model's weights are stored: smaller files need less memory. "
                "Arrow keys choose."
            )
        )
        self.projector.setAccessibleName(self.tr("Also download the vision projector"))
        self.projector.setAccessibleDescription(
            self.tr(
                "The vision projector lets the model see images; it is a second file, "
                "downloaded after the model."
            )
        )
        self.folder.setAccessibleName(self.tr("Save in"))
        self.folder.setAccessibleDescription(
            self.tr("The folder the model files are saved in; type it or choose it.")
        )
        self.download_button.setAccessibleDescription(
            self.tr("Downloads the files chosen and checks each one's SHA-256 against the Hub's.")
        )
        self.pause_button.setAccessibleDescription(
            self.tr("Pauses the download, keeping what was downloaded; pressed again, resumes it.")
        )
        self.cancel_button.setAccessibleDescription(
            self.tr("Stops the download and deletes the partial file.")
        )
        self.use_button.setAccessibleDescription(self.tr("Loads the downloaded model for the next turns."))
        self.close_button.setAccessibleDescription(
            self.tr("Closes this window (Esc); a running download is paused, not lost.")
        )
        self.quantization.currentIndexChanged.connect(self._update_space)
        self.projector.toggled.connect(self._update_space)
        self.folder.textChanged.connect(self._update_space)
        self._update_space()
        make_default(self.download_button)

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
            free = self.tr("{size} free in {folder}").format(
                size=size_words(self._free_space(folder)), folder=breakable(folder)
            )
        except OSError as error:
            free = self.tr("free space in {folder} unknown ({error})").format(
                folder=breakable(folder), error=error.strerror or error
            )
        self.space.setText(
            self.tr("About {size} to download; {free}.").format(
                size=size_words(self._approx_bytes()), free=free
            )
        )

    def _on_choose_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Folder for the model files"), self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)

    # -- running -------------------------------------------------------------------

    def running(self) -> bool:
        return self._state in ("running", "pausing")

    def _on_download_clicked(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.status.setText(self.tr("Choose a folder for the model files."))
            return
        self.job.prepare(self.chosen_files(), Path(text).expanduser(), free_space=self._free_space)
        self.use_button.setVisible(False)
        self._run(self.tr("Asking the Hub for the file's size and checksum…"))

    def _run(self, message: str) -> None:
        self._state = "running"
        for widget in (self.quantization, self.projector, self.folder, self.download_button):
            widget.setEnabled(False)
        self.pause_button.setText(self.tr("Pause"))
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.bar.setVisible(True)
        self.status.setText(message)
        self.job.start()

    def _on_pause_clicked(self) -> None:
        if self._state == "running":
            self._state = "pausing"
            self.pause_button.setEnabled(False)
            self.status.setText(self.tr("Pausing…"))
            self.job.pause()
        elif self._state == "paused":
            self._run(self.tr("Resuming…"))

    def _on_cancel_clicked(self) -> None:
        if self._state == "paused":
            self.job.cancel()
            self._on_job_cancelled()
        elif self.running():
            self.status.setText(self.tr("Cancelling…"))
            self.cancel_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self.job.cancel()

    def _on_job_progress(self, progress: Progress) -> None:
        if self._state != "running":
            return
        self.bar.setValue(int(BAR_STEPS * progress.done / progress.total) if progress.total else BAR_STEPS)
        self.status.setText(self.progress_words(progress))

    def progress_words(self, progress: Progress) -> str:
        """``name: 3.2 GB of 14.3 GB · 45.1 MB/s · 4 min 12 s left``, in the window's language."""
        amount = self.tr("{done} of {total}").format(
            done=size_words(progress.done), total=size_words(progress.total)
        )
        if progress.stage is Stage.CHECKING:
            return self.tr("{file}: checking the part already downloaded, {amount}").format(
                file=progress.filename, amount=amount
            )
        if progress.stage is Stage.VERIFYING:
            return self.tr("{file}: already here; checking it, {amount}").format(
                file=progress.filename, amount=amount
            )
        parts = [f"{progress.filename}: {amount}"]
        if progress.speed > 0:
            parts.append(self.tr("{size}/s").format(size=size_words(int(progress.speed))))
        if progress.eta is not None:
            parts.append(self.tr("{duration} left").format(duration=human_duration(progress.eta)))
        return " · ".join(parts)

    def _on_job_paused(self) -> None:
        self._state = "paused"
        self.pause_button.setText(self.tr("Resume"))
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Paused. The part already downloaded is kept; Resume continues from it."))

    def _on_job_cancelled(self) -> None:
        self._idle(self.tr("Cancelled; the partial file was deleted."))

    def _on_job_failed(self, message: str) -> None:
        self._idle(message)

    def _on_job_finished(self, results: list[DownloadResult]) -> None:
        self.results = results
        model = results[0].path
        projector = results[1].path if len(results) > 1 else None
        lines = [
            self.tr("{file}: {size}, SHA-256 {sha256} verified.").format(
                file=r.path.name, size=size_words(r.size), sha256=r.sha256
            )
            for r in results
        ]
        self._idle("\n".join([*lines, self.tr("Saved in {folder}.").format(folder=breakable(model.parent))]))
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
        self.pause_button.setText(self.tr("Pause"))
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
