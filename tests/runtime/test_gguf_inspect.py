"""Safe GGUF inspection: a corpus of bad files, the child's limits, and real files read right."""

from __future__ import annotations

import os
import shutil
import struct
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gguf
import numpy as np
import pytest

from app.core.errors import ModelError
from app.core.models import Family, family_for, kv_cache_bytes, memory_estimate
from app.runtime.gguf_inspect import inspect_file, run_child
from tests.fixtures import tiny_models as shape

# -- raw GGUF pieces ----------------------------------------------------------------------------


def header(version: int = 3, tensors: int = 0, kvs: int = 0) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, kvs)


def gstr(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data


def kv_string(key: str, value: str) -> bytes:
    return gstr(key) + struct.pack("<I", 8) + gstr(value)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def nested_arrays(depth: int) -> bytes:
    """An array of arrays ... of one uint8, ``depth`` arrays deep."""
    value = struct.pack("<IQ", 0, 1) + b"\x01"
    for _ in range(depth - 1):
        value = struct.pack("<IQ", 9, 1) + value
    return value


# Each bad file: (name, bytes, a fragment the message must contain).
def bad_corpus(rng: np.random.RandomState) -> list[tuple[str, bytes, str]]:
    arch = kv_string("general.architecture", "llama")
    return [
        ("empty.gguf", b"", "too small to be a GGUF model"),
        ("zeros.gguf", bytes(4096), "does not start with 'GGUF'"),
        ("random.gguf", rng.bytes(65536), "does not start with 'GGUF'"),
        ("random-after-magic.gguf", b"GGUF" + rng.bytes(65536), "version"),
        (
            "readme.gguf",
            b"# Not a model\nJust some text renamed to .gguf.\n" * 20,
            "does not start with 'GGUF'",
        ),
        ("magic-only.gguf", b"GGUF", "too small to be a GGUF model"),
        ("version-1.gguf", header(version=1), "version 1"),
        ("version-99.gguf", header(version=99), "version 99"),
        ("big-endian.gguf", b"GGUF" + struct.pack(">IQQ", 3, 0, 0), "big-endian"),
        ("absurd-kv-count.gguf", header(kvs=2**63) + arch, "metadata entries"),
        ("absurd-tensor-count.gguf", header(tensors=2**62, kvs=1) + arch, "tensors"),
        ("kv-count-past-end.gguf", header(kvs=1000) + arch, "metadata entries"),
        ("huge-key.gguf", header(kvs=1) + struct.pack("<Q", 2**40) + bytes(64), "limit"),
        (
            "huge-string.gguf",
            header(kvs=1) + gstr("general.name") + struct.pack("<IQ", 8, 2**40) + b"x" * 64,
            "limit",
        ),
        (
            "string-past-end.gguf",
            header(kvs=1) + gstr("general.name") + struct.pack("<IQ", 8, 5000) + b"x" * 64,
            "only 64 remain",
        ),
        (
            "array-2-40.gguf",
            header(kvs=1) + gstr("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 2**40) + bytes(64),
            "array elements",
        ),
        (
            "array-past-end.gguf",
            header(kvs=1) + gstr("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 10**6) + bytes(64),
            "more than the rest of the file can hold",
        ),
        (
            "string-array-2-40.gguf",
            header(kvs=1) + gstr("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2**40) + bytes(64),
            "array elements",
        ),
        (
            "token-over-limit.gguf",
            header(kvs=1)
            + gstr("tokenizer.ggml.tokens")
            + struct.pack("<IIQ", 9, 8, 2)
            + gstr("a")
            + struct.pack("<Q", 2**17)
            + bytes(2**17 + 64),
            "limit",
        ),
        (
            "token-past-end.gguf",
            header(kvs=1)
            + gstr("tokenizer.ggml.tokens")
            + struct.pack("<IIQ", 9, 8, 3)
            + gstr("[THINK]")
            + gstr("b")
            + struct.pack("<Q", 5000)
            + b"x" * 64,
            "only 64 remain",
        ),
        (
            "merge-past-end.gguf",
            header(kvs=1)
            + gstr("tokenizer.ggml.merges")
            + struct.pack("<IIQ", 9, 8, 2)
            + gstr("a b")
            + struct.pack("<Q", 2**20)
            + b"x" * 16,
            "only 16 remain",
        ),
        (
            "deep-nesting.gguf",
            header(kvs=1) + gstr("general.nest") + struct.pack("<I", 9) + nested_arrays(50),
            "nests arrays",
        ),
        (
            "unknown-type.gguf",
            header(kvs=1) + gstr("general.x") + struct.pack("<I", 77) + bytes(8),
            "type 77",
        ),
        (
            "tensor-dims.gguf",
            header(tensors=1, kvs=1) + arch + gstr("w") + struct.pack("<I", 100) + bytes(64),
            "100 dimensions",
        ),
        (
            "tensor-type.gguf",
            header(tensors=1, kvs=1) + arch + gstr("w") + struct.pack("<IQIQ", 1, 32, 9999, 0) + bytes(64),
            "unknown data type",
        ),
        (
            "tensor-shape.gguf",
            header(tensors=1, kvs=1) + arch + gstr("w") + struct.pack("<IQQIQ", 2, 2**40, 2**40, 0, 0),
            "impossible shape",
        ),
        (
            "tensor-data-missing.gguf",
            header(tensors=1, kvs=1) + arch + gstr("w") + struct.pack("<IQIQ", 1, 1024, 0, 0) + bytes(16),
            "truncated",
        ),
    ]


@pytest.mark.slow
def test_every_bad_file_gives_one_clear_message_and_the_app_survives(tmp_path: Path, tiny_models) -> None:
    corpus = bad_corpus(np.random.RandomState(6))
    paths = [(write(tmp_path / name, data), fragment) for name, data, fragment in corpus]
    messages = _inspect_all([path for path, _ in paths])
    for (path, fragment), message in zip(paths, messages, strict=True):
        assert message is not None, f"{path.name} was accepted"
        assert path.name in message, message
        assert fragment in message, f"{path.name}: {message}"
        assert message.count("\n") == 0 and message.endswith("."), message
    # The parent process is still here and still inspects a good file.
    assert inspect_file(tiny_models[0]).architecture == "llama"


@pytest.mark.slow
def test_truncation_at_many_offsets_is_refused_with_a_message(tmp_path: Path, tiny_models) -> None:
    whole = tiny_models[0].read_bytes()
    offsets = sorted({*range(0, 40, 3), *np.linspace(40, len(whole) - 1, 18, dtype=int).tolist()})
    paths = []
    for offset in offsets:
        path = tmp_path / f"cut-{offset}.gguf"
        path.write_bytes(whole[:offset])
        paths.append(path)
    messages = _inspect_all(paths)
    for path, message in zip(paths, messages, strict=True):
        assert message is not None, f"{path.name} was accepted"
        assert path.name in message
        assert any(reason in message for reason in ("truncated", "too small", "not a GGUF")), message


def _inspect_all(paths: list[Path]) -> list[str | None]:
    def attempt(path: Path) -> str | None:
        try:
            inspect_file(path)
        except ModelError as error:
            return str(error)
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(attempt, paths))


def test_what_needs_no_parsing_is_refused_in_the_parent(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="Model file not found"):
        inspect_file(tmp_path / "missing.gguf")
    folder = tmp_path / "folder.gguf"
    folder.mkdir()
    with pytest.raises(ModelError, match=r"folder.gguf is a folder"):
        inspect_file(folder)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path: Path, tiny_models) -> None:
    locked = tmp_path / "locked.gguf"
    shutil.copy(tiny_models[0], locked)
    locked.chmod(0)
    try:
        with pytest.raises(ModelError, match=r"locked.gguf cannot be read"):
            inspect_file(locked)
    finally:
        locked.chmod(0o600)


# -- the limits fire ----------------------------------------------------------------------------


def _child(code: str) -> list[str]:
    return [sys.executable, "-c", "from app.runtime.gguf_child import apply_limits\n" + code]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
def test_a_child_allocating_past_the_memory_limit_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "hungry.gguf"
    code = "apply_limits(256, 20)\nblock = bytearray(1024 * 2**20)\nprint('{}')"
    with pytest.raises(ModelError, match=r"hungry.gguf: reading its header needed more memory"):
        run_child(_child(code), path, timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_CPU is POSIX")
def test_a_child_spinning_past_the_cpu_limit_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "spinning.gguf"
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"spinning.gguf: it ran out of its CPU time"):
        run_child(_child("apply_limits(0, 1)\nwhile True:\n    pass"), path, timeout=60)
    assert time.monotonic() - started < 30


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="setrlimit is POSIX")
def test_a_platform_that_refuses_a_memory_limit_still_inspects(tmp_path: Path, tiny_models) -> None:
    # macOS refuses RLIMIT_AS: the child must fall back, not turn every model into an error.
    text_model, _ = tiny_models
    code = (
        "import resource, sys\n"
        "real, tried = resource.setrlimit, []\n"
        "def refuse(kind, limits):\n"
        "    tried.append(kind)\n"
        "    if kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA):\n"
        "        raise ValueError('current limit exceeds maximum limit')\n"
        "    real(kind, limits)\n"
        "resource.setrlimit = refuse\n"
        "assert apply_limits(512, 20) == ['memory']\n"
        "assert tried == [resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_CPU], tried\n"
        "from app.runtime.gguf_child import main\n"
        f"sys.exit(main([{str(text_model)!r}, '--memory-mb', '512', '--cpu-seconds', '20']))\n"
    )
    data = run_child(_child(code), text_model, timeout=30)
    assert data["architecture"] == "llama"
    assert data["context_length"] == shape.N_CTX_TRAIN


@pytest.mark.slow
def test_a_child_sleeping_past_the_timeout_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "sleepy.gguf"
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"sleepy.gguf: reading its header took longer than 1 seconds"):
        run_child(_child("import time\ntime.sleep(60)"), path, timeout=1)
    assert time.monotonic() - started < 20


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_child_killed_by_a_signal_is_a_model_error(tmp_path: Path) -> None:
    code = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"
    with pytest.raises(ModelError, match=r"crash.gguf: the reader crashed on it"):
        run_child(_child(code), tmp_path / "crash.gguf", timeout=30)


