"""The insider turns the clock back: an older copy put in place, the witness itself attacked, a crash.

A rolled-back record is perfectly valid on its own: every chain, row and signature in last
week's copy verifies. Only the witness outside the file (the newest signed head, kept in the
per-user configuration folder and the OS keyring) tells that it is behind. These tests put
older copies back both ways an insider would (a plain file copy, SQLite's backup API), attack
the witness file itself, and kill the process at every durable step of writing it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.signing import fingerprint
from app.services import durable
from app.services.record import open_record
from app.services.signing import installation_key
from app.services.witness import newest_witness, witness_file
from app.storage.repository import Store
from tests.fixtures.forgery import (
    cli,
    copy_by_backup,
    copy_by_file,
    delete_rows,
    entry_hash_at,
    erase_witness,
    head,
    plant_witness,
    put_back,
    signed_record,
)
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.records import long_conversation
from tests.fixtures.signers import signoff_argv

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BEHIND = "veritrace: The record is behind its witness: it ends at entry "

NOT_VERIFIED = "Record NOT verified. Its chain and rows are consistent: "  # then FAILED lines


def events(db: Path, kind: str) -> list[tuple[int, str, dict]]:
    store = Store(db)
    try:
        return store.events_of([kind])
    finally:
        store.close()


def ledger_seq(db: Path, object_type: str, object_id: int) -> int:
    """The last ledger entry describing this object."""
    store = Store(db)
    try:
        with store.engine.connect() as connection:
            return int(
                connection.exec_driver_sql(
                    "SELECT max(seq) FROM ledger WHERE object_type = ? AND object_id = ?",
                    (object_type, str(object_id)),
                ).scalar_one()
            )
    finally:
        store.close()


# -- 3. an older copy put back ----------------------------------------------------------------------


@pytest.mark.parametrize("copy", [copy_by_file, copy_by_backup], ids=["file-copy", "backup-api"])
def test_an_older_copy_put_back_is_behind_its_witness_and_refused_until_restored_on_purpose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, copy: Callable[[Path, Path], Path]
) -> None:
    db = signed_record()
    rejecting = signoff_argv(capsys, "2", "rejected", "Clause 9.", folder=tmp_path)
    approving = signoff_argv(capsys, "2", "approved", "Fine.", folder=tmp_path)
    old = copy(db, tmp_path / "last-week.db")
    kept_count, kept_hash = head(old)
    assert (kept_count, kept_hash) == head(db)

    noted = cli(
        capsys, "annotate", "3", "--flag", "concern", "--comment", "Clause 9 is void.", "--name", "Dr. R"
    )
    assert noted.status == 0, noted.err
    note = int(re.match(r"Annotation (\d+) on turn 3", noted.out).group(1))  # type: ignore[union-attr]
    rejected = cli(capsys, *rejecting)
    assert rejected.status == 0, rejected.err
    report = tmp_path / "rejected.md"
    assert cli(capsys, "export", "2", "-o", str(report)).status == 0
    witnessed = newest_witness(db)
    assert witnessed is not None and witnessed.entry_count > kept_count

    put_back(old, db)
    assert head(db) == (kept_count, kept_hash)
    found = cli(capsys, "verify")
    assert found.status == 1 and found.err.startswith(NOT_VERIFIED), "valid on its own, and still caught"
    assert (
        f"FAILED: The record is behind its witness: it ends at entry {kept_count} (head {kept_hash}), "
        "but its witness holds a "
        f"signed head at entry {witnessed.entry_count} (head {witnessed.head_hash}, signed {witnessed.at}), "
        f"by key {fingerprint(witnessed.public_key)}. An older copy was put in its place or entries were "
        "removed."
    ) in found.err

    for argv in (
        ["annotate", "3", "--flag", "ok", "--comment", "Fine."],
        approving,
        ["checkpoint"],
        ["export", "2", "-o", str(tmp_path / "again.md")],
        ["key", "rotate"],
        ["list"],
        ["show", "2"],
        ["search", "Clause"],
        ["key", "show"],
    ):
        refused = cli(capsys, *argv)
        assert refused.status == 2 and refused.out == "", argv
        assert refused.err.startswith(BEHIND) and refused.err.count("\n") == 1, (argv, refused.err)
    assert head(db) == (kept_count, kept_hash), "nothing was written by a refused command"
    assert not (tmp_path / "again.md").exists()

    restored = cli(capsys, "restore", "--reason", "The disk was restored from last week's image.")
    assert restored.status == 0, restored.err
    lost = witnessed.entry_count - kept_count
    assert f"now ends at entry {kept_count} (head {kept_hash}), re-anchored by checkpoint" in restored.out
    assert f"Lost: {lost} entries witnessed and no longer in the record." in restored.out
    [(_, _, detail)] = events(db, "record.restored")
    assert detail == {
        "reason": "The disk was restored from last week's image.",
        "backup": None,
        "started_empty": False,
        "replaced_file": None,
        "witness_before": {
            "record_id": witnessed.record_id,
            "entry_count": witnessed.entry_count,
            "head_hash": witnessed.head_hash,
            "signed_at": witnessed.at,
            "key_fingerprint": fingerprint(witnessed.public_key),
        },
        "restored_head": {"entry_count": kept_count, "head_hash": kept_hash},
        "forked": False,
        "lost": {"entries witnessed and no longer in the record": lost},
    }
    again = cli(capsys, "verify")
    assert again.status == 0 and again.out.startswith("Record intact: "), again.err

    # The next note gets the lost note's number again, but only after the record said what was lost.
    renoted = cli(capsys, "annotate", "3", "--flag", "ok", "--comment", "Fine after all.")
    assert renoted.out.startswith(f"Annotation {note} on turn 3: ok"), renoted.out
    assert ledger_seq(db, "event", events(db, "record.restored")[0][0]) < ledger_seq(db, "annotation", note)
    # ... and the report of the lost sign-off still proves it existed.
    since = cli(capsys, "verify", "--since", str(report))
    assert since.status == 1
    assert f"FAILED: The record has forked from {report}: its entry" in since.err


def test_an_older_copy_put_back_with_its_own_older_witness_needs_no_key_and_only_the_keyring_catches_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """An insider who kept last week's witness file beside last week's copy needs no key at all."""
    db = signed_record()
    old = copy_by_backup(db, tmp_path / "last-week.db")
    older, last_week = witness_file(db).read_bytes(), newest_witness(db)
    assert last_week is not None
    assert cli(capsys, "annotate", "3", "--flag", "concern", "--comment", "Clause 9 is void.").status == 0
    newer = newest_witness(db)
    assert newer is not None
    put_back(old, db)
    witness_file(db).write_bytes(older)
    by_keyring = cli(capsys, "verify")
    assert by_keyring.status == 1
    assert (
        f"its witness holds a signed head at entry {newer.entry_count} (head {newer.head_hash}"
        in by_keyring.err
    )

    plant_witness(db, older)  # the keyring entry turned back too: the documented limit
    passed = cli(capsys, "verify")
    assert passed.status == 0 and passed.out.startswith("Record intact: "), passed.err
    assert (
        f"Witness outside the file: the record contains its signed head at entry {last_week.entry_count} "
        f"(head {last_week.head_hash}"
    ) in passed.out


def test_the_newest_entries_cut_off_need_no_key_and_leave_the_record_behind_its_witness(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A record cut short is a valid record (every prefix of the chain is): only the witness knows."""
    db = signed_record()
    cut = head(db)[0]
    assert cli(capsys, "annotate", "3", "--flag", "concern", "--comment", "Clause 9 is void.").status == 0
    witnessed = newest_witness(db)
    assert witnessed is not None
    delete_rows(db, "checkpoints", "id = (SELECT max(id) FROM checkpoints)")
    delete_rows(db, "annotations", "id = (SELECT max(id) FROM annotations)")
    delete_rows(db, "ledger", "seq > ?", (cut,))
    assert head(db)[0] == cut
    found = cli(capsys, "verify")
    assert found.status == 1 and found.err.startswith(NOT_VERIFIED)
    assert f"FAILED: The record is behind its witness: it ends at entry {cut} (head " in found.err


