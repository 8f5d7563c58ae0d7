"""The window while a large model file is hashed in full beside its load, and after it changes."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.core.types import HashCheck, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.window import send

pytestmark = pytest.mark.slow

GIB = 1024**3


def sparse_model(model_file: Path, size: int) -> tuple[Path, str]:
    """The scripted model padded to ``size`` bytes with a hole (no disk used), and its SHA-256."""
    big = model_file.with_name("large.gguf")
    big.write_bytes(model_file.read_bytes())
    os.truncate(big, size)
    digest = hashlib.sha256()
    with big.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return big, digest.hexdigest()


class StallMeter:
    """The longest gap between ticks of a 10 ms timer: how long the event loop was blocked."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> None:
        self._timer.stop()


def test_a_3_gib_model_is_hashed_beside_the_window_and_the_turn_is_settled(
    qtbot: QtBot, store: Store, backend: FakeBackend, model_file: Path
) -> None:
    big, expected = sparse_model(model_file, 3 * GIB)
    window = MainWindow(store, backend, AppConfig(model_path=str(big)), modal_errors=False)
    qtbot.addWidget(window)
    meter = StallMeter()
    checked: list[str] = []
    window.controller.model_checked.connect(lambda _, problem: checked.append(problem))
    try:
        with qtbot.waitSignal(window.controller.model_changed, timeout=10_000):
            window.controller.start()
        loaded = window.controller.model
        assert loaded is not None and loaded.check is not None
        assert not loaded.check.hashed(), "a 3 GiB file is not waited for before the first turn"
        qtbot.waitUntil(lambda: "Verifying model SHA-256" in window.status.hash.text(), timeout=5000)

        backend.enqueue(["[THINK]reading the clause[/THINK]", "It is valid."])
        with qtbot.waitSignal(window.controller.turn_finished, timeout=10_000) as finished:
            send(qtbot, window, "Is the clause valid?")
        begun = store.turn(finished.args[0].id)
        assert begun.status == TurnStatus.COMPLETED
        assert begun.model_check is HashCheck.UNHASHED and begun.model.sha256 == ""

        qtbot.waitUntil(lambda: bool(checked), timeout=60_000)
        assert checked == [""]
        settled = store.turn(begun.id)
        assert settled.model_check is HashCheck.VERIFIED_AFTER and settled.model.sha256 == expected
        assert window.status.hash.text() == "✓ Model SHA-256 verified"
        assert expected in window.status.model.toolTip()
        assert meter.longest < 1.0, f"the window froze for {meter.longest:.2f} s while hashing"

        backend.enqueue(["[THINK]again[/THINK]", "Yes."])
        with qtbot.waitSignal(window.controller.turn_finished, timeout=10_000) as finished:
            send(qtbot, window, "And now?")
        after = store.turn(finished.args[0].id)
        assert after.model_check is HashCheck.VERIFIED and after.model.sha256 == expected
    finally:
        meter.stop()
        window.controller.shutdown()


def test_a_model_replaced_while_loaded_is_named_and_no_longer_used(
    qtbot: QtBot, store: Store, backend: FakeBackend, model_file: Path, window_factory
) -> None:
    window: MainWindow = window_factory(AppConfig(model_path=str(model_file)), start=False)
    checked: list[str] = []
    window.controller.model_checked.connect(lambda _, problem: checked.append(problem))
    with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
        window.controller.start()
    qtbot.waitUntil(lambda: checked == [""], timeout=5000)
    assert window.status.hash.text() == "✓ Model SHA-256 verified"
    backend.enqueue(["[THINK]a[/THINK]", "b"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=10_000) as finished:
        send(qtbot, window, "first")
    first = store.turn(finished.args[0].id)
    assert first.model_check is HashCheck.VERIFIED

    other = model_file.with_name("other.gguf")
    other.write_bytes(model_file.read_bytes() + b"another model")
    os.replace(other, model_file)
    with qtbot.waitSignal(window.controller.error_occurred, timeout=10_000) as shown:
        pass
    title, message = shown.args
    assert title == "Model file changed" and str(model_file) in message and "changed on disk" in message
    assert window.status.hash.text() == "✗ Model file changed: load it again"

    backend.enqueue(["[THINK]c[/THINK]", "d"])
    with qtbot.waitSignal(window.controller.error_occurred, timeout=10_000) as refused:
        send(qtbot, window, "second")
    assert "changed on disk" in refused.args[1]
    assert [turn.id for turn in store.conversation(first.conversation_id).turns] == [first.id]
    assert store.turn(first.id).model.sha256 == first.model.sha256, "what ran keeps its hash"
    assert [kind for _, kind, _ in store.events_of(["model.changed"])] == ["model.changed"]
