"""The real application entry point, in its own process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Starts the real app (python -m app with no arguments), sends a prompt once the demo model
# is loaded and quits while the answer is still streaming.
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.ui import application
from app.ui.main_window import MainWindow

def drive():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows or windows[0].controller.model is None:
        QTimer.singleShot(20, drive)
        return
    window = windows[0]
    window.composer.editor.setPlainText("Explain the doctrine of frustration in detail.")
    window.controller.send(window.composer.text())
    def quit_when_streaming():
        if len(window.reasoning.text()) > 10:
            print("quitting mid-generation", flush=True)
            QApplication.quit()
        else:
            QTimer.singleShot(20, quit_when_streaming)
    quit_when_streaming()

app = QApplication(sys.argv)
QTimer.singleShot(0, drive)
sys.exit(application.run_gui())
"""


@pytest.mark.e2e
def test_quitting_mid_generation_shuts_down_cleanly(veritrace_home: Path, demo_gguf: Path) -> None:
    env = {**os.environ, "VERITRACE_HOME": str(veritrace_home), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", DRIVER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "quitting mid-generation" in result.stdout
    assert "QThread: Destroyed while thread is still running" not in result.stderr
    assert "Traceback" not in result.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "app", "show", "1", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    turn = json.loads(shown.stdout)["turns"][0]
    assert turn["status"] == "cancelled", "the running turn was stopped and recorded, not lost"
    assert turn["reasoning"]
    log = (veritrace_home / "veritrace.log").read_text(encoding="utf-8")
    assert re.search(r"window shown [0-9.]+ s after launch", log), "start-up is timed in the log"
    assert re.search(r"model .*SmolLM2.* loaded in [0-9.]+ s, weights memory-mapped", log)


def test_the_window_starts_without_importing_what_only_later_work_needs() -> None:
    """llama.cpp loads in the worker, httpx and keyring when a server or download is first used."""
    code = (
        "import sys\n"
        "from app.ui import application\n"
        "from app.runtime.llama_backend import LlamaBackend\n"
        "LlamaBackend()\n"
        "print(sorted(name for name in ('llama_cpp', 'numpy', 'httpx', 'keyring') if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_version_from_the_console_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    from app import __version__

    assert result.stdout.strip() == f"Veritrace {__version__}"


def test_a_damaged_record_is_set_aside_and_the_verified_backup_restored(
    veritrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.services.paths import backups_dir, database_path
    from app.storage.repository import Store
    from app.ui import application
    from tests.fixtures.ledger import damage, fill

    store = Store(database_path())
    fill(store, turns=2)
    store.backup(backups_dir(), "daily")
    store.close()
    damage(database_path())
    shown: list[str] = []

    def answer_yes(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        shown.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "critical", answer_yes)
    restored = application._open_record(None)
    assert restored is not None
    try:
        assert restored.verify().intact and len(restored.list_conversations()) == 1
    finally:
        restored.close()
    assert "is damaged" in shown[0] and "The newest verified backup is" in shown[0]
    assert list(veritrace_home.glob("veritrace.db.damaged-*")), "the damaged file is kept"


def test_a_record_behind_its_witness_opens_only_when_the_loss_is_accepted_and_recorded(
    veritrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from app.services.paths import backups_dir, database_path
    from app.services.record import open_record
    from app.services.signing import installation_key
    from app.ui import application
    from tests.fixtures.ledger import fill

    store = open_record(database_path(), backups=backups_dir())
    fill(store, turns=1)
    older = store.backup(backups_dir(), "older")
    store.annotate(1, "concern", "Hidden by the rollback.", "Dr. R")  # type: ignore[arg-type]
    store.checkpoint(installation_key(), "after the note")
    store.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database_path()}{suffix}").unlink(missing_ok=True)
    database_path().write_bytes(older.read_bytes())
    before = database_path().read_bytes()
    shown: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]

    def answer(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        shown.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "critical", answer)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kw: ("Restored last week's copy.", True))
    assert application._open_record(None) is None, "No leaves everything as it is"
    assert database_path().read_bytes() == before
    assert "behind its witness" in shown[0]
    opened = application._open_record(None)
    assert opened is not None
    try:
        [(_, _, detail)] = opened.events_of(("record.restored",))
        assert (
            detail["reason"] == "Restored last week's copy." and detail["witness_before"]["entry_count"] > 0
        )
        from app.services.record import check_record

        assert check_record(opened).intact
    finally:
        opened.close()
