"""A bundle carries personal signatures, and its standalone verifier checks each one.

A personally signed conversation is exported and checked as a third party checks it; then the
bundle is attacked the way an insider holding the installation key would: edit the JSON, then
rebuild every hash, the chain, the scope and the signed checkpoint (``reseal``). What must still
fail is the sign-off's own signature, named in the verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core import signoff as core
from app.core.signing import fingerprint
from app.core.types import Identity, Meaning, SignOff
from app.export import verify_bundle as vb
from app.services.bundle_export import export_bundle
from app.storage.ledger import TABLES
from app.storage.repository import Store
from tests.fixtures.bundles import files_of, run_verifier
from tests.fixtures.forgery import fresh_key
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.records import long_conversation
from tests.fixtures.signed_bundles import (
    content_sha256,
    documents,
    items,
    ledger,
    reseal,
    signed_by,
    signer_key,
    typed_signoff,
)
from tests.fixtures.signers import sign, signer

REASON = "Checked every citation against the contract."


@dataclass(frozen=True)
class Signed:
    """A record: conversation ``older`` signed with a typed name before identities existed,
    ``signed`` signed by ``dana`` with her own key, ``other`` open."""

    db: Path
    store: Store
    older: int
    signed: int
    other: int
    dana: Identity
    signoff: SignOff


@pytest.fixture
def record(tmp_path: Path) -> Iterator[Signed]:
    db = tmp_path / "record.db"
    store = Store(db)
    try:
        older = long_conversation(store, turns=2, sign=False, title="Older matter")
        typed_signoff(db, older, "Dana Reviewer", "Reviewed for the audit file.")
        signed = long_conversation(store, turns=2, sign=False, image_every=1, annotate_every=1, seed=1)
        dana = signer(store, "Dana Reviewer", "Senior counsel", key=TEST_KEY)
        signoff = sign(store, signed, Meaning.APPROVED, REASON, name=dana.name, role=dana.role, key=TEST_KEY)
        other = long_conversation(store, turns=1, sign=False, title="Another matter", seed=2)
        yield Signed(db, store, older, signed, other, dana, signoff)
    finally:
        store.close()


def export(record: Signed, destination: Path, *ids: int) -> dict[str, bytes]:
    """The bundle of conversations ``ids`` as a folder, by its files."""
    export_bundle(
        record.store, TEST_KEY, list(ids), "Signed matters", destination, as_zip=False, generated_by="Dana"
    )
    return files_of(destination)


def checked(files: dict[str, bytes], signers: list[str] | None = None) -> tuple[str | None, list[str]]:
    """The verifier's first problem (None if it verifies) and every line it printed."""
    lines: list[str] = []
    found, _ = vb.verify(vb.MemorySource(files), out=lines.append, signers=signers)
    return found, lines


def signoff_item(document: dict[str, Any], number: int) -> dict[str, Any]:
    return next(item for item in document["signoffs"] if item["record"]["id"] == number)


@pytest.fixture
def bundle(record: Signed, tmp_path: Path) -> dict[str, bytes]:
    return export(record, tmp_path / "bundle", record.signed)


def named(record: Signed, conversation: int | None = None, key: str | None = None) -> str:
    """How a verdict begins that names the personal sign-off (as of ``conversation``, by ``key``)."""
    where = record.signed if conversation is None else conversation
    by = record.dana.fingerprint if key is None else key
    return f"sign-off {record.signoff.id} of conversation {where} (Dana Reviewer, key {by}): "


# -- what a genuine bundle carries, and that it verifies -------------------------------------------


def test_a_personally_signed_bundle_verifies_with_its_own_script_naming_each_signature(
    record: Signed, tmp_path: Path
) -> None:
    folder = tmp_path / "bundle"
    export(record, folder, record.older, record.signed)
    run = run_verifier(folder)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert any(
        line.startswith("  ok    signoffs  1 personal signature(s) valid") and "1 typed name(s)" in line
        for line in lines
    ), lines
    signoff = record.signoff
    statement, reason = (json.dumps(text, ensure_ascii=False) for text in (signoff.statement, REASON))
    assert (
        f"          sign-off {signoff.id} of conversation {record.signed}: Dana Reviewer (Senior counsel), "
        f"key {record.dana.fingerprint}, approved ({statement}), reason {reason}, signed {signoff.signed_at} "
        f"(local {signoff.signed_at_local}): personal signature valid"
    ) in lines
    typed = [line for line in lines if f"of conversation {record.older}:" in line]
    assert len(typed) == 1 and typed[0].endswith(
        'Dana Reviewer, approved, reason "Reviewed for the audit file.", signed 2026-01-05T09:00:00Z: '
        "typed name (before personal signatures)"
    ), typed
    assert lines[-1].startswith("BUNDLE VERIFIED")


