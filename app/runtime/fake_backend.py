"""A scripted backend for fast UI and service tests (like ``llm``'s MockModel)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import ModelError
from app.core.hashing import sha256_text
from app.core.types import ChatMessage, PreparedPrompt, RunSettings
from app.runtime.backend import LoadedModel, LoadOptions
from app.runtime.model_files import check_model_file

FAKE_TEMPLATE = "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}<assistant>"


@dataclass
class Script:
    """One scripted reply: raw chunks (tags included) streamed in order.

    ``hold_after`` stops streaming after that many chunks until the generation is
    cancelled or ``release`` is set: a deterministic "still generating" state.
    ``delay`` sleeps between chunks, for benchmarks that need a steady rate.
    """

    chunks: list[str]
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    delay: float = 0.0
    fail_with: Exception | None = None


@dataclass
class _FakeGeneration:
    script: Script
    cancel: CancelToken
    budget: int
    finish_reason: str | None = None
    completion_tokens: int = 0
    token_ids: list[int] | None = None  # scripted text has no token ids

    def __iter__(self) -> Iterator[str]:
        for index, chunk in enumerate(self.script.chunks):
            if self.script.hold_after is not None and index == self.script.hold_after:
                while not (self.script.release.is_set() or self.cancel.is_set()):
                    self.cancel.wait(0.005)
            if self.cancel.is_set():
                self.finish_reason = "cancelled"
                return
            if self.script.fail_with is not None and index == len(self.script.chunks) // 2:
                raise self.script.fail_with
            if self.script.delay:
                time.sleep(self.script.delay)
            self.completion_tokens += 1
            yield chunk
            if self.completion_tokens >= self.budget:
                self.finish_reason = "length"
                return
        self.finish_reason = "stop"


class FakeBackend:
    """Replays queued scripts; replies "(no script)" when the queue is empty."""

    def __init__(self, context_length: int = 4096) -> None:
        self.scripts: deque[Script] = deque()
        self.prompts: list[PreparedPrompt] = []
        self.load_count = 0
        self._context_length = context_length
        self._loaded: LoadedModel | None = None
        self._n_ctx = context_length

    def enqueue(self, chunks: list[str], **options: object) -> Script:
        script = Script(list(chunks), **options)  # type: ignore[arg-type]
        self.scripts.append(script)
        return script

    @property
    def loaded(self) -> LoadedModel | None:
        return self._loaded

    @property
    def runtime_version(self) -> str:
        return "fake 1"

    @property
    def runtime_info(self) -> dict[str, object]:
        return {"scripted": True}  # no runtime to report on: the record says so

    def load(
        self, path: Path, options: LoadOptions, *, is_demo: bool = False, projector: Path | None = None
    ) -> LoadedModel:
        check_model_file(path)
        if projector is not None:
            check_model_file(projector)
        self.load_count += 1
        self._n_ctx = options.n_ctx
        self._loaded = LoadedModel(
            path=path,
            name=path.stem,
            architecture="fake",
            context_length=self._context_length,
            n_ctx=options.n_ctx,
            has_chat_template=True,
            has_think_tokens=True,
            is_demo=is_demo,
            projector=projector,
        )
        return self._loaded

    def prepare(
        self,
        messages: tuple[ChatMessage, ...],
        settings: RunSettings,
        images: Mapping[str, bytes] | None = None,
    ) -> PreparedPrompt:
        if self._loaded is None:
            raise ModelError("No model is loaded.")
        if any(m.images for m in messages) and not self._loaded.has_vision:
            raise ModelError("This model has no vision projector: it cannot be sent images.")
        prepared = self._render(messages, images)
        self.prompts.append(prepared)
        return prepared

    def count_tokens(self, messages: tuple[ChatMessage, ...], settings: RunSettings) -> int | None:
        """The scripted tokenizer's count (one token a word), as ``prepare`` counts it."""
        if self._loaded is None:
            raise ModelError("No model is loaded.")
        return self._render(tuple(replace(m, images=()) for m in messages), None).token_count

    def _render(
        self, messages: tuple[ChatMessage, ...], images: Mapping[str, bytes] | None
    ) -> PreparedPrompt:
        text = (
            "".join(
                f"<{m.role}>" + "".join(f"<image {sha}>" for sha in m.images) + f"{m.content}\n"
                for m in messages
            )
            + "<assistant>"
        )
        image_data = tuple((images or {})[sha] for m in messages for sha in m.images)
        token_count = len(text.split())
        return PreparedPrompt(
            messages=messages,
            text=text,
            sha256=sha256_text(text),
            token_count=token_count,
            template_source="fake",
            template_sha256=sha256_text(FAKE_TEMPLATE),
            image_data=image_data,
        )

    def generate(self, prompt: PreparedPrompt, settings: RunSettings, cancel: CancelToken) -> _FakeGeneration:
        script = self.scripts.popleft() if self.scripts else Script(["(no script)"])
        budget = max(1, min(settings.params.max_tokens, self._n_ctx - prompt.token_count))
        return _FakeGeneration(script, cancel, budget)

    def close(self) -> None:
        self._loaded = None
