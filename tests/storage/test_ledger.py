"""The ledger: every row described in the same transaction, chained, verified, append-only."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.storage import ledger, migrations
from app.storage.repository import Store
from tests.fixtures.ledger import fill, tamper
from tests.fixtures.old_records import make_old_record, steps_except


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "record.db"
    store = Store(path)
    fill(store)
    store.close()
    return path


def verify(path: Path):
    store = Store(path)
    try:
        return store.verify()
    finally:
        store.close()


def test_untouched_record_verifies(record: Path) -> None:
    result = verify(record)
    assert result.intact, result.describe()
    with sqlite3.connect(record) as connection:
        rows = sum(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ledger.TABLES
        )
        actions = {row[0] for row in connection.execute("SELECT DISTINCT action FROM ledger")}
    assert result.entries == rows, "one entry per recorded row"
    assert {
        "conversation.created",
        "turn.started",
        "image.attached",
        "turn.output_saved",
        "turn.completed",
    } <= actions
    assert "Record intact" in result.describe()


def test_updates_and_deletes_are_refused_by_sqlite(record: Path) -> None:
    with sqlite3.connect(record) as connection:
        for statement in (
            "UPDATE turn_chunks SET answer = 'No.'",
            "DELETE FROM turns",
            "UPDATE ledger SET actor = 'mallory'",
            "DELETE FROM ledger WHERE seq = 1",
            "UPDATE blobs SET data = x'00'",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                connection.execute(statement)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("statement", "where"),
    [
        ("UPDATE turn_chunks SET answer = 'No.' WHERE id = 2", "turn_chunk 2 differs"),
        ("UPDATE turns SET params_json = replace(params_json, '0.7', '0.1') WHERE id = 1", "turn 1 differs"),
        (
            "UPDATE turn_outcomes SET finished_at = '2020-01-01T00:00:00.000Z' WHERE id = 3",
            "turn_outcome 3 differs",
        ),
        ("DELETE FROM turn_chunks WHERE id = 4", "turn_chunk 4 it records is missing"),
        (
            "INSERT INTO turn_chunks (turn_id, seq, raw, reasoning, answer, saved_at) "
            "VALUES (1, 9, 'x', '', 'x', '2026-01-01')",
            "turn_chunk 7 has no ledger entry",
        ),
        (
            "UPDATE blobs SET data = (SELECT data FROM blobs ORDER BY sha256 DESC LIMIT 1) "
            "WHERE sha256 = (SELECT sha256 FROM blobs ORDER BY sha256 LIMIT 1)",
            "differs from what it recorded",
        ),
        ("DELETE FROM ledger WHERE seq = 5", "entry 5 is missing"),
        ("UPDATE ledger SET actor = 'mallory' WHERE seq = 3", "entry 3: its fields do not match"),
        (
            "UPDATE ledger SET payload = CAST(replace(CAST(payload AS TEXT), 'Yes', 'No!') AS BLOB) "
            "WHERE seq = (SELECT min(seq) FROM ledger WHERE CAST(payload AS TEXT) LIKE '%Yes%')",
            "its payload does not match its recorded SHA-256",
        ),
        ("UPDATE ledger SET seq = seq + 100 WHERE seq = 2", "entry 2 is missing"),
    ],
)
def test_each_kind_of_tampering_is_found_and_located(record: Path, statement: str, where: str) -> None:
    tamper(record, statement)
    result = verify(record)
    assert not result.intact
    assert where in result.describe(), result.describe()


@pytest.mark.slow
def test_random_single_byte_edits_are_all_detected(record: Path, tmp_path: Path) -> None:
    """A thousand random one-character edits to text cells anywhere in the record."""
    rng = random.Random(2026)
    with sqlite3.connect(record) as connection:
        cells = []
        for table in (
            "conversations",
            "turns",
            "turn_chunks",
            "turn_outcomes",
            "turn_images",
            "model_files",
            "ledger",
        ):
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            key = "seq" if table == "ledger" else "id"
            for (row_key,) in connection.execute(f"SELECT {key} FROM {table}"):
                for column in columns:
                    value = connection.execute(
                        f"SELECT {column} FROM {table} WHERE {key} = ?", (row_key,)
                    ).fetchone()[0]
                    if isinstance(value, str) and value:
                        cells.append((table, key, row_key, column, value))
    assert len(cells) > 150
    for trial in range(1000):
        table, key, row_key, column, value = rng.choice(cells)
        position = rng.randrange(len(value))
        changed = value[:position] + chr((ord(value[position]) + 1) % 0x10FFFF or 1) + value[position + 1 :]
        copy = tmp_path / f"trial-{trial}.db"
        shutil.copyfile(record, copy)
        tamper(copy, f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (changed, row_key))
        result = verify(copy)
        assert not result.intact, f"undetected: {table}.{column} of {row_key}"
        copy.unlink()
    assert verify(record).intact, "no false alarm on the untouched original"


def test_records_written_before_the_ledger_are_described_on_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    # Today's ORM writes the columns later migrations added: the old file has them too.
    before_ledger = steps_except(
        "0003_ledger",
        "0004_review",
        "0005_checkpoints",
        "0006_events",
        "0007_search",
        "0012_identities",
        "0013_ledger_objects",  # an index of the ledger: none yet
    )
    make_old_record(path, before_ledger)
    monkeypatch.setattr(migrations, "MIGRATIONS", before_ledger)
    monkeypatch.setattr(ledger, "append_rows", lambda *args, **kwargs: None)  # as the old version wrote
    old = Store(path)
    with pytest.raises(Exception):  # noqa: B017 — no ledger table yet
        old.verify()
    fill(old, turns=1)  # one turn: the old schema has no sign-off table to consult
    old.close()
    monkeypatch.undo()
    upgraded = Store(path)
    result = upgraded.verify()
    upgraded.close()
    assert result.intact and result.entries >= 8
    with sqlite3.connect(path) as connection:
        actions = {row[0] for row in connection.execute("SELECT DISTINCT action FROM ledger")}
        applied = connection.execute(
            "SELECT detail_json FROM events WHERE kind = 'database.migrated'"
        ).fetchone()[0]
    assert actions == {"record.backfilled", "database.migrated"}
    assert "0003_ledger" in applied and "0001_initial" not in applied


@pytest.mark.slow
def test_random_row_deletions_and_insertions_are_all_detected(record: Path, tmp_path: Path) -> None:
    rng = random.Random(11)
    tables = (
        "conversations",
        "turns",
        "turn_chunks",
        "turn_outcomes",
        "turn_images",
        "blobs",
        "model_files",
        "ledger",
    )
    with sqlite3.connect(record) as connection:
        rows = [
            (table, key, value)
            for table in tables
            for key in (("seq",) if table == "ledger" else ("sha256",) if table == "blobs" else ("id",))
            for (value,) in connection.execute(f"SELECT {key} FROM {table}")
        ]
    for trial in range(300):
        copy = tmp_path / f"trial-{trial}.db"
        shutil.copyfile(record, copy)
        table, key, value = rng.choice(rows)
        if trial % 3 == 2 and table != "ledger":  # a duplicate row, added behind the app's back
            with sqlite3.connect(copy) as connection:
                columns = [
                    row[1] for row in connection.execute(f"PRAGMA table_info({table})") if row[1] != key
                ]
            if table == "blobs":
                statement = (
                    "INSERT INTO blobs SELECT 'e' || substr(sha256, 2), size, data, created_at "
                    "FROM blobs WHERE sha256 = ?"
                )
            else:
                listed = ", ".join(columns)
                statement = f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {table} WHERE {key} = ?"
            try:
                tamper(copy, statement, (value,))
            except sqlite3.IntegrityError:  # a unique column refused the copy: delete instead
                tamper(copy, f"DELETE FROM {table} WHERE {key} = ?", (value,))
        else:
            tamper(copy, f"DELETE FROM {table} WHERE {key} = ?", (value,))
        assert not verify(copy).intact, f"undetected change to {table} {value}"
        copy.unlink()
