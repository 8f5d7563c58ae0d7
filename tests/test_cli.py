"""The command line, run as a user runs it: a real process, the real demo model, a real record."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.cli_runs import veritrace
from tests.fixtures.ledger import fill, tamper
from tests.fixtures.signers import passphrase_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.e2e
def test_ask_then_show_records_everything(veritrace_home: Path, demo_gguf: Path) -> None:
    asked = veritrace(
        "ask", "What is the capital of France?", "--seed", "42", "--max-tokens", "200", home=veritrace_home
    )
    answer = asked.stdout.strip()
    assert answer and "[THINK]" not in asked.stdout and "[/THINK]" not in asked.stdout
    assert "[turn 1 in conversation 1: completed" in asked.stderr

    shown = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)
    assert set(shown) >= {"id", "title", "created_at", "turns"}
    turn = shown["turns"][0]
    assert set(turn) >= {
        "id",
        "prompt",
        "reasoning",
        "answer",
        "raw_output",
        "status",
        "finish_reason",
        "system_prompt",
        "rendered_prompt",
        "params",
        "model",
        "usage",
        "started_at",
        "finished_at",
        "images",
    }
    assert turn["prompt"] == "What is the capital of France?"
    assert turn["answer"].strip() == answer
    assert turn["reasoning"].strip() and turn["reasoning"].strip() in asked.stderr
    assert turn["raw_output"].startswith("[THINK]")
    assert turn["status"] == "completed" and turn["finish_reason"] == "stop"
    assert turn["params"]["seed"] == 42 and turn["params"]["max_tokens"] == 200
    assert turn["model"]["path"] == str(demo_gguf.resolve())
    assert turn["model"]["size"] == demo_gguf.stat().st_size and len(turn["model"]["sha256"]) == 64
    assert turn["usage"]["prompt_tokens"] > 0 and turn["usage"]["completion_tokens"] > 0
    assert "<|im_start|>user\nWhat is the capital of France?" in turn["rendered_prompt"]
    assert turn["images"] == [] and turn["require_reasoning"] is True

    again = veritrace(
        "ask",
        "And of Italy?",
        "--conversation",
        "1",
        "--seed",
        "42",
        "--max-tokens",
        "200",
        home=veritrace_home,
    )
    shown = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)
    follow = shown["turns"][1]
    # Said as it was recorded: 200 tokens may end the answer before the model does.
    ended = {"stop": "completed", "length": "stopped at the token limit"}[follow["finish_reason"]]
    assert follow["status"] == "completed" and follow["state"]["words"] == ended
    assert f"[turn 2 in conversation 1: {ended}, " in again.stderr
    assert [m["role"] for m in follow["messages"]] == ["system", "user", "assistant", "user"]
    assert turn["reasoning"].strip() not in follow["rendered_prompt"], "earlier reasoning is not sent again"

    listed = json.loads(veritrace("list", "--json", home=veritrace_home).stdout)
    assert listed == [
        {
            "id": 1,
            "title": "What is the capital of France?",
            "created_at": shown["created_at"],
            "turn_count": 2,
            "last_status": "completed",
            "last_state": follow["state"],
        }
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ask", "hi", "--model", "/nonexistent/model.gguf"],
            "Model file not found: /nonexistent/model.gguf",
        ),
        (["show", "99"], "No conversation with id 99."),
        (["ask", "hi", "--conversation", "99"], "No conversation with id 99."),
    ],
)
def test_errors_are_one_clear_line(veritrace_home: Path, args: list[str], message: str) -> None:
    result = veritrace(*args, home=veritrace_home, check=False)
    assert result.returncode != 0
    assert result.stderr.strip() == f"veritrace: {message}"
    assert result.stdout == ""


@pytest.mark.slow
def test_not_a_gguf_is_refused(veritrace_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("these are my notes, not a model" * 10)
    result = veritrace("ask", "hi", "--model", str(fake), home=veritrace_home, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "notes.gguf is not a GGUF model file" in result.stderr


@pytest.mark.slow
@pytest.mark.e2e
def test_killed_mid_generation_keeps_prompt_and_partial_trace(veritrace_home: Path, demo_gguf: Path) -> None:
    env = {**os.environ, "VERITRACE_HOME": str(veritrace_home)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "ask",
            "Explain contract law in detail.",
            "--max-tokens",
            "2000",
            "--seed",
            "3",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    database = veritrace_home / "veritrace.db"
    deadline = time.monotonic() + 120
    saved = ""
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
                try:
                    # A slow prefill (a busy machine) can make the first save a lone "[": wait for
                    # the opening tag to be saved whole.
                    rows = connection.execute("SELECT raw FROM turn_chunks ORDER BY id").fetchall()
                    saved = "".join(row[0] for row in rows)
                except sqlite3.OperationalError:
                    saved = ""
        if len(saved) > len("[THINK]"):
            break
        time.sleep(0.05)
    assert saved, "a partial trace is saved while streaming"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]

    turn = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)["turns"][0]
    assert veritrace("verify", home=veritrace_home).stdout.startswith("Record intact"), (
        "the chain survived the kill"
    )
    assert turn["status"] == "interrupted"
    assert turn["prompt"] == "Explain contract law in detail."
    assert turn["raw_output"].startswith("[THINK]") and turn["reasoning"]


@pytest.mark.slow
@pytest.mark.e2e
def test_ask_with_images_through_a_vision_projector(
    veritrace_home: Path, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    from PIL import Image

    from app.core.images import check_image, model_copy

    text_model, projector = tiny_models
    picture = tmp_path / "scan.png"
    Image.new("RGB", (48, 32), (20, 120, 220)).save(picture)
    asked = veritrace(
        "ask",
        "Describe the scan.",
        "--model",
        str(text_model),
        "--mmproj",
        str(projector),
        "--image",
        str(picture),
        "--seed",
        "1",
        "--max-tokens",
        "8",
        home=veritrace_home,
    )
    assert "no vision projector" not in asked.stderr
    turn = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)["turns"][0]
    expected = model_copy(check_image(picture.read_bytes(), "scan.png"))
    assert turn["images"] == [
        {
            "filename": "scan.png",
            "sha256": check_image(picture.read_bytes(), "scan.png").sha256,
            "media_type": "image/png",
            "width": 48,
            "height": 32,
            "bytes": picture.stat().st_size,
            "sent_to_model": True,
            "sent_sha256": expected.sha256,
            "sent_width": 48,
            "sent_height": 32,
        }
    ]
    assert "<__media__>Describe the scan." in turn["rendered_prompt"]
    assert turn["projector"]["path"] == str(projector.resolve())


@pytest.mark.e2e
def test_ask_with_an_image_but_no_projector_says_so(
    veritrace_home: Path, demo_gguf: Path, tmp_path: Path
) -> None:
    from PIL import Image

    picture = tmp_path / "photo.jpg"
    Image.new("RGB", (10, 10), (1, 2, 3)).save(picture)
    asked = veritrace("ask", "What is it?", "--image", str(picture), "--max-tokens", "8", home=veritrace_home)
    assert (
        "has no vision projector (--mmproj): the images are recorded but the model will not see them"
        in asked.stderr
    )
    turn = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)["turns"][0]
    assert turn["images"][0]["sent_to_model"] is False and turn["images"][0]["sent_sha256"] is None


@pytest.mark.slow
def test_a_bad_image_is_refused_before_anything_runs(veritrace_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "evidence.png"
    fake.write_text("not really a picture")
    result = veritrace("ask", "look", "--image", str(fake), home=veritrace_home, check=False)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "veritrace: evidence.png is not an image Veritrace can read (unknown or damaged format)."
    )


@pytest.mark.slow
def test_verify_reports_an_intact_record_and_locates_tampering(veritrace_home: Path) -> None:
    from app.storage.repository import Store

    store = Store(veritrace_home / "veritrace.db")
    fill(store, turns=2)
    store.close()
    intact = veritrace("verify", home=veritrace_home)
    assert intact.stdout.startswith("Record intact: ") and intact.stderr == ""
    tamper(veritrace_home / "veritrace.db", "UPDATE turn_chunks SET answer = 'No.' WHERE id = 2")
    broken = veritrace("verify", home=veritrace_home, check=False)
    assert broken.returncode == 1
    assert broken.stderr.strip().startswith("Record broken at entry ")
    assert "turn_chunk 2 differs from what it recorded" in broken.stderr


@pytest.mark.slow
def test_annotate_and_signoff_from_the_command_line(veritrace_home: Path, tmp_path: Path) -> None:
    from app.storage.repository import Store

    store = Store(veritrace_home / "veritrace.db")
    fill(store, turns=2)
    store.close()
    noted = veritrace(
        "annotate",
        "1",
        "--flag",
        "concern",
        "--comment",
        "Check clause 9.",
        "--name",
        "Dr. R",
        home=veritrace_home,
    )
    assert noted.stdout.startswith("Annotation 1 on turn 1: concern by Dr. R at ")
    secret = passphrase_file(tmp_path)
    veritrace(
        "identity",
        "create",
        "--name",
        "Dr. R",
        "--role",
        "Counsel",
        "--passphrase-file",
        str(secret),
        home=veritrace_home,
    )
    (identity,) = json.loads(veritrace("identity", "list", "--json", home=veritrace_home).stdout)
    signed = veritrace(
        "signoff",
        "1",
        "--identity",
        identity["fingerprint"][:9],
        "--meaning",
        "approved",
        "--reason",
        "Sound.",
        "--passphrase-file",
        str(secret),
        "--yes",
        home=veritrace_home,
    )
    assert "Conversation 1 approved by Dr. R (Counsel" in signed.stdout and "now locked" in signed.stdout
    assert "Content SHA-256 (what the signature covers): " in signed.stdout
    shown = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)
    assert shown["locked"] is True and shown["signoffs"][0]["meaning"] == "approved"
    assert shown["signoffs"][0]["reason"] == "Sound." and len(shown["signoffs"][0]["ledger_head"]) == 64
    assert shown["signoffs"][0]["fingerprint"] == identity["fingerprint"]
    assert shown["signoffs"][0]["role"] == "Counsel" and len(shown["signoffs"][0]["signature"]) == 128
    assert shown["turns"][0]["annotations"][0] == {
        **shown["turns"][0]["annotations"][0],
        "flag": "concern",
        "comment": "Check clause 9.",
        "author": "Dr. R",
    }
    refused = veritrace(
        "annotate", "2", "--flag", "ok", "--comment", "late", home=veritrace_home, check=False
    )
    assert refused.returncode == 2 and "was signed off (approved by Dr. R" in refused.stderr
    bad = veritrace(
        "signoff",
        "1",
        "--identity",
        "ab",
        "--meaning",
        "maybe",
        "--reason",
        "y",
        home=veritrace_home,
        check=False,
    )
    assert bad.returncode == 2 and "invalid choice: 'maybe'" in bad.stderr
    made = veritrace("checkpoint", home=veritrace_home)
    assert made.stdout.startswith("Checkpoint 5: ") and " by key " in made.stdout, (
        "enrolling the key made checkpoint 1, the note checkpoint 2, the identity checkpoint 3, "
        "the sign-off checkpoint 4"
    )
    verified = veritrace("verify", home=veritrace_home).stdout
    assert verified.startswith("Record intact") and "5 signed checkpoint(s) valid" in verified
    assert "Witness outside the file: the record contains its signed head at entry" in verified


@pytest.mark.slow
def test_export_pdf_markdown_and_refusals(veritrace_home: Path, tmp_path: Path) -> None:
    from app.storage.repository import Store

    store = Store(veritrace_home / "veritrace.db")
    fill(store, turns=2)
    store.close()
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "DISPLAY")}
    pdf = subprocess.run(  # no display and no Qt platform chosen: the exporter must cope alone
        [sys.executable, "-m", "app", "export", "1", "-o", str(tmp_path / "r.pdf")],
        cwd=ROOT,
        env={**env, "VERITRACE_HOME": str(veritrace_home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pdf.returncode == 0, pdf.stderr
    assert pdf.stdout.startswith("Report VT-") and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")

    made = json.loads(
        veritrace(
            "export", "1", "--format", "md", "-o", str(tmp_path / "r.md"), "--json", home=veritrace_home
        ).stdout
    )
    assert made["format"] == "md" and made["path"] == str(tmp_path / "r.md")
    assert len(made["sha256"]) == 64 and (tmp_path / "r.images").is_dir()

    again = veritrace("export", "1", "-o", str(tmp_path / "r.pdf"), home=veritrace_home, check=False)
    assert again.returncode == 2 and "already exists" in again.stderr
    unknown = veritrace("export", "1", "-o", str(tmp_path / "r.txt"), home=veritrace_home, check=False)
    assert unknown.returncode == 2 and "--format" in unknown.stderr
    assert veritrace("verify", home=veritrace_home).stdout.startswith("Record intact")
