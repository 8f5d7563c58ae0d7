"""The Sessions window over a real record: search as you type, filters, review view, export request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.core.types import (
    MATCH_END,
    MATCH_START,
    Flag,
    Meaning,
    ModelFile,
    ReviewState,
    SearchField,
    SessionFilter,
)
from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.attachments import ImageViewer
from app.ui.main_window import MainWindow
from app.ui.session_browser import HIGHLIGHT, SessionBrowser, scope_label, snippet_html
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.search_records import MAGISTRAL, QWEN, run_turn
from tests.fixtures.signers import sign

FILLER = "The parties negotiated at length over many weeks. " * 12


@pytest.fixture
def record(store: Store) -> dict[str, object]:
    """A long six-turn matter (signed), a flagged Qwen matter with an image, an untouched one."""
    turns = []
    conversation = None
    for index in range(6):
        reasoning = FILLER + ("The indemnity CARVE-OUT survives termination. " if index == 4 else "") + FILLER
        turn = run_turn(
            store,
            conversation,
            f"Question {index + 1}" + (": is the carve-out valid?" if index == 0 else ""),
            reasoning,
            f"Answer {index + 1}.\n\n" + FILLER,
            title="Master services <script>alert(1)</script>",
        )
        conversation = turn.conversation_id
        turns.append(turn)
    sign(store, turns[0].conversation_id, Meaning.APPROVED, "Sound.", name="Dr. R", key=TEST_KEY)
    flagged = run_turn(
        store,
        None,
        "Liability cap?",
        "Caps bind; the carve-out for fraud remains.",
        "Yes.",
        title="Cap",
        model=QWEN,
    )
    store.annotate(flagged.id, Flag.CONCERN, "Check the carve-out wording", "Dr. R")
    run_turn(store, None, "Governing law?", "English law applies.", "English law.", title="Law", images=1)
    summaries = {s.title: s.id for s in store.list_conversations()}
    return {
        "turns": turns,
        "long": turns[0].conversation_id,
        "cap": summaries["Cap"],
        "law": summaries["Law"],
        "flagged_turn": flagged,
    }


@pytest.fixture
def browser(qtbot: QtBot, store: Store) -> SessionBrowser:
    opened = SessionBrowser(store)
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitExposed(opened)
    with qtbot.waitSignal(opened.results_shown, timeout=5000):
        opened.refresh()
    return opened


def rows(browser: SessionBrowser) -> list[int]:
    return browser.result_ids()


@pytest.mark.slow
def test_typing_searches_once_after_a_pause_and_shows_escaped_highlighted_hits(
    qtbot: QtBot, record: dict[str, object], browser: SessionBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sorted(rows(browser)) == sorted([record["long"], record["cap"], record["law"]])
    searched: list[str] = []
    matching = browser.store.conversations_matching

    def noted(text: str) -> object:
        searched.append(text)
        return matching(text)

    monkeypatch.setattr(browser.store, "conversations_matching", noted)
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        qtbot.keyClicks(browser.query, "carve-out")
    assert searched == ["carve-out"], "one search for the whole word, not one per key"
    assert rows(browser) == [record["cap"], record["long"]]
    hits = [browser.hits.item(n).data(Qt.ItemDataRole.UserRole) for n in range(browser.hits.count())]
    assert [(h.conversation_id, h.field, h.turn_index) for h in hits] == [
        (record["cap"], SearchField.REASONING, 0),
        (record["cap"], SearchField.ANNOTATION, 0),
        (record["long"], SearchField.PROMPT, 0),
        (record["long"], SearchField.REASONING, 4),
    ]
    shown = browser.hits.item(3).data(Qt.ItemDataRole.UserRole + 1)
    assert "Master services &lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>" not in shown
    assert f"{HIGHLIGHT}CARVE-OUT</span>" in shown and "turn 5 · reasoning" in shown
    assert "2 conversations · 4 matches" in browser.summary.text()
    assert browser.export_results.isEnabled() and not browser.export_selected.isEnabled()


def test_opening_a_hit_shows_its_turn_read_only_scrolled_to_the_highlighted_match(
    qtbot: QtBot, record: dict[str, object], browser: SessionBrowser
) -> None:
    browser.resize(1100, 600)
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.query.setText("carve-out")
        browser.run_search()
    item = next(
        browser.hits.item(n)
        for n in range(browser.hits.count())
        if browser.hits.item(n).data(Qt.ItemDataRole.UserRole).turn_index == 4
    )
    with qtbot.waitSignal(browser.conversation_opened, timeout=5000) as opened:
        browser.hits.itemActivated.emit(item)
    assert opened.args == [record["long"]]
    review = browser.review
    turn = record["turns"][4]  # type: ignore[index]
    start, end = review.sections[(turn.id, SearchField.REASONING)]
    match = review.current_match
    assert match is not None and match.selectedText() == "CARVE-OUT"
    assert start <= match.selectionStart() < match.selectionEnd() <= end, "the match in turn 5's reasoning"
    assert review.match_count == 2 and len(review.extraSelections()) == 2
    assert review.verticalScrollBar().value() > 0, "scrolled down to the fifth turn"
    cursor_rect = review.cursorRect()
    assert review.viewport().rect().contains(cursor_rect.center()), "the match is on screen"
    text = review.toPlainText()
    assert "The indemnity CARVE-OUT survives termination." in text, "reasoning is shown for review"
    assert "APPROVED — signed by Dr. R, Reviewer" in text and "read-only review" in text
    assert f"Model {MAGISTRAL.path}: SHA-256 {MAGISTRAL.sha256} — not verified at load" in text
    assert review.isReadOnly() and "annotate:" not in review.toHtml() and not review.acceptDrops()

    first = browser.hits.item(2)  # the prompt of turn 1, same conversation: no new layout needed
    browser.hits.itemActivated.emit(first)
    assert review.current_match is not None
    assert (
        review.sections[(record["turns"][0].id, SearchField.PROMPT)][0]
        <= review.current_match.selectionStart()
    )  # type: ignore[index]
    assert review.verticalScrollBar().value() < review.verticalScrollBar().maximum()


def test_clicking_a_row_opens_that_conversation_and_its_images(
    qtbot: QtBot, record: dict[str, object], browser: SessionBrowser, store: Store
) -> None:
    assert "Open a conversation or a search hit" in browser.review.toPlainText()
    row = rows(browser).index(record["law"])  # type: ignore[arg-type]
    index = browser.table_model.index(row, 1)
    with qtbot.waitSignal(browser.conversation_opened, timeout=5000) as opened:
        qtbot.mouseClick(
            browser.table.viewport(), Qt.MouseButton.LeftButton, pos=browser.table.visualRect(index).center()
        )
    assert opened.args == [record["law"]]
    assert "English law applies." in browser.review.toPlainText()
    assert browser.review.current_match is None and browser.review.verticalScrollBar().value() == 0
    [image] = store.conversation(record["law"]).turns[0].images  # type: ignore[arg-type]
    assert f'src="thumb:{image.sha256}"' in browser.review.toHtml()
    browser.review.anchorClicked.emit(QUrl(f"image:{image.sha256}"))
    [viewer] = browser.findChildren(ImageViewer)
    assert viewer.isVisible() and any(image.sha256 in label.text() for label in viewer.findChildren(QLabel))


def test_each_filter_narrows_the_table(
    qtbot: QtBot, record: dict[str, object], browser: SessionBrowser
) -> None:
    def apply(change) -> list[int]:  # type: ignore[no-untyped-def]
        with qtbot.waitSignal(browser.results_shown, timeout=5000):
            change()
        return rows(browser)

    everything = {record["long"], record["cap"], record["law"]}
    state = browser.review_state
    assert apply(lambda: state.setCurrentIndex(state.findData(str(ReviewState.SIGNED)))) == [record["long"]]
    assert apply(lambda: state.setCurrentIndex(state.findData(str(ReviewState.ANNOTATED)))) == [record["cap"]]
    assert set(apply(lambda: state.setCurrentIndex(0))) == everything
    assert apply(lambda: browser.flagged.setChecked(True)) == [record["cap"]]
    assert set(apply(lambda: browser.flagged.setChecked(False))) == everything
    names = [browser.model.itemText(n) for n in range(browser.model.count())]
    assert names == ["Any model", MAGISTRAL.path.rsplit("/", 1)[-1], QWEN.path.rsplit("/", 1)[-1]]
    assert apply(lambda: browser.model.setCurrentIndex(2)) == [record["cap"]]
    assert browser.session_filter().model == QWEN.sha256
    assert set(apply(lambda: browser.model.setCurrentIndex(0))) == everything
    shown = {browser.table_model.index(n, 6).data(): rows(browser)[n] for n in range(3)}
    assert shown["yes"] == record["law"] and len(shown) == 2, "only the matter with an image says so"
    today = datetime.now(UTC).date()  # the record's days are UTC days
    browser.date_from.setDate(QDate(today.year, today.month, today.day).addDays(1))
    assert apply(lambda: browser.use_from.setChecked(True)) == []
    assert browser.session_filter().date_from == today + timedelta(days=1)
    assert (
        set(apply(lambda: browser.date_from.setDate(QDate(today.year, today.month, today.day)))) == everything
    )
    browser.date_to.setDate(QDate(today.year, today.month, today.day).addDays(-1))
    assert apply(lambda: browser.use_to.setChecked(True)) == []


def test_remote_models_are_told_apart_by_address_and_described_in_words(qtbot: QtBot, store: Store) -> None:
    model_a = ModelFile.remote("http://10.0.0.7:8000/v1", "model-a")
    model_b = ModelFile.remote("http://10.0.0.7:8000/v1", "model-b")
    assert model_a.sha256 == model_b.sha256 == "", "no file, so no hash: the address tells them apart"
    old = ModelFile(model_a.path, 0, "remote:" + "5e" * 32)  # how model-a was recorded before
    first = run_turn(store, None, "Q1", "r", "a", title="A", model=model_a)
    run_turn(store, first.conversation_id, "Q2", "r", "a", model=old)
    second = run_turn(store, None, "Q3", "r", "a", title="B", model=model_b)
    browser = SessionBrowser(store)
    qtbot.addWidget(browser)
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.refresh()
    names = [browser.model.itemText(n) for n in range(browser.model.count())]
    assert names == ["Any model", "model-a", "model-b"], "old and new records of model-a are one model"
    tips = [browser.model.itemData(n, Qt.ItemDataRole.ToolTipRole) for n in (1, 2)]
    assert tips == [f"Remote model — no file hash: address {model.path}" for model in (model_a, model_b)]
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.model.setCurrentIndex(2)
    assert rows(browser) == [second.conversation_id] and browser.session_filter().model == model_b.path
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.model.setCurrentIndex(1)
    assert rows(browser) == [first.conversation_id]
    tip = browser.table_model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"Remote model — no file hash: address {model_a.path}", "never SHA-256 remote:…"


def test_columns_sort_by_value(qtbot: QtBot, record: dict[str, object], browser: SessionBrowser) -> None:
    browser.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # turns: 6, 1, 1
    assert rows(browser)[0] == record["long"]
    browser.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # review: signed first
    assert rows(browser)[:2] == [record["long"], record["cap"]]
    browser.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # title: Cap, Law, Master…
    assert rows(browser) == [record["cap"], record["law"], record["long"]]


def test_export_requests_carry_the_chosen_ids_and_a_scope(
    qtbot: QtBot, record: dict[str, object], browser: SessionBrowser
) -> None:
    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.query.setText("carve-out")
        browser.run_search()
    with qtbot.waitSignal(browser.export_requested, timeout=2000) as everything:
        qtbot.mouseClick(browser.export_results, Qt.MouseButton.LeftButton)
    assert everything.args == [[record["cap"], record["long"]], "Search “carve-out”, 2 conversations"]

    selection = browser.table.selectionModel()
    selection.select(
        browser.table_model.index(1, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert browser.export_selected.isEnabled()
    with qtbot.waitSignal(browser.export_requested, timeout=2000) as chosen:
        qtbot.mouseClick(browser.export_selected, Qt.MouseButton.LeftButton)
    assert chosen.args == [[record["long"]], "Search “carve-out”, 1 selected of 2"]


def test_a_stale_search_result_is_dropped(
    qtbot: QtBot, record: dict[str, object], browser: SessionBrowser
) -> None:
    shown: list[str] = []
    browser.results_shown.connect(lambda: shown.append(browser.shown.session_filter.text))  # type: ignore[union-attr]
    browser.query.setText("english")
    browser.run_search()
    browser.query.setText("carve-out")
    browser.run_search()
    browser.wait()
    qtbot.waitUntil(lambda: shown == ["carve-out"], timeout=2000)
    QApplication.processEvents()
    assert shown == ["carve-out"] and rows(browser) == [record["cap"], record["long"]]


def test_snippets_and_scope_labels() -> None:
    snippet = f"…a <b>&amp; {MATCH_START}Cap{MATCH_END} and {MATCH_START}cap{MATCH_END}…"
    assert snippet_html(snippet) == (
        f"…a &lt;b&gt;&amp;amp; {HIGHLIGHT}Cap</span> and {HIGHLIGHT}cap</span>…"
    )
    chosen = SessionFilter(
        date_from=date(2026, 1, 1),
        date_to=date(2026, 3, 31),
        model="1a" * 32,
        review_state=ReviewState.SIGNED,
        flagged_only=True,
        text=" foo ",
    )
    assert scope_label(chosen, 12, "Magistral.gguf") == (
        "Search “foo”, 12 conversations, 2026-01-01–2026-03-31, model Magistral.gguf, signed, flagged"
    )
    assert (
        scope_label(SessionFilter(date_to=date(2026, 3, 31)), 1, selected=1)
        == "1 selected of 1, …–2026-03-31"
    )


@pytest.mark.slow
def test_the_review_menu_opens_the_browser_and_the_list_shows_review_state(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    backend.enqueue(["[THINK]the trace[/THINK]the answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        window.composer.editor.setPlainText("a question about warranties")
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    item = window.conversations.list.item(0)
    assert "✎" not in item.text() and "not reviewed yet" in item.toolTip()
    window.controller.annotate(finished.args[0].id, Flag.ERROR, "wrong")
    item = window.conversations.list.item(0)
    assert item.text().endswith("✎ ⚑") and "annotated · a turn is flagged" in item.toolTip()

    [action] = [a for a in window.menuBar().actions() if a.text() == "Re&view"]
    [browse] = [a for a in action.menu().actions() if a.text() == "&Browse sessions…"]
    assert browse.shortcut() == QKeySequence("Ctrl+Shift+F")
    browse.trigger()
    sessions = window.session_browser
    assert sessions is not None
    qtbot.waitUntil(lambda: sessions.shown is not None, timeout=5000)
    assert sessions.isVisible() and rows(sessions) == [finished.args[0].conversation_id]
    with qtbot.waitSignal(sessions.results_shown, timeout=5000):
        qtbot.keyClicks(sessions.query, "warrant")
    hits = [sessions.hits.item(n).data(Qt.ItemDataRole.UserRole) for n in range(sessions.hits.count())]
    assert [hit.field for hit in hits] == [SearchField.TITLE, SearchField.PROMPT]
    sessions.close()
    assert window.open_session_browser() is sessions and sessions.isVisible(), "one per main window"
    sessions.wait()

    # While it is open, the Sessions window follows the record: a new turn and a sign-off.
    with qtbot.waitSignal(sessions.results_shown, timeout=5000):
        sessions.query.clear()
    window.controller.new_conversation()
    backend.enqueue(["[THINK]more[/THINK]a second matter"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as second:
        window.composer.editor.setPlainText("a second matter entirely")
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rows(sessions)) == 2, timeout=5000)
    assert second.args[0].conversation_id in rows(sessions)
    # Signed as the sign-off dialog signs (the services), then shown by the window as after it.
    signed = sign(
        store,
        second.args[0].conversation_id,
        Meaning.APPROVED,
        "Checked.",
        key=window.controller.signing_key(),
    )
    window.controller.show_signed(signed)
    qtbot.waitUntil(
        lambda: (
            sessions.shown is not None
            and any(s.review_state == ReviewState.SIGNED for s in sessions.shown.conversations)
        ),
        timeout=5000,
    )
    sessions.wait()
