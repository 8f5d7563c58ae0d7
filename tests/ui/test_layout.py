"""The window's layout: readable panes at any width, steady columns, following the newest output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QImage, QTextCursor, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPlainTextEdit, QTextEdit
from pytestqt.qtbot import QtBot

from app.core.types import ConversationSummary, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig
from app.storage.repository import Store
from app.ui.controller import DEMO_HINT
from app.ui.conversation_list import ConversationList, TitleAndDateDelegate
from app.ui.main_window import MainWindow
from app.ui.models_dialog import COLUMNS, ModelsDialog
from app.ui.pane_layout import CONVERSATION_WIDTH, LIST_WIDTH, REASONING_WIDTH, START_WIDTHS, PaneLayout
from app.ui.review_view import ReviewView
from tests.fixtures.window import send


def reasoning_text(window: MainWindow) -> QPlainTextEdit:
    text = window.reasoning.findChild(QPlainTextEdit, "reasoningText")
    assert text is not None
    return text


def lines(word: str, count: int) -> str:
    return "\n\n".join(f"{word} line {n} of {count}." for n in range(count))


def run_turn(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, prompt: str, chunks: list[str], **options
):
    """Send ``prompt`` and wait for the scripted turn to be recorded."""
    backend.enqueue(chunks, **options)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, prompt)
    return finished.args[0]


def in_view(area: QTextEdit | QPlainTextEdit, text: str) -> bool:
    """Whether ``text`` is drawn inside the pane's viewport now."""
    found = area.document().find(text)
    assert not found.isNull(), f"{text!r} is not in the pane at all"
    return area.viewport().rect().contains(area.cursorRect(found))


