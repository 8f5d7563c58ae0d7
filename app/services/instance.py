"""One writer at a time: an OS file lock on the data folder.

The lock dies with its process, so a killed app never leaves a stale lock behind.
Only the lock holder may mark orphaned turns as interrupted: without it, a turn
another live process is generating would be misreported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

from app.core.errors import VeritraceError


class AlreadyRunningError(VeritraceError):
    """Another Veritrace process is writing to the same record."""


class InstanceLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "veritrace.lock"
        self._handle: int | None = None

    def try_acquire(self) -> bool:
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(handle)
        except OSError:
            os.close(handle)
            return False
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        self._handle = handle
        return True

    def acquire(self) -> InstanceLock:
        if not self.try_acquire():
            raise AlreadyRunningError(
                "Veritrace is already running with this record (another window or command holds it). "
                "Close it first, or wait for the running command to finish."
            )
        return self

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            os.close(self._handle)
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: int) -> None:
        msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)

    def _unlock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
