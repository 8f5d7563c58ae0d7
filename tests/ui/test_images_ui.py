"""Images in the window: real drag-and-drop and paste events, thumbnails, the viewer, vision on and off."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.composer import NO_VISION_HINT
from app.ui.main_window import MainWindow


@pytest.fixture
def pictures(tmp_path: Path) -> dict[str, Path]:
    files = {}
    for name, colour in (("page1.png", (200, 30, 30)), ("page2.jpg", (30, 200, 30))):
        path = tmp_path / name
        Image.new("RGB", (120, 90), colour).save(path)
        files[name] = path
    broken = tmp_path / "broken.png"
    broken.write_bytes(files["page1.png"].read_bytes()[:60])
    files["broken.png"] = broken
    notes = tmp_path / "notes.png"
    notes.write_text("meeting notes, not an image")
    files["notes.png"] = notes
    return files


def drop(widget: QWidget, mime: QMimeData) -> bool:
    """Send a real drag-enter then drop to ``widget``; return whether the drag was accepted."""
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return True


def file_urls(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def names(window: MainWindow) -> list[str]:
    return [image.filename for image in window.composer.attachments.images()]


@pytest.mark.slow
def test_drop_files_on_the_composer(window: MainWindow, pictures: dict[str, Path]) -> None:
    window.composer.editor.setPlainText("Compare these pages")
    assert drop(window.composer, file_urls(pictures["page1.png"], pictures["page2.jpg"]))
    assert names(window) == ["page1.png", "page2.jpg"]
    assert window.composer.attachments.isVisibleTo(window.composer)
    assert window.composer.text() == "Compare these pages", "the draft text is untouched"


def test_drop_onto_the_editor_and_the_conversation(window: MainWindow, pictures: dict[str, Path]) -> None:
    assert drop(window.composer.editor.viewport(), file_urls(pictures["page1.png"]))
    assert drop(window.view.viewport(), file_urls(pictures["page2.jpg"]))
    assert names(window) == ["page1.png", "page2.jpg"]
    assert window.composer.editor.toPlainText() == "", "no file path was typed into the prompt"


@pytest.mark.slow
def test_bad_files_are_refused_by_name_and_lose_nothing(
    window: MainWindow, pictures: dict[str, Path]
) -> None:
    window.composer.editor.setPlainText("Keep this text")
    drop(window.composer, file_urls(pictures["page1.png"]))
    drop(window.composer, file_urls(pictures["broken.png"], pictures["notes.png"], pictures["page2.jpg"]))
    assert names(window) == ["page1.png", "page2.jpg"]
    problems = window.composer.problems.text()
    assert "broken.png is damaged" in problems
    assert "notes.png is not an image Veritrace can read" in problems
    assert window.composer.problems.isVisibleTo(window.composer)
    assert window.composer.text() == "Keep this text"


@pytest.mark.slow
def test_remote_urls_are_never_fetched(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/chart.png")])
    window.composer.add_from_mime(mime)
    assert names(window) == []
    assert "Veritrace never downloads" in window.composer.problems.text()


@pytest.mark.slow
def test_paste_raw_image_data(qtbot: QtBot, window: MainWindow) -> None:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkBlue)
    # setImage, not setMimeData: the clipboard takes ownership of a QMimeData, and a Python
    # wrapper of it would be freed twice at exit.
    QApplication.clipboard().setImage(image)
    window.composer.editor.setFocus()
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    QApplication.clipboard().clear()
    assert names(window) == ["pasted-image.png"]
    pasted = window.composer.attachments.images()[0]
    assert (pasted.width, pasted.height, pasted.media_type) == (40, 30, "image/png")


def test_remove_an_attachment(qtbot: QtBot, window: MainWindow, pictures: dict[str, Path]) -> None:
    window.composer.add_images([str(pictures["page1.png"]), str(pictures["page2.jpg"])])
    qtbot.mouseClick(window.composer.attachments.buttons()[0], Qt.MouseButton.LeftButton)
    assert names(window) == ["page2.jpg"]


@pytest.mark.slow
def test_send_without_vision_records_and_says_so(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store, pictures: dict[str, Path]
) -> None:
    window.composer.add_images([str(pictures["page1.png"])])
    assert window.composer.hint.text() == NO_VISION_HINT, "said before sending"
    backend.enqueue(["[THINK]no picture here[/THINK]I cannot see it."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)  # images alone can be sent
    turn = store.turn(finished.args[0].id)
    assert [(i.filename, i.sent_to_model) for i in turn.images] == [("page1.png", False)]
    assert names(window) == [] and window.composer.hint.text() != NO_VISION_HINT
    assert 'src="thumb:' in window.view.toHtml()
    assert "Not seen by the model" in window.view.toPlainText()
    with qtbot.waitSignal(window.controller.image_requested, timeout=2000) as opened:
        window.view.anchorClicked.emit(QUrl(f"image:{turn.images[0].sha256}"))
    data, caption = opened.args
    assert data == pictures["page1.png"].read_bytes() and "did not see this image" in caption


@pytest.mark.slow
def test_with_a_projector_the_model_sees_the_images(
    qtbot: QtBot,
    window: MainWindow,
    backend: FakeBackend,
    store: Store,
    pictures: dict[str, Path],
    tmp_path: Path,
) -> None:
    projector = tmp_path / "mmproj-tiny.gguf"
    projector.write_bytes(b"GGUF" + bytes(40))
    with qtbot.waitSignal(window.controller.model_changed, timeout=5000) as changed:
        window.controller.set_projector(str(projector))
    assert changed.args[0].loaded.has_vision and "vision" in window.status.model.text()
    window.composer.add_images([str(pictures["page2.jpg"])])
    assert window.composer.hint.text() != NO_VISION_HINT
    window.composer.editor.setPlainText("What colour?")
    backend.enqueue(["[THINK]green[/THINK]Green."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    turn = store.turn(finished.args[0].id)
    assert turn.images[0].sent_to_model and len(backend.prompts[-1].image_data) == 1
    assert "Not seen by the model" not in window.view.toPlainText()
    from app.services.config import load_config

    assert load_config().projectors, "the projector is remembered for the model"


def test_browser_drag_uses_the_carried_pixels_not_the_url(window: MainWindow) -> None:
    image = QImage(24, 24, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.red)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/figure.png")])
    mime.setImageData(image)
    assert drop(window.view.viewport(), mime)
    assert names(window) == ["pasted-image.png"]
    assert window.composer.problems.text() == ""
