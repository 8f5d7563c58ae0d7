"""What an SQLite error means, read from its result code, never from its message text.

SQLite's messages are for people and change between versions; its result codes (``sqlite3.h``)
do not. The primary code is the low byte of ``sqlite_errorcode``; extended codes
(``SQLITE_IOERR_SHMSIZE``, ``SQLITE_BUSY_SNAPSHOT``) add detail above it.
"""

from __future__ import annotations

import enum
import sqlite3

from sqlalchemy.exc import DBAPIError

from app.core.errors import causes

# The driver's own error, as it raises it where SQLAlchemy does not wrap it (``quick_check``).
DriverError = sqlite3.Error

# Primary result codes (sqlite3.h).
PERM, BUSY, LOCKED, NOMEM, READONLY = 3, 5, 6, 7, 8
IOERR, CORRUPT, FULL, CANTOPEN = 10, 11, 13, 14
AUTH, FORMAT, NOTADB = 23, 24, 26


class Trouble(enum.Enum):
    """What went wrong, in the terms a user can act on."""

    FULL = "full"  # the disk holding the record is full
    BUSY = "busy"  # another writer held the record for the whole wait
    READ_ONLY = "read-only"  # the file or its folder cannot be written
    CANNOT_OPEN = "cannot open"  # the file or its folder is missing or not accessible
    DISK = "disk"  # an I/O error: the disk failing, or full where SQLite only sees a short write
    NO_MEMORY = "no memory"
    DAMAGED = "damaged"  # the file is not a sound SQLite database
    OTHER = "other"


_TROUBLE = {
    FULL: Trouble.FULL,
    BUSY: Trouble.BUSY,
    LOCKED: Trouble.BUSY,
    READONLY: Trouble.READ_ONLY,
    PERM: Trouble.READ_ONLY,
    AUTH: Trouble.READ_ONLY,
    CANTOPEN: Trouble.CANNOT_OPEN,
    IOERR: Trouble.DISK,
    NOMEM: Trouble.NO_MEMORY,
    CORRUPT: Trouble.DAMAGED,
    NOTADB: Trouble.DAMAGED,
    FORMAT: Trouble.DAMAGED,
}


def sqlite_error(error: BaseException) -> sqlite3.Error | None:
    """The ``sqlite3.Error`` behind ``error`` (itself, SQLAlchemy's wrapper of it, or a cause)."""
    for cause in causes(error):
        if isinstance(cause, DBAPIError) and isinstance(cause.orig, sqlite3.Error):
            return cause.orig
        if isinstance(cause, sqlite3.Error):
            return cause
    return None


def primary_code(error: BaseException) -> int | None:
    """SQLite's primary result code behind ``error``; -1 for an SQLite error without one, None if
    no SQLite error is behind it."""
    found = sqlite_error(error)
    if found is None:
        return None
    code = getattr(found, "sqlite_errorcode", None)
    return -1 if code is None else int(code) & 0xFF


def trouble(error: BaseException) -> Trouble | None:
    """What the SQLite error behind ``error`` means; None if there is none."""
    code = primary_code(error)
    return None if code is None else _TROUBLE.get(code, Trouble.OTHER)


def error_name(error: BaseException) -> str:
    """SQLite's name for the error behind ``error`` (``SQLITE_IOERR_SHMSIZE``), else its text."""
    found = sqlite_error(error)
    if found is None:
        return str(error)
    return getattr(found, "sqlite_errorname", None) or str(found)
