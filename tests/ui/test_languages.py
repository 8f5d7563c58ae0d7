"""All 24 languages and math through the real window: recorded, shown, laid out in the right direction."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTextBlock, QTextDocument
from pytestqt.qtbot import QtBot

from app.render.fonts import font
from app.render.html import markdown_to_html
from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.languages import LANGUAGES
from tests.fixtures.window import reasoning_document

MATH = (
    "The mean is $\\bar{x} = \\frac{1}{n}\\sum_{i=1}^{n} x_i$, so\n"
    "$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n"
    "and $\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$ costs $5 or $10."
)
ANSWER = "\n\n".join(language.sentence for language in LANGUAGES) + "\n\n" + MATH
REASONING = "\n".join(language.sentence for language in LANGUAGES)
PROMPT = "Translate: " + " / ".join(language.word for language in LANGUAGES)


def _blocks(document: QTextDocument) -> dict[str, QTextBlock]:
    found = {}
    block = document.begin()
    while block.isValid():
        found[block.text()] = block
        block = block.next()
    return found


def _answer(qtbot: QtBot, window: MainWindow, backend: FakeBackend) -> None:
    backend.enqueue([f"[THINK]{REASONING}[/THINK]", ANSWER])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=10_000):
        window.composer.editor.setPlainText(PROMPT)
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)


@pytest.mark.slow
def test_every_language_is_recorded_and_shown(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    _answer(qtbot, window, backend)
    shown = window.view.toPlainText()
    for language in LANGUAGES:
        assert language.sentence in shown, language.name
    assert PROMPT in shown
    assert window.reasoning.text() == REASONING
    turn = store.conversation(store.list_conversations()[0].id).turns[0]
    assert turn.answer == ANSWER and turn.reasoning == REASONING and turn.prompt == PROMPT


def test_arabic_and_farsi_paragraphs_run_right_to_left(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    _answer(qtbot, window, backend)
    for document in (window.view.document(), reasoning_document(window)):
        blocks = _blocks(document)
        for language in LANGUAGES:
            block = blocks[language.sentence]
            expected = (
                Qt.LayoutDirection.RightToLeft
                if language.direction == "rtl"
                else Qt.LayoutDirection.LeftToRight
            )
            assert block.textDirection() == expected, f"{language.name} in {document}"


@pytest.mark.slow
def test_every_language_is_drawn_without_missing_glyphs(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    _answer(qtbot, window, backend)
    window.resize(1200, 900)
    window.show()
    qtbot.waitExposed(window)
    document = window.view.document()
    document.size()
    blocks = _blocks(document)
    for language in LANGUAGES:
        block = blocks[language.sentence]
        runs = block.layout().glyphRuns(0, len(language.sentence))
        assert runs, language.name
        for run in runs:
            assert 0 not in run.glyphIndexes(), (
                f"{language.name}: missing glyph in {run.rawFont().familyName()}"
            )


@pytest.mark.slow
def test_math_in_an_answer_is_rendered_and_prices_are_not(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    _answer(qtbot, window, backend)
    shown = window.view.toPlainText()
    assert "x\u0304 = (1/n)∑i=1n xi, so" in shown
    assert "(1  2; 3  4) costs $5 or $10." in shown
    display = _blocks(window.view.document())["∫01 x2 dx = 1/3"]
    assert display.blockFormat().alignment() & Qt.AlignmentFlag.AlignHCenter


def _ink_columns(image: QImage, top: int, bottom: int) -> tuple[int, int]:
    """Leftmost and rightmost columns with dark pixels between two rows."""
    columns = [
        x
        for x in range(image.width())
        if any(QColor(image.pixel(x, y)).lightness() < 128 for y in range(top, bottom, 2))
    ]
    assert columns, "nothing was drawn there"
    return columns[0], columns[-1]


def test_a_rendered_page_puts_right_to_left_text_on_the_right(qtbot: QtBot, tmp_path: Path) -> None:
    """Draw the answer as the exporters do and look at the pixels of each paragraph."""
    document = QTextDocument()
    document.setDefaultFont(font("body", 11))
    document.setHtml(markdown_to_html(ANSWER))
    width = 900
    document.setTextWidth(width)
    image = QImage(width, int(document.size().height()) + 1, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    assert image.save(str(tmp_path / "languages.png"))
    layout = document.documentLayout()
    for language in LANGUAGES:
        block = _blocks(document)[language.sentence]
        rect = layout.blockBoundingRect(block)
        left, right = _ink_columns(image, int(rect.top()) + 4, int(rect.bottom()) - 4)
        if language.direction == "rtl":
            assert left > width / 3 and right > width - 40, f"{language.name} is not on the right"
        else:
            assert left < 40, f"{language.name} is not on the left"
