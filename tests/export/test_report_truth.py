"""Reports that hold nothing back, read the way a reviewer's tools read them.

A record with a turn in every state (``tests.fixtures.report_records``) is exported through the
real export service. The PDF is read back with poppler (``pdftotext``, ``-bbox-layout``); the
Markdown as text and through a CommonMark parser. Each turn must be there whole and once: its
state in words, system prompt, template and its hash, every hash in full, its settings, a banner
when a grammar forced its reasoning or it ran on a server; titles in full, timestamps never
broken, sign-offs with every field and never a blank; nothing drawn twice, nothing under the
page furniture, no heading left alone at the bottom of a page.
"""

from __future__ import annotations

import html
import re
import subprocess
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt
from PySide6.QtGui import QPageSize, QTextBlock, QTextCursor, QTextDocument

from app.core.signing import fingerprint
from app.core.states import turn_state
from app.core.types import Checkpoint, Meaning, SignOff
from app.export.markdown import inline, render
from app.export.pdf import MARGIN_MM, page_writer, paginate, write_pdf
from app.services.exporting import build_report, export
from app.storage.repository import Store
from tests.fixtures.injection import HOSTILE, HUGE_LINE_CHARS
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.old_records import fill_old_record, make_old_record, steps_through
from tests.fixtures.pages import page_count, read_page
from tests.fixtures.report_records import (
    ENDPOINT,
    FAILURE,
    LONG_ITEMS,
    REASON,
    REMOTE_MODEL,
    ROLE,
    SIGNER,
    TEMPLATE_SHA256,
    TITLE,
    TruthRecord,
    every_state_record,
)

ZONE = "America/New_York"  # the reader's time zone while exporting: not UTC, so local differs
TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
MM = 72 / 25.4  # PDF points per millimetre

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="the reader's zone is set with TZ")


