"""JSON audit bundle of many conversations: scope read, export (folder and zip), standalone verify.

    python -m tests.benchmarks.bench_bundle [--conversations 1000] [--turns 3] [--runs 3]

The record is written in bulk in one transaction (the app writes one commit at a time;
only the export is measured here). Each conversation has ``--turns`` turns of two output
chunks (about 600 characters of reasoning, 300 of answer) and an outcome; its first turn has
an image (original and the copy the model saw) and an annotation; every other conversation
is signed off. The verifier runs as a third party would: ``python -I -S verify_bundle.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Connection, text

from app.services.bundle_export import BundleResult, export_bundle
from app.services.signing import installation_key
from app.storage import ledger
from app.storage.repository import Store
from tests.benchmarks.common import table

TRACE = ("The clause limits liability to twelve months of fees; gross negligence is carved out. " * 7)[:600]
ANSWER = ("Yes: the cap holds, except for gross negligence and wilful misconduct. " * 5)[:300]
AT = "2026-11-23T10:00:00.000Z"


def png(index: int, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (index % 256, index // 256 % 256, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def build(path: Path, conversations: int, turns: int) -> int:
    """A record of ``conversations`` conversations; returns its number of ledger entries."""
    store = Store(path)
    with store.engine.begin() as connection:
        insert = _inserter(connection)
        insert(
            "model_files",
            {"id": 1, "path": "/m.gguf", "size": 1, "mtime_ns": 1, "sha256": "c" * 64, "hashed_at": AT},
        )
        turn_id = chunk_id = 0
        for conversation in range(1, conversations + 1):
            insert(
                "conversations",
                {
                    "id": conversation,
                    "title": f"Matter {conversation}",
                    "created_at": AT,
                    "created_by": "bench",
                },
            )
            for index in range(turns):
                turn_id += 1
                insert("turns", _turn(turn_id, conversation, index))
                if index == 0:
                    _image(insert, turn_id, conversation)
                    insert(
                        "annotations",
                        {
                            "id": conversation,
                            "turn_id": turn_id,
                            "flag": "concern",
                            "comment": "Check the carve-out.",
                            "author": "bench",
                            "os_user": "bench",
                            "created_at": AT,
                        },
                    )
                for seq, (reasoning, answer) in enumerate(((TRACE, ""), ("", ANSWER))):
                    chunk_id += 1
                    insert(
                        "turn_chunks",
                        {
                            "id": chunk_id,
                            "turn_id": turn_id,
                            "seq": seq,
                            "raw": reasoning + answer,
                            "reasoning": reasoning,
                            "answer": answer,
                            "saved_at": AT,
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
                        "completion_tokens": 300,
                        "tokens_per_second": 21.5,
                        "time_to_first_token_ms": 180.25,
                        "finished_at": AT,
                    },
                )
            if conversation % 2 == 0:
                head = ledger.head(connection)[1]
                insert(
                    "signoffs",
                    {
                        "id": conversation // 2,
                        "conversation_id": conversation,
                        "meaning": "approved",
                        "printed_name": "Dana Reviewer",
                        "reason": "Reviewed.",
                        "os_user": "bench",
                        "signed_at": AT,
                        "ledger_head": head,
                    },
                )
        count = ledger.head(connection)[0]
    store.close()
    return count


def _inserter(connection: Connection) -> Any:
    def insert(table_name: str, row: dict[str, Any]) -> None:
        columns = ", ".join(row)
        values = ", ".join(f":{name}" for name in row)
        connection.execute(text(f"INSERT INTO {table_name} ({columns}) VALUES ({values})"), row)
        ledger.append(connection, "bench", "bench", ledger.TABLES[table_name][1], table_name, row)

    return insert


def _turn(turn_id: int, conversation: int, index: int) -> dict[str, Any]:
    return {
        "id": turn_id,
        "conversation_id": conversation,
        "turn_index": index,
        "prompt": "Is the liability cap enforceable?",
        "system_prompt": "SYS",
        "messages_json": json.dumps([{"role": "user", "content": "Is the liability cap enforceable?"}]),
        "rendered_prompt": "<user>Is the liability cap enforceable?",
        "rendered_prompt_sha256": "a" * 64,
        "prompt_tokens": 12,
        "template_source": "gguf",
        "template_sha256": "b" * 64,
        "preset": "magistral",
        "params_json": json.dumps({"temperature": 0.7, "top_p": 0.95, "seed": turn_id}, sort_keys=True),
        "require_reasoning": 0,
        "model_path": "/m.gguf",
        "model_size": 1,
        "model_sha256": "c" * 64,
        "runtime_version": "x",
        "app_version": "0.1.0",
        "os_user": "bench",
        "started_at": AT,
        "projector_path": None,
        "projector_size": None,
        "projector_sha256": None,
    }


def _image(insert: Any, turn_id: int, conversation: int) -> None:
    original, sent = png(conversation, (320, 240)), png(conversation + 500_000, (160, 120))
    for data in (original, sent):
        insert(
            "blobs",
            {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "data": data, "created_at": AT},
        )
    insert(
        "turn_images",
        {
            "id": turn_id,
            "turn_id": turn_id,
            "position": 0,
            "filename": f"exhibit{conversation}.png",
            "sha256": hashlib.sha256(original).hexdigest(),
            "media_type": "image/png",
            "width": 320,
            "height": 240,
            "bytes": len(original),
            "sent_to_model": 1,
            "sent_sha256": hashlib.sha256(sent).hexdigest(),
            "sent_width": 160,
            "sent_height": 120,
        },
    )


def verify(path: Path, script: Path) -> tuple[float, str]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(path)], capture_output=True, text=True, timeout=3600
    )
    elapsed = time.perf_counter() - started
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return elapsed, run.stdout.splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="veritrace-bundle-"))
    started = time.perf_counter()
    entries = build(folder / "record.db", args.conversations, args.turns)
    built = time.perf_counter() - started
    key = installation_key(folder)
    ids = list(range(1, args.conversations + 1))
    store = Store(folder / "record.db")
    reads: list[float] = []
    exports: dict[str, list[float]] = {"folder": [], "zip": []}
    checks: dict[str, list[float]] = {"folder": [], "zip": []}
    results: dict[str, BundleResult] = {}
    verdict = ""
    for run in range(args.runs):
        started = time.perf_counter()
        scope = store.bundle_scope(ids)
        reads.append(time.perf_counter() - started)
        for kind, name in (("folder", f"bundle-{run}"), ("zip", f"bundle-{run}.zip")):
            started = time.perf_counter()
            results[kind] = export_bundle(
                store, key, ids, "benchmark", folder / name, as_zip=kind == "zip", generated_by="bench"
            )
            exports[kind].append(time.perf_counter() - started)
        script = results["folder"].path / "verify_bundle.py"
        for kind in ("folder", "zip"):
            elapsed, verdict = verify(results[kind].path, script)
            checks[kind].append(elapsed)
    store.close()
    turns = args.conversations * args.turns
    print(
        f"{args.conversations:,} conversations, {turns:,} turns, {entries:,} ledger entries "
        f"({len(scope.records):,} in scope; built in {built:.1f} s); {args.runs} runs\n"
    )
    print(
        table(
            [
                ("read scope (one transaction)", reads, "s"),
                ("export bundle folder (scope, sign, write)", exports["folder"], "s"),
                ("export bundle zip", exports["zip"], "s"),
                ("verify folder (python -I -S verify_bundle.py)", checks["folder"], "s"),
                ("verify zip", checks["zip"], "s"),
            ]
        )
    )
    per = min(exports["folder"]) / args.conversations * 1000
    share = min(reads) / min(exports["folder"])
    print(f"\nexport per conversation: {per:.2f} ms   scope read / whole export: {share:.2f}")
    print(
        f"bundle: {results['folder'].files} files, folder {results['folder'].size / 1e6:.1f} MB, "
        f"zip {results['zip'].size / 1e6:.1f} MB"
    )
    print(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
