"""Read a file a user named, bounded: only a regular file, and never more than a limit.

A path given as a file may be anything: ``/dev/zero`` never ends, a named pipe blocks its
reader until someone writes, a folder cannot be read at all. ``read_bounded`` refuses all of
them before reading a byte, and reads at most the limit and one byte more, so a file larger
than allowed costs no more than the limit to refuse.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Opening a named pipe without it returns at once instead of waiting for a writer.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class NotAFileError(Exception):
    """The path is a folder, a named pipe, a device or a socket; ``kind`` says which, in words."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a file")
        self.path, self.kind = path, kind


class TooLargeError(Exception):
    """The file holds more than the limit; ``size`` is at least what it holds."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path} holds {size} bytes, more than {limit}")
        self.path, self.size, self.limit = path, size, limit


def kind_of(mode: int) -> str | None:
    """What a file of this ``st_mode`` is, in words ("a named pipe"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``: NotAFileError, TooLargeError, or OSError otherwise.

    Checked before opening and again on what was opened (it may have been replaced in between);
    the read stops at ``limit`` + 1 bytes, so a file still growing cannot run past the limit.
    """
    kind = kind_of(os.stat(path).st_mode)
    if kind is not None:
        raise NotAFileError(path, kind)
    descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(handle.fileno())
        kind = kind_of(found.st_mode)
        if kind is not None:
            raise NotAFileError(path, kind)
        if found.st_size > limit:
            raise TooLargeError(path, found.st_size, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(path, len(data), limit)
    return data


def make_folder(path: Path) -> None:
    """Make ``path`` and its parents if need be. A pseudo file system (``/proc``) that will not
    make one says "no such file" for a folder whose parent is there: that is said as what it is,
    the system refusing (EACCES), not a missing path."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileNotFoundError as error:
        if not path.parent.is_dir():
            raise
        raise PermissionError(
            errno.EACCES, "the system does not let folders be made there", str(path)
        ) from error


def check_folder(path: Path) -> None:
    """Raise the error making ``path`` a folder would meet, making nothing: something else in its
    place (EEXIST), a file on its way (ENOTDIR), a name too long, a loop of links. A folder that
    is not there yet passes: it is made when it is needed (``make_folder``)."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(found.st_mode):
        raise FileExistsError(errno.EEXIST, "exists but is not a folder", str(path))
