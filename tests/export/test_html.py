from __future__ import annotations

import pytest

from app.export.html import markdown_to_html, plain_to_html

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
