"""A hostile-input corpus: every command, option and file argument, and every member of a bundle.

Each argument of ``python -m app`` (read from ``build_parser``, so a new option cannot be left
out) meets values built to break it: text with C0 and C1 controls, escape sequences, bidi
overrides, undecodable bytes (argv carries them as lone surrogates), nothing at all and 100,000
characters; whole numbers at every boundary and in every spelling that is not one; files of every
kind (missing, empty, a folder, a named pipe, /dev/zero, /dev/null, a symbolic-link loop, a 2 GiB
sparse file, random and truncated bytes, a path through a file); destinations the system refuses
(/sys, /proc, a read-only mount) or that are the user's. The standalone verifier meets every
bundle member made empty, random, truncated, a pipe, a link, a folder or a sparse giant, and zip
members whose names or headers lie.

Every case runs in this process against its own copy of one real record and must end with the
exit status documented for its kind, one escaped line on stderr if it was refused, no traceback,
no raw terminal control in anything printed, and the record verified and unchanged unless the
command writes. Whose fault decides the status: a value or file the user named that cannot be
used is refused (2); the system refusing to make or read a file (/sys, /proc, a read-only mount,
permissions, memory) is 3. A sample runs again in a child capped at 1.5 GiB of address space
under a timeout: nothing may read without a bound or wait forever.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import logging
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import traceback
import zlib
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import cli
from app.cli import ID_MAX, MAX_TOKENS_MAX, build_parser
from app.core.catalogue import MAGISTRAL_SMALL_1_2
from app.core.signing import fingerprint
from app.core.types import SEED_MAX
from app.export import verify_bundle as vb
from app.services import signing
from app.services.failures import BUSY, ENVIRONMENT, INTERRUPTED, OK, PROBLEM_FOUND, REFUSED
from app.services.paths import config_path, database_path
from app.services.record import open_record
from app.services.witness import witness_file
from tests.fixtures.cli_runs import ledger_head
from tests.fixtures.disks import read_only_folder
from tests.fixtures.hostile_files import GiB, Member, bomb_zip, deflated_zeros, run_capped, stored
from tests.fixtures.hub_server import HubFile, HubServer, serve
from tests.fixtures.records import long_conversation, png
from tests.fixtures.signers import PASSPHRASE as SIGNER_PASSPHRASE

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="named pipes, /dev, /sys, /proc and RLIMIT_AS"),
    # A reader that blocks fails here instead of hanging the run.
    pytest.mark.timeout(60),
]

DOCUMENTED = {OK, PROBLEM_FOUND, REFUSED, ENVIRONMENT, BUSY, INTERRUPTED}
# Every character a terminal may obey (newline and tab are layout), every bidi embedding,
# override and isolate, and the surrogates no UTF-8 terminal can show.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# As tests/conftest.py sets it for every test: the master record's key opens in each case.
PASSPHRASE = "a passphrase for the tests only"
HOSTILE = "retitle \x1b]0;PWNED\x07 clear \x1b[2J csi \x9b2J flip \u202egnp.exe cr\roverwritten"
ROOT_IS_GOD = os.geteuid() == 0  # permissions do not bite as root: no unreadable-file cases then
VERIFY = "verify_bundle.py"

# -- hostile values -----------------------------------------------------------------------------

TEXT = {
    "C0 controls": "bell\x07 backspace\x08 unit\x1f del\x7f vt\x0b ff\x0c",
    "C1 controls": "csi \x9b2J osc \x9d0;PWNED\x9c nel\x85",
    "ESC+OSC": "retitle \x1b]0;PWNED\x07 clear \x1b[2J \x1b[31mred",
    "bidi overrides": "flip \u202egnp.exe isolate \u2066hid\u2069 mark\u200f",
    "line breaks": "first\nsecond\r\nthird\roverwritten",
    "unicode": "中文 العربية हिन्दी 👍🏽 👨‍👩‍👧 $\\frac{1}{2}$",
    "empty": "",
    "100k chars": ("x\x1b[2J" * 20_000)[:100_000],
    "undecodable byte": "bad \udcff byte",  # os.fsdecode(b"bad \xff byte")
    "lone surrogate": "lone \ud800 high",
}
NOT_UTF8 = {"undecodable byte", "lone surrogate"}

NUMBERS = {
    "-1": "-1",
    "0": "0",
    "1": "1",
    "2**31": str(2**31),
    "2**32-1": str(2**32 - 1),
    "2**32": str(2**32),
    "2**53": str(2**53),
    "2**63-1": str(2**63 - 1),
    "2**63": str(2**63),
    "2**64": str(2**64),
    "2**70": str(2**70),
    "1e3": "1e3",
    "0x10": "0x10",
    "space 7": " 7",
    "arabic 3": "\u0663",
    "+1": "+1",
    "1_000": "1_000",
    "empty": "",
    "5000 digits": "9" * 5000,
}

# The files of every kind a file argument meets ("truncated" and "valid" are made per family).
FILE_KINDS = [
    "missing",
    "missing ESC name",
    "empty",
    "folder",
    "named pipe",
    "/dev/zero",
    "/dev/null",
    "symlink loop",
    "2 GiB sparse",
    "random bytes",
    "truncated",
    "through a file",
    "valid",
    *([] if ROOT_IS_GOD else ["unreadable"]),
]
DESTINATIONS = [
    "/sys",
    "/proc",
    "read-only mount",
    "through a file",
    "missing folder",
    "user's folder",
    "existing file",
    "/dev/null",
    "named pipe",
    "symlink loop",
    "ESC in name",
    "300-byte name",
    "valid",
]

# -- cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A path made at run time (a hostile file, a destination), with text around it."""

    name: str
    tail: str = ""
    prefix: str = ""


Arg = str | Place


@dataclass(frozen=True)
class Case:
    command: str  # "ask", "key replace", or "verify_bundle.py"
    target: str  # the option or positional under attack, as its parser names it
    kind: str  # what it is given
    argv: tuple[Arg, ...]
    status: int
    writes: bool = False  # a command that records something, and does

    @property
    def id(self) -> str:
        kind = self.kind if len(self.kind) <= 40 else f"{self.kind[:37]}..."
        return f"{self.command} {self.target}={kind}".encode("ascii", "backslashreplace").decode()


