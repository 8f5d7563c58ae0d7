"""Send queued checkpoints to the timestamp authority off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.services.anchoring import Authority, pending, send_queued
from app.services.record import Store


class TimestampSender(QObject):
    """Sends what is queued for the timestamp authority on the thread pool, one batch at a time.

    Signals:
        finished(str): what happened, in words (timestamped, refused, or still queued offline).
    """

    finished = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one batch at a time: a checkpoint is never sent twice at once

    def send(self, authority: Authority) -> None:
        self._pool.start(lambda: self._run(authority))

    def wait(self) -> None:
        self._pool.waitForDone()

    def _run(self, authority: Authority) -> None:
        if pending(self._store):
            self.finished.emit(send_queued(self._store, authority).describe())  # queued to the GUI thread
