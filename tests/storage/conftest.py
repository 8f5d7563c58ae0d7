"""A filled record shared by the storage tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage.repository import Store
from tests.fixtures.ledger import fill


@pytest.fixture
def filled_store(tmp_path: Path) -> Iterator[Store]:
    """A file record with two turns (images, output, outcomes) in one conversation."""
    opened = Store(tmp_path / "record.db")
    fill(opened, turns=2)
    yield opened
    opened.close()
