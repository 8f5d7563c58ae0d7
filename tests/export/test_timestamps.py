"""RFC 3161 timestamps, checked in pure Python and cross-checked with the real ``openssl ts``.

Tokens come from a real TSA (``openssl ts -reply`` behind a loopback HTTP server); whatever this
module accepts, openssl accepts too, and the other way round for the failures it can judge.
"""

from __future__ import annotations

import ast
import base64
import datetime
import hashlib
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.export import verify_bundle as timestamps
from app.export.verify_bundle import (
    TimestampInvalid,
    TokenInfo,
    certificate_fingerprint,
    check_token,
    pem_certificates,
    timestamp_request,
    token_from_response,
)
from tests.fixtures.tsa import (
    GARBAGE,
    POLICY,
    QUERY_TYPE,
    REPLY_TYPE,
    TSA,
    authority,
    local_tsa,
    openssl,
    post,
    resign,
)

MODULE = Path(timestamps.__file__)
SHA = hashlib.sha256(b"veritrace checkpoint 42: the head of the ledger").hexdigest()
SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")


def _response(tsa: TSA, sha256_hex: str = SHA, nonce: int | None = None) -> bytes:
    status, content_type, body = post(tsa.url, timestamp_request(sha256_hex, nonce))
    assert (status, content_type) == (200, REPLY_TYPE)
    return body


def _token(tmp_path: Path, name: str = "rsa", sha256_hex: str = SHA, nonce: int | None = None) -> bytes:
    with local_tsa(tmp_path, name) as tsa:
        return token_from_response(_response(tsa, sha256_hex, nonce))


def _openssl_verifies(tmp_path: Path, token: bytes, name: str, sha256_hex: str = SHA) -> bool:
    """Whether ``openssl ts -verify`` accepts ``token`` against the root of ``authority(name)``."""
    path = tmp_path / "openssl-token.der"
    path.write_bytes(token)
    chosen = authority(name)
    result = openssl("ts", "-verify", "-digest", sha256_hex, "-in", path, "-token_in",
                     "-CAfile", chosen.root, "-untrusted", chosen.untrusted(), check=False)  # fmt: skip
    return result.returncode == 0 and "Verification: OK" in result.stdout


def _openssl_gen_time(text: str) -> str:
    """``Time stamp: Dec  2 18:30:12.5 2026 GMT`` (openssl ts -text) as ISO 8601."""
    found = re.search(r"Time stamp: (\w{3}) +(\d+) (\d\d:\d\d:\d\d)(\.\d+)? (\d{4}) GMT", text)
    assert found is not None, text
    month, day, clock, fraction, year = found.groups()
    date = datetime.datetime.strptime(f"{month} {day} {year}", "%b %d %Y").date()
    return f"{date.isoformat()}T{clock}{fraction or ''}Z"


def _openssl_number(text: str, label: str) -> int:
    """A number as ``openssl ts -text`` shows it (``Nonce: 0x05F1``)."""
    found = re.search(rf"^{label}: 0x([0-9A-F]+)$", text, re.MULTILINE)
    assert found is not None, text
    return int(found.group(1), 16)


def _flip(data: bytes, index: int, mask: int = 0x01) -> bytes:
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


