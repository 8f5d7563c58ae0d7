"""A remote server through the real worker thread and window."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.presets import preset, with_params
from app.core.types import TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services import remote
from app.services.config import AppConfig, load_config
from app.services.paths import config_path
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.remote_servers import LlamaServer, Reply, ScriptedServer, content_chunks

pytestmark = pytest.mark.slow

SECRET = "sk-ui-test-key-fedcba9876543210"


@pytest.mark.e2e
def test_a_turn_runs_on_llama_cpp_server_through_the_window(
    qtbot: QtBot, store: Store, backend: FakeBackend, llama_server: LlamaServer, memory_keyring: MemoryKeyring
) -> None:
    settings = with_params(replace(preset("think-tags"), require_reasoning=True), max_tokens=400, seed=3)
    config = AppConfig(
        settings=settings, remote_url=llama_server.url, remote_model=llama_server.model, use_remote=True
    )
    window = MainWindow(store, backend, config, modal_errors=False)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.controller.model_changed, timeout=20000) as loaded:
            window.controller.start()
        assert loaded.args[0].loaded.is_remote
        host = llama_server.url.split("//")[1].split("/")[0]
        assert window.status.model.text() == f"Remote: {llama_server.model} at {host}"
        words = f"Remote model — no file hash: endpoint {llama_server.url}, model id {llama_server.model}"
        tip = window.status.model.toolTip()
        assert tip.startswith(words) and "SHA-256" not in tip, "a server's model has no file hash"
        assert backend.load_count == 0, "the local model was never needed"
        with qtbot.waitSignal(window.controller.turn_finished, timeout=120000) as finished:
            window.controller.send("What is 2 + 2?")
        turn = finished.args[0]
        assert turn.status == TurnStatus.COMPLETED, turn.error
        assert turn.reasoning.strip() and turn.answer.strip()
        assert window.reasoning.text().strip() == turn.reasoning.strip(), "the reasoning pane filled"
        recorded = store.turn(turn.id)
        assert (recorded.backend, recorded.endpoint, recorded.remote_model) == (
            "remote",
            llama_server.url,
            llama_server.model,
        )
        assert recorded.usage_source == "approximate" and recorded.completion_tokens > 0
        assert recorded.model.path == f"{llama_server.url}/{llama_server.model}"
        shown = window.view.toPlainText()
        assert words in shown
        assert turn.answer.strip()[:20] in shown, "the answer is in the conversation view"
        assert store.verify().intact
    finally:
        window.controller.shutdown()


def test_the_dialog_fetches_models_tests_and_switches_to_the_server(
    qtbot: QtBot,
    window: MainWindow,
    backend: FakeBackend,
    scripted_server: ScriptedServer,
    memory_keyring: MemoryKeyring,
    tiny_models: tuple[Path, Path],
) -> None:
    scripted_server.api_key = SECRET
    scripted_server.models = ("first-model", "second-model")
    dialog = window.open_remote_dialog()
    dialog.url.setText(scripted_server.url)
    dialog.key.setText("wrong")
    with qtbot.waitSignal(dialog.checked, timeout=10000) as refused:
        dialog.test.click()
    assert refused.args[0] is False and "HTTP 401" in refused.args[1]
    assert dialog.message.text() == refused.args[1]
    dialog.key.setText(SECRET)
    with qtbot.waitSignal(dialog.models_fetched, timeout=10000) as fetched:
        dialog.fetch.click()
    assert fetched.args[0] == ["first-model", "second-model"]
    assert [dialog.model.itemText(i) for i in range(dialog.model.count())] == fetched.args[0]
    dialog.model.setCurrentText("second-model")
    with qtbot.waitSignal(dialog.checked, timeout=10000) as passed:
        dialog.test.click()
    host = scripted_server.url.split("//")[1].removesuffix("/v1")
    assert passed.args == [True, f"Connected: {host} serves “second-model”."]

    with qtbot.waitSignal(window.controller.model_changed, timeout=10000) as switched:
        dialog.accept()
    assert switched.args[0].loaded.name == "second-model"
    assert window.status.model.text().startswith("Remote: second-model at 127.0.0.1:")
    assert memory_keyring.items == {("veritrace", scripted_server.url): SECRET}
    saved = load_config()
    assert (saved.remote_url, saved.remote_model, saved.use_remote) == (
        scripted_server.url,
        "second-model",
        True,
    )
    assert SECRET not in config_path().read_text("utf-8")

    scripted_server.replies.append(Reply(content_chunks("Remote answer.")))
    with qtbot.waitSignal(window.controller.turn_finished, timeout=10000) as finished:
        window.controller.send("Hello")
    assert finished.args[0].answer == "Remote answer." and finished.args[0].ran_remotely
    assert scripted_server.headers[-1]["Authorization"] == f"Bearer {SECRET}"

    # Back to a local model (a real GGUF: choosing one reads its metadata for its preset): the
    # turns run there again and the setting is remembered.
    with qtbot.waitSignal(window.controller.model_changed, timeout=60000) as local:
        window.controller.open_model(str(tiny_models[0]))
    assert not local.args[0].loaded.is_remote
    assert load_config().use_remote is False
    assert remote.api_key(scripted_server.url) == SECRET, "the key stays for the next time"
