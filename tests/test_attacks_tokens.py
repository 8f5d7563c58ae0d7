"""The token ids of a turn in the record: shown exactly, and a byte changed in them is found.

The record is asked of the real demo model through ``veritrace ask``; the attacker edits the
SQLite file directly (the append-only triggers dropped), as in the other attack tests.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.export import verify_bundle as vb
from app.runtime.backend import LoadOptions
from app.runtime.llama_backend import LlamaBackend
from app.runtime.model_files import demo_model_path
from tests.fixtures.bundles import files_of, problem, relist, run_verifier
from tests.fixtures.forgery import asked_record, cli, edit_cell
from tests.fixtures.token_ids import spelled

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# (table, row id, column) of each blob, and what ``verify`` says when a byte of it changes.
BLOBS = {
    "prompt": ("turns", "prompt_token_ids", "turn 1 differs from what it recorded: prompt_token_ids changed"),
    "output": (
        "turn_outcomes",
        "output_token_ids",
        "turn_outcome 1 differs from what it recorded (turn 1): output_token_ids changed",
    ),
}


def shown_turn(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    shown = cli(capsys, "show", "1", "--json")
    assert shown.status == 0, shown.err
    return json.loads(shown.out)["turns"][0]


def blob_of(db: Path, table: str, column: str) -> bytes:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        (value,) = connection.execute(f"SELECT {column} FROM {table} WHERE id = 1").fetchone()
    return bytes(value)


def flipped(blob: bytes, offset: int) -> bytes:
    changed = bytearray(blob)
    changed[offset] ^= 0x10
    return bytes(changed)


@pytest.fixture
def demo() -> Any:
    path = demo_model_path()
    assert path is not None
    backend = LlamaBackend()
    backend.load(path, LoadOptions(2048, 0, 0))
    yield backend._llm
    backend.close()


def test_show_json_gives_the_ids_the_model_saw_and_sampled(
    capsys: pytest.CaptureFixture[str], demo: Any
) -> None:
    asked_record(capsys)
    turn = shown_turn(capsys)
    prompt, output = turn["prompt_token_ids"], turn["output_token_ids"]
    assert all(isinstance(token, int) for token in prompt + output)
    # The ids spell exactly the rendered prompt and the raw output recorded beside them.
    assert spelled(demo, prompt) == turn["rendered_prompt"]
    assert spelled(demo, output) == turn["raw_output"]
    assert prompt.count(1) == prompt.count(2) + 1, (
        "<|im_start|> and <|im_end|> only where the template put them"
    )
    assert (
        turn["reasoning_tokens"] + turn["answer_tokens"] == len(output) == turn["usage"]["completion_tokens"]
    )
    assert turn["answer_tokens"] > 0, "asked without the reasoning requirement, the demo model answers"


@pytest.mark.parametrize("which", sorted(BLOBS))
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_byte_changed_in_a_token_blob_fails_verify_naming_the_turn(
    capsys: pytest.CaptureFixture[str], which: str, where: str
) -> None:
    db = asked_record(capsys)
    assert cli(capsys, "verify").status == 0
    table, column, said = BLOBS[which]
    blob = blob_of(db, table, column)
    offset = {"first": 0, "middle": len(blob) // 2, "last": len(blob) - 1}[where]
    edit_cell(db, table, 1, column, flipped(blob, offset))
    broken = cli(capsys, "verify")
    assert broken.status != 0
    assert said in broken.out + broken.err, broken.out + broken.err


def test_bundles_carry_the_ids_and_their_verifier_checks_each_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    asked_record(capsys)
    turn = shown_turn(capsys)
    bundle = tmp_path / "matter"
    assert cli(capsys, "export", "1", "-o", str(bundle)).status == 0
    checked = run_verifier(bundle)
    assert checked.returncode == 0, checked.stdout
    assert "2 lists of token ids match their recorded SHA-256" in checked.stdout
    carried = json.loads((bundle / "conversations" / "1.json").read_bytes())["turns"][0]
    assert carried["prompt_token_ids"] == turn["prompt_token_ids"]
    assert carried["output_token_ids"] == turn["output_token_ids"]

    # A forger who changes one id in the conversation file (and lists the file anew) is caught
    # by the SHA-256 the signed ledger holds for the ids.
    files = files_of(bundle)
    name = "conversations/1.json"
    document = json.loads(files[name])
    for field in ("prompt_token_ids", "output_token_ids"):
        changed = json.loads(files[name])
        changed["turns"][0][field][3] += 1
        found = problem(relist({**files, name: vb.pretty(changed)}))
        assert (
            found
            == f"{name} turn 0: its {field} are not the ids recorded (SHA-256 of their uint32 bytes differs)"
        )
    dropped = json.loads(files[name])
    dropped["turns"][0]["output_token_ids"] = None
    assert "its output_token_ids are not listed" in (
        problem(relist({**files, name: vb.pretty(dropped)})) or ""
    )
    assert problem(relist({**files, name: vb.pretty(document)})) is None


def test_a_bundle_of_a_record_whose_token_blob_was_changed_does_not_verify(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = asked_record(capsys)
    table, column, _ = BLOBS["prompt"]
    edit_cell(db, table, 1, column, flipped(blob_of(db, table, column), 5))
    bundle = tmp_path / "matter"
    # The export carries the row as it is now beside the ledger entry that recorded it.
    assert cli(capsys, "export", "1", "-o", str(bundle)).status == 0
    checked = run_verifier(bundle)
    assert checked.returncode == 1
    assert "turn 0: differs from ledger entry" in checked.stdout.splitlines()[-1], checked.stdout
