"""Running a recorded turn again: identical on the same file and settings, refused on another file.

Real llama-cpp-python, the real demo model (a copy, so one byte of it can be changed), the tiny
vision model with an image, real record files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.images import read_image_file
from app.core.presets import preset, with_params
from app.core.reproduction import EVENT, Outcome
from app.core.types import Turn, TurnStatus
from app.runtime.llama_backend import LlamaBackend
from app.services.chat import ChatService
from app.services.reproduce import CannotReproduce, Overrides, reproduce, reproductions
from app.storage.repository import Store
from tests.fixtures.sinks import RecordingSink

pytestmark = pytest.mark.slow

DEMO = with_params(preset("demo"), seed=7, max_tokens=40, n_threads=2)


@pytest.fixture
def demo_copy(tmp_path: Path, demo_gguf: Path) -> Path:
    copy = tmp_path / "models" / "demo.gguf"
    copy.parent.mkdir()
    shutil.copyfile(demo_gguf, copy)
    return copy


def _service(store: Store, model: Path, projector: Path | None = None) -> ChatService:
    chat = ChatService(store, LlamaBackend(), user="alice", save_interval=0.0)
    chat.load_model(model, DEMO, is_demo=projector is None, projector=projector)
    return chat


def _done(chat: ChatService) -> None:
    chat.release_model()
    chat.backend.close()


def _turn(chat: ChatService, prompt: str, conversation: int | None = None, **kwargs: object) -> Turn:
    return chat.run_turn(conversation, prompt, DEMO, RecordingSink(), CancelToken(), **kwargs)  # type: ignore[arg-type]


def test_a_turn_run_again_on_the_same_file_is_identical_and_recorded(store: Store, demo_copy: Path) -> None:
    chat = _service(store, demo_copy)
    first = _turn(chat, "Name a colour.")
    follow_up = _turn(chat, "And another one?", first.conversation_id)
    _done(chat)
    assert first.output_token_ids and follow_up.output_token_ids

    for turn in (first, follow_up):
        result = reproduce(store, turn.id)
        assert result.outcome is Outcome.IDENTICAL, result.summary
        assert result.summary.startswith(f"identical: {len(turn.output_token_ids or ())} output tokens")
        assert result.now_text == result.recorded_text and result.found_sha256 == turn.model.sha256
    recorded = reproductions(store)
    assert [r.outcome for r in recorded[first.id]] == [Outcome.IDENTICAL]
    assert [r.outcome for r in recorded[follow_up.id]] == [Outcome.IDENTICAL]
    events = store.events_of((EVENT,))
    assert [detail["turn_id"] for _, _, detail in events] == [first.id, follow_up.id]
    assert store.verify().intact, "the reproductions are ledger entries like everything else"


def test_a_turn_stopped_part_way_is_compared_as_far_as_it_went(store: Store, demo_copy: Path) -> None:
    chat = _service(store, demo_copy)

    class StopAfterFive(RecordingSink):
        def __init__(self, cancel: CancelToken) -> None:
            super().__init__()
            self.cancel = cancel

        def _delta(self, text: str) -> None:
            if len(self.pieces) >= 5:
                self.cancel.set()

    cancel = CancelToken()
    turn = chat.run_turn(None, "Count to twenty.", DEMO, StopAfterFive(cancel), cancel)
    _done(chat)
    assert turn.status is TurnStatus.CANCELLED and 0 < len(turn.output_token_ids or ()) < 40
    result = reproduce(store, turn.id)
    assert result.outcome is Outcome.IDENTICAL, result.summary


def test_a_turn_with_an_image_is_identical_on_the_tiny_vision_model(
    store: Store, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    from PIL import Image

    text_model, projector = tiny_models
    picture = tmp_path / "chart.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture)
    chat = ChatService(store, LlamaBackend(), user="alice", save_interval=0.0)
    settings = with_params(preset("think-tags"), seed=3, max_tokens=12, n_threads=2)
    chat.load_model(text_model, settings, projector=projector)
    turn = chat.run_turn(
        None, "What is in the picture?", settings, RecordingSink(), CancelToken(), [read_image_file(picture)]
    )
    _done(chat)
    assert turn.images and turn.images[0].sent_sha256
    result = reproduce(store, turn.id)
    assert result.outcome is Outcome.IDENTICAL, result.summary


def test_one_changed_byte_in_the_model_file_is_refused_with_the_file_and_hash(
    store: Store, demo_copy: Path
) -> None:
    chat = _service(store, demo_copy)
    turn = _turn(chat, "Name a colour.")
    _done(chat)
    stat = demo_copy.stat()
    with demo_copy.open("r+b") as handle:  # a byte deep in the weights, its times put back
        handle.seek(stat.st_size // 2)
        byte = handle.read(1)
        handle.seek(stat.st_size // 2)
        handle.write(bytes([byte[0] ^ 0x01]))
    import os

    os.utime(demo_copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = reproduce(store, turn.id)
    assert result.outcome is Outcome.REFUSED and not result.ran
    assert str(demo_copy.resolve()) in result.summary and turn.model.sha256 in result.summary
    assert result.found_sha256 and result.found_sha256 != turn.model.sha256
    assert result.found_sha256 in result.summary
    assert reproductions(store)[turn.id][-1].outcome is Outcome.REFUSED, "a refusal is recorded too"


def test_a_missing_model_file_names_where_it_was_looked_for(store: Store, demo_copy: Path) -> None:
    chat = _service(store, demo_copy)
    turn = _turn(chat, "Name a colour.")
    _done(chat)
    moved = demo_copy.with_name("moved.gguf")
    demo_copy.rename(moved)
    refused = reproduce(store, turn.id)
    assert refused.outcome is Outcome.REFUSED
    assert str(demo_copy.resolve()) in refused.summary and "--model" in refused.summary
    found = reproduce(store, turn.id, Overrides(model=moved))
    assert found.outcome is Outcome.IDENTICAL, "the same file, by hash, wherever it is"


def test_another_thread_count_is_reported_as_a_change(store: Store, demo_copy: Path) -> None:
    chat = _service(store, demo_copy)
    turn = _turn(chat, "Name a colour.")
    _done(chat)
    result = reproduce(store, turn.id, Overrides(threads=1))
    assert "threads 2 → 1" in result.summary
    assert result.outcome in (Outcome.IDENTICAL, Outcome.DIVERGES)
    assert "threads 2 → 1" in result.changed


def test_a_turn_recorded_without_ids_says_so(store: Store, demo_copy: Path, tmp_path: Path) -> None:
    from tests.fixtures.ledger import tamper

    chat = _service(store, demo_copy)
    turn = _turn(chat, "Name a colour.")
    _done(chat)
    tamper(tmp_path / "record.db", "UPDATE turns SET prompt_token_ids = NULL WHERE id = ?", (turn.id,))
    head = store.head()
    with pytest.raises(CannotReproduce, match="without the token ids"):
        reproduce(store, turn.id)
    assert store.head() == head, "nothing is recorded when nothing could be run"


def test_the_command_line_reproduces_and_exits_by_outcome(
    veritrace_home: Path, demo_gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    assert main(["ask", "Name a colour.", "--seed", "5", "--max-tokens", "30"]) == 0
    capsys.readouterr()
    assert main(["reproduce", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["outcome"] == "identical" and shown["turn_id"] == 1
    assert main(["show", "1", "--json"]) == 0
    ran_on = json.loads(capsys.readouterr().out)["turns"][0]["runtime"]["n_threads"]
    other = 1 if ran_on != 1 else 2
    assert main(["reproduce", "1", "--threads", str(other)]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith("Turn 1: ") and f"threads {ran_on} → {other}" in out
    assert main(["reproduce", "99"]) == 2
    assert main(["verify"]) == 0


def test_reports_list_each_time_a_turn_was_run_again(
    qapp: object, store: Store, demo_copy: Path, tmp_path: Path
) -> None:
    import subprocess

    from app.services.exporting import export
    from tests.fixtures.keys import TEST_KEY

    chat = _service(store, demo_copy)
    turn = _turn(chat, "Name a colour.")
    _done(chat)
    reproduce(store, turn.id)
    moved = demo_copy.rename(demo_copy.with_name("elsewhere.gguf"))
    reproduce(store, turn.id)  # refused: no file where the turn ran it
    markdown = export(store, TEST_KEY, [turn.conversation_id], tmp_path / "r.md", format="md")
    text = markdown.path.read_text().replace("\\", "")  # read as the reader sees it, unescaped
    assert "**Run again**" in text
    assert "identical: " in text and "refused" not in text.split("**Run again**")[0]
    assert str(demo_copy.resolve()) in text.split("**Run again**")[1], "the refusal names the file"
    pdf = export(store, TEST_KEY, [turn.conversation_id], tmp_path / "r.pdf", format="pdf")
    words = subprocess.run(["pdftotext", str(pdf.path), "-"], check=True, capture_output=True, text=True)
    assert "RUN AGAIN" in words.stdout and "identical" in words.stdout and "refused" in words.stdout
    assert moved.exists()


def test_a_server_s_turn_says_it_cannot_be_reproduced_and_runs_again_on_request(
    tmp_path: Path, scripted_server: Any
) -> None:
    from app.core.remote import RemoteEndpoint
    from app.runtime.remote_backend import RemoteBackend
    from tests.fixtures.remote_servers import Reply, content_chunks

    store = Store(tmp_path / "record.db")
    endpoint = RemoteEndpoint(scripted_server.url, "scripted-model")
    chat = ChatService(store, RemoteBackend(endpoint))
    settings = with_params(preset("think-tags"), seed=11, max_tokens=64)
    chat.connect_remote(RemoteBackend(endpoint), settings)
    scripted_server.replies.append(Reply(content_chunks("Four.")))
    turn = chat.run_turn(None, "2 + 2?", settings, RecordingSink(), CancelToken())
    with pytest.raises(CannotReproduce, match="cannot be reproduced bit for bit"):
        reproduce(store, turn.id)
    assert len(scripted_server.requests) == 1, "nothing is sent unless asked"
    scripted_server.replies.append(Reply(content_chunks("Four, surely.")))
    again = reproduce(store, turn.id, Overrides(run_again=True))
    assert again.outcome is Outcome.NOT_EXACT and "differs from character 5" in again.summary
    assert (again.recorded_text, again.now_text) == ("Four.", "Four, surely.")
    assert scripted_server.requests[1] == scripted_server.requests[0], "the recorded request, as sent"
    assert [r.outcome for r in reproductions(store)[turn.id]] == [Outcome.NOT_EXACT]
    assert store.verify().intact
    store.close()
