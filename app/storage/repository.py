"""Read and append records; every method is one transaction and returns core types."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.core.cancel import CancelToken
from app.core.clock import local_time, os_user, utc_now
from app.core.errors import LockedError, NotFoundError, StorageError, VeritraceError
from app.core.identity import FileIdentity
from app.core.images import CheckedImage, ModelImage
from app.core.remote_request import ServerResponse
from app.core.report import BundleScope
from app.core.signing import (
    KEY_ENROLLED,
    KEY_EVENTS,
    KEY_REPLACED,
    KEY_ROTATED,
    KeyPair,
    checkpoint_message,
    fingerprint,
    key_event_message,
)
from app.core.signoff import ContentRow, identity_message, signoff_message
from app.core.tokens import OutputTokens, pack_ids, pack_segments
from app.core.types import (
    Annotation,
    ChatMessage,
    Checkpoint,
    Conversation,
    ConversationSummary,
    Flag,
    HashCheck,
    Identity,
    Meaning,
    ModelFile,
    PreparedPrompt,
    RunSettings,
    SamplingParams,
    SearchHit,
    SessionFilter,
    SignOff,
    Turn,
    TurnImage,
    TurnStatus,
)
from app.storage import ledger, search
from app.storage.backup import backup_database
from app.storage.engine import open_engine, reader
from app.storage.models import (
    AnnotationRow,
    Base,
    BlobRow,
    CheckpointRow,
    ConversationLinkRow,
    ConversationRow,
    EventRow,
    IdentityRevocationRow,
    IdentityRow,
    LedgerRow,
    ModelCheckRow,
    ModelFileRow,
    SignOffRow,
    TurnChunkRow,
    TurnImageRow,
    TurnOutcomeRow,
    TurnRow,
)
from app.storage.scope import read_scope
from app.storage.sqlite_errors import Trouble, trouble


class Store:
    """The record. Thread-safe: each call opens its own session."""

    def __init__(self, path: Path | str, *, actor: str | None = None, backups: Path | None = None) -> None:
        self.path = path
        self.os_user = os_user()
        self.actor = actor or self.os_user  # the display name set in the app, if any
        self.engine: Engine
        self.engine, upgraded = open_engine(path, utc_now(), backups)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = reader(self.engine)
        self._reads = sessionmaker(self._reader, expire_on_commit=False)
        self.index = search.SearchIndex.of(self.engine)  # derived full-text index, kept current here
        # Called after every committed checkpoint (the services keep a witness outside the file).
        self.on_checkpoint: Callable[[Checkpoint], None] | None = None
        if upgraded:
            self.log_event("database.migrated", {"applied": upgraded})

    def close(self) -> None:
        self.engine.dispose()

    def _record(self, session: Session, row: Base, action: str = "") -> None:
        """Add a row and, in the same transaction, the ledger entry that describes it."""
        session.add(row)
        session.flush()
        ledger.append_rows(session, self.actor, self.os_user, [row], action)

    def log_event(self, kind: str, detail: dict[str, Any]) -> None:
        """Record something that happened (the ledger entry's action is ``kind``)."""
        with self._guard(), self._sessions.begin() as session:
            row = EventRow(
                at=utc_now(), kind=kind, detail_json=json.dumps(detail, sort_keys=True, ensure_ascii=False)
            )
            self._record(session, row, kind)

    def model_details(self, sha256s: Collection[str]) -> dict[str, dict[str, Any]]:
        """What was recorded about each model file (by SHA-256) when it was loaded; the latest wins.

        Turns name the file and its hash; its metadata (quantization, architecture, parameters,
        trained context) is in the ``model.loaded`` event written when it was loaded.
        """
        wanted = set(sha256s)
        found: dict[str, dict[str, Any]] = {}
        # A file hashed after it loaded is named by its hash in the event that says so.
        kinds = ("model.loaded", "model.verified", "model.hash_mismatch")
        query = select(EventRow.detail_json).where(EventRow.kind.in_(kinds)).order_by(EventRow.id)
        with self._reader.connect() as connection:
            for (detail_json,) in connection.execute(query):
                detail = json.loads(detail_json)
                if isinstance(detail, dict) and detail.get("sha256") in wanted:
                    found[detail["sha256"]] = detail
        return found

    def events_of(self, kinds: Collection[str]) -> list[tuple[int, str, dict[str, Any]]]:
        """(id, kind, detail) of every event of these kinds, oldest first."""
        query = (
            select(EventRow.id, EventRow.kind, EventRow.detail_json)
            .where(EventRow.kind.in_(list(kinds)))
            .order_by(EventRow.id)
        )
        with self._reader.connect() as connection:
            return [(number, kind, json.loads(detail)) for number, kind, detail in connection.execute(query)]

    def checkpoints(self) -> list[Checkpoint]:
        """Every signed checkpoint, oldest first."""
        with self._reads() as session:
            return [
                Checkpoint(
                    row.id, row.at, row.entry_count, row.head_hash, row.reason, row.public_key, row.signature
                )
                for row in session.scalars(select(CheckpointRow).order_by(CheckpointRow.id))
            ]

    def backup(self, folder: Path, label: str) -> Path:
        """A consistent copy of the record (SQLite backup API), taken while it is in use."""
        return backup_database(Path(str(self.path)), folder, label)

    def head(self) -> tuple[int, str]:
        """(entry count, head hash) of the ledger now."""
        with self._reader.connect() as connection:
            return ledger.head(connection)

    def entry_hash_at(self, seq: int) -> str | None:
        """The hash of ledger entry ``seq`` (the all-zero genesis hash for 0), None past the end."""
        if seq == 0:
            return ledger.GENESIS
        with self._reader.connect() as connection:
            found = connection.scalar(select(LedgerRow.entry_hash).where(LedgerRow.seq == seq))
        return None if found is None else str(found)

    def entry_seq(self, entry_hash: str) -> int | None:
        """Which entry has this hash (entry hashes are unique), None if none."""
        with self._reader.connect() as connection:
            found = connection.scalar(select(LedgerRow.seq).where(LedgerRow.entry_hash == entry_hash))
        return None if found is None else int(found)

    def entries_after(self, seq: int) -> dict[str, int]:
        """How many entries of each action come after entry ``seq`` (what a rollback to it loses)."""
        with self._reader.connect() as connection:
            rows = connection.execute(
                select(LedgerRow.action, func.count())
                .where(LedgerRow.seq > seq)
                .group_by(LedgerRow.action)
                .order_by(LedgerRow.action)
            )
            return {str(action): int(number) for action, number in rows}

    def verify(self, cancel: CancelToken | None = None) -> ledger.Verification:
        """Check the hash chain and every row against its ledger entry (``Cancelled`` if ``cancel``)."""
        with self._reader.connect() as connection:
            return ledger.verify(connection, cancel)

    # -- writing ---------------------------------------------------------------

    def create_conversation(self, title: str, user: str) -> int:
        with self._guard(), self._sessions.begin() as session:
            row = ConversationRow(title=title, created_at=utc_now(), created_by=user)
            self._record(session, row)
            self.index.add_title(session.connection(), row.id, title)
            return row.id

    def begin_turn(
        self,
        conversation_id: int | None,
        prompt: str,
        settings: RunSettings,
        prepared: PreparedPrompt,
        model: ModelFile,
        runtime_version: str,
        app_version: str,
        user: str,
        title: str = "Untitled",
        images: Sequence[tuple[CheckedImage, ModelImage | None]] = (),
        projector: ModelFile | None = None,
        endpoint: str | None = None,
        remote_model: str | None = None,
        model_check: str | None = None,
        projector_check: str | None = None,
        runtime: Mapping[str, object] | None = None,
    ) -> Turn:
        """Commit the prompt and everything known about the run before generation starts.

        ``model_check``/``projector_check``: how the files' hashes stood for this load when the
        turn began ('verified', 'cached' or 'pending'); ``record_model_checks`` settles them.

        With no conversation id, the conversation is created in the same transaction.
        With an ``endpoint``, the model ran remotely there as ``remote_model``, and ``model`` is
        ``ModelFile.remote(endpoint, remote_model)``.
        """
        with self._guard(), self._sessions.begin() as session:
            if conversation_id is None:
                conversation = ConversationRow(title=title, created_at=utc_now(), created_by=user)
                self._record(session, conversation)
                conversation_id = conversation.id
                self.index.add_title(session.connection(), conversation_id, title)
            elif session.get(ConversationRow, conversation_id) is None:
                raise NotFoundError(f"No conversation with id {conversation_id}.")
            else:
                _refuse_if_signed(session, conversation_id)
            index = session.scalar(select(func.count()).where(TurnRow.conversation_id == conversation_id))
            row = TurnRow(
                conversation_id=conversation_id,
                turn_index=int(index or 0),
                prompt=prompt,
                system_prompt=settings.system_prompt,
                messages_json=json.dumps([m.to_dict() for m in prepared.messages], ensure_ascii=False),
                rendered_prompt=prepared.text,
                rendered_prompt_sha256=prepared.sha256,
                prompt_tokens=prepared.token_count,
                template_source=prepared.template_source,
                template_sha256=prepared.template_sha256,
                preset=settings.preset,
                params_json=json.dumps(settings.params.to_dict(), sort_keys=True),
                require_reasoning=settings.require_reasoning,
                model_path=model.path,
                model_size=model.size,
                model_sha256=model.sha256,
                runtime_version=runtime_version,
                app_version=app_version,
                os_user=user,
                started_at=utc_now(),
                projector_path=projector.path if projector else None,
                projector_size=projector.size if projector else None,
                projector_sha256=projector.sha256 if projector else None,
                backend="remote" if endpoint else "local",
                endpoint=endpoint,
                remote_model=remote_model if endpoint else None,
                model_check=model_check,
                projector_check=projector_check if projector else None,
                request_json=prepared.request.text if prepared.request else None,
                request_sha256=prepared.request.sha256 if prepared.request else None,
                request_size=prepared.request.size if prepared.request else None,
                prompt_token_ids=pack_segments(prepared.token_segments) if prepared.token_segments else None,
                runtime_json=json.dumps(dict(runtime), sort_keys=True) if runtime else None,
            )
            self._record(session, row)
            self.index.add_prompt(session.connection(), conversation_id, row.id, prompt)
            image_rows = []
            for position, (original, sent) in enumerate(images):
                self._store_blob(session, original.sha256, original.data)
                if sent is not None:
                    self._store_blob(session, sent.sha256, sent.data)
                image = TurnImageRow(
                    turn_id=row.id,
                    position=position,
                    filename=original.filename,
                    sha256=original.sha256,
                    media_type=original.media_type,
                    width=original.width,
                    height=original.height,
                    bytes=original.size,
                    sent_to_model=sent is not None,
                    sent_sha256=sent.sha256 if sent else None,
                    sent_width=sent.width if sent else None,
                    sent_height=sent.height if sent else None,
                )
                self._record(session, image)
                image_rows.append(image)
            return _turn(row, [], None, image_rows, actor=self.actor)

    def _store_blob(self, session: Session, sha256: str, data: bytes) -> None:
        if session.get(BlobRow, sha256) is None:
            self._record(session, BlobRow(sha256=sha256, size=len(data), data=data, created_at=utc_now()))

    def annotate(self, turn_id: int, flag: Flag, comment: str, author: str) -> Annotation:
        """Add a reviewer's note to a turn (never edits: a later note supersedes an earlier one)."""
        with self._guard(), self._sessions.begin() as session:
            turn = session.get(TurnRow, turn_id)
            if turn is None:
                raise NotFoundError(f"No turn with id {turn_id}.")
            _refuse_if_signed(session, turn.conversation_id)
            row = AnnotationRow(
                turn_id=turn_id,
                flag=str(Flag(flag)),
                comment=comment,
                author=author,
                os_user=self.os_user,
                created_at=utc_now(),
            )
            self._record(session, row)
            self.index.add_annotation(session.connection(), turn.conversation_id, turn_id, comment)
            return _annotation(row)

    def checkpoint(self, key: KeyPair, reason: str) -> Checkpoint:
        """Sign the current chain head with the installation key."""
        with self._guard(), self._sessions.begin() as session:
            made = self._checkpoint(session, key, reason)
        self._checkpointed(made)
        return made

    def _checkpointed(self, made: Checkpoint) -> None:
        """Once a checkpoint is committed (never before: a witness must not run ahead of the record)."""
        if self.on_checkpoint is not None:
            self.on_checkpoint(made)

    def _checkpoint(self, session: Session, key: KeyPair, reason: str) -> Checkpoint:
        count, head_hash = ledger.head(session.connection())
        if count == 0:
            raise VeritraceError("The record is empty: there is nothing to sign yet.")
        current = self._current_key(session)
        if current is None:  # the first signature enrols its key (the window enrols at open)
            self._key_event(session, KEY_ENROLLED, str(uuid.uuid4()), None, key, None, "")
            count, head_hash = ledger.head(session.connection())
        elif current != key.public_hex:
            raise VeritraceError(
                f"The signing key {fingerprint(key.public_hex)} is not this record's current key "
                f"({fingerprint(current)}): a checkpoint signed with it would not verify. If the key file "
                "was replaced, record the change with `veritrace key replace --reason TEXT`."
            )
        at = utc_now()
        row = CheckpointRow(
            at=at,
            entry_count=count,
            head_hash=head_hash,
            reason=reason,
            public_key=key.public_hex,
            signature=key.sign(checkpoint_message(count, head_hash, at)),
        )
        self._record(session, row)
        return Checkpoint(row.id, at, count, head_hash, reason, row.public_key, row.signature)

    # -- the key history -------------------------------------------------------

    def _key_events(self, session: Session) -> list[dict[str, Any]]:
        rows = session.scalars(
            select(EventRow.detail_json).where(EventRow.kind.in_(KEY_EVENTS)).order_by(EventRow.id)
        )
        return [json.loads(detail) for detail in rows]

    def _current_key(self, session: Session) -> str | None:
        events = self._key_events(session)
        return str(events[-1]["public_key"]) if events else None

    def record_id(self) -> str | None:
        """The id given to this record when its first key was enrolled (None before that)."""
        with self._reads() as session:
            events = self._key_events(session)
        return str(events[0]["record_id"]) if events else None

    def current_key(self) -> str | None:
        """The public key (hex) that signs this record's checkpoints now, if one is enrolled."""
        with self._reads() as session:
            return self._current_key(session)

    def enroll_key(self, key: KeyPair, *, sign: bool = True) -> str:
        """Enrol the installation key as this record's first key; return the record's new id.

        With ``sign`` (and a record that holds anything), the head is signed at once, so every
        record that has a key has a checkpoint a witness can hold.
        """
        with self._guard(), self._sessions.begin() as session:
            if self._key_events(session):
                raise VeritraceError("This record already has a signing key enrolled.")
            record_id = str(uuid.uuid4())
            self._key_event(session, KEY_ENROLLED, record_id, None, key, None, "")
            made = self._checkpoint(session, key, "key enrolled") if sign else None
        if made is not None:
            self._checkpointed(made)
        return record_id

    def rotate_key(self, old: KeyPair, new: KeyPair) -> Checkpoint:
        """Retire ``old`` for ``new``, signed by both; the new key signs the head at once."""
        return self._change_key(KEY_ROTATED, old, new, "")

    def replace_key(self, new: KeyPair, reason: str) -> Checkpoint:
        """Bring in ``new`` without the current key (lost or damaged); ``verify`` names it in capitals."""
        if not reason.strip():
            raise VeritraceError("Replacing the signing key without the old one needs a reason.")
        return self._change_key(KEY_REPLACED, None, new, reason.strip())

    def _change_key(self, kind: str, old: KeyPair | None, new: KeyPair, reason: str) -> Checkpoint:
        with self._guard(), self._sessions.begin() as session:
            events = self._key_events(session)
            if not events:
                raise VeritraceError("This record has no signing key yet: there is nothing to rotate.")
            current = str(events[-1]["public_key"])
            if old is not None and old.public_hex != current:
                raise VeritraceError(
                    f"The key {fingerprint(old.public_hex)} is not this record's current key "
                    f"({fingerprint(current)}): only the current key can sign its rotation."
                )
            if new.public_hex == current:
                raise VeritraceError("The new key is the current key.")
            self._key_event(session, kind, str(events[0]["record_id"]), current, new, old, reason)
            made = self._checkpoint(session, new, f"{kind} to {fingerprint(new.public_hex)}")
        self._checkpointed(made)
        return made

    def _key_event(
        self,
        session: Session,
        kind: str,
        record_id: str,
        current: str | None,
        new: KeyPair,
        old: KeyPair | None,
        reason: str,
    ) -> None:
        at = utc_now()
        message = key_event_message(kind, record_id, current, new.public_hex, at)
        detail: dict[str, Any] = {
            "record_id": record_id,
            "public_key": new.public_hex,
            "fingerprint": fingerprint(new.public_hex),
            "old_key": current or "",
            "at": at,
            "signature": new.sign(message),
        }
        if old is not None:
            detail["old_signature"] = old.sign(message)
        if reason:
            detail["reason"] = reason
        row = EventRow(at=at, kind=kind, detail_json=json.dumps(detail, sort_keys=True, ensure_ascii=False))
        self._record(session, row, kind)

    # -- identities and personal sign-offs ----------------------------------------------------

    def _record_id(self, session: Session, key: KeyPair) -> str:
        """The record's id; the installation key is enrolled first if none is (as a first checkpoint
        would), and refused if it is not the current key (its checkpoint would not verify)."""
        events = self._key_events(session)
        if not events:
            record_id = str(uuid.uuid4())
            self._key_event(session, KEY_ENROLLED, record_id, None, key, None, "")
            return record_id
        current = str(events[-1]["public_key"])
        if current != key.public_hex:
            raise VeritraceError(
                f"The signing key {fingerprint(key.public_hex)} is not this record's current key "
                f"({fingerprint(current)}): nothing it signs would verify. If the key file was replaced, "
                "record the change with `veritrace key replace --reason TEXT`."
            )
        return str(events[0]["record_id"])

    def create_identity(self, name: str, role: str, signer: KeyPair, key: KeyPair) -> Identity:
        """Record a person's own key (``signer``), which proves it by signing who they are; the
        installation ``key`` then signs the head, so the identity is covered from its creation."""
        name, role = name.strip(), role.strip()
        if not name:
            raise VeritraceError("An identity needs the signer's name.")
        with self._guard(), self._sessions.begin() as session:
            public = signer.public_hex
            if session.scalar(select(IdentityRow.id).where(IdentityRow.public_key == public)) is not None:
                raise VeritraceError(f"The key {fingerprint(public)} is already an identity in this record.")
            record_id = self._record_id(session, key)
            fields = {
                "name": name,
                "role": role,
                "os_user": self.os_user,
                "public_key": public,
                "created_at": utc_now(),
            }
            proof = signer.sign(identity_message({**fields, "record_id": record_id}))
            row = IdentityRow(**fields, fingerprint=fingerprint(public), proof=proof)
            self._record(session, row)
            made = self._checkpoint(session, key, f"identity {row.id} created ({row.fingerprint})")
        self._checkpointed(made)
        return _identity(row, None)

    def identities(self) -> list[Identity]:
        """Every identity, oldest first, each with its revocation if it was revoked."""
        with self._reads() as session:
            return _identities(session)

    def revoke_identity(self, identity_id: int, reason: str, key: KeyPair) -> Identity:
        """Withdraw an identity: it signs nothing from now on (what it signed stays valid)."""
        if not reason.strip():
            raise VeritraceError("Revoking an identity needs a reason (it is recorded).")
        with self._guard(), self._sessions.begin() as session:
            row = session.get(IdentityRow, identity_id)
            if row is None:
                raise NotFoundError(f"No identity with id {identity_id}.")
            if session.scalar(
                select(IdentityRevocationRow.id).where(IdentityRevocationRow.identity_id == identity_id)
            ):
                raise VeritraceError(f"Identity {row.fingerprint} ({row.name}) is already revoked.")
            self._record_id(session, key)
            revocation = IdentityRevocationRow(
                identity_id=identity_id, revoked_at=utc_now(), reason=reason.strip(), os_user=self.os_user
            )
            self._record(session, revocation)
            made = self._checkpoint(session, key, f"identity {identity_id} revoked ({row.fingerprint})")
        self._checkpointed(made)
        return _identity(row, revocation)

    def conversation_content(self, conversation_id: int) -> tuple[tuple[ContentRow, ...], str]:
        """The rows a personal sign-off of the conversation covers now, and their digest."""
        with self._reader.connect() as connection:
            return ledger.conversation_content(connection, conversation_id)

    def sign_off(
        self,
        conversation_id: int,
        *,
        identity_id: int,
        signer: KeyPair,
        meaning: Meaning,
        statement: str,
        reason: str,
        content_sha256: str,
        key: KeyPair,
    ) -> SignOff:
        """Sign a conversation with the signer's own key; it is then locked.

        ``signer`` is identity ``identity_id``'s key, unlocked by its owner; it signs the fields
        ``app.core.signoff`` lists, over the conversation's content, which must still be the
        ``content_sha256`` the signer was shown. The sign-off and the installation ``key``'s
        checkpoint over it commit together: verify fails a sign-off that no checkpoint follows.
        """
        reason, statement = reason.strip(), statement.strip()
        if not reason:
            raise VeritraceError("A signature needs a reason: say what was checked, or why.")
        if not statement:
            raise VeritraceError("A signature needs the statement of what its meaning signifies.")
        with self._guard(), self._sessions.begin() as session:
            identity = session.get(IdentityRow, identity_id)
            if identity is None:
                raise NotFoundError(
                    f"No identity with id {identity_id}: sign with an identity of this record."
                )
            who = f"{identity.fingerprint} ({identity.name})"
            if identity.public_key != signer.public_hex:
                raise VeritraceError(
                    f"The key given ({fingerprint(signer.public_hex)}) is not the key of identity {who}."
                )
            revoked = session.scalar(
                select(IdentityRevocationRow.revoked_at).where(
                    IdentityRevocationRow.identity_id == identity_id
                )
            )
            if revoked is not None:
                raise VeritraceError(f"Identity {who} was revoked at {revoked} and can no longer sign.")
            if session.get(ConversationRow, conversation_id) is None:
                raise NotFoundError(f"No conversation with id {conversation_id}.")
            if session.scalar(
                select(SignOffRow.id).where(
                    SignOffRow.conversation_id == conversation_id, SignOffRow.identity_id == identity_id
                )
            ):
                raise VeritraceError(f"Identity {who} has already signed conversation {conversation_id}.")
            _refuse_unless_finished(session, conversation_id)
            record_id = self._record_id(session, key)
            _, content = ledger.conversation_content(session.connection(), conversation_id)
            if content != content_sha256:
                raise VeritraceError(
                    f"Conversation {conversation_id} changed after its summary was shown; review the summary "
                    "again."
                )
            _, head_hash = ledger.head(session.connection())
            signed_at = utc_now()
            signed_at_local = local_time(signed_at)
            fields = {
                "record_id": record_id,
                "conversation_id": conversation_id,
                "content_sha256": content,
                "meaning": str(Meaning(meaning)),
                "statement": statement,
                "reason": reason,
                "printed_name": identity.name,
                "role": identity.role,
                "fingerprint": identity.fingerprint,
                "signed_at": signed_at,
                "signed_at_local": signed_at_local,
                "ledger_head": head_hash,
            }
            row = SignOffRow(
                conversation_id=conversation_id,
                meaning=fields["meaning"],
                printed_name=identity.name,
                reason=reason,
                os_user=self.os_user,
                signed_at=signed_at,
                ledger_head=head_hash,
                identity_id=identity_id,
                role=identity.role,
                statement=statement,
                signed_at_local=signed_at_local,
                content_sha256=content,
                signature=signer.sign(signoff_message(fields)),
            )
            self._record(session, row)
            made = self._checkpoint(session, key, f"sign-off {row.id} of conversation {conversation_id}")
        self._checkpointed(made)
        return _signoff(row, identity)

    def continue_conversation(self, conversation_id: int, user: str) -> int:
        """Start a new conversation linked to a signed one, for discussion after sign-off."""
        with self._guard(), self._sessions.begin() as session:
            earlier = session.get(ConversationRow, conversation_id)
            if earlier is None:
                raise NotFoundError(f"No conversation with id {conversation_id}.")
            row = ConversationRow(title=f"Continued: {earlier.title}", created_at=utc_now(), created_by=user)
            self._record(session, row)
            self.index.add_title(session.connection(), row.id, row.title)
            self._record(
                session,
                ConversationLinkRow(
                    conversation_id=row.id, continues_id=conversation_id, created_at=utc_now()
                ),
            )
            return row.id

    def append_output(self, turn_id: int, seq: int, raw: str, reasoning: str, answer: str) -> None:
        """Save output produced since the last save (deltas, not the whole text)."""
        with self._guard(), self._sessions.begin() as session:
            self._record(
                session,
                TurnChunkRow(
                    turn_id=turn_id,
                    seq=seq,
                    raw=raw,
                    reasoning=reasoning,
                    answer=answer,
                    saved_at=utc_now(),
                ),
            )

    def finish_turn(
        self,
        turn_id: int,
        status: TurnStatus,
        *,
        finish_reason: str | None = None,
        error: str | None = None,
        completion_tokens: int = 0,
        tokens_per_second: float | None = None,
        time_to_first_token_ms: float | None = None,
        prompt_tokens: int | None = None,
        usage_source: str | None = None,
        server_fingerprint: str | None = None,
        response: ServerResponse | None = None,
        output: OutputTokens | None = None,
    ) -> None:
        """Record how a turn ended; ``prompt_tokens``/``usage_source``/``server_fingerprint``
        and ``response`` come from a remote server, ``output`` (the ids sampled) from a local one."""
        response = response or ServerResponse()
        with self._guard(), self._sessions.begin() as session:
            self._record(
                session,
                TurnOutcomeRow(
                    turn_id=turn_id,
                    status=str(status),
                    finish_reason=finish_reason,
                    error=error,
                    completion_tokens=completion_tokens,
                    tokens_per_second=tokens_per_second,
                    time_to_first_token_ms=time_to_first_token_ms,
                    finished_at=utc_now(),
                    prompt_tokens=prompt_tokens,
                    usage_source=usage_source,
                    server_fingerprint=server_fingerprint or None,
                    request_attempts=response.attempts,
                    response_id=response.id or None,
                    response_model=response.model or None,
                    server_usage_json=response.usage_json,
                    reasoning_tokens=output.reasoning if output else response.reasoning_tokens,
                    unhandled_output_json=response.unhandled_json,
                    output_token_ids=pack_ids(output.ids) if output else None,
                    answer_tokens=output.answer if output else None,
                ),
                f"turn.{status}",
            )
            self.index.add_outputs(session.connection(), [turn_id])

    def mark_interrupted(self) -> list[int]:
        """Close turns left running by a process that died; their saved output stays."""
        with self._guard(), self._sessions.begin() as session:
            orphans = session.scalars(
                select(TurnRow.id).where(~TurnRow.id.in_(select(TurnOutcomeRow.turn_id)))
            ).all()
            for turn_id in orphans:
                self._record(
                    session,
                    TurnOutcomeRow(
                        turn_id=turn_id,
                        status=str(TurnStatus.INTERRUPTED),
                        finish_reason=None,
                        error="The app stopped before this turn finished; output saved up to then is kept.",
                        completion_tokens=0,
                        tokens_per_second=None,
                        time_to_first_token_ms=None,
                        finished_at=utc_now(),
                    ),
                    "turn.interrupted",
                )
            self.index.add_outputs(session.connection(), orphans)
            return list(orphans)

    def remember_model_hash(self, path: str, identity: FileIdentity, sha256: str) -> None:
        """Cache a file's full hash under everything that changes when its bytes do."""
        with self._guard(), self._sessions.begin() as session:
            self._record(
                session,
                ModelFileRow(
                    path=path,
                    size=identity.size,
                    mtime_ns=identity.mtime_ns,
                    sha256=sha256,
                    hashed_at=utc_now(),
                    device=identity.device,
                    inode=identity.inode,
                    ctime_ns=identity.ctime_ns,
                    tripwire=identity.tripwire or None,
                ),
            )

    def record_model_checks(self, checks: Sequence[tuple[int, str, str, str, str | None]]) -> None:
        """Record what a load's full hash found for turns that began before it finished.

        Each check is ``(turn_id, role, result, sha256, expected)`` (see ``ModelCheckRow``).
        """
        if not checks:
            return
        with self._guard(), self._sessions.begin() as session:
            now = utc_now()
            for turn_id, role, result, sha256, expected in checks:
                row = ModelCheckRow(
                    turn_id=turn_id,
                    role=role,
                    result=result,
                    sha256=sha256,
                    expected=expected,
                    checked_at=now,
                )
                self._record(session, row)

    # -- reading ---------------------------------------------------------------

    def cached_model_hash(self, path: str, identity: FileIdentity) -> str | None:
        """The hash cached for exactly this file version; rows from before identities never match."""
        with self._reads() as session:
            return session.scalar(
                select(ModelFileRow.sha256)
                .where(
                    ModelFileRow.path == path,
                    ModelFileRow.size == identity.size,
                    ModelFileRow.mtime_ns == identity.mtime_ns,
                    ModelFileRow.ctime_ns == identity.ctime_ns,
                    ModelFileRow.device == identity.device,
                    ModelFileRow.inode == identity.inode,
                    ModelFileRow.tripwire == identity.tripwire,
                )
                .order_by(ModelFileRow.id.desc())
                .limit(1)
            )

    def image_data(self, sha256: str) -> bytes:
        """The stored bytes of an image (an original or a copy sent to a model)."""
        with self._reads() as session:
            data = session.scalar(select(BlobRow.data).where(BlobRow.sha256 == sha256))
            if data is None:
                raise NotFoundError(f"No stored image with SHA-256 {sha256}.")
            return data

    def list_conversations(self) -> list[ConversationSummary]:
        """Every conversation, newest first, with its review state, models and images."""
        with self._reads() as session:
            return search.summaries(session.connection())

    def refuse_unless_open(self, conversation_id: int) -> None:
        """Raise ``NotFoundError`` or ``LockedError`` unless a turn could join this conversation now."""
        with self._reads() as session:
            if session.get(ConversationRow, conversation_id) is None:
                raise NotFoundError(f"No conversation with id {conversation_id}.")
            _refuse_if_signed(session, conversation_id)

    def conversation(self, conversation_id: int) -> Conversation:
        with self._reads() as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                raise NotFoundError(f"No conversation with id {conversation_id}.")
            turns = session.scalars(
                select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.turn_index)
            ).all()
            signoffs = session.scalars(
                select(SignOffRow)
                .where(SignOffRow.conversation_id == conversation_id)
                .order_by(SignOffRow.id)
            ).all()
            continues = session.scalar(
                select(ConversationLinkRow.continues_id).where(
                    ConversationLinkRow.conversation_id == conversation_id
                )
            )
            return Conversation(
                id=row.id,
                title=row.title,
                created_at=row.created_at,
                created_by=row.created_by,
                turns=tuple(_assemble(session, turns)),
                signoffs=tuple(
                    _signoff(
                        signoff,
                        session.get(IdentityRow, signoff.identity_id) if signoff.identity_id else None,
                    )
                    for signoff in signoffs
                ),
                continues=continues,
            )

    def context_used(self, conversation_id: int) -> int:
        """Tokens the conversation's last turn filled (its prompt and output): 0 if it has none.

        One indexed row, so the composer can ask while the user types without loading turns.
        """
        with self._reads() as session:
            last = session.execute(
                select(
                    func.coalesce(TurnOutcomeRow.prompt_tokens, TurnRow.prompt_tokens),
                    func.coalesce(TurnOutcomeRow.completion_tokens, 0),
                )
                .select_from(TurnRow)
                .outerjoin(TurnOutcomeRow, TurnOutcomeRow.turn_id == TurnRow.id)
                .where(TurnRow.conversation_id == conversation_id)
                .order_by(TurnRow.turn_index.desc())
                .limit(1)
            ).first()
            return int(last[0] + last[1]) if last is not None else 0

    def turn(self, turn_id: int) -> Turn:
        with self._reads() as session:
            row = session.get(TurnRow, turn_id)
            if row is None:
                raise NotFoundError(f"No turn with id {turn_id}.")
            return _assemble(session, [row])[0]

    def _guard(self) -> _WriteGuard:
        return _WriteGuard(self.path)

    # -- JSON audit bundle -----------------------------------------------------

    def bundle_scope(
        self,
        conversation_ids: Iterable[int],
        *,
        as_of: int | None = None,
        through: int | None = None,
        report_id: str | None = None,
    ) -> BundleScope:
        """Everything a bundle of these conversations holds, in one transaction (``scope.read_scope``)."""
        with self._reader.connect() as connection:
            return read_scope(connection, conversation_ids, as_of=as_of, through=through, report_id=report_id)

    # -- session browser -------------------------------------------------------

    def browse(self, session_filter: SessionFilter | None = None) -> list[ConversationSummary]:
        """The conversations a filter accepts (all of them without one), newest first."""
        with self._reads() as session:
            return search.browse(session.connection(), session_filter or SessionFilter())

    def search(
        self,
        query: str,
        session_filter: SessionFilter | None = None,
        limit: int = 200,
        *,
        within: Collection[int] | None = None,
    ) -> list[SearchHit]:
        """Where ``query`` occurs (titles, prompts, reasoning, answers, notes), newest first.

        ``within`` limits the hits to these conversations (a caller that filtered already).
        """
        with self._reads() as session:
            return search.search(session.connection(), query, session_filter, limit, within)

    def conversations_matching(self, query: str) -> set[int]:
        """Ids of every conversation in which ``query`` occurs."""
        with self._reads() as session:
            return search.matching_conversations(session.connection(), query)


