"""The files of one load: hashed in full in the background, then watched while loaded.

The files are opened before the model loads; their identity (``core.identity``) is taken
from the open handles and a cached hash is looked up under it, so a turn can begin at once.
The full hash is then read from those same handles on a thread of its own, while the model
loads and generates: a file replaced by rename after opening is still the file that loaded.
Once hashed, the paths are watched: a file written, replaced or removed while loaded is a
problem the session reports, and it stops using the model.

Nothing here writes to the record: the session settles what was found (``Settled``).
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app.core.identity import FileIdentity, file_identity

_log = logging.getLogger(__name__)

CHUNK = 4 * 1024 * 1024
WATCH_INTERVAL_S = 1.0
PROGRESS_INTERVAL_S = 0.25


class Role(enum.StrEnum):
    MODEL = "model"
    PROJECTOR = "projector"


class State(enum.StrEnum):
    HASHING = "hashing"
    DONE = "done"  # hashed in full; ``sha256`` is the file's
    CANCELLED = "cancelled"  # unloaded before the hash finished
    FAILED = "failed"  # the file could not be read to the end, or changed under the hash


@dataclass
class OpenedFile:
    """One file of a load, opened before loading."""

    role: Role
    path: Path  # resolved
    handle: BinaryIO
    identity: FileIdentity  # of the open handle, with its tripwire
    cached: str | None  # the hash cached under exactly this identity, if any
    state: State = State.HASHING
    sha256: str | None = None  # once DONE
    failure: str = ""  # once FAILED: why, in words
    written: bool = False  # the watch saw this very file (same inode) change while loaded
    hashed_bytes: int = 0
    seconds: float = 0.0

    @classmethod
    def open(cls, role: Role, path: Path, lookup: Callable[[str, FileIdentity], str | None]) -> OpenedFile:
        """Open ``path`` and identify it (``OSError`` if it cannot be read)."""
        resolved = path.resolve()
        handle = resolved.open("rb")
        try:
            identity = file_identity(resolved, handle)
            cached = lookup(str(resolved), identity)
        except BaseException:
            handle.close()
            raise
        return cls(role, resolved, handle, identity, cached)

    @property
    def mismatch(self) -> bool:
        return self.state is State.DONE and self.cached is not None and self.sha256 != self.cached

    def changed_on_disk(self) -> str:
        """What changed at the path since it was opened, in words; "" if nothing did."""
        try:
            now = os.stat(self.path)
        except OSError as error:
            return f"it can no longer be read ({error.strerror or error})"
        current = FileIdentity(now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns, now.st_ctime_ns)
        if os.name == "nt":  # pragma: no cover - Windows reads ChangeTime from a handle
            try:
                current = file_identity(self.path, tripwire=False)
            except OSError as error:
                return f"it can no longer be read ({error.strerror or error})"
        return self.identity.difference(current)


@dataclass
class LoadCheck:
    """Hashes a load's files in the background, then watches them until ``close``.

    ``on_event`` is called from the check's thread when the hash of every file has finished
    (or failed) and when a file changes on disk; ``on_progress(done, total)`` while hashing.
    Both must be cheap and thread-safe (they set flags or post to another thread).
    """

    files: list[OpenedFile]
    on_event: Callable[[], None] = lambda: None
    on_progress: Callable[[int, int], None] = lambda done, total: None
    watch_interval: float = WATCH_INTERVAL_S
    _stop: threading.Event = field(default_factory=threading.Event)
    _done: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _change: str = ""
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="veritrace-model-hash", daemon=True)
        self._thread.start()

    # -- state, readable from any thread -------------------------------------------------

    @property
    def total_bytes(self) -> int:
        return sum(opened.identity.size for opened in self.files)

    def progress(self) -> tuple[int, int]:
        return sum(opened.hashed_bytes for opened in self.files), self.total_bytes

    def hashed(self) -> bool:
        """Every file's hash has finished, failed or been cancelled."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def file(self, role: Role) -> OpenedFile | None:
        return next((opened for opened in self.files if opened.role is role), None)

    def change(self) -> str:
        """What the watch found changed on disk, in words; "" if nothing did."""
        with self._lock:
            return self._change

    def problem(self) -> str:
        """Why the loaded files can no longer be trusted; "" while they can."""
        for opened in self.files:
            if opened.mismatch:
                return (
                    f"The {opened.role} file {opened.path.name} is not the file its cached hash "
                    f"describes: the cache said {opened.cached}, the file that loaded hashes to "
                    f"{opened.sha256}. Generation was stopped; load the model again to use it."
                )
            if opened.state is State.FAILED:
                return (
                    f"The {opened.role} file {opened.path} could not be verified for this load: "
                    f"{opened.failure}. Veritrace stopped using it; load it again."
                )
        return self.change()

    def recheck(self) -> str:
        """Look at the files now (before a turn), not at the next watch; return ``problem()``."""
        self._look()
        return self.problem()

    def close(self) -> None:
        """Stop hashing and watching, and close the files (waits for the thread)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        for opened in self.files:
            opened.handle.close()

    # -- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        _background_priority()
        try:
            for opened in self.files:
                self._hash(opened)
        finally:
            self._done.set()
        self._notify()
        while not self._stop.wait(self.watch_interval):
            if self._look():
                self._notify()
                return  # one report; the session stops using the model

    def _hash(self, opened: OpenedFile) -> None:
        started = time.perf_counter()
        digest = hashlib.sha256()
        last_report = last_look = started
        handle = opened.handle
        try:
            links = os.fstat(handle.fileno()).st_nlink
            handle.seek(0)
            while chunk := handle.read(CHUNK):
                if self._stop.is_set():
                    opened.state = State.CANCELLED
                    return
                digest.update(chunk)  # releases the GIL: the window and the model keep running
                opened.hashed_bytes += len(chunk)
                now = time.perf_counter()
                if now - last_report >= PROGRESS_INTERVAL_S:
                    last_report = now
                    self.on_progress(*self.progress())
                if now - last_look >= self.watch_interval:
                    last_look = now
                    if self._look():
                        self._notify()
            after = file_identity(opened.path, handle, tripwire=False)
            links_after = os.fstat(handle.fileno()).st_nlink
        except OSError as error:
            opened.state = State.FAILED
            opened.failure = f"it could not be read to the end ({error.strerror or error})"
            return
        finally:
            opened.seconds = time.perf_counter() - started
        if opened.hashed_bytes != opened.identity.size or not (
            after.same_file(opened.identity) or _only_unlinked(opened, after, links, links_after)
        ):
            # Written to while it was being read: the hash is of neither version.
            opened.state = State.FAILED
            opened.failure = "it was written to while it was being hashed"
            return
        opened.sha256 = digest.hexdigest()
        opened.state = State.DONE
        self.on_progress(*self.progress())

    def _look(self) -> bool:
        """Record the first change found at the files' paths; True if this call found it."""
        with self._lock:
            if self._change:
                return False
        for opened in self.files:
            what = opened.changed_on_disk()
            if what and "replaced by another file" not in what:
                opened.written = True  # this very file changed: a hash of it now is of neither version
            if what:
                message = (
                    f"The {opened.role} file {opened.path} changed on disk while loaded: {what}. "
                    "Veritrace stopped using it; turns already recorded keep the hash of what ran. "
                    "Load it again to use the new file."
                )
                with self._lock:
                    if self._change:
                        return False
                    self._change = message
                _log.warning("%s", message)
                return True
        return False

    def _notify(self) -> None:
        try:
            self.on_event()
        except Exception:  # a listener's bug must not stop the watch
            _log.exception("model check listener failed")


