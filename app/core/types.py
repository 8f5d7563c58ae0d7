"""Frozen domain types shared by every layer."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from app.core.remote_request import RecordedRequest
from app.core.tokens import split_segments, unpack_ids


class Flag(enum.StrEnum):
    """A reviewer's judgement of one turn."""

    OK = "ok"
    CONCERN = "concern"
    ERROR = "error"


class Meaning(enum.StrEnum):
    """What a signature means (21 CFR 11.50(a)(3))."""

    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Annotation:
    id: int
    turn_id: int
    flag: Flag
    comment: str
    author: str
    os_user: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "flag": str(self.flag),
            "comment": self.comment,
            "author": self.author,
            "os_user": self.os_user,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class SignOff:
    """A signature: printed name, meaning, reason and time, bound to the ledger head it saw."""

    id: int
    conversation_id: int
    meaning: Meaning
    printed_name: str
    reason: str
    os_user: str
    signed_at: str
    ledger_head: str
    # A personal signature (app.core.signoff); empty on sign-offs recorded before identities.
    role: str = ""
    statement: str = ""
    fingerprint: str = ""
    public_key: str = ""
    signed_at_local: str = ""
    content_sha256: str = ""
    signature: str = ""

    @property
    def personal(self) -> bool:
        """Signed with the signer's own key (rather than typed with the installation's)."""
        return bool(self.signature)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "meaning": str(self.meaning),
            "printed_name": self.printed_name,
            "reason": self.reason,
            "os_user": self.os_user,
            "signed_at": self.signed_at,
            "ledger_head": self.ledger_head,
            "role": self.role,
            "statement": self.statement,
            "fingerprint": self.fingerprint,
            "public_key": self.public_key,
            "signed_at_local": self.signed_at_local,
            "content_sha256": self.content_sha256,
            "signature": self.signature,
        }


@dataclass(frozen=True)
class Identity:
    """A person who signs: their own Ed25519 key, created in the app and recorded in the ledger."""

    id: int
    name: str
    role: str
    os_user: str
    public_key: str
    fingerprint: str
    created_at: str
    revoked_at: str = ""
    revoked_reason: str = ""

    @property
    def revoked(self) -> bool:
        return bool(self.revoked_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "os_user": self.os_user,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at or None,
            "revoked_reason": self.revoked_reason or None,
        }


@dataclass(frozen=True)
class Checkpoint:
    """An Ed25519 signature over (entry count, head hash, time) of the ledger."""

    id: int
    at: str
    entry_count: int
    head_hash: str
    reason: str
    public_key: str
    signature: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "entry_count": self.entry_count,
            "head_hash": self.head_hash,
            "reason": self.reason,
            "public_key": self.public_key,
            "signature": self.signature,
        }


class TurnStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class TemplateChoice(enum.StrEnum):
    """Which chat template renders the prompt."""

    AUTO = "auto"  # the GGUF's own, else the pinned Magistral template
    GGUF = "gguf"
    MAGISTRAL = "magistral"


# llama.cpp's sampler takes the seed as a uint32 (ctypes keeps the low 32 bits of anything larger,
# so 7, 2**32 + 7 and 2**64 + 7 sample alike) and reads 0xFFFFFFFF as "pick one at random": only
# 0..SEED_MAX is a seed that is used as recorded.
SEED_MAX = 0xFFFFFFFE


@dataclass(frozen=True)
class SamplingParams:
    """Every knob that shapes a generation; all are recorded with each turn.

    ``seed`` None means "pick one per turn"; the seed actually used is recorded. Records keep
    whatever seed an older version stored; ``checked`` refuses a seed that cannot be used as given.
    """

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 0
    min_p: float = 0.01
    repeat_penalty: float = 1.0
    seed: int | None = None
    max_tokens: int = 2048
    n_ctx: int = 4096
    n_threads: int = 0  # 0: let llama.cpp choose
    n_gpu_layers: int = 0
    # What happens when the conversation does not fit the context window; recorded with each
    # turn. "none": nothing is dropped, the turn fails with a context-overflow message.
    truncation: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SamplingParams:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})

    def with_seed(self, seed: int) -> SamplingParams:
        return replace(self, seed=seed)

    def checked(self) -> SamplingParams:
        """These parameters, or ValueError if the seed is not one the sampler uses as given."""
        seed = self.seed
        if seed is not None and (
            not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= SEED_MAX
        ):
            raise ValueError(f"The seed {seed!r} is not a whole number from 0 to {SEED_MAX}.")
        return self


