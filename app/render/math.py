"""LaTeX math as the small HTML subset Qt's rich text draws.

Qt's rich text has no MathML and no stacked layout, so formulas are written linearly:
italic identifiers, ``<sup>``/``<sub>`` scripts, ``(a + b)/2`` fractions, ``√(…)`` roots,
accents as combining characters, matrix and aligned rows on separate lines. latex2mathml
does the parsing; this module walks its MathML and refuses anything it does not know.

Model output is untrusted. Whatever cannot be shown faithfully — a parse error, an unknown
command such as ``\\input``, a link (``\\href``), unbalanced or absurdly deep braces — is
shown as its LaTeX source in monospace, labelled "math", never as broken markup.
"""

from __future__ import annotations

import copy
import html
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from latex2mathml.converter import convert

from app.render.colours import PRINT, RenderColours

MAX_SOURCE_CHARS = 4000
MAX_BRACE_DEPTH = 40
MAX_ELEMENT_DEPTH = 120

_BINARY = frozenset("+−-×÷·±∓∪∩∘∙⊕⊗⊖⊙∧∨∖⋅∗⋆⋄≀⊔⊓")
_RELATION = frozenset("=<>≤≥≠≈≡∼≃≅∝→←↔⇒⇐⇔↦∈∉∋⊂⊃⊆⊇⊊⊋≪≫⟶⟵⟹⟸⟺∣∥⊥≺≻≼≽≔≐≑≲≳⊢⊨∽≍:≮≯≰≱≢∌⊄⊅⊈⊉≁≄≇≉∤∦")
_OPEN = frozenset("([{⟨⌈⌊")
_CLOSE = frozenset(")]}⟩⌉⌋!")
_PUNCTUATION = frozenset(",;")
_LARGE = frozenset("∑∏∐∫∬∭∮∯∰⋃⋂⨁⨂⨀⋀⋁")
_PRIMES = frozenset("′″‴⁗'")
_KINDS = (
    ("bin", _BINARY),
    ("rel", _RELATION),
    ("open", _OPEN),
    ("close", _CLOSE),
    ("punct", _PUNCTUATION),
    ("op", _LARGE),
)
# Scripts inside scripts, where Qt cannot raise or lower text any further.
_SUPERSCRIPTS = dict(zip("0123456789+−-=()niT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+−-=()aeoxijknmt", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓᵢⱼₖₙₘₜ", strict=True))
# Stretchy decorations drawn over or under a whole group: the group alone carries the meaning.
_DECORATIONS = frozenset("⏞⏟⏜⏝⎴⎵")

# Accents over a symbol, as the combining character that draws them.
_ACCENTS = {
    "^": "\u0302",
    "ˆ": "\u0302",
    "¯": "\u0304",
    "‾": "\u0305",
    "―": "\u0305",
    "→": "\u20d7",
    "⃗": "\u20d7",
    "←": "\u20d6",
    "↔": "\u20e1",
    "˙": "\u0307",
    "¨": "\u0308",
    "~": "\u0303",
    "˜": "\u0303",
    "ˇ": "\u030c",
    "´": "\u0301",
    "`": "\u0300",
    "˘": "\u0306",
    "˚": "\u030a",
}
_OVERLINES = frozenset({"\u0304", "\u0305"})

# Fences split into pieces, one per row, when they enclose several rows: (top, between, bottom).
_TALL_FENCES = {
    "(": ("⎛", "⎜", "⎝"),
    ")": ("⎞", "⎟", "⎠"),
    "[": ("⎡", "⎢", "⎣"),
    "]": ("⎤", "⎥", "⎦"),
    "|": ("|", "|", "|"),
    "‖": ("‖", "‖", "‖"),
    "⌈": ("⎡", "⎢", "⎢"),
    "⌉": ("⎤", "⎥", "⎥"),
    "⌊": ("⎢", "⎢", "⎣"),
    "⌋": ("⎥", "⎥", "⎦"),
}

_LABEL = '<span style="color:{};"><small>math</small></span>'
# Every text in a formula is escaped ("<" as "&lt;"): this opening tag can only be the box's own.
_BOX_OPEN = '<span style="background-color:{};">'
_BOX = _BOX_OPEN.format(PRINT.math_box) + "&nbsp;{}&nbsp;</span>"
# Qt collapses Unicode spaces (em, thin) like ASCII ones; only non-breaking spaces keep a width.
_GAP = "&nbsp;&nbsp;"
_BARE_AMPERSAND = re.compile(r"&(?!#x?[0-9a-fA-F]+;|[a-zA-Z][a-zA-Z0-9]*;)")


class _Unsupported(Exception):
    """The formula uses something that cannot be shown faithfully."""


@dataclass(frozen=True)
class _Piece:
    html: str
    kind: str = "ord"  # ord, unary, bin, rel, open, close, punct, op, space
    atomic: bool = True  # can be a script's base or a fraction's part without parentheses
    lines: tuple[str, ...] = ()  # several lines: a matrix or cases in display math
    fraction: bool = False  # a/b: needs parentheses when a factor stands beside it


def latex_to_html(source: str, *, display: bool = False, colours: RenderColours = PRINT) -> str:
    """Render one formula; falls back to its source, labelled, when it cannot be shown."""
    try:
        body = _convert(source, display)
    except _Unsupported:
        return source_html(source, display=display, colours=colours)
    if colours.math_box != PRINT.math_box:
        body = body.replace(_BOX_OPEN.format(PRINT.math_box), _BOX_OPEN.format(colours.math_box))
    if display:
        return f'<p class="math" align="center" dir="ltr">{body}</p>'
    return f'<span class="math">{body}</span>'


def source_html(source: str, *, display: bool = False, colours: RenderColours = PRINT) -> str:
    """The formula's LaTeX as inert monospace text, labelled as math."""
    label = _LABEL.format(colours.math_label)
    if display:
        lines = "<br>".join(html.escape(line) for line in source.strip().split("\n"))
        return f'<p class="math-source" dir="ltr">{label}<br><code>{lines}</code></p>'
    return f"{label}&nbsp;<code>{html.escape(' '.join(source.split()))}</code>"


def _convert(source: str, display: bool) -> str:
    source = source.strip()
    if not source or len(source) > MAX_SOURCE_CHARS or not _braces_ok(source):
        raise _Unsupported
    try:
        mathml = convert(source, display="block" if display else "inline")
        root = ElementTree.fromstring(_BARE_AMPERSAND.sub("&amp;", mathml))
    except Exception as error:  # latex2mathml raises many kinds of error on malformed input
        raise _Unsupported from error
    _check_tree(root)
    try:
        rendered = _Renderer(display).row(list(root)).html
    except RecursionError as error:
        raise _Unsupported from error
    if not re.sub(r"<[^>]*>|&nbsp;|\s", "", rendered):
        raise _Unsupported  # e.g. only \newcommand: nothing would be shown
    return rendered


def _braces_ok(source: str) -> bool:
    """Balanced, not too deep: latex2mathml silently repairs unbalanced braces."""
    depth = 0
    escaped = False
    for char in source:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
            if depth > MAX_BRACE_DEPTH:
                return False
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _check_tree(root: ElementTree.Element) -> None:
    """Refuse links, resources and overly deep trees before rendering anything."""
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_ELEMENT_DEPTH:
            raise _Unsupported
        for name in element.attrib:
            if _local(name) in ("href", "src", "altimg", "definitionURL") or "xlink" in name:
                raise _Unsupported
        stack.extend((child, depth + 1) for child in element)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ElementTree.Element) -> str:
    if len(element):
        raise _Unsupported  # markup inside a token element, e.g. \text{<b>}
    text = element.text or ""
    if re.match(r"\\[A-Za-z]", text):
        raise _Unsupported  # a command latex2mathml did not know, e.g. \input or \includegraphics
    return text


class _Renderer:
    """Walks latex2mathml's MathML; ``scripts`` counts the sub- and superscripts it is inside."""

    def __init__(self, display: bool) -> None:
        self.display = display
        self.scripts = 0

    def row(self, elements: list[ElementTree.Element]) -> _Piece:
        """Children side by side, with spaces around operators as TeX would put them.

        Multi-line pieces (matrices, cases in display math) get lines of their own; two of
        the same height side by side (a matrix times a vector) are joined line by line.
        """
        pieces = _bracket_fractions(self._pieces(elements))
        lines: list[str] = []
        current: list[str] = []
        block: list[str] | None = None
        previous: str | None = None
        for piece in pieces:
            if piece.lines:
                if current:
                    lines.append("".join(current))
                    current, previous = [], None
                if block is not None and len(block) == len(piece.lines):
                    block = [left + _GAP + right for left, right in zip(block, piece.lines, strict=True)]
                else:
                    lines.extend(block or ())
                    block = list(piece.lines)
                continue
            if block is not None:
                if piece.kind == "space":
                    continue
                lines.extend(block)
                block = None
            kind = piece.kind
            if kind == "bin" and previous in (None, "unary", "bin", "rel", "open", "punct", "op"):
                kind = "unary"  # a sign, as in −x
            if previous is not None and not self.scripts and _gap(previous, kind):
                current.append(" ")
            current.append(piece.html)
            if kind != "space":
                previous = kind
        lines.extend(block or ())
        if current:
            lines.append("".join(current))
        if len(lines) > 1 or block is not None:
            return _Piece("<br>".join(lines), "ord", False, tuple(lines))
        text = "".join(lines)
        visible = [piece for piece in pieces if piece.kind != "space"]
        if len(visible) == 1:
            return _Piece(text, visible[0].kind, visible[0].atomic)
        fenced = (
            len(visible) >= 2
            and visible[0].kind == "open"
            and visible[-1].kind == "close"
            and all(piece.kind not in ("open", "close") for piece in visible[1:-1])
        )
        return _Piece(text, "ord", fenced)

    def _pieces(self, elements: list[ElementTree.Element]) -> list[_Piece]:
        pieces: list[_Piece] = []
        index = 0
        while index < len(elements):
            element = elements[index]
            tag = _local(element.tag)
            following = elements[index + 1] if index + 1 < len(elements) else None
            # A matrix or cases between fences: the fences are drawn row by row.
            if (
                tag == "mo"
                and _fence(element, _OPEN)
                and following is not None
                and _local(following.tag) == "mtable"
            ):
                after = elements[index + 2] if index + 2 < len(elements) else None
                closing = after if after is not None and _fence(after, _CLOSE) else None
                right = _text(closing) if closing is not None else ""
                pieces.append(self.table(following, _text(element), right))
                index += 3 if closing is not None else 2
                continue
            # \binom: a fraction without a bar between parentheses.
            if (
                tag == "mo"
                and _text(element) == "("
                and following is not None
                and _local(following.tag) == "mfrac"
                and following.get("linethickness") == "0"
                and index + 2 < len(elements)
            ):
                pieces.append(self.node(following))
                index += 3
                continue
            # \not: a zero-width slash before a relation becomes a combining stroke.
            if tag == "mpadded" and "".join(element.itertext()) == "⧸" and following is not None:
                struck = copy.deepcopy(following)
                _mark_leaves(struck, "\u0338", every_char=False)
                pieces.append(self.node(struck))
                index += 2
                continue
            pieces.append(self.node(element))
            index += 1
        return pieces

    def node(self, element: ElementTree.Element) -> _Piece:
        handler = getattr(self, f"_{_local(element.tag)}", None)
        if handler is None:
            raise _Unsupported
        piece: _Piece = handler(element)
        return piece

    # Token elements.

    def _mi(self, element: ElementTree.Element) -> _Piece:
        text = _text(element)
        if text == "&":
            return _Piece("", "space")  # alignment mark in aligned environments
        escaped = html.escape(text)
        if len(text) > 1 and text.isalpha():
            return _Piece(escaped, "op")  # sin, log, mod: upright, spaced from their argument
        upright = element.get("mathvariant") == "normal"
        if _italic(_base_char(text)) and not upright:
            return _Piece(f"<i>{escaped}</i>")
        return _Piece(escaped)

    def _mn(self, element: ElementTree.Element) -> _Piece:
        return _Piece(html.escape(_text(element)))

    def _mo(self, element: ElementTree.Element) -> _Piece:
        text = _text(element)
        escaped = html.escape(text)
        if len(text) > 1 and text.isalpha():
            return _Piece(escaped, "op")  # lim, max, gcd
        symbol = _base_char(text)
        for kind, symbols in _KINDS:
            if symbol in symbols:
                return _Piece(escaped, kind)
        return _Piece(escaped)

    def _mtext(self, element: ElementTree.Element) -> _Piece:
        if len(element):
            raise _Unsupported
        return _Piece(html.escape(element.text or "").replace("\u00a0", "&nbsp;"))

    _ms = _mtext

    def _mspace(self, element: ElementTree.Element) -> _Piece:
        if element.get("linebreak") == "newline":
            return _Piece("<br>" if self.display and not self.scripts else "; ", "space")
        match = re.fullmatch(r"(\d*\.?\d+)em", element.get("width", ""))
        if match is None:
            return _Piece("", "space")  # negative or named widths: no space
        ems = float(match.group(1))
        if ems >= 0.9:
            return _Piece(_GAP * max(1, round(ems)), "space")  # \quad, \qquad
        return _Piece(" ", "space")

    # Layout elements.

    def _mrow(self, element: ElementTree.Element) -> _Piece:
        return self.row(list(element))

    _math = _mrow
    _mstyle = _mrow
    _mpadded = _mrow

    def _mphantom(self, element: ElementTree.Element) -> _Piece:
        return _Piece("", "space")

    def _menclose(self, element: ElementTree.Element) -> _Piece:
        inner = self.row(list(element))
        notation = element.get("notation", "")
        if "box" in notation:
            return _Piece(_BOX.format(inner.html))
        if "strike" in notation:
            return _Piece(f"<s>{inner.html}</s>", inner.kind, inner.atomic)
        return inner

    def _msup(self, element: ElementTree.Element) -> _Piece:
        base, script = _children(element, 2)
        return self._scripted(base, None, script)

    def _msub(self, element: ElementTree.Element) -> _Piece:
        base, script = _children(element, 2)
        return self._scripted(base, script, None)

    def _msubsup(self, element: ElementTree.Element) -> _Piece:
        base, lower, upper = _children(element, 3)
        return self._scripted(base, lower, upper)

    _munderover = _msubsup

    def _munder(self, element: ElementTree.Element) -> _Piece:
        base, lower = _children(element, 2)
        if _decoration(lower):
            return self.node(base)
        return self._scripted(base, lower, None)

    def _mover(self, element: ElementTree.Element) -> _Piece:
        base, upper = _children(element, 2)
        if _decoration(upper):
            return self.node(base)
        mark = _ACCENTS.get("".join(upper.itertext()).strip()) if _local(upper.tag) == "mo" else None
        if mark is not None and _plain_leaves(base):
            accented = copy.deepcopy(base)
            _mark_leaves(accented, mark, every_char=mark in _OVERLINES)
            return self.node(accented)
        return self._scripted(base, None, upper)

    def _scripted(
        self,
        base: ElementTree.Element,
        lower: ElementTree.Element | None,
        upper: ElementTree.Element | None,
    ) -> _Piece:
        core = self.node(base)
        text = core.html if core.atomic else f"({core.html})"
        if lower is not None:
            text += self._script(lower, _SUBSCRIPTS, "sub", "_")
        if upper is not None:
            upper_text = "".join(upper.itertext())
            if upper_text and all(char in _PRIMES for char in upper_text):
                text += html.escape(upper_text)  # f′ rather than a raised prime
            else:
                text += self._script(upper, _SUPERSCRIPTS, "sup", "^")
        return _Piece(text, core.kind if core.kind in ("op", "close") else "ord")

    def _script(self, element: ElementTree.Element, characters: dict[str, str], tag: str, sign: str) -> str:
        """A script; inside another script Qt cannot raise it further, so use ² or ^(…)."""
        if self.scripts:
            plain = "".join(element.itertext())
            if plain and all(char in characters for char in plain):
                return "".join(characters[char] for char in plain)
        self.scripts += 1
        try:
            inner = self.node(element)
        finally:
            self.scripts -= 1
        if self.scripts:
            return f"{sign}{inner.html}" if inner.atomic else f"{sign}({inner.html})"
        return f"<{tag}>{inner.html}</{tag}>"

    def _mfrac(self, element: ElementTree.Element) -> _Piece:
        top, bottom = (self.node(part) for part in _children(element, 2))
        if top.lines or bottom.lines:
            raise _Unsupported
        if element.get("linethickness") == "0":
            return _Piece(f"C({top.html}, {bottom.html})")  # \binom
        numerator = top.html if top.atomic else f"({top.html})"
        denominator = bottom.html if bottom.atomic else f"({bottom.html})"
        return _Piece(f"{numerator}/{denominator}", "ord", atomic=False, fraction=True)

    def _msqrt(self, element: ElementTree.Element) -> _Piece:
        inner = self.row(list(element))
        return _Piece("√" + (inner.html if inner.atomic else f"({inner.html})"))

    def _mroot(self, element: ElementTree.Element) -> _Piece:
        radicand, index = _children(element, 2)
        inner = self.node(radicand)
        degree = "".join(index.itertext()).strip()
        sign = {"3": "∛", "4": "∜"}.get(degree) or self._script(index, _SUPERSCRIPTS, "sup", "^") + "√"
        return _Piece(sign + (inner.html if inner.atomic else f"({inner.html})"))

    def _mtable(self, element: ElementTree.Element) -> _Piece:
        return self.table(element, "", "")

    def table(self, element: ElementTree.Element, left: str, right: str) -> _Piece:
        """Rows on lines of their own in display math, fences drawn piece by piece; else ``a b; c d``."""
        rows: list[list[str]] = []
        aligned = element.get("columnspacing") is not None  # align, gather: a row reads as one line
        for row in element:
            if _local(row.tag) not in ("mtr", "mlabeledtr"):
                raise _Unsupported
            cells = []
            for cell in row:
                if _local(cell.tag) != "mtd":
                    raise _Unsupported
                piece = self.row(list(cell))
                if piece.lines:
                    raise _Unsupported  # a table inside a table cell
                cells.append(piece.html)
            rows.append(cells)
        separator = " " if aligned else _GAP
        lines = [separator.join(cells) for cells in rows]
        if not self.display or self.scripts or len(lines) < 2:
            inner = "; ".join(lines)
            return _Piece(f"{html.escape(left)}{inner}{html.escape(right)}", "ord", bool(left and right))
        count = len(lines)
        framed = tuple(
            _fence_piece(left, number, count, True) + line + _fence_piece(right, number, count, False)
            for number, line in enumerate(lines)
        )
        return _Piece("<br>".join(framed), "ord", False, framed)


def _fence_piece(fence: str, row: int, rows: int, opening: bool) -> str:
    if not fence:
        return ""
    if fence in ("{", "}"):
        top, middle, bottom, extension = ("⎧", "⎨", "⎩", "⎪") if opening else ("⎫", "⎬", "⎭", "⎪")
        if row == 0:
            return top
        if row == rows - 1:
            return bottom
        return middle if row == rows // 2 else extension
    top, extension, bottom = _TALL_FENCES.get(fence, (fence, fence, fence))
    piece = top if row == 0 else bottom if row == rows - 1 else extension
    return html.escape(piece)


def _bracket_fractions(pieces: list[_Piece]) -> list[_Piece]:
    """(1/2)x, not 1/2x, which reads as 1/(2x): a fraction beside a factor gets parentheses."""
    visible = [index for index, piece in enumerate(pieces) if piece.kind != "space"]
    out = list(pieces)
    for position, index in enumerate(visible):
        piece = pieces[index]
        if not piece.fraction:
            continue
        before = pieces[visible[position - 1]] if position > 0 else None
        after = pieces[visible[position + 1]] if position + 1 < len(visible) else None
        if (before is not None and before.kind in ("ord", "close") and not before.lines) or (
            after is not None and after.kind in ("ord", "open", "op") and not after.lines
        ):
            out[index] = _Piece(f"({piece.html})", "ord", atomic=True)
    return out


def _gap(previous: str, current: str) -> bool:
    if current == "space" or previous == "space":
        return False
    if current == "rel" or previous == "rel":
        return previous != "open" and current != "close"
    if current == "bin" or previous == "bin":
        return True
    if previous == "punct":
        return True
    return previous == "op" and current not in ("open", "close", "punct")


def _italic(char: str) -> bool:
    """Latin letters and lowercase Greek are italic in math; capitals of Greek are upright."""
    if len(char) != 1:
        return False
    return ("a" <= char <= "z") or ("A" <= char <= "Z") or ("α" <= char <= "ω") or char in "ϑϕϖϵϱς"


def _base_char(text: str) -> str:
    """The symbol itself when it carries combining marks (x̂ is x), else the text unchanged."""
    stripped = "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))
    return stripped if len(stripped) == 1 else text


def _fence(element: ElementTree.Element, fences: frozenset[str]) -> bool:
    return _local(element.tag) == "mo" and ("".join(element.itertext()) in fences | {"|", "‖"})


def _children(element: ElementTree.Element, count: int) -> list[ElementTree.Element]:
    children = list(element)
    if len(children) != count:
        raise _Unsupported  # e.g. \frac{1} with its denominator missing
    return children


def _decoration(element: ElementTree.Element) -> bool:
    return _local(element.tag) == "mo" and "".join(element.itertext()).strip() in _DECORATIONS


def _plain_leaves(element: ElementTree.Element) -> bool:
    """A symbol or a row of symbols: something a combining accent can sit on."""
    tag = _local(element.tag)
    if tag in ("mi", "mn", "mo", "mtext"):
        return not len(element) and bool(element.text)
    return tag == "mrow" and len(element) > 0 and all(_plain_leaves(child) for child in element)


def _mark_leaves(element: ElementTree.Element, mark: str, every_char: bool) -> None:
    """Put a combining mark on every character, or after the last one."""
    leaves = [
        node for node in element.iter() if _local(node.tag) in ("mi", "mn", "mo", "mtext") and node.text
    ]
    # NFC turns = with a stroke into ≠ and a with a circumflex into â, drawn better than overlays.
    if every_char:
        for leaf in leaves:
            leaf.text = unicodedata.normalize("NFC", "".join(char + mark for char in leaf.text or ""))
    elif leaves:
        leaves[-1].text = unicodedata.normalize("NFC", (leaves[-1].text or "") + mark)
