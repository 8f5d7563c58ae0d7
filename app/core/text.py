r"""Text from a record, a model or a file, made safe to show in a terminal or a window.

A recorded prompt or answer holds whatever a user typed or a model produced, terminal controls
included: ``ESC ] 0 ; … BEL`` retitles the window, ``ESC [ 2 J`` clears the screen, a bidi
override (U+202E) makes a reader see the text in another order. ``printable`` shows each such
character as an escape, in one form:

- C0 controls, DEL and C1 controls as ``\x`` and two lowercase hex digits (``\x1b``, ``\x07``,
  ``\x9b``); a line break and a tab stay as they are unless ``keep_newlines`` is false;
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and lone surrogates
  (undecodable bytes of a file name or an argument) as ``\u`` and four (``\u202e``, ``\udcff``);
- a backslash that would read as the start of such an escape (followed by ``x`` and two hex
  digits, or ``u`` and four, in either case) as ``\x5c``; every other backslash (LaTeX, a
  Windows path) as it is.

So two different texts are never shown alike: reading each ``\xhh``/``\uhhhh`` as its character
gives back exactly what was recorded.

``visible_runs`` (and ``visible``, its text) is the window's sibling: the same characters as the
same escapes, but returned as runs apart from the text around them, so the window can set each
escape apart in a style of its own. A window needs no ``\x5c`` for a backslash (a typed ``\x1b`` in
an answer about terminals stays as written, told apart from an escape by the style) and no escape
for a carriage return (it is drawn as a line break and cannot overwrite what came before).
"""

from __future__ import annotations

import json
import re
from typing import Any

_LOOKS_LIKE_ESCAPE = r"x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}"
# A backslash at the very end of a piece of streamed text (or still short of an escape's length)
# could read as an escape once the next piece arrives.
_COULD_YET_LOOK_LIKE_ESCAPE = r"(?:x[0-9a-fA-F]?|u[0-9a-fA-F]{0,3})?\Z"
_BIDI_AND_SURROGATES = "\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# Newline and tab are left out here: ``keep_newlines`` decides about them.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI_AND_SURROGATES
# In a window a carriage return is a line break as well.
_WINDOW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI_AND_SURROGATES + "]+")
# Letters of the scripts written right to left: Hebrew, Arabic, Syriac, Thaana, N'Ko and the rest.
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_LEFT_TO_RIGHT_MARK = "\u200e"


def _pattern(keep_newlines: bool, more_follows: bool) -> re.Pattern[str]:
    controls = _CONTROLS if keep_newlines else _CONTROLS + "\t\n"
    backslash = _LOOKS_LIKE_ESCAPE + ("|" + _COULD_YET_LOOK_LIKE_ESCAPE if more_follows else "")
    return re.compile(f"[{controls}]|\\\\(?={backslash})")


_PATTERNS = {(keep, more): _pattern(keep, more) for keep in (True, False) for more in (True, False)}
_JSON_UNSAFE = re.compile(f"[{_CONTROLS}]")


def _escape(match: re.Match[str]) -> str:
    return _escape_character(match.group())


def _escape_character(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep_newlines: bool = True, *, more_follows: bool = False) -> str:
    """Show ``text`` with every terminal control as a visible escape (see the module's docstring).

    ``more_follows`` is for text printed in pieces as it streams: a backslash at a piece's end is
    shown as ``\\x5c`` whenever the next piece could make it read as an escape, so the pieces
    together stay unambiguous.
    """
    return _PATTERNS[keep_newlines, more_follows].sub(_escape, text)


def visible_runs(text: str, before: str = "") -> list[tuple[str, bool]]:
    """``text`` for a window: runs of text as recorded, and runs of escapes, flagged True.

    Every character ``printable`` escapes but the carriage return is an escape here, in the same
    form (``\\x1b``, ``\\u202e``); nothing else changes, backslashes included (see the module's
    docstring). Joined, the runs hold no character that could hide or reorder text.

    An escape after a right-to-left letter starts with U+200E LEFT-TO-RIGHT MARK: in a
    right-to-left paragraph its backslash would be drawn after it ("u202e\\"). ``before`` is the
    text ahead of ``text`` in its paragraph, for text shown in pieces as it streams.
    """
    runs: list[tuple[str, bool]] = []
    start = 0
    if _RIGHT_TO_LEFT.search(before):
        right_to_left_from: int | None = 0
    else:
        letter = _RIGHT_TO_LEFT.search(text)
        right_to_left_from = letter.end() if letter else None
    for match in _WINDOW_CONTROLS.finditer(text):
        if match.start() > start:
            runs.append((text[start : match.start()], False))
        mark = right_to_left_from is not None and match.start() >= right_to_left_from
        escapes = "".join(_escape_character(character) for character in match.group())
        runs.append(((_LEFT_TO_RIGHT_MARK if mark else "") + escapes, True))
        start = match.end()
    if start < len(text) or not runs:
        runs.append((text[start:], False))
    return runs


def visible(text: str) -> str:
    """``text`` as the window shows it where there is no style to set escapes apart (a list item)."""
    return "".join(piece for piece, _escaped in visible_runs(text))


def printable_json(data: Any) -> str:
    """``data`` as indented JSON with the characters ``printable`` escapes written as ``\\uXXXX``.

    ``json.dumps(ensure_ascii=False)`` escapes C0 controls but leaves DEL, C1 controls, bidi
    overrides and lone surrogates raw; inside a JSON string any character may be a ``\\u`` escape,
    so the parsed value is exactly ``data`` (but for a lone high surrogate right before a lone low
    one, which JSON reads as their pair's character, as with ``json.dumps`` itself).
    """
    dumped = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and its noun, singular for exactly one: "1 entry", "2 entries", "0 turns"."""
    return f"{count} {noun(count, singular, plural)}"


def noun(count: int, singular: str, plural: str | None = None) -> str:
    """The noun for ``count`` of it: ``plural`` (else ``singular`` + "s") unless it is one."""
    if count == 1:
        return singular
    return plural if plural is not None else singular + "s"
