"""Service fixtures: a real record file, and a scripted backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "record.db")
    yield opened
    opened.close()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()
