"""The fast canonical JSON path is byte-identical to RFC 8785 wherever it is used."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.ledger import MAX_SAFE_INTEGER, canonical

# Text without lone surrogates (not encodable in UTF-8 by either implementation).
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
scalars = st.none() | texts | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
keys = st.text(alphabet=st.characters(max_codepoint=127), max_size=12)
objects = st.recursive(
    st.dictionaries(keys, scalars, max_size=8),
    lambda children: st.dictionaries(keys, scalars | children, max_size=6),
    max_leaves=30,
)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(objects)
def test_fast_path_matches_rfc8785(value: dict) -> None:
    assert canonical(value) == rfc8785.dumps(value)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, st.floats(allow_nan=False, allow_infinity=False) | st.booleans(), min_size=1))
def test_floats_and_booleans_take_the_rfc8785_path(value: dict) -> None:
    assert canonical(value) == rfc8785.dumps(value)


def test_control_characters_and_unicode() -> None:
    value = {"b": 'tab\there\nnew \u0001 \u007f é 中 "q" \\', "a": None, "c": -5}
    assert canonical(value) == rfc8785.dumps(value)
