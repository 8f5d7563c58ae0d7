"""Does llama.cpp on this CPU sample the same tokens when the thread count or batch size changes?

The same model, prompt ids, seed and sampling, run under each setting in turn; each run's
output ids are compared with the first run's. A prompt of a few hundred tokens makes the batch
size matter to the prefill (16 splits it into many batches, 512 into one). Also run: the same
prompt evaluated after an earlier prompt that shares its beginning, whose cached part
llama-cpp-python reuses instead of evaluating it again, and the same again with the cache
cleared first, as the app does before every turn.

    python -m tests.benchmarks.bench_determinism [--tokens 150] [--model PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.runtime.model_files import demo_model_path

PROMPT = "The following contract clause limits liability. " * 40 + "Write a story about a lighthouse keeper."
SETTINGS = ((2, 512), (1, 512), (2, 64), (2, 16), (1, 16))


def _sample(llm: Any, ids: list[int], tokens: int, temperature: float) -> list[int]:
    llm.set_seed(7)
    out: list[int] = []
    for token in llm.generate(ids, temp=temperature, top_p=0.95, top_k=0, min_p=0.01):
        out.append(int(token))  # past an end-of-text token too: every run samples as many
        if len(out) >= tokens:
            break
    return out


def _open(model: Path, threads: int, batch: int) -> Any:
    import llama_cpp

    return llama_cpp.Llama(
        model_path=str(model),
        n_ctx=2048,
        n_threads=threads,
        n_threads_batch=threads,
        n_batch=batch,
        n_ubatch=batch,
        verbose=False,
    )


def _compare(first: list[int], other: list[int]) -> str:
    if first == other:
        return f"identical ({len(first)} tokens)"
    pairs = zip(first, other, strict=False)
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(first), len(other)))
    return f"diverges at output token {at + 1}"


def main(argv: list[str] | None = None) -> int:
    import llama_cpp

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=150)
    parser.add_argument("--model", type=Path, default=demo_model_path())
    args = parser.parse_args(argv)
    print(f"llama-cpp-python {llama_cpp.__version__}; {args.model.name}")
    print(llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip(" |"))
    for temperature in (0.0, 0.7):
        baseline: list[int] | None = None
        for threads, batch in SETTINGS:
            llm = _open(args.model, threads, batch)
            ids = llm.tokenize(PROMPT.encode())
            out = _sample(llm, ids, args.tokens, temperature)
            llm.close()
            if baseline is None:
                baseline = out
                print(f"temperature {temperature}: {threads} threads, batch {batch}: the reference")
                continue
            print(f"temperature {temperature}: {threads} threads, batch {batch}: {_compare(baseline, out)}")
        assert baseline is not None
        llm = _open(args.model, *SETTINGS[0])
        ids = llm.tokenize(PROMPT.encode())
        _sample(llm, ids[: len(ids) // 2], 4, temperature)  # its beginning is now in the cache
        reused = _sample(llm, ids, args.tokens, temperature)
        print(
            f"temperature {temperature}: after a prompt sharing its beginning: {_compare(baseline, reused)}"
        )
        _sample(llm, ids[: len(ids) // 2], 4, temperature)
        llm.reset()  # what the app does before each turn: nothing cached is reused
        fresh = _sample(llm, ids, args.tokens, temperature)
        llm.close()
        print(f"temperature {temperature}: the same, the cache cleared first: {_compare(baseline, fresh)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
