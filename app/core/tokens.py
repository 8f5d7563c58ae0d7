"""Token ids as the record keeps them: a little-endian uint32 blob and its SHA-256.

A prompt is text ids with images between them (``PreparedPrompt.token_segments``: one run of
ids before, between and after the images). Flat, each image is the reserved id ``IMAGE_SLOT``
between two runs, which no vocabulary uses: an image's own positions are the projector's,
named by the image copy recorded with the turn, not by ids. Output ids are a flat run.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.errors import VeritraceError

IMAGE_SLOT = 0xFFFFFFFF  # where an image stands among a prompt's ids
MAX_TOKEN_ID = 0xFFFFFFFE  # the largest id a vocabulary may use
# Far beyond any context window: a blob longer than this is not one the app wrote.
MAX_TOKEN_IDS = 1 << 24
_WIDTH = 4


class TokenIdsError(VeritraceError, ValueError):
    """Token ids that cannot be recorded, or a recorded blob that is not ids."""


def pack_ids(ids: Iterable[int]) -> bytes:
    """The ids as little-endian uint32 (``IMAGE_SLOT`` allowed: it stands for an image)."""
    values = ids if isinstance(ids, Sequence) else list(ids)
    if len(values) > MAX_TOKEN_IDS:
        raise TokenIdsError(f"{len(values)} token ids are more than a turn can hold ({MAX_TOKEN_IDS}).")
    try:
        packed = array("I", values)  # "I" is 4 bytes on every platform Python supports
    except OverflowError as error:
        raise TokenIdsError(f"A token id is not a whole number from 0 to {IMAGE_SLOT}.") from error
    except TypeError as error:
        raise TokenIdsError(f"A token id is not a whole number ({error}).") from error
    if packed.itemsize != _WIDTH:
        raise TokenIdsError("This platform has no 4-byte unsigned integers.")
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def unpack_ids(blob: bytes, what: str = "token ids") -> tuple[int, ...]:
    """The ids a blob holds; ``TokenIdsError`` naming ``what`` if it is not a whole number of them."""
    data = bytes(blob)
    if len(data) % _WIDTH:
        raise TokenIdsError(
            f"The recorded {what} are damaged: {len(data)} bytes is not a whole number of "
            f"{_WIDTH}-byte token ids."
        )
    if len(data) // _WIDTH > MAX_TOKEN_IDS:
        raise TokenIdsError(
            f"The recorded {what} hold {len(data) // _WIDTH} ids, more than a turn can hold "
            f"({MAX_TOKEN_IDS})."
        )
    values = array("I")
    values.frombytes(data)
    if sys.byteorder != "little":
        values.byteswap()
    return tuple(values)


def ids_sha256(ids: Iterable[int]) -> str:
    """SHA-256 of the packed ids: what the ledger holds for a recorded blob of them."""
    return hashlib.sha256(pack_ids(ids)).hexdigest()


def flatten_segments(segments: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """A prompt's runs of text ids as one sequence, ``IMAGE_SLOT`` where each image stands."""
    flat: list[int] = []
    for index, segment in enumerate(segments):
        if index:
            flat.append(IMAGE_SLOT)
        if segment and (min(segment) < 0 or max(segment) > MAX_TOKEN_ID):
            bad = next(token for token in segment if not 0 <= token <= MAX_TOKEN_ID)
            raise TokenIdsError(f"{bad} is not a token id (0 to {MAX_TOKEN_ID}).")
        flat.extend(segment)
    return tuple(flat)


def split_segments(ids: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """The runs of text ids between images (``flatten_segments`` undone)."""
    segments: list[tuple[int, ...]] = []
    start = 0
    for index, token in enumerate(ids):
        if token == IMAGE_SLOT:
            segments.append(tuple(ids[start:index]))
            start = index + 1
    segments.append(tuple(ids[start:]))
    return tuple(segments)


def pack_segments(segments: Sequence[Sequence[int]]) -> bytes:
    return pack_ids(flatten_segments(segments))


def unpack_segments(blob: bytes, what: str = "prompt token ids") -> tuple[tuple[int, ...], ...]:
    return split_segments(unpack_ids(blob, what))


@dataclass(frozen=True)
class OutputTokens:
    """The ids a model sampled for a turn, in order, and how many of them were reasoning.

    ``reasoning`` counts the ids up to and including the one that closed the last reasoning
    block (an unclosed block: to the end); ``answer`` the rest. They add up to ``len(ids)``.
    """

    ids: tuple[int, ...]
    reasoning: int
    answer: int

    def __post_init__(self) -> None:
        if self.reasoning < 0 or self.answer < 0 or self.reasoning + self.answer != len(self.ids):
            raise TokenIdsError(
                f"{self.reasoning} reasoning and {self.answer} answer tokens do not add up to "
                f"the {len(self.ids)} ids sampled."
            )


@dataclass(frozen=True)
class TokenPiece:
    """One prompt token as a reviewer sees it: its id, its text (None: not known), whether it is
    a control token. An image is ``IMAGE_SLOT`` with no text."""

    id: int
    text: str | None = None
    control: bool = False

    @property
    def image(self) -> bool:
        return self.id == IMAGE_SLOT
