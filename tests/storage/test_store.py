from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.core.errors import DatabaseTooNewError, NotFoundError, StorageError
from app.core.identity import FileIdentity
from app.core.types import ChatMessage, ModelFile, TurnStatus
from app.storage.migrations import MIGRATIONS
from app.storage.models import Base
from app.storage.repository import Store
from tests.fixtures.ledger import fill, start_turn

EXPECTED_SCHEMA = {
    "events": ["id", "at", "kind", "detail_json"],
    "checkpoints": ["id", "at", "entry_count", "head_hash", "reason", "public_key", "signature"],
    "annotations": ["id", "turn_id", "flag", "comment", "author", "os_user", "created_at"],
    "signoffs": [
        "id",
        "conversation_id",
        "meaning",
        "printed_name",
        "reason",
        "os_user",
        "signed_at",
        "ledger_head",
        "identity_id",
        "role",
        "statement",
        "signed_at_local",
        "content_sha256",
        "signature",
    ],
    "identities": ["id", "name", "role", "os_user", "public_key", "fingerprint", "created_at", "proof"],
    "identity_revocations": ["id", "identity_id", "revoked_at", "reason", "os_user"],
    "conversation_links": ["id", "conversation_id", "continues_id", "created_at"],
    "ledger": [
        "seq",
        "at",
        "os_user",
        "actor",
        "action",
        "object_type",
        "object_id",
        "payload",
        "payload_sha256",
        "prev_hash",
        "entry_hash",
    ],
    "conversations": ["id", "title", "created_at", "created_by"],
    "model_files": [
        "id",
        "path",
        "size",
        "mtime_ns",
        "sha256",
        "hashed_at",
        "device",
        "inode",
        "ctime_ns",
        "tripwire",
    ],
    "model_checks": ["id", "turn_id", "role", "result", "sha256", "expected", "checked_at"],
    "schema_migrations": ["name", "applied_at"],
    "turns": [
        "id",
        "conversation_id",
        "turn_index",
        "prompt",
        "system_prompt",
        "messages_json",
        "rendered_prompt",
        "rendered_prompt_sha256",
        "prompt_tokens",
        "template_source",
        "template_sha256",
        "preset",
        "params_json",
        "require_reasoning",
        "model_path",
        "model_size",
        "model_sha256",
        "runtime_version",
        "app_version",
        "os_user",
        "started_at",
        "projector_path",
        "projector_size",
        "projector_sha256",
        "backend",
        "endpoint",
        "remote_model",
        "model_check",
        "projector_check",
        "request_json",
        "request_sha256",
        "request_size",
        "prompt_token_ids",
        "runtime_json",
    ],
    "turn_chunks": ["id", "turn_id", "seq", "raw", "reasoning", "answer", "saved_at"],
    "blobs": ["sha256", "size", "data", "created_at"],
    "turn_images": [
        "id",
        "turn_id",
        "position",
        "filename",
        "sha256",
        "media_type",
        "width",
        "height",
        "bytes",
        "sent_to_model",
        "sent_sha256",
        "sent_width",
        "sent_height",
    ],
    "turn_outcomes": [
        "id",
        "turn_id",
        "status",
        "finish_reason",
        "error",
        "completion_tokens",
        "tokens_per_second",
        "time_to_first_token_ms",
        "finished_at",
        "prompt_tokens",
        "usage_source",
        "server_fingerprint",
        "request_attempts",
        "response_id",
        "response_model",
        "server_usage_json",
        "reasoning_tokens",
        "unhandled_output_json",
        "output_token_ids",
        "answer_tokens",
    ],
    # The full-text index (derived data) and the shadow tables FTS5 keeps it in.
    "search_text": ["body", "field", "turn_id"],
    "search_text_config": ["k", "v"],
    "search_text_content": ["id", "c0", "c1", "c2"],
    "search_text_data": ["id", "block"],
    "search_text_docsize": ["id", "sz"],
    "search_text_idx": ["segid", "term", "pgno"],
}


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    location = ":memory:" if request.param == "memory" else tmp_path / "record.db"
    opened = Store(location)
    yield opened
    opened.close()


def test_blank_database_has_exactly_the_migrated_schema(store: Store) -> None:
    inspector = inspect(store.engine)
    schema = {
        table: [column["name"] for column in inspector.get_columns(table)]
        for table in inspector.get_table_names()
    }
    assert schema == EXPECTED_SCHEMA
    with store.engine.connect() as connection:
        names = [
            row[0] for row in connection.execute(text("SELECT name FROM schema_migrations ORDER BY name"))
        ]
    assert names == [migration.name for migration in MIGRATIONS]


def test_orm_models_match_the_migrated_tables(store: Store) -> None:
    inspector = inspect(store.engine)
    for table in Base.metadata.sorted_tables:
        migrated = {column["name"] for column in inspector.get_columns(table.name)}
        assert migrated == set(table.columns.keys()), table.name


def test_pragmas_on_every_connection(tmp_path: Path) -> None:
    opened = Store(tmp_path / "r.db")
    with opened.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    opened.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Store(tmp_path / "r.db").close()
    again = Store(tmp_path / "r.db")
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM schema_migrations")).scalar() == len(MIGRATIONS)
    again.close()


