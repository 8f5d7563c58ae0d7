"""The insider rewrites history: an approved answer edited, a signed-off conversation deleted.

The attacker is the person at the keyboard: the same operating-system user as the app, able
to write the SQLite file, read the key file (knowing its passphrase) and write the witness
file; here they hold the signers' own keys too (``stolen_signers``), so that what is left to
catch them is what these tests are about (what a personal signature catches without its key is
in test_attacks_signoff.py). Each attack drops the append-only triggers, edits or deletes rows,
and rebuilds the chain into a perfectly consistent forgery (``tests.fixtures.forgery``); what still catches it
is a signature, the witness outside the file, an earlier report or a timestamp token, and
``veritrace verify`` must name what it found. Where the README's threat model says nothing
local can tell (the witness, the reports and the tokens all gone too), the tests assert
exactly what ``verify`` says instead.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.core.signing import fingerprint
from app.core.types import Checkpoint
from app.services.anchoring import imprint
from app.services.signing import KEY_NAME, installation_key
from app.services.since import read_claim
from app.services.witness import newest_witness, witness_file
from app.storage.ledger import Verification
from app.storage.repository import Store
from tests.fixtures.forgery import (
    TRIGGERS,
    asked_record,
    cli,
    delete_conversation,
    delete_rows,
    edit_cell,
    entry_hash_at,
    erase_witness,
    fresh_key,
    head,
    last_answer_chunk,
    rebuild_chain,
    rewrite_witness,
    signed_record,
    stolen_key,
    stolen_signers,
)
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.records import long_conversation
from tests.fixtures.tsa import local_tsa

FORGED = "\n\nNo: a verbal contract is never binding."
NO_WITNESS = (
    "No witness outside the file was found for this record: putting an older copy in its place would "
    "not be noticed here."
)

NOT_VERIFIED = "Record NOT verified. Its chain and rows are consistent: "  # then FAILED lines


def verified(db: Path) -> Verification:
    store = Store(db)
    try:
        return store.verify()
    finally:
        store.close()


def answer_of(db: Path, conversation_id: int) -> str:
    store = Store(db)
    try:
        return store.conversation(conversation_id).turns[-1].answer
    finally:
        store.close()


def checkpoints(db: Path) -> list[Checkpoint]:
    store = Store(db)
    try:
        return store.checkpoints()
    finally:
        store.close()


def triggers(db: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute(TRIGGERS).fetchall()


# -- the forger's toolkit makes consistent forgeries -------------------------------------------


@pytest.fixture
def record(tmp_path: Path) -> Path:
    """A record written through the Store: one approved conversation, one open, signed by TEST_KEY."""
    path = tmp_path / "record.db"
    store = Store(path)
    long_conversation(store, turns=2, title="Signed")
    long_conversation(store, turns=2, sign=False, title="Open", seed=1)
    store.checkpoint(TEST_KEY, "built")
    store.close()
    return path


def test_an_edit_rebuilt_without_a_key_leaves_only_the_signatures_to_catch_it(record: Path) -> None:
    guards = triggers(record)
    chunk, _ = last_answer_chunk(record, 1)
    edit_cell(record, "turn_chunks", chunk, "answer", FORGED)
    assert f"turn_chunk {chunk} differs from what it recorded" in verified(record).describe()
    rebuild_chain(record, key=None)
    problem = verified(record).problem
    assert problem is not None and problem.reason.endswith("signed a different chain head"), problem
    assert triggers(record) == guards, "the append-only triggers are back exactly as they were"
    with (
        closing(sqlite3.connect(record)) as connection,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        connection.execute("UPDATE turn_chunks SET answer = 'again'")


def test_an_edit_rebuilt_with_a_fresh_key_is_consistent_in_every_row_and_signature(record: Path) -> None:
    chunk, _ = last_answer_chunk(record, 1)
    edit_cell(record, "turn_chunks", chunk, "answer", FORGED)
    fresh = fresh_key()
    rebuild_chain(record, key=fresh, signers=stolen_signers())
    result = verified(record)
    assert result.intact, result.describe()
    assert [key.public_key for key in result.keys] == [fresh.public_hex], "the history names the forger's key"
    # After the signer's identity, after the sign-off, and at the end.
    assert result.checkpoints == 3 and answer_of(record, 1).endswith(FORGED)


@pytest.mark.slow
def test_a_deleted_conversation_rebuilt_leaves_a_gapless_chain_and_no_trace(record: Path) -> None:
    before = head(record)[0]
    deleted = delete_conversation(record, 1)
    assert deleted["signoffs"] == 1 and deleted["turns"] == 2 and deleted["blobs"] >= 1
    rebuild_chain(record, key=TEST_KEY)
    result = verified(record)
    assert result.intact, result.describe()
    assert result.entries == before - sum(deleted.values())
    with closing(sqlite3.connect(record)) as connection:
        seqs = [seq for (seq,) in connection.execute("SELECT seq FROM ledger ORDER BY seq")]
        found = connection.execute("SELECT count(*) FROM search_text WHERE body LIKE '%Signed%'").fetchone()
    assert seqs == list(range(1, len(seqs) + 1)) and found == (0,)


def test_dropping_every_checkpoint_and_key_event_leaves_the_identity_and_sign_off_unsigned(
    record: Path,
) -> None:
    rebuild_chain(record, key=None, drop_checkpoints=True)
    result = verified(record)
    assert not result.intact and result.problem is not None
    assert result.problem.reason == "identity 1 comes before any key was enrolled"
    delete_rows(record, "identities", "1")
    rebuild_chain(record, key=None, drop_checkpoints=True)
    result = verified(record)
    assert result.problem is not None
    assert result.problem.reason == "sign-off 1 names identity 1, which no earlier entry records"
    delete_rows(record, "signoffs", "1")
    rebuild_chain(record, key=None, drop_checkpoints=True)
    result = verified(record)
    assert result.intact and result.keys == () and result.checkpoints == 0, result.describe()


# -- 1a. an approved answer edited, re-signed with a fresh key ------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_an_approved_answer_edited_and_resigned_with_a_fresh_key_is_caught(
    capsys: pytest.CaptureFixture[str], demo_gguf: Path, tmp_path: Path
) -> None:
    db = asked_record(capsys)
    report = tmp_path / "approved.md"
    assert cli(capsys, "export", "1", "-o", str(report)).status == 0
    real = installation_key()
    witnessed = newest_witness(db)
    assert witnessed is not None
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    fresh = fresh_key()
    rebuild_chain(db, key=fresh, signers=stolen_signers())
    assert verified(db).intact and answer_of(db, 1).endswith(FORGED), (
        "a consistent forgery, as the app reads it"
    )

    found = cli(capsys, "verify")
    assert found.status == 1 and found.out == ""
    assert (
        f"FAILED: The record has forked from its witness: its entry {witnessed.entry_count} has hash "
        f"{entry_hash_at(db, witnessed.entry_count)}, but the witness holds head {witnessed.head_hash}"
    ) in found.err
    assert f"key history: {fingerprint(fresh.public_hex)} enrolled at entry 1." in found.err
    earlier = cli(capsys, "verify", "--since", str(report))
    assert earlier.status == 1
    assert (
        f"FAILED: {report} was signed by key {fingerprint(real.public_hex)}, which is not in this record's "
        "key history"
    ) in earlier.err


@pytest.mark.slow
def test_a_fresh_key_forgery_names_the_witness_key_missing_from_the_key_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = signed_record()
    real = installation_key()
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    rebuild_chain(db, key=fresh_key(), signers=stolen_signers())
    found = cli(capsys, "verify")
    assert found.status == 1 and "forked from its witness" in found.err
    assert fingerprint(real.public_hex) in found.err


# -- 1b. every checkpoint and key event dropped ---------------------------------------------------


@pytest.mark.slow
def test_dropping_the_signatures_fails_on_the_sign_off_the_witness_and_the_installation_key(
    capsys: pytest.CaptureFixture[str], veritrace_home: Path
) -> None:
    db = signed_record()
    witnessed = newest_witness(db)
    assert witnessed is not None
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    rebuild_chain(db, key=None, drop_checkpoints=True)
    unsigned = cli(capsys, "verify")
    assert unsigned.status == 1
    assert "identity 1 comes before any key was enrolled." in unsigned.err

    # The forger removes the sign-off and its signer too: the record alone is now consistent, and keyless.
    delete_rows(db, "signoffs", "1")
    delete_rows(db, "identities", "1")
    rebuild_chain(db, key=None, drop_checkpoints=True)
    keyless = cli(capsys, "verify")
    assert keyless.status == 1 and keyless.err.startswith(NOT_VERIFIED)
    count, last = head(db)
    assert (
        f"FAILED: This record has no signing key enrolled and ends at entry {count} (head {last}), but the "
        "witness holds a signed head at entry "
        f"{witnessed.entry_count} (head {witnessed.head_hash}, signed {witnessed.at}): the file was replaced "
        "or its key history removed."
    ) in keyless.err

    erase_witness(db)
    no_witness = cli(capsys, "verify")
    assert no_witness.status == 1
    assert (
        "FAILED: This installation has a signing key, but the record enrols none: its key history and "
        "checkpoints were removed"
    ) in no_witness.err

    (veritrace_home / KEY_NAME).unlink()  # the last local trace: the documented limit
    nothing_left = cli(capsys, "verify")
    assert nothing_left.status == 0, nothing_left.err
    assert "signed checkpoint(s) valid; no signing key is enrolled in it." in nothing_left.out
    assert NO_WITNESS in nothing_left.out


# -- 1c. the stolen installation key re-signs everything ------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_a_forgery_resigned_with_the_stolen_key_is_caught_by_the_witness_and_every_earlier_report(
    qapp: object, capsys: pytest.CaptureFixture[str], demo_gguf: Path, tmp_path: Path
) -> None:
    db = asked_record(capsys)
    reports = [tmp_path / "earlier.pdf", tmp_path / "earlier.md", tmp_path / "earlier.zip"]
    for report in reports:
        made = cli(capsys, "export", "1", "-o", str(report))
        assert made.status == 0, made.err
    count, head_hash = head(db)
    claims = {report: read_claim(str(report)) for report in reports}
    before = cli(
        capsys, "verify", *(f"--since={report}" for report in reports), "--since", f"{count}:{head_hash}"
    )
    assert before.status == 0, before.err
    assert all(f"Since {report}: the record contains its head at entry" in before.out for report in reports)

    chunk, chunk_seq = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    rebuild_chain(db, key=stolen_key(), signers=stolen_signers())
    assert verified(db).intact and answer_of(db, 1).endswith(FORGED)
    witnessed = newest_witness(db)
    assert witnessed is not None
    by_witness = cli(capsys, "verify")
    assert by_witness.status == 1
    assert (
        f"The record has forked from its witness: its entry {witnessed.entry_count} has hash "
        f"{entry_hash_at(db, witnessed.entry_count)}, but the witness holds head {witnessed.head_hash}"
    ) in by_witness.err

    erase_witness(db)  # each earlier report must catch it alone
    for report, claim in claims.items():
        found = cli(capsys, "verify", "--since", str(report))
        assert found.status == 1, report
        assert (
            f"FAILED: The record has forked from {report}: its entry {claim.entry_count} has hash "
            f"{entry_hash_at(db, claim.entry_count or 0)}, the report's head is {claim.head_hash}."
        ) in found.err
    bundle = cli(capsys, "verify", "--since", str(reports[-1]))
    assert (
        f"The first entry that differs is {chunk_seq} (turn.output_saved turn_chunk {chunk} in the report)."
        in (bundle.err)
    )
    numbered = cli(capsys, "verify", "--since", f"{count}:{head_hash}")
    assert numbered.status == 1
    assert f"FAILED: The record has forked from head {head_hash}: its entry {count} has hash" in numbered.err
    bare = cli(capsys, "verify", "--since", head_hash)
    assert bare.status == 1
    assert f"FAILED: No entry of the record has hash {head_hash}: the record was rewritten" in bare.err


@pytest.mark.slow
@pytest.mark.parametrize("imprint_too", [False, True], ids=["token-left-alone", "recorded-imprint-rewritten"])
def test_a_forgery_resigned_with_the_stolen_key_breaks_its_timestamp_token(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, imprint_too: bool
) -> None:
    db = signed_record()
    root = tmp_path / "tsa-root.pem"
    with local_tsa(tmp_path, "rsa") as tsa:
        root.write_text(tsa.root_pem)
        stamped = cli(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root))
    assert stamped.status == 0 and "1 checkpoint(s) timestamped" in stamped.err, stamped.err
    number = int(stamped.out.split()[1].rstrip(":"))
    anchored = cli(capsys, "verify", "--tsa-root", str(root))
    assert anchored.status == 0 and f"the latest, checkpoint {number} over entry" in anchored.out

    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    key = stolen_key()
    rebuild_chain(db, key=key, signers=stolen_signers())
    if imprint_too:  # the forger also records the new checkpoint's imprint beside the old token
        store = Store(db)
        made = next(made for made in store.checkpoints() if made.id == number)
        event, _, detail = store.events_of(["timestamp.received"])[0]
        store.close()
        stamped_hash, forged_hash = detail["imprint"], imprint(made)
        edit_cell(db, "events", event, "detail_json", json.dumps({**detail, "imprint": forged_hash}))
        rebuild_chain(db, key=key, signers=stolen_signers())
    erase_witness(db)
    assert verified(db).intact, "the record alone is consistent"

    found = cli(capsys, "verify", "--tsa-root", str(root))
    assert found.status == 1
    count = next(made.entry_count for made in checkpoints(db) if made.id == number)
    assert f"FAILED: the timestamp token of checkpoint {number} (entry {count}) fails: " in found.err
    assert "The checkpoint or its token was changed after it was timestamped." in found.err
    if imprint_too:
        assert f"the token stamps the hash {stamped_hash}, not {forged_hash}." in found.err
    else:
        assert "the checkpoint it names is no longer the one it timestamped." in found.err


@pytest.mark.slow
def test_a_forger_who_also_deletes_the_recorded_tokens_is_caught_only_by_what_was_kept_elsewhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A token proves a time only while it exists: the record's own copy goes with the record."""
    db = signed_record()
    root = tmp_path / "tsa-root.pem"
    with local_tsa(tmp_path, "rsa") as tsa:
        root.write_text(tsa.root_pem)
        assert cli(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root)).status == 0
    report = tmp_path / "sent-to-the-client.md"
    assert cli(capsys, "export", "1", "-o", str(report)).status == 0
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    delete_rows(db, "events", "kind LIKE 'timestamp.%'")
    rebuild_chain(db, key=stolen_key(), signers=stolen_signers())
    erase_witness(db)
    passed = cli(capsys, "verify", "--tsa-root", str(root))
    assert passed.status == 0 and NO_WITNESS in passed.out and "Timestamps:" not in passed.out
    kept_elsewhere = cli(capsys, "verify", "--since", str(report))
    assert kept_elsewhere.status == 1 and f"FAILED: The record has forked from {report}" in kept_elsewhere.err