FLAG = object()  # an option given without a value
# What each command is given besides the argument under attack: together, a run that succeeds.
# ask runs the tiny model the settings name, so no --model (inspected in a child) by default.
BASE: dict[str, dict[str, Any]] = {
    "ask": {"prompt": "Say hi.", "--max-tokens": "1", "--seed": "7"},
    "list": {},
    "search": {"query": "Question"},
    "verify": {},
    "checkpoint": {},
    "key show": {},
    "key rotate": {},
    "key replace": {"--reason": "The old key was lost with a laptop."},
    "restore": {"--reason": "Accepted as it is."},
    "annotate": {"turn": "4", "--flag": "concern", "--comment": "Checked."},
    # Conversation 1 is signed by Dana's identity already; she signs conversation 2 here.
    "signoff": {
        "conversation": "2",
        "--identity": Place("dana's fingerprint"),
        "--meaning": "approved",
        "--reason": "Fine.",
        "--passphrase-file": Place("valid passphrase"),
        "--yes": FLAG,
    },
    "identity create": {
        "--name": "Eve Auditor",
        "--role": "Auditor",
        "--passphrase-file": Place("valid passphrase"),
    },
    "identity list": {},
    "identity revoke": {"fingerprint": Place("dana's fingerprint"), "--reason": "Left the firm."},
    "export": {"ids": "2", "--output": Place("out", "/report.md")},
    "show": {"id": "1"},
    "models": {"--no-hash": FLAG},
    "inspect": {"path": Place("valid gguf")},
    "download": {"name": "magistral", "--to": Place("out", "/models")},
    # The record's turns were written without token ids: each is refused, nothing recorded.
    "reproduce": {"turn": "4"},
}
WRITERS = {
    "ask",
    "checkpoint",
    "key rotate",
    "key replace",
    "restore",
    "annotate",
    "signoff",
    "export",
    "identity create",
    "identity revoke",
}
# Their exit status 1 is a refusal that recorded nothing (a signature refused), not a problem found.
REFUSED_AS_PROBLEM = {"signoff"}
POSITIONALS = {
    "prompt",
    "query",
    "turn",
    "conversation",
    "ids",
    "id",
    "path",
    "name",
    "backup",
    "fingerprint",
}


def argv_of(command: str, changes: dict[str, Any]) -> tuple[Arg, ...]:
    """``command`` with its base arguments, ``changes`` applied (None leaves an argument out)."""
    options: list[Arg] = []
    positionals: list[Arg] = []
    for slot, value in {**BASE[command], **changes}.items():
        if value is None:
            continue
        if slot in POSITIONALS:
            positionals.extend(value if isinstance(value, tuple) else (value,))
        elif value is FLAG:
            options.append(slot)
        elif isinstance(value, Place):
            options.append(replace(value, prefix=f"{slot}="))
        else:
            options.append(f"{slot}={value}")  # with "=", a value that starts with "-" stays a value
    dashes = ["--"] if any(isinstance(p, str) and p.startswith("-") for p in positionals) else []
    return (*command.split(), *options, *dashes, *positionals)


def case(command: str, target: str, kind: str, value: Any, status: int, **extra: Any) -> Case:
    """``command`` with ``target`` given ``value`` (or several changes, as a dict)."""
    changes = value if isinstance(value, dict) else {target: value}
    wrote = status == OK or (status == PROBLEM_FOUND and command not in REFUSED_AS_PROBLEM)
    extra.setdefault("writes", wrote and command in WRITERS)
    return Case(command, target, kind, argv_of(command, changes), status, **extra)


# -- text -----------------------------------------------------------------------------------------

TEXT_SLOTS = [
    ("ask", "prompt"),
    ("ask", "--system"),
    ("ask", "--remote"),
    ("ask", "--remote-model"),
    ("search", "query"),
    ("search", "--model"),
    ("annotate", "--comment"),
    ("annotate", "--name"),
    ("signoff", "--identity"),
    ("signoff", "--reason"),
    ("identity create", "--name"),
    ("identity create", "--role"),
    ("identity revoke", "fingerprint"),
    ("identity revoke", "--reason"),
    ("key replace", "--reason"),
    ("restore", "--reason"),
    ("export", "--scope"),
    ("checkpoint", "--tsa"),
    ("download", "name"),
    ("download", "--quant"),
]
# Each accepted prompt runs the model: these kinds are the telling ones for it.
ASK_KINDS = {
    ("ask", "prompt"): ["ESC+OSC", "bidi overrides", "C1 controls", "empty", "100k chars", *NOT_UTF8],
    ("ask", "--system"): ["ESC+OSC", "100k chars", *NOT_UTF8],
}
# Blank text these refuse: a reason recorded for a key, a restore or a revocation, a signer's name.
BLANK_REFUSED = {
    ("key replace", "--reason"),
    ("restore", "--reason"),
    ("identity create", "--name"),
    ("identity revoke", "--reason"),
}
# What a signer's name or role may not hold: line breaks, controls, reordering, 200+ characters.
NOT_A_NAME = {"C0 controls", "C1 controls", "ESC+OSC", "bidi overrides", "line breaks", "100k chars"}


def text_outcome(command: str, target: str, kind: str) -> dict[str, Any]:
    """What text of ``kind`` given to ``target`` is documented to get."""
    value = TEXT[kind]
    if kind in NOT_UTF8:
        return {"status": REFUSED}  # by the parser, naming the option
    if command == "download":
        # A name or quantization must be one offered; an empty --quant means the default.
        return {"status": OK if target == "--quant" and value == "" else REFUSED}
    if target in ("--remote", "--remote-model"):
        return {"status": REFUSED}  # not a server address, or nothing listens on 127.0.0.1:9
    if command == "checkpoint":
        return {"status": OK if value == "" else REFUSED}  # not an http(s) address; "" names none
    if command == "ask" and kind == "100k chars":
        # Recorded as asked, and failed: 100,000 tokens do not fit a 2,048-token context.
        return {"status": PROBLEM_FOUND}
    if value.strip() == "" and (command, target) in BLANK_REFUSED:
        return {"status": REFUSED}
    if command == "signoff":
        # No identity has that fingerprint; a reason is needed: refused, the signature (1).
        return {"status": PROBLEM_FOUND if target == "--identity" or not value.strip() else OK}
    if (command, target) == ("identity revoke", "fingerprint"):
        return {"status": REFUSED}  # no identity has that fingerprint
    if command == "identity create" and kind in NOT_A_NAME:
        return {"status": REFUSED}
    return {"status": OK}


def text_cases() -> Iterator[Case]:
    for command, target in TEXT_SLOTS:
        for kind in ASK_KINDS.get((command, target), list(TEXT)):
            changes: dict[str, Any] = {target: TEXT[kind]}
            if target == "--remote":
                changes["--remote-model"] = "some-model"
            if target == "--remote-model":
                changes["--remote"] = "http://127.0.0.1:9/v1"
            yield case(command, target, kind, changes, **text_outcome(command, target, kind))


# -- numbers --------------------------------------------------------------------------------------

