"""Magistral on Mistral's API from the window: the dialog's offer, and a turn through the worker.

The turn runs against a loopback server that answers as Mistral's API does, byte for byte
(``tests/fixtures/mistral_server.py``), through the real worker thread, service and record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from app.core.presets import preset
from app.core.remote import MISTRAL_API, RemoteEndpoint
from app.core.remote_request import sent_bytes
from app.core.types import TurnStatus
from app.services import remote
from app.services.config import load_config
from app.services.session import StatusText
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from app.ui.remote_dialog import RemoteDialog
from app.ui.settings_dialog import SettingsDialog
from tests.fixtures.keyrings import MemoryKeyring
from tests.fixtures.mistral_server import Answer, MistralServer

SECRET = "sk-ui-mistral-key-0a1b2c3d4e5f"
MAGISTRAL = "magistral-medium-2509"


@pytest.fixture
def mistral() -> Iterator[MistralServer]:
    server = MistralServer(api_key=SECRET).start()
    yield server
    server.stop()


def test_the_dialog_offers_magistral_on_mistral_s_api(qtbot: QtBot) -> None:
    dialog = RemoteDialog()
    qtbot.addWidget(dialog)
    assert dialog.prompt_mode.isHidden(), "prompt_mode is Mistral's: not offered for other servers"
    dialog.mistral.click()
    assert dialog.url.text() == MISTRAL_API
    offered = [dialog.model.itemText(index) for index in range(dialog.model.count())]
    assert offered == ["magistral-small-2509", "magistral-medium-2509"]
    assert dialog.model.currentText() == "magistral-small-2509"
    assert not dialog.prompt_mode.isHidden() and dialog.prompt_mode.isChecked()
    assert dialog.options() == (True, False)
    assert "Magistral preset" in dialog.message.text()
    dialog.prompt_mode.setChecked(False)
    dialog.resend_reasoning.setChecked(True)
    assert dialog.options() == (False, True)
    dialog.model.setCurrentText("mistral-small-latest")
    assert dialog.prompt_mode.isHidden() and dialog.options() == (None, True)
    declined = RemoteDialog(MISTRAL_API, MAGISTRAL, settings=replace(preset("magistral"), prompt_mode="none"))
    qtbot.addWidget(declined)
    assert not declined.prompt_mode.isChecked(), "a choice made before is shown as it was made"
    assert declined.model.currentText() == MAGISTRAL


@pytest.mark.slow
def test_magistral_runs_through_the_window_with_its_preset_and_a_rate_limit_countdown(
    qtbot: QtBot, window: MainWindow, store: Store, mistral: MistralServer, memory_keyring: MemoryKeyring
) -> None:
    remote.save_api_key(mistral.url, SECRET)
    statuses: list[str] = []
    window.controller.events.connect(
        lambda event: statuses.append(event.text) if isinstance(event, StatusText) else None
    )
    endpoint = RemoteEndpoint(mistral.url, MAGISTRAL, remote.api_key(mistral.url))
    with qtbot.waitSignal(window.controller.model_changed, timeout=10000) as switched:
        window.controller.use_remote(endpoint, prompt_mode=True, resend_reasoning=False)
    assert switched.args[0].loaded.name == MAGISTRAL
    saved = load_config().settings
    assert (saved.preset, saved.prompt_mode, saved.system_prompt) == ("magistral", "reasoning", "")
    assert (saved.params.temperature, saved.params.top_p) == (0.7, 0.95)

    mistral.answers += [
        Answer.json("error_429.json", 429, headers={"Retry-After": "1"}),
        Answer.stream("magistral_thinking_split.sse"),
    ]
    with qtbot.waitSignal(window.controller.turn_finished, timeout=15000) as finished:
        window.controller.send("17 × 3?")
    turn = finished.args[0]
    assert turn.status == TurnStatus.COMPLETED, turn.error
    assert turn.answer == "17 × 3 = **51**." and turn.reasoning.startswith("Okay, the user asks")
    assert window.reasoning.text().strip() == turn.reasoning.strip(), "the thinking filled the reasoning pane"
    assert "17 × 3 = **51**." not in window.reasoning.text()
    countdown = f"{mistral.host} says too many requests (HTTP 429): asking again in 1 s (retry 1 of 3)…"
    assert countdown in statuses, "the status line counted the wait down"
    body = json.loads(mistral.received[-1])
    assert (body["prompt_mode"], body["temperature"]) == ("reasoning", 0.7)
    recorded = store.turn(turn.id)
    assert recorded.request_attempts == 2 and recorded.response_model == MAGISTRAL
    assert sent_bytes(recorded.request_json or "", store.image_data) == mistral.received[-1]
    assert recorded.request_sha256 == hashlib.sha256(mistral.received[-1]).hexdigest()
    assert store.verify().intact


def test_the_settings_dialog_keeps_the_server_s_choices(qtbot: QtBot) -> None:
    chosen = replace(preset("magistral"), system_prompt="", prompt_mode="reasoning", resend_reasoning=True)
    dialog = SettingsDialog(chosen)
    qtbot.addWidget(dialog)
    dialog.temperature.setValue(0.5)
    kept = dialog.settings()
    assert (kept.prompt_mode, kept.resend_reasoning, kept.params.temperature) == ("reasoning", True, 0.5)
    dialog.preset.activated.emit(dialog.preset.findData("think-tags"))  # as choosing it does
    after = dialog.settings()
    assert after.preset == "think-tags" and (after.prompt_mode, after.resend_reasoning) == ("reasoning", True)
