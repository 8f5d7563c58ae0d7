"""Checkpoints anchored by a real RFC 3161 authority (openssl on 127.0.0.1), offline first."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.core.signing import checkpoint_message
from app.export import verify_bundle as vb
from app.services.anchoring import QUEUED, RECEIVED, REFUSED, Authority, imprint, pending, send_queued
from app.services.paths import database_path
from app.services.record import open_record
from app.storage.repository import Store
from tests.fixtures.bundles import relist
from tests.fixtures.ledger import fill
from tests.fixtures.tsa import authority, local_tsa


@pytest.fixture
def record(veritrace_home: Path) -> Path:
    """A record as the app leaves it: the installation key enrolled (and witnessed), two turns."""
    store = open_record(database_path())
    fill(store, turns=2)
    store.close()
    return database_path()


def root_file(tmp_path: Path, name: str = "rsa") -> Path:
    path = tmp_path / f"{name}-root.pem"
    path.write_text(authority(name).root_pem)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def events(kind: str) -> list[dict[str, object]]:
    store = Store(database_path())
    try:
        return [detail for _, _, detail in store.events_of((kind,))]
    finally:
        store.close()


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"  # nothing listens there once the probe is closed


@pytest.mark.slow
def test_a_checkpoint_is_timestamped_and_only_its_hash_leaves_the_machine(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = root_file(tmp_path)
    with local_tsa(tmp_path) as tsa:
        code, out, err = run(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root))
        assert code == 0, err
        assert "1 checkpoint(s) timestamped" in err
        [received] = tsa.requests
    [token] = events(RECEIVED)
    store = Store(record)
    try:
        made = next(item for item in store.checkpoints() if item.id == token["checkpoint_id"])
    finally:
        store.close()
    digest = hashlib.sha256(checkpoint_message(made.entry_count, made.head_hash, made.at)).hexdigest()
    assert token["imprint"] == digest == imprint(made)
    # The request is a 69-byte TimeStampReq: the SHA-256 and a nonce, nothing about the record.
    assert received.content_type == "application/timestamp-query" and len(received.body) == 69
    assert bytes.fromhex(digest) in received.body
    assert made.head_hash.encode() not in received.body and bytes.fromhex(made.head_hash) not in received.body
    code, out, err = run(capsys, "verify", "--tsa-root", str(root))
    assert code == 0, err
    assert f"checkpoint {made.id} over entry {made.entry_count}, existed by {token['gen_time']}" in out


@pytest.mark.slow
def test_offline_requests_wait_in_the_record_and_are_sent_later(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = root_file(tmp_path)
    code, _, err = run(capsys, "checkpoint", "--tsa", closed_port(), "--tsa-root", str(root))
    assert code == 0, "the checkpoint itself is made offline"
    assert "could not be reached" in err and "stays queued" in err
    assert len(events(QUEUED)) == 1 and not events(RECEIVED)
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "1 checkpoint(s) still queued for the timestamp authority" in out
    with local_tsa(tmp_path) as tsa:
        code, _, err = run(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root))
        assert code == 0 and "2 checkpoint(s) timestamped" in err
        assert len(tsa.requests) == 2, "the queued one and the new one"
    store = Store(record)
    try:
        assert pending(store) == []
    finally:
        store.close()


@pytest.mark.slow
def test_a_refusing_authority_is_recorded_and_not_asked_again(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = root_file(tmp_path)
    with local_tsa(tmp_path) as tsa:
        tsa.mode = "reject"
        code, _, err = run(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root))
        assert code == 0 and "not timestamped: the timestamp authority answered status 2 (rejection)" in err
        [refused] = events(REFUSED)
        assert "rejection" in str(refused["error"])
        tsa.mode = "garbage"
        store = Store(record)
        try:
            assert pending(store) == [], "a refused request is not sent again"
            assert send_queued(store, Authority(tsa.url, (authority("rsa").root_der,))).received == ()
        finally:
            store.close()
        assert len(tsa.requests) == 1


@pytest.mark.slow
def test_a_token_from_an_untrusted_authority_is_refused_when_it_arrives(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_tsa(tmp_path, "foreign") as tsa:
        code, _, err = run(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root_file(tmp_path)))
    assert code == 0 and "not timestamped" in err and "Veritrace Foreign Root" in err
    assert not events(RECEIVED)


@pytest.mark.slow
def test_verify_checks_tokens_against_the_root_it_is_given(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_tsa(tmp_path) as tsa:
        assert run(capsys, "checkpoint", "--tsa", tsa.url, "--tsa-root", str(root_file(tmp_path)))[0] == 0
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "checked against the root recorded with it" in out
    code, _, err = run(capsys, "verify", "--tsa-root", str(root_file(tmp_path, "ec")))
    assert code == 1
    assert "the timestamp token of checkpoint" in err and "fails" in err
    code, _, err = run(capsys, "verify", "--tsa-root", str(tmp_path / "missing.pem"))
    assert code == 2 and err.count("\n") == 1 and "cannot be read" in err


def test_a_misnamed_authority_is_refused_in_one_line(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "checkpoint", "--tsa", "ftp://example.invalid/", "--tsa-root", "x.pem")
    assert code == 2 and "not an http:// or https:// address" in err and err.count("\n") == 1
    not_a_certificate = tmp_path / "notes.pem"
    not_a_certificate.write_text("hello")
    code, _, err = run(
        capsys, "checkpoint", "--tsa", "http://127.0.0.1:9/", "--tsa-root", str(not_a_certificate)
    )
    assert code == 2 and "root certificate" in err and err.count("\n") == 1
    assert run(capsys, "verify")[0] == 0, "nothing was recorded by a refused command"


@pytest.mark.slow
def test_a_bundle_carries_its_checkpoints_token_and_the_verifier_checks_it(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.services.config import AppConfig, save_config

    root = root_file(tmp_path)
    with local_tsa(tmp_path) as tsa:
        save_config(AppConfig(tsa_url=tsa.url, tsa_root=str(root)))
        assert run(capsys, "checkpoint")[0] == 0  # an earlier token, over another head
        code, out, err = run(capsys, "export", "1", "-o", str(tmp_path / "b.zip"), "--json")
        assert code == 0, err
    assert json.loads(out)["timestamped"] is True
    bundle = tmp_path / "b.zip"
    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    checkpoint = json.loads(files[vb.MANIFEST])["checkpoint"]
    message = checkpoint_message(checkpoint["entry_count"], checkpoint["head_hash"], checkpoint["at"])
    token = files[vb.TIMESTAMP_TOKEN]
    assert vb.check_token(token, hashlib.sha256(message).hexdigest(), [authority("rsa").root_der])
    assert vb.main([str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "ok    timestamp" in out and "pin one with --tsa-root" in out
    assert vb.main([str(bundle), "--tsa-root", str(root)]) == 0
    assert "the root you gave (--tsa-root)" in capsys.readouterr().out
    assert vb.main([str(bundle), "--tsa-root", str(root_file(tmp_path, "ec"))]) == 1
    assert "BUNDLE INVALID: timestamp/checkpoint.tsr:" in capsys.readouterr().out

    def problem(changed: dict[str, bytes]) -> str | None:
        return vb.verify(vb.MemorySource(relist(changed)), out=lambda _line: None)[0]

    # A forger who relists the files (so every hash matches) with another genuine token, or a
    # token with one byte changed, is still caught by the timestamp check itself.
    [earlier, _] = [detail["token"] for detail in events(RECEIVED)]
    swapped = problem({**files, vb.TIMESTAMP_TOKEN: base64.b64decode(str(earlier))})
    assert swapped is not None and swapped.startswith("timestamp/checkpoint.tsr:") and "hash" in swapped
    flipped = bytearray(token)
    flipped[-10] ^= 0x01
    changed = problem({**files, vb.TIMESTAMP_TOKEN: bytes(flipped)})
    assert changed is not None and changed.startswith("timestamp/checkpoint.tsr:")
    assert problem(files) is None, "relisting alone changes nothing"


@pytest.mark.slow
def test_a_bundle_without_a_token_says_the_signature_does_not_date_it(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "export", "1", "-o", str(tmp_path / "plain"))[0] == 0
    assert vb.main([str(tmp_path / "plain")]) == 0
    assert "none: the signature shows who signed the head, not when" in capsys.readouterr().out
    assert vb.main([str(tmp_path / "plain"), "--tsa-root", str(root_file(tmp_path))]) == 1
    assert "carries no timestamp token" in capsys.readouterr().out
