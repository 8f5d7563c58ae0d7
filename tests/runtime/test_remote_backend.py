"""The remote backend against llama-cpp-python's own server and a scripted SSE server."""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import replace

import pytest

from app.core.cancel import CancelToken
from app.core.errors import ModelError
from app.core.hashing import sha256_bytes
from app.core.presets import preset, with_params
from app.core.reasoning import ReasoningSplitter
from app.core.remote import RemoteEndpoint, normalise_url
from app.core.types import ChatMessage, PreparedPrompt, RunSettings
from app.runtime.remote_backend import (
    Dialect,
    RemoteBackend,
    ServerError,
    _sse_events,
    dialect_for,
    list_models,
)
from tests.fixtures.remote_servers import LlamaServer, Reply, ScriptedServer, content_chunks, free_port

THINK_TAGS = with_params(replace(preset("think-tags"), require_reasoning=True), max_tokens=400, seed=7)
MESSAGES = (ChatMessage("system", "Think briefly, then answer."), ChatMessage("user", "What is 2 + 2?"))


def connected(server: ScriptedServer, **endpoint: str) -> RemoteBackend:
    backend = RemoteBackend(RemoteEndpoint(server.url, server.models[0], **endpoint))
    backend.load()
    return backend


def run(backend: RemoteBackend, settings: RunSettings, cancel: CancelToken | None = None):
    prompt = backend.prepare(MESSAGES, settings)
    generation = backend.generate(prompt, settings, cancel or CancelToken())
    return generation, "".join(generation)


# -- against llama_cpp.server with the demo model -----------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_a_turn_streams_from_llama_cpp_server_with_reasoning(llama_server: LlamaServer) -> None:
    backend = RemoteBackend(RemoteEndpoint(llama_server.url, llama_server.model))
    loaded = backend.load()
    assert (loaded.name, loaded.endpoint, loaded.is_remote) == (llama_server.model, llama_server.url, True)
    assert backend.dialect == Dialect.LLAMA_CPP
    generation, raw = run(backend, THINK_TAGS)
    # The reasoning grammar was sent (llama.cpp servers accept it): the demo model opens a block.
    assert raw.startswith("[THINK]") and "[/THINK]" in raw, raw
    split = ReasoningSplitter().feed(raw)
    assert split.reasoning.strip() and split.answer.strip()
    assert generation.finish_reason in ("stop", "length")
    # llama_cpp.server sends no usage when streaming: chunks were counted, and said to be.
    assert generation.usage_source == "approximate" and 0 < generation.completion_tokens <= 400
    assert "remote (llama.cpp API)" in backend.runtime_version


@pytest.mark.slow
@pytest.mark.e2e
def test_the_same_seed_gives_the_same_answer_from_the_server(llama_server: LlamaServer) -> None:
    backend = RemoteBackend(RemoteEndpoint(llama_server.url, llama_server.model))
    backend.load()
    assert run(backend, THINK_TAGS)[1] == run(backend, THINK_TAGS)[1]


@pytest.mark.e2e
@pytest.mark.slow
def test_stop_closes_the_stream_from_llama_cpp_server(llama_server: LlamaServer) -> None:
    backend = RemoteBackend(RemoteEndpoint(llama_server.url, llama_server.model))
    backend.load()
    settings = with_params(THINK_TAGS, max_tokens=400, temperature=1.0)
    cancel = CancelToken()
    generation = backend.generate(backend.prepare(MESSAGES, settings), settings, cancel)
    pieces = []
    for piece in generation:
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()
    assert generation.finish_reason == "cancelled"
    assert len(pieces) == 3, "nothing more is taken once Stop is pressed"


@pytest.mark.e2e
@pytest.mark.slow
def test_a_model_the_server_does_not_offer_is_refused_by_name(llama_server: LlamaServer) -> None:
    with pytest.raises(ModelError, match=f"has no model “nope” \\(it offers: {llama_server.model}\\)"):
        RemoteBackend(RemoteEndpoint(llama_server.url, "nope")).load()


@pytest.mark.e2e
def test_the_server_root_is_taken_as_its_api(llama_server: LlamaServer) -> None:
    root = llama_server.url.removesuffix("/v1")
    assert RemoteBackend(RemoteEndpoint(root + "/", llama_server.model)).load().endpoint == llama_server.url


# -- errors, each with its one sentence ---------------------------------------------------


def test_a_server_that_is_down_says_so() -> None:
    port = free_port()
    with pytest.raises(ModelError, match=f"Nothing answers at 127.0.0.1:{port}: the server is not running"):
        RemoteBackend(RemoteEndpoint(f"http://127.0.0.1:{port}/v1", "m")).load()


def test_a_bad_key_is_refused_with_the_status(scripted_server: ScriptedServer) -> None:
    scripted_server.api_key = "right-key"
    with pytest.raises(ModelError, match=r"refused the API key given \(HTTP 401\): check the key"):
        connected(scripted_server, api_key="wrong-key")
    with pytest.raises(ModelError, match=r"refused requests without an API key \(HTTP 401\)"):
        connected(scripted_server)
    assert connected(scripted_server, api_key="right-key").loaded is not None
    assert scripted_server.requests == []


