"""Which turns ran under the reasoning grammar, and with which limits, as every report says it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.core.forcing import ANSWER_MAX_CHARS, THOUGHT_MAX_CHARS, Forcing, forcing
from app.core.types import ModelFile, SamplingParams, Turn, TurnStatus
from app.runtime.grammar import ThinkTokens, reasoning_grammar

ENDPOINT = "http://10.0.0.7:8080/v1"


def turn(
    *, require_reasoning: bool, remote: bool = False, request: object = None, reasoning: str = ""
) -> Turn:
    model = ModelFile.remote(ENDPOINT, "m") if remote else ModelFile("/models/m.gguf", 10, "ab" * 32)
    return Turn(
        id=1,
        conversation_id=1,
        index=0,
        prompt="Why?",
        system_prompt="",
        messages=(),
        rendered_prompt="Why?",
        rendered_prompt_sha256="cd" * 32,
        template_source="gguf",
        template_sha256="ef" * 32,
        params=SamplingParams(seed=1),
        require_reasoning=require_reasoning,
        preset="demo",
        model=model,
        llama_cpp_version="llama-cpp-python 0.3.36",
        app_version="0.1.0",
        os_user="alice",
        started_at="2026-01-01T00:00:00.000Z",
        reasoning=reasoning,
        status=TurnStatus.COMPLETED,
        backend="remote" if remote else "local",
        endpoint=ENDPOINT if remote else None,
        remote_model="m" if remote else None,
        request_json=request if isinstance(request, str) or request is None else json.dumps(request),
    )


def test_a_local_turn_runs_under_the_grammar_exactly_when_it_requires_reasoning() -> None:
    assert forcing(turn(require_reasoning=True)) == Forcing(THOUGHT_MAX_CHARS, ANSWER_MAX_CHARS, False)
    assert forcing(turn(require_reasoning=False)) is None


@pytest.mark.parametrize("tokens", [None, ThinkTokens(5, 6)])
def test_the_limits_read_from_a_grammar_sent_are_the_ones_it_was_built_with(
    tokens: ThinkTokens | None,
) -> None:
    sent = turn(
        require_reasoning=True, remote=True, request={"model": "m", "grammar": reasoning_grammar(tokens)}
    )
    assert forcing(sent) == Forcing(THOUGHT_MAX_CHARS, ANSWER_MAX_CHARS, True)


@pytest.mark.parametrize(
    "request_json",
    [
        None,  # recorded before requests were kept
        {"model": "m", "prompt_mode": "reasoning"},  # Mistral's API takes no grammar
        "{not json",
        {"grammar": 7},
        {"grammar": ""},
        ["grammar"],
    ],
)
def test_a_remote_turn_without_a_grammar_sent_ran_free(request_json: object) -> None:
    """Asking for reasoning is not forcing it: only a grammar in the request as recorded is."""
    assert forcing(turn(require_reasoning=True, remote=True, request=request_json)) is None


def test_a_grammar_whose_limits_cannot_be_read_is_still_a_grammar() -> None:
    sent = turn(require_reasoning=True, remote=True, request={"grammar": 'root ::= "yes"'})
    assert forcing(sent) == Forcing(None, None, True)
    assert not Forcing(None, None, True).reached(sent)


def test_a_trace_as_long_as_the_limit_was_cut_there() -> None:
    forced = forcing(turn(require_reasoning=True))
    assert forced is not None
    full = turn(require_reasoning=True, reasoning="x" * THOUGHT_MAX_CHARS)
    assert forced.reached(full)
    assert not forced.reached(replace(full, reasoning="x" * (THOUGHT_MAX_CHARS - 1)))
