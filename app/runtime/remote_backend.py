"""A model on an OpenAI-compatible server (vLLM, llama.cpp's server, the Mistral API).

The server applies its own chat template, so the record holds the messages as sent
(``prepare``) and says the model ran remotely. Output is normalised to the raw text the
local backend produces: reasoning that arrives apart from the answer is wrapped in the
model family's reasoning tags, so the reasoning splitter and the record work unchanged. It
arrives apart in two shapes: a ``reasoning_content``/``reasoning`` field (vLLM, llama.cpp's
server), or Mistral's typed chunks, where ``content`` is a list of ``{"type": "thinking",
"thinking": [{"type": "text", …}]}`` and ``{"type": "text", …}`` parts (streamed or not).
Parts of a kind the app does not know are kept verbatim for the record (``unhandled``),
named in the log, and never shown as answer text.

What is sent besides the messages depends on the server, recognised by the ``owned_by``
of its ``/v1/models`` listing (the OpenAI API rejects or ignores parameters it does not know):

- every server: ``temperature``, ``top_p``, ``max_tokens`` and the seed (``seed``;
  ``random_seed`` for the Mistral API);
- llama.cpp's server and llama-cpp-python's (``owned_by`` "llamacpp" or "me"): also
  ``top_k``, ``min_p``, ``repeat_penalty``, and the reasoning grammar when the run
  requires reasoning;
- vLLM: also ``top_k`` (when set), ``min_p`` and ``repetition_penalty``;
- the Mistral API: ``prompt_mode`` when the settings choose it ("reasoning", or null to
  decline the API's default system prompt), earlier answers as text
  chunks (their reasoning as a thinking chunk, when the settings resend it), and a system
  prompt holding ``[THINK]…[/THINK]`` as text, thinking and text chunks, as Mistral documents.

``stream_options.include_usage`` is asked for everywhere except the Mistral API (which
reports usage unasked and refuses fields it does not know); without a ``usage`` block,
tokens are counted as streamed chunks and the count is marked approximate. A model on a
server has no file to hash; what the server says of its own answer (``id``, ``model``,
``system_fingerprint``, its usage object) is kept on the generation and recorded with the turn.

The request body is built once, in ``prepare``, in its recorded form (images named by their
SHA-256, see ``app.core.remote_request``); the bytes sent are made from that text and the
stored images, so what the record says was sent is, byte for byte, what was sent.
"""

from __future__ import annotations

import contextlib
import email.utils
import enum
import importlib.metadata
import json
import logging
import math
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.core.cancel import CancelToken
from app.core.errors import ModelError, causes
from app.core.hashing import sha256_bytes, sha256_text
from app.core.reasoning import MAGISTRAL_TAGS, XML_TAGS, TagPair
from app.core.remote import RemoteEndpoint, host_of, is_mistral_api
from app.core.remote_request import RecordedRequest, ServerResponse, body_text, image_ref, sent_bytes
from app.core.types import ChatMessage, PreparedPrompt, RunSettings
from app.runtime.backend import LoadedModel, LoadOptions
from app.runtime.grammar import reasoning_grammar

if TYPE_CHECKING:  # httpx is imported when a server is first used: it is slow to import
    import httpx

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0  # a large model on a busy server may think a while before its first chunk
TEMPLATE_SOURCE = "server"  # the server applies its own chat template; we never see it
USAGE_SERVER, USAGE_APPROXIMATE = "server", "approximate"
# "Too many requests" (HTTP 429): asked again this many times, after the wait the server names
# (Retry-After) or, if it names none, a growing one; a longer wait than the limit is not waited.
RATE_LIMIT_RETRIES = 3
RATE_LIMIT_MAX_WAIT_S = 60.0
RATE_LIMIT_DEFAULT_WAIT_S = 2.0
_log = logging.getLogger(__name__)


class Dialect(enum.StrEnum):
    """Which family of server answers: decides the parameters it is sent."""

    LLAMA_CPP = "llama.cpp"
    VLLM = "vllm"
    MISTRAL = "mistral"
    OPENAI = "openai"  # anything else: only the parameters of the OpenAI API itself


class ServerError(RuntimeError):
    """The server failed a turn already recorded; the turn is closed as failed with this message.

    ``finish_reason`` says how it ended: "error", or "stream_dropped" when the connection broke
    (or closed) before the server said the turn was finished.
    """

    def __init__(self, message: str, finish_reason: str = "error") -> None:
        super().__init__(message)
        self.finish_reason = finish_reason


