"""Markdown to safe HTML for Qt's rich text: no raw HTML, no links, no images, no fetched resources.

Model output is untrusted. Raw HTML is escaped; images are never shown; links are written
out as text, "label (address)", so nothing can be clicked, fetched or opened. Characters
that could disguise text are made visible: in reports, bidirectional overrides and isolates
(the "Trojan Source" trick) are shown as ``<U+202E>``, other control characters as U+FFFD; in
the window (``escapes=True``), each of them is shown as the escape ``app.core.text`` gives it
(``\\x1b``, ``\\u202e``, as on the terminal), set apart from the text around it in ``ESCAPE_STYLE``.

Math written in LaTeX (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]`` and top-level amsmath
environments) is rendered by ``app.render.math``; display math gets its own centred block.
Dollar signs in prose (``$5 and $10``) stay dollar signs.

Runs of Chinese, Japanese and Korean text are wrapped in spans naming the regional CJK face,
so Chinese is not drawn with Japanese glyph variants (see ``app.render.scripts``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from app.core.text import visible_runs
from app.render.colours import PRINT, RenderColours
from app.render.math import latex_to_html, source_html
from app.render.scripts import CJK_FAMILIES, CjkVariant, cjk_runs, context_variant, has_cjk

# Bidirectional embeddings, overrides and isolates reorder what follows them on screen.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 and C1 controls except tab and line breaks; NUL included.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# The window's escapes are set apart by style, not by their text: a typed "\x1b" stays as written.
# These are the light colours; the window passes its theme's (``colours``).
ESCAPE_COLOUR = PRINT.escape
ESCAPE_BACKGROUND = PRINT.escape_background
ESCAPE_STYLE = PRINT.escape_style
# Around each escape while the Markdown is parsed, so it can be styled once rendered. Neither
# can be in the text by then (every other C0 control is an escape already) nor come out of
# the parse (markdown-it decodes no entity to a C0 control).
_ESCAPE_OPEN, _ESCAPE_CLOSE = "\x0e", "\x0f"
_MARKED_ESCAPE = re.compile(f"{_ESCAPE_OPEN}(\u200e?[\\\\xu0-9a-f]+){_ESCAPE_CLOSE}")

_CJK_STYLE = {
    variant: "font-family:" + ", ".join(f"'{family}'" for family in families)
    for variant, families in CJK_FAMILIES.items()
}


def clean_text(text: str) -> str:
    """Make disguising characters visible and drop the rest of the control characters.

    Zero-width joiners and non-joiners stay: Farsi, Hindi and Bengali need them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI_CONTROLS.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)
    return _CONTROLS.sub("\ufffd", text)


def escape_text(text: str, cjk_default: CjkVariant | None = None, colours: RenderColours = PRINT) -> str:
    """Escape text for HTML, wrapping CJK runs in spans with their regional face."""
    pieces = _MARKED_ESCAPE.split(text) if _ESCAPE_OPEN in text else []  # text, escape, text, …
    if len(pieces) > 1:  # styled here: a CJK span must not come between an escape's marks
        return "".join(
            _escape_span(piece, colours) if index % 2 else escape_text(piece, cjk_default)
            for index, piece in enumerate(pieces)
        )
    if not has_cjk(text):
        return html.escape(text)
    return "".join(
        html.escape(piece)
        if variant is None
        else f'<span style="{_CJK_STYLE[variant]}">{html.escape(piece)}</span>'
        for piece, variant in cjk_runs(text, cjk_default)
    )


def markdown_to_html(text: str, *, escapes: bool = False, colours: RenderColours = PRINT) -> str:
    """The model's Markdown and LaTeX as Qt rich text that cannot load, link or hide anything.

    ``escapes``: control characters as the window shows them (see the module's docstring);
    ``colours``: those of the marks the renderer adds (the window's theme; by default, print's).
    """
    source = _marked(text) if escapes else clean_text(text)
    parser = _parser()
    env: EnvType = {"colours": colours}
    tokens = parser.parse(source, env)
    if _too_deep(tokens, parser.options["maxNesting"]):
        # markdown-it stops at its nesting limit and drops the rest: show every word instead.
        return f"<p>{plain_to_html(text, escapes=escapes, colours=colours)}</p>\n"
    rendered = parser.renderer.render(tokens, parser.options, env)
    # An entity decodes to the character it names (&#x202e; to a bidi override) after cleaning.
    if escapes:
        marked = _MARKED_ESCAPE.sub(lambda match: _escape_span(match.group(1), colours), rendered)
        return _styled_escapes(marked, colours=colours)
    return _BIDI_CONTROLS.sub(lambda match: html.escape(clean_text(match.group())), rendered)


def plain_to_html(text: str, *, escapes: bool = False, colours: RenderColours = PRINT) -> str:
    """Escape text and keep its line breaks; ``escapes`` and ``colours`` as for ``markdown_to_html``."""
    if not escapes:
        return escape_text(clean_text(text)).replace("\n", "<br>")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _styled_escapes(text, escape_text, colours).replace("\n", "<br>")


def label_text(text: str) -> str:
    """Record text for a tooltip or label: as it is if Qt will show it as plain text, else as rich text.

    Qt reads a tooltip or label as rich text when its first line holds a tag or "&lt;" ("title
    <img src=…>"): such text, and text with control characters, comes back marked as rich text
    (``<qt>``), escaped, its control characters as styled escapes.
    """
    runs = visible_runs(text)
    if "<" not in text and "&lt;" not in text and runs == [(text, False)]:
        return text
    return f"<qt>{plain_to_html(text, escapes=True)}</qt>"