# (command, target): (lowest, highest, the status of each value in range that names something)
NUMBER_SLOTS: dict[tuple[str, str], tuple[int, int, dict[int, int] | None]] = {
    ("show", "id"): (1, ID_MAX, {1: OK}),
    ("annotate", "turn"): (1, ID_MAX, {1: REFUSED}),  # turn 1 is in a signed-off conversation
    # Dana signed conversation 1 already: once is all; a conversation that is not there is refused (1).
    ("signoff", "conversation"): (1, ID_MAX, {1: PROBLEM_FOUND}),
    ("export", "ids"): (1, ID_MAX, {1: OK}),
    ("ask", "--conversation"): (1, ID_MAX, {1: REFUSED}),  # signed off, so locked
    ("ask", "--seed"): (0, SEED_MAX, None),  # None: every value in range runs
    ("ask", "--max-tokens"): (1, MAX_TOKENS_MAX, None),
    ("search", "--limit"): (1, ID_MAX, None),
    ("reproduce", "turn"): (1, ID_MAX, {}),  # no turn here holds token ids: each is refused
    ("reproduce", "--threads"): (1, 1024, {}),
}


def in_range(text: str, low: int, high: int) -> bool:
    if not (text.isascii() and text.removeprefix("-").isdigit()) or len(text) > 40:
        return False  # Python converts no more than 4,300 digits; no bound has 40
    return low <= int(text) <= high


def number_outcome(command: str, target: str, text: str) -> dict[str, Any]:
    low, high, known = NUMBER_SLOTS[(command, target)]
    if not in_range(text, low, high):
        return {"status": REFUSED}  # by the parser
    if known is None:
        return {"status": OK}
    nothing = PROBLEM_FOUND if command in REFUSED_AS_PROBLEM else REFUSED
    status = known.get(int(text), nothing)  # else there is no such turn or conversation
    return {"status": status}


def number_cases() -> Iterator[Case]:
    for command, target in NUMBER_SLOTS:
        for kind, text in NUMBERS.items():
            yield case(command, target, kind, text, **number_outcome(command, target, text))
    for kind, text in NUMBERS.items():  # as the second of several ids, after conversation 2
        yield case("export", "ids", f"second id {kind}", ("2", text), OK if text == "1" else REFUSED)


# -- choices, dates, flags, help, what is not an option -----------------------------------------

CHOICES = [
    ("annotate", "--flag", "ok"),
    ("signoff", "--meaning", "reviewed"),
    ("search", "--state", "signed"),
    ("export", "--format", "md"),
    ("export", "--page-size", "letter"),
]
DATES = {
    "ISO": ("2026-01-31", OK),
    "year 1": ("0001-01-01", OK),
    "year 9999": ("9999-12-31", OK),
    "basic form": ("20260131", OK),
    "30 February": ("2026-02-30", REFUSED),
    "month 13": ("2026-13-01", REFUSED),
    "arabic digits": ("\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661", REFUSED),
    "leading space": (" 2026-01-01", REFUSED),
    "-1": ("-1", REFUSED),
    "ESC+OSC": (TEXT["ESC+OSC"], REFUSED),
    "empty": ("", REFUSED),
    "100k chars": (TEXT["100k chars"], REFUSED),
    "undecodable byte": (TEXT["undecodable byte"], REFUSED),
}


def choice_cases() -> Iterator[Case]:
    for command, target, good in CHOICES:
        given: dict[str, Any] = {target: good}
        if target == "--format":
            given["--output"] = Place("out", f"/report.{good}")
        yield case(command, target, "valid", given, OK)
        yield case(command, target, "wrong case", {**given, target: good.upper()}, REFUSED)
        for kind in ("ESC+OSC", "bidi overrides", "empty", "100k chars", "undecodable byte"):
            yield case(command, target, kind, {**given, target: TEXT[kind]}, REFUSED)
    for target in ("--from", "--to"):
        for kind, (text, status) in DATES.items():
            yield case("search", target, kind, text, status)


# Every on/off option, given as it is meant and with a value it does not take.
FLAGS = [
    ("list", "--json"),
    ("search", "--json"),
    ("search", "--flagged"),
    ("export", "--json"),
    ("export", "--overwrite"),
    ("show", "--json"),
    ("models", "--json"),
    ("models", "--no-hash"),
    ("inspect", "--json"),
    ("inspect", "--hash"),
    ("download", "--use"),
    ("download", "--mmproj"),
    ("ask", "--require-reasoning"),
    ("ask", "--no-require-reasoning"),
    ("reproduce", "--json"),
    ("reproduce", "--run-again"),
    ("signoff", "--yes"),
    ("identity list", "--json"),
]
# Commands whose base run is refused (see BASE): a flag given as meant is refused with it.
REFUSED_BASE = {"reproduce"}


def flag_cases() -> Iterator[Case]:
    for command, target in FLAGS:
        yield case(command, target, "given", FLAG, REFUSED if command in REFUSED_BASE else OK)
        yield case(command, target, "given a value", "yes", REFUSED)
    both = {"--require-reasoning": FLAG, "--no-require-reasoning": FLAG}
    yield case("ask", "--require-reasoning", "and --no-require-reasoning", both, REFUSED)
    # Hashing the demo model caches its hash in the record: models writes then.
    yield case("models", "--no-hash", "left out", None, OK, writes=True)
    # Without --yes and without a terminal to type 'sign' on, nothing is signed.
    yield case("signoff", "--yes", "left out", None, PROBLEM_FOUND)
    for command in ("signoff", "identity create"):
        # One passphrase at a time; stdin read here is no passphrase at all.
        both = {"--passphrase-stdin": FLAG}
        yield case(command, "--passphrase-stdin", "and --passphrase-file", both, REFUSED)
        yield case(command, "--passphrase-stdin", "given a value", {"--passphrase-stdin": "yes"}, REFUSED)
        alone = {"--passphrase-stdin": FLAG, "--passphrase-file": None}
        yield case(command, "--passphrase-stdin", "nothing on stdin", alone, REFUSED)


def usage_cases() -> Iterator[Case]:
    yield Case("veritrace", "--help", "top", ("--help",), OK)
    yield Case("veritrace", "--version", "top", ("--version",), OK)
    for kind in ("ESC+OSC", "undecodable byte", "empty"):
        yield Case("veritrace", "COMMAND", kind, (TEXT[kind],), REFUSED)
    for command in BASE:
        yield Case(command, "--help", "help", (*command.split(), "--help"), OK)
        # An option nobody defined, spelt with terminal controls: quoted back escaped.
        unknown = (*command.split(), "--\x1b]0;PWNED\x07")
        yield Case(command, "--help", "unknown ESC option", unknown, REFUSED)
    yield Case("key", "--help", "help", ("key", "--help"), OK)
    yield Case("key", "ACTION", "ESC+OSC", ("key", TEXT["ESC+OSC"]), REFUSED)
    yield Case("key", "ACTION", "missing", ("key",), REFUSED)
    yield Case("identity", "--help", "help", ("identity", "--help"), OK)
    yield Case("identity", "ACTION", "ESC+OSC", ("identity", TEXT["ESC+OSC"]), REFUSED)
    yield Case("identity", "ACTION", "missing", ("identity",), REFUSED)
    required = [
        ("show", "id"),
        ("annotate", "turn"),
        ("inspect", "path"),
        ("ask", "prompt"),
        ("annotate", "--flag"),
        ("annotate", "--comment"),
        ("signoff", "--meaning"),
        ("signoff", "--identity"),
        ("identity create", "--name"),
        ("identity create", "--role"),
        ("identity revoke", "--reason"),
        ("identity revoke", "fingerprint"),
        ("key replace", "--reason"),
        ("restore", "--reason"),
        ("export", "--output"),
    ]
    for command, target in required:
        yield case(command, target, "missing", None, REFUSED)


