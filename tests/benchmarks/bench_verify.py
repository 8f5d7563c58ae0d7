"""Ledger verification time at scale: N turns' worth of rows and entries, verified end to end.

    python -m tests.benchmarks.bench_verify [--entries 100000] [--runs 3]

Rows are written in bulk in one transaction (the app writes them one commit at a time;
only verification is measured here). Each turn contributes a turn row, three output
chunks of about 600 characters and an outcome, so entries = 5 x turns + conversations.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from app.storage import ledger
from app.storage.repository import Store
from tests.benchmarks.common import table

TRACE = ("The clause limits liability to twelve months of fees; gross negligence is carved out. " * 7)[:600]


def build(path: Path, entries: int) -> int:
    store = Store(path)
    turns = max(1, entries // 5)
    with store.engine.begin() as connection:

        def insert(table_name: str, row: dict[str, object]) -> None:
            columns = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            connection.execute(text(f"INSERT INTO {table_name} ({columns}) VALUES ({values})"), row)
            ledger.append(connection, "bench", "bench", ledger.TABLES[table_name][1], table_name, row)

        chunk_id = 0
        for index in range(turns):
            conversation = index // 10 + 1
            if index % 10 == 0:
                insert(
                    "conversations",
                    {
                        "id": conversation,
                        "title": f"Matter {conversation}",
                        "created_at": "2026-11-23T10:00:00.000Z",
                        "created_by": "bench",
                    },
                )
            turn = {
                "id": index + 1,
                "conversation_id": conversation,
                "turn_index": index % 10,
                "prompt": "Is it enforceable?",
                "system_prompt": "SYS",
                "messages_json": json.dumps([{"role": "user", "content": "q"}]),
                "rendered_prompt": "<user>q",
                "rendered_prompt_sha256": "a" * 64,
                "prompt_tokens": 12,
                "template_source": "gguf",
                "template_sha256": "b" * 64,
                "preset": "magistral",
                "params_json": "{}",
                "require_reasoning": 0,
                "model_path": "/m.gguf",
                "model_size": 1,
                "model_sha256": "c" * 64,
                "runtime_version": "x",
                "app_version": "0.1.0",
                "os_user": "bench",
                "started_at": "2026-11-23T10:00:00.000Z",
                "projector_path": None,
                "projector_size": None,
                "projector_sha256": None,
            }
            insert("turns", turn)
            for seq in range(3):
                chunk_id += 1
                insert(
                    "turn_chunks",
                    {
                        "id": chunk_id,
                        "turn_id": index + 1,
                        "seq": seq,
                        "raw": TRACE,
                        "reasoning": TRACE,
                        "answer": "",
                        "saved_at": "2026-11-23T10:00:01.000Z",
                    },
                )
            insert(
                "turn_outcomes",
                {
                    "id": index + 1,
                    "turn_id": index + 1,
                    "status": "completed",
                    "finish_reason": "stop",
                    "error": None,
                    "completion_tokens": 300,
                    "tokens_per_second": 50.5,
                    "time_to_first_token_ms": 200.0,
                    "finished_at": "2026-11-23T10:00:06.000Z",
                },
            )
    with store.engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM ledger")).scalar_one()
    store.close()
    return int(count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="veritrace-verify-"))
    path = folder / "record.db"
    started = time.perf_counter()
    count = build(path, args.entries)
    built = time.perf_counter() - started
    timings = []
    for _ in range(args.runs):
        store = Store(path)
        started = time.perf_counter()
        result = store.verify()
        timings.append(time.perf_counter() - started)
        store.close()
        assert result.intact, result.describe()
    size = path.stat().st_size / 1e6
    print(f"{count:,} ledger entries ({size:.0f} MB database, built in {built:.1f} s); {args.runs} runs\n")
    print(table([("verify chain and every row", timings, "s")]))
    print(f"\nper entry: {min(timings) / count * 1e6:.1f} µs   (goal: 100,000 entries < 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
