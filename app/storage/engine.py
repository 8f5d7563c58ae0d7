"""Open the SQLite file with the PRAGMAs an audit record needs."""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError

from app.core.errors import CorruptDatabaseError, DatabaseTooNewError, StorageError
from app.core.files import kind_of
from app.storage import migrations
from app.storage.backup import backup_database, private_database_file, quick_check
from app.storage.search import TABLE as SEARCH_TABLE
from app.storage.sqlite_errors import Trouble, trouble

BUSY_TIMEOUT_MS = 5000


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself so every write is one explicit transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # persistent; a no-op for :memory:
    # FULL, not NORMAL: NORMAL in WAL mode can lose the last commit on power loss.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


READ_ONLY = "veritrace_read_only"


def _on_begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A deferred transaction reads a consistent WAL snapshot without the write lock, so a
        # long read (verifying, searching, exporting) never holds up a streaming turn's saves.
        connection.exec_driver_sql("BEGIN")
    else:
        # IMMEDIATE takes the write lock up front: no deadlock between two writers upgrading.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The same engine, beginning read-only (deferred) transactions."""
    return engine.execution_options(**{READ_ONLY: True})


def open_engine(path: Path | str, now: str, backups: Path | None = None) -> tuple[Engine, list[str]]:
    """Check the file, create the engine, switch to WAL and bring the schema up to date.

    Returns the engine and the migrations applied to an existing record (an upgrade).

    A file that is not a sound Veritrace record (a folder, a pipe, a damaged file, another
    program's database) is refused after reading it read-only, before anything writes to it,
    not even the switch to WAL. Before migrating an existing record, a backup is taken into
    ``backups`` (if given). The file (created if new) is made readable by this user only.
    """
    if str(path) != ":memory:":
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
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
    options: dict[str, Any] = {}
    if str(path) == ":memory:":
        from sqlalchemy.pool import StaticPool

        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    try:
        with engine.begin() as connection:
            applied_now = migrations.migrate(connection, now)
            connection.execute(text("SELECT count(*) FROM conversations"))
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
    try:
        with closing(sqlite3.connect(_read_only(path), uri=True)) as connection:
            return connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    except sqlite3.Error:
        return False


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
    result = quick_check(path)
    if result != "ok":
        raise CorruptDatabaseError(
            f"The record at {path} is damaged (SQLite reports: {result}). It was left untouched. "
            "Open the Veritrace window to set it aside and restore a verified backup."
        )
    try:
        foreign, applied = _foreign(path)
    except sqlite3.Error as error:
        raise StorageError(
            f"The record at {path} cannot be read ({error}); it was left untouched."
        ) from error
    if foreign is not None:
        raise StorageError(
            f"{path} is not a Veritrace record ({foreign}): it is another program's database, and it "
            "was left untouched. Move it away, or choose another data folder with VERITRACE_HOME."
        )
    return applied


_CREATED_TABLE = re.compile(r"CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
MIGRATIONS_TABLE = "schema_migrations"


def _record_tables() -> set[str]:
    """The tables the known migrations create (the search index's are created by name)."""
    return {MIGRATIONS_TABLE, SEARCH_TABLE} | {
        match.group(1)
        for migration in migrations.MIGRATIONS
        for statement in migration.statements
        for match in _CREATED_TABLE.finditer(statement)
    }


def _foreign(path: Path) -> tuple[str | None, set[str]]:
    """(Why a sound, non-empty database is not a Veritrace record, or None; the migrations it applied)."""
    with closing(sqlite3.connect(_read_only(path), uri=True)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if MIGRATIONS_TABLE not in tables:
            return "it has no schema_migrations table", set()
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({MIGRATIONS_TABLE})")}
        if "name" not in columns:
            return "its schema_migrations table is not Veritrace's", set()
        applied = {str(row[0]) for row in connection.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    if migrations.MIGRATIONS[0].name not in applied:  # every record has it, a newer one's too
        return f"its schema steps are not Veritrace's ({', '.join(sorted(applied)[:3]) or 'none'})", applied
    unknown = sorted(applied - {migration.name for migration in migrations.MIGRATIONS})
    if unknown:
        raise DatabaseTooNewError(
            "This record was written by a newer version of Veritrace "
            f"(schema step {unknown[-1]}). Update Veritrace to open it; the file was not changed."
        )
    unexpected = sorted(
        name
        for name in tables - _record_tables()
        if not name.startswith("sqlite_") and not name.startswith(f"{SEARCH_TABLE}_")  # SQLite's, FTS5's
    )
    if unexpected:
        return f"it has tables a Veritrace record never has: {', '.join(unexpected[:3])}", applied
    return None, applied


def _read_only(path: Path) -> str:
    """A URI that opens ``path`` for reading only (any character in its name is escaped)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _describe(path: Path | str, error: OperationalError) -> str:
    found = trouble(error)
    if found is Trouble.BUSY:
        return f"The record at {path} is locked by another program. Close it and try again."
    if found is Trouble.CANNOT_OPEN:
        return f"The record at {path} cannot be opened: check the folder exists and is writable."
    if found is Trouble.FULL:
        return f"The disk holding {path} is full. Free some space; nothing already saved was lost."
    return f"The record at {path} could not be opened: {error.orig}"