# -- files ----------------------------------------------------------------------------------------


def file_place(kind: str, family: str, prefix: str = "") -> Place:
    return Place(f"{kind} {family}" if kind in ("truncated", "valid") else kind, prefix=prefix)


# (command, target): the family of its valid and truncated files
INPUTS = {
    ("ask", "--image"): "png",
    ("ask", "--model"): "gguf",
    ("ask", "--mmproj"): "mmproj",
    ("inspect", "path"): "gguf",
    ("restore", "backup"): "record",
    ("verify", "--since"): "report",
    ("verify", "--tsa-root"): "pem",
    ("checkpoint", "--tsa-root"): "pem",
    ("reproduce", "--model"): "gguf",
    ("reproduce", "--mmproj"): "mmproj",
    ("signoff", "--passphrase-file"): "passphrase",
    ("identity create", "--passphrase-file"): "passphrase",
}


def input_outcome(command: str, target: str, kind: str) -> dict[str, Any]:
    """A file the user named that cannot be used is bad input (2); a valid one works."""
    if kind == "valid":
        return {"status": REFUSED if command in REFUSED_BASE else OK}
    if kind == "unreadable":
        return {"status": ENVIRONMENT}  # permission denied
    if command == "signoff" and kind == "truncated":
        return {"status": PROBLEM_FOUND}  # a passphrase cut short is the wrong one: not signed
    return {"status": REFUSED}  # for identity create, one cut short is too short


def input_cases() -> Iterator[Case]:
    for (command, target), family in INPUTS.items():
        for kind in FILE_KINDS:
            given: dict[str, Any] = {target: file_place(kind, family)}
            if command == "checkpoint":
                # Nothing listens on port 9: the timestamp request is queued, the checkpoint made.
                given["--tsa"] = "http://127.0.0.1:9/tsa"
            if target == "--mmproj":
                given["--image"] = file_place("valid", "png")  # what the projector is for
            if target == "--image" and kind == "valid":
                given["--mmproj"] = file_place("valid", "mmproj")  # the model sees it
            yield case(command, target, kind, given, **input_outcome(command, target, kind))
    yield case("verify", "--since", "head hash, as recorded", Place("head"), OK)
    yield case("verify", "--since", "head hash, another", "1:" + "ab" * 32, PROBLEM_FOUND)
    yield case("verify", "--since", "head hash past the end", f"999999:{'ab' * 32}", PROBLEM_FOUND)
    yield case("verify", "--since", "a bundle", Place("valid bundle"), OK)
    yield case("verify", "--since", "ESC+OSC", TEXT["ESC+OSC"], REFUSED)
    yield case("verify", "--since", "100k hex digits", "a" * 100_000, REFUSED)
    yield case("restore", "backup", "none (the record as it is)", None, OK)


def destination_outcome(command: str, kind: str) -> dict[str, Any]:
    """The system refusing to make a file is 3; a path the user named that cannot be one is 2."""
    if kind in ("valid", "ESC in name"):
        return {"status": OK}
    if kind in ("/sys", "/proc", "read-only mount"):
        return {"status": ENVIRONMENT}
    if command == "download" and kind in ("missing folder", "user's folder"):
        return {"status": OK}  # made if need be, and the model saved in it
    return {"status": REFUSED}  # it exists, is not an export, or its folder is not one


def destination(kind: str, name: str) -> Place:
    return {
        "/sys": Place("/sys", f"/{name}"),
        "/proc": Place("/proc", f"/{name}"),
        "read-only mount": Place("read-only mount", f"/{name}"),
        "through a file": Place("random bytes", f"/{name}"),
        "missing folder": Place("out", f"/no/such/folder/{name}"),
        "user's folder": Place("user's folder"),
        "existing file": Place("user's file"),
        "/dev/null": Place("/dev/null"),
        "named pipe": Place("named pipe"),
        "symlink loop": Place("symlink loop"),
        "ESC in name": Place("out", f"/\x1b]0;PWNED\x07\u202e{name}"),
        "300-byte name": Place("out", "/" + "n" * 300 + name),
        "valid": Place("out", f"/{name}"),
    }[kind]


def destination_cases() -> Iterator[Case]:
    for fmt, name in [("md", "report.md"), ("pdf", "report.pdf"), ("json", "bundle.zip"), ("json", "bundle")]:
        for kind in DESTINATIONS:
            given: dict[str, Any] = {"--output": destination(kind, name), "--format": fmt}
            yield case("export", "--output", f"{name} {kind}", given, **destination_outcome("export", kind))
        # "Replace it" on the user's own folder must never delete it.
        given = {"--output": Place("user's folder"), "--format": fmt, "--overwrite": FLAG}
        yield case("export", "--output", f"{name} user's folder --overwrite", given, REFUSED)
    unknown = {"--output": Place("out", "/report.txt")}
    yield case("export", "--output", "no format from the name", unknown, REFUSED)
    for kind in DESTINATIONS:
        yield case(
            "download", "--to", kind, destination(kind, "models"), **destination_outcome("download", kind)
        )


# -- the standalone verifier ----------------------------------------------------------------------

