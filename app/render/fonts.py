"""Fonts for the 24 languages the model writes, on screen and in the PDF.

Veritrace ships the Noto faces for Latin, Greek, Cyrillic, Arabic (and Farsi), Devanagari
(Hindi, Nepali), Bengali, math symbols and monospace text (``resources/fonts``, SIL Open
Font License). CJK faces are tens of megabytes, so Chinese, Japanese and Korean use the
platform's own: Microsoft YaHei, Yu Gothic and Malgun Gothic on Windows; PingFang SC,
Hiragino Sans and Apple SD Gothic Neo on macOS; Noto Sans CJK (package fonts-noto-cjk)
on Linux. ``missing_scripts`` says which writing systems have no face, so the app can
tell the user once instead of drawing empty boxes.

Only QtGui is used, no widgets: the PDF exporter runs from the command line too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from typing import Literal

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QRawFont

from app.render.scripts import CJK_FAMILIES, CJK_SCRIPTS, SCRIPTS, Script
from app.resources import resource_dir

FontKind = Literal["body", "mono"]

FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSans-Italic.ttf",
    "NotoSans-BoldItalic.ttf",
    "NotoSansMono-Regular.ttf",
    "NotoSansMono-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansDevanagari-Bold.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansBengali-Bold.ttf",
    "NotoSansMath-Regular.ttf",
)

_SHIPPED_BODY = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans Bengali")
_SHIPPED_MONO = ("Noto Sans Mono",)
_MATH = ("Noto Sans Math",)

# The platform's own faces, after the shipped ones: symbols, emoji and anything else.
_PLATFORM_BODY = {
    "win32": ("Segoe UI", "Segoe UI Symbol", "Segoe UI Emoji", "Cambria Math", "Arial Unicode MS"),
    "darwin": ("Helvetica Neue", "Apple Symbols", "Apple Color Emoji", "STIX Two Math"),
    "linux": ("DejaVu Sans", "Noto Sans Symbols", "Noto Sans Symbols2", "Noto Color Emoji"),
}
_PLATFORM_MONO = {
    "win32": ("Cascadia Mono", "Consolas", "Courier New"),
    "darwin": ("Menlo", "SF Mono", "Courier New"),
    "linux": ("DejaVu Sans Mono", "Liberation Mono"),
}
_GENERIC = {"body": "sans-serif", "mono": "monospace"}

_log = logging.getLogger("veritrace")
_loaded: list[int] = []


def register_fonts() -> tuple[str, ...]:
    """Load the shipped faces into Qt (once); returns their families.

    Needs a QGuiApplication: Qt's font database does not exist before one.
    """
    if QGuiApplication.instance() is None:
        raise RuntimeError("Fonts can only be registered once a QGuiApplication exists.")
    if _loaded and QFontDatabase.applicationFontFamilies(_loaded[0]):
        return _families_of(_loaded)
    _loaded.clear()
    folder = resource_dir() / "fonts"
    for name in FONT_FILES:
        identifier = QFontDatabase.addApplicationFont(str(folder / name))
        if identifier < 0:
            _log.warning("font %s could not be loaded", folder / name)
        else:
            _loaded.append(identifier)
    return _families_of(_loaded)


def _families_of(identifiers: Iterable[int]) -> tuple[str, ...]:
    families: dict[str, None] = {}
    for identifier in identifiers:
        families.update(dict.fromkeys(QFontDatabase.applicationFontFamilies(identifier)))
    return tuple(families)


def _platform() -> str:
    return sys.platform if sys.platform in ("win32", "darwin") else "linux"


def _installed(candidates: Iterable[str]) -> list[str]:
    register_fonts()
    available = set(QFontDatabase.families())
    return [family for family in dict.fromkeys(candidates) if family in available]


def _cjk() -> tuple[str, ...]:
    # Simplified Chinese first: unmarked Han text is drawn with Chinese glyphs, not Japanese.
    return CJK_FAMILIES["SC"] + CJK_FAMILIES["JP"] + CJK_FAMILIES["KR"]


def body_families() -> list[str]:
    """Installed faces for running text, best first; Qt falls through them glyph by glyph."""
    return _installed((*_SHIPPED_BODY, *_cjk(), *_MATH, *_PLATFORM_BODY[_platform()]))


def mono_families() -> list[str]:
    """Installed faces for code, best first, then the body faces for other scripts."""
    return _installed((*_SHIPPED_MONO, *_PLATFORM_MONO[_platform()], *body_families()))


def families(kind: FontKind) -> list[str]:
    return mono_families() if kind == "mono" else body_families()


def css_font_stack(kind: FontKind) -> str:
    """A CSS ``font-family`` value for QTextDocument stylesheets, e.g. ``'Noto Sans', …, sans-serif``."""
    quoted = [f"'{family}'" for family in families(kind) if "'" not in family and ";" not in family]
    return ", ".join([*quoted, _GENERIC[kind]])


def font(kind: FontKind, point_size: float | None = None) -> QFont:
    """A QFont over the fallback list, for widgets and ``QTextDocument.setDefaultFont``."""
    result = QFont()
    result.setFamilies(families(kind))
    if kind == "mono":
        result.setStyleHint(QFont.StyleHint.Monospace)
        result.setFixedPitch(True)
    if point_size is not None:
        result.setPointSizeF(point_size)
    return result


def with_fallbacks(base: QFont, kind: FontKind = "body") -> QFont:
    """``base`` (e.g. the platform's UI font) first, then the fallback list for other scripts."""
    result = QFont(base)
    result.setFamilies(list(dict.fromkeys([*base.families(), *families(kind)])))
    return result


def uncovered_characters(text: str, kind: FontKind = "body") -> str:
    """The characters of ``text`` no face in the fallback list can draw (spaces and marks aside)."""
    return _uncovered(text, _raw_fonts(kind))


def _raw_fonts(kind: FontKind) -> list[QRawFont]:
    raw_fonts = [QRawFont.fromFont(QFont(family)) for family in families(kind)]
    return [raw for raw in raw_fonts if raw.isValid()]


def _uncovered(text: str, raw_fonts: Sequence[QRawFont]) -> str:
    missing: dict[str, None] = {}
    for char in text:
        if char.isspace() or ord(char) < 0x20 or 0x200B <= ord(char) <= 0x200F:
            continue
        if not any(raw.supportsCharacter(ord(char)) for raw in raw_fonts):
            missing[char] = None
    return "".join(missing)


def missing_scripts() -> list[Script]:
    """Writing systems with no installed face (some of their letters would show as boxes)."""
    raw_fonts = _raw_fonts("body")
    return [script for script in SCRIPTS if _uncovered(script.sample, raw_fonts)]


def missing_fonts_message(missing: Sequence[Script] | None = None) -> str | None:
    """One sentence for the user about missing faces, or None when every script can be shown."""
    if missing is None:
        missing = missing_scripts()
    if not missing:
        return None
    sentences = []
    if any(script.code in CJK_SCRIPTS for script in missing):
        hint = {
            "win32": "add the Chinese, Japanese and Korean supplemental fonts in Settings ▸ Apps ▸ "
            "Optional features",
            "darwin": "install a CJK font such as Noto Sans CJK",
            "linux": "install fonts-noto-cjk",
        }[_platform()]
        sentences.append(f"Chinese, Japanese and Korean text needs a CJK font: {hint}.")
    others = [script.name for script in missing if script.code not in CJK_SCRIPTS]
    if others:
        sentences.append(
            f"{_join(others)} text cannot be shown: a font shipped with Veritrace is missing. "
            "Reinstall Veritrace."
        )
    return " ".join(sentences)


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
