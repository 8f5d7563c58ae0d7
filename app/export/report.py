"""What an audit report holds, independent of its format (PDF or Markdown).

The exporters receive this frozen snapshot — conversations as recorded, the images they
show, the record's verification at export time and the signed checkpoint every page cites —
and never touch the database themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from app.core.report import remote_model_words
from app.core.reproduction import Reproduction
from app.core.signing import SignedHead
from app.core.types import Checkpoint, Conversation, Flag, SamplingParams, Turn

# Quantization as llama.cpp names it in file names (Q4_K_M, IQ3_XXS, Q8_0, BF16 …).
_QUANT = re.compile(r"(?<![A-Za-z0-9])(I?Q\d(?:_[A-Z0-9]+)*|BF16|F16|F32)(?![A-Za-z0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class ModelUse:
    """One model file (or remote model) that produced turns in the report."""

    file_name: str
    path: str
    sha256: str  # "" for a remote model and for a file never hashed
    size: int
    quantization: str
    context_sizes: tuple[int, ...]
    turns: int
    remote: bool = False
    endpoint: str | None = None
    model_id: str | None = None

    @property
    def hash_words(self) -> str:
        """What the SHA-256 column says: the file's hash, or in words why there is none."""
        if self.remote:
            return remote_model_words(self.endpoint, self.model_id, self.path)
        return self.sha256 or "not hashed"


@dataclass(frozen=True)
class Report:
    report_id: str
    scope: str
    generated_at: str
    generated_by: str
    app_version: str
    conversations: tuple[Conversation, ...]
    checkpoint: Checkpoint
    key_fingerprint: str
    verification: str  # the record's verification, in words, at export time
    intact: bool
    images: Mapping[str, bytes] = field(default_factory=dict, repr=False)  # sha256 → original bytes
    # sha256 → what the record says about that model file (its model.loaded event)
    model_details: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)
    # turn id → each time it was run again (``turn.reproduced`` events), oldest first
    reproductions: Mapping[int, tuple[Reproduction, ...]] = field(default_factory=dict, repr=False)

    @property
    def signed_head(self) -> SignedHead:
        """The head this report was signed over, as ``veritrace verify --since`` reads it back."""
        made = self.checkpoint
        return SignedHead(made.entry_count, made.head_hash, made.at, made.public_key, made.signature)

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(turn for conversation in self.conversations for turn in conversation.turns)

    @property
    def turn_count(self) -> int:
        return sum(len(conversation.turns) for conversation in self.conversations)


WITNESS_NOTE = (
    "This report is itself a witness of the record it came from: on that record, {command} proves that "
    "it still holds everything recorded up to the signed head above, and fails, naming what is missing, "
    "on a record rolled back, truncated or rewritten since. The signature shows only that the holder of "
    "the key signed this head: a key holder can sign anything, so what bounds when it was signed is an "
    "earlier report, a witness kept outside the record, or a timestamp from a timestamp authority."
)


def file_name(path: str) -> str:
    """The last component of a path recorded on any platform."""
    windows = PureWindowsPath(path)
    chosen: PurePath = windows if len(windows.parts) > len(PurePosixPath(path).parts) else PurePosixPath(path)
    return chosen.name or path


def quantization(path: str, recorded: Mapping[str, Any] | None = None) -> str:
    """The quantization the record holds (read from the GGUF when loaded), else the file name's.

    Records from before metadata was kept, and remote models, have only a name to go by: the
    report says where the answer came from.
    """
    if recorded and recorded.get("quantization"):
        return str(recorded["quantization"])
    match = _QUANT.search(file_name(path))
    return f"{match.group(1).upper()} (from the file name)" if match else "not recorded"


def models_used(
    conversations: tuple[Conversation, ...], details: Mapping[str, Mapping[str, Any]] | None = None
) -> list[ModelUse]:
    """Each distinct model (by ``ModelFile.key``), in order of first use; ``details`` as recorded."""
    seen: dict[str, list[Turn]] = {}
    for conversation in conversations:
        for turn in conversation.turns:
            seen.setdefault(turn.model.key, []).append(turn)
    uses = []
    for turns in seen.values():
        first = turns[0]
        remote = first.ran_remotely or first.model.is_remote
        sha256 = "" if remote else first.model.sha256  # never a remote model's "remote:" value
        uses.append(
            ModelUse(
                file_name=file_name(first.model.path),
                path=first.model.path,
                sha256=sha256,
                size=first.model.size,
                quantization=quantization(first.model.path, (details or {}).get(sha256) if sha256 else None),
                context_sizes=tuple(sorted({turn.params.n_ctx for turn in turns})),
                turns=len(turns),
                remote=remote,
                endpoint=first.endpoint,
                model_id=first.remote_model,
            )
        )
    return uses


def parameter_sets(conversations: tuple[Conversation, ...]) -> list[tuple[str, SamplingParams, int]]:
    """Distinct (preset, sampling parameters without the seed) with how many turns used them."""
    counts: dict[tuple[str, SamplingParams], int] = {}
    for conversation in conversations:
        for turn in conversation.turns:
            key = (turn.preset, turn.params.with_seed(0))
            counts[key] = counts.get(key, 0) + 1
    return [(preset, params, count) for (preset, params), count in counts.items()]


def review_state(conversation: Conversation) -> str:
    if conversation.signoffs:
        return "signed"
    if any(turn.annotations for turn in conversation.turns):
        return "annotated"
    return "unreviewed"


def flagged(turn: Turn) -> bool:
    return any(annotation.flag is not Flag.OK for annotation in turn.annotations)


def duration(turn: Turn) -> str:
    """Wall time of a turn from its recorded start and finish (ISO 8601 UTC)."""
    if not turn.finished_at:
        return ""
    try:
        seconds = (
            datetime.fromisoformat(turn.finished_at) - datetime.fromisoformat(turn.started_at)
        ).total_seconds()
    except ValueError:
        return ""
    return f"{seconds:.1f} s"


def turn_facts(turn: Turn) -> list[str]:
    """What a report says about a turn on its line, as plain text: its status (first), times,
    token counts, speed and seed. Which model produced it follows in ``model_identity_lines``."""
    facts = [
        str(turn.status) + (f" ({turn.finish_reason})" if turn.finish_reason else ""),
        f"started {turn.started_at}",
    ]
    if turn.finished_at:
        facts.append(f"finished {turn.finished_at} ({duration(turn)})")
    about = "about " if turn.usage_source == "approximate" else ""  # a server that sent no usage
    facts.append(f"prompt {about}{turn.prompt_tokens} tokens, output {about}{turn.completion_tokens} tokens")
    if turn.tokens_per_second is not None:
        facts.append(f"{turn.tokens_per_second:.1f} tokens/s")
    if turn.time_to_first_token_ms is not None:
        facts.append(f"first token after {turn.time_to_first_token_ms:.0f} ms")
    facts.append(f"seed {turn.params.seed}")
    return facts
