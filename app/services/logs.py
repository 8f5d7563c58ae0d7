"""Diagnostics go to a log file in the data folder, never into the app's own output."""

from __future__ import annotations

import logging

from app.services.paths import data_dir

LOG_NAME = "veritrace.log"


def configure_logging(level: int = logging.INFO) -> None:
    """Log to ``veritrace.log`` in the data folder (idempotent)."""
    root = logging.getLogger()
    path = data_dir() / LOG_NAME
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and handler.baseFilename == str(path):
            return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
