"""Run one turn end to end: record the prompt, stream, save as it goes, record the outcome."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from app import __version__
from app.core import states
from app.core.cancel import CancelToken
from app.core.clock import os_user
from app.core.errors import ModelError, VeritraceError
from app.core.images import CheckedImage, ModelImage, model_copy
from app.core.models import ContextFit, estimate_tokens
from app.core.prompts import build_messages, title_from_prompt
from app.core.reasoning import ReasoningSplitter, count_reasoning_tokens
from app.core.signing import KeyPair
from app.core.tokens import OutputTokens
from app.core.types import ModelFile, PreparedPrompt, RunSettings, Turn, TurnStatus
from app.runtime.backend import Backend, Generation, LoadedModel, LoadOptions
from app.runtime.model_files import check_model_file
from app.services.early_start import HeldStart, commit_beside
from app.services.model_check import LoadCheck, OpenedFile, Role, State
from app.storage.repository import Store

SAVE_INTERVAL_S = 1.0
# Files this small are hashed before the load returns (well under a second, less than the
# load itself): every turn on them is "verified". Larger ones finish in the background.
HASH_INLINE_BYTES = 256 * 1024 * 1024
_log = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.25


class TurnSink(Protocol):
    """Receives a turn as it happens (the GUI worker turns these into signals).

    ``turn_started`` may come from another thread than the pieces (the one that committed the
    prompt), always before them.
    """

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
    load_seconds: float = 0.0  # inspecting and loading the files (their hash runs beside it)
    # A local load's files, hashed in full in the background and then watched (None: remote).
    check: LoadCheck | None = field(default=None, compare=False)

    def file_as_checked(self, role: Role) -> tuple[ModelFile | None, str | None]:
        """The model or projector file as a turn beginning now records it, and how its hash stands.

        'verified' (this load's full hash finished), 'cached' (the hash cached for exactly this
        file version, the full hash still running) or 'pending' (no hash known yet).
        """
        recorded = self.file if role is Role.MODEL else self.projector
        opened = self.check.file(role) if self.check else None
        if recorded is None or opened is None:
            return recorded, None
        if opened.state is State.DONE and not opened.mismatch:
            return replace(recorded, sha256=opened.sha256 or ""), "verified"
        return recorded, "cached" if recorded.sha256 else "pending"


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
        # Called from the hash thread when a load's files are hashed or change on disk (post
        # to this service's thread and call ``settle`` there), and with hashing progress.
        self.on_check: Callable[[], None] = lambda: None
        self.on_hash_progress: Callable[[int, int], None] = lambda done, total: None
        self._running: CancelToken | None = None  # the cancel of the turn generating now
        self._unsettled: list[tuple[int, dict[Role, str]]] = []  # turns the full hash settles
        self._hash_settled = False
        self._change_recorded = False
        self._load_detail: dict[str, object] = {}
        self.hash_inline_bytes = HASH_INLINE_BYTES

    def load_model(
        self,
        path: Path,
        settings: RunSettings,
        *,
        is_demo: bool = False,
        projector: Path | None = None,
        on_status: Callable[[str], None] = lambda _: None,
    ) -> ActiveModel:
        """Open and identify the files, start hashing them in full, and load them meanwhile.

        A turn may begin before the hash finishes: it records the hash cached for exactly this
        file version (or none), and ``settle`` records what the full hash found.
        """
        self.release_model()
        files = [self._open(Role.MODEL, path)]
        try:
            if projector is not None:
                files.append(self._open(Role.PROJECTOR, projector))
        except BaseException:
            files[0].handle.close()
            raise
        check = LoadCheck(files, on_event=self._on_check_event, on_progress=self._on_hash_progress)
        self._unsettled, self._hash_settled, self._change_recorded = [], False, False
        check.start()  # the hash reads the file while llama.cpp loads it: the pages are read once
        on_status(f"Loading {path.name}…")
        options = LoadOptions.from_params(settings.params)
        started = time.perf_counter()
        try:
            loaded = self.backend.load(
                files[0].path, options, is_demo=is_demo, projector=files[1].path if len(files) > 1 else None
            )
        except BaseException:
            check.close()
            if self.backend.loaded is None:
                self.model = None  # the old model was released before the new one failed
            raise
        load_seconds = time.perf_counter() - started
        if check.total_bytes <= self.hash_inline_bytes:
            check.wait()
        model_file = _as_hashed(files[0])
        projector_file = _as_hashed(files[1]) if len(files) > 1 else None
        assert model_file is not None
        runtime_info = dict(self.backend.runtime_info)
        self._load_detail = {
            "path": model_file.path,
            "size": model_file.size,
            "projector": projector_file.path if projector_file else None,
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
        }
        self.model = ActiveModel(
            loaded, model_file, options, projector_file, runtime_info, load_seconds, check
        )
        self.store.log_event(
            "model.loaded",
            {
                **self._load_detail,
                "sha256": model_file.sha256 or None,
                "projector_sha256": projector_file.sha256
                if projector_file and projector_file.sha256
                else None,
                # 'verified': hashed in full for this load; 'cached': the hash cached for
                # exactly this file version, being verified now; 'hashing': none cached yet.
                "hash": {opened.role.value: _hash_state(opened) for opened in files},
                "identity": {opened.role.value: _identity_detail(opened) for opened in files},
            },
        )
        problem = check.recheck()  # llama.cpp opened the paths itself: still the files opened?
        if problem:
            self.settle()
            self.release_model()
            self.backend.close()  # stop using it: a later load starts afresh
            self.model = None
            raise ModelError(problem)
        return self.model

    def _open(self, role: Role, path: Path) -> OpenedFile:
        check_model_file(path)
        try:
            return OpenedFile.open(role, path, self.store.cached_model_hash)
        except OSError as error:
            raise ModelError(f"{path.name} cannot be read: {error.strerror or error}") from error

    def release_model(self) -> None:
        """Record what the current load's check found, then stop hashing and watching it.

        The model itself stays with the backend (``use_backend``/``close`` free it).
        """
        model = self.model
        if model is None or model.check is None:
            return
        self.settle()
        model.check.close()
        self.settle()  # a hash cancelled by closing leaves its turns as they began

    def settle(self, wait: float | None = 0.0, *, sign: bool = True) -> None:
        """Record what the current load's full hash and watch found; sign if anything was.

        ``wait``: seconds to wait for the hash first (None: until it finishes). Call from this
        service's thread: after ``on_check``, before each turn, and before exiting.
        """
        model = self.model
        check = model.check if model else None
        if check is None:
            return
        if wait != 0.0:
            check.wait(wait)
        recorded = False  # something a turn's reader needs: sign it now, not at the next turn
        if check.hashed() and not self._hash_settled:
            self._hash_settled = True
            recorded = self._record_hashes(check)
            if model is not None:  # what the window shows from now on
                self.model = replace(
                    model,
                    file=_as_hashed(check.file(Role.MODEL)) or model.file,
                    projector=_as_hashed(check.file(Role.PROJECTOR)),
                )
        change = check.change()
        if change and not self._change_recorded:
            self._change_recorded = True
            self.store.log_event(
                "model.changed",
                {"message": change, "identity": {o.role.value: _identity_detail(o) for o in check.files}},
            )
            recorded = True
        if recorded and sign:
            self._sign("the model's hash")

    def _record_hashes(self, check: LoadCheck) -> bool:
        """Record what the full hash found; True if it settled turns or found a mismatch."""
        rows: list[tuple[int, str, str, str, str | None]] = []
        for opened in check.files:
            turns = [
                (turn_id, roles[opened.role]) for turn_id, roles in self._unsettled if opened.role in roles
            ]
            if opened.state is State.DONE:
                result = "mismatch" if opened.mismatch else "verified"
                sha256 = opened.sha256 or ""
            elif opened.state is State.FAILED:
                result, sha256 = "unverifiable", ""
            else:
                continue  # cancelled: its turns keep the hash they began with
            rows.extend(
                (turn_id, opened.role.value, result, sha256, expected or None) for turn_id, expected in turns
            )
            detail = {
                **self._load_detail,
                "role": opened.role.value,
                "path": str(opened.path),
                "size": opened.identity.size,
                "turns": [turn_id for turn_id, _ in turns],
                "seconds": round(opened.seconds, 3),
            }
            if opened.state is State.FAILED:
                self.store.log_event("model.unverifiable", {**detail, "reason": opened.failure})
                continue
            if opened.cached != sha256:  # cache it (a newer row wins); the event says it was checked
                self.store.remember_model_hash(str(opened.path), opened.identity, sha256)
            if opened.mismatch:
                self.store.log_event(
                    "model.hash_mismatch", {**detail, "cached_sha256": opened.cached, "sha256": sha256}
                )
            else:
                self.store.log_event(
                    "model.verified", {**detail, "sha256": sha256, "matched_cache": opened.cached is not None}
                )
        self.store.record_model_checks(rows)
        self._unsettled.clear()
        return bool(rows) or any(opened.mismatch or opened.state is State.FAILED for opened in check.files)

    def _on_check_event(self) -> None:
        """From the hash thread: a file is hashed or changed. Stop a turn it makes untrustworthy."""
        model = self.model
        running = self._running
        if model is not None and model.check is not None and running is not None and model.check.problem():
            running.set()
        self.on_check()

    def _on_hash_progress(self, done: int, total: int) -> None:
        self.on_hash_progress(done, total)

    # -- remote servers --------------------------------------------------------------

    def use_backend(self, backend: Backend) -> None:
        """Run later turns on ``backend``; the one in use before is released."""
        if backend is not self.backend:
            self.release_model()
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

    def context_fit(
        self, conversation_id: int | None, prompt: str, settings: RunSettings, images: int = 0
    ) -> ContextFit | None:
        """How the next turn's prompt (``prompt`` and ``images`` more images) measures against the
        context window; None with no model, or a window of unknown size (a server that does not say).

        The prompt is built as a turn builds it and counted by the backend's own tokenizer: the
        number the turn will evaluate, images apart. A server's model is estimated (and says so).
        Call it on the thread that owns the model.
        """
        model = self.model
        if model is None or model.loaded.n_ctx <= 0:
            return None
        history = self.store.conversation(conversation_id).turns if conversation_id is not None else ()
        messages = build_messages(
            settings.system_prompt,
            history,
            prompt,
            with_reasoning=settings.resend_reasoning and model.loaded.is_remote,
        )
        seen = sum(1 for turn in history for image in turn.images if image.sent_sha256)
        uncounted = images + seen if model.loaded.has_vision else 0
        max_tokens, n_ctx = settings.params.max_tokens, model.loaded.n_ctx
        counted = self.backend.count_tokens(messages, settings)
        if counted is None:
            used = self.store.context_used(conversation_id) if conversation_id is not None else 0
            return ContextFit(used + estimate_tokens(prompt), max_tokens, n_ctx, True, uncounted)
        return ContextFit(counted, max_tokens, n_ctx, False, uncounted)

    def run_turn(
        self,
        conversation_id: int | None,
        prompt: str,
        settings: RunSettings,
        sink: TurnSink,
        cancel: CancelToken,
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
        messages = build_messages(
            settings.system_prompt,
            history,
            prompt,
            sent_now,
            with_images=sees,
            # Only a server is sent reasoning: a local template would read the tags as plain text.
            with_reasoning=settings.resend_reasoning and model.loaded.is_remote,
        )
        prepared = self.backend.prepare(messages, settings, image_data)
        model_file, model_check = model.file_as_checked(Role.MODEL)
        projector_file, projector_check = model.file_as_checked(Role.PROJECTOR)
        assert model_file is not None
        # A server's context is its own (n_ctx 0).
        overflow = bool(model.loaded.n_ctx) and prepared.token_count >= model.loaded.n_ctx
        check = model.check
        early: HeldStart | None = None

        def begin() -> Turn:
            began = self._begin_turn(
                conversation_id,
                prompt,
                settings,
                prepared,
                model,
                (model_file, model_check),
                (projector_file, projector_check),
                attached,
            )
            # Said at once, so a window can show the turn while its prompt is evaluated; always
            # before any of its output, which is read only once this has returned.
            sink.turn_started(began)
            return began

        if overflow or model.loaded.is_remote or (check is not None and check.problem()):
            # Nothing is sent off the machine before the commit: a server's turn starts after it.
            turn = begin()
        else:
            # The prefill runs while the prompt is committed; its output waits for the commit.
            self._running = cancel
            committed = commit_beside(begin, on_failure=cancel.set)
            early = HeldStart(self.backend.generate(prepared, settings, cancel))
            early.compute_first()
            try:
                turn = committed.result()
            except BaseException:
                early.abandon()
                self._running = None
                raise
        pending = {
            role: recorded.sha256
            for role, recorded, check in (
                (Role.MODEL, model_file, model_check),
                (Role.PROJECTOR, projector_file, projector_check),
            )
            if recorded is not None and check in ("cached", "pending")
        }
        if pending:
            self._unsettled.append((turn.id, pending))
        if overflow:
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
            self._running = cancel
            try:
                if early is None and check is not None and check.problem():  # changed since the check
                    cancel.set()
                _Stream(self, turn, prepared.starts_in_reasoning, sink).run(
                    early if early is not None else self.backend.generate(prepared, settings, cancel),
                    cancel,
                    stopped_by=check.problem if check is not None else None,
                    started=early.started if early is not None else None,
                )
            finally:
                self._running = None
        self.settle(sign=False)  # the checkpoint after the turn covers it
        self._sign(f"turn {turn.id}")
        return self.store.turn(turn.id)

    def _begin_turn(
        self,
        conversation_id: int | None,
        prompt: str,
        settings: RunSettings,
        prepared: PreparedPrompt,
        model: ActiveModel,
        model_file: tuple[ModelFile | None, str | None],
        projector_file: tuple[ModelFile | None, str | None],
        attached: Sequence[tuple[CheckedImage, ModelImage | None]],
    ) -> Turn:
        """Commit the turn's prompt, settings, model and images: durable before any output."""
        (recorded_model, model_check), (recorded_projector, projector_check) = model_file, projector_file
        assert recorded_model is not None
        return self.store.begin_turn(
            conversation_id,
            prompt,
            settings,
            prepared,
            recorded_model,
            self.backend.runtime_version,
            __version__,
            self.user,
            title=title_from_prompt(prompt or "Image"),
            images=attached,
            projector=recorded_projector,
            endpoint=model.loaded.endpoint,
            remote_model=model.loaded.name if model.loaded.is_remote else None,
            model_check=model_check,
            projector_check=projector_check,
            runtime=None if model.loaded.is_remote else model.runtime_info,
        )

    def _sign(self, what: str) -> None:
        if self.signer is None:
            return
        try:
            self.store.checkpoint(self.signer, what)
        except VeritraceError:  # recorded; a head left unsigned is signed by the next checkpoint
            _log.warning("the head after %s could not be signed", what, exc_info=True)

    def recover(self) -> list[int]:
        """Mark turns a dead process left running as interrupted; call at start-up."""
        return self.store.mark_interrupted()

    def _require_model(self, settings: RunSettings) -> ActiveModel:
        if self.model is None:
            raise VeritraceError("No model is loaded yet.")
        self.settle()
        check = self.model.check
        if check is not None:
            problem = check.recheck()  # not only at the next watch: the file as it is now
            if problem:
                self.settle()
                raise ModelError(problem)
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
        self.starts_in_reasoning = starts_in_reasoning
        self.raw: list[str] = []
        self.reasoning: list[str] = []
        self.answer: list[str] = []
        self.seq = 0
        # (tokens, text): the ids sampled since the last delta produced this delta together.
        self.pieces: list[tuple[int, str]] = []
        self.counted = 0

    def run(
        self,
        generation: Generation,
        cancel: CancelToken,
        stopped_by: Callable[[], str] | None = None,
        started: float | None = None,
    ) -> None:
        """``stopped_by``: why the service stopped the turn itself (the model file changed), if it did.

        ``started``: when the generation began, if before now (``time.monotonic()``).
        """
        store = self.service.store
        started = time.monotonic() if started is None else started
        first_token: float | None = None
        last_save = last_progress = started
        try:
            for delta in generation:
                now = time.monotonic()
                if first_token is None:
                    first_token = now
                self._take(delta)
                self._count(generation, delta)
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
                # A server's error says how the turn ended ("stream_dropped": cut off mid-turn).
                finish_reason=getattr(error, "finish_reason", "error"),
                error=f"{type(error).__name__}: {error}",
                completion_tokens=generation.completion_tokens,
                output=self._output(generation),
                **_server_report(generation),
            )
            return
        self._take_flush()
        self._save()
        ended = time.monotonic()
        count = generation.completion_tokens
        reason = generation.finish_reason
        status = TurnStatus.CANCELLED if reason == "cancelled" or cancel.is_set() else TurnStatus.COMPLETED
        stopped = stopped_by() if stopped_by is not None and status is TurnStatus.CANCELLED else ""
        if stopped:
            reason = "model_changed"
        elif status is TurnStatus.CANCELLED and cancel.reason == states.WINDOW_CLOSED:
            reason = states.WINDOW_CLOSED  # not the reviewer's Stop: the window closed under the turn
        store.finish_turn(
            self.turn.id,
            TurnStatus.FAILED if stopped else status,
            finish_reason=reason,
            error=stopped or None,
            completion_tokens=count,
            tokens_per_second=_rate(count, first_token, ended) if first_token else None,
            time_to_first_token_ms=(first_token - started) * 1000 if first_token else None,
            output=self._output(generation),
            **_server_report(generation),
        )

    def _count(self, generation: Generation, delta: str) -> None:
        ids = generation.token_ids
        if ids is not None:
            self.pieces.append((len(ids) - self.counted, delta))
            self.counted = len(ids)

    def _output(self, generation: Generation) -> OutputTokens | None:
        """The ids sampled and how many were reasoning: each counts on the side its text landed."""
        ids = generation.token_ids
        if ids is None:
            return None
        pieces = [*self.pieces, (len(ids) - self.counted, "")]  # any that produced no text
        reasoning = count_reasoning_tokens(pieces, start_in_reasoning=self.starts_in_reasoning)
        return OutputTokens(tuple(ids), reasoning, len(ids) - reasoning)

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


