"""Diagnostics go to a log file in the data folder, never into the app's own output.

The log keeps full tracebacks; the terminal never sees one from it. A log that cannot be
written (a full disk, a read-only folder) loses those lines quietly: the command's own
message says what went wrong, once.
"""

from __future__ import annotations

import logging

from app.services.paths import data_dir

LOG_NAME = "veritrace.log"


class _LogFile(logging.FileHandler):
    """``veritrace.log``, opened at its first line; a line it cannot write is dropped, not printed.

    logging's own fallback prints each failed line with a traceback to stderr: on a full disk,
    that buried a command's one-line message under hundreds of lines.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            super().emit(record)  # opening the file happens here too (delay=True), outside its guard
        except Exception:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        return None


def configure_logging(level: int = logging.INFO) -> None:
    """Log to ``veritrace.log`` in the data folder (idempotent)."""
    root = logging.getLogger()
    path = data_dir() / LOG_NAME
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and handler.baseFilename == str(path):
            return
    handler = _LogFile(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def log_failure(what: str, error: BaseException) -> None:
    """Keep ``error`` with its traceback in the log file; without one, keep nothing.

    Never through logging's last-resort handler, which would print the traceback to stderr.
    """
    if any(isinstance(handler, _LogFile) for handler in logging.getLogger().handlers):
        logging.getLogger("veritrace").error("%s", what, exc_info=(type(error), error, error.__traceback__))