# -- a real TSA, both directions ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "ess", "precision"),
    [
        ("rsa", "sha256", 0),  # signingCertificateV2
        ("rsa", "sha1", 3),  # signingCertificate (ESSCertID with SHA-1), milliseconds
        ("ec", "sha256", 0),  # ECDSA P-256 root and TSA
        ("chain", "sha384", 6),  # RSA root, P-256 intermediate, P-384 TSA with SHA-384
    ],
)
def test_token_from_a_real_tsa_passes_here_and_in_openssl(
    tmp_path: Path, name: str, ess: str, precision: int
) -> None:
    nonce = secrets.randbits(64)
    with local_tsa(tmp_path, name, ess=ess, precision=precision) as tsa:
        response = _response(tsa, SHA, nonce)
        token = token_from_response(response)
        info = check_token(token, SHA, [tsa.root_der], nonce)

    chosen = authority(name)
    response_file, token_file = tmp_path / "response.tsr", tmp_path / "token.der"
    response_file.write_bytes(response)
    token_file.write_bytes(token)
    sources: list[list[str | Path]] = [["-in", response_file], ["-in", token_file, "-token_in"]]
    for source in sources:
        verified = openssl("ts", "-verify", "-digest", SHA, *source, "-CAfile", chosen.root,
                           "-untrusted", chosen.untrusted(), check=False)  # fmt: skip
        assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stderr

    text = openssl("ts", "-reply", "-in", response_file, "-text").stdout
    assert info.gen_time == _openssl_gen_time(text)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z", info.gen_time)
    assert _openssl_number(text, "Serial number") == info.serial_number
    assert _openssl_number(text, "Nonce") == info.nonce == nonce
    assert info.policy == POLICY and f"Policy OID: {POLICY}" in text
    assert info.tsa_name is not None
    assert f"TSA: DirName:/{info.tsa_name.replace(', ', '/')}" in text
    assert info.signer_subject == info.tsa_name
    fingerprint = openssl("x509", "-in", chosen.signer, "-noout", "-fingerprint", "-sha256").stdout
    assert info.signer_fingerprint == fingerprint.split("=", 1)[1].strip().replace(":", "").lower()


def test_request_without_nonce_is_byte_for_byte_what_openssl_writes(tmp_path: Path) -> None:
    query = tmp_path / "openssl.tsq"
    openssl("ts", "-query", "-digest", SHA, "-sha256", "-cert", "-no_nonce", "-out", query)
    assert timestamp_request(SHA) == query.read_bytes()


@pytest.mark.parametrize("nonce", [None, 0, 1, 127, 128, 0xFFFF_FFFF_FFFF_FFFF, 2**159 + 12345])
def test_openssl_reads_the_request_as_sha256_with_nonce_and_cert_request(
    tmp_path: Path, nonce: int | None
) -> None:
    query = tmp_path / "ours.tsq"
    query.write_bytes(timestamp_request(SHA, nonce))
    text = openssl("ts", "-query", "-in", query, "-text").stdout
    assert "Version: 1" in text and "Hash Algorithm: sha256" in text
    data = re.findall(r"^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){15}[0-9a-f]{2})", text, re.MULTILINE)
    assert "".join(re.sub("[ -]", "", line) for line in data) == SHA
    assert "Policy OID: unspecified" in text
    assert "Certificate required: yes" in text
    if nonce is None:
        assert "Nonce: unspecified" in text
    else:
        shown = re.search(r"Nonce: (0x[0-9A-F]+|\d+)", text)
        assert shown is not None and int(shown.group(1), 0) == nonce


def test_a_request_made_by_openssl_gets_a_token_checked_here(tmp_path: Path) -> None:
    query = tmp_path / "openssl.tsq"
    openssl("ts", "-query", "-digest", SHA, "-sha256", "-cert", "-out", query)
    nonce = _openssl_number(openssl("ts", "-query", "-in", query, "-text").stdout, "Nonce")
    with local_tsa(tmp_path) as tsa:
        status, _, response = post(tsa.url, query.read_bytes())
    assert status == 200
    info = check_token(token_from_response(response), SHA, [authority("rsa").root_der], nonce)
    assert info.nonce == nonce


def test_only_the_hash_and_the_nonce_reach_the_tsa(tmp_path: Path) -> None:
    record = b"conversation 7: the user asked about the merger; the model reasoned for 3,000 tokens"
    digest = hashlib.sha256(record).digest()
    with local_tsa(tmp_path) as tsa:
        _response(tsa, digest.hex(), 0x0123456789ABCDEF)
        received = list(tsa.requests)
    # SEQUENCE { version 1, messageImprint { sha256, NULL, the 32 bytes }, nonce (8 bytes), certReq TRUE }
    expected = (
        bytes.fromhex("3043" "020101" "3031") + SHA256_ALGORITHM + bytes.fromhex("0420") + digest
        + bytes.fromhex("0208" "0123456789abcdef" "0101ff")
    )  # fmt: skip
    assert len(expected) == 69
    assert [(r.method, r.path, r.content_type, r.body) for r in received] == [
        ("POST", "/", QUERY_TYPE, expected)
    ]