@dataclass(frozen=True)
class RemoteModelInfo:
    """One entry of a server's ``/v1/models``."""

    id: str
    owned_by: str = ""
    max_model_len: int = 0  # vLLM and Mistral's API say; most servers do not
    aliases: tuple[str, ...] = ()  # other names the server answers to (Mistral's "…-latest")


def list_models(endpoint: RemoteEndpoint, *, timeout: float = CONNECT_TIMEOUT_S) -> list[RemoteModelInfo]:
    """The models the server offers; raises ModelError with one clear sentence when it cannot."""
    import httpx

    base = endpoint.base
    with _client(timeout) as client:
        try:
            response = client.get(f"{base}/models", headers=endpoint.headers())
        except httpx.HTTPError as error:
            raise ModelError(_transport_message(error, base, timeout)) from error
    if response.status_code in (401, 403):
        raise ModelError(_auth_message(endpoint, response.status_code))
    if response.status_code == 404:
        raise ModelError(
            f"{host_of(base)} answered, but has no OpenAI-compatible API at {base}: "
            "check the address (it usually ends in /v1)."
        )
    if response.status_code >= 400:
        raise ModelError(
            f"The server at {host_of(base)} answered HTTP {response.status_code}: {_error_detail(response)}"
        )
    try:
        listing = response.json()
        entries = listing["data"]
        return [
            RemoteModelInfo(
                id=str(entry["id"]),
                owned_by=str(entry.get("owned_by") or ""),
                # vLLM says max_model_len; Mistral's API max_context_length.
                max_model_len=int(entry.get("max_model_len") or entry.get("max_context_length") or 0),
                aliases=_names(entry.get("aliases")),
            )
            for entry in entries
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise ModelError(
            f"{host_of(base)} answered, but not with an OpenAI-compatible model list at {base}/models: "
            "check the address (it usually ends in /v1)."
        ) from error


def _names(value: Any) -> tuple[str, ...]:
    return tuple(name for name in value if isinstance(name, str)) if isinstance(value, list) else ()


def offered(models: list[RemoteModelInfo], wanted: str = "", limit: int = 8) -> str:
    """The model ids a server lists, for a message: those of the wanted id's family first."""
    family = wanted.split("-", 1)[0].lower()
    ids = sorted((model.id for model in models), key=lambda name: not name.lower().startswith(family))
    shown = ", ".join(ids[:limit]) or "none"
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def dialect_for(endpoint: RemoteEndpoint, owned_by: str) -> Dialect:
    if is_mistral_api(endpoint.base):
        return Dialect.MISTRAL
    owner = owned_by.lower()
    if owner == "mistralai":  # Mistral's API lists its models so (a proxy of it keeps its format)
        return Dialect.MISTRAL
    if owner in ("llamacpp", "me"):  # llama.cpp's server; llama-cpp-python's server says "me"
        return Dialect.LLAMA_CPP
    if owner == "vllm":
        return Dialect.VLLM
    return Dialect.OPENAI


class RemoteBackend:
    """Runs turns on a model served over ``/v1/chat/completions``; use from one thread.

    ``on_status`` shows a line while a turn waits on the server (a rate limit's countdown);
    ``stream`` False asks for the whole answer at once (``stream: false``) instead of a stream.
    """

    def __init__(
        self,
        endpoint: RemoteEndpoint,
        *,
        read_timeout: float = READ_TIMEOUT_S,
        on_status: Callable[[str], None] | None = None,
        stream: bool = True,
        retries: int = RATE_LIMIT_RETRIES,
        max_wait: float = RATE_LIMIT_MAX_WAIT_S,
    ) -> None:
        self.endpoint = endpoint
        self.read_timeout = read_timeout
        self.on_status = on_status or (lambda _: None)
        self.stream = stream
        self.retries = retries
        self.max_wait = max_wait
        self.dialect = Dialect.OPENAI
        self._loaded: LoadedModel | None = None

    @property
    def loaded(self) -> LoadedModel | None:
        return self._loaded

    @property
    def runtime_version(self) -> str:
        return f"remote ({self.dialect} API) via httpx {importlib.metadata.version('httpx')}"

    @property
    def runtime_info(self) -> dict[str, object]:
        """Where it runs: the server decides threads and GPUs, and does not say."""
        return {"runs_on": "remote server", "endpoint": self.endpoint.url}

    def load(
        self,
        path: Path | None = None,
        options: LoadOptions | None = None,
        *,
        is_demo: bool = False,
        projector: Path | None = None,
    ) -> LoadedModel:
        """Check the server answers and offers the model; there is no file (``path`` is ignored)."""
        models = list_models(self.endpoint)
        wanted = self.endpoint.model
        match = next((model for model in models if model.id == wanted), None) or next(
            (model for model in models if wanted in model.aliases), None
        )
        if match is None:
            raise ModelError(
                f"The server at {self.endpoint.host} has no model “{wanted}” "
                f"(it offers: {offered(models, wanted)})."
            )
        self.dialect = dialect_for(self.endpoint, match.owned_by)
        self._loaded = LoadedModel(
            path=Path(wanted),
            name=wanted,
            architecture="remote",
            context_length=match.max_model_len,
            n_ctx=match.max_model_len,  # 0: unknown, the server enforces its own window
            has_chat_template=True,
            has_think_tokens=False,
            endpoint=self.endpoint.base,
            accepts_images=True,  # the server decides; a model without vision fails the turn there
        )
        return self._loaded

    def prepare(
        self,
        messages: tuple[ChatMessage, ...],
        settings: RunSettings,
        images: Mapping[str, bytes] | None = None,
    ) -> PreparedPrompt:
        """The messages as sent, as JSON, and the request body as recorded; images by SHA-256.

        The image bytes themselves are in the record already (the copy the model saw).
        Prompt tokens are unknown until the server reports them.
        """
        if self._loaded is None:
            raise ModelError("Not connected to a remote server.")
        images = images or {}
        missing = [sha for message in messages for sha in message.images if sha not in images]
        if missing:
            raise ModelError(f"The image {missing[0][:12]}… to send is not in the record.")
        shown = [self._api_message(message, settings) for message in messages]
        text = json.dumps(shown, ensure_ascii=False, indent=1)
        sent = {sha: images[sha] for message in messages for sha in message.images}
        return PreparedPrompt(
            messages=messages,
            text=text,
            sha256=sha256_text(text),
            token_count=0,
            template_source=TEMPLATE_SOURCE,
            template_sha256="",
            image_data=tuple(images[sha] for message in messages for sha in message.images),
            request=RecordedRequest.of(body_text(self._body(shown, settings)), sent),
        )

    def count_tokens(self, messages: tuple[ChatMessage, ...], settings: RunSettings) -> int | None:
        """None: the server's tokenizer is its own, and it counts only what it is sent."""
        return None

    def request_body(self, prompt: PreparedPrompt, settings: RunSettings) -> dict[str, Any]:
        """The JSON body of the chat completion request for this prompt, as sent."""
        parsed: dict[str, Any] = json.loads(self._sent(prompt, settings))
        return parsed

    def generate(
        self, prompt: PreparedPrompt, settings: RunSettings, cancel: CancelToken
    ) -> RemoteGeneration:
        if self._loaded is None:
            raise ModelError("Not connected to a remote server.")
        return self.resend(self._sent(prompt, settings), settings, cancel)

    def resend(self, body: bytes, settings: RunSettings, cancel: CancelToken) -> RemoteGeneration:
        """Send a recorded request body again, byte for byte."""
        if self._loaded is None:
            raise ModelError("Not connected to a remote server.")
        return RemoteGeneration(
            self.endpoint,
            body,
            cancel,
            _tags(settings),
            self.read_timeout,
            on_status=self.on_status,
            retries=self.retries,
            max_wait=self.max_wait,
        )

    def close(self) -> None:
        self._loaded = None

    def _sent(self, prompt: PreparedPrompt, settings: RunSettings) -> bytes:
        """The bytes of the request body: made from its recorded text and the stored images."""
        request = prompt.request
        if request is None:  # prepared elsewhere: build the body now, the same way
            shown = [self._api_message(message, settings) for message in prompt.messages]
            request = RecordedRequest(body_text(self._body(shown, settings)), "", 0)
        data = sent_bytes(request.text, {sha256_bytes(image): image for image in prompt.image_data})
        if request.sha256 and sha256_bytes(data) != request.sha256:
            raise ModelError("The request to send is not the one recorded for this turn.")
        return data

    def _body(self, messages: list[dict[str, Any]], settings: RunSettings) -> dict[str, Any]:
        params = settings.params
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": messages,
            "stream": self.stream,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
        }
        if params.seed is not None:
            body["random_seed" if self.dialect == Dialect.MISTRAL else "seed"] = params.seed
        if self.dialect != Dialect.MISTRAL and self.stream:
            body["stream_options"] = {"include_usage": True}
        if self.dialect == Dialect.MISTRAL and settings.prompt_mode:
            # "none" declines the API's default system prompt: Mistral documents null for that.
            body["prompt_mode"] = None if settings.prompt_mode == "none" else settings.prompt_mode
        if self.dialect == Dialect.LLAMA_CPP:
            body.update(top_k=params.top_k, min_p=params.min_p, repeat_penalty=params.repeat_penalty)
            if settings.require_reasoning:
                body["grammar"] = reasoning_grammar(None)
        elif self.dialect == Dialect.VLLM:
            if params.top_k > 0:
                body["top_k"] = params.top_k
            body.update(min_p=params.min_p, repetition_penalty=params.repeat_penalty)
        return body

    def _api_message(self, message: ChatMessage, settings: RunSettings) -> dict[str, Any]:
        """One message in the server's format; images named by SHA-256 (the recorded form)."""
        mistral = self.dialect == Dialect.MISTRAL
        tags = _tags(settings)
        if message.images:
            parts: list[dict[str, Any]] = [
                {"type": "image_url", "image_url": {"url": image_ref(sha)}} for sha in message.images
            ]
            parts.append({"type": "text", "text": message.content})
            return {"role": message.role, "content": parts}
        if mistral and message.role == "assistant":
            chunks: list[dict[str, Any]] = []
            if message.reasoning:
                chunks.append(_thinking(message.reasoning))
            chunks.append({"type": "text", "text": message.content})
            return {"role": "assistant", "content": chunks}
        if mistral and message.role == "system":
            system = _system_chunks(message.content, MAGISTRAL_TAGS)
            if system is not None:
                return {"role": "system", "content": system}
        if message.reasoning:  # other servers read reasoning inline, in the family's tags
            return {
                "role": message.role,
                "content": f"{tags[0]}{message.reasoning}{tags[1]}{message.content}",
            }
        return {"role": message.role, "content": message.content}


