"""verify --since: reports, bundles and head hashes as witnesses; every bad argument one line."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.core.errors import VeritraceError
from app.core.signing import SignedHead, checkpoint_message, find_head_tokens
from app.services.paths import database_path
from app.services.record import open_record
from app.services.since import read_claim
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.ledger import fill

pytestmark = pytest.mark.slow


@pytest.fixture
def record(veritrace_home: Path) -> Path:
    store = open_record(database_path())
    fill(store, turns=2)
    store.close()
    return database_path()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def export(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    code, _, err = run(capsys, "export", "1", "-o", str(path))
    assert code == 0, err


def test_each_report_format_carries_its_signed_head(
    qapp: object, record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("r.pdf", "r.md", "b.zip", "folder"):
        export(capsys, tmp_path / name)
    pdf = read_claim(str(tmp_path / "r.pdf"))
    assert pdf.signed is not None and pdf.signed.genuine()
    # In a PDF the head is in the XMP metadata, uncompressed, where any tool can read it.
    raw = (tmp_path / "r.pdf").read_bytes()
    assert b"<vt:signedHead>veritrace-head/1 entry=" in raw
    markdown = (tmp_path / "r.md").read_text()
    assert f"`{read_claim(str(tmp_path / 'r.md')).signed.token()}`" in markdown  # type: ignore[union-attr]
    for name in ("b.zip", "folder"):
        claim = read_claim(str(tmp_path / name))
        assert claim.signed is not None and claim.hashes and len(claim.hashes) == claim.entry_count
    code, out, err = run(
        capsys, "verify", *(f"--since={tmp_path / name}" for name in ("r.pdf", "r.md", "b.zip", "folder"))
    )
    assert code == 0, err
    assert out.count("nothing recorded up to then was changed or removed") == 4


def test_a_head_hash_is_found_with_or_without_its_entry_number(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_record(database_path(), key=None)
    try:
        count, head = store.head()
    finally:
        store.close()
    assert run(capsys, "verify", "--since", head)[0] == 0
    assert run(capsys, "verify", "--since", f"{count}:{head.upper()}")[0] == 0
    code, _, err = run(capsys, "verify", "--since", "ab" * 32)
    assert code == 1 and f"No entry of the record has hash {'ab' * 32}" in err
    code, _, err = run(capsys, "verify", "--since", f"{count + 5}:{head}")
    assert code == 1 and f"it ends at entry {count}" in err and f"entries {count + 1} to {count + 5}" in err


def test_a_report_from_another_record_or_altered_is_named(
    qapp: object, record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export(capsys, tmp_path / "r.md")
    text = (tmp_path / "r.md").read_text()
    [head] = find_head_tokens(text)
    altered = SignedHead(head.entry_count, "0" * 64, head.at, head.public_key, head.signature)
    (tmp_path / "altered.md").write_text(text.replace(head.token(), altered.token()))
    code, _, err = run(capsys, "verify", "--since", str(tmp_path / "altered.md"))
    assert code == 1 and "does not carry a valid signature (the report was altered)" in err
    # The same head, genuinely signed, but by a key this record never held.
    message = checkpoint_message(head.entry_count, head.head_hash, head.at)
    foreign = SignedHead(
        head.entry_count, head.head_hash, head.at, TEST_KEY.public_hex, TEST_KEY.sign(message)
    )
    (tmp_path / "foreign.md").write_text(text.replace(head.token(), foreign.token()))
    code, _, err = run(capsys, "verify", "--since", str(tmp_path / "foreign.md"))
    assert code == 1 and "which is not in this record's key history" in err


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.timeout(60)
def test_hostile_arguments_get_one_line_each_in_bounded_time(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    random_bytes = tmp_path / "noise.pdf"
    random_bytes.write_bytes(b"%PDF-1.7\nstream\n" + os.urandom(200_000))
    sparse = tmp_path / "huge.pdf"
    with sparse.open("wb") as handle:
        handle.truncate((1 << 30) + 1)
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    not_zip = tmp_path / "b.zip"
    not_zip.write_bytes(b"PK\x03\x04 not really")
    cases = {
        "/dev/zero": "is not a regular file",
        str(fifo): "is not a regular file",
        str(random_bytes): "carries no Veritrace signed head",
        str(sparse): "larger than any Veritrace report",
        str(empty_folder): "is not a readable Veritrace bundle",
        str(not_zip): "is not a readable Veritrace bundle",
        "not-a-hash": "neither a report, a bundle nor a head hash",
    }
    for argument, expected in cases.items():  # a hang would be cut off by the test's time limit
        code, out, err = run(capsys, "verify", "--since", argument)
        assert code == 2 and expected in err and err.count("\n") == 1, (argument, err)
        assert out == ""
    with pytest.raises(VeritraceError):
        read_claim("")


def test_a_rollback_is_named_by_an_earlier_report(
    qapp: object, record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An earlier report proves a head: putting an older copy back (and the witness with it) fails."""
    store = open_record(database_path())
    backup = store.backup(tmp_path, "before")
    store.close()
    assert (
        run(capsys, "annotate", "1", "--flag", "concern", "--comment", "The rollback would hide this.")[0]
        == 0
    )
    export(capsys, tmp_path / "later.md")  # its signed head includes the note
    # The insider puts the old file back and, knowing about it, the old witness too.
    from app.services.witness import witness_file

    witness_file(database_path()).unlink()
    with sqlite3.connect(backup) as source, sqlite3.connect(database_path()) as target:
        source.backup(target)
    source.close()
    target.close()
    code, out, err = run(capsys, "verify")
    assert code == 0 and "No witness outside the file was found" in out, ("alone, the rollback passes", err)
    code, _, err = run(capsys, "verify", "--since", str(tmp_path / "later.md"))
    assert (
        code == 1 and "The record does not contain the head of" in err and "rolled back or truncated" in err
    )
