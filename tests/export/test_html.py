from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from app.render.html import clean_text, markdown_to_html, plain_to_html
from app.render.scripts import CJK_FAMILIES
from tests.fixtures.injection import HOSTILE, Hostile, markup_problems

INJECTIONS = [
    "<script>alert(1)</script>",
    '<img src="http://example.com/x.png" onerror="alert(1)">',
    "![tracker](http://example.com/pixel.png)",
    "![local](file:///etc/passwd)",
    "[click](javascript:alert(1))",
    "[file](file:///etc/passwd)",
    '<a href="file:///etc/passwd">x</a>',
    "<iframe src='http://example.com'></iframe>",
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("source", INJECTIONS)
def test_model_output_renders_inert(source: str) -> None:
    rendered = markdown_to_html(source).lower()
    assert "<script" not in rendered and "<img" not in rendered and "<iframe" not in rendered
    assert "<style" not in rendered and 'href="javascript:' not in rendered
    assert 'href="file:' not in rendered and 'src="' not in rendered


def test_markdown_features_render() -> None:
    rendered = markdown_to_html("# Title\n\n**bold** and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- item")
    for fragment in (
        "<h1>Title</h1>",
        "<strong>bold</strong>",
        "<code>code</code>",
        "<table>",
        "<li>item</li>",
    ):
        assert fragment in rendered


def test_plain_text_is_escaped_with_line_breaks() -> None:
    assert plain_to_html("a < b\nc & d") == "a &lt; b<br>c &amp; d"


# The hostile corpus, in the HTML and in Qt's own widgets.


def _shown(html: str) -> str:
    """What a reader sees, line by line (Qt turns the newline after a closing tag into a space)."""
    document = QTextDocument()
    document.setHtml(html)
    return "\n".join(line.strip() for line in document.toPlainText().splitlines())


@pytest.mark.slow
@pytest.mark.parametrize("entry", HOSTILE, ids=lambda entry: entry.name)
def test_hostile_text_is_inert_in_the_html(qapp: QApplication, entry: Hostile) -> None:
    rendered = markdown_to_html(entry.text)
    lowered = rendered.lower()
    for forbidden in entry.forbidden:
        assert forbidden.lower() not in lowered, f"{forbidden!r} in the output of {entry.name}"
    assert markup_problems(rendered) == []
    shown = _shown(rendered)
    for visible in entry.visible:
        assert visible in shown, f"{visible!r} no longer readable in {entry.name}"


class RecordingBrowser(QTextBrowser):
    """A QTextBrowser that records every resource the document asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[str] = []

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        self.requested.append(name.toString() if isinstance(name, QUrl) else str(name))
        return None


class RecordingDocument(QTextDocument):
    def __init__(self) -> None:
        super().__init__()
        self.requested: list[str] = []

    def loadResource(self, kind: int, name: QUrl) -> Any:
        self.requested.append(name.toString())
        return None


def _anchors(document: QTextDocument) -> list[str]:
    found = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            format_ = fragments.fragment().charFormat()
            if format_.isAnchor() or format_.anchorHref():
                found.append(format_.anchorHref())
            fragments += 1
        block = block.next()
    return found


def test_the_browser_records_what_it_is_asked_to_load(qtbot: QtBot) -> None:
    """The recording browser does see a request when there is one to see."""
    browser = RecordingBrowser()
    qtbot.addWidget(browser)
    browser.setHtml('<p>x<img src="file:///etc/passwd"></p>')
    browser.resize(400, 200)
    browser.show()
    qtbot.waitExposed(browser)
    assert "file:///etc/passwd" in browser.requested


@pytest.mark.slow
@pytest.mark.parametrize(
    "entry",
    [entry for entry in HOSTILE if entry.name not in ("huge single line", "deep blockquotes")],
    ids=lambda entry: entry.name,
)
def test_hostile_text_loads_nothing_and_links_nowhere_in_a_browser(qtbot: QtBot, entry: Hostile) -> None:
    browser = RecordingBrowser()
    qtbot.addWidget(browser)
    browser.setOpenLinks(False)
    browser.setHtml(markdown_to_html(entry.text))
    browser.resize(600, 400)
    browser.show()
    qtbot.waitExposed(browser)
    browser.document().size()  # lay everything out
    assert browser.requested == []
    assert _anchors(browser.document()) == []
    document = RecordingDocument()
    document.setHtml(markdown_to_html(entry.text))
    document.size()
    assert document.requested == []


@pytest.mark.parametrize("name", ["huge single line", "deep blockquotes"])
def test_oversized_hostile_text_loads_nothing_in_a_document(qapp: QApplication, name: str) -> None:
    entry = next(entry for entry in HOSTILE if entry.name == name)
    document = RecordingDocument()
    document.setHtml(markdown_to_html(entry.text))
    document.setTextWidth(600)
    assert document.size().height() > 0
    assert document.requested == [] and _anchors(document) == []


# Links: readable, never clickable.


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("[the docs](https://example.com/a?b=1)", "the docs (https://example.com/a?b=1)"),
        ("[plain](http://example.com)", "plain (http://example.com)"),
        ("<https://example.com/x>", "https://example.com/x"),
        ("[notes](notes.md)", "notes (notes.md)"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("[**bold** label](https://a.example)", "bold label (https://a.example)"),
        ("[outer [inner](https://b.example)](https://a.example)", "[outer inner (https://b.example)]"),
    ],
)
def test_links_are_written_out_as_text(qapp: QApplication, source: str, text: str) -> None:
    rendered = markdown_to_html(source)
    assert "<a" not in rendered
    assert text in _shown(rendered)


def test_deceptive_link_targets_are_shown_as_they_really_are(qapp: QApplication) -> None:
    # Zero-width space in the host: shown as the punycode a browser would really visit.
    assert "paypal (https://xn--" in _shown(markdown_to_html("[paypal](https://pay\u200bpal.example)"))


# Characters that disguise text.


def test_bidi_overrides_are_made_visible() -> None:
    assert clean_text("abc\u202edef\u2066x\u2069") == "abc<U+202E>def<U+2066>x<U+2069>"
    assert "&lt;U+202E&gt;" in markdown_to_html("file\u202etxt.exe")
    assert "&lt;U+202E&gt;" in plain_to_html("file\u202etxt.exe")


def test_controls_are_replaced_but_joiners_kept() -> None:
    assert clean_text("a\x00b\x1bc\x7fd\x85e") == "a\ufffdb\ufffdc\ufffdd\ufffde"
    assert clean_text("a\tb\nc\r\nd\re") == "a\tb\nc\nd\ne"
    # Farsi and the Indic scripts need ZWNJ and ZWJ.
    assert "می\u200cخواهم" in markdown_to_html("می\u200cخواهم")
    assert "गर्\u200dयो" in markdown_to_html("गर्\u200dयो")


# Math in Markdown.


@pytest.mark.parametrize(
    "source",
    [
        "It costs $5 and $10.",
        "Between $5 and $10 per hour",
        "Prices: $5, $10, $20",
        "From $5-$10",
        "$5.99/$6.49",
        "I paid $3 and you paid $4 and we split $7",
        "US$5 and US$10",
        "a $ sign alone",
    ],
)
def test_dollar_signs_in_prose_stay_dollar_signs(qapp: QApplication, source: str) -> None:
    rendered = markdown_to_html(source)
    assert 'class="math' not in rendered
    assert _shown(rendered) == source


@pytest.mark.parametrize(
    ("source", "display"),
    [
        ("Euler: $e^{i\\pi} + 1 = 0$.", False),
        ("Euler: \\(e^{i\\pi} + 1 = 0\\).", False),
        ("$$e^{i\\pi} + 1 = 0$$", True),
        ("$$\ne^{i\\pi} + 1 = 0\n$$", True),
        ("\\[e^{i\\pi} + 1 = 0\\]", True),
        ("\\[\ne^{i\\pi} + 1 = 0\n\\]", True),
    ],
)
def test_every_math_delimiter_is_found(qapp: QApplication, source: str, display: bool) -> None:
    rendered = markdown_to_html(source)
    assert "<i>e</i><sup><i>i</i><i>π</i></sup> + 1 = 0" in rendered
    assert ('<p class="math" align="center"' in rendered) is display
    assert "$" not in _shown(rendered) and "\\" not in _shown(rendered)


def test_display_math_inside_a_paragraph_gets_its_own_block(qapp: QApplication) -> None:
    rendered = markdown_to_html("So the answer is\n\\[\n\\frac{a}{b}\n\\]\nwhich we keep.")
    assert rendered.split("\n")[:3] == [
        "<p>So the answer is</p>",
        '<p class="math" align="center" dir="ltr"><i>a</i>/<i>b</i></p>',
        "<p>which we keep.</p>",
    ]
    assert _shown(rendered).splitlines() == ["So the answer is", "a/b", "which we keep."]


def test_amsmath_environments_render_as_display_math(qapp: QApplication) -> None:
    rendered = markdown_to_html("\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}")
    assert rendered.startswith('<p class="math" align="center"')
    assert _shown(rendered).splitlines() == ["a = b (1)", "c = d (2)"]


def test_math_is_not_looked_for_in_code(qapp: QApplication) -> None:
    rendered = markdown_to_html("`$x$` and\n\n```\n$$y$$\n\\(z\\)\n```")
    assert 'class="math' not in rendered
    assert "<code>$x$</code>" in rendered and "$$y$$\n\\(z\\)" in rendered


def test_escaped_dollars_and_brackets_are_literal(qapp: QApplication) -> None:
    assert _shown(markdown_to_html(r"\$x\$ and \\(y\\)")) == "$x$ and \\(y\\)"


def test_malformed_math_is_shown_as_its_source(qapp: QApplication) -> None:
    rendered = markdown_to_html("Broken: $\\frac{1}{2$ here")
    assert "<code>\\frac{1}{2</code>" in rendered
    assert _shown(rendered) == "Broken: math \\frac{1}{2 here"


# Chinese, Japanese and Korean get their own regional faces.


def _family_list(variant: str) -> str:
    return "font-family:" + ", ".join(f"'{family}'" for family in CJK_FAMILIES[variant])  # type: ignore[index]


@pytest.mark.parametrize(
    ("source", "variant"),
    [
        ("法院裁定，合同已无法履行。", "SC"),
        ("裁判所は判断しました。", "JP"),
        ("법원은 판단했습니다", "KR"),
    ],
)
def test_cjk_runs_name_their_regional_face(source: str, variant: str) -> None:
    rendered = markdown_to_html(source)
    assert f'<span style="{_family_list(variant)}">{source}</span>' in rendered


def test_han_follows_its_paragraph_language() -> None:
    # "東京" alone is Han; in a Japanese paragraph it is drawn with Japanese glyphs.
    rendered = markdown_to_html("**東京**は日本の首都です。\n\n**东京**是日本的首都。")
    japanese, chinese = rendered.split("\n")[:2]
    assert f'<strong><span style="{_family_list("JP")}">東京</span></strong>' in japanese
    assert f'<strong><span style="{_family_list("SC")}">东京</span></strong>' in chinese


@pytest.mark.parametrize("source", [">" * 30 + " hidden", "- " * 30 + "hidden", "> - " * 15 + "hidden"])
def test_nothing_is_dropped_at_markdowns_nesting_limit(qapp: QApplication, source: str) -> None:
    """markdown-it silently drops what lies deeper than its limit; no text may be hidden that way."""
    rendered = markdown_to_html("visible\n\n" + source + "\n\nafter")
    shown = _shown(rendered)
    assert "visible" in shown and "hidden" in shown and "after" in shown
    assert markup_problems(rendered) == []


def test_latin_text_is_left_alone() -> None:
    assert markdown_to_html("plain words") == "<p>plain words</p>\n"
    assert "<span" not in plain_to_html("Ελληνικά, русский, العربية, हिन्दी")


_MARKDOWN_ALPHABET = st.sampled_from(
    [
        *["a", "中", "ك", " ", "\n", "\n\n", "*", "_", "`", "```", "~~", "#", ">", "-", "1.", "|", "---"],
        *["[", "]", "(", ")", "<", ">", "!", "&", ";", "#x3C", "\\", "$", "$$", "\\(", "\\[", "\\]"],
        *["http://x.example", "javascript:", "file:///etc/passwd", "data:image/png;base64,AA", '"', "'"],
        *["<img src=x>", "<a href=x>", "<script>", "\u202e", "\x00", "\\frac{1}{2}", "x^2", "{", "}"],
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_MARKDOWN_ALPHABET, max_size=40).map("".join))
def test_any_markdown_renders_to_allowed_markup(source: str) -> None:
    rendered = markdown_to_html(source)
    assert markup_problems(rendered) == []
    lowered = rendered.lower()
    assert "<img" not in lowered and "<a " not in lowered and "<script" not in lowered


def test_code_blocks_carry_no_attribute_from_the_model() -> None:
    rendered = markdown_to_html('```python" onmouseover="alert(1)\nprint(1)\n```')
    assert rendered == "<pre><code>print(1)\n</code></pre>\n"
