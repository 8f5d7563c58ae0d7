"""Exporting a bundle: the scope it reads, what it records, and that it writes all or nothing."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.errors import NotFoundError, StorageError, VeritraceError
from app.core.report import new_report_id, scope_digest
from app.core.signing import KeyPair
from app.core.types import TurnStatus
from app.export import verify_bundle as vb
from app.export.files import ExportError
from app.services.bundle_export import export_bundle
from app.services.signing import installation_key
from app.storage.ledger import TABLES
from app.storage.repository import Store
from tests.fixtures.bundles import add_turn, build_record, files_of, make_bundle, problem, run_verifier


@pytest.fixture
def key() -> KeyPair:
    return installation_key()


@pytest.fixture
def record(tmp_path: Path, key: KeyPair) -> Iterator[Store]:
    store = Store(tmp_path / "record.db")
    build_record(store, key)
    yield store
    store.close()


def ledger_rows(store: Store) -> list[sqlite3.Row]:
    with sqlite3.connect(str(store.path)) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM ledger ORDER BY seq").fetchall()
    connection.close()
    return rows


def events(store: Store, kind: str) -> list[dict[str, Any]]:
    with sqlite3.connect(str(store.path)) as connection:
        found = connection.execute("SELECT detail_json FROM events WHERE kind = ?", (kind,)).fetchall()
    connection.close()
    return [json.loads(row[0]) for row in found]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if ".partial" in path.name)


# -- report ids ----------------------------------------------------------------------------


def test_report_ids_carry_the_utc_time_and_four_hex_digits() -> None:
    made = {new_report_id("2026-11-23T18:30:12.345Z") for _ in range(40)}
    assert all(re.fullmatch(r"VT-20261123-183012-[0-9A-F]{4}", report) for report in made)
    assert len(made) > 1, "the random part tells apart exports made in the same second"
    with pytest.raises(ValueError, match="Not a recorded UTC time"):
        new_report_id("23/11/2026 18:30")


# -- the scope -----------------------------------------------------------------------------


def test_scope_holds_exactly_the_rows_of_the_chosen_conversations(record: Store) -> None:
    scope = record.bundle_scope([3])
    by_table: dict[str, list[dict[str, Any]]] = {}
    for item in scope.records:
        by_table.setdefault(item.table, []).append(item.payload)
    with sqlite3.connect(str(record.path)) as connection:
        turns = [row[0] for row in connection.execute("SELECT id FROM turns WHERE conversation_id = 3")]
        images = connection.execute(
            f"SELECT sha256, sent_sha256 FROM turn_images WHERE turn_id IN ({','.join('?' * len(turns))})",
            turns,
        ).fetchall()
    connection.close()
    assert [row["id"] for row in by_table["conversations"]] == [3]
    assert [row["continues_id"] for row in by_table["conversation_links"]] == [1]
    assert [row["id"] for row in by_table["turns"]] == turns
    assert {row["turn_id"] for row in by_table["turn_chunks"]} == set(turns)
    assert {row["sha256"] for row in by_table["blobs"]} == {sha for pair in images for sha in pair if sha}
    assert {row["sha256"] for row in by_table["model_files"]} == {"cd" * 32}
    assert "signoffs" not in by_table and "annotations" not in by_table
    seqs = [item.seq for item in scope.records]
    assert seqs == sorted(seqs) and scope.digest == scope_digest(seqs) == vb.scope_digest(seqs)
    rows = ledger_rows(record)
    assert len(scope.ledger) == len(rows) == scope.entry_count
    for line, row in zip(scope.ledger, rows, strict=True):
        assert line.entry_hash == row["entry_hash"]
        assert (line.payload is not None) == (line.seq in scope.record_seqs)
        if line.payload is not None:
            assert vb.canonical(line.payload) == bytes(row["payload"])
            assert TABLES[line.payload["table"]][0] == line.object_type


def test_scope_refuses_unknown_and_empty_selections(record: Store) -> None:
    with pytest.raises(NotFoundError, match="No conversation with id 99"):
        record.bundle_scope([1, 99])
    with pytest.raises(NotFoundError, match="choose at least one conversation"):
        record.bundle_scope([])


# -- what an export records ----------------------------------------------------------------


def test_export_records_its_event_then_signs_the_head_that_includes_it(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    before = record.bundle_scope([1, 2])
    result = make_bundle(record, key, tmp_path / "out", (1, 2))
    (detail,) = events(record, "export.made")
    assert detail["report_id"] == result.report_id and detail["format"] == "json"
    assert detail["bundle_format"] == "veritrace-bundle/1" and detail["conversations"] == [1, 2]
    assert detail["scope"] == "Matters 1 to 3" and detail["scope_digest"] == before.digest
    assert detail["path"] == str(tmp_path / "out")
    rows = ledger_rows(record)
    event_seq = next(row["seq"] for row in rows if row["action"] == "export.made")
    assert result.checkpoint.entry_count == event_seq  # the signature covers the event
    assert result.checkpoint.reason == f"export {result.report_id}"
    verification = record.verify()
    # After the signer's identity, after the sign-off, and after the export.
    assert verification.intact and verification.checkpoints == 3, verification.describe()
    manifest = json.loads((result.path / vb.MANIFEST).read_bytes())
    assert manifest["export_event"] == event_seq and manifest["report_id"] == result.report_id
    assert result.files == len(manifest["files"]) + 1 and result.size == sum(
        path.stat().st_size for path in result.path.rglob("*") if path.is_file()
    )


def test_a_subset_of_conversations_verifies_and_carries_only_its_records(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    result = make_bundle(record, key, tmp_path / "just-3.zip", (3,))
    run = run_verifier(result.path)
    assert run.returncode == 0, run.stdout
    with zipfile.ZipFile(result.path) as archive:
        names = archive.namelist()
        lines = [json.loads(line) for line in archive.read(vb.LEDGER).splitlines()]
    assert [name for name in names if name.startswith("conversations/")] == ["conversations/3.json"]
    turns_of_3 = {turn.id for turn in record.conversation(3).turns}
    carried = [line["payload"] for line in lines if "payload" in line]
    chunks = [payload for payload in carried if payload["table"] == "turn_chunks"]
    assert chunks and {payload["turn_id"] for payload in chunks} == turns_of_3
    assert not [payload for payload in carried if payload["table"] in ("signoffs", "annotations")]
    assert len(lines) == result.checkpoint.entry_count < len(ledger_rows(record))


@pytest.mark.slow
def test_rows_recorded_while_the_export_is_recorded_stay_out_of_its_scope(
    record: Store, key: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turn still streaming in an exported conversation: the bundle is the scope as first read."""
    running = add_turn(record, 2, "still thinking", [], [("[THINK]a", "a", "")])
    turn_id = max(turn.id for turn in record.conversation(running).turns)
    log_event = record.log_event

    def chunk_slips_in(kind: str, detail: dict[str, Any]) -> None:
        if kind == "export.made":
            record.append_output(turn_id, 1, "late", "late", "")
        log_event(kind, detail)

    monkeypatch.setattr(record, "log_event", chunk_slips_in)
    result = make_bundle(record, key, tmp_path / "out", (2,))
    assert run_verifier(result.path).returncode == 0
    document = json.loads((result.path / "conversations/2.json").read_bytes())
    last = document["turns"][-1]
    assert last["record"]["id"] == turn_id and last["reasoning"] == "a" and last["outcome"] is None
    assert "late" in "".join(turn.reasoning for turn in record.conversation(2).turns)


