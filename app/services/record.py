"""Opening, checking and restoring the record as a whole: its key, its witness, its history.

The window and the command line open the record only through ``open_record``: it refuses a
record that no longer contains the head its witness holds, enrols the installation key in a
record that has none, and keeps the witness current after every checkpoint. ``check_record``
is ``verify``: the chain and every row, the key history and every signature, the witness, and
optionally an earlier report's head. ``restore_record`` is the one way back to an older copy,
and it is recorded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import CorruptDatabaseError, DatabaseTooNewError, StorageError
from app.core.signing import KeyPair, fingerprint
from app.core.types import Checkpoint
from app.services.anchoring import Anchors, Authority, check_anchors, queue
from app.services.durable import PRIVATE_FILE
from app.services.recovery import set_aside
from app.services.signing import KEY_NAME, installation_key, installation_public_key, key_state
from app.services.witness import (
    Witness,
    WitnessError,
    check_head,
    newest_witness,
    read_witnesses,
    write_witness,
)
from app.storage.engine import check_record_file, is_empty_database
from app.storage.ledger import Verification, peek
from app.storage.repository import Store as Store  # the record, as the window holds it

KeySource = Callable[[], KeyPair]
RESTORE_HINT = (
    "If an older copy was put back on purpose, say so with `veritrace restore` (or restore it from the "
    "window), which records what was lost; otherwise keep this file as evidence."
)


def witness_problem(database: Path) -> str | None:
    """Why the record file fails its newest witness (``WitnessError`` if a witness is altered), or None.

    The file is only read: a record refused here is left exactly as it was found.
    """
    witness = newest_witness(database)
    if witness is None:
        return None
    count, head, record_id, hash_at = peek(database, witness.entry_count)
    return check_head(witness, record_id, count, head, hash_at)


def emptied_record(database: Path) -> str | None:
    """Why the empty file ``database`` is a record that was emptied, not a new one, or None.

    Evidence that a record was here: the signing key in its folder (made when a record is first
    opened), or a witness of it outside the folder. Only read: nothing is created or changed.
    """
    if not is_empty_database(database):
        return None
    evidence = []
    if key_state(database.parent) == "present":
        evidence.append(f"the signing key {KEY_NAME} lies beside it")
    try:
        witnessed = bool(read_witnesses(database))
    except WitnessError:  # an altered witness is still a witness
        witnessed = True
    if witnessed:
        evidence.append("a witness outside the folder holds its signed head")
    if not evidence:
        return None  # a first run: the file was made and nothing written yet
    return (
        f"The record at {database} is empty, but {' and '.join(evidence)}: a record was emptied, "
        "and an emptied record is not a new one. It was left as it is. Restore a verified backup "
        "(`veritrace restore BACKUP --reason ...`, or from the window); to start a new record on "
        "purpose, move the empty file away first."
    )


def _keep_witness(store: Store, authority: Authority | None) -> Callable[[Checkpoint], None]:
    database = Path(str(store.path))

    def witness(made: Checkpoint) -> None:
        record_id = store.record_id()
        if record_id is None:  # a checkpoint always follows an enrolment; nothing to anchor otherwise
            return
        if authority is not None:
            queue(store, made, authority)  # sent by the caller (send_queued), off any window thread
        try:
            write_witness(database, record_id, made)
        except OSError as error:
            raise StorageError(
                f"Checkpoint {made.id} was signed and recorded, but the witness outside the record could "
                f"not be written ({error.strerror or error}). Free some space, then run `veritrace "
                "checkpoint` so the witness catches up."
            ) from error

    return witness


def open_record(
    path: Path,
    *,
    actor: str | None = None,
    backups: Path | None = None,
    key: KeySource | None = installation_key,
    check_witness: bool = True,
    authority: Authority | None = None,
) -> Store:
    """Open the record; refuse it if it fails its witness; enrol ``key()`` if it has no key yet.

    ``key`` None opens for reading only: nothing is enrolled (no passphrase is asked for). With an
    ``authority``, every checkpoint is queued to be timestamped by it.

    An empty file becomes a new record only on a first run: beside a signing key, or with a
    witness, it is a record that was emptied, and it is refused as damaged (left as it is).
    """
    emptied = emptied_record(path)
    if emptied is not None:
        raise CorruptDatabaseError(emptied)
    if check_witness:
        problem = witness_problem(path)
        if problem is not None:
            raise WitnessError(f"{problem} {RESTORE_HINT}")
    store = Store(path, actor=actor, backups=backups)
    try:
        store.on_checkpoint = _keep_witness(store, authority)
        if key is not None and store.current_key() is None:
            store.enroll_key(key())
    except BaseException:
        store.close()
        raise
    return store


def anchor_with(store: Store, authority: Authority | None) -> None:
    """From now on, queue every checkpoint of ``store`` for ``authority`` (None: for none)."""
    store.on_checkpoint = _keep_witness(store, authority)


@dataclass(frozen=True)
class RecordCheck:
    """``verify``'s verdict: the record itself, its witness, and an earlier head if one was given."""

    verification: Verification
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    witness: Witness | None = None
    anchors: Anchors = field(default_factory=Anchors)

    @property
    def intact(self) -> bool:
        return self.verification.intact and not self.problems

    def lines(self) -> list[str]:
        first = self.verification.describe()
        if self.problems:  # the chain and rows alone hold; the record as a whole does not
            first = first.replace(
                "Record intact:", "Record NOT verified. Its chain and rows are consistent:", 1
            )
        return [first, *self.notes, *(f"FAILED: {problem}" for problem in self.problems)]


