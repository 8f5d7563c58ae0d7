"""One error boundary: whatever stops a command is one line on stderr with an exit status for its
kind, its traceback only in the log, and a refused command records nothing.

Met as a user meets them, in real processes: a data folder that is a file, a key or lock that is
a folder, an export to a read-only folder or to /sys, a full disk (a real tmpfs as root, else a
file-size limit that makes every write fail the same way).
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app import cli
from app.core.errors import StorageError, VeritraceError
from app.services.failures import (
    BUSY,
    ENVIRONMENT,
    EXIT_STATUS_HELP,
    INTERRUPTED,
    PROBLEM_FOUND,
    REFUSED,
    describe_failure,
)
from app.services.identities import key_path
from app.services.instance import RecordBusyError
from app.services.logs import LOG_NAME, configure_logging, log_failure
from app.services.paths import database_path
from app.services.record import open_record
from app.services.signing import KEY_NAME, installation_key
from tests.fixtures.cli_runs import (
    ROOT,
    WINDOW_START,
    ledger_head,
    one_line_failure,
    run_cli,
    run_python,
    turn_statuses,
)
from tests.fixtures.disks import can_mount, fill, free, no_file_may_grow, read_only_folder, tmpfs
from tests.fixtures.records import long_conversation
from tests.fixtures.signers import passphrase_file, signer


def make_record() -> Path:
    """A record of one conversation (two finished turns, one image), signed by this installation."""
    store = open_record(database_path())
    try:
        long_conversation(store, turns=2, sign=False)
        store.checkpoint(installation_key(), "ready")
    finally:
        store.close()
    return database_path()


@pytest.fixture
def record(veritrace_home: Path) -> Path:
    return make_record()


# -- the data folder and its files ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="Windows names a path under a file as not found")
@pytest.mark.parametrize(("where", "command"), [("a file", "checkpoint"), ("under a file", "list")])
def test_a_data_folder_that_is_not_a_folder_is_one_line(tmp_path: Path, where: str, command: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("my notes")
    home = blocker if where == "a file" else blocker / "sub"
    result = run_cli(command, env={"VERITRACE_HOME": str(home)})
    assert result.returncode == ENVIRONMENT and result.stdout == ""
    line = one_line_failure(result)
    assert str(home) in line and "not a folder" in line and "VERITRACE_HOME must name a folder" in line
    assert blocker.read_text() == "my notes"


@pytest.mark.slow
def test_a_signing_key_that_is_a_folder_is_one_line_and_records_nothing(
    record: Path, veritrace_home: Path
) -> None:
    key = veritrace_home / KEY_NAME
    key.unlink()
    key.mkdir()
    before = ledger_head(record)
    result = run_cli("checkpoint")
    assert result.returncode == ENVIRONMENT
    assert str(key) in one_line_failure(result)
    assert ledger_head(record) == before


@pytest.mark.slow
def test_a_lock_file_that_is_a_folder_is_one_line(record: Path, veritrace_home: Path) -> None:
    (veritrace_home / "veritrace.writers.lock").mkdir()
    result = run_cli("annotate", "1", "--flag", "ok", "--comment", "seen")
    assert result.returncode == ENVIRONMENT
    line = one_line_failure(result)
    assert "veritrace.writers.lock is a folder where a file is expected" in line
    assert ledger_head(record) is not None and turn_statuses(record) == {1: "completed", 2: "completed"}


@pytest.mark.slow
def test_the_window_says_in_one_dialog_line_why_it_cannot_start(veritrace_home: Path) -> None:
    (veritrace_home / "veritrace.lock").mkdir()
    result = run_python(WINDOW_START)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    [dialog] = result.stdout.splitlines()
    assert dialog.startswith("Veritrace cannot start|Starting failed: ")
    assert "veritrace.lock is a folder where a file is expected" in dialog
    assert "IsADirectoryError" in (veritrace_home / LOG_NAME).read_text(encoding="utf-8"), "logged in full"


def test_the_window_shows_what_the_system_refused_in_one_line_not_as_a_bug(
    qapp: object, veritrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui import application

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, title, text, *_rest: shown.append((title, text))
    )
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: pytest.fail("a bug dialog for a full disk"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    configure_logging()
    try:
        application._install_crash_handler()
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/data/veritrace.db-wal")
        except OSError as error:
            sys.excepthook(type(error), error, error.__traceback__)
    finally:
        _forget_log_handlers()
    assert shown == [
        (
            "Veritrace could not finish",
            "That action failed: no space is left on the disk holding /data/veritrace.db-wal. Free some "
            "space, then try again.",
        )
    ]
    assert "Traceback" in (veritrace_home / LOG_NAME).read_text(encoding="utf-8")


# -- export destinations ----------------------------------------------------------------------

NAMES = ["report.pdf", "report.md", "bundle.zip", "bundle"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_an_export_to_a_read_only_folder_is_refused_before_anything_is_recorded(
    record: Path, tmp_path: Path, name: str
) -> None:
    before = ledger_head(record)
    with read_only_folder(tmp_path / "read-only") as folder:
        result = run_cli("export", "1", "-o", str(folder / name))
        assert list(folder.iterdir()) == [], "no file, no temporary, no probe left"
    assert result.returncode == ENVIRONMENT and result.stdout == ""
    line = one_line_failure(result)
    assert f"Cannot write the export: {folder} " in line, "the folder, not the probe file, is named"
    assert ".probe" not in line
    assert "Nothing was verified, signed or recorded" in line
    assert ledger_head(record) == before, "no export.made, no checkpoint, no export.failed"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="Linux's /sys")
@pytest.mark.parametrize("name", NAMES)
def test_an_export_into_sys_is_refused_before_anything_is_recorded(record: Path, name: str) -> None:
    before = ledger_head(record)
    result = run_cli("export", "1", "-o", f"/sys/{name}")
    assert result.returncode == ENVIRONMENT
    line = one_line_failure(result)
    assert line.startswith("veritrace: Cannot write the export: ") and " /sys." in line, line
    assert ledger_head(record) == before
    assert not Path(f"/sys/{name}").exists()


# -- a full disk --------------------------------------------------------------------------------


class FullDisk:
    """Somewhere writes fail for want of space: a real full tmpfs as root, else a file-size limit
    of 0 on the command's process (every file that would grow fails with EFBIG)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder  # the tmpfs, or None for the file-size limit

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        if self.folder is not None:
            fill(self.folder)
            try:
                return run_cli(*args, env=env)
            finally:
                free(self.folder)
        return run_cli(*args, env=env, preexec_fn=no_file_may_grow())


