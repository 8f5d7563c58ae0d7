"""Prompt token ids in which only the chat template's own text can be a control token.

Rendering a chat template and tokenizing the result with ``special=True`` lets anyone who
can put text into a message (a prompt, a pasted contract, an earlier answer carried into a
follow-up, the system prompt) write control tokens: ``<|im_end|>\\n<|im_start|>system`` typed
by a user becomes a real system turn, and nothing in the text tells the typed characters
from the template's. Here the template is rendered a second time with every message text
held back behind a placeholder. Only the template's text between the placeholders is
searched for special tokens, the way llama.cpp searches (longest token first; LSTRIP/RSTRIP
honoured); message texts are tokenized as plain text together with the template text
around them, in the same runs llama.cpp forms between special tokens. So a prompt whose
messages hold no special-token text gets exactly the ids ``tokenize(text, special=True)``
gives, and one whose messages do keeps those characters as ordinary text pieces, as
Hugging Face tokenizers (specials only where the template put them) and Mistral's
reference encoder do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import chain
from typing import Any

# What C's isspace() accepts: llama.cpp strips these beside an LSTRIP/RSTRIP token.
_C_SPACE = " \t\n\v\f\r"


class TemplateMismatch(ValueError):
    """The template treats a message's text differently from a placeholder in its place."""


@dataclass(frozen=True)
class SpecialToken:
    """A token that the template's text may contain and that is never read from message text."""

    text: str
    id: int
    lstrip: bool = False  # llama.cpp drops the whitespace before it
    rstrip: bool = False  # and after it


@dataclass(frozen=True)
class PromptTokens:
    """The ids a prompt is evaluated as: one run of text ids before, between and after its images.

    ``sha256`` is the hash of the rendered text these ids stand for (``PreparedPrompt.sha256``).
    """

    sha256: str
    segments: tuple[tuple[int, ...], ...]

    @property
    def ids(self) -> tuple[int, ...]:
        """The text ids in order, images left out (each image sits between two segments)."""
        return tuple(chain.from_iterable(self.segments))

    @property
    def image_count(self) -> int:
        return len(self.segments) - 1


def vocab_specials(llm: Any) -> tuple[SpecialToken, ...]:
    """The tokens llama.cpp reads from text only when asked to parse special tokens.

    Control and unknown tokens, in llama.cpp's search order (longest text first; llama.cpp
    leaves the order of equally long texts unspecified, here it is by id). User-defined
    tokens are not among them: llama.cpp and Hugging Face read those from any text.
    """
    import llama_cpp

    vocab = llm._model.vocab
    wanted = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_UNKNOWN
    found = []
    for token in range(llama_cpp.llama_vocab_n_tokens(vocab)):
        attr = llama_cpp.llama_vocab_get_attr(vocab, token)
        if not attr & wanted:
            continue
        raw = llama_cpp.llama_vocab_get_text(vocab, token) or b""
        # surrogateescape: a token that is not valid UTF-8 can never match real text.
        text = raw.decode("utf-8", "surrogateescape")
        if text:
            found.append(
                SpecialToken(
                    text,
                    token,
                    lstrip=bool(attr & llama_cpp.LLAMA_TOKEN_ATTR_LSTRIP),
                    rstrip=bool(attr & llama_cpp.LLAMA_TOKEN_ATTR_RSTRIP),
                )
            )
    found.sort(key=lambda special: (-len(special.text.encode("utf-8", "surrogateescape")), special.id))
    return tuple(found)


class TextMask:
    """Placeholders for message texts, for a second rendering of the template.

    A placeholder is two private-use characters around a number; the characters are chosen
    so that neither occurs in the template or in any text, so a placeholder cannot be
    forged. A text's leading and trailing whitespace stays outside its placeholder: a
    template that trims a message (``| trim``) trims the same characters either way, and
    whitespace can never form a special token.
    """

    def __init__(self, avoid: Iterable[str]) -> None:
        seen = "".join(avoid)
        code = 0xF0000  # Supplementary Private Use Area-A
        while chr(code) in seen or chr(code + 1) in seen:
            code += 2
        self._open, self._close = chr(code), chr(code + 1)
        self._pattern = re.compile(f"{re.escape(self._open)}([0-9]+){re.escape(self._close)}")
        self.texts: list[str] = []

    def text(self, value: str) -> str:
        """``value`` with its text behind a placeholder (whitespace around it kept as it is)."""
        core = value.strip()
        if not core:
            return value
        start = len(value) - len(value.lstrip())
        self.texts.append(core)
        placeholder = f"{self._open}{len(self.texts) - 1}{self._close}"
        return value[:start] + placeholder + value[start + len(core) :]

    def unmask(self, masked: str) -> str:
        return self._pattern.sub(lambda match: self.texts[int(match.group(1))], masked)

    def split(self, masked: str) -> Iterator[tuple[bool, str]]:
        """``(is_message_text, piece)`` in order, for a rendering made with these placeholders."""
        position = 0
        for match in self._pattern.finditer(masked):
            if match.start() > position:
                yield False, masked[position : match.start()]
            yield True, self.texts[int(match.group(1))]
            position = match.end()
        if position < len(masked):
            yield False, masked[position:]


