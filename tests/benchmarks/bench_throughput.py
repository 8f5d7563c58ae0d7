"""Generation speed through the whole app vs raw llama-cpp-python, same model, prompt, seed, sampling.

The app path is the real one: MainWindow offscreen, the worker thread, queued signals,
the reasoning splitter, coalesced pane appends and the one-second saves to SQLite.
The baseline is ``Llama.create_completion(stream=True)`` on its own ``Llama``. Every run,
raw or app, is a process of its own, and the two alternate.

    python -m tests.benchmarks.bench_throughput [--runs 5] [--tokens 256] [--document WORDS] [--model PATH]

``--document`` puts a pasted contract of about that many words before the question, as users
of a long-context model do: prefill then dominates the time to first token. The app's time to
first token is also split into what happens before llama.cpp starts (rendering the template;
the prompt and settings are committed to the record beside the prefill), the prefill itself, and
the first token's way to the window (which waits for that commit if it is the slower).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.prompts import build_messages
from app.core.types import RunSettings
from app.runtime.backend import LoadOptions
from app.runtime.llama_backend import LlamaBackend
from app.runtime.model_files import demo_model_path
from tests.benchmarks.common import child_json, demo_settings, summary, table

PROMPT = "Write a detailed story about a lighthouse keeper who finds a message in a bottle."
CLAUSES = (
    "The Supplier shall deliver the Goods to the Site on the Delivery Date.",
    "Risk in the Goods passes to the Customer on delivery; title passes on payment in full.",
    "Either party may terminate this Agreement by written notice if the other commits a material breach.",
    "Neither party is liable for any delay caused by an event beyond its reasonable control.",
    "The Customer shall pay each invoice within thirty days of its date.",
    "This Agreement is governed by the laws of England and Wales.",
)


def document_prompt(words: int) -> str:
    """A pasted contract of about ``words`` words, then the question."""
    clauses: list[str] = []
    while sum(len(clause.split()) for clause in clauses) < words:
        clauses.append(f"{len(clauses) + 1}. {CLAUSES[len(clauses) % len(CLAUSES)]}")
    return "\n".join(clauses) + "\n\nWhich clauses limit the Supplier's liability, and how?"


def raw_run(model: Path, settings: RunSettings, prompt: str) -> dict[str, float]:
    """Baseline: llama-cpp-python's own streaming completion on the same prompt tokens."""
    import llama_cpp

    helper = LlamaBackend()
    helper.load(model, LoadOptions.from_params(settings.params))
    prepared = helper.prepare(build_messages(settings.system_prompt, [], prompt), settings)
    helper.close()
    params = settings.params
    llm = llama_cpp.Llama(model_path=str(model), n_ctx=params.n_ctx, verbose=False)
    tokens = llm.tokenize(prepared.text.encode(), add_bos=False, special=True)
    start = time.perf_counter()
    first = last = 0.0
    count = 0
    for chunk in llm.create_completion(
        tokens,
        max_tokens=params.max_tokens,
        temperature=params.temperature,
        top_p=params.top_p,
        top_k=params.top_k,
        min_p=params.min_p,
        repeat_penalty=params.repeat_penalty,
        seed=params.seed,
        stream=True,
    ):
        if chunk["choices"][0]["finish_reason"] is not None and not chunk["choices"][0]["text"]:
            continue  # the closing chunk carries no token
        last = time.perf_counter()
        if count == 0:
            first = last
        count += 1
    llm.close()
    return {**_result(start, first, last, count), "prompt_tokens": len(tokens)}


def app_run(model: Path, settings: RunSettings, prompt: str) -> dict[str, float]:
    """The full app: window, controller, worker thread, panes, record."""
    from PySide6.QtCore import QEventLoop, QObject
    from PySide6.QtWidgets import QApplication

    from app.services.config import AppConfig, save_config
    from app.services.session import OutputWaiting
    from app.storage.repository import Store
    from app.ui.application import configure_process
    from app.ui.main_window import MainWindow

    configure_process()  # the same process settings as the real app
    _app = QApplication.instance() or QApplication([])  # must exist before any widget
    home = tempfile.mkdtemp(prefix="veritrace-bench-")
    os.environ["VERITRACE_HOME"] = home
    config = AppConfig(model_path=None, settings=settings)
    save_config(config)
    store = Store(Path(home) / "veritrace.db")
    marks: dict[str, float] = {}

    class TimedBackend(LlamaBackend):
        """Marks when generation is asked for: the prompt and settings are in the record by then."""

        def generate(self, *args: Any, **kwargs: Any) -> Any:
            marks.setdefault("prefill", time.perf_counter())
            return TimedGeneration(super().generate(*args, **kwargs))

    class TimedGeneration:
        """Marks the first token leaving llama.cpp, in the worker thread."""

        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def __iter__(self) -> Any:
            for delta in self._inner:
                marks.setdefault("first_worker", time.perf_counter())
                yield delta

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

    class GuiMarks(QObject):
        """A slot on the GUI thread: the worker's signal reaches it queued, as the window's do."""

        def first(self, event: object) -> None:
            if isinstance(event, OutputWaiting) and "first" not in marks:
                marks["first"] = time.perf_counter()
                marks["gui_cpu_first"] = time.thread_time()

    window = MainWindow(store, TimedBackend(), config, modal_errors=False)
    controller = window.controller
    gui = GuiMarks()
    # First token: the first text reaching the GUI thread. Last: the finished turn reaching the
    # window, after the final commit, so the app's figure is, if anything, pessimistic.
    controller.events.connect(gui.first)
    # A real event loop, as in the app: the GUI thread sleeps (and releases the GIL) when idle.
    loop = QEventLoop()
    controller.model_changed.connect(lambda _m: loop.quit())
    result: list[object] = []
    controller.turn_finished.connect(
        lambda turn: (marks.setdefault("last", time.perf_counter()), result.append(turn), loop.quit())
    )
    os.environ["VERITRACE_DEMO_MODEL"] = str(model)
    controller.start()
    loop.exec()
    window.composer.editor.setPlainText(prompt)
    marks["start"] = time.perf_counter()
    controller.send(prompt)
    loop.exec()
    gui_cpu = time.thread_time() - marks["gui_cpu_first"]  # the window's own work while generating
    turn = result[0]
    controller.shutdown()
    window.deleteLater()
    store.close()
    timing = _result(marks["start"], marks["first"], marks["last"], turn.completion_tokens)  # type: ignore[attr-defined]
    return {
        **timing,
        "before_prefill_ms": (marks["prefill"] - marks["start"]) * 1000,
        "prefill_to_first_ms": (marks["first_worker"] - marks["prefill"]) * 1000,
        "to_window_ms": (marks["first"] - marks["first_worker"]) * 1000,
        "gui_cpu_percent": gui_cpu / (marks["last"] - marks["first"]) * 100,
    }


