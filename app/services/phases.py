"""The session's one state, the moves it may make, and the one thread its work runs on.

A session is in exactly one ``Phase``. Every change goes through ``PhaseMachine.move``, which
refuses a move ``ALLOWED`` does not list, so "send while loading" or "load while generating" is
an ``IllegalMove`` with a sentence a user can read, never a second request queued behind the
first. Work that takes long (loading a model, running a turn) runs on one ``Runner`` thread, in
the order it was asked for; whoever waits for it holds a ``Future``.
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from app.core.errors import VeritraceError

T = TypeVar("T")


class Phase(enum.StrEnum):
    IDLE = "idle"  # no model
    LOADING = "loading"  # a model loads, or a server is being connected
    READY = "ready"  # a model is loaded; a turn may be sent
    GENERATING = "generating"  # a turn runs
    STOPPING = "stopping"  # a stop was asked for; the turn is ending
    CLOSED = "closed"  # the session ended; nothing more runs


# Each phase and the phases it may move to; nothing else is allowed.
ALLOWED: dict[Phase, frozenset[Phase]] = {
    Phase.IDLE: frozenset({Phase.LOADING, Phase.CLOSED}),
    # A failed load leaves no model (IDLE), or keeps the one in use (a server that did not answer).
    Phase.LOADING: frozenset({Phase.READY, Phase.IDLE}),
    Phase.READY: frozenset({Phase.LOADING, Phase.GENERATING, Phase.CLOSED}),
    Phase.GENERATING: frozenset({Phase.STOPPING, Phase.READY}),
    # Closing while stopping waits for the turn to end (READY), then closes.
    Phase.STOPPING: frozenset({Phase.READY}),
    Phase.CLOSED: frozenset(),
}

# What each move is, in words, for refusing it: (from, to) -> the request it stands for.
_ASKED = {
    Phase.LOADING: "load a model",
    Phase.GENERATING: "send a prompt",
    Phase.STOPPING: "stop",
    Phase.CLOSED: "close",
    Phase.READY: "be ready",
    Phase.IDLE: "unload the model",
}
_BECAUSE = {
    Phase.IDLE: "no model is loaded",
    Phase.LOADING: "a model is still loading",
    Phase.READY: "nothing is running",
    Phase.GENERATING: "a turn is running",
    Phase.STOPPING: "a turn is stopping",
    Phase.CLOSED: "the session is closed",
}


class IllegalMove(VeritraceError):
    """A request the session's phase does not allow; the message says why."""

    def __init__(self, current: Phase, wanted: Phase) -> None:
        super().__init__(f"Cannot {_ASKED[wanted]} now: {_BECAUSE[current]}.")
        self.current, self.wanted = current, wanted


class PhaseMachine:
    """The phase, changed only by allowed moves; safe to use from any thread.

    ``on_move(before, after)`` is called after each move, outside the lock, in the thread that
    made it.
    """

    def __init__(self, on_move: Callable[[Phase, Phase], None] = lambda _before, _after: None) -> None:
        self._phase = Phase.IDLE
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._on_move = on_move

    @property
    def phase(self) -> Phase:
        with self._lock:
            return self._phase

    def move(self, wanted: Phase, *, allowed_from: frozenset[Phase] | None = None) -> Phase:
        """Move to ``wanted``; ``allowed_from`` narrows where from. Returns the phase left."""
        with self._lock:
            before = self._phase
            if wanted not in ALLOWED[before] or (allowed_from is not None and before not in allowed_from):
                raise IllegalMove(before, wanted)
            self._phase = wanted
            self._changed.notify_all()
        self._on_move(before, wanted)
        return before

    def wait_for(self, phases: frozenset[Phase], timeout: float | None = None) -> Phase:
        """Block until the phase is one of ``phases`` (or ``timeout`` passes); the phase then."""
        with self._changed:
            self._changed.wait_for(lambda: self._phase in phases, timeout)
            return self._phase


class Runner:
    """One thread that runs submitted work in order: loads and turns never overlap."""

    def __init__(self, name: str = "session") -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` after what was submitted before; its result or exception lands in the future."""
        done: Future[T] = Future()
        if not self._thread.is_alive():
            done.set_exception(RuntimeError("the session's thread has ended"))
            return done
        self._jobs.put((work, done))
        return done

    def stop(self, timeout: float | None = None) -> None:
        """Let the work already submitted finish, then end the thread."""
        self._jobs.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            work, done = job
            if not done.set_running_or_notify_cancel():
                continue
            try:
                result = work()
            except BaseException as error:  # handed to whoever waits; the thread goes on
                done.set_exception(error)
            else:
                done.set_result(result)