MEMBERS = ["manifest.json", "ledger.jsonl", "conversation", "image", "README.txt", "verify_bundle.py"]
MEMBER_KINDS = [
    "deleted",
    "empty",
    "random bytes",
    "truncated",
    "one byte changed",
    "named pipe",
    "symlink loop",
    "link to /dev/zero",
    "a folder",
    "2 GiB sparse",
]
ZIP_KINDS = [
    "manifest declares 3 GiB",
    "ledger declares 3 GiB",
    "header declares less",
    "duplicate member",
    "ESC member name",
    "../ member name",
    "absolute member name",
    "no manifest",
    "random manifest",
]
# Control characters a terminal obeys, surrogates aside: the verifier shows those as "?".
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def verifier_cases() -> Iterator[Case]:
    bundle = (Place("bundle"),)
    for member in MEMBERS:
        for kind in MEMBER_KINDS:
            yield Case(VERIFY, f"BUNDLE member {member}", kind, bundle, PROBLEM_FOUND)
    yield Case(VERIFY, "BUNDLE extra member", "ESC name", bundle, PROBLEM_FOUND)
    yield Case(VERIFY, "BUNDLE extra member", "nested deep", bundle, PROBLEM_FOUND)
    for kind in ZIP_KINDS:
        yield Case(VERIFY, "BUNDLE zip", kind, bundle, PROBLEM_FOUND)
    for kind in [kind for kind in FILE_KINDS if kind != "unreadable"]:
        if kind in ("missing", "missing ESC name", "symlink loop", "through a file"):
            status = REFUSED  # no such file or folder
        else:
            status = OK if kind == "valid" else PROBLEM_FOUND
        yield Case(VERIFY, "BUNDLE", kind, (file_place(kind, "bundle"),), status)
    yield Case(VERIFY, "BUNDLE", "ESC in folder name", bundle, OK)
    yield Case(VERIFY, "BUNDLE", "none given", (), REFUSED)
    for option in ("--fingerprint", "--key"):
        for kind, text in TEXT.items():
            status = OK if text.strip() == "" else PROBLEM_FOUND  # blank pins nothing
            given = (f"{option}={text}", Place("valid bundle"))
            yield Case(VERIFY, option, kind, given, status)
        given = (Place(f"{option} of the key", prefix=f"{option}="), Place("valid bundle"))
        yield Case(VERIFY, option, "the signing key's", given, OK)
    for kind, text in TEXT.items():  # the bundle's sign-off is by an identity of another fingerprint
        status = OK if text.strip() == "" else PROBLEM_FOUND  # blank pins nothing
        yield Case(VERIFY, "--signer", kind, (f"--signer={text}", Place("valid bundle")), status)
    both = ("--fingerprint=ab", "--key=cd", Place("valid bundle"))
    yield Case(VERIFY, "--key", "with --fingerprint", both, REFUSED)
    for kind in FILE_KINDS:
        status = PROBLEM_FOUND if kind == "valid" else REFUSED  # the bundle carries no timestamp
        given = (file_place(kind, "pem", prefix="--tsa-root="), Place("valid bundle"))
        yield Case(VERIFY, "--tsa-root", kind, given, status)
    yield Case(VERIFY, "--help", "help", ("--help",), OK)
    unknown = ("--\x1b]0;PWNED\x07", Place("valid bundle"))
    yield Case(VERIFY, "--help", "unknown ESC option", unknown, REFUSED)


APP_CASES = [
    *text_cases(),
    *number_cases(),
    *choice_cases(),
    *flag_cases(),
    *usage_cases(),
    *input_cases(),
    *destination_cases(),
]
VERIFIER_CASES = list(verifier_cases())
CASES = APP_CASES + VERIFIER_CASES


def params(cases: list[Case]) -> list[Any]:
    """Each case a test of its own, named by command, argument and value."""
    return [pytest.param(c, id=c.id) for c in cases]


# -- every argument is attacked ---------------------------------------------------------------------


def arguments(parser: argparse.ArgumentParser, command: str) -> Iterator[tuple[str, argparse.Action]]:
    """Every (command, argument) of ``parser``, its subcommands' too, at any depth."""
    for action in parser._actions:
        yield command, action
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from arguments(sub, f"{command} {name}".removeprefix("veritrace "))


def names(action: argparse.Action) -> set[str]:
    return {*action.option_strings, action.dest, str(action.metavar)}


def attacked(command: str, action: argparse.Action) -> bool:
    return any(
        c.command == command and (c.target in names(action) or c.target.split(" ")[0] in names(action))
        for c in CASES
    )


def unattacked(parser: argparse.ArgumentParser, top: str) -> list[str]:
    return [
        f"{command} {'/'.join(action.option_strings) or action.dest}"
        for command, action in arguments(parser, top)
        if not attacked(command, action)
    ]


@pytest.mark.parametrize(
    ("parser", "top"),
    [pytest.param(build_parser, "veritrace", id="veritrace"), pytest.param(vb._parser, VERIFY, id=VERIFY)],
)
def test_every_command_and_option_meets_hostile_values(
    parser: Callable[[], argparse.ArgumentParser], top: str
) -> None:
    assert unattacked(parser(), top) == [], "arguments no case attacks"


def test_a_new_option_would_be_named_as_left_out() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands.choices["list"].add_argument("--since-yesterday", action="store_true")
    assert unattacked(parser, "veritrace") == ["list --since-yesterday"]


def test_every_file_argument_meets_every_kind_of_file() -> None:
    """An argument that takes a path (its metavar says so, or it is a Path) is in INPUTS or is a
    destination, and meets every kind of file or destination."""
    paths = {"PATH", "PEM", "REPORT", "BACKUP", "DIR"}
    for command, action in arguments(build_parser(), "veritrace"):
        if action.metavar in paths or action.type is Path:
            target = action.option_strings[-1] if action.option_strings else action.dest
            kinds = {c.kind for c in CASES if (c.command, c.target) == (command, target)}
            wanted = set(FILE_KINDS if (command, target) in INPUTS else DESTINATIONS)
            if command == "export":
                kinds = {kind.split(" ", 1)[-1] for kind in kinds}
            assert wanted <= kinds, f"{command} {target} never meets {sorted(wanted - kinds)}"
    assert {("ask", "--model")} <= set(INPUTS), "--model names a file without saying so"


def test_the_corpus_is_large_and_spans_every_command() -> None:
    assert len(CASES) >= 300
    assert {c.command.split()[0] for c in CASES} >= {*(c.split()[0] for c in BASE), VERIFY}


# -- the record, the files, and the places every case needs -----------------------------------------


@dataclass(frozen=True)
class Master:
    """One real record (with its key, witness and settings) and the files the cases are given."""

    home: Path
    witness: Path
    head: tuple[int, str]
    places: dict[str, str]
    bundle: Path


