"""What a user is told when a command cannot finish: one line, and an exit status per kind of failure.

Known errors (``VeritraceError``) carry their own message. What the operating system, SQLite or
the interpreter raise — a full disk, a read-only folder, a path that is a file, text that is not
UTF-8, a number too large, no memory left, a record locked too long — is put in words here. Both
are classified by errno and SQLite result code, never by message text. The traceback goes to the
log file only (``app.services.logs.log_failure``).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.core.errors import VeritraceError, causes
from app.core.text import printable
from app.services.instance import RecordBusyError
from app.services.paths import HOME_VARIABLE
from app.storage.engine import BUSY_TIMEOUT_MS
from app.storage.sqlite_errors import DriverError, Trouble, error_name, trouble

OK = 0
PROBLEM_FOUND = 1  # the command ran and found a problem: verify failed, a turn failed
REFUSED = 2  # usage, bad input, or a record that cannot be used as it is; nothing was changed
ENVIRONMENT = 3  # the system refused: disk full, read-only, permission denied, not a folder, no memory
BUSY = 75  # the record stayed locked by another writer for the whole wait (sysexits' EX_TEMPFAIL)
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)

EXIT_STATUS_HELP = f"""\
exit status:
  {OK:<4} done
  {PROBLEM_FOUND:<4} the command ran and found a problem (verify failed, a turn failed, a signature refused)
  {REFUSED:<4} refused: usage, bad input, or a record that cannot be used as it is
  {ENVIRONMENT:<4} the system refused: disk full, read-only, permission denied, not a folder,
       out of memory (the message names the file; free space or fix it, then run it again)
  {BUSY:<4} the record stayed locked by another writer too long: run it again
  {INTERRUPTED:<4} interrupted (Ctrl-C)"""

# Every error the boundary answers with one line; anything else is a bug and keeps its traceback.
HANDLED: tuple[type[BaseException], ...] = (
    VeritraceError,
    OSError,
    UnicodeError,
    OverflowError,
    MemoryError,
    DriverError,
    DBAPIError,
)

# The machine refused, whatever path it was about: no space, read-only, no permission, no memory.
_MACHINE_ERRNOS = {
    code
    for code in (
        errno.ENOSPC,
        getattr(errno, "EDQUOT", None),
        errno.EFBIG,
        errno.EIO,
        errno.ENOMEM,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EMFILE,
        errno.ENFILE,
    )
    if code is not None
}
# A file where a folder should be, or the reverse: about one of the app's own paths (VERITRACE_HOME
# a file, the key a folder) the system refuses to go on (3); about a path the user named, as any
# other path error about it (a name too long, a link loop, nothing there), it is bad input (2).
_WRONG_KIND_ERRNOS = {errno.ENOTDIR, errno.EISDIR}

_SQLITE_ENVIRONMENT = {Trouble.FULL, Trouble.READ_ONLY, Trouble.CANNOT_OPEN, Trouble.DISK, Trouble.NO_MEMORY}


@dataclass(frozen=True)
class Failure:
    status: int
    message: str  # one line, control characters escaped


def describe_failure(error: BaseException, doing: str, named: Iterable[str] = ()) -> Failure:
    """The one line and exit status for ``error``, which stopped ``doing`` (e.g. "export").

    ``named``: what the user gave (the command line's arguments). A path of the wrong shape that
    is one of them is bad input (2), not the system refusing (3).
    """
    if isinstance(error, RecordBusyError):
        return Failure(BUSY, one_line(str(error)))
    found = trouble(error)
    if found is Trouble.BUSY:
        return Failure(BUSY, one_line(f"{doing} failed: {_busy()}"))
    if isinstance(error, VeritraceError):
        return Failure(_status_behind(error, named), one_line(str(error)))
    if isinstance(error, OSError):
        return Failure(_status_behind(error, named), one_line(f"{doing} failed: {os_words(error)}"))
    if isinstance(error, UnicodeError):
        return Failure(REFUSED, one_line(f"{doing} failed: {_unicode_words(error)}"))
    if isinstance(error, OverflowError):
        return Failure(
            REFUSED, one_line(f"{doing} failed: a number given is too large ({error}). Use a smaller one.")
        )
    if isinstance(error, MemoryError):
        return Failure(
            ENVIRONMENT,
            f"{doing} failed: out of memory. Close other programs or give a smaller input, then try again.",
        )
    if found is not None:
        status, words = _sqlite_words(found, error_name(error))
        return Failure(status, one_line(f"{doing} failed: {words}"))
    return Failure(REFUSED, one_line(f"{doing} failed: {type(error).__name__}: {error}"))


def one_line(text: str) -> str:
    """``text`` as one line a terminal shows as written: line breaks become spaces, and terminal
    controls (an escape sequence could retitle the terminal or hide text) become escapes."""
    joined = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return printable(joined, keep_newlines=False)


def _status_behind(error: BaseException, named: Iterable[str]) -> int:
    """Whether the machine refused underneath ``error`` (3) or what was given cannot be used (2)."""
    for cause in causes(error):
        if isinstance(cause, OSError) and cause.errno in _MACHINE_ERRNOS:
            return ENVIRONMENT
        if isinstance(cause, OSError) and _given(cause, named):
            return REFUSED
        if isinstance(cause, OSError) and cause.errno in _WRONG_KIND_ERRNOS:
            return ENVIRONMENT
        if isinstance(cause, MemoryError):
            return ENVIRONMENT
    if trouble(error) in _SQLITE_ENVIRONMENT:
        return ENVIRONMENT
    return ENVIRONMENT if isinstance(error, OSError) else REFUSED


def _given(error: OSError, named: Iterable[str]) -> bool:
    """Whether ``error`` is about a path the user named (one of ``named``)."""
    paths = [os.fsdecode(name) for name in (error.filename, error.filename2) if isinstance(name, str | bytes)]
    if not paths:
        return False
    given = {os.path.abspath(os.path.expanduser(text)) for text in named if text and "\0" not in text}
    return any(os.path.abspath(path) in given for path in paths)


def _busy() -> str:
    return (
        f"the record stayed locked by another writer for {BUSY_TIMEOUT_MS / 1000:g} s, so the last change "
        "was not saved (everything saved before it is intact). Try again."
    )


def os_words(error: OSError) -> str:
    """What the system refused, in words naming the file, and what to do: one sentence or two."""
    name = error.filename if error.filename is not None else error.filename2
    where = os.fsdecode(name) if isinstance(name, str | bytes) else ""
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)):
        held = f" holding {where}" if where else ""
        return f"no space is left on the disk{held}. Free some space, then try again."
    if code == errno.EFBIG:
        return f"{where or 'a file'} would grow beyond the size this system allows. Free the limit or space."
    if code == errno.EROFS:
        return f"{where or 'the destination'} is on a read-only file system. Choose a writable place."
    # Windows refuses to open a folder as a file with "access denied", not EISDIR.
    folder_as_file = sys.platform == "win32" and code == errno.EACCES and bool(where) and Path(where).is_dir()
    if code in (errno.EACCES, errno.EPERM) and not folder_as_file:
        return f"permission denied for {where or 'a file'}. Check its permissions, or choose another place."
    if code == errno.EISDIR or folder_as_file:
        return f"{where} is a folder where a file is expected. Move the folder away, then try again."
    if code == errno.ENOTDIR:
        return f"{where}: part of this path is a file, not a folder.{_home_hint(where)}"
    if code == errno.EEXIST and where and not Path(where).is_dir():
        return f"{where} exists but is not a folder.{_home_hint(where)}"
    if code == errno.ENOENT:
        return f"{where or 'a file'} does not exist."
    if code == errno.ENAMETOOLONG:
        named = where or "a name given"
        return f"{named}: a name in this path is longer than the file system allows. Use a shorter one."
    if code == errno.ELOOP:
        return f"{where or 'a path given'} leads round a loop of symbolic links. Give the real path."
    if code == errno.EIO:
        return f"input/output error on {where or 'the disk'}: the disk may be failing or was removed."
    if code in (errno.EMFILE, errno.ENFILE):
        return "too many files are open on this system. Close some programs, then try again."
    reason = error.strerror or str(error)
    return f"{reason} ({where})." if where else f"{reason}."


def _home_hint(where: str) -> str:
    home = os.environ.get(HOME_VARIABLE)
    named = bool(home) and os.path.abspath(str(home)) == os.path.abspath(where)
    return f" {HOME_VARIABLE} must name a folder." if named else ""


def _unicode_words(error: UnicodeError) -> str:
    if isinstance(error, UnicodeEncodeError | UnicodeDecodeError):
        found = error.object[error.start : error.end]
        # A lone surrogate (an undecodable byte) is shown as its escape by ``one_line``.
        shown = f"'{found}'" if isinstance(found, str) else f"bytes {found.hex(' ')}"
        return (
            f"some text given is not valid Unicode ({shown} at position {error.start}): a file name or "
            "terminal in another encoding? Give it as UTF-8 text."
        )
    return f"some text given is not valid Unicode ({error}). Give it as UTF-8 text."


def _sqlite_words(found: Trouble, name: str) -> tuple[int, str]:
    if found is Trouble.FULL:
        return ENVIRONMENT, "the disk holding the record is full. Free some space, then try again."
    if found is Trouble.DISK:
        return (
            ENVIRONMENT,
            f"the record could not be read or written ({name}): the disk holding it may be full or "
            "failing. Free some space or check the disk, then try again.",
        )
    if found is Trouble.READ_ONLY:
        return ENVIRONMENT, f"the record cannot be written ({name}): its file or folder is read-only."
    if found is Trouble.CANNOT_OPEN:
        return ENVIRONMENT, "the record cannot be opened: check its folder exists and is writable."
    if found is Trouble.NO_MEMORY:
        return ENVIRONMENT, "SQLite ran out of memory. Close other programs, then try again."
    if found is Trouble.DAMAGED:
        return (
            REFUSED,
            f"the record is damaged or not a Veritrace database ({name}); it was left as it is. Open the "
            "Veritrace window to set it aside and restore a verified backup.",
        )
    return ENVIRONMENT, f"the record could not be used ({name}). Nothing more was saved; try again."
