"""Attacks on personal sign-offs, by an insider who holds the installation key but not the signer's.

The record is written through the app (conversation 1 signed by Dana Reviewer's own identity,
conversation 2 open). The forger edits the SQLite file and rebuilds the chain with the stolen
installation key (``tests.fixtures.forgery``), so every row, entry and checkpoint is consistent;
what must still catch each edit is the personal signature, and ``veritrace verify`` must name
the sign-off.

What nothing in the record can catch is said plainly and tested as such: whoever holds the
installation key can put an identity of their own key in a signer's place and sign again
everything it signed. The defence is then outside the record: the fingerprint the signer knows
as theirs (every report prints it), and the heads already witnessed, reported or timestamped
after the identity was made, which the rewritten chain no longer contains.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import pytest

from app.core.clock import utc_now
from app.core.signing import KeyPair, fingerprint
from app.core.signoff import signoff_message
from app.services.identities import key_path
from app.storage.ledger import Verification
from app.storage.repository import Store
from tests.fixtures.forgery import (
    append_checkpoint,
    append_row,
    cli,
    content_now,
    delete_rows,
    edit_cell,
    erase_witness,
    fresh_key,
    head,
    last_answer_chunk,
    opened,
    rebuild_chain,
    replace_identity_key,
    rewrite_witness,
    signed_record,
    stolen_key,
    stolen_signers,
)
from tests.fixtures.signers import signoff_argv
from tests.fixtures.tsa import local_tsa

pytestmark = pytest.mark.slow
FORGED = "\n\nNo: the clause is void."


def verified(db: Path) -> Verification:
    store = Store(db)
    try:
        return store.verify()
    finally:
        store.close()


def signoff_row(db: Path, number: int = 1) -> dict[str, object]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        connection.row_factory = sqlite3.Row
        return dict(connection.execute("SELECT * FROM signoffs WHERE id = ?", (number,)).fetchone())


def entry_of(db: Path, object_type: str, object_id: int) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        (seq,) = connection.execute(
            "SELECT seq FROM ledger WHERE object_type = ? AND object_id = ?", (object_type, str(object_id))
        ).fetchone()
    return int(seq)


def caught(capsys: pytest.CaptureFixture[str], db: Path, words: str) -> str:
    """``verify`` fails at the sign-off's entry, naming it; the record alone is otherwise consistent."""
    found = cli(capsys, "verify")
    assert found.status == 1, found.out
    broken = f"Record broken at entry {entry_of(db, 'signoff', 1)}: sign-off 1"
    assert broken in found.err and words in found.err, found.err
    return found.err


def forge(db: Path, signers: Sequence[KeyPair] = ()) -> None:
    """Rebuild the chain with the stolen installation key, and witness the forged head as genuine:
    what is left to catch the forgery is the personal signature."""
    rebuild_chain(db, key=stolen_key(), signers=signers)
    rewrite_witness(db)


@pytest.fixture
def record(veritrace_home: Path) -> Path:
    return signed_record(unsigned=1)


# -- what a signature covers cannot move or change ------------------------------------------------


def test_a_signature_moved_to_another_conversation_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    edit_cell(record, "signoffs", 1, "conversation_id", 2)
    forge(record)
    caught(capsys, record, "but conversation 2 as recorded before it has content")

    # The forger also writes conversation 2's digest into the row: the signature itself then fails.
    signed_at = entry_of(record, "signoff", 1)
    with opened(record) as connection:
        digest = content_now(connection, 2, signed_at)
    edit_cell(record, "signoffs", 1, "content_sha256", digest)
    forge(record)
    caught(capsys, record, "personal signature by identity")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "Not reviewed at all."),
        ("meaning", "rejected"),
        ("statement", "I approve nothing."),
        ("signed_at", "2020-01-01T00:00:00.000Z"),
        ("signed_at_local", "2020-01-01T01:00:00.000+01:00"),
    ],
)
def test_an_edited_reason_meaning_statement_or_time_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path, column: str, value: str
) -> None:
    edit_cell(record, "signoffs", 1, column, value)
    forge(record)
    assert cli(capsys, "show", "1", "--json").out.count(json.dumps(value)) == 1, "the forgery is what shows"
    err = caught(capsys, record, "personal signature by identity")
    assert "is not valid over what it records" in err


