"""What an audit report holds, independent of its format (PDF or Markdown).

The exporters receive this frozen snapshot — conversations as recorded, the images they
show, the record's verification at export time and the signed checkpoint every page cites —
and never touch the database themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from app.core.forcing import Forcing, forcing
from app.core.report import remote_model_words
from app.core.reproduction import Reproduction
from app.core.signing import SignedHead, fingerprint
from app.core.states import turn_state
from app.core.types import Checkpoint, Conversation, Flag, SamplingParams, SignOff, Turn

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
    """What a report says about a turn on its line, as plain text: its state in words (first),
    times, token counts and speed. Its settings follow in ``run_settings``, which model produced
    it in ``model_identity_lines``."""
    facts = [turn_state(turn).words, f"started {turn.started_at}"]
    if turn.finished_at:
        took = duration(turn)
        facts.append(f"finished {turn.finished_at}" + (f" ({took})" if took else ""))
    about = "about " if turn.usage_source == "approximate" else ""  # a server that sent no usage
    facts.append(f"prompt {about}{turn.prompt_tokens} tokens, output {about}{turn.completion_tokens} tokens")
    if turn.tokens_per_second is not None:
        facts.append(f"{turn.tokens_per_second:.1f} tokens/s")
    if turn.time_to_first_token_ms is not None:
        facts.append(f"first token after {turn.time_to_first_token_ms:.0f} ms")
    return facts


def error_note(turn: Turn) -> str:
    """The turn's recorded error, unless its state's words already give it as the reason."""
    error = (turn.error or "").strip()
    return "" if not error or turn_state(turn).reason == error else error


@dataclass(frozen=True)
class Banner:
    """A boxed note a reader must not miss: the turn is not what a plain local run would be."""

    title: str
    text: str


def banners(turn: Turn) -> list[Banner]:
    """What sets the turn apart: reasoning a grammar forced (and cut), a model on a server."""
    found = []
    forced = forcing(turn)
    if forced is not None:
        found.append(Banner("Reasoning forced by a grammar", forced_words(turn, forced)))
    if turn.ran_remotely or turn.model.is_remote:
        found.append(Banner("Ran on a remote server", remote_words(turn)))
    return found


def forced_words(turn: Turn, forced: Forcing) -> str:
    """The grammar's effect on ``turn``, in sentences."""
    demo = (
        "The demo preset runs a small model that does not reason on its own. "
        if turn.preset == "demo"
        else ""
    )
    where = (
        "The request sent to the server carried a llama.cpp grammar"
        if forced.remote
        else "A llama.cpp grammar was applied while sampling"
    )
    if forced.thought_max is None:
        return (
            f"{demo}This turn required a reasoning trace (preset {turn.preset}). {where} (it is in the "
            "request recorded with this turn): the trace is the shape the grammar forced, not reasoning "
            "the model chose to write."
        )
    answer = f" and answer in at most {forced.answer_max:,} characters" if forced.answer_max else ""
    text = (
        f"{demo}This turn required a reasoning trace (preset {turn.preset}). {where}: the model had to "
        f"open with [THINK], write 1 to {forced.thought_max:,} characters of reasoning with no square "
        f"brackets, close with [/THINK]{answer}. The trace is the shape the grammar forced, not reasoning "
        f"the model chose to write, and reasoning was cut at {forced.thought_max:,} characters."
    )
    if forced.reached(turn):
        text += f" This trace is {len(turn.reasoning):,} characters long: it was cut at the limit."
    return text


def remote_words(turn: Turn) -> str:
    """Where a remote turn ran, in sentences: nothing of that model can be checked here."""
    where = turn.endpoint or turn.model.path
    model = turn.remote_model or "not recorded"
    text = f"This turn ran on a server, not on this computer: {where}, model {model}."
    if turn.response_model and turn.response_model != turn.remote_model:
        text += f" The server said model {turn.response_model} answered."
    return text + (
        " A model on a server has no file to hash: the record holds what was sent and what the "
        "server said of itself, not the model that ran."
    )


def template_words(source: str) -> str:
    """Which chat template rendered the prompt, from its recorded source."""
    if source == "gguf":
        return "the model file's own (gguf)"
    if source.startswith("pinned:"):
        return f"Veritrace's pinned copy of {source.removeprefix('pinned:')} ({source})"
    if source == "server":
        return "the server's own (server): Veritrace never sees it"
    return source or "not recorded"