def check_record(
    store: Store,
    cancel: CancelToken | None = None,
    *,
    data_folder: Path | None = None,
    tsa_roots: tuple[bytes, ...] = (),
) -> RecordCheck:
    """Everything ``verify`` checks that does not need an earlier report.

    ``tsa_roots``: the timestamp authority roots to check tokens against (else each token's
    recorded root, and the result says so).
    """
    verification = store.verify(cancel)
    problems: list[str] = []
    notes: list[str] = []
    witness: Witness | None = None
    if verification.intact:
        database = Path(str(store.path))
        try:
            problem = witness_problem(database)
            witness = newest_witness(database)
        except WitnessError as error:
            problem = str(error)
        if problem is not None:
            problems.append(problem)
        elif witness is not None:
            notes.append(
                f"Witness outside the file: the record contains its signed head at {witness.describe()}."
            )
        else:
            notes.append(
                "No witness outside the file was found for this record: putting an older copy in its place "
                "would not be noticed here. Check it against an earlier report with "
                "`veritrace verify --since`."
            )
        problems += _key_problems(verification, witness, installation_public_key(data_folder))
        unenrolled = verification.record_id is None and verification.unenrolled_key is None
        if verification.entries and unenrolled and key_state(data_folder) == "present":
            problems.append(
                "This installation has a signing key, but the record enrols none: its key history and "
                "checkpoints were removed (or it was never opened by this version of Veritrace)."
            )
        notes += _restores(store)
    anchors = check_anchors(store, tsa_roots) if verification.intact else Anchors()
    problems += anchors.problems
    notes += anchors.lines()
    return RecordCheck(verification, tuple(problems), tuple(notes), witness, anchors)


def _key_problems(verification: Verification, witness: Witness | None, installation: str | None) -> list[str]:
    """A record re-signed with another key: its keys are not the witness's, nor this installation's."""
    known = {key.public_key for key in verification.keys}
    if verification.unenrolled_key is not None:
        known.add(verification.unenrolled_key)
    current = verification.active_key or verification.unenrolled_key
    problems = []
    if witness is not None and known and witness.public_key not in known:
        problems.append(
            f"The witness's head was signed by key {fingerprint(witness.public_key)}, which is not in this "
            f"record's key history ({', '.join(sorted(fingerprint(key) for key in known))}): the record was "
            "re-signed with another key."
        )
    if installation is not None and current is not None and installation != current:
        problems.append(
            f"This record's current key is {fingerprint(current)}, but this installation's key is "
            f"{fingerprint(installation)}: the record was signed elsewhere or re-signed with another key "
            "(if this installation's key file was replaced, say so with `veritrace key replace`)."
        )
    return problems


def _restores(store: Store) -> list[str]:
    """Each restore on purpose, in words: a reader of ``verify`` must see the record went back."""
    lines = []
    for _, _, detail in store.events_of(("record.restored",)):
        before = detail.get("witness_before") or {}
        lost = detail.get("lost") or {}
        text = f"Restored on purpose (reason given: {detail.get('reason', '')!r})"
        if before:
            text += (
                f"; the witness then held entry {before.get('entry_count')} (head {before.get('head_hash')})"
            )
        if detail.get("forked"):
            text += "; the record had FORKED from it (rewritten, not only behind)"
        if lost:
            text += "; lost: " + ", ".join(f"{number} {what}" for what, number in lost.items())
        lines.append(text + ".")
    return lines


