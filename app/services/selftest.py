"""``veritrace --self-test``: prove an installation works end to end, without touching the user's data.

The frozen app has no test suite beside it, so this is what shows that its parts arrived intact:
llama.cpp's shared libraries load and run the demo model, SQLite and the hash-chained ledger work,
and Qt (offscreen) renders a PDF. Everything happens in a temporary data folder that is removed
afterwards; the answer is one line and an exit status, so CI and a support call can both use it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from app import __version__
from app.core.cancel import CancelToken
from app.core.presets import preset, with_params
from app.core.text import counted
from app.core.types import TurnStatus
from app.runtime.backend import Backend
from app.runtime.model_files import demo_model_path
from app.services.chat import ChatService, SilentSink
from app.services.paths import HOME_VARIABLE
from app.services.record import check_record, open_record
from app.services.witness import WITNESS_VARIABLE

PROMPT = "What is 2 + 3? Answer with one number."
# Enough for the demo model's forced reasoning block and a short answer, small enough to take seconds.
MAX_TOKENS = 96
SEED = 7
# The scripted stand-in for a missing demo model: a reasoning block and an answer, as a model streams them.
FAKE_REPLY = ["[THINK]2 plus 3 ", "is 5.", "[/THINK]", "5"]
_STUB_GGUF = b"GGUF" + b"\x03\x00\x00\x00" + bytes(24)


class SelfTestFailure(Exception):
    """A step of the self-test failed; ``step`` names it for the one-line result."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class SelfTestResult:
    passed: bool
    summary: str  # what passed, or "<step>: <reason>" for a failure
    step: str | None = None

    def line(self) -> str:
        if self.passed:
            return f"Veritrace self-test passed: {self.summary}"
        return f"Veritrace self-test FAILED: {self.summary}"

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Turn any error inside the block into a failure of step ``name``, message first."""
    try:
        yield
    except SelfTestFailure:
        raise
    except Exception as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise SelfTestFailure(name, reason) from error


def run_self_test() -> SelfTestResult:
    """Run every step in a temporary data folder; never raises for a failed step."""
    # Before anything can import Qt: the self-test must run on machines with no display (CI, SSH).
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.monotonic()
    # ignore_cleanup_errors: on Windows a file the OS still holds must not turn a pass into a crash.
    with tempfile.TemporaryDirectory(prefix="veritrace-self-test-", ignore_cleanup_errors=True) as folder:
        # The temporary record's witness stays in the temporary folder too, never beside the user's.
        previous = {name: os.environ.get(name) for name in (HOME_VARIABLE, WITNESS_VARIABLE)}
        os.environ[HOME_VARIABLE] = folder
        os.environ[WITNESS_VARIABLE] = str(Path(folder) / "witness")
        try:
            summary = _run(Path(folder))
        except SelfTestFailure as failure:
            return SelfTestResult(False, f"{failure.step}: {failure.reason}", failure.step)
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return SelfTestResult(True, f"{summary}; {time.monotonic() - started:.1f} s")


def _run(home: Path) -> str:
    from app.services.exporting import export  # loads Qt (offscreen) only when this step is reached
    from app.services.signing import installation_key

    with _step("database"):
        # A throwaway key for a throwaway record: no keyring entry, no passphrase asked for.
        key = installation_key(home, passphrase=secrets.token_hex(16))
        store = open_record(home / "veritrace.db", backups=home / "backups", key=lambda: key)
    try:
        backend, model_path, model_label, is_demo = _backend(home)
        service = ChatService(store, backend)
        try:
            settings = with_params(preset("demo"), max_tokens=MAX_TOKENS, seed=SEED)
            if not is_demo:
                settings = replace(settings, require_reasoning=False)
            with _step("model"):
                service.load_model(model_path, settings, is_demo=is_demo)
            with _step("turn"):
                turn = service.run_turn(None, PROMPT, settings, SilentSink(), CancelToken())
            if turn.status != TurnStatus.COMPLETED:
                raise SelfTestFailure(
                    "turn", f"the turn ended {turn.status.value}: {turn.error or 'no error'}"
                )
            if turn.completion_tokens < 1 or not (turn.answer or turn.reasoning):
                raise SelfTestFailure("turn", "the model produced no text")
        finally:
            service.release_model()  # stops the hash and the watch, and closes the files
            backend.close()
        with _step("ledger"):
            checked = check_record(store, data_folder=home)
            verification = checked.verification
        if not checked.intact:
            raise SelfTestFailure("ledger", " ".join(checked.lines()))
        destination = home / "self-test.pdf"
        with _step("export"):
            result = export(store, key, [turn.conversation_id], destination, format="pdf")
            head = destination.read_bytes()[:5]
        if head != b"%PDF-":
            raise SelfTestFailure("export", f"the report does not start with %PDF- (it starts {head!r})")
        with _step("ledger"):
            rechecked = check_record(store, data_folder=home)  # the export itself joined the record
            after = rechecked.verification
        if not rechecked.intact or after.entries <= verification.entries or rechecked.witness is None:
            raise SelfTestFailure("ledger", "after the export: " + " ".join(rechecked.lines()))
    finally:
        store.close()
    return (
        f"Veritrace {__version__}, {model_label} ({backend.runtime_version}), "
        f"turn {turn.status.value} ({counted(turn.completion_tokens, 'token')}), "
        f"record intact ({counted(after.entries, 'ledger entry', 'ledger entries')}), "
        f"PDF report {result.size} bytes"
    )


def _backend(home: Path) -> tuple[Backend, Path, str, bool]:
    """The real llama.cpp backend on the demo model, else the scripted one (and the line says so)."""
    demo = demo_model_path()
    if demo is not None:
        with _step("model"):
            from app.runtime.llama_backend import LlamaBackend  # loads llama.cpp's shared libraries

            return LlamaBackend(), demo, f"demo model {demo.name}", True
    from app.runtime.fake_backend import FakeBackend

    fake = FakeBackend()
    fake.enqueue(list(FAKE_REPLY))
    stub = home / "scripted.gguf"
    stub.write_bytes(_STUB_GGUF)
    return fake, stub, "scripted fake model (no demo model found)", False
