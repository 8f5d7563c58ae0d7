r"""Control and bidi characters from the record, through the real window: shown, never obeyed.

A prompt, a reasoning trace and an answer hold terminal controls (``ESC ] 0 ; … BEL`` retitles a
terminal, ``ESC [ 2 J`` clears it, ``CSI`` is its C1 form) and bidi controls (U+202E makes
"invoice ‮fdp.exe" read "invoice exe.pdf"; U+2066 starts an isolate). Every pane that shows record
text shows each of them as its escape (``\x1b``, ``\u202e``), set apart in the escape style, while
the record keeps the characters exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextBlock, QTextDocument
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from app.core.images import check_image
from app.core.types import Flag
from app.render.html import ESCAPE_BACKGROUND, ESCAPE_COLOUR, ESCAPE_STYLE, markdown_to_html, plain_to_html
from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.attachments import AttachmentStrip, ImageViewer
from app.ui.conversation_view import text_fragments
from app.ui.main_window import MainWindow
from tests.fixtures.injection import HOSTILE as HOSTILE_CORPUS
from tests.fixtures.injection import Hostile, markup_problems
from tests.fixtures.languages import LANGUAGES
from tests.fixtures.records import png
from tests.fixtures.window import reasoning_document, send

# Every character the window must never pass on raw (tab, line breaks and CR are text).
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = "retitle \x1b]0;PWNED\x07 clear \x1b[2J csi \x9b2J invoice \u202efdp.exe isolate \u2066hid\u2069"
# What a reader sees instead: the terminal's escapes, in order, nothing reordered.
SHOWN = r"retitle \x1b]0;PWNED\x07 clear \x1b[2J csi \x9b2J invoice \u202efdp.exe isolate \u2066hid\u2069"
PROMPT = f"Prompt {HOSTILE}\nsecond line"
REASONING = f"Reasoning {HOSTILE}."
# A backslash escape typed as text (an answer about terminals) is ordinary text: kept as written.
TYPED = r"print('\x1b[31m')"
ARABIC = "يجب مراجعة هذا العقد بعناية."
# Line breaks, a tab, emoji, LaTeX and backslashes: none of it is a control character.
ORDINARY = (
    "Line one\r\nline two\twith a tab 😀 👩‍👩‍👧 — $\\frac{1}{2}$ and \\(x^2\\), C:\\x\\u12, "
    '`printf("\\x1b[0m\\u00e9")` \\alpha\n\n| a | b |\n|---|---|\n| 1 | 2 |'
)
ANSWER = f"**Answer** {HOSTILE}.\n\nTyped, not a control: `{TYPED}`."
NOTE = f"Note {HOSTILE}"
AUTHOR, AUTHOR_SHOWN = "Dr. \x1b[31mRed\u202e", r"Dr. \x1b[31mRed\u202e"


def answered(qtbot: QtBot, window: MainWindow, backend: FakeBackend) -> int:
    """Send the hostile prompt; the reply streams in pieces that split the controls' neighbours."""
    backend.enqueue(["[THINK]", *_pieces(REASONING), "[/THINK]", *_pieces(ANSWER)])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, PROMPT)
    return int(finished.args[0].id)


def _pieces(text: str, size: int = 5) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def assert_escaped(shown: str, where: str) -> None:
    assert not RAW.search(shown), f"{where} shows a raw control: {RAW.findall(shown)!r}"
    assert SHOWN in shown, f"{where} does not show the escapes: {shown!r}"


def escape_fragments(document: QTextDocument) -> list[str]:
    """The text drawn in the escape style."""
    return [
        fragment.text()
        for fragment in text_fragments(document)
        if fragment.charFormat().background().color() == QColor(ESCAPE_BACKGROUND)
        and fragment.charFormat().foreground().color() == QColor(ESCAPE_COLOUR)
    ]