# -- what a bad token is refused for ------------------------------------------------------------


def test_a_token_for_another_hash_is_refused(tmp_path: Path) -> None:
    token = _token(tmp_path)
    other = hashlib.sha256(b"another checkpoint").hexdigest()
    with pytest.raises(TimestampInvalid, match=f"stamps the hash {SHA}, not {other}"):
        check_token(token, other, [authority("rsa").root_der])
    assert not _openssl_verifies(tmp_path, token, "rsa", other)


def test_a_token_with_another_nonce_or_none_is_refused(tmp_path: Path) -> None:
    root = [authority("rsa").root_der]
    with pytest.raises(TimestampInvalid, match="has the nonce 5, not the nonce 6 of the request"):
        check_token(_token(tmp_path, nonce=5), SHA, root, nonce=6)
    with pytest.raises(TimestampInvalid, match="has no nonce, not the nonce 6 of the request"):
        check_token(_token(tmp_path / "second"), SHA, root, nonce=6)


@pytest.mark.parametrize("name", ["foreign", "foreign_with_root"])
def test_a_token_from_a_foreign_ca_names_the_untrusted_root(tmp_path: Path, name: str) -> None:
    token = _token(tmp_path, name)
    with pytest.raises(
        TimestampInvalid,
        match=r"chains to O=Somebody Else, CN=Veritrace Foreign Root, which is not a trusted root",
    ):
        check_token(token, SHA, [authority("rsa").root_der, authority("ec").root_der])
    assert (
        check_token(token, SHA, [authority(name).root_der]).signer_subject
        == "O=Somebody Else, CN=Foreign TSA"
    )
    assert _openssl_verifies(tmp_path, token, name)
    assert not _openssl_verifies(tmp_path, token, "rsa")


def test_with_no_trusted_root_the_chain_names_where_it_ends(tmp_path: Path) -> None:
    token = _token(tmp_path, "chain")
    with pytest.raises(
        TimestampInvalid,
        match=r"chains to O=Veritrace Tests, CN=Veritrace Test Root, which is not a trusted root \(it issued",
    ):
        check_token(token, SHA, [])


@pytest.mark.parametrize("name", ["rsa", "ec"])
def test_one_flipped_byte_in_the_signature_is_refused(tmp_path: Path, name: str) -> None:
    token = _token(tmp_path, name)
    bad = _flip(token, len(token) - 2)  # the signature is the last field of the token
    with pytest.raises(
        TimestampInvalid, match=r"the token's signature \(by O=Veritrace Tests, CN=.*\) does not verify"
    ):
        check_token(bad, SHA, [authority(name).root_der])
    assert not _openssl_verifies(tmp_path, bad, name)


def test_one_flipped_byte_in_the_tstinfo_breaks_the_message_digest(tmp_path: Path) -> None:
    token = _token(tmp_path)
    # In the TSTInfo, the serial number follows the hash stamped: 04 20 <hash>, 02 <length> <serial>
    at = token.index(bytes.fromhex("0420") + bytes.fromhex(SHA)) + 34
    assert token[at] == 0x02 and token[at + 1] < 0x80
    bad = _flip(token, at + 1 + token[at + 1])  # the serial number's last byte
    with pytest.raises(
        TimestampInvalid, match=r"TSTInfo does not match its signed message digest \(sha256\)"
    ):
        check_token(bad, SHA, [authority("rsa").root_der])
    assert not _openssl_verifies(tmp_path, bad, "rsa")