def certificate_pem() -> bytes:
    """A self-signed certificate, as a timestamp authority's root would be."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hostile corpus root")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {
        f.relative_to(folder).as_posix(): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()
    }


def forget_log_handlers(home: Path) -> None:
    """Leave no log file of ``home`` on the root logger for the next case (main() adds one)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler) and handler.baseFilename.startswith(str(home)):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory, tiny_models: tuple[Path, Path]) -> Iterator[Master]:
    root = tmp_path_factory.mktemp("hostile-corpus")
    home, files = root / "home", root / "files"
    files.mkdir()
    text, projector = tiny_models
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VERITRACE_HOME", str(home))
        patch.setenv("VERITRACE_WITNESS_DIR", str(root / "witness"))
        patch.setenv("VERITRACE_KEY_PASSPHRASE", PASSPHRASE)
        key = signing.installation_key()
        store = open_record(database_path())
        try:
            # Conversation 1 (turns 1-3): images, notes, signed off. 2 (turns 4-5): open.
            # 3 (turn 6): every field holds terminal controls, for list, show and search to show.
            long_conversation(store, turns=3, image_every=1, annotate_every=2, key=key)
            long_conversation(store, turns=2, image_every=2, annotate_every=0, sign=False, title="Second")
            title = f"Title {HOSTILE}\nline two"
            long_conversation(store, turns=1, sentences=(HOSTILE,), sign=False, title=title)
            [dana] = [identity.fingerprint for identity in store.identities()]
        finally:
            store.close()
        with redirect_stdout(io.StringIO()):
            assert cli.main(["export", "1", "-o", str(files / "report.md")]) == OK
            assert cli.main(["export", "1", "-o", str(root / "bundle")]) == OK
            assert cli.main(["checkpoint"]) == OK
        # ask runs the tiny model: named in the settings, it is not inspected in a child each time.
        config_path().write_text(json.dumps({"model_path": str(text)}), "utf-8")
        shutil.copyfile(database_path(), files / "valid record")  # closed: nothing is left in a WAL
        head = ledger_head(database_path())
        witness = witness_file(database_path())
        forget_log_handlers(home)
        signing.forget_cached_keys()
    assert head is not None and witness.is_file()
    image, pem, report = png((10, 90, 160)), certificate_pem(), (files / "report.md").read_bytes()
    made = {
        "valid passphrase": f"{SIGNER_PASSPHRASE}\n".encode(),
        "truncated passphrase": SIGNER_PASSPHRASE[:5].encode(),  # too short to be one, and not Dana's
        "valid png": image,
        "truncated png": image[: len(image) // 2],
        "truncated gguf": text.read_bytes()[:4096],
        "truncated record": (files / "valid record").read_bytes()[:8192],
        "truncated report": report[: len(report) // 2],
        "valid pem": pem,
        "truncated pem": pem[: len(pem) // 2],
        "empty": b"",
        "random bytes": random.Random(15).randbytes(4096),
    }
    for name, data in made.items():
        (files / name).write_bytes(data)
    zipped = bomb_zip(files / "valid zip", [stored(n, d) for n, d in bundle_files(root / "bundle").items()])
    (files / "truncated bundle").write_bytes(zipped.read_bytes()[: zipped.stat().st_size // 2])
    (files / "folder").mkdir()
    (files / "folder" / "notes.txt").write_text("a folder of the user's")
    os.mkfifo(files / "named pipe")
    (files / "symlink loop").symlink_to("symlink loop")
    with (files / "2 GiB sparse").open("wb") as handle:
        handle.truncate(2 * GiB)
    if not ROOT_IS_GOD:
        (files / "unreadable").write_bytes(pem)
        (files / "unreadable").chmod(0)
    places = {name: str(files / name) for name in [*made, "valid record", "truncated bundle"]}
    places |= {
        "valid gguf": str(text),
        "truncated mmproj": str(files / "truncated gguf"),
        "valid mmproj": str(projector),
        "valid bundle": str(root / "bundle"),
        "valid report": str(files / "report.md"),
        "missing": str(files / "missing"),
        "missing ESC name": str(files / "\x1b]0;PWNED\x07\u202emissing"),
        "through a file": str(files / "random bytes" / "inside"),
        "/dev/zero": "/dev/zero",
        "/dev/null": "/dev/null",
        "/sys": "/sys",
        "/proc": "/proc",
        "head": f"{head[0]}:{head[1]}",
        "--fingerprint of the key": fingerprint(key.public_hex),
        "dana's fingerprint": dana,
        "--key of the key": key.public_hex,
    }
    for name in ("folder", "named pipe", "symlink loop", "2 GiB sparse", "unreadable"):
        places[name] = str(files / name)
    yield Master(home, witness, head, places, root / "bundle")


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | None]:
    """A folder on a read-only mount (as root) or without write permission; None where neither."""
    try:
        with read_only_folder(tmp_path_factory.mktemp("read-only") / "mount") as folder:
            yield folder
    except pytest.skip.Exception:
        yield None


@pytest.fixture(scope="module")
def hub(tiny_models: tuple[Path, Path]) -> Iterator[HubServer]:
    """The Hugging Face Hub on 127.0.0.1, offering the catalogue's files (the tiny model's bytes)."""
    model, projector = MAGISTRAL_SMALL_1_2.quantization("Q4_K_M").file, MAGISTRAL_SMALL_1_2.projector
    assert projector is not None
    text, vision = tiny_models
    files = [
        HubFile(model.repo_id, model.filename, text.read_bytes()),
        HubFile(projector.repo_id, projector.filename, vision.read_bytes()),
    ]
    with serve(files) as server:
        yield server


# The key's passphrase is stretched (PBKDF2) each time a case first signs: the same pure function
# of the same passphrase, salt and rounds every time, so it is worked out once for the run.
_stretch_once = functools.cache(signing._stretch)

USER_FILES = {"Documents/notes.txt": "the user's own notes", "notes.md": "the user's own report"}


@dataclass
class Corpus:
    """One case's world: its own copy of the record, and every path a case may be given."""

    master: Master
    home: Path
    scratch: Path
    places: dict[str, str]
    read_only: Path | None

    def reset(self) -> None:
        """The record as the master holds it, with its key and witness; the user's files as made."""
        shutil.rmtree(self.home)
        shutil.copytree(self.master.home, self.home)
        witness = witness_file(database_path())
        witness.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.master.witness, witness)
        signing.forget_cached_keys()
        for name, text in USER_FILES.items():
            (self.scratch / name).parent.mkdir(parents=True, exist_ok=True)
            (self.scratch / name).write_text(text)

    def resolve(self, argument: Arg) -> str:
        if isinstance(argument, str):
            return argument
        if argument.name == "read-only mount":
            if self.read_only is None:
                pytest.skip("no read-only mount or folder can be made here")
            return f"{argument.prefix}{self.read_only}{argument.tail}"
        return f"{argument.prefix}{self.places[argument.name]}{argument.tail}"

    def user_files_kept(self) -> bool:
        return all(
            (self.scratch / name).is_file() and (self.scratch / name).read_text() == text
            for name, text in USER_FILES.items()
        )


@pytest.fixture
def corpus(
    master: Master,
    read_only: Path | None,
    hub: HubServer,
    veritrace_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Corpus]:
    """The master record copied into this test's data folder, run from a scratch folder (a relative
    path never lands in the repository), downloads from the local Hub."""
    scratch = tmp_path / "scratch"
    (scratch / "out").mkdir(parents=True)
    monkeypatch.chdir(scratch)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(signing, "_stretch", _stretch_once)
    places = master.places | {
        "out": str(scratch / "out"),
        "user's folder": str(scratch / "Documents"),
        "user's file": str(scratch / "notes.md"),
        "bundle": str(scratch / "bundle"),
    }
    world = Corpus(master, veritrace_home, scratch, places, read_only)
    world.reset()
    yield world
    forget_log_handlers(veritrace_home)


# -- running a case -----------------------------------------------------------------------------------


def run_in_process(main: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)``'s exit status, stdout and stderr, ended as the interpreter ends it.

    The streams are UTF-8 as a terminal's are: stdout strict (a surrogate printed is an error),
    stderr with backslash escapes, as Python sets them up.
    """
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exit:  # argparse: --help, --version and usage errors
            status = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        except Exception:  # a bug: what Python prints for an uncaught exception, and its status
            traceback.print_exc()
            status = 1
    return status, read(out), read(err)


def read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def check_output(case: Case, status: int, out: str, err: str) -> None:
    """The exit status documented for this kind of value; a refusal is one escaped line of stderr."""
    said = f"{case.id}: exit {status}\nstdout: {out[-1500:]!r}\nstderr: {err[-1500:]!r}"
    assert "Traceback" not in out + err and "Logging error" not in err, said
    assert status in DOCUMENTED, said
    assert status == case.status, said
    assert not RAW.search(out) and not RAW.search(err), said
    lines = err.splitlines()
    if case.command == VERIFY:
        verdict = out.splitlines()
        if status == PROBLEM_FOUND:
            assert verdict[-1].startswith("BUNDLE INVALID: ") and err == "", said
            assert sum(line.startswith("  FAIL ") for line in verdict) <= 1, said
        elif status == REFUSED:  # its own line, or argparse's usage and its one error line
            assert lines[-1].startswith("verify_bundle.py: "), said
            assert len(lines) == 1 or lines[0].startswith("usage: "), said
        elif case.target != "--help":
            assert verdict[-1].startswith("BUNDLE VERIFIED: "), said
    elif status == PROBLEM_FOUND and case.command == "verify":
        assert lines[-1].startswith("FAILED: "), said  # its report, ending in what failed
    elif status == PROBLEM_FOUND and case.command in REFUSED_AS_PROBLEM:
        # A signature refused: its one line; the summary may have been printed before it.
        assert len(lines) == 1 and lines[0].startswith("veritrace: "), said
        assert "now locked" not in out, said
    elif status == PROBLEM_FOUND and case.command == "ask":
        # The turn streamed, its summary, then the one line saying why it failed.
        assert lines[-2].startswith("[turn ") and ": failed (" in lines[-2], said
        assert (
            lines[-1].startswith("veritrace: ") and sum(line.startswith("veritrace") for line in lines) == 1
        )
    elif status != OK:
        # The command's own line, or the parser's ("veritrace ask: error: …").
        assert len(lines) == 1 and lines[0].startswith("veritrace"), said
        assert out == "", said


def check_record(corpus: Corpus, case: Case) -> None:
    """The record verifies; its ledger ends where it did unless the command was meant to write."""
    try:
        head = ledger_head(database_path())
    except sqlite3.Error as error:
        pytest.fail(f"{case.id} left a record that cannot be read: {error}")
    if case.writes:
        assert head is not None and head[0] > corpus.master.head[0], f"{case.id} recorded nothing"
    else:
        assert head == corpus.master.head, f"{case.id} changed the record: {corpus.master.head} -> {head}"
    status, out, err = run_in_process(cli.main, ["verify"])
    assert status == OK and out.startswith("Record intact"), f"{case.id} left a record that fails: {err}"
    assert corpus.user_files_kept(), f"{case.id} changed the user's own files"


@pytest.mark.slow
@pytest.mark.parametrize("case", params(APP_CASES))
def test_the_command_line_meets_hostile_input(corpus: Corpus, case: Case) -> None:
    status, out, err = run_in_process(cli.main, [corpus.resolve(argument) for argument in case.argv])
    check_output(case, status, out, err)
    check_record(corpus, case)


# -- bundles made hostile -----------------------------------------------------------------------------


def member_path(bundle: Path, member: str) -> Path:
    if member == "conversation":
        return next((bundle / "conversations").iterdir())
    if member == "image":
        return next((bundle / "images").iterdir())
    return bundle / member


def make_member_hostile(bundle: Path, member: str, kind: str) -> None:
    path = member_path(bundle, member)
    data = path.read_bytes()
    path.unlink()
    middle = len(data) // 2
    if kind == "named pipe":
        os.mkfifo(path)
    elif kind == "symlink loop":
        path.symlink_to(path.name)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "a folder":
        path.mkdir()
        (path / "inside").write_bytes(data)
    elif kind == "2 GiB sparse":
        with path.open("wb") as handle:
            handle.truncate(2 * GiB)
    elif kind != "deleted":
        path.write_bytes(
            {
                "empty": b"",
                "random bytes": random.Random(member).randbytes(len(data)),
                "truncated": data[:middle],
                "one byte changed": data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :],
            }[kind]
        )


def hostile_zip(bundle: Path, path: Path, kind: str) -> None:
    """The bundle as a zip file whose members or headers are hostile."""
    members = [stored(name, data) for name, data in bundle_files(bundle).items()]
    replaced = {
        "manifest declares 3 GiB": Member("manifest.json", deflated_zeros(3 * GiB), 3 * GiB),
        "ledger declares 3 GiB": Member("ledger.jsonl", deflated_zeros(3 * GiB), 3 * GiB),
        # Inflates to 1 GiB; its headers say 1,000 bytes, with the CRC of those.
        "header declares less": Member("manifest.json", deflated_zeros(GiB), 1000, zlib.crc32(bytes(1000))),
        "random manifest": stored("manifest.json", random.Random(kind).randbytes(4096)),
    }
    added = {
        "duplicate member": stored("README.txt", b"a second README"),
        "ESC member name": stored("images/\x1b]0;PWNED\x07\u202egnp.png", b"x"),
        "../ member name": stored("../../escaped.txt", b"x"),
        "absolute member name": stored("/etc/escaped.txt", b"x"),
    }
    if kind in replaced or kind == "no manifest":
        gone = replaced[kind].name if kind in replaced else "manifest.json"
        members = [m for m in members if m.name != gone] + ([replaced[kind]] if kind in replaced else [])
    else:
        members.append(added[kind])
    bomb_zip(path, members)


def prepare_bundle(corpus: Corpus, case: Case) -> None:
    """This case's bundle at the "bundle" place, made from the real one."""
    target = Path(corpus.places["bundle"])
    if case.target == "BUNDLE zip":
        hostile_zip(corpus.master.bundle, target, case.kind)
        return
    if case.kind == "ESC in folder name":
        target = corpus.scratch / "bundle \x1b]0;PWNED\x07\u202e"
        corpus.places["bundle"] = str(target)
    shutil.copytree(corpus.master.bundle, target)
    if case.target.startswith("BUNDLE member "):
        make_member_hostile(target, case.target.removeprefix("BUNDLE member "), case.kind)
    elif case.kind == "ESC name":
        (target / "images" / "\x1b]0;PWNED\x07\u202egnp.png").write_bytes(b"x")
    elif case.kind == "nested deep":
        (target / "images" / "more" / "deeper").mkdir(parents=True)
        (target / "images" / "more" / "deeper" / "x.png").write_bytes(b"x")


def listing(path: Path) -> list[tuple[str, int, int]]:
    """Names, sizes and modes under ``path``, read without opening a file (pipes stay closed)."""
    if not path.is_dir() or path.is_symlink():
        return [("", path.lstat().st_size, path.lstat().st_mode)] if path.exists() else []
    return sorted(
        (e.relative_to(path).as_posix(), e.lstat().st_size, e.lstat().st_mode) for e in path.rglob("*")
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", params(VERIFIER_CASES))
def test_the_bundle_verifier_meets_hostile_input(corpus: Corpus, case: Case) -> None:
    prepare_bundle(corpus, case)
    bundle = Path(corpus.places["bundle"])
    before = listing(bundle)
    status, out, err = run_in_process(vb.main, [corpus.resolve(argument) for argument in case.argv])
    check_output(case, status, out, err)
    assert listing(bundle) == before, "the verifier changed the bundle"


# -- generated: any text, any number, any flipped byte ---------------------------------------------

# What argv can carry: any text but NUL, undecodable bytes arriving as surrogates.
ARGV_TEXT = st.text(
    st.one_of(
        st.characters(exclude_characters="\x00"),
        st.sampled_from(["\x1b", "\x07", "\x9b", "\r", "\n", "\u202e", "\u2066", "\udcff", "\udc80", " "]),
    ),
    max_size=60,
)
GENERATED = settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])
# Each generated text in every text option a model run or the network does not answer (a key
# replaced with a blank reason is met above).
CHEAP_TEXT_SLOTS = [
    slot
    for slot in TEXT_SLOTS
    if slot[0] not in ("ask", "checkpoint", "download") and slot != ("key replace", "--reason")
]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "target"), [pytest.param(*s, id=" ".join(s)) for s in CHEAP_TEXT_SLOTS])
def test_any_text_in_any_text_option_is_kept_or_refused_in_one_line(
    corpus: Corpus, command: str, target: str
) -> None:
    @GENERATED
    @given(ARGV_TEXT)
    def check(text: str) -> None:
        corpus.reset()
        status, out, err = run_in_process(
            cli.main, [corpus.resolve(a) for a in argv_of(command, {target: text})]
        )
        not_utf8 = any("\ud800" <= character <= "\udfff" for character in text)
        refusal = status == PROBLEM_FOUND and command in REFUSED_AS_PROBLEM
        expected = REFUSED if not_utf8 else status if status in (OK, REFUSED) or refusal else -1
        kept = Case(command, target, repr(text), (), expected, writes=status == OK and command in WRITERS)
        check_output(kept, status, out, err)
        check_record(corpus, kept)

    check()


