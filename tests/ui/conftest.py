"""UI fixtures: a real main window over a real file database and a scripted backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig
from app.storage.repository import Store
from app.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def window_settings(tmp_path: Path) -> Path:
    """The window's own settings (geometry, column widths) in the test's folder: no test starts
    from the size another test left."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qt-settings"
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture(autouse=True)
def english(qapp: QApplication) -> None:
    """The window's source language with its plural forms ("1 entry", not "1 entries"), as the
    application installs it; the default locale stays as it was (a test that switches language
    does so after this)."""
    from PySide6.QtCore import QLocale

    from app.ui.i18n import install_language

    before = QLocale()
    install_language(qapp, "en")
    QLocale.setDefault(before)


@pytest.fixture
def window_factory(qtbot: QtBot, store: Store, backend: FakeBackend, model_file: Path):
    windows: list[MainWindow] = []

    def make(config: AppConfig | None = None, *, start: bool = True) -> MainWindow:
        window = MainWindow(
            store, backend, config or AppConfig(model_path=str(model_file)), modal_errors=False
        )
        qtbot.addWidget(window)
        windows.append(window)
        if start:
            with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
                window.controller.start()
        return window

    yield make
    for window in windows:
        window.controller.shutdown()


@pytest.fixture
def window(window_factory) -> MainWindow:
    return window_factory()


@pytest.fixture
def real_window_factory(qtbot: QtBot, store: Store, demo_gguf: Path):
    """The window on the real demo model and llama-cpp-python, seed 11, loaded and ready."""
    from dataclasses import replace

    from app.core.presets import preset
    from app.runtime.llama_backend import LlamaBackend

    windows: list[MainWindow] = []

    def make(**params: object) -> MainWindow:
        demo = preset("demo")
        seeded = replace(demo, params=replace(demo.params, seed=11, **params))  # type: ignore[arg-type]
        window = MainWindow(store, LlamaBackend(), AppConfig(settings=seeded), modal_errors=False)
        qtbot.addWidget(window)
        windows.append(window)
        with qtbot.waitSignal(window.controller.model_changed, timeout=60_000):
            window.controller.start()
        return window

    yield make
    for window in windows:
        window.controller.shutdown()