def _tags(settings: RunSettings) -> TagPair:
    return MAGISTRAL_TAGS if settings.preset == "magistral" else XML_TAGS


def _thinking(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


def _system_chunks(content: str, tags: TagPair) -> list[dict[str, Any]] | None:
    """A system prompt holding one ``[THINK]…[/THINK]`` block as Mistral's chunks, else None.

    Magistral's reasoning prompt shows the model the block it is to write; sent as plain text,
    the API would read ``[THINK]`` as ordinary characters rather than its control token.
    """
    start = content.find(tags[0])
    end = content.find(tags[1], start + len(tags[0])) if start >= 0 else -1
    if start < 0 or end < 0 or tags[0] in content[end:]:
        return None
    chunks: list[dict[str, Any]] = []
    if content[:start]:
        chunks.append({"type": "text", "text": content[:start]})
    chunks.append(_thinking(content[start + len(tags[0]) : end]))
    if content[end + len(tags[1]) :]:
        chunks.append({"type": "text", "text": content[end + len(tags[1]) :]})
    return chunks


@dataclass
class RemoteGeneration:
    """One chat completion, streamed or not; iterating sends the request.

    Stop takes effect at once: the socket is shut down from the stopping thread, which wakes
    the read blocked on it (the flag is also checked at every chunk). A server that answers
    "too many requests" is asked again after the wait it names (``on_status`` counts it down),
    at most ``retries`` times.
    """

    endpoint: RemoteEndpoint
    body: bytes  # exactly what is sent
    cancel: CancelToken
    tags: TagPair
    read_timeout: float = READ_TIMEOUT_S
    on_status: Callable[[str], None] = field(default=lambda _: None, repr=False)
    retries: int = RATE_LIMIT_RETRIES
    max_wait: float = RATE_LIMIT_MAX_WAIT_S
    finish_reason: str | None = None
    completion_tokens: int = 0
    prompt_tokens: int | None = None
    usage_source: str = USAGE_APPROXIMATE
    server_fingerprint: str | None = None  # the last ``system_fingerprint`` the server sent
    response_id: str | None = None  # the response's own ``id`` and ``model``, as last sent
    response_model: str | None = None
    usage: dict[str, Any] | None = None  # the server's usage object, as sent
    reasoning_tokens: int | None = None
    unhandled: list[Any] = field(default_factory=list)  # output parts of unknown kinds, verbatim
    token_ids: list[int] | None = None  # a server sends text, not the ids it sampled
    attempts: int = 0  # how often the request was sent
    _in_field_reasoning: bool = False
    _done: bool = False  # the stream's [DONE] arrived
    _unknown_logged: set[str] = field(default_factory=set)

    @property
    def server_response(self) -> ServerResponse:
        """What the server said of its answer, for the record."""
        return ServerResponse(
            attempts=self.attempts or None,
            id=self.response_id,
            model=self.response_model,
            usage_json=json.dumps(self.usage, ensure_ascii=False) if self.usage is not None else None,
            reasoning_tokens=self.reasoning_tokens,
            unhandled_json=json.dumps(self.unhandled, ensure_ascii=False) if self.unhandled else None,
        )

    def __iter__(self) -> Iterator[str]:
        import httpx

        base = self.endpoint.base
        timeout = httpx.Timeout(CONNECT_TIMEOUT_S, read=self.read_timeout)
        if self.cancel.is_set():
            self.finish_reason = "cancelled"
            return
        unsubscribe: Callable[[], None] = lambda: None  # noqa: E731
        headers = {**self.endpoint.headers(), "Content-Type": "application/json"}
        started = False  # output began arriving: a broken connection now drops the stream
        try:
            with _client(timeout) as client:
                while True:
                    self.attempts += 1
                    request = client.build_request(
                        "POST", f"{base}/chat/completions", content=self.body, headers=headers
                    )
                    with contextlib.closing(client.send(request, stream=True)) as response:
                        if response.status_code == 429 and self.attempts <= self.retries:
                            response.read()
                            wait = self._rate_limit_wait(response)
                            response.close()
                            if not self._count_down(wait):
                                break  # stopped while waiting
                            continue
                        if response.status_code >= 400:
                            response.read()
                            raise ServerError(self._refusal(response))
                        unsubscribe = self.cancel.subscribe(_socket_closer(response))
                        started = True
                        kind = response.headers.get("content-type", "")
                        if "json" in kind and "event-stream" not in kind:
                            # A whole chat.completion object: asked for, or the server's choice.
                            response.read()
                            yield from self._completion(response)
                        else:
                            yield from self._deltas(response)
                    break
        except httpx.HTTPError as error:
            if not self.cancel.is_set():
                if started and isinstance(error, httpx.ReadTimeout):
                    raise ServerError(
                        f"The server at {host_of(base)} sent nothing for {self.read_timeout:g} seconds "
                        "before the turn finished; what arrived is kept.",
                        "stream_dropped",
                    ) from error
                if started and isinstance(error, httpx.RemoteProtocolError | httpx.ReadError):
                    raise ServerError(
                        f"The connection to {host_of(base)} broke off before the turn finished "
                        f"({_one_line(str(error))}); what arrived is kept.",
                        "stream_dropped",
                    ) from error
                raise ServerError(_transport_message(error, base, self.read_timeout)) from error
        finally:
            unsubscribe()
        if self._in_field_reasoning:
            self._in_field_reasoning = False
            yield self.tags[1]
        if self.cancel.is_set():
            self.finish_reason = "cancelled"
        elif started and not self._done and self.finish_reason is None:
            raise ServerError(
                f"The server at {host_of(base)} closed the stream before the turn finished "
                "(no finish reason, no [DONE]); what arrived is kept.",
                "stream_dropped",
            )

    def _rate_limit_wait(self, response: httpx.Response) -> float:
        """Seconds to wait before asking again, as the server says; fails if that is too long."""
        host = self.endpoint.host
        wait = _retry_after(response.headers.get("retry-after"))
        if wait is None:
            wait = RATE_LIMIT_DEFAULT_WAIT_S * self.attempts
        if wait > self.max_wait:
            raise ServerError(
                f"The server at {host} refused the turn as one request too many (HTTP 429) and asks to "
                f"wait {wait:.0f} s, longer than the {self.max_wait:.0f} s Veritrace waits: send it again "
                f"later ({_detail(response, self.endpoint.api_key)})."
            )
        _log.info("%s: too many requests (HTTP 429); asking again in %.1f s", host, wait)
        return wait

    def _count_down(self, wait: float) -> bool:
        """Wait, saying how long is left each second; False if Stop was pressed meanwhile."""
        host = self.endpoint.host
        retry = f"retry {self.attempts} of {self.retries}"
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            self.on_status(
                f"{host} says too many requests (HTTP 429): asking again in {math.ceil(left)} s ({retry})…"
            )
            if self.cancel.wait(left - (math.ceil(left) - 1)):  # to the next whole second left
                return False
        self.on_status(f"Asking {host} again ({retry})…")
        return not self.cancel.is_set()

    def _refusal(self, response: httpx.Response) -> str:
        """One line saying why the server refused the turn (never with the key in it)."""
        host, status, key = self.endpoint.host, response.status_code, self.endpoint.api_key
        if status in (401, 403):
            return _auth_message(self.endpoint, status)
        payload = _json_of(response)
        if status == 429:
            return (
                f"The server at {host} still refused the turn as one request too many (HTTP 429) after "
                f"{self.attempts} tries: wait a while and send it again ({_detail(response, key)})."
            )
        if status in (400, 404) and _names_unknown_model(payload, self.endpoint.model):
            try:
                listing = f"it offers: {offered(list_models(self.endpoint), self.endpoint.model)}"
            except ModelError as error:
                listing = f"its model list could not be read: {error}"
            return f"The server at {host} has no model “{self.endpoint.model}” (HTTP {status}; {listing})."
        if status in (400, 422):
            field_name, problem = _validation_problem(payload)
            if field_name:
                return _redact(
                    f"The server at {host} refused the request (HTTP {status}): {field_name}: {problem}", key
                )
        if status >= 500:
            return (
                f"The server at {host} failed (HTTP {status}), a fault on its side: "
                f"{_detail(response, key)}; what arrived is kept."
            )
        return f"The server at {host} answered HTTP {status}: {_detail(response, key)}"

    def _deltas(self, response: httpx.Response) -> Iterator[str]:
        for event in _sse_events(response.iter_lines()):
            if self.cancel.is_set():
                return
            if event == "[DONE]":
                self._done = True
                return
            try:
                chunk = json.loads(event)
            except ValueError as error:
                raise ServerError(f"The server sent a chunk that is not JSON: {event[:80]!r}") from error
            if not isinstance(chunk, dict):
                continue
            if "error" in chunk or str(chunk.get("object")).lower() == "error":  # OpenAI's form; Mistral's
                problem = _message_of(chunk.get("error") or chunk)
                raise ServerError(_redact(f"The server stopped the turn: {problem}", self.endpoint.api_key))
            self._take_identity(chunk)
            for choice in chunk.get("choices") or ():
                if not isinstance(choice, dict):
                    continue
                text = self._text_of(choice.get("delta") or {})
                if text:
                    if self.usage_source == USAGE_APPROXIMATE:
                        self.completion_tokens += 1
                    yield text
                if choice.get("finish_reason"):
                    self.finish_reason = str(choice["finish_reason"])

    def _completion(self, response: httpx.Response) -> Iterator[str]:
        """A whole ``chat.completion`` object (``stream: false``): its message, as one delta."""
        completion = _json_of(response)
        if isinstance(completion, dict) and "error" in completion:
            raise ServerError(
                _redact(
                    f"The server stopped the turn: {_message_of(completion['error'])}", self.endpoint.api_key
                )
            )
        if not isinstance(completion, dict) or not isinstance(completion.get("choices"), list):
            raise ServerError(
                f"The server at {self.endpoint.host} answered, but not with a chat completion: "
                f"{_one_line(response.text)[:120]!r}"
            )
        self._take_identity(completion)
        for choice in completion["choices"]:
            if not isinstance(choice, dict):
                continue
            text = self._text_of(choice.get("message") or {})
            if self._in_field_reasoning:
                self._in_field_reasoning = False
                text += self.tags[1]
            if text:
                if self.usage_source == USAGE_APPROXIMATE:
                    self.completion_tokens += 1
                yield text
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])
        self._done = True

    def _take_identity(self, chunk: dict[str, Any]) -> None:
        """What a chunk (or a whole response) says of the answer: ids, fingerprint, usage."""
        # Sent with every chunk; should one change mid-stream, the last is what finished the turn.
        for key, attribute in (
            ("system_fingerprint", "server_fingerprint"),
            ("id", "response_id"),
            ("model", "response_model"),
        ):
            value = chunk.get(key)
            if value and isinstance(value, str | int):
                setattr(self, attribute, str(value))
        usage = chunk.get("usage")
        if isinstance(usage, dict) and "completion_tokens" in usage:
            self.usage = usage
            self.completion_tokens = _count(usage.get("completion_tokens"))
            self.prompt_tokens = _count(usage.get("prompt_tokens"))
            self.usage_source = USAGE_SERVER
            details = usage.get("completion_tokens_details")
            reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
            reasoning = reasoning if reasoning is not None else usage.get("reasoning_tokens")
            self.reasoning_tokens = _count(reasoning) if reasoning is not None else None

    def _text_of(self, delta: dict[str, Any]) -> str:
        """Raw text for one delta (or message): reasoning apart from the answer gets the family's tags."""
        pieces: list[str] = []
        thought = delta.get("reasoning_content") or delta.get("reasoning") or ""
        if thought:
            self._reasoning(str(thought), pieces)
        content = delta.get("content")
        if isinstance(content, str):
            if content:
                self._answer(content, pieces)
        elif isinstance(content, list):  # Mistral's typed chunks, in order
            for part in content:
                self._part(part, pieces)
        elif content is not None:
            self._unknown(content, "content")
        if delta.get("tool_calls"):
            self._unknown({"tool_calls": delta["tool_calls"]}, "tool_calls")
        return "".join(pieces)

    def _part(self, part: Any, pieces: list[str]) -> None:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            if part["text"]:
                self._answer(part["text"], pieces)
        elif kind == "thinking" and isinstance(part.get("thinking"), list | str):
            inner = part["thinking"]
            for piece in [inner] if isinstance(inner, str) else inner:
                if isinstance(piece, str):
                    if piece:
                        self._reasoning(piece, pieces)
                elif (
                    isinstance(piece, dict)
                    and piece.get("type") == "text"
                    and isinstance(piece.get("text"), str)
                ):
                    if piece["text"]:
                        self._reasoning(piece["text"], pieces)
                else:
                    self._unknown(piece, "thinking part")
        else:
            self._unknown(part, "content part")

    def _reasoning(self, text: str, pieces: list[str]) -> None:
        if not self._in_field_reasoning:
            pieces.append(self.tags[0])
            self._in_field_reasoning = True
        pieces.append(text)

    def _answer(self, text: str, pieces: list[str]) -> None:
        if self._in_field_reasoning:
            pieces.append(self.tags[1])
            self._in_field_reasoning = False
        pieces.append(text)

    def _unknown(self, part: Any, where: str) -> None:
        """Keep a part the app does not know for the record, verbatim; name its kind in the log once."""
        self.unhandled.append(part)
        kind = _kind_of(part)
        if kind not in self._unknown_logged:
            self._unknown_logged.add(kind)
            _log.warning(
                "%s sent a %s of a kind Veritrace does not know (%s): kept verbatim in the record, "
                "not shown as reasoning or answer",
                self.endpoint.host,
                where,
                kind,
            )


