"""``python -m app ask --remote URL --remote-model ID``: a real subprocess against a scripted server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.cli_runs import veritrace
from tests.fixtures.remote_servers import Reply, ScriptedServer, content_chunks

pytestmark = pytest.mark.slow


def test_ask_runs_on_a_remote_server_and_records_it(
    veritrace_home: Path, scripted_server: ScriptedServer
) -> None:
    reasoning = [{"choices": [{"index": 0, "delta": {"reasoning_content": "Add them."}}]}]
    scripted_server.replies.append(Reply(reasoning + content_chunks("Four.")))
    done = veritrace(
        "ask", "2 + 2?", "--remote", scripted_server.url, "--remote-model", "scripted-model", "--seed", "4",
        home=veritrace_home,
    )  # fmt: skip
    assert done.stdout.strip() == "Four."
    assert "Add them." in done.stderr
    assert scripted_server.requests[0]["seed"] == 4
    shown = json.loads(veritrace("show", "1", "--json", home=veritrace_home).stdout)
    [turn] = shown["turns"]
    assert turn["backend"] == "remote"
    assert turn["remote"] == {"endpoint": scripted_server.url, "model": "scripted-model"}
    # A server says its text, not the ids it read or sampled: none are recorded.
    assert turn["prompt_token_ids"] is None and turn["output_token_ids"] is None
    assert turn["answer_tokens"] is None


def test_ask_names_what_is_missing(veritrace_home: Path) -> None:
    failed = veritrace("ask", "hi", "--remote", "http://127.0.0.1:9/v1", home=veritrace_home, check=False)
    assert failed.returncode != 0 and "--remote needs --remote-model ID" in failed.stderr