def wheel_up(area: QAbstractScrollArea, steps: int) -> None:
    """The reader turns the mouse wheel up by ``steps`` notches over the pane."""
    viewport = area.viewport()
    centre = QPointF(viewport.rect().center())
    event = QWheelEvent(
        centre,
        viewport.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


@pytest.fixture
def shown(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.resize(1360, 820)
    window.show()
    qtbot.waitExposed(window)
    return window


# -- following the newest output ----------------------------------------------------------------


def test_new_answer_after_a_failed_turn_is_in_view_when_it_finishes(
    qtbot: QtBot, shown: MainWindow, backend: FakeBackend
) -> None:
    window = shown
    run_turn(qtbot, window, backend, "first", ["[THINK]t[/THINK]", lines("Early", 40)])
    failed = run_turn(
        qtbot,
        window,
        backend,
        "second",
        ["[THINK]x", "y", "z[/THINK]", "a"],
        fail_with=RuntimeError("decode failed"),
    )
    assert failed.error
    run_turn(qtbot, window, backend, "third", ["[THINK]t[/THINK]", lines("Newest", 30)])
    bar = window.view.verticalScrollBar()
    assert bar.maximum() > 0, "the conversation is longer than the view"
    assert bar.value() == bar.maximum()
    assert in_view(window.view, "Newest line 29 of 30.")
    assert not in_view(window.view, "Early line 39 of 40.")


def test_view_and_reasoning_follow_live_output_to_the_end(
    qtbot: QtBot, shown: MainWindow, backend: FakeBackend
) -> None:
    window = shown
    run_turn(qtbot, window, backend, "first", ["[THINK]t[/THINK]", lines("Early", 40)])
    chunks = ["[THINK]", lines("Thought", 60), "[/THINK]", lines("Answer", 30), lines("More", 30)]
    script = backend.enqueue(chunks, hold_after=4)
    send(qtbot, window, "second")
    trace = reasoning_text(window)
    qtbot.waitUntil(lambda: "Answer line 29" in window.view.toPlainText(), timeout=5000)
    for area in (window.view, trace):
        bar = area.verticalScrollBar()
        assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert in_view(trace, "Thought line 59 of 60.")
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    bar = window.view.verticalScrollBar()
    assert bar.value() == bar.maximum()
    assert in_view(window.view, "More line 29 of 30.")


def test_a_reader_who_scrolled_up_stays_where_they_went(
    qtbot: QtBot, shown: MainWindow, backend: FakeBackend
) -> None:
    window = shown
    run_turn(qtbot, window, backend, "first", ["[THINK]t[/THINK]", lines("Early", 40)])
    trace = reasoning_text(window)
    chunks = [
        "[THINK]",
        lines("Thought", 60),
        lines("Later", 20),
        "[/THINK]",
        lines("Answer", 30),
        lines("More", 30),
    ]
    script = backend.enqueue(chunks, hold_after=2)
    send(qtbot, window, "second")
    qtbot.waitUntil(lambda: "Thought line 59" in window.reasoning.text(), timeout=5000)
    # The reader scrolls back up in both panes, with the mouse wheel.
    places = {}
    for area in (window.view, trace):
        bar = area.verticalScrollBar()
        end = bar.value()
        wheel_up(area, 4)
        assert 0 < bar.value() < end, "scrolled up, not to the top"
        places[area.objectName()] = bar.value()
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    assert "Later line 19" in window.reasoning.text() and "More line 29" in window.view.toPlainText()
    for area in (window.view, trace):
        bar = area.verticalScrollBar()
        assert bar.value() == places[area.objectName()], (
            f"{area.objectName()} moved away from where the reader went"
        )
        assert bar.value() < bar.maximum()
    assert not in_view(window.view, "More line 29 of 30.") and not in_view(trace, "Later line 19 of 20.")
    # Back at the end, the reader follows again: the next turn is in view as it streams.


# -- the panes at any width ---------------------------------------------------------------------

PANES = (PaneLayout.LIST, PaneLayout.CONVERSATION, PaneLayout.REASONING)


def long_status(window: MainWindow) -> None:
    """The longest lines the window shows on its own: a demo model's hint and a full status bar."""
    window.composer.set_can_send(True, DEMO_HINT)
    window.status.model.setText("DEMO MODEL · SmolLM2-135M-Instruct-Q8_0 · not a reasoning model")
    window.status.speed.setText("about 12,345 tokens (10,000 reasoning · 2,345 answer) · 123.4 tok/s")
    window.status.integrity.setText("✓ Record verified 09:00 · 12,345 entries")
    window.status.hash.setText("✓ Model SHA-256 verified")
    window.status.set_state(
        "Failed (RuntimeError: decode failed: the KV cache is full, try a shorter prompt)"
    )


def resized(qtbot: QtBot, window: MainWindow, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size() == QSize(width, height), timeout=2000)


def on_screen(window: MainWindow) -> list[int]:
    panes = (window.conversations, window.centre, window.reasoning)
    return [index for index, pane in zip(PANES, panes, strict=True) if pane.isVisible()]


def test_at_800_by_600_the_panes_go_under_tabs_and_the_keyboard_switches_them(
    qtbot: QtBot, shown: MainWindow
) -> None:
    window = shown
    long_status(window)
    assert window.minimumSizeHint().width() <= 800 and window.minimumWidth() <= 800
    resized(qtbot, window, 800, 600)
    layout = window.pane_layout
    assert not layout.side_by_side and layout.tabs.isVisible()
    assert on_screen(window) == [PaneLayout.CONVERSATION], "one pane at a time, the conversation first"
    window.activateWindow()
    qtbot.waitActive(window)
    keys = {
        PaneLayout.LIST: Qt.Key.Key_1,
        PaneLayout.CONVERSATION: Qt.Key.Key_2,
        PaneLayout.REASONING: Qt.Key.Key_3,
    }
    focused = {
        PaneLayout.LIST: window.conversations.list,
        PaneLayout.CONVERSATION: window.view,
        PaneLayout.REASONING: reasoning_text(window),
    }
    for index in (PaneLayout.REASONING, PaneLayout.LIST, PaneLayout.CONVERSATION, PaneLayout.REASONING):
        qtbot.keyClick(window, keys[index], Qt.KeyboardModifier.ControlModifier)
        assert layout.tabs.currentIndex() == index
        assert on_screen(window) == [index]
        assert QApplication.focusWidget() is focused[index]
    assert window.reasoning.width() >= 760, "the reasoning has the whole width"
    # The tab bar is a keyboard target of its own too.
    layout.tabs.setFocus()
    qtbot.keyClick(layout.tabs, Qt.Key.Key_Left)
    assert on_screen(window) == [PaneLayout.CONVERSATION]


@pytest.mark.parametrize("width", [800, 986, 1024, 1366, 1920])
def test_the_reasoning_is_never_squeezed(qtbot: QtBot, shown: MainWindow, width: int) -> None:
    window = shown
    long_status(window)
    resized(qtbot, window, width, 700)
    window.show_pane(PaneLayout.REASONING)
    assert window.reasoning.isVisible()
    assert window.reasoning.width() >= REASONING_WIDTH
    if window.pane_layout.side_by_side:
        assert on_screen(window) == list(PANES)
        assert window.conversations.width() >= LIST_WIDTH and window.centre.width() >= CONVERSATION_WIDTH
    else:
        assert width < LIST_WIDTH + CONVERSATION_WIDTH + REASONING_WIDTH + 2 * window.splitter.handleWidth()


def test_picking_a_conversation_or_a_trace_in_a_narrow_window_shows_it(
    qtbot: QtBot, shown: MainWindow, backend: FakeBackend
) -> None:
    window = shown
    turn = run_turn(qtbot, window, backend, "first", ["[THINK]thinking[/THINK]", "answer"])
    resized(qtbot, window, 800, 600)
    window.show_pane(PaneLayout.LIST)
    assert on_screen(window) == [PaneLayout.LIST]
    window.conversations.select(turn.conversation_id)
    assert on_screen(window) == [PaneLayout.CONVERSATION]
    window.view.turn_selected.emit(turn.id)  # the reader follows the turn's "Reasoning" link
    assert on_screen(window) == [PaneLayout.REASONING]
    assert window.reasoning.text() == "thinking"


def test_wide_again_the_columns_come_back_as_they_were(qtbot: QtBot, shown: MainWindow) -> None:
    window = shown
    before = window.splitter.sizes()
    assert all(before)
    resized(qtbot, window, 800, 600)
    window.show_pane(PaneLayout.REASONING)
    resized(qtbot, window, 1360, 820)
    assert window.pane_layout.side_by_side and not window.pane_layout.tabs.isVisible()
    assert on_screen(window) == list(PANES)
    assert window.splitter.sizes() == before


def test_hiding_the_list_keeps_two_columns_side_by_side_at_800(qtbot: QtBot, shown: MainWindow) -> None:
    window = shown
    resized(qtbot, window, 800, 600)
    assert not window.pane_layout.side_by_side
    window.list_column_action.trigger()  # View ▸ Show the list beside the conversation: off
    assert window.pane_layout.side_by_side
    assert on_screen(window) == [PaneLayout.CONVERSATION, PaneLayout.REASONING]
    assert window.reasoning.width() >= REASONING_WIDTH
    window.show_pane(PaneLayout.LIST)  # Ctrl+1 brings the list back (and the tabs, at this width)
    assert window.list_column_action.isChecked() and not window.pane_layout.side_by_side
    assert on_screen(window) == [PaneLayout.LIST]


def test_a_hidden_list_stays_hidden_in_the_next_session(
    qtbot: QtBot, window_factory: Callable[..., MainWindow]
) -> None:
    first = window_factory()
    first.show()
    qtbot.waitExposed(first)
    first.list_column_action.trigger()
    assert on_screen(first) == [PaneLayout.CONVERSATION, PaneLayout.REASONING]
    first.close()
    second = window_factory()
    second.show()
    qtbot.waitExposed(second)
    assert not second.list_column_action.isChecked()
    assert on_screen(second) == [PaneLayout.CONVERSATION, PaneLayout.REASONING]


# -- steady, remembered columns -----------------------------------------------------------------


def drag_handle(qtbot: QtBot, window: MainWindow, handle_index: int, by: int) -> None:
    """Drag the splitter handle before column ``handle_index`` by ``by`` pixels with the mouse."""
    handle = window.splitter.handle(handle_index)
    centre = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseMove(handle, QPoint(centre.x() + by, centre.y()))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=QPoint(centre.x() + by, centre.y()))


def test_column_widths_hold_still_when_images_come_and_go(
    qtbot: QtBot, shown: MainWindow, tmp_path: Path
) -> None:
    window = shown
    window.composer.set_model_sees_images(False)  # with the images, a long hint appears too
    columns, centre = window.splitter.sizes(), window.centre.sizes()
    paths = []
    for n in range(12):  # a strip far wider than the conversation column
        path = tmp_path / f"page{n}.png"
        Image.new("RGB", (800, 600), (20 * n, 90, 160)).save(path)
        paths.append(str(path))
    window.composer.add_images(paths)
    qtbot.waitUntil(lambda: window.composer.attachments.isVisible(), timeout=2000)
    QApplication.processEvents()
    assert window.splitter.sizes() == columns
    assert window.size() == QSize(1360, 820)
    for _ in paths:
        qtbot.mouseClick(window.composer.attachments.buttons()[0], Qt.MouseButton.LeftButton)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # the old tiles go
    QApplication.processEvents()
    assert not window.composer.attachments.images()
    assert not window.composer.attachments.isVisible()
    assert window.splitter.sizes() == columns
    assert window.centre.sizes() == centre, "the prompt box gives back the room the strip took"


def test_column_widths_survive_closing_and_reopening(
    qtbot: QtBot, window_factory: Callable[..., MainWindow]
) -> None:
    first = window_factory()
    first.resize(1360, 820)
    first.show()
    qtbot.waitExposed(first)
    before = first.splitter.sizes()
    drag_handle(qtbot, first, 2, -150)  # a wider reasoning pane
    widths = first.splitter.sizes()
    assert widths != before and widths[2] > before[2]
    resized(qtbot, first, 800, 600)  # closed while narrow: the columns it had wide are kept
    first.close()
    second = window_factory()
    second.show()
    qtbot.waitExposed(second)
    assert second.width() <= 800 and not second.pane_layout.side_by_side, "reopened as it was closed"
    assert second.pane_layout.widths() == widths
    resized(qtbot, second, 1360, 820)
    shown = second.splitter.sizes()
    # The same columns; a frameless offscreen window may restore a few pixels apart.
    assert shown[0] == widths[0] and all(abs(a - b) <= 8 for a, b in zip(shown, widths, strict=True))


# -- the conversation list: a right-to-left title keeps its date line ---------------------------


def test_a_right_to_left_title_keeps_its_date_line(qtbot: QtBot) -> None:
    titles = [
        "Lease review",
        "مراجعة العقد",
        "مراجعة العقد: هل البند الرابع ملزم للطرفين بعد انتهاء الإيجار؟",  # wraps at the list's width
        "סקירת החוזה",
    ]
    summaries = [
        ConversationSummary(n, title, "2026-12-07T09:30:00Z", 2, TurnStatus.COMPLETED)
        for n, title in enumerate(titles, start=1)
    ]
    pane = ConversationList()
    qtbot.addWidget(pane)
    pane.set_conversations(summaries, None)
    pane.resize(START_WIDTHS[0], 500)  # the date line on one line, the long title on two
    pane.show()
    qtbot.waitExposed(pane)
    items = pane.list
    spacing = items.fontMetrics().lineSpacing()
    picture = items.viewport().grab().toImage()

    def date_line(row: int) -> QImage:
        """The pixels of the item's last line: where its date line is drawn."""
        rect = items.visualItemRect(items.item(row))
        assert items.viewport().rect().contains(rect), "the whole item is in view"
        bottom = rect.bottom() - TitleAndDateDelegate.PADDING
        return picture.copy(QRect(rect.left(), bottom - spacing + 1, rect.width(), spacing))

    english = date_line(0)
    assert len({english.pixel(x, y) for x in range(english.width()) for y in range(english.height())}) > 2, (
        "the date line is drawn"
    )
    for row in (1, 2, 3):
        assert date_line(row) == english, f"{titles[row]!r}: its date line as every other item's"
    wrapped = items.visualItemRect(items.item(2)).height()
    assert wrapped >= 3 * spacing, "a title wrapped to two lines, and the date line below it"
    # The item still says all of it to a screen reader and to the tests: title, then date line.
    assert items.item(1).text().startswith("مراجعة العقد\n2026-12-07")


# -- models: the hash readable without scrolling sideways, "none" for no projector ---------------


@pytest.mark.slow  # the demo model is inspected and hashed in full
def test_the_models_dialog_shows_the_whole_hash_without_sideways_scrolling(qtbot: QtBot) -> None:
    dialog = ModelsDialog(AppConfig())  # the library: the demo model
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.entries) and dialog.entries[0].info is not None, timeout=60000)
    entry = dialog.entries[0]
    assert entry.info is not None and entry.info.sha256 and not entry.info.projector
    projector = dialog.table.item(0, COLUMNS.index("Vision projector")).text()
    assert projector == "none"
    dialog.table.selectRow(0)
    for width in (1100, 760):
        dialog.resize(width, 420)
        qtbot.waitUntil(lambda width=width: dialog.width() == width, timeout=2000)
        QApplication.processEvents()
        detail = dialog.detail
        assert detail.isVisible()
        assert entry.info.sha256 in detail.toPlainText() and entry.path in detail.toPlainText()
        assert "Vision projector: none" in detail.toPlainText()
        assert detail.horizontalScrollBar().maximum() == 0 and detail.verticalScrollBar().maximum() == 0, (
            "all of it in view"
        )
        hashed = detail.document().find(entry.info.sha256)
        start, end = QTextCursor(hashed), QTextCursor(hashed)
        start.setPosition(hashed.selectionStart())
        end.setPosition(hashed.selectionEnd())
        assert detail.viewport().rect().contains(detail.cursorRect(start))
        assert detail.viewport().rect().contains(detail.cursorRect(end))
    dialog.resize(1100, 420)
    qtbot.waitUntil(lambda: dialog.width() == 1100, timeout=2000)
    assert dialog.table.horizontalScrollBar().maximum() == 0, "the table fits: no sideways scrolling"
    dialog.close()


