"""Time to first token on a large model file whose hash is not cached yet, before and after.

    python -m tests.benchmarks.bench_first_token [--size 4] [--runs 6] [--dense] [--warm]

The model is the tiny test GGUF (``tests/fixtures/tiny_models.py``) padded to ``--size`` GiB:
llama.cpp maps only the tensors, its first few megabytes, so loading and the first token stay
the tiny model's, while hashing the file costs what hashing a real model of that size costs.
By default the padding is a sparse hole, read as zero pages without touching the disk;
``--dense`` writes random bytes instead, so hashing reads the disk as it does for a real model.

Four ways, each run in a process of its own with a fresh record, timed from calling in to
the first streamed text:

- raw: ``llama_cpp.Llama(path)`` and its first streamed token, the model's own load (baseline);
- unhashed: the app's load and turn (``ChatService.load_model`` and ``run_turn`` with
  ``LlamaBackend``) finding the file's hash cached and hashing nothing: what the app itself
  adds to raw (the GGUF inspector's child process, the record), with no hash in the way;
- before: the old load, hash then load: ``sha256_file`` in full, then the same as unhashed
  (the old load hashed once, up front, and never in the background);
- after: the app's load and turn as they are now, on a cold hash cache: the hash runs in the
  background while the model loads and the turn begins (a file over ``hash_inline_bytes`` is
  not waited for); also timed, until that hash finished.

Before each run the OS page cache is dropped (``/proc/sys/vm/drop_caches``) where this
process may, unless ``--warm``; the output says whether it was. Every process first loads the
unpadded model once (not timed): importing llama.cpp and its one-time setup are in no figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any
from unittest import mock

from tests.benchmarks.common import child_json, demo_settings, summary, table

PROMPT = "Is a penalty clause in a supply contract enforceable?"
TOKENS = 16
GIB = 1024**3
CHUNK = 16 * 1024 * 1024
KINDS = ("raw", "unhashed", "before", "after")
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def make_model(folder: Path, size_gib: float, dense: bool) -> tuple[Path, Path]:
    """The tiny model and a copy of it padded to ``size_gib`` GiB (a sparse hole, or random bytes)."""
    from tests.fixtures.tiny_models import build_text_model

    tiny = build_text_model(folder / "tiny.gguf")
    large = folder / f"padded-{size_gib:g}GiB.gguf"
    shutil.copyfile(tiny, large)
    size = int(size_gib * GIB)
    if not dense:
        os.truncate(large, size)
        return tiny, large
    with large.open("ab") as handle:
        while (left := size - handle.tell()) > 0:
            handle.write(os.urandom(min(CHUNK, left)))
        handle.flush()
        os.fsync(handle.fileno())
    return tiny, large


def drop_page_cache() -> bool:
    """Drop the OS page cache, so the file is read from disk; False if this process may not."""
    try:
        os.sync()
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


class FirstText:
    """A ``TurnSink`` that notes when the first reasoning or answer text arrives."""

    def __init__(self) -> None:
        self.first: float | None = None

    def turn_started(self, turn: Any) -> None:
        pass

    def reasoning(self, text: str) -> None:
        self._mark()

    def answer(self, text: str) -> None:
        self._mark()

    def progress(self, completion_tokens: int, tokens_per_second: float) -> None:
        pass

    def _mark(self) -> None:
        if self.first is None:
            self.first = time.perf_counter()


def warm_up(tiny: Path) -> str:
    """Load the unpadded model once through the app's backend; return the prompt as rendered."""
    from app.core.prompts import build_messages
    from app.runtime.backend import LoadOptions
    from app.runtime.llama_backend import LlamaBackend

    settings = demo_settings(TOKENS)
    backend = LlamaBackend()
    backend.load(tiny, LoadOptions.from_params(settings.params))
    prepared = backend.prepare(build_messages(settings.system_prompt, [], PROMPT), settings)
    backend.close()
    return prepared.text