def poppler(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout


def squash(text: str) -> str:
    """Text as a search compares it across line wraps: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def count_word(word: str, text: str) -> int:
    return len(re.findall(rf"(?<![0-9A-Za-z]){re.escape(word)}(?![0-9A-Za-z])", text))


@dataclass(frozen=True)
class Exported:
    record: TruthRecord
    store: Store
    pdf: Path
    markdown: str
    text: str  # pdftotext, reading order
    report_id: str  # the PDF's
    markdown_id: str
    checkpoint: Checkpoint  # the one the PDF cites


@pytest.fixture(scope="module")
def exported(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    folder = tmp_path_factory.mktemp("truth")
    store = Store(folder / "record.db")
    store.enroll_key(TEST_KEY)
    record = every_state_record(store)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", ZONE)
        time.tzset()
        pdf = export(store, TEST_KEY, [record.conversation], folder / "truth.pdf", format="pdf")
        cited = store.checkpoints()[-1]
        markdown = export(store, TEST_KEY, [record.conversation], folder / "truth.md", format="md")
    time.tzset()
    yield Exported(
        record,
        store,
        pdf.path,
        markdown.path.read_text("utf-8"),
        poppler("pdftotext", str(pdf.path), "-"),
        pdf.report_id,
        markdown.report_id,
        cited,
    )
    store.close()


def local(utc: str) -> str:
    """``utc`` in the reader's zone, as ISO 8601 to the second with its offset."""
    return datetime.fromisoformat(utc).astimezone(ZoneInfo(ZONE)).isoformat(timespec="seconds")


def recorded_times(exported: Exported) -> list[str]:
    conversation = exported.store.conversation(exported.record.conversation)
    times = [conversation.created_at, *(signoff.signed_at for signoff in conversation.signoffs)]
    for turn in conversation.turns:
        times += [turn.started_at, *([turn.finished_at] if turn.finished_at else [])]
    return times


# -- the fixture is what it claims to be ------------------------------------------------


def test_the_record_holds_every_state(exported: Exported) -> None:
    words = {
        name: turn_state(exported.store.turn(turn.id)).words for name, turn in exported.record.turns.items()
    }
    assert words == {name: turn.state for name, turn in exported.record.turns.items()}
    assert len(set(words.values())) == 6, "completed twice (local and remote), each other state once"
    (signoff,) = exported.store.conversation(exported.record.conversation).signoffs
    assert (
        signoff.personal
        and signoff.role == ROLE
        and signoff.fingerprint == exported.record.signer_fingerprint
    )
    assert len(TITLE) == 150


# -- the PDF ------------------------------------------------------------------------------


def test_every_answer_and_every_word_is_extracted_exactly_once(exported: Exported) -> None:
    for name, turn in exported.record.turns.items():
        assert count_word(f"PROMPTMARK{name.upper()}", exported.text) == 1, name
        if turn.answer_marker:
            assert count_word(turn.answer_marker, exported.text) == 1, name
    twice = [word for word in exported.record.unique_words if count_word(word, exported.text) != 1]
    assert not twice, f"drawn twice or not at all (a line repeated across a page break?): {twice[:10]}"


def test_nothing_but_the_page_furniture_lies_outside_the_body(exported: Exported) -> None:
    """No text hides under a footer or above a header: what lies outside the body is the furniture."""
    layout = poppler("pdftotext", "-bbox-layout", str(exported.pdf), "-")
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', layout, re.DOTALL)
    assert len(pages) >= 8
    head = exported.checkpoint
    _, top, _, bottom = (value * MM for value in MARGIN_MM)
    for number, (_, height, content) in enumerate(pages, 1):
        body_top, body_bottom = top - 1.5, float(height) - bottom + 1.5  # a glyph's box may reach out
        outside = [
            html.unescape(word)
            for y_min, y_max, word in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', content
            )
            if float(y_min) < body_top or float(y_max) > body_bottom
        ]
        furniture = (
            f"Veritrace audit report {exported.report_id} · generated "
            f"Signed checkpoint: entry {head.entry_count} · head {head.head_hash} "
            f"Page {number} of {len(pages)} Signed with the installation key "
        ).split()
        # The generation time and the installation key's fingerprint are the furniture's own too.
        extra = [word for word in outside if word not in furniture]
        assert len(extra) == 2 and re.fullmatch(TIMESTAMP, extra[0]), (number, extra)
        assert extra[1] == fingerprint(head.public_key), (number, extra)
        assert sorted(word for word in outside if word in furniture) == sorted(furniture), number


def test_no_page_is_blank(exported: Exported) -> None:
    """Every page holds some of the report besides its header and footer: no page break before
    the verification or anywhere else skips a page (``tests/export/test_pdf_pages.py``)."""
    count = page_count(exported.pdf)
    pages = [read_page(exported.pdf, number) for number in range(1, count + 1)]
    assert [(page.number, page.pages) for page in pages] == [
        (number, count) for number in range(1, count + 1)
    ]
    blank = [page.number for page in pages if not page.body]
    assert not blank, f"pages holding nothing but the header and footer: {blank} of {count}"


def first_line_top(document: QTextDocument, block: QTextBlock) -> float:
    """Where a paragraph's text starts (its top margin aside), in device pixels."""
    return document.documentLayout().blockBoundingRect(block).top() + block.layout().lineAt(0).y()


def test_no_heading_is_left_alone_at_the_bottom_of_a_page(
    qapp: object, exported: Exported, tmp_path: Path
) -> None:
    report = build_report(exported.store, TEST_KEY, [exported.record.conversation], "headings", "tester")
    document, _, body = paginate(report, page_writer(tmp_path / "p.pdf", QPageSize.PageSizeId.A4, report))
    height = body.height()
    layout = document.documentLayout()
    layout.documentSize()
    alone, headings = [], 0
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() and block.text().strip():
            headings += 1
            following = block.next()
            while following.isValid() and not following.text().strip():
                following = following.next()
            if following.isValid():
                here = first_line_top(document, block) // height
                there = first_line_top(document, following) // height
                if there != here:
                    alone.append(block.text())
        block = block.next()
    assert headings > 40 and not alone, alone


