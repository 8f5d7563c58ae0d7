"""One schema: a new record is made from the models, and a record made at any earlier step is
upgraded to exactly the same schema, its ledger intact. SQLite stays in its dialect module."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.core.types import TurnStatus
from app.storage import ledger
from app.storage.migrations import MIGRATIONS
from app.storage.models import Base
from app.storage.repository import Store
from tests.fixtures.ledger import start_turn
from tests.fixtures.old_records import fill_old_record, make_old_record, steps_through

APP = Path(__file__).resolve().parents[2] / "app"
# The modules that speak SQLite: its dialect (SQL, PRAGMAs, FTS5, the backup API) and its result codes.
DIALECT_MODULES = {APP / "storage" / "sqlite_dialect.py", APP / "storage" / "sqlite_errors.py"}


def schema_of(path: Path) -> dict[str, Any]:
    """Everything SQLite reports about a database's schema, in a form two files can be compared in.

    Per table: each column's position, name, declared type, NOT NULL, default and key; each index
    (those UNIQUE and PRIMARY KEY make included) with its columns; foreign keys; CHECK constraints.
    Triggers and virtual tables by their SQL.
    """
    with closing(sqlite3.connect(path)) as connection:
        objects = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        schema: dict[str, Any] = {
            "user_version": connection.execute("PRAGMA user_version").fetchone()[0],
            "application_id": connection.execute("PRAGMA application_id").fetchone()[0],
            "objects": sorted((kind, name, table) for kind, name, table, _ in objects),
            "triggers": {name: _words(sql) for kind, name, _, sql in objects if kind == "trigger"},
        }
        for kind, name, _, sql in objects:
            if kind != "table":
                continue
            indexes = {
                index: (unique, origin, partial, _index_columns(connection, index))
                for _, index, unique, origin, partial in connection.execute(f"PRAGMA index_list('{name}')")
            }
            schema[name] = {
                "columns": connection.execute(f"PRAGMA table_xinfo('{name}')").fetchall(),
                "indexes": indexes,
                "foreign keys": sorted(
                    tuple(row[2:]) for row in connection.execute(f"PRAGMA foreign_key_list('{name}')")
                ),
                "checks": sorted(_checks(sql or "")),
                "virtual": _words(sql) if (sql or "").upper().startswith("CREATE VIRTUAL TABLE") else None,
            }
    return schema


def _index_columns(connection: sqlite3.Connection, index: str) -> list[tuple[Any, ...]]:
    return connection.execute(f"PRAGMA index_xinfo('{index}')").fetchall()


def _words(sql: str) -> str:
    return " ".join(sql.replace("(", " ( ").replace(")", " ) ").replace(",", " , ").split())


def _checks(sql: str) -> list[str]:
    """The expression of each CHECK constraint in a CREATE TABLE statement."""
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, re.IGNORECASE):
        depth, start = 1, match.end()
        for position in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[position], 0)
            if depth == 0:
                found.append(_words(sql[start:position]))
                break
    return found


@pytest.fixture(scope="module")
def new_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("new") / "record.db"
    Store(path).close()
    return schema_of(path)


def _ledger_entries(path: Path) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(path)) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'ledger'").fetchone():
            return []
        return connection.execute("SELECT seq, entry_hash FROM ledger ORDER BY seq").fetchall()


def _record_a_turn(store: Store) -> None:
    conversation = store.create_conversation("After the upgrade", "alice")
    turn = start_turn(store, conversation)
    store.append_output(turn.id, 0, "[THINK]look[/THINK]No.", "look", "No.")
    store.finish_turn(turn.id, TurnStatus.COMPLETED, finish_reason="stop", completion_tokens=3)


def test_a_new_record_is_made_from_the_models_and_marked_with_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    Store(path).close()
    with closing(sqlite3.connect(path)) as connection:
        applied = [row[0] for row in connection.execute("SELECT name FROM schema_migrations ORDER BY name")]
        triggers = {
            row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert applied == [migration.name for migration in MIGRATIONS]
    assert set(ledger.APPEND_ONLY_TABLES) == set(Base.metadata.tables), "every table is append-only"
    assert triggers == {
        f"{table}_append_only_{change}" for table in Base.metadata.tables for change in ("update", "delete")
    }


@pytest.mark.slow
@pytest.mark.parametrize("made_by", [migration.name for migration in MIGRATIONS])
def test_a_record_made_at_any_step_upgrades_to_exactly_the_schema_of_a_new_one(
    made_by: str, tmp_path: Path, new_schema: dict[str, Any]
) -> None:
    path = tmp_path / "old.db"
    make_old_record(path, steps_through(made_by))
    assert fill_old_record(path) >= 5, "real rows, of every table the version had"
    entries_before = _ledger_entries(path)

    store = Store(path)
    try:
        result = store.verify()
        assert result.intact, result.describe()
        assert result.entries > len(entries_before) or made_by == MIGRATIONS[-1].name
        if "0012_identities" in {step.name for step in steps_through(made_by)}:
            # Written by a version with identities: checked signature by signature, not only stored.
            assert [(i.name, i.revoked) for i in store.identities()] == [
                ("Bob Reviewer", False),
                ("Eve Former", True),
            ]
            legacy, personal = store.conversation(1).signoffs
            assert not legacy.personal and personal.personal and personal.fingerprint
        _record_a_turn(store)
        assert store.verify().intact, "the app writes to the upgraded record as to a new one"
        assert store.conversation(1).turns[0].answer == "Yes."
    finally:
        store.close()

    assert schema_of(path) == new_schema
    assert _ledger_entries(path)[: len(entries_before)] == entries_before, "no entry changed"


def test_a_row_has_the_same_payload_in_a_new_and_in_an_upgraded_record(tmp_path: Path) -> None:
    """Column order and defaults never change what the ledger hashes."""
    new = tmp_path / "new.db"
    old = tmp_path / "old.db"
    make_old_record(old, steps_through(MIGRATIONS[0].name))
    payloads = []
    for path in (new, old):
        store = Store(path)
        try:
            _record_a_turn(store)
        finally:
            store.close()
        with closing(sqlite3.connect(path)) as connection:
            rows = connection.execute(
                "SELECT object_type, payload FROM ledger "
                "WHERE object_type IN ('turn', 'turn_outcome') ORDER BY seq"
            ).fetchall()
        volatile = {"id", "turn_id", "conversation_id", "started_at", "finished_at"}
        payloads.append(
            [
                (kind, {key: value for key, value in json.loads(payload).items() if key not in volatile})
                for kind, payload in rows
            ]
        )
    assert payloads[0] == payloads[1]
    assert [kind for kind, _ in payloads[0]] == ["turn", "turn_outcome"]


def _sqlite_outside_the_dialect(path: Path, root: Path = APP.parent) -> list[str]:
    """Each place ``path`` imports sqlite3 or one of SQLAlchemy's dialects, or writes raw SQL
    (``text()``, ``exec_driver_sql()``)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    text_names = set()
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if a.name.split(".")[0] == "sqlite3"]
            found += [
                f"{where} imports {a.name}" for a in node.names if a.name.startswith("sqlalchemy.dialects")
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "sqlite3" or node.module.startswith("sqlalchemy.dialects"):
                found.append(f"{where} imports from {node.module}")
            elif node.module.split(".")[0] == "sqlalchemy":
                for alias in node.names:
                    if alias.name == "text":
                        text_names.add(alias.asname or alias.name)
                        found.append(f"{where} imports text from {node.module}")
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute) and function.attr in {"text", "exec_driver_sql"}:
                owner = function.value
                if function.attr == "exec_driver_sql" or (
                    isinstance(owner, ast.Name) and owner.id in {"sqlalchemy", "sa", "sql", "expression"}
                ):
                    found.append(f"{where} calls {function.attr}()")
            elif isinstance(function, ast.Name) and function.id in text_names:
                found.append(f"{where} calls {function.id}()")
    return found


@pytest.mark.slow
def test_sqlite_and_raw_sql_are_only_in_the_dialect_module() -> None:
    found = [
        place
        for path in sorted(APP.rglob("*.py"))
        if path not in DIALECT_MODULES
        for place in _sqlite_outside_the_dialect(path)
    ]
    assert found == []


def test_the_check_finds_each_way_of_reaching_sqlite(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlite3\n"
        "from sqlalchemy import text as raw\n"
        "from sqlalchemy.dialects.sqlite import insert\n"
        "import sqlalchemy\n"
        "def f(connection):\n"
        "    connection.execute(raw('SELECT 1'))\n"
        "    connection.execute(sqlalchemy.text('SELECT 1'))\n"
        "    connection.exec_driver_sql('PRAGMA x')\n",
        "utf-8",
    )
    assert sorted(_sqlite_outside_the_dialect(sample, tmp_path)) == [
        "sample.py:1 imports sqlite3",
        "sample.py:2 imports text from sqlalchemy",
        "sample.py:3 imports from sqlalchemy.dialects.sqlite",
        "sample.py:6 calls raw()",
        "sample.py:7 calls text()",
        "sample.py:8 calls exec_driver_sql()",
    ]
