from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.presets import MAGISTRAL_SYSTEM_PROMPT, preset
from app.core.types import TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.chat import ChatService
from app.storage.repository import Store
from tests.fixtures.sinks import RecordingSink


@pytest.fixture
def service(store: Store, backend: FakeBackend, model_file: Path) -> ChatService:
    chat = ChatService(store, backend, save_interval=0.0, user="alice")
    chat.load_model(model_file, preset("magistral"))
    return chat


def test_turn_is_streamed_split_and_recorded(
    service: ChatService, backend: FakeBackend, store: Store
) -> None:
    backend.enqueue(["[TH", "INK]Clause 4", " caps liability", "[/THI", "NK]It is", " enforceable."])
    sink = RecordingSink()
    turn = service.run_turn(None, "Is clause 4 enforceable?", preset("magistral"), sink, CancelToken())
    assert "".join(sink.reasoning_parts) == "Clause 4 caps liability"
    assert "".join(sink.answer_parts) == "It is enforceable."
    assert turn.status == TurnStatus.COMPLETED and turn.finish_reason == "stop"
    assert turn.raw_output == "[THINK]Clause 4 caps liability[/THINK]It is enforceable."
    assert turn.system_prompt == MAGISTRAL_SYSTEM_PROMPT
    assert turn.params.seed is not None, "a random seed is picked and recorded"
    assert turn.params.temperature == 0.7 and turn.params.top_p == 0.95
    assert turn.completion_tokens == 6 and turn.time_to_first_token_ms is not None
    assert turn.model.sha256 and turn.model.size > 0
    assert turn.rendered_prompt == backend.prompts[0].text
    assert store.conversation(turn.conversation_id).title == "Is clause 4 enforceable?"
    assert sink.started[0].id == turn.id


def test_prompt_is_committed_before_generation_starts(
    service: ChatService, backend: FakeBackend, store: Store
) -> None:
    script = backend.enqueue(["[THINK]a", "b", "c"], hold_after=1)
    sink = RecordingSink()
    cancel = CancelToken()
    worker = threading.Thread(target=service.run_turn, args=(None, "p", preset("magistral"), sink, cancel))
    worker.start()
    deadline = time.monotonic() + 10
    while not (sink.started and store.turn(sink.started[0].id).reasoning) and time.monotonic() < deadline:
        threading.Event().wait(0.001)
    running = store.turn(sink.started[0].id)
    assert running.status == TurnStatus.RUNNING and running.prompt == "p"
    assert running.reasoning == "a", "saved at once with a zero save interval, while still held"
    script.release.set()
    worker.join()
    assert store.turn(running.id).reasoning == "abc"


def test_stop_keeps_partial_trace_as_cancelled(service: ChatService, backend: FakeBackend) -> None:
    backend.enqueue(["[THINK]first thought", " second", "[/THINK]never"], hold_after=2)
    cancel = CancelToken()

    class StopAfterTwo(RecordingSink):
        def reasoning(self, text: str) -> None:
            super().reasoning(text)
            if len(self.reasoning_parts) == 2:
                cancel.set()

    turn = service.run_turn(None, "p", preset("magistral"), StopAfterTwo(), cancel)
    assert turn.status == TurnStatus.CANCELLED and turn.finish_reason == "cancelled"
    assert turn.reasoning == "first thought second" and turn.answer == ""


def test_follow_up_sends_answers_not_reasoning(service: ChatService, backend: FakeBackend) -> None:
    backend.enqueue(["[THINK]secret scratch[/THINK]Four."])
    first = service.run_turn(None, "2+2?", preset("magistral"), RecordingSink(), CancelToken())
    backend.enqueue(["[THINK]x[/THINK]Eight."])
    second = service.run_turn(
        first.conversation_id, "4+4?", preset("magistral"), RecordingSink(), CancelToken()
    )
    sent = backend.prompts[-1]
    assert [m.role for m in sent.messages] == ["system", "user", "assistant", "user"]
    assert sent.messages[2].content == "Four."
    assert "secret scratch" not in sent.text
    assert second.index == 1 and second.messages == sent.messages


def test_context_overflow_is_recorded_as_failed_not_raised(
    service: ChatService, backend: FakeBackend, model_file: Path
) -> None:
    settings = preset("magistral")
    tiny = replace(settings, params=replace(settings.params, n_ctx=8))
    turn = service.run_turn(None, "word " * 50, tiny, RecordingSink(), CancelToken())
    assert turn.status == TurnStatus.FAILED and turn.finish_reason == "context_overflow"
    assert "context window is 8 tokens" in (turn.error or "")
    assert backend.load_count == 2, "a new context size reloads the model"


def test_runtime_failure_mid_stream_keeps_output_and_reason(
    service: ChatService, backend: FakeBackend
) -> None:
    backend.enqueue(["[THINK]a", "b", "c", "d"], fail_with=RuntimeError("llama_decode returned -1"))
    turn = service.run_turn(None, "p", preset("magistral"), RecordingSink(), CancelToken())
    assert turn.status == TurnStatus.FAILED
    assert turn.reasoning == "ab" and "llama_decode returned -1" in (turn.error or "")


def test_max_tokens_finishes_with_length(service: ChatService, backend: FakeBackend) -> None:
    backend.enqueue(["[THINK]", "a", "b", "c", "d"])
    settings = preset("magistral")
    short = replace(settings, params=replace(settings.params, max_tokens=3, seed=7))
    turn = service.run_turn(None, "p", short, RecordingSink(), CancelToken())
    assert turn.status == TurnStatus.COMPLETED and turn.finish_reason == "length"
    assert turn.reasoning == "ab" and turn.params.seed == 7


