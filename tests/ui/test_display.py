"""No display: one clear line and a non-zero exit, never Qt's abort (exit 134)."""

from __future__ import annotations

import _ctypes
import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.display import X11_PACKAGES, display_problem, missing_x11_library, x11_answers

ROOT = Path(__file__).resolve().parents[2]
NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def test_the_app_with_no_display_says_so_in_one_line_and_exits(veritrace_home: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name not in NO_DISPLAY}
    result = subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Veritrace cannot open its window: there is no display")
    for advice in ("desktop session", "veritrace ask", "--self-test", "QT_QPA_PLATFORM=offscreen"):
        assert advice in line
    assert "xcb" not in line and "apt-get" not in line, "no libraries to install when there is no display"
    assert result.stdout == ""
    assert not any(veritrace_home.iterdir()), "nothing was created: no record, no lock, no log"


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"QT_QPA_PLATFORM": "offscreen:fontengine=freetype"}, "linux"),
        ({"QT_QPA_PLATFORM": "minimal"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({}, "win32"),
        ({}, "darwin"),
    ],
)
def test_a_platform_that_needs_no_desktop_display_is_let_through(
    environ: dict[str, str], platform: str
) -> None:
    assert display_problem(environ, platform) is None


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"},  # X11 asked for, and no DISPLAY
        {"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"},  # Wayland asked for, and no WAYLAND_DISPLAY
        {"DISPLAY": "", "WAYLAND_DISPLAY": ""},
    ],
)
def test_no_usable_display_is_named(environ: dict[str, str]) -> None:
    problem = display_problem(environ, "linux")
    assert problem is not None and "there is no display" in problem and "\n" not in problem


def test_an_x11_plugin_that_cannot_load_names_the_packages_to_install(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"\x7fELF but not a library")
    why = missing_x11_library(plugin)
    assert why is not None and "libqxcb.so" in why  # the loader's own words
    problem = display_problem({"DISPLAY": ":0"}, "linux", xcb_plugin=plugin)
    assert problem is not None and "\n" not in problem
    assert why in problem
    assert problem.endswith(f"sudo apt-get install {X11_PACKAGES}")
    readme = " ".join((ROOT / "README.md").read_text("utf-8").replace("\\\n", " ").split())
    assert f"sudo apt-get install {X11_PACKAGES}" in readme, "the README's apt line says the same"


def test_a_display_no_x_server_answers_is_named() -> None:
    try:
        ctypes.CDLL("libxcb.so.1")
    except OSError:  # no libxcb to ask with: Qt is left to say what is wrong
        assert x11_answers(":987")
        return
    assert not x11_answers(":987")
    loadable = Path(_ctypes.__file__)  # a shared object that loads: the plugin's libraries are there
    problem = display_problem({"DISPLAY": ":987"}, "linux", xcb_plugin=loadable)
    assert problem is not None and "\n" not in problem
    assert problem.startswith("Veritrace cannot open its window: no X server answers on the display :987")
