from __future__ import annotations

import itertools

import pytest

from app.core.reasoning import MAGISTRAL_TAGS, ReasoningSplitter, Split, split_text

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
