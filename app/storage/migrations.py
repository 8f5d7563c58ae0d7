"""Named, append-only schema migrations: how a record made by an earlier version is upgraded.

Never edit or reorder a migration once released: add a new one, and change ``models`` to match
(a test compares an upgraded record with a new one). A new record is made from ``models`` at
once and marked with every migration. A database that has applied a migration this app does not
know was written by a newer version and is refused. The statements are SQLite's own SQL, as
each version wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, inspect, select

from app.core.errors import DatabaseTooNewError
from app.storage import sqlite_dialect
from app.storage.models import SchemaMigrationRow


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]
    after: Callable[[Connection, str], None] | None = None  # a data step, in the same transaction


def _append_only(table: str) -> tuple[str, str]:
    message = f"Veritrace records are append-only: rows of {table} cannot be changed or deleted"
    return (
        f"CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    )


def _ledger_backfill(connection: Connection, _now: str) -> None:
    from app.storage.ledger import backfill

    backfill(connection)


def _search_index(connection: Connection, _now: str) -> None:
    from app.storage import search

    sqlite_dialect.require_fts5()  # a clear message, not "no such module: fts5"
    sqlite_dialect.run(
        connection,
        "CREATE VIRTUAL TABLE search_text USING fts5("
        "body, field UNINDEXED, turn_id UNINDEXED, tokenize = 'trigram')",
    )
    search.rebuild(connection)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        (
            """CREATE TABLE conversations (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            )""",
            """CREATE TABLE model_files (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                hashed_at TEXT NOT NULL
            )""",
            "CREATE INDEX ix_model_files_identity ON model_files (path, size, mtime_ns)",
            """CREATE TABLE turns (
                id INTEGER PRIMARY KEY,
                conversation_id INTEGER NOT NULL REFERENCES conversations (id),
                turn_index INTEGER NOT NULL,
                prompt TEXT NOT NULL,
                system_prompt TEXT NOT NULL,
                messages_json TEXT NOT NULL,
                rendered_prompt TEXT NOT NULL,
                rendered_prompt_sha256 TEXT NOT NULL,
                prompt_tokens INTEGER NOT NULL,
                template_source TEXT NOT NULL,
                template_sha256 TEXT NOT NULL,
                preset TEXT NOT NULL,
                params_json TEXT NOT NULL,
                require_reasoning BOOLEAN NOT NULL,
                model_path TEXT NOT NULL,
                model_size INTEGER NOT NULL,
                model_sha256 TEXT NOT NULL,
                runtime_version TEXT NOT NULL,
                app_version TEXT NOT NULL,
                os_user TEXT NOT NULL,
                started_at TEXT NOT NULL,
                UNIQUE (conversation_id, turn_index)
            )""",
            """CREATE TABLE turn_chunks (
                id INTEGER PRIMARY KEY,
                turn_id INTEGER NOT NULL REFERENCES turns (id),
                seq INTEGER NOT NULL,
                raw TEXT NOT NULL,
                reasoning TEXT NOT NULL,
                answer TEXT NOT NULL,
                saved_at TEXT NOT NULL,
                UNIQUE (turn_id, seq)
            )""",
            """CREATE TABLE turn_outcomes (
                id INTEGER PRIMARY KEY,
                turn_id INTEGER NOT NULL UNIQUE REFERENCES turns (id),
                status TEXT NOT NULL,
                finish_reason TEXT,
                error TEXT,
                completion_tokens INTEGER NOT NULL,
                tokens_per_second REAL,
                time_to_first_token_ms REAL,
                finished_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        "0002_images",
        (
            # Content-addressed: an image attached twice is stored once.
            """CREATE TABLE blobs (
                sha256 TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                data BLOB NOT NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE turn_images (
                id INTEGER PRIMARY KEY,
                turn_id INTEGER NOT NULL REFERENCES turns (id),
                position INTEGER NOT NULL,
                filename TEXT NOT NULL,
                sha256 TEXT NOT NULL REFERENCES blobs (sha256),
                media_type TEXT NOT NULL,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                sent_to_model BOOLEAN NOT NULL,
                sent_sha256 TEXT REFERENCES blobs (sha256),
                sent_width INTEGER,
                sent_height INTEGER,
                UNIQUE (turn_id, position)
            )""",
            "ALTER TABLE turns ADD COLUMN projector_path TEXT",
            "ALTER TABLE turns ADD COLUMN projector_size INTEGER",
            "ALTER TABLE turns ADD COLUMN projector_sha256 TEXT",
        ),
    ),
    Migration(
        "0003_ledger",
        (
            """CREATE TABLE ledger (
                seq INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                os_user TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                object_type TEXT NOT NULL,
                object_id TEXT NOT NULL,
                payload BLOB NOT NULL,
                payload_sha256 TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                entry_hash TEXT NOT NULL UNIQUE
            )""",
            *(
                statement
                for table in (
                    "conversations",
                    "model_files",
                    "turns",
                    "blobs",
                    "turn_images",
                    "turn_chunks",
                    "turn_outcomes",
                    "ledger",
                    "schema_migrations",
                )
                for statement in _append_only(table)
            ),
        ),
        after=_ledger_backfill,
    ),
    Migration(
        "0004_review",
        (
            """CREATE TABLE annotations (
                id INTEGER PRIMARY KEY,
                turn_id INTEGER NOT NULL REFERENCES turns (id),
                flag TEXT NOT NULL CHECK (flag IN ('ok', 'concern', 'error')),
                comment TEXT NOT NULL,
                author TEXT NOT NULL,
                os_user TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE signoffs (
                id INTEGER PRIMARY KEY,
                conversation_id INTEGER NOT NULL REFERENCES conversations (id),
                meaning TEXT NOT NULL CHECK (meaning IN ('reviewed', 'approved', 'rejected')),
                printed_name TEXT NOT NULL,
                reason TEXT NOT NULL,
                os_user TEXT NOT NULL,
                signed_at TEXT NOT NULL,
                ledger_head TEXT NOT NULL
            )""",
            """CREATE TABLE conversation_links (
                id INTEGER PRIMARY KEY,
                conversation_id INTEGER NOT NULL UNIQUE REFERENCES conversations (id),
                continues_id INTEGER NOT NULL REFERENCES conversations (id),
                created_at TEXT NOT NULL
            )""",
            *(
                statement
                for table in ("annotations", "signoffs", "conversation_links")
                for statement in _append_only(table)
            ),
        ),
    ),
    Migration(
        "0005_checkpoints",
        (
            """CREATE TABLE checkpoints (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                entry_count INTEGER NOT NULL,
                head_hash TEXT NOT NULL,
                reason TEXT NOT NULL,
                public_key TEXT NOT NULL,
                signature TEXT NOT NULL
            )""",
            *_append_only("checkpoints"),
        ),
    ),
    Migration(
        "0006_events",
        (
            # Things that happen without a row of their own: a model loaded, settings
            # changed, the record opened or upgraded, an export made.
            """CREATE TABLE events (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                detail_json TEXT NOT NULL
            )""",
            *_append_only("events"),
        ),
    ),
    Migration(
        "0007_search",
        (
            # Browsing 10,000 conversations: turn counts, latest activity and models come
            # from this index alone, without reading the (large) turn rows.
            "CREATE INDEX ix_turns_browse ON turns "
            "(conversation_id, model_sha256, started_at, model_path, model_size)",
            "CREATE INDEX ix_annotations_turn ON annotations (turn_id, id)",
            "CREATE INDEX ix_signoffs_conversation ON signoffs (conversation_id, id)",
        ),
        # The full-text index is derived data: no append-only triggers, no ledger entries.
        after=_search_index,
    ),
    Migration(
        "0008_remote",
        (
            # Nullable, so rows recorded before keep their ledger payloads (NULLs are left out).
            # backend is 'local' or 'remote'; a remote turn also names the server's API base
            # and the model id it asked for. NULL in rows from before: they ran locally.
            "ALTER TABLE turns ADD COLUMN backend TEXT",
            "ALTER TABLE turns ADD COLUMN endpoint TEXT",
            "ALTER TABLE turns ADD COLUMN remote_model TEXT",
            # Token counts as the server reported them ('server'), or counted as streamed
            # chunks ('approximate'); NULL: counted exactly by the local runtime.
            "ALTER TABLE turn_outcomes ADD COLUMN prompt_tokens INTEGER",
            "ALTER TABLE turn_outcomes ADD COLUMN usage_source TEXT",
        ),
    ),
    Migration(
        "0009_model_checks",
        (
            # A cached hash is keyed on what its owner cannot set back (utime moves ctime).
            # Nullable: older rows keep their payloads, and never match a lookup again.
            "ALTER TABLE model_files ADD COLUMN device INTEGER",
            "ALTER TABLE model_files ADD COLUMN inode INTEGER",
            "ALTER TABLE model_files ADD COLUMN ctime_ns INTEGER",
            "ALTER TABLE model_files ADD COLUMN tripwire TEXT",
            # How the turn's model and projector hashes stood when it began: 'verified' for
            # this load, 'cached' (the load's own hash still running) or 'pending' (no hash yet).
            "ALTER TABLE turns ADD COLUMN model_check TEXT",
            "ALTER TABLE turns ADD COLUMN projector_check TEXT",
            # The fingerprint a remote server reported for the system that answered.
            "ALTER TABLE turn_outcomes ADD COLUMN server_fingerprint TEXT",
            # What a load's full hash found for a turn that began before it finished:
            # 'verified' (sha256 is the file's), 'mismatch' (expected is the cache's wrong
            # hash) or 'unverifiable' (the file was written to while it was being hashed).
            """CREATE TABLE model_checks (
                id INTEGER PRIMARY KEY,
                turn_id INTEGER NOT NULL REFERENCES turns (id),
                role TEXT NOT NULL CHECK (role IN ('model', 'projector')),
                result TEXT NOT NULL CHECK (result IN ('verified', 'mismatch', 'unverifiable')),
                sha256 TEXT NOT NULL,
                expected TEXT,
                checked_at TEXT NOT NULL
            )""",
            "CREATE INDEX ix_model_checks_turn ON model_checks (turn_id, id)",
            "DROP INDEX ix_model_files_identity",
            "CREATE INDEX ix_model_files_identity ON model_files (path, size, mtime_ns, ctime_ns)",
            *_append_only("model_checks"),
        ),
    ),
    Migration(
        "0010_remote_exchange",
        (
            # Nullable, so rows recorded before (and local turns) keep their ledger payloads.
            # A remote turn's request: the JSON body as recorded (each image's data URI named
            # by the SHA-256 of the stored copy: app.core.remote_request), and the SHA-256 and
            # size of the exact bytes sent.
            "ALTER TABLE turns ADD COLUMN request_json TEXT",
            "ALTER TABLE turns ADD COLUMN request_sha256 TEXT",
            "ALTER TABLE turns ADD COLUMN request_size INTEGER",
            # What came back: how often the request was sent (a server that said "too many
            # requests" is asked again), the response's own id and model, the server's usage
            # object as it sent it (JSON), reasoning tokens where it counts them, and output
            # parts of a kind the app does not know, verbatim (a JSON array).
            "ALTER TABLE turn_outcomes ADD COLUMN request_attempts INTEGER",
            "ALTER TABLE turn_outcomes ADD COLUMN response_id TEXT",
            "ALTER TABLE turn_outcomes ADD COLUMN response_model TEXT",
            "ALTER TABLE turn_outcomes ADD COLUMN server_usage_json TEXT",
            "ALTER TABLE turn_outcomes ADD COLUMN reasoning_tokens INTEGER",
            "ALTER TABLE turn_outcomes ADD COLUMN unhandled_output_json TEXT",
        ),
    ),
    Migration(
        "0011_turn_tokens",
        (
            # Nullable, so rows recorded before (and remote turns) keep their ledger payloads.
            # The ids the model evaluated and those it sampled, as little-endian uint32 blobs
            # (app.core.tokens; each image of the prompt is 0xFFFFFFFF): a row's ledger payload
            # holds each blob's SHA-256. How many sampled ids were answer; reasoning_tokens holds
            # the rest for a local turn (a remote turn's is still the server's count).
            "ALTER TABLE turns ADD COLUMN prompt_token_ids BLOB",
            # Where a local turn ran, as llama.cpp reported it (threads, batch sizes, CPU
            # features, layers offloaded): what a reproduction compares itself with. JSON.
            "ALTER TABLE turns ADD COLUMN runtime_json TEXT",
            "ALTER TABLE turn_outcomes ADD COLUMN output_token_ids BLOB",
            "ALTER TABLE turn_outcomes ADD COLUMN answer_tokens INTEGER",
        ),
    ),
    Migration(
        "0012_identities",
        (
            # A person who signs: their own Ed25519 public key, its fingerprint, and the key's
            # signature over who they are (app.core.signoff.identity_message).
            """CREATE TABLE identities (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                os_user TEXT NOT NULL,
                public_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                created_at TEXT NOT NULL,
                proof TEXT NOT NULL,
                UNIQUE (public_key),
                UNIQUE (fingerprint)
            )""",
            """CREATE TABLE identity_revocations (
                id INTEGER PRIMARY KEY,
                identity_id INTEGER NOT NULL UNIQUE REFERENCES identities (id),
                revoked_at TEXT NOT NULL,
                reason TEXT NOT NULL,
                os_user TEXT NOT NULL
            )""",
            # Nullable, so sign-offs recorded before keep their ledger payloads: a personal
            # signature by the signer's identity, over the fields app.core.signoff lists.
            "ALTER TABLE signoffs ADD COLUMN identity_id INTEGER REFERENCES identities (id)",
            "ALTER TABLE signoffs ADD COLUMN role TEXT",
            "ALTER TABLE signoffs ADD COLUMN statement TEXT",
            "ALTER TABLE signoffs ADD COLUMN signed_at_local TEXT",
            "ALTER TABLE signoffs ADD COLUMN content_sha256 TEXT",
            "ALTER TABLE signoffs ADD COLUMN signature TEXT",
            "CREATE UNIQUE INDEX ix_signoffs_signer ON signoffs (conversation_id, identity_id)",
            *(
                statement
                for table in ("identities", "identity_revocations")
                for statement in _append_only(table)
            ),
        ),
    ),
    Migration(
        "0013_ledger_objects",
        # The ledger entries of given rows, found without reading the whole chain: who started
        # each turn shown (the entry's actor) is read with the conversation.
        ("CREATE INDEX ix_ledger_object ON ledger (object_type, object_id)",),
    ),
)

