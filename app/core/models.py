"""What a GGUF file says about its model, which preset family it belongs to, and what it costs.

Pure types and arithmetic: the metadata is read elsewhere (in a child process, see
``app.runtime.gguf_inspect``) and handed over as a ``ModelInfo``.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

# How the bundled demo model is named wherever it is shown.
DEMO_MODEL_NAME = "SmolLM2-135M-Instruct (demo)"
# Tokens whose presence in the vocabulary (or chat template) says how a model reasons.
THINK_BRACKETS = ("[THINK]", "[/THINK]")
THINK_ANGLES = ("<think>", "</think>")
TOKENS_OF_INTEREST = (*THINK_BRACKETS, *THINK_ANGLES)

# Name fragments of model lines known to reason inside <think>…</think>.
_THINK_TAG_NAMES = ("qwen3", "qwq", "deepseek-r1", "deepseek_r1", "r1-distill", "r1_distill")

# llama.cpp's compute buffers are sized for one micro-batch of this many tokens.
_UBATCH = 512


class Family(enum.StrEnum):
    """Which preset a model gets when it is chosen."""

    MAGISTRAL = "magistral"  # [THINK]…[/THINK] control tokens, Mistral's reasoning prompt
    THINK_TAGS = "think_tags"  # <think>…</think> (Qwen3, DeepSeek-R1 distills)
    INSTRUCT = "instruct"  # a plain chat model
    DEMO = "demo"  # the bundled demo model

    @property
    def preset(self) -> str:
        """The name of this family's entry in ``app.core.presets.PRESETS``."""
        return _PRESET_NAMES[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_PRESET_NAMES = {
    Family.MAGISTRAL: "magistral",
    Family.THINK_TAGS: "think-tags",
    Family.INSTRUCT: "instruct",
    Family.DEMO: "demo",
}
_LABELS = {
    Family.MAGISTRAL: "Magistral ([THINK] tags)",
    Family.THINK_TAGS: "<think> tags (Qwen3, DeepSeek-R1)",
    Family.INSTRUCT: "Instruct",
    Family.DEMO: "Demo",
}


@dataclass(frozen=True)
class ModelInfo:
    """A GGUF file's identity and the metadata the app uses, read before llama.cpp loads it.

    Counts a file does not declare are 0; ``sha256`` is None until the file has been hashed.
    """

    path: str
    size: int
    architecture: str
    name: str
    gguf_version: int = 3
    sha256: str | None = None
    parameter_count: int = 0
    tensor_count: int = 0
    metadata_count: int = 0
    file_type: int | None = None
    quantization: str | None = None  # as llama.cpp names it, e.g. Q4_K_M
    context_length: int = 0  # trained context length
    block_count: int = 0
    embedding_length: int = 0
    head_count: int = 0
    head_count_kv: int = 0
    key_length: int = 0  # per head; 0: embedding_length / head_count
    value_length: int = 0
    vocab_size: int = 0
    has_chat_template: bool = False
    template_hints: tuple[str, ...] = ()  # reasoning tags the chat template mentions
    special_tokens: tuple[str, ...] = ()  # reasoning tags that are control tokens of the vocabulary
    is_projector: bool = False  # a vision projector (clip / mmproj), not a language model
    projector: str | None = None  # a projector lying beside the model file

    @property
    def file_name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["template_hints"] = list(self.template_hints)
        data["special_tokens"] = list(self.special_tokens)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelInfo:
        known = set(cls.__dataclass_fields__)
        values = {key: value for key, value in data.items() if key in known}
        values["template_hints"] = tuple(values.get("template_hints", ()))
        values["special_tokens"] = tuple(values.get("special_tokens", ()))
        return cls(**values)


def family_for(info: ModelInfo, *, is_demo: bool = False) -> Family:
    """The preset family: control tokens first, then the chat template, then the model's name.

    Control tokens are the strongest evidence: a model whose vocabulary holds ``[THINK]`` as a
    single control token was trained to reason inside it, whatever the file is called.
    """
    if is_demo:
        return Family.DEMO
    tokens = set(info.special_tokens)
    if tokens & set(THINK_BRACKETS):
        return Family.MAGISTRAL
    if tokens & set(THINK_ANGLES):
        return Family.THINK_TAGS
    hints = set(info.template_hints)
    if hints & set(THINK_BRACKETS):
        return Family.MAGISTRAL
    if hints & set(THINK_ANGLES):
        return Family.THINK_TAGS
    names = f"{info.name} {info.file_name}".lower()
    if "magistral" in names:
        return Family.MAGISTRAL
    if any(fragment in names for fragment in _THINK_TAG_NAMES):
        return Family.THINK_TAGS
    return Family.INSTRUCT


def kv_cache_bytes(info: ModelInfo, n_ctx: int) -> int:
    """Bytes of llama.cpp's default (f16) KV cache for ``n_ctx`` tokens.

    Per layer and token the cache holds one key and one value vector per KV head:
    ``n_layer × n_ctx × n_head_kv × (key_length + value_length) × 2 bytes``. Head sizes
    default to ``embedding_length / head_count`` as in llama.cpp; ``head_count_kv`` defaults to
    ``head_count`` (no grouped-query attention). Unknown shapes give 0.
    """
    if info.block_count <= 0 or info.head_count <= 0 or n_ctx <= 0:
        return 0
    head_dim = info.embedding_length // info.head_count
    key = info.key_length or head_dim
    value = info.value_length or head_dim
    kv_heads = info.head_count_kv or info.head_count
    return info.block_count * n_ctx * kv_heads * (key + value) * 2


@dataclass(frozen=True)
class MemoryEstimate:
    """An estimate of the memory a loaded model needs, in bytes."""

    weights: int
    kv_cache: int
    compute: int

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute

    def describe(self) -> str:
        return (
            f"≈ {_gib(self.total)} (weights {_gib(self.weights)}, context {_gib(self.kv_cache)}, "
            f"compute {_gib(self.compute)})"
        )


def memory_estimate(info: ModelInfo, n_ctx: int) -> MemoryEstimate:
    """Memory needed to run ``info`` with an ``n_ctx`` context window: an estimate, not a promise.

    - weights: the file size (GGUF tensors are loaded as stored; metadata is a rounding error);
    - KV cache: ``kv_cache_bytes`` (f16, llama.cpp's default);
    - compute: llama.cpp's scratch buffers for one 512-token micro-batch, approximated as the
      batch's logits (``512 × vocab × 4`` bytes) plus activations (``512 × embedding × 16 × 4``
      bytes), plus 10% of the KV cache for attention scores. Real usage varies with the backend.
    """
    kv = kv_cache_bytes(info, n_ctx)
    compute = _UBATCH * (info.vocab_size + info.embedding_length * 16) * 4 + kv // 10
    return MemoryEstimate(weights=info.size, kv_cache=kv, compute=compute)


def _gib(count: int) -> str:
    if count >= 2**30:
        return f"{count / 2**30:.1f} GiB"
    return f"{count / 2**20:.0f} MiB"


def parameter_label(count: int) -> str:
    """A parameter count the way model cards write it: 135M, 23.6B."""
    if count >= 10**9:
        return f"{count / 10**9:.1f}B"
    if count >= 10**6:
        return f"{count / 10**6:.0f}M"
    if count >= 10**3:
        return f"{count / 10**3:.0f}K"
    return str(count)


@dataclass(frozen=True)
class ModelEntry:
    """One model of the library: its inspection result, or the message saying why it has none."""

    path: str
    info: ModelInfo | None = None
    error: str | None = None
    is_demo: bool = False
    family: Family | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "is_demo": self.is_demo,
            "family": str(self.family) if self.family else None,
            "error": self.error,
            "info": self.info.to_json() if self.info else None,
        }