@pytest.mark.parametrize("options", [(), ("-keyid",)])
def test_a_token_signed_again_by_the_same_tsa_with_openssl_cms_passes(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    """The control for the tests below: re-signing with ``openssl cms`` alone breaks nothing,
    whether the signer is named by issuer and serial number or (``-keyid``) by its key identifier."""
    token = resign(_token(tmp_path), authority("rsa"), tmp_path / "resigned", *options)
    assert (b"\x80\x14" + _key_identifier(authority("rsa").signer) in token) == bool(options)
    assert check_token(token, SHA, [authority("rsa").root_der]).policy == POLICY
    if not options:
        assert _openssl_verifies(tmp_path, token, "rsa")
    else:  # openssl ts finds a signer by issuer and serial number only; openssl cms checks the rest
        assert _openssl_cms_verifies(tmp_path, token)


def _openssl_cms_verifies(tmp_path: Path, token: bytes) -> bool:
    """Whether ``openssl cms -verify`` accepts the token's signature (not its certificate chain)."""
    (tmp_path / "cms.der").write_bytes(token)
    verified = openssl("cms", "-verify", "-noverify", "-inform", "DER", "-in", tmp_path / "cms.der",
                       "-binary", "-out", tmp_path / "tstinfo.der", check=False)  # fmt: skip
    return verified.returncode == 0


def _key_identifier(certificate: Path) -> bytes:
    text = openssl("x509", "-in", certificate, "-noout", "-ext", "subjectKeyIdentifier").stdout
    return bytes.fromhex(text.splitlines()[-1].strip().replace(":", ""))


def test_a_token_signed_by_another_tsa_than_it_names_is_refused(tmp_path: Path) -> None:
    token = resign(_token(tmp_path), authority("ec"), tmp_path / "resigned")
    with pytest.raises(
        TimestampInvalid,
        match=r"names its TSA O=Veritrace Tests, CN=Veritrace Test TSA \(rsa\) "
        r"but is signed by O=Veritrace Tests, CN=Veritrace Test EC TSA$",
    ):
        check_token(token, SHA, [authority("ec").root_der])


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("no_eku", r"has no extended key usage: it is not a timestamping certificate"),
        ("eku_not_critical", r"has an extended key usage not marked critical, as RFC 3161 requires"),
        (
            "eku_mixed",
            r"is not for timestamping alone \(its extended key usage: 1.3.6.1.5.5.7.3.8, 1.3.6.1.5.5.7.3.3\)",
        ),
    ],
)
def test_a_tsa_certificate_not_for_timestamping_is_refused(tmp_path: Path, name: str, problem: str) -> None:
    token = resign(_token(tmp_path), authority(name), tmp_path / "resigned")
    with pytest.raises(
        TimestampInvalid, match=rf"the TSA certificate \(O=Veritrace Tests, CN=.*\) {problem}"
    ):
        check_token(token, SHA, [authority("rsa").root_der])
    assert not _openssl_verifies(tmp_path, token, name)


def test_a_tsa_certificate_expired_at_the_stamped_time_is_refused(tmp_path: Path) -> None:
    token = _token(tmp_path, "expired")
    with pytest.raises(
        TimestampInvalid,
        match=r"was not valid at \d{4}-.*Z \(valid 2020-01-01T00:00:00Z to 2021-01-01T00:00:00Z\)",
    ):
        check_token(token, SHA, [authority("rsa").root_der])
    assert not _openssl_verifies(tmp_path, token, "expired")


def test_an_intermediate_that_is_not_a_ca_is_refused(tmp_path: Path) -> None:
    token = _token(tmp_path, "not_ca")
    with pytest.raises(
        TimestampInvalid, match=r"Intermediate \(not_ca\) is not a CA \(basicConstraints cA is not TRUE\)"
    ):
        check_token(token, SHA, [authority("rsa").root_der])
    assert not _openssl_verifies(tmp_path, token, "not_ca")


