"""A bundle says how each turn ended, in the app's words, and its verifier holds it to the record.

A record with a turn in every state (``tests.fixtures.report_records``, plus a turn a server ended
with its own reason and one still running) is exported through the real export service. Each
turn's ``state`` must be what ``app.core.states`` gives it, the verifier (run as a third party runs
it) must print each turn's words, and a bundle edited to call a turn something it was not must
fail, naming the turn. The verifier's own copy of the rule must agree with the app's everywhere.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core import states
from app.core.states import State, turn_state
from app.core.types import TurnStatus
from app.export import verify_bundle as vb
from app.services.bundle_export import export_bundle
from app.storage.repository import Store
from tests.fixtures.bundles import add_turn, files_of, problem, relist, run_verifier
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.report_records import every_state_record
from tests.fixtures.signed_bundles import documents, reseal

FILTERED = "content_filter"
COMPLETED = {"state": "completed", "words": "completed"}

# Finish reasons: those the app writes, those states.py names, and ones no part of it writes.
REASONS = (
    None,
    "",
    "  ",
    "stop",
    "eos",
    "end_turn",
    "length",
    "model_length",
    "LENGTH",
    " length",
    "length\n",
    FILTERED,
    "tool_calls",
    "error",
    states.STOPPED_BY_REVIEWER,
    states.WINDOW_CLOSED,
    "window_closed ",
    "WINDOW_CLOSED",
)
ERRORS = (None, "", "  ", "boom", "  padded boom  ")


@dataclass(frozen=True)
class Exported:
    store: Store
    folder: Path
    files: dict[str, bytes]
    words: dict[int, str]  # each turn's words, by turn id, as the record's own fixture names them


@pytest.fixture
def exported(tmp_path: Path) -> Iterator[Exported]:
    store = Store(tmp_path / "record.db")
    try:
        truth = every_state_record(store)
        words = {turn.id: turn.state for turn in truth.turns.values()}
        # Two more, in a conversation of their own (the first is signed, so closed to new turns).
        other = add_turn(
            store,
            None,
            "filtered",
            [],
            [("[THINK]hm[/THINK]Part", "hm", "Part")],
            status=TurnStatus.COMPLETED,
            finish_reason=FILTERED,
            completion_tokens=3,
        )
        add_turn(store, other, "still going", [], [("[THINK]so", "so", "")])  # no outcome: running
        listed = store.conversation(other).turns
        words[listed[0].id] = f"ended by the server ({FILTERED})"
        words[listed[1].id] = "running"
        folder = tmp_path / "bundle"
        ids = [truth.conversation, other]
        export_bundle(store, TEST_KEY, ids, "Every state", folder, as_zip=False, generated_by="Dana")
        yield Exported(store, folder, files_of(folder), words)
    finally:
        store.close()


def turns_of(files: dict[str, bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(conversation id, turn entry) of every turn in the bundle's conversation files."""
    for name in sorted(name for name in files if name.startswith("conversations/")):
        document = json.loads(files[name])
        for turn in document["turns"]:
            yield document["conversation"]["record"]["id"], turn


def edited(files: dict[str, bytes], turn_id: int, change: Any) -> dict[str, bytes]:
    """The files with ``change`` applied to turn ``turn_id``'s entry, the manifest relisted to match."""
    changed = dict(files)
    for name in [name for name in files if name.startswith("conversations/")]:
        document = json.loads(files[name])
        for turn in document["turns"]:
            if turn["record"]["id"] == turn_id:
                change(turn)
        changed[name] = vb.pretty(document)
    return relist(changed)


def report(files: dict[str, bytes]) -> tuple[str | None, list[str]]:
    """The verifier's first problem (or None) and every line it reports, run in memory."""
    lines: list[str] = []
    found, _ = vb.verify(vb.MemorySource(files), out=lines.append)
    return found, lines


def state_line(conversation: int, turn: dict[str, Any], words: str) -> str:
    record = turn["record"]
    return (
        f"          conversation {conversation} turn {record['turn_index'] + 1} (id {record['id']}): {words}"
    )