class _Kind(Enum):
    TEMPLATE = "template"
    MESSAGE = "message"
    MEDIA = "media"


def split_specials(text: str, specials: Sequence[SpecialToken]) -> list[str | SpecialToken]:
    """``text`` cut at every special token in it, as llama.cpp's tokenizer cuts it.

    Each token, longest first, is searched left to right in the pieces still left as text.
    Whitespace beside LSTRIP/RSTRIP tokens is left in place here; ``tokenize_rendering``
    removes it, since it may belong to a message text next to the template's.
    """
    pieces: list[str | SpecialToken] = [text] if text else []
    for special in specials:
        needle = special.text
        if not any(isinstance(piece, str) and needle in piece for piece in pieces):
            continue
        cut: list[str | SpecialToken] = []
        for piece in pieces:
            if isinstance(piece, SpecialToken) or needle not in piece:
                cut.append(piece)
                continue
            rest = piece
            while (at := rest.find(needle)) >= 0:
                if at:
                    cut.append(rest[:at])
                cut.append(special)
                rest = rest[at + len(needle) :]
            if rest:
                cut.append(rest)
        pieces = cut
    return pieces


def tokenize_rendering(
    rendered: str,
    masked: str,
    mask: TextMask,
    specials: Sequence[SpecialToken],
    tokenize: Callable[[str], list[int]],
    media_marker: str | None = None,
) -> tuple[tuple[int, ...], ...]:
    """The ids of ``rendered``, one tuple per stretch between media markers.

    ``masked`` is the same template rendered with ``mask``'s placeholders in place of the
    message texts; ``tokenize`` turns plain text into ids without reading special tokens.
    Raises ``TemplateMismatch`` when the two renderings do not agree.
    """
    if mask.unmask(masked) != rendered:
        raise TemplateMismatch("the template renders a message's text differently from its placeholder")
    pieces: list[tuple[_Kind, str]] = []
    for is_text, piece in mask.split(masked):
        if is_text:
            pieces.append((_Kind.MESSAGE, piece))
        elif media_marker:
            for index, part in enumerate(piece.split(media_marker)):
                if index:
                    pieces.append((_Kind.MEDIA, media_marker))
                if part:
                    pieces.append((_Kind.TEMPLATE, part))
        else:
            pieces.append((_Kind.TEMPLATE, piece))
    template_text = "".join(piece for kind, piece in pieces if kind is _Kind.TEMPLATE)
    present = [special for special in specials if special.text in template_text]
    return _Runs(tokenize).build(pieces, present)


class _Runs:
    """Joins template text and message text between special tokens into runs, then tokenizes."""

    def __init__(self, tokenize: Callable[[str], list[int]]) -> None:
        self._tokenize = tokenize
        self._segments: list[list[int]] = [[]]
        self._run: list[str] = []
        self._skip_space = False

    def build(
        self, pieces: Sequence[tuple[_Kind, str]], specials: Sequence[SpecialToken]
    ) -> tuple[tuple[int, ...], ...]:
        for kind, piece in pieces:
            if kind is _Kind.MESSAGE:
                self._text(piece)
            elif kind is _Kind.MEDIA:
                self._flush()
                self._skip_space = False
                self._segments.append([])
            else:
                for part in split_specials(piece, specials) if specials else [piece]:
                    if isinstance(part, str):
                        self._text(part)
                    else:
                        self._special(part)
        self._flush()
        return tuple(tuple(segment) for segment in self._segments)

    def _text(self, text: str) -> None:
        if self._skip_space:
            text = text.lstrip(_C_SPACE)
            if not text:
                return
            self._skip_space = False
        self._run.append(text)

    def _special(self, special: SpecialToken) -> None:
        if special.lstrip:
            while self._run:
                self._run[-1] = self._run[-1].rstrip(_C_SPACE)
                if self._run[-1]:
                    break
                self._run.pop()
        self._flush()
        self._segments[-1].append(special.id)
        self._skip_space = special.rstrip

    def _flush(self) -> None:
        if self._run:
            self._segments[-1].extend(self._tokenize("".join(self._run)))
            self._run.clear()