def test_restoring_a_named_backup_records_what_the_replaced_file_held_beyond_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = signed_record()
    old = copy_by_backup(db, tmp_path / "last-week.db")
    count, _ = head(old)
    assert cli(capsys, "annotate", "3", "--flag", "concern", "--comment", "Clause 9 is void.").status == 0
    assert cli(capsys, *signoff_argv(capsys, "2", "rejected", "No.", folder=tmp_path)).status == 0
    restored = cli(capsys, "restore", str(old), "--reason", "Undo yesterday's review.")
    assert restored.status == 0, restored.err
    [(_, _, detail)] = events(db, "record.restored")
    assert detail["backup"] == str(old) and Path(detail["replaced_file"]).is_file()
    assert detail["lost"] == {"checkpoint.signed": 2, "conversation.signed": 1, "turn.annotated": 1}
    assert head(Path(detail["replaced_file"]))[0] == count + 4, "the replaced file is kept, whole"
    assert cli(capsys, "verify").status == 0


# -- 7. the witness itself attacked -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("head_hash", "0" * 64, "does not carry a valid signature: it was altered."),
        ("entry_count", 1, "does not carry a valid signature: it was altered."),
        ("at", "2020-01-01T00:00:00.000Z", "does not carry a valid signature: it was altered."),
        ("signature", "00" * 64, "does not carry a valid signature: it was altered."),
        ("format", "veritrace-witness/0", "is not one Veritrace wrote."),
    ],
)
def test_an_edited_witness_file_is_named_as_altered(
    capsys: pytest.CaptureFixture[str], field: str, value: object, problem: str
) -> None:
    db = signed_record()
    path = witness_file(db)
    edited = {**json.loads(path.read_bytes()), field: value}
    path.write_text(json.dumps(edited, indent=2, sort_keys=True) + "\n")
    found = cli(capsys, "verify")
    assert found.status == 1
    assert f"FAILED: The witness in {path} {problem}" in found.err
    refused = cli(capsys, "annotate", "3", "--flag", "ok", "--comment", "Fine.")
    assert refused.status == 2 and refused.err.startswith(f"veritrace: The witness in {path} {problem}")
    assert refused.err.count("\n") == 1


