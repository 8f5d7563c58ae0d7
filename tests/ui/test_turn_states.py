"""How a turn ended, shown honestly everywhere: the real window over a real record file, driven
with the scripted backend (and once with the real demo GGUF), read back from the conversation
view, the conversation list, the Sessions table and review, the status bar and ``show --json``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core import states
from app.core.presets import preset, with_params
from app.core.types import Turn, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig
from app.services.paths import database_path
from app.services.record import open_record
from app.storage.repository import Store
from app.ui.conversation_view import NOT_WHOLE_MARK, STATE_COLOURS
from app.ui.main_window import MainWindow
from tests.fixtures.cli_runs import WINDOW_START, run_python
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.ledger import start_turn
from tests.fixtures.remote_servers import Reply, ScriptedServer, content_chunks
from tests.fixtures.state_views import coloured, list_item, review_text, sessions_status, tooltip_text
from tests.fixtures.turn_states import cli, cli_json
from tests.fixtures.window import send

GREEN = STATE_COLOURS[states.State.COMPLETED]


@pytest.fixture
def store(veritrace_home: Path) -> Iterator[Store]:
    """The record where the app keeps it, opened as the app opens it: the command line reads it too."""
    opened = open_record(database_path())
    yield opened
    opened.close()


@dataclass(frozen=True)
class Shown:
    state: str  # as show --json names it
    words: str
    mark: str  # the conversation list's mark for it
    status_line: str  # the status bar's state once the turn ended


def shown_everywhere(
    qtbot: QtBot,
    window: MainWindow,
    capsys: pytest.CaptureFixture[str],
    turn: Turn,
    expected: Shown,
) -> None:
    """The turn's state, in the same words and never green unless whole, in every place."""
    whole = expected.state == "completed"
    header = f"MODEL · {expected.words}" if whole else f"MODEL · {NOT_WHOLE_MARK} {expected.words}"
    colour = STATE_COLOURS[states.State(expected.state)]
    assert whole or colour != GREEN

    # The conversation view (the conversation selected, as a reviewer opens it).
    window.conversations.select(turn.conversation_id)
    assert window.view.shown_conversation_id == turn.conversation_id
    lines = [line for line in window.view.toPlainText().splitlines() if line.startswith(header)]
    assert lines, window.view.toPlainText()
    assert set(coloured(window.view.document(), expected.words)) == {colour}
    if not whole:
        assert all("completed" not in line for line in lines)
    # The reasoning pane, which shows the conversation's last turn: its trace may be cut off too.
    caption = window.reasoning.findChild(QLabel, "paneCaption")
    assert caption is not None and caption.text().startswith(f"Turn {turn.index + 1} · ")
    ending = (" word", " words") if whole else (f" · {expected.words}",)
    assert caption.text().endswith(ending), caption.text()

    # The conversation list: a mark on the date line, the words in its tooltip.
    item = list_item(window, turn.conversation_id)
    assert f"last turn {expected.words}" in tooltip_text(item.toolTip())
    second_line = item.text().splitlines()[1]
    assert (
        (expected.mark in second_line) if expected.mark else all(mark not in second_line for mark in "●✂■□⚠✕")
    )

    # The Sessions table and its read-only review.
    text, tooltip, foreground = sessions_status(qtbot, window, turn.conversation_id)
    assert text == expected.words.replace("\n", " ")
    assert tooltip_text(tooltip) == f"Last turn: {expected.words}"
    assert (foreground is None) if whole else foreground.name() == colour
    review = review_text(window, turn.conversation_id)
    assert header in review
    assert set(coloured(window.session_browser.review.document(), expected.words)) == {colour}  # type: ignore[union-attr]
    window.session_browser.close()  # type: ignore[union-attr]

    # The command line: show --json beside status and finish_reason, show, list.
    shown = cli_json(capsys, "show", str(turn.conversation_id))
    recorded = next(t for t in shown["turns"] if t["id"] == turn.id)
    assert recorded["state"] == {"state": expected.state, "words": expected.words}
    assert list(recorded).index("state") == list(recorded).index("finish_reason") + 1
    listed = next(c for c in cli_json(capsys, "list") if c["id"] == turn.conversation_id)
    assert listed["last_state"] == {"state": expected.state, "words": expected.words}
    code, out, err = cli(capsys, "show", str(turn.conversation_id))
    assert code == 0, err
    assert f"## Turn {turn.index + 1} [{expected.words}] " in out
    code, out, err = cli(capsys, "list")
    assert code == 0, err
    assert f"[last turn {expected.words}]" in out


