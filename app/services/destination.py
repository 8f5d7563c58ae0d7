"""Where an export goes: checked before anything is verified, signed or recorded."""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from pathlib import Path

from app.export.files import ExportError
from app.services.failures import os_words


def check_writable(destination: Path) -> None:
    """Refuse ``destination`` unless its folder takes a new file: one is made there, then removed.

    Called before anything is verified, signed or recorded, so a read-only folder or file system,
    a folder without permission, a full disk or a pseudo file system (``/sys``, ``/proc``) leaves
    no trace in the record. Everything an export writes (a report's images folder, a bundle's
    temporary folder) goes into this same folder.
    """
    folder = destination.parent
    probe = folder / f".{destination.name}.{uuid.uuid4().hex[:8]}.probe"
    created = False
    try:
        handle = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        created = True
        try:
            os.write(handle, b"\0")  # a full disk still lets an empty file be made
        finally:
            os.close(handle)
    except OSError as error:
        if error.errno == errno.ENOENT and folder.is_dir():
            # A pseudo file system (/proc) says "no such file" for a file it will not make: the
            # folder is there, the system refuses.
            why = f"the system does not let files be made in {folder}."
            error = PermissionError(errno.EACCES, why, str(folder))
        else:
            why = os_words(OSError(error.errno, error.strerror, str(folder)))  # the folder, not the probe
        raise ExportError(
            f"Cannot write the export: {why} Nothing was verified, signed or recorded."
        ) from error
    finally:
        if created:
            with contextlib.suppress(OSError):
                probe.unlink()
