"""What to do with a damaged record (keep it aside untouched, restore a verified backup), and
what to tell of the turns the app's last stop cut off."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.core.errors import VeritraceError
from app.storage.backup import BACKUP_PREFIX, newest_backup_age_hours
from app.storage.repository import Store
from app.storage.sqlite_dialect import quick_check
from app.storage.sqlite_errors import DriverError

DAILY_HOURS = 24.0
NAMED_TURNS = 3  # the interrupted turns named one by one; the rest are counted
TITLE_CHARACTERS = 60


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


def interrupted_message(store: Store, turn_ids: list[int]) -> str:
    """One line naming the turns ``Store.mark_interrupted`` just closed ("" if none).

    "The app stopped during 2 turns last time: turn 5 of “Title” and turn 9 of “Other”; their
    output up to then is kept and marked interrupted." Turns are numbered as the conversation
    shows them (its first is turn 1).
    """
    if not turn_ids:
        return ""
    named: list[str] = []
    titles: dict[int, str] = {}
    for turn_id in turn_ids[:NAMED_TURNS]:
        try:
            turn = store.turn(turn_id)
            if turn.conversation_id not in titles:
                titles[turn.conversation_id] = store.conversation(turn.conversation_id).title
        except VeritraceError:  # gone or unreadable since: named by its id alone
            named.append(f"turn {turn_id}")
            continue
        named.append(f"turn {turn.index + 1} of “{_short(titles[turn.conversation_id])}”")
    more = len(turn_ids) - len(named)
    if more:
        named.append(f"{more} more")
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    if len(turn_ids) == 1:
        return (
            f"The app stopped during a turn last time: {listed}; its output up to then is kept "
            "and marked interrupted."
        )
    return (
        f"The app stopped during {len(turn_ids)} turns last time: {listed}; their output up to then "
        "is kept and marked interrupted."
    )


def _short(title: str) -> str:
    """A title cut to a length one line can show (its characters as recorded: each front end
    shows controls and line breaks as escapes)."""
    return title if len(title) <= TITLE_CHARACTERS else title[: TITLE_CHARACTERS - 1] + "…"