def test_garbled_child_output_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"odd.gguf: the inspector stopped without an answer"):
        run_child(_child("print('not json')"), tmp_path / "odd.gguf", timeout=30)


# -- good files ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_tiny_model_and_projector_read_right(tiny_models) -> None:
    text_model, projector = tiny_models
    info = inspect_file(text_model)
    assert info.architecture == "llama"
    assert info.quantization == "Q8_0"
    assert info.context_length == shape.N_CTX_TRAIN
    assert (info.block_count, info.embedding_length) == (shape.N_LAYER, shape.N_EMBD)
    assert (info.head_count, info.head_count_kv) == (shape.N_HEAD, shape.N_HEAD_KV)
    assert info.special_tokens == ("[THINK]", "[/THINK]")
    assert info.has_chat_template and not info.is_projector
    assert info.sha256 is None  # hashing is separate
    assert info.parameter_count == _reader_parameters(text_model)
    assert family_for(info) == Family.MAGISTRAL
    vision = inspect_file(projector)
    assert vision.is_projector and vision.architecture == "clip"
    assert vision.parameter_count == _reader_parameters(projector)


def _reader_parameters(path: Path) -> int:
    """The gguf package's own reader, for comparison (fine in a test: trusted, small files)."""
    return sum(int(t.n_elements) for t in gguf.GGUFReader(path).tensors)


