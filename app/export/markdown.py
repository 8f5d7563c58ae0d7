"""The audit report as Markdown, with the images it shows written beside it.

Model and user text is untrusted here too: a Markdown viewer would happily render raw HTML,
load remote images or follow ``file:`` links written by a model. So every prompt, trace and
answer goes in verbatim inside a code fence longer than any backtick run it contains, and
every short field (titles, names, comments) has each character escaped that could start
markup where it stands, and no other: the report still reads as plain text. The answer's own
Markdown therefore shows as source; the PDF renders it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.images import human_size
from app.core.report import model_identity_lines
from app.core.signing import fingerprint
from app.core.text import counted
from app.core.types import Conversation, Turn
from app.export.files import (
    ExportError,
    check_destination,
    discard,
    inside,
    remove_replaceable,
    replace_with,
    suffix_for,
    temporary_sibling,
    write_synced,
)
from app.export.report import (
    WITNESS_NOTE,
    Report,
    banners,
    error_note,
    models_used,
    parameter_sets,
    review_state,
    run_details,
    run_settings,
    signoff_rows,
    signoff_title,
    turn_facts,
    utc_and_local,
)

Progress = Callable[[int, int], None]

_BACKTICKS = re.compile(r"`+")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
# What CommonMark (and GFM's tables and strikethrough) reads as markup wherever it stands.
_ALWAYS = frozenset("`*[]<|~")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# An entity or character reference, which a viewer would turn into the character it names.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# What only starts a block at the beginning of a line: a heading, a quote, a list item (bullet
# or ordered), a thematic break or a setext underline.
_BLOCK_START = re.compile(r"#{1,6}(?=\s|$)|>|[-+](?=\s|$)|[-_ ]+$|=+$|\d{1,9}[.)](?=\s|$)")
_CLOSING_HASHES = re.compile(r"(?<=\s)#+$")


def inline(text: str) -> str:
    """A short field (a title, a name, a comment) as inert Markdown on one line.

    Only what could become markup where it stands is escaped: code, emphasis, links, raw HTML,
    table cells, strikethrough, entities, a bare address's scheme, and a block marker at the
    start; ``16:40:11.478Z``, ``VT-2026…``, ``v0.1.0`` and ``snake_case`` stay as written.
    """
    text = _LINE_BREAKS.sub(" ", text).strip()
    shown = []
    for index, character in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if character in _ALWAYS:
            escape = True
        elif character == "\\":  # an escape only before punctuation, a hard break at the end
            escape = not after or after in _ASCII_PUNCTUATION
        elif character == "_":  # emphasis only where it is not between letters or digits
            escape = not (before.isalnum() and after.isalnum())
        elif character == "&":
            escape = _ENTITY.match(text, index) is not None
        elif character == ":":  # "https://…": no bare address a viewer could make a link of
            escape = before.isalnum() and text.startswith("//", index + 1)
        elif character == "@":  # "name@example.org"
            escape = before.isalnum() and after.isalnum()
        elif character == ".":  # "www.example.org"
            escape = (
                text[max(0, index - 3) : index].lower() == "www" and not text[index - 4 : index - 3].isalnum()
            )
        else:
            escape = False
        shown.append("\\" + character if escape else character)
    result = "".join(shown)
    start = _BLOCK_START.match(result)
    if start is not None:  # "1. x" stays a line of text with "1\. x", "# x" with "\# x"
        marker = start.group()
        cut = len(marker) - 1 if marker[-1] in ".)" else 0
        result = f"{result[:cut]}\\{result[cut:]}"
    return _CLOSING_HASHES.sub(lambda match: "\\#" * len(match.group()), result)


def cell(text: str) -> str:
    """A field for a table cell: inert, and never empty."""
    return inline(text) or "none"


def fenced(text: str) -> str:
    """Verbatim text in a fence no line of it can close."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}text\n{body}{fence}\n"


def images_folder(markdown_file: Path) -> Path:
    return markdown_file.with_name(markdown_file.stem + ".images")


def render(report: Report, images_dir: str) -> tuple[str, dict[str, bytes]]:
    """The report text and the image files it links to (relative name → bytes)."""
    files: dict[str, bytes] = {}
    lines: list[str] = [f"# Audit report {inline(report.report_id)}", ""]
    lines += _cover(report)
    for conversation in report.conversations:
        lines += _conversation(report, conversation, images_dir, files)
    lines += _verification(report)
    return "\n".join(lines).rstrip() + "\n", files


