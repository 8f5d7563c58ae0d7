"""Run a recorded turn again from its recorded ids and compare what the model samples.

The model file is found by the path the turn recorded (or one named now) and accepted only
if its SHA-256 is the recorded one, hashed in full from the same open handle that llama.cpp
loads, and watched until the run ends (``model_check``). The same projector, template,
sampling parameters, seed, context size, threads and batch size are used, unless a
difference is asked for; every difference from the recording is named in the result. The
recorded prompt ids (and image copies) are evaluated as they are, nothing rendered again, and
the output ids are compared one by one. Every attempt, refused ones too, is recorded in the
ledger as a ``turn.reproduced`` event naming the turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.clock import utc_now
from app.core.errors import ModelError, VeritraceError
from app.core.reproduction import EVENT, Outcome, Reproduction
from app.core.tokens import TokenIdsError
from app.core.types import PreparedPrompt, RunSettings, TemplateChoice, Turn, TurnStatus
from app.runtime.backend import LoadOptions
from app.runtime.llama_backend import LlamaBackend
from app.runtime.model_files import check_model_file
from app.services.model_check import LoadCheck, OpenedFile, Role, State
from app.storage.repository import Store


@dataclass(frozen=True)
class Overrides:
    """What to run differently from the recording (each is reported as a change)."""

    model: Path | None = None  # the same file (by hash) found somewhere else
    projector: Path | None = None
    threads: int | None = None
    batch: int | None = None
    run_again: bool = False  # a server's turn: send its recorded request again and compare the text


def reproductions(store: Store, turn_ids: set[int] | None = None) -> dict[int, list[Reproduction]]:
    """Every recorded reproduction, by the turn it reproduced, oldest first."""
    found: dict[int, list[Reproduction]] = {}
    for _, _, detail in store.events_of((EVENT,)):
        try:
            reproduction = Reproduction.from_json(detail)
        except (KeyError, TypeError, ValueError):
            continue  # an event this version cannot read stays in the record, unshown
        if turn_ids is None or reproduction.turn_id in turn_ids:
            found.setdefault(reproduction.turn_id, []).append(reproduction)
    return found


def reproduce(
    store: Store,
    turn_id: int,
    overrides: Overrides | None = None,
    *,
    cancel: CancelToken | None = None,
    on_status: Callable[[str], None] = lambda text: None,
    backend_factory: Callable[[], LlamaBackend] = LlamaBackend,
) -> Reproduction:
    """Run turn ``turn_id`` again and record the result.

    A model file that cannot be used or is not the recorded one is a result too (``REFUSED``,
    recorded with what was found). ``CannotReproduce`` when the record itself does not allow an
    exact run (no token ids, never hashed, still running; a server's turn not asked to run
    again): then nothing is run or recorded. A file named in ``overrides`` that cannot be read is
    the caller's error, raised as it is.
    """
    turn = store.turn(turn_id)
    replay = _Replay(
        store, turn, overrides or Overrides(), cancel or CancelToken(), on_status, backend_factory
    )
    replay.check_named_files()
    replay.check_record()
    result = replay.run()
    store.log_event(EVENT, result.to_json())
    return result


class CannotReproduce(VeritraceError):
    """The record does not allow the turn to be run again exactly; nothing was run or recorded."""


class _Refused(Exception):
    def __init__(self, summary: str, found_sha256: str | None = None, *, stopped: bool = False) -> None:
        super().__init__(summary)
        self.summary = summary
        self.found_sha256 = found_sha256
        self.stopped = stopped


@dataclass
class _Replay:
    store: Store
    turn: Turn
    overrides: Overrides
    cancel: CancelToken
    on_status: Callable[[str], None]
    backend_factory: Callable[[], LlamaBackend]
    found_sha256: str | None = None
    images: list[bytes] = field(default_factory=list)

    def run(self) -> Reproduction:
        turn = self.turn
        model_path = str(self.overrides.model or turn.model.path)
        try:
            return self._run(Path(model_path))
        except _Refused as refusal:
            return Reproduction(
                turn.id,
                Outcome.STOPPED if refusal.stopped else Outcome.REFUSED,
                refusal.summary,
                utc_now(),
                model_path=model_path,
                model_sha256=turn.model.sha256,
                found_sha256=refusal.found_sha256 or self.found_sha256,
                recorded_text=turn.raw_output,
            )

    def check_named_files(self) -> None:
        """A file the user named must be one that can be read (its errors are the user's to see)."""
        for named in (self.overrides.model, self.overrides.projector):
            if named is not None:
                check_model_file(named)

    def check_record(self) -> None:
        """What the record must hold for the turn to be run again; ``CannotReproduce`` if it does not."""
        turn = self.turn
        if turn.ran_remotely:
            plainly = _not_bit_for_bit(turn)
            if not self.overrides.run_again:
                raise CannotReproduce(f"{plainly} It can be sent again, on request, to compare.")
            if turn.request_json is None or turn.endpoint is None or turn.remote_model is None:
                raise CannotReproduce(f"{plainly} Its request was not recorded, so it cannot be sent again.")
            return
        if turn.status is TurnStatus.RUNNING:
            raise CannotReproduce(f"Turn {turn.id} is still running (or never finished): nothing to compare.")
        try:
            segments, recorded = turn.prompt_token_segments, turn.output_token_ids
        except TokenIdsError as error:
            raise CannotReproduce(str(error)) from error
        if segments is None or recorded is None:
            raise CannotReproduce(
                f"Turn {turn.id} was recorded without the token ids the model saw and sampled, so it "
                "cannot be run again exactly."
            )
        if not turn.model.sha256:
            raise CannotReproduce(
                f"Turn {turn.id}'s model file was never hashed, so no file can be shown to be the one "
                "it ran on."
            )
        self.images = self._image_copies()
        if len(self.images) != len(segments) - 1:
            raise CannotReproduce(
                f"Turn {turn.id}'s prompt holds {len(segments) - 1} image(s) but {len(self.images)} "
                "were recorded."
            )

    def _run(self, model_path: Path) -> Reproduction:
        turn = self.turn
        if turn.ran_remotely:
            return self._remote()
        segments, recorded, images = turn.prompt_token_segments, turn.output_token_ids, self.images
        assert segments is not None and recorded is not None, "check_record first"
        params = turn.params
        threads = self.overrides.threads if self.overrides.threads is not None else params.n_threads
        options = LoadOptions(n_ctx=params.n_ctx, n_threads=threads, n_gpu_layers=params.n_gpu_layers)
        files = [self._open(Role.MODEL, model_path)]
        projector_path = self.overrides.projector or (Path(turn.projector.path) if turn.projector else None)
        try:
            if projector_path is not None:
                files.append(self._open(Role.PROJECTOR, projector_path))
        except BaseException:
            files[0].handle.close()
            raise
        check = LoadCheck(files)
        check.start()
        backend = self.backend_factory()
        try:
            self.on_status(f"Loading {model_path.name} to run turn {turn.id} again…")
            try:
                backend.load(files[0].path, options, projector=files[1].path if len(files) > 1 else None)
            except ModelError as error:
                raise _Refused(str(error)) from error
            self.on_status(f"Checking {model_path.name} is the file turn {turn.id} ran on…")
            check.wait()
            self._require_recorded(check, files)
            changed = self._changes(backend, threads)
            settings = self._settings(len(recorded))
            prompt = PreparedPrompt(
                messages=turn.messages,
                text=turn.rendered_prompt,
                sha256=turn.rendered_prompt_sha256,
                token_count=sum(len(segment) for segment in segments),
                template_source=turn.template_source,
                template_sha256=turn.template_sha256,
                image_data=tuple(images),
                token_segments=segments,
            )
            self.on_status(f"Running turn {turn.id} again…")
            try:
                generation = backend.generate(prompt, settings, self.cancel)
                for _ in generation:
                    pass
            except ModelError as error:
                raise _Refused(str(error)) from error
            if self.cancel.is_set():
                raise _Refused(f"Running turn {turn.id} again was stopped before it finished.", stopped=True)
            problem = check.recheck()
            if problem:
                raise _Refused(problem)
            now = tuple(generation.token_ids)
            return self._compare(backend, recorded, now, changed, threads)
        finally:
            backend.close()
            check.close()

    def _remote(self) -> Reproduction:
        """A server's turn: said plainly; on request its recorded request is sent again, byte for byte."""
        turn = self.turn
        plainly = _not_bit_for_bit(turn)
        common: dict[str, Any] = {"at": utc_now(), "model_path": f"{turn.endpoint}/{turn.remote_model}"}
        assert turn.request_json is not None and turn.endpoint is not None and turn.remote_model is not None
        from app.core.remote import RemoteEndpoint
        from app.core.remote_request import sent_bytes
        from app.runtime.remote_backend import RemoteBackend
        from app.services.remote import api_key

        body = sent_bytes(turn.request_json, self.store.image_data)
        backend = RemoteBackend(RemoteEndpoint(turn.endpoint, turn.remote_model, api_key(turn.endpoint)))
        try:
            self.on_status(f"Sending turn {turn.id}'s request to {turn.endpoint} again…")
            backend.load(Path(), LoadOptions.from_params(turn.params))
            generation = backend.resend(body, self._settings(0), self.cancel)
            now = "".join(generation)
        except (ModelError, RuntimeError, OSError) as error:
            raise _Refused(f"{plainly} Sending it again failed: {error}") from error
        finally:
            backend.close()
        recorded = turn.raw_output
        at = next((i for i, (a, b) in enumerate(zip(recorded, now, strict=False)) if a != b), None)
        if at is None and len(now) != len(recorded):
            at = min(len(now), len(recorded))
        again = "the same text" if at is None else f"text that differs from character {at + 1}"
        return Reproduction(
            turn.id,
            Outcome.NOT_EXACT,
            f"{plainly} Sent again, it gave {again}.",
            diverges_at=None if at is None else at + 1,
            recorded_text=recorded,
            now_text=now,
            settings={"request_sha256": turn.request_sha256},
            **common,
        )

    def _open(self, role: Role, path: Path) -> OpenedFile:
        recorded = self.turn.model if role is Role.MODEL else self.turn.projector
        assert recorded is not None
        try:
            check_model_file(path)
            return OpenedFile.open(role, path, lambda _path, _identity: None)
        except (OSError, ModelError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise _Refused(
                f"The {role} file turn {self.turn.id} ran on (SHA-256 {recorded.sha256}) was looked for "
                f"at {path} and cannot be used: {reason}. Name the file with --{_flag(role)}."
            ) from error

    def _require_recorded(self, check: LoadCheck, files: list[OpenedFile]) -> None:
        for opened in files:
            recorded = self.turn.model if opened.role is Role.MODEL else self.turn.projector
            assert recorded is not None
            if opened.state is not State.DONE or opened.sha256 is None:
                raise _Refused(
                    check.problem() or f"The {opened.role} file {opened.path} could not be hashed."
                )
            if opened.role is Role.MODEL:
                self.found_sha256 = opened.sha256
            if opened.sha256 != recorded.sha256:
                raise _Refused(
                    f"The {opened.role} file at {opened.path} is not the one turn {self.turn.id} ran on: "
                    f"it hashes to {opened.sha256}, the turn recorded {recorded.sha256}.",
                    found_sha256=opened.sha256 if opened.role is Role.MODEL else None,
                )
        problem = check.recheck()
        if problem:
            raise _Refused(problem)

    def _image_copies(self) -> list[bytes]:
        """The image copies the model saw, in the order their places stand among the ids."""
        wanted = [sha256 for message in self.turn.messages for sha256 in message.images]
        try:
            return [self.store.image_data(sha256) for sha256 in wanted]
        except VeritraceError as error:
            raise CannotReproduce(
                f"An image turn {self.turn.id} sent is missing from the record: {error}"
            ) from error

    def _settings(self, recorded_count: int) -> RunSettings:
        turn = self.turn
        # A turn that ended at the end-of-generation token is run one token further: ending at the
        # same place is part of being identical. One stopped part-way is compared as far as it went.
        budget = recorded_count + 1 if turn.finish_reason == "stop" else recorded_count
        return RunSettings(
            preset=turn.preset,
            system_prompt=turn.system_prompt,
            require_reasoning=turn.require_reasoning,
            template=TemplateChoice.AUTO,
            params=replace(turn.params, max_tokens=max(budget, 1)),
        )

    def _changes(self, backend: LlamaBackend, threads: int) -> tuple[str, ...]:
        turn = self.turn
        changes: list[str] = []
        if backend.runtime_version != turn.llama_cpp_version:
            changes.append(f"llama.cpp build {turn.llama_cpp_version} → {backend.runtime_version}")
        recorded_runtime = turn.runtime or {}
        info = dict(backend.runtime_info)
        for key, words in (
            ("n_threads", "threads"),
            ("n_batch", "batch size"),
            ("system_info", "CPU features"),
        ):
            before, after = recorded_runtime.get(key), info.get(key)
            if before is not None and before != after:
                changes.append(f"{words} {before} → {after}")
        if threads != turn.params.n_threads and "n_threads" not in recorded_runtime:
            changes.append(f"threads asked for {turn.params.n_threads or 'auto'} → {threads or 'auto'}")
        return tuple(changes)

    def _compare(
        self,
        backend: LlamaBackend,
        recorded: tuple[int, ...],
        now: tuple[int, ...],
        changed: tuple[str, ...],
        threads: int,
    ) -> Reproduction:
        turn = self.turn
        index = next((i for i, (a, b) in enumerate(zip(recorded, now, strict=False)) if a != b), None)
        if index is None and len(now) != len(recorded):
            index = min(len(now), len(recorded))  # one ended where the other went on
        now_text = backend.detokenize(now)
        recorded_text = backend.detokenize(recorded)
        settings = {
            "threads": threads,
            "runtime": dict(backend.runtime_info),
            "llama_cpp": backend.runtime_version,
        }
        common: dict[str, Any] = {
            "at": utc_now(),
            "model_path": str(self.overrides.model or turn.model.path),
            "model_sha256": turn.model.sha256,
            "found_sha256": self.found_sha256,
            "recorded_text": recorded_text,
            "now_text": now_text,
            "changed": changed,
            "settings": settings,
        }
        if index is None:
            what = f"identical: {len(recorded)} output tokens"
            if changed:
                what += f" (changed: {'; '.join(changed)})"
            return Reproduction(turn.id, Outcome.IDENTICAL, what, compared_tokens=len(recorded), **common)
        recorded_token = _spelled(backend, recorded, index)
        now_token = _spelled(backend, now, index)
        summary = f"diverges at output token {index + 1} (recorded {recorded_token}, now {now_token})"
        if changed:
            summary += f"; changed: {'; '.join(changed)}"
        return Reproduction(
            turn.id,
            Outcome.DIVERGES,
            summary,
            compared_tokens=index + 1,
            diverges_at=index + 1,
            recorded_token=recorded_token,
            now_token=now_token,
            **common,
        )


def _spelled(backend: LlamaBackend, ids: tuple[int, ...], index: int) -> str:
    if index >= len(ids):
        return "(the end)"
    piece = backend.token_pieces([ids[index]])[0]
    return f"`{piece.text}`" if piece.text is not None else f"id {ids[index]}"


def _not_bit_for_bit(turn: Turn) -> str:
    return (
        f"Turn {turn.id} ran on a server ({turn.endpoint}, model {turn.remote_model}): it cannot be "
        "reproduced bit for bit, since the server's build, hardware and batching are neither known "
        "nor recorded."
    )


def _flag(role: Role) -> str:
    return "model" if role is Role.MODEL else "mmproj"
