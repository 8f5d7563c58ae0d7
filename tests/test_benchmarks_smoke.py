"""The benchmark scripts still run (tiny sizes; the numbers are not judged here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def bench(module: str, *args: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", f"tests.benchmarks.{module}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.e2e
def test_throughput_benchmark_runs() -> None:
    output = bench("bench_throughput", "--runs", "1", "--tokens", "16", "--document", "60")
    assert "ratio app/raw tokens/s" in output and "raw llama-cpp-python tokens/s" in output
    assert "… before prefill (template)" in output and "the app's prefill alone vs raw" in output


def test_ui_stream_benchmark_runs() -> None:
    output = bench("bench_ui_stream", "--tokens", "300,3000", "--runs", "1")
    assert "longest stall over all runs" in output and "late / early append cost" in output
    assert "append cost per 1,000 characters, 3,000 vs 300 tokens" in output
    assert (
        "… after it finished (its last repaint)" in output and "most GUI-thread CPU time in one gap" in output
    )
    # No line limit on the pane: the whole trace is still there after the stream.
    assert "the whole trace in the reasoning pane after every run: True" in output


@pytest.mark.e2e
def test_startup_benchmark_runs() -> None:
    output = bench("bench_startup", "--runs", "1")
    assert "window shown, from spawning the process" in output and "ratio app/raw model load" in output
    assert "… CPU time the app used until then" in output and "(goal < 0.8 s)" in output
    # The app's log says its weights are memory-mapped, and its memory map agrees.
    assert "the app's log says so: True" in output
    assert re.search(r"weights memory-mapped: (\d+) MB of SmolLM2.* mapped from the file", output)


@pytest.mark.e2e
def test_memory_benchmark_runs() -> None:
    output = bench("bench_memory", "--turns", "3", "--tokens", "8", "--per-conversation", "2")
    assert "beyond the weights, after turn 3" in output and "app memory beyond the weights, peak" in output
    weights = re.search(r"of which model weights \(mapped, resident\)\s+([0-9.]+)\s+([0-9.]+)", output)
    assert weights and float(weights.group(1)) > 50 and float(weights.group(2)) > 50  # 98 MB model


def test_export_benchmark_runs() -> None:
    output = bench("bench_export", "--turns", "6", "--runs", "1")
    assert (
        "PDF export (verify, sign, lay out, paint)" in output
        and "ratio PDF export / stock Qt print" in output
    )


def test_bundle_benchmark_runs() -> None:
    output = bench("bench_bundle", "--conversations", "6", "--turns", "2", "--runs", "1")
    assert "export bundle folder" in output and "verify zip" in output
    assert "BUNDLE VERIFIED: report VT-" in output and "6 conversation(s)" in output


def test_store_benchmark_runs() -> None:
    output = bench("bench_store", "--conversations", "60", "--turns", "3", "--runs", "1")
    assert "search a matter number: 1 hits" in output and "… its conversations (1)" in output
    assert "window: open a hit (review view, scrolled)" in output and "with the Sessions window" in output


@pytest.mark.e2e
def test_first_token_benchmark_runs() -> None:
    output = bench("bench_first_token", "--size", "0.3", "--runs", "1", "--warm")
    assert "ratio after/raw time to first token" in output and "ratio before/raw" in output
    assert "after: background hash finished" in output and "app, hash cached, nothing hashing" in output
    # The load's own full hash settled the turn: verified before it began, or after.
    assert re.search(r"turns recorded their model hash as .*verified", output)