@pytest.mark.slow
def test_a_projector_lying_beside_the_model_is_found(tmp_path: Path, tiny_models) -> None:
    model = shutil.copy(tiny_models[0], tmp_path / "model.gguf")
    assert inspect_file(Path(model)).projector is None
    shutil.copy(tiny_models[1], tmp_path / "mmproj-model-f16.gguf")
    assert inspect_file(Path(model)).projector == str((tmp_path / "mmproj-model-f16.gguf").resolve())


@pytest.mark.slow
@pytest.mark.e2e
def test_the_demo_model_matches_what_llama_cpp_reports(demo_gguf: Path) -> None:
    import llama_cpp

    info = inspect_file(demo_gguf)
    llm = llama_cpp.Llama(model_path=str(demo_gguf), n_ctx=256, verbose=False)
    try:
        assert info.context_length == llama_cpp.llama_model_n_ctx_train(llm.model) == 8192
        assert info.parameter_count == llama_cpp.llama_model_n_params(llm.model)
        assert info.embedding_length == llm.n_embd()
        assert info.vocab_size == llm.n_vocab()
        assert info.name == llm.metadata["general.name"]
        assert info.architecture == llm.metadata["general.architecture"]
        assert str(info.file_type) == llm.metadata["general.file_type"]
        assert info.quantization == "Q4_1"
        assert info.has_chat_template == bool(llm.metadata.get("tokenizer.chat_template"))
        assert info.block_count == int(llm.metadata["llama.block_count"])
        assert info.head_count_kv == int(llm.metadata["llama.attention.head_count_kv"])
    finally:
        llm.close()
    assert family_for(info) == Family.INSTRUCT
    assert family_for(info, is_demo=True) == Family.DEMO
    # 30 layers x 3 KV heads x (64 + 64) x 2 bytes per token: llama.cpp reports 180 MiB at 8192.
    assert kv_cache_bytes(info, 8192) == 180 * 2**20
    estimate = memory_estimate(info, 8192)
    assert estimate.weights == demo_gguf.stat().st_size
    assert estimate.total > estimate.weights + estimate.kv_cache


