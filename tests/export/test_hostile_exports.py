"""Hostile text and hostile image file names through every export format at once.

The names in ``PATH_NAMES`` (traversal, absolute and UNC paths, NUL, reserved device names)
are what the user's images were called. Every export must keep them as text in the record and
never as a path: all files land inside the chosen folder, under names Veritrace made.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.export import verify_bundle as vb
from app.services.exporting import export
from app.storage.repository import Store
from tests.fixtures.injection import HOSTILE, HUGE_LINE_CHARS, PATH_NAMES
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.records import long_conversation

pytestmark = pytest.mark.slow

SHA = r"[0-9a-f]{64}"
BUNDLE_NAMES = re.compile(
    rf"manifest\.json|ledger\.jsonl|README\.txt|verify_bundle\.py|conversations/[1-9][0-9]*\.json"
    rf"|images/{SHA}\.(png|jpg|webp|gif|bmp|tiff)"
)
# Moderate entries only: the huge ones are covered per renderer, and would make this slow.
TEXTS = [entry.text for entry in HOSTILE if len(entry.text) < HUGE_LINE_CHARS // 10]


@pytest.fixture
def record(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "record.db")
    long_conversation(
        store, len(TEXTS), TEXTS, image_every=1, annotate_every=2, title=TEXTS[0], image_names=PATH_NAMES
    )
    yield store
    store.close()


def everything_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


def test_every_format_writes_only_inside_its_folder_under_names_it_made(
    qapp: object, record: Store, tmp_path: Path
) -> None:
    key = TEST_KEY  # the key long_conversation signs with
    out = tmp_path / "out"
    out.mkdir()
    before = everything_under(tmp_path) - everything_under(out)
    stored = {image.filename for turn in record.conversation(1).turns for image in turn.images}
    assert stored == set(PATH_NAMES), "the names are kept as the user's images were called"

    for name, format in [("r.pdf", "pdf"), ("r.md", "md"), ("bundle", "json"), ("bundle.zip", "json")]:
        export(record, key, [1], out / name, format=format)
    after = everything_under(tmp_path) - everything_under(out)
    assert {path for path in after - before if path.name != "record.db-wal"} == set(), "a file left out/"

    top = sorted(path.name for path in out.iterdir())
    assert top == ["bundle", "bundle.zip", "r.images", "r.md", "r.pdf"]
    for image in (out / "r.images").iterdir():
        assert re.fullmatch(rf"{SHA}\.png", image.name), image.name
    folder = sorted(
        p.relative_to(out / "bundle").as_posix() for p in (out / "bundle").rglob("*") if p.is_file()
    )
    with zipfile.ZipFile(out / "bundle.zip") as archive:
        zipped = sorted(archive.namelist())
    assert folder == zipped
    for member in folder:
        assert BUNDLE_NAMES.fullmatch(member), member


def test_a_hostile_bundle_verifies_and_carries_the_text_verbatim(record: Store, tmp_path: Path) -> None:
    key = TEST_KEY  # the key long_conversation signs with
    for destination in (tmp_path / "bundle", tmp_path / "bundle.zip"):
        result = export(record, key, [1], destination, format="json")
        script = tmp_path / "verify.py"
        if destination.is_dir():
            script = destination / vb.VERIFIER
        else:
            with zipfile.ZipFile(destination) as archive:
                script.write_bytes(archive.read(vb.VERIFIER))
        run = subprocess.run(
            [sys.executable, "-I", "-S", str(script), str(destination)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.splitlines()[-1].startswith(f"BUNDLE VERIFIED: report {result.report_id}")
        assert "\x1b" not in run.stdout and "\x00" not in run.stdout

    document = json.loads((tmp_path / "bundle" / "conversations" / "1.json").read_bytes())
    prompts = [turn["record"]["prompt"] for turn in document["turns"]]
    for text, prompt in zip(TEXTS, prompts, strict=True):
        assert prompt.endswith(text), "hostile text is kept exactly, as data"
    names = {image["record"]["filename"] for turn in document["turns"] for image in turn["images"]}
    assert names == set(PATH_NAMES)
