"""The record, its backups and the data folder are readable by this user only (POSIX).

Each test runs with a umask of 0, the most permissive a user could have, so a file that comes
out private was made private by Veritrace, not by the umask.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services.paths import data_dir
from app.storage.backup import backup_database
from app.storage.engine import open_engine

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX notion")

NOW = "2026-01-01T00:00:00Z"


def _mode(path: Path | str) -> int:
    return os.stat(path).st_mode & 0o777


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_data_folder_is_private_when_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITRACE_HOME", str(tmp_path / "new" / "home"))
    assert _mode(data_dir()) == 0o700


def test_an_existing_data_folder_is_tightened(veritrace_home: Path) -> None:
    os.chmod(veritrace_home, 0o755)
    assert data_dir() == veritrace_home
    assert _mode(veritrace_home) == 0o700


def test_a_new_record_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    engine, _ = open_engine(path, NOW)
    try:
        with engine.connect() as connection:  # held open, so SQLite keeps its -wal and -shm
            connection.execute(text("SELECT count(*) FROM conversations"))
            assert (tmp_path / "record.db-wal").exists() and (tmp_path / "record.db-shm").exists()
            for name in ("record.db", "record.db-wal", "record.db-shm"):
                assert _mode(tmp_path / name) == 0o600, name
    finally:
        engine.dispose()


def test_an_existing_readable_record_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    engine, _ = open_engine(path, NOW)
    engine.dispose()
    os.chmod(path, 0o644)

    engine, _ = open_engine(path, NOW)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM conversations"))
            for name in ("record.db", "record.db-wal", "record.db-shm"):
                assert _mode(tmp_path / name) == 0o600, name
    finally:
        engine.dispose()


def test_backups_and_their_folder_are_private(tmp_path: Path) -> None:
    source = tmp_path / "record.db"
    engine, _ = open_engine(source, NOW)
    engine.dispose()
    folder = tmp_path / "backups"

    made = backup_database(source, folder, "test")

    assert _mode(folder) == 0o700
    assert _mode(made) == 0o600
    with sqlite3.connect(made) as copy:
        assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    copy.close()


def test_an_existing_backups_folder_is_tightened(tmp_path: Path) -> None:
    source = tmp_path / "record.db"
    engine, _ = open_engine(source, NOW)
    engine.dispose()
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)

    backup_database(source, folder, "test")
    assert _mode(folder) == 0o700
