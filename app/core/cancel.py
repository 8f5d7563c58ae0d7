"""A stop request that code which cannot poll can still observe."""

from __future__ import annotations

import threading
from collections.abc import Callable


class CancelToken(threading.Event):
    """A ``threading.Event`` that also calls subscribers when set.

    llama.cpp's prompt prefill runs in C for seconds without returning to Python, so
    the runtime subscribes a hook that flips a flag llama.cpp reads itself.
    """

    def __init__(self) -> None:
        super().__init__()
        self._hooks: list[Callable[[], None]] = []
        self._hooks_lock = threading.Lock()

    def set(self) -> None:
        with self._hooks_lock:
            super().set()
            hooks = list(self._hooks)
        for hook in hooks:
            hook()

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
