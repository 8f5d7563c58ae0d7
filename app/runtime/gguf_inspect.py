"""Inspect a GGUF file safely: parse its header in a child process with time and memory limits.

Native and hand-written GGUF parsers alike have had memory-safety bugs and unbounded
allocations; a hostile or damaged file must cost at most one short-lived child process.
The child (``app.runtime.gguf_child``) sets its own address-space and CPU limits
(RLIMIT_AS / RLIMIT_CPU, POSIX) before opening the file; the parent enforces a wall-clock
timeout everywhere. On Windows only the timeout applies (no job object): the child reads
with bounded buffers and checks every declared count against the file size, so a memory
blow-up there needs a bug in that reader, not just a bad file.

Every way the child can fail (a signal, the timeout, the memory limit, garbled output, a
format error) becomes one ``ModelError`` sentence naming the file and the reason.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.core.errors import ModelError
from app.core.models import ModelInfo
from app.runtime.model_files import check_model_file

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_MB = 1024  # room for Python's and numpy's own address space; the reader needs very little
_MAX_OUTPUT = 1 << 20
_CHILD_FLAG = "--inspect-gguf"


def inspect_file(
    path: Path, *, timeout: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB
) -> ModelInfo:
    """Read ``path``'s GGUF metadata in a limited child process; raise ModelError if unusable.

    The SHA-256 is not computed here (see ``app.services.models``); ``projector`` is set when
    exactly one ``mmproj*.gguf`` lies beside a language model, as the loader would pick it.
    """
    _check_readable(path)
    cpu_seconds = max(1, int(timeout) + 1)
    data = run_child(child_command(path, memory_mb, cpu_seconds), path, timeout=timeout)
    try:
        info = ModelInfo.from_json(data)
    except (TypeError, ValueError) as error:
        raise ModelError(f"Could not inspect {path.name}: the inspector returned incomplete data.") from error
    info = replace(info, path=str(path.resolve()))
    if not info.is_projector:
        beside = sorted(p for p in path.resolve().parent.glob("mmproj*.gguf") if p.is_file())
        if len(beside) == 1:
            info = replace(info, projector=str(beside[0]))
    return info


def child_command(path: Path, memory_mb: int, cpu_seconds: int) -> list[str]:
    """The command that inspects ``path``: the app itself, so frozen builds work too."""
    limits = ["--memory-mb", str(memory_mb), "--cpu-seconds", str(cpu_seconds)]
    if getattr(sys, "frozen", False):
        return [sys.executable, _CHILD_FLAG, str(path), *limits]
    return [sys.executable, "-m", "app", _CHILD_FLAG, str(path), *limits]


def run_child(command: Sequence[str], path: Path, *, timeout: float) -> dict[str, Any]:
    """Run an inspection child and return its JSON; every failure is a ModelError about ``path``."""
    name = path.name
    environment = dict(os.environ)
    # One BLAS thread: numpy's thread pools would reserve address space the limit is for.
    environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flash from a windowed app
    try:
        child = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            creationflags=flags,
        )
    except OSError as error:
        raise ModelError(f"Could not inspect {name}: the inspector did not start ({error}).") from error
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ModelError(
            f"Could not inspect {name}: reading its header took longer than {timeout:g} seconds, "
            "so it was stopped (the file is damaged or not a model)."
        ) from None
    status = child.returncode
    text = stdout[:_MAX_OUTPUT].decode("utf-8", "replace")
    if status < 0:
        raise ModelError(_signal_message(name, -status))
    if status == 3 or b"MemoryError" in stderr:
        raise ModelError(
            f"Could not inspect {name}: reading its header needed more memory than the inspection "
            "limit allows (the file is damaged or not a model)."
        )
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ModelError(
            f"Could not inspect {name}: the inspector stopped without an answer (exit status {status})."
        )
    if "error" in data:
        raise ModelError(f"{name} cannot be used as a model: {data['error']}.")
    if status != 0:
        raise ModelError(f"Could not inspect {name}: the inspector failed (exit status {status}).")
    return data


def _signal_message(name: str, number: int) -> str:
    try:
        label = signal.Signals(number).name
    except ValueError:
        label = f"signal {number}"
    if label in ("SIGXCPU", "SIGKILL"):
        reason = "it ran out of its CPU time or memory limit"
    elif label == "SIGSEGV":
        reason = "the reader crashed on it"
    else:
        reason = f"the inspector was stopped by {label}"
    return f"Could not inspect {name}: {reason} (the file is damaged or not a model)."


def _check_readable(path: Path) -> None:
    """What needs no parsing is checked here, for the clearest messages."""
    if path.is_dir():
        raise ModelError(f"{path.name} is a folder, not a model file.")
    try:
        check_model_file(path)  # existence, size and the magic bytes: the loader's own messages
    except PermissionError as error:
        raise ModelError(f"{path.name} cannot be read ({error.strerror or error}).") from error