def _marked(text: str) -> str:
    """``text`` with each run of control characters as its escapes, between the parse marks."""
    return "".join(
        f"{_ESCAPE_OPEN}{piece}{_ESCAPE_CLOSE}" if escaped else piece for piece, escaped in visible_runs(text)
    )


def _styled_escapes(text: str, ordinary: Callable[[str], str] = str, colours: RenderColours = PRINT) -> str:
    """``text`` with every control character left in it as a styled escape, the rest through ``ordinary``."""
    return "".join(
        _escape_span(piece, colours) if escaped else ordinary(piece) for piece, escaped in visible_runs(text)
    )


def _escape_span(escapes: str, colours: RenderColours = PRINT) -> str:
    return f'<span style="{colours.escape_style}">{escapes}</span>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False escapes any raw HTML the model writes; images are disabled and links are
    # rendered as text, so nothing is ever fetched (remote or file:) or opened.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.disable("image")
    # No space inside the dollars and no digit right after: "$5 and $10" stays prose.
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    md.use(amsmath_plugin)
    md.inline.ruler.before("escape", "math_bracket", _bracket_math)
    md.core.ruler.after("inline", "math_display_blocks", _lift_display_math)
    md.core.ruler.push("cjk_context", _mark_cjk_context)
    for rule, renderer in _RULES.items():
        md.add_render_rule(rule, renderer)
    return md


def _too_deep(tokens: Sequence[Token], limit: int) -> bool:
    return any(token.level >= limit - 1 for token in tokens)


def _bracket_math(state: StateInline, silent: bool) -> bool:
    r"""``\(…\)`` inline and ``\[…\]`` display math, the delimiters Magistral often uses."""
    source, start = state.src, state.pos
    if source[start] != "\\" or start + 1 >= state.posMax or source[start + 1] not in "([":
        return False
    display = source[start + 1] == "["
    end = source.find("\\]" if display else "\\)", start + 2, state.posMax)
    if end < 0 or not source[start + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline_double" if display else "math_inline", "math", 0)
        token.content = source[start + 2 : end]
        token.markup = "\\[" if display else "\\("
    state.pos = end + 2
    return True


def _lift_display_math(state: StateCore) -> None:
    """Give display math written inside a paragraph its own block, splitting the paragraph."""
    tokens: list[Token] = []
    index = 0
    while index < len(state.tokens):
        token = state.tokens[index]
        inline = state.tokens[index + 1] if index + 1 < len(state.tokens) else None
        if (
            token.type == "paragraph_open"
            and inline is not None
            and inline.type == "inline"
            and any(child.type == "math_inline_double" for child in inline.children or ())
        ):
            closing = state.tokens[index + 2]
            tokens += _split_paragraph(token, inline, closing)
            index += 3
            continue
        tokens.append(token)
        index += 1
    state.tokens = tokens


def _split_paragraph(opening: Token, inline: Token, closing: Token) -> list[Token]:
    out: list[Token] = []
    segment: list[Token] = []

    def flush() -> None:
        while segment and _blank(segment[0]):
            segment.pop(0)
        while segment and _blank(segment[-1]):
            segment.pop()
        if segment:
            part = Token("inline", "", 0, children=list(segment), content=inline.content, level=inline.level)
            out.extend([opening.copy(), part, closing.copy()])
        segment.clear()

    for child in inline.children or ():
        if child.type == "math_inline_double":
            flush()
            block = Token("math_block", "math", 0, content=child.content, markup=child.markup, block=True)
            out.append(block)
        else:
            segment.append(child)
    flush()
    return out


def _blank(token: Token) -> bool:
    return token.type in ("softbreak", "hardbreak") or (token.type == "text" and not token.content.strip())


def _mark_cjk_context(state: StateCore) -> None:
    """Han text with no kana or hangul of its own follows its paragraph's language."""
    for token in state.tokens:
        if token.type == "inline" and token.children and has_cjk(token.content):
            variant = context_variant(token.content)
            for child in token.children:
                child.meta["cjk"] = variant


def _text(self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[index]
    return escape_text(token.content, token.meta.get("cjk"), env["colours"])


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return ""


def _link_close(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    """Write the address after the label as text: "label (https://…)", never a live link."""
    depth = 0
    for position in range(index - 1, -1, -1):
        token = tokens[position]
        if token.type == "link_close":
            depth += 1
        elif token.type == "link_open":
            if depth == 0:
                address = str(token.attrGet("href") or "")
                if token.markup == "autolink" or not address:
                    return ""  # the label already is the address
                return f" ({html.escape(address)})"
            depth -= 1
    return ""


def _fence(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    """A code block, without the class markdown-it would build from the model's info string."""
    return f"<pre><code>{html.escape(tokens[index].content)}</code></pre>\n"


def _math_inline(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return _math(tokens[index].content, display=False, colours=env["colours"])


def _math_display(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return _math(tokens[index].content, display=True, colours=env["colours"]) + "\n"


def _math(source: str, display: bool, colours: RenderColours) -> str:
    # A formula holding a control character is shown as its source, escapes and all.
    if _ESCAPE_OPEN in source:
        return source_html(source, display=display, colours=colours)
    return latex_to_html(source, display=display, colours=colours)


_RULES: dict[str, Any] = {
    "text": _text,
    "fence": _fence,
    "link_open": _link_open,
    "link_close": _link_close,
    "math_inline": _math_inline,
    # Display math left inside a heading or a table cell (not lifted out of a paragraph).
    "math_inline_double": _math_inline,
    "math_block": _math_display,
    "amsmath": _math_display,
}