def test_the_signoff_carries_its_identity_enrolment_and_no_revocation(
    record: Signed, bundle: dict[str, bytes]
) -> None:
    item = signoff_item(documents(bundle)[f"conversations/{record.signed}.json"], record.signoff.id)
    assert set(item) == {"ledger_seq", "record", "identity", "revocation", "enrolment"}
    signoff, identity = item["record"], item["identity"]["record"]
    assert signoff["signature"] == record.signoff.signature and signoff["identity_id"] == record.dana.id
    assert signoff["content_sha256"] == record.store.conversation_content(record.signed)[1]
    assert (
        identity["public_key"] == record.dana.public_key
        and identity["fingerprint"] == record.dana.fingerprint
    )
    assert item["revocation"] is None
    assert json.loads(item["enrolment"]["record"]["detail_json"])["record_id"] == record.store.record_id()
    entries = ledger(bundle)
    assert entries[item["identity"]["ledger_seq"] - 1]["action"] == "identity.created"
    # Every row the signature covers travels in full (output chunks included): the digest is the bundle's.
    document = documents(bundle)[f"conversations/{record.signed}.json"]
    carried = {
        core.ContentRow(
            found["record"]["table"],
            str(found["record"]["id"]),
            entries[found["ledger_seq"] - 1]["payload_sha256"],
        )
        for found in items(document)
        if found["record"]["table"] in core.CONTENT_TABLES and found["ledger_seq"] < item["ledger_seq"]
    }
    covered = set(record.store.conversation_content(record.signed)[0])
    assert carried == covered and {row.table for row in covered} >= {"turns", "turn_chunks", "turn_images"}
    assert content_sha256(bundle, record.signed, item["ledger_seq"]) == signoff["content_sha256"]
    assert item["enrolment"]["ledger_seq"] < item["identity"]["ledger_seq"] < item["ledger_seq"]
    assert checked(bundle)[0] is None


def test_a_bundle_of_an_unsigned_conversation_carries_no_identity(record: Signed, tmp_path: Path) -> None:
    files = export(record, tmp_path / "bundle", record.other)
    problem, lines = checked(files)
    assert problem is None
    assert "  ok    signoffs  none: no conversation in the bundle is signed off" in lines
    carried = [entry for entry in ledger(files) if "payload" in entry]
    assert not [entry for entry in carried if entry["object_type"] in ("identity", "identity_revocation")]
    assert not [entry for entry in carried if entry["action"] == "key.enrolled"]


def test_a_revocation_after_signing_is_carried_and_the_signature_stays_valid(
    record: Signed, tmp_path: Path
) -> None:
    record.store.revoke_identity(record.dana.id, "Left the firm.", TEST_KEY)
    files = export(record, tmp_path / "bundle", record.signed)
    item = signoff_item(documents(files)[f"conversations/{record.signed}.json"], record.signoff.id)
    assert item["revocation"]["record"]["reason"] == "Left the firm."
    problem, lines = checked(files)
    assert problem is None, problem
    mine = next(line for line in lines if f"sign-off {record.signoff.id} of" in line)
    revocation = item["revocation"]
    assert mine.endswith(
        f"personal signature valid; the identity was revoked later, at entry {revocation['ledger_seq']} "
        f'({revocation["record"]["revoked_at"]}, reason "Left the firm.")'
    )


def test_pinning_the_signer_passes_for_their_key_and_fails_for_another(
    bundle: dict[str, bytes], record: Signed
) -> None:
    assert checked(bundle, signers=[record.dana.fingerprint])[0] is None
    stranger = fingerprint(fresh_key().public_hex)
    problem = checked(bundle, signers=[stranger])[0] or ""
    assert problem.startswith(named(record)) and "not by a signer required (--signer)" in problem


