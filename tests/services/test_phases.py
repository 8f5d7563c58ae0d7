"""The session's phases: every allowed move works, every other one is refused in words."""

from __future__ import annotations

import threading
import time

import pytest

from app.services.phases import ALLOWED, IllegalMove, Phase, PhaseMachine, Runner


def machine_at(phase: Phase, seen: list[tuple[Phase, Phase]] | None = None) -> PhaseMachine:
    """A machine brought to ``phase`` by allowed moves only; the moves after that go to ``seen``."""
    path = {
        Phase.IDLE: [],
        Phase.LOADING: [Phase.LOADING],
        Phase.READY: [Phase.LOADING, Phase.READY],
        Phase.GENERATING: [Phase.LOADING, Phase.READY, Phase.GENERATING],
        Phase.STOPPING: [Phase.LOADING, Phase.READY, Phase.GENERATING, Phase.STOPPING],
        Phase.CLOSED: [Phase.CLOSED],
    }[phase]
    moves: list[tuple[Phase, Phase]] = [] if seen is None else seen
    machine = PhaseMachine(lambda before, after: moves.append((before, after)))
    for step in path:
        machine.move(step)
    assert machine.phase is phase
    moves.clear()
    return machine


ALL_MOVES = [(before, after) for before in Phase for after in Phase]


@pytest.mark.parametrize(
    ("before", "after"),
    [move for move in ALL_MOVES if move[1] in ALLOWED[move[0]]],
    ids=lambda phase: str(phase),
)
def test_each_allowed_move_is_made_and_reported(before: Phase, after: Phase) -> None:
    seen: list[tuple[Phase, Phase]] = []
    machine = machine_at(before, seen)
    assert machine.move(after) is before
    assert machine.phase is after and seen == [(before, after)]


@pytest.mark.parametrize(
    ("before", "after"),
    [move for move in ALL_MOVES if move[1] not in ALLOWED[move[0]]],
    ids=lambda phase: str(phase),
)
def test_every_other_move_is_refused_and_changes_nothing(before: Phase, after: Phase) -> None:
    seen: list[tuple[Phase, Phase]] = []
    machine = machine_at(before, seen)
    with pytest.raises(IllegalMove) as refused:
        machine.move(after)
    assert machine.phase is before and seen == []
    assert (refused.value.current, refused.value.wanted) == (before, after)
    assert str(refused.value).startswith("Cannot ") and str(refused.value).endswith(".")


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (Phase.LOADING, Phase.GENERATING, "Cannot send a prompt now: a model is still loading."),
        (Phase.GENERATING, Phase.LOADING, "Cannot load a model now: a turn is running."),
        (Phase.STOPPING, Phase.CLOSED, "Cannot close now: a turn is stopping."),
        (Phase.IDLE, Phase.GENERATING, "Cannot send a prompt now: no model is loaded."),
        (Phase.CLOSED, Phase.LOADING, "Cannot load a model now: the session is closed."),
        (Phase.LOADING, Phase.LOADING, "Cannot load a model now: a model is still loading."),
    ],
)
def test_the_requests_a_user_can_make_too_early_are_refused_in_their_words(
    before: Phase, after: Phase, words: str
) -> None:
    with pytest.raises(IllegalMove, match=f"^{words}$"):
        machine_at(before).move(after)


def test_a_move_can_be_narrowed_to_where_it_may_come_from() -> None:
    machine = machine_at(Phase.READY)
    with pytest.raises(IllegalMove):
        machine.move(Phase.LOADING, allowed_from=frozenset({Phase.IDLE}))
    assert machine.phase is Phase.READY


def test_two_threads_racing_to_send_get_one_turn() -> None:
    machine = machine_at(Phase.READY)
    start = threading.Barrier(8)
    won: list[bool] = []

    def race() -> None:
        start.wait()
        try:
            machine.move(Phase.GENERATING)
        except IllegalMove:
            won.append(False)
        else:
            won.append(True)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]


def test_waiting_for_a_phase_returns_when_another_thread_moves_there() -> None:
    machine = machine_at(Phase.GENERATING)
    machine.move(Phase.STOPPING)
    threading.Timer(0.05, machine.move, (Phase.READY,)).start()
    assert machine.wait_for(frozenset({Phase.READY}), timeout=10) is Phase.READY


def test_the_runner_runs_work_in_order_on_its_own_thread_and_hands_back_errors() -> None:
    runner = Runner("test")
    try:
        order: list[int] = []
        threads: set[str] = set()

        def job(number: int) -> int:
            time.sleep(0.01 * (3 - number))  # the first is slowest: still first to finish
            order.append(number)
            threads.add(threading.current_thread().name)
            return number * 10

        futures = [runner.submit(lambda n=n: job(n)) for n in range(3)]
        assert [future.result(10) for future in futures] == [0, 10, 20]
        assert order == [0, 1, 2] and threads == {"test"}
        failing = runner.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(10)
        assert runner.submit(lambda: "still running").result(10) == "still running"
    finally:
        runner.stop(10)
    assert not runner.thread.is_alive()
    with pytest.raises(RuntimeError, match="thread has ended"):
        runner.submit(lambda: None).result(1)