# -- restoring on purpose --------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    path: Path
    kept: Path | None  # where the replaced file was set aside
    head: tuple[int, str]
    witness_before: str  # what the witness held, in words
    lost: dict[str, int] = field(default_factory=dict)
    checkpoint: Checkpoint | None = None
    forked: bool = False  # the record held something else up to the witnessed entry: rewritten

    def describe(self) -> str:
        count, head = self.head
        text = f"The record at {self.path} now ends at entry {count} (head {head}), re-anchored"
        if self.checkpoint is not None:
            text += f" by checkpoint {self.checkpoint.id}"
        text += f". Before: {self.witness_before}."
        if self.forked:
            text += " The record had FORKED from its witness: what it held up to then was rewritten."
        if self.lost:
            text += " Lost: " + ", ".join(f"{number} {action}" for action, number in self.lost.items()) + "."
        if self.kept is not None:
            text += f" The replaced file is kept as {self.kept}."
        return text


def _lost(kept: Path | None, count: int, head: str, witness: Witness | None) -> dict[str, int]:
    """What the replaced record held after the restored head, if it continued it."""
    if kept is not None:
        with contextlib.suppress(Exception):  # a damaged file tells us nothing more
            old = Store(kept)
            try:
                if old.entry_hash_at(count) == head:
                    return old.entries_after(count)
            finally:
                old.close()
    if witness is not None and witness.entry_count > count:
        return {"entries witnessed and no longer in the record": witness.entry_count - count}
    return {}


def _staged_copy(backup: Path, database: Path) -> Path:
    """A checked copy of ``backup`` beside ``database``, ready to take its place.

    The backup is read only until it is known to be a Veritrace record (not empty, not another
    program's database, not damaged): a file that is not one is refused while the record is still
    where it was. The copy is private and complete before anything is set aside.
    """
    if not os.path.lexists(backup):
        raise StorageError(f"No backup file at {backup}.")
    try:
        check_record_file(backup)
    except (StorageError, CorruptDatabaseError, DatabaseTooNewError) as error:
        raise StorageError(f"{backup} cannot be restored: {error} The record was left as it was.") from error
    staged = database.with_name(f".{database.name}.restoring")
    try:
        shutil.copyfile(backup, staged)
        with contextlib.suppress(OSError):
            staged.chmod(PRIVATE_FILE)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def restore_record(
    database: Path,
    *,
    backup: Path | None,
    reason: str,
    key: KeySource = installation_key,
    backups: Path | None = None,
    start_empty: bool = False,
    actor: str | None = None,
    set_aside_as: str = "replaced",
) -> Restored:
    """Put ``backup`` in place of the record (or accept the record as it is, or start empty), on purpose.

    The replaced file is set aside, never deleted; the restored record gets a ``record.restored``
    event naming the head the witness held and what the replaced file had beyond it, is signed,
    and its witness is moved to that new head.
    """
    if not reason.strip():
        raise StorageError("Restoring the record needs a reason, which is recorded.")
    try:
        witness = newest_witness(database)
        before = f"witnessed head at {witness.describe()}" if witness else "no witness"
    except WitnessError as error:
        witness, before = None, f"a witness that failed its check ({error})"
    kept = None
    if backup is not None or start_empty:
        staged = _staged_copy(backup, database) if backup is not None else None
        kept = set_aside(database, set_aside_as) if database.exists() else None
        if staged is not None:
            os.replace(staged, database)
    store = open_record(database, actor=actor, backups=backups, key=key, check_witness=False)
    try:
        count, head = store.head()
        lost = _lost(kept, count, head, witness)
        forked = (
            witness is not None
            and count >= witness.entry_count
            and store.entry_hash_at(witness.entry_count) != witness.head_hash
        )
        if forked and witness is not None:  # nothing up to the witnessed head is as it was witnessed
            lost = {**lost, "entries witnessed and since rewritten": witness.entry_count}
        store.log_event(
            "record.restored",
            {
                "reason": reason.strip(),
                "backup": str(backup) if backup else None,
                "started_empty": start_empty,
                "replaced_file": str(kept) if kept else None,
                "witness_before": (
                    {
                        "record_id": witness.record_id,
                        "entry_count": witness.entry_count,
                        "head_hash": witness.head_hash,
                        "signed_at": witness.at,
                        "key_fingerprint": fingerprint(witness.public_key),
                    }
                    if witness
                    else None
                ),
                "restored_head": {"entry_count": count, "head_hash": head},
                "forked": forked,
                "lost": lost,
            },
        )
        store.on_checkpoint = None  # the witness moves back below, on purpose
        made = store.checkpoint(key(), "restore")
        record_id = store.record_id()
        assert record_id is not None  # open_record enrolled a key
        write_witness(database, record_id, made, rewind=True)
    finally:
        store.close()
    return Restored(database, kept, (count, head), before, lost, made, forked)