def raw_run(model: Path, tiny: Path) -> dict[str, Any]:
    """Baseline: llama-cpp-python alone, its load and its first streamed token."""
    import llama_cpp

    rendered = warm_up(tiny)
    params = demo_settings(TOKENS).params
    start = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=str(model),
        n_ctx=params.n_ctx,
        n_threads=params.n_threads or None,
        n_gpu_layers=params.n_gpu_layers,
        use_mmap=True,
        verbose=False,
    )
    loaded = time.perf_counter()
    tokens = llm.tokenize(rendered.encode(), add_bos=False, special=True)
    stream = llm.create_completion(
        tokens,
        max_tokens=params.max_tokens,
        temperature=params.temperature,
        top_p=params.top_p,
        top_k=params.top_k,
        min_p=params.min_p,
        repeat_penalty=params.repeat_penalty,
        seed=params.seed,
        stream=True,
    )
    next(iter(stream))
    first = time.perf_counter()
    llm.close()
    return {"first_s": first - start, "load_s": loaded - start}


def app_run(model: Path, tiny: Path, kind: str, cached: dict[str, Any]) -> dict[str, Any]:
    """The app's load and turn on a fresh record; ``kind``: unhashed, before or after (see above).

    ``cached``: the file's identity and hash, taken by the parent, for ``unhashed`` to find.
    """
    from app.core.cancel import CancelToken
    from app.core.hashing import sha256_file
    from app.core.identity import FileIdentity, file_identity
    from app.runtime.llama_backend import LlamaBackend
    from app.services import chat
    from app.services.model_check import LoadCheck, OpenedFile, State
    from app.storage.repository import Store

    class TrustedCheck(LoadCheck):
        """The old load hashed before loading and never again: take the hash cached."""

        def _hash(self, opened: OpenedFile) -> None:
            opened.sha256, opened.state = opened.cached, State.DONE

    warm_up(tiny)
    settings = demo_settings(TOKENS)
    path = model.resolve()
    store = Store(Path(tempfile.mkdtemp(prefix="veritrace-bench-")) / "veritrace.db")
    if kind == "unhashed":  # identified by the parent: not one byte of the file read here yet
        store.remember_model_hash(str(path), FileIdentity(**cached["identity"]), cached["sha256"])
    service = chat.ChatService(store, LlamaBackend(), user="bench")
    marks: dict[str, float] = {}

    def hashed() -> None:  # from the hash thread: hashed in full, or the file changed
        marks.setdefault("hashed", time.perf_counter())

    service.on_check = hashed
    sink = FirstText()
    trusted = (
        mock.patch.object(chat, "LoadCheck", TrustedCheck) if kind != "after" else contextlib.nullcontext()
    )
    start = time.perf_counter()
    with trusted:
        if kind == "before":
            store.remember_model_hash(str(path), file_identity(path), sha256_file(path))
        hashed_first = time.perf_counter()
        service.load_model(model, settings)
        loaded = time.perf_counter()
        turn = service.run_turn(None, PROMPT, settings, sink, CancelToken())
    assert sink.first is not None, "the turn streamed no text"
    service.settle(wait=None)
    check = str(store.turn(turn.id).model_check)
    assert kind == "after" or check == "verified", f"{kind}: the hash was not found cached ({check})"
    service.release_model()
    service.backend.close()
    store.close()
    return {
        "first_s": sink.first - start,
        "load_s": loaded - hashed_first,
        "hash_first_s": hashed_first - start,
        "after_hash_first_s": sink.first - hashed_first,
        "hashed_s": marks["hashed"] - start,
        "check": check,
    }