class _SavedSoFar(RecordingSink):
    """Reads, from a second connection to the record, what was saved when the answer begins."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.seen: tuple[str, str] | None = None

    def answer(self, text: str) -> None:
        if self.seen is None:
            reader = Store(self.path)
            try:
                saved = reader.turn(self.started[-1].id)
                self.seen = (saved.reasoning, saved.answer)
            finally:
                reader.close()
        super().answer(text)


@pytest.mark.parametrize(
    ("interval", "saved_when_the_answer_begins"),
    [(0.0, ("abc", "")), (3600.0, ("", ""))],
    ids=["every delta", "once an hour"],
)
def test_output_is_saved_in_appended_chunks_as_it_streams(
    tmp_path: Path,
    backend: FakeBackend,
    model_file: Path,
    interval: float,
    saved_when_the_answer_begins: tuple[str, str],
) -> None:
    path = tmp_path / "chunks.db"
    store = Store(path)
    try:
        chat = ChatService(store, backend, save_interval=interval, user="bob")
        chat.load_model(model_file, preset("magistral"))
        backend.enqueue(["[THINK]a", "b", "c[/THINK]", "d", "e"])
        sink = _SavedSoFar(path)
        turn = chat.run_turn(None, "p", preset("magistral"), sink, CancelToken())
        # What another reader (a crash, the reviewer's window) finds while the turn still streams.
        assert sink.seen == saved_when_the_answer_begins
        assert (turn.reasoning, turn.answer, turn.os_user) == ("abc", "de", "bob")
        with store.engine.connect() as connection:
            chunks = connection.exec_driver_sql(
                "SELECT count(*) FROM turn_chunks WHERE turn_id = ?", (turn.id,)
            ).scalar()
        assert chunks == (5 if interval == 0.0 else 1), "appended one chunk per save, never rewritten"
    finally:
        store.close()


def test_model_hash_is_computed_once_per_file_version(
    service: ChatService, store: Store, model_file: Path
) -> None:
    first = service.model.file.sha256  # type: ignore[union-attr]
    service.load_model(model_file, preset("magistral"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM model_files").scalar() == 1
    model_file.write_bytes(model_file.read_bytes() + b"changed")
    service.load_model(model_file, preset("magistral"))
    assert service.model.file.sha256 != first  # type: ignore[union-attr]


def image_bytes(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_images_are_recorded_but_not_sent_without_a_projector(
    service: ChatService, backend: FakeBackend, store: Store
) -> None:
    from app.core.images import check_image

    picture = check_image(image_bytes((200, 10, 10)), "contract-page.png")
    backend.enqueue(["[THINK]no image seen[/THINK]ok"])
    turn = service.run_turn(None, "Read this", preset("magistral"), RecordingSink(), CancelToken(), [picture])
    assert backend.prompts[-1].image_data == () and backend.prompts[-1].messages[-1].images == ()
    [image] = turn.images
    assert (image.filename, image.sha256, image.width, image.height) == (
        "contract-page.png",
        picture.sha256,
        40,
        30,
    )
    assert not image.sent_to_model and image.sent_sha256 is None
    assert store.image_data(picture.sha256) == picture.data, "the original bytes are kept"
    assert turn.to_json()["images"][0]["sent_to_model"] is False


def test_images_go_to_a_vision_model_and_stay_in_the_history(
    store: Store, backend: FakeBackend, model_file: Path, tmp_path: Path
) -> None:
    from app.core.images import check_image, model_copy

    projector = tmp_path / "mmproj.gguf"
    projector.write_bytes(model_file.read_bytes())
    chat = ChatService(store, backend, save_interval=0.0, user="alice")
    active = chat.load_model(model_file, preset("magistral"), projector=projector)
    assert active.loaded.has_vision and active.projector is not None
    picture = check_image(image_bytes((10, 200, 10)), "diagram.png")
    backend.enqueue(["[THINK]a green box[/THINK]Green."])
    first = chat.run_turn(None, "Colour?", preset("magistral"), RecordingSink(), CancelToken(), [picture])
    [image] = first.images
    expected = model_copy(picture)
    assert image.sent_to_model and image.sent_sha256 == expected.sha256
    assert backend.prompts[-1].image_data == (expected.data,)
    assert store.image_data(expected.sha256) == expected.data, "exactly what the model saw is kept"
    assert first.projector is not None and first.projector.sha256 == active.projector.sha256
    assert first.to_json()["images"][0]["sent_sha256"] == expected.sha256

    backend.enqueue(["[THINK]still green[/THINK]Yes."])
    chat.run_turn(first.conversation_id, "Sure?", preset("magistral"), RecordingSink(), CancelToken())
    sent = backend.prompts[-1]
    assert sent.messages[1].images == (expected.sha256,), "the earlier image is part of the history"
    assert sent.image_data == (expected.data,)
    assert store.verify().intact, "every row those turns wrote is in the ledger"


def test_image_only_turn_gets_a_title(service: ChatService, backend: FakeBackend) -> None:
    from app.core.images import check_image

    backend.enqueue(["[THINK]x[/THINK]y"])
    picture = check_image(image_bytes((1, 2, 3)), "a.png")
    turn = service.run_turn(None, "", preset("magistral"), RecordingSink(), CancelToken(), [picture])
    assert service.store.conversation(turn.conversation_id).title == "Image"


def test_model_loads_are_events_in_the_ledger(service: ChatService, store: Store, model_file: Path) -> None:
    import json as json_module

    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT kind, detail_json FROM events").all()
        actions = {row[0] for row in connection.exec_driver_sql("SELECT action FROM ledger")}
    [(kind, detail)] = rows
    assert kind == "model.loaded" and "model.loaded" in actions
    assert json_module.loads(detail)["sha256"] == service.model.file.sha256  # type: ignore[union-attr]
    assert store.verify().intact