def test_an_rsa_pss_signature_is_refused_as_unsupported(tmp_path: Path) -> None:
    token = resign(_token(tmp_path), authority("rsa"), tmp_path / "pss", "-keyopt", "rsa_padding_mode:pss")
    assert _openssl_cms_verifies(tmp_path, token)  # a sound PSS signature
    with pytest.raises(TimestampInvalid, match="uses RSASSA-PSS, which this checker does not support"):
        check_token(token, SHA, [authority("rsa").root_der])


# -- what the TSA answers when it does not grant -------------------------------------------------


def test_a_real_rejection_gives_status_text_and_reason(tmp_path: Path) -> None:
    with local_tsa(tmp_path) as tsa:
        tsa.mode = "reject"  # openssl is configured to accept SHA-512 imprints only
        response = _response(tsa)
    with pytest.raises(
        TimestampInvalid,
        match=r"^the timestamp authority answered status 2 \(rejection\): "
        r"Message digest algorithm is not supported\. \(badAlg\)$",
    ):
        token_from_response(response)


def test_a_waiting_status_without_a_token_is_refused_with_its_text() -> None:
    status = (
        bytes.fromhex("020103") + bytes.fromhex("300b0c09747279206c61746572") + bytes.fromhex("0303010002")
    )
    response = bytes([0x30, len(status) + 2, 0x30, len(status)]) + status
    with pytest.raises(TimestampInvalid, match=r"status 3 \(waiting\): try later \(timeNotAvailable\)$"):
        token_from_response(response)
    with pytest.raises(TimestampInvalid, match="grants the request but carries no token"):
        token_from_response(bytes.fromhex("30053003020100"))


@pytest.mark.parametrize("mode", ["http_500", "garbage"])
def test_an_answer_that_is_no_timestamp_response_is_refused(tmp_path: Path, mode: str) -> None:
    with local_tsa(tmp_path) as tsa:
        tsa.mode = mode
        status, content_type, body = post(tsa.url, timestamp_request(SHA))
    assert (status, content_type) == ((500, "text/plain") if mode == "http_500" else (200, REPLY_TYPE))
    assert mode != "garbage" or body == GARBAGE
    with pytest.raises(TimestampInvalid, match=r"^the timestamp response is malformed: "):
        token_from_response(body)


# -- hostile bytes: always TimestampInvalid, never another exception, never slow ----------------


def test_every_truncation_of_a_token_and_of_a_response_is_refused(tmp_path: Path) -> None:
    with local_tsa(tmp_path, "ec") as tsa:
        response = _response(tsa)
    token = token_from_response(response)
    root = [authority("ec").root_der]
    for length in range(len(token)):
        with pytest.raises(TimestampInvalid):
            check_token(token[:length], SHA, root)
    for length in range(len(response)):
        with pytest.raises(TimestampInvalid):
            token_from_response(response[:length])
    with pytest.raises(TimestampInvalid, match="1 bytes follow its end"):
        check_token(token + b"\x00", SHA, root)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "masks"), [("rsa", (0x01, 0x80, 0xFF)), ("ec", (0x01, 0x80))])
def test_every_single_flipped_byte_of_a_token_is_refused(
    tmp_path: Path, name: str, masks: tuple[int, ...]
) -> None:
    token = _token(tmp_path, name)
    root = [authority(name).root_der]
    check_token(token, SHA, root)
    passed = []
    for mask in masks:
        for index in range(len(token)):
            try:
                check_token(_flip(token, index, mask), SHA, root)
            except TimestampInvalid:
                continue
            passed.append((mask, index))
    assert passed == []


def test_random_bytes_are_refused() -> None:
    chooser = random.Random(3161)
    root = [authority("rsa").root_der]
    for _ in range(3000):
        size = chooser.choice([0, 1, 2, 3, 5, 40, 300, 3000])
        data = bytes(chooser.getrandbits(8) for _ in range(size))
        if chooser.random() < 0.5 and size > 4:  # a plausible outer SEQUENCE, to get further in
            data = bytes([0x30, 0x82]) + (size - 4).to_bytes(2, "big") + data[4:]
        with pytest.raises(TimestampInvalid):
            check_token(data, SHA, root)
        with pytest.raises(TimestampInvalid):
            token_from_response(data)


