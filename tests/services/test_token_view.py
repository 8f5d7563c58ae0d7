"""A turn's prompt as tokens: texts only from the model that ran it, else the ids and why."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.hashing import sha256_file
from app.core.types import ModelFile, RunSettings, Turn
from app.runtime.backend import LoadOptions
from app.runtime.fake_backend import FakeBackend
from app.runtime.llama_backend import LlamaBackend
from app.services.chat import ActiveModel
from app.services.token_view import prompt_token_view
from app.storage.repository import Store
from tests.fixtures.ledger import prepared
from tests.fixtures.tiny_models import END_THINK_ID, THINK_ID


def recorded(
    store: Store, sha256: str, segments: tuple[tuple[int, ...], ...] = ((THINK_ID, 504, END_THINK_ID),)
) -> Turn:
    with_ids = replace(prepared("Is clause 4 void?"), token_segments=segments)
    return store.begin_turn(
        None,
        "Is clause 4 void?",
        RunSettings(),
        with_ids,
        ModelFile("/models/tiny.gguf", 1, sha256),
        "llama-cpp-python 0.3.36",
        "0.1.0",
        "alice",
    )


@pytest.fixture
def tiny(tiny_models: tuple[Path, Path]):
    backend = LlamaBackend()
    loaded = backend.load(tiny_models[0], LoadOptions(512, 0, 0))
    path = tiny_models[0]
    model = ActiveModel(
        loaded, ModelFile(str(path), path.stat().st_size, sha256_file(path)), LoadOptions(512, 0, 0)
    )
    yield backend, model
    backend.close()


@pytest.mark.slow
@pytest.mark.e2e
def test_the_model_that_ran_the_turn_spells_its_tokens(
    store: Store, tiny: tuple[LlamaBackend, ActiveModel]
) -> None:
    backend, model = tiny
    view = prompt_token_view(recorded(store, model.file.sha256), model, backend)
    assert not view.note and view.has_texts and view.control_count == 2
    assert [(piece.text, piece.control) for piece in view.pieces][::2] == [
        ("[THINK]", True),
        ("[/THINK]", True),
    ]


@pytest.mark.slow
@pytest.mark.e2e
def test_another_model_gives_the_ids_alone_naming_both_hashes(
    store: Store, tiny: tuple[LlamaBackend, ActiveModel]
) -> None:
    backend, model = tiny
    view = prompt_token_view(recorded(store, "b" * 64), model, backend)
    assert [piece.id for piece in view.pieces] == [THINK_ID, 504, END_THINK_ID]
    assert not view.has_texts
    assert f"The model loaded now (SHA-256 {model.file.sha256}) is not the one" in view.note
    assert "b" * 64 in view.note


def test_no_local_model_gives_the_ids_alone(store: Store) -> None:
    turn = recorded(store, "a" * 64, ((1, 2), (3,)))
    view = prompt_token_view(turn, None, None)
    assert [piece.id for piece in view.pieces] == [1, 2, 0xFFFFFFFF, 3] and view.image_count == 1
    assert view.note.startswith("No local model is loaded: the ids alone.")
    assert prompt_token_view(turn, None, FakeBackend()).note == view.note


def test_a_turn_without_ids_says_why(store: Store) -> None:
    plain = store.begin_turn(
        None,
        "Hello",
        RunSettings(),
        prepared("Hello"),
        ModelFile("https://api.example/v1/m", 0, ""),
        "remote",
        "0.1.0",
        "alice",
        endpoint="https://api.example/v1",
        remote_model="m",
    )
    assert "it ran on a server" in prompt_token_view(plain, None, None).note
    local = replace(plain, backend="local", endpoint=None)
    assert "they were not recorded" in prompt_token_view(local, None, None).note


def test_a_damaged_blob_is_said_not_raised(store: Store) -> None:
    turn = replace(recorded(store, "a" * 64), prompt_token_blob=b"\x01\x02\x03")
    view = prompt_token_view(turn, None, None)
    assert view.pieces == () and "are damaged: 3 bytes" in view.note and "Verify" in view.note
