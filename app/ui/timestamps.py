"""Send queued checkpoints to the timestamp authority off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.ui.background import Background

if TYPE_CHECKING:  # the record's modules load after the window is shown
    from app.services.anchoring import Authority
    from app.services.record import Store


class TimestampSender(QObject):
    """Sends what is queued for the timestamp authority in the background, one batch at a time.

    Signals:
        finished(str): what happened, in words (timestamped, refused, or still queued offline).
    """

    finished = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        # One job at a time: a checkpoint is never sent twice at once.
        self._background = Background("timestamps", self)

    def send(self, authority: Authority) -> None:
        self._background.start(lambda _cancel: self._send(authority), self._on_sent, doing="Timestamping")

    def wait(self) -> None:
        self._background.wait()

    def _send(self, authority: Authority) -> str | None:
        from app.services.anchoring import pending, send_queued

        return send_queued(self._store, authority).describe() if pending(self._store) else None

    def _on_sent(self, words: str | None) -> None:
        if words is not None:
            self.finished.emit(words)
