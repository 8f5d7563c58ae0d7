"""The shipped faces, the fallback lists and the report of missing scripts, in a real Qt font database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QRawFont, QTextDocument, QTextLayout
from PySide6.QtWidgets import QApplication

from app.render import fonts
from app.render.html import markdown_to_html
from app.render.scripts import CJK_FAMILIES, SCRIPTS, cjk_runs
from app.resources import resource_dir
from tests.fixtures.languages import LANGUAGES, Language

EXPORT = Path(fonts.__file__).resolve().parent
SHIPPED_FAMILIES = {
    "Noto Sans",
    "Noto Sans Mono",
    "Noto Sans Arabic",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Math",
}


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """The font database exists only with an application object."""


def test_every_shipped_face_is_in_resources_with_its_licence() -> None:
    folder = resource_dir() / "fonts"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    licence = (folder / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "Version 1.1" in licence
    assert "fonts-noto-cjk" in readme
    for name in fonts.FONT_FILES:
        assert (folder / name).stat().st_size > 100_000, name
        assert name in readme, f"{name} is not listed in the fonts README"
    assert sorted(path.name for path in folder.glob("*.ttf")) == sorted(fonts.FONT_FILES)


def test_register_fonts_loads_the_shipped_families_once(monkeypatch: pytest.MonkeyPatch) -> None:
    first = fonts.register_fonts()
    count = len(QFontDatabase.families())
    added: list[str] = []
    add = QFontDatabase.addApplicationFont

    def noted(path: str) -> int:
        added.append(path)
        return add(path)

    monkeypatch.setattr(QFontDatabase, "addApplicationFont", staticmethod(noted))
    second = fonts.register_fonts()
    assert set(first) == SHIPPED_FAMILIES
    assert second == first and added == [] and len(QFontDatabase.families()) == count
    assert set(QFontDatabase.styles("Noto Sans")) >= {"Regular", "Bold", "Italic", "Bold Italic"}
    assert set(QFontDatabase.styles("Noto Sans Arabic")) >= {"Regular", "Bold"}


def test_fallback_lists_hold_only_installed_faces_in_order() -> None:
    installed = set(QFontDatabase.families())
    body, mono = fonts.body_families(), fonts.mono_families()
    assert set(body) <= installed and set(mono) <= installed
    assert body[0] == "Noto Sans" and mono[0] == "Noto Sans Mono"
    assert len(body) == len(set(body)) and len(mono) == len(set(mono))
    for family in ("Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans Bengali", "Noto Sans Math"):
        assert family in body and family in mono
    # Unmarked Han text is drawn with the Chinese face, not the Japanese one.
    cjk = [family for family in body if family in {f for faces in CJK_FAMILIES.values() for f in faces}]
    order = {family: variant for variant, faces in CJK_FAMILIES.items() for family in faces}
    assert [order[family] for family in cjk] == sorted((order[f] for f in cjk), key=["SC", "JP", "KR"].index)


def test_css_stack_works_in_a_document_stylesheet() -> None:
    stack = fonts.css_font_stack("body")
    assert stack.startswith("'Noto Sans', ") and stack.endswith(", sans-serif")
    assert fonts.css_font_stack("mono").endswith(", monospace")
    document = QTextDocument()
    document.setDefaultStyleSheet(f"p {{ font-family: {stack}; }}")
    document.setHtml("<p>text</p>")
    assert document.begin().charFormat().fontFamilies() == [*fonts.body_families(), "sans-serif"]


def test_with_fallbacks_keeps_the_platform_face_first() -> None:
    base = QFont("DejaVu Serif", 13)
    font = fonts.with_fallbacks(base)
    assert font.families()[0] == "DejaVu Serif" and font.pointSize() == 13
    assert font.families()[1:] == fonts.body_families()
    assert fonts.with_fallbacks(font).families() == font.families()


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.name)
def test_every_language_has_a_face_with_all_its_glyphs(language: Language) -> None:
    assert fonts.uncovered_characters(language.sentence) == ""
    # And Qt really draws it: shaping through the fallback list produces no missing glyph.
    layout = QTextLayout(language.sentence, fonts.font("body", 11))
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)
    layout.endLayout()
    runs = layout.glyphRuns(0, len(language.sentence))
    assert runs, "nothing was shaped"
    for run in runs:
        assert 0 not in run.glyphIndexes(), f"missing glyph in {run.rawFont().familyName()}"


def test_nothing_is_missing_on_this_machine() -> None:
    assert fonts.missing_scripts() == []
    assert fonts.missing_fonts_message() is None


def test_missing_faces_are_reported_by_script(monkeypatch: pytest.MonkeyPatch) -> None:
    """With only DejaVu Sans Mono, scripts it lacks are reported, each once."""
    monkeypatch.setattr(fonts, "body_families", lambda: ["DejaVu Sans Mono"])
    missing = {script.code for script in fonts.missing_scripts()}
    # DejaVu Sans Mono lacks Vietnamese's stacked diacritics (ệ, ữ) as well.
    assert missing == {"Latn", "Hani", "Kana", "Hang", "Deva", "Beng"}
    message = fonts.missing_fonts_message()
    assert message is not None
    assert message.count("Chinese, Japanese and Korean text needs a CJK font") == 1
    assert (
        "Latin, Devanagari and Bengali text cannot be shown" in message and "Reinstall Veritrace" in message
    )


def test_missing_cjk_alone_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.sys, "platform", "linux")
    cjk = [script for script in SCRIPTS if script.code in ("Hani", "Kana", "Hang")]
    assert fonts.missing_fonts_message(cjk) == (
        "Chinese, Japanese and Korean text needs a CJK font: install fonts-noto-cjk."
    )
    monkeypatch.setattr(fonts.sys, "platform", "win32")
    assert "Optional features" in (fonts.missing_fonts_message(cjk) or "")


def test_register_fonts_needs_an_application(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.QGuiApplication, "instance", staticmethod(lambda: None))
    with pytest.raises(RuntimeError, match="QGuiApplication"):
        fonts.register_fonts()


def _faces(html: str, text: str) -> set[str]:
    """The faces Qt really uses to draw ``text`` inside the rendered HTML."""
    document = QTextDocument()
    document.setDefaultFont(fonts.font("body", 11))
    document.setHtml(html)
    document.setTextWidth(2000)
    document.size()
    block = document.begin()
    while block.isValid():
        start = block.text().find(text)
        if start >= 0:
            return {run.rawFont().familyName() for run in block.layout().glyphRuns(start, len(text))}
        block = block.next()
    raise AssertionError(f"{text!r} is not in the document")


@pytest.mark.parametrize(
    ("name", "text", "face"),
    [("Chinese", "无法履行", "Noto Sans CJK SC"), ("Japanese", "判断しました", "Noto Sans CJK JP")],
)
def test_chinese_and_japanese_are_drawn_with_their_own_faces(name: str, text: str, face: str) -> None:
    sentence = next(language.sentence for language in LANGUAGES if language.name == name)
    assert _faces(markdown_to_html(sentence), text) == {face}


def test_korean_is_drawn_with_the_korean_face() -> None:
    sentence = next(language.sentence for language in LANGUAGES if language.name == "Korean")
    assert _faces(markdown_to_html(sentence), "판단했습니다") == {"Noto Sans CJK KR"}


def test_han_glyphs_differ_between_the_regional_faces() -> None:
    """直 is drawn differently in Chinese and Japanese: the reason runs are tagged at all."""
    chinese = QRawFont.fromFont(QFont("Noto Sans CJK SC", 40))
    japanese = QRawFont.fromFont(QFont("Noto Sans CJK JP", 40))
    glyph = ord("直")
    path_sc = chinese.pathForGlyph(chinese.glyphIndexesForString(chr(glyph))[0])
    path_jp = japanese.pathForGlyph(japanese.glyphIndexesForString(chr(glyph))[0])
    assert path_sc.boundingRect() != path_jp.boundingRect() or path_sc != path_jp


def test_cjk_runs_split_by_script() -> None:
    assert cjk_runs("Han 汉字 and かな and 한글.", "SC") == [
        ("Han ", None),
        ("汉字", "SC"),
        (" and ", None),
        ("かな", "JP"),
        (" and ", None),
        ("한글", "KR"),
        (".", None),
    ]
    # Han alone follows the text it is in: kana make it Japanese, hangul Korean.
    assert cjk_runs("東京 と 大阪") == [("東京 と 大阪", "JP")]
    assert cjk_runs("東京, 大阪 です")[0] == ("東京", "JP")
    assert cjk_runs("韓國 한국")[0] == ("韓國 한국", "KR")
    assert cjk_runs("东京") == [("东京", "SC")]


def test_only_the_font_and_pdf_modules_import_qt_and_never_widgets() -> None:
    """import-linter sees PySide6 as one package, so the sub-module rule is checked here."""
    for path in sorted(EXPORT.glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        qt = {name for name in imported if name.split(".")[0] == "PySide6"}
        if path.name in ("fonts.py", "pdf.py"):
            assert qt <= {"PySide6.QtGui", "PySide6.QtCore"}, f"{path.name} imports {qt}"
        else:
            assert not qt, f"{path.name} imports {qt}"
