"""The insider forges signatures: a bundle re-signed, the key history rewritten, an empty checkpoint.

Signatures prove only that the holder of a key signed something. These attacks bring in keys
the record does not trust (a second enrolment, a rotation the retired key never signed, a
checkpoint by a retired key), re-sign a bundle with another key, and test the one way in that
needs no old key, a replacement, which must be accepted but shouted. The bundle's own
verifier is run as its README says, in a clean interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.ledger import GENESIS
from app.core.signing import KEY_ENROLLED, KEY_REPLACED, KEY_ROTATED, checkpoint_message, fingerprint
from app.export import verify_bundle as vb
from app.services.paths import database_path
from app.services.signing import installation_key
from app.services.witness import newest_witness
from app.storage.repository import Store
from tests.fixtures.forgery import (
    append_checkpoint,
    append_key_event,
    append_row,
    cli,
    delete_rows,
    drop_from_bundle,
    edit_cell,
    erase_witness,
    fresh_key,
    key_event_detail,
    last_answer_chunk,
    rebuild_chain,
    replace_key_file,
    signed_record,
    stolen_key,
    stolen_signers,
)


def record_id(db: Path) -> str:
    store = Store(db)
    try:
        found = store.record_id()
    finally:
        store.close()
    assert found is not None
    return found


def last_checkpoint_id(db: Path) -> int:
    store = Store(db)
    try:
        return store.checkpoints()[-1].id
    finally:
        store.close()


def bundle_script(bundle: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``python3 verify_bundle.py BUNDLE ...`` with the bundle's own script, no site-packages, no app."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(bundle / vb.VERIFIER), str(bundle), *options],
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- 4. a bundle with a conversation removed, re-signed ---------------------------------------------


@pytest.mark.slow
def test_a_bundle_cut_and_resigned_with_another_key_passes_alone_but_fails_pinned_and_since(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    signed_record()
    bundle = tmp_path / "matters"
    assert cli(capsys, "export", "1", "2", "-o", str(bundle)).status == 0
    real = fingerprint(installation_key().public_hex)
    forger = fresh_key()
    drop_from_bundle(bundle, 1, forger)  # the approved conversation is gone
    assert sorted(path.name for path in (bundle / "conversations").iterdir()) == ["2.json"]
    theirs = fingerprint(forger.public_hex)

    alone = bundle_script(bundle)
    assert alone.returncode == 0, alone.stdout
    assert "not pinned: pass --fingerprint FP to require the installation's key" in alone.stdout
    assert alone.stdout.splitlines()[-1].startswith("BUNDLE VERIFIED: report VT-")
    assert "1 conversation(s)" in alone.stdout and alone.stdout.rstrip().endswith(f"fingerprint {theirs}")

    pinned = bundle_script(bundle, "--fingerprint", real)
    assert pinned.returncode == 1
    assert pinned.stdout.splitlines()[-1] == (
        f"BUNDLE INVALID: signed by the key with fingerprint {theirs}, not by {real} as required "
        "(--fingerprint)"
    )
    keyed = vb.main([str(bundle), "--key", installation_key().public_hex])
    assert keyed == 1 and "as required (--key)" in capsys.readouterr().out

    since = cli(capsys, "verify", "--since", str(bundle))
    assert since.status == 1
    assert (
        f"FAILED: {bundle} was signed by key {theirs}, which is not in this record's key history: it comes "
        "from another record, or this record's keys were rewritten."
    ) in since.err
    assert cli(capsys, "verify").status == 0, "the record itself was not touched"


@pytest.mark.slow
def test_a_bundle_cut_and_resigned_with_the_stolen_key_passes_pinned_but_fails_since(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The key holder can sign anything; only the record it came from can say it was rewritten."""
    signed_record()
    bundle = tmp_path / "matters"
    assert cli(capsys, "export", "1", "2", "-o", str(bundle)).status == 0
    event = json.loads((bundle / vb.MANIFEST).read_bytes())["export_event"]
    real = installation_key()
    drop_from_bundle(bundle, 1, stolen_key())
    pinned = bundle_script(bundle, "--fingerprint", fingerprint(real.public_hex))
    assert pinned.returncode == 0 and "BUNDLE VERIFIED" in pinned.stdout
    since = cli(capsys, "verify", "--since", str(bundle))
    assert since.status == 1
    assert f"FAILED: The record has forked from {bundle}: its entry {event} has hash" in since.err
    assert f"The first entry that differs is {event} (export.made event " in since.err


