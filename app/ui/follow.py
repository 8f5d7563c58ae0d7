"""Keep a text pane on its newest line while the reader is there; leave it where the reader went.

A pane's text grows (a live answer, a trace) or is laid out again (a finished turn rendered in
full), and its layout may finish after the call that changed it: scrolling once to the end at that
moment can stop short. Following the scroll bar's range instead keeps the end in view whenever it
moves, for as long as the reader has not scrolled away.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractScrollArea

# Within this many pixels of the end, the reader is at the end (a wheel step is larger).
SLACK = 4


class BottomFollower(QObject):
    """Follows the end of ``area``'s text while the reader is at the end.

    ``follow()`` goes to the end and follows (a turn started: the reader wants its output);
    scrolling away stops following, scrolling back to the end starts it again.
    """

    def __init__(self, area: QAbstractScrollArea, slack: int = SLACK) -> None:
        super().__init__(area)
        self._bar = area.verticalScrollBar()
        self._slack = slack  # in the scroll bar's units: pixels, or lines for a plain text edit
        self.following = True
        self._replacing = False
        self._pending: int | None = None  # where the reader was, until the new text reaches it
        self._bar.rangeChanged.connect(self._on_bar_range_changed)
        self._bar.valueChanged.connect(self._on_bar_value_changed)

    def at_end(self) -> bool:
        return self._bar.value() >= self._bar.maximum() - self._slack

    def follow(self) -> None:
        """Go to the end and stay there as the text grows."""
        self.following = True
        self._pending = None
        self._bar.setValue(self._bar.maximum())

    def stop(self) -> None:
        """Stay where the reader is, or at the top of new text (a finished turn chosen to read)."""
        self.following = False
        self._pending = None

    @contextmanager
    def replacing(self) -> Iterator[None]:
        """All the text is being replaced: then be at the end if following, else where the reader was."""
        kept = self._bar.value()
        self._replacing = True
        try:
            yield
        finally:
            self._replacing = False
            if self.following:
                self._bar.setValue(self._bar.maximum())
            else:
                # The new text may still be laid out: go back there once it is long enough.
                self._pending = kept if kept > self._bar.maximum() else None
                self._bar.setValue(kept)

    def _on_bar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self.following:
            self._bar.setValue(maximum)
        elif self._pending is not None:
            pending = self._pending
            if maximum >= pending:
                self._pending = None
            self._bar.setValue(min(pending, maximum))

    def _on_bar_value_changed(self, value: int) -> None:
        # A replaced text passes through empty (the top): that is not the reader scrolling.
        if not self._replacing and self._pending is None:
            self.following = value >= self._bar.maximum() - self._slack
