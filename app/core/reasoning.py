"""Split a model's streamed output into reasoning and answer.

Reasoning models wrap their chain of thought in tags: Magistral uses the control
tokens ``[THINK]``/``[/THINK]``, Qwen3 and the DeepSeek-R1 distills ``<think>``/``</think>``.
Text arrives in arbitrary chunks, so a tag may be split across chunks; the splitter
holds back only the shortest suffix that could still become a tag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

TagPair = tuple[str, str]

MAGISTRAL_TAGS: TagPair = ("[THINK]", "[/THINK]")
XML_TAGS: TagPair = ("<think>", "</think>")
DEFAULT_TAGS: tuple[TagPair, ...] = (MAGISTRAL_TAGS, XML_TAGS)


@dataclass(frozen=True)
class Split:
    """Text released by one step of the splitter."""

    reasoning: str = ""
    answer: str = ""

    def __bool__(self) -> bool:
        return bool(self.reasoning or self.answer)


@dataclass
class ReasoningSplitter:
    """Incrementally separate reasoning blocks from the answer.

    Several think blocks may occur; text between and after them is answer.
    An unclosed block at the end (cancelled, out of tokens) stays reasoning.
    ``start_in_reasoning`` is for templates whose prompt already opens the block.
    """

    tags: tuple[TagPair, ...] = DEFAULT_TAGS
    start_in_reasoning: bool = False
    _buffer: str = field(default="", init=False)
    _close_tag: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.start_in_reasoning:
            self._close_tag = self.tags[0][1]

    @property
    def in_reasoning(self) -> bool:
        return self._close_tag is not None

    def feed(self, chunk: str) -> Split:
        """Consume a chunk and return whatever text is now certain."""
        self._buffer += chunk
        reasoning: list[str] = []
        answer: list[str] = []
        while self._buffer:
            if self._close_tag is not None:
                wanted: tuple[str, ...] = (self._close_tag,)
            else:
                wanted = tuple(open_tag for open_tag, _ in self.tags)
            index, tag = _find_first(self._buffer, wanted)
            if tag is None:
                keep = _partial_suffix_length(self._buffer, wanted)
                ready = self._buffer[: len(self._buffer) - keep]
                self._buffer = self._buffer[len(self._buffer) - keep :]
                (reasoning if self._close_tag is not None else answer).append(ready)
                break
            (reasoning if self._close_tag is not None else answer).append(self._buffer[:index])
            self._buffer = self._buffer[index + len(tag) :]
            if self._close_tag is not None:
                self._close_tag = None
            else:
                self._close_tag = dict(self.tags)[tag]
        return Split("".join(reasoning), "".join(answer))

    def flush(self) -> Split:
        """Release held-back text at the end of the stream."""
        rest, self._buffer = self._buffer, ""
        if self._close_tag is not None:
            return Split(reasoning=rest)
        return Split(answer=rest)


def split_text(text: str, tags: tuple[TagPair, ...] = DEFAULT_TAGS) -> tuple[str, str]:
    """Split a complete output into (reasoning, answer)."""
    splitter = ReasoningSplitter(tags)
    first = splitter.feed(text)
    last = splitter.flush()
    return first.reasoning + last.reasoning, first.answer + last.answer


def reasoning_spans(
    text: str, *, start_in_reasoning: bool = False, tags: tuple[TagPair, ...] = DEFAULT_TAGS
) -> list[tuple[int, int]]:
    """Where reasoning lies in a complete output, its tags included: ``(start, end)`` pairs.

    The blocks the splitter finds: everything outside them is what it calls the answer.
    """
    return [(max(start, 0), min(stop, len(text))) for start, stop in _blocks(text, start_in_reasoning, tags)]


def count_reasoning_tokens(
    pieces: Iterable[tuple[int, str]],
    *,
    start_in_reasoning: bool = False,
    tags: tuple[TagPair, ...] = DEFAULT_TAGS,
) -> int:
    """How many of a stream's tokens are reasoning.

    ``pieces`` are ``(tokens, text)`` in order: ``text`` is what those tokens produced together
    (a token whose bytes end inside a character produces its text with the next one). Tokens
    are reasoning when their text has any of a reasoning block in it, tags included: so the
    token that closes the block is reasoning, and so is one that spans the closing tag and
    the answer after it. Tokens that produced no text are on the side the stream was on.
    """
    pieces = list(pieces)
    blocks = _blocks("".join(text for _, text in pieces), start_in_reasoning, tags)
    count = offset = index = 0
    for tokens, text in pieces:
        end = offset + len(text)
        while index < len(blocks) and blocks[index][1] <= offset:
            index += 1  # over before this piece begins
        # A piece with text is inside if it overlaps the block; one without, if the block
        # began before its place.
        if index < len(blocks) and blocks[index][0] < (end if text else offset):
            count += tokens
        offset = end
    return count


def _blocks(text: str, start_in_reasoning: bool, tags: tuple[TagPair, ...]) -> list[tuple[int, int]]:
    """Reasoning blocks as ``(start, stop)``, tags included. A block open before the text starts
    at -1; one still open at its end stops one past it, so a place at the very end is inside."""
    blocks: list[tuple[int, int]] = []
    closes = dict(tags)
    close = tags[0][1] if start_in_reasoning else None
    start, position = -1, 0
    while True:
        if close is None:
            index, tag = _find_first(text[position:], tuple(closes))
            if tag is None:
                return blocks
            start = position + index
            position = start + len(tag)
            close = closes[tag]
        else:
            found = text.find(close, position)
            if found == -1:
                blocks.append((start, len(text) + 1))
                return blocks
            position = found + len(close)
            blocks.append((start, position))
            close = None


def _find_first(text: str, tags: tuple[str, ...]) -> tuple[int, str | None]:
    best_index, best_tag = -1, None
    for tag in tags:
        index = text.find(tag)
        if index != -1 and (best_index == -1 or index < best_index):
            best_index, best_tag = index, tag
    return best_index, best_tag


def _partial_suffix_length(text: str, tags: tuple[str, ...]) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of a tag."""
    longest = 0
    for tag in tags:
        for length in range(min(len(tag) - 1, len(text)), longest, -1):
            if text.endswith(tag[:length]):
                longest = length
                break
    return longest
