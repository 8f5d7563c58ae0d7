"""Command-line writers share a record with each other and with the window.

SQLite takes turns between their transactions; what the locks in app.services.instance add is
that no process marks a turn another live process is generating as interrupted, that one window
at most has a record open, and that a restore or key change has the record to itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from app.core.hashing import sha256_text
from app.core.types import ChatMessage, PreparedPrompt, RunSettings
from app.services import instance
from app.services.failures import REFUSED
from app.services.instance import AlreadyRunningError, InstanceLock, RecordBusyError, WriterLock
from app.services.paths import database_path
from app.services.record import open_record
from app.services.signing import installation_key
from tests.fixtures.cli_runs import (
    ROOT,
    WINDOW_START,
    ledger_head,
    one_line_failure,
    run_cli,
    run_python,
    start_cli,
    turn_statuses,
)
from tests.fixtures.records import MODEL, long_conversation
from tests.fixtures.signers import passphrase_file

WORKERS = 8
MIXED_FOR_S = float(os.environ.get("VERITRACE_MIX_SECONDS", "30"))  # longer in a release run
LONG_PROMPT = "Write a very long essay about the history of Rome, in twenty chapters."


# -- eight writers beside a long ask ------------------------------------------------------------


class Mix:
    """One worker's round of writes and reads; each kind is a different command line."""

    KINDS = ("annotate", "checkpoint", "ask", "export", "list", "ask+signoff", "show")

    def __init__(
        self, folder: Path, long_ask: subprocess.Popen[str], model: Path, signer: tuple[str, ...]
    ) -> None:
        self.folder = folder
        self.signer = signer  # --identity FINGERPRINT --passphrase-file PATH --yes
        self.long_ask = long_ask
        self.model = str(model)  # tiny: loaded and hashed at once, so the asks are quick
        self.results: list[tuple[str, subprocess.CompletedProcess[str], bool]] = []
        self._lock = threading.Lock()

    def _run(self, kind: str, *args: str) -> subprocess.CompletedProcess[str]:
        result = run_cli(*args, timeout=300)
        with self._lock:
            # Whether the long ask was still generating when this command had finished.
            self.results.append((kind, result, self.long_ask.poll() is None))
        return result

    def work(self, worker: int, until: float) -> None:
        for round_number in range(1000):
            if time.monotonic() >= until:
                return
            kind = self.KINDS[(worker + round_number) % len(self.KINDS)]
            name = f"{worker}-{round_number}"
            if kind == "annotate":
                self._run(kind, "annotate", "1", "--flag", "concern", "--comment", f"note {name}")
            elif kind == "checkpoint":
                self._run(kind, "checkpoint")
            elif kind == "ask":
                self._run(
                    kind, "ask", f"Question {name}: a colour?", "--model", self.model, "--max-tokens", "8"
                )
            elif kind == "export":
                self._run(kind, "export", "1", "-o", str(self.folder / f"report-{name}.md"))
            elif kind == "list":
                self._run(kind, "list")
            elif kind == "show":
                self._run(kind, "show", "1", "--json")
            else:
                asked = self._run(
                    "ask", "ask", f"Question {name}: a city?", "--model", self.model, "--max-tokens", "8"
                )
                found = re.search(r"in conversation (\d+):", asked.stderr)
                if found:
                    signed = (
                        "signoff",
                        found.group(1),
                        *self.signer,
                        "--meaning",
                        "reviewed",
                        "--reason",
                        "ok",
                    )
                    self._run("signoff", *signed)


def _window_opened(database: Path) -> bool:
    """The window's ``database.opened`` event is in the record (read-only: nothing is changed)."""
    if not database.exists():
        return False
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=30)) as db:
        found = db.execute(
            "SELECT count(*) FROM events WHERE kind = 'database.opened' AND detail_json LIKE '%window%'"
        ).fetchone()
    return bool(found and found[0])


def _running_turns(database: Path) -> list[int]:
    return [turn for turn, status in turn_statuses(database).items() if status is None]