def test_a_list_item_split_at_a_page_edge_keeps_a_single_bullet(
    qapp: object, exported: Exported, tmp_path: Path
) -> None:
    report = build_report(exported.store, TEST_KEY, [exported.record.conversation], "lists", "tester")
    document, _, _ = paginate(report, page_writer(tmp_path / "p.pdf", QPageSize.PageSizeId.A4, report))
    found = document.find("item00w0000")
    listed = QTextCursor(found).currentList()
    assert listed is not None
    assert listed.count() == LONG_ITEMS, "a continuation became an item of its own"
    # The edge did fall inside an item: one of its paragraphs goes on outside the list, indented as it.
    continued = [
        block
        for block in (document.findBlockByNumber(number) for number in range(document.blockCount()))
        if re.match(r"item\d\dw(?!0000)", block.text()) and block.textList() is None
    ]
    assert continued, "no item was split: the test no longer crosses a page edge inside one"
    layout = document.documentLayout()

    def left(block: QTextBlock, line: int) -> float:
        return layout.blockBoundingRect(block).left() + block.layout().lineAt(line).x()

    for block in continued:  # its text goes on where the item's text is, neither further in nor out
        item = block.previous()
        assert left(block, 0) == pytest.approx(left(item, item.layout().lineCount() - 1), abs=0.5)


def test_each_turn_says_what_ran_in_full(exported: Exported) -> None:
    text, flat = exported.text, squash(exported.text)
    for name, turn in exported.record.turns.items():
        assert squash(turn.state) in flat, name
    assert squash(f"failed ({FAILURE})") in flat
    assert squash(exported.record.system_prompt) in flat
    assert squash("You are a careful assistant.") in flat and squash("First draft your thinking") in flat
    for sha256 in exported.record.hashes:
        assert sha256 in text, f"{sha256} not whole on a line"
    assert text.count(TEMPLATE_SHA256) == len(exported.record.turns), "each turn names its template"
    assert not re.search(r"[0-9a-f]{8,}…", text), "a hash was shortened"
    for words in ("Seed1234", "Seed99", "Maxtokens512", "Context(n_ctx)2048", "Threads0(llama.cpp'schoice)"):
        assert words in flat, words
    assert "mmapyes·n_batch512·n_threads2" in flat, "where the turn ran, as llama.cpp reported it"


def test_banners_say_a_grammar_forced_the_reasoning_and_where_a_turn_ran(exported: Exported) -> None:
    flat = squash(exported.text)
    forced = [name for name, turn in exported.record.turns.items() if name != "length"]
    assert flat.count(squash("Reasoning forced by a grammar.")) == len(forced)
    assert flat.count(squash("write 1 to 1,200 characters of reasoning")) == len(forced)
    assert squash("This trace is 1,200 characters long: it was cut at the limit.") in flat
    assert flat.count(squash("Ran on a remote server.")) == 1
    assert squash(f"not on this computer: {ENDPOINT}, model {REMOTE_MODEL}.") in flat


def test_titles_are_never_cut(exported: Exported) -> None:
    flat = squash(exported.text)
    assert flat.count(squash(TITLE)) >= 3, "scope, the list of conversations and the heading"
    assert squash(f"Scope Conversation {exported.record.conversation}: {TITLE}") in flat
    assert "…" not in exported.text.split("TITLEEND")[0][-200:]


def test_no_timestamp_is_broken_across_lines(exported: Exported) -> None:
    starts = re.findall(r"\d{4}-\d{2}-\d{2}T", exported.text)
    whole = re.findall(TIMESTAMP, exported.text)
    assert len(starts) == len(whole) > 20
    for moment in recorded_times(exported):
        assert moment in exported.text, moment