def token_limit_turn(exported: Exported) -> int:
    return next(turn_id for turn_id, words in exported.words.items() if words == "stopped at the token limit")


# -- what the bundle says --------------------------------------------------------------------


def test_each_turn_carries_the_state_the_app_gives_it(exported: Exported) -> None:
    seen = {}
    for _, turn in turns_of(exported.files):
        turn_id = turn["record"]["id"]
        assert turn["state"] == turn_state(exported.store.turn(turn_id)).to_json(), turn_id
        seen[turn_id] = turn["state"]
    assert {turn_id: state["words"] for turn_id, state in seen.items()} == exported.words
    assert {state["state"] for state in seen.values()} == {str(state) for state in State}


def test_the_state_stands_beside_the_records_which_stay_as_the_ledger_holds_them(exported: Exported) -> None:
    for _, turn in turns_of(exported.files):
        assert "state" not in turn["record"]
        if turn["outcome"] is None:
            assert turn["state"]["state"] == "running"
        else:
            assert "state" not in turn["outcome"]["record"]
            assert turn["outcome"]["record"]["table"] == "turn_outcomes"
    assert problem(exported.files) is None


def test_the_verifier_prints_how_each_turn_ended(exported: Exported) -> None:
    run = run_verifier(exported.folder)  # the bundle's own script, no app, as a third party runs it
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    records = next(index for index, line in enumerate(lines) if line.startswith("  ok    records"))
    signoffs = next(index for index, line in enumerate(lines) if line.startswith("  ok    signoffs"))
    expected = [
        state_line(number, turn, exported.words[turn["record"]["id"]])
        for number, turn in turns_of(exported.files)
    ]
    assert lines[records + 1 : signoffs] == expected
    assert "how each turn ended" in lines[records]


# -- attacks ---------------------------------------------------------------------------------


def test_a_token_limit_turn_called_completed_fails_naming_the_turn(
    exported: Exported, tmp_path: Path
) -> None:
    turn_id = token_limit_turn(exported)
    files = edited(exported.files, turn_id, lambda turn: turn["state"].update(words="completed"))
    found = problem(files)
    assert found is not None
    assert f"(id {turn_id})" in found and '"completed"' in found and "stopped at the token limit" in found
    # The same forgery on disk, checked by the bundle's own script.
    folder = tmp_path / "forged"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    run = run_verifier(folder)
    assert run.returncode == 1
    assert run.stdout.splitlines()[-1] == f"BUNDLE INVALID: {found}"
    assert "  FAIL  records" in run.stdout


def test_a_wholly_rewritten_state_fails_too(exported: Exported) -> None:
    """Both fields changed together, so that they agree with each other but not with the record."""
    turn_id = token_limit_turn(exported)
    completed = states.state_of(TurnStatus.COMPLETED, "stop", None).to_json()
    found = problem(edited(exported.files, turn_id, lambda turn: turn.update(state=completed)))
    assert found is not None and f"(id {turn_id})" in found


@pytest.mark.parametrize(
    "state",
    [
        "completed",
        None,
        {"state": "completed"},
        {"state": "token_limit", "words": "stopped at the token limit", "note": "extra"},
        {"state": "token_limit", "words": ["stopped at the token limit"]},
    ],
    ids=["text", "null", "no words", "extra field", "words not text"],
)
def test_a_malformed_state_fails_in_one_line(exported: Exported, state: Any) -> None:
    turn_id = token_limit_turn(exported)
    found = problem(edited(exported.files, turn_id, lambda turn: turn.update(state=state)))
    assert found is not None and "\n" not in found
    assert "state" in found and "could not read" not in found


def test_every_turn_called_completed_fails_at_the_first_that_was_not(exported: Exported) -> None:
    files = dict(exported.files)
    for _, turn in turns_of(exported.files):
        files = edited(files, turn["record"]["id"], lambda entry: entry.update(state=COMPLETED))
    found, lines = report(files)
    first = next(
        (number, turn) for number, turn in turns_of(exported.files) if turn["state"]["words"] != "completed"
    )
    assert found is not None and f"(id {first[1]['record']['id']})" in found
    assert "  FAIL  records" in lines