def child_run(kind: str, args: argparse.Namespace) -> dict[str, float]:
    """One run in a process of its own.

    llama.cpp's CPU backend runs on OpenMP, whose thread team belongs to the thread that calls
    it: a raw run on the main thread would leave a team behind that competes with the app's
    worker-thread team (measured: the app's prefill up to 40% slower in a shared process).
    """
    arguments = ["--tokens", str(args.tokens), "--document", str(args.document), "--model", str(args.model)]
    return child_json("bench_throughput", kind, arguments)  # type: ignore[no-any-return]


def _result(start: float, first: float, last: float, count: int) -> dict[str, float]:
    return {
        "tokens": count,
        "ttft_ms": (first - start) * 1000,
        "tokens_per_second": (count - 1) / (last - first) if count > 1 and last > first else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument(
        "--document", type=int, default=0, help="words of pasted contract before the question"
    )
    parser.add_argument("--model", type=Path, default=demo_model_path())
    parser.add_argument("--child", choices=("raw", "app"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = demo_settings(args.tokens)
    prompt = document_prompt(args.document) if args.document else PROMPT
    if args.child is not None:
        run = raw_run if args.child == "raw" else app_run
        print(json.dumps(run(args.model, settings, prompt)))
        return 0
    raw: list[dict[str, float]] = []
    app: list[dict[str, float]] = []
    for index in range(args.runs):  # alternate so drift (heat, other load) hits both alike
        for kind in ("raw", "app") if index % 2 == 0 else ("app", "raw"):
            (raw if kind == "raw" else app).append(child_run(kind, args))
    print(
        f"model: {args.model.name}; prompt {raw[0]['prompt_tokens']:,} tokens; "
        f"{args.runs} runs of up to {args.tokens} tokens; seed 1234\n"
    )
    print(
        table(
            [
                ("raw llama-cpp-python tokens/s", [r["tokens_per_second"] for r in raw], "tok/s"),
                (
                    "app (worker, signals, panes, SQLite) tokens/s",
                    [r["tokens_per_second"] for r in app],
                    "tok/s",
                ),
                ("raw time to first token", [r["ttft_ms"] for r in raw], "ms"),
                ("app time to first token", [r["ttft_ms"] for r in app], "ms"),
                ("  … before prefill (template)", [r["before_prefill_ms"] for r in app], "ms"),
                ("  … prefill to first token (llama.cpp)", [r["prefill_to_first_ms"] for r in app], "ms"),
                ("  … first token reaching the window", [r["to_window_ms"] for r in app], "ms"),
                ("app: window thread's CPU while generating", [r["gui_cpu_percent"] for r in app], "%"),
                ("raw tokens generated", [r["tokens"] for r in raw], "tokens"),
                ("app tokens generated", [r["tokens"] for r in app], "tokens"),
            ]
        )
    )
    speed = (
        summary([r["tokens_per_second"] for r in app])[0] / summary([r["tokens_per_second"] for r in raw])[0]
    )
    raw_ttft = summary([r["ttft_ms"] for r in raw])[0]
    ttft = summary([r["ttft_ms"] for r in app])[0] / raw_ttft
    prefill = summary([r["prefill_to_first_ms"] for r in app])[0] / raw_ttft
    paired = summary([a["tokens_per_second"] / r["tokens_per_second"] for a, r in zip(app, raw, strict=True)])
    print(f"\nratio app/raw tokens/s (median): {speed:.3f}   (goal >= 0.97)")
    print(f"  … paired runs: median {paired[0]:.3f}, min {paired[1]:.3f}, max {paired[2]:.3f}")
    paired_ttft = summary([a["ttft_ms"] / r["ttft_ms"] for a, r in zip(app, raw, strict=True)])
    print(f"ratio app/raw time to first token (median): {ttft:.3f}   (goal <= 1.02)")
    print(f"  … paired runs: median {paired_ttft[0]:.3f}, min {paired_ttft[1]:.3f}, max {paired_ttft[2]:.3f}")
    print(f"  … the app's prefill alone vs raw: {prefill:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