def test_signatures_are_shown_with_every_field(exported: Exported) -> None:
    flat = squash(exported.text)
    (signoff,) = exported.store.conversation(exported.record.conversation).signoffs
    for words in (
        SIGNER,
        ROLE,
        "approved",
        exported.record.statement,
        REASON,
        exported.record.signer_fingerprint,
    ):
        assert squash(words) in flat, words
    assert squash(f"{signoff.signed_at} (UTC) · {local(signoff.signed_at)}") in flat, "UTC and local time"
    assert signoff.signature in flat and signoff.public_key in exported.text


# -- the Markdown -------------------------------------------------------------------------


def test_markdown_holds_the_same_record(exported: Exported) -> None:
    text = exported.markdown
    for name, turn in exported.record.turns.items():
        assert f"State: **{turn.state}**" in text, name
        assert f"PROMPTMARK{name.upper()}" in text
    demo = [name for name in exported.record.turns if name not in ("length", "remote")]
    assert text.count(f"```text\n{exported.record.system_prompt}\n```") == len(demo)
    assert "```text\nFirst draft your thinking process" in text, "the Magistral preset's, in full"
    assert text.count("_No system prompt was sent._") == 1
    for sha256 in exported.record.hashes:
        assert sha256 in text
    assert f"## Conversation {exported.record.conversation}: {TITLE}" in text, "the title whole, unescaped"
    assert text.count("> **Reasoning forced by a grammar.**") == 6
    assert "> **Ran on a remote server.**" in text
    assert f"| Key fingerprint | {exported.record.signer_fingerprint} |" in text
    for row in (f"| Role | {ROLE} |", "| Meaning | approved |", f"| Reason | {REASON} |"):
        assert row in text, row
    (signoff,) = exported.store.conversation(exported.record.conversation).signoffs
    assert f"| Signed | {signoff.signed_at} (UTC) · {local(signoff.signed_at)}" in text


def test_markdown_reads_as_plain_text(exported: Exported) -> None:
    text = exported.markdown
    assert text.startswith(f"# Audit report {exported.markdown_id}\n") and exported.markdown_id.startswith(
        "VT-"
    )
    for moment in recorded_times(exported):
        assert moment in text, moment
    for escaped in ("\\-", "\\.", "\\(", "\\)", "\\'", '\\"', "\\!", "\\=", "\\/"):
        assert escaped not in text, f"needless escape {escaped}"
    # Only an address's scheme is escaped (a viewer would make a link of it): http\://10.0.0.7:8080
    assert re.findall(r"\\:(?!//)", text) == [] and "http\\://10.0.0.7:8080/v1" in text
    assert "| Application | Veritrace 0.1.0 |" in text


def test_markdown_is_inert_in_a_viewer(exported: Exported) -> None:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for token in parser.parse(exported.markdown):
        for found in (token, *(token.children or ())):
            assert found.type not in ("link_open", "html_inline"), found
            if found.type == "html_block":
                assert re.fullmatch(
                    r"<details>\n<summary>Reasoning trace \(\d+ characters\)</summary>|</details>",
                    found.content.strip(),
                ), found.content


TRICKY = [
    "2026-12-07T16:40:11.478Z",
    "VT-20261207-164011-AB12",
    "snake_case_name and __init__ and _private",
    "# not a heading ##",
    "1. not a list",
    "12) nor this",
    "- nor this",
    "+ nor this",
    "> nor a quote",
    "===",
    "---",
    "a | b | c",
    "`code` and ``more``",
    "*em* **strong** ***both***",
    "[link](https://evil.example) ![img](http://evil.example/x.png)",
    "<https://evil.example> <root@evil.example> <b>bold</b> <!-- c -->",
    "see https://evil.example, www.evil.example and root@evil.example",
    "&amp; &#x202e; &copy; AT&T",
    "~~struck~~ and ~single~",
    "C:\\Users\\me\\models and a trailing backslash \\",
    "\\*not emphasis\\* and \\\\",
    "[1]: javascript:alert(1)",
    "-5 °C, +3 dB, #42, 4.2, v0.1.0",
]


