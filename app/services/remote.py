"""Remote servers: the endpoint in the settings file, its API key in the OS keyring only.

The key is never written to the settings file, the log or the record. Where the system has
no keyring (a headless Linux session without Secret Service, for instance), the key is kept
in memory for this session only, and the caller is told so in plain words.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from app.core.presets import MAGISTRAL_SYSTEM_PROMPT, preset
from app.core.remote import RemoteEndpoint, is_mistral_api, normalise_url
from app.core.types import RunSettings
from app.runtime.remote_backend import Dialect, RemoteBackend, list_models
from app.services.config import AppConfig

KEYRING_SERVICE = "veritrace"
NO_KEYRING = (
    "This system has no keyring to keep the API key in, so it is kept for this session only: "
    "you will be asked for it again next time."
)

_log = logging.getLogger(__name__)
_session_keys: dict[str, str] = {}  # endpoint -> key, only where no keyring exists


@dataclass(frozen=True)
class KeyStored:
    """Where a key went: ``in_keyring`` False means this session only (``message`` says so)."""

    in_keyring: bool
    message: str = ""


def _keyring() -> Any:
    """The keyring package, imported when a key is first needed: choosing its backend is slow."""
    import keyring
    import keyring.errors

    return keyring


def keyring_available() -> bool:
    from keyring.backends import fail

    return not isinstance(_keyring().get_keyring(), fail.Keyring)


def save_api_key(endpoint: str, key: str) -> KeyStored:
    """Keep ``key`` for ``endpoint`` (an API base); an empty key forgets it."""
    endpoint = normalise_url(endpoint)
    if not key:
        forget_api_key(endpoint)
        return KeyStored(in_keyring=keyring_available())
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, endpoint, key)
    except keyring.errors.KeyringError as error:
        # The error's text never contains the key; the key itself is not logged.
        _log.warning("no keyring for the API key of %s: %s", endpoint, type(error).__name__)
        _session_keys[endpoint] = key
        return KeyStored(in_keyring=False, message=NO_KEYRING)
    _session_keys.pop(endpoint, None)
    return KeyStored(in_keyring=True)


def api_key(endpoint: str) -> str:
    """The key kept for ``endpoint``, or "" (a server that needs none)."""
    endpoint = normalise_url(endpoint)
    if endpoint in _session_keys:
        return _session_keys[endpoint]
    keyring = _keyring()
    try:
        return keyring.get_password(KEYRING_SERVICE, endpoint) or ""
    except keyring.errors.KeyringError:
        return ""


def forget_api_key(endpoint: str) -> None:
    endpoint = normalise_url(endpoint)
    _session_keys.pop(endpoint, None)
    keyring = _keyring()
    with contextlib.suppress(keyring.errors.KeyringError):  # nothing stored, or no keyring at all
        keyring.delete_password(KEYRING_SERVICE, endpoint)


def configured_endpoint(config: AppConfig) -> RemoteEndpoint | None:
    """The server chosen in the settings, with its key from the keyring; None if none is chosen."""
    if not (config.use_remote and config.remote_url and config.remote_model):
        return None
    return RemoteEndpoint(config.remote_url, config.remote_model, api_key(config.remote_url))


def with_remote(config: AppConfig, endpoint: RemoteEndpoint | None) -> AppConfig:
    """Remember (or, with None, stop using) a server; the key is not part of the settings."""
    if endpoint is None:
        return replace(config, use_remote=False)
    return replace(config, remote_url=endpoint.base, remote_model=endpoint.model, use_remote=True)


# -- Mistral's own API ------------------------------------------------------------------

# Magistral Small 1.2 and Magistral Medium 1.2 as Mistral's API names them; a server's own
# listing adds whatever else it offers under the name.
MAGISTRAL_MODELS = ("magistral-small-2509", "magistral-medium-2509")


def magistral_models(listed: Iterable[str] = ()) -> list[str]:
    """The Magistral models to offer on Mistral's API: the 2509 releases, then any other listed."""
    extra = sorted({name for name in listed if name.lower().startswith("magistral")} - set(MAGISTRAL_MODELS))
    return [*MAGISTRAL_MODELS, *extra]


def is_magistral_on_mistral(url: str, model: str) -> bool:
    """The address is Mistral's API and the model a Magistral one (what to offer, before connecting)."""
    return is_mistral_api(url) and model.strip().lower().startswith("magistral")


def remote_settings(
    remote: RemoteBackend, settings: RunSettings, *, prompt_mode: bool | None = None
) -> RunSettings:
    """The settings turns on a connected server run with: Magistral's preset for Magistral on Mistral's API.

    Mistral's API is recognised as the server answered (``Dialect.MISTRAL``: its address, or its
    model listing owned by "mistralai"). Settings already on the Magistral preset are kept as the
    user left them; any other preset gives way to Magistral's (sampling as its model card says).

    ``prompt_mode`` True asks the API for its own reasoning system prompt (``prompt_mode:
    "reasoning"``) instead of sending Magistral's; a system prompt of the user's own is still
    sent (Mistral lets it take precedence). False declines the API's prompt (``prompt_mode:
    null``) and sends Magistral's system prompt, as text and thinking chunks. None keeps what the
    settings chose, and asks for the API's prompt where they chose nothing. Anywhere else the
    settings are returned as they are, without a ``prompt_mode``.
    """
    if remote.dialect != Dialect.MISTRAL or not remote.endpoint.model.lower().startswith("magistral"):
        # prompt_mode belongs to Magistral on Mistral's API: no other model is sent it.
        return replace(settings, prompt_mode="") if settings.prompt_mode else settings
    base = settings
    if settings.preset != "magistral":
        base = replace(preset("magistral"), resend_reasoning=settings.resend_reasoning)
    ask = base.prompt_mode != "none" if prompt_mode is None else prompt_mode
    if ask:
        own = "" if base.system_prompt == MAGISTRAL_SYSTEM_PROMPT else base.system_prompt
        return replace(base, prompt_mode="reasoning", system_prompt=own)
    return replace(base, prompt_mode="none", system_prompt=base.system_prompt or MAGISTRAL_SYSTEM_PROMPT)


def server_models(endpoint: RemoteEndpoint) -> list[str]:
    """The model ids the server offers (Magistral's first on Mistral's API); ModelError in words."""
    ids = [model.id for model in list_models(endpoint)]
    if is_magistral_on_mistral(endpoint.url, "magistral"):
        ids = magistral_models(ids)  # Mistral lists dozens: its Magistral ones are offered
    return ids


def check_server(endpoint: RemoteEndpoint) -> str:
    """Check the address, the key and the model id as choosing the server will; the model's name."""
    return RemoteBackend(endpoint).load().name
