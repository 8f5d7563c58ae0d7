"""Markdown to safe HTML: no raw HTML, no images or other fetched resources, no scripts."""

from __future__ import annotations

import html
from functools import lru_cache

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False escapes any raw HTML the model writes; images are disabled so nothing
    # is ever fetched (remote or file:), and markdown-it's own link validation drops
    # javascript:, vbscript:, file: and data: links.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.disable("image")
    return md


def markdown_to_html(text: str) -> str:
    return _parser().render(text)


def plain_to_html(text: str) -> str:
    """Escape text and keep its line breaks."""
    return html.escape(text).replace("\n", "<br>")
