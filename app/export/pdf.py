"""The audit report as a text-based PDF: Qt's rich-text layout (HarfBuzz shaping, embedded
fonts) painted page by page so every page carries the report id, page N of M and the signed
chain checkpoint.

Only QtGui is used (no widgets), so this also runs from the command line and in a worker
thread. Nothing in the document is ever fetched: images are the recorded bytes, handed to
the document as resources, and every other resource request is refused.
"""

from __future__ import annotations

import html
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
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
    flagged,
    models_used,
    parameter_sets,
    review_state,
    turn_facts,
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
.label {{ font-size: 7.5pt; font-weight: 600; color: #52606d; margin-top: 8pt; margin-bottom: 2pt; }}
.hash {{ font-family: {mono}; font-size: 7.5pt; color: #3e4c59; }}
.prompt {{ margin-left: 0pt; }}
.note {{ color: #52606d; font-size: 8.5pt; }}
.ok {{ color: #1e6b34; font-weight: 600; }}
.bad {{ color: #b3261e; font-weight: 600; }}
th {{ background-color: #e9eef3; font-weight: 600; text-align: left; }}
"""


def _facts_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<tr><td width="24%"><b>{_e(name)}</b></td><td>{value}</td></tr>' for name, value in rows
    )
    return f'<table width="100%" cellspacing="0" cellpadding="3">{cells}</table>'


def _grid(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="3" style="border-color: #c9d2dc;">'
        f"<tr>{head}</tr>{body}</table>"
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
                ("Generated", f"{_e(report.generated_at)} (UTC) by {_e(report.generated_by)}"),
                ("Application", f"Veritrace {_e(report.app_version)}"),
                ("Content", f"{len(report.conversations)} conversation(s), {report.turn_count} turn(s)"),
                ("Record at export", f"{state}. {_e(report.verification)}"),
                (
                    "Signed checkpoint",
                    f"entry {checkpoint.entry_count}, signed {_e(checkpoint.at)}<br>"
                    f'<span class="hash">{_e(checkpoint.head_hash)}</span>',
                ),
                (
                    "Signing key",
                    f'Ed25519, fingerprint <span class="hash">{_e(report.key_fingerprint)}</span>',
                ),
            ]
        ),
        "<h2>Models</h2>",
        _grid(
            ["File", "SHA-256", "Quantization", "Context", "Size", "Turns"],
            [
                [
                    _e(model.file_name),
                    f'<span class="hash">{_e(model.sha256)}</span>' if model.sha256 else _e(model.hash_words),
                    _e(model.quantization),
                    _e(", ".join(str(size) for size in model.context_sizes)),
                    "no file" if model.remote else _e(human_size(model.size)),
                    str(model.turns),
                ]
                for model in models_used(report.conversations, report.model_details)
            ],
        ),
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
        '<p class="note">Each turn lists its own seed.</p>',
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
        ),
    ]
    return "".join(parts)


def _turn(report: Report, turn: Turn, thumbnails: dict[str, tuple[int, int]]) -> str:
    status, *rest = turn_facts(turn)
    facts = [f"<b>{_e(status)}</b>", *(_e(fact) for fact in rest)]
    parts = [
        "<hr>" if turn.index else "",
        f"<h3>Turn {turn.index + 1}</h3>",
        f'<p class="meta">id {turn.id} · {" · ".join(facts)}</p>',
    ]
    # Lines for the model, then the projector: a hash that failed its check stands out.
    checks = (turn.model_check, turn.projector_check)
    for line, check in zip(model_identity_lines(turn), checks, strict=False):
        alarming = check in (HashCheck.MISMATCH, HashCheck.UNVERIFIABLE)
        parts.append(f'<p class="{"bad" if alarming else "meta"}">{_e(line)}</p>')
    if turn.error:
        parts.append(f'<p class="bad">Error: {_e(turn.error)}</p>')
    parts += ['<p class="label">PROMPT</p>', f'<p class="prompt">{plain_to_html(turn.prompt)}</p>']
    if turn.images:
        parts.append('<p class="label">IMAGES</p>')
        rows = []
        for image in turn.images:
            size = thumbnails.get(image.sha256)
            picture = (
                f'<img src="{_IMAGE_SCHEME}:{image.sha256}" width="{size[0]}" height="{size[1]}">'
                if size
                else "(not in the record)"
            )
            seen = (
                f'seen by the model as <span class="hash">{_e(image.sent_sha256)}</span>'
                if image.sent_to_model
                else "not seen by the model (no vision projector)"
            )
            rows.append(
                f"<tr><td>{picture}</td><td>{_e(image.filename)} · {image.width}×{image.height} · "
                f'{_e(human_size(image.size))}<br><span class="hash">{_e(image.sha256)}</span><br>'
                f'<span class="note">{seen}</span></td></tr>'
            )
        parts.append(f'<table cellspacing="0" cellpadding="3">{"".join(rows)}</table>')
    parts.append('<p class="label">REASONING TRACE</p>')
    reasoning = plain_to_html(turn.reasoning) if turn.reasoning else "<i>No reasoning was recorded.</i>"
    parts.append(
        '<table width="100%" cellspacing="0" cellpadding="6" border="0" bgcolor="#f7f3e8">'
        f'<tr><td style="color: #4a4335;">{reasoning}</td></tr></table>'
    )
    parts.append('<p class="label">ANSWER</p>')
    parts.append(markdown_to_html(turn.answer) if turn.answer else "<p><i>No answer was recorded.</i></p>")
    if turn.annotations:
        parts.append('<p class="label">ANNOTATIONS</p>')
        parts.append(
            _grid(
                ["Flag", "By", "At", "Comment"],
                [
                    [
                        f'<span class="{"ok" if str(note.flag) == "ok" else "bad"}">{_e(note.flag)}</span>',
                        f"{_e(note.author)} ({_e(note.os_user)})",
                        _e(note.created_at),
                        plain_to_html(note.comment),
                    ]
                    for note in turn.annotations
                ],
            )
        )
    reproduced = report.reproductions.get(turn.id, ())
    if reproduced:
        parts.append('<p class="label">RUN AGAIN</p>')
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
    return '<p class="label">SIGN-OFFS</p>' + _grid(
        ["Meaning", "Printed name", "Signed at", "Reason", "Ledger head"],
        [
            [
                f"<b>{_e(signoff.meaning)}</b>",
                f"{_e(signoff.printed_name)} ({_e(signoff.os_user)})",
                _e(signoff.signed_at),
                _e(signoff.reason),
                f'<span class="hash">{_e(signoff.ledger_head)}</span>',
            ]
            for signoff in conversation.signoffs
        ],
    )


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
                ("Signed at", _e(checkpoint.at)),
                ("Entries", str(checkpoint.entry_count)),
                ("Head hash", f'<span class="hash">{_e(checkpoint.head_hash)}</span>'),
                ("Public key", f'<span class="hash">{_e(checkpoint.public_key)}</span>'),
                ("Fingerprint", f'<span class="hash">{_e(fingerprint(checkpoint.public_key))}</span>'),
                ("Signature", f'<span class="hash">{_e(checkpoint.signature)}</span>'),
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
    report: Report, progress: Progress | None = None, cancel: CancelToken | None = None, steps: int = 0
) -> _ReportDocument:
    """Lay out the report (images added as resources) for a page of the given body size."""
    document = _ReportDocument()
    document.setDocumentMargin(0)
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
    parts = [_cover(report)]
    done = 0
    for conversation in report.conversations:
        parts.append(_conversation_head(conversation))
        for turn in conversation.turns:
            if cancel is not None and cancel.is_set():
                raise ExportError("Export cancelled; nothing was written.")
            parts.append(_turn(report, turn, thumbnails))
            done += 1
            if progress is not None:
                progress(done, steps)
        parts.append(_signoffs(conversation))
    parts.append(_verification(report))
    document.setDefaultStyleSheet(_style())
    document.setDefaultFont(_no_ligatures(document.defaultFont()))
    document.setHtml(f"<html><body>{''.join(parts)}</body></html>")
    return document


def _no_ligatures(font: QFont) -> QFont:
    """``font`` without "ff"/"fi" ligatures: a hash or a word copied out of the PDF (pdftotext,
    e-discovery tools) must be the characters that were written, not U+FB00-U+FB06."""
    font.setFeature(QFont.Tag("liga"), 0)
    return font


def straddling_block(document: QTextDocument, page_height: float) -> QTextBlock | None:
    """The first block whose first line crosses a page boundary, if any.

    Qt's layout moves a line that would cross the bottom of a page to the next one, except,
    now and then, the first line of a paragraph that follows a table: that line would be cut
    in two by the page edge.
    """
    layout = document.documentLayout()
    layout.documentSize()  # the layout is lazy: finish it before reading positions
    block = document.begin()
    while block.isValid():
        lines = block.layout()
        if lines.lineCount():
            line = lines.lineAt(0)
            top = layout.blockBoundingRect(block).top() + line.y()
            boundary = (math.floor(top / page_height) + 1) * page_height
            if top + line.height() > boundary + 0.5 and line.height() < page_height:
                return block
        block = block.next()
    return None


def keep_lines_whole(document: QTextDocument, page_height: float, limit: int = 500) -> int:
    """Start each paragraph whose first line Qt left across a page edge on the next page."""
    moved = 0
    while moved < limit and (block := straddling_block(document, page_height)) is not None:
        cursor = QTextCursor(block)
        layout_format = block.blockFormat()
        layout_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        cursor.setBlockFormat(layout_format)
        moved += 1
    return moved


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
    document = build_document(report, progress, cancel, turns + max(1, turns * 2))
    document.documentLayout().setPaintDevice(writer)
    document.setPageSize(QSizeF(body.width(), body.height()))
    keep_lines_whole(document, body.height())
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
            document.drawContents(painter, QRectF(0, number * body.height(), body.width(), body.height()))
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
        f"Signed checkpoint: entry {checkpoint.entry_count} · head {checkpoint.head_hash[:16]}… · "
        f"key {report.key_fingerprint}",
    )
    painter.drawText(
        footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"Page {number} of {pages}"
    )
    painter.restore()