def _nested(levels: int) -> bytes:
    """``levels`` SEQUENCEs, each the only content of the one around it (definite lengths)."""
    headers, inner = [], 0
    for _ in range(levels):
        size = b"" if inner < 0x80 else inner.to_bytes((inner.bit_length() + 7) // 8, "big")
        header = bytes([0x30, inner]) if inner < 0x80 else bytes([0x30, 0x80 | len(size)]) + size
        headers.append(header)
        inner += len(header)
    return b"".join(reversed(headers))


def test_deeply_nested_der_is_refused_without_recursion() -> None:
    nested = _nested(100_000)
    assert len(nested) > 400_000
    root = [authority("rsa").root_der]
    for data in (nested, b"\x30\x80" * 100_000):
        with pytest.raises(TimestampInvalid):
            check_token(data, SHA, root)
        with pytest.raises(TimestampInvalid):
            token_from_response(data)
        with pytest.raises(TimestampInvalid):
            pem_certificates(
                f"-----BEGIN CERTIFICATE-----\n{base64.b64encode(data).decode()}\n-----END CERTIFICATE-----"
            )
    with pytest.raises(TimestampInvalid, match="an indefinite length at byte 0, which DER forbids"):
        check_token(b"\x30\x80" * 100_000, SHA, root)


def _tlv(tag: int, *parts: bytes) -> bytes:
    """One DER element (written here independently of the module under test)."""
    body = b"".join(parts)
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def test_huge_integers_are_refused_with_a_short_message() -> None:
    huge = _tlv(0x02, b"\x01" + b"\x00" * 5000)  # far more than 4,300 decimal digits
    with pytest.raises(TimestampInvalid, match=r"status 0x1000000000+… \(unknown\): no reason given$"):
        token_from_response(_tlv(0x30, _tlv(0x30, huge)))
    tst_info = _tlv(
        0x30,
        _tlv(0x02, b"\x01"),
        _tlv(0x06, b"\x2a\x03\x04"),
        _tlv(0x30, SHA256_ALGORITHM, _tlv(0x04, bytes.fromhex(SHA))),
        _tlv(0x02, b"\x01"),
        _tlv(0x18, b"20261202183012Z"),
        huge,  # the nonce
    )
    signed_data = _tlv(
        0x30,
        _tlv(0x02, b"\x03"),
        _tlv(0x31, SHA256_ALGORITHM),
        _tlv(0x30, bytes.fromhex("060b2a864886f70d0109100104"), _tlv(0xA0, _tlv(0x04, tst_info))),
        _tlv(0x31, _tlv(0x30)),
    )
    token = _tlv(0x30, bytes.fromhex("06092a864886f70d010702"), _tlv(0xA0, signed_data))
    with pytest.raises(
        TimestampInvalid, match=r"^the token has the nonce 0x10000000000.*…, not the nonce 7 of"
    ):
        check_token(token, SHA, [], nonce=7)


def test_malformed_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="not 64 hex digits"):
        timestamp_request("abc")
    with pytest.raises(ValueError, match="nonce"):
        timestamp_request(SHA, -1)
    with pytest.raises(TimestampInvalid, match="not 64 hex digits"):
        check_token(b"", "z" * 64, [])
    with pytest.raises(TimestampInvalid, match="trusted root 1 is malformed"):
        check_token(b"", SHA, [b"\x30\x00"])


# -- certificates --------------------------------------------------------------------------------


