"""The llama.cpp grammar that makes a model open with a reasoning block.

A grammar llama.cpp fails to parse makes llama-cpp-python add a NULL sampler and crash
the process, so every grammar is built here from two fixed shapes and checked with
``llama_sampler_init_grammar`` (which returns NULL instead of crashing) before use.
"""

from __future__ import annotations

from dataclasses import dataclass

# The limits live in core: every report says what they forced on a turn.
from app.core.forcing import ANSWER_MAX_CHARS, THOUGHT_MAX_CHARS

# Brackets are excluded from free text so the literal tags cannot be half-written.
_FREE_TEXT = r"[^\x5B\x5D]"


@dataclass(frozen=True)
class ThinkTokens:
    """Token ids of ``[THINK]``/``[/THINK]`` when the vocabulary has them as control tokens."""

    open_id: int
    close_id: int


def reasoning_grammar(tokens: ThinkTokens | None) -> str:
    """GBNF forcing ``[THINK]thought[/THINK]answer``.

    With real control tokens the grammar names them by id (``<[id]>``): writing
    ``<[THINK]>`` would be parsed as text. Without them the tags are plain text,
    which the reasoning splitter recognises the same way.
    """
    if tokens is not None:
        open_tag, close_tag = f"<[{tokens.open_id}]>", f"<[{tokens.close_id}]>"
    else:
        open_tag, close_tag = '"[THINK]"', '"[/THINK]"'
    return (
        f"root ::= {open_tag} thought {close_tag} answer\n"
        f"thought ::= {_FREE_TEXT}{{1,{THOUGHT_MAX_CHARS}}}\n"
        f"answer ::= {_FREE_TEXT}{{1,{ANSWER_MAX_CHARS}}}\n"
    )
