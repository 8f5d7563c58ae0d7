"""The real runtime: llama-cpp-python with real GGUF files (the demo model and a tiny one)."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import ModelError
from app.core.presets import MAGISTRAL_SYSTEM_PROMPT, preset
from app.core.prompts import build_messages
from app.core.reasoning import split_text
from app.core.types import RunSettings, TemplateChoice
from app.runtime.backend import LoadOptions
from app.runtime.grammar import ThinkTokens, reasoning_grammar
from app.runtime.llama_backend import LlamaBackend
from tests.fixtures.control_tokens import vocab_of
from tests.fixtures.tiny_models import END_THINK_ID, THINK_ID

pytestmark = pytest.mark.e2e


@pytest.fixture
def backend():
    runtime = LlamaBackend()
    yield runtime
    runtime.close()


def seeded(
    settings: RunSettings, seed: int = 1234, require_reasoning: bool | None = None, **changes: object
) -> RunSettings:
    if require_reasoning is not None:
        settings = replace(settings, require_reasoning=require_reasoning)
    return replace(settings, params=replace(settings.params, seed=seed, **changes))  # type: ignore[arg-type]


def run(backend: LlamaBackend, settings: RunSettings, prompt: str, cancel: CancelToken | None = None):
    prepared = backend.prepare(build_messages(settings.system_prompt, [], prompt), settings)
    generation = backend.generate(prepared, settings, cancel or CancelToken())
    return "".join(generation), generation


@pytest.mark.slow
def test_demo_model_is_forced_to_reason_by_the_grammar(backend: LlamaBackend, demo_gguf: Path) -> None:
    loaded = backend.load(demo_gguf, LoadOptions(2048, 0, 0), is_demo=True)
    assert loaded.has_chat_template and not loaded.has_think_tokens and loaded.is_demo
    raw, generation = run(backend, seeded(preset("demo")), "What is the capital of France?")
    assert raw.startswith("[THINK]") and "[/THINK]" in raw
    reasoning, answer = split_text(raw)
    assert reasoning.strip() and answer.strip()
    assert generation.finish_reason == "stop" and generation.completion_tokens > 3


@pytest.mark.slow
def test_same_seed_same_output_different_seed_differs(backend: LlamaBackend, demo_gguf: Path) -> None:
    backend.load(demo_gguf, LoadOptions(2048, 0, 0))
    settings = seeded(preset("demo"), 7, max_tokens=40, temperature=1.0)
    first, _ = run(backend, settings, "Name a colour.")
    second, _ = run(backend, settings, "Name a colour.")
    other, _ = run(backend, seeded(settings, 8), "Name a colour.")
    assert first == second
    assert other != first


@pytest.mark.slow
@pytest.mark.parametrize("which", ["demo", "tiny"])
def test_generation_reuses_the_tokens_of_the_prompt_it_prepared(
    backend: LlamaBackend, which: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.hashing import sha256_text

    model = request.getfixturevalue("demo_gguf")
    if which == "tiny":
        model = request.getfixturevalue("tiny_models")[0]
    import llama_cpp

    backend.load(model, LoadOptions(2048, 0, 0))
    settings = seeded(preset("demo"))
    prepared = backend.prepare(build_messages(settings.system_prompt, [], "Is clause 4 void?"), settings)
    tokenize = vocab_of(backend).tokenize
    expected = tokenize(prepared.text.encode("utf-8"), add_bos=False, special=True)
    calls: list[bytes] = []
    library_tokenize = llama_cpp.Llama.tokenize

    def counted(llm: llama_cpp.Llama, text: bytes, *args: object, **kwargs: object) -> list[int]:
        calls.append(text)
        return library_tokenize(llm, text, *args, **kwargs)

    monkeypatch.setattr(llama_cpp.Llama, "tokenize", counted)
    assert backend.generate(prepared, settings, CancelToken()).prefill() == expected
    assert calls == [], "the prompt was tokenized once, by prepare"
    later = backend.prepare(build_messages(settings.system_prompt, [], "And clause 5?"), settings)
    assert backend.generate(prepared, settings, CancelToken()).prefill() == expected, (
        "an earlier prompt is evaluated as the ids it was prepared with"
    )
    assert backend.generate(later, settings, CancelToken()).prefill() == tokenize(
        later.text.encode("utf-8"), add_bos=False, special=True
    )
    # A prompt without ids is prepared again from its messages, never from its text (which is
    # never read for special tokens): a text its messages do not render to is refused.
    other = replace(
        prepared, text=prepared.text + " Why?", sha256=sha256_text(prepared.text + " Why?"), token_segments=()
    )
    with pytest.raises(ModelError, match="not prepared for the model and template in use"):
        backend.generate(other, settings, CancelToken())


@pytest.mark.slow
def test_control_tokens_survive_detokenization(backend: LlamaBackend, tiny_models: tuple[Path, Path]) -> None:
    text_model, _ = tiny_models
    loaded = backend.load(text_model, LoadOptions(1024, 0, 0))
    assert loaded.has_think_tokens
    settings = seeded(preset("think-tags"), require_reasoning=True, max_tokens=1000, temperature=0.0)
    raw, _ = run(backend, settings, "hello")
    # The grammar names the control tokens by id; kept special text proves they were emitted and kept.
    assert raw.startswith("[THINK]") and "[/THINK]" in raw
    reasoning, answer = split_text(raw)
    assert reasoning and answer


def test_llama_cpp_python_itself_drops_control_tokens(tiny_models: tuple[Path, Path]) -> None:
    """The trap this backend exists to avoid: the library's own completion API loses the tags."""
    import llama_cpp
    from llama_cpp.llama_grammar import LlamaGrammar

    text_model, _ = tiny_models
    grammar = LlamaGrammar.from_string(reasoning_grammar(ThinkTokens(THINK_ID, END_THINK_ID)), verbose=False)
    llm = llama_cpp.Llama(model_path=str(text_model), n_ctx=1024, verbose=False)
    try:
        result = llm.create_completion("hello", max_tokens=40, temperature=0.0, grammar=grammar, seed=1)
    finally:
        llm.close()
    assert "[THINK]" not in result["choices"][0]["text"]