def _cover(report: Report) -> list[str]:
    checkpoint = report.checkpoint
    lines = [
        f"| Report | {inline(report.report_id)} |",
        "|---|---|",
        f"| Scope | {inline(report.scope)} |",
        f"| Generated | {inline(utc_and_local(report.generated_at))} |",
        f"| Generated by | {inline(report.generated_by)} |",
        f"| Application | Veritrace {inline(report.app_version)} |",
        f"| Conversations | {len(report.conversations)} ({counted(report.turn_count, 'turn')}) |",
        f"| Record at export | {inline(report.verification)} |",
        f"| Signed checkpoint | entry {checkpoint.entry_count}, head `{checkpoint.head_hash}`, "
        f"signed {inline(checkpoint.at)} |",
        f"| Signing key | Ed25519, fingerprint `{report.key_fingerprint}` |",
        "",
        "## Models",
        "",
        "| File | SHA-256 | Quantization | Context (n_ctx) | Size | Turns |",
        "|---|---|---|---|---|---|",
    ]
    for model in models_used(report.conversations, report.model_details):
        contexts = ", ".join(str(size) for size in model.context_sizes)
        identity = f"`{model.sha256}`" if model.sha256 else inline(model.hash_words)
        size = "no file" if model.remote else human_size(model.size)
        lines.append(
            f"| {inline(model.file_name)} | {identity} | {inline(model.quantization)} | "
            f"{contexts} | {size} | {model.turns} |"
        )
    lines += [
        "",
        "## Parameters",
        "",
        "| Preset | Temperature | Top-p | Top-k | Min-p | Repeat penalty | Max tokens | n_ctx | GPU layers "
        "| Turns |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for preset, params, count in parameter_sets(report.conversations):
        lines.append(
            f"| {inline(preset)} | {params.temperature:g} | {params.top_p:g} | {params.top_k} | "
            f"{params.min_p:g} | {params.repeat_penalty:g} | {params.max_tokens} | {params.n_ctx} | "
            f"{params.n_gpu_layers} | {count} |"
        )
    lines += ["", "Each turn lists every setting it ran with, its seed included.", ""]
    return lines


def _conversation(
    report: Report, conversation: Conversation, images_dir: str, files: dict[str, bytes]
) -> list[str]:
    lines = [
        f"## Conversation {conversation.id}: {inline(conversation.title)}",
        "",
        f"Created {inline(conversation.created_at)} by {inline(conversation.created_by)} · "
        f"{counted(len(conversation.turns), 'turn')} · review state: {review_state(conversation)}"
        + (f" · continues conversation {conversation.continues}" if conversation.continues else ""),
        "",
    ]
    for turn in conversation.turns:
        lines += _turn(report, turn, images_dir, files)
    if conversation.signoffs:
        lines += [f"### Sign-offs of conversation {conversation.id}", ""]
        for number, signoff in enumerate(conversation.signoffs, 1):
            lines += [
                f"**Sign-off {number}: {inline(signoff_title(signoff))}**",
                "",
                "| Field | As recorded |",
                "|---|---|",
                *(f"| {name} | {cell(value)} |" for name, value in signoff_rows(signoff)),
                "",
            ]
    return lines


def _turn(report: Report, turn: Turn, images_dir: str, files: dict[str, bytes]) -> list[str]:
    state, *rest = turn_facts(turn)
    lines = [
        f"### Turn {turn.index + 1} (id {turn.id}): {inline(state)}",
        "",
        " · ".join([f"State: **{inline(state)}**", *(inline(fact) for fact in rest)]),
        "",
    ]
    for banner in banners(turn):
        lines += [f"> **{inline(banner.title)}.** {inline(banner.text)}", ""]
    lines += [f"- {inline(line)}" for line in model_identity_lines(turn)] + [""]
    if error_note(turn):
        lines += [f"Error: {inline(error_note(turn))}", ""]
    lines += ["**Run settings**", "", "| Setting | Value |", "|---|---|"]
    lines += [f"| {name} | {cell(value)} |" for name, value in run_settings(turn) + run_details(turn)]
    lines += ["", "**System prompt**", ""]
    lines.append(fenced(turn.system_prompt) if turn.system_prompt else "_No system prompt was sent._\n")
    lines += ["**Prompt**", "", fenced(turn.prompt)]
    if turn.images:
        lines += [
            "**Images**",
            "",
            "| Image | File name | SHA-256 | Seen by the model |",
            "|---|---|---|---|",
        ]
        for image in turn.images:
            name = f"{image.sha256}{suffix_for(image.media_type)}"
            data = report.images.get(image.sha256)
            if data is not None:
                files[name] = data
                # <…> keeps a destination with spaces or parentheses (from the report's name) one link.
                picture = f"![image {image.position + 1}](<{images_dir}/{name}>)"
            else:
                picture = "(not in the record)"
            seen = (
                f"yes, as `{image.sent_sha256}` ({image.sent_width}×{image.sent_height})"
                if image.sent_to_model
                else "no (no vision projector)"
            )
            lines.append(
                f"| {picture} | {inline(image.filename) or 'no name'} ({image.width}×{image.height}, "
                f"{human_size(image.size)}) | `{image.sha256}` | {seen} |"
            )
        lines.append("")
    lines += [
        "<details>",
        f"<summary>Reasoning trace ({len(turn.reasoning)} characters)</summary>",
        "",
        fenced(turn.reasoning) if turn.reasoning else "_No reasoning was recorded for this turn._\n",
        "</details>",
        "",
        "**Answer**",
        "",
        fenced(turn.answer) if turn.answer else "_No answer was recorded for this turn._\n",
    ]
    if turn.annotations:
        lines += ["**Annotations**", ""]
        for annotation in turn.annotations:
            comment = inline(annotation.comment)
            lines.append(
                f"- **{inline(str(annotation.flag))}** by {inline(annotation.author)} "
                f"(account {inline(annotation.os_user)}) at {inline(annotation.created_at)}"
                + (f": {comment}" if comment else "")
            )
        lines.append("")
    reproduced = report.reproductions.get(turn.id, ())
    if reproduced:
        lines += ["**Run again**", ""]
        for reproduction in reproduced:
            lines.append(f"- {inline(reproduction.at)}: {inline(reproduction.summary)}")
        lines.append("")
    return lines


def _verification(report: Report) -> list[str]:
    checkpoint = report.checkpoint
    return [
        "## Verification",
        "",
        f"At export the record was checked end to end: {inline(report.verification)}",
        "",
        f"The chain head at entry {checkpoint.entry_count} was signed at "
        f"{inline(utc_and_local(checkpoint.at))} with this installation's Ed25519 key:",
        "",
        f"- head hash: `{checkpoint.head_hash}`",
        f"- public key: `{checkpoint.public_key}` (fingerprint `{fingerprint(checkpoint.public_key)}`)",
        f"- signature: `{checkpoint.signature}`",
        f"- signed head, as `veritrace verify --since` reads it: `{report.signed_head.token()}`",
        "",
        "Anyone holding the record can check it with `veritrace verify`; a JSON bundle export carries a "
        "standalone `verify_bundle.py` that needs only Python.",
        "",
        WITNESS_NOTE.format(command="`veritrace verify --since REPORT.md` (this file)"),
    ]


def write_markdown(
    report: Report,
    destination: Path,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write ``destination`` (a .md file) and its ``<name>.images`` folder beside it."""
    folder = images_folder(destination)
    check_destination(destination, overwrite=overwrite)
    check_destination(folder, overwrite=overwrite)
    text, files = render(report, folder.name)
    temporary_text = temporary_sibling(destination)
    temporary_folder = temporary_sibling(folder)
    total = len(files) + 1
    try:
        if files:
            temporary_folder.mkdir()
        for done, (name, data) in enumerate(sorted(files.items())):
            if cancel is not None and cancel.is_set():
                raise ExportError("Export cancelled; nothing was written.")
            write_synced(inside(temporary_folder, name), data)
            if progress is not None:
                progress(done + 1, total)
        write_synced(temporary_text, text.encode("utf-8"))
        if cancel is not None and cancel.is_set():
            raise ExportError("Export cancelled; nothing was written.")
        if files:
            replace_with(temporary_folder, folder)
        else:
            remove_replaceable(folder)  # the replaced report's images: this one links to none
        replace_with(temporary_text, destination)
    except BaseException:
        discard(temporary_folder)
        discard(temporary_text)
        raise
    if progress is not None:
        progress(total, total)
    return destination
