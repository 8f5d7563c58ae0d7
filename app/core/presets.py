"""Named run presets: sampling and system prompt per model family."""

from __future__ import annotations

from dataclasses import replace

from app.core.types import RunSettings, SamplingParams, TemplateChoice

# Verbatim from the Magistral Small 1.2 model card. Without it the model often skips thinking.
MAGISTRAL_SYSTEM_PROMPT = (
    "First draft your thinking process (inner monologue) until you arrive at a response. "
    "Format your response using Markdown, and use LaTeX for any mathematical equations. "
    "Write both your thoughts and the response in the same language as the input.\n\n"
    "Your thinking process must follow the template below:[THINK]Your thoughts or/and draft, "
    "like working through an exercise on scratch paper. Be as casual and as long as you want "
    "until you are confident to generate the response. Use the same language as the input."
    "[/THINK]Here, provide a self-contained response."
)

PRESETS: dict[str, RunSettings] = {
    "magistral": RunSettings(
        preset="magistral",
        system_prompt=MAGISTRAL_SYSTEM_PROMPT,
        require_reasoning=False,
        # Pinned: the official GGUFs carry no trustworthy template; "the model's own" stays a choice.
        template=TemplateChoice.MAGISTRAL,
        params=SamplingParams(temperature=0.7, top_p=0.95, top_k=0, min_p=0.01, repeat_penalty=1.0),
    ),
    "think-tags": RunSettings(
        preset="think-tags",
        system_prompt="",
        template=TemplateChoice.GGUF,
        params=SamplingParams(temperature=0.6, top_p=0.95, top_k=20, min_p=0.0, repeat_penalty=1.0),
    ),
    # A plain chat model: no reasoning tags; moderate sampling, the model's own template.
    "instruct": RunSettings(
        preset="instruct",
        system_prompt="",
        template=TemplateChoice.GGUF,
        params=SamplingParams(temperature=0.7, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.05),
    ),
    # The bundled demo model is a 135M instruct model that never reasons on its own:
    # the grammar makes it emit a [THINK] block so the whole pipeline is visible.
    "demo": RunSettings(
        preset="demo",
        system_prompt="You are a careful assistant. Think briefly, then answer.",
        require_reasoning=True,
        template=TemplateChoice.GGUF,
        params=SamplingParams(
            temperature=0.7,
            top_p=0.95,
            top_k=40,
            min_p=0.05,
            repeat_penalty=1.1,
            max_tokens=512,
            n_ctx=2048,
        ),
    ),
}


def preset(name: str) -> RunSettings:
    """Return a preset by name; unknown names fall back to Magistral's."""
    return PRESETS.get(name, PRESETS["magistral"])


def with_params(settings: RunSettings, **changes: object) -> RunSettings:
    return replace(settings, params=replace(settings.params, **changes))  # type: ignore[arg-type]
