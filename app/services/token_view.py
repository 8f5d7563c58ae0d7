"""A turn's prompt as the model saw it: its recorded token ids, with their texts when the model is here.

The ids come from the record. Their texts come from the vocabulary of the model that ran the
turn, and only from that one: a model is taken to be it when its file's SHA-256 is the one
recorded. Without it the ids are shown alone, and the view says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from app.core.tokens import TokenIdsError, TokenPiece
from app.core.types import Turn
from app.runtime.backend import Backend
from app.services.chat import ActiveModel


@runtime_checkable
class TokenReader(Protocol):
    """A runtime that can spell out its vocabulary's tokens (the local one)."""

    def token_pieces(self, ids: Sequence[int]) -> list[TokenPiece]: ...


@dataclass(frozen=True)
class PromptTokenView:
    """The prompt of one turn as tokens; ``note`` says why texts are missing, if they are."""

    turn_id: int
    pieces: tuple[TokenPiece, ...]
    note: str = ""
    # Why, as a value a window can word in its own language: "remote", "unrecorded", "no-model",
    # "other-model" (with the two hashes below), "unreadable" (the note carries the error), or "".
    why: str = ""
    loaded_sha256: str = ""  # "other-model": the hash of the model loaded now ("" not hashed yet)
    recorded_sha256: str = ""  # "other-model": the hash the turn recorded ("" none)

    @property
    def has_texts(self) -> bool:
        return any(piece.text is not None for piece in self.pieces)

    @property
    def control_count(self) -> int:
        return sum(piece.control for piece in self.pieces)

    @property
    def image_count(self) -> int:
        return sum(piece.image for piece in self.pieces)


def prompt_token_view(turn: Turn, model: ActiveModel | None, backend: Backend | None) -> PromptTokenView:
    """``turn``'s recorded prompt ids, spelled out by ``backend`` if ``model`` is the one that ran it.

    Call on the thread that owns ``backend``.
    """
    try:
        ids = turn.prompt_token_ids
    except TokenIdsError as error:
        return PromptTokenView(turn.id, (), f"{error} Run Verify to see what changed.", "unreadable")
    if ids is None:
        why = (
            "it ran on a server, which does not say the ids it read"
            if turn.ran_remotely
            else "they were not recorded (the turn was recorded by an earlier version of Veritrace)"
        )
        kind = "remote" if turn.ran_remotely else "unrecorded"
        return PromptTokenView(turn.id, (), f"This turn's prompt token ids are not known: {why}.", kind)
    bare = tuple(TokenPiece(token) for token in ids)
    if model is None or model.loaded.is_remote or not isinstance(backend, TokenReader):
        return PromptTokenView(
            turn.id,
            bare,
            "No local model is loaded: the ids alone. Load the model that ran this turn to see "
            "each token's text.",
            "no-model",
        )
    if not turn.model.sha256 or model.file.sha256 != turn.model.sha256:
        loaded = model.file.sha256 or "not hashed yet"
        return PromptTokenView(
            turn.id,
            bare,
            f"The model loaded now (SHA-256 {loaded}) is not the one that ran this turn "
            f"(SHA-256 {turn.model.sha256 or 'not recorded'}): the ids alone. Load that model to see each "
            "token's text.",
            "other-model",
            model.file.sha256,
            turn.model.sha256,
        )
    return PromptTokenView(turn.id, tuple(backend.token_pieces(ids)))
