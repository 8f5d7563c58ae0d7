"""File ▸ Models…: real inspection in child processes, a real window, offscreen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.core.models import Family, ModelInfo, family_for
from app.core.presets import PRESETS
from app.services.config import AppConfig, load_config
from app.ui.models_dialog import COLUMNS, ModelsDialog
from app.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.slow


def _open(qtbot: QtBot, config: AppConfig) -> ModelsDialog:
    dialog = ModelsDialog(config)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.progress.text().endswith(("model", "models")), timeout=60000)
    return dialog


def _row(dialog: ModelsDialog, file_name: str) -> int:
    names = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    return next(row for row, name in enumerate(names) if name.startswith(file_name))


def test_add_shows_metadata_and_a_bad_file_only_a_message(
    qtbot: QtBot, tiny_models: tuple[Path, Path], demo_gguf: Path, tmp_path: Path
) -> None:
    text_model, _ = tiny_models
    dialog = _open(qtbot, AppConfig())
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text().endswith("(demo)")
    with qtbot.waitSignal(dialog.library_changed, timeout=60000) as changed:
        dialog.add_path(text_model)
    assert changed.args[0].models == [str(text_model.resolve())]
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=60000)
    row = _row(dialog, text_model.name)
    cells = {COLUMNS[c]: dialog.table.item(row, c).text() for c in range(len(COLUMNS))}
    assert cells["Architecture"] == "llama" and cells["Quantization"] == "Q8_0"
    assert cells["Trained context"] == "2,048" and cells["Chat template"] == "yes"
    assert cells["Preset family"] == Family.MAGISTRAL.label and len(cells["SHA-256"]) == 64

    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(4) + b"\xff" * 40)
    with qtbot.waitSignal(dialog.job.failed, timeout=60000):
        dialog.add_path(broken)
    assert "broken.gguf" in dialog.message.text() and "version" in dialog.message.text()
    assert dialog.config.models == [str(text_model.resolve())] and dialog.table.rowCount() == 2
    dialog.done(0)


def test_use_and_forget_from_the_window(qtbot: QtBot, window_factory, tiny_models: tuple[Path, Path]) -> None:
    text_model, _ = tiny_models
    window = window_factory()
    window.controller.set_library(AppConfig(models=[str(text_model)]))
    assert load_config().models == [str(text_model)]
    dialog = window.open_models_dialog()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 2, timeout=60000)
    dialog.table.selectRow(_row(dialog, text_model.name))
    assert dialog.use_button.isEnabled()
    with qtbot.waitSignal(window.controller.model_changed, timeout=10000):
        dialog.use_button.click()
    # The tiny model's [THINK] control tokens make it a Magistral-family model: its preset applies.
    assert window.controller.config.settings.preset == PRESETS["magistral"].preset
    assert window.controller.config.settings.params.n_ctx <= 2048
    assert window.controller.model is not None
    dialog.table.selectRow(_row(dialog, text_model.name))
    with qtbot.waitSignal(dialog.library_changed):
        dialog.forget_button.click()
    assert load_config().models == []
    dialog.done(0)


def test_settings_caps_the_context_and_estimates_memory(qtbot: QtBot, tiny_models: tuple[Path, Path]) -> None:
    from app.runtime.gguf_inspect import inspect_file

    info: ModelInfo = inspect_file(tiny_models[0])
    assert family_for(info) == Family.MAGISTRAL
    dialog = SettingsDialog(PRESETS["magistral"], trained_context=info.context_length, info=info)
    qtbot.addWidget(dialog)
    assert dialog.n_ctx.maximum() == 2048 and dialog.n_ctx.value() == 2048  # 4096 capped
    assert dialog.memory.text().startswith("Memory ≈")
    before = dialog.memory.text()
    dialog.n_ctx.setValue(512)
    assert dialog.memory.text() != before
    assert dialog.settings().params.n_ctx == 512
    assert json.loads(json.dumps(dialog.settings().params.to_dict()))["truncation"] == "none"


def _menu_action(window: object, text: str) -> QAction:
    actions = [action for action in window.findChildren(QAction) if action.text() == text]  # type: ignore[attr-defined]
    assert len(actions) == 1, text
    return actions[0]


def test_file_open_applies_the_family_preset_and_caps_the_context(
    qtbot: QtBot,
    window_factory,
    model_file: Path,
    tiny_models: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text_model, _ = tiny_models
    window = window_factory(AppConfig(model_path=str(model_file), settings=PRESETS["think-tags"]))
    before = window.controller.config.settings
    assert before.preset == "think-tags" and before.params.n_ctx > 2048

    # A file that fails inspection: a clear message, and the settings stay as they were.
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(4) + b"\xff" * 40)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(broken), ""))
    errors: list[tuple[str, str]] = []
    window.controller.error_occurred.connect(lambda title, text: errors.append((title, text)))
    _menu_action(window, "&Open model…").trigger()
    qtbot.waitUntil(lambda: bool(errors), timeout=60000)
    assert errors[0][0] == "Model not loaded" and "broken.gguf" in errors[0][1]
    qtbot.waitUntil(lambda: not window.controller.loading, timeout=60000)
    assert window.controller.config.settings == before

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(text_model), ""))
    with qtbot.waitSignal(window.controller.model_changed, timeout=60000):
        _menu_action(window, "&Open model…").trigger()
    settings = window.controller.config.settings
    # Its [THINK] control tokens make it Magistral-family: that preset, its pinned template,
    # and a context no longer than the 2,048 tokens the file was trained for.
    assert settings.preset == "magistral" and settings.template == PRESETS["magistral"].template
    assert (settings.params.temperature, settings.params.top_p) == (0.7, 0.95)
    assert settings.params.n_ctx == 2048
    assert window.controller.settings() == settings  # what the next turn runs with
    assert load_config().settings == settings  # and kept for the next start


def test_closing_the_dialog_stops_a_long_hash_at_once(
    qtbot: QtBot, tiny_models: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import threading

    from app.core.cancel import Cancelled, CancelToken
    from app.services import models

    # A real model file of 3 GiB (sparse: the tiny model, then zeros): hashing it takes seconds.
    big = tmp_path / "big.gguf"
    big.write_bytes(tiny_models[0].read_bytes())
    os.truncate(big, 3 * 2**30)
    hashing = threading.Event()
    outcomes: list[str] = []
    real_hash = models.sha256_file

    def noted(path: Path, cancel: CancelToken | None = None) -> str:
        if path != big.resolve():
            return real_hash(path, cancel)
        hashing.set()
        try:
            digest = real_hash(path, cancel)
        except Cancelled:
            outcomes.append("cancelled")
            raise
        outcomes.append("finished")
        return digest

    monkeypatch.setattr(models, "sha256_file", noted)
    dialog = ModelsDialog(AppConfig(models=[str(big)]))
    qtbot.addWidget(dialog)
    listed: list[object] = []
    dialog.job.listed.connect(listed.append)
    qtbot.waitUntil(hashing.is_set, timeout=60000)

    dialog.done(0)  # returns once the hash has stopped, within one chunk

    assert outcomes == ["cancelled"], "the hash ran on after the dialog closed, or to the end"
    QCoreApplication.processEvents()  # deliver any queued signal: there must be none
    assert listed == []
    assert (
        models.cached_info(big) is None or models.cached_info(big).sha256 is None
    )  # nothing half-hashed kept
