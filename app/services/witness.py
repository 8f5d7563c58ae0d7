"""The record's newest signed head, kept outside the database file.

Everything inside ``veritrace.db`` can be replaced along with the file: put last week's copy
back and its chain, keys and checkpoints all verify. So after every checkpoint the signed head
(entry count, head hash, signature, time) is also written where the database is not: a witness
file in the per-user configuration folder and, where the system has one, the OS keyring. At
every open and every ``verify``, a record whose chain does not contain the newest witnessed
head — it is behind it (rolled back, truncated) or has forked from it (rewritten) — is refused,
naming both heads. Going back on purpose is ``restore``, which records what was lost.

A witness is written only after its checkpoint committed, so it is never ahead of the record.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import platformdirs

from app.core.clock import utc_now
from app.core.errors import StorageError
from app.core.signing import checkpoint_message, fingerprint, signature_valid
from app.core.types import Checkpoint
from app.services.durable import private_folder, write_durably

WITNESS_VARIABLE = "VERITRACE_WITNESS_DIR"
FORMAT = "veritrace-witness/1"
KEYRING_SERVICE = "veritrace"

_log = logging.getLogger(__name__)


class WitnessError(StorageError):
    """The record does not contain the head its witness holds, or a witness is not genuine."""


@dataclass(frozen=True)
class Witness:
    """A signed head of one record, as kept outside it."""

    database: str
    record_id: str
    entry_count: int
    head_hash: str
    at: str  # when the checkpoint was signed
    public_key: str
    signature: str
    checkpoint_id: int
    written_at: str
    format: str = FORMAT

    def describe(self) -> str:
        return f"entry {self.entry_count} (head {self.head_hash}, signed {self.at})"

    def genuine(self) -> bool:
        message = checkpoint_message(self.entry_count, self.head_hash, self.at)
        return signature_valid(self.public_key, message, self.signature)


def witness_dir() -> Path:
    """``$VERITRACE_WITNESS_DIR``, else ``witness/`` in the per-user configuration folder.

    Deliberately not the data folder: a copy of the data folder must not carry its own witness.
    """
    override = os.environ.get(WITNESS_VARIABLE)
    return (
        Path(override)
        if override
        else Path(platformdirs.user_config_dir("Veritrace", appauthor=False)) / "witness"
    )


def _name(database: Path) -> str:
    return hashlib.sha256(str(database.resolve()).encode("utf-8")).hexdigest()[:24]


def witness_file(database: Path) -> Path:
    return witness_dir() / f"{_name(database)}.json"


def _from_json(data: Any, where: str) -> Witness:
    fields = Witness.__dataclass_fields__
    if not isinstance(data, dict) or set(data) != set(fields) or data.get("format") != FORMAT:
        raise WitnessError(f"The witness in {where} is not one Veritrace wrote.")
    try:
        witness = Witness(**data)
        int(witness.entry_count)
    except (TypeError, ValueError) as error:
        raise WitnessError(f"The witness in {where} is not one Veritrace wrote ({error}).") from error
    if not isinstance(witness.entry_count, int) or not witness.genuine():
        raise WitnessError(
            f"The witness in {where} does not carry a valid signature: it was altered. "
            "Check the record against an earlier report (`veritrace verify --since REPORT`)."
        )
    return witness


def _keyring() -> Any | None:
    """The OS keyring, or None where the system has none."""
    import keyring
    from keyring.backends import fail

    return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring


def _keyring_name(database: Path) -> str:
    return f"witness:{_name(database)}"


def read_witnesses(database: Path) -> list[tuple[str, Witness]]:
    """Every witness of ``database`` found (file, keyring), each with where it was found.

    A witness that is present but not genuine raises ``WitnessError``: deleting the database's
    evidence must not be as easy as corrupting one file.
    """
    found: list[tuple[str, Witness]] = []
    path = witness_file(database)
    if path.exists():
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            raise WitnessError(f"The witness file {path} cannot be read ({error}).") from error
        found.append((str(path), _from_json(data, str(path))))
    keyring = _keyring()
    if keyring is not None:
        try:
            stored = keyring.get_password(KEYRING_SERVICE, _keyring_name(database))
        except Exception as error:  # a locked or broken keyring must not stop the record opening
            _log.warning("the keyring could not be read for the witness: %s", type(error).__name__)
            stored = None
        if stored:
            try:
                data = json.loads(stored)
            except ValueError as error:
                raise WitnessError(f"The witness in the system keyring cannot be read ({error}).") from error
            found.append(("the system keyring", _from_json(data, "the system keyring")))
    return found


def newest_witness(database: Path) -> Witness | None:
    """The witness with the most entries, or None where no witness exists yet."""
    found = read_witnesses(database)
    return max((witness for _, witness in found), key=lambda witness: witness.entry_count, default=None)


def write_witness(database: Path, record_id: str, checkpoint: Checkpoint, *, rewind: bool = False) -> Witness:
    """Keep ``checkpoint`` (already committed) as the record's newest witnessed head.

    A witness never moves backwards unless ``rewind`` (a recorded restore) says so; an older
    checkpoint than the one witnessed is simply not written.
    """
    witness = Witness(
        database=str(database.resolve()),
        record_id=record_id,
        entry_count=checkpoint.entry_count,
        head_hash=checkpoint.head_hash,
        at=checkpoint.at,
        public_key=checkpoint.public_key,
        signature=checkpoint.signature,
        checkpoint_id=checkpoint.id,
        written_at=utc_now(),
    )
    if not rewind:
        with contextlib.suppress(WitnessError):
            current = newest_witness(database)
            if (
                current is not None
                and current.record_id == record_id
                and current.entry_count >= witness.entry_count
            ):
                return current
    data = json.dumps(asdict(witness), indent=2, sort_keys=True).encode("utf-8") + b"\n"
    private_folder(witness_dir())
    write_durably(witness_file(database), data)
    keyring = _keyring()
    if keyring is not None:
        try:
            keyring.set_password(KEYRING_SERVICE, _keyring_name(database), data.decode("utf-8"))
        except Exception as error:  # the file is written; a keyring that refuses is logged, not fatal
            _log.warning("the keyring refused the witness: %s", type(error).__name__)
    return witness


def check_head(
    witness: Witness, record_id: str | None, entry_count: int, head: str, hash_at: str | None
) -> str | None:
    """Why a record (``entry_count`` entries to ``head``; ``hash_at``: its hash at the witnessed
    entry) fails its witness, or None if it contains the witnessed head."""
    ends = f"entry {entry_count} (head {head})"
    if record_id is not None and record_id != witness.record_id:
        return (
            f"This is not the record last witnessed at {witness.database}: that one was record "
            f"{witness.record_id}, this is {record_id}, which ends at {ends}. The file was replaced."
        )
    if record_id is None:
        return (
            f"This record has no signing key enrolled and ends at {ends}, but the witness holds a signed "
            f"head at {witness.describe()}: the file was replaced or its key history removed."
        )
    if entry_count < witness.entry_count:
        return (
            f"The record is behind its witness: it ends at {ends}, but its witness holds a signed head at "
            f"{witness.describe()}, by key {fingerprint(witness.public_key)}. An older copy was put in its "
            "place or entries were removed."
        )
    if hash_at != witness.head_hash:
        return (
            f"The record has forked from its witness: its entry {witness.entry_count} has hash {hash_at}, "
            f"but the witness holds head {witness.head_hash} (signed {witness.at}). It was rewritten at or "
            f"before entry {witness.entry_count}."
        )
    return None
