"""Copies of the record, private to this user, in a folder of their own."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from app.storage.sqlite_dialect import copy_database

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
    copy_database(source, target)
    return target


def newest_backup_age_hours(folder: Path) -> float | None:
    backups = sorted(folder.glob(f"{BACKUP_PREFIX}*.db"))
    if not backups:
        return None
    return (datetime.now(UTC).timestamp() - backups[-1].stat().st_mtime) / 3600