def _kind_of(part: Any) -> str:
    if isinstance(part, dict):
        kind = part.get("type")
        if kind is not None:
            return json.dumps(kind, ensure_ascii=False)[:40]
        return "an object with keys " + ", ".join(sorted(map(str, part))[:5])
    names = {str: "a string", list: "a list", bool: "a boolean", type(None): "null"}
    return names.get(type(part), "a number")


def _count(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date; None if neither."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _names_unknown_model(payload: Any, model: str) -> bool:
    """An error answer saying the model asked for does not exist (Mistral's, OpenAI's, vLLM's)."""
    error = (
        payload.get("error")
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict)
        else payload
    )
    if not isinstance(error, dict):
        return False
    if str(error.get("type") or "") in ("invalid_model", "model_not_found", "NotFoundError") or str(
        error.get("code") or ""
    ) in ("model_not_found", "1500"):
        return True
    message = error.get("message") or error.get("detail")
    return isinstance(message, str) and model in message and bool(_NO_SUCH_MODEL.search(message))


_NO_SUCH_MODEL = re.compile(
    r"(invalid|unknown|no such) model|model\b.*\b(not found|does not exist|doesn't exist)", re.IGNORECASE
)


def _validation_problem(payload: Any) -> tuple[str, str]:
    """(field, problem) of the first error in a validation answer; ("", "") if none is named.

    Mistral wraps FastAPI's ``{"detail": [{"loc", "msg", "type"}]}`` in its own error object
    (``message`` may hold it, as an object or as JSON text); other servers send it bare, or
    name the field in ``param``.
    """
    for candidate in _error_objects(payload):
        detail = candidate.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            first = detail[0]
            location = [str(step) for step in first.get("loc") or () if step != "body"]
            field_name = ".".join(location) or "the request"
            more = f" (and {len(detail) - 1} more)" if len(detail) > 1 else ""
            return field_name, _one_line(str(first.get("msg") or first.get("type") or "invalid")) + more
        if candidate.get("param") and isinstance(candidate.get("message"), str):
            return str(candidate["param"]), _one_line(candidate["message"])
    return "", ""


