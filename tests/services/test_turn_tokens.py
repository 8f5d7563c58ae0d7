"""Each turn's token ids in the record, through the real runtime: what the model saw and what it sampled."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from app.core.cancel import CancelToken
from app.core.images import check_image
from app.core.presets import preset
from app.core.reasoning import split_text
from app.core.tokens import IMAGE_SLOT
from app.core.types import RunSettings, Turn, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.runtime.llama_backend import LlamaBackend
from app.services.chat import ChatService, SilentSink
from app.storage.repository import Store
from tests.fixtures.tiny_models import END_THINK_ID, THINK_ID
from tests.fixtures.token_ids import Evaluated, spelled

pytestmark = pytest.mark.e2e


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def thinking(max_tokens: int = 1000) -> RunSettings:
    base = replace(preset("think-tags"), require_reasoning=True)
    return replace(
        base, params=replace(base.params, seed=9, temperature=0.0, max_tokens=max_tokens, n_ctx=2048)
    )


@pytest.fixture
def service(store: Store, tiny_models: tuple[Path, Path]):
    chat = ChatService(store, LlamaBackend(), save_interval=0.0, user="alice")
    chat.load_model(tiny_models[0], thinking(), projector=tiny_models[1])
    yield chat
    chat.release_model()
    chat.backend.close()


def detokenized(service: ChatService, ids: tuple[int, ...]) -> str:
    return spelled(service.backend._llm, ids)  # type: ignore[attr-defined]


def assert_counts_add_up(turn: Turn) -> None:
    assert turn.output_token_ids is not None and turn.reasoning_tokens is not None
    assert turn.answer_tokens is not None
    assert turn.reasoning_tokens + turn.answer_tokens == len(turn.output_token_ids) == turn.completion_tokens


@pytest.mark.slow
def test_the_recorded_ids_are_those_evaluated_and_sampled(
    service: ChatService, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated = Evaluated(service.backend._llm, monkeypatch)  # type: ignore[attr-defined]
    image = check_image(png((180, 20, 60)), "exhibit.png")
    turn = service.run_turn(
        None, "What does the exhibit show?", thinking(), SilentSink(), CancelToken(), [image]
    )
    assert turn.status == TurnStatus.COMPLETED
    segments = turn.prompt_token_segments
    assert segments is not None and len(segments) == 2, "the image stands between two runs of ids"
    assert turn.prompt_token_ids is not None and turn.prompt_token_ids.count(IMAGE_SLOT) == 1
    assert evaluated.calls[:2] == [list(segment) for segment in segments]
    sampled = turn.output_token_ids
    assert sampled is not None
    after = evaluated.after(2)
    assert after == [[token] for token in sampled[: len(after)]] and len(after) >= len(sampled) - 1
    assert detokenized(service, sampled) == turn.raw_output
    # The grammar makes it open and close one reasoning block: up to [/THINK] is reasoning.
    assert sampled[0] == THINK_ID and sampled.count(END_THINK_ID) == 1
    assert turn.reasoning_tokens == sampled.index(END_THINK_ID) + 1
    assert_counts_add_up(turn)
    assert split_text(turn.raw_output) == (turn.reasoning, turn.answer)

    follow_up = service.run_turn(
        turn.conversation_id, "And the second exhibit?", thinking(), SilentSink(), CancelToken()
    )
    assert follow_up.prompt_token_ids is not None and follow_up.prompt_token_ids.count(IMAGE_SLOT) == 1, (
        "the earlier turn's image is still in the conversation the model sees"
    )
    assert_counts_add_up(follow_up)
    assert detokenized(service, follow_up.output_token_ids or ()) == follow_up.raw_output
    assert store.verify().intact


@pytest.mark.slow
def test_a_turn_stopped_part_way_keeps_the_ids_sampled_until_then(service: ChatService) -> None:
    cancel = CancelToken()

    class StopAfterSome(SilentSink):
        seen = 0

        def reasoning(self, text: str) -> None:
            self.seen += 1
            if self.seen == 5:
                cancel.set()

    turn = service.run_turn(None, "Think at length.", thinking(), StopAfterSome(), cancel)
    assert turn.status == TurnStatus.CANCELLED
    assert turn.output_token_ids and END_THINK_ID not in turn.output_token_ids
    assert turn.reasoning_tokens == len(turn.output_token_ids) and turn.answer_tokens == 0, (
        "stopped while thinking: every id sampled is reasoning"
    )
    assert_counts_add_up(turn)
    assert detokenized(service, turn.output_token_ids) == turn.raw_output


@pytest.mark.slow
def test_a_turn_that_overflows_the_context_keeps_its_prompt_ids_and_samples_none(
    service: ChatService,
) -> None:
    small = replace(thinking(), params=replace(thinking().params, n_ctx=256))
    turn = service.run_turn(None, "A long question. " * 100, small, SilentSink(), CancelToken())
    assert turn.status == TurnStatus.FAILED and turn.finish_reason == "context_overflow"
    assert turn.prompt_token_ids and turn.output_token_ids is None and turn.answer_tokens is None


def test_a_scripted_runtime_records_no_ids(store: Store, model_file: Path) -> None:
    backend = FakeBackend()
    chat = ChatService(store, backend, save_interval=0.0, user="alice")
    chat.load_model(model_file, preset("magistral"))
    backend.enqueue(["[THINK]a", "[/THINK]b"])
    turn = chat.run_turn(None, "Hello", preset("magistral"), SilentSink(), CancelToken())
    shown = turn.to_json()
    assert [
        shown[key] for key in ("prompt_token_ids", "output_token_ids", "reasoning_tokens", "answer_tokens")
    ] == [None] * 4
    assert store.verify().intact