def test_database_from_a_newer_app_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Store(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES ('9999_future', 'later')")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="newer version of Veritrace"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match=r"is damaged \(SQLite reports: file is not a database\)"):
        Store(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_turn_lifecycle_appends_output_and_outcome(store: Store) -> None:
    conversation = store.create_conversation("Clause review", "alice")
    turn = start_turn(store, conversation)
    assert turn.status == TurnStatus.RUNNING and turn.index == 0
    store.append_output(turn.id, 0, "[THINK]look", "look", "")
    store.append_output(turn.id, 1, " closer[/THINK]Yes.", " closer", "Yes.")
    store.finish_turn(
        turn.id, TurnStatus.COMPLETED, finish_reason="stop", completion_tokens=9, tokens_per_second=12.5
    )
    recorded = store.turn(turn.id)
    assert recorded.raw_output == "[THINK]look closer[/THINK]Yes."
    assert (recorded.reasoning, recorded.answer) == ("look closer", "Yes.")
    assert recorded.status == TurnStatus.COMPLETED and recorded.completion_tokens == 9
    assert recorded.model == ModelFile("/models/m.gguf", 123, "a" * 64)
    assert recorded.messages == (ChatMessage("user", "Is clause 4 enforceable?"),)
    assert recorded.system_prompt == "SYS" and recorded.os_user == "alice"
    second = start_turn(store, conversation, "follow-up")
    assert second.index == 1
    summaries = store.list_conversations()
    assert [(s.title, s.turn_count, s.last_status) for s in summaries] == [
        ("Clause review", 2, TurnStatus.RUNNING)
    ]


def test_context_used_is_the_last_turns_prompt_and_output(store: Store) -> None:
    conversation = store.create_conversation("Clause review", "alice")
    assert store.context_used(conversation) == 0
    first = start_turn(store, conversation)
    store.finish_turn(first.id, TurnStatus.COMPLETED, finish_reason="stop", completion_tokens=9)
    assert store.context_used(conversation) == 7 + 9  # prompt tokens (prepared) and output
    second = start_turn(store, conversation, "follow-up")
    assert store.context_used(conversation) == 7  # running: nothing generated yet
    store.finish_turn(second.id, TurnStatus.CANCELLED, finish_reason="cancelled", completion_tokens=40)
    assert store.context_used(conversation) == 47
    assert store.context_used(store.create_conversation("other", "alice")) == 0


def test_running_turns_become_interrupted_with_their_output(store: Store) -> None:
    conversation = store.create_conversation("c", "alice")
    done = start_turn(store, conversation)
    store.finish_turn(done.id, TurnStatus.COMPLETED, finish_reason="stop")
    orphan = start_turn(store, conversation, "second")
    store.append_output(orphan.id, 0, "[THINK]half a tho", "half a tho", "")
    assert store.mark_interrupted() == [orphan.id]
    recorded = store.turn(orphan.id)
    assert recorded.status == TurnStatus.INTERRUPTED and recorded.reasoning == "half a tho"
    assert store.turn(done.id).status == TurnStatus.COMPLETED
    assert store.mark_interrupted() == []


def test_unknown_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.conversation(42)
    with pytest.raises(NotFoundError):
        store.turn(42)
    with pytest.raises(NotFoundError):
        start_turn(store, 42)


def test_model_hash_cache_is_keyed_on_what_utime_cannot_set_back(store: Store) -> None:
    known = FileIdentity(device=8, inode=77, size=10, mtime_ns=111, ctime_ns=222, tripwire="t1")
    store.remember_model_hash("/m.gguf", known, "h1")
    assert store.cached_model_hash("/m.gguf", known) == "h1"
    for changed in (
        replace(known, mtime_ns=112),
        replace(known, size=11),
        replace(known, ctime_ns=223),  # written, or its times reset with utime
        replace(known, inode=78),  # replaced by rename
        replace(known, device=9),
        replace(known, tripwire="t2"),  # first or last megabyte changed under a forged clock
    ):
        assert store.cached_model_hash("/m.gguf", changed) is None
    assert store.cached_model_hash("/other.gguf", known) is None


def test_full_disk_gives_a_clear_error_and_keeps_committed_rows(tmp_path: Path) -> None:
    opened = Store(tmp_path / "r.db")
    conversation = opened.create_conversation("c", "alice")
    turn = start_turn(opened, conversation)
    opened.append_output(turn.id, 0, "kept", "", "kept")

    from sqlalchemy import event

    @event.listens_for(opened.engine, "connect")
    def _cap(dbapi_connection, _record):  # every new connection sees a full disk
        used = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {used}")

    opened.engine.dispose()
    with pytest.raises(StorageError, match=r"disk .* is full"):
        opened.append_output(turn.id, 1, "x" * 200_000, "", "x" * 200_000)
    event.remove(opened.engine, "connect", _cap)
    opened.engine.dispose()
    assert opened.turn(turn.id).answer == "kept"
    opened.close()


def test_a_long_read_does_not_hold_up_a_writer(tmp_path: Path) -> None:
    """Verifying, searching and exporting read a WAL snapshot; a streaming turn keeps saving."""
    import time

    from app.storage.engine import reader

    store = Store(tmp_path / "record.db")
    fill(store, turns=2)
    # A read transaction of the kind the record's readers begin, left open as a long export would.
    with reader(store.engine).connect() as reading, reading.begin():
        before = reading.execute(text("SELECT count(*) FROM ledger")).scalar_one()
        started = time.perf_counter()
        store.create_conversation("written meanwhile", "alice")
        waited = time.perf_counter() - started
        assert reading.execute(text("SELECT count(*) FROM ledger")).scalar_one() == before  # snapshot
    assert waited < 1.0  # the busy timeout is 5 s: a writer that had to wait would take that long
    assert store.verify().intact
    store.close()
