r"""Hostile text and numbers at the command line: shown, never obeyed; refused in one line at the edge.

A recorded prompt, answer, title, note or model path may hold terminal controls (``ESC ] 0 ; … BEL``
retitles the terminal, ``ESC [ 2 J`` clears it, U+202E reverses what a reader sees): every command
prints them as ``\x1b``-style escapes that read back as exactly what was recorded, and ``--json``
stays exact JSON. Ids outside SQLite's integers, seeds the sampler would not use as given, absurd
token limits and arguments that are not UTF-8 are refused by the parser with one line, before
anything is opened or recorded.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.cli import ID_MAX, MAX_TOKENS_MAX, _ConsoleSink, build_parser, main
from app.core.hashing import sha256_text
from app.core.text import printable, printable_json
from app.core.types import (
    SEED_MAX,
    ChatMessage,
    Flag,
    ModelFile,
    PreparedPrompt,
    RunSettings,
    SamplingParams,
    TurnStatus,
)
from app.storage.repository import Store

# Every character a terminal may obey (newline and tab are layout) and every bidi override.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = (
    "retitle \x1b]0;PWNED\x07 clear \x1b[2J csi \x9b2J flip \u202egnp.exe isolate \u2066hid\u2069 "
    "cr \roverwritten del \x7f"
)
SHOWN = [r"\x1b]0;PWNED\x07", r"\x1b[2J", r"\x9b2J", r"\u202egnp.exe", r"\u2066hid\u2069", r"\x0d", r"\x7f"]
TITLE = "Title \x1b]0;PWNED\x07\nsecond line \u202e"
MODEL = ModelFile("/models/\x1b[2Jevil\u202e.gguf", 10, "ab" * 32)
ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def unescape(shown: str) -> str:
    """What ``printable`` showed, read back: each ``\\xhh``/``\\uhhhh`` as its character."""
    return ESCAPE.sub(lambda match: chr(int(match.group(1) or match.group(2), 16)), shown)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``veritrace ARGV`` in this process: its exit code, stdout and stderr."""
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    out, err = capsys.readouterr()
    return code, out, err