def test_another_signers_name_on_the_signature_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    edit_cell(record, "signoffs", 1, "printed_name", "Mallory Partner")
    forge(record)
    caught(capsys, record, "names 'Mallory Partner' ('Reviewer') as its signer, but identity")


def test_a_content_edit_to_a_signed_turn_breaks_the_personal_signature(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    chunk, _ = last_answer_chunk(record, 1)
    edit_cell(record, "turn_chunks", chunk, "answer", FORGED)
    forge(record)
    caught(capsys, record, "the signed content was changed")
    # With the signer's own key and passphrase too, the forgery is consistent: that is what it takes.
    forge(record, signers=stolen_signers())
    assert verified(record).intact


def test_a_signature_stripped_to_look_like_an_older_sign_off_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    chunk, _ = last_answer_chunk(record, 1)
    edit_cell(record, "turn_chunks", chunk, "answer", FORGED)
    for column in ("identity_id", "role", "statement", "signed_at_local", "content_sha256", "signature"):
        edit_cell(record, "signoffs", 1, column, None)
    forge(record)
    caught(capsys, record, "carries no personal signature, though identities sign from entry")


def test_a_sign_off_replayed_later_in_the_chain_names_the_wrong_head(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    original = signoff_row(record)
    delete_rows(record, "signoffs", "id = 1")
    key = stolen_key()
    rebuild_chain(record, key=key)
    append_row(record, "signoffs", original)  # the same signed row, after other entries
    append_checkpoint(record, key)
    rewrite_witness(record)
    caught(capsys, record, f"names ledger head {original['ledger_head']}, but the entry before it is")


# -- identities -------------------------------------------------------------------------------------


def test_a_sign_off_after_its_identity_was_revoked_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    """The revoked signer's key still works; the record says it no longer counts."""
    [dana] = stolen_signers()
    assert (
        cli(capsys, "identity", "revoke", dana_fingerprint(record), "--reason", "Left the firm.").status == 0
    )
    count, last = head(record)
    record_id = verified(record).record_id
    with opened(record) as connection:
        content = content_now(connection, 2)
    fields = {
        "record_id": record_id,
        "conversation_id": 2,
        "content_sha256": content,
        "meaning": "approved",
        "statement": "I approve this conversation's answers for the purpose stated in the reason.",
        "reason": "Backdated.",
        "printed_name": "Dana Reviewer",
        "role": "Reviewer",
        "fingerprint": dana_fingerprint(record),
        "signed_at": utc_now(),
        "signed_at_local": "2026-01-01T00:00:00.000+00:00",
        "ledger_head": last,
    }
    row = {name: fields[name] for name in ("conversation_id", "meaning", "printed_name", "reason")}
    row |= {"os_user": "dana", "signed_at": fields["signed_at"], "ledger_head": last, "identity_id": 1}
    row |= {name: fields[name] for name in ("role", "statement", "signed_at_local", "content_sha256")}
    row["signature"] = dana.sign(signoff_message(fields))
    seq = append_row(record, "signoffs", row)
    append_checkpoint(record, stolen_key())
    found = cli(capsys, "verify")
    assert (
        found.status == 1 and f"Record broken at entry {seq}: sign-off 2 is signed by identity" in found.err
    )
    assert f"revoked at entry {count - 1}" in found.err and count == seq - 1


def test_an_identity_claiming_a_key_it_cannot_sign_with_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    victim = fresh_key()  # somebody's public key, whose private half the forger lacks
    forger = fresh_key()
    seq = append_row(
        record,
        "identities",
        {
            "name": "Victim",
            "role": "Partner",
            "os_user": "victim",
            "public_key": victim.public_hex,
            "fingerprint": _fingerprint(victim.public_hex),
            "created_at": utc_now(),
            "proof": forger.sign(b"anything"),
        },
    )
    append_checkpoint(record, stolen_key())
    found = cli(capsys, "verify")
    assert found.status == 1
    assert (
        f"Record broken at entry {seq}: identity 2 ({_fingerprint(victim.public_hex)}) has no valid proof"
        in found.err
    )


def test_an_identity_whose_fingerprint_is_not_its_keys_is_caught(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    edit_cell(record, "identities", 1, "fingerprint", "0000:0000:0000:0000:0000:0000:0000:0000")
    forge(record)
    found = cli(capsys, "verify")
    assert found.status == 1 and "identity 1 names fingerprint 0000:0000" in found.err


def test_an_identity_replaced_by_the_forgers_own_key_is_caught_only_outside_the_record(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    """The documented limit: with the installation key, the whole record can be re-signed."""
    known = dana_fingerprint(record)  # as the signer knows it, and as every report printed it
    count, last = head(record)
    chunk, _ = last_answer_chunk(record, 1)
    edit_cell(record, "turn_chunks", chunk, "answer", FORGED)
    forger = fresh_key()
    replace_identity_key(record, 1, forger)
    rebuild_chain(record, key=stolen_key(), signers=[forger])  # the witness left as it was
    assert verified(record).intact, "the record alone cannot tell"
    now = dana_fingerprint(record)
    assert now != known and now == _fingerprint(forger.public_hex), "but the fingerprint is not Dana's"

    by_witness = cli(capsys, "verify")
    assert by_witness.status == 1 and "The record has forked from its witness" in by_witness.err
    erase_witness(record)
    assert cli(capsys, "verify").status == 0, "with its witness gone, only what was kept elsewhere tells"
    earlier = cli(capsys, "verify", "--since", f"{count}:{last}")
    assert earlier.status == 1 and f"FAILED: The record has forked from head {last}" in earlier.err
    # Dana's own key file still opens with her passphrase, and is not the key the record names.
    assert key_path(known).is_file() and stolen_signers()[0].public_hex != forger.public_hex
    signing = cli(capsys, *signoff_argv(capsys, "2", folder=record.parent.parent))
    assert signing.status == 1 and "it can sign only where its key is" in signing.err, signing.err


def test_an_identity_replaced_after_a_timestamped_checkpoint_breaks_the_token(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    root = tmp_path / "tsa-root.pem"
    with local_tsa(tmp_path, "rsa") as tsa:
        root.write_text(tsa.root_pem)
        stamped = cli(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root))
    assert stamped.status == 0 and "1 checkpoint(s) timestamped" in stamped.err, stamped.err
    number = int(stamped.out.split()[1].rstrip(":"))
    forger = fresh_key()
    replace_identity_key(record, 1, forger)
    forge(record, signers=[forger])
    erase_witness(record)
    assert verified(record).intact
    found = cli(capsys, "verify", "--tsa-root", str(root))
    assert found.status == 1
    assert f"FAILED: the timestamp token of checkpoint {number} " in found.err
    assert "The checkpoint or its token was changed after it was timestamped." in found.err


def test_a_new_identity_made_after_the_anchored_head_cannot_take_over_an_earlier_sign_off(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    """Without rewriting what is already anchored, the forger's identity comes after the sign-off."""
    forger = fresh_key()
    seq = append_row(
        record,
        "identities",
        {
            "name": "Dana Reviewer",
            "role": "Reviewer",
            "os_user": "dana",
            "public_key": forger.public_hex,
            "fingerprint": _fingerprint(forger.public_hex),
            "created_at": utc_now(),
            "proof": "",
        },
    )
    edit_cell(record, "signoffs", 1, "identity_id", 2)
    forge(record, signers=[forger])
    assert seq > entry_of(record, "signoff", 1)
    caught(capsys, record, "names identity 2, which no earlier entry records")


# -- helpers -----------------------------------------------------------------------------------------


def dana_fingerprint(db: Path) -> str:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        (found,) = connection.execute("SELECT fingerprint FROM identities WHERE id = 1").fetchone()
    return str(found)


def _fingerprint(public_key: str) -> str:
    return fingerprint(public_key)