def test_a_turn_that_ran_out_of_tokens_is_not_called_completed(
    qtbot: QtBot,
    window_factory: Callable[..., MainWindow],
    backend: FakeBackend,
    model_file: Path,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = with_params(preset("magistral"), max_tokens=3)
    window = window_factory(AppConfig(model_path=str(model_file), settings=settings))
    backend.enqueue(["[THINK]weigh ", "the clause", "[/THINK]", "It is ", "never finished"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "Is clause 4 enforceable?")
    recorded = store.turn(finished.args[0].id)
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.COMPLETED, "length")
    assert recorded.completion_tokens == 3 and recorded.answer == ""
    expected = Shown(
        "token_limit",
        "stopped at the token limit",
        "✂",
        "Stopped at the token limit — output up to then kept",
    )
    assert window.status.state.text() == expected.status_line
    assert window.status.state.property("whole") is False
    shown_everywhere(qtbot, window, capsys, recorded, expected)


def test_a_whole_answer_is_completed_in_green(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.enqueue(["[THINK]short[/THINK]", "Yes."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "Quick?")
    recorded = store.turn(finished.args[0].id)
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.COMPLETED, "stop")
    assert window.status.state.text() == "Ready" and window.status.state.property("whole") is True
    shown_everywhere(qtbot, window, capsys, recorded, Shown("completed", "completed", "", "Ready"))


def test_stop_is_recorded_and_shown_as_the_reviewers(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.enqueue(["[THINK]partial ", "thought", "[/THINK]", "never shown"], hold_after=2)
    send(qtbot, window, "Stop me")
    qtbot.waitUntil(lambda: window.reasoning.text() == "partial thought", timeout=5000)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        qtbot.mouseClick(window.composer.stop_button, Qt.MouseButton.LeftButton)
    recorded = store.turn(finished.args[0].id)
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.CANCELLED, states.STOPPED_BY_REVIEWER)
    assert recorded.reasoning == "partial thought"
    expected = Shown(
        "stopped", "stopped by the reviewer", "■", "Stopped by the reviewer — output up to then kept"
    )
    assert window.status.state.text() == expected.status_line
    shown_everywhere(qtbot, window, capsys, recorded, expected)


def test_closing_the_window_mid_turn_is_recorded_as_such_and_shown_after_reopening(
    qtbot: QtBot,
    window_factory: Callable[..., MainWindow],
    backend: FakeBackend,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = window_factory()
    backend.enqueue(["[THINK]half ", "a thought", "[/THINK]", "never said"], hold_after=2)
    send(qtbot, first, "Think at length")
    qtbot.waitUntil(lambda: first.reasoning.text() == "half a thought", timeout=5000)
    turn_id = first.controller.live.turn.id  # type: ignore[union-attr]
    first.close()  # as the user closes it: closeEvent waits for the turn to end and be recorded

    with closing(open_record(database_path(), key=None)) as reopened:
        recorded = reopened.turn(turn_id)
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.CANCELLED, states.WINDOW_CLOSED)
    assert recorded.reasoning == "half a thought" and "never said" not in recorded.raw_output
    assert store.verify().intact

    second = window_factory()
    expected = Shown("window_closed", "window closed during generation", "□", "")
    shown_everywhere(qtbot, second, capsys, recorded, expected)


def test_closing_the_window_mid_turn_on_a_server_is_recorded_as_such(
    qtbot: QtBot,
    store: Store,
    backend: FakeBackend,
    scripted_server: ScriptedServer,
    memory_keyring: MemoryKeyring,
) -> None:
    settings = with_params(preset("think-tags"), max_tokens=400, seed=3)
    config = AppConfig(
        settings=settings, remote_url=scripted_server.url, remote_model="scripted-model", use_remote=True
    )
    scripted_server.replies.append(
        Reply(content_chunks("[THINK]half ", "a thought", "[/THINK]", "never said"), hold_after=2)
    )
    window = MainWindow(store, backend, config, modal_errors=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.controller.model_changed, timeout=20000):
        window.controller.start()
    send(qtbot, window, "Think at length, remotely")
    qtbot.waitUntil(lambda: window.reasoning.text() == "half a thought", timeout=10000)
    turn_id = window.controller.live.turn.id  # type: ignore[union-attr]
    window.close()
    assert scripted_server.disconnected.wait(10), "closing the window hung up on the server"
    recorded = store.turn(turn_id)
    assert recorded.ran_remotely
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.CANCELLED, states.WINDOW_CLOSED)
    assert recorded.reasoning == "half a thought"


def test_stop_then_close_stays_the_reviewers_stop(
    qtbot: QtBot, window_factory: Callable[..., MainWindow], backend: FakeBackend, store: Store
) -> None:
    """The first request counts: Stop pressed, then the window closed before the turn ended."""
    window = window_factory()
    script = backend.enqueue(["[THINK]a ", "b", "[/THINK]", "c"], hold_after=2)
    send(qtbot, window, "Stop, then close")
    qtbot.waitUntil(lambda: window.reasoning.text() == "a b", timeout=5000)
    turn_id = window.controller.live.turn.id  # type: ignore[union-attr]
    assert window.controller.session.stop()
    window.controller.session.cancel_token.set(states.WINDOW_CLOSED)  # too late: already stopped
    script.release.set()
    window.close()
    recorded = store.turn(turn_id)
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.CANCELLED, states.STOPPED_BY_REVIEWER)


