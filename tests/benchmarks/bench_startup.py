"""Start-up: the window's first paint after launch, and the model's load (memory-mapped).

    python -m tests.benchmarks.bench_startup [--runs 5] [--model PATH] [--source]

Each run launches the real app (``python -m app``, offscreen) twice in a fresh home: the
first launch hashes the model file once, the second finds the hash in the record. The app
logs when its window is first painted (timed from the import of ``app.__main__``, before Qt
is loaded) and how long the model took to load; the benchmark also times each line's
arrival from the moment it spawned the process, which adds the interpreter's own start.
The window never waits for the model, nor for the record: both are opened after the first
paint, the window saying so meanwhile.

The app runs from compiled bytecode, as an installed app does (pip compiles it on install,
the bundle ships it): one untimed launch first compiles everything the app imports into a
cache of the benchmark's own (``PYTHONPYCACHEPREFIX``). ``--source`` times launches that
compile every module again (a source checkout with ``PYTHONDONTWRITEBYTECODE`` set).

Baselines, measured in the same run: a bare PySide6 window (QApplication and QMainWindow,
first paint) and ``llama_cpp.Llama(model, use_mmap=True)`` in a fresh process.
While the app runs, its memory map is read to check the weights are mapped, not copied.
Goal: the window shown < 0.8 s after launch.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.runtime.model_files import demo_model_path
from tests.benchmarks.common import mapped_mb, rss_mb, summary, table

ROOT = Path(__file__).resolve().parents[2]
SHOWN = re.compile(r"window shown ([0-9.]+) s after launch(?: \(([0-9.]+) s of CPU time\))?")
LOADED = re.compile(r"model (.+) loaded in ([0-9.]+) s(, weights memory-mapped)?")
TIMEOUT_S = 180.0

BARE_WINDOW = """
import time
started = time.perf_counter()
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class First(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"shown {time.perf_counter() - started:.4f}", flush=True)
            QApplication.quit()
        return False