CHARACTERS_PER_TOKEN = 3  # a guess for text no tokenizer here can count (a server's model)


def estimate_tokens(text: str) -> int:
    """A guess at how many tokens ``text`` is, for a model whose tokenizer is not here."""
    return len(text) // CHARACTERS_PER_TOKEN + 1


@dataclass(frozen=True)
class ContextFit:
    """How the next turn's prompt measures against the context window.

    ``prompt_tokens`` is what the model's own tokenizer counts for the prompt as the template
    renders it (history, system prompt and the draft), unless ``estimated``: a server's model,
    whose tokenizer is not here, gets a guess. ``uncounted_images`` are images the model would
    see that the count leaves out. This only warns: a prompt that truly does not fit fails its
    turn with a context-overflow message.
    """

    prompt_tokens: int
    max_tokens: int
    n_ctx: int
    estimated: bool = False
    uncounted_images: int = 0

    @property
    def fits(self) -> bool:
        return self.n_ctx <= 0 or self.prompt_tokens + self.max_tokens <= self.n_ctx

    def warning(self) -> str | None:
        """The warning in words (English, for logs and the command line); None if it fits."""
        if self.fits:
            return None
        counted = (
            f"about {self.prompt_tokens:,} tokens (an estimate: the server's tokenizer is not here)"
            if self.estimated
            else f"{self.prompt_tokens:,} {'token' if self.prompt_tokens == 1 else 'tokens'}"
        )
        if self.uncounted_images:
            counted += f", images not counted ({self.uncounted_images})"
        return (
            f"This turn may not fit: its prompt is {counted} and up to {self.max_tokens:,} more may be "
            f"generated, but the context window is {self.n_ctx:,} tokens. Nothing is dropped: start a "
            "new conversation or raise the context size if it fails."
        )
