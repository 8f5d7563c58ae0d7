"""Who writes to the record: OS file locks in the data folder, each dying with its process.

SQLite serializes the writers themselves (``BEGIN IMMEDIATE`` and a busy timeout), so the
window and any number of command-line writers share one record. The locks here are for what
SQLite cannot know:

- Every writer holds the *writers* lock shared while it runs. Turns left running by a process
  that died are marked interrupted only by a process that can take that lock exclusively, for
  a moment (``WriterLock.when_alone``): then no other writer is alive, so a turn another live
  process is generating is never misreported. A restore and a key change, which replace files
  under every writer, hold it exclusively throughout (``WriterLock.alone``).
- The window also holds the *window* lock exclusively (``InstanceLock``): one window per record.
- While the installation has no signing key yet, a writer opens the record holding the *setup*
  lock (``first_use``): two first uses at once would each make a key of their own, one enrolled
  in the record and the other left in the key file.

A lock is only ever tried, never waited for inside the operating system; waits are polls with
a deadline, so nothing hangs behind a stuck process.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from app.core.errors import VeritraceError

WINDOW_LOCK = "veritrace.lock"
WRITERS_LOCK = "veritrace.writers.lock"
SETUP_LOCK = "veritrace.setup.lock"
# A writer waits this long for a restore or key change holding the record alone to finish.
WRITERS_WAIT_S = 15.0
# A restore or key change waits this long for another process's momentary check to end.
ALONE_WAIT_S = 2.0
_POLL_S = 0.02

T = TypeVar("T")


class AlreadyRunningError(VeritraceError):
    """Another Veritrace window has this record open, or a command needs it alone and cannot have it."""


class RecordBusyError(VeritraceError):
    """The record stayed held alone by another process (a restore, a key change) for the whole wait."""


class _FileLock:
    """One OS lock on one file, shared or exclusive; taken by polling, never by blocking."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: int | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def take(self, *, exclusive: bool, wait: float = 0.0) -> bool:
        """Lock the file, trying for up to ``wait`` seconds; False if another process still holds it."""
        if self._handle is not None:
            raise RuntimeError(f"{self.path} is already locked by this process")
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        deadline = time.monotonic() + wait
        try:
            while not _lock(handle, exclusive):
                if time.monotonic() >= deadline:
                    os.close(handle)
                    return False
                time.sleep(_POLL_S)
        except BaseException:
            os.close(handle)
            raise
        self._handle = handle
        return True

    def write(self, text: str) -> None:
        if self._handle is not None:
            os.ftruncate(self._handle, 0)
            os.write(self._handle, text.encode())

    def release(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                _unlock(handle)
            finally:
                os.close(handle)


class _HeldLock:
    """What the window lock and the writers lock share: a file lock held while in use."""

    _lock: _FileLock

    def acquire(self) -> Self:
        raise NotImplementedError

    def release(self) -> None:
        self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.held

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class InstanceLock(_HeldLock):
    """The window lock: one window per record (command-line writers take ``WriterLock`` instead)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / WINDOW_LOCK
        self._lock = _FileLock(self.path)

    def try_acquire(self) -> bool:
        if not self._lock.take(exclusive=True):
            return False
        self._lock.write(str(os.getpid()))
        return True

    def acquire(self) -> Self:
        if not self.try_acquire():
            raise AlreadyRunningError(
                "Veritrace is already running with this record in another window. Switch to that "
                "window, or close it first."
            )
        return self


class WriterLock(_HeldLock):
    """This process writes to the record: the writers lock, held shared while it does."""

    def __init__(self, folder: Path, wait: float = WRITERS_WAIT_S) -> None:
        self.path = folder / WRITERS_LOCK
        self._lock = _FileLock(self.path)
        self._wait = wait

    def acquire(self) -> Self:
        """Hold the lock shared beside every other writer; only a process holding it alone delays this."""
        if not self._lock.take(exclusive=False, wait=self._wait):
            raise RecordBusyError(
                f"The record stayed locked by another Veritrace process (a restore or a key change) for "
                f"{self._wait:g} s; nothing was changed. Try again when it has finished."
            )
        return self

    def when_alone(self, action: Callable[[], T]) -> T | None:
        """Run ``action`` if no other writer is alive (holding the lock exclusively meanwhile), else None.

        Call it before this process starts a turn: while it looks, it holds no lock of its own.
        """
        with self._exclusive(wait=0.0) as alone:
            return action() if alone else None

    @contextmanager
    def alone(self, doing: str) -> Iterator[None]:
        """Hold the record alone for ``doing`` (a restore, a key change), or refuse if others write to it."""
        with self._exclusive(wait=ALONE_WAIT_S) as alone:
            if not alone:
                raise AlreadyRunningError(
                    f"Other Veritrace windows or commands are writing to this record, and {doing} needs it "
                    "to itself. Let them finish (close the window), then try again."
                )
            yield

    @contextmanager
    def _exclusive(self, wait: float) -> Iterator[bool]:
        shared = self._lock.held
        if shared:  # no lock changes mode in place on every system: let go, then take the other
            self._lock.release()
        try:
            alone = self._lock.take(exclusive=True, wait=wait)
            try:
                yield alone
            finally:
                if alone:
                    self._lock.release()
        finally:
            if shared:
                self.acquire()


@contextmanager
def first_use(folder: Path, wait: float = WRITERS_WAIT_S) -> Iterator[None]:
    """Open the record to write inside this: on a first use, one process at a time makes the key.

    Once the key exists, this holds nothing. The second of two first uses finds the key the first
    one made (and enrolled) and uses it.
    """
    from app.services.signing import key_state

    if key_state(folder) == "present":
        yield
        return
    lock = _FileLock(folder / SETUP_LOCK)
    if not lock.take(exclusive=True, wait=wait):
        raise RecordBusyError(
            f"Another Veritrace process kept this new record's setup (its signing key) for {wait:g} s; "
            "nothing was changed. Try again."
        )
    try:
        yield
    finally:
        lock.release()


if sys.platform == "win32":
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _LOCKFILE_FAIL_IMMEDIATELY = 0x1
    _LOCKFILE_EXCLUSIVE_LOCK = 0x2
    _ERROR_LOCK_VIOLATION = 33
    _ERROR_IO_PENDING = 997

    class _Overlapped(ctypes.Structure):
        _fields_ = (
            ("Internal", ctypes.c_void_p),
            ("InternalHigh", ctypes.c_void_p),
            ("Offset", wintypes.DWORD),
            ("OffsetHigh", wintypes.DWORD),
            ("hEvent", wintypes.HANDLE),
        )

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _LockFileEx = _kernel32.LockFileEx
    _LockFileEx.argtypes = [
        wintypes.HANDLE,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.DWORD,
        ctypes.POINTER(_Overlapped),
    ]
    _LockFileEx.restype = wintypes.BOOL
    _UnlockFileEx = _kernel32.UnlockFileEx
    _UnlockFileEx.argtypes = [
        wintypes.HANDLE,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.DWORD,
        ctypes.POINTER(_Overlapped),
    ]
    _UnlockFileEx.restype = wintypes.BOOL

    def _lock(handle: int, exclusive: bool) -> bool:
        # msvcrt.locking has no shared mode; LockFileEx does (the first byte stands for the file).
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0)
        if _LockFileEx(msvcrt.get_osfhandle(handle), flags, 0, 1, 0, ctypes.byref(_Overlapped())):
            return True
        code = ctypes.get_last_error()
        if code in (_ERROR_LOCK_VIOLATION, _ERROR_IO_PENDING):
            return False
        raise ctypes.WinError(code)

    def _unlock(handle: int) -> None:
        if not _UnlockFileEx(msvcrt.get_osfhandle(handle), 0, 1, 0, ctypes.byref(_Overlapped())):
            raise ctypes.WinError(ctypes.get_last_error())

else:
    import fcntl

    def _lock(handle: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
