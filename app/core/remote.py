"""A server that runs a model (vLLM, llama.cpp's server, Mistral's API): where it is, in words.

Plain values, no network: the window and the command line name a server with these, and the
remote backend (``app.runtime.remote_backend``) talks to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app.core.errors import ModelError

MISTRAL_API = "https://api.mistral.ai/v1"


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


def is_mistral_api(url: str) -> bool:
    """The address is Mistral's own API (``api.mistral.ai`` or another host under mistral.ai)."""
    try:
        host = urlsplit(normalise_url(url)).hostname or ""
    except ModelError:
        return False
    return host == "mistral.ai" or host.endswith(".mistral.ai")
