"""Known environmental errors: each carries a message fit to show a user as is.

Anything else that escapes is a bug and goes to the crash dialog with its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator


class VeritraceError(Exception):
    """An expected failure with a clear, user-facing message."""


class ModelError(VeritraceError):
    """A model file cannot be used."""


class ContextOverflowError(VeritraceError):
    """The prompt does not fit in the context window."""


class StorageError(VeritraceError):
    """The record cannot be opened or written."""


class CorruptDatabaseError(StorageError):
    """The database file is damaged; it is never written to."""


class DatabaseTooNewError(StorageError):
    """The database was written by a newer version of the app."""


class NotFoundError(VeritraceError):
    """A conversation or turn id does not exist."""


class LockedError(VeritraceError):
    """The conversation was signed off and can no longer change."""


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it was raised from or during, nearest first (each once)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
