"""*Reproduce* on a recorded turn in the real window: the demo model, its real worker thread."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from app.core.reproduction import Outcome
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.window import send

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def real_window(real_window_factory: Callable[..., MainWindow]) -> MainWindow:
    return real_window_factory(max_tokens=60)


def test_reproduce_runs_the_turn_again_and_shows_both_outputs(
    qtbot: QtBot, real_window: MainWindow, store: Store
) -> None:
    with qtbot.waitSignal(real_window.controller.turn_finished, timeout=120_000) as finished:
        send(qtbot, real_window, "Name a colour.")
    turn = finished.args[0]
    assert f"reproduce:{turn.id}" in real_window.view.toHtml(), "every finished turn offers Reproduce"
    real_window.view.anchorClicked.emit(QUrl(f"reproduce:{turn.id}"))
    dialog = real_window.reproduce_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.finished_with is not None, timeout=120_000)
    result = dialog.finished_with
    assert result is not None and result.outcome is Outcome.IDENTICAL, result.summary
    assert "identical" in dialog.summary.text()
    recorded = store.turn(turn.id)
    assert dialog.recorded.toPlainText() == dialog.now.toPlainText() == result.recorded_text
    assert result.recorded_text == recorded.raw_output
    assert [r.outcome for r in real_window.controller.session.reproductions({turn.id})[turn.id]] == [
        Outcome.IDENTICAL
    ]
    dialog.close()
    assert store.verify().intact
