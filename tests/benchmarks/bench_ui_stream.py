"""Event-loop stalls and per-token UI cost while a long trace streams at full speed.

A scripted backend streams reasoning tokens, then an answer, as fast as the worker
thread can emit them into the real main window (offscreen). A 2 ms heartbeat timer
measures the longest gap the event loop leaves, from the send until the finished turn
is shown (its end included: the loop runs on after the turn has finished); every pane
append is timed, and the cost per token early in the trace is compared with the cost
late in it (flat = no quadratic re-rendering). The whole trace must be in the pane.
Goal: no stall longer than one frame (16 ms) with a 100,000-token trace.

    python -m tests.benchmarks.bench_ui_stream [--tokens 1000,10000,100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.common import started_window, summary, table

WORDS = [
    "the",
    "court",
    "weighs",
    "the",
    "clause",
    "against",
    "the",
    "statute",
    "and",
    "the",
    "parties",
    "intent",
]


def trace(tokens: int, answer_tokens: int = 500) -> list[str]:
    """Reasoning-like tokens: words, with a line break every 40 tokens as real traces have."""
    chunks = ["[THINK]"]
    for index in range(tokens):
        word = WORDS[index % len(WORDS)]
        chunks.append(("\n" if index % 40 == 39 else " ") + word)
    chunks.append("[/THINK]")
    chunks.extend(f" answer{index}" for index in range(answer_tokens))
    return chunks


def run_once(tokens: int) -> dict[str, float]:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    from app.core.presets import preset
    from app.runtime.fake_backend import FakeBackend
    from app.services.config import AppConfig
    from app.storage.repository import Store
    from app.ui import reasoning_pane

    home = Path(tempfile.mkdtemp(prefix="veritrace-bench-"))
    os.environ["VERITRACE_HOME"] = str(home)
    model = home / "scripted.gguf"
    model.write_bytes(b"GGUF" + bytes(28))
    appends: list[tuple[int, float, int]] = []  # (characters in the pane before, seconds, appended)
    original = reasoning_pane.ReasoningPane._append_now

    def timed_append(self: reasoning_pane.ReasoningPane, text: str) -> None:
        before = self._text.document().characterCount()
        started = time.perf_counter()
        original(self, text)
        appends.append((before, time.perf_counter() - started, len(text)))

    reasoning_pane.ReasoningPane._append_now = timed_append  # type: ignore[method-assign]
    backend = FakeBackend(context_length=10_000_000)
    store = Store(home / "veritrace.db")
    settings = preset("magistral")
    settings = replace(settings, params=replace(settings.params, max_tokens=10_000_000, n_ctx=10_000_000))
    config = AppConfig(model_path=str(model), settings=settings)
    window, loop = started_window(store, backend, config)
    controller = window.controller

    heartbeat = QTimer()
    heartbeat.setInterval(2)
    stamps: list[float] = []
    # The window's own work in each gap, apart from the time the system gave other processes:
    # on a busy machine the wall-clock gaps measure the machine as much as the app.
    worked: list[float] = []

    def beat() -> None:
        stamps.append(time.perf_counter())
        worked.append(time.thread_time())

    heartbeat.timeout.connect(beat)
    chunks = trace(tokens)
    backend.enqueue(chunks)
    heartbeat.start()
    started = time.perf_counter()
    stamps.append(started)
    worked.append(time.thread_time())
    controller.send("Stream a long trace.")
    loop.exec()
    elapsed = time.perf_counter() - started
    # The loop quit as the turn finished: run on, so that what the end of the turn does to
    # the window (and its repaint) is timed too.
    after = QEventLoop()
    QTimer.singleShot(150, after.quit)
    after.exec()
    heartbeat.stop()
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    busy = [later - earlier for earlier, later in itertools.pairwise(worked)]
    stamps = stamps[1:]
    expected = "".join(chunks[1 : chunks.index("[/THINK]")])
    reasoning_pane.ReasoningPane._append_now = original  # type: ignore[method-assign]
    shown_text = window.reasoning.text()
    shown = len(shown_text)
    controller.shutdown()
    window.close()
    store.close()
    # Each run starts as the app does, with one window: this one is deleted, its garbage collected.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()

    worst = max(range(len(gaps)), key=lambda index: gaps[index]) if gaps else 0
    stall_at = (stamps[worst] - started) / elapsed if stamps else 0.0
    # Gaps that ended while the turn streamed (send → finished), apart from the end's.
    while_streaming = [gap for gap, stamp in zip(gaps, stamps, strict=True) if stamp <= started + elapsed]
    total_chars = max(chars for chars, _, _ in appends) if appends else 1
    early = [cost for chars, cost, _ in appends if chars < total_chars * 0.1]
    late = [cost for chars, cost, _ in appends if chars > total_chars * 0.9]
    # Per character appended, over the second half of the trace: comparable across trace lengths,
    # whose appends carry different amounts of text.
    second = [(cost, size) for chars, cost, size in appends if chars >= total_chars * 0.5]
    per_kchar = sum(cost for cost, _ in second) / max(sum(size for _, size in second), 1) * 1000
    per_append_early = sum(early) / len(early) if early else 0.0
    per_append_late = sum(late) / len(late) if late else 0.0
    return {
        "longest_stall_ms": max(gaps) * 1000 if gaps else 0.0,
        "streaming_stall_ms": max(while_streaming) * 1000 if while_streaming else 0.0,
        "longest_busy_ms": max(busy, default=0.0) * 1000,
        "end_stall_ms": max(gaps[len(while_streaming) :], default=0.0) * 1000,
        "whole_trace_shown": 1.0 if shown_text == expected else 0.0,
        "elapsed_s": elapsed,
        "appends": len(appends),
        "append_early_ms": per_append_early * 1000,
        "append_late_ms": per_append_late * 1000,
        "late_over_early": per_append_late / per_append_early if per_append_early else 0.0,
        "per_kchar_ms": per_kchar * 1000,
        "chars_shown": shown,
        "stall_at": stall_at,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--tokens", default="1000,10000,100000", help="trace lengths to stream, comma-separated"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.tokens.split(",")]
    by_size = {size: [run_once(size) for _ in range(args.runs)] for size in sizes}
    for size, results in by_size.items():
        print(f"{size:,} reasoning tokens streamed at full speed; {args.runs} runs\n")
        print(
            table(
                [
                    ("longest event-loop stall, whole turn", [r["longest_stall_ms"] for r in results], "ms"),
                    ("… while streaming (send → finished)", [r["streaming_stall_ms"] for r in results], "ms"),
                    ("… after it finished (its last repaint)", [r["end_stall_ms"] for r in results], "ms"),
                    ("most GUI-thread CPU time in one gap", [r["longest_busy_ms"] for r in results], "ms"),
                    ("whole turn, send to finished", [r["elapsed_s"] for r in results], "s"),
                    ("pane appends (coalesced)", [r["appends"] for r in results], "count"),
                    ("append cost, first 10% of trace", [r["append_early_ms"] for r in results], "ms"),
                    ("append cost, last 10% of trace", [r["append_late_ms"] for r in results], "ms"),
                    ("late / early append cost", [r["late_over_early"] for r in results], "ratio"),
                    (
                        "append cost per 1,000 characters, 2nd half",
                        [r["per_kchar_ms"] for r in results],
                        "ms",
                    ),
                    (
                        "longest stall ended at (fraction of the turn)",
                        [r["stall_at"] for r in results],
                        "fraction",
                    ),
                ]
            )
        )
        print()
    worst = max(r["longest_stall_ms"] for results in by_size.values() for r in results)
    print(f"longest stall over all runs: {worst:.1f} ms   (goal ≤ 16 ms, one frame)")
    whole = all(r["whole_trace_shown"] for results in by_size.values() for r in results)
    print(f"the whole trace in the reasoning pane after every run: {whole}")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        cost = {size: summary([r["per_kchar_ms"] for r in by_size[size]])[0] for size in sizes}
        ratio = cost[large] / cost[small] if cost[small] else 0.0
        print(
            f"append cost per 1,000 characters, {large:,} vs {small:,} tokens (median): "
            f"{cost[large]:.3f} vs {cost[small]:.3f} ms, ratio {ratio:.2f}  (flat: no re-rendering)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
