"""The download dialog, offscreen, against the local Hub server: a real transfer on a real thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from app.core.catalogue import MAGISTRAL_SMALL_1_2
from app.services.config import load_config
from app.services.downloads import Progress, Stage, describe_progress, human_duration
from app.ui.download_dialog import DownloadDialog
from app.ui.main_window import MainWindow
from tests.fixtures.hub_server import HubFile, HubServer, serve

MODEL = MAGISTRAL_SMALL_1_2.quantization("Q4_K_M").file
PROJECTOR = MAGISTRAL_SMALL_1_2.projector
PLENTY = 10**15


@pytest.fixture
def hub(tiny_models: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    text, projector = tiny_models
    assert PROJECTOR is not None
    files = [
        HubFile(MODEL.repo_id, MODEL.filename, text.read_bytes()),
        HubFile(PROJECTOR.repo_id, PROJECTOR.filename, projector.read_bytes()),
    ]
    with serve(files) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> Iterator[DownloadDialog]:
    made = DownloadDialog(folder=tmp_path / "dl", free_space=lambda _folder: PLENTY)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.job.cancel()
    made.job.wait()


@pytest.mark.slow
def test_downloads_model_and_projector_then_offers_to_use_it(
    qtbot: QtBot, dialog: DownloadDialog, hub: HubServer, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    assert dialog.quantization.currentData() == "Q4_K_M"
    assert dialog.projector.isChecked()
    assert dialog.space.text().startswith("About 15.2 GB to download; ")
    assert "free in" in dialog.space.text()
    assert not dialog.use_button.isVisible()

    with qtbot.waitSignal(dialog.downloaded, timeout=60000) as downloaded:
        dialog.download_button.click()
        assert dialog.running() and not dialog.download_button.isEnabled()
    model, projector = downloaded.args

    assert model == tmp_path / "dl" / MODEL.filename
    assert model.read_bytes() == tiny_models[0].read_bytes()
    assert projector is not None and projector.read_bytes() == tiny_models[1].read_bytes()
    assert "verified" in dialog.status.text()
    assert dialog.use_button.isVisible() and not dialog.running()
    with qtbot.waitSignal(dialog.use_requested, timeout=5000) as used:
        dialog.use_button.click()
    assert used.args == [model, projector]


@pytest.mark.slow
def test_pause_then_resume_continues_from_the_partial_file(
    qtbot: QtBot, dialog: DownloadDialog, hub: HubServer, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    dialog.projector.setChecked(False)
    hub.switches.delay = 0.01
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.bar.value() > 50, timeout=30000)

    with qtbot.waitSignal(dialog.job.paused, timeout=30000):
        dialog.pause_button.click()
    partial = tmp_path / "dl" / (MODEL.filename + ".part")
    kept = partial.stat().st_size
    assert 0 < kept < len(tiny_models[0].read_bytes())
    assert dialog.pause_button.text() == "Resume" and dialog.pause_button.isEnabled()
    assert "Paused" in dialog.status.text()

    hub.switches.delay = 0.0
    with qtbot.waitSignal(dialog.downloaded, timeout=60000):
        dialog.pause_button.click()
    assert (tmp_path / "dl" / MODEL.filename).read_bytes() == tiny_models[0].read_bytes()
    ranges = [entry.range for entry in hub.body_requests()]
    assert ranges == [None, f"bytes={kept}-"]


@pytest.mark.slow
def test_cancel_deletes_the_partial_file(
    qtbot: QtBot, dialog: DownloadDialog, hub: HubServer, tmp_path: Path
) -> None:
    dialog.projector.setChecked(False)
    hub.switches.delay = 0.01
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.bar.value() > 50, timeout=30000)
    with qtbot.waitSignal(dialog.job.cancelled, timeout=30000):
        dialog.cancel_button.click()
    assert list((tmp_path / "dl").iterdir()) == []
    assert "Cancelled" in dialog.status.text() and dialog.download_button.isEnabled()


@pytest.mark.slow
def test_cancel_while_paused_deletes_the_partial_file(
    qtbot: QtBot, dialog: DownloadDialog, hub: HubServer, tmp_path: Path
) -> None:
    dialog.projector.setChecked(False)
    hub.switches.delay = 0.01
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.bar.value() > 50, timeout=30000)
    with qtbot.waitSignal(dialog.job.paused, timeout=30000):
        dialog.pause_button.click()
    dialog.cancel_button.click()
    assert list((tmp_path / "dl").iterdir()) == []
    assert dialog.download_button.isEnabled() and not dialog.pause_button.isEnabled()


def test_not_enough_space_is_shown_and_nothing_is_fetched(
    qtbot: QtBot, hub: HubServer, tmp_path: Path
) -> None:
    dialog = DownloadDialog(folder=tmp_path / "dl", free_space=lambda _folder: 5_000_000)
    qtbot.addWidget(dialog)
    assert "5.0 MB free" in dialog.space.text()
    with qtbot.waitSignal(dialog.job.failed, timeout=30000) as failed:
        dialog.download_button.click()
    assert str(failed.args[0]).startswith("Not enough free space in")
    assert dialog.status.text() == failed.args[0]
    assert hub.body_requests() == []
    assert dialog.download_button.isEnabled()


def test_server_down_is_one_clear_sentence(
    qtbot: QtBot, dialog: DownloadDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    with qtbot.waitSignal(dialog.job.failed, timeout=30000) as failed:
        dialog.download_button.click()
    assert failed.args[0] == "Cannot reach 127.0.0.1:9: the connection was refused (is the server up?)."


@pytest.mark.slow
def test_main_window_downloads_into_the_library_and_uses_the_model(
    qtbot: QtBot, window: MainWindow, hub: HubServer, tmp_path: Path
) -> None:
    actions = [action.text() for action in window.findChildren(QAction)]
    assert "Download Ma&gistral…" in actions
    dialog = window.open_download()
    dialog.folder.setText(str(tmp_path / "dl"))
    with qtbot.waitSignal(dialog.downloaded, timeout=60000) as downloaded:
        dialog.download_button.click()
    model, projector = downloaded.args
    saved = load_config()
    assert str(model) in saved.models and str(model) in window.controller.config.models
    assert saved.projectors[str(model)] == str(projector)

    with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
        dialog.use_button.click()
    assert load_config().model_path == str(model)


def test_progress_text_has_speed_and_time_left() -> None:
    running = Progress("m.gguf", 3_200_000_000, 14_300_000_000, 45_100_000.0, 252.0, Stage.DOWNLOADING)
    assert describe_progress(running) == "m.gguf: 3.2 GB of 14.3 GB · 45.1 MB/s · 4 min 12 s left"
    checking = Progress("m.gguf", 1_000_000, 2_000_000, 0.0, None, Stage.CHECKING)
    assert "checking the part already downloaded" in describe_progress(checking)
    assert [human_duration(s) for s in (5, 61, 7322)] == ["5 s", "1 min 01 s", "2 h 02 min"]
