"""The PDF report, checked the way a reader's tools see it: poppler's pdftotext, pdffonts,
pdfinfo and pdftoppm on a 200-turn conversation with images and every language."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QPageSize

from app.core.signing import KeyPair
from app.export.files import ExportError
from app.export.pdf import page_writer, paginate, write_pdf
from app.services.exporting import build_report, export
from app.storage.repository import Store
from tests.fixtures.injection import HOSTILE
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.languages import LANGUAGES
from tests.fixtures.records import answer_marker, long_conversation, prompt_marker, reasoning_marker

# Every test reads one 200-turn report or writes its own.
pytestmark = pytest.mark.slow

TURNS = 200


def poppler(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def squash(text: str) -> str:
    """Text as a search tool compares it: NFKC (Qt maps shaped Arabic glyphs to presentation
    forms and some Han glyphs to the Kangxi radicals sharing them), no bidi marks, no spaces."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e]+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return TEST_KEY  # the key the records these tests build are signed with


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(tmp_path_factory.mktemp("pdf") / "record.db")
    long_conversation(store, TURNS, [language.sentence for language in LANGUAGES])
    yield store
    store.close()


@pytest.fixture(scope="module")
def big_pdf(qapp: object, big_store: Store, key: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("out") / "report.pdf"
    export(big_store, key, [1], destination, format="pdf")
    return destination


@pytest.fixture(scope="module")
def big_text(big_pdf: Path) -> str:
    return poppler("pdftotext", "-layout", str(big_pdf), "-")


def test_every_prompt_trace_and_answer_is_extractable_text(big_text: str) -> None:
    for index in range(TURNS):
        for marker in (prompt_marker(index), reasoning_marker(index), answer_marker(index)):
            assert marker in big_text, marker


# Scripts whose extracted text depends on poppler's reading order: Devanagari and Bengali
# vowel signs drawn before their consonant, and Arabic-script lines wrapped right to left.
REORDERED_SCRIPTS = {"Deva", "Beng", "Arab"}


def test_every_language_sample_sentence_extracts(big_pdf: Path) -> None:
    text = squash(poppler("pdftotext", str(big_pdf), "-"))
    whole = [language for language in LANGUAGES if language.script not in REORDERED_SCRIPTS]
    assert len(whole) == 19
    missing = [language.name for language in whole if squash(language.sentence) not in text]
    assert not missing, f"sentences not extracted whole: {missing}"
    # For the reordered scripts, each sentence's own word (found in no other sentence).
    missing = [language.name for language in LANGUAGES if squash(language.word) not in text]
    assert not missing, missing


def test_fonts_are_embedded_and_cover_every_script(big_pdf: Path) -> None:
    listing = poppler("pdffonts", str(big_pdf)).splitlines()[2:]
    assert listing
    for line in listing:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"  # the "emb" column
    names = " ".join(line.split()[0] for line in listing)
    for face in ("NotoSans-", "Arabic", "Devanagari", "Bengali", "CJK"):
        assert face in names, (face, names)


def test_every_page_carries_report_id_page_numbers_and_checkpoint(big_pdf: Path) -> None:
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(big_pdf))).group(1))  # type: ignore[union-attr]
    assert pages > TURNS // 4
    for number in (1, 2, pages // 2, pages):
        page = poppler("pdftotext", "-f", str(number), "-l", str(number), "-layout", str(big_pdf), "-")
        assert f"Page {number} of {pages}" in page
        assert re.search(r"VT-\d{8}-\d{6}-[0-9A-F]{4}", page)
        assert re.search(r"Signed checkpoint: entry \d+ · head [0-9a-f]{16}", page)


def test_cover_names_scope_model_parameters_and_verification(big_pdf: Path) -> None:
    big_text = poppler("pdftotext", str(big_pdf), "-")  # reading order: one table cell after another
    first = squash(big_text.split("\f")[0])  # table cells wrap long names
    assert "Auditreport" in first
    assert "Conversation1:Contractreview" in first
    assert "Magistral-Small-2509" in first and "Q4_K_M.gguf" in first  # wrapped at a hyphen
    assert "Q4_K_M" in first
    assert "4d" * 32 in first  # the model's SHA-256
    assert "Recordintact" in first
    assert "Veritrace0.1.0" in first
    closing = squash(big_text.split("\f")[-2])  # the last page (text ends with a form feed)
    assert "Verification" in closing and "Signature" in closing


def test_pages_render_and_show_images(big_pdf: Path, tmp_path: Path) -> None:
    poppler("pdftoppm", "-r", "50", "-png", "-f", "2", "-l", "2", str(big_pdf), str(tmp_path / "page"))
    (page,) = tmp_path.glob("page*.png")
    with Image.open(page) as image:
        rgb = image.convert("RGB")
        pixels = [rgb.getpixel((x, y)) for y in range(rgb.height) for x in range(rgb.width)]
    # The first turn's exhibit is drawn: its colour (green 90, blue 160) covers real area;
    # no text, rule or shading of the report has it.
    exhibit = sum(1 for _, g, b in pixels if abs(g - 90) <= 12 and abs(b - 160) <= 12)
    assert exhibit > 100, exhibit


def test_a4_is_the_default_page_size(big_pdf: Path) -> None:
    info = poppler("pdfinfo", str(big_pdf))
    assert re.search(r"Page size:\s+595(\.\d+)? x 842?(\.\d+)? pts \(A4\)", info), info


def test_letter_size(qapp: object, big_store: Store, key: KeyPair, tmp_path: Path) -> None:
    report = build_report(big_store, key, [1], "letter check", "tester")
    path = write_pdf(report, tmp_path / "letter.pdf", page_size="letter")
    assert "612 x 792 pts (letter)" in poppler("pdfinfo", str(path))


def test_existing_file_is_not_overwritten_unasked(
    qapp: object, big_store: Store, key: KeyPair, tmp_path: Path
) -> None:
    report = build_report(big_store, key, [1], "overwrite check", "tester")
    target = tmp_path / "kept.pdf"
    target.write_bytes(b"precious")
    with pytest.raises(ExportError, match="already exists"):
        write_pdf(report, target)
    assert target.read_bytes() == b"precious"
    write_pdf(report, target, overwrite=True)
    assert target.read_bytes().startswith(b"%PDF")


def test_hostile_text_is_inert_in_the_pdf(qapp: object, key: KeyPair, tmp_path: Path) -> None:
    store = Store(tmp_path / "hostile.db")
    texts = [entry.text for entry in HOSTILE]
    long_conversation(store, len(texts), texts, image_every=0, annotate_every=1, title=texts[0])
    path = tmp_path / "hostile.pdf"
    # write_pdf raises if the document asked for any resource (file:, http:, data: …).
    export(store, key, [1], path, format="pdf")
    store.close()
    # The PDF's objects, without stream contents (compressed bytes may spell anything).
    objects = re.sub(rb"stream\r?\n.*?endstream", b"", path.read_bytes(), flags=re.DOTALL)
    assert b"/Font" in objects and b"/Page" in objects
    found = re.findall(
        rb"/(URI|JavaScript|JS|Launch|GoToR|SubmitForm|EmbeddedFile|OpenAction|AA|Link|Widget)\b", objects
    )
    assert not found
    for number in re.findall(rb"/Annots (\d+) 0 R", objects):  # Qt lists none on each page
        assert re.search(rb"\n" + number + rb" 0 obj\n\[ \]\nendobj", objects)
    text = squash(poppler("pdftotext", str(path), "-"))
    assert squash("<script>alert(1)</script>") in text  # shown as text, not interpreted
    for index in range(len(texts)):
        assert prompt_marker(index) in text


def test_no_line_is_cut_by_a_page_edge(qapp: object, big_store: Store, key: KeyPair, tmp_path: Path) -> None:
    report = build_report(big_store, key, [1], "pagination", "tester")
    document, _, body = paginate(report, page_writer(tmp_path / "p.pdf", QPageSize.PageSizeId.A4, report))
    height = body.height()
    layout = document.documentLayout()
    layout.documentSize()
    cut = []
    block = document.begin()
    while block.isValid():
        lines = block.layout()
        for number in range(lines.lineCount()):
            line = lines.lineAt(number)
            top = layout.blockBoundingRect(block).top() + line.y()
            if top + line.height() > (top // height + 1) * height + 0.5:
                cut.append((block.text()[:40], number))
        block = block.next()
    assert not cut
    assert document.pageCount() > TURNS // 4


def test_hashes_in_the_page_furniture_copy_out_as_written(
    qapp: object, big_store: Store, key: KeyPair, tmp_path: Path
) -> None:
    """A head hash with "ff" or "fi" in it must not come out of the PDF as a ligature (U+FB00)."""
    report = build_report(big_store, key, [1], "ligatures", "tester")
    head = "2ffbf7ea0d8002bf" + "f1" * 24
    checkpoint = replace(report.checkpoint, head_hash=head)
    path = write_pdf(replace(report, checkpoint=checkpoint), tmp_path / "ligatures.pdf")
    first = poppler("pdftotext", "-f", "1", "-l", "1", "-layout", str(path), "-")
    assert f"head {head}" in first, "the whole head, never shortened"
    assert not re.search("[\ufb00-\ufb06]", first)