def _error_objects(payload: Any) -> Iterator[dict[str, Any]]:
    """The payload and the error objects nested in it (``error``, ``message``), outermost first."""
    seen = 0
    while isinstance(payload, dict) and seen < 4:
        seen += 1
        yield payload
        inner = payload.get("error") if isinstance(payload.get("error"), dict) else payload.get("message")
        if isinstance(inner, str) and inner.lstrip().startswith("{"):
            try:
                inner = json.loads(inner)
            except ValueError:
                return
        if isinstance(payload.get("message"), list):  # Mistral also sends the detail list as message
            inner = {"detail": payload["message"]}
        payload = inner


def _detail(response: httpx.Response, key: str = "") -> str:
    return _redact(_error_detail(response), key)


def _redact(text: str, key: str) -> str:
    """``text`` without the API key in it (servers that echo a key they refuse do exist)."""
    return text.replace(key, "[the API key]") if key else text


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sse_events(lines: Iterator[str]) -> Iterator[str]:
    """The data of each server-sent event (multi-line data joined with newlines)."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        if line.startswith(":"):
            continue  # a comment, used as a keep-alive
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


def _client(timeout: float | httpx.Timeout) -> httpx.Client:
    import httpx

    # Proxies from the environment would see the key; a self-hosted server is reached directly.
    return httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False)


def _socket_closer(response: httpx.Response) -> Callable[[], None]:
    """Shut down the response's socket: wakes a read blocked in another thread."""

    def close() -> None:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    return close


