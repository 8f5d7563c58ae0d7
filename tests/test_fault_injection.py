"""SIGKILL at random points while writing: nothing acknowledged is lost, the chain always verifies.

The writer is the real command line (``veritrace ask`` on the demo model, and the review
commands). Before each kill, the committed ledger head is read from a separate read-only
connection: that is what has been acknowledged. After the kill, the next start must find
that exact entry still in place, mark any half-done turn interrupted, and verify the whole
record. ``VERITRACE_KILLS`` sets the number of kills (100 by default; a release run uses 1000).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("VERITRACE_KILLS", "100"))


def committed_head(database: Path) -> tuple[int, str] | None:
    if not database.exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            row = connection.execute(
                "SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        connection.close()
    except sqlite3.OperationalError:  # not created yet
        return None
    return (row[0], row[1]) if row else None


def entry_hash_at(database: Path, seq: int) -> str | None:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        row = connection.execute("SELECT entry_hash FROM ledger WHERE seq = ?", (seq,)).fetchone()
    connection.close()
    return row[0] if row else None


@pytest.mark.e2e
def test_random_kills_lose_nothing_acknowledged(veritrace_home: Path, demo_gguf: Path) -> None:
    rng = random.Random(20261123)
    env = {**os.environ, "VERITRACE_HOME": str(veritrace_home)}
    database = veritrace_home / "veritrace.db"
    python = [sys.executable, "-m", "app"]
    killed_mid_write = 0
    for round_number in range(KILLS):
        head = committed_head(database)
        conversations = head is not None
        choice = rng.random()
        if choice < 0.75 or not conversations:
            command = [
                *python,
                "ask",
                f"Question {round_number}: explain clause {round_number}.",
                "--max-tokens",
                "400",
                "--seed",
                str(round_number),
            ]
        elif choice < 0.9:
            command = [*python, "annotate", "1", "--flag", "concern", "--comment", f"note {round_number}"]
        else:
            command = [*python, "checkpoint"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, 1.6))
        acknowledged = committed_head(database)  # committed before the kill lands
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if process.returncode == -signal.SIGKILL:
            killed_mid_write += 1
        if acknowledged is not None:
            seq, digest = acknowledged
            assert entry_hash_at(database, seq) == digest, (
                f"round {round_number}: acknowledged entry {seq} lost"
            )
    verified = subprocess.run(
        [*python, "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("Record intact")
    listed = subprocess.run(
        [*python, "list", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0 and "running" not in listed.stdout, (
        "every killed turn is marked interrupted"
    )
    assert killed_mid_write >= KILLS // 2, "most rounds were killed while working, not after finishing"