def test_a_garbled_witness_file_fails_verify_instead_of_counting_as_no_witness(
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = signed_record()
    path = witness_file(db)
    path.write_bytes(path.read_bytes()[:40])  # cut short, as a careless (or clever) edit leaves it
    found = cli(capsys, "verify")
    assert found.status == 1 and f"FAILED: The witness file {path} cannot be read (" in found.err


def test_an_older_genuine_witness_put_back_is_still_contained_and_catches_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = signed_record()
    path = witness_file(db)
    older_bytes, older = path.read_bytes(), newest_witness(db)
    assert older is not None
    assert cli(capsys, "annotate", "3", "--flag", "concern", "--comment", "Clause 9 is void.").status == 0
    newer = newest_witness(db)
    assert newer is not None and newer.entry_count > older.entry_count
    path.write_bytes(older_bytes)
    found = cli(capsys, "verify")
    assert found.status == 0, found.err
    assert (
        f"Witness outside the file: the record contains its signed head at entry {older.entry_count} "
        f"(head {older.head_hash}, signed {older.at})."
    ) in found.out
    assert cli(capsys, "checkpoint").status == 0
    caught_up = newest_witness(db)
    assert caught_up is not None and caught_up.entry_count > newer.entry_count


@pytest.mark.parametrize("swapped", ["witness", "record"])
def test_another_records_witness_or_file_swapped_in_is_named_as_a_replaced_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, swapped: str
) -> None:
    db = signed_record()
    other = tmp_path / "elsewhere" / "veritrace.db"
    other.parent.mkdir()
    store = open_record(other)
    long_conversation(store, turns=1, key=installation_key(), title="Another matter")
    ours, theirs = newest_witness(db), newest_witness(other)
    store.close()
    assert ours is not None and theirs is not None and ours.record_id != theirs.record_id
    if swapped == "witness":
        witness_file(db).write_bytes(witness_file(other).read_bytes())
        expected = (
            f"This is not the record last witnessed at {other.resolve()}: that one was record "
            f"{theirs.record_id}, this is {ours.record_id}, which ends at entry {head(db)[0]} "
            f"(head {head(db)[1]}). The file was replaced."
        )
    else:
        put_back(copy_by_file(other, tmp_path / "theirs.db"), db)
        expected = (
            f"This is not the record last witnessed at {db.resolve()}: that one was record "
            f"{ours.record_id}, this is {theirs.record_id}, which ends at entry {head(db)[0]} "
            f"(head {head(db)[1]}). The file was replaced."
        )
    found = cli(capsys, "verify")
    assert found.status == 1 and f"FAILED: {expected}" in found.err
    assert cli(capsys, "list").err == f"veritrace: {expected} " + _restore_hint() + "\n"


