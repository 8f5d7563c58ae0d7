"""The injection corpus through the real window, review view and session browser.

Every hostile text is a prompt, a reasoning trace, an answer and the conversation's title at
once. What Qt built from it is checked in its own terms: no link but the app's own
(``turn:``, ``annotate:``, ``tokens:``, ``reproduce:``, ``image:``), no image but its own
thumbnails, nothing fetched, and the hostile text still readable as text.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from app.services.signing import installation_key
from app.storage.repository import Store
from app.ui.conversation_view import ConversationView, text_fragments
from app.ui.session_browser import SessionBrowser, hit_html
from tests.fixtures.injection import HOSTILE, HUGE_LINE_CHARS
from tests.fixtures.records import long_conversation

pytestmark = pytest.mark.slow

INTERNAL_LINK = re.compile(r"(turn|annotate|tokens|reproduce):\d+|image:[0-9a-f]{64}")
INTERNAL_IMAGE = re.compile(r"thumb:[0-9a-f]{64}")


def document_problems(document: QTextDocument) -> list[str]:
    """Every link or image in ``document`` that is not the app's own."""
    problems = []
    for fragment in text_fragments(document):
        style = fragment.charFormat()
        if style.isAnchor() and not INTERNAL_LINK.fullmatch(style.anchorHref()):
            problems.append(f"link {style.anchorHref()!r} on {fragment.text()[:40]!r}")
        if style.isImageFormat() and not INTERNAL_IMAGE.fullmatch(style.toImageFormat().name()):
            problems.append(f"image {style.toImageFormat().name()!r}")
    return problems


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def hostile_record(store: Store) -> int:
    texts = [entry.text for entry in HOSTILE]
    return long_conversation(
        store, len(texts), texts, image_every=0, annotate_every=1, title=texts[0], key=installation_key()
    )


class RecordingView(ConversationView):
    """The real conversation view, noting whatever its document asks it to load."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        self.asked.append(name.toString() if isinstance(name, QUrl) else str(name))
        return super().loadResource(kind, name)


def test_hostile_output_is_inert_in_the_conversation_view(qtbot: QtBot, store: Store) -> None:
    conversation = store.conversation(hostile_record(store))
    view = RecordingView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.show_conversation(conversation, conversation.turns[0].id)
    qtbot.waitExposed(view)

    assert document_problems(view.document()) == []
    assert view.asked == [], "the view asked to load something"
    shown = squashed(view.toPlainText())
    for entry in HOSTILE:
        for visible in entry.visible:
            # The window shows a bidi control as its escape (\u202e); reports show <U+202E>.
            visible = re.sub(r"<U\+([0-9A-F]{4})>", lambda m: "\\u" + m.group(1).lower(), visible)
            assert squashed(visible) in shown, f"{entry.name}: {visible!r} is not readable"
    # The live path (plain text appended while streaming) is as inert as the rendered one.
    live = conversation.turns[-1]
    view.begin_live(conversation, live, live.answer)
    assert document_problems(view.document()) == [] and view.asked == []


def test_hostile_output_is_inert_in_the_window_panes(qtbot: QtBot, window_factory, store: Store) -> None:
    conversation_id = hostile_record(store)
    window = window_factory()
    window.controller.select_conversation(conversation_id)
    conversation = store.conversation(conversation_id)
    panes = window.controller.panes
    assert document_problems(panes.view.document()) == []
    titles = [panes.conversations.list.item(n).text() for n in range(panes.conversations.list.count())]
    assert any(HOSTILE[0].text in title for title in titles), titles  # shown as text, not markup
    for turn in conversation.turns:
        window.controller.select_turn(turn.id)
        shown = panes.reasoning.text()
        assert turn.reasoning[:200] in shown or len(turn.reasoning) > HUGE_LINE_CHARS


def test_hostile_output_is_inert_in_the_session_browser_and_review(qtbot: QtBot, store: Store) -> None:
    conversation_id = hostile_record(store)
    browser = SessionBrowser(store)
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitExposed(browser)
    with qtbot.waitSignal(browser.results_shown, timeout=10000):
        browser.query.setText("alert(1)")
        browser.run_search()
    assert browser.hits.count() > 0
    for row in range(browser.hits.count()):
        hit = browser.hits.item(row).data(Qt.ItemDataRole.UserRole)
        drawn = QTextDocument()
        drawn.setHtml(hit_html(hit))
        assert document_problems(drawn) == [], hit.snippet
        assert "alert(1)" in drawn.toPlainText()  # the match is shown, as text
    with qtbot.waitSignal(browser.conversation_opened, timeout=10000):
        browser.hits.itemActivated.emit(browser.hits.item(0))
    review = browser.review
    assert review.isReadOnly()
    assert document_problems(review.document()) == []
    assert not [href for href in _hrefs(review.document()) if not href.startswith("turn:")]
    shown = squashed(review.toPlainText())
    conversation = store.conversation(conversation_id)
    assert squashed(HOSTILE[0].visible[0]) in shown
    assert len(conversation.turns) == len(HOSTILE)


def _hrefs(document: QTextDocument) -> list[str]:
    return [f.charFormat().anchorHref() for f in text_fragments(document) if f.charFormat().isAnchor()]
