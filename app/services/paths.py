"""Where Veritrace keeps its record and settings."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.services.durable import private_folder

HOME_VARIABLE = "VERITRACE_HOME"


def data_dir() -> Path:
    """The data folder: ``$VERITRACE_HOME`` if set, else the platform's user data dir.

    On POSIX it is readable by this user only (an existing folder is tightened): it holds the
    record, its backups and the signing key.
    """
    override = os.environ.get(HOME_VARIABLE)
    folder = Path(override) if override else Path(platformdirs.user_data_dir("Veritrace", appauthor=False))
    return private_folder(folder)


def database_path() -> Path:
    return data_dir() / "veritrace.db"


def backups_dir() -> Path:
    return data_dir() / "backups"


def config_path() -> Path:
    return data_dir() / "settings.json"
