"""Open the SQLite file with the PRAGMAs an audit record needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError

from app.core.errors import StorageError
from app.storage.migrations import migrate

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


def _on_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: no deadlock between two writers upgrading.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_engine(path: Path | str, now: str) -> Engine:
    """Create the engine, switch to WAL and bring the schema up to date."""
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
            migrate(connection, now)
            connection.execute(text("SELECT count(*) FROM conversations"))
    except OperationalError as error:
        engine.dispose()
        raise StorageError(_describe(path, error)) from error
    except DatabaseError as error:
        engine.dispose()
        raise StorageError(
            f"The record at {path} is not a readable Veritrace database ({error.orig}). "
            "It was left untouched."
        ) from error
    except BaseException:
        engine.dispose()
        raise
    return engine


def _describe(path: Path | str, error: OperationalError) -> str:
    message = str(error.orig)
    if "locked" in message or "busy" in message:
        return f"The record at {path} is locked by another program. Close it and try again."
    if "unable to open" in message:
        return f"The record at {path} cannot be opened: check the folder exists and is writable."
    if "disk" in message and "full" in message:
        return f"The disk holding {path} is full. Free some space; nothing already saved was lost."
    return f"The record at {path} could not be opened: {message}"