def test_a_failed_turn_says_why_in_its_state(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.enqueue(
        ["[THINK]a", "b", "c", "d"], fail_with=RuntimeError("decode failed: <b>KV cache</b> full")
    )
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "Fail")
    recorded = store.turn(finished.args[0].id)
    assert recorded.status == TurnStatus.FAILED
    reason = "RuntimeError: decode failed: <b>KV cache</b> full"
    assert recorded.error == reason
    words = f"failed ({reason})"
    assert window.status.state.text() == f"Failed ({reason})"
    assert window.view.toPlainText().count(reason) == 1, "the reason once, in the state, not again below"
    shown_everywhere(qtbot, window, capsys, recorded, Shown("failed", words, "✕", ""))


def test_interrupted_turns_are_named_at_start_up_and_shown_interrupted(
    qtbot: QtBot, window_factory: Callable[..., MainWindow], store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    first = store.create_conversation("Lease review", "alice")
    for _ in range(4):
        done = start_turn(store, first)
        store.finish_turn(done.id, TurnStatus.COMPLETED, finish_reason="stop")
    cut = start_turn(store, first)  # turn 5, its output saved as it streamed, then the app died
    store.append_output(cut.id, 0, "[THINK]half a tho", "half a tho", "")
    other = store.create_conversation("Other", "alice")
    later = [start_turn(store, other) for _ in range(2)]

    # What start-up does (app.ui.application.run_gui), then the window.
    interrupted = store.mark_interrupted()
    assert interrupted == [cut.id, *(turn.id for turn in later)]
    window = window_factory()
    told = window.controller.tell_interrupted(interrupted)
    assert told == (
        "The app stopped during 3 turns last time: turn 5 of “Lease review”, turn 1 of “Other” and "
        "turn 2 of “Other”; their output up to then is kept and marked interrupted."
    )
    assert window.status.notice.isVisibleTo(window) and window.status.notice.text() == told
    assert "\n" not in told

    recorded = store.turn(cut.id)
    assert recorded.reasoning == "half a tho"
    shown_everywhere(
        qtbot, window, capsys, recorded, Shown("interrupted", "interrupted (the app stopped)", "⚠", "")
    )
    assert "The app stopped before this turn finished" in window.view.toPlainText()

    # The next turn makes it past news.
    window.controller.new_conversation()
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "Carry on")
    assert not window.status.notice.isVisibleTo(window)


