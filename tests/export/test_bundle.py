"""The JSON audit bundle and its standalone verifier: what passes, and that nothing else does."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.ledger import canonical as app_canonical
from app.core.signing import KeyPair, fingerprint
from app.export import verify_bundle as vb
from app.export.bundle import bundle_path, member_name
from app.export.files import ExportError
from app.services.signing import installation_key
from app.storage.repository import Store
from tests.fixtures.bundles import build_record, files_of, make_bundle, problem, relist, run_verifier
from tests.fixtures.keys import TEST_KEY

# -- a record worth exporting -------------------------------------------------------------


@pytest.fixture
def key() -> KeyPair:
    return installation_key()


@pytest.fixture
def record(tmp_path: Path, key: KeyPair) -> Iterator[Store]:
    store = Store(tmp_path / "record.db")
    build_record(store, key)
    yield store
    store.close()


@pytest.fixture
def bundle(record: Store, key: KeyPair, tmp_path: Path) -> Path:
    return make_bundle(record, key, tmp_path / "bundle").path


def flipped(data: bytes, offset: int, rng: random.Random) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= rng.randrange(1, 256)
    return bytes(changed)


# -- Ed25519 in pure Python ----------------------------------------------------------------


def test_ed25519_rfc8032_test_vectors() -> None:
    """RFC 8032 section 7.1, TEST 1 and TEST 2."""
    vectors = [
        (
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
            "6bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
            "8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ]
    for public, message, signature in vectors:
        assert vb.ed25519_valid(bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature))
        assert not vb.ed25519_valid(
            bytes.fromhex(public), b"x" + bytes.fromhex(message), bytes.fromhex(signature)
        )


@pytest.mark.slow
def test_ed25519_agrees_with_cryptography_on_random_keys_and_altered_signatures() -> None:
    rng = random.Random(8032)
    accepted = rejected = 0
    for _ in range(200):
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        message = rng.randbytes(rng.randrange(0, 300))
        signature = private.sign(message)
        assert vb.ed25519_valid(raw, message, signature)
        accepted += 1
        bit = rng.randrange(512)
        altered = bytearray(signature)
        altered[bit // 8] ^= 1 << (bit % 8)
        other_message = message + b"." if rng.random() < 0.5 else flipped(message or b".", 0, rng)
        other_key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        for key, text, candidate in (
            (raw, message, bytes(altered)),
            (raw, other_message, signature),
            (other_key, message, signature),
        ):
            try:
                Ed25519PublicKey.from_public_bytes(key).verify(candidate, text)
                library = True
            except (InvalidSignature, ValueError):
                library = False
            assert library is False
            assert vb.ed25519_valid(key, text, candidate) is False
            rejected += 1
    assert accepted == 200 and rejected == 600


def test_ed25519_refuses_malleable_and_malformed_signatures() -> None:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = private.sign(b"head")
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + vb._L).to_bytes(32, "little")  # same point equation, S not reduced
    assert not vb.ed25519_valid(raw, b"head", malleated)
    assert not vb.ed25519_valid(raw, b"head", signature[:63])
    assert not vb.ed25519_valid(raw[:31], b"head", signature)
    assert not vb.ed25519_valid(b"\xff" * 32, b"head", signature)  # y >= p: not a point encoding


# -- canonical JSON without the rfc8785 package --------------------------------------------

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
numbers = (
    st.integers(min_value=-vb.MAX_SAFE_INTEGER, max_value=vb.MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
values = st.recursive(
    st.none() | texts | numbers,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(texts, children, max_size=5),
    max_leaves=25,
)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(values)
def test_canonical_matches_rfc8785(value: object) -> None:
    assert vb.canonical(value) == rfc8785.dumps(value)


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_formatting_matches_rfc8785(value: float) -> None:
    assert vb.number(value).encode() == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        0.0,
        -0.0,
        1e21,
        1e20,
        123456789012345680000.0,
        1e-6,
        1e-7,
        1.5e-7,
        5e-324,
        1.7976931348623157e308,
        0.1,
        9.5,
    ],
)
def test_number_formatting_edges(value: float) -> None:
    assert vb.number(value).encode() == rfc8785.dumps(value)


@pytest.mark.slow
def test_every_payload_the_app_writes_canonicalises_back_to_its_stored_bytes(record: Store) -> None:
    """Floats reach the ledger (tokens per second); the port must spell them exactly as stored."""
    with record.engine.connect() as connection:
        payloads = [bytes(row[0]) for row in connection.exec_driver_sql("SELECT payload FROM ledger")]
    assert any(b"1.5e-7" in payload for payload in payloads)
    for payload in payloads:
        parsed = json.loads(payload)
        assert vb.canonical(parsed) == payload == app_canonical(parsed)


# -- a bundle verifies, in a clean interpreter ----------------------------------------------


@pytest.mark.slow
def test_folder_and_zip_bundles_verify_with_their_own_script(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    folder = make_bundle(record, key, tmp_path / "bundle")
    archive = make_bundle(record, key, tmp_path / "bundle.zip")
    for result in (folder, archive):
        run = run_verifier(result.path)
        assert run.returncode == 0, run.stdout + run.stderr
        # A check's own lines (one per sign-off) are indented beneath it.
        lines = [line for line in run.stdout.splitlines() if not line.startswith("          ")]
        assert "          sign-off 1 of conversation 1: Dana Reviewer" in run.stdout
        checks = lines[1 : 1 + len(vb.CHECKS)]
        assert [line.split()[1] for line in checks] == [name for name, _ in vb.CHECKS]
        assert all(line.startswith("  ok    ") for line in checks)
        assert "not pinned: pass --fingerprint FP" in checks[3]
        # What a pass proves and what it cannot, said before the verdict (the last line).
        assert "\n".join(lines[1 + len(vb.CHECKS) : -1]) == vb.WHAT_IT_PROVES
        assert lines[-1].startswith(f"BUNDLE VERIFIED: report {result.report_id}, 3 conversation(s)")
        assert fingerprint(key.public_hex) in lines[-1]
    with zipfile.ZipFile(archive.path) as opened:
        assert sorted(opened.namelist()) == sorted(files_of(folder.path))


def test_bundle_holds_the_records_as_the_app_reads_them(record: Store, bundle: Path) -> None:
    files = files_of(bundle)
    manifest = json.loads(files[vb.MANIFEST])
    assert manifest["format"] == "veritrace-bundle/1" and manifest["scope"]["conversation_ids"] == [1, 2, 3]
    assert set(manifest["files"]) == set(files) - {vb.MANIFEST}
    for number in (1, 2, 3):
        document = json.loads(files[f"conversations/{number}.json"])
        conversation = record.conversation(number)
        assert document["conversation"]["record"]["title"] == conversation.title
        assert [turn["reasoning"] for turn in document["turns"]] == [t.reasoning for t in conversation.turns]
        assert [turn["answer"] for turn in document["turns"]] == [t.answer for t in conversation.turns]
        assert len(document["signoffs"]) == len(conversation.signoffs)
        for turn, recorded in zip(document["turns"], conversation.turns, strict=True):
            assert turn["settings"] == recorded.params.to_dict()
            shown = recorded.to_json()
            assert turn["prompt_token_ids"] == shown["prompt_token_ids"]
            assert turn["output_token_ids"] == shown["output_token_ids"]
            assert [note["record"]["comment"] for note in turn["annotations"]] == [
                note.comment for note in recorded.annotations
            ]
            for image in turn["images"]:
                original = image["original"]
                assert files[original["file"]] == record.image_data(image["record"]["sha256"])
                if image["sent"] is not None:
                    assert files[image["sent"]["file"]] == record.image_data(image["record"]["sent_sha256"])
    failed = json.loads(files["conversations/2.json"])["turns"][0]
    assert failed["images"][0]["sent"] is None and failed["images"][0]["original"]["file"].endswith(".jpg")
    assert failed["outcome"]["record"]["tokens_per_second"] == 1.5e-7
    assert json.loads(files["conversations/3.json"])["continues"]["record"]["continues_id"] == 1
    follow_up = json.loads(files["conversations/3.json"])["turns"][0]
    assert follow_up["prompt_token_ids"] == [1, 17, 4242, 0xFFFFFFFF, 9, 2]
    assert follow_up["output_token_ids"] == [40, 41, 42, 43]
    lines = [json.loads(line) for line in files[vb.LEDGER].splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, manifest["ledger"]["entry_count"] + 1))
    carried = {line["seq"] for line in lines if "payload" in line}
    assert len(carried) == manifest["scope"]["entries"] + 1  # the records and the export event
    assert any(line["action"] == "checkpoint.signed" and "payload" not in line for line in lines)
    assert files[vb.VERIFIER] == Path(vb.__file__).read_bytes()
    assert "python3 verify_bundle.py BUNDLE" in files[vb.README].decode()


# -- nothing else verifies -----------------------------------------------------------------


@pytest.mark.slow
def test_any_changed_byte_in_any_file_fails_the_bundle_script(bundle: Path) -> None:
    rng = random.Random(1)
    script = bundle.parent / "trusted_verify_bundle.py"
    shutil.copyfile(bundle / vb.VERIFIER, script)
    for path in sorted(path for path in bundle.rglob("*") if path.is_file()):
        original = path.read_bytes()
        for offset in rng.sample(range(len(original)), 3):
            path.write_bytes(flipped(original, offset, rng))
            run = run_verifier(bundle, script)
            path.write_bytes(original)
            assert run.returncode == 1, f"{path.name} byte {offset}: {run.stdout}"
            assert run.stdout.splitlines()[-1].startswith("BUNDLE INVALID: ")
    assert run_verifier(bundle, script).returncode == 0


@pytest.mark.slow
def test_every_byte_of_the_manifest_matters(bundle: Path) -> None:
    files = files_of(bundle)
    manifest = files[vb.MANIFEST]
    rng = random.Random(2)
    for offset in range(len(manifest)):
        assert problem({**files, vb.MANIFEST: flipped(manifest, offset, rng)}) is not None, offset
    assert problem(files) is None


@pytest.mark.slow
def test_changes_are_found_even_with_the_manifest_rewritten_to_match(bundle: Path) -> None:
    """The manifest is not signed: every other file must be tied to the signed ledger on its own."""
    files = files_of(bundle)
    rng = random.Random(3)
    for name, data in sorted(files.items()):
        if name == vb.MANIFEST:
            continue
        for offset in rng.sample(range(len(data)), min(len(data), 25)):
            assert problem(relist({**files, name: flipped(data, offset, rng)})) is not None, (name, offset)
    assert problem(relist(dict(files))) is None


def test_a_missing_or_added_file_fails(bundle: Path) -> None:
    files = files_of(bundle)
    for name in files:
        rest = {other: data for other, data in files.items() if other != name}
        assert problem(rest) is not None, name
        if name != vb.MANIFEST:
            assert problem(relist(rest)) is not None, name
    for extra in ("notes.txt", "images/" + "0" * 64 + ".png", "conversations/9.json", "a/../b"):
        assert "not listed in the manifest" in (problem({**files, extra: b"{}"}) or "")
        assert problem(relist({**files, extra: b"{}"})) is not None, extra
    (bundle / "stray.txt").write_text("hello")
    run = run_verifier(bundle)
    assert run.returncode == 1 and "stray.txt is in the bundle but not listed" in run.stdout


def test_leaving_out_an_in_scope_record_fails(bundle: Path) -> None:
    files = files_of(bundle)
    name = "conversations/1.json"
    document = json.loads(files[name])
    turn = document["turns"][0]
    dropped = turn["chunks"].pop()
    turn["reasoning"] = "".join(chunk["record"]["reasoning"] for chunk in turn["chunks"])
    turn["answer"] = "".join(chunk["record"]["answer"] for chunk in turn["chunks"])
    edited = relist({**files, name: vb.pretty(document)})
    assert f"ledger entry {dropped['ledger_seq']} (turn_chunk" in (problem(edited) or "")
    assert "in no conversation file" in (problem(edited) or "")
    # ... and dropping it from the ledger too is what the export's scope digest catches.
    lines = edited[vb.LEDGER].decode().splitlines(keepends=True)
    entry = json.loads(lines[dropped["ledger_seq"] - 1])
    del entry["payload"]
    lines[dropped["ledger_seq"] - 1] = vb.canonical(entry).decode() + "\n"
    edited = relist({**edited, vb.LEDGER: "".join(lines).encode()})
    assert "a record was left out or added" in (problem(edited) or "")


def test_a_conversation_left_out_of_the_manifest_fails(bundle: Path) -> None:
    files = files_of(bundle)
    manifest = json.loads(files[vb.MANIFEST])
    manifest["scope"]["conversation_ids"] = [1, 3]
    rest = {name: data for name, data in files.items() if name != "conversations/2.json"}
    edited = relist({**rest, vb.MANIFEST: vb.pretty(manifest)})
    assert "records a different conversations than manifest.json" in (problem(edited) or "")


def test_a_damaged_zip_member_fails(record: Store, key: KeyPair, tmp_path: Path) -> None:
    archive = make_bundle(record, key, tmp_path / "bundle.zip").path
    script = tmp_path / "verify.py"
    with zipfile.ZipFile(archive) as opened:
        script.write_bytes(opened.read(vb.VERIFIER))
        image = next(info for info in opened.infolist() if info.filename.startswith("images/"))
    data = bytearray(archive.read_bytes())
    data[image.header_offset + 30 + len(image.filename) + 5] ^= 0x40  # inside the stored image bytes
    archive.write_bytes(bytes(data))
    run = run_verifier(archive, script)
    assert run.returncode == 1 and "BUNDLE INVALID" in run.stdout and image.filename in run.stdout


def test_a_zip_with_a_member_twice_fails(bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "twice.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(archive, "w") as opened:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
        for name, data in files_of(bundle).items():
            opened.writestr(name, data)
        opened.writestr(vb.README, b"the second copy")
    run = run_verifier(archive, bundle / vb.VERIFIER)
    assert run.returncode == 1 and "README.txt appears more than once" in run.stdout


def test_usage_errors_and_non_bundles(tmp_path: Path, bundle: Path) -> None:
    script = str(bundle / vb.VERIFIER)
    no_argument = subprocess.run([sys.executable, "-I", "-S", script], capture_output=True, text=True)
    assert no_argument.returncode == 2 and no_argument.stderr == (
        "verify_bundle.py: the following arguments are required: BUNDLE (--help lists the options)\n"
    )
    missing = subprocess.run(
        [sys.executable, "-I", "-S", script, str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    (tmp_path / "plain.txt").write_text("not a bundle")
    plain = run_verifier(tmp_path / "plain.txt", bundle / vb.VERIFIER)
    assert plain.returncode == 1 and "neither a bundle folder nor a zip file" in plain.stdout


@pytest.mark.slow
def test_the_signer_can_be_pinned_by_fingerprint_or_key(bundle: Path, key: KeyPair) -> None:
    """Any key's signature verifies; only a pinned fingerprint says it is the installation's."""
    script = [sys.executable, "-I", "-S", str(bundle / vb.VERIFIER), str(bundle)]
    mine = fingerprint(key.public_hex)
    pinned = subprocess.run([*script, "--fingerprint", mine], capture_output=True, text=True)
    assert pinned.returncode == 0 and "ok    key       signed by the key required" in pinned.stdout
    assert subprocess.run([*script, "--key", key.public_hex.upper()], capture_output=True).returncode == 0
    other = fingerprint(TEST_KEY.public_hex) if TEST_KEY.public_hex != key.public_hex else "0000:0000"
    wrong = subprocess.run([*script, "--fingerprint", other], capture_output=True, text=True)
    assert wrong.returncode == 1
    assert wrong.stdout.splitlines()[-1] == (
        f"BUNDLE INVALID: signed by the key with fingerprint {mine}, "
        f"not by {other} as required (--fingerprint)"
    )
    both = subprocess.run(
        [*script, "--fingerprint", mine, "--key", key.public_hex], capture_output=True, text=True
    )
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    readme = (bundle / vb.README).read_text()
    assert f"python3 verify_bundle.py BUNDLE --fingerprint {mine}" in readme


# -- names never leave the bundle ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["", "../escape.txt", "/etc/passwd", "images/../../x", "a//b", "a\\b", "c:x", "./x", "x/.", "n\0ul"],
)
def test_names_that_could_leave_the_bundle_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="Refused to write"):
        bundle_path(tmp_path, name)


def test_a_link_inside_the_folder_cannot_carry_a_write_outside(tmp_path: Path) -> None:
    root = tmp_path / "bundle"
    outside = tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    (root / "images").symlink_to(outside, target_is_directory=True)
    assert member_name("images/" + "a" * 64 + ".png").startswith("images/")
    with pytest.raises(ExportError, match="outside"):
        bundle_path(root, "images/" + "a" * 64 + ".png")
    assert bundle_path(root, "conversations/1.json") == (root / "conversations" / "1.json").resolve()


# -- replacing -------------------------------------------------------------------------------


def test_a_bundle_replaces_an_earlier_bundle_but_never_a_folder_of_the_users(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    first = make_bundle(record, key, tmp_path / "bundle")
    second = make_bundle(record, key, tmp_path / "bundle", overwrite=True)
    assert second.report_id != first.report_id
    assert json.loads((tmp_path / "bundle" / vb.MANIFEST).read_bytes())["report_id"] == second.report_id

    # `export 1 -o ~/Documents --overwrite`: a name without a suffix is a bundle folder, and the
    # folder that is already there is the user's. It must survive, whatever was confirmed.
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "contract.pdf").write_bytes(b"%PDF- the user's own")
    (documents / "manifest.json").write_text('{"format": "something else"}')
    entries_before = record.verify().entries
    with pytest.raises(ExportError, match="not a Veritrace export; it is never replaced"):
        make_bundle(record, key, documents, overwrite=True)
    assert (documents / "contract.pdf").read_bytes() == b"%PDF- the user's own"
    assert sorted(path.name for path in documents.iterdir()) == ["contract.pdf", "manifest.json"]
    assert record.verify().entries == entries_before  # refused before anything was recorded


# -- a zip bundle is sealed whole --------------------------------------------------------------


def _zip_problem(path: Path) -> str | None:
    try:
        return problem_of_source(vb.open_source(str(path)))
    except vb.Invalid as invalid:
        return str(invalid)


def problem_of_source(source: vb.Source) -> str | None:
    return vb.verify(source, out=lambda _line: None)[0]


@pytest.mark.slow
def test_any_changed_byte_of_a_zip_bundle_fails_even_outside_its_members(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    archive = make_bundle(record, key, tmp_path / "bundle.zip").path
    data = archive.read_bytes()
    assert _zip_problem(archive) is None
    with zipfile.ZipFile(archive) as opened:
        members = opened.infolist()
        assert opened.comment.startswith(b"veritrace-zip-seal-v1 sha256=")
    end = data.rindex(b"PK\x05\x06")
    central = int.from_bytes(data[end + 16 : end + 20], "little")
    rng = random.Random(8785)
    offsets: set[int] = set()
    for member in members[:3]:  # local headers: version, flags, method, time, date, CRC, sizes, name
        offsets.update(range(member.header_offset, member.header_offset + 30 + len(member.filename)))
    offsets.update(rng.sample(range(central, end), 60))  # the central directory
    offsets.update(range(end, len(data)))  # the end record and the seal in its comment
    offsets.update(rng.sample(range(len(data)), 60))  # anywhere
    probe = tmp_path / "probe.zip"
    for offset in sorted(offsets):
        probe.write_bytes(flipped(data, offset, rng))
        assert _zip_problem(probe) is not None, f"a changed byte at {offset} of {len(data)} passed"
    # Appended bytes, a cut file and a re-zip of the same members fail too.
    probe.write_bytes(data + b"\0")
    assert _zip_problem(probe) is not None
    probe.write_bytes(data[:-1])
    assert _zip_problem(probe) is not None
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(probe, "w") as again:
        for member in source.infolist():
            again.writestr(member, source.read(member))
    assert "not a Veritrace seal" in (_zip_problem(probe) or "")


@pytest.mark.slow
def test_a_zip_member_timestamp_changed_fails_in_a_clean_interpreter(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    archive = make_bundle(record, key, tmp_path / "bundle.zip").path
    script = tmp_path / "verify.py"
    with zipfile.ZipFile(archive) as opened:
        script.write_bytes(opened.read(vb.VERIFIER))
        first = opened.infolist()[0]
    data = bytearray(archive.read_bytes())
    data[first.header_offset + 10] ^= 0x01  # the member's modification time, in its local header
    archive.write_bytes(bytes(data))
    with zipfile.ZipFile(archive) as opened:  # zipfile itself reads the member as before
        assert opened.read(first.filename)
    run = run_verifier(archive, script)
    assert run.returncode == 1, run.stdout
    assert "BUNDLE INVALID: the zip file's bytes differ from those it was sealed with" in run.stdout


def test_a_seal_signed_by_another_key_fails(record: Store, key: KeyPair, tmp_path: Path) -> None:
    archive = make_bundle(record, key, tmp_path / "bundle.zip").path
    data = archive.read_bytes()
    digest, comment = vb.zip_sealed_part(str(archive))
    other = KeyPair(Ed25519PrivateKey.generate())
    forged = f"{vb.SEAL_SCHEME} sha256={digest} signature={other.sign(vb.seal_message(digest))}".encode()
    assert len(forged) == len(comment)
    archive.write_bytes(data[: -len(comment)] + forged)
    assert "not signed by the key that signed the checkpoint" in (_zip_problem(archive) or "")
