"""A model on an OpenAI-compatible server (vLLM, llama.cpp's server, the Mistral API).

The server applies its own chat template, so the record holds the messages as sent
(``prepare``) and says the model ran remotely. Output is normalised to the raw text the
local backend produces: a separate ``reasoning_content``/``reasoning`` field is wrapped in
the model family's reasoning tags, so the reasoning splitter and the record work unchanged.

What is sent besides the messages depends on the server, recognised by the ``owned_by``
of its ``/v1/models`` listing (the OpenAI API rejects or ignores parameters it does not know):

- every server: ``temperature``, ``top_p``, ``max_tokens`` and the seed (``seed``;
  ``random_seed`` for the Mistral API);
- llama.cpp's server and llama-cpp-python's (``owned_by`` "llamacpp" or "me"): also
  ``top_k``, ``min_p``, ``repeat_penalty``, and the reasoning grammar when the run
  requires reasoning;
- vLLM: also ``top_k`` (when set), ``min_p`` and ``repetition_penalty``.

``stream_options.include_usage`` is asked for everywhere except the Mistral API (which
reports usage unasked); without a ``usage`` block, tokens are counted as streamed chunks
and the count is marked approximate. A model on a server has no file to hash; what the
server says of its own configuration (``system_fingerprint``, where it sends one) is kept
as the generation's ``server_fingerprint`` and recorded with the turn.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import importlib.metadata
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.core.cancel import CancelToken
from app.core.errors import ModelError
from app.core.hashing import sha256_text
from app.core.reasoning import MAGISTRAL_TAGS, XML_TAGS, TagPair
from app.core.types import ChatMessage, PreparedPrompt, RunSettings
from app.runtime.backend import LoadedModel, LoadOptions
from app.runtime.grammar import reasoning_grammar

if TYPE_CHECKING:  # httpx is imported when a server is first used: it is slow to import
    import httpx

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0  # a large model on a busy server may think a while before its first chunk
TEMPLATE_SOURCE = "server"  # the server applies its own chat template; we never see it
USAGE_SERVER, USAGE_APPROXIMATE = "server", "approximate"


class Dialect(enum.StrEnum):
    """Which family of server answers: decides the parameters it is sent."""

    LLAMA_CPP = "llama.cpp"
    VLLM = "vllm"
    MISTRAL = "mistral"
    OPENAI = "openai"  # anything else: only the parameters of the OpenAI API itself


class ServerError(RuntimeError):
    """The server failed a turn already recorded; the turn is closed as failed with this message."""


def normalise_url(url: str) -> str:
    """The API base (``…/v1``) for what a user typed: a bare host gets ``/v1`` added."""
    cleaned = url.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ModelError(
            f"“{url.strip()}” is not a server address: use the form http://host:port/v1 "
            "or https://api.example.com/v1."
        )
    if not parts.path:
        cleaned += "/v1"
    return cleaned


def host_of(url: str) -> str:
    """``host:port`` (or just the host) of a URL, for messages and the status bar."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1] or url


@dataclass(frozen=True)
class RemoteEndpoint:
    """Where the model runs. The key is never printed: it lives in the OS keyring."""

    url: str
    model: str
    api_key: str = field(default="", repr=False)

    @property
    def base(self) -> str:
        return normalise_url(self.url)

    @property
    def host(self) -> str:
        return host_of(self.base)

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers


@dataclass(frozen=True)
class RemoteModelInfo:
    """One entry of a server's ``/v1/models``."""

    id: str
    owned_by: str = ""
    max_model_len: int = 0  # vLLM says; most servers do not


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
                max_model_len=int(entry.get("max_model_len") or 0),
            )
            for entry in entries
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise ModelError(
            f"{host_of(base)} answered, but not with an OpenAI-compatible model list at {base}/models: "
            "check the address (it usually ends in /v1)."
        ) from error


