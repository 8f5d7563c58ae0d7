"""The window and the command line choose a model through one path: the same file, picked in each,
runs with the same settings, as the record shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app import cli
from app.core.presets import with_params
from app.runtime.llama_backend import LlamaBackend
from app.services.config import AppConfig, load_config
from app.services.paths import database_path
from app.storage.repository import Store
from app.ui.main_window import MainWindow

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# What a recorded turn says of how it ran, as opposed to what it said or when.
HOW = ("system_prompt", "template", "preset", "require_reasoning", "params", "messages")


def how_it_ran(turn: Any) -> dict[str, Any]:
    shown = turn.to_json()
    model = shown["model"]
    return {key: shown[key] for key in HOW} | {"model": (model["path"], model["sha256"])}


def test_a_model_picked_in_the_window_and_named_on_the_command_line_runs_alike(
    qtbot: QtBot, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    model = Path(tiny_models[0])
    # The command line: the model named once, a seed and a limit for this run.
    assert cli.main(["ask", "--model", str(model), "--seed", "11", "--max-tokens", "6", "Is it valid?"]) == 0
    assert load_config().model_path is None, "a model named on the command line is for that run"

    # The window: the same file picked with File ▸ Open model…, the same seed and limit set.
    store = Store(database_path())
    window = MainWindow(store, LlamaBackend(), AppConfig(), modal_errors=False)
    qtbot.addWidget(window)
    controller = window.controller
    try:
        with qtbot.waitSignal(controller.model_changed, timeout=60_000):
            controller.open_model(str(model))
        controller.apply_settings(with_params(controller.settings(), seed=11, max_tokens=6))
        with qtbot.waitSignal(controller.turn_finished, timeout=60_000) as finished:
            controller.send("Is it valid?")
        by_window = store.turn(finished.args[0].id)
        by_command = store.turn(1)
        assert by_command.conversation_id != by_window.conversation_id
        assert how_it_ran(by_window) == how_it_ran(by_command)
        assert by_window.params.seed == 11 and by_window.params.max_tokens == 6
        assert by_window.preset != "demo", "the file's own family preset, in both"
        assert (by_window.answer, by_window.reasoning) == (by_command.answer, by_command.reasoning)
        assert load_config().model_path == str(model), "the window keeps what the user picked"
    finally:
        controller.shutdown()
        store.close()
