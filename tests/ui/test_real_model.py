"""End to end through the real worker thread: the real demo GGUF and llama-cpp-python."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.types import TurnStatus
from app.services.config import load_config
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.window import send

pytestmark = pytest.mark.e2e


@pytest.fixture
def real_window(real_window_factory: Callable[..., MainWindow]) -> MainWindow:
    return real_window_factory()


def longest_word(text: str) -> str:
    return max(("".join(c for c in word if c.isalpha()) for word in text.split()), key=len)


@pytest.mark.slow
def test_grammar_forced_reasoning_lands_in_the_pane_and_the_record(
    qtbot: QtBot, real_window: MainWindow, store: Store
) -> None:
    assert real_window.controller.model is not None and real_window.controller.model.loaded.is_demo
    with qtbot.waitSignal(real_window.controller.turn_finished, timeout=120_000) as finished:
        send(qtbot, real_window, "What is the capital of France?")
    turn = finished.args[0]
    recorded = store.turn(turn.id)
    assert recorded.status == TurnStatus.COMPLETED
    assert recorded.raw_output.startswith("[THINK]") and recorded.reasoning.strip()
    assert real_window.reasoning.text() == recorded.reasoning
    shown = real_window.view.toPlainText()
    # Markdown rendering changes layout, not words: the answer's longest word is shown.
    assert longest_word(recorded.answer) in shown
    reasoning, answer = " ".join(recorded.reasoning.split()), " ".join(recorded.answer.split())
    if reasoning not in answer:
        assert reasoning not in " ".join(shown.split()), "the trace stays out of the conversation"
    assert recorded.require_reasoning and recorded.tokens_per_second


@pytest.mark.slow
def test_stop_mid_stream_keeps_the_partial_trace(qtbot: QtBot, real_window: MainWindow, store: Store) -> None:
    send(qtbot, real_window, "Explain, step by step, how a court interprets an ambiguous contract.")
    qtbot.waitUntil(lambda: len(real_window.reasoning.text()) > 20, timeout=60_000)
    with qtbot.waitSignal(real_window.controller.turn_finished, timeout=60_000) as finished:
        qtbot.mouseClick(real_window.composer.stop_button, Qt.MouseButton.LeftButton)
    recorded = store.turn(finished.args[0].id)
    assert recorded.status == TurnStatus.CANCELLED and recorded.finish_reason == "cancelled"
    assert len(recorded.reasoning) >= 20
    assert real_window.reasoning.text() == recorded.reasoning


@pytest.mark.slow
def test_a_bad_model_file_is_refused_and_the_model_in_use_stays(
    qtbot: QtBot, real_window: MainWindow, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    with qtbot.waitSignal(real_window.controller.error_occurred, timeout=60_000) as failed:
        real_window.controller.open_model(str(broken))
    assert "broken.gguf" in failed.args[1] and "more than the file can hold" in failed.args[1]
    # The inspector refused it before llama.cpp saw it, so the demo model was never unloaded.
    assert real_window.controller.model is not None and real_window.controller.model.loaded.is_demo
    real_window.composer.editor.setPlainText("Still there?")  # Send is off for an empty draft
    qtbot.waitUntil(real_window.composer.send_button.isEnabled, timeout=5000)
    assert load_config().model_path is None, "a model that failed to load is not remembered"


def test_what_llama_cpp_reports_is_recorded_and_shown(real_window: MainWindow, store: Store) -> None:
    import json

    from sqlalchemy import text

    model = real_window.controller.model
    assert model is not None
    runtime = model.runtime_info
    # The threads llama.cpp really uses (the setting says 0: automatic), and what this CPU build
    # offers: no GPU offload, so no layer is offloaded whatever was asked.
    assert isinstance(runtime["n_threads"], int) and runtime["n_threads"] >= 1
    assert runtime["gpu_offload_supported"] is False and runtime["layers_offloaded"] == 0
    assert runtime["n_layers"] == 31  # SmolLM2-135M: 30 blocks and the output layer
    assert "CPU" in str(runtime["system_info"])
    assert runtime["mmap"] is True  # the weights are mapped from the file, not read into memory
    with store.engine.connect() as connection:
        (detail,) = connection.execute(
            text("SELECT detail_json FROM events WHERE kind = 'model.loaded' ORDER BY id DESC LIMIT 1")
        ).one()
    assert json.loads(detail)["backend"] == dict(runtime)
    tooltip = real_window.status.model.toolTip()
    assert f"Threads {runtime['n_threads']} · GPU layers 0 of 31 offloaded" in tooltip
    assert "(no GPU offload in this build)" in tooltip and model.file.sha256 in tooltip
    assert 0 < model.load_seconds < 60 and json.loads(detail)["load_seconds"] == round(model.load_seconds, 3)
    assert f"Loaded in {model.load_seconds:.2f} s · weights memory-mapped" in tooltip
