"""Token ids as the record keeps them: packed, unpacked, hashed, with images between runs."""

from __future__ import annotations

import hashlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.tokens import (
    IMAGE_SLOT,
    MAX_TOKEN_ID,
    MAX_TOKEN_IDS,
    OutputTokens,
    TokenIdsError,
    flatten_segments,
    ids_sha256,
    pack_ids,
    pack_segments,
    split_segments,
    unpack_ids,
    unpack_segments,
)

ids = st.lists(st.integers(0, MAX_TOKEN_ID), max_size=200)


def test_ids_are_little_endian_uint32() -> None:
    assert pack_ids([1, 0x01020304, MAX_TOKEN_ID]) == struct.pack("<3I", 1, 0x01020304, MAX_TOKEN_ID)
    assert pack_ids([]) == b""
    assert ids_sha256([1, 2]) == hashlib.sha256(struct.pack("<2I", 1, 2)).hexdigest()


@given(ids)
def test_pack_and_unpack_round_trip(values: list[int]) -> None:
    assert unpack_ids(pack_ids(values)) == tuple(values)


@given(st.lists(ids, min_size=1, max_size=5))
def test_segments_round_trip_with_one_slot_per_image(segments: list[list[int]]) -> None:
    flat = flatten_segments(segments)
    assert flat.count(IMAGE_SLOT) == len(segments) - 1
    assert split_segments(flat) == tuple(tuple(segment) for segment in segments)
    assert unpack_segments(pack_segments(segments)) == tuple(tuple(segment) for segment in segments)


def test_an_image_at_either_end_leaves_an_empty_run() -> None:
    assert flatten_segments([(), (5, 6), ()]) == (IMAGE_SLOT, 5, 6, IMAGE_SLOT)
    assert split_segments((IMAGE_SLOT, 5, 6, IMAGE_SLOT)) == ((), (5, 6), ())
    assert split_segments(()) == ((),)


@pytest.mark.parametrize("length", [1, 2, 3, 5, 7, 4097])
def test_a_blob_that_is_not_whole_ids_is_refused_clearly(length: int) -> None:
    with pytest.raises(TokenIdsError, match=f"prompt token ids of turn 3 are damaged: {length} bytes"):
        unpack_ids(bytes(length), "prompt token ids of turn 3")


def test_sizes_are_bounded_both_ways() -> None:
    with pytest.raises(TokenIdsError, match="more than a turn can hold"):
        unpack_ids(bytes(4 * (MAX_TOKEN_IDS + 1)))
    with pytest.raises(TokenIdsError, match="more than a turn can hold"):
        pack_ids(range(MAX_TOKEN_IDS + 1))


@pytest.mark.parametrize("bad", [-1, 2**32, 2**64])
def test_ids_outside_uint32_are_refused(bad: int) -> None:
    with pytest.raises(TokenIdsError, match="not a whole number"):
        pack_ids([1, bad])


@pytest.mark.parametrize("bad", [-1, IMAGE_SLOT])
def test_a_run_of_text_ids_holds_no_slot_and_no_negative_id(bad: int) -> None:
    with pytest.raises(TokenIdsError, match="is not a token id"):
        flatten_segments([(1, bad)])


def test_reasoning_and_answer_add_up_to_the_ids() -> None:
    assert OutputTokens((1, 2, 3), 2, 1).answer == 1
    with pytest.raises(TokenIdsError, match="do not add up"):
        OutputTokens((1, 2, 3), 2, 2)
    with pytest.raises(TokenIdsError, match="do not add up"):
        OutputTokens((), -1, 1)