def test_an_address_without_the_api_is_a_wrong_url(scripted_server: ScriptedServer) -> None:
    wrong = scripted_server.url.replace("/v1", "/api")
    with pytest.raises(ModelError, match=r"has no OpenAI-compatible API at .*/api: check the address"):
        RemoteBackend(RemoteEndpoint(wrong, "m")).load()


@pytest.mark.parametrize("url", ["ftp://example.com/v1", "localhost:8080", "", "http://"])
def test_something_that_is_not_an_address_is_refused(url: str) -> None:
    with pytest.raises(ModelError, match="is not a server address: use the form http://host:port/v1"):
        normalise_url(url)


def test_https_to_a_plain_http_server_is_a_tls_error(scripted_server: ScriptedServer) -> None:
    secure = scripted_server.url.replace("http://", "https://")
    with pytest.raises(ModelError, match=r"The secure connection to 127\.0\.0\.1:\d+ failed"):
        list_models(RemoteEndpoint(secure, "m"))


def test_a_server_that_does_not_answer_in_time_says_so(scripted_server: ScriptedServer) -> None:
    scripted_server.models_delay = 1.0
    with pytest.raises(ModelError, match=r"did not answer within 0\.2 seconds"):
        list_models(RemoteEndpoint(scripted_server.url, "m"), timeout=0.2)


def test_an_error_answer_to_the_turn_fails_the_generation(scripted_server: ScriptedServer) -> None:
    backend = connected(scripted_server)
    scripted_server.replies.append(Reply([], status=400))
    with pytest.raises(ServerError, match="answered HTTP 400: scripted failure 400"):
        run(backend, THINK_TAGS)


def test_an_error_event_mid_stream_fails_the_generation(scripted_server: ScriptedServer) -> None:
    backend = connected(scripted_server)
    scripted_server.replies.append(Reply([*content_chunks("Half")[:1], {"error": {"message": "overloaded"}}]))
    with pytest.raises(ServerError, match="The server stopped the turn: overloaded"):
        run(backend, THINK_TAGS)


# -- reasoning field variants, usage and what is sent -------------------------------------