# -- 5. the key history attacked --------------------------------------------------------------------


def test_a_second_key_enrolled_without_a_rotation_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    db = signed_record()
    real, forger = installation_key(), fresh_key()
    seq = append_key_event(db, KEY_ENROLLED, key_event_detail(KEY_ENROLLED, record_id(db), None, forger))
    append_checkpoint(db, forger)
    found = cli(capsys, "verify")
    assert found.status == 1
    assert found.err.startswith(
        f"Record broken at entry {seq}: a second key ({fingerprint(forger.public_hex)}) is enrolled "
        f"without a rotation signed by the current key ({fingerprint(real.public_hex)})."
    )


@pytest.mark.slow
@pytest.mark.parametrize("forged", ["old signature", "old key", "record"])
def test_a_rotation_the_retired_key_did_not_sign_is_named(
    capsys: pytest.CaptureFixture[str], forged: str
) -> None:
    db = signed_record()
    real, forger = installation_key(), fresh_key()
    rid, old = record_id(db), real.public_hex
    if forged == "old signature":  # signed as the retired key by another key
        detail = key_event_detail(KEY_ROTATED, rid, old, forger, old_signer=fresh_key())
        problem = (
            f"the rotation to {fingerprint(forger.public_hex)} is not signed by the key it retires "
            f"({fingerprint(old)})"
        )
    elif forged == "old key":  # claims to retire a key of the forger's, who holds it
        other = fresh_key()
        detail = key_event_detail(KEY_ROTATED, rid, other.public_hex, forger, old_signer=other)
        problem = f"the key.rotated event does not follow the current key {fingerprint(old)}"
    else:  # a genuine-looking rotation of another record's history
        detail = key_event_detail(KEY_ROTATED, "another-record", old, forger, old_signer=forger)
        problem = "the key.rotated event names another record (another-record)"
    seq = append_key_event(db, KEY_ROTATED, detail)
    append_checkpoint(db, forger)
    found = cli(capsys, "verify")
    assert found.status == 1 and found.err.startswith(f"Record broken at entry {seq}: {problem}."), found.err


@pytest.mark.slow
def test_a_checkpoint_signed_by_a_key_retired_by_rotation_is_named(
    capsys: pytest.CaptureFixture[str], veritrace_home: Path, tmp_path: Path
) -> None:
    db = signed_record()
    first = installation_key()
    rotated = cli(capsys, "key", "rotate")
    assert rotated.status == 0 and rotated.out.startswith(f"Key {fingerprint(first.public_hex)} retired; ")
    current = installation_key()
    store = Store(db)
    rotation = store.verify().keys[-1].seq
    store.close()
    # The thief takes the retired key from the file the rotation kept aside, with the passphrase.
    thief = tmp_path / "thief"
    thief.mkdir()
    shutil.copyfile(next(veritrace_home.glob("signing-key.pem.replaced-*")), thief / "signing-key.pem")
    retired = stolen_key(thief)
    assert retired.public_hex == first.public_hex != current.public_hex
    seq = append_checkpoint(db, retired)
    found = cli(capsys, "verify")
    assert found.status == 1
    assert found.err.startswith(
        f"Record broken at entry {seq}: checkpoint {last_checkpoint_id(db)} is signed by key "
        f"{fingerprint(first.public_hex)}, retired at entry {rotation} (the current key is "
        f"{fingerprint(current.public_hex)})."
    )


