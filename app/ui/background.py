"""Work off the GUI thread: the one way the window's dialogs and panes run it.

A ``Background`` hands jobs to the services' ``Runner`` (one thread, jobs in the order given;
the session runs its loads and turns the same way) and brings each job's outcome back to the
GUI thread through a queued signal. There is one error path: an error a user can act on (a
``VeritraceError``, the system refusing, SQLite) reaches the job's ``failed`` in words
(``failure_words``); a bug is said there too, so no dialog is left waiting, and is then raised
on the GUI thread, where the application's handler logs it and shows the crash dialog. A job
given no ``failed`` leaves every error to that handler.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal

from app.core.cancel import CancelToken
from app.services.phases import Runner

T = TypeVar("T")


def failure_words(error: BaseException, doing: str) -> str:
    """What to tell the user of ``error``, which stopped ``doing`` ("Export", "Searching")."""
    # Here, not at the top: it loads the record's modules, which load after the window is shown.
    from app.services.failures import HANDLED, describe_failure

    if isinstance(error, HANDLED):
        return describe_failure(error, doing).message
    return f"{doing} failed: an unexpected error ({type(error).__name__}). Details are in the log."


@dataclass(frozen=True)
class _Job:
    done: Callable[[Any], None]
    failed: Callable[[str], None] | None
    doing: str


@dataclass(frozen=True)
class _Outcome:
    result: Any = None
    error: BaseException | None = None


class Background(QObject):
    """Runs ``work(cancel)`` off the GUI thread, one job at a time in the order given.

    Each job gets its own ``CancelToken``; ``cancel`` sets the tokens of every job not yet
    ended, and the work decides what stopping means. Its thread lives while jobs do: the
    next job after the last one ended starts another.
    """

    _ended = Signal(object, object)  # (_Job, _Outcome), emitted on the worker thread

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._lock = threading.Lock()  # guards the runner and the jobs, which its thread also ends
        self._runner: Runner | None = None
        self._jobs: dict[Future[None], CancelToken] = {}
        self._ended.connect(self._on_ended, Qt.ConnectionType.QueuedConnection)

    def start(
        self,
        work: Callable[[CancelToken], T],
        done: Callable[[T], None],
        failed: Callable[[str], None] | None = None,
        *,
        doing: str = "That action",
    ) -> CancelToken:
        """Run ``work`` after the jobs given before; ``done(result)`` or ``failed(words)`` follow
        on the GUI thread. Returns the job's token."""
        cancel = CancelToken()
        job = _Job(done, failed, doing)

        def run() -> None:
            # An event loop made in this thread gives it the event dispatcher a QThread has:
            # Qt's text layout (the PDF report) starts timers, which need one.
            QEventLoop()
            try:
                outcome = _Outcome(result=work(cancel))
            except Exception as error:  # on its way to the GUI thread: a known error or a bug
                outcome = _Outcome(error=error)
            with contextlib.suppress(RuntimeError):  # the owner is gone: nobody is left to tell
                self._ended.emit(job, outcome)

        with self._lock:
            if self._runner is None:
                self._runner = Runner(self._name)
            future = self._runner.submit(run)
            self._jobs[future] = cancel
        future.add_done_callback(self._forget)
        return cancel

    def busy(self) -> bool:
        """Whether a job has not ended yet."""
        with self._lock:
            return not all(job.done() for job in self._jobs)

    def cancel(self) -> None:
        """Ask every job not yet ended to stop."""
        with self._lock:
            tokens = list(self._jobs.values())
        for token in tokens:
            token.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job given so far has ended (their outcomes are then queued to the GUI
        thread, which delivers them when its event loop runs); False if ``timeout`` passed first."""
        with self._lock:
            jobs = list(self._jobs)
        _, running = wait_for(jobs, timeout)
        return not running

    def _forget(self, ended: Future[None]) -> None:
        with self._lock:
            self._jobs.pop(ended, None)
            if not self._jobs and self._runner is not None:
                self._runner.stop(timeout=0)  # an idle thread ends; nothing is waited for
                self._runner = None

    def _on_ended(self, job: _Job, outcome: _Outcome) -> None:
        error = outcome.error
        if error is None:
            job.done(outcome.result)
            return
        if job.failed is not None:
            job.failed(failure_words(error, job.doing))
            from app.services.failures import HANDLED

            if isinstance(error, HANDLED):
                return
        raise error  # to the application's handler: the log, and a dialog