def test_the_command_line_pins_the_signer(
    bundle: dict[str, bytes], record: Signed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "copy"
    for name, data in bundle.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert vb.main([str(folder), "--signer", record.dana.fingerprint.upper()]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("BUNDLE VERIFIED")
    stranger = fingerprint(fresh_key().public_hex)
    assert vb.main([str(folder), "--signer", stranger, "--signer", " "]) == 1
    verdict = capsys.readouterr().out.splitlines()[-1]
    assert verdict.startswith("BUNDLE INVALID: " + named(record)) and verdict.endswith("(--signer)")


def test_the_verifier_signs_and_digests_exactly_as_the_app() -> None:
    """The script cannot import the app: its copies of the schemes must not drift from the app's."""
    assert vb.CONTENT_TABLES == core.CONTENT_TABLES and vb.SIGNED_FIELDS == core.SIGNED_FIELDS
    assert {
        table: (kind, key) for table, (kind, _, key) in TABLES.items() if table in vb.OBJECTS
    } == vb.OBJECTS
    rows = [core.ContentRow("turns", "12", "a" * 64), core.ContentRow("turns", "3", "b" * 64)]
    rows += [core.ContentRow("conversations", "2", "c" * 64), core.ContentRow("turn_chunks", "10", "d" * 64)]
    assert vb.content_digest((row.table, row.key, row.payload_sha256) for row in rows) == core.content_digest(
        rows
    )
    fields = {name: f"Zoë «{name}» 😀" for name in core.SIGNED_FIELDS} | {"conversation_id": 7}
    assert vb.signoff_message(fields) == core.signoff_message(fields)
    identity = {"record_id": "r", "name": "Dana", "role": "", "os_user": "dana", "public_key": "ab" * 32}
    identity["created_at"] = "2026-01-01T00:00:00Z"
    assert vb.identity_message(identity) == core.identity_message(identity)


# -- the insider's attacks: each must fail, naming the sign-off -------------------------------------


def test_a_signature_moved_onto_another_conversations_bundle_fails(record: Signed, tmp_path: Path) -> None:
    signed = export(record, tmp_path / "signed", record.signed)
    item = signoff_item(documents(signed)[f"conversations/{record.signed}.json"], record.signoff.id)
    files = export(record, tmp_path / "other", record.other)
    name = f"conversations/{record.other}.json"
    edited = documents(files)
    item["record"]["conversation_id"] = record.other
    edited[name]["signoffs"] = [item]
    moved = reseal(files, edited, TEST_KEY)
    problem = checked(moved)[0] or ""
    assert problem.startswith(named(record, record.other))
    assert "the signed content was changed" in problem
    # With the digest of its new conversation written in, the signature itself fails.
    item["record"]["content_sha256"] = content_sha256(moved, record.other, item["ledger_seq"])
    problem = checked(reseal(moved, {name: {**edited[name], "signoffs": [item]}}, TEST_KEY))[0] or ""
    assert problem.startswith(f"sign-off {record.signoff.id} of conversation {record.other} (")
    assert f"its signature by key {record.dana.fingerprint} is not valid over what it records" in problem


@pytest.mark.parametrize(("field", "value"), [("reason", "Not checked at all."), ("meaning", "rejected")])
def test_an_edited_reason_or_meaning_fails_the_signature(
    record: Signed, bundle: dict[str, bytes], field: str, value: str
) -> None:
    edited = documents(bundle)
    signoff_item(edited[f"conversations/{record.signed}.json"], record.signoff.id)["record"][field] = value
    forged = reseal(bundle, edited, TEST_KEY)
    problem, lines = checked(forged)
    assert problem == named(record) + (
        f"its signature by key {record.dana.fingerprint} is not valid over what it records (its meaning, "
        "statement, reason, signer, times, content, ledger head or record changed)"
    )
    assert any(
        line.strip().startswith(f"sign-off {record.signoff.id} of") and ": NOT VALID, " in line
        for line in lines
    )


def test_a_signed_answer_edited_with_the_digest_left_alone_fails(
    record: Signed, bundle: dict[str, bytes]
) -> None:
    name = f"conversations/{record.signed}.json"
    edited = documents(bundle)
    turn = edited[name]["turns"][-1]
    chunk = next(chunk for chunk in turn["chunks"] if chunk["record"].get("answer"))
    chunk["record"]["answer"] = "The clause is enforceable without exception."
    turn["answer"] = "".join(item["record"].get("answer", "") for item in turn["chunks"])
    forged = reseal(bundle, edited, TEST_KEY)
    problem = checked(forged)[0] or ""
    recorded = record.signoff.content_sha256
    assert problem.startswith(named(record) + f"it signed content {recorded}, but the conversation's records")
    assert problem.endswith("the signed content was changed")
    # The digest recomputed over the edit and written into the sign-off: its signature fails.
    item = signoff_item(documents(forged)[name], record.signoff.id)
    item["record"]["content_sha256"] = content_sha256(forged, record.signed, item["ledger_seq"])
    assert item["record"]["content_sha256"] != recorded
    redigested = documents(forged)
    signoff_item(redigested[name], record.signoff.id)["record"]["content_sha256"] = item["record"][
        "content_sha256"
    ]
    problem = checked(reseal(forged, redigested, TEST_KEY))[0] or ""
    assert problem.startswith(named(record) + f"its signature by key {record.dana.fingerprint} is not valid")


def test_a_signoff_naming_another_ledger_head_fails(record: Signed, bundle: dict[str, bytes]) -> None:
    """Signed at an earlier head than the entry before it: the sign-off claims to have seen less."""
    edited = documents(bundle)
    item = signoff_item(edited[f"conversations/{record.signed}.json"], record.signoff.id)
    earlier = ledger(bundle)[item["ledger_seq"] - 3]["entry_hash"]
    item["record"]["ledger_head"] = earlier
    problem = checked(reseal(bundle, edited, TEST_KEY, follow_heads=False))[0] or ""
    before = ledger(reseal(bundle, edited, TEST_KEY, follow_heads=False))[item["ledger_seq"] - 1]["prev_hash"]
    assert problem == named(record) + f"it names ledger head {earlier}, but the entry before it is {before}"


def test_a_signature_stripped_to_pass_as_a_typed_name_fails(record: Signed, bundle: dict[str, bytes]) -> None:
    name = f"conversations/{record.signed}.json"
    edited = documents(bundle)
    document = edited[name]
    item = signoff_item(document, record.signoff.id)
    for field in ("identity_id", "role", "statement", "signed_at_local", "content_sha256", "signature"):
        item["record"].pop(field)
    document["signoffs"] = [{"ledger_seq": item["ledger_seq"], "record": item["record"]}]
    problem = checked(reseal(bundle, edited, TEST_KEY))[0] or ""
    first = next(entry["seq"] for entry in ledger(bundle) if entry["object_type"] == "identity")
    assert problem == (
        f"sign-off {record.signoff.id} of conversation {record.signed} (Dana Reviewer): it carries no "
        f"personal signature, though identities sign from entry {first} on"
    )


def test_an_identity_whose_key_is_replaced_and_re_signed_verifies_but_shows_another_fingerprint(
    record: Signed, bundle: dict[str, bytes]
) -> None:
    """Undetectable inside the bundle: the insider holds the installation key that signs it all.

    What tells is the fingerprint shown, which is not the one the signer holds: pinning it fails.
    """
    name = f"conversations/{record.signed}.json"
    edited = documents(bundle)
    item = signoff_item(edited[name], record.signoff.id)
    identity = item["identity"]["record"]
    forger = fresh_key()
    record_id = json.loads(item["enrolment"]["record"]["detail_json"])["record_id"]
    identity.update(public_key=forger.public_hex, fingerprint=fingerprint(forger.public_hex))
    identity["proof"] = forger.sign(core.identity_message({**identity, "record_id": record_id}))
    forged = reseal(bundle, edited, TEST_KEY, resign={record.signoff.id: forger})
    problem, lines = checked(forged)
    assert problem is None, problem
    mine = next(line for line in lines if f"sign-off {record.signoff.id} of" in line)
    assert f"key {fingerprint(forger.public_hex)}" in mine and record.dana.fingerprint not in mine
    assert mine.endswith("personal signature valid")
    pinned = checked(forged, signers=[record.dana.fingerprint])[0] or ""
    assert "not by a signer required (--signer)" in pinned


def test_an_identity_key_swapped_without_its_holders_signature_fails(
    record: Signed, bundle: dict[str, bytes]
) -> None:
    """Without the forger re-signing, the genuine signature does not hold under the new key."""
    name = f"conversations/{record.signed}.json"
    edited = documents(bundle)
    identity = signoff_item(edited[name], record.signoff.id)["identity"]["record"]
    forger = fresh_key()
    identity.update(public_key=forger.public_hex, fingerprint=fingerprint(forger.public_hex))
    problem = checked(reseal(bundle, edited, TEST_KEY))[0] or ""
    assert problem.startswith(named(record, key=fingerprint(forger.public_hex)))
    assert "its identity's proof is not a valid signature by the identity's own key" in problem


def test_a_signoff_by_an_identity_revoked_before_it_fails(record: Signed, tmp_path: Path) -> None:
    """The holder of a revoked identity's key writes a sign-off straight into the file (the app refuses)."""
    revoked = record.store.revoke_identity(record.dana.id, "Key lost.", TEST_KEY)
    seq = signed_by(record.db, record.store, record.other, revoked, signer_key(revoked), "Signed after all.")
    record.store.checkpoint(TEST_KEY, "after the forged sign-off")
    files = export(record, tmp_path / "bundle", record.other)
    item = documents(files)[f"conversations/{record.other}.json"]["signoffs"][0]
    assert item["ledger_seq"] == seq and item["revocation"]["ledger_seq"] < seq
    problem, lines = checked(files)
    number = item["record"]["id"]
    assert problem == (
        f"sign-off {number} of conversation {record.other} (Dana Reviewer, key {record.dana.fingerprint}): "
        f"its identity was revoked at entry {item['revocation']['ledger_seq']} ({revoked.revoked_at}, reason "
        f'"Key lost."), before it signed (entry {seq})'
    )
    assert "  FAIL  signoffs" in lines
