"""What to do with a damaged record: keep it aside untouched, restore a verified backup."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.storage.backup import BACKUP_PREFIX, newest_backup_age_hours
from app.storage.repository import Store
from app.storage.sqlite_dialect import quick_check
from app.storage.sqlite_errors import DriverError

DAILY_HOURS = 24.0


def set_aside(database: Path, label: str = "damaged") -> Path:
    """Move the record (with its WAL and shared-memory files) aside; never delete it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = database.with_name(f"{database.name}.{label}-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(database) + suffix)
        if source.exists():
            source.rename(Path(str(kept) + suffix))
    return kept


def verified_backups(folder: Path) -> list[tuple[Path, str]]:
    """Backups, newest first, that pass quick_check and full ledger verification.

    Each is checked on a temporary copy, so the backups themselves are never changed.
    """
    good: list[tuple[Path, str]] = []
    for candidate in sorted(folder.glob(f"{BACKUP_PREFIX}*.db"), reverse=True):
        try:
            if quick_check(candidate) != "ok":
                continue
        except DriverError:  # unreadable now (the disk failing): not one to offer
            continue
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "check.db"
            for suffix in ("", "-wal"):  # what SQLite would read, write-ahead log included
                if Path(f"{candidate}{suffix}").exists():
                    shutil.copyfile(f"{candidate}{suffix}", f"{copy}{suffix}")
            try:
                store = Store(copy)
            except Exception:
                continue
            try:
                result = store.verify()
            finally:
                store.close()
        if result.intact:
            good.append((candidate, result.describe()))
    return good


def best_backup(folder: Path) -> tuple[Path, str] | None:
    """The newest backup that passes quick_check and full verification, with its summary."""
    found = verified_backups(folder)
    return found[0] if found else None


def daily_backup(store: Store, folder: Path) -> Path | None:
    """Back the record up if the newest backup is more than a day old."""
    age = newest_backup_age_hours(folder)
    if age is not None and age < DAILY_HOURS:
        return None
    return store.backup(folder, "daily")