app = QApplication([])
window = QMainWindow()
window.resize(1360, 820)
spy = First()
window.installEventFilter(spy)
window.show()
app.exec()
"""

RAW_LOAD = """
import sys, time
import llama_cpp
started = time.perf_counter()
llm = llama_cpp.Llama(model_path=sys.argv[1], use_mmap=True, verbose=False)
print(f"loaded {time.perf_counter() - started:.4f}", flush=True)
"""


# Where compiled bytecode is kept for the launches (None: every launch compiles from source).
BYTECODE: list[Path] = []


def environment(home: Path, **extra: str) -> dict[str, str]:
    # Where there is no keyring the key's passphrase would be asked for in a dialog: given here.
    env = {
        "VERITRACE_KEY_PASSPHRASE": "a passphrase for the benchmark only",
        **os.environ,
        "VERITRACE_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        **extra,
    }
    if BYTECODE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(BYTECODE[0])
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def launch_app(home: Path, model: Path) -> dict[str, float]:
    """Start the app, wait for its first paint and its model, read its memory map, stop it."""
    log = home / "veritrace.log"
    skip = log.stat().st_size if log.exists() else 0  # a second launch appends to the same log
    spawned = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=environment(home, VERITRACE_DEMO_MODEL=str(model)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    facts: dict[str, float] = {}
    try:
        while "load_s" not in facts:
            if process.poll() is not None:
                raise SystemExit(f"the app exited with {process.returncode} before its model loaded")
            if time.perf_counter() - spawned > TIMEOUT_S:
                raise SystemExit(f"no model loaded within {TIMEOUT_S:.0f} s; see {log}")
            text = log.read_text(encoding="utf-8")[skip:] if log.exists() else ""
            shown, loaded = SHOWN.search(text), LOADED.search(text)
            if shown and "shown_s" not in facts:
                facts["shown_s"] = float(shown.group(1))
                if shown.group(2):
                    facts["shown_cpu_s"] = float(shown.group(2))
                facts["shown_wall_s"] = time.perf_counter() - spawned
            if loaded:
                facts["ready_wall_s"] = time.perf_counter() - spawned
                facts["load_s"] = float(loaded.group(2))
                facts["mapped_logged"] = 1.0 if loaded.group(3) else 0.0
            time.sleep(0.005)
        mapping = mapped_mb(model, process.pid)
        if mapping is not None:
            facts["mapped_mb"], facts["mapped_resident_mb"] = mapping
            facts["rss_mb"] = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return facts


def bare_window() -> dict[str, float]:
    spawned = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", BARE_WINDOW],
        env=environment(Path(tempfile.gettempdir())),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    wall = time.perf_counter() - spawned
    return {"shown_s": float(output.split()[1]), "shown_wall_s": wall}


def raw_load(model: Path) -> float:
    output = subprocess.run(
        [sys.executable, "-c", RAW_LOAD, str(model)], capture_output=True, text=True, timeout=300, check=True
    ).stdout
    return float(output.split()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", type=Path, default=demo_model_path())
    parser.add_argument(
        "--source", action="store_true", help="compile every module at every launch (no bytecode cache)"
    )
    args = parser.parse_args(argv)
    model = args.model.resolve()
    if not args.source:
        BYTECODE.append(Path(tempfile.mkdtemp(prefix="veritrace-bench-bytecode-")))
        launch_app(Path(tempfile.mkdtemp(prefix="veritrace-bench-")), model)  # untimed: compiles
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    raw: list[float] = []
    for _ in range(args.runs):
        home = Path(tempfile.mkdtemp(prefix="veritrace-bench-"))
        cold.append(launch_app(home, model))
        warm.append(launch_app(home, model))
        bare.append(bare_window())
        raw.append(raw_load(model))
    launches = cold + warm
    print(f"model: {model.name} ({model.stat().st_size / 1e6:.0f} MB); {args.runs} runs, two launches each")
    bytecode = (
        "compiled every launch (--source)" if args.source else "compiled once, before the timed launches"
    )
    print(f"bytecode: {bytecode}\n")
    print(
        table(
            [
                ("window shown, timed by the app", [r["shown_s"] for r in launches], "s"),
                ("window shown, from spawning the process", [r["shown_wall_s"] for r in launches], "s"),
                ("… CPU time the app used until then", [r.get("shown_cpu_s", 0.0) for r in launches], "s"),
                ("baseline: bare PySide6 window, same two ways", [r["shown_s"] for r in bare], "s"),
                ("  … from spawning the process", [r["shown_wall_s"] for r in bare], "s"),
                ("model ready, first launch (hashes the file)", [r["ready_wall_s"] for r in cold], "s"),
                ("model ready, next launch (hash recorded)", [r["ready_wall_s"] for r in warm], "s"),
                ("model load in the app (inspect + load)", [r["load_s"] for r in launches], "s"),
                ("baseline: Llama(use_mmap=True) alone", raw, "s"),
            ]
        )
    )
    worst = max(r["shown_wall_s"] for r in launches)
    middle = summary([r["shown_wall_s"] for r in launches])[0]
    shown = summary([r["shown_wall_s"] for r in launches])[0] / summary([r["shown_wall_s"] for r in bare])[0]
    load = summary([r["load_s"] for r in launches])[0] / summary(raw)[0]
    print(f"\nwindow shown from spawning, median {middle:.2f} s, slowest {worst:.2f} s   (goal < 0.8 s)")
    print(f"ratio app/bare window, first paint from spawning (median): {shown:.2f}")
    print(f"ratio app/raw model load (median): {load:.2f}")
    mapped = [r for r in launches if "mapped_mb" in r]
    logged = all(r["mapped_logged"] for r in launches)
    if mapped:
        size = summary([r["mapped_mb"] for r in mapped])[0]
        resident = summary([r["mapped_resident_mb"] for r in mapped])[0]
        rss = summary([r["rss_mb"] for r in mapped])[0]
        print(
            f"weights memory-mapped: {size:.0f} MB of {model.name} mapped from the file, "
            f"{resident:.0f} MB of it resident; app RSS {rss:.0f} MB; the app's log says so: {logged}"
        )
    else:
        print(f"weights memory-mapped (the app's log): {logged}; this system has no /proc to read the map")
    return 0


if __name__ == "__main__":
    sys.exit(main())