def test_a_key_replaced_without_the_old_key_is_accepted_but_shouted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    signed_record()
    old = installation_key()
    replaced = cli(capsys, "key", "replace", "--reason", "The laptop was stolen.")
    assert replaced.status == 0
    new = installation_key()
    assert replaced.out.startswith(
        f"Key replaced WITHOUT the old key's signature (recorded as such); {fingerprint(new.public_hex)} is "
        "the current key"
    )
    store = Store(database_path())
    seq = store.verify().keys[-1].seq
    store.close()
    found = cli(capsys, "verify")
    assert found.status == 0, found.err
    assert (
        f"key history: {fingerprint(old.public_hex)} enrolled at entry 1, retired at entry {seq}; "
        f"{fingerprint(new.public_hex)} REPLACED at entry {seq} without the previous key's signature "
        "(reason given: 'The laptop was stolen.')."
    ) in found.out
    shown = cli(capsys, "key", "show")
    assert shown.status == 0
    line = shown.out.splitlines()[-1]
    assert line.startswith(
        f"{fingerprint(new.public_hex)} REPLACED at entry {seq} without the previous key's signature "
        "(reason given: 'The laptop was stolen.'), current ("
    )


def test_key_show_names_a_replacement_in_capitals(capsys: pytest.CaptureFixture[str]) -> None:
    signed_record()
    assert cli(capsys, "key", "replace", "--reason", "The laptop was stolen.").status == 0
    shown = cli(capsys, "key", "show")
    assert "REPLACED" in shown.out.splitlines()[-1]


def test_a_forger_without_the_key_gets_in_only_by_a_replacement_which_verify_shouts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Edit, drop every checkpoint the old key made, replace the key: consistent, but never quiet."""
    db = signed_record()
    real, forger = installation_key(), fresh_key()
    chunk, _ = last_answer_chunk(db, 1)
    edit_cell(db, "turn_chunks", chunk, "answer", "Rejected after all.")
    delete_rows(db, "checkpoints", "1")
    # The enrolment's own signature needs no chain: it still holds. The signer's key is the forger's
    # too here: what a personal signature catches without it is in test_attacks_signoff.py.
    rebuild_chain(db, key=None, signers=stolen_signers())
    detail = key_event_detail(
        KEY_REPLACED, record_id(db), real.public_hex, forger, reason="Key file damaged."
    )
    seq = append_key_event(db, KEY_REPLACED, detail)
    append_checkpoint(db, forger)
    shout = (
        f"{fingerprint(forger.public_hex)} REPLACED at entry {seq} without the previous key's signature "
        "(reason given: 'Key file damaged.')"
    )
    found = cli(capsys, "verify")
    assert found.status == 1 and shout in found.err
    # Four checkpoints went (after the enrolment, the identity, the sign-off, and the last), two
    # entries came: the record now ends before the head its witness holds.
    assert "FAILED: The record is behind its witness" in found.err
    erase_witness(db)
    alone = cli(capsys, "verify")
    assert alone.status == 1 and shout in alone.err, "with no witness left, the replacement is a trace"
    # ... and this installation's key file, which the forger could not use, still names the real key.
    assert (
        f"FAILED: This record's current key is {fingerprint(forger.public_hex)}, but this installation's key "
        f"is {fingerprint(real.public_hex)}"
    ) in alone.err
    replace_key_file(forger)  # the forger who also swaps the key file leaves only the shout
    swapped = cli(capsys, "verify")
    assert swapped.status == 0 and shout in swapped.out


# -- 6. the empty checkpoint --------------------------------------------------------------------------


def _earlier_versions_empty_checkpoint(signer_is_installation: bool) -> Path:
    """An empty record the earlier version checkpointed: entry 1 signs the all-zero head, no key enrolled."""
    db = database_path()
    Store(db).close()
    key = installation_key() if signer_is_installation else fresh_key()
    at = "2026-01-05T09:00:00.000Z"
    row = {
        "at": at,
        "entry_count": 0,
        "head_hash": GENESIS,
        "reason": "on demand",
        "public_key": key.public_hex,
        "signature": key.sign(checkpoint_message(0, GENESIS, at)),
    }
    assert append_row(db, "checkpoints", row) == 1
    return db


def test_an_earlier_versions_checkpoint_of_the_empty_chain_verifies_once_the_key_is_enrolled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = _earlier_versions_empty_checkpoint(signer_is_installation=True)
    assert cli(capsys, "checkpoint").status == 0  # this version enrols the installation key at open
    found = cli(capsys, "verify")
    assert found.status == 0, found.err
    key = fingerprint(installation_key().public_hex)
    assert (
        "3 signed checkpoint(s) valid" in found.out
        and f"key history: {key} enrolled at entry 2." in found.out
    )
    assert newest_witness(db) is not None


def test_an_empty_chain_checkpoint_by_another_key_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    _earlier_versions_empty_checkpoint(signer_is_installation=False)
    assert cli(capsys, "checkpoint").status == 0
    found = cli(capsys, "verify")
    assert found.status == 1
    assert found.err.startswith("Record broken at entry 1: checkpoint 1 is signed by key ")
    assert "not in the record's key history (the current key is" in found.err


def test_an_earlier_versions_checkpoint_of_the_empty_chain_verifies_as_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _earlier_versions_empty_checkpoint(signer_is_installation=True)
    found = cli(capsys, "verify")
    assert found.status == 0, found.err


def test_the_store_refuses_to_sign_an_empty_record() -> None:
    store = Store(database_path())
    try:
        with pytest.raises(Exception, match=r"^The record is empty: there is nothing to sign yet\.$"):
            store.checkpoint(installation_key(), "on demand")
        assert store.head() == (0, GENESIS)
    finally:
        store.close()


def test_checkpoint_on_a_new_record_signs_its_key_enrolment_never_the_empty_chain(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The app never signs an empty record: opening one to write enrols the key first."""
    Store(database_path()).close()
    made = cli(capsys, "checkpoint")
    assert made.status == 0
    store = Store(database_path())
    try:
        heads = [checkpoint.head_hash for checkpoint in store.checkpoints()]
    finally:
        store.close()
    assert heads and GENESIS not in heads, "no checkpoint signs the all-zero head"
    assert cli(capsys, "verify").status == 0


