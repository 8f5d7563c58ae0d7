"""The audit report as a text-based PDF: Qt's rich-text layout (HarfBuzz shaping, embedded
fonts) painted page by page so every page carries the report id, page N of M and the signed
chain checkpoint.

Each line of text is in the file once, on its own page (``settle_pages``): what a reader copies,
searches or hands to an e-discovery tool is what the page shows, and nothing lies under the
header or footer.

Only QtGui is used (no widgets), so this also runs from the command line and in a worker
thread. Nothing in the document is ever fetched: images are the recorded bytes, handed to
the document as resources, and every other resource request is refused.
"""

from __future__ import annotations

import html
import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
    QTextTable,
)

from app.core.cancel import CancelToken
from app.core.images import human_size
from app.core.report import model_identity_lines
from app.core.signing import fingerprint
from app.core.types import Conversation, HashCheck, Turn
from app.export.files import ExportError, check_destination, discard, replace_with, temporary_sibling
from app.export.report import (
    WITNESS_NOTE,
    Report,
    banners,
    error_note,
    flagged,
    models_used,
    parameter_sets,
    review_state,
    run_details,
    run_settings,
    signoff_rows,
    signoff_title,
    turn_facts,
    utc_and_local,
)
from app.render.fonts import body_families, css_font_stack, register_fonts
from app.render.html import markdown_to_html, plain_to_html

Progress = Callable[[int, int], None]

PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
RESOLUTION = 300  # dots per inch of the layout; text stays vector text at any zoom
MARGIN_MM = (18.0, 24.0, 18.0, 22.0)  # left, top, right, bottom: header and footer live in them
THUMBNAIL_MM = 38.0
_IMAGE_SCHEME = "veritrace-image"


def ensure_gui_application() -> QGuiApplication:
    """Qt's text layout needs a (Gui)Application; make one for the command line."""
    existing = QGuiApplication.instance()
    if existing is not None:
        return existing  # type: ignore[return-value]
    arguments = ["veritrace"]
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        arguments += ["-platform", "offscreen"]
    return QGuiApplication(arguments)


class _ReportDocument(QTextDocument):
    """A document that only ever shows the images it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def loadResource(self, kind: int, url: QUrl | str) -> object:
        self.refused.append(url.toString() if isinstance(url, QUrl) else str(url))
        return None


def _mm(millimetres: float) -> float:
    return millimetres / 25.4 * RESOLUTION


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _style() -> str:
    body = css_font_stack("body")
    mono = css_font_stack("mono")
    return f"""
