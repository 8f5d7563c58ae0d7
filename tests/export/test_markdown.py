"""The Markdown report: complete, inert in any Markdown viewer, images beside it with hashes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.core.cancel import CancelToken
from app.core.signing import KeyPair
from app.export.files import ExportError
from app.export.markdown import fenced, images_folder, inline, write_markdown
from app.services.exporting import build_report
from app.storage.repository import Store
from tests.fixtures.injection import HOSTILE
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.languages import LANGUAGES
from tests.fixtures.records import answer_marker, long_conversation, prompt_marker, reasoning_marker


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "record.db")
    long_conversation(opened, len(LANGUAGES), [language.sentence for language in LANGUAGES], image_every=3)
    yield opened
    opened.close()


@pytest.fixture
def key() -> KeyPair:
    return TEST_KEY  # the key the records these tests build are signed with


def tokens(text: str) -> Iterator[Token]:
    """Every token a full CommonMark+GFM viewer would produce, inline children included."""
    parser = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable("table")
    for token in parser.parse(text):
        yield token
        yield from token.children or ()


def test_report_holds_every_turn_and_language(store: Store, key: KeyPair, tmp_path: Path) -> None:
    path = write_markdown(build_report(store, key, [1], "scope", "tester"), tmp_path / "report.md")
    text = path.read_text("utf-8")
    for index in range(len(LANGUAGES)):
        for marker in (prompt_marker(index), reasoning_marker(index), answer_marker(index)):
            assert marker in text
    for language in LANGUAGES:
        assert language.sentence in text, language.name
    assert text.count("<details>") == len(LANGUAGES)
    assert "## Verification" in text and "Record intact" in text


def test_images_are_written_beside_it_named_by_their_hash(store: Store, key: KeyPair, tmp_path: Path) -> None:
    path = write_markdown(build_report(store, key, [1], "scope", "tester"), tmp_path / "report.md")
    folder = images_folder(path)
    files = sorted(folder.iterdir())
    assert len(files) == 8  # turns 0, 3, … 21
    text = path.read_text("utf-8")
    for file in files:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        assert file.stem == digest
        assert f"](<{folder.name}/{file.name}>)" in text
        assert f"`{digest}`" in text


@pytest.mark.slow
def test_hostile_text_stays_inert_in_a_markdown_viewer(tmp_path: Path, key: KeyPair) -> None:
    store = Store(tmp_path / "hostile.db")
    hostile = [entry.text for entry in HOSTILE]
    long_conversation(store, len(hostile), hostile, image_every=0, annotate_every=1, title=hostile[0])
    text = write_markdown(
        build_report(store, key, [1], hostile[1], "tester"), tmp_path / "report.md"
    ).read_text("utf-8")
    store.close()
    for token in tokens(text):
        if token.type in ("html_block", "html_inline"):
            assert re.fullmatch(
                r"<details>\n<summary>Reasoning trace \(\d+ characters\)</summary>|</details>",
                token.content.strip(),
            ), token.content
        if token.type == "link_open":
            pytest.fail(f"a link survived: {token.attrs}")
        if token.type == "image":
            assert str(token.attrs["src"]).startswith("report.images/"), token.attrs


@pytest.mark.parametrize("text", ["```", "````\n```", "a\n```\nb", "`" * 20])
def test_a_fence_cannot_be_closed_from_inside(text: str) -> None:
    block = fenced(text)
    (token,) = [token for token in MarkdownIt("commonmark").parse(block) if token.type == "fence"]
    assert token.content.rstrip("\n") == text


def test_inline_fields_cannot_start_markup() -> None:
    rendered = MarkdownIt("commonmark", {"html": True}).render(
        inline("<b>x</b> [a](file:///etc/passwd)\n# h")
    )
    assert "<b>" not in rendered and "<a" not in rendered and "<h1>" not in rendered


def test_existing_report_kept_and_cancel_leaves_nothing(store: Store, key: KeyPair, tmp_path: Path) -> None:
    report = build_report(store, key, [1], "scope", "tester")
    target = tmp_path / "report.md"
    target.write_text("keep me")
    with pytest.raises(ExportError, match="already exists"):
        write_markdown(report, target)
    assert target.read_text() == "keep me"

    cancel = CancelToken()
    fresh = tmp_path / "fresh.md"
    with pytest.raises(ExportError, match="cancelled"):
        write_markdown(report, fresh, cancel=cancel, progress=lambda done, total: cancel.set())
    assert not [path.name for path in tmp_path.iterdir() if "fresh" in path.name]


def test_a_name_with_spaces_and_parentheses_still_links_its_images(
    store: Store, key: KeyPair, tmp_path: Path
) -> None:
    path = write_markdown(build_report(store, key, [1], "scope", "tester"), tmp_path / "Case (draft) 1.md")
    text = path.read_text("utf-8")
    sources = [unquote(str(token.attrs["src"])) for token in tokens(text) if token.type == "image"]
    assert len(sources) == 8
    for source in sources:
        assert (tmp_path / source).is_file(), source


def test_replacing_a_report_replaces_its_images_and_never_a_foreign_folder(
    store: Store, key: KeyPair, tmp_path: Path
) -> None:
    report = build_report(store, key, [1], "scope", "tester")
    target = write_markdown(report, tmp_path / "report.md")
    folder = images_folder(target)
    assert len(list(folder.iterdir())) == 8

    # A report without images replaces one with images: the old images go with the old report.
    plain = Store(tmp_path / "plain.db")
    long_conversation(plain, 2, ["one", "two"], image_every=0)
    write_markdown(build_report(plain, key, [1], "scope", "tester"), target, overwrite=True)
    plain.close()
    assert not folder.exists()
    assert "one" in target.read_text("utf-8")

    # A folder of the user's that happens to have the images folder's name is never deleted.
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work")
    with pytest.raises(ExportError, match="not a Veritrace export"):
        write_markdown(report, target, overwrite=True)
    assert (folder / "thesis.docx").read_text() == "years of work"
