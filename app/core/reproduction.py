"""A recorded turn run again: what it gave, as the ledger keeps it (a ``turn.reproduced`` event)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

EVENT = "turn.reproduced"


class Outcome(enum.StrEnum):
    IDENTICAL = "identical"
    DIVERGES = "diverges"
    REFUSED = "refused"  # nothing was run: the files or the record do not allow an exact replay
    STOPPED = "stopped"  # stopped before it finished: nothing to compare
    NOT_EXACT = "not exact"  # a server's turn: run again on request, compared as text


@dataclass(frozen=True)
class Reproduction:
    """What running a recorded turn again gave, as recorded in the ledger."""

    turn_id: int
    outcome: Outcome
    summary: str  # one line: "identical", "diverges at output token N (…)", or why it was refused
    at: str
    model_path: str = ""
    model_sha256: str = ""  # recorded
    found_sha256: str | None = None  # what the file named hashed to, when it was hashed
    compared_tokens: int = 0
    diverges_at: int | None = None  # 1-based: the first output token that differs
    recorded_token: str | None = None
    now_token: str | None = None
    recorded_text: str = ""
    now_text: str = ""
    changed: tuple[str, ...] = ()  # what differs from the recording (threads, batch, build)
    settings: Mapping[str, Any] = field(default_factory=dict)  # what this run used

    @property
    def ran(self) -> bool:
        return self.outcome is not Outcome.REFUSED

    def to_json(self) -> dict[str, Any]:
        return {
            "turn_id": self.turn_id,
            "outcome": str(self.outcome),
            "summary": self.summary,
            "at": self.at,
            "model": {
                "path": self.model_path,
                "sha256": self.model_sha256,
                "found_sha256": self.found_sha256,
            },
            "compared_tokens": self.compared_tokens,
            "diverges_at": self.diverges_at,
            "recorded_token": self.recorded_token,
            "now_token": self.now_token,
            "recorded_text": self.recorded_text,
            "now_text": self.now_text,
            "changed": list(self.changed),
            "settings": dict(self.settings),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reproduction:
        model = data.get("model") or {}
        return cls(
            turn_id=int(data["turn_id"]),
            outcome=Outcome(data["outcome"]),
            summary=str(data.get("summary", "")),
            at=str(data.get("at", "")),
            model_path=str(model.get("path", "")),
            model_sha256=str(model.get("sha256", "")),
            found_sha256=model.get("found_sha256"),
            compared_tokens=int(data.get("compared_tokens", 0)),
            diverges_at=data.get("diverges_at"),
            recorded_token=data.get("recorded_token"),
            now_token=data.get("now_token"),
            recorded_text=str(data.get("recorded_text", "")),
            now_text=str(data.get("now_text", "")),
            changed=tuple(data.get("changed", ())),
            settings=dict(data.get("settings") or {}),
        )