def _server_report(generation: Generation) -> dict[str, Any]:
    """What a remote generation reports for the record (nothing, for a local one).

    The server's token counts (or that its own are approximate), its fingerprint, and what it
    said of its answer: the response's id and model, its usage object, unknown output parts.
    """
    return {
        "prompt_tokens": getattr(generation, "prompt_tokens", None),
        "usage_source": getattr(generation, "usage_source", None),
        "server_fingerprint": getattr(generation, "server_fingerprint", None),
        "response": getattr(generation, "server_response", None),
    }


def _rate(count: int, first: float | None, now: float) -> float:
    """Decode speed after the first token (prefill excluded)."""
    if first is None or count < 2 or now <= first:
        return 0.0
    return (count - 1) / (now - first)


def _as_hashed(opened: OpenedFile | None) -> ModelFile | None:
    """The file with its full hash if that is done, else the cached one, or none."""
    if opened is None:
        return None
    # Once hashed, the file's own hash: a cached one that disagrees is never named as the file's.
    sha256 = opened.sha256 if opened.state is State.DONE else opened.cached
    return ModelFile(str(opened.path), opened.identity.size, sha256 or "")


def _hash_state(opened: OpenedFile) -> str:
    if opened.state is State.DONE:
        return "mismatch" if opened.mismatch else "verified"
    return "cached" if opened.cached else "hashing"


def _identity_detail(opened: OpenedFile) -> dict[str, object]:
    identity = opened.identity
    return {
        "device": identity.device,
        "inode": identity.inode,
        "size": identity.size,
        "mtime_ns": identity.mtime_ns,
        "ctime_ns": identity.ctime_ns,
        "tripwire_sha256": identity.tripwire,
    }


def describe_model(model: ActiveModel) -> str:
    name = model.loaded.name
    return f"{name} (demo model)" if model.loaded.is_demo else name
