"""``python -m app download`` as a user runs it: a real process against the local Hub server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.catalogue import MAGISTRAL_SMALL_1_2
from tests.fixtures.hub_server import HubFile, HubServer, serve

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MODEL = MAGISTRAL_SMALL_1_2.quantization("Q4_K_M").file
PROJECTOR = MAGISTRAL_SMALL_1_2.projector


@pytest.fixture
def hub(tiny_models: tuple[Path, Path]) -> Iterator[HubServer]:
    text, projector = tiny_models
    assert PROJECTOR is not None
    files = [
        HubFile(MODEL.repo_id, MODEL.filename, text.read_bytes()),
        HubFile(PROJECTOR.repo_id, PROJECTOR.filename, projector.read_bytes()),
    ]
    with serve(files) as server:
        yield server


def environment(home: Path, endpoint: str) -> dict[str, str]:
    return {**os.environ, "VERITRACE_HOME": str(home), "HF_ENDPOINT": endpoint}


def download(*args: str, home: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "download", *args],
        cwd=ROOT,
        env=environment(home, endpoint),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_download_with_projector_lands_verifies_and_is_remembered(
    hub: HubServer, veritrace_home: Path, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    done = download(
        "magistral", "--mmproj", "--to", str(tmp_path / "dl"), home=veritrace_home, endpoint=hub.url
    )

    assert done.returncode == 0, done.stderr
    model, projector = (Path(line) for line in done.stdout.splitlines())
    assert model == tmp_path / "dl" / MODEL.filename
    assert model.read_bytes() == tiny_models[0].read_bytes()
    assert projector.read_bytes() == tiny_models[1].read_bytes()
    assert f"{MODEL.filename}: SHA-256 " in done.stderr and "verified" in done.stderr
    assert " of 8.8 MB" in done.stderr  # progress lines
    settings = json.loads((veritrace_home / "settings.json").read_text())
    assert str(model) in settings["models"]
    assert settings["projectors"] == {str(model): str(projector)}
    assert settings["model_path"] is None  # --use was not given


def test_ctrl_c_pauses_and_the_same_command_continues(
    hub: HubServer, veritrace_home: Path, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    hub.switches.delay = 0.02
    folder = tmp_path / "dl"
    partial = folder / (MODEL.filename + ".part")
    command = [sys.executable, "-m", "app", "download", "magistral-small-1.2", "--to", str(folder), "--use"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(veritrace_home, hub.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (partial.exists() and partial.stat().st_size > 1_000_000):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "paused" in stderr and "Run the same command again" in stderr
    kept = partial.stat().st_size
    assert 1_000_000 < kept < len(tiny_models[0].read_bytes())

    hub.switches.delay = 0.0
    again = subprocess.run(
        command,
        cwd=ROOT,
        env=environment(veritrace_home, hub.url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert again.returncode == 0, again.stderr
    assert (folder / MODEL.filename).read_bytes() == tiny_models[0].read_bytes()
    assert hub.body_requests()[-1].range == f"bytes={kept}-"
    settings = json.loads((veritrace_home / "settings.json").read_text())
    assert settings["model_path"] == str(folder / MODEL.filename)


def test_unknown_names_and_a_dead_server_are_one_line_each(veritrace_home: Path, tmp_path: Path) -> None:
    unknown = download("llama", home=veritrace_home, endpoint="http://127.0.0.1:9")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "veritrace: No model called 'llama' is offered for download; choose one of magistral-small-1.2."
    ]
    quant = download("magistral", "--quant", "Q1", home=veritrace_home, endpoint="http://127.0.0.1:9")
    assert quant.returncode == 2 and "has no quantization 'Q1'" in quant.stderr

    down = download(
        "magistral", "--to", str(tmp_path / "dl"), home=veritrace_home, endpoint="http://127.0.0.1:9"
    )
    assert down.returncode == 2
    assert down.stderr.strip().splitlines() == [
        "veritrace: Cannot reach 127.0.0.1:9: the connection was refused (is the server up?)."
    ]
    assert not (tmp_path / "dl").exists()
