"""Start a local generation while its prompt is being committed, and hold its output back.

A prompt must be on disk before any of its output is shown or recorded. Committing it
(an fsync'd SQLite transaction) and evaluating it (llama.cpp's prefill, which runs in C
without the GIL) do not depend on each other, so the prefill starts on a thread of its own
and computes at most the first piece of output; nothing reads that piece until the caller
has the prompt committed and asks for it. If the commit fails the generation is stopped and
dropped: the first piece is never seen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from app.core.cancel import CancelToken
from app.runtime.backend import Generation

_END = object()


class EarlyStart:
    """A ``Generation`` whose first piece is computed ahead, on its own thread.

    ``started`` is when the generation began and ``first_at`` when its first piece was
    ready (both ``time.monotonic()``), so the time to first token counts from the real start.
    Every other attribute (``finish_reason``, ``completion_tokens``, what a server reported)
    is the generation's own.
    """

    def __init__(self, generation: Generation, cancel: CancelToken) -> None:
        self._generation = generation
        self._cancel = cancel
        self._pieces = iter(generation)
        self._first: Future[object] = Future()
        self.started = time.monotonic()
        self.first_at: float | None = None
        self._thread = threading.Thread(target=self._pull_first, name="prefill", daemon=True)
        self._thread.start()

    def _pull_first(self) -> None:
        try:
            piece: object = next(self._pieces)
        except StopIteration:
            piece = _END
        except BaseException as error:  # raised where the output is read, as if read there
            self._first.set_exception(error)
            return
        self.first_at = time.monotonic()
        self._first.set_result(piece)

    def __iter__(self) -> Iterator[str]:
        first = self._first.result()
        if first is _END:
            return
        assert isinstance(first, str)
        yield first
        yield from self._pieces

    def abandon(self) -> None:
        """The prompt could not be committed: stop the generation and let go of it unread."""
        self._cancel.set()
        self._thread.join()
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()

    @property
    def finish_reason(self) -> str | None:
        return self._generation.finish_reason

    @property
    def completion_tokens(self) -> int:
        return self._generation.completion_tokens

    def __getattr__(self, name: str) -> Any:
        return getattr(self._generation, name)
