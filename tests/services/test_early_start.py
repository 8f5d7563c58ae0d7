"""The prompt prefill runs while the prompt is committed; no output is seen before the commit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.presets import preset
from app.core.types import TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.chat import ChatService
from app.storage.repository import Store
from tests.fixtures.sinks import RecordingSink

SETTINGS = preset("magistral")
WAIT_S = 10.0


class _Observed:
    """A generation that says when it starts and may wait on something before its first piece."""

    def __init__(self, inner: Any, started: threading.Event, before_first: Callable[[], None]) -> None:
        self._inner = inner
        self._started = started
        self._before_first = before_first
        self.closed = False

    @property
    def finish_reason(self) -> str | None:
        return self._inner.finish_reason

    @property
    def completion_tokens(self) -> int:
        return int(self._inner.completion_tokens)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __iter__(self) -> Iterator[str]:
        self._started.set()
        self._before_first()
        try:
            yield from self._inner
        finally:
            self.closed = True


@pytest.fixture
def service(store: Store, backend: FakeBackend, model_file: Path) -> ChatService:
    chat = ChatService(store, backend, save_interval=0.0, user="alice")
    chat.load_model(model_file, SETTINGS)
    return chat


def _observe(
    monkeypatch: pytest.MonkeyPatch, backend: FakeBackend, before_first: Callable[[], None] = lambda: None
) -> tuple[threading.Event, list[_Observed]]:
    started = threading.Event()
    made: list[_Observed] = []
    generate = backend.generate

    def observed(*args: Any, **kwargs: Any) -> _Observed:
        made.append(_Observed(generate(*args, **kwargs), started, before_first))
        return made[-1]

    monkeypatch.setattr(backend, "generate", observed)
    return started, made


def _hold_commit(monkeypatch: pytest.MonkeyPatch, store: Store, before: Callable[[], None]) -> None:
    begin = store.begin_turn

    def held(*args: Any, **kwargs: Any) -> Any:
        before()
        return begin(*args, **kwargs)

    monkeypatch.setattr(store, "begin_turn", held)


def test_the_prefill_runs_while_the_prompt_is_committed(
    service: ChatService, backend: FakeBackend, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.enqueue(["[THINK]a", "[/THINK]b"])
    committing = threading.Event()
    # The generation's first piece waits for the commit to begin, and the commit waits for the
    # generation to have begun: run one after the other, this turn could never finish.
    started, _ = _observe(monkeypatch, backend, lambda: committing.wait(WAIT_S))

    def overlapped() -> None:
        committing.set()
        assert started.wait(WAIT_S), "the commit began before the prefill started"

    _hold_commit(monkeypatch, store, overlapped)
    turn = service.run_turn(None, "p", SETTINGS, RecordingSink(), CancelToken())
    assert started.is_set() and committing.is_set()
    assert turn.status is TurnStatus.COMPLETED and (turn.reasoning, turn.answer) == ("a", "b")


def test_no_output_is_shown_or_recorded_before_its_prompt_is_on_disk(
    service: ChatService, backend: FakeBackend, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.enqueue(["[THINK]first", " more", "[/THINK]done"])
    started, _ = _observe(monkeypatch, backend)
    commit = threading.Event()
    _hold_commit(monkeypatch, store, lambda: commit.wait(WAIT_S))
    sink = RecordingSink()
    worker = threading.Thread(target=service.run_turn, args=(None, "p", SETTINGS, sink, CancelToken()))
    worker.start()
    assert started.wait(WAIT_S)
    worker.join(0.3)  # time for a first piece to escape if it could
    assert sink.pieces == [] and sink.started == [], "output seen before the prompt was committed"
    assert store.list_conversations() == [], "nothing recorded before the commit"
    commit.set()
    worker.join(WAIT_S)
    assert not worker.is_alive()
    assert sink.started and "".join(sink.reasoning_parts) == "first more"
    turn = store.turn(sink.started[0].id)
    assert turn.status is TurnStatus.COMPLETED and turn.answer == "done"


def test_a_prompt_that_cannot_be_committed_stops_its_prefill_and_leaves_nothing(
    service: ChatService, backend: FakeBackend, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.enqueue(["[THINK]never seen", "[/THINK]never"])
    started, made = _observe(monkeypatch, backend)

    def refuse() -> None:
        assert started.wait(WAIT_S)
        raise VeritraceError("The record's disk is full.")

    _hold_commit(monkeypatch, store, refuse)
    sink = RecordingSink()
    cancel = CancelToken()
    with pytest.raises(VeritraceError, match="disk is full"):
        service.run_turn(None, "p", SETTINGS, sink, cancel)
    assert cancel.is_set(), "the prefill is stopped"
    assert made[0].closed, "the generation is let go of"
    assert sink.pieces == [] and sink.started == [] and store.list_conversations() == []
    assert not [thread for thread in threading.enumerate() if thread.name == "commit"]
    assert store.verify().intact


def test_a_server_is_sent_nothing_before_the_prompt_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scripted_server: Any
) -> None:
    from app.core.remote import RemoteEndpoint
    from app.runtime.remote_backend import RemoteBackend
    from tests.fixtures.remote_servers import Reply, content_chunks

    store = Store(tmp_path / "record.db")
    endpoint = RemoteEndpoint(scripted_server.url, "scripted-model")
    service = ChatService(store, RemoteBackend(endpoint))
    service.connect_remote(RemoteBackend(endpoint), SETTINGS)
    scripted_server.replies.append(Reply(content_chunks("4")))
    asked_before_commit: list[int] = []
    _hold_commit(monkeypatch, store, lambda: asked_before_commit.append(len(scripted_server.requests)))
    turn = service.run_turn(None, "2 + 2?", SETTINGS, RecordingSink(), CancelToken())
    assert asked_before_commit == [0], "the server was sent the prompt before it was on disk"
    assert turn.status is TurnStatus.COMPLETED and turn.answer == "4"
    store.close()
