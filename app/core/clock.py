"""UTC timestamps as recorded: ISO 8601 with milliseconds and a Z."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def local_time(utc: str) -> str:
    """A time as recorded (``utc_now``'s form) as this machine's clock shows it: ISO 8601 with its
    UTC offset, e.g. ``2026-03-01T15:04:05.123+01:00``."""
    moment = datetime.strptime(utc, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return moment.astimezone().isoformat(timespec="milliseconds")


def os_user() -> str:
    """The operating-system account running the app, as recorded with each turn."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"
