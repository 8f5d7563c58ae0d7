"""How many words a text has, as ``str.split`` counts them: counted once per text.

A reasoning trace is counted where it is shown (its pane's caption, its turn's link in the
conversation), and one count of a 100,000-word trace takes longer than a frame. The counts of
the texts counted last are kept; a trace counted piece by piece as it streamed
(``RunningCount``) is told here (``remember``) instead of being counted again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

KEPT = 16  # texts whose counts are kept, the most recently used

_lock = threading.Lock()
_counts: OrderedDict[str, int] = OrderedDict()


def word_count(text: str) -> int:
    """``len(text.split())``, from the kept counts when this text was counted lately."""
    with _lock:
        count = _counts.get(text)
        if count is not None:
            _counts.move_to_end(text)
            return count
    count = len(text.split())
    remember(text, count)
    return count


def remember(text: str, count: int) -> None:
    """Keep ``count`` as the word count of ``text`` (counted elsewhere, e.g. as it streamed)."""
    with _lock:
        _counts[text] = count
        _counts.move_to_end(text)
        while len(_counts) > KEPT:
            _counts.popitem(last=False)


class RunningCount:
    """The words of a text that arrives in pieces, counted as each piece arrives.

    A word cut between two pieces counts once.
    """

    def __init__(self) -> None:
        self.words = 0
        self.length = 0  # characters seen
        self._in_word = False  # the last character seen was part of a word

    def feed(self, piece: str) -> None:
        if not piece:
            return
        words = len(piece.split())
        if words and self._in_word and not piece[0].isspace():
            words -= 1  # the first word of this piece continues the last one
        self.words += words
        self.length += len(piece)
        self._in_word = not piece[-1].isspace()
