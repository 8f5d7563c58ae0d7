"""UTC timestamps as recorded: ISO 8601 with milliseconds and a Z."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def os_user() -> str:
    """The operating-system account running the app, as recorded with each turn."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"
