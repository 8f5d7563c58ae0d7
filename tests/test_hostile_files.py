"""Files that are not what they claim to be, where Veritrace expects an image, a record or settings.

An image path that is a device, a pipe or a folder; an emptied record beside its signing key or
its witness; another program's SQLite database; a folder or a pipe where the record should be; a
settings file that is not settings. Each gets one line naming the file and what to do, in bounded
time and memory (readers that could block run under a timeout, the command line under a 1 GiB
address-space cap), and the file is left byte for byte as it was: no -wal or -shm appears beside
a foreign database, an emptied record stays empty, a garbage settings file is not rewritten.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.errors import CorruptDatabaseError, DatabaseTooNewError, StorageError
from app.core.files import NotAFileError, TooLargeError, read_bounded
from app.core.images import MAX_IMAGE_BYTES, ImageError, human_size, read_image_file
from app.services.config import AppConfig, load_config, set_settings_reporter
from app.services.paths import config_path, database_path
from app.services.record import open_record
from app.services.signing import KEY_NAME, installation_key
from app.storage.repository import Store
from tests.fixtures.hostile_files import GiB, fingerprint, run_capped
from tests.fixtures.keys import TEST_KEY

POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="named pipes, devices and RLIMIT_AS are POSIX")
SIDE_FILES = ("-wal", "-shm", "-journal")


def veritrace_capped(*args: str, home: Path) -> tuple[int, list[str]]:
    """Exit status and stderr lines of ``python -m app ARGS``, its address space capped at 1 GiB."""
    run = run_capped(["-m", "app", *args], memory=GiB, timeout=120, env={"VERITRACE_HOME": str(home)})
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, run.stderr.splitlines()


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no space: gigabytes cost nothing to make."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def beside(path: Path) -> list[str]:
    """The SQLite side files (-wal, -shm, -journal) next to ``path``."""
    return [suffix for suffix in SIDE_FILES if Path(f"{path}{suffix}").exists()]


# -- images: only a regular file, and no more of it than the limit ------------------------------


@pytest.fixture
def pipe(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    os.mkfifo(path)
    return path


@POSIX_ONLY
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("name", "kind"), [("/dev/zero", "a character device"), ("pipe", "a named pipe"), ("folder", "a folder")]
)
def test_an_image_that_is_not_a_file_is_refused_before_it_is_read(
    tmp_path: Path, pipe: Path, name: str, kind: str
) -> None:
    path = {"pipe": pipe, "folder": tmp_path}.get(name, Path(name))
    with pytest.raises(ImageError) as raised:
        read_image_file(path)
    assert str(raised.value) == f"{path} is {kind}, not an image file."


def test_an_image_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = sparse(tmp_path / "huge.png", 5 * 10**9)  # costs nothing to make; must cost nothing to refuse
    with pytest.raises(ImageError) as raised:
        read_image_file(path)
    assert (
        str(raised.value) == f"huge.png is 5.0 GB; images up to {human_size(MAX_IMAGE_BYTES)} are accepted."
    )


def test_a_bounded_read_stops_one_byte_past_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(bytes(1000))
    assert read_bounded(path, 1000) == bytes(1000)
    with pytest.raises(TooLargeError) as raised:
        read_bounded(path, 999)
    assert raised.value.size == 1000 and raised.value.limit == 999
    with pytest.raises(NotAFileError, match=r"is a folder, not a file$"):
        read_bounded(tmp_path, 10)
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing", 10)


@pytest.mark.slow
@POSIX_ONLY
@pytest.mark.parametrize("name", ["/dev/zero", "pipe", "sparse"])
def test_ask_with_a_hostile_image_says_one_line_and_records_nothing(
    veritrace_home: Path, tmp_path: Path, pipe: Path, name: str
) -> None:
    """The command line as the issue found it: /dev/zero read 4.4 GB, a pipe blocked forever."""
    path = {"pipe": pipe, "sparse": sparse(tmp_path / "sparse.png", 5 * 10**9)}.get(name, Path(name))
    status, lines = veritrace_capped("ask", "Describe this.", "--image", str(path), home=veritrace_home)
    limit = human_size(MAX_IMAGE_BYTES)
    expected = {
        "/dev/zero": "veritrace: /dev/zero is a character device, not an image file.",
        "pipe": f"veritrace: {pipe} is a named pipe, not an image file.",
        "sparse": f"veritrace: sparse.png is 5.0 GB; images up to {limit} are accepted.",
    }[name]
    assert (status, lines) == (2, [expected])
    assert not database_path().exists(), "nothing was recorded"


# -- the record: emptied, foreign, a folder, a pipe ------------------------------------------------


def test_an_emptied_record_beside_its_signing_key_is_refused_and_left_empty(veritrace_home: Path) -> None:
    installation_key()  # the key a first run makes: a record was here
    database = database_path()
    database.write_bytes(b"")
    for key in (installation_key, None):  # writing, and reading only (list, show, verify)
        with pytest.raises(CorruptDatabaseError) as raised:
            open_record(database, key=key)
        message = str(raised.value)
        assert message.startswith(
            f"The record at {database} is empty, but the signing key {KEY_NAME} lies beside it: a record "
            "was emptied, and an emptied record is not a new one. It was left as it is."
        )
        assert "\n" not in message
    assert database.stat().st_size == 0 and beside(database) == []


def test_an_emptied_record_with_a_witness_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "elsewhere" / "veritrace.db"
    database.parent.mkdir()
    open_record(database, key=lambda: TEST_KEY).close()  # enrolled: a checkpoint, and its witness
    assert not (database.parent / KEY_NAME).exists(), "no signing key beside this one"
    database.write_bytes(b"")
    with pytest.raises(CorruptDatabaseError, match="a witness outside the folder holds its signed head"):
        open_record(database, key=lambda: TEST_KEY)
    assert database.stat().st_size == 0 and beside(database) == []


def test_an_empty_file_with_no_key_and_no_witness_becomes_a_new_record(tmp_path: Path) -> None:
    database = tmp_path / "first-run" / "veritrace.db"
    database.parent.mkdir()
    database.write_bytes(b"")
    store = open_record(database, key=lambda: TEST_KEY)
    try:
        assert store.verify().intact and store.current_key() is not None
    finally:
        store.close()


def foreign_database(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return path


FOREIGN = {
    "another app's": (
        ["CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO users (name) VALUES ('ada')"],
        "it has no schema_migrations table",
    ),
    "a Rails app's": (
        [
            "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)",
            "INSERT INTO schema_migrations VALUES ('1')",
        ],
        "its schema_migrations table is not Veritrace's",
    ),
    "a look-alike": (
        [
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)",
            "INSERT INTO schema_migrations VALUES ('0001_initial', 'now')",
            "CREATE TABLE users (id INTEGER PRIMARY KEY)",
        ],
        "it has tables a Veritrace record never has: users",
    ),
    "another migration tool's": (
        [
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY)",
            "INSERT INTO schema_migrations VALUES ('create_users')",
        ],
        "its schema steps are not Veritrace's (create_users)",
    ),
    "a newer Veritrace's": (
        [
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)",
            "INSERT INTO schema_migrations VALUES ('0001_initial', 'then'), ('9999_future', 'then')",
        ],
        None,  # refused as too new, read only as well
    ),
}


@pytest.mark.parametrize("which", list(FOREIGN))
def test_a_foreign_sqlite_database_is_refused_and_not_changed(tmp_path: Path, which: str) -> None:
    statements, reason = FOREIGN[which]
    path = foreign_database(tmp_path / "veritrace.db", *statements)
    before = fingerprint(path)
    assert path.read_bytes()[18:20] == b"\x01\x01", "a rollback-journal database (not WAL)"
    with pytest.raises(StorageError) as raised:
        open_record(path, key=lambda: TEST_KEY)
    if reason is None:
        assert type(raised.value) is DatabaseTooNewError
        assert "newer version of Veritrace (schema step 9999_future)" in str(raised.value)
    else:
        assert type(raised.value) is StorageError
        assert str(raised.value) == (
            f"{path} is not a Veritrace record ({reason}): it is another program's database, and it was "
            "left untouched. Move it away, or choose another data folder with VERITRACE_HOME."
        )
    assert fingerprint(path) == before and path.read_bytes()[18:20] == b"\x01\x01", "not even switched to WAL"
    assert beside(path) == []


def test_a_veritrace_record_with_a_table_added_is_not_taken_for_one(tmp_path: Path) -> None:
    path = tmp_path / "veritrace.db"
    Store(path).close()
    foreign_database(path, "CREATE TABLE hidden (secret TEXT)")
    before = fingerprint(path)
    with pytest.raises(StorageError, match=r"it has tables a Veritrace record never has: hidden\)"):
        Store(path)
    assert fingerprint(path) == before


def test_a_record_that_is_a_folder_is_called_a_folder_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "veritrace.db"
    path.mkdir()
    with pytest.raises(StorageError) as raised:
        open_record(path, key=lambda: TEST_KEY)
    assert type(raised.value) is StorageError, "not CorruptDatabaseError: nothing is damaged"
    assert str(raised.value) == (
        f"{path} is a folder, not a record. Move it away, or choose another data folder with "
        "VERITRACE_HOME; it was left untouched."
    )
    assert list(path.iterdir()) == []


@POSIX_ONLY
@pytest.mark.timeout(60)
def test_a_record_that_is_a_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    path = tmp_path / "veritrace.db"
    os.mkfifo(path)
    with pytest.raises(StorageError, match=r"is a named pipe, not a record file; it was left untouched\.$"):
        open_record(path, key=lambda: TEST_KEY)
    assert path.is_fifo() and beside(path) == []


@pytest.mark.slow
@POSIX_ONLY
@pytest.mark.parametrize("case", ["emptied", "foreign", "folder", "pipe"])
def test_the_command_line_says_one_line_for_each_record_that_is_not_one(
    veritrace_home: Path, case: str
) -> None:
    database = database_path()
    if case == "emptied":
        installation_key()
        database.write_bytes(b"")
    elif case == "foreign":
        foreign_database(database, *FOREIGN["another app's"][0])
    elif case == "folder":
        database.mkdir()
    else:
        os.mkfifo(database)
    before = fingerprint(database) if database.is_file() else {}
    for command in (["list"], ["verify"]):
        status, lines = veritrace_capped(*command, home=veritrace_home)
        assert status == 2 and len(lines) == 1 and lines[0].startswith("veritrace: "), lines
        assert str(database) in lines[0]
    if before:
        assert fingerprint(database) == before and beside(database) == []


# -- settings: a garbage file is named, never rewritten ----------------------------------------------


@pytest.fixture
def reported() -> Iterator[list[str]]:
    lines: list[str] = []
    set_settings_reporter(lines.append)
    yield lines
    set_settings_reporter(None)


GARBAGE = {
    "not JSON": (b"{not json", "is not valid JSON (Expecting property name"),
    "not UTF-8": (b'{"model_path": "\xff\xfe"}', "is not valid JSON ('utf-8' codec can't decode"),
    "a list": (b"[1, 2]", "does not hold settings (a JSON object)"),
    "a string": (b'"settings"', "does not hold settings (a JSON object)"),
    "a bad value": (
        b'{"settings": {"template": "no-such-template"}}',
        "holds a setting Veritrace cannot use",
    ),
    "deeply nested": (b"[" * 100_000, "is not valid JSON (maximum recursion depth exceeded"),
    "empty": (b"", "is not valid JSON (Expecting value"),
}


@pytest.mark.parametrize("which", list(GARBAGE))
def test_a_garbage_settings_file_is_named_once_and_left_as_it_is(
    veritrace_home: Path, reported: list[str], caplog: pytest.LogCaptureFixture, which: str
) -> None:
    data, problem = GARBAGE[which]
    path = config_path()
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="app.services.config"):
        assert load_config() == AppConfig()
        assert load_config() == AppConfig()
    [line] = reported
    assert line.startswith(f"The settings file {path} {problem}"), line
    assert line.endswith(
        ": Veritrace uses its default settings and has left the file as it is; fix or remove it to choose "
        "settings again."
    )
    assert "\n" not in line
    assert [record.getMessage() for record in caplog.records] == [line], "logged once"
    assert path.read_bytes() == data


@POSIX_ONLY
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda path: path.mkdir(), "is a folder, not a settings file"),
        (os.mkfifo, "is a named pipe, not a settings file"),
        (lambda path: sparse(path, 2 * 2**20), "holds 2097152 bytes, far more than any settings file"),
    ],
)
def test_a_settings_file_that_is_not_a_file_or_far_too_large_is_named_unread(
    veritrace_home: Path, reported: list[str], make: Callable[[Path], object], problem: str
) -> None:
    path = config_path()
    make(path)
    assert load_config() == AppConfig()
    assert len(reported) == 1 and reported[0].startswith(f"The settings file {path} {problem}"), reported


def test_good_settings_say_nothing(veritrace_home: Path, reported: list[str]) -> None:
    config_path().write_text('{"display_name": "Dana"}')
    assert load_config().display_name == "Dana"
    assert reported == []


@pytest.mark.slow
def test_the_command_line_keeps_a_garbage_settings_file_and_logs_why(veritrace_home: Path) -> None:
    path = config_path()
    path.write_bytes(b"{garbage")
    status, _ = veritrace_capped("verify", home=veritrace_home)
    assert status in (0, 1)
    log = (veritrace_home / "veritrace.log").read_text("utf-8")
    assert log.count(f"The settings file {path} is not valid JSON") == 1
    assert path.read_bytes() == b"{garbage"
