"""Magistral on Mistral's API: typed thinking chunks, the request kept, the server's usage.

Everything runs against a loopback server that replays Mistral's answers byte for byte
(``tests/fixtures/mistral_streams``), through the real ``RemoteBackend``, ``ChatService`` and
SQLite record. The server lists its models as Mistral's API does (``owned_by: "mistralai"``),
so the backend speaks Mistral's dialect to it as it would to api.mistral.ai.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PIL import Image

from app.cli import main
from app.core.cancel import CancelToken
from app.core.images import check_image
from app.core.presets import MAGISTRAL_SYSTEM_PROMPT, preset, with_params
from app.core.reasoning import ReasoningSplitter
from app.core.remote import RemoteEndpoint, is_mistral_api
from app.core.remote_request import recorded_text, sent_bytes
from app.core.types import ChatMessage, RunSettings, Turn, TurnStatus
from app.export import verify_bundle as vb
from app.export.markdown import write_markdown
from app.export.pdf import write_pdf
from app.runtime.remote_backend import (
    Dialect,
    RemoteBackend,
    RemoteGeneration,
    ServerError,
    _retry_after,
    dialect_for,
)
from app.services import remote
from app.services.bundle_export import export_bundle
from app.services.chat import ChatService
from app.services.exporting import build_report
from app.services.logs import configure_logging
from app.services.paths import data_dir, database_path
from app.storage.repository import Store
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.mistral_server import Answer, MistralServer, stream_file
from tests.fixtures.remote_servers import Reply, ScriptedServer, content_chunks
from tests.fixtures.sinks import RecordingSink

SECRET = "sk-mistral-test-4f1c9a2e7b3d5f6011aa"
MAGISTRAL = "magistral-medium-2509"
# The Magistral preset as it runs on Mistral's API: the API's own reasoning prompt.
API = with_params(
    replace(preset("magistral"), system_prompt="", prompt_mode="reasoning"), seed=7, max_tokens=256
)
# The Magistral preset with its own system prompt, the API's declined.
OWN_PROMPT = with_params(replace(preset("magistral"), prompt_mode="none"), seed=7, max_tokens=256)
SPLIT_RAW = (
    "[THINK]Okay, the user asks for 17 × 3. 17 × 3 = 51, since 10 × 3 = 30 and 7 × 3 = 21.[/THINK]"
    "17 × 3 = **51**."
)


@pytest.fixture
def mistral() -> Iterator[MistralServer]:
    server = MistralServer(api_key=SECRET).start()
    yield server
    server.stop()


def backend_for(server: MistralServer, model: str = MAGISTRAL, **options: object) -> RemoteBackend:
    backend = RemoteBackend(RemoteEndpoint(server.url, model, SECRET), **options)  # type: ignore[arg-type]
    backend.load()
    return backend


def generate(backend: RemoteBackend, settings: RunSettings = API) -> tuple[RemoteGeneration, str]:
    prompt = backend.prepare((ChatMessage("user", "17 × 3?"),), settings)
    generation = backend.generate(prompt, settings, CancelToken())
    return generation, "".join(generation)


@dataclass
class Session:
    store: Store
    service: ChatService
    statuses: list[str]

    def turn(
        self,
        prompt: str,
        settings: RunSettings = API,
        conversation: int | None = None,
        images: tuple = (),
        cancel: CancelToken | None = None,
    ) -> Turn:
        return self.service.run_turn(
            conversation, prompt, settings, RecordingSink(), cancel or CancelToken(), images
        )


@pytest.fixture
def session(mistral: MistralServer) -> Iterator[Session]:
    """A record where ``veritrace show`` looks, connected to the loopback Mistral API."""
    store = Store(database_path())
    statuses: list[str] = []
    backend = RemoteBackend(RemoteEndpoint(mistral.url, MAGISTRAL, SECRET), on_status=statuses.append)
    service = ChatService(store, backend)
    service.connect_remote(backend, API)
    yield Session(store, service, statuses)
    store.close()


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(buffer, format="PNG")
    return buffer.getvalue()


# -- Mistral's chunk format, streamed and not ------------------------------------------------


def test_thinking_split_across_events_is_the_trace_and_text_the_answer(mistral: MistralServer) -> None:
    mistral.answers.append(Answer.stream("magistral_thinking_split.sse"))
    generation, raw = generate(backend_for(mistral))
    assert raw == SPLIT_RAW
    split = ReasoningSplitter().feed(raw)
    assert split.reasoning.startswith("Okay, the user asks") and split.answer == "17 × 3 = **51**."
    assert generation.finish_reason == "stop"
    # Usage arrived in the last chunk: the server's counts, recorded as the server's.
    assert (generation.prompt_tokens, generation.completion_tokens, generation.usage_source) == (
        77,
        41,
        "server",
    )
    assert generation.usage == {"prompt_tokens": 77, "total_tokens": 118, "completion_tokens": 41}
    assert generation.reasoning_tokens is None, "Mistral did not count them: none is made up"
    assert (generation.response_id, generation.response_model) == (
        "7c1f0b2e9a4d4f6b8e3a1d5c2b9f0e17",
        MAGISTRAL,
    )
    assert generation.unhandled == [] and generation.attempts == 1


@pytest.mark.slow
def test_the_stream_reads_the_same_however_the_network_cuts_it(mistral: MistralServer) -> None:
    """The same answer in two pieces: cut inside each "×" (UTF-8), between each event's two
    newlines, and at every 29th byte besides."""
    body = stream_file("magistral_thinking_split.sse")
    inside_a_character = [i + 1 for i in range(len(body)) if body[i : i + 2] == "×".encode()]
    between_newlines = [i + 1 for i in range(len(body)) if body[i : i + 2] == b"\n\n"]
    assert len(inside_a_character) == 5 and len(between_newlines) == 11
    backend = backend_for(mistral)
    for offset in sorted({*inside_a_character, *between_newlines, *range(1, len(body), 29)}):
        mistral.answers.append(Answer(body, split_at=(offset,)))
        assert generate(backend)[1] == SPLIT_RAW, f"cut at byte {offset}"


def test_several_chunks_in_one_event_keep_their_order(mistral: MistralServer) -> None:
    mistral.answers.append(Answer.stream("magistral_several_chunks.sse"))
    _, raw = generate(backend_for(mistral))
    assert raw == (
        "[THINK]Paris is the capital of France; the answer is short.[/THINK]The capital of France is Paris."
    )


def test_text_an_empty_thinking_list_and_text_are_all_answer(mistral: MistralServer) -> None:
    mistral.answers.append(Answer.stream("magistral_text_empty_thinking_text.sse"))
    generation, raw = generate(backend_for(mistral))
    assert raw == "Let's denote the cost of the ball as x dollars. Therefore, the ball costs $0.05."
    assert generation.usage is not None and generation.usage["num_cached_tokens"] == 0, "kept as sent"


def test_unknown_chunk_types_are_kept_verbatim_named_in_the_log_and_never_shown(
    mistral: MistralServer, caplog: pytest.LogCaptureFixture
) -> None:
    mistral.answers.append(Answer.stream("magistral_unknown_chunks.sse"))
    with caplog.at_level(logging.WARNING, logger="app.runtime.remote_backend"):
        generation, raw = generate(backend_for(mistral))
    assert raw == "[THINK]Check the source.[/THINK]The treaty was signed in 1951 in Paris."
    assert generation.unhandled == [
        {"type": "reference", "reference_ids": [3, 7]},
        {"type": "signature", "value": "c2ln"},
        {"type": "audio_transcript", "text": "not for the answer"},
    ]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for kind in ('"reference"', '"signature"', '"audio_transcript"'):
        assert kind in logged
    assert "not for the answer" not in logged, "the log names the kind, not the content"


def test_a_reasoning_token_count_in_the_usage_is_kept(mistral: MistralServer) -> None:
    mistral.answers.append(Answer.stream("usage_reasoning_tokens.sse"))
    generation, raw = generate(backend_for(mistral))
    assert raw == "[THINK]Short.[/THINK]Yes."
    assert (generation.prompt_tokens, generation.completion_tokens, generation.reasoning_tokens) == (12, 8, 5)


def test_a_whole_completion_is_read_when_asked_for(mistral: MistralServer) -> None:
    mistral.answers.append(Answer.json("magistral_completion.json"))
    generation, raw = generate(backend_for(mistral, stream=False))
    assert json.loads(mistral.received[0])["stream"] is False
    assert raw == "[THINK]S1 = 4, S2 = 9, S3 = 11, so John is 22.[/THINK]John is **22** years old."
    assert (generation.finish_reason, generation.prompt_tokens, generation.completion_tokens) == (
        "stop",
        77,
        54,
    )
    assert (generation.response_id, generation.response_model) == (
        "0d93cd053f4c4b3ca627ccd07cf2f18c",
        "magistral-small-2509",
    )


def test_a_whole_completion_is_read_when_the_server_will_not_stream(mistral: MistralServer) -> None:
    mistral.answers.append(Answer.json("magistral_completion.json"))
    generation, raw = generate(backend_for(mistral))
    assert json.loads(mistral.received[0])["stream"] is True
    assert raw.endswith("[/THINK]John is **22** years old.") and generation.usage_source == "server"


@pytest.mark.parametrize(
    ("name", "raw", "usage_source", "fingerprint"),
    [
        ("vllm_reasoning_content.sse", "[THINK]Two plus two is four.[/THINK]Four.", "server", None),
        ("llamacpp_inline_tags.sse", "[THINK]Hm, 6 × 7 = 42[/THINK]42.", "approximate", "b6500-1a2b3c4d"),
    ],
)
def test_reasoning_fields_and_inline_tags_read_as_before(
    mistral: MistralServer, name: str, raw: str, usage_source: str, fingerprint: str | None
) -> None:
    mistral.answers.append(Answer.stream(name))
    generation, got = generate(backend_for(mistral))
    assert got == raw and generation.usage_source == usage_source
    assert generation.server_fingerprint == fingerprint


# -- the record: what was sent, what came back ------------------------------------------------


def test_a_turn_records_the_exact_request_and_the_server_s_answer(
    session: Session, mistral: MistralServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mistral.answers.append(Answer.stream("magistral_thinking_split.sse"))
    turn = session.turn("17 × 3?")
    assert turn.status == TurnStatus.COMPLETED
    assert (turn.reasoning, turn.answer) == (
        "Okay, the user asks for 17 × 3. 17 × 3 = 51, since 10 × 3 = 30 and 7 × 3 = 21.",
        "17 × 3 = **51**.",
    )
    [sent] = mistral.received
    assert turn.request_json is not None and sent_bytes(turn.request_json, {}) == sent
    assert (turn.request_sha256, turn.request_size) == (hashlib.sha256(sent).hexdigest(), len(sent))
    assert (turn.response_id, turn.response_model, turn.request_attempts) == (
        "7c1f0b2e9a4d4f6b8e3a1d5c2b9f0e17",
        MAGISTRAL,
        1,
    )
    assert json.loads(turn.server_usage_json or "") == {
        "prompt_tokens": 77,
        "total_tokens": 118,
        "completion_tokens": 41,
    }
    assert (turn.prompt_tokens, turn.completion_tokens, turn.usage_source) == (77, 41, "server")
    assert session.store.verify().intact
    # Hashed into the ledger: the turn's entry carries the request, its outcome's the answer.
    with sqlite3.connect(database_path()) as connection:
        payloads = dict(
            connection.execute(
                "SELECT object_type, payload FROM ledger WHERE object_type IN ('turn', 'turn_outcome')"
            ).fetchall()
        )
    connection.close()
    assert json.loads(payloads["turn"])["request_sha256"] == turn.request_sha256
    assert json.loads(payloads["turn"])["request_json"] == turn.request_json
    assert json.loads(payloads["turn_outcome"])["response_id"] == turn.response_id
    # ``show --json`` says it.
    session.store.close()
    assert main(["show", str(turn.conversation_id), "--json"]) == 0
    [shown] = json.loads(capsys.readouterr().out)["turns"]
    exchange = shown["remote_exchange"]
    assert exchange["request"]["body"] == json.loads(sent)
    assert (exchange["request"]["sha256"], exchange["request"]["bytes"]) == (turn.request_sha256, len(sent))
    assert exchange["response"] == {
        "id": "7c1f0b2e9a4d4f6b8e3a1d5c2b9f0e17",
        "model": MAGISTRAL,
        "system_fingerprint": None,
        "usage": {"prompt_tokens": 77, "total_tokens": 118, "completion_tokens": 41},
        "reasoning_tokens": None,
        "unhandled_output": [],
    }


def test_unknown_output_is_recorded_as_json_not_as_text_of_the_answer(
    session: Session, mistral: MistralServer
) -> None:
    mistral.answers.append(Answer.stream("magistral_unknown_chunks.sse"))
    turn = session.turn("When was it signed?")
    assert turn.answer == "The treaty was signed in 1951 in Paris." and "reference" not in turn.raw_output
    assert json.loads(turn.unhandled_output_json or "") == [
        {"type": "reference", "reference_ids": [3, 7]},
        {"type": "signature", "value": "c2ln"},
        {"type": "audio_transcript", "text": "not for the answer"},
    ]
    record = b"".join(path.read_bytes() for path in data_dir().glob("veritrace.db*"))
    assert b"{'type'" not in record, "never a Python repr"
    assert turn.to_json()["remote_exchange"]["response"]["unhandled_output"][0]["reference_ids"] == [3, 7]


def _follow_up(session: Session, mistral: MistralServer, settings: RunSettings) -> tuple[Turn, Turn, dict]:
    mistral.answers += [
        Answer.stream("magistral_thinking_split.sse"),
        Answer.stream("magistral_several_chunks.sse"),
    ]
    first = session.turn("17 × 3?", settings)
    image = check_image(png((200, 40, 40)), "chart.png")
    second = session.turn("And this chart?", settings, first.conversation_id, (image,))
    assert second.status == TurnStatus.COMPLETED, second.error
    return first, second, json.loads(mistral.received[1])


def test_a_follow_up_with_an_image_is_sent_as_mistral_expects_field_by_field(
    session: Session, mistral: MistralServer
) -> None:
    first, second, body = _follow_up(session, mistral, API)
    [image] = second.images
    assert image.sent_to_model and image.sent_sha256 is not None
    copy = session.store.image_data(image.sent_sha256)
    data_uri = "data:image/png;base64," + base64.b64encode(copy).decode("ascii")
    assert list(body) == [
        "model", "messages", "stream", "temperature", "top_p", "max_tokens", "random_seed", "prompt_mode"
    ]  # fmt: skip
    assert body["model"] == MAGISTRAL
    assert body["messages"] == [
        {"role": "user", "content": "17 × 3?"},  # no system message: prompt_mode asks for the API's
        {"role": "assistant", "content": [{"type": "text", "text": first.answer}]},  # no thinking resent
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": data_uri}},
                {"type": "text", "text": "And this chart?"},
            ],
        },
    ]
    assert body["stream"] is True
    assert (body["temperature"], body["top_p"], body["max_tokens"], body["random_seed"]) == (
        0.7,
        0.95,
        256,
        7,
    )
    assert body["prompt_mode"] == "reasoning"
    assert "seed" not in body and "stream_options" not in body, "Mistral refuses fields it does not know"
    # The record holds the body with the image named by its hash; put back, it is the bytes sent.
    recorded = json.loads(second.request_json or "")
    assert recorded["messages"][2]["content"][0] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;sha256,{image.sent_sha256}"},
    }
    assert {**recorded, "messages": recorded["messages"][:2]} == {**body, "messages": body["messages"][:2]}
    exact = sent_bytes(second.request_json or "", session.store.image_data)
    assert exact == mistral.received[1] and hashlib.sha256(exact).hexdigest() == second.request_sha256
    assert recorded_text(mistral.received[1]) == second.request_json
    assert base64.b64encode(copy) not in (second.request_json or "").encode(), (
        "the bytes are in the record once"
    )
    assert mistral.headers[1]["Authorization"] == f"Bearer {SECRET}" and SECRET.encode() not in exact


def test_earlier_reasoning_is_sent_back_only_when_asked(session: Session, mistral: MistralServer) -> None:
    first, second, body = _follow_up(session, mistral, replace(API, resend_reasoning=True))
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": [{"type": "text", "text": first.reasoning}]},
            {"type": "text", "text": first.answer},
        ],
    }
    assert second.messages[1].reasoning == first.reasoning, "the record's messages say it was sent"


@pytest.mark.slow
def test_other_servers_are_sent_earlier_reasoning_inline_in_the_family_s_tags(
    scripted_server: ScriptedServer,
) -> None:
    backend = RemoteBackend(RemoteEndpoint(scripted_server.url, "scripted-model"))
    backend.load()
    assert backend.dialect == Dialect.VLLM
    settings = replace(with_params(preset("think-tags"), seed=1), prompt_mode="reasoning")
    messages = (
        ChatMessage("user", "2 + 2?"),
        ChatMessage("assistant", "4.", reasoning="Two and two."),
        ChatMessage("user", "And 3 + 3?"),
    )
    "".join(backend.generate(backend.prepare(messages, settings), settings, CancelToken()))
    [body] = scripted_server.requests
    assert body["messages"][1] == {"role": "assistant", "content": "<think>Two and two.</think>4."}
    assert "prompt_mode" not in body, "prompt_mode is for Mistral's API alone"


def test_declining_prompt_mode_sends_the_magistral_system_prompt_as_chunks(
    session: Session, mistral: MistralServer
) -> None:
    mistral.answers.append(Answer.stream("magistral_thinking_split.sse"))
    turn = session.turn("17 × 3?", OWN_PROMPT)
    body = json.loads(mistral.received[0])
    assert body["prompt_mode"] is None, "null: Mistral's documented way to decline its default prompt"
    before, rest = MAGISTRAL_SYSTEM_PROMPT.split("[THINK]")
    inside, after = rest.split("[/THINK]")
    assert body["messages"][0] == {
        "role": "system",
        "content": [
            {"type": "text", "text": before},
            {"type": "thinking", "thinking": [{"type": "text", "text": inside}]},
            {"type": "text", "text": after},
        ],
    }
    assert turn.system_prompt == MAGISTRAL_SYSTEM_PROMPT


# -- provider errors, one line each ---------------------------------------------------------

MODEL_NOT_FOUND = (
    b'{"error":{"message":"The model `magistral-medium-2509` does not exist.",'
    b'"type":"invalid_request_error","param":"model","code":"model_not_found"}}'
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (Answer.json("error_401.json", 401), "refused the API key given (HTTP 401): check the key."),
        (Answer(b'{"message":"Forbidden"}', 403, "application/json"), "refused the API key given (HTTP 403)"),
        (
            Answer.json("error_400_invalid_model.json", 400),
            "has no model “magistral-medium-2509” (HTTP 400; it offers: magistral-medium-2509, "
            "magistral-small-2509, magistral-medium-2507, mistral-small-2506,",
        ),
        (Answer(MODEL_NOT_FOUND, 404, "application/json"), "has no model “magistral-medium-2509” (HTTP 404;"),
        (
            Answer.json("error_422_mistral.json", 422),
            "refused the request (HTTP 422): stream_options: Extra inputs are not permitted",
        ),
        (
            Answer.json("error_422_fastapi.json", 422),
            "refused the request (HTTP 422): messages.1.content: field required",
        ),
        (
            Answer.json("error_503.json", 503),
            "failed (HTTP 503), a fault on its side: Service unavailable, please retry",
        ),
    ],
    ids=["401", "403", "400-model", "404-model", "422-mistral", "422-fastapi", "503"],
)
def test_a_refusal_fails_the_turn_in_one_line(
    session: Session, mistral: MistralServer, answer: Answer, says: str
) -> None:
    mistral.answers.append(answer)
    turn = session.turn("17 × 3?")
    assert turn.status == TurnStatus.FAILED and turn.finish_reason == "error"
    assert turn.error is not None and says in turn.error, turn.error
    assert "\n" not in turn.error and SECRET not in turn.error
    assert turn.request_sha256 == hashlib.sha256(mistral.received[0]).hexdigest(), "what was sent is kept"
    assert session.store.verify().intact


def test_a_key_a_server_echoes_is_not_repeated(session: Session, mistral: MistralServer) -> None:
    echo = json.dumps({"object": "error", "message": f"Bad key {SECRET} for this org", "type": "x"}).encode()
    mistral.answers.append(Answer(echo, 400, "application/json"))
    turn = session.turn("17 × 3?")
    assert turn.error is not None and "Bad key [the API key] for this org" in turn.error
    assert SECRET not in turn.error


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            Answer.stream("magistral_dropped.sse", cut_after=len(stream_file("magistral_dropped.sse")) - 40),
            "broke off before the turn finished",
        ),
        (
            Answer.stream("magistral_dropped.sse", close_after=len(stream_file("magistral_dropped.sse"))),
            "closed the stream before the turn finished (no finish reason, no [DONE])",
        ),
    ],
    ids=["cut-mid-event", "closed-without-done"],
)
def test_a_dropped_stream_is_recorded_failed_with_what_arrived(
    session: Session, mistral: MistralServer, answer: Answer, says: str
) -> None:
    mistral.answers.append(answer)
    turn = session.turn("Why?")
    assert (turn.status, turn.finish_reason) == (TurnStatus.FAILED, "stream_dropped")
    assert turn.error is not None and says in turn.error and "what arrived is kept" in turn.error
    assert turn.reasoning.startswith("First, the"), "the thinking that arrived is in the record"
    assert turn.answer == "" and turn.response_id == "7c1f0b2e9a4d4f6b8e3a1d5c2b9f0e17"
    assert session.store.verify().intact


def test_an_error_event_mid_stream_fails_the_turn_with_what_arrived(
    session: Session, mistral: MistralServer
) -> None:
    events = stream_file("magistral_thinking_split.sse").split(b"\n\n")
    error = (
        b'data: {"object":"error","message":"Service overloaded","type":"service_unavailable","code":"3505"}'
    )
    mistral.answers.append(Answer(b"\n\n".join([*events[:3], error, b""])))
    turn = session.turn("17 × 3?")
    assert (turn.status, turn.finish_reason) == (TurnStatus.FAILED, "error")
    assert turn.error == "ServerError: The server stopped the turn: Service overloaded"
    assert turn.reasoning == "Okay, the user asks for 17 × 3."


def test_a_stream_that_goes_silent_mid_turn_is_dropped_with_what_arrived(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.replies.append(Reply(content_chunks("Half an ", "answer"), hold_after=1))
    backend = RemoteBackend(RemoteEndpoint(scripted_server.url, "scripted-model"), read_timeout=0.3)
    backend.load()
    settings = with_params(preset("think-tags"), seed=1)
    generation = backend.generate(
        backend.prepare((ChatMessage("user", "?"),), settings), settings, CancelToken()
    )
    pieces: list[str] = []
    with pytest.raises(
        ServerError, match=r"sent nothing for 0\.3 seconds before the turn finished"
    ) as raised:
        pieces.extend(generation)
    assert pieces == ["Half an "] and raised.value.finish_reason == "stream_dropped"


@pytest.mark.slow
def test_a_rate_limit_is_waited_out_with_a_countdown(session: Session, mistral: MistralServer) -> None:
    mistral.answers += [
        Answer.json("error_429.json", 429, headers={"Retry-After": "1"}),
        Answer.stream("magistral_thinking_split.sse"),
    ]
    turn = session.turn("17 × 3?")
    assert turn.status == TurnStatus.COMPLETED and turn.answer == "17 × 3 = **51**."
    host = mistral.host
    assert session.statuses == [
        f"{host} says too many requests (HTTP 429): asking again in 1 s (retry 1 of 3)…",
        f"Asking {host} again (retry 1 of 3)…",
    ]
    assert turn.request_attempts == 2
    assert mistral.received[0] == mistral.received[1] == sent_bytes(turn.request_json or "", {})


def test_a_rate_limit_that_lasts_fails_after_a_bounded_number_of_retries(
    session: Session, mistral: MistralServer
) -> None:
    mistral.answers += [Answer.json("error_429.json", 429, headers={"Retry-After": "0"}) for _ in range(4)]
    turn = session.turn("17 × 3?")
    assert turn.status == TurnStatus.FAILED and len(mistral.received) == 4
    said = (
        "still refused the turn as one request too many (HTTP 429) after 4 tries: "
        "wait a while and send it again (Requests rate limit exceeded)."
    )
    assert turn.error is not None and said in turn.error
    assert turn.request_attempts == 4


def test_a_rate_limit_asking_for_a_long_wait_fails_at_once(session: Session, mistral: MistralServer) -> None:
    mistral.answers.append(Answer.json("error_429.json", 429, headers={"Retry-After": "3600"}))
    turn = session.turn("17 × 3?")
    assert turn.status == TurnStatus.FAILED and len(mistral.received) == 1
    assert (
        turn.error is not None and "asks to wait 3600 s, longer than the 60 s Veritrace waits" in turn.error
    )


def test_stop_during_the_countdown_cancels_the_turn(session: Session, mistral: MistralServer) -> None:
    mistral.answers.append(Answer.json("error_429.json", 429, headers={"Retry-After": "30"}))
    cancel = CancelToken()
    statuses = session.statuses

    class Pressing(list[str]):
        def append(self, line: str) -> None:
            statuses.append(line)
            cancel.set()  # Stop, as soon as the countdown shows

    backend = session.service.backend
    assert isinstance(backend, RemoteBackend)
    backend.on_status = Pressing().append
    turn = session.turn("17 × 3?", cancel=cancel)
    assert turn.status == TurnStatus.CANCELLED and len(mistral.received) == 1
    assert statuses == [
        f"{mistral.host} says too many requests (HTTP 429): asking again in 30 s (retry 1 of 3)…"
    ]


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert _retry_after("3") == 3.0 and _retry_after(" 0 ") == 0.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0, "a date gone by: no wait"
    assert _retry_after("soon") is None and _retry_after(None) is None and _retry_after("nan") is None


# -- the key, nowhere but in the keyring -----------------------------------------------------


@pytest.mark.slow
def test_the_key_is_in_no_record_log_or_export(
    qapp: object, mistral: MistralServer, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    configure_logging(logging.DEBUG)  # httpx's debug lines included
    try:
        assert remote.save_api_key(mistral.url, SECRET).in_keyring
        endpoint = RemoteEndpoint(mistral.url, MAGISTRAL, remote.api_key(mistral.url))
        store = Store(database_path())
        backend = RemoteBackend(endpoint)
        service = ChatService(store, backend)
        service.connect_remote(backend, API)
        session = Session(store, service, [])
        _, second, _ = _follow_up(session, mistral, replace(API, resend_reasoning=True))
        mistral.answers += [Answer.json("error_401.json", 401), Answer.stream("magistral_unknown_chunks.sse")]
        session.turn("Once more?", conversation=second.conversation_id)
        session.turn("And the source?", conversation=second.conversation_id)
        ids = [second.conversation_id]
        report = build_report(store, TEST_KEY, ids, "Magistral on Mistral", "tester")
        markdown = write_markdown(report, tmp_path / "report.md")
        pdf = write_pdf(report, tmp_path / "report.pdf")
        bundle = export_bundle(
            store, TEST_KEY, ids, "Magistral on Mistral", tmp_path / "bundle", as_zip=False, generated_by="t"
        )
        store.close()
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).parent == data_dir():
                root.removeHandler(handler)
                handler.close()
        root.setLevel(logging.WARNING)
    # The bundle still verifies with its own script, in a clean interpreter.
    script = bundle.path / vb.VERIFIER
    run = subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(bundle.path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    texts = {
        "markdown": markdown.read_text("utf-8").replace("\\", ""),
        "pdf": pdf_text,
        "bundle": "\n".join(
            path.read_text("utf-8", "replace") for path in bundle.path.rglob("*") if path.is_file()
        ),
    }
    # What was sent is in every export (so this is no empty search), the key in none.
    for name, text in texts.items():
        assert (second.request_sha256 or "-") in "".join(text.split()), f"{name} names the request sent"
        assert SECRET not in text, f"the key leaked into the {name} export"
    files = [path for path in [*data_dir().rglob("*"), *tmp_path.rglob("*")] if path.is_file()]
    names = {path.name for path in files}
    assert {"veritrace.db", "veritrace.log", "report.md", "report.pdf"} <= names
    log = (data_dir() / "veritrace.log").read_text("utf-8")
    assert "127.0.0.1" in log and '"reference"' in log, "the log is no empty file"
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), f"the key leaked into {path}"


# -- the Mistral preset ------------------------------------------------------------------------


def test_magistral_on_mistral_s_api_runs_with_the_magistral_preset(mistral: MistralServer) -> None:
    backend = backend_for(mistral)
    assert backend.dialect == Dialect.MISTRAL, "known by its listing, owned by mistralai"
    machine = preset("think-tags")
    chosen = remote.remote_settings(backend, machine)
    assert (chosen.preset, chosen.prompt_mode, chosen.system_prompt) == ("magistral", "reasoning", "")
    assert (chosen.params.temperature, chosen.params.top_p) == (0.7, 0.95)
    own = remote.remote_settings(backend, machine, prompt_mode=False)
    assert (own.prompt_mode, own.system_prompt) == ("none", MAGISTRAL_SYSTEM_PROMPT)
    assert remote.remote_settings(backend, own) == own, "declined once, declined until chosen again"
    back = remote.remote_settings(backend, own, prompt_mode=True)
    assert (back.prompt_mode, back.system_prompt) == ("reasoning", ""), "Magistral's prompt gives way"
    mine = replace(API, system_prompt="Answer in French.")
    assert remote.remote_settings(backend, mine) == mine, "a Magistral preset is kept as the user left it"
    fresh = with_params(preset("magistral"), seed=3)  # what a new installation runs: nothing chosen
    assert remote.remote_settings(backend, fresh) == replace(fresh, prompt_mode="reasoning", system_prompt="")
    other = backend_for(mistral, model="mistral-small-2506")
    assert remote.remote_settings(other, API) == replace(API, prompt_mode=""), "prompt_mode is Magistral's"


def test_a_model_is_found_by_the_alias_mistral_lists_for_it(mistral: MistralServer) -> None:
    backend = backend_for(mistral, model="magistral-medium-latest")
    assert backend.loaded is not None and backend.loaded.name == "magistral-medium-latest"
    assert backend.loaded.n_ctx == 131072, "Mistral's max_context_length"


def test_mistral_s_api_is_known_by_its_address_and_offers_its_magistral_models() -> None:
    assert is_mistral_api("https://api.mistral.ai") and is_mistral_api("https://api.mistral.ai/v1/")
    assert not is_mistral_api("https://api.mistral.ai.example.com/v1") and not is_mistral_api(
        "http://127.0.0.1:8000"
    )
    assert dialect_for(RemoteEndpoint("https://api.mistral.ai", "m"), owned_by="") == Dialect.MISTRAL
    listed = ["mistral-small-2506", "magistral-medium-2507", "magistral-small-2509", "codestral-2508"]
    assert remote.magistral_models(listed) == [
        "magistral-small-2509",
        "magistral-medium-2509",
        "magistral-medium-2507",
    ]


@pytest.mark.slow
def test_ask_runs_magistral_on_mistral_s_api_with_its_preset(
    mistral: MistralServer, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    remote.save_api_key(mistral.url, SECRET)
    mistral.answers += [
        Answer.json("error_429.json", 429, headers={"Retry-After": "1"}),
        Answer.stream("magistral_thinking_split.sse"),
    ]
    assert main(["ask", "17 × 3?", "--remote", mistral.url, "--remote-model", MAGISTRAL, "--seed", "5"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "17 × 3 = **51**." and "Okay, the user asks" in err
    assert f"veritrace: {mistral.host} says too many requests (HTTP 429): asking again in 1 s" in err
    body = json.loads(mistral.received[-1])
    assert (body["prompt_mode"], body["random_seed"], body["temperature"]) == ("reasoning", 5, 0.7)
    assert body["messages"] == [{"role": "user", "content": "17 × 3?"}]
    assert SECRET not in out + err
    assert main(["show", "1", "--json"]) == 0
    [turn] = json.loads(capsys.readouterr().out)["turns"]
    assert turn["preset"] == "magistral" and turn["remote_exchange"]["request"]["attempts"] == 2
    assert turn["remote_exchange"]["request"]["sha256"] == hashlib.sha256(mistral.received[-1]).hexdigest()


def test_ask_without_a_model_names_mistral_s_magistral_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hi", "--remote", "https://api.mistral.ai/v1"]) != 0
    err = capsys.readouterr().err
    assert (
        "--remote needs --remote-model ID" in err and "magistral-small-2509 or magistral-medium-2509" in err
    )
