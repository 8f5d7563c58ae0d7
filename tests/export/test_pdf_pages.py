"""No page of a report goes out blank, holding nothing but its header and footer.

Each conversation, and the verification, starts a page of its own. Qt counts a page as begun as
soon as the content before reaches into it (a table's bottom padding is enough), and a page
break there used to skip the next page: a sign-off ending a few points above a page's foot left
a blank page before the next conversation or the verification. The report here ends its
conversations at many distances, about a point apart, from a page's foot; poppler reads each
page back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.hashing import sha256_text
from app.core.types import ChatMessage, PreparedPrompt, RunSettings, TurnStatus
from app.export.pdf import MARGIN_MM
from app.services.exporting import export
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.pages import page_count, poppler, read_page
from tests.fixtures.records import MODEL
from tests.fixtures.signers import person, store_sign

# What follows each answer's first paragraph: a paragraph (p), a heading of level 4, 3 or 2, or a
# code block (c). Their heights differ by a few pixels, so each conversation, a page long, ends
# at its own distance from the page's foot: from a few points above it to just past it.
ANSWERS = (
    *("ppp", "pp4", "p44", "3pp", "33p", "2pp", "23p", "22p", "233", "224", "244", "344"),
    *("3p4", "2p4", "234", "334", "4444", "cpp", "c4p", "c3p", "c2p", "cp4", "333"),
)
ELEMENTS = {
    "p": "A paragraph of the answer.",
    "4": "#### A small heading",
    "3": "### A heading",
    "2": "## A larger heading",
    "c": "```\ncode line\n```",
}
MM = 72 / 25.4  # PDF points per millimetre
NEAR = 8.0  # points: less than a line of body text


def answer_marker(index: int) -> str:
    return f"ANSWERMARK{index:02d}"


@pytest.fixture(scope="module")
def report_pdf(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("pages")
    store = Store(folder / "record.db")
    store.enroll_key(TEST_KEY)
    identity, pair = person(store)
    conversations = []
    for index, elements in enumerate(ANSWERS):
        prompt = f"PROMPTMARK{index:02d} What does clause {index} say?"
        text = f"<user>{prompt}<assistant>"
        prepared = PreparedPrompt(
            messages=(ChatMessage("user", prompt),),
            text=text,
            sha256=sha256_text(text),
            token_count=12,
            template_source="pinned:magistral-small-2509",
            template_sha256="7e" * 32,
        )
        turn = store.begin_turn(
            None,
            prompt,
            RunSettings(),
            prepared,
            MODEL,
            "llama-cpp-python 0.3.36",
            "0.1.0",
            "alice",
            title=f"Answer of {len(elements) + 1} parts",
        )
        answer = "\n\n".join([f"{answer_marker(index)} The answer.", *(ELEMENTS[part] for part in elements)])
        store.append_output(turn.id, 0, "[THINK]Short.", "Short.", "")
        store.append_output(turn.id, 1, f"[/THINK]{answer}", "", answer)
        store.finish_turn(turn.id, TurnStatus.COMPLETED, finish_reason="stop", completion_tokens=10)
        store_sign(store, turn.conversation_id, identity, pair)
        conversations.append(turn.conversation_id)
    yield export(store, TEST_KEY, conversations, folder / "report.pdf", format="pdf").path
    store.close()


def test_no_page_is_blank(report_pdf: Path) -> None:
    count = page_count(report_pdf)
    blank = []
    for number in range(1, count + 1):
        page = read_page(report_pdf, number)
        assert (page.number, page.pages) == (number, count)
        if not page.body:
            blank.append(number)
    assert not blank, f"pages holding nothing but the header and footer: {blank} of {count}"


def test_conversations_end_near_a_page_foot_and_each_part_starts_a_page(report_pdf: Path) -> None:
    """What the test above stands on: conversations that end within a line of a page's foot, each
    conversation and the verification at the top of a page of its own, every answer there once."""
    layout = poppler("pdftotext", "-bbox", str(report_pdf), "-")
    pages = re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', layout, re.DOTALL)
    _, top, _, bottom = (value * MM for value in MARGIN_MM)
    bodies = []
    for height, content in pages:
        words = [
            (float(y_min), float(y_max), html.unescape(word))
            for y_min, y_max, word in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', content
            )
        ]
        foot = float(height) - bottom
        bodies.append((foot, [word for word in words if word[0] > top - 1.5 and word[1] < foot + 1.5]))
    starts, gaps = [], []
    for number, (_, body) in enumerate(bodies[1:], 2):
        if body and body[0][2] in ("Conversation", "Verification"):
            starts.append((number, body[0][2]))
            assert body[0][0] - top < 1.5, f"page {number} does not start at its top"
            foot, before = next((foot, body) for foot, body in reversed(bodies[: number - 1]) if body)
            gaps.append(round(foot - max(word[1] for word in before), 1))
    assert [word for _, word in starts] == ["Conversation"] * len(ANSWERS) + ["Verification"], starts
    assert sum(gap < NEAR for gap in gaps) >= 5, f"no longer ends near a page's foot: {sorted(gaps)}"
    text = poppler("pdftotext", str(report_pdf), "-")
    assert [text.count(answer_marker(index)) for index in range(len(ANSWERS))] == [1] * len(ANSWERS)
