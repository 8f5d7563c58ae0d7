"""Evaluate a local prompt while it is being committed, and hold its output back until then.

A prompt must be on disk before any of its output is shown or recorded. Committing it
(an fsync'd SQLite transaction) and evaluating it (llama.cpp's prefill, which runs in C
without the GIL) do not depend on each other. So the commit runs on a thread of its own
(``commit_beside``) while the caller's thread, the one that always runs llama.cpp, computes
the first piece of output (``HeldStart``); nothing reads that piece until the caller has the
commit's result. A commit that fails stops the prefill at once (its cancel is set) and the
piece is dropped unseen.

The prefill stays on the caller's thread because llama.cpp's CPU threads (an OpenMP team)
belong to the thread that calls it: a second calling thread would bring a second team, and
the two compete for the cores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

from app.runtime.backend import Generation

T = TypeVar("T")
_END = object()


def commit_beside(work: Callable[[], T], on_failure: Callable[[], None]) -> Future[T]:
    """Run ``work`` on a thread of its own; if it raises, call ``on_failure`` first."""
    done: Future[T] = Future()

    def run() -> None:
        try:
            result = work()
        except BaseException as error:  # handed to whoever waits for the result
            on_failure()
            done.set_exception(error)
        else:
            done.set_result(result)

    threading.Thread(target=run, name="commit", daemon=True).start()
    return done


class HeldStart:
    """A ``Generation`` whose first piece is computed ahead (``compute_first``) and held back.

    ``started`` is when the generation began (``time.monotonic()``), so the time to first
    token counts from the real start. An error computing the first piece is raised where the
    output is read, as if it happened there. Every other attribute is the generation's own.
    """

    def __init__(self, generation: Generation) -> None:
        self._generation = generation
        self._pieces = iter(generation)
        self._first: object = _END
        self._error: Exception | None = None
        self.started = time.monotonic()

    def compute_first(self) -> None:
        try:
            self._first = next(self._pieces)
        except StopIteration:
            self._first = _END
        except Exception as error:  # read where the output is read
            self._error = error

    def __iter__(self) -> Iterator[str]:
        if self._error is not None:
            raise self._error
        if self._first is _END:
            return
        assert isinstance(self._first, str)
        yield self._first
        yield from self._pieces

    def abandon(self) -> None:
        """Let go of the generation unread (its prompt could not be committed)."""
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
