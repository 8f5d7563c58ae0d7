from __future__ import annotations

import itertools

import pytest

from app.core.reasoning import (
    MAGISTRAL_TAGS,
    ReasoningSplitter,
    Split,
    count_reasoning_tokens,
    reasoning_spans,
    split_text,
)

# (raw output, expected reasoning, expected answer)
FIXTURES = [
    ("[THINK]add 2 and 2[/THINK]The answer is 4.", "add 2 and 2", "The answer is 4."),
    ("<think>\nhmm\n</think>\n\nFour.", "\nhmm\n", "\n\nFour."),
    ("no reasoning at all", "", "no reasoning at all"),
    ("[THINK]one[/THINK]mid[THINK]two[/THINK]end", "onetwo", "midend"),
    ("[THINK]cut off while thinking", "cut off while thinking", ""),
    ("[THINK][/THINK]empty thought", "", "empty thought"),
    ("answer with [brackets] and [THIN but no tag", "", "answer with [brackets] and [THIN but no tag"),
    ("<think>a</think>b<think>c", "ac", "b"),
    ("[THINK]nested <think> is text[/THINK]ok", "nested <think> is text", "ok"),
    ("[THINK]ends with partial [/THIN", "ends with partial [/THIN", ""),
    ("text then [THINK", "", "text then [THINK"),
    ("[THINK]Ünïcødé 思考 مرحبا[/THINK]答え", "Ünïcødé 思考 مرحبا", "答え"),
    ("", "", ""),
    ("[/THINK]stray close", "", "[/THINK]stray close"),
]


def run(chunks: list[str], **options: object) -> tuple[str, str]:
    splitter = ReasoningSplitter(**options)  # type: ignore[arg-type]
    reasoning, answer = [], []
    for chunk in chunks:
        split = splitter.feed(chunk)
        reasoning.append(split.reasoning)
        answer.append(split.answer)
    last = splitter.flush()
    return "".join(reasoning) + last.reasoning, "".join(answer) + last.answer


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
def test_whole_text(raw: str, reasoning: str, answer: str) -> None:
    assert split_text(raw) == (reasoning, answer)


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
def test_split_at_every_offset(raw: str, reasoning: str, answer: str) -> None:
    for cut in range(len(raw) + 1):
        assert run([raw[:cut], raw[cut:]]) == (reasoning, answer), cut


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
def test_split_at_every_pair_of_offsets(raw: str, reasoning: str, answer: str) -> None:
    for first, second in itertools.combinations(range(len(raw) + 1), 2):
        chunks = [raw[:first], raw[first:second], raw[second:]]
        assert run(chunks) == (reasoning, answer), (first, second)


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
def test_one_character_at_a_time(raw: str, reasoning: str, answer: str) -> None:
    assert run(list(raw)) == (reasoning, answer)


def test_holds_back_only_a_possible_tag_prefix() -> None:
    splitter = ReasoningSplitter()
    assert splitter.feed("Hello [TH") == Split(answer="Hello ")
    assert splitter.feed("INK]x") == Split(reasoning="x")
    assert splitter.in_reasoning
    assert splitter.feed("y[/") == Split(reasoning="y")
    assert splitter.feed("THINK]z") == Split(answer="z")
    assert not splitter.in_reasoning


def test_close_tag_must_match_open_tag() -> None:
    assert split_text("<think>a[/THINK]b</think>c") == ("a[/THINK]b", "c")


def test_start_in_reasoning_for_templates_that_open_the_block() -> None:
    assert run(["still thinking</think>done"], start_in_reasoning=True, tags=(("<think>", "</think>"),)) == (
        "still thinking",
        "done",
    )


def test_custom_tag_set_ignores_other_styles() -> None:
    assert run(["<think>a</think>b"], tags=(MAGISTRAL_TAGS,)) == ("", "<think>a</think>b")


def test_split_is_falsy_when_empty() -> None:
    assert not Split()
    assert Split(answer="x")


# -- tokens on each side ---------------------------------------------------------------------


def answer_positions(raw: str, **options: object) -> list[int]:
    """Where the characters outside every reasoning block are."""
    spans = reasoning_spans(raw, **options)  # type: ignore[arg-type]
    return [index for index in range(len(raw)) if not any(start <= index < end for start, end in spans)]


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
@pytest.mark.parametrize("opened", [False, True])
def test_reasoning_spans_leave_out_exactly_the_answer(
    raw: str, reasoning: str, answer: str, opened: bool
) -> None:
    expected = run([raw], start_in_reasoning=opened)[1]
    assert "".join(raw[index] for index in answer_positions(raw, start_in_reasoning=opened)) == expected


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
@pytest.mark.parametrize("opened", [False, True])
def test_one_token_per_character_counts_every_character_outside_the_answer(
    raw: str, reasoning: str, answer: str, opened: bool
) -> None:
    pieces = [(1, character) for character in raw]
    answered = run([raw], start_in_reasoning=opened)[1]
    assert count_reasoning_tokens(pieces, start_in_reasoning=opened) == len(raw) - len(answered)


@pytest.mark.parametrize(("raw", "reasoning", "answer"), FIXTURES)
def test_a_token_is_reasoning_when_any_of_its_text_is_cut_at_every_pair_of_offsets(
    raw: str, reasoning: str, answer: str
) -> None:
    outside = set(answer_positions(raw))
    for first, second in itertools.combinations(range(len(raw) + 1), 2):
        cuts = [(0, first), (first, second), (second, len(raw))]
        # Each stretch is two tokens: one whose bytes end inside its first character, and one
        # that completes the text; an empty stretch is a token that produced nothing.
        pieces = [(2 if end > start else 1, raw[start:end]) for start, end in cuts]
        expected = sum(
            tokens
            for (start, end), (tokens, _) in zip(cuts, pieces, strict=True)
            if end > start and any(index not in outside for index in range(start, end))
        )
        empties = [index for index, (start, end) in enumerate(cuts) if end == start]
        for index in empties:  # no text: the side the stream was on there
            place = cuts[index][0]
            prefix = raw[:place]
            inside = ReasoningSplitter()
            inside.feed(prefix)
            expected += 1 if inside.in_reasoning else 0
        assert count_reasoning_tokens(pieces) == expected, (first, second)


def test_the_closing_tag_and_a_token_across_it_are_reasoning() -> None:
    tokens = [(1, "[THINK]"), (1, "weigh"), (1, " it"), (1, "[/THINK]"), (1, "Yes"), (1, ".")]
    assert count_reasoning_tokens(tokens) == 4
    across = [(1, "[THINK]"), (1, "weigh it[/THINK]Ye"), (1, "s.")]
    assert count_reasoning_tokens(across) == 2
    assert count_reasoning_tokens([(1, "weigh"), (1, "[/THINK]"), (1, "Yes")], start_in_reasoning=True) == 2
    assert count_reasoning_tokens([(1, "Yes"), (3, "")]) == 0
    assert count_reasoning_tokens([(1, "[THINK]cut"), (2, "")]) == 3  # stopped while thinking
    assert count_reasoning_tokens([(1, "[THINK]a[/THINK]"), (2, "")]) == 1  # after it closed
    assert count_reasoning_tokens([(2, ""), (1, "b")], start_in_reasoning=True) == 3
    assert count_reasoning_tokens([]) == 0
