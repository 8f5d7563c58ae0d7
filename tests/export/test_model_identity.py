"""How every report names the model behind a turn, from a real record.

A local file is named by its full SHA-256 and how that hash was established for its load (a
mismatch names both hashes; a file never hashed says so); a remote model, which has no file,
is named in words: endpoint, model id and the server's fingerprint — never by a made-up hash,
also for turns recorded with the old "remote:" one. Markdown, the PDF (as pdftotext reads
it) and ``veritrace show`` say the same.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.core.hashing import sha256_text
from app.core.types import (
    REMOTE_MODEL_MARKER,
    ChatMessage,
    HashCheck,
    ModelFile,
    PreparedPrompt,
    RunSettings,
    TurnStatus,
    hash_check_words,
)
from app.export.markdown import write_markdown
from app.export.pdf import write_pdf
from app.export.report import models_used
from app.services.exporting import build_report
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY

TRUE = "a1" * 32  # what the file that loaded hashes to
WRONG = "c0" * 32  # what a stale hash cache said
PROJECTOR_TRUE = "b2" * 32
PROJECTOR_WRONG = "d3" * 32
LOCAL = ModelFile("/models/Magistral-Small-2509-Q4_K_M.gguf", 14_333_908_000, TRUE)
PROJECTOR = ModelFile("/models/mmproj-Magistral-F16.gguf", 878_000_000, PROJECTOR_WRONG)
ENDPOINT = "http://10.0.0.7:8000/v1"
OLD_REMOTE_PATH = f"{ENDPOINT}/model-a"
OLD_FAKE_HASH = hashlib.sha256(OLD_REMOTE_PATH.encode("utf-8")).hexdigest()
REMOTE_WORDS = "Remote model — no file hash: endpoint " + ENDPOINT + ", model id {}"


@dataclass(frozen=True)
class Record:
    store: Store
    local: int  # conversation ids
    remote: int
    turns: dict[str, int]  # what each turn shows → its id


def _turn(
    store: Store,
    conversation: int | None,
    name: str,
    model: ModelFile,
    *,
    model_check: str | None = None,
    projector: ModelFile | None = None,
    projector_check: str | None = None,
    remote_model: str | None = None,
    fingerprint: str | None = None,
) -> int:
    prompt = f"Turn {name}: what is 2 + 2?"
    prepared = PreparedPrompt(
        (ChatMessage("user", prompt),),
        prompt,
        sha256_text(prompt),
        9,
        "pinned:magistral-small-2509",
        "7e" * 32,
    )
    turn = store.begin_turn(
        conversation,
        prompt,
        RunSettings(),
        prepared,
        model,
        "llama-cpp-python 0.3.36",
        "0.1.0",
        "alice",
        title="Remote" if remote_model else "Local",
        projector=projector,
        endpoint=ENDPOINT if remote_model else None,
        remote_model=remote_model,
        model_check=model_check,
        projector_check=projector_check,
    )
    store.append_output(turn.id, 0, "Four.", "", "Four.")
    store.finish_turn(
        turn.id,
        TurnStatus.COMPLETED,
        finish_reason="stop",
        completion_tokens=2,
        server_fingerprint=fingerprint,
    )
    return turn.id


@pytest.fixture
def record(veritrace_home: Path) -> Iterator[Record]:
    """Where ``veritrace show`` looks: a local turn per hash check, and three remote turns."""
    store = Store(veritrace_home / "veritrace.db")
    store.enroll_key(TEST_KEY)
    turns: dict[str, int] = {}
    turns["verified"] = _turn(store, None, "verified", LOCAL, model_check="verified")
    local = store.turn(turns["verified"]).conversation_id
    turns["verified-after"] = _turn(store, local, "verified-after", LOCAL, model_check="cached")
    turns["cached"] = _turn(store, local, "cached", LOCAL, model_check="cached")
    turns["unhashed"] = _turn(
        store, local, "unhashed", ModelFile(LOCAL.path, LOCAL.size, ""), model_check="pending"
    )
    stale = ModelFile(LOCAL.path, LOCAL.size, WRONG)
    turns["mismatch"] = _turn(store, local, "mismatch", stale, model_check="cached")
    turns["unverifiable"] = _turn(store, local, "unverifiable", LOCAL, model_check="cached")
    turns["before"] = _turn(store, local, "before", LOCAL)  # recorded before load-time hashing
    turns["projector"] = _turn(
        store,
        local,
        "projector",
        LOCAL,
        model_check="verified",
        projector=PROJECTOR,
        projector_check="cached",
    )
    # What the loads' full hashes found once they finished, after those turns began.
    store.record_model_checks(
        [
            (turns["verified-after"], "model", "verified", TRUE, TRUE),
            (turns["mismatch"], "model", "mismatch", TRUE, WRONG),
            (turns["unverifiable"], "model", "unverifiable", TRUE, TRUE),
            (turns["projector"], "projector", "mismatch", PROJECTOR_TRUE, PROJECTOR_WRONG),
        ]
    )
    turns["remote-fp"] = _turn(
        store,
        None,
        "remote-fp",
        ModelFile.remote(ENDPOINT, "model-a"),
        remote_model="model-a",
        fingerprint="fp_abc123",
    )
    remote = store.turn(turns["remote-fp"]).conversation_id
    turns["remote-no-fp"] = _turn(
        store, remote, "remote-no-fp", ModelFile.remote(ENDPOINT, "model-b"), remote_model="model-b"
    )
    old = ModelFile(OLD_REMOTE_PATH, 0, REMOTE_MODEL_MARKER + OLD_FAKE_HASH)  # as remote turns once were
    turns["remote-old"] = _turn(store, remote, "remote-old", old, remote_model="model-a")
    yield Record(store, local, remote, turns)
    store.close()


def expected_lines(store: Store, turns: dict[str, int]) -> dict[str, str]:
    """What each turn must say about its model, sentence by sentence."""
    model = f"Model {LOCAL.path}: SHA-256 {TRUE} — "
    said = {
        "verified": model + HashCheck.VERIFIED.words(TRUE),
        "verified-after": model + HashCheck.VERIFIED_AFTER.words(TRUE, TRUE),
        "cached": model + HashCheck.CACHED.words(TRUE),
        "unhashed": f"Model {LOCAL.path}: {HashCheck.UNHASHED.words()}",
        "mismatch": model + HashCheck.MISMATCH.words(TRUE, WRONG),
        "unverifiable": model + HashCheck.UNVERIFIABLE.words(TRUE, TRUE),
        "before": model + hash_check_words(None),
        "projector": (
            f"Projector {PROJECTOR.path}: SHA-256 {PROJECTOR_TRUE} — "
            f"{HashCheck.MISMATCH.words(PROJECTOR_TRUE, PROJECTOR_WRONG)}"
        ),
        "remote-fp": REMOTE_WORDS.format("model-a") + ", server fingerprint fp_abc123",
        "remote-no-fp": REMOTE_WORDS.format("model-b") + ", no fingerprint reported by the server",
        "remote-old": REMOTE_WORDS.format("model-a")
        + ", no server fingerprint recorded (recorded before fingerprints were kept)",
    }
    # The record reads back each state as planned: the words above are the record's own.
    checks = {name: store.turn(turn_id).model_check for name, turn_id in turns.items()}
    assert checks == {
        "verified": HashCheck.VERIFIED,
        "verified-after": HashCheck.VERIFIED_AFTER,
        "cached": HashCheck.CACHED,
        "unhashed": HashCheck.UNHASHED,
        "mismatch": HashCheck.MISMATCH,
        "unverifiable": HashCheck.UNVERIFIABLE,
        "before": None,
        "projector": HashCheck.VERIFIED,
        "remote-fp": None,
        "remote-no-fp": None,
        "remote-old": None,
    }
    return said


def squashed(text: str) -> str:
    """PDF text as a search compares it: NFKC (no "fi" ligatures), no whitespace (lines wrap)
    and no hyphens (pdftotext joins a word hyphenated at a line's end)."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text))


def assert_says_it_plainly(text: str, said: dict[str, str], *, wrapped: bool = False) -> None:
    body = squashed(text) if wrapped else text
    missing = [name for name, line in said.items() if (squashed(line) if wrapped else line) not in body]
    assert not missing, f"not said: {missing}"
    assert WRONG in body and PROJECTOR_WRONG in body, "a mismatch names the cache's wrong hash too"
    assert REMOTE_MODEL_MARKER not in text and OLD_FAKE_HASH not in text, "never a made-up hash"
    # "SHA-256 " is only ever followed by a whole hash (a table's column header aside).
    assert re.findall(r"SHA-256 (?![0-9a-f]{64})", text) == []


def test_markdown_names_each_model_as_recorded(record: Record, tmp_path: Path) -> None:
    report = build_report(record.store, TEST_KEY, [record.local, record.remote], "scope", "tester")
    text = write_markdown(report, tmp_path / "report.md").read_text("utf-8")
    header = "| File | SHA-256 | Quantization | Context (n_ctx) | Size | Turns |"
    assert text.count(header) == 1
    # inline() escapes what could become markup; the words are what a viewer shows.
    shown = text.replace(header, "").replace("\\", "")
    assert_says_it_plainly(shown, expected_lines(record.store, record.turns))
    assert f"| `{TRUE}` |" in shown, "the models table: the file by its hash"
    for model_id in ("model-a", "model-b"):
        assert f"| {model_id} | {REMOTE_WORDS.format(model_id)} |" in shown
    assert "| not hashed |" in shown, "the file loaded while its hash was never known"


def test_the_pdf_names_each_model_as_recorded(qapp: object, record: Record, tmp_path: Path) -> None:
    report = build_report(record.store, TEST_KEY, [record.local, record.remote], "scope", "tester")
    path = write_pdf(report, tmp_path / "report.pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert_says_it_plainly(text, expected_lines(record.store, record.turns), wrapped=True)
    # The models table: pdftotext interleaves the lines of cells side by side.
    cover = squashed(text.split("Parameters")[0])
    assert cover.count(squashed("Remote model — no file")) == 2 and TRUE in cover
    for model_id in ("model-a", "model-b"):
        assert squashed(f"endpoint {ENDPOINT}, model id {model_id}") in cover


def test_the_report_keeps_remote_models_apart_and_never_as_hashes(record: Record) -> None:
    conversations = (record.store.conversation(record.local), record.store.conversation(record.remote))
    uses = [
        (use.path, use.remote, use.sha256, use.hash_words, use.turns) for use in models_used(conversations)
    ]
    assert uses == [
        (LOCAL.path, False, TRUE, TRUE, 7),
        (LOCAL.path, False, "", "not hashed", 1),  # the same path is not the same bytes
        (f"{ENDPOINT}/model-a", True, "", REMOTE_WORDS.format("model-a"), 2),  # old and new records
        (f"{ENDPOINT}/model-b", True, "", REMOTE_WORDS.format("model-b"), 1),
    ]


def test_show_says_it_in_words(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    said = expected_lines(record.store, record.turns)
    record.store.close()
    assert main(["show", str(record.local)]) == 0
    assert main(["show", str(record.remote)]) == 0
    assert_says_it_plainly(capsys.readouterr().out, said)


def test_show_json_has_no_hash_for_a_remote_model(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    record.store.close()
    assert main(["show", str(record.remote), "--json"]) == 0
    out = capsys.readouterr().out
    assert REMOTE_MODEL_MARKER not in out and OLD_FAKE_HASH not in out
    models = [turn["model"] for turn in json.loads(out)["turns"]]
    assert models == [
        {
            "remote": True,
            "endpoint": ENDPOINT,
            "model_id": "model-a",
            "server_fingerprint": "fp_abc123",
            "sha256": None,
        },
        {
            "remote": True,
            "endpoint": ENDPOINT,
            "model_id": "model-b",
            "server_fingerprint": None,
            "sha256": None,
        },
        {
            "remote": True,
            "endpoint": ENDPOINT,
            "model_id": "model-a",
            "server_fingerprint": None,
            "sha256": None,
        },
    ]
    assert main(["show", str(record.local), "--json"]) == 0
    by_prompt = {turn["prompt"]: turn["model"] for turn in json.loads(capsys.readouterr().out)["turns"]}
    mismatch = by_prompt["Turn mismatch: what is 2 + 2?"]
    assert (mismatch["remote"], mismatch["sha256"], mismatch["cached_sha256"], mismatch["hash_check"]) == (
        False,
        TRUE,
        WRONG,
        "mismatch",
    )


def test_search_json_lists_remote_models_apart_without_a_hash(
    record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    record.store.close()
    assert main(["search", "", "--json"]) == 0
    out = capsys.readouterr().out
    assert REMOTE_MODEL_MARKER not in out
    remote = next(c for c in json.loads(out)["conversations"] if c["id"] == record.remote)
    assert remote["models"] == [
        {"path": f"{ENDPOINT}/model-a", "size": 0, "sha256": None, "remote": True},
        {"path": f"{ENDPOINT}/model-b", "size": 0, "sha256": None, "remote": True},
    ]
    assert main(["search", "", "--json", "--model", f"{ENDPOINT}/model-b"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)["conversations"]] == [record.remote]
