"""The command line says how each turn ended, in the words the window uses: ``list``, ``show``,
``search`` (text and JSON), ``ask``'s closing line, and which turns the app's last stop cut off."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app.core import states
from app.core.types import Turn, TurnStatus
from app.services.instance import WriterLock
from app.services.paths import data_dir, database_path
from app.services.record import open_record
from app.services.recovery import interrupted_message
from app.storage.repository import Store
from tests.fixtures.cli_runs import ROOT, veritrace
from tests.fixtures.ledger import start_turn
from tests.fixtures.turn_states import cli, cli_json

# (status, finish_reason, error) as recorded -> (state, words) as every front end says it.
CASES = [
    ((TurnStatus.COMPLETED, "stop", None), ("completed", "completed")),
    ((TurnStatus.COMPLETED, "length", None), ("token_limit", "stopped at the token limit")),
    ((TurnStatus.CANCELLED, "cancelled", None), ("stopped", "stopped by the reviewer")),
    ((TurnStatus.CANCELLED, "window_closed", None), ("window_closed", "window closed during generation")),
    ((TurnStatus.CANCELLED, "stop", None), ("stopped", "stopped by the reviewer")),
    (
        (TurnStatus.COMPLETED, "content_filter", None),
        ("ended_by_server", "ended by the server (content_filter)"),
    ),
    (
        (TurnStatus.FAILED, "error", "RuntimeError: decode failed"),
        ("failed", "failed (RuntimeError: decode failed)"),
    ),
    ((TurnStatus.FAILED, "stream_dropped", None), ("failed", "failed (stream_dropped)")),
    ((TurnStatus.FAILED, None, None), ("failed", "failed (no reason was recorded)")),
]


@pytest.fixture
def record(veritrace_home: Path) -> Iterator[Store]:
    """The record where the command line looks for it, opened as the app opens it."""
    opened = open_record(database_path())
    yield opened
    opened.close()


def finished(
    store: Store, title: str, status: TurnStatus, finish_reason: str | None, error: str | None
) -> Turn:
    """A conversation of one turn, ended as given."""
    conversation = store.create_conversation(title, "alice")
    turn = start_turn(store, conversation)
    store.finish_turn(turn.id, status, finish_reason=finish_reason, error=error)
    return store.turn(turn.id)


def test_every_state_in_list_show_and_search(record: Store, capsys: pytest.CaptureFixture[str]) -> None:
    turns = {
        finished(record, f"Case {n}", *recorded).conversation_id: said
        for n, (recorded, said) in enumerate(CASES)
    }
    listed = {c["id"]: c for c in cli_json(capsys, "list")}
    searched = {c["id"]: c for c in cli_json(capsys, "search", "")["conversations"]}
    code, list_text, err = cli(capsys, "list")
    assert code == 0 and err == "", err
    for conversation_id, (state, words) in turns.items():
        expected = {"state": state, "words": words}
        turn = cli_json(capsys, "show", str(conversation_id))["turns"][0]
        assert turn["state"] == expected
        assert listed[conversation_id]["last_state"] == expected
        assert searched[conversation_id]["last_state"] == expected
        code, out, err = cli(capsys, "show", str(conversation_id))
        assert code == 0, err
        assert f"\n## Turn 1 [{words}] {turn['started_at']}\n" in out
        line = next(
            line for line in list_text.splitlines() if line.lstrip().startswith(f"{conversation_id} ")
        )
        assert line.endswith(f"Case {list(turns).index(conversation_id)}  [last turn {words}]")
    assert "completed" not in "".join(
        line for line in list_text.splitlines() if "token limit" in line or "stopped" in line
    )


def test_a_running_turn_beside_a_live_writer_is_shown_running(
    record: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    conversation = record.create_conversation("Live", "alice")
    running = start_turn(record, conversation)
    writer = WriterLock(data_dir()).acquire()  # another process is generating it
    try:
        turn = cli_json(capsys, "show", str(conversation))["turns"][0]
        code, out, err = cli(capsys, "list")
    finally:
        writer.release()
    assert code == 0, err
    assert turn["state"] == {"state": "running", "words": "running"} and turn["status"] == "running"
    assert "[last turn running]" in out and "stopped during" not in err
    assert record.turn(running.id).status == TurnStatus.RUNNING, "not orphaned while its writer lives"


def test_a_failure_reason_stays_on_one_line_with_its_controls_shown(
    record: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = "Boom\nsecond line \x1b[2J\u202e"
    turn = finished(record, "Hostile", TurnStatus.FAILED, "error", reason)
    code, out, err = cli(capsys, "show", str(turn.conversation_id))
    assert code == 0, err
    assert "## Turn 1 [failed (Boom\\x0asecond line \\x1b[2J\\u202e)] " in out
    assert "\x1b" not in out and "\u202e" not in out
    shown = cli_json(capsys, "show", str(turn.conversation_id))["turns"][0]
    assert shown["state"] == {"state": "failed", "words": f"failed ({reason.strip()})"}


def test_list_names_the_turns_the_last_stop_cut_off_once(
    record: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    lease = record.create_conversation("Lease review", "alice")
    for _ in range(4):
        done = start_turn(record, lease)
        record.finish_turn(done.id, TurnStatus.COMPLETED, finish_reason="stop")
    cut = start_turn(record, lease)
    record.append_output(cut.id, 0, "[THINK]half", "half", "")
    other = record.create_conversation("Other\nline", "alice")
    start_turn(record, other)

    listed = cli(capsys, "list", "--json")
    assert listed[0] == 0
    assert json.loads(listed[1])[0]["last_state"] == {
        "state": "interrupted",
        "words": "interrupted (the app stopped)",
    }, "the JSON on stdout is untouched by the notice"
    assert listed[2] == (
        "veritrace: The app stopped during 2 turns last time: turn 5 of “Lease review” and turn 1 of "
        "“Other\\x0aline”; their output up to then is kept and marked interrupted.\n"
    )
    again = cli(capsys, "list")
    assert again[0] == 0 and again[2] == "", "said once: the turns are closed now"
    assert record.turn(cut.id).reasoning == "half"


def test_the_message_counts_what_it_does_not_name(record: Store) -> None:
    conversation = record.create_conversation("T" * 100, "alice")
    orphans = [start_turn(record, conversation) for _ in range(5)]
    ids = record.mark_interrupted()
    assert ids == [turn.id for turn in orphans]
    title = "T" * 59 + "…"
    assert interrupted_message(record, ids) == (
        f"The app stopped during 5 turns last time: turn 1 of “{title}”, turn 2 of “{title}”, "
        f"turn 3 of “{title}” and 2 more; their output up to then is kept and marked interrupted."
    )
    assert interrupted_message(record, ids[:1]) == (
        f"The app stopped during a turn last time: turn 1 of “{title}”; its output up to then is kept "
        "and marked interrupted."
    )
    assert interrupted_message(record, []) == ""


@pytest.mark.slow
@pytest.mark.e2e
def test_ask_says_when_the_token_limit_stopped_the_turn(veritrace_home: Path, demo_gguf: Path) -> None:
    asked = veritrace(
        "ask", "Explain the parol evidence rule.", "--seed", "5", "--max-tokens", "3", home=veritrace_home
    )
    assert "[turn 1 in conversation 1: stopped at the token limit, 3 tokens]" in asked.stderr
    turn = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)["turns"][0]
    assert (turn["status"], turn["finish_reason"]) == ("completed", "length")
    assert turn["state"] == {"state": "token_limit", "words": "stopped at the token limit"}


@pytest.mark.slow
@pytest.mark.e2e
def test_ctrl_c_is_the_reviewers_stop(veritrace_home: Path, demo_gguf: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "Explain contract law in detail.", "--max-tokens", "2000"],
        cwd=ROOT,
        env={**os.environ, "VERITRACE_HOME": str(veritrace_home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    database = veritrace_home / "veritrace.db"
    deadline = time.monotonic() + 120
    try:
        while not saved_output(database):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "nothing was saved while streaming"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert "[turn 1 in conversation 1: stopped by the reviewer, " in stderr
    turn = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)["turns"][0]
    assert (turn["status"], turn["finish_reason"]) == ("cancelled", states.STOPPED_BY_REVIEWER)
    assert turn["state"] == {"state": "stopped", "words": "stopped by the reviewer"}


def saved_output(database: Path) -> bool:
    """Some streamed output of the first turn is in the record already."""
    if not database.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
            return connection.execute("SELECT count(*) FROM turn_chunks").fetchone()[0] > 0
    except sqlite3.OperationalError:  # not made yet
        return False