def test_a_start_up_with_nothing_interrupted_says_nothing(window: MainWindow, store: Store) -> None:
    assert window.controller.tell_interrupted(store.mark_interrupted()) == ""
    assert not window.status.notice.isVisibleTo(window) and window.status.notice.text() == ""


@pytest.mark.slow
def test_the_real_start_up_names_the_interrupted_turn(veritrace_home: Path) -> None:
    """``run_gui`` itself: a turn left running by a process that died is named once the record is open."""
    store = open_record(database_path())
    conversation = store.create_conversation("Title \x1b[2J with a control", "alice")
    orphan = start_turn(store, conversation)
    store.close()
    driver = WINDOW_START.replace(
        "from app.ui import application\n",
        "from app.ui import application\n"
        "from PySide6.QtCore import QTimer\n"
        "from app.ui.main_window import MainWindow\n"
        "import time\n"
        "DEADLINE = time.monotonic() + 60\n"
        "def report():\n"
        "    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]\n"
        "    opened = windows and getattr(windows[0].controller, 'store', None) is not None\n"
        "    if not (opened and windows[0].status.notice.text()) and time.monotonic() < DEADLINE:\n"
        "        QTimer.singleShot(20, report)\n"
        "        return\n"
        "    print('NOTICE|' + windows[0].status.notice.text(), flush=True)\n"
        "    QApplication.quit()\n"
        "QTimer.singleShot(0, report)\n",
    )
    result = run_python(driver, timeout=180)
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stdout.splitlines() if line.startswith("NOTICE|")]
    assert notices == [
        "NOTICE|The app stopped during a turn last time: turn 1 of “Title \\x1b[2J with a control”; "
        "its output up to then is kept and marked interrupted."
    ], result.stdout
    with closing(open_record(database_path(), key=None)) as reopened:
        assert reopened.turn(orphan.id).status == TurnStatus.INTERRUPTED


@pytest.mark.slow
@pytest.mark.e2e
def test_the_real_model_stopped_at_its_token_limit(
    qtbot: QtBot,
    real_window_factory: Callable[..., MainWindow],
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    window = real_window_factory(max_tokens=4)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=120_000) as finished:
        send(qtbot, window, "Explain, step by step, how a court reads an ambiguous contract.")
    recorded = store.turn(finished.args[0].id)
    assert (recorded.status, recorded.finish_reason) == (TurnStatus.COMPLETED, "length")
    assert recorded.completion_tokens == 4
    expected = Shown(
        "token_limit",
        "stopped at the token limit",
        "✂",
        "Stopped at the token limit — output up to then kept",
    )
    assert window.status.state.text() == expected.status_line
    shown_everywhere(qtbot, window, capsys, recorded, expected)


def test_every_state_has_its_own_colour_and_list_mark() -> None:
    from app.ui.conversation_list import _MARKS

    assert set(STATE_COLOURS) == set(states.State) == set(_MARKS)
    assert STATE_COLOURS[states.State.ENDED_BY_SERVER] != STATE_COLOURS[states.State.COMPLETED]
    assert _MARKS[states.State.ENDED_BY_SERVER], "a cut-short answer is marked in the list"
