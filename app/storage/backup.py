"""Copies of the record made with SQLite's online backup API, and finding a good one."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from app.storage.sqlite_errors import Trouble, primary_code, trouble

BACKUP_PREFIX = "veritrace-"
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_database_file(path: Path) -> None:
    """Create ``path`` empty, readable by this user only, or tighten it if it exists.

    SQLite gives the journal, -wal and -shm files it creates the database file's permissions,
    so a record made private before SQLite opens it never has a readable moment or sibling.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        return
    except FileExistsError:
        pass
    if os.name != "posix":  # elsewhere chmod only toggles read-only; the user's profile is private
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        # A record someone else owns (opened read-only) stays as it is: not ours to change.
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(f"{path}{suffix}", PRIVATE_FILE)


def backup_database(source: Path, folder: Path, label: str) -> Path:
    """Copy a live database consistently (readers and WAL included) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, PRIVATE_FOLDER)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{BACKUP_PREFIX}{stamp}-{label}.db"
    private_database_file(target)  # before the first byte of the record is copied into it
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
    copy.close()
    live.close()
    return target


def newest_backup_age_hours(folder: Path) -> float | None:
    backups = sorted(folder.glob(f"{BACKUP_PREFIX}*.db"))
    if not backups:
        return None
    return (datetime.now(UTC).timestamp() - backups[-1].stat().st_mtime) / 3600


def quick_check(path: Path) -> str:
    """SQLite's quick_check result ("ok" when sound), or why the file is not a sound database.

    Only what says the file itself is bad is returned; the disk or the system failing the read
    (a full disk that cannot take the shared-memory file, an I/O error, no memory) is raised as
    the ``sqlite3.Error`` it is, so a sound record is never called damaged for it.
    """
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        connection.close()
    except sqlite3.DatabaseError as error:
        if primary_code(error) != -1 and trouble(error) is not Trouble.DAMAGED:
            raise
        return str(error)
    return "; ".join(str(row[0]) for row in rows[:3])