class _WriteGuard:
    """Turn SQLite's environmental write failures into messages a user can act on."""

    def __init__(self, path: Path | str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _tb: object) -> None:
        if not isinstance(error, OperationalError):
            return
        found = trouble(error)
        if found is Trouble.FULL:
            raise StorageError(
                f"The disk holding {self.path} is full: the last change was not saved. "
                "Everything saved before it is intact. Free some space and try again."
            ) from error
        if found is Trouble.BUSY:
            raise StorageError(
                f"The record at {self.path} is locked by another program; the last change "
                "was not saved. Close the other program and try again."
            ) from error
        if found is Trouble.READ_ONLY:
            raise StorageError(
                f"The record at {self.path} is read-only; the last change was not saved."
            ) from error


def _assemble(session: Session, rows: Sequence[TurnRow]) -> list[Turn]:
    ids = [row.id for row in rows]
    chunks = _by_turn(session, TurnChunkRow, ids, TurnChunkRow.seq)
    outcomes = {
        outcome.turn_id: outcome
        for outcome in session.scalars(select(TurnOutcomeRow).where(TurnOutcomeRow.turn_id.in_(ids)))
    }
    notes = _by_turn(session, AnnotationRow, ids, AnnotationRow.id)
    images = _by_turn(session, TurnImageRow, ids, TurnImageRow.position)
    checks = _by_turn(session, ModelCheckRow, ids, ModelCheckRow.id)
    actors = _turn_actors(session, ids)
    return [
        _turn(
            row,
            chunks[row.id],
            outcomes.get(row.id),
            images[row.id],
            notes[row.id],
            checks[row.id],
            actor=actors.get(row.id, ""),
        )
        for row in rows
    ]


