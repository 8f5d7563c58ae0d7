from __future__ import annotations

from app.core.prompts import build_messages, title_from_prompt
from app.core.types import ChatMessage, ModelFile, SamplingParams, Turn, TurnStatus


def turn(prompt: str, reasoning: str, answer: str, status: TurnStatus = TurnStatus.COMPLETED) -> Turn:
    return Turn(
        id=1,
        conversation_id=1,
        index=0,
        prompt=prompt,
        system_prompt="",
        messages=(),
        rendered_prompt="",
        rendered_prompt_sha256="",
        template_source="",
        template_sha256="",
        params=SamplingParams(),
        require_reasoning=False,
        preset="magistral",
        model=ModelFile("m.gguf", 1, "0"),
        llama_cpp_version="",
        app_version="",
        os_user="",
        started_at="",
        reasoning=reasoning,
        answer=answer,
        status=status,
    )


def test_history_sends_answers_without_reasoning() -> None:
    history = [turn("What is 2+2?", "add them", " 4 "), turn("And 3+3?", "again", "6")]
    messages = build_messages("SYS", history, "And 4+4?")
    assert messages == (
        ChatMessage("system", "SYS"),
        ChatMessage("user", "What is 2+2?"),
        ChatMessage("assistant", "4"),
        ChatMessage("user", "And 3+3?"),
        ChatMessage("assistant", "6"),
        ChatMessage("user", "And 4+4?"),
    )
    assert all("add them" not in m.content and "again" not in m.content for m in messages)


def test_turns_without_an_answer_are_left_out() -> None:
    history = [turn("stopped while thinking", "partial", "", TurnStatus.CANCELLED)]
    assert build_messages("", history, "next") == (ChatMessage("user", "next"),)


def test_title_is_first_nonblank_line_shortened() -> None:
    assert title_from_prompt("\n\n  Review clause 4.2 \nmore") == "Review clause 4.2"
    assert title_from_prompt("y" * 150) == "y" * 150, "a 150-character first line is kept whole"
    long = title_from_prompt("x" * 300)
    assert len(long) == 200 and long.endswith("…")
    assert title_from_prompt("   ") == "Untitled"


def test_earlier_reasoning_goes_with_its_answer_only_when_asked() -> None:
    history = [turn("What is 2+2?", " add them ", "4")]
    sent = build_messages("", history, "And 3+3?", with_reasoning=True)
    assert sent[1] == ChatMessage("assistant", "4", reasoning="add them")
    assert ChatMessage.from_dict(sent[1].to_dict()) == sent[1], "recorded, and read back, with the answer"
    assert "reasoning" not in build_messages("", history, "And 3+3?")[1].to_dict()
