"""``veritrace search``: run as a user runs it, a real process over a real record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.types import Flag, Meaning
from tests.fixtures.cli_runs import veritrace
from tests.fixtures.search_records import QWEN, run_turn
from tests.fixtures.signers import sign

pytestmark = pytest.mark.slow


@pytest.fixture
def record(veritrace_home: Path) -> dict[str, int]:
    """Three conversations: signed, flagged (Qwen), untouched."""
    from app.storage.repository import Store

    store = Store(veritrace_home / "veritrace.db")
    signed = run_turn(
        store, None, "Is the liability cap valid?", "Caps bind", "Yes, the cap binds.", title="Cap"
    )
    sign(store, signed.conversation_id, Meaning.APPROVED, "Sound.", name="Dr. R")
    flagged = run_turn(
        store,
        None,
        "Indemnity scope?",
        "Liability for fraud is excluded",
        "Narrow.",
        title="Scope",
        model=QWEN,
    )
    store.annotate(flagged.id, Flag.CONCERN, "Check the LIABILITY carve-out", "Dr. R")
    plain = run_turn(store, None, "Governing law?", "English law", "English law.", title="Law")
    store.close()
    return {
        "signed": signed.conversation_id,
        "flagged": flagged.conversation_id,
        "plain": plain.conversation_id,
    }


def search(home: Path, *args: str) -> dict:
    return json.loads(veritrace("search", *args, "--json", home=home).stdout)


def test_search_json_lists_conversations_and_hits_with_match_offsets(
    veritrace_home: Path, record: dict[str, int]
) -> None:
    found = search(veritrace_home, "liability")
    assert [c["id"] for c in found["conversations"]] == [record["flagged"], record["signed"]]
    flagged, signed = found["conversations"]
    assert (flagged["review_state"], flagged["flagged"], signed["review_state"]) == (
        "annotated",
        True,
        "signed",
    )
    assert flagged["models"][0]["sha256"] == QWEN.sha256 and flagged["turn_count"] == 1
    assert [(h["conversation_id"], h["field"]) for h in found["hits"]] == [
        (record["flagged"], "reasoning"),
        (record["flagged"], "annotation"),
        (record["signed"], "prompt"),
    ]
    for hit in found["hits"]:
        assert [hit["snippet"][a:b].lower() for a, b in hit["matches"]] == ["liability"]
        assert "\ue000" not in hit["snippet"] and hit["turn_index"] == 0
    assert found["hits_truncated"] is False


def test_search_filters_and_limit(veritrace_home: Path, record: dict[str, int]) -> None:
    def ids(*args: str) -> list[int]:
        return [c["id"] for c in search(veritrace_home, *args)["conversations"]]

    today = datetime.now(UTC).date()
    assert ids("liability", "--state", "signed") == [record["signed"]]
    assert ids("liability", "--flagged") == [record["flagged"]]
    assert ids("", "--model", "qwen3") == [record["flagged"]]
    assert ids("", "--model", QWEN.sha256[:10]) == [record["flagged"]]
    assert ids("", "--state", "unreviewed") == [record["plain"]]
    assert ids("law", "--from", today.isoformat(), "--to", today.isoformat()) == [record["plain"]]
    assert ids("law", "--from", (today + timedelta(days=1)).isoformat()) == []
    assert ids("", "--to", (today - timedelta(days=1)).isoformat()) == []
    limited = search(veritrace_home, "liability", "--limit", "1")
    assert len(limited["hits"]) == 1 and limited["hits_truncated"] is True


def test_search_text_output_marks_matches_and_hostile_queries_are_plain_text(
    veritrace_home: Path, record: dict[str, int]
) -> None:
    shown = veritrace("search", "CAP", home=veritrace_home).stdout
    assert shown.startswith("1 conversation, 4 matches\n")
    assert "Cap  [signed]" in shown and "turn 1 answer: Yes, the «cap» binds." in shown
    assert "title: «Cap»" in shown and "turn 1 reasoning: «Cap»s bind" in shown
    for hostile in ('"', "AND (", "NEAR(x y)", "*", "%", "'; DROP TABLE turns; --"):
        assert search(veritrace_home, hostile)["hits"] == [], hostile
    refused = veritrace("search", "x", "--from", "31/01/2026", home=veritrace_home, check=False)
    assert refused.returncode == 2 and "'31/01/2026' is not a date like 2026-01-31" in refused.stderr