# -- families from metadata ---------------------------------------------------------------------

_CHATML = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"


def family_gguf(
    path: Path,
    name: str,
    *,
    extra_tokens: tuple[str, ...] = (),
    token_type: int = gguf.TokenType.CONTROL,
    template: str = _CHATML,
) -> Path:
    """A GGUF with one small tensor carrying a model line's name, tokens and template."""
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_context_length(32768)
    writer.add_block_count(4)
    writer.add_embedding_length(128)
    writer.add_head_count(8)
    writer.add_head_count_kv(2)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    tokens = ["<unk>", "<s>", "</s>", "a", "b", *extra_tokens]
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.NORMAL] * 5 + [token_type] * len(extra_tokens))
    writer.add_chat_template(template)
    writer.add_tensor("token_embd.weight", np.zeros((len(tokens), 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "builder", "family"),
    [
        ("Magistral-Small-2509", {"extra_tokens": ("[THINK]", "[/THINK]")}, Family.MAGISTRAL),
        ("Qwen3-8B", {"extra_tokens": ("<think>", "</think>"), "token_type": 4}, Family.THINK_TAGS),
        (
            "DeepSeek-R1-Distill-Qwen-7B",
            {"template": _CHATML + "{% if add_generation_prompt %}<think>\n{% endif %}"},
            Family.THINK_TAGS,
        ),
        ("Llama-3.2-1B-Instruct", {}, Family.INSTRUCT),
        ("Some model", {"extra_tokens": ("[THINK]",), "token_type": gguf.TokenType.NORMAL}, Family.INSTRUCT),
    ],
)
def test_family_is_read_from_tokens_template_and_name(
    tmp_path: Path, name: str, builder: dict[str, object], family: Family
) -> None:
    build: Callable[..., Path] = family_gguf
    info = inspect_file(build(tmp_path / "model.gguf", name, **builder))
    assert info.name == name and info.quantization == "Q4_K_M" and info.context_length == 32768
    assert family_for(info) == family


@pytest.mark.slow
def test_a_magistral_named_file_without_tokens_is_still_magistral(tmp_path: Path) -> None:
    info = inspect_file(family_gguf(tmp_path / "Magistral-Small-2509-Q4_K_M.gguf", "Magistral Small"))
    assert info.special_tokens == () and family_for(info) == Family.MAGISTRAL
    # 4 layers x 2 KV heads x (16 + 16) x 2 bytes per token.
    assert kv_cache_bytes(info, 1000) == 4 * 1000 * 2 * 32 * 2


def test_llama_cpp_never_parses_a_file_the_inspector_refuses(tmp_path: Path) -> None:
    """A file with a valid header and absurd counts: refused in the child, before llama.cpp."""
    from app.runtime.backend import LoadOptions
    from app.runtime.llama_backend import LlamaBackend

    hostile = write(tmp_path / "hostile.gguf", header(tensors=2**62, kvs=2**62) + bytes(64))
    backend = LlamaBackend()
    with pytest.raises(ModelError, match=r"hostile\.gguf"):
        backend.load(hostile, LoadOptions(n_ctx=256, n_threads=1, n_gpu_layers=0))
    assert backend.loaded is None


def test_context_fit_names_the_overflow_says_an_estimate_and_ignores_an_unknown_window() -> None:
    from app.core.models import ContextFit, estimate_tokens

    assert ContextFit(100, 200, 4096).warning() is None
    assert ContextFit(3896, 200, 4096).fits and not ContextFit(3897, 200, 4096).fits  # exactly full fits
    counted = ContextFit(4000, 512, 4096).warning()
    assert counted is not None and "may not fit" in counted and "4,000 tokens" in counted
    assert "estimate" not in counted, "a count by the model's tokenizer is not called an estimate"
    guessed = ContextFit(estimate_tokens("x" * 12_000), 512, 4096, estimated=True).warning()
    assert guessed is not None and "about 4,001 tokens (an estimate" in guessed
    with_images = ContextFit(4000, 512, 4096, uncounted_images=2).warning()
    assert with_images is not None and "images not counted (2)" in with_images
    assert ContextFit(10**6, 10**6, 0).warning() is None  # a server that does not say its window


def test_a_header_without_tensors_is_not_a_model(tmp_path: Path) -> None:
    empty = write(tmp_path / "header-only.gguf", header() + bytes(24))
    with pytest.raises(ModelError, match="no tensors"):
        inspect_file(empty)
