"""The session core without Qt: its phases through loads and turns, and the requests it refuses."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.core.types import TurnStatus
from app.runtime.backend import LoadedModel, LoadOptions
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig, ModelChoice, load_config
from app.services.phases import IllegalMove, Phase
from app.services.session import (
    ANSWER,
    REASONING,
    Event,
    ModelFailed,
    ModelReady,
    OutputBuffer,
    OutputWaiting,
    PhaseChanged,
    Session,
    TurnEnded,
    TurnStarted,
)
from app.storage.repository import Store


class GatedBackend(FakeBackend):
    """A scripted backend whose loads wait for ``release``: a model still loading, on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.release.set()

    def load(
        self, path: Path, options: LoadOptions, *, is_demo: bool = False, projector: Path | None = None
    ) -> LoadedModel:
        assert self.release.wait(30), "the test never released the load"
        return super().load(path, options, is_demo=is_demo, projector=projector)


class Heard:
    """Every event, in order, with the thread it came from."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.threads: set[str] = set()
        self.by_thread: list[tuple[str, Event]] = []
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
            self.by_thread.append((threading.current_thread().name, event))

    def from_thread(self, name: str) -> list[Event]:
        return [event for thread, event in self.by_thread if thread == name]

    def phases(self) -> list[tuple[Phase, Phase]]:
        return [(e.before, e.phase) for e in self.events if isinstance(e, PhaseChanged)]

    def of(self, kind: type) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]


def session_with(
    store: Store, backend: FakeBackend, *, background: bool, heard: Heard, **options: object
) -> Session:
    return Session(store, backend, AppConfig(), listener=heard, background=background, **options)  # type: ignore[arg-type]


def test_a_turn_from_load_to_ledger_in_the_callers_thread(store: Store, model_file: Path) -> None:
    heard = Heard()
    backend = FakeBackend()
    session = session_with(store, backend, background=False, heard=heard)
    model = session.load(ModelChoice(model_file, is_demo=False)).result()
    assert session.phase is Phase.READY and session.model == model
    backend.enqueue(["[THINK]Clause 4 ", "caps it[/THINK]", "Yes."])
    turn = session.send(None, "Is it capped?").result()
    assert turn.status is TurnStatus.COMPLETED and (turn.reasoning, turn.answer) == (
        "Clause 4 caps it",
        "Yes.",
    )
    assert store.turn(turn.id).answer == "Yes."
    assert session.take_output() == [(REASONING, "Clause 4 caps it"), (ANSWER, "Yes.")]
    assert heard.phases() == [
        (Phase.IDLE, Phase.LOADING),
        (Phase.LOADING, Phase.READY),
        (Phase.READY, Phase.GENERATING),
        (Phase.GENERATING, Phase.READY),
    ]
    kinds = [type(e) for e in heard.events if not isinstance(e, PhaseChanged)]
    assert (
        kinds.index(ModelReady)
        < kinds.index(TurnStarted)
        < kinds.index(OutputWaiting)
        < kinds.index(TurnEnded)
    )
    # The caller's thread, and the one that committed the prompt while the caller's evaluated it.
    assert heard.threads == {threading.current_thread().name, "commit"}
    assert {type(event) for event in heard.from_thread("commit")} == {TurnStarted}
    session.close()
    assert session.phase is Phase.CLOSED


def test_in_the_background_a_load_or_a_second_prompt_during_a_turn_is_refused_and_stop_ends_it(
    store: Store, model_file: Path
) -> None:
    heard = Heard()
    backend = FakeBackend()
    session = session_with(store, backend, background=True, heard=heard)
    try:
        session.load(ModelChoice(model_file, is_demo=False)).result(30)
        script = backend.enqueue(["[THINK]a", "b", "c"], hold_after=1)
        running = session.send(None, "Think.")
        with pytest.raises(IllegalMove, match=r"^Cannot load a model now: a turn is running\.$"):
            session.load(ModelChoice(model_file, is_demo=False))
        with pytest.raises(IllegalMove, match=r"^Cannot send a prompt now: a turn is running\.$"):
            session.send(None, "Another.")
        assert session.stop() is True and session.phase in (Phase.STOPPING, Phase.READY)
        with pytest.raises(IllegalMove):
            session.phases.move(Phase.CLOSED)  # closing while stopping waits for the turn
        turn = running.result(30)
        assert turn.status is TurnStatus.CANCELLED and not script.release.is_set()
        assert session.phase is Phase.READY and session.stop() is False, "nothing left to stop"
        # From the session's thread, the caller's, the hash thread (its progress) and the one that
        # committed the prompt (that the turn began).
        assert heard.threads == {
            "generation",
            threading.current_thread().name,
            "veritrace-model-hash",
            "commit",
        }
    finally:
        session.close(30)


def test_a_prompt_sent_while_the_model_still_loads_is_refused_not_queued(
    store: Store, model_file: Path
) -> None:
    heard = Heard()
    backend = GatedBackend()
    backend.release.clear()
    session = session_with(store, backend, background=True, heard=heard)
    try:
        loading = session.load(ModelChoice(model_file, is_demo=False))
        assert session.phase is Phase.LOADING
        with pytest.raises(IllegalMove, match=r"^Cannot send a prompt now: a model is still loading\.$"):
            session.send(None, "Too early.")
        with pytest.raises(IllegalMove, match=r"^Cannot load a model now: a model is still loading\.$"):
            session.load(ModelChoice(model_file, is_demo=False))
        backend.release.set()
        loading.result(30)
        assert session.phase is Phase.READY and store.list_conversations() == [], "nothing recorded early"
    finally:
        session.close(30)


def test_a_missing_file_keeps_the_model_in_use(store: Store, model_file: Path, tmp_path: Path) -> None:
    heard = Heard()
    session = session_with(store, FakeBackend(), background=True, heard=heard)
    try:
        session.load(ModelChoice(model_file, is_demo=False)).result(30)
        with pytest.raises(Exception, match=r"missing\.gguf"):
            session.load(ModelChoice(tmp_path / "missing.gguf", is_demo=False)).result(30)
        [failed] = heard.of(ModelFailed)
        assert "missing.gguf" in failed.message and failed.model == session.model  # type: ignore[attr-defined]
        assert session.phase is Phase.READY and len(heard.of(ModelReady)) == 1
        assert session.config.model_path == str(model_file)
    finally:
        session.close(30)


def test_a_model_that_fails_to_load_gives_way_to_the_one_before(
    store: Store, model_file: Path, tmp_path: Path
) -> None:
    heard = Heard()
    session = session_with(store, FakeBackend(), background=True, heard=heard)
    try:
        good = ModelChoice(model_file, is_demo=False)
        session.load(good).result(30)
        broken = tmp_path / "broken.gguf"
        broken.write_bytes(b"not a model at all" * 10)
        with pytest.raises(Exception, match=r"broken\.gguf"):
            session.load(ModelChoice(broken, is_demo=False)).result(30)
        session.phases.wait_for(frozenset({Phase.READY, Phase.IDLE}), 30)
        failed = heard.of(ModelFailed)
        assert failed and "broken.gguf" in failed[0].message  # type: ignore[attr-defined]
        ready = heard.of(ModelReady)
        assert ready[-1].model.file.path == str(model_file)  # type: ignore[attr-defined]
        assert session.phase is Phase.READY and session.config.model_path == str(model_file)
    finally:
        session.close(30)


def test_with_remember_the_choice_is_kept_in_the_settings_file_and_without_it_is_not(
    store: Store, model_file: Path
) -> None:
    for remember in (False, True):
        session = session_with(store, FakeBackend(), background=False, heard=Heard(), remember=remember)
        session.load(ModelChoice(model_file, is_demo=False)).result()
        session.close()
        assert (load_config().model_path == str(model_file)) is remember


def test_closing_during_a_turn_stops_it_waits_and_records_it_cancelled(
    store: Store, model_file: Path
) -> None:
    heard = Heard()
    backend = FakeBackend()
    session = session_with(store, backend, background=True, heard=heard)
    session.load(ModelChoice(model_file, is_demo=False)).result(30)
    backend.enqueue(["[THINK]a", "b"], hold_after=1)
    running = session.send(None, "Long.")
    while not heard.of(TurnStarted):
        threading.Event().wait(0.005)
    session.close(30)
    assert session.phase is Phase.CLOSED
    turn = running.result(1)
    assert turn.status is TurnStatus.CANCELLED and store.turn(turn.id).status is TurnStatus.CANCELLED
    with pytest.raises(IllegalMove, match="the session is closed"):
        session.load(ModelChoice(model_file, is_demo=False))
    assert [e for e in heard.events if isinstance(e, TurnEnded)]


def test_output_taken_in_parts_keeps_its_order_and_notifies_only_when_it_was_empty() -> None:
    notices: list[None] = []
    output = OutputBuffer(lambda: notices.append(None))
    for piece in ("ab", "cd", "ef"):
        output.push(REASONING, piece)
    output.push(ANSWER, "XYZ")
    assert len(notices) == 1, "one notice while pieces wait, however many arrive"

    assert output.take(3) == [(REASONING, "abc")]
    assert output.waiting()
    output.push(ANSWER, "!")  # the reader is still taking: no notice
    assert output.take(4) == [(REASONING, "def"), (ANSWER, "X")]
    assert output.take(10) == [(ANSWER, "YZ!")]
    assert not output.waiting() and len(notices) == 1

    output.push(ANSWER, "next")
    assert len(notices) == 2 and output.take() == [(ANSWER, "next")]
