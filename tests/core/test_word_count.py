"""Word counts: counted as a trace streams, at every split, as ``str.split`` counts them."""

from __future__ import annotations

import itertools

from app.core.word_count import KEPT, RunningCount, remember, word_count

TEXTS = [
    "",
    " ",
    "one",
    "one two",
    "  leading and trailing  ",
    "line\nbreaks\n\nand\ttabs",
    "no\u00a0break\u3000ideographic\u2028separator",  # whitespace str.split knows beyond ASCII
    "ab cd",
]


def test_a_text_streamed_in_pieces_counts_as_str_split_at_every_pair_of_cuts() -> None:
    for text in TEXTS:
        for first, second in itertools.combinations_with_replacement(range(len(text) + 1), 2):
            running = RunningCount()
            for piece in (text[:first], text[first:second], text[second:]):
                running.feed(piece)
            assert running.words == len(text.split()), (text, first, second)
            assert running.length == len(text)


def test_a_word_cut_between_pieces_counts_once() -> None:
    running = RunningCount()
    for piece in ["rea", "son", "ing ", "goes", " on"]:
        running.feed(piece)
    assert running.words == 3


def test_a_count_remembered_from_the_stream_is_not_counted_again() -> None:
    trace = "a remembered trace " * 10
    remember(trace, 30)
    assert word_count(trace) == 30
    assert word_count("a trace nobody counted before") == 5


def test_only_the_latest_counts_are_kept() -> None:
    first = "the first text of many"
    remember(first, 999)  # not its real count: it shows whether the kept one is used
    for index in range(KEPT):
        word_count(f"text number {index}")
    assert word_count(first) == 5, "counted again once it was no longer kept"