def dialect_for(endpoint: RemoteEndpoint, owned_by: str) -> Dialect:
    if host_of(endpoint.base).split(":")[0].endswith("mistral.ai"):
        return Dialect.MISTRAL
    owner = owned_by.lower()
    if owner in ("llamacpp", "me"):  # llama.cpp's server; llama-cpp-python's server says "me"
        return Dialect.LLAMA_CPP
    if owner == "vllm":
        return Dialect.VLLM
    return Dialect.OPENAI


class RemoteBackend:
    """Runs turns on a model served over ``/v1/chat/completions``; use from one thread."""

    def __init__(self, endpoint: RemoteEndpoint, *, read_timeout: float = READ_TIMEOUT_S) -> None:
        self.endpoint = endpoint
        self.read_timeout = read_timeout
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
        match = next((model for model in models if model.id == wanted), None)
        if match is None:
            offered = ", ".join(model.id for model in models[:8]) or "none"
            raise ModelError(
                f"The server at {self.endpoint.host} has no model “{wanted}” (it offers: {offered})."
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
        """The messages as sent, as JSON; each image's data URI shown by its SHA-256.

        The image bytes themselves are in the record already (the copy the model saw).
        Prompt tokens are unknown until the server reports them.
        """
        if self._loaded is None:
            raise ModelError("Not connected to a remote server.")
        images = images or {}
        missing = [sha for message in messages for sha in message.images if sha not in images]
        if missing:
            raise ModelError(f"The image {missing[0][:12]}… to send is not in the record.")
        shown = [_api_message(message, lambda sha: f"data:image/png;sha256,{sha}") for message in messages]
        text = json.dumps(shown, ensure_ascii=False, indent=1)
        return PreparedPrompt(
            messages=messages,
            text=text,
            sha256=sha256_text(text),
            token_count=0,
            template_source=TEMPLATE_SOURCE,
            template_sha256="",
            image_data=tuple(images[sha] for message in messages for sha in message.images),
        )

    def request_body(self, prompt: PreparedPrompt, settings: RunSettings) -> dict[str, Any]:
        """The JSON body of the chat completion request for this prompt."""
        data = iter(prompt.image_data)

        def data_uri(_sha: str) -> str:
            return "data:image/png;base64," + base64.b64encode(next(data)).decode("ascii")

        params = settings.params
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": [_api_message(message, data_uri) for message in prompt.messages],
            "stream": True,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
        }
        if params.seed is not None:
            body["random_seed" if self.dialect == Dialect.MISTRAL else "seed"] = params.seed
        if self.dialect != Dialect.MISTRAL:
            body["stream_options"] = {"include_usage": True}
        if self.dialect == Dialect.LLAMA_CPP:
            body.update(top_k=params.top_k, min_p=params.min_p, repeat_penalty=params.repeat_penalty)
            if settings.require_reasoning:
                body["grammar"] = reasoning_grammar(None)
        elif self.dialect == Dialect.VLLM:
            if params.top_k > 0:
                body["top_k"] = params.top_k
            body.update(min_p=params.min_p, repetition_penalty=params.repeat_penalty)
        return body

    def generate(
        self, prompt: PreparedPrompt, settings: RunSettings, cancel: threading.Event
    ) -> RemoteGeneration:
        if self._loaded is None:
            raise ModelError("Not connected to a remote server.")
        tags = MAGISTRAL_TAGS if settings.preset == "magistral" else XML_TAGS
        return RemoteGeneration(
            self.endpoint, self.request_body(prompt, settings), cancel, tags, self.read_timeout
        )

    def close(self) -> None:
        self._loaded = None


