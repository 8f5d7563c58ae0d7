"""Coalesce streamed text into one insert per repaint interval."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

REPAINT_INTERVAL_MS = 30
# Inserting text costs layout time in proportion to its length: cap one insert so that
# even a burst far faster than any model never blocks the event loop for long.
MAX_CHARS_PER_INSERT = 16_000


class TextThrottle(QObject):
    """Collect deltas; hand them over joined at most every ``interval_ms``.

    Per-token widget updates cost a layout each; at 100 tokens/s batching keeps the
    event loop free (qutebrowser's Throttle does the same for its status bar).
    """

    def __init__(
        self,
        deliver: Callable[[str], None],
        parent: QObject | None = None,
        interval_ms: int = REPAINT_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._pending: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    def push(self, text: str) -> None:
        self._pending.append(text)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Deliver what is pending now, in slices, letting the event loop run between them."""
        self._timer.stop()
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        if len(text) > MAX_CHARS_PER_INSERT:
            self._pending.append(text[MAX_CHARS_PER_INSERT:])
            text = text[:MAX_CHARS_PER_INSERT]
            QTimer.singleShot(0, self, self._on_more_pending)
        self._deliver(text)

    def flush_all(self) -> None:
        """Deliver everything now (the stream ended)."""
        self._timer.stop()
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            self._deliver(text)

    def _on_more_pending(self) -> None:
        if self._pending and not self._timer.isActive():
            self.flush()

    def discard(self) -> None:
        self._timer.stop()
        self._pending.clear()
