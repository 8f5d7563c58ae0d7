"""Opening the record: the key enrolled, the witness kept outside the file, restore on purpose."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.signing import KEY_ENROLLED, fingerprint
from app.services.paths import backups_dir, database_path
from app.services.record import check_record, open_record, restore_record
from app.services.signing import installation_key
from app.services.witness import WitnessError, newest_witness, witness_dir, witness_file, write_witness
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.ledger import fill


def actions(path: Path) -> list[str]:
    store = Store(path)
    try:
        with store.engine.connect() as connection:
            return [row[0] for row in connection.exec_driver_sql("SELECT action FROM ledger ORDER BY seq")]
    finally:
        store.close()


@pytest.mark.slow
def test_a_new_record_begins_with_its_key_and_is_witnessed_outside_the_file(veritrace_home: Path) -> None:
    store = open_record(database_path())
    try:
        assert actions(database_path())[:2] == [KEY_ENROLLED, "checkpoint.signed"]
        assert store.current_key() == installation_key().public_hex
        witness = newest_witness(database_path())
        assert witness is not None and witness.genuine()
        assert (witness.entry_count, witness.record_id) == (1, store.record_id())
        assert not witness_file(database_path()).is_relative_to(veritrace_home), "never in the data folder"
        if os.name == "posix":
            assert stat.S_IMODE(witness_file(database_path()).stat().st_mode) == 0o600
            assert stat.S_IMODE(witness_dir().stat().st_mode) == 0o700
        checked = check_record(store)
        assert checked.intact and checked.verification.checkpoints == 1
        assert (
            "Witness outside the file: the record contains its signed head at entry 1" in checked.lines()[1]
        )
    finally:
        store.close()


def test_reading_enrols_nothing_and_asks_for_no_key(
    veritrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERITRACE_KEY_PASSPHRASE")  # no key could be unlocked: none is needed
    store = open_record(database_path(), key=None)
    try:
        assert store.head() == (0, "0" * 64) and store.current_key() is None
    finally:
        store.close()
    assert newest_witness(database_path()) is None


@pytest.mark.slow
def test_the_witness_follows_every_checkpoint_and_never_moves_back(veritrace_home: Path) -> None:
    store = open_record(database_path())
    try:
        fill(store, turns=1)
        first = store.checkpoint(installation_key(), "one")
        second = store.checkpoint(installation_key(), "two")
        witness = newest_witness(database_path())
        assert witness is not None and witness.checkpoint_id == second.id
        record_id = store.record_id()
        assert record_id is not None
        kept = write_witness(database_path(), record_id, first)  # an older head is not written
        assert kept.checkpoint_id == second.id
        assert json.loads(witness_file(database_path()).read_text())["checkpoint_id"] == second.id
    finally:
        store.close()


def test_the_keyring_keeps_a_second_witness(veritrace_home: Path, memory_keyring: object) -> None:
    store = open_record(database_path())
    try:
        fill(store, turns=1)
        store.checkpoint(installation_key(), "kept twice")
        old = store.backup(veritrace_home, "old")
    finally:
        store.close()
    # The file witness deleted and the database rolled back: the keyring still remembers.
    store = open_record(database_path())
    try:
        store.annotate(1, "concern", "later", "R")  # type: ignore[arg-type]
        store.checkpoint(installation_key(), "after the copy")
    finally:
        store.close()
    witness_file(database_path()).unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{database_path()}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(old, database_path())
    with pytest.raises(WitnessError, match="behind its witness"):
        open_record(database_path())


@pytest.mark.slow
def test_a_record_behind_its_witness_is_refused_until_restored_on_purpose(veritrace_home: Path) -> None:
    store = open_record(database_path(), backups=backups_dir())
    try:
        fill(store, turns=1)
        backup = store.backup(backups_dir(), "manual")
        note = store.annotate(1, "concern", "A concern the rollback would hide.", "Dr. R")  # type: ignore[arg-type]
        made = store.checkpoint(installation_key(), f"annotation {note.id}")
        witnessed = (made.entry_count, made.head_hash)
    finally:
        store.close()
    restored_copy = veritrace_home / "copy.db"
    shutil.copyfile(backup, restored_copy)
    os.replace(restored_copy, database_path())
    for suffix in ("-wal", "-shm"):
        Path(f"{database_path()}{suffix}").unlink(missing_ok=True)
    with pytest.raises(WitnessError) as refused:
        open_record(database_path())
    message = str(refused.value)
    assert "behind its witness" in message and f"entry {witnessed[0]}" in message and "restore" in message
    with pytest.raises(VeritraceError, match="needs a reason"):
        restore_record(database_path(), backup=None, reason="  ")
    done = restore_record(database_path(), backup=None, reason="Put back last week's copy by mistake")
    assert done.lost == {"entries witnessed and no longer in the record": witnessed[0] - done.head[0]}
    store = open_record(database_path())
    try:
        assert check_record(store).intact
        [(_, _, detail)] = store.events_of(("record.restored",))
        assert detail["reason"] == "Put back last week's copy by mistake"
        assert detail["witness_before"]["entry_count"] == witnessed[0]
        assert detail["witness_before"]["head_hash"] == witnessed[1]
    finally:
        store.close()


@pytest.mark.slow
def test_restoring_a_backup_keeps_the_replaced_file_and_lists_what_it_held_beyond(
    veritrace_home: Path,
) -> None:
    store = open_record(database_path(), backups=backups_dir())
    try:
        fill(store, turns=1)
        backup = store.backup(backups_dir(), "manual")
        store.annotate(1, "ok", "Checked.", "Dr. R")  # type: ignore[arg-type]
        store.checkpoint(installation_key(), "after the backup")
    finally:
        store.close()
    done = restore_record(database_path(), backup=backup, reason="Restoring the audited state")
    assert (
        done.kept is not None and done.kept.exists() and done.kept.name.startswith("veritrace.db.replaced-")
    )
    assert done.lost == {"checkpoint.signed": 1, "turn.annotated": 1}
    assert "Lost: 1 checkpoint.signed, 1 turn.annotated." in done.describe()
    store = open_record(database_path())
    try:
        assert check_record(store).intact
    finally:
        store.close()


@pytest.mark.slow
def test_a_witness_of_another_record_names_the_replaced_file(veritrace_home: Path) -> None:
    open_record(database_path()).close()
    database_path().unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{database_path()}{suffix}").unlink(missing_ok=True)
    with pytest.raises(
        WitnessError,
        match=r"no signing key enrolled and ends at entry 0 .*, but the witness holds a signed head",
    ):
        open_record(database_path())
    fresh = Store(database_path())
    fill(fresh, turns=1)
    fresh.checkpoint(TEST_KEY, "a record of its own")  # enrols another key: another record id
    fresh.close()
    with pytest.raises(WitnessError, match="not the record last witnessed"):
        open_record(database_path())


@pytest.mark.slow
def test_an_installation_key_without_enrolment_in_the_record_fails_verify(veritrace_home: Path) -> None:
    installation_key()  # the installation has signed before: its key exists
    store = Store(database_path())
    fill(store, turns=1)  # a record with no key history at all
    try:
        checked = check_record(store)
        assert not checked.intact
        assert "This installation has a signing key, but the record enrols none" in checked.lines()[-1]
    finally:
        store.close()


@pytest.mark.slow
def test_checkpoints_refuse_an_empty_record_and_a_key_that_is_not_the_records(veritrace_home: Path) -> None:
    store = Store(database_path())
    try:
        with pytest.raises(VeritraceError, match="The record is empty: there is nothing to sign yet"):
            store.checkpoint(TEST_KEY, "nothing")
        fill(store, turns=1)
        store.checkpoint(TEST_KEY, "enrols the test key")
        with pytest.raises(VeritraceError) as refused:
            store.checkpoint(installation_key(), "another key")
        assert fingerprint(TEST_KEY.public_hex) in str(refused.value) and "key replace" in str(refused.value)
        assert store.verify().intact
    finally:
        store.close()


def test_a_turn_is_signed_when_it_ends(veritrace_home: Path, model_file: Path) -> None:
    from app.core.presets import preset
    from app.runtime.fake_backend import FakeBackend
    from app.services.chat import ChatService, SilentSink

    store = open_record(database_path())
    backend = FakeBackend()
    backend.enqueue(["[THINK]t[/THINK]a"])
    try:
        service = ChatService(store, backend, signer=installation_key())
        service.load_model(model_file, preset("demo"))
        turn = service.run_turn(None, "q", preset("demo"), SilentSink(), CancelToken())
        witness = newest_witness(database_path())
        assert witness is not None and witness.entry_count == store.head()[0] - 1
        assert store.checkpoints()[-1].reason == f"turn {turn.id}"
    finally:
        backend.close()
        store.close()
