"""The benchmark scripts still run (tiny sizes; the numbers are not judged here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    output = bench("bench_throughput", "--runs", "1", "--tokens", "16")
    assert "ratio app/raw tokens/s" in output and "raw llama-cpp-python tokens/s" in output


def test_ui_stream_benchmark_runs() -> None:
    output = bench("bench_ui_stream", "--tokens", "3000", "--runs", "1")
    assert "longest stall over all runs" in output and "late / early append cost" in output


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
