"""SQLite's errors are classified by result code, from real failures of a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from app.storage.sqlite_errors import Trouble, error_name, primary_code, trouble


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("it did not fail")


def _busy(tmp_path: Path) -> BaseException:
    path = tmp_path / "busy.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN IMMEDIATE")
        with closing(sqlite3.connect(path, timeout=0.05, isolation_level=None)) as other:
            return _raised(lambda: other.execute("BEGIN IMMEDIATE"))


def _read_only(tmp_path: Path) -> BaseException:
    path = tmp_path / "ro.db"
    with closing(sqlite3.connect(path)) as made:
        made.execute("CREATE TABLE t (x)")
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as reader:
        return _raised(lambda: reader.execute("INSERT INTO t VALUES (1)"))


def _cannot_open(tmp_path: Path) -> BaseException:
    return _raised(lambda: sqlite3.connect(tmp_path / "no" / "such" / "folder.db"))


def _damaged(tmp_path: Path) -> BaseException:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    with closing(sqlite3.connect(path)) as connection:
        return _raised(lambda: connection.execute("SELECT * FROM sqlite_master").fetchall())


def _not_a_database(tmp_path: Path) -> BaseException:
    path = tmp_path / "text.db"
    path.write_text("not a database at all, just text that is long enough to be read " * 20)
    with closing(sqlite3.connect(path)) as connection:
        return _raised(lambda: connection.execute("SELECT * FROM sqlite_master").fetchall())


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_busy, Trouble.BUSY),
        (_read_only, Trouble.READ_ONLY),
        (_cannot_open, Trouble.CANNOT_OPEN),
        (_damaged, Trouble.DAMAGED),
        (_not_a_database, Trouble.DAMAGED),
    ],
)
def test_each_real_failure_is_known_by_its_code(
    tmp_path: Path, make: Callable[[Path], BaseException], expected: Trouble
) -> None:
    error = make(tmp_path)
    assert isinstance(error, sqlite3.Error)
    assert trouble(error) is expected
    assert error_name(error).startswith("SQLITE_")


def test_sqlalchemys_wrapper_and_a_known_error_raised_from_it_are_seen_through(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'no' / 'folder.db'}")
    wrapped = _raised(lambda: engine.connect())
    assert isinstance(wrapped, OperationalError)
    assert trouble(wrapped) is Trouble.CANNOT_OPEN
    try:
        raise RuntimeError("the record could not be opened") from wrapped
    except RuntimeError as outer:
        assert trouble(outer) is Trouble.CANNOT_OPEN


def test_an_error_with_no_sqlite_error_behind_it_is_none() -> None:
    assert trouble(OSError(28, "No space left on device")) is None
    assert primary_code(ValueError("x")) is None
    # The messages are never read: the same words without a code mean nothing here.
    assert trouble(RuntimeError("database or disk is full")) is None