@dataclass(frozen=True)
class RunSettings:
    """What the user chose for the next turn: preset, prompt and sampling."""

    preset: str = "magistral"
    system_prompt: str = ""
    require_reasoning: bool = False
    template: TemplateChoice = TemplateChoice.AUTO
    params: SamplingParams = field(default_factory=SamplingParams)
    # Remote servers only. ``prompt_mode`` is Mistral's request option, sent to Mistral's API alone:
    # "reasoning" asks for the API's own reasoning system prompt, "none" declines it (sent as
    # null), "" sends nothing (not chosen). ``resend_reasoning`` sends earlier turns' reasoning back
    # with their answers (left out by default, as reasoning models expect).
    prompt_mode: str = ""
    resend_reasoning: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "system_prompt": self.system_prompt,
            "require_reasoning": self.require_reasoning,
            "template": str(self.template),
            "params": self.params.to_dict(),
            "prompt_mode": self.prompt_mode,
            "resend_reasoning": self.resend_reasoning,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        prompt_mode = data.get("prompt_mode") or ""
        if prompt_mode not in PROMPT_MODES:
            raise ValueError(f"{prompt_mode!r} is not a prompt mode (use one of {sorted(PROMPT_MODES)}).")
        return cls(
            preset=str(data.get("preset", "magistral")),
            system_prompt=str(data.get("system_prompt", "")),
            require_reasoning=bool(data.get("require_reasoning", False)),
            template=TemplateChoice(data.get("template", TemplateChoice.AUTO)),
            params=SamplingParams.from_dict(dict(data.get("params", {}))).checked(),
            prompt_mode=str(prompt_mode),
            resend_reasoning=bool(data.get("resend_reasoning", False)),
        )


# ``RunSettings.prompt_mode``: "" (not sent), "reasoning", or "none" (sent as null).
PROMPT_MODES = frozenset({"", "reasoning", "none"})


@dataclass(frozen=True)
class ModelFile:
    """A model file as identified in the record."""

    path: str
    size: int
    sha256: str

    @classmethod
    def remote(cls, endpoint: str, model_id: str) -> ModelFile:
        """A model on a server: there is no file, so no hash; reports say so in words.

        The path is ``ENDPOINT/MODEL_ID`` (OpenAI's own address for the model), which tells
        remote models apart; size 0; the hash is empty.
        """
        return cls(f"{endpoint.rstrip('/')}/{model_id}", 0, "")

    @property
    def is_remote(self) -> bool:
        """A model on a server, as recorded now (no hash, a URL) or before (a "remote:" hash)."""
        if self.sha256.startswith(REMOTE_MODEL_MARKER):
            return True
        return not self.sha256 and self.size == 0 and self.path.lower().startswith(("http://", "https://"))

    @property
    def key(self) -> str:
        """What tells models apart: a file's SHA-256, else its path (a remote model's address)."""
        return self.path if self.is_remote or not self.sha256 else self.sha256


# Remote models were once recorded with "remote:" and the SHA-256 of their address as hash:
# such records are still read as remote, and that value is never shown as a file's hash.
REMOTE_MODEL_MARKER = "remote:"


