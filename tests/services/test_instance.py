"""One writer at a time, and a record locked by another program gets a clear message."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import StorageError
from app.services.instance import AlreadyRunningError, InstanceLock
from app.storage.repository import Store
from tests.fixtures.ledger import fill

HOLDER = """
import sys
from pathlib import Path
from app.services.instance import InstanceLock
lock = InstanceLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_a_second_instance_is_refused_until_the_first_exits(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(AlreadyRunningError, match="Veritrace is already running with this record"):
            InstanceLock(tmp_path).acquire()
    finally:
        holder.communicate("", timeout=30)
    with InstanceLock(tmp_path) as lock:  # the lock died with its process
        assert lock.held


@pytest.mark.slow
def test_a_record_locked_by_another_program_gives_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    store = Store(path)
    fill(store, turns=1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked by another program; the last change was not saved"):
            store.append_output(1, 5, "x", "", "x")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.verify().intact
    store.close()