@pytest.mark.slow
@pytest.mark.parametrize(("command", "target"), [pytest.param(*s, id=" ".join(s)) for s in NUMBER_SLOTS])
def test_any_number_outside_the_range_is_refused_by_the_parser(
    corpus: Corpus, command: str, target: str
) -> None:
    low, high, _ = NUMBER_SLOTS[(command, target)]
    outside = st.one_of(
        st.integers(max_value=low - 1),
        st.integers(min_value=high + 1),
        st.integers().map(lambda n: f"{n:,}"),
        st.integers(min_value=0).map(hex),
        st.floats(allow_nan=True).map(str),
        st.integers(0, 99).map(lambda n: f"\uff10{n}"),  # fullwidth digits
        ARGV_TEXT.filter(lambda text: not in_range(text, low, high)),
    )

    @settings(GENERATED, max_examples=25)
    @given(outside)
    def check(value: int | str) -> None:
        text = str(value)
        if in_range(text, low, high):
            return  # "{:,}" of a small number is a number
        status, out, err = run_in_process(
            cli.main, [corpus.resolve(a) for a in argv_of(command, {target: text})]
        )
        refused = Case(command, target, text, (), REFUSED)
        check_output(refused, status, out, err)
        assert ": error: argument " in err, err
        assert ledger_head(database_path()) == corpus.master.head

    check()
    check_record(corpus, Case(command, target, "all of them", (), REFUSED))


