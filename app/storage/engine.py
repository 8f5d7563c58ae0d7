"""Open the SQLite file with the PRAGMAs an audit record needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError

from app.core.errors import CorruptDatabaseError, StorageError
from app.storage import migrations
from app.storage.backup import backup_database, private_database_file, quick_check

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

    A damaged file is refused before anything writes to it. Before migrating an existing
    record, a backup is taken into ``backups`` (if given). The file (created if new) is made
    readable by this user only.
    """
    if str(path) != ":memory:" and Path(path).exists() and Path(path).stat().st_size > 0:
        result = quick_check(Path(path))
        if result != "ok":
            raise CorruptDatabaseError(
                f"The record at {path} is damaged (SQLite reports: {result}). It was left untouched. "
                "Open the Veritrace window to set it aside and restore a verified backup."
            )
        if backups is not None and _pending_migrations(Path(path)):
            backup_database(Path(path), backups, "before-upgrade")
    if str(path) != ":memory:":
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
            applied = migrations.migrate(connection, now)
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
    upgraded = applied if len(applied) < len(migrations.MIGRATIONS) else []  # not a brand-new record
    return engine, upgraded


def _pending_migrations(path: Path) -> bool:
    """Whether an existing record (one with a schema) has migrations still to apply."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        has_ledger = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'"
        ).fetchone()[0]
        applied = (
            {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
            if has_ledger
            else set()
        )
    connection.close()
    return bool(applied) and bool({migration.name for migration in migrations.MIGRATIONS} - applied)


def _describe(path: Path | str, error: OperationalError) -> str:
    message = str(error.orig)
    if "locked" in message or "busy" in message:
        return f"The record at {path} is locked by another program. Close it and try again."
    if "unable to open" in message:
        return f"The record at {path} cannot be opened: check the folder exists and is writable."
    if "disk" in message and "full" in message:
        return f"The disk holding {path} is full. Free some space; nothing already saved was lost."
    return f"The record at {path} could not be opened: {message}"