@pytest.fixture
def full_disk(tmp_path: Path, veritrace_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FullDisk]:
    if sys.platform == "win32":
        pytest.skip("a tmpfs or RLIMIT_FSIZE")
    if not can_mount():
        yield FullDisk(None)
        return
    with tmpfs(tmp_path / "disk", "8m") as disk:
        home = disk / "home"
        home.mkdir()
        monkeypatch.setenv("VERITRACE_HOME", str(home))
        yield FullDisk(disk)


@pytest.mark.slow
@pytest.mark.e2e
def test_a_full_disk_fails_every_write_in_one_line_and_records_nothing(
    full_disk: FullDisk, tmp_path: Path, demo_gguf: Path
) -> None:
    record = make_record()
    store = open_record(record)
    try:
        identity = signer(store, key=installation_key())
    finally:
        store.close()
    secret = str(passphrase_file(tmp_path))
    before = ledger_head(record)
    outside = tmp_path / "reports"
    outside.mkdir()
    beside = full_disk.folder or outside
    sign = ("--meaning", "approved", "--reason", "Fine.", "--passphrase-file", secret, "--yes")
    commands = [
        ("ask", "Continue, please.", "--conversation", "1", "--max-tokens", "8"),
        ("ask", "A new question.", "--max-tokens", "8"),
        ("annotate", "1", "--flag", "concern", "--comment", "checked on a full disk"),
        ("checkpoint",),
        ("identity", "create", "--name", "Eve Clerk", "--role", "Clerk", "--passphrase-file", secret),
        ("signoff", "1", "--identity", identity.fingerprint, *sign),
        ("identity", "revoke", identity.fingerprint, "--reason", "Tried on a full disk."),
        ("export", "1", "-o", str(beside / "report.md")),
        ("export", "1", "-o", str(outside / "report.pdf")),
        ("export", "1", "-o", str(outside / "bundle.zip")),
    ]
    for command in commands:
        result = full_disk.run(*command)
        assert result.returncode == ENVIRONMENT, (command, result.stderr)
        one_line_failure(result)
        assert ledger_head(record) == before, f"{command[0]} recorded something on a full disk"
    assert sorted(path.name for path in outside.iterdir()) == []
    assert [path.name for path in key_path(identity).parent.iterdir()] == [key_path(identity).name], (
        "no key file of an identity that was not recorded"
    )
    assert turn_statuses(record) == {1: "completed", 2: "completed"}
    verified = run_cli("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("Record intact"), verified.stderr
    # With space again, the same commands work: nothing was left half-done in the way.
    assert run_cli("annotate", "1", "--flag", "ok", "--comment", "space again").returncode == 0


@pytest.mark.slow
@pytest.mark.e2e
def test_a_disk_that_fills_while_a_turn_streams_ends_it_in_one_line_of_its_own(
    full_disk: FullDisk, demo_gguf: Path
) -> None:
    if full_disk.folder is None:
        pytest.skip("needs a disk that fills up part way (a tmpfs)")
    record = make_record()
    fill(full_disk.folder)
    try:
        # Room for the turn to begin (its rows and their ledger entries, each also indexed by the
        # object it records) but not for a 600-token story to finish.
        free(full_disk.folder, keep_full_but=320 * 1024)
        result = run_cli(
            "ask", "Tell me a long story about a lighthouse.", "--max-tokens", "600", "--seed", "3"
        )
    finally:
        free(full_disk.folder)
    assert result.returncode == ENVIRONMENT, result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("veritrace: The disk holding ") and " is full" in last, result.stderr[-500:]
    assert [turn for turn, status in turn_statuses(record).items() if status is None] == [3], (
        "begun, cut off",
        turn_statuses(record),
        result.stderr[-800:],
    )
    assert run_cli("list").returncode == 0
    assert turn_statuses(record)[3] == "interrupted", "what was saved is kept and said to be cut off"
    verified = run_cli("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("Record intact"), verified.stderr


@pytest.mark.slow
@pytest.mark.e2e
def test_reading_a_sound_record_on_a_full_disk_never_calls_it_damaged(full_disk: FullDisk) -> None:
    if full_disk.folder is None:
        pytest.skip("needs a full disk (a tmpfs): reading creates SQLite's shared-memory file")
    record = make_record()
    before = record.read_bytes()
    for command in (("verify",), ("list",), ("show", "1")):
        result = full_disk.run(*command)
        assert result.returncode == ENVIRONMENT, (command, result.stderr)
        line = one_line_failure(result)
        assert "damaged" not in line and "restore" not in line, line
        assert "full or failing" in line, line
    assert record.read_bytes() == before
    verified = run_cli("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("Record intact"), verified.stderr


@pytest.mark.slow
def test_a_full_disk_on_a_fresh_data_folder_is_one_line_and_a_retry_works(
    full_disk: FullDisk, tmp_path: Path
) -> None:
    fresh = (full_disk.folder or tmp_path) / "fresh"
    result = full_disk.run("checkpoint", VERITRACE_HOME=str(fresh))
    assert result.returncode == ENVIRONMENT, result.stderr
    one_line_failure(result)
    retried = run_cli("checkpoint", env={"VERITRACE_HOME": str(fresh)})
    assert retried.returncode == 0, retried.stderr


# -- the exit statuses and the words ------------------------------------------------------------


def test_the_exit_statuses_are_listed_in_help_and_the_readme() -> None:
    shown = cli.build_parser().format_help()
    assert EXIT_STATUS_HELP in shown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for status in (0, PROBLEM_FOUND, REFUSED, ENVIRONMENT, BUSY, INTERRUPTED):
        assert f"\n  {status:<4} " in shown
        assert f"| {status} |" in readme, f"README's Command line section lists exit status {status}"


def _busy_error() -> sqlite3.Error:
    path = os.path.join(os.environ["VERITRACE_HOME"], "locked.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN EXCLUSIVE")
        with closing(sqlite3.connect(path, timeout=0)) as other:
            try:
                other.execute("INSERT INTO t VALUES (1)")
            except sqlite3.Error as error:
                return error
    raise AssertionError("the database was not locked")


def _full_error() -> sqlite3.Error:
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("PRAGMA max_page_count = 2")
        try:
            for _ in range(100):
                connection.execute("INSERT INTO t VALUES (?)", ("x" * 1000,))
        except sqlite3.Error as error:
            return error
    raise AssertionError("the database did not fill")


def _raised(make: Callable[[], BaseException], cause: BaseException | None = None) -> BaseException:
    """``make()`` raised (from ``cause``), so it carries what a real raise gives it."""
    try:
        try:
            if cause is not None:
                raise cause
        finally:
            raise make()
    except BaseException as error:
        return error


def _encode_error() -> BaseException:
    try:
        "prompt \udcff".encode()
    except UnicodeEncodeError as error:
        return error
    raise AssertionError


def _overflow_error() -> BaseException:
    try:
        with closing(sqlite3.connect(":memory:")) as connection:
            connection.execute("SELECT ?", (2**70,))
    except OverflowError as error:
        return error
    raise AssertionError


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (
            lambda: OSError(errno.ENOSPC, "No space left on device", "/data/veritrace.log"),
            ENVIRONMENT,
            "export failed: no space is left on the disk holding /data/veritrace.log. Free some space",
        ),
        (
            lambda: OSError(errno.EROFS, "Read-only file system", "/mnt/ro/x.pdf"),
            ENVIRONMENT,
            "/mnt/ro/x.pdf is on a read-only file system",
        ),
        (
            lambda: OSError(errno.EACCES, "Permission denied", "/sys/x"),
            ENVIRONMENT,
            "permission denied for /sys/x",
        ),
        (lambda: MemoryError(), ENVIRONMENT, "export failed: out of memory"),
        (
            _encode_error,
            REFUSED,
            "export failed: some text given is not valid Unicode ('\\udcff' at position 7)",
        ),
        (_overflow_error, REFUSED, "export failed: a number given is too large"),
        (_busy_error, BUSY, "export failed: the record stayed locked by another writer for 5 s"),
        (_full_error, ENVIRONMENT, "export failed: the disk holding the record is full"),
        (
            lambda: _raised(lambda: StorageError("The disk is full."), _full_error()),
            ENVIRONMENT,
            "The disk is full.",
        ),
        (
            lambda: _raised(lambda: StorageError("Locked by another program."), _busy_error()),
            BUSY,
            "export failed: the record stayed locked by another writer",
        ),
        (
            lambda: _raised(lambda: VeritraceError("No such report."), FileNotFoundError(errno.ENOENT, "x")),
            REFUSED,
            "No such report.",
        ),
        (
            lambda: _raised(lambda: VeritraceError("Cannot write."), OSError(errno.ENOSPC, "full")),
            ENVIRONMENT,
            "Cannot write.",
        ),
        (lambda: RecordBusyError("The record stayed locked for 15 s."), BUSY, "stayed locked for 15 s"),
        (
            lambda: VeritraceError("Bad \x1b]0;PWNED\x07 name,\nsecond line"),
            REFUSED,
            "Bad \\x1b]0;PWNED\\x07 name, second line",
        ),
    ],
)
def test_each_kind_of_failure_has_its_status_and_one_line(
    make: Callable[[], BaseException], status: int, words: str
) -> None:
    failure = describe_failure(make(), "export")
    assert failure.status == status
    assert words in failure.message
    assert "\n" not in failure.message and "\x1b" not in failure.message


@pytest.mark.parametrize(
    ("errno_", "given", "status"),
    [
        (errno.ENOTDIR, True, REFUSED),  # --image a-file/inside: the user's path is wrong
        (errno.ENOTDIR, False, ENVIRONMENT),  # VERITRACE_HOME is a file: the app cannot go on
        (errno.EISDIR, True, REFUSED),
        (errno.EISDIR, False, ENVIRONMENT),
        (errno.ENAMETOOLONG, True, REFUSED),
        (errno.ELOOP, True, REFUSED),
        (errno.EEXIST, True, REFUSED),
        (errno.EACCES, True, ENVIRONMENT),  # the system refusing stays the system refusing
        (errno.EROFS, True, ENVIRONMENT),
        (errno.ENOSPC, True, ENVIRONMENT),
    ],
)
def test_a_path_error_is_bad_input_only_for_a_path_the_user_named(
    tmp_path: Path, errno_: int, given: bool, status: int
) -> None:
    path = tmp_path / "named" / "inside"
    named = ["export", "1", f"--output={path}"] if given else ["export", "1", "--output=elsewhere.pdf"]
    bare = OSError(errno_, os.strerror(errno_), str(path))
    known = _raised(lambda: VeritraceError("Cannot use it."), OSError(errno_, os.strerror(errno_), str(path)))
    for error in (bare, known):
        assert describe_failure(error, "export", named=cli._paths_given(named)).status == status
    # Without a command line (the window), what the system raised is the system refusing.
    assert describe_failure(bare, "export").status == ENVIRONMENT


@pytest.mark.parametrize(
    ("raised", "status", "line"),
    [
        (KeyboardInterrupt(), INTERRUPTED, "veritrace: interrupted."),
        (OverflowError("int too big"), REFUSED, "veritrace: list failed: a number given is too large"),
        (
            OSError(errno.EISDIR, "Is a directory", "/x/y"),
            ENVIRONMENT,
            "veritrace: list failed: /x/y is a folder",
        ),
        (RecordBusyError("The record stayed locked."), BUSY, "veritrace: The record stayed locked."),
    ],
)
def test_the_boundary_turns_what_escapes_a_command_into_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    status: int,
    line: str,
) -> None:
    def command(_args: object) -> int:
        raise raised

    monkeypatch.setitem(cli._COMMANDS, "list", command)
    assert cli.main(["list"]) == status
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(line) and captured.err.count("\n") == 1