class HashCheck(enum.StrEnum):
    """How a turn's recorded file hash (model or projector) was established for its load.

    Every load hashes its files in full in the background, from the handle opened before
    loading; a turn that begins before that hash is done records the cached hash (or none)
    and is settled when it finishes.
    """

    VERIFIED = "verified"  # the whole file was hashed for this load before the turn began
    VERIFIED_AFTER = "verified-after-turn"  # hashed in full after the turn began; it matched
    CACHED = "cached"  # from the hash cache; this load's own hash never finished
    UNHASHED = "unhashed"  # no cached hash and this load's own hash never finished
    MISMATCH = "mismatch"  # the cache was wrong: the recorded hash is the one computed
    UNVERIFIABLE = "unverifiable"  # written to while loaded: what ran cannot be hashed

    def words(self, sha256: str = "", expected: str | None = None) -> str:
        """One sentence for a report, naming both hashes when they differ."""
        if self is HashCheck.VERIFIED:
            return "verified: the whole file was hashed for this load before the turn began"
        if self is HashCheck.VERIFIED_AFTER:
            if expected:
                return "verified after the turn: this load's full hash finished later and matched the cache"
            return "hashed after the turn: this load's full hash finished after the turn began"
        if self is HashCheck.CACHED:
            return (
                "from the hash cache (same device, file ID, size, modification and change time); "
                "not verified for this load: the app stopped before its hash finished"
            )
        if self is HashCheck.UNHASHED:
            return "not hashed: the app stopped before this load's hash finished"
        if self is HashCheck.MISMATCH:
            return (
                f"MISMATCH: the hash cache said {expected}, the file that loaded hashes to {sha256}; "
                "the turn was stopped or ran before this was known"
            )
        return "not verifiable: the file was written to while loaded, so the bytes that ran are unknown"


def hash_check_words(check: HashCheck | None, sha256: str = "", expected: str | None = None) -> str:
    """``check.words``, or what a turn recorded before load-time checks means."""
    if check is None:
        return "not verified at load (recorded before load-time hashing; cached by path, size and time)"
    return check.words(sha256, expected)


@dataclass(frozen=True)
class ChatMessage:
    """A message as sent; ``images`` are the SHA-256s of the image copies the model saw.

    ``reasoning``: an earlier answer's reasoning, sent back with it (only when the user asked
    for it, and only to a remote server); empty otherwise, and then not recorded at all.
    """

    role: str
    content: str
    images: tuple[str, ...] = ()
    reasoning: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.images:
            parts: list[dict[str, str]] = [{"type": "image", "sha256": sha256} for sha256 in self.images]
            parts.append({"type": "text", "text": self.content})
            data["content"] = parts
        if self.reasoning:
            data["reasoning"] = self.reasoning
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatMessage:
        content = data["content"]
        reasoning = str(data.get("reasoning") or "")
        if isinstance(content, str):
            return cls(data["role"], content, reasoning=reasoning)
        text = "".join(part["text"] for part in content if part.get("type") == "text")
        images = tuple(part["sha256"] for part in content if part.get("type") == "image")
        return cls(data["role"], text, images, reasoning)


@dataclass(frozen=True)
class TurnImage:
    """An image attached to a turn: the original, and the copy the model saw (if it saw one)."""

    position: int
    filename: str
    sha256: str
    media_type: str
    width: int
    height: int
    size: int
    sent_to_model: bool
    sent_sha256: str | None = None
    sent_width: int | None = None
    sent_height: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "width": self.width,
            "height": self.height,
            "bytes": self.size,
            "sent_to_model": self.sent_to_model,
            "sent_sha256": self.sent_sha256,
            "sent_width": self.sent_width,
            "sent_height": self.sent_height,
        }


