"""Find files in the top-level ``resources/`` folder, from source or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    path = resource_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"Veritrace resource missing: {path}. Reinstall the app.")
    return path
