"""Verify the record off the GUI thread and report the result."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.record import Store, check_record
from app.ui.background import Background


class IntegrityCheck(QObject):
    """Runs ``verify`` (``check_record``: chain, rows, signatures, the witness) in the background.

    Signals:
        started(): a verification began.
        finished(object): its ``RecordCheck`` result.
    """

    started = Signal()
    finished = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._background = Background("integrity", self)

    def start(self) -> None:
        self.started.emit()
        store = self._store
        self._background.start(
            lambda cancel: check_record(store, cancel), self.finished.emit, doing="Verifying the record"
        )

    def wait(self) -> None:
        self._background.wait()
