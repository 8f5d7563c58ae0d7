"""Verify the record off the GUI thread and report the result."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.services.record import Store, check_record


class IntegrityCheck(QObject):
    """Runs ``verify`` (``check_record``: chain, rows, signatures, the witness) on the thread pool.

    Signals:
        started(): a verification began.
        finished(object): its ``RecordCheck`` result.
    """

    started = Signal()
    finished = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

    def start(self) -> None:
        self.started.emit()
        self._pool.start(self._run)

    def wait(self) -> None:
        self._pool.waitForDone()

    def _run(self) -> None:
        self.finished.emit(check_record(self._store))  # queued to the GUI thread
