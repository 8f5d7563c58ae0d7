"""A turn's prompt and output token ids in the record: stored as blobs, hashed in the ledger, upgraded."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.tokens import IMAGE_SLOT, OutputTokens, TokenIdsError, ids_sha256, pack_ids
from app.core.types import ModelFile, RunSettings, TurnStatus
from app.storage.repository import Store
from tests.fixtures.ledger import fill, prepared, tamper

SEGMENTS = ((1, 2, 3), (7, 8))  # an image between the two runs
OUTPUT = OutputTokens((40, 41, 42, 43, 44), 3, 2)


@pytest.fixture
def record(tmp_path: Path) -> Path:
    """A file record: two turns without ids (as the scripted runtime records them), one with both."""
    path = tmp_path / "record.db"
    store = Store(path)
    fill(store, turns=2)
    conversation = store.create_conversation("Tokens", "alice")
    begun = store.begin_turn(
        conversation,
        "Is clause 4 void?",
        *_turn_arguments(),
    )
    store.append_output(begun.id, 0, "[THINK]no[/THINK]Yes", "no", "Yes")
    store.finish_turn(
        begun.id, TurnStatus.COMPLETED, finish_reason="stop", completion_tokens=5, output=OUTPUT
    )
    store.close()
    return path


def _turn_arguments() -> tuple:
    with_ids = replace(prepared("Is clause 4 void?"), token_segments=SEGMENTS)
    return (
        RunSettings(),
        with_ids,
        ModelFile("/models/m.gguf", 123, "a" * 64),
        "llama-cpp-python 0.3.36",
        "0.1.0",
        "alice",
    )


def blob_of(path: Path, table: str, column: str, row_id: int) -> bytes:
    with closing(sqlite3.connect(path)) as connection:
        (value,) = connection.execute(f"SELECT {column} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return bytes(value)


def payload_of(path: Path, object_type: str, object_id: int) -> dict:
    with closing(sqlite3.connect(path)) as connection:
        (payload,) = connection.execute(
            "SELECT payload FROM ledger WHERE object_type = ? AND object_id = ?",
            (object_type, str(object_id)),
        ).fetchone()
    return json.loads(payload)


def test_ids_are_stored_as_uint32_blobs_and_read_back(record: Path) -> None:
    store = Store(record)
    turn = store.turn(3)
    store.close()
    assert turn.prompt_token_ids == (1, 2, 3, IMAGE_SLOT, 7, 8)
    assert turn.prompt_token_segments == SEGMENTS
    assert turn.output_token_ids == OUTPUT.ids
    assert (turn.reasoning_tokens, turn.answer_tokens, turn.completion_tokens) == (3, 2, 5)
    assert blob_of(record, "turns", "prompt_token_ids", 3) == pack_ids((1, 2, 3, IMAGE_SLOT, 7, 8))
    shown = turn.to_json()
    assert shown["prompt_token_ids"] == [1, 2, 3, IMAGE_SLOT, 7, 8]
    assert shown["output_token_ids"] == list(OUTPUT.ids)
    assert (shown["reasoning_tokens"], shown["answer_tokens"]) == (3, 2)


def test_the_ledger_entries_of_the_turn_hold_the_sha256_of_each_blob(record: Path) -> None:
    assert payload_of(record, "turn", 3)["prompt_token_ids"] == {
        "sha256": ids_sha256((1, 2, 3, IMAGE_SLOT, 7, 8))
    }
    outcome = payload_of(record, "turn_outcome", 3)
    assert outcome["output_token_ids"] == {"sha256": ids_sha256(OUTPUT.ids)}
    assert (outcome["reasoning_tokens"], outcome["answer_tokens"]) == (3, 2)


def test_turns_without_ids_have_none_and_their_payloads_do_not_name_them(record: Path) -> None:
    store = Store(record)
    turn = store.turn(1)
    store.close()
    assert turn.prompt_token_ids is None and turn.output_token_ids is None
    shown = turn.to_json()
    assert [
        shown[key] for key in ("prompt_token_ids", "output_token_ids", "reasoning_tokens", "answer_tokens")
    ] == [None] * 4
    assert "prompt_token_ids" not in payload_of(record, "turn", 1)
    assert "output_token_ids" not in payload_of(record, "turn_outcome", 1)


@pytest.mark.parametrize(
    ("table", "column", "what"),
    [
        ("turns", "prompt_token_ids", "turn 3 differs from what it recorded: prompt_token_ids changed"),
        (
            "turn_outcomes",
            "output_token_ids",
            "turn_outcome 3 differs from what it recorded (turn 3): output_token_ids changed",
        ),
    ],
)
@pytest.mark.parametrize("offset", [0, 5, -1])
def test_one_changed_byte_of_a_blob_fails_verification_naming_the_turn(
    record: Path, table: str, column: str, what: str, offset: int
) -> None:
    blob = bytearray(blob_of(record, table, column, 3))
    blob[offset] ^= 0x01
    tamper(record, f"UPDATE {table} SET {column} = ? WHERE id = 3", (bytes(blob),))
    store = Store(record)
    result = store.verify()
    store.close()
    assert not result.intact
    assert what in result.describe(), result.describe()


def test_a_blob_cut_short_is_refused_in_words_when_read(record: Path) -> None:
    blob = blob_of(record, "turns", "prompt_token_ids", 3)
    tamper(record, "UPDATE turns SET prompt_token_ids = ? WHERE id = 3", (blob[:-1],))
    store = Store(record)
    turn = store.turn(3)  # the record still opens: only the ids cannot be read
    assert not store.verify().intact
    store.close()
    with pytest.raises(TokenIdsError, match="prompt token ids of turn 3 are damaged: 23 bytes"):
        turn.to_json()


def _as_written_before_0011(path: Path) -> None:
    """The record as the version before migration 0011 left it: no token columns, no 0011 step.

    Rows written without ids leave no trace of those columns in their ledger payloads, so
    dropping them gives the file an earlier version wrote, byte for byte in every payload.
    """
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        triggers = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        connection.execute("ALTER TABLE turns DROP COLUMN prompt_token_ids")
        connection.execute("ALTER TABLE turns DROP COLUMN runtime_json")
        connection.execute("ALTER TABLE turn_outcomes DROP COLUMN output_token_ids")
        connection.execute("ALTER TABLE turn_outcomes DROP COLUMN answer_tokens")
        connection.execute("DELETE FROM schema_migrations WHERE name = '0011_turn_tokens'")
        for _, sql in triggers:
            connection.execute(sql)


def test_migration_0011_upgrades_an_older_record_whose_turns_keep_verifying(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = Store(path)
    fill(store, turns=2)
    store.close()
    _as_written_before_0011(path)
    with closing(sqlite3.connect(path)) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(turns)")}
    assert "prompt_token_ids" not in columns

    upgraded = Store(path)
    try:
        assert upgraded.verify().intact, upgraded.verify().describe()
        with upgraded.engine.connect() as connection:
            (applied,) = connection.exec_driver_sql(
                "SELECT detail_json FROM events WHERE kind = 'database.migrated' ORDER BY id DESC LIMIT 1"
            ).one()
        assert json.loads(applied)["applied"] == ["0011_turn_tokens"]
        for turn in upgraded.conversation(1).turns:
            shown = turn.to_json()
            assert shown["prompt_token_ids"] is None and shown["output_token_ids"] is None
            assert shown["reasoning_tokens"] is None and shown["answer_tokens"] is None
        # A turn recorded after the upgrade keeps its ids; the record still verifies whole.
        begun = upgraded.begin_turn(1, "Is clause 4 void?", *_turn_arguments())
        upgraded.finish_turn(begun.id, TurnStatus.COMPLETED, completion_tokens=5, output=OUTPUT)
        assert upgraded.turn(begun.id).output_token_ids == OUTPUT.ids
        assert upgraded.verify().intact
    finally:
        upgraded.close()
