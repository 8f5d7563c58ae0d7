"""A bundle carries each time one of its turns was run again, authenticated like its notes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.reproduction import EVENT, Outcome, Reproduction
from app.core.signing import KeyPair
from app.export import verify_bundle as vb
from app.services.signing import installation_key
from app.storage.repository import Store
from tests.fixtures.bundles import build_record, files_of, make_bundle, problem, relist, run_verifier


@pytest.fixture
def key() -> KeyPair:
    return installation_key()


@pytest.fixture
def record(tmp_path: Path, key: KeyPair) -> Iterator[Store]:
    store = Store(tmp_path / "record.db")
    build_record(store, key)
    yield store
    store.close()


@pytest.fixture
def bundle_files(record: Store, key: KeyPair, tmp_path: Path) -> dict[str, bytes]:
    return files_of(make_bundle(record, key, tmp_path / "bundle").path)


def reproduce(store: Store, turn_id: int, outcome: Outcome, summary: str) -> dict[str, object]:
    """Record that turn ``turn_id`` was run again (as reproducing it records it), without a model."""
    detail = Reproduction(turn_id, outcome, summary, "2026-12-07T04:00:00Z", compared_tokens=4).to_json()
    store.log_event(EVENT, detail)
    return detail


def first_turn(files: dict[str, bytes]) -> dict[str, object]:
    turn = json.loads(files["conversations/1.json"])["turns"][0]
    assert turn["record"]["id"] == 1
    return turn


def test_a_reproduction_is_carried_under_its_turn_and_verifies(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    detail = reproduce(record, 1, Outcome.IDENTICAL, "identical")
    later = reproduce(record, 1, Outcome.DIVERGES, "diverges at output token 2")
    bundle = make_bundle(record, key, tmp_path / "bundle").path
    files = files_of(bundle)
    assert problem(files) is None
    runs = first_turn(files)["reproductions"]
    assert [run["record"]["kind"] for run in runs] == [EVENT, EVENT]
    assert [json.loads(run["record"]["detail_json"]) for run in runs] == [detail, later]
    for name in ("conversations/1.json", "conversations/2.json", "conversations/3.json"):
        turns = json.loads(files[name])["turns"]
        assert all(turn["reproductions"] == [] for turn in turns if turn["record"]["id"] != 1)
    run = run_verifier(bundle)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 reproductions of turns match their recorded events" in run.stdout


def test_a_changed_reproduction_fails_naming_it(record: Store, key: KeyPair, tmp_path: Path) -> None:
    reproduce(record, 1, Outcome.DIVERGES, "diverges at output token 2")
    files = files_of(make_bundle(record, key, tmp_path / "bundle").path)
    document = json.loads(files["conversations/1.json"])
    event = document["turns"][0]["reproductions"][0]
    detail = json.loads(event["record"]["detail_json"])
    detail["summary"] = "identical"
    event["record"]["detail_json"] = json.dumps(detail, sort_keys=True, ensure_ascii=False)
    edited = relist({**files, "conversations/1.json": vb.pretty(document)})
    found = problem(edited) or ""
    assert "conversations/1.json turn 0 reproduction 0: differs from ledger entry" in found
    assert f"entry {event['ledger_seq']}" in found


def test_a_reproduction_of_a_turn_outside_the_scope_is_not_carried(
    record: Store, key: KeyPair, tmp_path: Path
) -> None:
    outside = record.conversation(2).turns[0].id
    reproduce(record, outside, Outcome.IDENTICAL, "identical")
    files = files_of(make_bundle(record, key, tmp_path / "bundle", ids=(1,)).path)
    assert problem(files) is None
    assert all(turn["reproductions"] == [] for turn in json.loads(files["conversations/1.json"])["turns"])
    lines = [json.loads(line) for line in files[vb.LEDGER].splitlines()]
    reproduced = [line for line in lines if line["action"] == EVENT]
    assert len(reproduced) == 1 and "payload" not in reproduced[0]


def test_a_bundle_without_reproductions_listed_still_verifies(bundle_files: dict[str, bytes]) -> None:
    """Bundles written before reproductions were carried have no such list under their turns."""
    files = dict(bundle_files)
    for name in [name for name in files if name.startswith("conversations/")]:
        document = json.loads(files[name])
        for turn in document["turns"]:
            assert turn.pop("reproductions") == []
        files[name] = vb.pretty(document)
    assert problem(relist(files)) is None