@dataclass(frozen=True)
class PreparedPrompt:
    """The exact text the model receives after its chat template."""

    messages: tuple[ChatMessage, ...]
    text: str
    sha256: str
    token_count: int
    template_source: str  # "gguf" or "pinned:<name>"
    template_sha256: str
    starts_in_reasoning: bool = False
    # The image copies sent, in the order their markers appear in ``text``.
    image_data: tuple[bytes, ...] = field(default=(), repr=False)
    # A remote server's request body as recorded, and the hash of the bytes it stands for.
    request: RecordedRequest | None = None
    # The ids the model evaluates: one run of text ids before, between and after the images
    # (``core.tokens``). Recorded with the turn; a prompt made of recorded ids and image copies
    # is evaluated as it is, never rendered again. Empty: a runtime without ids (a server).
    token_segments: tuple[tuple[int, ...], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Turn:
    """One prompt and its reasoning and answer, as recorded."""

    id: int
    conversation_id: int
    index: int
    prompt: str
    system_prompt: str
    messages: tuple[ChatMessage, ...]
    rendered_prompt: str
    rendered_prompt_sha256: str
    template_source: str
    template_sha256: str
    params: SamplingParams
    require_reasoning: bool
    preset: str
    model: ModelFile
    llama_cpp_version: str
    app_version: str
    os_user: str
    started_at: str
    raw_output: str = ""
    reasoning: str = ""
    answer: str = ""
    status: TurnStatus = TurnStatus.RUNNING
    finish_reason: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finished_at: str | None = None
    tokens_per_second: float | None = None
    time_to_first_token_ms: float | None = None
    images: tuple[TurnImage, ...] = ()
    projector: ModelFile | None = None
    annotations: tuple[Annotation, ...] = ()
    # "local", or "remote" on ``endpoint`` as ``remote_model``; None: recorded before either
    # was written down, when every model ran locally.
    backend: str | None = None
    endpoint: str | None = None
    remote_model: str | None = None
    usage_source: str | None = None  # "server" or "approximate" token counts; None: exact, local
    # How ``model.sha256`` and ``projector.sha256`` were established; the cache's wrong hash
    # when they MISMATCH. None: recorded before load-time hashing.
    model_check: HashCheck | None = None
    model_expected: str | None = None
    projector_check: HashCheck | None = None
    projector_expected: str | None = None
    server_fingerprint: str | None = None  # what a remote server reported (OpenAI's system_fingerprint)
    # A remote turn's exchange. The request body as recorded (image data URIs named by their
    # SHA-256: ``core.remote_request``), and the SHA-256 and size of the exact bytes sent; how
    # often it was sent (a server that said "too many requests" is asked again); and what the
    # server said of its answer: its id, the model that answered, its usage object as sent
    # (JSON), reasoning tokens where it counts them, and any output parts of a kind the app
    # does not know, verbatim (a JSON array), which are neither reasoning nor answer.
    request_json: str | None = None
    request_sha256: str | None = None
    request_size: int | None = None
    request_attempts: int | None = None
    response_id: str | None = None
    response_model: str | None = None
    server_usage_json: str | None = None
    reasoning_tokens: int | None = None
    unhandled_output_json: str | None = None
    # The ids the model saw and sampled, as recorded (``core.tokens`` blobs: little-endian
    # uint32, each image of the prompt as ``IMAGE_SLOT``), and how many of the sampled ones
    # were answer (``reasoning_tokens`` the rest; for a remote turn, the server's count).
    # None: not known (a remote turn, one recorded before ids were kept, or interrupted).
    prompt_token_blob: bytes | None = field(default=None, repr=False)
    # Where a local turn ran, as llama.cpp reported it when the turn began: threads, batch
    # sizes, CPU features, layers offloaded. None: a server's turn, or recorded before this.
    runtime: Mapping[str, Any] | None = None
    output_token_blob: bytes | None = field(default=None, repr=False)
    answer_tokens: int | None = None
    # Who started the turn as the ledger entry of its row names them: the reviewer's name set in
    # the app (else the account, as ``os_user``). "" where the entry was not read.
    actor: str = ""

    @property
    def ran_remotely(self) -> bool:
        return self.backend == "remote"

    @property
    def prompt_token_ids(self) -> tuple[int, ...] | None:
        """The prompt's ids, ``IMAGE_SLOT`` where each image stands (``TokenIdsError`` if damaged)."""
        if self.prompt_token_blob is None:
            return None
        return unpack_ids(self.prompt_token_blob, f"prompt token ids of turn {self.id}")

    @property
    def prompt_token_segments(self) -> tuple[tuple[int, ...], ...] | None:
        """The prompt's runs of text ids between its images, as ``PreparedPrompt.token_segments``."""
        ids = self.prompt_token_ids
        return None if ids is None else split_segments(ids)

    @property
    def output_token_ids(self) -> tuple[int, ...] | None:
        """The ids sampled, in order (``TokenIdsError`` if damaged)."""
        if self.output_token_blob is None:
            return None
        return unpack_ids(self.output_token_blob, f"output token ids of turn {self.id}")

    def remote_exchange(self) -> dict[str, Any] | None:
        """What left the machine for this turn and what the server said of its answer (None: local)."""
        if self.request_json is None and self.response_id is None and self.response_model is None:
            return None
        return {
            "request": {
                "body": json.loads(self.request_json) if self.request_json is not None else None,
                "sha256": self.request_sha256,
                "bytes": self.request_size,
                "attempts": self.request_attempts,
                "images": "each data:image/png;sha256,HEX stands for data:image/png;base64,… of the stored "
                "image HEX: put back, the body is byte for byte what was sent (sha256)",
            },
            "response": {
                "id": self.response_id,
                "model": self.response_model,
                "system_fingerprint": self.server_fingerprint,
                "usage": json.loads(self.server_usage_json) if self.server_usage_json else None,
                "reasoning_tokens": self.reasoning_tokens,
                "unhandled_output": (
                    json.loads(self.unhandled_output_json) if self.unhandled_output_json else []
                ),
            },
        }

    def where_it_ran(self) -> str:
        """One plain sentence for reports: the model ran remotely, on which server, as which model."""
        if not self.ran_remotely:
            return ""
        return f"ran remotely on {self.endpoint}, model {self.remote_model}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "index": self.index,
            "prompt": self.prompt,
            "reasoning": self.reasoning,
            "answer": self.answer,
            "raw_output": self.raw_output,
            "status": str(self.status),
            "finish_reason": self.finish_reason,
            "error": self.error,
            "system_prompt": self.system_prompt,
            "messages": [message.to_dict() for message in self.messages],
            "rendered_prompt": self.rendered_prompt,
            "rendered_prompt_sha256": self.rendered_prompt_sha256,
            "template": {"source": self.template_source, "sha256": self.template_sha256},
            "preset": self.preset,
            "require_reasoning": self.require_reasoning,
            "params": self.params.to_dict(),
            "model": (
                # No file, so no hash: where it ran, as what, and what the server said of itself.
                {
                    "remote": True,
                    "endpoint": self.endpoint,
                    "model_id": self.remote_model,
                    "server_fingerprint": self.server_fingerprint,
                    "sha256": None,
                }
                if self.ran_remotely or self.model.is_remote
                else {
                    "remote": False,
                    "path": self.model.path,
                    "sha256": self.model.sha256,
                    "size": self.model.size,
                    "hash_check": str(self.model_check) if self.model_check else None,
                    "hash_check_words": hash_check_words(
                        self.model_check, self.model.sha256, self.model_expected
                    ),
                    "cached_sha256": self.model_expected,
                }
            ),
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
            },
            "tokens_per_second": self.tokens_per_second,
            "time_to_first_token_ms": self.time_to_first_token_ms,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "llama_cpp_version": self.llama_cpp_version,
            "app_version": self.app_version,
            "os_user": self.os_user,
            "images": [image.to_json() for image in self.images],
            "annotations": [annotation.to_json() for annotation in self.annotations],
            "projector": (
                {
                    "path": self.projector.path,
                    "sha256": self.projector.sha256,
                    "size": self.projector.size,
                    "hash_check": str(self.projector_check) if self.projector_check else None,
                    "hash_check_words": hash_check_words(
                        self.projector_check, self.projector.sha256, self.projector_expected
                    ),
                    "cached_sha256": self.projector_expected,
                }
                if self.projector
                else None
            ),
            "backend": self.backend or "local",
            "remote": (
                {"endpoint": self.endpoint, "model": self.remote_model} if self.ran_remotely else None
            ),
            "usage_source": self.usage_source,
            "remote_exchange": self.remote_exchange(),
            "runtime": dict(self.runtime) if self.runtime is not None else None,
            # Each image of the prompt stands among its ids as IMAGE_SLOT (4294967295).
            "prompt_token_ids": _listed(self.prompt_token_ids),
            "output_token_ids": _listed(self.output_token_ids),
            "reasoning_tokens": self.reasoning_tokens,
            "answer_tokens": self.answer_tokens,
        }


