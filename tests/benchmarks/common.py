"""Helpers shared by the benchmark scripts: a table, memory readings, child runs, the window."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def summary(values: Sequence[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def table(rows: list[tuple[str, Sequence[float], str]]) -> str:
    """Rows of (name, samples, unit) as a fixed-width table of median, min and max."""
    lines = [f"{'measure':<44} {'median':>10} {'min':>10} {'max':>10}  unit", "-" * 84]
    for name, samples, unit in rows:
        median, low, high = summary(samples)
        lines.append(f"{name:<44} {median:>10.3f} {low:>10.3f} {high:>10.3f}  {unit}")
    return "\n".join(lines)


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not Linux: this process's peak, the nearest the standard library offers

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mapped_mb(path: Path, pid: int | str = "self") -> tuple[float, float] | None:
    """(mapped, resident) MB of ``path`` in a process's memory map; None where /proc has no smaps.

    Memory-mapped model weights are resident file pages: shared with the OS file cache, and
    what a process holds *beyond the weights* is its RSS minus their resident part.
    """
    try:
        lines = Path(f"/proc/{pid}/smaps").read_text().splitlines()
    except OSError:
        return None
    target = str(Path(path).resolve())
    size = resident = 0
    inside = False
    for line in lines:
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            inside = len(fields) >= 6 and " ".join(fields[5:]) == target
        elif inside and fields[0] == "Size:":
            size += int(fields[1])
        elif inside and fields[0] == "Rss:":
            resident += int(fields[1])
    return size / 1024, resident / 1024


def child_json(module: str, kind: str, arguments: Sequence[str]) -> Any:
    """Run ``python -m tests.benchmarks.MODULE --child KIND ...`` offscreen; its last line is JSON.

    A run in a process of its own: its memory and threads are its own.
    """
    command = [sys.executable, "-m", f"tests.benchmarks.{module}", "--child", kind, *arguments]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"the {kind} run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def started_window(store: Any, backend: Any, config: Any) -> tuple[Any, Any]:
    """The real main window, shown offscreen with the app's process settings, its model loaded.

    Returns the window and an event loop that quits when the model changes or a turn finishes:
    ``controller.send(...)`` then ``loop.exec()`` runs one turn as the app does.
    """
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from app.ui.application import configure_process
    from app.ui.main_window import MainWindow

    configure_process()  # the same process settings as the real app
    _app = QApplication.instance() or QApplication([])  # must exist before any widget
    window = MainWindow(store, backend, config, modal_errors=False)
    window.resize(1360, 820)
    window.show()
    loop = QEventLoop()
    window.controller.model_changed.connect(lambda _m: loop.quit())
    window.controller.turn_finished.connect(lambda _t: loop.quit())
    window.controller.start()
    loop.exec()
    return window, loop


def demo_settings(tokens: int) -> Any:
    """The demo preset without its reasoning grammar, seed 1234, up to ``tokens`` tokens.

    What raw llama-cpp-python is given too: the same sampling, nothing forced on either side.
    """
    from dataclasses import replace

    from app.core.presets import preset, with_params

    return replace(with_params(preset("demo"), seed=1234, max_tokens=tokens), require_reasoning=False)