def _restore_hint() -> str:
    from app.services.record import RESTORE_HINT

    return RESTORE_HINT


# -- 8. a crash or a full disk while the witness is written ----------------------------------------

# Dies (exit 9, no cleanup) at the LIMIT-th call of os.fsync or os.replace: every durable step.
_CHILD = """
import os, sys
from app.cli import main

limit, calls = int(sys.argv[1]), [0]

def dying(real):
    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == limit:
            os._exit(9)
        return real(*args, **kwargs)
    return call

os.fsync, os.replace = dying(os.fsync), dying(os.replace)
sys.exit(main(["checkpoint"]))
"""


@pytest.mark.parametrize("witnessed", [True, False], ids=["newer-witness", "first-witness"])
def test_a_crash_at_every_durable_step_never_leaves_the_witness_ahead_of_the_record(
    capsys: pytest.CaptureFixture[str], witnessed: bool
) -> None:
    db = signed_record()
    if not witnessed:
        erase_witness(db)
    states: list[str] = []  # after each death: the witness "behind" the new checkpoint, or "current"
    for limit in range(1, 20):
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(limit)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        if child.returncode == 0:
            break
        assert child.returncode == 9, child.stderr
        count, _ = head(db)
        witness = newest_witness(db)
        if witness is not None:
            assert witness.entry_count <= count, f"the witness ran ahead of the record (death {limit})"
            assert entry_hash_at(db, witness.entry_count) == witness.head_hash
        store = Store(db)
        made = store.checkpoints()[-1]
        store.close()
        current = witness is not None and witness.entry_count == made.entry_count
        states.append("current" if current else "behind")
        verified = cli(capsys, "verify")
        assert verified.status == 0, (limit, verified.err)
    else:
        pytest.fail("the checkpoint never completed")
    # Dying before the rename leaves the old witness (or none); from the rename on, the new one, whole.
    behind = states.count("behind")
    assert behind >= 1 and states == ["behind"] * behind + ["current"] * (len(states) - behind), states
    final, store = newest_witness(db), Store(db)
    made = store.checkpoints()[-1]
    store.close()
    assert final is not None and (final.entry_count, final.head_hash) == (made.entry_count, made.head_hash)


class _FullDisk:
    """A file whose every write fails as on a full disk."""

    def __init__(self, handle: object) -> None:
        self._handle = handle

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()  # type: ignore[attr-defined]

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_writing_the_witness_keeps_the_old_one_and_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = signed_record()
    path = witness_file(db)
    before, old = path.read_bytes(), newest_witness(db)
    assert old is not None
    full = types.ModuleType("os")
    full.__dict__.update(os.__dict__)
    full.fdopen = lambda descriptor, *args, **kwargs: _FullDisk(os.fdopen(descriptor, *args, **kwargs))  # type: ignore[attr-defined]
    with monkeypatch.context() as patch:
        patch.setattr(durable, "os", full)
        failed = cli(capsys, "checkpoint")
    store = Store(db)
    made = store.checkpoints()[-1]
    store.close()
    assert made.entry_count > old.entry_count, "the checkpoint itself was recorded"
    assert failed.status == 3 and failed.out == "", "the system refused (a full disk): status 3"
    assert failed.err == (
        f"veritrace: Checkpoint {made.id} was signed and recorded, but the witness outside the record could "
        "not be written (No space left on device). Free some space, then run `veritrace checkpoint` so the "
        "witness catches up.\n"
    )
    assert path.read_bytes() == before and list(path.parent.iterdir()) == [path], "the old witness, alone"
    kept = cli(capsys, "verify")
    assert kept.status == 0 and f"its signed head at entry {old.entry_count} " in kept.out
    assert cli(capsys, "checkpoint").status == 0
    caught_up = newest_witness(db)
    assert caught_up is not None and caught_up.entry_count > made.entry_count
