"""Bundles built to exhaust the standalone verifier: zip bombs, lying zip headers, pipes, deep JSON.

Each hostile bundle is checked the way a third party checks one (``python -I -S verify_bundle.py``),
in a child whose address space is capped at 1 GiB and whose run is bounded by a timeout: the
verdict must be one FAIL line and ``BUNDLE INVALID: …`` naming the file, with exit status 1, and
the bundle must be byte for byte as it was. Smaller limits are tested in process with the
limits themselves made small.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.export import verify_bundle as vb
from app.services.bundle_export import export_bundle
from app.storage.repository import Store
from tests.fixtures.hostile_files import GiB, Member, MiB, bomb_zip, deflated_zeros, fingerprint, run_capped
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.records import long_conversation

POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="named pipes, devices and RLIMIT_AS are POSIX")
SCRIPT = Path(vb.__file__)


@pytest.fixture
def bundle(tmp_path: Path) -> Iterator[Path]:
    """A real bundle folder (and beside it the same as a sealed zip): one signed conversation of
    two turns, each with an image."""
    store = Store(tmp_path / "record.db")
    try:
        conversation = long_conversation(store, turns=2, image_every=1, annotate_every=1)
        for name in ("bundle", "bundle.zip"):
            destination = tmp_path / name
            export_bundle(
                store,
                TEST_KEY,
                [conversation],
                "One matter",
                destination,
                as_zip=name.endswith(".zip"),
                generated_by="Dana Reviewer",
            )
    finally:
        store.close()
    yield tmp_path / "bundle"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def verify_capped(path: Path) -> tuple[int, list[str]]:
    """Exit status and output lines of the verifier on ``path``, run as a third party runs it, capped."""
    run = run_capped([str(SCRIPT), str(path)], memory=GiB, timeout=60, isolated=True)
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, run.stdout.splitlines()


def refused(path: Path) -> str:
    """The problem the verifier names for ``path``, checked to be its one failing verdict."""
    before = fingerprint(path) if path.is_file() or path.is_dir() else {}
    status, lines = verify_capped(path)
    assert status == 1, lines
    assert lines[-1].startswith("BUNDLE INVALID: "), lines
    assert len([line for line in lines if "FAIL" in line or "INVALID" in line]) <= 2, lines
    if before:
        assert fingerprint(path) == before, "the verifier changed the bundle"
    return lines[-1].removeprefix("BUNDLE INVALID: ")


def problem_of(files: dict[str, bytes]) -> str | None:
    return vb.verify(vb.MemorySource(files), out=lambda _line: None)[0]


# -- zip bombs and lying headers -----------------------------------------------------------------


def image_name(bundle: Path) -> str:
    return next(path.relative_to(bundle).as_posix() for path in (bundle / "images").iterdir())


@pytest.mark.slow
@POSIX_ONLY
@pytest.mark.parametrize(
    ("member", "inflated", "declared", "limit"),
    [
        ("manifest.json", 3 * GiB, "3 GiB", "64 MiB"),
        ("ledger.jsonl", 3 * GiB, "3 GiB", "1 GiB"),
        ("conversations/1.json", GiB, "1 GiB", "256 MiB"),
        ("images/", 64 * MiB, "64 MiB", "32 MiB"),
        ("README.txt", 64 * MiB, "64 MiB", "16 MiB"),
    ],
)
def test_a_zip_bomb_is_refused_from_its_declared_size_before_anything_is_inflated(
    bundle: Path, tmp_path: Path, member: str, inflated: int, declared: str, limit: str
) -> None:
    """A 3 MB zip whose member inflates to 3 GiB: refused at once, in bounded memory."""
    if member == "images/":
        member = image_name(bundle)
    members = [
        Member(name, zlib.compress(data, 9)[2:-4], len(data), zlib.crc32(data))
        for name, data in files_of(bundle).items()
        if name != member
    ]
    archive = bomb_zip(tmp_path / "bomb.zip", [*members, Member(member, deflated_zeros(inflated), inflated)])
    assert archive.stat().st_size < 4 * MiB
    assert refused(archive).startswith(
        f"{member} declares {declared} uncompressed, more than the {limit} allowed for "
    )


@POSIX_ONLY
@pytest.mark.parametrize("crc_of_what_is_declared", [False, True])
def test_a_zip_header_declaring_less_than_its_member_inflates_to_is_read_no_further(
    tmp_path: Path, crc_of_what_is_declared: bool
) -> None:
    """The header says 1000 bytes; the data inflates to 3 GiB. Nothing past 1000 bytes is inflated."""
    crc = zlib.crc32(bytes(1000)) if crc_of_what_is_declared else 0
    archive = bomb_zip(tmp_path / "liar.zip", [Member(vb.MANIFEST, deflated_zeros(3 * GiB), 1000, crc)])
    problem = refused(archive)
    if crc_of_what_is_declared:  # the 1000 bytes declared are read: zeros, not JSON
        assert problem.startswith("manifest.json: not valid JSON"), problem
    else:
        assert (
            problem == "manifest.json cannot be read from the zip file (Bad CRC-32 for file 'manifest.json')"
        )


def test_a_member_read_past_its_declared_size_is_refused(bundle: Path, tmp_path: Path) -> None:
    """zipfile stops at the declared size itself; the reader counts anyway, not relying on it."""

    class Lying:
        """An archive whose header declares 10 bytes of a member that reads as 100."""

        def getinfo(self, name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name)
            info.file_size = 10
            return info

        def open(self, _info: zipfile.ZipInfo) -> io.BytesIO:
            return io.BytesIO(bytes(100))

    source = vb.open_source(str(tmp_path / "bundle.zip"))
    assert isinstance(source, vb.ZipSource)
    source.archive = Lying()  # type: ignore[assignment]
    with pytest.raises(
        vb.Invalid, match=r"^README\.txt inflates beyond the 10 bytes its zip header declares$"
    ):
        source.read(vb.README)


# -- folder bundles: pipes, devices, links, sparse files, depth -----------------------------------


@POSIX_ONLY
@pytest.mark.parametrize("member", [vb.README, vb.LEDGER, vb.MANIFEST])
def test_a_named_pipe_in_a_folder_bundle_is_refused_without_being_opened(bundle: Path, member: str) -> None:
    (bundle / member).unlink()
    os.mkfifo(bundle / member)
    assert refused(bundle) == f"{member} is a named pipe; a bundle holds only plain files"
    assert (bundle / member).is_fifo()


@POSIX_ONLY
def test_a_link_to_a_device_in_a_folder_bundle_is_refused(bundle: Path) -> None:
    image = bundle / image_name(bundle)
    image.unlink()
    image.symlink_to("/dev/zero")
    assert refused(bundle) == f"{image_name(bundle)} is a link; a bundle holds only plain files"


@POSIX_ONLY
@pytest.mark.parametrize(("kind", "make"), [("a named pipe", os.mkfifo), ("a device", None)])
def test_a_bundle_that_is_a_pipe_or_a_device_is_refused_without_being_opened(
    tmp_path: Path, kind: str, make: Any
) -> None:
    path = Path("/dev/zero")
    if make is not None:
        path = tmp_path / "bundle.zip"
        make(path)
    assert refused(path) == f"{path} is {kind}; neither a bundle folder nor a zip file"


@pytest.mark.slow
@POSIX_ONLY
@pytest.mark.parametrize(
    ("member", "size", "said", "limit"),
    [
        (vb.LEDGER, 3 * GiB, "3 GiB", "1 GiB"),
        (vb.MANIFEST, GiB, "1 GiB", "64 MiB"),
        ("images/", 40 * MiB, "40 MiB", "32 MiB"),
    ],
)
def test_a_file_larger_than_its_limit_is_refused_unread(
    bundle: Path, member: str, size: int, said: str, limit: str
) -> None:
    """A sparse file of gigabytes costs nothing to make, and must cost nothing to refuse."""
    if member == "images/":
        member = image_name(bundle)
    os.truncate(bundle / member, size)
    assert refused(bundle).startswith(f"{member} is {said}, more than the {limit} allowed for ")


def test_files_nested_deeper_than_a_bundle_holds_are_refused(bundle: Path) -> None:
    deep = bundle / "images" / "more" / "deeper"
    deep.mkdir(parents=True)
    (deep / "x.png").write_bytes(b"x")
    with pytest.raises(vb.Invalid, match=r"^images/more/deeper is nested deeper than any file of a bundle$"):
        vb.open_source(str(bundle)).names()


def test_more_files_or_bytes_than_the_limits_allow_are_refused(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in (bundle, tmp_path / "bundle.zip"):
        count = len(vb.open_source(str(path)).names())
        monkeypatch.setattr(vb, "MAX_FILES", count - 1)
        with pytest.raises(vb.Invalid, match=f"^the bundle holds more than {count - 1} files"):
            vb.open_source(str(path)).names()
        monkeypatch.setattr(vb, "MAX_FILES", count)
        monkeypatch.setattr(vb, "MAX_TOTAL_BYTES", 1000)
        with pytest.raises(vb.Invalid, match=r"^the bundle's files come to more than 1000 bytes"):
            vb.open_source(str(path)).names()
        monkeypatch.undo()


def test_real_bundles_verify_within_the_limits_and_the_memory_cap(bundle: Path, tmp_path: Path) -> None:
    for path in (bundle, tmp_path / "bundle.zip"):
        status, lines = verify_capped(path)
        assert status == 0 and lines[-1].startswith("BUNDLE VERIFIED"), lines


# -- JSON: depth, numbers, line length -------------------------------------------------------------


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.slow
@pytest.mark.parametrize("depth", [vb.MAX_JSON_DEPTH, vb.MAX_JSON_DEPTH + 1, 1_000_000])
def test_json_nested_deeper_than_the_limit_is_refused_before_it_is_parsed(bundle: Path, depth: int) -> None:
    value: list[Any] = []
    for _ in range(min(depth, 100) - 1):
        value = [value]
    manifest = vb.pretty(value) if depth <= 100 else b"[" * depth + b"]" * depth
    problem = problem_of({**files_of(bundle), vb.MANIFEST: manifest}) or ""
    if depth <= vb.MAX_JSON_DEPTH:
        assert "nested" not in problem and problem.startswith("manifest.json"), (
            "parsed, refused for its shape"
        )
    else:
        limit = vb.MAX_JSON_DEPTH
        assert problem == f"manifest.json: JSON nested more than {limit} deep, deeper than the app writes"


def test_a_number_longer_than_any_a_bundle_holds_is_refused(bundle: Path) -> None:
    manifest = files_of(bundle)[vb.MANIFEST].replace(
        b'"export_event": ', b'"export_event": ' + b"9" * 5000, 1
    )
    problem = problem_of({**files_of(bundle), vb.MANIFEST: manifest}) or ""
    assert problem.startswith("manifest.json: not valid JSON (a number of 50"), problem


def test_a_ledger_line_longer_than_a_json_document_is_refused_without_being_held(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vb, "MAX_JSON_BYTES", 4096)
    files = files_of(bundle)
    manifest = json.loads(files[vb.MANIFEST])
    ledger = b"x" * 100_000 + b"\n"
    manifest["files"][vb.LEDGER] = {"sha256": vb.hashlib.sha256(ledger).hexdigest(), "size": len(ledger)}
    files = {**files, vb.LEDGER: ledger, vb.MANIFEST: vb.pretty(manifest)}
    assert problem_of(files) == "ledger.jsonl holds a line longer than 4 KiB (see --help)"


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


# Strings full of what could fool a bracket count: quotes, backslashes, brackets, escapes.
TRICKY = st.text(alphabet='[]{}"\\ax\n\u00e9', max_size=8)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TRICKY, children, max_size=3),
    max_leaves=30,
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(VALUES, st.integers(min_value=0, max_value=12), st.booleans())
def test_the_depth_found_before_parsing_is_the_depth_parsed(value: Any, limit: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    assert vb._deeper_than(text, limit) == (depth_of(value) > limit)