def test_pem_certificates_and_fingerprints_match_openssl(tmp_path: Path) -> None:
    chosen = authority("chain")
    found = pem_certificates(chosen.untrusted().read_text())
    assert len(found) == 2
    for der, pem in zip(found, (chosen.signer, *chosen.chain), strict=True):
        out = tmp_path / "cert.der"
        openssl("x509", "-in", pem, "-outform", "DER", "-out", out)
        assert der == out.read_bytes()
        fingerprint = openssl("x509", "-in", pem, "-noout", "-fingerprint", "-sha256").stdout
        assert certificate_fingerprint(der) == fingerprint.split("=", 1)[1].strip().replace(":", "").lower()
    with pytest.raises(TimestampInvalid, match="holds no PEM certificate"):
        pem_certificates("nothing here")
    with pytest.raises(TimestampInvalid, match="PEM certificate 1 is not valid base64"):
        pem_certificates("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")


@pytest.mark.parametrize(
    ("oid", "curve"), [(timestamps._OID_P256, "prime256v1"), (timestamps._OID_P384, "secp384r1")]
)
def test_curve_constants_are_openssls(oid: str, curve: str) -> None:
    text = openssl("ecparam", "-name", curve, "-param_enc", "explicit", "-text", "-noout").stdout
    values = {}
    for label, block in re.findall(r"^(\w[\w ()]*):\s*\n((?:\s+[0-9a-f:]+\n)+)", text, re.MULTILINE):
        values[label.split(" ")[0]] = int(re.sub(r"[\s:]", "", block), 16)
    chosen = timestamps._EC_CURVES[oid]
    assert values["Prime"] == chosen.p and values["A"] == chosen.a and values["B"] == chosen.b
    assert values["Order"] == chosen.n
    size = chosen.size
    generator = values["Generator"].to_bytes(1 + 2 * size, "big")
    assert generator[0] == 4
    assert (
        int.from_bytes(generator[1 : 1 + size], "big"),
        int.from_bytes(generator[1 + size :], "big"),
    ) == chosen.g


# -- part of the standalone verifier ---------------------------------------------------------


def test_the_verifier_is_python_38_standard_library_and_defines_each_name_once() -> None:
    """The timestamp code lives in verify_bundle.py, which bundles carry and run with Python alone."""
    source = MODULE.read_text()
    tree = ast.parse(source, feature_version=(3, 8))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [target.id for target in targets if isinstance(target, ast.Name)]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []


def _python38() -> str | None:
    """A Python 3.8 interpreter that runs (pyenv's own builds first: its shims may refuse)."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = (
        [str(path) for path in sorted(versions.glob("3.8*/bin/python3.8"))] if versions.is_dir() else []
    )
    candidates += [found] if (found := shutil.which("python3.8")) else []
    for candidate in candidates:
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == "(3, 8)":
            return candidate
    return None


def test_a_token_checks_under_python_38_with_the_verifier_alone(tmp_path: Path) -> None:
    python = _python38()
    if python is None:
        pytest.skip("no Python 3.8 interpreter on this machine")
    token = _token(tmp_path, "chain")
    expected = check_token(token, SHA, [authority("chain").root_der])
    (tmp_path / "token.der").write_bytes(token)
    (tmp_path / "root.pem").write_text(authority("chain").root_pem)
    script = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("verify_bundle", {str(MODULE)!r})
        module = importlib.util.module_from_spec(spec)
        sys.modules["verify_bundle"] = module
        spec.loader.exec_module(module)
        assert not any(name == "app" or name.startswith("app.") for name in sys.modules)
        roots = module.pem_certificates(open({str(tmp_path / "root.pem")!r}).read())
        token = open({str(tmp_path / "token.der")!r}, "rb").read()
        print(module.check_token(token, {SHA!r}, roots).gen_time)
        try:
            module.check_token(token[:-1], {SHA!r}, roots)
        except module.TimestampInvalid as error:
            print(error)
        """
    )
    result = subprocess.run(
        [python, "-I", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        expected.gen_time,
        "the timestamp token is malformed: the element at byte 0 runs 1 bytes past its end",
    ]


def test_token_info_is_a_frozen_record() -> None:
    info = TokenInfo("2026-12-02T18:30:12Z", 1, POLICY, None, "CN=x", "00" * 32, None)
    with pytest.raises(AttributeError):
        info.serial_number = 2  # type: ignore[misc]