@pytest.mark.slow
def test_pinned_magistral_template_and_its_control_tokens(
    backend: LlamaBackend, tiny_models: tuple[Path, Path]
) -> None:
    text_model, _ = tiny_models
    loaded = backend.load(text_model, LoadOptions(1024, 0, 0))
    # The Magistral preset pins its template even though this file carries one of its own.
    assert preset("magistral").template == TemplateChoice.MAGISTRAL
    assert loaded.has_chat_template
    prepared = backend.prepare(build_messages(MAGISTRAL_SYSTEM_PROMPT, [], "Hi"), preset("magistral"))
    assert prepared.template_source == "pinned:magistral-small-2509"
    assert prepared.text.endswith(
        "[SYSTEM_PROMPT]" + MAGISTRAL_SYSTEM_PROMPT + "[/SYSTEM_PROMPT][INST]Hi[/INST]"
    )
    tokens = vocab_of(backend).tokenize(prepared.text.encode(), add_bos=False, special=True)
    assert THINK_ID in tokens and END_THINK_ID in tokens, "the system prompt's tags are control tokens"
    assert prepared.token_count == len(tokens)


@pytest.mark.slow
def test_gguf_template_is_used_when_present(backend: LlamaBackend, tiny_models: tuple[Path, Path]) -> None:
    text_model, _ = tiny_models
    backend.load(text_model, LoadOptions(1024, 0, 0))
    prepared = backend.prepare(build_messages("", [], "Hi"), preset("think-tags"))
    assert prepared.template_source == "gguf"
    assert prepared.text == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    own = replace(preset("magistral"), template=TemplateChoice.GGUF)  # "the model's own", chosen
    assert backend.prepare(build_messages("", [], "Hi"), own).template_source == "gguf"


@pytest.mark.slow
def test_cancel_during_prefill_aborts_inside_llama_cpp(backend: LlamaBackend, demo_gguf: Path) -> None:
    backend.load(demo_gguf, LoadOptions(2048, 0, 0))
    settings = seeded(preset("demo"), max_tokens=20, temperature=0.0)
    long_prompt = "Summarise this. " + "The parties agree to the terms. " * 200
    cancel = CancelToken()
    cancel.set()  # already stopping when the prefill starts: the abort callback fires at once
    raw, generation = run(backend, settings, long_prompt, cancel)
    assert (raw, generation.finish_reason, generation.completion_tokens) == ("", "cancelled", 0)
    after, _ = run(backend, settings, "What is 2+2?")
    fresh = LlamaBackend()
    fresh.load(demo_gguf, LoadOptions(2048, 0, 0))
    try:
        expected, _ = run(fresh, settings, "What is 2+2?")
    finally:
        fresh.close()
    assert after == expected, "the model answers normally after an aborted prefill"


@pytest.mark.slow
def test_cancel_stops_within_one_token(backend: LlamaBackend, demo_gguf: Path) -> None:
    backend.load(demo_gguf, LoadOptions(2048, 0, 0))
    settings = seeded(preset("demo"), max_tokens=400)
    prepared = backend.prepare(build_messages("", [], "Write a long story."), settings)
    cancel = CancelToken()
    generation = backend.generate(prepared, settings, cancel)
    pieces = []
    for piece in generation:
        pieces.append(piece)
        if len(pieces) == 5:
            cancel.set()
    assert generation.finish_reason == "cancelled"
    assert generation.completion_tokens == 5