def _listed(ids: tuple[int, ...] | None) -> list[int] | None:
    return None if ids is None else list(ids)


@dataclass(frozen=True)
class ConversationSummary:
    id: int
    title: str
    created_at: str
    turn_count: int
    last_status: TurnStatus | None
    # ReviewState is defined further down, hence the factory.
    review_state: ReviewState = field(default_factory=lambda: ReviewState.UNREVIEWED)
    flagged: bool = False  # a turn whose latest note is a concern or an error
    has_images: bool = False
    models: tuple[ModelFile, ...] = ()  # distinct by SHA-256, in order of first use
    last_activity: str = ""  # the latest time anything was recorded in it
    # How the last turn ended, beside ``last_status`` (``app.core.states.state_of`` reads the three).
    last_finish_reason: str | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: str
    created_by: str
    turns: tuple[Turn, ...] = ()
    signoffs: tuple[SignOff, ...] = ()
    continues: int | None = None  # the signed conversation this one carries on from

    @property
    def locked(self) -> bool:
        """Signed off: nothing in it may change any more."""
        return bool(self.signoffs)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "continues": self.continues,
            "locked": self.locked,
            "signoffs": [signoff.to_json() for signoff in self.signoffs],
            "turns": [turn.to_json() for turn in self.turns],
        }