def test_any_byte_changed_in_a_bundle_fails_one_check(corpus: Corpus) -> None:
    files = sorted(bundle_files(corpus.master.bundle))

    @settings(GENERATED, max_examples=30)
    @given(st.sampled_from(files), st.floats(0, 1, exclude_max=True), st.integers(1, 255))
    def check(name: str, where: float, flip: int) -> None:
        bundle = Path(corpus.places["bundle"])
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.copytree(corpus.master.bundle, bundle)
        data = bytearray((bundle / name).read_bytes())
        data[int(where * len(data))] ^= flip
        (bundle / name).write_bytes(bytes(data))
        status, out, err = run_in_process(vb.main, [str(bundle)])
        check_output(Case(VERIFY, "BUNDLE", name, (), PROBLEM_FOUND), status, out, err)

    check()


# -- a sample in a child with its memory capped --------------------------------------------------------

SAMPLE = [
    "ask --image=/dev/zero",
    "ask --image=named pipe",
    "ask --image=2 GiB sparse",
    "ask --model=named pipe",
    "ask --model=2 GiB sparse",
    "ask --mmproj=/dev/zero",
    "inspect path=/dev/zero",
    "inspect path=named pipe",
    "inspect path=2 GiB sparse",
    "verify --since=named pipe",
    "verify --since=/dev/zero",
    "verify --since=2 GiB sparse",
    "restore backup=named pipe",
    "verify --tsa-root=/dev/zero",
    "export --output=bundle.zip /sys",
    "search query=100k chars",
    "show id=5000 digits",
    "verify_bundle.py BUNDLE zip=manifest declares 3 GiB",
    "verify_bundle.py BUNDLE zip=header declares less",
    "verify_bundle.py BUNDLE member ledger.jsonl=2 GiB sparse",
    "verify_bundle.py BUNDLE member manifest.json=named pipe",
    "verify_bundle.py BUNDLE=/dev/zero",
    "verify_bundle.py --tsa-root=/dev/zero",
]
SAMPLE_CASES = [c for c in CASES if c.id in SAMPLE]
CAP = 3 * GiB // 2


@pytest.mark.slow
@pytest.mark.parametrize("case", params(SAMPLE_CASES))
def test_a_sample_ends_in_bounded_time_and_memory(corpus: Corpus, case: Case) -> None:
    """Run as a user runs it, in a child whose address space is capped: a reader without a bound
    fails there (MemoryError), one that blocks meets the timeout."""
    if case.command == VERIFY:
        prepare_bundle(corpus, case)
    argv = [corpus.resolve(argument) for argument in case.argv]
    script = [str(Path(vb.__file__))] if case.command == VERIFY else ["-m", "app"]
    try:
        run = run_capped([*script, *argv], memory=CAP, timeout=30, isolated=case.command == VERIFY)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.id} did not finish within 30 s")
    check_output(case, run.returncode, run.stdout, run.stderr)
    if case.command != VERIFY:
        check_record(corpus, case)


def test_the_sample_is_all_there() -> None:
    assert sorted(c.id for c in SAMPLE_CASES) == sorted(SAMPLE)
