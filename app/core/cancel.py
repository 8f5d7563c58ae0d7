"""The one stop request: polled by loops, and observed by code that cannot poll."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.core.errors import VeritraceError


class Cancelled(VeritraceError):
    """Work stopped because the user asked it to; nothing half-done was kept."""


def stop_if_set(cancel: CancelToken | None, message: str = "Cancelled.") -> None:
    """Raise ``Cancelled`` if ``cancel`` is set (cheap enough to call every few thousand steps)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(message)


class CancelToken(threading.Event):
    """The stop request every job and backend takes: an event (``set``, ``is_set``, ``wait``)
    that also calls subscribers when set.

    llama.cpp's prompt prefill runs in C for seconds without returning to Python, so the
    runtime subscribes a hook that flips a flag llama.cpp reads itself; a remote turn's hook
    shuts its socket, and a download's stops the transfer.
    """

    def __init__(self) -> None:
        super().__init__()
        self._hooks: list[Callable[[], None]] = []
        self._hooks_lock = threading.Lock()
        self._reason: str | None = None

    def set(self, reason: str | None = None) -> None:
        """Ask the work to stop; ``reason`` says who or what asked (None: the user, plainly).

        The first request is the one that counts: a later one (the window closing after Stop
        was pressed) neither changes the reason nor runs the hooks again.
        """
        with self._hooks_lock:
            # The Event's own flag, not ``self.is_set()``: a subclass may observe is_set (tests
            # count looks), and calling it here, under the lock, would re-enter ``set``.
            if threading.Event.is_set(self):
                return
            self._reason = reason
            super().set()
            hooks = list(self._hooks)
        for hook in hooks:
            hook()

    def clear(self) -> None:
        with self._hooks_lock:
            super().clear()
            self._reason = None

    @property
    def reason(self) -> str | None:
        """Why the stop was asked for, as given to ``set`` (None if not set, or set without one)."""
        with self._hooks_lock:
            return self._reason if threading.Event.is_set(self) else None

    def subscribe(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call ``hook`` when set (at once if already set); returns the unsubscribe function."""
        with self._hooks_lock:
            self._hooks.append(hook)
            already = self.is_set()
        if already:
            hook()

        def unsubscribe() -> None:
            with self._hooks_lock:
                if hook in self._hooks:
                    self._hooks.remove(hook)

        return unsubscribe
