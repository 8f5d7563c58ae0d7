"""Browsing and searching a large record: 10,000 conversations, 100,000 turns, ~50 M characters of traces.

    python -m tests.benchmarks.bench_store [--conversations 10000] [--turns 10] [--trace-chars 500] [--runs 5]

The record is generated in one transaction with straight SQL, every row with its ledger
entry through the app's own ``ledger.append`` (so it verifies like a real one), and the
search index is then filled by ``search.rebuild``, the same code migration 0007 runs on an
existing record. Texts are sentences drawn from a fixed pool, so phrases have realistic
frequencies: a unique matter number per conversation, "force majeure" in 1 % of traces,
Chinese sentences in 2 %, "the parties" nearly everywhere.

Reported: database and index size; opening the record; listing and filtering all
conversations (with the listing as it was before review states, for comparison); opening
a conversation; searching (hits, the matching conversations, both as the Sessions window
asks for them); the Sessions window itself (offscreen) and the process's RSS with it open.
Goals: open a conversation < 100 ms, search < 100 ms, the window's search < 50 ms off the GUI thread.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import Connection, func, select, text

from app.core.types import ReviewState, SessionFilter
from app.storage import ledger, search
from app.storage.repository import Store
from tests.benchmarks.common import rss_mb, table

MODELS = (
    ("/models/Magistral-Small-2509-Q4_K_M.gguf", 14_300_000_000, "1a" * 32),
    ("/models/Qwen3-14B-Q4_K_M.gguf", 9_000_000_000, "2b" * 32),
    ("/models/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf", 4_700_000_000, "3c" * 32),
)
SUBJECTS = [
    "the parties",
    "the supplier",
    "the customer",
    "the court",
    "the licensee",
    "the tribunal",
    "each party",
    "the agent",
]
VERBS = [
    "may terminate",
    "shall indemnify",
    "must notify",
    "cannot assign",
    "should disclose",
    "will reimburse",
    "may suspend",
]
OBJECTS = [
    "the agreement",
    "all losses",
    "any claim",
    "the licence",
    "confidential information",
    "the fees",
    "the deliverables",
    "consequential damages",
    "the warranty period",
    "the escrow amount",
    "its obligations",
    "the service credits",
]
TAILS = [
    "within thirty days",
    "without notice",
    "after a material breach",
    "unless agreed in writing",
    "on insolvency",
    "subject to clause 14.2",
    "under English law",
    "to the extent permitted by law",
    "at its sole discretion",
]
CHINESE = "根据合同法律第十四条，责任上限为十二个月的费用。"
QUERIES = {
    "a matter number": "matter-{middle:05d}",  # in one conversation
    "1 % of traces": "force majeure",
    "most texts": "the parties",
    "every text": "the",
    "4 CJK chars": "责任上限",  # in 2 % of traces
    "2 CJK chars, LIKE": "合同",  # below the trigram: a scan
    "1 char, LIKE": "法",
    "no match": "zqxjv",
    "hostile": 'AND ("',
}


def sentences(rng: random.Random, count: int = 50_000) -> list[str]:
    """Contract-review sentences, each with two words from a 20,000-word vocabulary (Zipf-like)."""
    syllables = [
        "ka",
        "ri",
        "mon",
        "tel",
        "vas",
        "qu",
        "or",
        "din",
        "pe",
        "lax",
        "stru",
        "ne",
        "gho",
        "ar",
        "im",
    ]
    vocabulary = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    rare = rng.choices(vocabulary, weights, k=2 * count)
    return [
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} regarding the "
        f"{rare[2 * n]} {rare[2 * n + 1]} {rng.choice(TAILS)}.".capitalize()
        for n in range(count)
    ]


def passage(rng: random.Random, pool: list[str], chars: int) -> str:
    parts: list[str] = []
    size = 0
    while size < chars:
        parts.append(rng.choice(pool))
        size += len(parts[-1]) + 1
    return " ".join(parts)


def build(path: Path, conversations: int, turns_per: int, trace_chars: int) -> dict[str, float]:
    """Write the record; returns counts and timings."""
    rng = random.Random(2026)
    pool = sentences(rng)
    store = Store(path)
    trace_total = 0
    started = time.perf_counter()
    with store.engine.begin() as connection:

        def insert(table_name: str, row: dict[str, Any]) -> None:
            columns = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            connection.execute(text(f"INSERT INTO {table_name} ({columns}) VALUES ({values})"), row)
            ledger.append(connection, "bench", "bench", ledger.TABLES[table_name][1], table_name, row)

        image = b"\x89PNG\r\n\x1a\n" + bytes(200)  # bytes only: the browser never decodes it
        image_sha = hashlib.sha256(image).hexdigest()
        insert(
            "blobs",
            {
                "sha256": image_sha,
                "size": len(image),
                "data": image,
                "created_at": stamp(date(2026, 1, 1), 0),
            },
        )
        turn_id = chunk_id = note_id = signoff_id = image_id = 0
        for conversation in range(1, conversations + 1):
            day = date(2025, 1, 1) + timedelta(days=(conversation - 1) * 365 // conversations)
            path_, size, sha = MODELS[conversation % len(MODELS)]
            insert(
                "conversations",
                {
                    "id": conversation,
                    "title": f"Matter {conversation:05d}: {rng.choice(OBJECTS)}",
                    "created_at": stamp(day, conversation),
                    "created_by": "bench",
                },
            )
            first_turn = turn_id + 1
            for index in range(turns_per):
                turn_id += 1
                prompt = (f"Matter-{conversation:05d}. " if index == 0 else "") + passage(rng, pool, 100)
                reasoning = passage(rng, pool, trace_chars - 20)
                if rng.random() < 0.01:
                    reasoning += " Force majeure applies."
                if rng.random() < 0.02:
                    reasoning += CHINESE
                answer = passage(rng, pool, 200)
                trace_total += len(reasoning)
                insert("turns", turn_row(turn_id, conversation, index, prompt, day, (path_, size, sha)))
                half = len(reasoning) // 2
                for seq, (raw, thought, said) in enumerate(
                    (
                        ("[THINK]" + reasoning[:half], reasoning[:half], ""),
                        (reasoning[half:] + "[/THINK]" + answer, reasoning[half:], answer),
                    )
                ):
                    chunk_id += 1
                    insert(
                        "turn_chunks",
                        {
                            "id": chunk_id,
                            "turn_id": turn_id,
                            "seq": seq,
                            "raw": raw,
                            "reasoning": thought,
                            "answer": said,
                            "saved_at": stamp(day, conversation, 1),
                        },
                    )
                insert(
                    "turn_outcomes",
                    {
                        "id": turn_id,
                        "turn_id": turn_id,
                        "status": "completed",
                        "finish_reason": "stop",
                        "error": None,
                        "completion_tokens": 180,
                        "tokens_per_second": 25.5,
                        "time_to_first_token_ms": 310.0,
                        "finished_at": stamp(day, conversation, 2),
                    },
                )
            if conversation % 50 == 0:
                image_id += 1
                insert(
                    "turn_images",
                    {
                        "id": image_id,
                        "turn_id": first_turn,
                        "position": 0,
                        "filename": "scan.png",
                        "sha256": image_sha,
                        "media_type": "image/png",
                        "width": 20,
                        "height": 10,
                        "bytes": len(image),
                        "sent_to_model": False,
                        "sent_sha256": None,
                        "sent_width": None,
                        "sent_height": None,
                    },
                )
            if conversation % 10 == 3:
                note_id += 1
                insert(
                    "annotations",
                    {
                        "id": note_id,
                        "turn_id": first_turn,
                        "flag": "concern" if conversation % 30 == 3 else "ok",
                        "comment": "Reviewer note: " + passage(rng, pool, 60),
                        "author": "Dr. R",
                        "os_user": "bench",
                        "created_at": stamp(day, conversation, 3),
                    },
                )
            if conversation % 20 == 7:
                signoff_id += 1
                insert(
                    "signoffs",
                    {
                        "id": signoff_id,
                        "conversation_id": conversation,
                        "meaning": "approved",
                        "printed_name": "Dr. R",
                        "reason": "Checked.",
                        "os_user": "bench",
                        "signed_at": stamp(day, conversation, 4),
                        "ledger_head": ledger.head(connection)[1],
                    },
                )
        written = time.perf_counter() - started
        started = time.perf_counter()
        indexed = search.rebuild(connection)
        index_seconds = time.perf_counter() - started
    store.close()
    return {
        "turns": turn_id,
        "trace_chars": trace_total,
        "written_s": written,
        "index_s": index_seconds,
        "indexed": indexed,
    }


def stamp(day: date, n: int, offset: int = 0) -> str:
    return f"{day.isoformat()}T{9 + n % 10:02d}:{n // 60 % 60:02d}:{n % 60:02d}.{offset:03d}Z"


def turn_row(
    turn_id: int, conversation: int, index: int, prompt: str, day: date, model: tuple
) -> dict[str, Any]:
    path, size, sha = model
    return {
        "id": turn_id,
        "conversation_id": conversation,
        "turn_index": index,
        "prompt": prompt,
        "system_prompt": "You are a careful legal analyst.",
        "messages_json": json.dumps([{"role": "user", "content": prompt}]),
        "rendered_prompt": f"[INST]{prompt}[/INST]",
        "rendered_prompt_sha256": "a" * 64,
        "prompt_tokens": 40,
        "template_source": "gguf",
        "template_sha256": "b" * 64,
        "preset": "magistral",
        "params_json": '{"max_tokens": 2048, "seed": 1, "temperature": 0.7}',
        "require_reasoning": 1,
        "model_path": path,
        "model_size": size,
        "model_sha256": sha,
        "runtime_version": "llama-cpp-python 0.3.36",
        "app_version": "0.1.0",
        "os_user": "bench",
        "started_at": stamp(day, conversation, 0),
        "projector_path": None,
        "projector_size": None,
        "projector_sha256": None,
    }


def listing_before_review_states(store: Store) -> int:
    """The conversation list as it was computed before review states (for comparison)."""
    from sqlalchemy.orm import Session

    from app.storage.models import ConversationRow, TurnOutcomeRow, TurnRow

    with Session(store.engine) as session:
        counts = dict(
            session.execute(
                select(TurnRow.conversation_id, func.count()).group_by(TurnRow.conversation_id)
            ).all()
        )
        last = dict(
            session.execute(
                select(TurnRow.conversation_id, func.max(TurnRow.id)).group_by(TurnRow.conversation_id)
            ).all()
        )
        statuses = dict(
            session.execute(
                select(TurnOutcomeRow.turn_id, TurnOutcomeRow.status).where(
                    TurnOutcomeRow.turn_id.in_(list(last.values()))
                )
            ).all()
        )
        rows = session.scalars(select(ConversationRow).order_by(ConversationRow.id.desc())).all()
        return len([(row.id, counts.get(row.id), statuses.get(last.get(row.id, 0))) for row in rows])


def timed(runs: int, work: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def index_mb(connection: Connection) -> float | None:
    try:
        return (
            connection.execute(
                text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_text%'")
            ).scalar_one()
            / 1e6
        )
    except Exception:  # dbstat is an optional SQLite feature
        return None


def measure_store(
    path: Path, runs: int, conversations: int
) -> tuple[list[tuple[str, list[float], str]], dict[str, Any]]:
    rows: list[tuple[str, list[float], str]] = []
    opened: list[Store] = []
    rows.append(
        ("open the record (includes quick_check)", timed(runs, lambda: opened.append(Store(path))), "ms")
    )
    for extra in opened[1:]:
        extra.close()
    store = opened[0]
    facts: dict[str, Any] = {"rss_store_mb": rss_mb()}
    with store.engine.connect() as connection:
        facts["index_mb"] = index_mb(connection)
    rows.append(("list all (with review state etc.)", timed(runs, store.list_conversations), "ms"))
    rows.append(
        (
            "list, as before this change (baseline)",
            timed(runs, lambda: listing_before_review_states(store)),
            "ms",
        )
    )
    middle = date(2025, 6, 1)
    filters = {
        "browse: signed": SessionFilter(review_state=ReviewState.SIGNED),
        "browse: flagged": SessionFilter(flagged_only=True),
        "browse: one model": SessionFilter(model="qwen3"),
        "browse: one month": SessionFilter(date_from=middle, date_to=middle + timedelta(days=30)),
    }
    for name, chosen in filters.items():
        facts[name] = len(store.browse(chosen))
        rows.append(
            (f"{name} ({facts[name]:,} found)", timed(runs, lambda chosen=chosen: store.browse(chosen)), "ms")
        )
    rng = random.Random(5)
    ids = [rng.randint(1, conversations) for _ in range(runs)]
    samples = []
    for conversation_id in ids:
        started = time.perf_counter()
        store.conversation(conversation_id)
        samples.append((time.perf_counter() - started) * 1000)
    rows.append(("open a conversation (Store.conversation)", samples, "ms"))
    for name, pattern in QUERIES.items():
        query = pattern.format(middle=conversations // 2 + 1)
        hits = store.search(query, limit=200)
        found = store.browse(SessionFilter(text=query))
        rows.append(
            (
                f"search {name}: {len(hits)} hits",
                timed(runs, lambda q=query: store.search(q, limit=200)),
                "ms",
            )
        )
        rows.append(
            (
                f"  … its conversations ({len(found):,})",
                timed(runs, lambda q=query: store.browse(SessionFilter(text=q))),
                "ms",
            )
        )
    store.close()
    return rows, facts


def measure_window(path: Path, runs: int) -> tuple[list[tuple[str, list[float], str]], dict[str, float]]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.session_browser import SessionBrowser

    app = QApplication.instance() or QApplication([])
    store = Store(path)
    browser = SessionBrowser(store)
    browser.show()

    def until_shown(start: Callable[[], object]) -> float:
        loop = QEventLoop()
        browser.results_shown.connect(loop.quit)
        QTimer.singleShot(60_000, loop.quit)
        started = time.perf_counter()
        start()
        loop.exec()
        browser.results_shown.disconnect(loop.quit)
        return (time.perf_counter() - started) * 1000

    rows: list[tuple[str, list[float], str]] = []
    rows.append(
        ("window: list every conversation", [until_shown(browser.refresh) for _ in range(runs)], "ms")
    )
    for query in ("force majeure", "the parties", "合同"):
        browser.query.setText(query)
        samples, worker = [], []
        for _ in range(runs):
            samples.append(until_shown(browser.run_search))
            worker.append(browser.shown.seconds * 1000 if browser.shown else 0.0)
        rows.append((f"window: “{query}”, until on screen", samples, "ms"))
        rows.append(("  … of which the query, off the GUI thread", worker, "ms"))
    opening = []
    for row in range(min(runs, browser.hits.count())):
        item = browser.hits.item(row * 7 % browser.hits.count())
        started = time.perf_counter()
        browser.hits.itemActivated.emit(item)
        app.processEvents()
        opening.append((time.perf_counter() - started) * 1000)
    rows.append(("window: open a hit (review view, scrolled)", opening, "ms"))
    facts = {"rss_window_mb": rss_mb(), "shown": len(browser.table_model.rows)}
    browser.close()
    store.close()
    return rows, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=10, help="turns per conversation")
    parser.add_argument("--trace-chars", type=int, default=500, help="reasoning characters per turn")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--keep", type=Path, help="build the record here (and keep it) instead of a temp folder"
    )
    args = parser.parse_args(argv)
    path = args.keep or Path(tempfile.mkdtemp(prefix="veritrace-store-")) / "record.db"
    if not path.exists():
        built = build(path, args.conversations, args.turns, args.trace_chars)
        print(
            f"built {args.conversations:,} conversations, {built['turns']:,} turns, "
            f"{built['trace_chars'] / 1e6:.1f} M characters of traces in {built['written_s']:.0f} s; "
            f"search index of {built['indexed']:,} texts in {built['index_s']:.1f} s"
        )
    size = sum(part.stat().st_size for part in path.parent.glob(path.name + "*")) / 1e6
    rows, facts = measure_store(path, args.runs, args.conversations)
    window_rows, window = measure_window(path, args.runs)
    index = f", of which the search index {facts['index_mb']:.0f} MB" if facts["index_mb"] else ""
    print(f"database {size:.0f} MB{index}; {args.runs} runs\n")
    print(table(rows + window_rows))
    print(
        f"\nRSS: {facts['rss_store_mb']:.0f} MB with the record open, "
        f"{window['rss_window_mb']:.0f} MB with the Sessions window listing {window['shown']:,} conversations"
    )
    print(
        "goals: open a conversation < 100 ms; search < 100 ms; the window's search < 50 ms off the GUI thread"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