# -- never over anything, never half-written ------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["out", "out.zip"])
def test_an_existing_destination_is_refused_before_anything_is_recorded(
    record: Store, key: KeyPair, tmp_path: Path, name: str
) -> None:
    destination = tmp_path / name
    destination.mkdir() if name == "out" else destination.write_bytes(b"keep me")
    entries = len(ledger_rows(record))
    with pytest.raises(ExportError, match="already exists"):
        make_bundle(record, key, destination)
    assert len(ledger_rows(record)) == entries and not events(record, "export.made")
    assert destination.exists() and (name == "out" or destination.read_bytes() == b"keep me")
    replaced = make_bundle(record, key, destination, overwrite=True)
    assert run_verifier(replaced.path).returncode == 0
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["out", "out.zip"])
def test_cancelling_leaves_no_destination_and_is_recorded(
    record: Store, key: KeyPair, tmp_path: Path, name: str
) -> None:
    cancel = CancelToken()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 2:
            cancel.set()

    with pytest.raises(ExportError, match="cancelled"):
        make_bundle(record, key, tmp_path / name, progress=progress, cancel=cancel)
    assert not (tmp_path / name).exists() and leftovers(tmp_path) == []
    assert seen == [(1, seen[0][1]), (2, seen[0][1])]
    (made,) = events(record, "export.made")
    (cancelled,) = events(record, "export.cancelled")
    assert cancelled["report_id"] == made["report_id"] and "cancelled" in cancelled["error"]
    assert record.verify().intact


def test_a_failure_while_writing_leaves_nothing_and_is_recorded(
    record: Store, key: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(sha256: str) -> bytes:
        raise StorageError(f"The stored image {sha256} cannot be read.")

    monkeypatch.setattr(record, "image_data", unreadable)
    with pytest.raises(StorageError, match="cannot be read"):
        make_bundle(record, key, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists() and leftovers(tmp_path) == []
    (failed,) = events(record, "export.failed")
    assert "cannot be read" in failed["error"]


def test_a_damaged_stored_image_is_refused_rather_than_exported(
    record: Store, key: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record, "image_data", lambda sha256: b"not the image")
    with pytest.raises(ExportError, match="does not match its SHA-256"):
        make_bundle(record, key, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_progress_counts_every_file_up_to_the_total(record: Store, key: KeyPair, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = make_bundle(
        record, key, tmp_path / "out", progress=lambda done, total: seen.append((done, total))
    )
    total = len(files_of(result.path))
    assert [done for done, _ in seen] == [*range(1, total), total] and {t for _, t in seen} == {total}


def test_nothing_to_export_is_refused(record: Store, key: KeyPair, tmp_path: Path) -> None:
    with pytest.raises(VeritraceError, match="choose at least one conversation"):
        export_bundle(record, key, [], "none", tmp_path / "out", as_zip=False, generated_by="x")
    with pytest.raises(NotFoundError):
        export_bundle(record, key, [7], "none", tmp_path / "out", as_zip=False, generated_by="x")
    assert not events(record, "export.made") and not (tmp_path / "out").exists()


def test_an_interrupted_turn_exports_and_verifies(record: Store, key: KeyPair, tmp_path: Path) -> None:
    add_turn(record, 3, "cut short", [], [("[THINK]half", "half", "")])
    record.mark_interrupted()
    result = make_bundle(record, key, tmp_path / "out", (3,))
    document = json.loads((result.path / "conversations/3.json").read_bytes())
    assert document["turns"][-1]["outcome"]["record"]["status"] == str(TurnStatus.INTERRUPTED)
    assert problem(files_of(result.path)) is None
