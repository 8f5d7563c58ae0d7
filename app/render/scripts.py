"""Writing systems the model writes in, and which CJK face each run of Han text needs.

Pure Python so the HTML renderer can use it without Qt; ``app.render.fonts`` builds the
platform font stacks on top of it.

Chinese, Japanese and Korean share the Han characters but draw many of them differently.
A CJK face picks one regional style, so Chinese text drawn with a Japanese face shows
Japanese glyph variants. Text is therefore split into runs, and each run is given the
face of the language it most likely belongs to: kana means Japanese, hangul means Korean,
Han alone means Chinese unless the surrounding paragraph is Japanese or Korean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CjkVariant = Literal["SC", "JP", "KR"]


@dataclass(frozen=True)
class Script:
    """A writing system and characters a face must have to show it."""

    code: str  # ISO 15924
    name: str
    sample: str


SCRIPTS: tuple[Script, ...] = (
    # Latin with the diacritics of French, German, Polish, Romanian, Turkish, Vietnamese …
    Script("Latn", "Latin", "AaZzÀàÉéÇçÑñẞßĞğİıŞşŁłŻżĄąȘșȚțĂăÂâƠơƯưĐđẠạỆệỮữ"),
    Script("Grek", "Greek", "ΑαΩωΣσςάέήίόύώϊΐ"),
    Script("Cyrl", "Cyrillic", "АаЯяЁёЂђЋћЏџЈјЉљҐґЄєІіЇї"),
    # Arabic with the letters Farsi adds, and Persian digits.
    Script("Arab", "Arabic", "ابتثجحخدذرزسشصضطظعغفقكلمنهويپچژگکی۰۱۲۳"),
    Script("Deva", "Devanagari", "अआइईकखगघनमयरलवसह्ािीुूेैोौंः।०१२"),
    Script("Beng", "Bengali", "অআইঈকখগঘনমযরলবসহ্ািীুূেৈোৌংঃ০১২"),
    Script("Hani", "Chinese (Han)", "中文汉字的是国學"),
    Script("Kana", "Japanese (kana)", "あいうえおアイウエオ"),
    Script("Hang", "Korean (hangul)", "한국어가나다"),
)

CJK_SCRIPTS = frozenset({"Hani", "Kana", "Hang"})

# Regional CJK faces, best first. Names that are not installed are skipped by Qt, so one
# list serves every platform: Noto/Source Han (Linux), Windows' own, then macOS's own.
CJK_FAMILIES: dict[CjkVariant, tuple[str, ...]] = {
    "SC": ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB"),
    "JP": (
        "Noto Sans CJK JP",
        "Source Han Sans JP",
        "Yu Gothic",
        "Meiryo",
        "Hiragino Sans",
        "Hiragino Kaku Gothic ProN",
    ),
    "KR": ("Noto Sans CJK KR", "Source Han Sans KR", "Malgun Gothic", "Apple SD Gothic Neo"),
}

_HAN = (
    "\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f\u31c0-\u31ef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uff65"
)
_HAN_ASTRAL = "\U00020000-\U0003134f"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uffa0-\uffdc"
_CJK = f"{_HAN}{_HAN_ASTRAL}{_KANA}{_HANGUL}"

# A run is CJK characters, allowing the spaces Korean puts between words.
_RUN = re.compile(f"[{_CJK}]+(?:[ \u3000]+[{_CJK}]+)*")
_CJK_RE = re.compile(f"[{_CJK}]")
_KANA_RE = re.compile(f"[{_KANA}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")


def context_variant(text: str) -> CjkVariant:
    """The variant for Han text with no kana or hangul of its own, judged by its paragraph."""
    if _KANA_RE.search(text):
        return "JP"
    if _HANGUL_RE.search(text):
        return "KR"
    return "SC"


def cjk_runs(text: str, default: CjkVariant | None = None) -> list[tuple[str, CjkVariant | None]]:
    """Split text into pieces, each CJK run tagged with its variant (others with None).

    ``default`` is the variant for runs of Han alone; without it, it is judged from ``text``.
    """
    if default is None:
        default = context_variant(text)
    pieces: list[tuple[str, CjkVariant | None]] = []
    position = 0
    for match in _RUN.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], None))
        run = match.group()
        variant: CjkVariant = "KR" if _HANGUL_RE.search(run) else "JP" if _KANA_RE.search(run) else default
        pieces.append((run, variant))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None
