"""The release workflow cannot run here: actionlint checks every workflow file, and the release
builds what users run (three systems, the frozen self-test, the Windows installer)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE = WORKFLOWS / "release.yml"


def _actionlint() -> tuple[str, dict[str, str]]:
    """The actionlint command (from the test extras) and an environment where it finds shellcheck."""
    scripts = sysconfig.get_path("scripts")
    path = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    found = shutil.which("actionlint", path=path)
    if found is None:
        pytest.skip("actionlint is not installed: the test extras carry it on Linux x86_64")
    return found, {**os.environ, "PATH": path, "NO_COLOR": "1"}


def _lint(*files: Path) -> subprocess.CompletedProcess[str]:
    command, env = _actionlint()
    return subprocess.run(
        [command, "-no-color", *map(str, files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _release() -> dict[Any, Any]:
    loaded = yaml.safe_load(RELEASE.read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _steps() -> list[dict[str, Any]]:
    (job,) = _release()["jobs"].values()
    return list(job["steps"])


def _step(name_part: str) -> dict[str, Any]:
    found = [step for step in _steps() if name_part in step.get("name", "")]
    assert len(found) == 1, f"one step named …{name_part}…, found {len(found)}"
    return found[0]


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert RELEASE in files
    result = _lint(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter really reads the steps: a mistyped matrix key and a bad shell line fail it."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = workflows / "broken.yml"
    text = RELEASE.read_text("utf-8")
    assert '"$EXECUTABLE" --self-test' in text and "${{ matrix.executable }}" in text
    broken.write_text(text.replace("${{ matrix.executable }}", "${{ matrix.executabel }}"), encoding="utf-8")
    result = _lint(broken)
    assert result.returncode != 0
    assert "executabel" in result.stdout


def test_the_release_builds_on_windows_macos_and_linux_on_tags_and_by_hand() -> None:
    release = _release()
    triggers = release[True] if True in release else release["on"]  # YAML 1.1 reads `on` as true
    assert "workflow_dispatch" in triggers
    assert triggers["push"]["tags"]
    (job,) = release["jobs"].values()
    systems = [entry["os"] for entry in job["strategy"]["matrix"]["include"]]
    assert sorted(systems) == ["macos-latest", "ubuntu-latest", "windows-latest"]
    assert job["runs-on"] == "${{ matrix.os }}"
    setup = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/setup-python@")]
    assert len(setup) == 1 and str(setup[0]["with"]["python-version"]) == "3.11"


def test_the_bundle_is_built_as_packaging_builds_it_and_passes_its_self_test() -> None:
    build = _step("Build the bundle")
    assert build["run"].startswith("python packaging/build.py ")
    assert "--with-demo-model" in build["run"]
    install = _step("Install Veritrace and PyInstaller")
    assert '".[build]"' in install["run"]
    check = _step("Self-test")
    assert check["env"]["QT_QPA_PLATFORM"] == "offscreen"
    assert '"$EXECUTABLE" --self-test' in check["run"]
    assert "unset DISPLAY WAYLAND_DISPLAY" in check["run"]
    assert "if" not in check, "the self-test runs on every system"
    # The executables named are where packaging/layout.py puts them.
    (job,) = _release()["jobs"].values()
    executables = {entry["os"]: entry["executable"] for entry in job["strategy"]["matrix"]["include"]}
    assert executables == {
        "ubuntu-latest": "dist/Veritrace/veritrace",
        "macos-latest": "dist/Veritrace.app/Contents/MacOS/veritrace",
        "windows-latest": "dist/Veritrace/Veritrace.exe",
    }
    layout = (ROOT / "packaging" / "layout.py").read_text("utf-8")
    assert 'NAME = "Veritrace"' in layout and 'EXECUTABLE = "veritrace"' in layout


def test_windows_compiles_the_installer_with_inno_setup_and_everything_is_uploaded() -> None:
    compile_step = _step("Compile the installer")
    assert compile_step["if"] == "runner.os == 'Windows'"
    assert "ISCC.exe" in compile_step["run"]
    assert '"/DBundleDir=$PWD\\dist\\Veritrace" installer.iss' in compile_step["run"]
    prerequisites = _step("Build prerequisites (Windows)")
    assert "choco install innosetup" in prerequisites["run"]
    uploads = [step for step in _steps() if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    assert len(uploads) == 2
    windows = next(step for step in uploads if step["if"] == "runner.os == 'Windows'")
    assert "dist/Veritrace-*-setup.exe" in windows["with"]["path"]
    assert all(step["with"]["if-no-files-found"] == "error" for step in uploads)
    # The installer writes its setup file beside the bundle folder, as uploaded.
    iss = (ROOT / "installer.iss").read_text("utf-8")
    assert "OutputDir={#BundleDir}\\.." in iss and "OutputBaseFilename={#AppName}-{#AppVersion}-setup" in iss
