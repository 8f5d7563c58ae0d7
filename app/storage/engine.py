"""Open the record file, refusing anything that is not a sound Veritrace record, and bring its
schema up to date."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from app.core.errors import CorruptDatabaseError, DatabaseTooNewError, StorageError
from app.core.files import kind_of
from app.storage import migrations, sqlite_dialect
from app.storage.backup import backup_database, private_database_file
from app.storage.models import Base, ConversationRow, SchemaMigrationRow
from app.storage.sqlite_dialect import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from app.storage.sqlite_errors import Trouble, trouble


def reader(engine: Engine) -> Engine:
    """The same engine, beginning read-only (deferred) transactions."""
    return engine.execution_options(**{sqlite_dialect.READ_ONLY: True})


def open_engine(path: Path | str, now: str, backups: Path | None = None) -> tuple[Engine, list[str]]:
    """Check the file, create the engine, switch to WAL and bring the schema up to date.

    Returns the engine and the migrations applied to an existing record (an upgrade).

    A file that is not a sound Veritrace record (a folder, a pipe, a damaged file, another
    program's database) is refused after reading it read-only, before anything writes to it,
    not even the switch to WAL. Before migrating an existing record, a backup is taken into
    ``backups`` (if given). The file (created if new) is made readable by this user only.
    """
    if str(path) != sqlite_dialect.MEMORY:
        applied = _existing_record(Path(path))
        if backups is not None and applied and {m.name for m in migrations.MIGRATIONS} - applied:
            backup_database(Path(path), backups, "before-upgrade")
        try:
            private_database_file(Path(path))
        except OSError as error:
            raise StorageError(
                f"The record at {path} cannot be created: check the folder exists and is writable "
                f"({error.strerror or error})."
            ) from error
    engine = sqlite_dialect.create(path)
    try:
        with engine.begin() as connection:
            applied_now = migrations.migrate(connection, now)
            connection.execute(select(func.count()).select_from(ConversationRow))
    except OperationalError as error:
        engine.dispose()
        raise StorageError(_describe(path, error)) from error
    except DatabaseError as error:
        engine.dispose()
        raise CorruptDatabaseError(
            f"The record at {path} is not a readable Veritrace database ({error.orig}). "
            "It was left untouched."
        ) from error
    except BaseException:
        engine.dispose()
        raise
    upgraded = applied_now if len(applied_now) < len(migrations.MIGRATIONS) else []  # not a brand-new record
    return engine, upgraded


def is_empty_database(path: Path) -> bool:
    """Whether ``path`` is a file that holds no record yet: 0 bytes (and no write-ahead log), or a
    database with nothing in it. Read only; False for anything else, a missing file included."""
    try:
        found = os.stat(path)
    except OSError:
        return False
    if kind_of(found.st_mode) is not None:
        return False
    if found.st_size == 0:
        # A record's first commit can sit in its write-ahead log while the file itself is empty.
        try:
            return os.stat(f"{path}-wal").st_size == 0
        except OSError:
            return True
    return sqlite_dialect.holds_nothing(path)


def check_record_file(path: Path) -> None:
    """Raise unless ``path`` is a Veritrace record with something in it; reads it only.

    StorageError for a folder, pipe, device, foreign or empty database; CorruptDatabaseError for
    a damaged one; DatabaseTooNewError for a newer version's.
    """
    if not _existing_record(path):
        raise StorageError(f"{path} holds no Veritrace record.")


def _existing_record(path: Path) -> set[str]:
    """The migrations an existing record has applied (none: a new or empty file), read only.

    Raises before anything is written: StorageError for a folder, a pipe or a device, and for a
    database another program wrote; CorruptDatabaseError for a damaged file.
    """
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return set()
    except OSError as error:
        raise StorageError(f"The record at {path} cannot be opened ({error.strerror or error}).") from error
    kind = kind_of(found.st_mode)
    if kind == "a folder":
        raise StorageError(
            f"{path} is a folder, not a record. Move it away, or choose another data folder with "
            "VERITRACE_HOME; it was left untouched."
        )
    if kind is not None:
        raise StorageError(f"The record at {path} is {kind}, not a record file; it was left untouched.")
    if is_empty_database(path):
        return set()
    result = sqlite_dialect.quick_check(path)
    if result != "ok":
        raise CorruptDatabaseError(
            f"The record at {path} is damaged (SQLite reports: {result}). It was left untouched. "
            "Open the Veritrace window to set it aside and restore a verified backup."
        )
    try:
        foreign, applied = _foreign(path)
    except DBAPIError as error:
        raise StorageError(
            f"The record at {path} cannot be read ({error.orig}); it was left untouched."
        ) from error
    if foreign is not None:
        raise StorageError(
            f"{path} is not a Veritrace record ({foreign}): it is another program's database, and it "
            "was left untouched. Move it away, or choose another data folder with VERITRACE_HOME."
        )
    return applied


MIGRATIONS_TABLE = SchemaMigrationRow.__tablename__


def _record_tables() -> set[str]:
    """The tables a Veritrace record has: those of the schema, and the full-text index."""
    return set(Base.metadata.tables) | {sqlite_dialect.SEARCH_TABLE}


def _foreign(path: Path) -> tuple[str | None, set[str]]:
    """(Why a sound, non-empty database is not a Veritrace record, or None; the migrations it applied)."""
    with sqlite_dialect.read_only(path) as connection:
        found = inspect(connection)
        tables = set(found.get_table_names())
        if MIGRATIONS_TABLE not in tables:
            return "it has no schema_migrations table", set()
        if "name" not in {column["name"] for column in found.get_columns(MIGRATIONS_TABLE)}:
            return "its schema_migrations table is not Veritrace's", set()
        applied = {str(name) for name in connection.scalars(select(SchemaMigrationRow.name))}
    if migrations.MIGRATIONS[0].name not in applied:  # every record has it, a newer one's too
        return f"its schema steps are not Veritrace's ({', '.join(sorted(applied)[:3]) or 'none'})", applied
    unknown = sorted(applied - {migration.name for migration in migrations.MIGRATIONS})
    if unknown:
        raise DatabaseTooNewError(
            "This record was written by a newer version of Veritrace "
            f"(schema step {unknown[-1]}). Update Veritrace to open it; the file was not changed."
        )
    unexpected = sorted(name for name in tables - _record_tables() if not sqlite_dialect.made_by_engine(name))
    if unexpected:
        return f"it has tables a Veritrace record never has: {', '.join(unexpected[:3])}", applied
    return None, applied


def _describe(path: Path | str, error: OperationalError) -> str:
    found = trouble(error)
    if found is Trouble.BUSY:
        return f"The record at {path} is locked by another program. Close it and try again."
    if found is Trouble.CANNOT_OPEN:
        return f"The record at {path} cannot be opened: check the folder exists and is writable."
    if found is Trouble.FULL:
        return f"The disk holding {path} is full. Free some space; nothing already saved was lost."
    return f"The record at {path} could not be opened: {error.orig}"