def test_with_no_witness_report_or_token_left_the_stolen_key_forgery_verifies_with_the_no_witness_note(
    capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    """The documented limit: whoever holds the key and can delete every outside witness is not caught here."""
    db = signed_record()
    assert any(user.startswith("witness:") for _, user in memory_keyring.items), (
        "witnessed in the keyring too"
    )
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    rebuild_chain(db, key=stolen_key(), signers=stolen_signers())
    witness_file(db).unlink()
    by_keyring = cli(capsys, "verify")
    assert by_keyring.status == 1 and "The record has forked from its witness" in by_keyring.err

    erase_witness(db)
    passed = cli(capsys, "verify")
    assert passed.status == 0 and passed.err == ""
    assert passed.out.startswith("Record intact: ") and NO_WITNESS in passed.out
    assert answer_of(db, 1).endswith(FORGED)


@pytest.mark.slow
@pytest.mark.parametrize("forger", ["stolen key", "fresh key"])
def test_a_forgery_with_its_witness_rewritten_passes_only_with_the_stolen_key(
    capsys: pytest.CaptureFixture[str], forger: str
) -> None:
    """The limit: a witness the key holder rewrites over the forged head is as good as a genuine one.

    With a fresh key, this installation's own key file still names the key the record should have.
    """
    db = signed_record()
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    key = stolen_key() if forger == "stolen key" else fresh_key()
    rebuild_chain(db, key=key, signers=stolen_signers())
    rewrite_witness(db)
    found = cli(capsys, "verify")
    if forger == "stolen key":
        assert found.status == 0, found.err
        assert "Witness outside the file: the record contains its signed head at entry" in found.out
        assert cli(capsys, "checkpoint").status == 0
        return
    real = installation_key()
    assert found.status == 1 and "Witness outside the file: the record contains its signed head" in found.err
    assert (
        f"FAILED: This record's current key is {fingerprint(key.public_hex)}, but this installation's key is "
        f"{fingerprint(real.public_hex)}"
    ) in found.err
    signing = cli(capsys, "checkpoint")
    assert signing.status == 2
    assert signing.err.startswith(
        f"veritrace: The signing key {fingerprint(real.public_hex)} is not this record's current key "
        f"({fingerprint(key.public_hex)})"
    )


@pytest.mark.slow
def test_restoring_a_rewritten_record_says_it_forked_in_the_record_and_in_every_verify(
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = signed_record()
    witnessed = newest_witness(db)
    assert witnessed is not None
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", FORGED)
    rebuild_chain(db, key=stolen_key(), signers=stolen_signers())
    restored = cli(capsys, "restore", "--reason", "Routine maintenance.")
    assert restored.status == 0 and "The record had FORKED from its witness" in restored.out
    store = Store(db)
    [(_, _, detail)] = store.events_of(["record.restored"])
    store.close()
    assert detail["forked"] is True
    assert detail["lost"] == {"entries witnessed and since rewritten": witnessed.entry_count}
    after = cli(capsys, "verify")
    assert after.status == 0
    assert (
        "Restored on purpose (reason given: 'Routine maintenance.'); the witness then held entry "
        f"{witnessed.entry_count} (head {witnessed.head_hash}); the record had FORKED from it"
    ) in after.out


# -- 2. a signed-off conversation deleted, the chain repaired with the real key -------------------


@pytest.mark.slow
def test_a_signed_off_conversation_deleted_with_the_chain_repaired_is_caught_by_witness_and_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = signed_record()
    report = tmp_path / "matter-2.md"
    assert cli(capsys, "export", "2", "-o", str(report)).status == 0
    claim = read_claim(str(report))
    witnessed = newest_witness(db)
    assert witnessed is not None and claim.entry_count is not None

    deleted = delete_conversation(db, 1)
    assert deleted["signoffs"] == 1
    rebuild_chain(db, key=stolen_key(), signers=stolen_signers())
    assert verified(db).intact
    count, _ = head(db)
    assert count < claim.entry_count <= witnessed.entry_count

    by_witness = cli(capsys, "verify")
    assert by_witness.status == 1
    assert (
        f"FAILED: The record is behind its witness: it ends at entry {count} (head {head(db)[1]}), but its "
        f"witness holds a signed head at entry {witnessed.entry_count} (head {witnessed.head_hash}, "
        f"signed {witnessed.at})"
    ) in by_witness.err
    refused = cli(capsys, "list")
    assert refused.status == 2 and refused.err.startswith("veritrace: The record is behind its witness")

    erase_witness(db)
    by_report = cli(capsys, "verify", "--since", str(report))
    assert by_report.status == 1
    assert (
        f"FAILED: The record does not contain the head of {report}: it ends at entry {count}, the report's "
        f"head is entry {claim.entry_count} ({claim.head_hash}). It was rolled back or truncated"
    ) in by_report.err
    alone = cli(capsys, "verify")
    assert alone.status == 0 and NO_WITNESS in alone.out, "the documented limit, once more"