def child_run(kind: str, model: Path, tiny: Path, cached: dict[str, Any]) -> dict[str, Any]:
    """One run in a process of its own (llama.cpp's OpenMP threads its own, nothing left loaded)."""
    arguments = ["--model", str(model), "--tiny", str(tiny), "--cached", json.dumps(cached)]
    return child_json("bench_first_token", kind, arguments)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=float, default=4.0, help="GiB the model file is padded to")
    parser.add_argument("--runs", "--repeat", type=int, default=6)
    parser.add_argument("--dense", action="store_true", help="pad with random bytes, not a sparse hole")
    parser.add_argument("--warm", action="store_true", help="leave the OS page cache alone (smoke test)")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tiny", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cached", type=json.loads, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        if args.child == "raw":
            result = raw_run(args.model, args.tiny)
        else:
            result = app_run(args.model, args.tiny, args.child, args.cached)
        print(json.dumps(result))
        return 0
    from app.core.hashing import sha256_file
    from app.core.identity import file_identity

    folder = Path(tempfile.mkdtemp(prefix="veritrace-first-token-"))
    try:
        started = time.perf_counter()
        tiny, model = make_model(folder, args.size, args.dense)
        made = time.perf_counter() - started
        cached = {"identity": asdict(file_identity(model.resolve())), "sha256": sha256_file(model)}
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
        dropped: bool | None = None if args.warm else True
        for index in range(args.runs):
            # Forwards, then backwards, so drift (other load, a virtual disk's host cache that
            # no guest can drop) hits every way alike.
            for kind in KINDS if index % 2 == 0 else KINDS[::-1]:
                if dropped is not None:
                    dropped = drop_page_cache() and dropped
                runs[kind].append(child_run(kind, model, tiny, cached))
        report(args, model, made, dropped, runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def report(
    args: argparse.Namespace,
    model: Path,
    made: float,
    dropped: bool | None,
    runs: dict[str, list[dict[str, Any]]],
) -> None:
    from app.services.chat import HASH_INLINE_BYTES

    raw, unhashed, before, after = (runs[kind] for kind in KINDS)
    padding = "random bytes" if args.dense else "a sparse hole (zero pages, no disk read)"
    if dropped is None:
        cache = "OS page cache left as it was (--warm): the file may be cached"
    elif dropped:
        cache = "OS page cache dropped before every run"
    else:
        cache = "OS page cache NOT dropped (/proc/sys/vm/drop_caches not writable): the file may be cached"
    print(
        f"model: the tiny GGUF padded to {model.stat().st_size / GIB:g} GiB with {padding}, made in "
        f"{made:.1f} s\n{args.runs} runs, each way in a process of its own with a fresh record; {cache}; "
        f"{os.cpu_count()} CPUs; files over {HASH_INLINE_BYTES // 2**20} MiB are not waited for\n"
    )
    print(
        table(
            [
                ("raw: Llama() to first token", [r["first_s"] for r in raw], "s"),
                ("  … of which Llama()", [r["load_s"] for r in raw], "s"),
                ("app, hash cached, nothing hashing", [r["first_s"] for r in unhashed], "s"),
                ("  … of which load_model", [r["load_s"] for r in unhashed], "s"),
                ("before: hash, then load, to first token", [r["first_s"] for r in before], "s"),
                ("  … of which hashing the file (sha256_file)", [r["hash_first_s"] for r in before], "s"),
                (
                    "  … then load to first token (file cached)",
                    [r["after_hash_first_s"] for r in before],
                    "s",
                ),
                ("after: load to first token, hash beside it", [r["first_s"] for r in after], "s"),
                ("  … of which load_model", [r["load_s"] for r in after], "s"),
                ("after: background hash finished", [r["hashed_s"] for r in after], "s"),
            ]
        )
    )
    print()
    ratio("after/raw", after, raw, "   (goal: no added wait)")
    ratio("before/raw", before, raw)
    ratio("after / app with nothing hashing", after, unhashed)
    checks = ", ".join(sorted({r["check"] for r in after}))
    print(f"after: the turns recorded their model hash as {checks}")


def ratio(name: str, side: list[dict[str, Any]], baseline: list[dict[str, Any]], goal: str = "") -> None:
    median = summary([r["first_s"] for r in side])[0] / summary([r["first_s"] for r in baseline])[0]
    paired = summary([s["first_s"] / b["first_s"] for s, b in zip(side, baseline, strict=True)])
    print(f"ratio {name} time to first token (median): {median:.2f}{goal}")
    print(f"  … paired runs: median {paired[0]:.2f}, min {paired[1]:.2f}, max {paired[2]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