_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)"""


def migrate(connection: Connection, now: str) -> list[str]:
    """Bring the schema up to date inside the caller's transaction; return the migrations applied.

    A new record (no schema at all) is made from ``models`` and marked with every migration;
    an existing one applies those it lacks, in order.
    """
    if not inspect(connection).has_table(SchemaMigrationRow.__tablename__):
        sqlite_dialect.create_schema(connection)
        names = [migration.name for migration in MIGRATIONS]
        connection.execute(insert(SchemaMigrationRow), [{"name": name, "applied_at": now} for name in names])
        return names
    return upgrade(connection, now)


def upgrade(connection: Connection, now: str, steps: Sequence[Migration] | None = None) -> list[str]:
    """Apply the migrations in ``steps`` (default: all) the record lacks, in order, inside the
    caller's transaction; return their names. On an empty database this makes a record as the
    version that knew only ``steps`` made it."""
    sqlite_dialect.run(connection, _LEDGER)
    applied = set(connection.scalars(select(SchemaMigrationRow.name)))
    known = {migration.name for migration in MIGRATIONS}
    unknown = sorted(applied - known)
    if unknown:
        raise DatabaseTooNewError(
            "This record was written by a newer version of Veritrace "
            f"(schema step {unknown[-1]}). Update Veritrace to open it; the file was not changed."
        )
    done = []
    for migration in MIGRATIONS if steps is None else steps:
        if migration.name in applied:
            continue
        for statement in migration.statements:
            sqlite_dialect.run(connection, statement)
        if migration.after is not None:
            migration.after(connection, now)
        connection.execute(insert(SchemaMigrationRow).values(name=migration.name, applied_at=now))
        done.append(migration.name)
    return done
