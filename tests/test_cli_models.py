"""``veritrace models`` and ``veritrace inspect``, run as real subprocesses."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.fixtures.cli_runs import veritrace

pytestmark = pytest.mark.slow


def test_inspect_prints_the_metadata_as_json(veritrace_home: Path, tiny_models: tuple[Path, Path]) -> None:
    text_model, _ = tiny_models
    result = veritrace("inspect", str(text_model), "--json", "--hash", home=veritrace_home)
    info = json.loads(result.stdout)
    assert info["architecture"] == "llama" and info["quantization"] == "Q8_0"
    assert info["context_length"] == 2048 and info["special_tokens"] == ["[THINK]", "[/THINK]"]
    assert info["family"] == "magistral"
    assert info["sha256"] == hashlib.sha256(text_model.read_bytes()).hexdigest()
    memory = info["memory_at_trained_context"]
    assert memory["total"] == memory["weights"] + memory["kv_cache"] + memory["compute"]
    assert memory["weights"] == text_model.stat().st_size


def test_inspect_refuses_a_bad_file_in_one_line(veritrace_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "absurd.gguf"
    bad.write_bytes(
        b"GGUF" + (3).to_bytes(4, "little") + (0).to_bytes(8, "little") + (2**62).to_bytes(8, "little")
    )
    result = veritrace("inspect", str(bad), "--json", home=veritrace_home, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("veritrace: absurd.gguf cannot be used as a model: its header claims")


def test_models_lists_the_library_with_bad_files_explained(
    veritrace_home: Path, tiny_models: tuple[Path, Path], demo_gguf: Path, tmp_path: Path
) -> None:
    text_model, _ = tiny_models
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(text_model.read_bytes()[:5000])
    settings = {"models": [str(text_model), str(broken)], "model_path": str(text_model)}
    (veritrace_home / "settings.json").write_text(json.dumps(settings), "utf-8")
    entries = json.loads(veritrace("models", "--json", home=veritrace_home).stdout)
    assert [Path(e["path"]).name for e in entries] == [demo_gguf.name, text_model.name, broken.name]
    demo, tiny, bad = entries
    assert demo["is_demo"] and demo["family"] == "demo" and demo["info"]["quantization"] == "Q4_1"
    assert demo["info"]["sha256"] == hashlib.sha256(demo_gguf.read_bytes()).hexdigest()
    assert tiny["family"] == "magistral" and tiny["info"]["block_count"] == 2
    assert bad["info"] is None and "broken.gguf" in bad["error"] and "truncated" in bad["error"]
    # The second listing comes from the cache (same answer, no re-hashing needed).
    assert json.loads(veritrace("models", "--json", home=veritrace_home).stdout) == entries
    text = veritrace("models", "--no-hash", home=veritrace_home).stdout
    assert "Magistral ([THINK] tags)" in text and "unusable: broken.gguf" in text