def rewritten(exported: Exported, turn_id: int, change: Any) -> dict[str, bytes]:
    """The bundle as the holder of the installation key would forge it: turn ``turn_id``'s entry
    changed by ``change``, its records too, and the ledger, scope, checkpoint and manifest rebuilt."""
    changed = documents(exported.files)
    for document in changed.values():
        for turn in document["turns"]:
            if turn["record"]["id"] == turn_id:
                change(turn)
    return reseal(exported.files, changed, TEST_KEY)


def test_relabelling_a_signed_turn_with_its_record_breaks_the_personal_signature(exported: Exported) -> None:
    """The key holder rewrites the outcome itself to match: the state follows the forged record,
    but the sign-off over the conversation no longer holds, and says so."""
    turn_id = token_limit_turn(exported)

    def relabel(turn: dict[str, Any]) -> None:
        turn["outcome"]["record"]["finish_reason"] = "stop"
        turn["state"] = COMPLETED

    found, lines = report(rewritten(exported, turn_id, relabel))
    assert any(line.startswith("  ok    records") for line in lines)
    assert any(line.endswith(f"(id {turn_id}): completed") for line in lines)
    assert found is not None and found.startswith("sign-off ") and "signed content was changed" in found


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("status", "paused", "its outcome's status 'paused' is not one a turn ends with"),
        ("status", 3, "its outcome's status, finish reason or error is not text"),
        ("finish_reason", ["length"], "its outcome's status, finish reason or error is not text"),
        ("error", {"why": "boom"}, "its outcome's status, finish reason or error is not text"),
    ],
)
def test_an_outcome_the_app_never_writes_fails_in_one_line(
    exported: Exported, field: str, value: Any, said: str
) -> None:
    """Even re-signed by the key holder (an unsigned conversation, so nothing else objects)."""
    turn_id = next(turn_id for turn_id, words in exported.words.items() if words.startswith("ended by"))
    turn = exported.store.turn(turn_id)

    def damage(entry: dict[str, Any]) -> None:
        entry["outcome"]["record"][field] = value
        del entry["state"]

    found = problem(rewritten(exported, turn_id, damage))
    assert found == f"conversation {turn.conversation_id} turn {turn.index + 1} (id {turn_id}): {said}"


# -- bundles from before turns carried a state -------------------------------------------------


def test_a_bundle_without_states_verifies_and_the_verifier_prints_them(exported: Exported) -> None:
    files = dict(exported.files)
    for name in [name for name in files if name.startswith("conversations/")]:
        document = json.loads(files[name])
        for turn in document["turns"]:
            del turn["state"]
        files[name] = vb.pretty(document)
    found, lines = report(relist(files))
    assert found is None
    for number, turn in turns_of(exported.files):
        assert state_line(number, turn, exported.words[turn["record"]["id"]]) in lines


# -- the verifier's own copy of the rule -------------------------------------------------------


def test_the_verifier_names_every_state_as_the_app_does() -> None:
    for status, reason, error in itertools.product(TurnStatus, REASONS, ERRORS):
        app = states.state_of(status, reason, error)
        assert vb.state_of(str(status), reason, error) == (str(app.state), app.words), (status, reason, error)


def test_the_verifier_knows_the_statuses_and_endings_the_app_knows() -> None:
    assert set(vb.TURN_STATUSES) == {str(status) for status in TurnStatus}
    assert vb.WHOLE_ENDINGS == states.WHOLE_ENDINGS and vb.LIMIT_ENDINGS == states.LIMIT_ENDINGS
    assert vb.WINDOW_CLOSED == states.WINDOW_CLOSED
    for status in ("paused", "", "COMPLETED"):
        with pytest.raises(ValueError):
            states.state_of(status, None, None)
        with pytest.raises(ValueError):
            vb.state_of(status, None, None)