# -- an answer is labelled as its reasoning is -------------------------------------------------


def test_the_review_labels_the_answer_as_it_labels_the_reasoning(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    first = run_turn(
        qtbot, window, backend, "Is clause 4 binding?", ["[THINK]Clause 4 names both.[/THINK]", "Yes."]
    )
    run_turn(qtbot, window, backend, "And clause 5?", ["No reasoning, only this answer."])
    review = ReviewView()
    qtbot.addWidget(review)
    review.show_review(store.conversation(first.conversation_id))
    blocks = []
    block = review.document().begin()
    while block.isValid():
        if block.text().strip():
            blocks.append(block)
        block = block.next()
    texts = [block.text().strip() for block in blocks]
    labels = [n for n, text in enumerate(texts) if text in ("REASONING", "ANSWER")]
    assert [texts[n] for n in labels] == ["REASONING", "ANSWER", "ANSWER"]
    reasoning, answer, second = labels
    assert texts[reasoning + 1] == "Clause 4 names both." and texts[answer + 1] == "Yes."
    assert texts[second + 1] == "No reasoning, only this answer."
    # The same look: the label style the reasoning's has.
    look = {
        (blocks[n].charFormat().fontWeight(), blocks[n].begin().fragment().charFormat().fontPointSize())
        for n in labels
    }
    assert len(look) == 1


# -- 200% scaling -----------------------------------------------------------------------------


def test_at_200_percent_a_1600_by_1200_screen_gets_the_800_by_600_layout(tmp_path: Path) -> None:
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "hidpi", "x": 0, "y": 0, "width": 1600, "height": 1200, "dpr": 1}]})
    )
    environment = {
        **os.environ,
        "QT_SCALE_FACTOR": "2",
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
    }
    subprocess.run(
        [sys.executable, "-m", "tests.fixtures.scaled_window", str(tmp_path)],
        env=environment,
        cwd=Path(__file__).parents[2],
        check=True,
        timeout=60,
    )
    seen = json.loads((tmp_path / "layout.json").read_text())
    assert seen["scale"] == 2 and seen["screen"] == [800, 600], "a 1600x1200 screen at 200%: 800x600 logical"
    assert seen["window"] == [800, 600] and seen["picture"] == [1600, 1200], "drawn at full resolution"
    assert seen["minimum_width"] <= 800
    assert not seen["side_by_side"], "three columns do not fit 800 logical pixels: tabs"
    assert seen["reasoning_width"] >= 760
