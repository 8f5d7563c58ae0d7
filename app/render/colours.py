"""The colours the shared rich-text renderer draws with: the printed report's, unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderColours:
    """Colours of the marks the renderer adds to text; the window passes its theme's."""

    escape: str = "#6b5300"  # a control character shown as its escape
    escape_background: str = "#fbeec5"
    math_label: str = "#5f6b7a"  # the "math" label on a formula shown as its source
    math_box: str = "#e9eef3"  # behind a formula shown as its source

    @property
    def escape_style(self) -> str:
        return f"color:{self.escape}; background-color:{self.escape_background};"


PRINT = RenderColours()