def _only_unlinked(opened: OpenedFile, after: FileIdentity, links: int, links_after: int) -> bool:
    """The open file lost a name (another file was renamed over it, or it was deleted) and
    nothing else: unlinking moves a file's change time, not its bytes, size or mtime.

    A write the watch saw first (same file, changed) is not excused by a later rename.
    """
    before = opened.identity
    return (
        links_after < links
        and not opened.written
        and (after.device, after.inode, after.size, after.mtime_ns)
        == (before.device, before.inode, before.size, before.mtime_ns)
    )


def _background_priority() -> None:
    """Let the model's load and generation come first: the hash only has to finish, not race.

    Linux: this thread's nice value 19 (threads have their own); Windows: background mode (lower
    CPU and I/O priority); macOS: the background QoS class. Best effort: where refused, it runs
    at normal priority.
    """
    try:
        if sys.platform.startswith("linux"):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        elif sys.platform == "win32":  # pragma: no cover - Windows only
            import ctypes

            kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), 0x00010000)  # BACKGROUND_BEGIN
        elif sys.platform == "darwin":  # pragma: no cover - macOS only
            import ctypes

            ctypes.CDLL("/usr/lib/libSystem.dylib").pthread_set_qos_class_self_np(0x09, 0)
    except (OSError, AttributeError):
        _log.info("the model hash runs at normal priority", exc_info=True)