body {{ font-family: {body}; font-size: 9.5pt; color: #1b1f24; }}
h1 {{ font-size: 20pt; font-weight: 600; color: #102a43; margin-bottom: 2pt; }}
h2 {{ font-size: 14pt; font-weight: 600; color: #102a43; margin-top: 14pt; margin-bottom: 4pt; }}
h3 {{ font-size: 11pt; font-weight: 600; color: #1f3a5a; margin-top: 12pt; margin-bottom: 2pt; }}
p {{ margin-top: 2pt; margin-bottom: 4pt; }}
code, pre {{ font-family: {mono}; font-size: 8.5pt; }}
pre {{ background-color: #f3f5f7; }}
.subtitle {{ font-size: 11pt; color: #52606d; }}
.meta {{ color: #52606d; font-size: 8.5pt; }}
h4 {{ font-size: 7.5pt; font-weight: 600; color: #52606d; margin-top: 8pt; margin-bottom: 2pt; }}
.hash {{ font-family: {mono}; font-size: 7.5pt; color: #3e4c59; }}
.prompt {{ margin-left: 0pt; }}
.note {{ color: #52606d; font-size: 8.5pt; }}
.ok {{ color: #1e6b34; font-weight: 600; }}
.bad {{ color: #b3261e; font-weight: 600; }}
th {{ background-color: #e9eef3; font-weight: 600; text-align: left; }}
"""


def _facts_table(rows: list[tuple[str, str]], *, small: bool = False) -> str:
    """Name/value rows; the value column is wide enough for a timestamp or a hash on one line."""
    cells = "".join(
        f'<tr><td width="24%"><b>{_e(name)}</b></td><td width="76%">{value}</td></tr>' for name, value in rows
    )
    style = ' class="meta"' if small else ""
    return f'<table width="100%" cellspacing="0" cellpadding="{2 if small else 3}"{style}>{cells}</table>'


def _pairs_table(rows: list[tuple[str, str]]) -> str:
    """Short name/value pairs, two to a row."""
    cells = []
    for start in range(0, len(rows), 2):
        pair = rows[start : start + 2]
        row = "".join(
            f'<td width="20%"><b>{_e(name)}</b></td><td width="30%">{_e(value)}</td>' for name, value in pair
        )
        if len(pair) == 1:
            row += '<td width="20%"></td><td width="30%"></td>'
        cells.append(f"<tr>{row}</tr>")
    return f'<table width="100%" cellspacing="0" cellpadding="2" class="meta">{"".join(cells)}</table>'


def _grid(headers: list[str], rows: list[list[str]], widths: list[int] | None = None) -> str:
    """A bordered table; ``widths`` (percent) keep a timestamp's column wide enough for it whole."""

    def width(index: int) -> str:
        return f' width="{widths[index]}%"' if widths else ""

    head = "".join(f"<th{width(index)}>{_e(header)}</th>" for index, header in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{width(index)}>{cell}</td>" for index, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="3" style="border-color: #c9d2dc;">'
        f"<tr>{head}</tr>{body}</table>"
    )


def _hash(value: str) -> str:
    return f'<span class="hash">{_e(value)}</span>'


def _hashes_in(text: str) -> str:
    """``text`` escaped, each hash (64 hexadecimal digits or more) in it set in the hash face."""
    return re.sub(r"\b[0-9a-f]{64,}\b", lambda match: _hash(match.group()), _e(text))


_BANNER_COLOUR = "#fff4e0"


def _banner(title: str, text: str) -> str:
    """A boxed note a reader cannot miss (``settle_pages`` keeps it on one page)."""
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="6" bgcolor="{_BANNER_COLOUR}" '
        'style="border-color: #c77700; border-style: solid; margin-top: 4pt; margin-bottom: 4pt;">'
        f'<tr><td><b style="color: #8a4b00;">{_e(title)}.</b> {_e(text)}</td></tr></table>'
    )


def _block(text: str, colour: str) -> str:
    """Recorded text (a prompt, a system prompt) as written, on a tinted ground."""
    return (
        f'<table width="100%" cellspacing="0" cellpadding="6" border="0" bgcolor="{colour}">'
        f"<tr><td>{plain_to_html(text)}</td></tr></table>"
    )


def _models(report: Report) -> str:
    """Each model, its hash whole on a row of its own (a narrow column would break it)."""
    rows = []
    for model in models_used(report.conversations, report.model_details):
        size = "no file" if model.remote else _e(human_size(model.size))
        contexts = _e(", ".join(str(size) for size in model.context_sizes))
        rows.append(
            f"<tr><td><b>{_e(model.file_name)}</b></td><td>{_e(model.quantization)}</td><td>{contexts}</td>"
            f"<td>{size}</td><td>{model.turns}</td></tr>"
        )
        identity = f"SHA-256 {_hash(model.sha256)}" if model.sha256 else _e(model.hash_words)
        rows.append(f'<tr><td colspan="5">{identity}</td></tr>')
    head = "".join(
        f'<th width="{width}%">{name}</th>'
        for name, width in (("File", 40), ("Quantization", 27), ("Context", 13), ("Size", 11), ("Turns", 9))
    )
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="3" style="border-color: #c9d2dc;">'
        f"<tr>{head}</tr>{''.join(rows)}</table>"
    )


def _cover(report: Report) -> str:
    checkpoint = report.checkpoint
    state = '<span class="ok">intact</span>' if report.intact else '<span class="bad">BROKEN</span>'
    parts = [
        "<h1>Audit report</h1>",
        f'<p class="subtitle">Veritrace · {_e(report.report_id)}</p>',
        _facts_table(
            [
                ("Scope", _e(report.scope)),
                ("Generated", _e(utc_and_local(report.generated_at))),
                ("Generated by", _e(report.generated_by)),
                ("Application", f"Veritrace {_e(report.app_version)}"),
                ("Content", f"{len(report.conversations)} conversation(s), {report.turn_count} turn(s)"),
                ("Record at export", f"{state}. {_e(report.verification)}"),
                (
                    "Signed checkpoint",
                    f"entry {checkpoint.entry_count}, signed {_e(checkpoint.at)}<br>"
                    + _hash(checkpoint.head_hash),
                ),
                ("Signing key", f"Ed25519, fingerprint {_hash(report.key_fingerprint)}"),
            ]
        ),
        "<h2>Models</h2>",
        _models(report),
        "<h2>Parameters</h2>",
        _grid(
            [
                "Preset",
                "Temp.",
                "Top-p",
                "Top-k",
                "Min-p",
                "Repeat",
                "Max tokens",
                "n_ctx",
                "GPU layers",
                "Turns",
            ],
            [
                [
                    _e(preset),
                    f"{params.temperature:g}",
                    f"{params.top_p:g}",
                    str(params.top_k),
                    f"{params.min_p:g}",
                    f"{params.repeat_penalty:g}",
                    str(params.max_tokens),
                    str(params.n_ctx),
                    str(params.n_gpu_layers),
                    str(count),
                ]
                for preset, params, count in parameter_sets(report.conversations)
            ],
        ),
        '<p class="note">Each turn lists every setting it ran with, its seed included.</p>',
        "<h2>Conversations</h2>",
        _grid(
            ["Id", "Title", "Created", "Turns", "Review", "Flagged turns"],
            [
                [
                    str(conversation.id),
                    _e(conversation.title),
                    _e(conversation.created_at),
                    str(len(conversation.turns)),
                    _e(review_state(conversation)),
                    str(sum(1 for turn in conversation.turns if flagged(turn))),
                ]
                for conversation in report.conversations
            ],
            [5, 38, 27, 7, 12, 11],
        ),
    ]
    return "".join(parts)


def _turn(report: Report, turn: Turn, thumbnails: dict[str, tuple[int, int]]) -> str:
    state, *rest = turn_facts(turn)
    parts = [
        "<hr>" if turn.index else "",
        f"<h3>Turn {turn.index + 1}: {_e(state)}</h3>",
        f'<p class="meta">id {turn.id} · {" · ".join(_e(fact) for fact in rest)}</p>',
    ]
    parts += [_banner(banner.title, banner.text) for banner in banners(turn)]
    # Lines for the model, then the projector: a hash that failed its check stands out.
    checks = (turn.model_check, turn.projector_check)
    for line, check in zip(model_identity_lines(turn), (*checks, None, None), strict=False):
        alarming = check in (HashCheck.MISMATCH, HashCheck.UNVERIFIABLE)
        parts.append(f'<p class="{"bad" if alarming else "meta"}">{_hashes_in(line)}</p>')
    if error_note(turn):
        parts.append(f'<p class="bad">Error: {_e(error_note(turn))}</p>')
    parts += ["<h4>RUN SETTINGS</h4>", _pairs_table(run_settings(turn))]
    parts.append(_facts_table([(name, _hashes_in(value)) for name, value in run_details(turn)], small=True))
    parts.append("<h4>SYSTEM PROMPT</h4>")
    parts.append(
        _block(turn.system_prompt, "#eef2f6")
        if turn.system_prompt
        else '<p class="note">No system prompt was sent.</p>'
    )
    parts += ["<h4>PROMPT</h4>", _block(turn.prompt, "#f3f5f7")]
    if turn.images:
        parts.append("<h4>IMAGES</h4>")
        rows = []
        for image in turn.images:
            size = thumbnails.get(image.sha256)
            picture = (
                f'<img src="{_IMAGE_SCHEME}:{image.sha256}" width="{size[0]}" height="{size[1]}">'
                if size
                else "(not in the record)"
            )
            seen = (
                f"seen by the model as this copy ({image.sent_width}×{image.sent_height}), SHA-256<br>"
                f"{_hash(image.sent_sha256 or 'not recorded')}"
                if image.sent_to_model
                else "not seen by the model (no vision projector)"
            )
            rows.append(
                f"<tr><td>{picture}</td><td>{_e(image.filename)} · {image.width}×{image.height} · "
                f"{_e(human_size(image.size))}, SHA-256<br>{_hash(image.sha256)}<br>"
                f'<span class="note">{seen}</span></td></tr>'
            )
        parts.append(f'<table cellspacing="0" cellpadding="3">{"".join(rows)}</table>')
    parts.append("<h4>REASONING TRACE</h4>")
    reasoning = plain_to_html(turn.reasoning) if turn.reasoning else "<i>No reasoning was recorded.</i>"
    parts.append(
        '<table width="100%" cellspacing="0" cellpadding="6" border="0" bgcolor="#f7f3e8">'
        f'<tr><td style="color: #4a4335;">{reasoning}</td></tr></table>'
    )
    parts.append("<h4>ANSWER</h4>")
    parts.append(markdown_to_html(turn.answer) if turn.answer else "<p><i>No answer was recorded.</i></p>")
    if turn.annotations:
        parts.append("<h4>ANNOTATIONS</h4>")
        parts.append(
            _grid(
                ["Flag", "By", "At", "Comment"],
                [
                    [
                        f'<span class="{"ok" if str(note.flag) == "ok" else "bad"}">{_e(note.flag)}</span>',
                        f"{_e(note.author)} ({_e(note.os_user)})",
                        _e(note.created_at),
                        plain_to_html(note.comment) or "<i>no comment</i>",
                    ]
                    for note in turn.annotations
                ],
                [10, 22, 27, 41],
            )
        )
    reproduced = report.reproductions.get(turn.id, ())
    if reproduced:
        parts.append("<h4>RUN AGAIN</h4>")
        parts.append(
            _grid(
                ["At", "Outcome", "What it gave"],
                [
                    [
                        _e(again.at),
                        f'<span class="{"ok" if again.outcome == "identical" else "bad"}">'
                        f"{_e(again.outcome)}</span>",
                        plain_to_html(again.summary),
                    ]
                    for again in reproduced
                ],
                [27, 15, 58],
            )
        )
    return "".join(parts)


def _conversation_head(conversation: Conversation) -> str:
    continues = f" · continues conversation {conversation.continues}" if conversation.continues else ""
    return (
        '<h2 style="page-break-before: always;">'
        f"Conversation {conversation.id}: {_e(conversation.title)}</h2>"
        f'<p class="meta">created {_e(conversation.created_at)} by {_e(conversation.created_by)} · '
        f"{len(conversation.turns)} turn(s) · review state: {_e(review_state(conversation))}{continues}</p>"
    )


def _signoffs(conversation: Conversation) -> str:
    if not conversation.signoffs:
        return ""
    parts = ["<hr><h4>SIGN-OFFS</h4>"]
    for number, signoff in enumerate(conversation.signoffs, 1):
        parts.append(f"<p><b>Sign-off {number}: {_e(signoff_title(signoff))}</b></p>")
        parts.append(_facts_table([(name, _hashes_in(value)) for name, value in signoff_rows(signoff)]))
    return "".join(parts)


def _verification(report: Report) -> str:
    checkpoint = report.checkpoint
    state = '<span class="ok">intact</span>' if report.intact else '<span class="bad">BROKEN</span>'
    return (
        '<h2 style="page-break-before: always;">Verification</h2>'
        f"<p>At export the whole record was checked — the hash chain, every recorded row against its ledger "
        f"entry, and every signed checkpoint. Result: {state}. {_e(report.verification)}</p>"
        f"<p>The chain head at entry {checkpoint.entry_count} was then signed with this installation's "
        "Ed25519 key; every page of this report cites it.</p>"
        + _facts_table(
            [
                ("Signed at", _e(utc_and_local(checkpoint.at))),
                ("Entries", str(checkpoint.entry_count)),
                ("Head hash", _hash(checkpoint.head_hash)),
                ("Public key", _hash(checkpoint.public_key)),
                ("Fingerprint", _hash(fingerprint(checkpoint.public_key))),
                ("Signature", _hash(checkpoint.signature)),
            ]
        )
        + "<p>To check it: <code>veritrace verify</code> on the record re-derives every hash; a JSON bundle "
        "export of the same scope carries <code>verify_bundle.py</code>, which needs only Python, and checks "
        "this signature and every record in the bundle.</p>"
        + f"<p>{_e(WITNESS_NOTE.format(command='veritrace verify --since REPORT.pdf (this file)'))} "
        "The signed head is also in this file's metadata, where that command reads it.</p>"
    )


def _thumbnail(data: bytes) -> QImage | None:
    image = QImage.fromData(QByteArray(data))
    if image.isNull():
        return None
    # Shown at its natural size on a 96 dpi screen, at most THUMBNAIL_MM a side; the
    # embedded pixels are those of the display size at the layout's resolution.
    side = _mm(THUMBNAIL_MM)
    natural = QSizeF(image.width(), image.height()) * (RESOLUTION / 96)
    shown = (
        natural.scaled(QSizeF(side, side), Qt.AspectRatioMode.KeepAspectRatio)
        if (natural.width() > side or natural.height() > side)
        else natural
    )
    return image.scaled(
        round(shown.width()),
        round(shown.height()),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def build_document(
    report: Report,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    steps: int = 0,
    *,
    device: QPaintDevice | None = None,
    body: QSizeF | None = None,
) -> _ReportDocument:
    """The report as one document, images added as resources.

    Given the paint ``device`` and the ``body`` size of a page, the document is laid out in
    pages as it is built, part by part (the cover, each conversation's heading, each turn …),
    and each part's pages settled (``settle_pages``) once it is in: a change then only moves
    what follows it in that part, so settling costs one layout of the report, not one per change.
    """
    document = _ReportDocument()
    document.setDocumentMargin(0)
    document.setDefaultStyleSheet(_style())
    document.setDefaultFont(_no_ligatures(document.defaultFont()))
    if device is not None and body is not None:
        document.documentLayout().setPaintDevice(device)
        document.setPageSize(body)
    thumbnails: dict[str, tuple[int, int]] = {}
    for sha256, data in report.images.items():
        image = _thumbnail(data)
        if image is not None:
            document.addResource(
                QTextDocument.ResourceType.ImageResource.value, QUrl(f"{_IMAGE_SCHEME}:{sha256}"), image
            )
            # <img> sizes are CSS pixels (1/96 inch); Qt scales them to the device.
            scale = 96 / RESOLUTION
            thumbnails[sha256] = (round(image.width() * scale), round(image.height() * scale))
    cursor = QTextCursor(document)
    settled_from = 0  # the first block the next part's settling looks at

    def add(part: str) -> None:
        nonlocal settled_from
        if not part:
            return
        # Parsed on its own, then appended as a new paragraph: inserted HTML would be merged into
        # the last paragraph, its first block's format (a heading, a page break) lost.
        parsed = _ReportDocument()
        parsed.setDefaultStyleSheet(document.defaultStyleSheet())
        parsed.setDefaultFont(document.defaultFont())
        parsed.setHtml(f"<html><body>{part}</body></html>")  # the body's style: font, size, colour
        document.refused += parsed.refused
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if cursor.block().length() > 1:
            cursor.insertBlock()
        first = cursor.block().blockNumber()
        cursor.insertFragment(QTextDocumentFragment(parsed))
        QTextCursor(document.findBlockByNumber(first)).setBlockFormat(parsed.begin().blockFormat())
        if device is not None and body is not None:
            # From the part before: its last heading is kept with this part's start.
            _chunk_long_paragraphs(document, first)
            settle_pages(document, body.height(), settled_from)
            settled_from = max(0, first - 1)

    add(_cover(report))
    done = 0
    for conversation in report.conversations:
        add(_conversation_head(conversation))
        for turn in conversation.turns:
            if cancel is not None and cancel.is_set():
                raise ExportError("Export cancelled; nothing was written.")
            add(_turn(report, turn, thumbnails))
            done += 1
            if progress is not None:
                progress(done, steps)
        add(_signoffs(conversation))
    add(_verification(report))
    if device is not None and body is not None:
        unskip_pages(document, body.height())
    return document


def _no_ligatures(font: QFont) -> QFont:
    """``font`` without "ff"/"fi" ligatures: a hash or a word copied out of the PDF (pdftotext,
    e-discovery tools) must be the characters that were written, not U+FB00-U+FB06."""
    font.setFeature(QFont.Tag("liga"), 0)
    return font


# A line may end this far past a page edge (device pixels: Qt lays out in 1/64 pixel units)
# and still count as on its page; each page is painted through a window this far inside its
# edges, so a block that only touches a page is not drawn on it.
_EDGE = 1.0


@dataclass(frozen=True)
class _Lines:
    """Where a block's lines lie: each line's (top, bottom) in the document, in device pixels."""

    block: QTextBlock
    spans: tuple[tuple[float, float], ...]

    def page(self, index: int, page_height: float) -> int:
        return math.floor(self.spans[index][0] / page_height)


def _lines(document: QTextDocument, block: QTextBlock) -> _Lines:
    layout = document.documentLayout()
    top = layout.blockBoundingRect(block).top()
    lines = block.layout()
    spans = []
    for number in range(lines.lineCount()):
        line = lines.lineAt(number)
        spans.append((top + line.y(), top + line.y() + line.height()))
    return _Lines(block, tuple(spans))


def _crosses_edge(top: float, bottom: float, page_height: float) -> bool:
    edge = (math.floor(top / page_height) + 1) * page_height
    return bottom > edge + _EDGE / 2 and bottom - top < page_height


def _next_with_text(block: QTextBlock) -> QTextBlock | None:
    following = block.next()
    while following.isValid():
        if following.layout().lineCount() and following.text().strip():
            return following
        following = following.next()
    return None


def settle_pages(document: QTextDocument, page_height: float, first: int = 0, limit: int = 20_000) -> int:
    """Lay the document out so that each page, painted alone, holds exactly its own lines.

    Qt paints a page by drawing every paragraph that reaches into it, and within a paragraph
    also the last line before the page (``QTextLayout::draw`` starts one line early); a
    paragraph that starts exactly on the next page's first pixel is drawn too. Clipped, such
    text is invisible, yet it is in the PDF: a text extractor reads the last line of a page
    again at the top of the next, and a heading of the next page under this page's footer. So:

    - a paragraph running over a page edge is split there into two, so no paragraph has lines
      on two pages (a list item's continuation keeps its indent, without a second bullet);
    - a paragraph whose first line Qt left across a page edge starts on the next page;
    - a heading whose content starts on a later page moves to that page, never left alone
      at the bottom;
    - a page break that skipped a page, leaving it blank, is undone and its paragraph starts
      the skipped page instead (``_unskip``).

    Each page is then painted through a window ``_EDGE`` inside its edges. Blocks before block
    number ``first`` are left as they are. Returns the number of changes made.
    """
    layout = document.documentLayout()
    changes = 0
    block = document.findBlockByNumber(first)
    while block.isValid() and changes < limit:
        # Finish the layout before reading positions: a change relays out what follows it, and
        # Qt's lazy layout would leave stale positions behind.
        layout.documentSize()
        found = _lines(document, block)
        banner = _banner_starting(block)
        if banner is not None and _spans_pages(document, banner, page_height):
            table_format = banner.format()
            table_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            banner.setFormat(table_format)
            changes += 1
            continue
        if found.spans:
            top, bottom = found.spans[0]
            # A block already starting a page is not moved again (in a table cell Qt may not).
            moved = bool(
                block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
            )
            if (
                moved
                and _blank_before(document, found, page_height)
                and _unskip(document, block, page_height)
            ):
                changes += 1
                continue
            if not moved and _crosses_edge(top, bottom, page_height):
                _break_before(block)
                changes += 1
                continue
            heading = block.blockFormat().headingLevel()
            if heading and not moved and _left_alone(document, found, page_height):
                _break_before(block)
                changes += 1
                continue
            later = next(
                (
                    index
                    for index in range(1, len(found.spans))
                    if found.page(index, page_height) != found.page(0, page_height)
                ),
                None,
            )
            if later is not None:
                _split(document, block, block.layout().lineAt(later).textStart())
                changes += 1
                block = block.next()
                continue
        block = block.next()
    return changes


def unskip_pages(document: QTextDocument, page_height: float) -> int:
    """Give back every page a page break skipped in the settled document (``_unskip``),
    settling again what follows each; returns the number of pages given back.

    Settling looks at each break as it is made, but Qt relays a document out from checkpoints
    some way back, and a later relayout may carry a break a page too far again.
    """
    layout = document.documentLayout()
    layout.documentSize()
    given = 0
    block = document.begin()
    while block.isValid():
        if block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore:
            found = _lines(document, block)
            if (
                found.spans
                and _blank_before(document, found, page_height)
                and _unskip(document, block, page_height)
            ):
                given += 1
                settle_pages(document, page_height, block.blockNumber())
                layout.documentSize()
        block = block.next()
    return given


def _banner_starting(block: QTextBlock) -> QTextTable | None:
    """The banner whose first paragraph ``block`` is, if it is one, and not yet moved."""
    table = QTextCursor(block).currentTable()
    if table is None or table.firstPosition() != block.position():
        return None
    table_format = table.format()
    if table_format.background().color().name() != _BANNER_COLOUR:
        return None
    moved = table_format.pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
    return None if moved else table


def _spans_pages(document: QTextDocument, table: QTextTable, page_height: float) -> bool:
    box = document.documentLayout().frameBoundingRect(table)
    if box.height() >= page_height:
        return False
    return math.floor(box.top() / page_height) != math.floor((box.bottom() - _EDGE) / page_height)


def _left_alone(document: QTextDocument, heading: _Lines, page_height: float) -> bool:
    """A heading on a page its content does not start on (and not already at a page's top)."""
    following = _next_with_text(heading.block)
    if following is None:
        return False
    content = _lines(document, following)
    if not content.spans:
        return False
    page = heading.page(0, page_height)
    at_top = heading.spans[0][0] - page * page_height < _EDGE * 4
    return content.page(0, page_height) > page and not at_top


def _blank_before(document: QTextDocument, moved: _Lines, page_height: float) -> bool:
    """Whether the page before the one a page break moved ``moved`` to holds none of the lines
    before it: the break skipped a page, which would go out blank."""
    page = moved.page(0, page_height)
    if page == 0:
        return False
    previous = moved.block.previous()
    while previous.isValid():
        if previous.text().strip() or previous.blockFormat().hasProperty(
            QTextFormat.Property.BlockTrailingHorizontalRulerWidth
        ):
            lines = _lines(document, previous)
            if lines.spans and lines.page(len(lines.spans) - 1, page_height) >= page - 1:
                return False
            # Paragraphs outside tables follow one another down the pages; within a table a
            # taller cell earlier in the last row may still reach further.
            if lines.spans and QTextCursor(previous).currentTable() is None:
                return True
        previous = previous.previous()
    return True


def _unskip(document: QTextDocument, block: QTextBlock, page_height: float) -> bool:
    """Start ``block``, which a page break moved a page too far, at the top of the page it
    skipped; returns whether it now does (if not, nothing is changed).

    Qt starts a break's page after the page its layout last counted as begun, and that count can
    run ahead of the content: a table ending a few pixels above a page's foot has begun the next
    page for Qt, and after a paragraph was split at a page edge a relayout may still count the
    page its second half had reached. Without the break the block either starts the next page by
    itself (Qt moves a line crossing an edge down) or stays across the edge; then a top margin,
    blank space at the foot of the page before, takes its first line down to the edge. Qt sets a
    margin only between two paragraphs, so right after a table the block gets the empty
    paragraph Qt hides there (it takes no room).
    """
    layout = document.documentLayout()
    original = block.blockFormat()
    _set_page_break(block, QTextFormat.PageBreakFlag.PageBreak_Auto)
    layout.documentSize()
    if _starts_page(document, block, page_height):
        return True
    spacer = _table_before(block) is not None and QTextCursor(block.previous()).currentTable() is not None
    if spacer:
        start = block.position()
        QTextCursor(block).insertBlock()
        # The paragraph's text went on in the new block; the empty one before it is the spacer.
        block = document.findBlock(start).next()
        QTextCursor(block.previous()).setBlockFormat(QTextBlockFormat())
        layout.documentSize()
    found = _lines(document, block)
    if found.spans and not _starts_page(document, block, page_height):
        # Qt sets a paragraph below the one before it by the larger of their two margins, scaled
        # to the device: the scale is measured, not assumed.
        top = found.spans[0][0]
        short = (math.floor(top / page_height) + 1) * page_height - top
        margin = max(original.topMargin(), block.previous().blockFormat().bottomMargin())
        _set_top_margin(block, margin + 1)
        layout.documentSize()
        scale = _lines(document, block).spans[0][0] - top
        if scale > 0:
            _set_top_margin(block, margin + short / scale)
            layout.documentSize()
    if _starts_page(document, block, page_height):
        return True
    if spacer:
        block = block.previous()
        QTextCursor(block).deleteChar()  # the spacer's end: the paragraph is one block again
    QTextCursor(block).setBlockFormat(original)
    layout.documentSize()
    return False


def _set_top_margin(block: QTextBlock, margin: float) -> None:
    layout_format = block.blockFormat()
    layout_format.setTopMargin(margin)
    QTextCursor(block).setBlockFormat(layout_format)


def _starts_page(document: QTextDocument, block: QTextBlock, page_height: float) -> bool:
    """Whether ``block``'s first line is at the top of a page, the page before it not blank."""
    found = _lines(document, block)
    if not found.spans:
        return False
    top = found.spans[0][0]
    return top - found.page(0, page_height) * page_height < _EDGE and not _blank_before(
        document, found, page_height
    )


def _table_before(block: QTextBlock) -> QTextTable | None:
    """The table ``block`` follows, if it does (Qt hides an empty paragraph after a table)."""
    after = block
    previous = block.previous()
    while previous.isValid() and previous.length() == 1 and QTextCursor(previous).currentTable() is None:
        after, previous = previous, previous.previous()
    table = QTextCursor(previous).currentTable() if previous.isValid() else None
    while table is not None and isinstance(table.parentFrame(), QTextTable):
        table = table.parentFrame()  # type: ignore[assignment]
    if table is None or table.lastPosition() + 1 != after.position():
        return None
    return table


def _set_page_break(block: QTextBlock, policy: QTextFormat.PageBreakFlag) -> None:
    layout_format = block.blockFormat()
    layout_format.setPageBreakPolicy(policy)
    QTextCursor(block).setBlockFormat(layout_format)


def _break_before(block: QTextBlock) -> None:
    _set_page_break(block, QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)


_CHUNK_LINES = 40  # fewer than a page of body text holds


def _chunk_long_paragraphs(document: QTextDocument, first: int) -> None:
    """Cut every paragraph from block ``first`` on that is longer than ``_CHUNK_LINES`` lines
    into paragraphs of that many lines, at its own line starts, so it looks the same.

    Settling splits a paragraph at each page edge, and each split lays out the whole rest of
    it again: a 100,000-character answer cost minutes. Cut beforehand, in one edit (laid out
    once), each later split lays out one short paragraph.
    """
    document.documentLayout().documentSize()
    edit = QTextCursor(document)
    edit.beginEditBlock()
    try:
        block = document.findBlockByNumber(first)
        while block.isValid():
            layout = block.layout()
            count = layout.lineCount() if layout is not None else 0
            starts = [layout.lineAt(line).textStart() for line in range(_CHUNK_LINES, count, _CHUNK_LINES)]
            for offset in reversed(starts):  # from the end: the earlier offsets stay where they are
                if 0 < offset < block.length() - 1:
                    _split(document, block, offset)
            for _ in range(len(starts) + 1):
                block = block.next()
    finally:
        edit.endEditBlock()


def _split(document: QTextDocument, block: QTextBlock, offset: int) -> None:
    """End ``block``'s paragraph before character ``offset`` and go on in a new one that looks
    the same: no space between the two, no first-line indent, no second list bullet."""
    cursor = QTextCursor(document)
    cursor.setPosition(block.position() + offset)
    if block.text()[offset - 1 : offset] == "\u2028":  # a <br>: the paragraph's end replaces it
        cursor.deletePreviousChar()
    cursor.insertBlock()
    first, rest = block, block.next()
    head_format = first.blockFormat()
    head_format.setBottomMargin(0)
    QTextCursor(first).setBlockFormat(head_format)
    listed = rest.textList()
    if listed is not None:  # the item goes on with no bullet of its own (Qt keeps its indent)
        listed.remove(rest)
    tail_format = rest.blockFormat()
    tail_format.clearProperty(QTextFormat.Property.ObjectIndex)
    tail_format.setTopMargin(0)
    tail_format.setTextIndent(0)
    tail_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_Auto)
    QTextCursor(rest).setBlockFormat(tail_format)


def write_pdf(
    report: Report,
    destination: Path,
    *,
    page_size: str = "a4",
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write the report as a PDF at ``destination``; returns it. Refuses to replace a file unasked."""
    if page_size not in PAGE_SIZES:
        raise ExportError(f"Unknown page size {page_size!r}: choose A4 or Letter.")
    check_destination(destination, overwrite=overwrite)
    ensure_gui_application()
    register_fonts()
    temporary = temporary_sibling(destination)
    try:
        _render(report, temporary, PAGE_SIZES[page_size], progress, cancel)
        if cancel is not None and cancel.is_set():
            raise ExportError("Export cancelled; nothing was written.")
        replace_with(temporary, destination)
    except BaseException:
        discard(temporary)
        raise
    return destination


def _xmp(report: Report) -> QByteArray:
    """XMP metadata: title and producer as usual, and the signed head ``verify --since`` reads back."""
    title = _e(f"Audit report {report.report_id}")
    packet = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:vt="urn:veritrace:report:1">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>'
        f"<pdf:Producer>Veritrace {_e(report.app_version)}</pdf:Producer>"
        f"<vt:reportId>{_e(report.report_id)}</vt:reportId>"
        f"<vt:signedHead>{report.signed_head.token()}</vt:signedHead>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return QByteArray(packet.encode("utf-8"))


def page_writer(path: Path, size: QPageSize.PageSizeId, report: Report) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setTitle(f"Audit report {report.report_id}")
    writer.setCreator(f"Veritrace {report.app_version}")
    writer.setDocumentXmpMetadata(_xmp(report))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(size),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer


def paginate(
    report: Report,
    writer: QPdfWriter,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> tuple[_ReportDocument, QRectF, QRectF]:
    """The laid-out document, the page and the body rectangle (device pixels)."""
    page = QRectF(writer.pageLayout().fullRectPixels(RESOLUTION))
    left, top, right, bottom = (_mm(value) for value in MARGIN_MM)
    # Whole device pixels: Qt lays text out in 1/64 pixel units, and the page boundaries we
    # paint must be exactly the ones its layout paginated at.
    body = QRectF(
        left, top, math.floor(page.width() - left - right), math.floor(page.height() - top - bottom)
    )
    turns = report.turn_count
    # Progress: one step per turn laid out, then one per page painted (estimated at 2 per turn).
    document = build_document(
        report, progress, cancel, turns + max(1, turns * 2), device=writer, body=body.size()
    )
    return document, page, body


def _render(
    report: Report,
    path: Path,
    size: QPageSize.PageSizeId,
    progress: Progress | None,
    cancel: CancelToken | None,
) -> None:
    writer = page_writer(path, size, report)
    document, page, body = paginate(report, writer, progress, cancel)
    turns = report.turn_count
    pages = document.pageCount()
    total = turns + pages

    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(
            f"Could not write {path}: the PDF could not be started (disk full or no permission?)."
        )
    try:
        for number in range(pages):
            if cancel is not None and cancel.is_set():
                raise ExportError("Export cancelled; nothing was written.")
            if number:
                writer.newPage()
            _furniture(painter, report, page, body, number + 1, pages)
            painter.save()
            painter.translate(body.left(), body.top() - number * body.height())
            top = number * body.height() + _EDGE
            document.drawContents(painter, QRectF(0, top, body.width(), body.height() - 2 * _EDGE))
            painter.restore()
            if progress is not None:
                progress(turns + number + 1, total)
    finally:
        painter.end()
    if document.refused:
        raise ExportError(f"The report asked for resources it must not load: {document.refused[:3]}")


def _furniture(
    painter: QPainter, report: Report, page: QRectF, body: QRectF, number: int, pages: int
) -> None:
    """Header and footer: report id, page N of M, the signed checkpoint."""
    checkpoint = report.checkpoint
    painter.save()
    font = QFont()
    font.setFamilies(body_families())
    font.setPointSizeF(7.5)
    painter.setFont(_no_ligatures(font))
    painter.setPen(QPen(QColor("#52606d")))
    header_y = body.top() - _mm(9)
    footer_y = body.bottom() + _mm(5)
    line_height = painter.fontMetrics().height()
    header = QRectF(body.left(), header_y, body.width(), line_height)
    painter.drawText(
        header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "Veritrace audit report"
    )
    painter.drawText(
        header,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        f"{report.report_id} · generated {report.generated_at}",
    )
    painter.setPen(QPen(QColor("#c9d2dc"), _mm(0.2)))
    painter.drawLine(
        QPointF(body.left(), header_y + line_height + _mm(1)),
        QPointF(body.right(), header_y + line_height + _mm(1)),
    )
    painter.drawLine(QPointF(body.left(), footer_y - _mm(1)), QPointF(body.right(), footer_y - _mm(1)))
    painter.setPen(QPen(QColor("#52606d")))
    footer = QRectF(body.left(), footer_y, body.width(), line_height)
    painter.drawText(
        footer,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        f"Signed checkpoint: entry {checkpoint.entry_count} · head {checkpoint.head_hash}",
    )
    painter.drawText(
        footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"Page {number} of {pages}"
    )
    painter.drawText(
        footer.translated(0, line_height),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        f"Signed with the installation key {report.key_fingerprint}",
    )
    painter.restore()
