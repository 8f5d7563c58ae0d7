"""The window is shown before its record is open; nothing is sent or recorded until it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.window import send

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "Is clause 4 enforceable?"


def test_send_before_the_record_is_open_is_refused_and_said_then_works_once_it_is(
    qtbot: QtBot, store: Store, backend: FakeBackend, model_file: Path
) -> None:
    window = MainWindow(None, None, AppConfig(model_path=str(model_file)), modal_errors=False)
    qtbot.addWidget(window)
    window.show()
    assert not window.controller.record_open
    assert not window.menuBar().isEnabled(), "no menu acts on a record not open yet"
    assert window.composer.hint.text() == "Opening the record…"
    window.composer.editor.setPlainText(PROMPT)
    assert not window.composer.send_button.isEnabled()
    assert window.composer.send_button.toolTip() == "Opening the record…", "Send says why it is off"

    # The keyboard's way and the controller's own: both refused, and the refusal is said.
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    window.controller.send(PROMPT)
    assert "The record is still opening: nothing was sent" in window.status.currentMessage()
    assert window.composer.text() == PROMPT, "the draft stays, to be sent once the record is open"

    try:
        window.open_record(store, backend)
        assert window.controller.record_open and window.menuBar().isEnabled()
        assert store.list_conversations() == [], "nothing was recorded before the record was open"
        with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
            window.controller.start()
        backend.enqueue(["[THINK]Clause 4 caps ", "liabil", "ity.[/THINK]", "Yes."])
        with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
            send(qtbot, window, PROMPT)
        turn = store.turn(finished.args[0].id)
        assert turn.prompt == PROMPT and turn.reasoning == "Clause 4 caps liability."
        assert len(store.list_conversations()) == 1
    finally:
        window.controller.shutdown()


def test_a_streamed_trace_is_captioned_with_its_word_count_when_words_are_cut_between_pieces(
    qtbot: QtBot, store: Store, backend: FakeBackend, model_file: Path
) -> None:
    window = MainWindow(store, backend, AppConfig(model_path=str(model_file)), modal_errors=False)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
            window.controller.start()
        # Words cut between pieces, runs of spaces and a line break: counted as str.split counts.
        pieces = ["[THINK]The cla", "use  caps", " liabil", "ity\n\nat ", "ten", " euros[/THINK]", "Yes."]
        backend.enqueue(pieces)
        with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
            send(qtbot, window, PROMPT)
        recorded = store.turn(finished.args[0].id).reasoning
        assert len(recorded.split()) == 7
        caption = window.reasoning.findChild(QLabel, "paneCaption")
        assert caption is not None and "7 words" in caption.text()
    finally:
        window.controller.shutdown()


def test_the_window_modules_load_without_the_record_modules() -> None:
    """What the first paint needs leaves SQLAlchemy, the storage layer and the session for later."""
    code = (
        "import sys\n"
        "import app.ui.application\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'sqlalchemy'\n"
        "    or name.startswith(('app.storage', 'app.services.session', 'app.services.record'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# The real entry point: when the record is opened, the window has already been painted, saying so,
# and the record's modules were not loaded before that paint.
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.ui import application
from app.ui.main_window import MainWindow

seen = {}

class Watched(MainWindow):
    def paintEvent(self, event):
        if "painted" not in seen:
            seen["painted"] = True
            seen["record modules at first paint"] = sorted(
                name for name in ("sqlalchemy", "app.storage", "app.services.session") if name in sys.modules
            )
        super().paintEvent(event)

application.MainWindow = Watched
opening = application._open_record

def watched_open(*args, **kwargs):
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    print("painted before the record opened:", seen.get("painted", False))
    print("record modules at first paint:", seen.get("record modules at first paint"))
    print("menus enabled:", window.menuBar().isEnabled())
    print("send enabled:", window.composer.send_button.isEnabled())
    print("hint:", window.composer.hint.text())
    QTimer.singleShot(0, QApplication.quit)
    return opening(*args, **kwargs)

application._open_record = watched_open
app = QApplication(sys.argv)
sys.exit(application.run_gui())
"""


@pytest.mark.slow
def test_the_window_is_painted_before_the_record_is_opened(veritrace_home: Path) -> None:
    env = {**os.environ, "VERITRACE_HOME": str(veritrace_home), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", DRIVER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "painted before the record opened: True" in lines
    assert "record modules at first paint: []" in lines
    assert "menus enabled: False" in lines and "send enabled: False" in lines
    assert "hint: Opening the record…" in lines
    assert "Traceback" not in result.stderr
    log = (veritrace_home / "veritrace.log").read_text(encoding="utf-8")
    assert "window shown" in log and "of CPU time" in log