def test_max_tokens_and_context_limit(backend: LlamaBackend, demo_gguf: Path) -> None:
    backend.load(demo_gguf, LoadOptions(2048, 0, 0))
    _, generation = run(
        backend, seeded(preset("demo"), max_tokens=4, require_reasoning=False), "Count to ten."
    )
    assert generation.finish_reason == "length" and generation.completion_tokens == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "too small to be a GGUF"),
        (b"PK\x03\x04" + bytes(100), "not a GGUF model file"),
        # Refused by the inspector (a limited child process) before llama.cpp parses it.
        (b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64, "more than the file can hold"),
    ],
)
def test_bad_model_files_give_clear_messages(
    backend: LlamaBackend, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=message):
        backend.load(path, LoadOptions(512, 0, 0))


@pytest.mark.slow
def test_truncated_model_gives_a_clear_message(
    backend: LlamaBackend, demo_gguf: Path, tmp_path: Path
) -> None:
    path = tmp_path / "truncated.gguf"
    with demo_gguf.open("rb") as source:
        path.write_bytes(source.read(5_000_000))
    with pytest.raises(ModelError, match="it is truncated: its tensors need"):
        backend.load(path, LoadOptions(512, 0, 0))
    with pytest.raises(ModelError, match="not found"):
        backend.load(tmp_path / "missing.gguf", LoadOptions(512, 0, 0))


@pytest.mark.slow
def test_stop_during_a_long_prefill_aborts_inside_llama_cpp(
    backend: LlamaBackend, demo_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set from another thread part-way through the prompt: llama.cpp itself stops the prefill."""
    import llama_cpp

    backend.load(demo_gguf, LoadOptions(2048, 0, 0))
    settings = seeded(preset("demo"), max_tokens=20, temperature=0.0)
    prompt = "Summarise this. " + "The parties agree to the terms set out below. " * 150
    cancel = CancelToken()
    prepared = backend.prepare(build_messages("", [], prompt), settings)
    assert prepared.token_count > 1000, "more than one batch of llama.cpp's prefill"
    # The first batch of the prompt is decoded; before the second starts, another thread
    # presses Stop and is waited for. Only llama.cpp's abort callback can then stop that batch.
    codes: list[int] = []  # what llama_decode returned, batch by batch
    second_batch, stopped = threading.Event(), threading.Event()
    decode = llama_cpp.llama_cpp.llama_decode

    def decode_noted(ctx: object, batch: object) -> int:
        if len(codes) == 1:
            second_batch.set()
            assert stopped.wait(60), "Stop was not pressed"
        code = decode(ctx, batch)
        codes.append(code)
        return code

    monkeypatch.setattr(llama_cpp.llama_cpp, "llama_decode", decode_noted)

    def press_stop() -> None:
        if second_batch.wait(60):
            cancel.set()
        stopped.set()

    stopper = threading.Thread(target=press_stop)
    stopper.start()
    generation = backend.generate(prepared, settings, cancel)
    assert list(generation) == []
    stopper.join()
    assert codes == [0, 2], "the second batch was aborted inside llama_decode (2: aborted)"
    assert (generation.finish_reason, generation.completion_tokens) == ("cancelled", 0)
    monkeypatch.undo()
    # The flag is cleared for the next request: it runs in full.
    again, _ = run(backend, settings, "Hello")
    assert again


def test_counting_a_draft_is_llama_cpps_count_of_its_rendering_and_keeps_the_prompt_prepared(
    backend: LlamaBackend, demo_gguf: Path
) -> None:
    backend.load(demo_gguf, LoadOptions(2048, 0, 0))
    settings = seeded(preset("demo"))
    prepared = backend.prepare(build_messages(settings.system_prompt, [], "Is clause 4 void?"), settings)
    kept = backend._tokenized
    draft = build_messages(settings.system_prompt, [], "Count these words: " + "blue green " * 40)
    counted = backend.count_tokens(draft, settings)
    again = backend.prepare(draft, settings)
    ids = vocab_of(backend).tokenize(again.text.encode("utf-8"), add_bos=False, special=True)
    assert counted == len(ids) == again.token_count
    backend._tokenized = kept
    assert backend.count_tokens(draft, settings) == counted
    assert backend._tokenized is kept, "the prompt prepared last is still the one its turn evaluates"
    assert backend.prompt_tokens(prepared, settings) == kept[1]  # type: ignore[index]