def run_settings(turn: Turn) -> list[tuple[str, str]]:
    """Every recorded setting of the run, short values only, as (name, value) in words."""
    params = turn.params
    forced = forcing(turn)
    if forced is not None:
        required = "yes, forced by a grammar"
    elif turn.require_reasoning and turn.request_json is None:
        required = "yes; the request sent was not recorded, so whether a grammar went with it is not known"
    elif turn.require_reasoning:  # a server that takes no grammar: asked for, not forced
        required = "yes, but the request sent carried no grammar"
    else:
        required = "no"
    return [
        ("Preset", turn.preset or "not recorded"),
        ("Reasoning required", required),
        ("Temperature", f"{params.temperature:g}"),
        ("Top-p", f"{params.top_p:g}"),
        ("Top-k", f"{params.top_k}" + (" (off)" if params.top_k == 0 else "")),
        ("Min-p", f"{params.min_p:g}"),
        ("Repeat penalty", f"{params.repeat_penalty:g}"),
        ("Seed", "not recorded" if params.seed is None else str(params.seed)),
        ("Max tokens", str(params.max_tokens)),
        ("Context (n_ctx)", str(params.n_ctx)),
        ("Threads", str(params.n_threads) if params.n_threads else "0 (llama.cpp's choice)"),
        ("GPU layers", str(params.n_gpu_layers)),
        ("Truncation", params.truncation + (" (nothing dropped)" if params.truncation == "none" else "")),
    ]


def run_details(turn: Turn) -> list[tuple[str, str]]:
    """The longer facts of the run: template, prompt as rendered, versions, where it ran."""
    details = [
        (
            "Chat template",
            f"{template_words(turn.template_source)}, SHA-256 {turn.template_sha256 or 'none'}",
        ),
        (
            "Prompt as rendered",
            f"SHA-256 {turn.rendered_prompt_sha256 or 'none'}, {len(turn.messages)} message(s)",
        ),
        ("Software", f"{turn.llama_cpp_version}, Veritrace {turn.app_version}, account {turn.os_user}"),
    ]
    if turn.runtime:
        shown = " · ".join(f"{name} {_plain(value)}" for name, value in sorted(turn.runtime.items()))
        details.append(("As llama.cpp reported", shown))
    return details


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def local_time(utc: str, zone: tzinfo | None = None) -> str:
    """A recorded UTC time in ``zone`` (by default this computer's), ISO 8601 with its offset
    and the zone's name; "" for a time that cannot be read."""
    try:
        moment = datetime.fromisoformat(utc)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        return ""
    local = moment.astimezone(zone)
    text = local.isoformat(timespec="seconds")
    name = local.tzname() or ""
    return f"{text} ({name})" if name and name not in text else text


def utc_and_local(utc: str) -> str:
    """``utc`` as recorded and, where it can be read, in this computer's time: one line of words."""
    local = local_time(utc)
    return f"{utc} (UTC) · {local}, local time where this report was made" if local else utc


OLD_SIGNATURE = "typed name, recorded before personal signatures"


def signoff_title(signoff: SignOff) -> str:
    """ "approved by Dana Reviewer": what a sign-off's heading says."""
    return f"{signoff.meaning} by {signoff.printed_name.strip() or 'an unnamed signer'}"


def signoff_rows(signoff: SignOff) -> list[tuple[str, str]]:
    """Everything a sign-off records, as (name, value); no value is ever empty."""
    rows = [("Signer", f"{signoff.printed_name.strip() or 'no name recorded'} (account {signoff.os_user})")]
    if signoff.personal:
        rows.append(("Role", signoff.role.strip() or "not recorded"))
    rows.append(("Meaning", str(signoff.meaning)))
    if signoff.personal:
        rows.append(("Statement", signoff.statement.strip() or "not recorded"))
    rows.append(("Reason", signoff.reason.strip() or "none given"))
    rows.append(("Signed", utc_and_local(signoff.signed_at)))
    if signoff.signed_at_local.strip():
        rows.append(("Signer's local time", signoff.signed_at_local.strip()))
    if signoff.personal:
        key = signoff.fingerprint.strip() or _fingerprint_of(signoff.public_key)
        rows += [
            ("Key fingerprint", key or "not recorded"),
            ("Public key", signoff.public_key or "not recorded"),
            ("Content SHA-256", signoff.content_sha256 or "not recorded"),
            ("Signature", signoff.signature),
        ]
    else:
        rows.append(("Signature", f"{OLD_SIGNATURE}: no role, statement or key of the signer's own"))
    rows.append(("Ledger head", signoff.ledger_head or "not recorded"))
    return rows


def _fingerprint_of(public_key: str) -> str:
    try:
        return fingerprint(public_key) if public_key else ""
    except ValueError:
        return ""
