"""Damaged records are refused untouched; backups are consistent and verified; restore works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import CorruptDatabaseError
from app.services.record import restore_record
from app.services.recovery import best_backup, daily_backup
from app.storage.repository import Store
from app.storage.sqlite_dialect import quick_check
from tests.fixtures.ledger import damage, fill, tamper
from tests.fixtures.old_records import make_old_record, steps_through


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "veritrace.db"
    store = Store(path)
    fill(store, turns=3)
    store.close()
    return path


def test_a_damaged_record_is_refused_and_left_untouched(record: Path) -> None:
    damage(record)
    before = record.read_bytes()
    with pytest.raises(CorruptDatabaseError, match=r"is damaged \(SQLite reports") as refused:
        Store(record)
    assert "restore a verified backup" in str(refused.value)
    assert record.read_bytes() == before


def test_a_truncated_record_is_refused(record: Path) -> None:
    with sqlite3.connect(record) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = record.read_bytes()
    record.write_bytes(data[: len(data) // 3])
    with pytest.raises(CorruptDatabaseError):
        Store(record)


@pytest.mark.slow
def test_backup_set_aside_and_restore(record: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    store = Store(record)
    first = daily_backup(store, backups)
    assert first is not None and quick_check(first) == "ok"
    assert daily_backup(store, backups) is None, "one a day"
    store.close()
    damage(record)
    found = best_backup(backups)
    assert found is not None and found[0] == first and "Record intact" in found[1]
    # The window restores through restore_record: the damaged file set aside, the loss recorded.
    restored = restore_record(record, backup=found[0], reason="damaged", set_aside_as="damaged")
    assert restored.kept is not None and restored.kept.exists()
    assert restored.kept.name.startswith(f"{record.name}.damaged-")
    reopened = Store(record)
    try:
        assert reopened.verify().intact and len(reopened.list_conversations()) == 1
    finally:
        reopened.close()


@pytest.mark.slow
def test_damaged_or_tampered_backups_are_not_offered(record: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    store = Store(record)
    good = store.backup(backups, "a")
    bad = store.backup(backups, "b")
    store.close()
    tamper(bad, "UPDATE turn_chunks SET answer = 'edited' WHERE id = 1")
    found = best_backup(backups)
    assert found is not None and found[0] == good, "the newer, tampered backup is passed over"


def test_a_backup_is_taken_before_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "veritrace.db"
    make_old_record(path, steps_through("0004_review"))
    backups = tmp_path / "backups"
    Store(path, backups=backups).close()
    [taken] = list(backups.glob("*-before-upgrade.db"))
    with sqlite3.connect(taken) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
    connection.close()
    assert len(names) == 4, "the backup is the record as it was before the upgrade"
    Store(path, backups=backups).close()
    assert len(list(backups.glob("*.db"))) == 1, "no backup when nothing is upgraded"
