"""What a session tells its listener, as typed events (see ``app.services.session``).

Apart from the session so that a window can name them without loading the record's modules:
the window is shown before the record is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.types import RunSettings, Turn
from app.services.phases import Phase

if TYPE_CHECKING:
    from app.services.chat import ActiveModel

REASONING, ANSWER = "reasoning", "answer"


@dataclass(frozen=True)
class PhaseChanged:
    before: Phase
    phase: Phase


@dataclass(frozen=True)
class StatusText:
    """A step to show: loading, connecting, a server's rate-limit countdown."""

    text: str


@dataclass(frozen=True)
class ModelReady:
    model: ActiveModel
    settings: RunSettings  # what the next turn runs with


@dataclass(frozen=True)
class ModelFailed:
    """A load or connection failed; ``model`` is the one still in use (None: no model), and
    ``reloading`` says the model used before is being loaded again."""

    message: str
    model: ActiveModel | None
    reloading: bool = False


@dataclass(frozen=True)
class ModelChecked:
    """The loaded files' full hash finished, or one changed on disk (``problem``, "" if none)."""

    model: ActiveModel
    problem: str


@dataclass(frozen=True)
class HashProgress:
    fraction: float


@dataclass(frozen=True)
class TurnStarted:
    turn: Turn  # as committed, before the model saw it


@dataclass(frozen=True)
class OutputWaiting:
    """Streamed text waits: take it with ``Session.take_output``."""


@dataclass(frozen=True)
class TurnProgress:
    completion_tokens: int
    tokens_per_second: float


@dataclass(frozen=True)
class TurnEnded:
    turn: Turn  # as recorded when it ended


@dataclass(frozen=True)
class TurnNotRun:
    message: str


@dataclass(frozen=True)
class SettingsChanged:
    settings: RunSettings


Event = (
    PhaseChanged
    | StatusText
    | ModelReady
    | ModelFailed
    | ModelChecked
    | HashProgress
    | TurnStarted
    | OutputWaiting
    | TurnProgress
    | TurnEnded
    | TurnNotRun
    | SettingsChanged
)
