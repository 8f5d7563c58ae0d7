"""What the record asks of SQLite in particular: everything here, and nothing of it elsewhere.

The schema is ``models`` (SQLAlchemy metadata) and the queries elsewhere are SQLAlchemy Core and
ORM expressions, which run on any engine SQLAlchemy supports. A record kept in PostgreSQL provides
its own version of each part of this module:

- Connections (``create``): the PRAGMAs every connection needs (write-ahead log,
  ``synchronous = FULL``, foreign keys, a busy timeout), and how a transaction begins: IMMEDIATE
  (the write lock up front) to write, deferred (a snapshot, no lock) to read. PostgreSQL: a pool,
  and an isolation level per kind of transaction (REPEATABLE READ READ ONLY for a long read).
- What a new record has besides its tables (``create_schema``): triggers that refuse to change or
  delete a row (``RAISE(ABORT, …)``), and the full-text index, an FTS5 table with the trigram
  tokenizer. PostgreSQL: a trigger function raising an exception; a table with a ``pg_trgm`` index.
  Key columns are declared as SQLite records always declared them (``_column``); the models
  already give PostgreSQL 64-bit integers and double precision.
- The full-text index (``SEARCH_TEXT``, ``text_matches``): a table of (``rowid``, ``body``,
  ``field``, ``turn_id``), and the condition that finds a phrase in ``body`` case-insensitively.
- A condition on a long list of ids in one parameter (``among``): SQLite's ``json_each``;
  PostgreSQL's ``= ANY(:ids)``.
- The file itself: read-only inspection before anything writes to it (``read_only``,
  ``holds_nothing``, ``quick_check``), the tables the engine adds to the record's own
  (``made_by_engine``), and consistent copies with the online backup API (``copy_database``).
  PostgreSQL: the server owns its files; ``amcheck``, and the server's own backups.
- What an error means, read from its result code: ``sqlite_errors`` (PostgreSQL: SQLSTATE classes).

Older SQLite records are brought up to date by ``migrations``, whose statements are SQLite's own
and are run here (``run``); a record made in another engine starts from the metadata.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Text,
    column,
    create_engine,
    event,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.pool import NullPool, StaticPool
from sqlalchemy.schema import CreateColumn

from app.core.errors import StorageError
from app.storage.models import Base
from app.storage.sqlite_errors import Trouble, primary_code, trouble

MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5000
READ_ONLY = "veritrace_read_only"  # an execution option: begin a deferred (read-only) transaction


# -- connections ----------------------------------------------------------------------------


def create(path: Path | str) -> Engine:
    """An engine on the record file at ``path`` (or in memory), every connection set up for it."""
    if str(path) == MEMORY:
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


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
    if connection.get_execution_options().get(READ_ONLY):
        # A deferred transaction reads a consistent WAL snapshot without the write lock, so a
        # long read (verifying, searching, exporting) never holds up a streaming turn's saves.
        connection.exec_driver_sql("BEGIN")
    else:
        # IMMEDIATE takes the write lock up front: no deadlock between two writers upgrading.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def read_only(path: Path) -> Iterator[Connection]:
    """A connection that can only read the file at ``path``: nothing is written to it, not even
    the switch to the write-ahead log. Errors are SQLAlchemy's, wrapping ``sqlite3.Error``."""
    uri = _read_only_uri(path)
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _read_only_uri(path: Path) -> str:
    """A URI that opens ``path`` for reading only (any character in its name is escaped)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def run(connection: Connection, statement: str) -> None:
    """Run one statement of SQLite's own SQL (a migration's), in the caller's transaction."""
    connection.execute(text(statement))


# -- the schema of a new record -------------------------------------------------------------


@compiles(CreateColumn, "sqlite")
def _column(create: CreateColumn, compiler: Any, **kw: Any) -> str | None:
    """A key column of the record as every record has declared it (``id INTEGER PRIMARY KEY``).

    SQLAlchemy adds NOT NULL to key columns; records made by the migrations never had it (an
    INTEGER key is the rowid, never NULL; a TEXT key is always given), so new and upgraded
    records declare the same schema.
    """
    found = create.element
    if not found.primary_key or found.table.metadata is not Base.metadata:
        return compiler.visit_create_column(create, **kw)  # type: ignore[no-any-return]
    declared = compiler.dialect.type_compiler_instance.process(found.type, type_expression=found)
    return f"{compiler.preparer.format_column(found)} {declared}"


