"""Signing identities: each person's own key, kept encrypted with their passphrase, recorded in the
ledger with its fingerprint and a proof that its owner held it."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from app.core.errors import NotFoundError, VeritraceError
from app.core.signing import KeyPair, fingerprint, signature_valid
from app.core.signoff import identity_message
from app.services.identities import (
    IdentityKeyError,
    create_identity,
    find_identity,
    identities,
    identities_folder,
    key_path,
    revoke_identity,
    unlock,
)
from app.services.signing import PASSPHRASE_ROUNDS, WrongPassphraseError
from app.storage.repository import Store
from tests.fixtures.forgery import fresh_key
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.signers import PASSPHRASE, person

OTHER_PASSPHRASE = "another person's passphrase"


def made(store: Store, name: str = "Dana Reviewer", role: str = "Senior counsel", **given: object):
    return create_identity(store, name, role, str(given.get("passphrase", PASSPHRASE)), key=TEST_KEY)


def test_a_new_identity_is_its_own_key_kept_encrypted_and_recorded_with_proof(
    store: Store, veritrace_home: Path
) -> None:
    dana = made(store)
    path = key_path(dana)
    assert path == veritrace_home / "identities" / f"{dana.fingerprint.replace(':', '')}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text("ascii")
    assert "ENCRYPTED PRIVATE KEY" in text and f"pbkdf2-sha256 {PASSPHRASE_ROUNDS} " in text
    assert PASSPHRASE not in text and f"public-key: {dana.public_key}" in text
    assert dana.fingerprint == fingerprint(dana.public_key) and dana.os_user == store.os_user
    assert (dana.name, dana.role, dana.revoked) == ("Dana Reviewer", "Senior counsel", False)
    assert identities(store) == [dana]
    key = unlock(dana, PASSPHRASE)
    assert key.public_hex == dana.public_key
    proof = store.verify()
    assert proof.intact and proof.record_id is not None
    fields = {**dana.to_json(), "record_id": proof.record_id}
    assert signature_valid(dana.public_key, identity_message(fields), key.sign(identity_message(fields)))
    assert store.checkpoints()[-1].reason.startswith("identity 1 created")


def test_two_people_get_two_keys_and_each_key_opens_only_with_its_own_passphrase(store: Store) -> None:
    dana = made(store)
    eve = made(store, "Eve Auditor", "Auditor", passphrase=OTHER_PASSPHRASE)
    assert dana.fingerprint != eve.fingerprint and len(identities(store)) == 2
    with pytest.raises(WrongPassphraseError):
        unlock(dana, OTHER_PASSPHRASE)
    assert unlock(eve, OTHER_PASSPHRASE).public_hex == eve.public_key


@pytest.mark.parametrize(
    ("name", "role", "passphrase", "words"),
    [
        ("", "Reviewer", PASSPHRASE, "needs the signer's name"),
        ("   ", "Reviewer", PASSPHRASE, "needs the signer's name"),
        ("Dana", "Reviewer", "short77", "at least 8 characters"),
        ("Dana\nEve", "Reviewer", PASSPHRASE, "control character U+000A"),
        ("Dana \x1b]0;x\x07", "Reviewer", PASSPHRASE, "control character U+001B"),
        ("Dana \u202eevE", "Reviewer", PASSPHRASE, "control character U+202E"),
        ("D" * 201, "Reviewer", PASSPHRASE, "at most 200 characters"),
        ("Dana", "Role\rhidden", PASSPHRASE, "role must be one line"),
    ],
    ids=["empty", "blank", "short passphrase", "newline", "escape", "bidi", "too long", "role"],
)
def test_what_cannot_be_a_signer_is_refused_and_nothing_is_recorded_or_written(
    store: Store, name: str, role: str, passphrase: str, words: str
) -> None:
    before = store.head()
    with pytest.raises(VeritraceError, match=re.escape(words)):
        create_identity(store, name, role, passphrase, key=TEST_KEY)
    assert store.head() == before and identities(store) == []
    folder = identities_folder()
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_name_in_any_script_is_kept_as_given(store: Store) -> None:
    name = "Zoë Müller-Łukasiewicz 中文 العربية"
    assert made(store, f"  {name}  ", " Counsel ").name == name


def test_an_identity_that_cannot_be_recorded_leaves_no_key_file(store: Store) -> None:
    store.enroll_key(TEST_KEY, sign=False)
    before = store.head()
    with pytest.raises(VeritraceError, match="is not this record's current key"):
        create_identity(store, "Dana", "Reviewer", PASSPHRASE, key=fresh_key())
    assert store.head() == before and list(identities_folder().iterdir()) == []


def test_an_identity_is_found_by_its_fingerprint_or_a_unique_start_of_it(store: Store) -> None:
    # Seventeen keys: two of them must share a first hex digit.
    people = [person(store, f"Person {number}")[0] for number in range(17)]
    target = people[0]
    assert find_identity(store, target.fingerprint) == target
    assert find_identity(store, target.fingerprint.upper().replace(":", "")) == target
    assert find_identity(store, f"  {target.fingerprint[:14]} ") == target
    firsts = [one.fingerprint[0] for one in people]
    shared = next(digit for digit in firsts if firsts.count(digit) > 1)
    with pytest.raises(VeritraceError, match="is the start of several fingerprints"):
        find_identity(store, shared)
    with pytest.raises(NotFoundError, match="`veritrace identity list` shows them"):
        find_identity(store, "zz")
    with pytest.raises(VeritraceError, match="by its fingerprint"):
        find_identity(store, " : ")


def test_a_revoked_identity_is_listed_as_revoked_and_revoked_once(store: Store) -> None:
    dana = made(store)
    eve = made(store, "Eve Auditor", "Auditor")
    with pytest.raises(VeritraceError, match="needs a reason"):
        revoke_identity(store, eve.fingerprint, "  ", key=TEST_KEY)
    gone = revoke_identity(store, eve.fingerprint[:9], "Left the firm.", key=TEST_KEY)
    assert gone.revoked and gone.revoked_reason == "Left the firm." and gone.fingerprint == eve.fingerprint
    assert [one.revoked for one in identities(store)] == [False, True]
    before = store.head()
    with pytest.raises(VeritraceError, match="is already revoked"):
        revoke_identity(store, eve.fingerprint, "Again.", key=TEST_KEY)
    assert store.head() == before
    assert not find_identity(store, dana.fingerprint).revoked and store.verify().intact


def test_a_key_file_that_is_missing_damaged_or_another_identitys_cannot_sign(store: Store) -> None:
    dana = made(store)
    eve = made(store, "Eve Auditor", "Auditor", passphrase=OTHER_PASSPHRASE)
    mine, theirs = key_path(dana), key_path(eve)
    kept = mine.read_bytes()

    mine.write_bytes(theirs.read_bytes())  # Eve's key file put in Dana's place
    with pytest.raises(IdentityKeyError, match=f"holds another key \\({eve.fingerprint}\\), not that of"):
        unlock(dana, OTHER_PASSPHRASE)
    # Even with Dana's name in its clear header, the key inside is still Eve's.
    header, _, pem = theirs.read_bytes().partition(b"-----BEGIN")
    mine.write_bytes(header.replace(eve.public_key.encode(), dana.public_key.encode()) + b"-----BEGIN" + pem)
    with pytest.raises(IdentityKeyError, match=f"holds another key \\({eve.fingerprint}\\)"):
        unlock(dana, OTHER_PASSPHRASE)

    mine.write_bytes(kept[:-40])
    with pytest.raises(IdentityKeyError, match="is cut short: it cannot sign"):
        unlock(dana, PASSPHRASE)
    mine.unlink()
    with pytest.raises(IdentityKeyError, match="it can sign only where its key is"):
        unlock(dana, PASSPHRASE)
    mine.write_bytes(kept)
    assert unlock(dana, PASSPHRASE).public_hex == dana.public_key


def test_the_same_key_cannot_be_two_identities(store: Store) -> None:
    key = KeyPair(fresh_key().private)
    store.create_identity("Dana", "Reviewer", key, TEST_KEY)
    with pytest.raises(VeritraceError, match="is already an identity in this record"):
        store.create_identity("Dana again", "Reviewer", key, TEST_KEY)