def test_a_background_thread_that_dies_is_one_line_and_a_logged_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], veritrace_home: Path
) -> None:
    def command(_args: object) -> int:
        def hash_model() -> None:
            raise OSError(errno.ENOSPC, "No space left on device", "/models/cache")

        worker = threading.Thread(target=hash_model, name="model-hash")
        worker.start()
        worker.join()
        return 0

    monkeypatch.setitem(cli._COMMANDS, "list", command)
    try:
        assert cli.main(["list"]) == 0
    finally:
        _forget_log_handlers()
    err = capsys.readouterr().err
    assert err == (
        "veritrace: a background task failed: no space is left on the disk holding /models/cache. "
        "Free some space, then try again.\n"
    )
    assert "Traceback" in (veritrace_home / LOG_NAME).read_text(encoding="utf-8")


# -- the log -------------------------------------------------------------------------------------


def _forget_log_handlers() -> None:
    """Leave no log handler of this test's data folder on the root logger for the next test."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler) and handler.baseFilename.startswith(
            os.environ["VERITRACE_HOME"]
        ):
            root.removeHandler(handler)
            handler.close()


def test_a_log_that_cannot_be_written_prints_nothing(
    veritrace_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (veritrace_home / LOG_NAME).mkdir()  # the log file cannot be opened: as on a full or read-only disk
    configure_logging()
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            logging.getLogger("veritrace.test").exception("saving failed")
            log_failure("checkpoint failed", error)
    finally:
        _forget_log_handlers()
    assert capfd.readouterr().err == ""


def test_the_log_keeps_the_traceback_the_terminal_never_sees(
    veritrace_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging()
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            log_failure("checkpoint failed", error)
    finally:
        _forget_log_handlers()
    logged = (veritrace_home / LOG_NAME).read_text(encoding="utf-8")
    assert "checkpoint failed" in logged and "Traceback" in logged and "OSError: [Errno 28]" in logged
    assert capfd.readouterr().err == ""


@pytest.mark.slow
def test_an_unusable_settings_file_is_said_once_and_left_as_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.services.paths import config_path

    settings = config_path()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"settings": {"params": {"seed": ', "utf-8")
    before = settings.read_bytes()
    assert cli.main(["models", "--no-hash"]) == 0
    lines = capsys.readouterr().err.splitlines()
    said = f"veritrace: The settings file {settings} is not valid JSON"
    assert len(lines) == 1 and lines[0].startswith(said)
    assert "uses its default settings and has left the file as it is" in lines[0]
    assert settings.read_bytes() == before
