"""Verify the record off the GUI thread and report the result."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.ui.background import Background

if TYPE_CHECKING:  # the record's modules load after the window is shown
    from app.core.cancel import CancelToken
    from app.services.record import RecordCheck, Store

REFRESH_DELAY_MS = 1000  # after the last write, before the record is verified again


class IntegrityCheck(QObject):
    """Runs ``verify`` (``check_record``: chain, rows, signatures, the witness) in the background.

    ``refresh`` verifies again after later writes, quietly (the last result stays shown until
    the new one comes), once writes pause and only while ``idle`` says so (a turn running is
    not slowed down by it).

    Signals:
        started(): a verification asked for by the user (or the start) began.
        finished(object): a ``RecordCheck`` result.
    """

    started = Signal()
    finished = Signal(object)

    def __init__(
        self, store: Store, parent: QObject | None = None, *, idle: Callable[[], bool] = lambda: True
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._idle = idle
        self._background = Background("integrity", self)
        self._stale = False  # a write came after the verification running or last finished
        self._closing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._timer.stop()
        self._stale = False
        self.started.emit()
        self._run()

    def refresh(self) -> None:
        """The record was written to: verify it again once writes pause."""
        if self._closing:
            return  # the record may be closed by then
        self._stale = True
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if not self._stale:
            return
        if self._background.busy() or not self._idle():
            self._timer.start()  # after the verification running, or the turn
            return
        self._stale = False
        self._run()

    def _run(self) -> None:
        store = self._store
        self._background.start(
            lambda cancel: _check_record(store, cancel), self.finished.emit, doing="Verifying the record"
        )

    def wait(self) -> None:
        """Wait for the verification running, if one is; the window is closing: no refresh follows."""
        self._closing = True
        self._timer.stop()
        self._background.wait()


def _check_record(store: Store, cancel: CancelToken) -> RecordCheck:
    from app.services.record import check_record  # here: the window is shown before it loads

    return check_record(store, cancel)
