"""LaTeX to Qt rich text: what a reader sees (toPlainText of a real QTextDocument) and the markup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from app.render.math import latex_to_html, source_html
from tests.fixtures.injection import markup_problems


def shown(fragment: str) -> str:
    """The text a reader sees once Qt has laid the fragment out (line breaks as newlines)."""
    document = QTextDocument()
    document.setHtml(fragment)
    return document.toPlainText()


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """QTextDocument needs an application object."""


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\frac{1}{2}", "1/2"),
        (r"\frac{a+b}{2}", "(a + b)/2"),
        (r"\frac{1}{2x}", "1/(2x)"),
        (r"\frac{\frac{a}{b}}{c}", "(a/b)/c"),
        (r"\frac{x^2}{2}", "x2/2"),
        (r"\dfrac{n(n+1)}{2}", "(n(n + 1))/2"),
        (r"\binom{n}{k}", "C(n, k)"),
    ],
)
def test_fractions_are_linear_with_parentheses_only_when_needed(latex: str, text: str) -> None:
    assert shown(latex_to_html(latex)) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\frac{1}{2}x", "(1/2)x"),
        (r"x\frac{1}{2}", "x(1/2)"),
        (r"\frac12\frac12", "(1/2)(1/2)"),
        (r"\frac{1}{2} + x", "1/2 + x"),
        (r"-\frac{1}{2}", "−1/2"),
    ],
)
def test_a_fraction_beside_a_factor_is_bracketed(latex: str, text: str) -> None:
    """1/2x would read as 1/(2x)."""
    assert shown(latex_to_html(latex)) == text


def test_integral_with_limits() -> None:
    rendered = latex_to_html(r"\int_0^1 x^2\,dx = \frac{1}{3}")
    assert "∫<sub>0</sub><sup>1</sup>" in rendered
    assert "<i>x</i><sup>2</sup>" in rendered
    assert shown(rendered) == "∫01 x2 dx = 1/3"


@pytest.mark.parametrize("display", [False, True])
def test_sum_with_limits_uses_scripts_inline_and_in_display(display: bool) -> None:
    rendered = latex_to_html(r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}", display=display)
    assert "∑<sub><i>k</i>=1</sub><sup><i>n</i></sup>" in rendered
    assert shown(rendered) == "∑k=1n k = (n(n + 1))/2"


def test_limits_written_with_limits_command_too() -> None:
    assert "∑<sub><i>i</i>=0</sub><sup>∞</sup>" in latex_to_html(
        r"\sum\limits_{i=0}^{\infty} a_i", display=True
    )


def test_greek_lowercase_italic_uppercase_upright() -> None:
    rendered = latex_to_html(r"\alpha + \beta = \Gamma \cdot \pi")
    assert rendered == '<span class="math"><i>α</i> + <i>β</i> = Γ · <i>π</i></span>'


def test_identifiers_italic_numbers_and_functions_upright() -> None:
    rendered = latex_to_html(r"\sin x + \log_2 n + 42")
    assert "sin <i>x</i>" in rendered and "log<sub>2</sub> <i>n</i>" in rendered and "+ 42" in rendered
    assert shown(rendered) == "sin x + log2 n + 42"


def test_operators_are_spaced_and_signs_are_not() -> None:
    assert shown(latex_to_html(r"-x+y\leq z\neq -1")) == "−x + y ≤ z ≠ −1"
    assert shown(latex_to_html(r"f(x, y) = x \times y")) == "f(x, y) = x × y"


def test_scripts_and_scripts_inside_scripts() -> None:
    assert latex_to_html("x_i^2") == '<span class="math"><i>x</i><sub><i>i</i></sub><sup>2</sup></span>'
    # Qt cannot raise text twice: the inner script uses superscript characters.
    assert shown(latex_to_html("e^{x^2}")) == "ex²"
    assert shown(latex_to_html("2^{2^{n}}")) == "22ⁿ"
    assert shown(latex_to_html(r"e^{x^{\alpha}}")) == "ex^α"
    assert shown(latex_to_html("f'(x)")) == "f′(x)"


def test_roots() -> None:
    assert shown(latex_to_html(r"\sqrt{x}")) == "√x"
    assert shown(latex_to_html(r"\sqrt{x^2+1}")) == "√(x2 + 1)"
    assert shown(latex_to_html(r"\sqrt[3]{8}")) == "∛8"
    assert latex_to_html(r"\sqrt[n]{x}") == '<span class="math"><sup><i>n</i></sup>√<i>x</i></span>'


def test_accents_are_combining_characters() -> None:
    assert shown(latex_to_html(r"\hat{x} + \vec{v} + \dot{y}")) == "x\u0302 + v\u20d7 + \u1e8f"
    assert shown(latex_to_html(r"\bar{a}")) == "ā"  # precomposed when Unicode has it
    assert shown(latex_to_html(r"\overline{AB}")) == "A\u0305B\u0305"
    assert shown(latex_to_html(r"a \not= b")) == "a ≠ b"


def test_text_is_upright_and_escaped() -> None:
    rendered = latex_to_html(r"\text{if } x > 0")
    assert rendered == '<span class="math">if&nbsp;<i>x</i> &gt; 0</span>'
    assert shown(rendered) == "if x > 0"


def test_matrix_inline_is_one_line_and_display_has_a_line_per_row() -> None:
    matrix = r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"
    assert shown(latex_to_html(matrix)) == "(1  2; 3  4)"
    display = latex_to_html(matrix, display=True)
    assert shown(display).splitlines() == ["⎛1  2⎞", "⎝3  4⎠"]
    three = latex_to_html(r"\begin{bmatrix} a \\ b \\ c \end{bmatrix}", display=True)
    assert shown(three).splitlines() == ["⎡a⎤", "⎢b⎥", "⎣c⎦"]


def test_matrices_side_by_side_share_their_lines() -> None:
    product = latex_to_html(
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}\begin{pmatrix} x \\ y \end{pmatrix} = 0", display=True
    )
    assert shown(product).splitlines() == ["⎛1  2⎞  ⎛x⎞", "⎝3  4⎠  ⎝y⎠", "= 0"]


def test_cases_and_aligned_rows_are_lines() -> None:
    cases = latex_to_html(r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}", display=True)
    assert shown(cases).splitlines() == ["f(x) =", "⎧1  x > 0", "⎩0  otherwise"]
    aligned = latex_to_html(r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}", display=True)
    assert shown(aligned).splitlines() == ["a = b + c", "d = e"]


def test_display_math_is_a_centred_left_to_right_block() -> None:
    document = QTextDocument()
    document.setHtml("<p>before</p>" + latex_to_html(r"E = mc^2", display=True) + "<p>after</p>")
    block = document.findBlockByNumber(1)
    assert block.text() == "E = mc2"
    assert block.blockFormat().alignment() & Qt.AlignmentFlag.AlignHCenter
    assert block.blockFormat().layoutDirection() == Qt.LayoutDirection.LeftToRight


@pytest.mark.parametrize(
    "latex",
    [
        r"\frac{1}",
        r"\frac",
        "x^",
        r"\begin{matrix} 1",
        r"\end{matrix}",
        r"\left(",
        "{a",
        "a}",
        r"\input{/etc/passwd}",
        r"\include{secret}",
        r"\includegraphics{x.png}",
        r"\href{javascript:alert(1)}{x}",
        r"\url{file:///etc/passwd}",
        r"\newcommand{\x}{y}",
        r"\unknowncommand{x}",
        r"\text{<b>bold</b>}",
        "{" * 10_000 + "x" + "}" * 10_000,
        r"\sqrt" * 5_000 + "x",
        "x+" * 5_000 + "x",
    ],
)
def test_what_cannot_be_shown_is_its_source_labelled_math(latex: str) -> None:
    for display in (False, True):
        rendered = latex_to_html(latex, display=display)
        assert rendered == source_html(latex, display=display)
        assert "<code>" in rendered and "<sup>" not in rendered and "<i>" not in rendered
        text = shown(rendered)
        assert text.startswith("math")
        assert " ".join(latex.split())[:200] in " ".join(text.split())
        assert markup_problems(rendered) == []


def test_source_is_escaped() -> None:
    rendered = source_html(r"\text{<script>alert(1)</script>}")
    assert "<script" not in rendered and "&lt;script&gt;" in rendered


@pytest.mark.parametrize(
    "latex",
    [
        r"\frac{a+b}{2}",
        r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}",
        r"\begin{align} a &= b \\ c &= d \end{align}",
        r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
        r"\boxed{42}",
        r"\mathbb{R} \subseteq \mathbb{C}",
        r"\cancel{x}",
        r"\color{red}{x}",
    ],
)
def test_rendered_math_uses_only_the_allowed_markup(latex: str) -> None:
    for display in (False, True):
        rendered = latex_to_html(latex, display=display)
        assert "<code>" not in rendered, "this formula is supported"
        assert markup_problems(rendered) == []


_LATEX_ALPHABET = st.sampled_from(
    [
        *["x", "y", "1", "2", "+", "-", "=", "<", ">", "&", "^", "_", "{", "}", "(", ")", " ", "$", '"'],
        *[r"\frac", r"\sqrt", r"\alpha", r"\sum", r"\int", r"\text", r"\begin{pmatrix}", r"\end{pmatrix}"],
        *[r"\hat", r"\left(", r"\right)", r"\href", r"\input", "<script>", "&amp;", r"\\", r"\not"],
    ]
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(_LATEX_ALPHABET, max_size=30).map("".join), st.booleans())
def test_any_input_renders_to_allowed_markup(latex: str, display: bool) -> None:
    rendered = latex_to_html(latex, display=display)
    assert markup_problems(rendered) == []
    assert "<script" not in rendered
