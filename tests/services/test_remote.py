"""Turns on a remote server are recorded as remote; its API key stays in the keyring only."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from app.core.cancel import CancelToken
from app.core.presets import preset, with_params
from app.core.remote import RemoteEndpoint
from app.core.types import Checkpoint, ModelFile, TurnStatus
from app.export.markdown import render as render_markdown
from app.export.report import Report
from app.runtime.remote_backend import RemoteBackend
from app.services import remote
from app.services.chat import ChatService
from app.services.config import AppConfig, load_config, save_config
from app.services.logs import configure_logging
from app.services.paths import data_dir
from app.storage.repository import Store
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.remote_servers import Reply, ScriptedServer, content_chunks
from tests.fixtures.sinks import RecordingSink

SECRET = "sk-veritrace-test-0123456789abcdef"
SETTINGS = with_params(preset("think-tags"), seed=11, max_tokens=64)


def test_a_remote_turn_is_recorded_as_remote_with_the_server_s_counts(
    tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    store = Store(tmp_path / "record.db")
    service = ChatService(store, RemoteBackend(RemoteEndpoint("http://unused.invalid/v1", "x")))
    endpoint = RemoteEndpoint(scripted_server.url, "scripted-model")
    model = service.connect_remote(RemoteBackend(endpoint), SETTINGS)
    assert model.file == ModelFile.remote(scripted_server.url, "scripted-model")
    assert model.file.path == f"{scripted_server.url}/scripted-model" and model.file.size == 0
    assert model.file.sha256 == "" and model.file.is_remote, "no file, so no hash (not a made-up one)"
    usage = {"prompt_tokens": 17, "completion_tokens": 5, "total_tokens": 22}
    reasoning = [{"choices": [{"index": 0, "delta": {"reasoning_content": "Plainly four."}}]}]
    scripted_server.replies.append(Reply(reasoning + content_chunks("4", usage=usage)))
    sink = RecordingSink()
    turn = service.run_turn(None, "2 + 2?", SETTINGS, sink, CancelToken())
    assert sink.pieces == [("reasoning", "Plainly four."), ("answer", "4")]
    assert turn.status == TurnStatus.COMPLETED
    assert (turn.reasoning, turn.answer, turn.raw_output) == (
        "Plainly four.",
        "4",
        "<think>Plainly four.</think>4",
    )
    assert (turn.backend, turn.endpoint, turn.remote_model) == (
        "remote",
        scripted_server.url,
        "scripted-model",
    )
    assert (turn.prompt_tokens, turn.completion_tokens, turn.usage_source) == (17, 5, "server")
    assert turn.where_it_ran() == f"ran remotely on {scripted_server.url}, model scripted-model"
    assert turn.template_source == "server" and '"role": "user"' in turn.rendered_prompt
    assert turn.to_json()["remote"] == {"endpoint": scripted_server.url, "model": "scripted-model"}
    conversation = store.conversation(turn.conversation_id)
    checkpoint = Checkpoint(1, "now", 1, "h", "export", "00" * 32, "s")
    report = Report("r", "one", "now", "me", "0", (conversation,), checkpoint, "fp", "intact", True)
    markdown, _ = render_markdown(report, "images")  # the exporter says it plainly
    assert (
        f"Remote model — no file hash: endpoint {scripted_server.url}, model id scripted-model"
        in markdown.replace("\\", "")
    )
    assert "remote:" not in markdown and turn.model.sha256 == ""
    assert store.verify().intact
    store.close()


def test_rows_without_the_remote_columns_keep_their_ledger_payloads(tmp_path: Path) -> None:
    """The columns 0008_remote adds are NULL in rows recorded before it: payloads leave NULLs out."""
    from app.storage.ledger import row_payload
    from tests.fixtures.ledger import fill

    store = Store(tmp_path / "record.db")
    fill(store, turns=1)
    store.close()
    with sqlite3.connect(tmp_path / "record.db") as connection:
        connection.row_factory = sqlite3.Row
        turn = dict(connection.execute("SELECT * FROM turns").fetchone())
        outcome = dict(connection.execute("SELECT * FROM turn_outcomes").fetchone())
    connection.close()
    assert turn["backend"] == "local" and outcome["usage_source"] is None
    before_turn = {k: v for k, v in turn.items() if k not in ("backend", "endpoint", "remote_model")}
    after_turn = {**before_turn, "backend": None, "endpoint": None, "remote_model": None}
    assert row_payload("turns", after_turn) == row_payload("turns", before_turn)
    before_outcome = {k: v for k, v in outcome.items() if k not in ("prompt_tokens", "usage_source")}
    assert row_payload("turn_outcomes", outcome) == row_payload("turn_outcomes", before_outcome)


def test_the_api_key_is_in_the_keyring_and_nowhere_else(
    tmp_path: Path, scripted_server: ScriptedServer, memory_keyring: MemoryKeyring
) -> None:
    scripted_server.api_key = SECRET
    configure_logging(logging.DEBUG)  # even debug logging (httpx's included) must not show it
    try:
        stored = remote.save_api_key(scripted_server.url, SECRET)
        assert stored.in_keyring and memory_keyring.items == {("veritrace", scripted_server.url): SECRET}
        endpoint = RemoteEndpoint(scripted_server.url, "scripted-model", remote.api_key(scripted_server.url))
        assert SECRET not in repr(endpoint)
        save_config(remote.with_remote(AppConfig(), endpoint))
        config = load_config()
        assert (config.remote_url, config.remote_model, config.use_remote) == (
            scripted_server.url,
            "scripted-model",
            True,
        )
        assert remote.configured_endpoint(config) == endpoint
        store = Store(tmp_path / "record.db")
        service = ChatService(store, RemoteBackend(endpoint))
        service.connect_remote(RemoteBackend(endpoint), SETTINGS)
        turn = service.run_turn(None, "hello", SETTINGS, RecordingSink(), CancelToken())
        assert turn.status == TurnStatus.COMPLETED
        assert scripted_server.headers[0]["Authorization"] == f"Bearer {SECRET}"
        store.close()
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).parent == data_dir():
                root.removeHandler(handler)
                handler.close()
        root.setLevel(logging.WARNING)
    files = [path for path in [*data_dir().rglob("*"), *tmp_path.rglob("*")] if path.is_file()]
    names = {path.name for path in files}
    assert {"record.db", "veritrace.log"} <= names and any(name.endswith(".json") for name in names)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), f"the key leaked into {path}"
    remote.forget_api_key(scripted_server.url)
    assert memory_keyring.items == {} and remote.api_key(scripted_server.url) == ""


def test_without_a_keyring_the_key_is_kept_for_the_session_and_the_user_told() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        stored = remote.save_api_key("http://127.0.0.1:9/v1", SECRET)
        assert not stored.in_keyring and stored.message == remote.NO_KEYRING
        assert "kept for this session only" in stored.message
        assert remote.api_key("http://127.0.0.1:9") == SECRET, "the same server, however it was typed"
        remote.forget_api_key("http://127.0.0.1:9/v1")
        assert remote.api_key("http://127.0.0.1:9/v1") == ""
    finally:
        keyring.set_keyring(previous)


def test_tests_never_reach_the_users_keyring_or_hub_token(tmp_path: Path) -> None:
    import subprocess
    import sys

    from app.services.downloads import _saved_token

    assert isinstance(keyring.get_keyring(), fail.Keyring)
    assert _saved_token() is None
    probe = "import keyring; print(type(keyring.get_keyring()).__module__)"
    child = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert child.stdout.strip() == "keyring.backends.fail", child.stderr
