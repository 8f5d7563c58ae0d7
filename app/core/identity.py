"""A file's identity in terms its owner cannot set, to key cached hashes and notice a change."""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

TRIPWIRE_BYTES = 1024 * 1024  # the first and the last megabyte


@dataclass(frozen=True)
class FileIdentity:
    """Everything about a file that changes when its bytes do, short of reading them all.

    ``utime`` (or ``touch -r``) puts a modification time back; it cannot put back the change
    time (``st_ctime_ns`` on POSIX, the NTFS ChangeTime on Windows), which any write, rename or
    ``utime`` itself moves to now. A replacement by rename is a new inode (file ID). The
    tripwire, the SHA-256 of the first and last megabyte, catches the common edits (header,
    metadata, the last tensor) even where a clock was turned back to forge the change time.
    """

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    tripwire: str = ""

    def same_file(self, other: FileIdentity) -> bool:
        """The same bytes as far as the operating system can tell (the tripwire is not compared)."""
        return (self.device, self.inode, self.size, self.mtime_ns, self.ctime_ns) == (
            other.device,
            other.inode,
            other.size,
            other.mtime_ns,
            other.ctime_ns,
        )

    def difference(self, other: FileIdentity) -> str:
        """What changed from ``self`` to ``other``, in words; "" if nothing did."""
        changes = []
        if (self.device, self.inode) != (other.device, other.inode):
            changes.append("it was replaced by another file")
        if self.size != other.size:
            changes.append(f"its size went from {self.size} to {other.size} bytes")
        if self.mtime_ns != other.mtime_ns:
            changes.append("its modification time changed")
        if self.ctime_ns != other.ctime_ns and not changes:
            changes.append("it was written to or its times were reset (its change time moved)")
        if self.tripwire and other.tripwire and self.tripwire != other.tripwire:
            changes.append("its first or last megabyte changed")
        return "; ".join(changes)


def file_identity(path: Path, handle: BinaryIO | None = None, *, tripwire: bool = True) -> FileIdentity:
    """The identity of ``path`` (or of the open ``handle``: the file actually being read).

    Raises ``OSError`` if the file cannot be read.
    """
    if handle is None:
        with path.open("rb") as opened:
            return file_identity(path, opened, tripwire=tripwire)
    stat = os.fstat(handle.fileno())
    device, inode, ctime_ns = stat.st_dev, stat.st_ino, stat.st_ctime_ns
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        device, inode, ctime_ns = _windows_identity(handle, stat)
    return FileIdentity(
        device=device,
        inode=inode,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        ctime_ns=ctime_ns,
        tripwire=_tripwire(handle, stat.st_size) if tripwire else "",
    )


def _tripwire(handle: BinaryIO, size: int) -> str:
    digest = hashlib.sha256(size.to_bytes(8, "little"))
    handle.seek(0)
    digest.update(handle.read(TRIPWIRE_BYTES))
    if size > TRIPWIRE_BYTES:
        handle.seek(max(TRIPWIRE_BYTES, size - TRIPWIRE_BYTES))
        digest.update(handle.read(TRIPWIRE_BYTES))
    handle.seek(0)
    return digest.hexdigest()


def _windows_identity(handle: BinaryIO, stat: os.stat_result) -> tuple[int, int, int]:  # pragma: no cover
    """Volume serial, file ID and NTFS ChangeTime (``st_ctime`` is the creation time on Windows).

    ``GetFileInformationByHandleEx(FileBasicInfo)`` gives ChangeTime in 100 ns units since 1601;
    if it is unavailable the last-write time stands in (the file ID still catches a rename).
    """
    import ctypes
    import msvcrt
    from ctypes import wintypes

    class FileBasicInfo(ctypes.Structure):
        _fields_ = [
            ("CreationTime", ctypes.c_int64),
            ("LastAccessTime", ctypes.c_int64),
            ("LastWriteTime", ctypes.c_int64),
            ("ChangeTime", ctypes.c_int64),
            ("FileAttributes", wintypes.DWORD),
        ]

    info = FileBasicInfo()
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    os_handle = msvcrt.get_osfhandle(handle.fileno())  # type: ignore[attr-defined]
    if kernel32.GetFileInformationByHandleEx(
        wintypes.HANDLE(os_handle), 0, ctypes.byref(info), ctypes.sizeof(info)
    ):
        change_ns = info.ChangeTime * 100
    else:
        change_ns = stat.st_mtime_ns
    return stat.st_dev, stat.st_ino, change_ns