@dataclass
class RemoteGeneration:
    """One streamed chat completion; iterating sends the request.

    Stop takes effect at once: with a ``CancelToken`` the socket is shut down from the
    stopping thread, which wakes the read blocked on it; otherwise the flag is checked
    at every chunk.
    """

    endpoint: RemoteEndpoint
    body: dict[str, Any]
    cancel: threading.Event
    tags: TagPair
    read_timeout: float = READ_TIMEOUT_S
    finish_reason: str | None = None
    completion_tokens: int = 0
    prompt_tokens: int | None = None
    usage_source: str = USAGE_APPROXIMATE
    server_fingerprint: str | None = None  # the last ``system_fingerprint`` the server sent
    _in_field_reasoning: bool = False

    def __iter__(self) -> Iterator[str]:
        import httpx

        base = self.endpoint.base
        timeout = httpx.Timeout(CONNECT_TIMEOUT_S, read=self.read_timeout)
        if self.cancel.is_set():
            self.finish_reason = "cancelled"
            return
        unsubscribe: Callable[[], None] = lambda: None  # noqa: E731
        try:
            with (
                _client(timeout) as client,
                client.stream(
                    "POST", f"{base}/chat/completions", json=self.body, headers=self.endpoint.headers()
                ) as response,
            ):
                if response.status_code >= 400:
                    response.read()
                    if response.status_code in (401, 403):
                        raise ServerError(_auth_message(self.endpoint, response.status_code))
                    raise ServerError(
                        f"The server at {host_of(base)} answered HTTP {response.status_code}: "
                        f"{_error_detail(response)}"
                    )
                if isinstance(self.cancel, CancelToken):
                    unsubscribe = self.cancel.subscribe(_socket_closer(response))
                yield from self._deltas(response)
        except httpx.HTTPError as error:
            if not self.cancel.is_set():
                raise ServerError(_transport_message(error, base, self.read_timeout)) from error
        finally:
            unsubscribe()
        if self._in_field_reasoning:
            self._in_field_reasoning = False
            yield self.tags[1]
        if self.cancel.is_set():
            self.finish_reason = "cancelled"

    def _deltas(self, response: httpx.Response) -> Iterator[str]:
        for event in _sse_events(response.iter_lines()):
            if self.cancel.is_set():
                return
            if event == "[DONE]":
                return
            try:
                chunk = json.loads(event)
            except ValueError as error:
                raise ServerError(f"The server sent a chunk that is not JSON: {event[:80]!r}") from error
            if not isinstance(chunk, dict):
                continue
            if "error" in chunk:
                raise ServerError(f"The server stopped the turn: {_message_of(chunk['error'])}")
            # Sent with every chunk; should it change mid-stream, the last one is what finished the turn.
            fingerprint = chunk.get("system_fingerprint")
            if fingerprint:
                self.server_fingerprint = str(fingerprint)
            usage = chunk.get("usage")
            if isinstance(usage, dict) and "completion_tokens" in usage:
                self.completion_tokens = int(usage["completion_tokens"])
                self.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                self.usage_source = USAGE_SERVER
            for choice in chunk.get("choices") or ():
                text = self._text_of(choice.get("delta") or {})
                if text:
                    if self.usage_source == USAGE_APPROXIMATE:
                        self.completion_tokens += 1
                    yield text
                if choice.get("finish_reason"):
                    self.finish_reason = str(choice["finish_reason"])

    def _text_of(self, delta: dict[str, Any]) -> str:
        """Raw text for one delta: a separate reasoning field is wrapped in the family's tags."""
        thought = delta.get("reasoning_content") or delta.get("reasoning") or ""
        content = delta.get("content") or ""
        pieces = []
        if thought:
            if not self._in_field_reasoning:
                pieces.append(self.tags[0])
                self._in_field_reasoning = True
            pieces.append(str(thought))
        if content:
            if self._in_field_reasoning:
                pieces.append(self.tags[1])
                self._in_field_reasoning = False
            pieces.append(str(content))
        return "".join(pieces)


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


def _api_message(message: ChatMessage, image_url: Callable[[str], str]) -> dict[str, Any]:
    if not message.images:
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": image_url(sha)}} for sha in message.images
    ]
    parts.append({"type": "text", "text": message.content})
    return {"role": message.role, "content": parts}


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
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _error_detail(response: httpx.Response) -> str:
    try:
        return _message_of(response.json())
    except ValueError:
        return response.text[:200] or response.reason_phrase


def _message_of(payload: Any) -> str:
    if isinstance(payload, dict):
        for key in ("error", "detail", "message"):
            if key in payload:
                return _message_of(payload[key])
    if isinstance(payload, list) and payload:
        return _message_of(payload[0])
    return str(payload)[:300]
