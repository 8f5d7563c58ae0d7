"""Memory over a long session: the app's resident memory beyond the model weights, vs raw llama-cpp-python.

    python -m tests.benchmarks.bench_memory [--turns 60] [--tokens 96] [--per-conversation 10] [--model PATH]

Each side runs in its own process. The app: the real window (offscreen), worker thread and
record, with the same model, context size and sampling as raw, holding ``--turns`` turns in
conversations of ``--per-conversation`` turns (each follow-up carries the conversation so far).
Raw: ``llama_cpp.Llama`` with the same context size, generating the same number of tokens.

Memory-mapped weights are file pages shared with the OS cache; what a process holds
*beyond the weights* is its RSS minus the resident part of the model file's mapping (read
from /proc/PID/smaps). That includes llama.cpp's KV cache and compute buffers on both sides.
Goal: the app's memory beyond the weights < 300 MB during a long session.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from app.runtime.model_files import demo_model_path
from tests.benchmarks.common import child_json, demo_settings, mapped_mb, rss_mb, started_window

PROMPTS = (
    "Summarise the duties of a trustee in plain words.",
    "Which of those duties can the trust deed change?",
    "Give an example of a breach of the duty of care.",
    "What remedies does a beneficiary have?",
)


def sample(model: Path) -> dict[str, float]:
    mapping = mapped_mb(model)
    resident = mapping[1] if mapping else 0.0
    total = rss_mb()
    return {"rss_mb": total, "weights_mb": resident, "beyond_mb": total - resident}


def child_raw(model: Path, turns: int, tokens: int) -> list[dict[str, float]]:
    import llama_cpp

    params = demo_settings(tokens).params
    samples = []
    llm = llama_cpp.Llama(model_path=str(model), n_ctx=params.n_ctx, use_mmap=True, verbose=False)
    samples.append({"after": 0, **sample(model)})
    for index in range(turns):
        prompt = f"<|im_start|>user\n{PROMPTS[index % len(PROMPTS)]}<|im_end|>\n<|im_start|>assistant\n"
        llm.create_completion(prompt, max_tokens=tokens, seed=params.seed, temperature=params.temperature)
        samples.append({"after": index + 1, **sample(model)})
    return samples


def child_app(model: Path, turns: int, tokens: int, per_conversation: int) -> list[dict[str, float]]:
    from app.runtime.llama_backend import LlamaBackend
    from app.services.config import AppConfig, save_config
    from app.storage.repository import Store

    home = Path(tempfile.mkdtemp(prefix="veritrace-bench-"))
    os.environ["VERITRACE_HOME"] = str(home)
    os.environ["VERITRACE_DEMO_MODEL"] = str(model)
    config = AppConfig(model_path=None, settings=demo_settings(tokens))
    save_config(config)
    store = Store(home / "veritrace.db")
    window, loop = started_window(store, LlamaBackend(), config)
    controller = window.controller
    samples = [{"after": 0, **sample(model)}]
    for index in range(turns):
        if index % per_conversation == 0:
            controller.new_conversation()
        controller.send(PROMPTS[index % len(PROMPTS)])
        loop.exec()
        samples.append({"after": index + 1, **sample(model)})
    controller.shutdown()
    window.close()
    store.close()
    return samples


def run_child(kind: str, args: argparse.Namespace) -> list[dict[str, float]]:
    arguments = ["--turns", str(args.turns), "--tokens", str(args.tokens)]
    arguments += ["--per-conversation", str(args.per_conversation), "--model", str(args.model)]
    return child_json("bench_memory", kind, arguments)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--tokens", type=int, default=96)
    parser.add_argument("--per-conversation", type=int, default=10)
    parser.add_argument("--model", type=Path, default=demo_model_path())
    parser.add_argument("--child", choices=("app", "raw"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.model = args.model.resolve()
    if args.child == "raw":
        print(json.dumps(child_raw(args.model, args.turns, args.tokens)))
        return 0
    if args.child == "app":
        print(json.dumps(child_app(args.model, args.turns, args.tokens, args.per_conversation)))
        return 0
    started = time.perf_counter()
    raw = run_child("raw", args)
    app = run_child("app", args)
    elapsed = time.perf_counter() - started
    n_ctx = demo_settings(args.tokens).params.n_ctx
    print(
        f"model: {args.model.name}; n_ctx {n_ctx:,}; {args.turns} turns of up to {args.tokens} tokens, "
        f"{args.per_conversation} per conversation ({elapsed:.0f} s)\n"
    )
    print(f"{'measure':<44} {'raw':>10} {'app':>10} {'app-raw':>10}  unit")
    print("-" * 84)
    half = len(app) // 2
    rows = [
        ("RSS after loading the model", raw[0]["rss_mb"], app[0]["rss_mb"]),
        ("  of which model weights (mapped, resident)", raw[0]["weights_mb"], app[0]["weights_mb"]),
        ("beyond the weights, after loading", raw[0]["beyond_mb"], app[0]["beyond_mb"]),
        ("beyond the weights, after the first turn", raw[1]["beyond_mb"], app[1]["beyond_mb"]),
        (f"beyond the weights, after turn {half}", raw[half]["beyond_mb"], app[half]["beyond_mb"]),
        (f"beyond the weights, after turn {args.turns}", raw[-1]["beyond_mb"], app[-1]["beyond_mb"]),
        ("beyond the weights, peak", max(s["beyond_mb"] for s in raw), max(s["beyond_mb"] for s in app)),
    ]
    for name, raw_value, app_value in rows:
        print(f"{name:<44} {raw_value:>10.1f} {app_value:>10.1f} {app_value - raw_value:>10.1f}  MB")
    turns_late = len(app) - 1 - half
    growth = (app[-1]["beyond_mb"] - app[half]["beyond_mb"]) * 1024 / turns_late if turns_late else 0.0
    peak = max(s["beyond_mb"] for s in app)
    print(f"\napp memory beyond the weights, peak: {peak:.0f} MB   (goal < 300 MB)")
    print(f"growth over the second half of the session: {growth:.0f} KB per turn")
    print(f"ratio app/raw beyond the weights, peak: {peak / max(s['beyond_mb'] for s in raw):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
