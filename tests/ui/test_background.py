"""The one way the window runs work off the GUI thread, and the one cancel token it hands out."""

from __future__ import annotations

import ast
import errno
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject
from pytestqt.qtbot import QtBot

from app.core.cancel import Cancelled, CancelToken
from app.core.errors import VeritraceError
from app.ui.background import Background

APP = Path(__file__).resolve().parents[2] / "app"
NAME = "test-background"


class Outcomes:
    """What reached ``done`` and ``failed``, and on which thread."""

    def __init__(self) -> None:
        self.done: list[object] = []
        self.failed: list[str] = []
        self.threads: set[threading.Thread] = set()

    def on_done(self, result: object) -> None:
        self.threads.add(threading.current_thread())
        self.done.append(result)

    def on_failed(self, words: str) -> None:
        self.threads.add(threading.current_thread())
        self.failed.append(words)


@pytest.fixture
def background() -> Iterator[Background]:
    made = Background(NAME)
    yield made
    made.cancel()
    assert made.wait(10)


def test_work_runs_off_the_gui_thread_in_order_and_results_arrive_on_it(
    qtbot: QtBot, background: Background
) -> None:
    outcomes = Outcomes()
    ran_on: list[threading.Thread] = []

    def work(number: int) -> int:
        ran_on.append(threading.current_thread())
        return number

    for number in range(5):
        background.start(lambda _cancel, number=number: work(number), outcomes.on_done)
    assert outcomes.done == [], "delivered later, by the event loop, never from inside start"
    qtbot.waitUntil(lambda: len(outcomes.done) == 5, timeout=5000)

    assert outcomes.done == [0, 1, 2, 3, 4]
    assert threading.main_thread() not in ran_on and {thread.name for thread in ran_on} == {NAME}
    assert outcomes.threads == {threading.main_thread()}


def test_known_errors_reach_failed_in_words(qtbot: QtBot, background: Background) -> None:
    outcomes = Outcomes()

    def full_disk(_cancel: CancelToken) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/media/usb/report.pdf")

    def refused(_cancel: CancelToken) -> None:
        raise VeritraceError("Nothing to export: choose at least one conversation.")

    background.start(full_disk, outcomes.on_done, outcomes.on_failed, doing="Export")
    background.start(refused, outcomes.on_done, outcomes.on_failed, doing="Export")
    qtbot.waitUntil(lambda: len(outcomes.failed) == 2, timeout=5000)

    assert outcomes.failed == [
        "Export failed: no space is left on the disk holding /media/usb/report.pdf. "
        "Free some space, then try again.",
        "Nothing to export: choose at least one conversation.",
    ]
    assert outcomes.done == [] and outcomes.threads == {threading.main_thread()}


def test_a_bug_is_said_and_then_raised_on_the_gui_thread(qtbot: QtBot, background: Background) -> None:
    outcomes = Outcomes()

    def buggy(_cancel: CancelToken) -> None:
        raise KeyError("no such column")

    with qtbot.captureExceptions() as raised:
        background.start(buggy, outcomes.on_done, outcomes.on_failed, doing="Searching")
        qtbot.waitUntil(lambda: bool(raised), timeout=5000)

    assert outcomes.failed == ["Searching failed: an unexpected error (KeyError). Details are in the log."], (
        "the dialog is not left waiting"
    )
    [(kind, error, _traceback)] = raised
    assert kind is KeyError and error.args == ("no such column",)


def test_without_failed_every_error_goes_to_the_application_handler(
    qtbot: QtBot, background: Background
) -> None:
    def refused(_cancel: CancelToken) -> None:
        raise VeritraceError("The record is locked.")

    with qtbot.captureExceptions() as raised:
        background.start(refused, lambda _result: None)
        qtbot.waitUntil(lambda: bool(raised), timeout=5000)

    assert [(kind, str(error)) for kind, error, _ in raised] == [(VeritraceError, "The record is locked.")]


