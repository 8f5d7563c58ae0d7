"""Export speed: PDF and Markdown of a long conversation with images and every language.

    python -m tests.benchmarks.bench_export [--turns 200] [--runs 3]

The record is written through the real Store. Each run exports the same conversation;
the times include verifying the record and signing a checkpoint, as the app does. The
baseline, measured in the same run, is Qt printing the same HTML with its stock
``QTextDocument.print_`` (no furniture, no resources); the ratio shows what the report's
own pagination, header, footer and thumbnails cost on top of Qt's layout.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

from app.core.signing import KeyPair
from app.export.pdf import build_document, ensure_gui_application
from app.render.fonts import register_fonts
from app.services.exporting import build_report, export
from app.storage.repository import Store
from tests.benchmarks.common import summary, table
from tests.fixtures.languages import LANGUAGES
from tests.fixtures.records import long_conversation


def stock_print(report: object, path: Path) -> None:
    document = build_document(report)  # type: ignore[arg-type]
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Portrait)
    document.print_(writer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    ensure_gui_application()
    register_fonts()
    folder = Path(tempfile.mkdtemp(prefix="veritrace-export-"))
    store = Store(folder / "record.db")
    started = time.perf_counter()
    key = KeyPair(Ed25519PrivateKey.generate())
    long_conversation(store, args.turns, [language.sentence for language in LANGUAGES], key=key)
    built = time.perf_counter() - started
    pdf, markdown, baseline = [], [], []
    size = 0
    for run in range(args.runs):
        started = time.perf_counter()
        result = export(store, key, [1], folder / f"r{run}.pdf", format="pdf")
        pdf.append(time.perf_counter() - started)
        size = result.size
        started = time.perf_counter()
        export(store, key, [1], folder / f"r{run}.md", format="md")
        markdown.append(time.perf_counter() - started)
        report = build_report(store, key, [1], "baseline", "bench")
        started = time.perf_counter()
        stock_print(report, folder / f"stock{run}.pdf")
        baseline.append(time.perf_counter() - started)
    store.close()
    print(
        f"{args.turns} turns, {len(LANGUAGES)} languages, an image every 5 turns "
        f"(record built in {built:.1f} s); "
        f"PDF {size / 1e6:.1f} MB; {args.runs} runs\n"
    )
    print(
        table(
            [
                ("PDF export (verify, sign, lay out, paint)", pdf, "s"),
                ("Markdown export (verify, sign, write)", markdown, "s"),
                ("baseline: QTextDocument.print_ same HTML", baseline, "s"),
            ]
        )
    )
    print(f"\nratio PDF export / stock Qt print: {summary(pdf)[0] / summary(baseline)[0]:.2f}")
    print("goal: PDF of 200 turns < 5 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
