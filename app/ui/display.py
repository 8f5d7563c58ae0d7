"""Whether Qt can open a window here, asked before Qt starts: Qt itself aborts (exit 134) when it
cannot, after a message that sends a user with no display to install libraries they already have.

Only Linux and the other X11/Wayland systems need this: Windows and macOS always have a screen.
Kept light (no widgets imported) so that the answer comes before the window's modules load.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication

# The Debian and Ubuntu packages Qt's X11 platform plugin needs (the README's apt line).
X11_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 "
    "libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1"
)
# Platform plugins that draw on a screen the desktop session provides.
_DESKTOP_PLUGINS = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY", "wayland-egl": "WAYLAND_DISPLAY"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Display", text)


def requested_platforms(environ: Mapping[str, str]) -> list[str]:
    """The platform plugins QT_QPA_PLATFORM asks for, in order ("wayland;xcb", "offscreen:opts…")."""
    value = environ.get("QT_QPA_PLATFORM", "")
    return [item.split(":", 1)[0].strip().lower() for item in value.split(";") if item.strip()]


def display_problem(
    environ: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    xcb_plugin: Path | None = None,
) -> str | None:
    """One line saying why no window can be opened here and what to do instead; None if one can.

    ``xcb_plugin`` is Qt's X11 platform plugin (default: the one PySide6 ships); it is loaded to
    learn whether a library it needs is missing.
    """
    environ = os.environ if environ is None else environ
    if platform in ("win32", "cygwin", "darwin"):
        return None
    asked = requested_platforms(environ)
    if any(name not in _DESKTOP_PLUGINS for name in asked):
        return None  # offscreen, minimal, vnc, eglfs…: no desktop session needed
    candidates = asked or ["wayland", "xcb"]
    usable = [name for name in candidates if environ.get(_DESKTOP_PLUGINS[name])]
    if not usable:
        return _tr(
            "Veritrace cannot open its window: there is no display (DISPLAY and WAYLAND_DISPLAY are "
            "not set). Start it from a desktop session; or use the command line (veritrace ask "
            '"your question", veritrace --help); veritrace --self-test checks the installation '
            "without a display, and QT_QPA_PLATFORM=offscreen runs the window with no screen."
        )
    if usable[0] != "xcb":
        return None
    missing = missing_x11_library(xcb_plugin or _xcb_plugin())
    if missing is not None:
        return _tr(
            "Veritrace cannot open its window: Qt's X11 platform plugin cannot load ({missing}). "
            "On Debian or Ubuntu install its libraries: sudo apt-get install {packages}"
        ).format(missing=missing, packages=X11_PACKAGES)
    if not x11_answers(environ["DISPLAY"]):
        return _tr(
            "Veritrace cannot open its window: no X server answers on the display {display} (DISPLAY). "
            "Start it from a desktop session, or set DISPLAY to a running one; or use the command line "
            '(veritrace ask "your question", veritrace --help).'
        ).format(display=environ["DISPLAY"])
    return None


def _xcb_plugin() -> Path:
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    return folder / "libqxcb.so"


def missing_x11_library(plugin: Path) -> str | None:
    """Why the X11 platform plugin cannot be loaded (the loader's words), or None if it can.

    A plugin that is not there is left for Qt to report: it knows its other folders.
    """
    if not plugin.is_file():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        return " ".join(str(error).split())
    return None


def x11_answers(display: str) -> bool:
    """Whether an X server accepts a connection on ``display`` (True when libxcb cannot be asked:
    then Qt says what is wrong itself)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return connection is not None and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection is not None:
            xcb.xcb_disconnect(connection)