def _turn_actors(session: Session, ids: list[int]) -> dict[int, str]:
    """Who started each turn: the actor of its row's ledger entry (found by the entry's object)."""
    object_type, action, _key = ledger.TABLES[TurnRow.__tablename__]
    found = session.execute(
        select(LedgerRow.object_id, LedgerRow.actor).where(
            LedgerRow.object_type == object_type,
            LedgerRow.object_id.in_([str(turn_id) for turn_id in ids]),
            LedgerRow.action == action,
        )
    )
    return {int(object_id): actor for object_id, actor in found}


def _by_turn(session: Session, row_type: Any, ids: list[int], order: Any) -> dict[int, list[Any]]:
    """Rows of a per-turn table for these turns, grouped by turn, in ``order``."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in session.scalars(
        select(row_type).where(row_type.turn_id.in_(ids)).order_by(row_type.turn_id, order)
    ):
        grouped[row.turn_id].append(row)
    return grouped


def _refuse_unless_finished(session: Session, conversation_id: int) -> None:
    turns = session.scalars(select(TurnRow.id).where(TurnRow.conversation_id == conversation_id)).all()
    if not turns:
        raise VeritraceError(f"Conversation {conversation_id} has no turns to sign off.")
    finished = set(session.scalars(select(TurnOutcomeRow.turn_id).where(TurnOutcomeRow.turn_id.in_(turns))))
    if set(turns) - finished:
        raise VeritraceError(
            f"Conversation {conversation_id} has a turn still running; sign off once it ends."
        )


def _identities(session: Session) -> list[Identity]:
    revocations = {row.identity_id: row for row in session.scalars(select(IdentityRevocationRow))}
    rows = session.scalars(select(IdentityRow).order_by(IdentityRow.id))
    return [_identity(row, revocations.get(row.id)) for row in rows]


def _identity(row: IdentityRow, revocation: IdentityRevocationRow | None) -> Identity:
    return Identity(
        id=row.id,
        name=row.name,
        role=row.role,
        os_user=row.os_user,
        public_key=row.public_key,
        fingerprint=row.fingerprint,
        created_at=row.created_at,
        revoked_at=revocation.revoked_at if revocation else "",
        revoked_reason=revocation.reason if revocation else "",
    )


def _refuse_if_signed(session: Session, conversation_id: int) -> None:
    signoff = session.scalars(
        select(SignOffRow)
        .where(SignOffRow.conversation_id == conversation_id)
        .order_by(SignOffRow.id)
        .limit(1)
    ).first()
    if signoff is not None:
        raise LockedError(
            f"Conversation {conversation_id} was signed off ({signoff.meaning} by {signoff.printed_name} at "
            f"{signoff.signed_at}) and cannot change. Continue the discussion in a new, linked conversation."
        )


def _annotation(row: AnnotationRow) -> Annotation:
    return Annotation(
        row.id, row.turn_id, Flag(row.flag), row.comment, row.author, row.os_user, row.created_at
    )


def _signoff(row: SignOffRow, identity: IdentityRow | None = None) -> SignOff:
    return SignOff(
        row.id,
        row.conversation_id,
        Meaning(row.meaning),
        row.printed_name,
        row.reason,
        row.os_user,
        row.signed_at,
        row.ledger_head,
        role=row.role or "",
        statement=row.statement or "",
        fingerprint=identity.fingerprint if identity else "",
        public_key=identity.public_key if identity else "",
        signed_at_local=row.signed_at_local or "",
        content_sha256=row.content_sha256 or "",
        signature=row.signature or "",
    )


def _turn(
    row: TurnRow,
    chunks: Iterable[TurnChunkRow],
    outcome: TurnOutcomeRow | None,
    images: Iterable[TurnImageRow] = (),
    notes: Iterable[AnnotationRow] = (),
    checks: Iterable[ModelCheckRow] = (),
    *,
    actor: str = "",
) -> Turn:
    parts = list(chunks)
    settled = {check.role: check for check in checks}  # the latest per file wins
    model_sha256, model_check, model_expected = _hash_as_checked(
        row.model_sha256, row.model_check, settled.get("model")
    )
    projector_sha256, projector_check, projector_expected = _hash_as_checked(
        row.projector_sha256 or "", row.projector_check, settled.get("projector")
    )
    return Turn(
        id=row.id,
        conversation_id=row.conversation_id,
        index=row.turn_index,
        prompt=row.prompt,
        system_prompt=row.system_prompt,
        messages=tuple(ChatMessage.from_dict(m) for m in json.loads(row.messages_json)),
        rendered_prompt=row.rendered_prompt,
        rendered_prompt_sha256=row.rendered_prompt_sha256,
        template_source=row.template_source,
        template_sha256=row.template_sha256,
        params=SamplingParams.from_dict(json.loads(row.params_json)),
        require_reasoning=row.require_reasoning,
        preset=row.preset,
        model=ModelFile(row.model_path, row.model_size, model_sha256),
        model_check=model_check,
        model_expected=model_expected,
        projector_check=projector_check,
        projector_expected=projector_expected,
        server_fingerprint=outcome.server_fingerprint if outcome else None,
        llama_cpp_version=row.runtime_version,
        app_version=row.app_version,
        os_user=row.os_user,
        started_at=row.started_at,
        raw_output="".join(part.raw for part in parts),
        reasoning="".join(part.reasoning for part in parts),
        answer="".join(part.answer for part in parts),
        status=TurnStatus(outcome.status) if outcome else TurnStatus.RUNNING,
        finish_reason=outcome.finish_reason if outcome else None,
        error=outcome.error if outcome else None,
        prompt_tokens=(
            outcome.prompt_tokens if outcome and outcome.prompt_tokens is not None else row.prompt_tokens
        ),
        completion_tokens=outcome.completion_tokens if outcome else 0,
        finished_at=outcome.finished_at if outcome else None,
        tokens_per_second=outcome.tokens_per_second if outcome else None,
        time_to_first_token_ms=outcome.time_to_first_token_ms if outcome else None,
        images=tuple(
            TurnImage(
                position=image.position,
                filename=image.filename,
                sha256=image.sha256,
                media_type=image.media_type,
                width=image.width,
                height=image.height,
                size=image.bytes,
                sent_to_model=image.sent_to_model,
                sent_sha256=image.sent_sha256,
                sent_width=image.sent_width,
                sent_height=image.sent_height,
            )
            for image in images
        ),
        projector=(
            ModelFile(row.projector_path, row.projector_size or 0, projector_sha256)
            if row.projector_path
            else None
        ),
        annotations=tuple(_annotation(note) for note in notes),
        backend=row.backend,
        endpoint=row.endpoint,
        remote_model=row.remote_model,
        usage_source=outcome.usage_source if outcome else None,
        request_json=row.request_json,
        request_sha256=row.request_sha256,
        request_size=row.request_size,
        request_attempts=outcome.request_attempts if outcome else None,
        response_id=outcome.response_id if outcome else None,
        response_model=outcome.response_model if outcome else None,
        server_usage_json=outcome.server_usage_json if outcome else None,
        reasoning_tokens=outcome.reasoning_tokens if outcome else None,
        unhandled_output_json=outcome.unhandled_output_json if outcome else None,
        prompt_token_blob=row.prompt_token_ids,
        runtime=json.loads(row.runtime_json) if row.runtime_json else None,
        output_token_blob=outcome.output_token_ids if outcome else None,
        answer_tokens=outcome.answer_tokens if outcome else None,
        actor=actor,
    )


def _hash_as_checked(
    recorded: str, at_start: str | None, settled: ModelCheckRow | None
) -> tuple[str, HashCheck | None, str | None]:
    """A file's hash for a turn, how it was established, and the cache's hash if that was wrong.

    ``at_start`` is how the hash stood when the turn began; ``settled`` what the load's full
    hash found later, if it finished after the turn began.
    """
    if at_start is None:
        return recorded, None, None  # recorded before load-time hashing (or no such file)
    if settled is None:
        if at_start == "verified":
            return recorded, HashCheck.VERIFIED, None
        return recorded, HashCheck.CACHED if recorded else HashCheck.UNHASHED, None
    if settled.result == "verified":
        return settled.sha256, HashCheck.VERIFIED_AFTER, settled.expected
    if settled.result == "mismatch":
        return settled.sha256, HashCheck.MISMATCH, settled.expected
    return recorded, HashCheck.UNVERIFIABLE, settled.expected