# -- a key change that fails leaves the installation's key as it was -------------------------------


def _key_folder_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if "signing-key" in path.name}


@pytest.mark.slow
@pytest.mark.parametrize("action", ["rotate", "replace"])
def test_a_key_change_the_record_could_not_take_leaves_the_key_file_as_it_was(
    capsys: pytest.CaptureFixture[str], veritrace_home: Path, action: str
) -> None:
    import sqlite3
    from contextlib import closing

    db = signed_record()
    before = _key_folder_files(veritrace_home)
    store = Store(db)
    try:
        head = store.verify().head
    finally:
        store.close()
    # Another program holds the record's write lock for longer than any writer waits.
    with closing(sqlite3.connect(db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        argv = ["key", action] + (["--reason", "The old key was lost."] if action == "replace" else [])
        changed = cli(capsys, *argv)
        holder.execute("ROLLBACK")
    assert changed.status == 75, changed.err
    assert _key_folder_files(veritrace_home) == before, "no new key file, no staged one, none kept aside"
    assert not list(veritrace_home.glob(".signing-key*")), "nothing half-written left behind"
    from app.services.signing import forget_cached_keys

    forget_cached_keys()
    # The installation signs on with the key the record knows, and the record verifies.
    assert cli(capsys, "checkpoint").status == 0
    verified = cli(capsys, "verify")
    assert verified.status == 0, verified.err
    store = Store(db)
    try:
        assert store.verify().head != head and store.current_key() == installation_key().public_hex
    finally:
        store.close()


@pytest.mark.slow
def test_a_rotation_refused_by_the_record_leaves_the_forged_key_file_as_it_was(
    capsys: pytest.CaptureFixture[str], veritrace_home: Path
) -> None:
    signed_record()
    replace_key_file(fresh_key())  # not the record's current key: it cannot sign a rotation
    before = _key_folder_files(veritrace_home)
    refused = cli(capsys, "key", "rotate")
    assert refused.status == 2 and "is not this record's current key" in refused.err, refused.err
    assert _key_folder_files(veritrace_home) == before
    assert not list(veritrace_home.glob(".signing-key*"))