def _reasoning_chunks(field_name: str) -> list[dict]:
    deltas = [{field_name: "Two and "}, {field_name: "two."}, {"content": "Four"}, {"content": "."}]
    return [{"choices": [{"index": 0, "delta": delta}]} for delta in deltas] + content_chunks(
        finish="stop", usage={"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30}
    )


@pytest.mark.slow
@pytest.mark.parametrize("field_name", ["reasoning_content", "reasoning"])
@pytest.mark.parametrize(
    ("preset_name", "tags"), [("think-tags", ("<think>", "</think>")), ("magistral", ("[THINK]", "[/THINK]"))]
)
def test_a_separate_reasoning_field_becomes_the_family_s_tags(
    scripted_server: ScriptedServer, field_name: str, preset_name: str, tags: tuple[str, str]
) -> None:
    backend = connected(scripted_server)
    scripted_server.replies.append(Reply(_reasoning_chunks(field_name)))
    generation, raw = run(backend, with_params(preset(preset_name), seed=1))
    assert raw == f"{tags[0]}Two and two.{tags[1]}Four."
    split = ReasoningSplitter().feed(raw)
    assert (split.reasoning, split.answer) == ("Two and two.", "Four.")
    assert (generation.prompt_tokens, generation.completion_tokens) == (21, 9)
    assert generation.usage_source == "server" and generation.finish_reason == "stop"


def test_inline_tags_pass_through_unchanged(scripted_server: ScriptedServer) -> None:
    backend = connected(scripted_server)
    scripted_server.replies.append(Reply(content_chunks("<thi", "nk>Hm</th", "ink>Yes")))
    generation, raw = run(backend, with_params(preset("think-tags"), seed=1))
    assert raw == "<think>Hm</think>Yes"
    assert generation.completion_tokens == 3 and generation.usage_source == "approximate"


def test_reasoning_still_open_at_the_end_is_closed(scripted_server: ScriptedServer) -> None:
    backend = connected(scripted_server)
    chunks = [{"choices": [{"index": 0, "delta": {"reasoning_content": "cut off"}}]}]
    scripted_server.replies.append(Reply(chunks + content_chunks(finish="length")))
    generation, raw = run(backend, with_params(preset("think-tags"), seed=1))
    assert raw == "<think>cut off</think>" and generation.finish_reason == "length"


def test_the_server_s_last_fingerprint_is_kept(scripted_server: ScriptedServer) -> None:
    """OpenAI-compatible servers name their configuration in every chunk; the last non-empty one wins."""
    backend = connected(scripted_server)
    chunks = content_chunks("Four", ".")
    chunks[0]["system_fingerprint"] = "fp_old999"
    chunks[1]["system_fingerprint"] = "fp_abc123"
    chunks[2]["system_fingerprint"] = ""  # an empty one says nothing
    scripted_server.replies.append(Reply(chunks))
    generation, raw = run(backend, with_params(preset("think-tags"), seed=1))
    assert raw == "Four." and generation.server_fingerprint == "fp_abc123"


def test_a_server_that_sends_no_fingerprint_leaves_none(scripted_server: ScriptedServer) -> None:
    backend = connected(scripted_server)
    scripted_server.replies.append(Reply(content_chunks("Four")))
    generation, raw = run(backend, with_params(preset("think-tags"), seed=1))
    assert raw == "Four" and generation.server_fingerprint is None


def test_images_are_sent_as_data_uris_and_recorded_by_hash(scripted_server: ScriptedServer) -> None:
    backend = connected(scripted_server)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    sha = sha256_bytes(png)
    messages = (ChatMessage("user", "What is this?", (sha,)),)
    settings = with_params(preset("think-tags"), seed=3)
    prompt = backend.prepare(messages, settings, {sha: png})
    assert f"data:image/png;sha256,{sha}" in prompt.text and "base64" not in prompt.text
    assert "".join(backend.generate(prompt, settings, CancelToken())) == "(no reply)"
    [sent] = scripted_server.requests
    parts = sent["messages"][0]["content"]
    assert parts[0] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode("ascii")},
    }
    assert parts[1] == {"type": "text", "text": "What is this?"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("owned_by", "dialect", "sent", "not_sent"),
    [
        ("vllm", Dialect.VLLM, {"top_k": 20, "min_p": 0.0, "repetition_penalty": 1.0}, {"repeat_penalty"}),
        ("llamacpp", Dialect.LLAMA_CPP, {"top_k": 20, "repeat_penalty": 1.0}, {"repetition_penalty"}),
        ("openai", Dialect.OPENAI, {}, {"top_k", "min_p", "repeat_penalty", "repetition_penalty", "grammar"}),
    ],
)
def test_each_server_is_sent_only_the_parameters_it_accepts(
    scripted_server: ScriptedServer, owned_by: str, dialect: Dialect, sent: dict, not_sent: set[str]
) -> None:
    scripted_server.owned_by = owned_by
    backend = connected(scripted_server, api_key="k")
    assert backend.dialect == dialect
    run(backend, with_params(preset("think-tags"), seed=5, max_tokens=33))
    [body] = scripted_server.requests
    common = {"temperature": 0.6, "top_p": 0.95, "max_tokens": 33, "seed": 5, "stream": True}
    assert body.items() >= {**common, **sent}.items()
    assert body["stream_options"] == {"include_usage": True}
    assert not (set(body) & not_sent)
    assert scripted_server.headers[0]["Authorization"] == "Bearer k"


def test_the_mistral_api_gets_its_own_seed_name() -> None:
    backend = RemoteBackend(RemoteEndpoint("https://api.mistral.ai/v1", "magistral-small-latest"))
    backend.dialect = dialect_for(backend.endpoint, owned_by="mistralai")  # what load() decides
    assert backend.dialect == Dialect.MISTRAL
    empty = PreparedPrompt(MESSAGES, "[]", "", 0, "server", "")
    body = backend.request_body(empty, with_params(preset("magistral"), seed=9))
    assert body["random_seed"] == 9 and "seed" not in body and "stream_options" not in body


def test_stop_wakes_a_read_blocked_on_a_silent_server(scripted_server: ScriptedServer) -> None:
    """Stop shuts the socket down from the stopping thread: no waiting for the next chunk."""
    backend = connected(scripted_server)
    scripted_server.replies.append(Reply(content_chunks("one ", "two ", "three"), hold_after=2))
    cancel = CancelToken()
    settings = with_params(preset("think-tags"), seed=1)
    generation = backend.generate(backend.prepare(MESSAGES, settings), settings, cancel)
    pieces: list[str] = []
    done = threading.Event()

    def consume() -> None:
        pieces.extend(generation)
        done.set()

    threading.Thread(target=consume, daemon=True).start()
    deadline = time.monotonic() + 10
    while len(pieces) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert pieces == ["one ", "two "], "the server holds after two chunks"
    pressed = time.perf_counter()
    cancel.set()
    assert done.wait(10), "the generation ended after Stop"
    latency_ms = (time.perf_counter() - pressed) * 1000
    print(f"Stop took effect after {latency_ms:.1f} ms")
    assert generation.finish_reason == "cancelled"
    assert scripted_server.disconnected.wait(5), "the server saw the connection go"


def test_server_sent_events_are_parsed_by_the_spec() -> None:
    lines = [": keep-alive", 'data: {"a":', "data: 1}", "", "event: x", "data:[DONE]", ""]
    assert list(_sse_events(iter(lines))) == ['{"a":\n1}', "[DONE]"]
    assert list(_sse_events(iter(["data: tail"]))) == ["tail"]
