"""The contract every model runtime fulfils."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.core.cancel import CancelToken
from app.core.models import ModelInfo
from app.core.types import ChatMessage, PreparedPrompt, RunSettings, SamplingParams


@dataclass(frozen=True)
class LoadedModel:
    """What the runtime found out about a loaded model."""

    path: Path
    name: str
    architecture: str
    context_length: int  # trained context length
    n_ctx: int  # context window in use
    has_chat_template: bool
    has_think_tokens: bool  # [THINK]/[/THINK] exist as control tokens
    is_demo: bool = False
    projector: Path | None = None  # vision projector (mmproj GGUF) loaded with the model
    endpoint: str | None = None  # the API base of the server it runs on; None: it runs here
    accepts_images: bool = False  # images are sent without a projector (a remote server decides)
    quantization: str = ""  # from the GGUF metadata ("Q4_K_M"); "" when unknown (a server)
    parameter_count: int = 0  # from the GGUF tensor shapes; 0 when unknown
    # What inspecting the file found (sizes that say what a context costs); None: not inspected.
    info: ModelInfo | None = field(default=None, compare=False, repr=False)

    @property
    def has_vision(self) -> bool:
        return self.projector is not None or self.accepts_images

    @property
    def is_remote(self) -> bool:
        return self.endpoint is not None


@dataclass(frozen=True)
class LoadOptions:
    n_ctx: int
    n_threads: int
    n_gpu_layers: int

    @classmethod
    def from_params(cls, params: SamplingParams) -> LoadOptions:
        return cls(n_ctx=params.n_ctx, n_threads=params.n_threads, n_gpu_layers=params.n_gpu_layers)


class Generation(Protocol):
    """A running generation: iterate for raw text deltas (reasoning tags included).

    After iteration ends, ``finish_reason`` is ``stop``, ``length`` or ``cancelled``.
    ``token_ids`` are the ids sampled so far, one per token counted in ``completion_tokens``
    (None: the runtime has no ids, as a server does not say them).
    """

    @property
    def finish_reason(self) -> str | None: ...

    @property
    def completion_tokens(self) -> int: ...

    @property
    def token_ids(self) -> Sequence[int] | None: ...

    def __iter__(self) -> Iterator[str]: ...


class Backend(Protocol):
    """A model runtime owned by one thread at a time."""

    @property
    def loaded(self) -> LoadedModel | None: ...

    @property
    def runtime_version(self) -> str: ...

    @property
    def runtime_info(self) -> Mapping[str, object]:
        """What the runtime reports about where the model runs (threads, GPU offload…); recorded."""
        ...

    def load(
        self, path: Path, options: LoadOptions, *, is_demo: bool = False, projector: Path | None = None
    ) -> LoadedModel: ...

    def prepare(
        self,
        messages: tuple[ChatMessage, ...],
        settings: RunSettings,
        images: Mapping[str, bytes] | None = None,
    ) -> PreparedPrompt: ...

    def count_tokens(self, messages: tuple[ChatMessage, ...], settings: RunSettings) -> int | None:
        """How many tokens ``messages`` (without images) are evaluated as, counted as ``prepare``
        counts them; None when the model's tokenizer is not here (a server). Changes nothing."""
        ...

    def generate(self, prompt: PreparedPrompt, settings: RunSettings, cancel: CancelToken) -> Generation: ...

    def close(self) -> None: ...