def test_cancel_reaches_the_running_job_and_those_waiting(qtbot: QtBot, background: Background) -> None:
    outcomes = Outcomes()
    running = threading.Event()
    given: list[CancelToken] = []

    def long_job(cancel: CancelToken) -> str:
        given.append(cancel)
        running.set()
        if not cancel.wait(10):
            return "ran to the end"
        raise Cancelled("Stopped; nothing was kept.")

    def queued_job(cancel: CancelToken) -> str:
        return "saw the cancel" if cancel.is_set() else "ran"

    first = background.start(long_job, outcomes.on_done, outcomes.on_failed)
    second = background.start(queued_job, outcomes.on_done, outcomes.on_failed)
    assert running.wait(5)
    background.cancel()
    assert background.wait(5)

    assert given == [first] and first.is_set() and second.is_set()
    qtbot.waitUntil(lambda: len(outcomes.done) + len(outcomes.failed) == 2, timeout=5000)
    assert outcomes.failed == ["Stopped; nothing was kept."]
    assert outcomes.done == ["saw the cancel"]
    later = background.start(queued_job, outcomes.on_done)
    assert not later.is_set(), "each job has its own token: a later one starts afresh"


def test_wait_returns_once_the_jobs_ended_and_their_thread_ends_with_them(
    qtbot: QtBot, background: Background
) -> None:
    outcomes = Outcomes()
    release = threading.Event()
    background.start(lambda _cancel: release.wait(10), outcomes.on_done)
    assert background.busy()
    assert not background.wait(0.05), "the job is held"
    release.set()
    assert background.wait(5)
    assert not background.busy()
    QCoreApplication.processEvents()  # the outcome was queued before wait returned
    assert outcomes.done == [True]
    qtbot.waitUntil(lambda: NAME not in {thread.name for thread in threading.enumerate()}, timeout=5000)

    background.start(lambda _cancel: "again", outcomes.on_done)  # a new thread for the next job
    qtbot.waitUntil(lambda: outcomes.done == [True, "again"], timeout=5000)


def test_an_outcome_for_an_owner_already_gone_is_dropped(qtbot: QtBot) -> None:
    owner = QObject()
    background = Background(NAME, owner)
    outcomes = Outcomes()
    release = threading.Event()
    background.start(lambda _cancel: release.wait(10), outcomes.on_done)
    shiboken6.delete(owner)  # a dialog closed and deleted while its job ran
    release.set()
    assert background.wait(5)
    QCoreApplication.processEvents()
    assert outcomes.done == []


# -- the one recipe, read from the source --------------------------------------------------


def _modules(folder: Path) -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text("utf-8"))) for path in sorted(folder.rglob("*.py"))]


def _names(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.rsplit(".", 1)[-1])
    return found


def test_only_background_starts_threads_in_the_ui() -> None:
    threads = {"QThreadPool", "QThread", "QRunnable", "Thread", "ThreadPoolExecutor", "start_new_thread"}
    makers = {
        path.name: sorted(_names(tree) & threads)
        for path, tree in _modules(APP / "ui")
        if path.name != "background.py" and _names(tree) & threads
    }
    assert makers == {}


def _sniffs(node: ast.AST) -> bool:
    """``isinstance(x, CancelToken)``, alone or in a tuple."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "isinstance"
        and len(node.args) == 2
        and "CancelToken" in _names(node.args[1])
    )


def _typed_otherwise(node: ast.AST) -> bool:
    """A parameter named ``cancel`` annotated as something other than a ``CancelToken``."""
    return (
        isinstance(node, ast.arg)
        and node.arg == "cancel"
        and node.annotation is not None
        and "CancelToken" not in ast.unparse(node.annotation)
    )


@pytest.mark.slow
def test_cancel_is_one_type_nothing_sniffs_for() -> None:
    sniffing = [
        f"{path.relative_to(APP.parent)}:{node.lineno}"
        for path, tree in _modules(APP)
        for node in ast.walk(tree)
        if _sniffs(node)
    ]
    typed_otherwise = [
        f"{path.relative_to(APP.parent)}:{node.lineno}"
        for path, tree in _modules(APP)
        for node in ast.walk(tree)
        if _typed_otherwise(node)
    ]
    assert sniffing == []
    assert typed_otherwise == []
