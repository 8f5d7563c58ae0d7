"""``veritrace --self-test`` in a real subprocess on the real demo model; the user's data untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.services import selftest

ROOT = Path(__file__).resolve().parents[1]


def _run_self_test(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app --self-test`` with no display and no Qt platform chosen for it."""
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "DISPLAY")}
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env.update(TMPDIR=str(scratch), TEMP=str(scratch), TMP=str(scratch), **extra)
    return subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_self_test_passes_on_the_demo_model_and_leaves_no_trace(tmp_path: Path, veritrace_home: Path) -> None:
    done = _run_self_test(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    line = lines[0]
    assert line.startswith("Veritrace self-test passed: Veritrace ")
    assert "demo model SmolLM2-135M-Instruct" in line
    assert "llama-cpp-python" in line
    assert "turn completed" in line
    assert "record intact" in line
    assert "PDF report" in line
    # The user's data folder (VERITRACE_HOME) is never opened, and the temporary one is removed.
    assert list(veritrace_home.iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
def test_a_broken_demo_model_fails_naming_the_step(tmp_path: Path, veritrace_home: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model at all, just some bytes" * 4)

    done = _run_self_test(tmp_path, VERITRACE_DEMO_MODEL=str(broken))

    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "Veritrace self-test FAILED: model: broken.gguf is not a GGUF model file "
        "(it does not start with 'GGUF'). Pick a .gguf file, for example a Q4_K_M quantization "
        "of Magistral Small 1.2."
    ]
    assert list(veritrace_home.iterdir()) == []


@pytest.mark.slow
def test_a_missing_demo_model_falls_back_to_the_scripted_model_and_says_so(
    qapp: object, monkeypatch: pytest.MonkeyPatch, veritrace_home: Path
) -> None:
    monkeypatch.setattr(selftest, "demo_model_path", lambda: None)

    result = selftest.run_self_test()

    assert result.passed, result.line()
    assert result.exit_code == 0
    assert "scripted fake model (no demo model found)" in result.line()
    assert f"turn completed ({len(selftest.FAKE_REPLY)} tokens)" in result.line()
    assert os.environ["VERITRACE_HOME"] == str(veritrace_home)  # restored for the caller
    assert list(veritrace_home.iterdir()) == []


def test_a_failed_export_is_reported_as_the_export_step(
    qapp: object, monkeypatch: pytest.MonkeyPatch, veritrace_home: Path
) -> None:
    from app.services import exporting

    def no_space(*_args: object, **_kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(selftest, "demo_model_path", lambda: None)
    monkeypatch.setattr(exporting, "export", no_space)

    result = selftest.run_self_test()

    assert not result.passed
    assert result.exit_code == 1
    assert result.step == "export"
    assert result.line() == "Veritrace self-test FAILED: export: [Errno 28] No space left on device"