def create_schema(connection: Connection) -> None:
    """Make a new record's schema in the caller's transaction: the tables of ``models``, every
    one of them append-only, and the full-text index."""
    require_fts5()  # a clear message, not "no such module: fts5"
    Base.metadata.create_all(connection)
    for name in Base.metadata.tables:
        for statement in append_only_triggers(name):
            connection.execute(text(statement))
    connection.execute(text(_SEARCH_TABLE_DDL))


def append_only_triggers(table_name: str) -> tuple[str, str]:
    """The triggers that refuse to change or delete a row of ``table_name``."""
    message = f"Veritrace records are append-only: rows of {table_name} cannot be changed or deleted"
    return (
        f"CREATE TRIGGER {table_name}_append_only_update BEFORE UPDATE ON {table_name} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table_name}_append_only_delete BEFORE DELETE ON {table_name} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    )


# -- the full-text index --------------------------------------------------------------------

SEARCH_TABLE = "search_text"
SEARCH_TEXT = table(
    SEARCH_TABLE,
    column("rowid", Integer),
    column("body", Text),
    column("field", Text),
    column("turn_id", Integer),
)
_SEARCH_TABLE_DDL = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
    "body, field UNINDEXED, turn_id UNINDEXED, tokenize = 'trigram')"
)
MIN_TRIGRAM = 3  # the trigram tokenizer finds nothing shorter


@lru_cache(maxsize=1)
def _fts5_problem() -> str | None:
    """Why this Python's SQLite cannot build the index, or None if it can."""
    try:
        with closing(sqlite3.connect(MEMORY)) as connection:
            connection.execute("CREATE VIRTUAL TABLE probe USING fts5(body, tokenize = 'trigram')")
    except sqlite3.Error as error:
        return str(error)
    return None


def require_fts5() -> None:
    """Refuse, with a message a user can act on, to run without FTS5 and its trigram tokenizer."""
    problem = _fts5_problem()
    if problem is not None:
        raise StorageError(
            f"Veritrace needs SQLite's full-text search (FTS5 with the trigram tokenizer, SQLite 3.34 "
            f"or newer) to search the record, and this Python's SQLite {sqlite3.sqlite_version} lacks "
            f"it ({problem}). Install a Python built with a current SQLite; the record was not changed."
        )


def text_matches(query: str) -> ColumnElement[bool]:
    """The condition on ``SEARCH_TEXT`` that finds ``query`` (not empty) in ``body``, in any case.

    User input never reaches FTS5's query syntax: it is one quoted phrase in a bound parameter,
    so ``"`` or ``AND (`` are searched for as text. Shorter than a trigram, the indexed text is
    scanned with LIKE instead.
    """
    if len(query) >= MIN_TRIGRAM:
        return literal_column(SEARCH_TABLE).op("MATCH")('"' + query.replace('"', '""') + '"')
    # LIKE folds ASCII case only: list the case variants of the other letters (two at most).
    # The ESCAPE clause also keeps the pattern away from FTS5's own LIKE support, which in
    # SQLite 3.40 finds nothing for patterns of fewer than three non-ASCII characters.
    variants = sorted({"".join(v) for v in itertools.product(*(_cases(c) for c in query))})
    return or_(*(SEARCH_TEXT.c.body.like(f"%{_like_escape(v)}%", escape="\\") for v in variants))


def _cases(character: str) -> set[str]:
    if character.isascii():
        return {character}
    forms = {character, character.lower(), character.upper()}
    forms |= {form.lower() for form in list(forms)} | {form.upper() for form in list(forms)}
    return {form for form in forms if len(form) == 1}


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- lists of ids ---------------------------------------------------------------------------


def among(
    column_: ColumnElement[Any] | QueryableAttribute[Any], values: Iterable[int]
) -> ColumnElement[bool]:
    """``column_ IN values`` for any number of values, passed as one parameter (a JSON array), so
    every conversation a search found fits in one query, however many there are."""
    listed = func.json_each(json.dumps(list(values))).table_valued("value")
    return column_.in_(select(listed.c.value))


# -- the file -------------------------------------------------------------------------------


def made_by_engine(table_name: str) -> bool:
    """Whether a table of that name is one SQLite keeps for itself or for the full-text index."""
    return table_name.startswith("sqlite_") or table_name.startswith(f"{SEARCH_TABLE}_")


def holds_nothing(path: Path) -> bool:
    """Whether the database file at ``path`` defines nothing at all; read only, False if unreadable."""
    try:
        with closing(sqlite3.connect(_read_only_uri(path), uri=True)) as connection:
            return bool(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)
    except sqlite3.Error:
        return False


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


def copy_database(source: Path, target: Path) -> None:
    """Copy a live database consistently (readers and the write-ahead log included) to ``target``."""
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
    copy.close()
    live.close()