@pytest.mark.slow
def test_controls_are_escapes_in_the_conversation_reasoning_and_list_and_kept_in_the_record(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    turn_id = answered(qtbot, window, backend)

    shown = window.view.toPlainText()
    assert_escaped(shown, "the conversation view")
    assert f"Prompt {SHOWN}" in shown and f"Answer {SHOWN}." in shown
    assert TYPED in shown and r"\x5c" not in shown, "a typed backslash escape stays as written"
    styled = escape_fragments(window.view.document())
    assert styled.count(r"\x1b") == 4 and styled.count(r"\u202e") == 2, styled
    assert TYPED not in "".join(styled), "only real control characters are styled as escapes"

    assert window.reasoning.text() == f"Reasoning {SHOWN}."
    assert escape_fragments(reasoning_document(window)).count(r"\u2066") == 1

    [title] = [window.conversations.list.item(row).text() for row in range(window.conversations.list.count())]
    assert not RAW.search(title) and title.startswith(r"Prompt retitle \x1b]0;PWNED\x07 clear"), title

    turn = store.turn(turn_id)
    assert (turn.prompt, turn.reasoning, turn.answer) == (PROMPT, REASONING, ANSWER)

    store.annotate(turn_id, Flag.CONCERN, NOTE, AUTHOR)
    window.controller.select_conversation(turn.conversation_id)
    shown = window.view.toPlainText()
    assert_escaped(shown, "the conversation view with a note")
    assert f"Note {SHOWN}" in shown and AUTHOR_SHOWN in shown
    assert store.turn(turn_id).annotations[-1].author == AUTHOR


@pytest.mark.slow
def test_screenshot_of_a_turn_with_controls(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, tmp_path: Path
) -> None:
    """What a reviewer sees; the picture is kept in the test's folder for a person to look at."""
    window.resize(1400, 800)
    window.show()
    qtbot.waitExposed(window)
    answered(qtbot, window, backend)
    picture = window.grab()
    assert not picture.isNull() and picture.save(str(tmp_path / "control-characters.png"))


@pytest.mark.slow
def test_controls_are_escapes_while_the_turn_streams(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    first, rest = ANSWER.split("\n\n", 1)  # the answer's first paragraph streams, then it holds
    streamed = ["[THINK]", *_pieces(REASONING), "[/THINK]", *_pieces(first)]
    script = backend.enqueue([*streamed, *_pieces("\n\n" + rest)], hold_after=len(streamed))
    send(qtbot, window, PROMPT)
    # Shown as it streams: plain text, its Markdown not rendered yet.
    qtbot.waitUntil(lambda: f"**Answer** {SHOWN}." in window.view.toPlainText(), timeout=5000)
    assert window.view.live_turn_id is not None and window.reasoning.live
    assert window.reasoning.text() == f"Reasoning {SHOWN}."
    live = window.view.toPlainText()
    assert not RAW.search(live), RAW.findall(live)
    assert f"Prompt {SHOWN}" in live
    assert r"\u202e" in escape_fragments(window.view.document()), "the live answer styles its escapes"
    assert escape_fragments(reasoning_document(window)), "the live trace styles its escapes"
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    assert_escaped(window.view.toPlainText(), "the finished conversation")


@pytest.mark.slow
def test_controls_are_escapes_in_the_session_browser_and_review(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    turn_id = answered(qtbot, window, backend)
    store.annotate(turn_id, Flag.CONCERN, NOTE, AUTHOR)
    browser = window.open_session_browser()
    qtbot.waitUntil(lambda: browser.table_model.rowCount() == 1, timeout=5000)
    title = browser.table_model.data(browser.table_model.index(0, 1), Qt.ItemDataRole.DisplayRole)
    assert not RAW.search(title) and title.startswith(r"Prompt retitle \x1b]0;PWNED\x07"), title

    with qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.query.setText("PWNED")
        browser.run_search()
    assert browser.hits.count() >= 4  # the title, prompt, reasoning, answer and note hold it
    for row in range(browser.hits.count()):
        item = browser.hits.item(row)
        drawn = QTextDocument()
        drawn.setHtml(item.data(Qt.ItemDataRole.UserRole + 1))
        assert not RAW.search(drawn.toPlainText()) and r"\x1b]0;PWNED\x07" in drawn.toPlainText()
        tooltip = QTextDocument()
        tooltip.setHtml(item.toolTip())
        assert not RAW.search(item.toolTip()) and r"\x1b]0;" in tooltip.toPlainText()

    with qtbot.waitSignal(browser.conversation_opened, timeout=5000):
        browser.hits.itemActivated.emit(browser.hits.item(0))
    review = browser.review.toPlainText()
    assert_escaped(review, "the review view")
    assert f"Reasoning {SHOWN}." in review and f"Answer {SHOWN}." in review and TYPED in review
    assert f"Note {SHOWN}" in review and AUTHOR_SHOWN in review
    assert r"\u202e" in escape_fragments(browser.review.document())


def _blocks(document: QTextDocument) -> dict[str, QTextBlock]:
    found = {}
    block = document.begin()
    while block.isValid():
        found[block.text()] = block
        block = block.next()
    return found


@pytest.mark.slow
def test_arabic_stays_right_to_left_and_an_escape_in_it_reads_left_to_right(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, tmp_path: Path
) -> None:
    window.show()
    qtbot.waitExposed(window)
    backend.enqueue([f"[THINK]{ARABIC} \u202e{ARABIC}[/THINK]", f"{ARABIC}\n\n{ARABIC} \u202e{ARABIC}"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, ARABIC)
    for document in (window.view.document(), reasoning_document(window)):
        blocks = _blocks(document)
        if document is window.view.document():
            assert blocks[ARABIC].textDirection() == Qt.LayoutDirection.RightToLeft
        [(text, block)] = [(text, block) for text, block in blocks.items() if "\\u202e" in text]
        assert block.textDirection() == Qt.LayoutDirection.RightToLeft
        document.size()  # laid out
        start = text.index("\\u202e")
        line = block.layout().lineForTextPosition(start)
        where = [line.cursorToX(start + offset)[0] for offset in range(6)]
        assert where == sorted(where), f"the escape is not drawn left to right: {where}"
        # What keeps it so: a left-to-right mark before the backslash, nothing else added.
        assert text == f"{ARABIC} \u200e\\u202e{ARABIC}"
    assert window.grab().save(str(tmp_path / "arabic.png"))


@pytest.mark.parametrize("text", [*(language.sentence for language in LANGUAGES), ORDINARY])
def test_ordinary_text_renders_as_before(qapp: object, text: str) -> None:
    """Text without control characters comes out of the window's renderer exactly as it did."""
    assert markdown_to_html(text, escapes=True) == markdown_to_html(text)
    assert plain_to_html(text, escapes=True) == plain_to_html(text)


@pytest.mark.slow
@pytest.mark.parametrize("entry", HOSTILE_CORPUS, ids=lambda entry: entry.name)
def test_the_injection_corpus_is_as_inert_in_the_window_renderer(qapp: object, entry: Hostile) -> None:
    rendered = markdown_to_html(entry.text, escapes=True)
    for forbidden in entry.forbidden:
        assert forbidden.lower() not in rendered.lower(), f"{forbidden!r} in the output of {entry.name}"
    assert not RAW.search(rendered), RAW.findall(rendered)
    escape_style = f"attribute style={ESCAPE_STYLE!r} on <span>"
    assert [problem for problem in markup_problems(rendered) if problem != escape_style] == []


def test_a_bidi_override_written_as_an_entity_is_shown_not_obeyed(qapp: object) -> None:
    """markdown-it decodes ``&#x202e;`` after the text was cleaned: the rendered HTML is checked too."""
    window = markdown_to_html("invoice &#x202e;fdp.exe &#x2066;x", escapes=True)
    assert not RAW.search(window)
    assert f'<span style="{ESCAPE_STYLE}">\\u202e</span>fdp.exe' in window
    report = markdown_to_html("invoice &#x202e;fdp.exe &#x2066;x")  # the PDF's form, shared renderer
    assert not RAW.search(report) and "&lt;U+202E&gt;fdp.exe &lt;U+2066&gt;x" in report


def test_image_file_names_and_captions_show_escapes_and_no_markup(qtbot: QtBot, tmp_path: Path) -> None:
    name = "invoice \u202egnp.png\x1b[2J<b>bold</b>"
    image = check_image(png((0, 128, 128)), name)
    strip = AttachmentStrip()
    qtbot.addWidget(strip)
    strip.add([image])
    labels = [label.text() for label in strip.findChildren(QLabel) if label.text()]
    tips = [widget.toolTip() for widget in (*strip.findChildren(QLabel), *strip.findChildren(QToolButton))]
    for text in labels + [tip for tip in tips if tip]:
        assert not RAW.search(text), text
    assert any(text.startswith(r"invoice \u202egnp") for text in labels), labels
    tooltip = QTextDocument()
    tooltip.setHtml(next(tip for tip in tips if "SHA-256" in tip))
    assert tooltip.toPlainText().startswith(r"invoice \u202egnp.png\x1b[2J<b>bold</b>")

    viewer = ImageViewer(image.data, f"{name}\nSHA-256 {image.sha256}")
    qtbot.addWidget(viewer)
    [details] = [label for label in viewer.findChildren(QLabel) if "SHA-256" in label.text()]
    caption = QTextDocument()
    caption.setHtml(details.text())
    assert not RAW.search(details.text())
    assert caption.toPlainText().startswith(r"invoice \u202egnp.png\x1b[2J<b>bold</b>")
