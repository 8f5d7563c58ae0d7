"""Run one turn end to end: record the prompt, stream, save as it goes, record the outcome."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from app import __version__
from app.core.clock import os_user
from app.core.errors import VeritraceError
from app.core.hashing import sha256_file
from app.core.images import CheckedImage, model_copy
from app.core.prompts import build_messages, title_from_prompt
from app.core.reasoning import ReasoningSplitter
from app.core.signing import KeyPair
from app.core.types import ModelFile, RunSettings, Turn, TurnStatus
from app.runtime.backend import Backend, Generation, LoadedModel, LoadOptions
from app.runtime.model_files import check_model_file
from app.storage.repository import Store

SAVE_INTERVAL_S = 1.0
_log = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.25


class TurnSink(Protocol):
    """Receives a turn as it happens (the GUI worker turns these into signals)."""

    def turn_started(self, turn: Turn) -> None: ...

    def reasoning(self, text: str) -> None: ...

    def answer(self, text: str) -> None: ...

    def progress(self, completion_tokens: int, tokens_per_second: float) -> None: ...


class SilentSink:
    """A ``TurnSink`` that shows nothing: for callers that judge the turn by what was recorded."""

    def turn_started(self, turn: Turn) -> None:
        pass

    def reasoning(self, text: str) -> None:
        pass

    def answer(self, text: str) -> None:
        pass

    def progress(self, completion_tokens: int, tokens_per_second: float) -> None:
        pass


@dataclass(frozen=True)
class ActiveModel:
    loaded: LoadedModel
    file: ModelFile
    options: LoadOptions
    projector: ModelFile | None = None
    runtime_info: Mapping[str, object] = field(default_factory=dict)  # what llama.cpp reports
    load_seconds: float = 0.0  # inspecting and loading the files, after hashing them


class ChatService:
    """Owns a backend and writes every turn to the store. Use from one thread."""

    def __init__(
        self,
        store: Store,
        backend: Backend,
        *,
        save_interval: float = SAVE_INTERVAL_S,
        user: str | None = None,
        signer: KeyPair | None = None,
    ) -> None:
        self.store = store
        self.backend = backend
        self.save_interval = save_interval
        self.user = user or os_user()
        self.model: ActiveModel | None = None
        # Signs the head after every turn, so its witness (kept outside the record) covers it.
        self.signer = signer

    def load_model(
        self,
        path: Path,
        settings: RunSettings,
        *,
        is_demo: bool = False,
        projector: Path | None = None,
        on_status: Callable[[str], None] = lambda _: None,
    ) -> ActiveModel:
        """Hash the files (cached by path, size and mtime), then load them."""
        model_file = self._identify(path, on_status)
        projector_file = self._identify(projector, on_status) if projector is not None else None
        on_status(f"Loading {path.name}…")
        options = LoadOptions.from_params(settings.params)
        started = time.perf_counter()
        try:
            loaded = self.backend.load(
                Path(model_file.path),
                options,
                is_demo=is_demo,
                projector=Path(projector_file.path) if projector_file else None,
            )
        except BaseException:
            if self.backend.loaded is None:
                self.model = None  # the old model was released before the new one failed
            raise
        load_seconds = time.perf_counter() - started
        runtime_info = dict(self.backend.runtime_info)
        self.model = ActiveModel(loaded, model_file, options, projector_file, runtime_info, load_seconds)
        self.store.log_event(
            "model.loaded",
            {
                "path": model_file.path,
                "sha256": model_file.sha256,
                "size": model_file.size,
                "projector": projector_file.path if projector_file else None,
                "projector_sha256": projector_file.sha256 if projector_file else None,
                "n_ctx": options.n_ctx,
                # What the file says it is (GGUF metadata): reports name the model by these.
                "architecture": loaded.architecture,
                "quantization": loaded.quantization,
                "parameters": loaded.parameter_count,
                "trained_context": loaded.context_length,
                "runtime": self.backend.runtime_version,
                # What llama.cpp reports: CPU features, GPU offload, layers offloaded, threads.
                "backend": runtime_info,
                "load_seconds": round(load_seconds, 3),
            },
        )
        return self.model

    # -- remote servers --------------------------------------------------------------

    def use_backend(self, backend: Backend) -> None:
        """Run later turns on ``backend``; the one in use before is released."""
        if backend is not self.backend:
            self.backend.close()
            self.backend = backend
            self.model = None

    def connect_remote(
        self, remote: Backend, settings: RunSettings, on_status: Callable[[str], None] = lambda _: None
    ) -> ActiveModel:
        """Check the server and the model id, then run later turns there.

        The local model stays loaded if the server cannot be used.
        """
        on_status("Connecting to the server…")
        options = LoadOptions.from_params(settings.params)
        loaded = remote.load(Path(), options)
        assert loaded.endpoint is not None, "a remote backend names its endpoint"
        self.use_backend(remote)
        self.model = ActiveModel(loaded, ModelFile.remote(loaded.endpoint, loaded.name), options)
        self.store.log_event(
            "model.loaded",
            {
                "backend": "remote",
                "endpoint": loaded.endpoint,
                "model": loaded.name,
                "runtime": remote.runtime_version,
            },
        )
        return self.model

    def _identify(self, path: Path, on_status: Callable[[str], None]) -> ModelFile:
        size = check_model_file(path)
        resolved = path.resolve()
        mtime_ns = resolved.stat().st_mtime_ns
        sha256 = self.store.cached_model_hash(str(resolved), size, mtime_ns)
        if sha256 is None:
            on_status(f"Hashing {path.name} ({size / 1e9:.1f} GB)…")
            sha256 = sha256_file(resolved)
            self.store.remember_model_hash(str(resolved), size, mtime_ns, sha256)
        return ModelFile(str(resolved), size, sha256)

    def run_turn(
        self,
        conversation_id: int | None,
        prompt: str,
        settings: RunSettings,
        sink: TurnSink,
        cancel: threading.Event,
        images: Sequence[CheckedImage] = (),
    ) -> Turn:
        """Run a turn and return it as recorded. Known failures are recorded, not raised.

        Images are always recorded; they are sent only if the model has a vision projector
        (the record says which).
        """
        model = self._require_model(settings)
        history = self.store.conversation(conversation_id).turns if conversation_id is not None else ()
        sees = model.loaded.has_vision
        attached = [(image, model_copy(image) if sees else None) for image in images]
        image_data = {sent.sha256: sent.data for _, sent in attached if sent is not None}
        if sees:
            for turn in history:
                for earlier in turn.images:
                    if earlier.sent_sha256:
                        image_data[earlier.sent_sha256] = self.store.image_data(earlier.sent_sha256)
        if settings.params.seed is None:
            # A random seed is still a recorded seed: the run can be replayed.
            settings = replace(
                settings, params=settings.params.with_seed(random.SystemRandom().randrange(2**31))
            )
        sent_now = tuple(sent.sha256 for _, sent in attached if sent is not None)
        messages = build_messages(settings.system_prompt, history, prompt, sent_now, with_images=sees)
        prepared = self.backend.prepare(messages, settings, image_data)
        turn = self.store.begin_turn(
            conversation_id,
            prompt,
            settings,
            prepared,
            model.file,
            self.backend.runtime_version,
            __version__,
            self.user,
            title=title_from_prompt(prompt or "Image"),
            images=attached,
            projector=model.projector,
            endpoint=model.loaded.endpoint,
            remote_model=model.loaded.name if model.loaded.is_remote else None,
        )
        sink.turn_started(turn)
        if model.loaded.n_ctx and prepared.token_count >= model.loaded.n_ctx:  # 0: a server's own
            self.store.finish_turn(
                turn.id,
                TurnStatus.FAILED,
                finish_reason="context_overflow",
                error=(
                    f"The conversation is {prepared.token_count} tokens but the context window is "
                    f"{model.loaded.n_ctx} tokens. Start a new conversation or raise the context size."
                ),
            )
        else:
            _Stream(self, turn, prepared.starts_in_reasoning, sink).run(
                self.backend.generate(prepared, settings, cancel), cancel
            )
        self._sign(turn.id)
        return self.store.turn(turn.id)

    def _sign(self, turn_id: int) -> None:
        if self.signer is None:
            return
        try:
            self.store.checkpoint(self.signer, f"turn {turn_id}")
        except VeritraceError:  # the turn is recorded; a head left unsigned is signed by the next one
            _log.warning("the head after turn %d could not be signed", turn_id, exc_info=True)

    def recover(self) -> list[int]:
        """Mark turns a dead process left running as interrupted; call at start-up."""
        return self.store.mark_interrupted()

    def _require_model(self, settings: RunSettings) -> ActiveModel:
        if self.model is None:
            raise VeritraceError("No model is loaded yet.")
        wanted = LoadOptions.from_params(settings.params)
        if wanted != self.model.options and not self.model.loaded.is_remote:
            # Context size, threads and GPU layers are fixed at load time.
            projector = Path(self.model.projector.path) if self.model.projector else None
            self.load_model(
                Path(self.model.file.path), settings, is_demo=self.model.loaded.is_demo, projector=projector
            )
        assert self.model is not None
        return self.model


class _Stream:
    """Feed a generation through the splitter to the sink, saving at least every interval."""

    def __init__(self, service: ChatService, turn: Turn, starts_in_reasoning: bool, sink: TurnSink) -> None:
        self.service = service
        self.turn = turn
        self.sink = sink
        self.splitter = ReasoningSplitter(start_in_reasoning=starts_in_reasoning)
        self.raw: list[str] = []
        self.reasoning: list[str] = []
        self.answer: list[str] = []
        self.seq = 0

    def run(self, generation: Generation, cancel: threading.Event) -> None:
        store = self.service.store
        started = time.monotonic()
        first_token: float | None = None
        last_save = last_progress = started
        try:
            for delta in generation:
                now = time.monotonic()
                if first_token is None:
                    first_token = now
                self._take(delta)
                if now - last_progress >= PROGRESS_INTERVAL_S:
                    last_progress = now
                    count = generation.completion_tokens
                    self.sink.progress(count, _rate(count, first_token, now))
                if now - last_save >= self.service.save_interval:
                    last_save = now
                    self._save()
        except VeritraceError:
            self._save()
            raise
        except Exception as error:  # the runtime failed mid-turn: keep what we have, record why
            self._take_flush()
            self._save()
            store.finish_turn(
                self.turn.id,
                TurnStatus.FAILED,
                finish_reason="error",
                error=f"{type(error).__name__}: {error}",
                completion_tokens=generation.completion_tokens,
            )
            return
        self._take_flush()
        self._save()
        ended = time.monotonic()
        count = generation.completion_tokens
        reason = generation.finish_reason
        status = TurnStatus.CANCELLED if reason == "cancelled" or cancel.is_set() else TurnStatus.COMPLETED
        store.finish_turn(
            self.turn.id,
            status,
            finish_reason=reason,
            completion_tokens=count,
            tokens_per_second=_rate(count, first_token, ended) if first_token else None,
            time_to_first_token_ms=(first_token - started) * 1000 if first_token else None,
            # A remote generation reports the server's counts, or that its own are approximate.
            prompt_tokens=getattr(generation, "prompt_tokens", None),
            usage_source=getattr(generation, "usage_source", None),
        )

    def _take(self, delta: str) -> None:
        split = self.splitter.feed(delta)
        self.raw.append(delta)
        if split.reasoning:
            self.reasoning.append(split.reasoning)
            self.sink.reasoning(split.reasoning)
        if split.answer:
            self.answer.append(split.answer)
            self.sink.answer(split.answer)

    def _take_flush(self) -> None:
        split = self.splitter.flush()
        if split.reasoning:
            self.reasoning.append(split.reasoning)
            self.sink.reasoning(split.reasoning)
        if split.answer:
            self.answer.append(split.answer)
            self.sink.answer(split.answer)

    def _save(self) -> None:
        if not (self.raw or self.reasoning or self.answer):
            return
        raw, reasoning, answer = "".join(self.raw), "".join(self.reasoning), "".join(self.answer)
        self.service.store.append_output(self.turn.id, self.seq, raw, reasoning, answer)
        # Cleared only after the commit: a failed save keeps the text for the next attempt.
        self.raw.clear()
        self.reasoning.clear()
        self.answer.clear()
        self.seq += 1


def _rate(count: int, first: float | None, now: float) -> float:
    """Decode speed after the first token (prefill excluded)."""
    if first is None or count < 2 or now <= first:
        return 0.0
    return (count - 1) / (now - first)


def describe_model(model: ActiveModel) -> str:
    name = model.loaded.name
    return f"{name} (demo model)" if model.loaded.is_demo else name
