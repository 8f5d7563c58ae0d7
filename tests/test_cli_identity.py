"""Personal identities and a deliberate sign-off from the command line, run as ``main(argv)``.

A sign-off prints what it covers, asks for 'sign' (or --yes), then the identity's passphrase;
whatever refuses it is one line on stderr, exit status 1, and nothing recorded (three wrong
passphrases: only the refusal).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.types import Flag, TurnStatus
from app.services.identities import key_path
from app.services.paths import database_path
from app.services.record import open_record
from app.services.signing import installation_key
from app.storage.repository import Store
from tests.fixtures.forgery import Run, cli, head
from tests.fixtures.ledger import start_turn
from tests.fixtures.records import long_conversation
from tests.fixtures.signers import PASSPHRASE, passphrase_file

pytestmark = pytest.mark.slow  # each passphrase is stretched as a real key's is


class Terminal:
    """What a person types: lines for ``input()`` and, unseen, for ``getpass``."""

    def __init__(self, typed: list[str], secret: list[str]) -> None:
        self.typed, self.secret = typed, secret
        self.tty = True  # False: a script's pipe

    def isatty(self) -> bool:
        return self.tty

    def readline(self, *_size: int) -> str:
        return self.typed.pop(0) + "\n" if self.typed else ""

    def getpass(self, prompt: str = "") -> str:
        sys.stdout.write(prompt)
        return self.secret.pop(0)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Terminal]:
    import getpass

    typed = Terminal([], [])
    monkeypatch.setattr(sys, "stdin", typed)
    monkeypatch.setattr(getpass, "getpass", typed.getpass)
    yield typed


@pytest.fixture
def record(veritrace_home: Path) -> Path:
    """Two open conversations of two finished turns each; the head signed by this installation."""
    store = open_record(database_path())
    try:
        long_conversation(store, turns=2, sign=False, annotate_every=0, title="Indemnity")
        long_conversation(store, turns=2, sign=False, annotate_every=0, title="Warranty", seed=2)
        store.checkpoint(installation_key(), "ready")
    finally:
        store.close()
    return database_path()


def identities(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    listed = cli(capsys, "identity", "list", "--json")
    assert listed.status == 0, listed.err
    return list(json.loads(listed.out))


def create(
    capsys: pytest.CaptureFixture[str], secret: Path, name: str = "Dr. R", role: str = "Counsel"
) -> str:
    made = cli(capsys, "identity", "create", "--name", name, "--role", role, "--passphrase-file", str(secret))
    assert made.status == 0, made.err
    return str([one for one in identities(capsys) if one["name"] == name][-1]["fingerprint"])


def refused(run: Run, words: str) -> None:
    """Exit status 1, one line on stderr naming the problem, nothing printed as signed."""
    assert run.status == 1, (run.out, run.err)
    assert run.err.count("\n") == 1 and run.err.startswith("veritrace: ") and words in run.err, run.err
    assert "now locked" not in run.out


def signoffs(db: Path, conversation: int = 1) -> int:
    store = Store(db)
    try:
        return len(store.conversation(conversation).signoffs)
    finally:
        store.close()


# -- identities ------------------------------------------------------------------------------------


def test_identities_are_created_listed_and_revoked(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path, terminal: Terminal
) -> None:
    secret = passphrase_file(tmp_path)
    made = cli(
        capsys, "identity", "create", "--name", "Dr. R", "--role", "Counsel", "--passphrase-file", str(secret)
    )
    assert made.status == 0 and made.out.startswith("Identity ") and "Keep the passphrase" in made.out
    terminal.secret += ["typed passphrase one", "typed passphrase one"]
    typed = cli(capsys, "identity", "create", "--name", "Eve Auditor", "--role", "Auditor")
    assert typed.status == 0, typed.err
    assert "Choose a passphrase for your new signing key: " in typed.out and "Type it again: " in typed.out
    terminal.typed.append("piped passphrase")
    terminal.tty = False
    piped = cli(capsys, "identity", "create", "--name", "Finn", "--role", "Clerk", "--passphrase-stdin")
    assert piped.status == 0, piped.err

    listed = identities(capsys)
    assert [(one["name"], one["role"], one["revoked_at"]) for one in listed] == [
        ("Dr. R", "Counsel", None),
        ("Eve Auditor", "Auditor", None),
        ("Finn", "Clerk", None),
    ]
    text = cli(capsys, "identity", "list")
    for one in listed:
        assert (
            f"{one['fingerprint']}  {one['name']} ({one['role']})  OS user {one['os_user']}  created "
            in text.out
        )
    gone = cli(capsys, "identity", "revoke", str(listed[1]["fingerprint"])[:9], "--reason", "Left the firm.")
    assert gone.status == 0 and "revoked at" in gone.out and "what it signed stays valid" in gone.out
    assert "REVOKED" in cli(capsys, "identity", "list").out
    assert identities(capsys)[1]["revoked_reason"] == "Left the firm."
    assert cli(capsys, "verify").status == 0


def test_a_new_passphrase_typed_differently_twice_or_too_short_records_nothing(
    capsys: pytest.CaptureFixture[str], record: Path, terminal: Terminal, tmp_path: Path
) -> None:
    before = head(record)
    terminal.secret += ["first passphrase", "second passphrase"]
    differs = cli(capsys, "identity", "create", "--name", "Dr. R", "--role", "Counsel")
    assert differs.status == 2 and "The two passphrases differ; nothing was recorded." in differs.err
    terminal.secret += ["short"]
    short = cli(capsys, "identity", "create", "--name", "Dr. R", "--role", "Counsel")
    assert short.status == 2 and "at least 8 characters" in short.err
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("seven77\n")
    assert (
        cli(capsys, "identity", "create", "--name", "R", "--role", "C", "--passphrase-file", str(tiny)).status
        == 2
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    blank = cli(capsys, "identity", "create", "--name", "R", "--role", "C", "--passphrase-file", str(empty))
    assert blank.status == 2 and "The passphrase given is empty." in blank.err
    unnamed = cli(capsys, "identity", "create", "--name", " ", "--role", "C", "--passphrase-file", str(tiny))
    assert unnamed.status == 2
    assert head(record) == before and identities(capsys) == []


def test_without_a_terminal_a_passphrase_must_be_given(
    capsys: pytest.CaptureFixture[str], record: Path
) -> None:
    before = head(record)
    asked = cli(capsys, "identity", "create", "--name", "Dr. R", "--role", "Counsel")
    assert asked.status == 2 and "--passphrase-file PATH or --passphrase-stdin" in asked.err
    assert head(record) == before


# -- signing ---------------------------------------------------------------------------------------


def test_signing_prints_the_summary_asks_for_sign_and_the_passphrase_then_locks(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path, terminal: Terminal
) -> None:
    fingerprint = create(capsys, passphrase_file(tmp_path))
    terminal.typed.append("sign")
    terminal.secret += ["not my passphrase", PASSPHRASE]
    signed = cli(
        capsys, "signoff", "1", "--identity", fingerprint[:9], "--meaning", "approved", "--reason", "Sound."
    )
    assert signed.status == 0, signed.err
    for shown in (
        "Conversation 1: Indemnity",
        "2 turn(s):",
        "  Turn 1 [completed]: PROMPTMARK0000 Question 0: A plain English sentence.",
        "Models used:",
        "No warnings: every turn completed and no turn is flagged.",
        "Content SHA-256 (what the signature covers): ",
        f"You sign as Dr. R (Counsel), key {fingerprint}: approved, stating “I approve this conversation's",
        "Type 'sign' to sign: ",
        f"Passphrase of {fingerprint}: ",
        f"Conversation 1 approved by Dr. R (Counsel, key {fingerprint}) at ",
        "it is now locked.",
    ):
        assert shown in signed.out, shown
    assert "Wrong passphrase for identity" in signed.err and "2 tries left" in signed.err
    shown = json.loads(cli(capsys, "show", "1", "--json").out)
    [signoff] = shown["signoffs"]
    assert shown["locked"] is True and signoff["fingerprint"] == fingerprint and signoff["role"] == "Counsel"
    assert signoff["statement"].startswith("I approve") and len(signoff["signature"]) == 128
    assert signoff["content_sha256"] in signed.out and signoff["signed_at_local"]
    verified = cli(capsys, "verify")
    assert verified.status == 0 and verified.out.startswith("Record intact"), verified.err


def test_an_empty_reason_is_refused_and_nothing_recorded(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    secret = passphrase_file(tmp_path)
    fingerprint = create(capsys, secret)
    before = head(record)
    for reason in ("", "   "):
        run = cli(
            capsys,
            "signoff",
            "1",
            "--identity",
            fingerprint,
            "--meaning",
            "approved",
            "--reason",
            reason,
            "--passphrase-file",
            str(secret),
            "--yes",
        )
        refused(run, "A signature needs a reason")
        assert run.out == ""
    assert head(record) == before and signoffs(record) == 0


def test_three_wrong_passphrases_are_refused_and_only_the_refusal_is_recorded(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path, terminal: Terminal
) -> None:
    fingerprint = create(capsys, passphrase_file(tmp_path))
    count, _ = head(record)
    terminal.secret += ["wrong one", "wrong two", "wrong three"]
    run = cli(
        capsys, "signoff", "1", "--identity", fingerprint, "--meaning", "approved", "--reason", "ok", "--yes"
    )
    assert run.status == 1 and run.err.count("veritrace: Wrong passphrase") == 2
    assert run.err.splitlines()[-1] == (
        f"veritrace: 3 wrong passphrases for identity {fingerprint}: the sign-off of conversation 1 was "
        "refused, and the refusal recorded; the identity signs nothing for 15 minutes."
    )
    assert head(record)[0] == count + 1 and signoffs(record) == 0
    store = Store(record)
    try:
        [(_, _, detail)] = store.events_of(["signoff.refused"])
    finally:
        store.close()
    assert detail["fingerprint"] == fingerprint and detail["reason"] == "three wrong passphrases"
    assert cli(capsys, "verify").status == 0


def test_a_wrong_passphrase_from_a_file_is_one_try_and_records_nothing(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    fingerprint = create(capsys, passphrase_file(tmp_path))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("somebody else's passphrase\n")
    before = head(record)
    run = cli(
        capsys,
        "signoff",
        "1",
        "--identity",
        fingerprint,
        "--meaning",
        "approved",
        "--reason",
        "ok",
        "--passphrase-file",
        str(wrong),
        "--yes",
    )
    refused(run, f"The passphrase given does not open the key of identity {fingerprint}; nothing was signed.")
    assert head(record) == before


def test_the_summary_must_be_acknowledged(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path, terminal: Terminal
) -> None:
    secret = passphrase_file(tmp_path)
    fingerprint = create(capsys, secret)
    before = head(record)
    argv = (
        "signoff",
        "1",
        "--identity",
        fingerprint,
        "--meaning",
        "reviewed",
        "--reason",
        "ok",
        "--passphrase-file",
        str(secret),
    )
    terminal.typed.append("yes")
    refused(cli(capsys, *argv), "Not signed: 'sign' was not typed.")
    terminal.tty = False  # a script
    refused(cli(capsys, *argv), "Not signed: without a terminal, pass --yes to acknowledge the summary.")
    assert head(record) == before and signoffs(record) == 0
    assert cli(capsys, *argv, "--yes").status == 0 and signoffs(record) == 1


def test_the_same_identity_signs_a_conversation_once_and_a_revoked_one_never(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    secret = passphrase_file(tmp_path)
    fingerprint = create(capsys, secret)
    given = ("--passphrase-file", str(secret), "--yes")
    assert (
        cli(
            capsys,
            "signoff",
            "1",
            "--identity",
            fingerprint,
            "--meaning",
            "approved",
            "--reason",
            "ok",
            *given,
        ).status
        == 0
    )
    before = head(record)
    again = cli(
        capsys,
        "signoff",
        "1",
        "--identity",
        fingerprint,
        "--meaning",
        "reviewed",
        "--reason",
        "again",
        *given,
    )
    refused(again, f"Identity {fingerprint} (Dr. R) has already signed conversation 1.")
    assert cli(capsys, "identity", "revoke", fingerprint, "--reason", "Left.").status == 0
    after_revoke = head(record)
    gone = cli(
        capsys, "signoff", "2", "--identity", fingerprint, "--meaning", "approved", "--reason", "ok", *given
    )
    refused(gone, "was revoked at")
    unknown = cli(
        capsys, "signoff", "2", "--identity", "ffff0000", "--meaning", "approved", "--reason", "ok", *given
    )
    refused(unknown, "No identity of this record has the fingerprint 'ffff0000'")
    assert head(record) == after_revoke and after_revoke[0] == before[0] + 2  # the revocation, its checkpoint


def test_a_conversation_with_a_running_turn_or_none_at_all_is_not_signed(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    secret = passphrase_file(tmp_path)
    fingerprint = create(capsys, secret)
    store = Store(record)
    try:
        start_turn(store, 2)
    finally:
        store.close()
    before = head(record)
    given = ("--meaning", "approved", "--reason", "ok", "--passphrase-file", str(secret), "--yes")
    running = cli(capsys, "signoff", "2", "--identity", fingerprint, *given)
    refused(running, "Conversation 2 has a turn still running; sign off once it ends.")
    missing = cli(capsys, "signoff", "9", "--identity", fingerprint, *given)
    refused(missing, "No conversation with id 9.")
    assert head(record) == before


def test_a_key_file_swapped_for_another_identitys_is_refused(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    secret = passphrase_file(tmp_path)
    mine = create(capsys, secret)
    theirs = create(capsys, secret, "Eve Auditor", "Auditor")
    listed = {str(one["fingerprint"]): one for one in identities(capsys)}
    store = Store(record)
    try:
        by_fingerprint = {identity.fingerprint: identity for identity in store.identities()}
    finally:
        store.close()
    key_path(by_fingerprint[mine]).write_bytes(key_path(by_fingerprint[theirs]).read_bytes())
    before = head(record)
    run = cli(
        capsys,
        "signoff",
        "1",
        "--identity",
        mine,
        "--meaning",
        "approved",
        "--reason",
        "ok",
        "--passphrase-file",
        str(secret),
        "--yes",
    )
    refused(run, f"holds another key ({theirs}), not that of identity {mine} (Dr. R): it was replaced.")
    assert head(record) == before and listed[mine]["name"] == "Dr. R"


def test_a_flagged_and_stopped_conversation_is_signed_only_after_its_warnings_are_printed(
    capsys: pytest.CaptureFixture[str], veritrace_home: Path, tmp_path: Path
) -> None:
    from tests.fixtures.search_records import begin

    store = open_record(database_path())
    try:
        turn = begin(store, None, "Is clause 4 enforceable?", title="Clause 4")
        store.append_output(turn.id, 0, "[THINK]weigh", "weigh", "")
        store.finish_turn(turn.id, TurnStatus.CANCELLED, finish_reason="cancelled")
        store.annotate(turn.id, Flag.ERROR, "Stopped before any answer.", "Dr. R")
        store.checkpoint(installation_key(), "ready")
    finally:
        store.close()
    secret = passphrase_file(tmp_path)
    fingerprint = create(capsys, secret)
    run = cli(
        capsys,
        "signoff",
        "1",
        "--identity",
        fingerprint,
        "--meaning",
        "rejected",
        "--reason",
        "Incomplete.",
        "--passphrase-file",
        str(secret),
        "--yes",
    )
    assert run.status == 0, run.err
    assert "Before you sign, 2 warning(s):" in run.out
    assert "  ! Turn 1 was stopped by the reviewer before it finished: its answer is incomplete." in run.out
    assert "  ! Turn 1 is flagged as an error by Dr. R (" in run.out
    assert run.out.index("warning(s)") < run.out.index("now locked")
