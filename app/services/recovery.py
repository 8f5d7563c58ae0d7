"""What to do with a damaged record: keep it aside untouched, restore a verified backup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.storage.backup import newest_backup_age_hours, verified_backups
from app.storage.repository import Store

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