@pytest.mark.e2e
@pytest.mark.slow
def test_eight_writers_share_the_record_while_a_long_ask_runs(
    veritrace_home: Path, demo_gguf: Path, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    setup = run_cli("ask", "Setup: name a colour.", "--max-tokens", "8", "--seed", "1")
    assert setup.returncode == 0, setup.stderr
    secret = str(passphrase_file(tmp_path))
    made = run_cli("identity", "create", "--name", "R", "--role", "Reviewer", "--passphrase-file", secret)
    assert made.returncode == 0, made.stderr
    (identity,) = json.loads(run_cli("identity", "list", "--json").stdout)
    signer = ("--identity", identity["fingerprint"], "--passphrase-file", secret, "--yes")
    database = veritrace_home / "veritrace.db"
    # The real window, open on the same record the whole time (offscreen; a dialog would be printed).
    window = subprocess.Popen(
        [sys.executable, "-c", WINDOW_START],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    long_ask = start_cli("ask", LONG_PROMPT, "--max-tokens", "4000", "--seed", "1")
    try:
        deadline = time.monotonic() + 120
        while not _window_opened(database):
            assert window.poll() is None, window.communicate()
            assert time.monotonic() < deadline, "the window never opened the record"
            time.sleep(0.1)
        deadline = time.monotonic() + 120
        while not _running_turns(database):
            assert long_ask.poll() is None, long_ask.communicate()[1]
            assert time.monotonic() < deadline, "the long ask never started its turn"
            time.sleep(0.1)
        [long_turn] = _running_turns(database)
        mix = Mix(tmp_path, long_ask, tiny_models[0], signer)
        until = time.monotonic() + MIXED_FOR_S
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda worker: mix.work(worker, until), range(WORKERS)))
        still_running = long_ask.poll() is None
        if still_running:
            long_ask.send_signal(signal.SIGINT)  # Ctrl-C: the turn is stopped and recorded as cancelled
        _, long_err = long_ask.communicate(timeout=300)
        assert window.poll() is None, f"the window stayed open beside the writers: {window.communicate()}"
    finally:
        for process in (long_ask, window):
            if process.poll() is None:
                process.kill()
                process.communicate()
    window_output = window.communicate()
    assert "Traceback" not in window_output[1] and "|" not in window_output[0], window_output

    refused = [
        (kind, result.returncode, result.stderr[-400:])
        for kind, result, _ in mix.results
        if result.returncode
    ]
    assert refused == [], "nothing was refused that could have waited"
    beside_long_ask = {kind for kind, _, running in mix.results if running}
    assert beside_long_ask >= {"annotate", "checkpoint", "ask", "signoff", "export", "list", "show"}, (
        f"every kind of command ran while the long ask was generating: {beside_long_ask}"
    )
    statuses = turn_statuses(database)
    assert statuses[long_turn] == ("cancelled" if still_running else "completed"), long_err
    assert long_ask.returncode == (130 if still_running else 0), long_err
    asked = sum(kind == "ask" for kind, _, _ in mix.results)
    assert len(statuses) == 2 + asked, "every ask recorded its turn"
    assert "interrupted" not in statuses.values(), "no process marked another's running turn as interrupted"
    assert None not in statuses.values()
    verified = run_cli("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("Record intact"), verified.stderr


@pytest.mark.slow
def test_eight_first_uses_at_once_make_one_key_and_a_record_that_verifies(veritrace_home: Path) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda _: run_cli("checkpoint"), range(WORKERS)))
    assert [result.returncode for result in results] == [0] * WORKERS, [r.stderr for r in results]
    verified = run_cli("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("Record intact"), verified.stderr


# -- the window ----------------------------------------------------------------------------------


@pytest.fixture
def window_with_a_running_turn(veritrace_home: Path) -> Iterator[int]:
    """This process stands in for an open window: it holds the window lock and the writers lock as
    ``run_gui`` does, and it is generating a turn (begun, no outcome yet)."""
    store = open_record(database_path())
    long_conversation(store, turns=1, sign=False)
    store.checkpoint(installation_key(), "ready")
    window = InstanceLock(veritrace_home).acquire()
    writers = WriterLock(veritrace_home).acquire()
    try:
        text = "<user>Still thinking?<assistant>"
        prepared = PreparedPrompt(
            messages=(ChatMessage("user", "Still thinking?"),),
            text=text,
            sha256=sha256_text(text),
            token_count=8,
            template_source="gguf",
            template_sha256="7e" * 32,
        )
        turn = store.begin_turn(
            1, "Still thinking?", RunSettings(), prepared, MODEL, "llama-cpp-python", "0", "a"
        )
        store.append_output(turn.id, 0, "[THINK]Let me", "Let me", "")
        yield turn.id
    finally:
        store.close()
        writers.release()
        window.release()


@pytest.mark.slow
def test_commands_write_beside_the_window_but_a_second_window_is_refused(
    window_with_a_running_turn: int, veritrace_home: Path
) -> None:
    running = window_with_a_running_turn
    database = veritrace_home / "veritrace.db"
    for command in (
        ("annotate", "1", "--flag", "ok", "--comment", "while the window is open"),
        ("checkpoint",),
        ("list",),
        ("show", "1", "--json"),
    ):
        result = run_cli(*command)
        assert result.returncode == 0, (command, result.stderr)
    assert turn_statuses(database)[running] is None, "the window's turn is still running, not interrupted"

    second = run_python(WINDOW_START)
    assert second.returncode == 1 and "Traceback" not in second.stderr, second.stderr
    assert second.stdout.startswith(
        "Veritrace cannot start|Veritrace is already running with this record in another window."
    )

    head = ledger_head(database)
    restore = run_cli("restore", "--reason", "testing")
    assert restore.returncode == REFUSED
    assert "restore needs it to itself" in one_line_failure(restore)
    rotate = run_cli("key", "rotate")
    assert rotate.returncode == REFUSED
    assert "key rotate needs it to itself" in one_line_failure(rotate)
    assert ledger_head(database) == head


@pytest.mark.slow
def test_a_turn_is_marked_interrupted_once_its_process_is_gone(veritrace_home: Path) -> None:
    store = open_record(database_path())
    long_conversation(store, turns=1, sign=False)
    text = "<user>Orphan<assistant>"
    prepared = PreparedPrompt(
        messages=(ChatMessage("user", "Orphan"),),
        text=text,
        sha256=sha256_text(text),
        token_count=4,
        template_source="gguf",
        template_sha256="7e" * 32,
    )
    orphan = store.begin_turn(1, "Orphan", RunSettings(), prepared, MODEL, "llama-cpp-python", "0", "a")
    store.close()  # as if its process died: it holds no lock any more
    assert run_cli("list").returncode == 0
    assert turn_statuses(database_path())[orphan.id] == "interrupted"


# -- the locks themselves (a second open file stands for a second process) -------------------------


def test_writers_share_the_lock_and_find_each_other(tmp_path: Path) -> None:
    first = WriterLock(tmp_path).acquire()
    second = WriterLock(tmp_path).acquire()
    assert first.when_alone(lambda: "marked") is None, "another writer is alive"
    second.release()
    assert first.when_alone(lambda: "marked") == "marked"
    assert first.held, "back to shared afterwards"
    first.release()


def test_a_restore_is_refused_while_another_writes_and_a_writer_waits_for_a_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instance, "ALONE_WAIT_S", 0.1)
    writer = WriterLock(tmp_path).acquire()
    with (
        pytest.raises(AlreadyRunningError, match="restore needs it to itself"),
        WriterLock(tmp_path).alone("restore"),
    ):
        pass
    writer.release()
    with (
        WriterLock(tmp_path).alone("restore"),
        pytest.raises(RecordBusyError, match="stayed locked by another Veritrace process"),
    ):
        WriterLock(tmp_path, wait=0.1).acquire()
    with WriterLock(tmp_path) as after:
        assert after.held


def test_one_window_per_record(tmp_path: Path) -> None:
    with InstanceLock(tmp_path):
        with pytest.raises(AlreadyRunningError, match="already running with this record in another window"):
            InstanceLock(tmp_path).acquire()
        with WriterLock(tmp_path) as writer:
            assert writer.held, "the window lock does not stop writers"
    with InstanceLock(tmp_path) as window:
        assert window.held


@pytest.mark.skipif(sys.platform == "win32", reason="the lock is released by the OS when a process dies")
def test_a_killed_writer_leaves_no_lock_behind(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from app.services.instance import WriterLock; "
            "WriterLock(pathlib.Path(sys.argv[1])).acquire(); print('held', flush=True); sys.stdin.read()",
            str(tmp_path),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert WriterLock(tmp_path).when_alone(lambda: True) is None
    holder.kill()
    holder.communicate(timeout=30)  # reaps it and closes its pipes
    assert WriterLock(tmp_path).when_alone(lambda: True) is True