def _auth_message(endpoint: RemoteEndpoint, status: int) -> str:
    which = "the API key given" if endpoint.api_key else "requests without an API key"
    return f"The server at {endpoint.host} refused {which} (HTTP {status}): check the key."


def _transport_message(error: httpx.HTTPError, base: str, timeout: float) -> str:
    import httpx

    host = host_of(base)
    if isinstance(error, httpx.TimeoutException):
        return f"The server at {host} did not answer within {timeout:g} seconds."
    if _caused_by(error, ssl.SSLError) or "SSL" in str(error) or "certificate" in str(error).lower():
        return (
            f"The secure connection to {host} failed: its certificate is not trusted, "
            f"or it does not speak HTTPS ({error})."
        )
    text = str(error)
    if isinstance(error, httpx.ConnectError) and (
        _caused_by(error, socket.gaierror) or "Name or service not known" in text or "getaddrinfo" in text
    ):
        return f"No server named {urlsplit(base).hostname} was found: check the address."
    if isinstance(error, httpx.ConnectError):
        return f"Nothing answers at {host}: the server is not running, or the address or port is wrong."
    return f"The connection to {host} failed: {error}."


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(cause, kind) for cause in causes(error))


def _error_detail(response: httpx.Response) -> str:
    try:
        return _message_of(response.json())
    except ValueError:
        return _one_line(response.text)[:200] or response.reason_phrase


def _message_of(payload: Any) -> str:
    """The message of an error answer, on one line (JSON, never a Python repr, if it has none)."""
    if isinstance(payload, dict):
        for key in ("error", "detail", "message"):
            if key in payload and payload[key] not in (None, "", [], {}):
                return _message_of(payload[key])
        if "msg" in payload:
            where = ".".join(str(step) for step in payload.get("loc") or () if step != "body")
            return _one_line(f"{where}: {payload['msg']}" if where else str(payload["msg"]))[:300]
    if isinstance(payload, list) and payload:
        return _message_of(payload[0])
    if isinstance(payload, str):
        return _one_line(payload)[:300]
    return _one_line(json.dumps(payload, ensure_ascii=False))[:300]
