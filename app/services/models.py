"""The model library: the models the user has used or added, inspected and hashed once each.

Inspection results and hashes are cached in ``model-info.json`` in the data folder, keyed by
path, size, modification and change time and file ID, so listing the library spawns no
inspector for a file that has not changed (and ``utime`` cannot make a changed file look
unchanged). Files that fail inspection are not cached: a file being copied is retried.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.core.cancel import Cancelled, CancelToken
from app.core.errors import ModelError, VeritraceError
from app.core.hashing import sha256_file
from app.core.identity import file_identity
from app.core.models import ModelEntry, ModelInfo, family_for
from app.runtime.gguf_inspect import inspect_file
from app.runtime.model_files import demo_model_path
from app.services.config import AppConfig
from app.services.paths import data_dir
from app.storage.repository import Store

CACHE_NAME = "model-info.json"
Inspector = Callable[[Path], ModelInfo]


def known_models(
    config: AppConfig,
    *,
    store: Store | None = None,
    with_hash: bool = False,
    inspect: Inspector = inspect_file,
    cancel: CancelToken | None = None,
) -> list[ModelEntry]:
    """Every model of the library, the demo model first; a bad file's entry carries its message.

    ``cancel`` stops a long hash (``Cancelled``); nothing half-hashed is cached.
    """
    paths: list[tuple[Path, bool]] = []
    demo = demo_model_path()
    if demo is not None:
        paths.append((demo, True))
    for chosen in [*config.models, *([config.model_path] if config.model_path else [])]:
        paths.append((Path(chosen).expanduser(), False))
    seen: set[str] = set()
    entries = []
    for path, is_demo in paths:
        key = _absolute(path)
        if key in seen:
            continue
        seen.add(key)
        entries.append(
            model_entry(
                path, is_demo=is_demo, store=store, with_hash=with_hash, inspect=inspect, cancel=cancel
            )
        )
    return entries


def model_entry(
    path: Path,
    *,
    is_demo: bool = False,
    store: Store | None = None,
    with_hash: bool = False,
    inspect: Inspector = inspect_file,
    cancel: CancelToken | None = None,
) -> ModelEntry:
    """Inspect one file (cached) and, if asked, hash it; never raises for a bad file (but ``Cancelled``)."""
    try:
        info = describe(path, store=store, with_hash=with_hash, inspect=inspect, cancel=cancel)
    except Cancelled:
        raise
    except VeritraceError as error:
        return ModelEntry(path=str(path), error=str(error), is_demo=is_demo)
    return ModelEntry(path=info.path, info=info, is_demo=is_demo, family=family_for(info, is_demo=is_demo))


def describe(
    path: Path,
    *,
    store: Store | None = None,
    with_hash: bool = False,
    inspect: Inspector = inspect_file,
    cancel: CancelToken | None = None,
) -> ModelInfo:
    """The file's ModelInfo from the cache or a fresh inspection; raise ModelError if unusable."""
    key = _cache_key(path)
    cache = _read_cache()
    cached = cache.get(key) if key else None
    info = ModelInfo.from_json(cached) if isinstance(cached, dict) else inspect(path)
    if with_hash and info.sha256 is None:
        info = replace(info, sha256=_hash(Path(info.path), info.size, store, cancel))
    if key and cache.get(key) != info.to_json():
        cache[key] = info.to_json()
        _write_cache(cache)
    return info


def cached_info(path: Path) -> ModelInfo | None:
    """The file's ModelInfo if it was inspected since it last changed; never inspects."""
    key = _cache_key(path)
    cached = _read_cache().get(key) if key else None
    return ModelInfo.from_json(cached) if isinstance(cached, dict) else None


def add_model(config: AppConfig, path: Path, *, inspect: Inspector = inspect_file) -> AppConfig:
    """Remember ``path`` in the library once it inspects cleanly (ModelError otherwise)."""
    info = describe(path, inspect=inspect)
    if info.is_projector:
        raise ModelError(
            f"{path.name} is a vision projector, not a language model: open it with the model it "
            "belongs to (File ▸ Open vision projector…)."
        )
    if info.path in config.models:
        return config
    return replace(config, models=[*config.models, info.path])


def forget_model(config: AppConfig, path: str) -> AppConfig:
    """Drop ``path`` from the library (the file itself is not touched).

    The model in use stays listed while it is in use: the record names it on every turn.
    """
    target = _absolute(Path(path))
    return replace(config, models=[m for m in config.models if _absolute(Path(m)) != target])


def _hash(path: Path, size: int, store: Store | None, cancel: CancelToken | None = None) -> str:
    """The file's SHA-256, cached under its identity (``core.identity``): ``utime`` cannot fool it."""
    identity = file_identity(path)
    if store is not None:
        known = store.cached_model_hash(str(path), identity)
        if known is not None:
            return known
    digest = sha256_file(path, cancel)
    if store is not None and file_identity(path, tripwire=False).same_file(identity):
        store.remember_model_hash(str(path), identity, digest)
    return digest


def _absolute(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symbolic-link loop, before Python 3.13
        return str(path)


def _cache_key(path: Path) -> str | None:
    try:
        resolved = path.expanduser().resolve()
        stat = resolved.stat()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic-link loop, before Python 3.13
        return None
    # The change time too: utime can put a modification time back, not a change time.
    return f"{resolved}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_dev}|{stat.st_ino}|{stat.st_ctime_ns}"


def _cache_path() -> Path:
    return data_dir() / CACHE_NAME


def _read_cache() -> dict[str, Any]:
    try:
        data = json.loads(_cache_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # a lost cache costs one inspection per model, nothing else
    return data if isinstance(data, dict) else {}


def _write_cache(cache: dict[str, Any]) -> None:
    path = _cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".model-info-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(cache, stream, indent=1)
        os.replace(temporary, path)
    except OSError:
        return  # a cache that cannot be written is only slower