def refused_in_one_line(code: int, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err and err.endswith("\n") and err.count("\n") == 1, err
    assert not RAW.search(err), err
    return err


def hostile_record(home: Path) -> None:
    """Conversation 1: one turn whose every field holds terminal controls, and a note with them."""
    store = Store(home / "veritrace.db")
    prompt = f"PROMPT {HOSTILE}"
    text = f"<user>{prompt}<assistant>"
    prepared = PreparedPrompt(
        messages=(ChatMessage("user", prompt),),
        text=text,
        sha256=sha256_text(text),
        token_count=5,
        template_source="gguf",
        template_sha256="7e" * 32,
    )
    turn = store.begin_turn(
        None,
        prompt,
        RunSettings(params=SamplingParams(seed=7)),
        prepared,
        MODEL,
        "llama-cpp-python 0.3.36",
        "0.1.0",
        "alice",
        title=TITLE,
    )
    store.append_output(turn.id, 0, f"[THINK]REASONING {HOSTILE}", f"REASONING {HOSTILE}", "")
    store.append_output(turn.id, 1, f"[/THINK]ANSWER {HOSTILE}", "", f"ANSWER {HOSTILE}")
    store.finish_turn(turn.id, TurnStatus.COMPLETED, finish_reason="stop", completion_tokens=9)
    store.annotate(turn.id, Flag.CONCERN, f"COMMENT {HOSTILE}", "Dr. \x1b[31mRed\u202e")
    store.close()


@pytest.fixture
def record(veritrace_home: Path) -> Path:
    hostile_record(veritrace_home)
    return veritrace_home


# -- records, shown --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [["show", "1"], ["list"], ["search", "retitle"], ["search", "PWNED"], ["search", ""]],
    ids=" ".join,
)
def test_records_are_shown_with_controls_escaped(
    record: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert not RAW.search(out) and not RAW.search(err), out
    assert r"Title \x1b]0;PWNED\x07\x0asecond line \u202e" in out, "a title is one line, every control shown"
    if argv[0] == "show":
        for field in ("Prompt: PROMPT", "Reasoning: REASONING", "Answer: ANSWER"):
            assert f"{field} {printable(HOSTILE)}\n" in out
        assert r"Model /models/\x1b[2Jevil\u202e.gguf: SHA-256" in out
    if argv[1:] == ["retitle"]:
        # A snippet is one line (every white space a space, a carriage return too): the rest shows
        # in the hits on the prompt, the reasoning, the answer and the note.
        for shown in SHOWN:
            assert out.count(shown) >= 4 or shown == r"\x0d", (shown, out)


def test_the_shown_text_reads_back_as_recorded(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "1")
    assert code == 0
    answer = next(line for line in out.splitlines() if line.startswith("Answer: "))
    assert unescape(answer) == f"Answer: ANSWER {HOSTILE}"


@pytest.mark.parametrize("argv", [["show", "1"], ["list"], ["search", "PWNED"]], ids=" ".join)
def test_json_output_is_exact_and_carries_no_raw_controls(
    record: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    assert not RAW.search(out), "C1, DEL and bidi controls are \\u escapes too, not only C0"
    assert r"Title \u001b]0;PWNED\u0007\nsecond line \u202e" in out
    if argv[0] != "list":  # a listing has titles only
        for escaped in (r"\u009b2J", r"\u202egnp.exe", r"\u2066hid\u2069", r"\u007f"):
            assert escaped in out
    found = json.loads(out)
    if argv[0] == "show":
        turn = found["turns"][0]
        assert (turn["prompt"], turn["reasoning"], turn["answer"]) == (
            f"PROMPT {HOSTILE}",
            f"REASONING {HOSTILE}",
            f"ANSWER {HOSTILE}",
        )
        assert found["title"] == TITLE and turn["model"]["path"] == MODEL.path
        note = turn["annotations"][0]
        assert (note["comment"], note["author"]) == (f"COMMENT {HOSTILE}", "Dr. \x1b[31mRed\u202e")
    elif argv[0] == "list":
        assert found[0]["title"] == TITLE
    else:
        assert {hit["field"] for hit in found["hits"]} >= {"prompt", "reasoning", "answer", "annotation"}


def test_a_streamed_turn_is_escaped_however_it_is_split() -> None:
    """The answer and reasoning as ``ask`` streams them: read back whole, at every split point."""
    text = f"{HOSTILE} \\x41 \\u202e \\frac{{1}}{{2}} C:\\x\\u12 end\\"
    for cut in range(len(text) + 1):
        reasoning, answer = io.StringIO(), io.StringIO()
        sink = _ConsoleSink(reasoning, answer)
        for piece in (text[:cut], text[cut:]):
            sink.reasoning(piece)
            sink.answer(piece)
        for stream in (reasoning, answer):
            shown = stream.getvalue()
            assert not RAW.search(shown) and unescape(shown) == text, cut


# -- printable and printable_json --------------------------------------------------------------

# Text biased towards what matters: controls, bidi, surrogates, backslashes and hex digits.
TRICKY = st.text(
    st.one_of(
        st.sampled_from(["\\", "x", "u", "a", "F", "0", "7", "\n", "\t", "\r", "\x1b", "\x07", "\x7f"]),
        st.sampled_from(["\x9b", "\x85", "\u202a", "\u202e", "\u2066", "\u2069", "\udcff", "\ud800"]),
        st.characters(),
    )
)


@given(TRICKY, st.booleans())
def test_printable_shows_no_control_and_reads_back_exactly(text: str, keep_newlines: bool) -> None:
    shown = printable(text, keep_newlines)
    assert not RAW.search(shown)
    assert keep_newlines or ("\n" not in shown and "\t" not in shown)
    assert unescape(shown) == text


@pytest.mark.slow
@given(TRICKY, st.lists(st.integers(0, 200), max_size=6))
def test_printable_in_pieces_reads_back_exactly(text: str, cuts: list[int]) -> None:
    points = sorted({min(cut, len(text)) for cut in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert unescape("".join(printable(piece, more_follows=True) for piece in pieces)) == text


@pytest.mark.parametrize(
    "text",
    [
        "Plain words, 中文, العربية, हिन्दी, emoji 👍🏽 and a ZWJ family 👨‍👩‍👧",
        r"$\frac{1}{2} \times \xi \uparrow \\ \nabla$ and C:\Users\me\models",
        "lines\nand\ttabs",
    ],
)
def test_ordinary_text_is_shown_as_it_is(text: str) -> None:
    assert printable(text) == text


# JSON reads a high surrogate's escape followed by a low one's as one character (json.dumps alike):
# no text has that pair of lone surrogates, argv (surrogateescape makes low ones only) nor a record.
JSON_TEXT = TRICKY.filter(lambda text: not re.search("[\ud800-\udbff][\udc00-\udfff]", text))


@pytest.mark.slow
@given(st.recursive(st.none() | st.booleans() | st.integers() | JSON_TEXT, lambda inner: st.lists(inner)))
def test_printable_json_is_exact_json_without_raw_controls(data: object) -> None:
    dumped = printable_json({"value": data})
    assert not RAW.search(dumped)
    assert json.loads(dumped) == {"value": data}


# -- numbers at the edge -----------------------------------------------------------------------

BAD_IDS = ["0", "-1", str(2**63), str(2**70), "1e3", "٣", "9" * 5000]


def id_commands(value: str, tmp_path: Path) -> list[list[str]]:
    return [
        ["show", value],
        ["annotate", value, "--flag", "ok", "--comment", "c"],
        ["signoff", value, "--identity", "ab12", "--meaning", "approved", "--reason", "r"],
        ["export", value, "-o", str(tmp_path / "report.md")],
        ["export", "1", value, "-o", str(tmp_path / "report.md")],
        ["ask", "hi", "--conversation", value],
    ]


@pytest.mark.parametrize("value", BAD_IDS, ids=lambda value: value[:24])
def test_ids_outside_sqlite_integers_are_refused_in_one_line(
    veritrace_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    for argv in id_commands(value, tmp_path):
        code, out, err = run(capsys, *argv)
        message = refused_in_one_line(code, err)
        assert f"ids are 1 to {ID_MAX}" in message and out == "", argv
    assert list(veritrace_home.iterdir()) == [], "refused before anything was opened or recorded"


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--seed", "-1", f"seeds are 0 to {SEED_MAX}"),
        ("--seed", str(SEED_MAX + 1), f"reads {SEED_MAX + 1} as 'random'"),  # llama.cpp's LLAMA_DEFAULT_SEED
        ("--seed", str(2**32), f"seeds are 0 to {SEED_MAX}"),
        ("--seed", str(2**64), f"seeds are 0 to {SEED_MAX}"),
        ("--seed", str(2**64 + 7), f"seeds are 0 to {SEED_MAX}"),
        ("--seed", "7.5", "not a whole number"),
        ("--max-tokens", "-5", f"token limits are 1 to {MAX_TOKENS_MAX}"),
        ("--max-tokens", "0", f"token limits are 1 to {MAX_TOKENS_MAX}"),
        ("--max-tokens", str(MAX_TOKENS_MAX + 1), f"token limits are 1 to {MAX_TOKENS_MAX}"),
        ("--max-tokens", str(10**30), f"token limits are 1 to {MAX_TOKENS_MAX}"),
    ],
)
def test_seeds_and_token_limits_outside_what_is_used_are_refused(
    veritrace_home: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, words: str
) -> None:
    code, _, err = run(capsys, "ask", "hi", f"{option}={value}")
    message = refused_in_one_line(code, err)
    assert message.startswith(f"veritrace ask: error: argument {option}: ") and words in message
    assert list(veritrace_home.iterdir()) == []


def test_the_bounds_themselves_are_accepted() -> None:
    parser = build_parser()
    for seed in (0, SEED_MAX):
        assert parser.parse_args(["ask", "hi", "--seed", str(seed)]).seed == seed
    for tokens in (1, MAX_TOKENS_MAX):
        assert parser.parse_args(["ask", "hi", "--max-tokens", str(tokens)]).max_tokens == tokens
    for value in ("1", str(ID_MAX), "007"):
        assert parser.parse_args(["show", value]).id == int(value)
        assert parser.parse_args(["export", "1", value, "-o", "r.md"]).ids == [1, int(value)]


def test_a_seed_in_settings_is_bounded_like_the_command_line() -> None:
    assert RunSettings.from_dict({"params": {"seed": SEED_MAX}}).params.seed == SEED_MAX
    for seed in (-1, SEED_MAX + 1, 2**64, True, "7"):
        with pytest.raises(ValueError, match="is not a whole number from 0 to"):
            RunSettings.from_dict({"params": {"seed": seed}})
    # A record keeps whatever an older version stored: reading it back never fails.
    assert SamplingParams.from_dict({"seed": 2**64}).seed == 2**64


@pytest.mark.slow
@pytest.mark.e2e
def test_the_largest_seed_is_used_as_recorded(
    veritrace_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two turns at seed SEED_MAX sample alike: the seed is not llama.cpp's "random" value."""
    outputs = []
    for conversation in ("1", "2"):
        code, _, err = run(capsys, "ask", "Tell me a story.", "--seed", str(SEED_MAX), "--max-tokens", "24")
        assert code == 0, err
        code, shown, _ = run(capsys, "show", conversation, "--json")
        turn = json.loads(shown)["turns"][0]
        assert turn["params"]["seed"] == SEED_MAX
        outputs.append(turn["raw_output"])
    assert outputs[0] == outputs[1] and outputs[0].strip()


# -- text that is not UTF-8 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["ask", "bad \udcff byte"], "prompt"),
        (["ask", "hi", "--system", "a\udcfeb"], "--system"),
        (["ask", "hi", "--model", "/models/\udcc3.gguf"], "--model"),
        (["ask", "hi", "--image", "ok.png", "--image", "\udcff.png"], "--image"),
        (["annotate", "1", "--flag", "ok", "--comment", "\udcc3"], "--comment"),
        (["annotate", "1", "--flag", "ok", "--comment", "c", "--name", "R\udce9my"], "--name"),
        (["signoff", "1", "--identity", "ab12", "--meaning", "approved", "--reason", "\udcff"], "--reason"),
        (["signoff", "1", "--identity", "ab\udcff", "--meaning", "approved", "--reason", "r"], "--identity"),
        (["identity", "create", "--name", "R\udce9my", "--role", "Counsel"], "--name"),
        (["search", "caf\udce9"], "query"),
        (["export", "1", "-o", "r\udcff.md"], "-o/--output"),
        (["restore", "--reason", "\ud800"], "--reason"),
    ],
    ids=lambda value: value if isinstance(value, str) else value[0],
)
def test_text_that_is_not_utf8_is_refused_naming_the_option(
    veritrace_home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    code, out, err = run(capsys, *argv)
    message = refused_in_one_line(code, err)
    assert f": error: argument {option}: not valid UTF-8 text (" in message and out == ""
    assert list(veritrace_home.iterdir()) == []


# -- any argv string, generated ------------------------------------------------------------------

# What argv can carry: any text but NUL, undecodable bytes arriving as surrogates.
ARGV_TEXT = st.text(
    st.one_of(
        st.characters(exclude_characters="\x00"),
        st.sampled_from(["\x1b", "\x07", "\x9b", "\r", "\u202e", "\u2066", "\udcff", "\udc80", "["]),
    ),
    max_size=40,
)
HYPOTHESIS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
def test_any_text_as_an_id_is_refused_in_one_line(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    @HYPOTHESIS
    @given(ARGV_TEXT)
    def check(value: str) -> None:
        assume(not (value.isascii() and value.isdigit() and 1 <= int(value) <= ID_MAX))
        for argv in (["show", "--", value], ["annotate", "--flag", "ok", "--comment", "c", "--", value]):
            code, out, err = run(capsys, *argv)
            refused_in_one_line(code, err)
            assert out == ""

    check()


@pytest.mark.slow
def test_any_text_as_a_search_is_answered_or_refused_in_one_line(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @HYPOTHESIS
    @given(ARGV_TEXT, st.booleans())
    def check(query: str, as_json: bool) -> None:
        code, out, err = run(capsys, "search", *(["--json"] if as_json else []), "--", query)
        assert not RAW.search(out) and "Traceback" not in err
        if any("\ud800" <= character <= "\udfff" for character in query):
            assert "argument query: not valid UTF-8 text" in refused_in_one_line(code, err)
        else:
            assert code == 0 and err == "", err
            if as_json:
                assert json.loads(out)["query"] == query

    check()


@pytest.mark.slow
def test_any_text_as_a_note_is_recorded_exactly_or_refused(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @settings(HYPOTHESIS, max_examples=25)
    @given(ARGV_TEXT, ARGV_TEXT)
    def check(comment: str, name: str) -> None:
        code, out, err = run(
            capsys, "annotate", "1", "--flag", "ok", f"--comment={comment}", f"--name={name}"
        )
        assert not RAW.search(out) and "Traceback" not in err
        if any("\ud800" <= character <= "\udfff" for character in comment + name):
            assert "not valid UTF-8 text" in refused_in_one_line(code, err)
            return
        assert code == 0 and out.count("\n") == 1, err
        note = int(out.split()[1])
        _, shown, _ = run(capsys, "show", "1", "--json")
        recorded = {n["id"]: n for n in json.loads(shown)["turns"][0]["annotations"]}[note]
        assert (recorded["comment"], recorded["author"]) == (comment, name or recorded["author"])

    check()
