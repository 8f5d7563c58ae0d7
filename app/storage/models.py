"""The record's schema: every table, column, key, index and check, for every database engine.

A new record is made from this metadata (``sqlite_dialect.create_schema`` adds what SQLite needs
besides); ``migrations`` bring an older one to the same schema, which a test compares.
Every table here is append-only: its rows are never changed or deleted.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    REAL,
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    # The types every record has declared since its first migration (INTEGER, TEXT, REAL, BLOB,
    # BOOLEAN); an engine whose INTEGER and REAL are narrower gets 64-bit integers (nanosecond
    # times, sizes) and double precision.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigInteger().with_variant(Integer(), "sqlite"),
        str: Text(),
        float: Double().with_variant(REAL(), "sqlite"),
        bytes: LargeBinary(),
    }


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    created_at: Mapped[str]
    created_by: Mapped[str]


class ModelFileRow(Base):
    __tablename__ = "model_files"
    __table_args__ = (Index("ix_model_files_identity", "path", "size", "mtime_ns", "ctime_ns"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str]
    size: Mapped[int]
    mtime_ns: Mapped[int]
    sha256: Mapped[str]
    hashed_at: Mapped[str]
    device: Mapped[int | None]
    inode: Mapped[int | None]
    ctime_ns: Mapped[int | None]
    tripwire: Mapped[str | None]


class TurnRow(Base):
    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("conversation_id", "turn_index"),
        # The session browser's turn counts, latest activity and models come from this index
        # alone, without reading the (large) turn rows.
        Index("ix_turns_browse", "conversation_id", "model_sha256", "started_at", "model_path", "model_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    turn_index: Mapped[int]
    prompt: Mapped[str]
    system_prompt: Mapped[str]
    messages_json: Mapped[str]
    rendered_prompt: Mapped[str]
    rendered_prompt_sha256: Mapped[str]
    prompt_tokens: Mapped[int]
    template_source: Mapped[str]
    template_sha256: Mapped[str]
    preset: Mapped[str]
    params_json: Mapped[str]
    require_reasoning: Mapped[bool]
    model_path: Mapped[str]
    model_size: Mapped[int]
    model_sha256: Mapped[str]
    runtime_version: Mapped[str]
    app_version: Mapped[str]
    os_user: Mapped[str]
    started_at: Mapped[str]
    projector_path: Mapped[str | None]
    projector_size: Mapped[int | None]
    projector_sha256: Mapped[str | None]
    backend: Mapped[str | None]
    endpoint: Mapped[str | None]
    remote_model: Mapped[str | None]
    model_check: Mapped[str | None]  # 'verified', 'cached' or 'pending' when the turn began
    projector_check: Mapped[str | None]
    request_json: Mapped[str | None]  # a remote turn's request body, images named by SHA-256
    request_sha256: Mapped[str | None]  # of the exact bytes sent
    request_size: Mapped[int | None]
    prompt_token_ids: Mapped[bytes | None]  # little-endian uint32 (app.core.tokens)
    runtime_json: Mapped[str | None]  # where a local turn ran: threads, batch sizes, CPU features


class TurnChunkRow(Base):
    """Output saved while streaming: appended, never rewritten."""

    __tablename__ = "turn_chunks"
    __table_args__ = (UniqueConstraint("turn_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    seq: Mapped[int]
    raw: Mapped[str]
    reasoning: Mapped[str]
    answer: Mapped[str]
    saved_at: Mapped[str]


class TurnOutcomeRow(Base):
    """How a turn ended; a turn without one is still running (or was interrupted)."""

    __tablename__ = "turn_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"), unique=True)
    status: Mapped[str]
    finish_reason: Mapped[str | None]
    error: Mapped[str | None]
    completion_tokens: Mapped[int]
    tokens_per_second: Mapped[float | None]
    time_to_first_token_ms: Mapped[float | None]
    finished_at: Mapped[str]
    prompt_tokens: Mapped[int | None]
    usage_source: Mapped[str | None]
    server_fingerprint: Mapped[str | None]
    request_attempts: Mapped[int | None]
    response_id: Mapped[str | None]
    response_model: Mapped[str | None]
    server_usage_json: Mapped[str | None]
    reasoning_tokens: Mapped[int | None]
    unhandled_output_json: Mapped[str | None]
    output_token_ids: Mapped[bytes | None]  # little-endian uint32 (app.core.tokens)
    answer_tokens: Mapped[int | None]


class ModelCheckRow(Base):
    """What a load's full hash found for a turn that began before it finished."""

    __tablename__ = "model_checks"
    __table_args__ = (
        CheckConstraint("role IN ('model', 'projector')"),
        CheckConstraint("result IN ('verified', 'mismatch', 'unverifiable')"),
        Index("ix_model_checks_turn", "turn_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    role: Mapped[str]  # 'model' or 'projector'
    result: Mapped[str]  # 'verified', 'mismatch' or 'unverifiable'
    sha256: Mapped[str]
    expected: Mapped[str | None]  # the hash the turn began with (the cache's), if any
    checked_at: Mapped[str]


class BlobRow(Base):
    """Image bytes, stored once per content hash."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes]
    created_at: Mapped[str]


class TurnImageRow(Base):
    __tablename__ = "turn_images"
    __table_args__ = (UniqueConstraint("turn_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    position: Mapped[int]
    filename: Mapped[str]
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    media_type: Mapped[str]
    width: Mapped[int]
    height: Mapped[int]
    bytes: Mapped[int]
    sent_to_model: Mapped[bool]
    sent_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    sent_width: Mapped[int | None]
    sent_height: Mapped[int | None]


class AnnotationRow(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint("flag IN ('ok', 'concern', 'error')"),
        Index("ix_annotations_turn", "turn_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    flag: Mapped[str]
    comment: Mapped[str]
    author: Mapped[str]
    os_user: Mapped[str]
    created_at: Mapped[str]


class SignOffRow(Base):
    __tablename__ = "signoffs"
    __table_args__ = (
        CheckConstraint("meaning IN ('reviewed', 'approved', 'rejected')"),
        Index("ix_signoffs_conversation", "conversation_id", "id"),
        # One signature per person per conversation (NULLs, sign-offs from before identities, differ).
        Index("ix_signoffs_signer", "conversation_id", "identity_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    meaning: Mapped[str]
    printed_name: Mapped[str]
    reason: Mapped[str]
    os_user: Mapped[str]
    signed_at: Mapped[str]
    ledger_head: Mapped[str]
    # A personal signature (app.core.signoff), by the signer's own key: NULL in sign-offs recorded
    # before identities, whose ledger payloads stay as they were.
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    role: Mapped[str | None]
    statement: Mapped[str | None]  # what the meaning signifies, in words, as the signer saw it
    signed_at_local: Mapped[str | None]  # the signer's local time, with its UTC offset
    content_sha256: Mapped[str | None]  # app.core.signoff.content_digest of the conversation
    signature: Mapped[str | None]  # Ed25519, hex, over app.core.signoff.signoff_message


class IdentityRow(Base):
    """A person who signs: the public half of their own Ed25519 key, and proof they held the key."""

    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    role: Mapped[str]
    os_user: Mapped[str]
    public_key: Mapped[str] = mapped_column(unique=True)
    fingerprint: Mapped[str] = mapped_column(unique=True)  # app.core.signing.fingerprint
    created_at: Mapped[str]
    proof: Mapped[str]  # the key's signature over app.core.signoff.identity_message


class IdentityRevocationRow(Base):
    """An identity withdrawn: it signs nothing from then on (what it signed before stays valid)."""

    __tablename__ = "identity_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), unique=True)
    revoked_at: Mapped[str]
    reason: Mapped[str]
    os_user: Mapped[str]


class ConversationLinkRow(Base):
    __tablename__ = "conversation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    continues_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    created_at: Mapped[str]


class CheckpointRow(Base):
    """A signature over the ledger head: (entry count, head hash, time)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str]
    entry_count: Mapped[int]
    head_hash: Mapped[str]
    reason: Mapped[str]
    public_key: Mapped[str]
    signature: Mapped[str]


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str]
    kind: Mapped[str]
    detail_json: Mapped[str]


class LedgerRow(Base):
    """One entry of the hash chain; it describes one row of the record (``ledger``)."""

    __tablename__ = "ledger"
    __table_args__ = (Index("ix_ledger_object", "object_type", "object_id"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # numbered by the chain
    at: Mapped[str]
    os_user: Mapped[str]
    actor: Mapped[str]
    action: Mapped[str]
    object_type: Mapped[str]
    object_id: Mapped[str]
    payload: Mapped[bytes]  # the row as canonical JSON
    payload_sha256: Mapped[str]
    prev_hash: Mapped[str]
    entry_hash: Mapped[str] = mapped_column(unique=True)


class SchemaMigrationRow(Base):
    """A named migration the record has applied (a new record: every one known when it was made)."""

    __tablename__ = "schema_migrations"

    name: Mapped[str] = mapped_column(primary_key=True)
    applied_at: Mapped[str]
