"""The real image path: llama.cpp's mtmd with the tiny random-weight projector."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from app.core.cancel import CancelToken
from app.core.errors import ModelError
from app.core.hashing import sha256_bytes
from app.core.images import check_image, model_copy
from app.core.presets import preset
from app.core.prompts import build_messages
from app.core.types import RunSettings
from app.runtime.backend import LoadOptions
from app.runtime.llama_backend import LlamaBackend

pytestmark = pytest.mark.e2e


def png(colour: tuple[int, int, int], pattern: bool = False) -> bytes:
    image = Image.new("RGB", (32, 32), colour)
    if pattern:
        image.putdata([((x * 8) % 256, (y * 8) % 256, colour[2]) for y in range(32) for x in range(32)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def vision_backend(tiny_models: tuple[Path, Path]):
    text_model, projector = tiny_models
    backend = LlamaBackend()
    loaded = backend.load(text_model, LoadOptions(1024, 0, 0), projector=projector)
    assert loaded.has_vision and loaded.projector == projector
    yield backend
    backend.close()


def settings(seed: int = 5) -> RunSettings:
    base = preset("think-tags")
    return replace(base, params=replace(base.params, seed=seed, temperature=0.0, max_tokens=12))


def run_with(
    backend: LlamaBackend, images: list[bytes], prompt: str = "Describe the picture."
) -> tuple[str, int]:
    sent = [model_copy(check_image(data, f"image{i}.png")) for i, data in enumerate(images)]
    messages = build_messages("", [], prompt, tuple(s.sha256 for s in sent))
    prepared = backend.prepare(messages, settings(), {s.sha256: s.data for s in sent})
    assert [sha256_bytes(data) for data in prepared.image_data] == [s.sha256 for s in sent]
    generation = backend.generate(prepared, settings(), CancelToken())
    return "".join(generation), prepared.token_count


def test_an_image_adds_prompt_tokens_and_changes_the_output(vision_backend: LlamaBackend) -> None:
    text_only, plain_count = run_with(vision_backend, [])
    red, red_count = run_with(vision_backend, [png((255, 0, 0))])
    red_again, _ = run_with(vision_backend, [png((255, 0, 0))])
    stripes, _ = run_with(vision_backend, [png((0, 0, 255), pattern=True)])
    _, two_count = run_with(vision_backend, [png((255, 0, 0)), png((0, 0, 255), pattern=True)])
    per_image = red_count - plain_count
    assert per_image >= 16, "a 32x32 image is 16 patches for the tiny projector"
    assert two_count - red_count >= per_image - 1, "each image adds its tokens"
    assert red == red_again, "the same image gives the same output"
    assert red != stripes, "the output depends on the pixels"
    assert red != text_only


@pytest.mark.slow
def test_the_marker_is_in_the_recorded_prompt(vision_backend: LlamaBackend) -> None:
    sent = model_copy(check_image(png((9, 9, 9)), "grey.png"))
    prepared = vision_backend.prepare(
        build_messages("", [], "What is this?", (sent.sha256,)), settings(), {sent.sha256: sent.data}
    )
    assert "<__media__>What is this?" in prepared.text


@pytest.mark.slow
def test_images_without_a_projector_are_refused_by_the_runtime(tiny_models: tuple[Path, Path]) -> None:
    text_model, _ = tiny_models
    backend = LlamaBackend()
    backend.load(text_model, LoadOptions(1024, 0, 0))
    try:
        with pytest.raises(ModelError, match="no vision projector"):
            backend.prepare(build_messages("", [], "x", ("abc",)), settings(), {"abc": png((1, 2, 3))})
    finally:
        backend.close()


def test_a_projector_that_is_not_gguf_gives_a_clear_message(
    tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    text_model, _ = tiny_models
    bogus = tmp_path / "mmproj.gguf"
    bogus.write_text("not a projector" * 10)
    backend = LlamaBackend()
    with pytest.raises(ModelError, match=r"mmproj\.gguf is not a GGUF model file"):
        backend.load(text_model, LoadOptions(1024, 0, 0), projector=bogus)
    assert backend.loaded is None


@pytest.mark.slow
def test_a_projector_from_another_model_family_is_refused(
    tiny_models: tuple[Path, Path], demo_gguf: Path
) -> None:
    _, projector = tiny_models
    backend = LlamaBackend()
    with pytest.raises(ModelError, match="could not be loaded for this model"):
        backend.load(demo_gguf, LoadOptions(1024, 0, 0), projector=projector)
    assert backend.loaded is None
