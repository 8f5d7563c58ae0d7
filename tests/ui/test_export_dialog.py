"""The export dialog: runs in the background with progress, can be cancelled, asks before
replacing a file, and is reachable from the main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.storage.repository import Store
from app.ui.export_dialog import CHOICES, ExportDialog
from app.ui.main_window import MainWindow
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.records import long_conversation


@pytest.fixture
def dialog(qtbot: QtBot, store: Store) -> ExportDialog:
    long_conversation(store, 6, title="Claim 7")
    made = ExportDialog(store, TEST_KEY, [1], "Conversation 1: Claim 7")  # the key it was signed with
    qtbot.addWidget(made)
    return made


def choose(dialog: ExportDialog, key: str, destination: Path) -> None:
    index = next(number for number, choice in enumerate(CHOICES) if choice[0] == key)
    dialog.formats.button(index).setChecked(True)
    dialog.destination.setText(str(destination))


@pytest.mark.slow
@pytest.mark.parametrize(
    "key, name",
    [("pdf", "claim.pdf"), ("md", "claim.md"), ("json", "claim.zip"), ("json-folder", "claim-bundle")],
)
def test_export_runs_in_the_background_with_progress(
    qtbot: QtBot, dialog: ExportDialog, tmp_path: Path, key: str, name: str
) -> None:
    seen: list[tuple[int, int]] = []
    dialog.job.progress.connect(lambda done, total: seen.append((done, total)))
    choose(dialog, key, tmp_path / name)
    assert dialog.page_size.isEnabled() == (key == "pdf")
    with qtbot.waitSignal(dialog.exported, timeout=30000) as finished:
        dialog.export_button.click()
        assert dialog.running() and dialog.close_button.text() == "Cancel"
    result = finished.args[0]
    assert result.path == tmp_path / name and result.path.exists()
    assert seen and seen[-1][0] == seen[-1][1]
    assert result.report_id in dialog.status.text()
    assert not dialog.running() and dialog.close_button.text() == "Close"


def test_cancel_leaves_no_file(qtbot: QtBot, dialog: ExportDialog, tmp_path: Path) -> None:
    choose(dialog, "pdf", tmp_path / "cancelled.pdf")
    with qtbot.waitSignal(dialog.job.failed, timeout=30000) as failed:
        dialog.export_button.click()
        dialog.close_button.click()  # "Cancel" while the worker is still verifying
    assert "cancelled" in failed.args[0]
    assert not list(tmp_path.glob("*cancelled*"))
    assert dialog.export_button.isEnabled()


def test_asks_before_replacing(
    qtbot: QtBot, dialog: ExportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "existing.pdf"
    target.write_bytes(b"keep")
    choose(dialog, "pdf", target)
    answers = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.pop(0))
    dialog.export_button.click()
    assert not dialog.running() and target.read_bytes() == b"keep"
    answers.append(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.export_button.click()
    assert target.read_bytes().startswith(b"%PDF")


def test_format_choice_changes_the_suggested_name(dialog: ExportDialog, tmp_path: Path) -> None:
    dialog.formats.button(0).setChecked(True)
    dialog.destination.setText(str(tmp_path / "report.pdf"))
    names = []
    for index in (1, 2, 3, 0):
        dialog.formats.button(index).setChecked(True)
        names.append(Path(dialog.destination.text()).name)
    assert names == ["report.md", "report.zip", "report", "report.pdf"]


@pytest.mark.slow
def test_main_window_exports_the_open_conversation(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    long_conversation(store, 2, title="From the window", sign=False)
    window.controller.refresh_conversations()
    window.controller.select_conversation(1)
    action = next(
        action for action in window.menuBar().actions()[0].menu().actions() if "Export" in action.text()
    )
    action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    assert any(label.text() == "Conversation 1: From the window" for label in dialog.findChildren(QLabel))
    dialog.close()


@pytest.mark.slow
def test_session_browser_results_open_the_export_dialog(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    long_conversation(store, 2, title="First matter", sign=False)
    long_conversation(store, 2, title="Second matter", sign=False)
    browser = window.open_session_browser()
    qtbot.waitUntil(lambda: browser.result_ids() == [2, 1] or browser.result_ids() == [1, 2], timeout=5000)
    browser.export_results.click()
    dialog = browser.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    # The file name it suggests lists the conversations it exports.
    assert Path(dialog.destination.text()).stem in ("veritrace-1-2", "veritrace-2-1")
    assert any("2 conversations" in label.text() for label in dialog.findChildren(QLabel))
    dialog.close()
    browser.close()