@pytest.mark.parametrize(
    "text",
    TRICKY + [entry.text for entry in HOSTILE if len(entry.text) < HUGE_LINE_CHARS // 100],
)
def test_an_inline_field_shows_exactly_its_text_and_no_markup(text: str) -> None:
    """Rendered alone on a line, at a line's start or in a table cell: one paragraph of plain text
    that reads exactly as the field's text (its line breaks as spaces)."""
    one_line = re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ", text).strip()
    one_line = one_line.replace("\x00", "\ufffd")  # as CommonMark reads NUL
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = parser.parse(inline(text))
    if not one_line:
        assert tokens == []
        return
    assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children or []
    assert {child.type for child in children} <= {"text"}, [child.type for child in children]
    assert "".join(child.content for child in children) == one_line
    row = parser.parse(f"| a | b |\n|---|---|\n| {inline(text) or 'x'} | y |\n")
    cells = [token for token in row if token.type == "td_open"]
    assert len(cells) == 2, "a field cannot add a table cell"


def test_ordinary_fields_are_not_escaped() -> None:
    for text in (
        "2026-12-07T16:40:11.478Z",
        "VT-20261207-164011-AB12",
        "Veritrace 0.1.0",
        "Q4_K_M",
        "4.2 (a)",
    ):
        assert inline(text) == text


# -- sign-offs recorded before personal signatures, and empty fields ----------------------


def test_a_typed_name_sign_off_says_what_it_is(qapp: object, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_old_record(path, steps_through("0011_turn_tokens"))
    fill_old_record(path)
    store = Store(path)  # brought up to date; its sign-off stays as it was made
    try:
        (signoff,) = store.conversation(1).signoffs
        assert not signoff.personal
        pdf = export(store, TEST_KEY, [1], tmp_path / "old.pdf", format="pdf")
        markdown = export(store, TEST_KEY, [1], tmp_path / "old.md", format="md").path.read_text("utf-8")
    finally:
        store.close()
    flat = squash(poppler("pdftotext", str(pdf.path), "-"))
    for words in (
        "typed name, recorded before personal signatures",
        "Bob Reviewer",
        "Checked against the contract",
    ):
        assert squash(words) in flat, words
        assert words in markdown, words
    assert "| Signature | typed name, recorded before personal signatures" in markdown
    assert "Key fingerprint" not in markdown and "Role" not in markdown.split("### Sign-offs")[1]


def test_an_empty_field_is_said_in_words_never_left_blank(
    qapp: object, exported: Exported, tmp_path: Path
) -> None:
    report = build_report(exported.store, TEST_KEY, [exported.record.conversation], "blanks", "tester")
    conversation = report.conversations[0]
    (personal,) = conversation.signoffs
    typed = SignOff(
        99, conversation.id, Meaning.REVIEWED, "Sam Typed", "  ", "sam", "2025-01-01T00:00:00.000Z", "ab" * 32
    )
    bare = replace(personal, role="", statement="", reason="")
    report = replace(report, conversations=(replace(conversation, signoffs=(typed, bare)),))
    text, _ = render(report, "images")
    signoffs = text.split("### Sign-offs")[1].split("## Verification")[0]
    assert not re.search(r"\|[ \t]*\|", signoffs), "a blank cell"
    assert not re.search(r"(: \.|—\s*$|·\s*$|:\s*$)", signoffs, re.MULTILINE), "a dangling separator"
    assert signoffs.count("| Reason | none given |") == 2
    assert "| Role | not recorded |" in signoffs and "| Statement | not recorded |" in signoffs
    path = write_pdf(report, tmp_path / "blanks.pdf")
    flat = squash(poppler("pdftotext", str(path), "-"))
    assert flat.count("Reasonnonegiven") == 2 and "Rolenotrecorded" in flat
    assert squash("Signature typed name, recorded before personal signatures") in flat