class ReviewState(enum.StrEnum):
    """How far review of a conversation has gone: a sign-off outranks notes."""

    UNREVIEWED = "unreviewed"
    ANNOTATED = "annotated"
    SIGNED = "signed"


class SearchField(enum.StrEnum):
    """Where in the record a search hit was found."""

    TITLE = "title"
    PROMPT = "prompt"
    REASONING = "reasoning"
    ANSWER = "answer"
    ANNOTATION = "annotation"


# Matches in a snippet are wrapped in these private-use characters: they cannot be confused
# with anything the model or a reviewer wrote, because any such character in the recorded
# text is replaced before the markers go in.
MATCH_START = "\ue000"
MATCH_END = "\ue001"


@dataclass(frozen=True)
class SessionFilter:
    """Which conversations the session browser shows; every criterion given must hold.

    Dates are UTC days, both ends included, compared with the conversation's creation.
    ``model`` is a model file's SHA-256 (or a prefix of at least 8 hex digits), a remote model's
    address, or part of its file name (a remote model's id), case-insensitive. ``text`` is
    searched as one phrase, case-insensitive.
    """

    date_from: date | None = None
    date_to: date | None = None
    model: str | None = None
    review_state: ReviewState | None = None
    flagged_only: bool = False
    text: str = ""

    @property
    def narrows(self) -> bool:
        """Whether any criterion other than the text is set."""
        return bool(self.date_from or self.date_to or self.model or self.review_state or self.flagged_only)

    def accepts(self, summary: ConversationSummary) -> bool:
        """Every criterion except the text (which needs the search index)."""
        day = summary.created_at[:10]
        if self.date_from is not None and day < self.date_from.isoformat():
            return False
        if self.date_to is not None and day > self.date_to.isoformat():
            return False
        if self.review_state is not None and summary.review_state != self.review_state:
            return False
        if self.flagged_only and not summary.flagged:
            return False
        return not self.model or any(model_matches(self.model, model) for model in summary.models)


def model_matches(wanted: str, model: ModelFile) -> bool:
    """A SHA-256 (or a prefix of 8+ hex digits), the model's ``key`` or part of its file name."""
    wanted = wanted.strip().lower()
    if not wanted or wanted == model.key.lower():
        return True
    if len(wanted) >= 8 and all(c in "0123456789abcdef" for c in wanted) and model.sha256.startswith(wanted):
        return True
    name = model.path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return wanted in name


@dataclass(frozen=True)
class SearchHit:
    """One field of the record that contains the searched text, with a snippet around it.

    ``turn_id`` and ``turn_index`` are None for a conversation's title.
    """

    conversation_id: int
    conversation_title: str
    turn_id: int | None
    turn_index: int | None
    field: SearchField
    snippet: str  # each match between MATCH_START and MATCH_END

    def plain(self) -> str:
        """The snippet without match markers."""
        return self.snippet.replace(MATCH_START, "").replace(MATCH_END, "")

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of each match in ``plain()``."""
        spans, position, start = [], 0, 0
        for character in self.snippet:
            if character == MATCH_START:
                start = position
            elif character == MATCH_END:
                spans.append((start, position))
            else:
                position += 1
        return spans

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "conversation_title": self.conversation_title,
            "turn_id": self.turn_id,
            "turn_index": self.turn_index,
            "field": str(self.field),
            "snippet": self.plain(),
            "matches": [list(span) for span in self.spans()],
        }
