"""Guards on the platform the app runs on."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def test_pyside6_is_below_the_release_that_aborts_python_311() -> None:
    assert Version(importlib.metadata.version("PySide6")) < Version("6.12")


def test_a_hundred_thousand_void_calls_do_not_abort_the_interpreter() -> None:
    """PySide6 6.12.0 drops a reference to None per void call; CPython 3.11 aborts after a few thousand."""
    script = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QTextEdit
app = QApplication([])
edit = QTextEdit()
for index in range(100_000):
    edit.setReadOnly(index % 2 == 0)
    app.processEvents()
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_layering_contracts_hold() -> None:
    """Only the UI imports Qt; layers import downwards only; the window reaches records and models
    only through services; no cycles inside a layer (import-linter, as in pyproject.toml)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
    assert len(contracts) >= 4
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_lint_format_and_types_are_clean() -> None:
    for command in (
        ["ruff", "check", "app", "tests", "tools"],
        ["ruff", "format", "--check", "app", "tests", "tools"],
        ["mypy", "app"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
