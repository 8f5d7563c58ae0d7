"""The download service against a real HTTP server on 127.0.0.1 reached through ``HF_ENDPOINT``.

The server serves the tiny test models under the catalogue's real Magistral repository names, so
huggingface_hub's own metadata call and URL building are exercised exactly as against the Hub.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.catalogue import MAGISTRAL_SMALL_1_2, RemoteFile, offering
from app.core.errors import VeritraceError
from app.services.config import AppConfig
from app.services.downloads import (
    ChecksumError,
    DiskSpaceError,
    Download,
    DownloadError,
    Outcome,
    Progress,
    Stage,
    default_folder,
    fetch_info,
    remember_download,
    space_margin,
)
from tests.fixtures.hub_server import HubFile, HubServer, serve

MODEL = MAGISTRAL_SMALL_1_2.quantization("Q4_K_M").file


def _required(file: RemoteFile | None) -> RemoteFile:
    assert file is not None
    return file


PROJECTOR = _required(MAGISTRAL_SMALL_1_2.projector)
SMALL = RemoteFile("veritrace-tests/plain", "notes.txt")
PLENTY = 10**15


@pytest.fixture
def hub(tiny_models: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    text, projector = tiny_models
    files = [
        HubFile(MODEL.repo_id, MODEL.filename, text.read_bytes()),
        HubFile(PROJECTOR.repo_id, PROJECTOR.filename, projector.read_bytes()),
        HubFile(SMALL.repo_id, SMALL.filename, b"a small file kept in git\n", lfs=False),
    ]
    with serve(files) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield server


@pytest.fixture
def model_bytes(tiny_models: tuple[Path, Path]) -> bytes:
    return tiny_models[0].read_bytes()


def job(folder: Path, file: RemoteFile = MODEL, **options: object) -> Download:
    options.setdefault("free_space", lambda _folder: PLENTY)
    return Download(file, folder, **options)  # type: ignore[arg-type]


def range_start(header: str | None) -> int | None:
    if header is None:
        return None
    assert header.startswith("bytes=") and header.endswith("-"), header
    return int(header[len("bytes=") : -1])


@pytest.mark.slow
def test_metadata_comes_from_the_hub_api_through_hf_endpoint(hub: HubServer, model_bytes: bytes) -> None:
    info = fetch_info(MODEL)
    assert info.size == len(model_bytes)
    assert info.sha256 == hashlib.sha256(model_bytes).hexdigest()
    posts = hub.requests("POST")
    assert [entry.path for entry in posts] == [f"/api/models/{MODEL.repo_id}/paths-info/main"]
    assert hub.body_requests() == []  # no byte of the file was fetched for the metadata


@pytest.mark.slow
def test_full_download_verifies_and_lands(hub: HubServer, tmp_path: Path, model_bytes: bytes) -> None:
    seen: list[Progress] = []
    result = job(tmp_path / "models").run(seen.append)

    assert result.outcome is Outcome.COMPLETED
    assert result.path == tmp_path / "models" / MODEL.filename
    assert result.path.read_bytes() == model_bytes
    assert result.sha256 == hashlib.sha256(model_bytes).hexdigest()
    assert (result.fetched, result.resumed_from) == (len(model_bytes), 0)
    assert sorted(p.name for p in result.path.parent.iterdir()) == [MODEL.filename]  # no .part left
    resolve = hub.requests("GET", f"/{MODEL.repo_id}/resolve/main/")
    assert len(resolve) == 1 and resolve[0].range is None
    assert [entry.range for entry in hub.body_requests()] == [None]
    assert seen[-1].done == seen[-1].total == len(model_bytes)
    assert [p.done for p in seen] == sorted(p.done for p in seen)


@pytest.mark.slow
def test_a_dropped_connection_resumes_from_the_partial_file(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    cut = 3 * 1024 * 1024 + 123
    hub.switches.drop_after, hub.switches.drops_left = cut, 1

    result = job(tmp_path / "dl").run()

    assert result.outcome is Outcome.COMPLETED
    assert result.path.read_bytes() == model_bytes
    starts = [range_start(entry.range) for entry in hub.body_requests()]
    assert starts == [None, cut]  # the second request asked only for the missing bytes


@pytest.mark.slow
def test_an_interrupted_download_is_continued_by_the_next_run(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    cut = 2 * 1024 * 1024 + 7
    hub.switches.drop_after, hub.switches.drops_left = cut, 1
    first = job(tmp_path / "dl", retries=0)
    with pytest.raises(DownloadError, match=r"kept in .*continues from there next time") as raised:
        first.run()
    assert "Cannot reach" not in str(raised.value)
    assert first.partial.stat().st_size == cut
    assert json.loads(first.sidecar.read_text())["sha256"] == hashlib.sha256(model_bytes).hexdigest()

    second = job(tmp_path / "dl").run()  # a new job, as after restarting the app

    assert second.outcome is Outcome.COMPLETED
    assert (second.resumed_from, second.fetched) == (cut, len(model_bytes) - cut)
    assert second.path.read_bytes() == model_bytes
    assert range_start(hub.body_requests()[-1].range) == cut
    assert not first.partial.exists() and not first.sidecar.exists()


def test_a_corrupted_file_is_caught_by_its_checksum_and_deleted(hub: HubServer, tmp_path: Path) -> None:
    hub.switches.corrupt = True
    download = job(tmp_path / "dl")
    with pytest.raises(ChecksumError, match=r"arrived damaged.*SHA-256.*deleted"):
        download.run()
    assert list((tmp_path / "dl").iterdir()) == []


@pytest.mark.slow
def test_pause_keeps_the_partial_and_resume_continues_it(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    hub.switches.delay = 0.002
    download = job(tmp_path / "dl")

    def pause_after_a_megabyte(progress: Progress) -> None:
        if progress.stage is Stage.DOWNLOADING and progress.done >= 1024 * 1024:
            download.pause()

    paused = download.run(pause_after_a_megabyte)

    assert paused.outcome is Outcome.PAUSED
    kept = download.partial.stat().st_size
    assert 1024 * 1024 <= kept < len(model_bytes)
    assert paused.path == download.partial and not download.destination.exists()

    hub.switches.delay = 0.0
    stages: list[Stage] = []
    resumed = download.run(lambda progress: stages.append(progress.stage))

    assert resumed.outcome is Outcome.COMPLETED
    assert (resumed.resumed_from, resumed.fetched) == (kept, len(model_bytes) - kept)
    assert resumed.path.read_bytes() == model_bytes
    assert [range_start(entry.range) for entry in hub.body_requests()] == [None, kept]
    assert stages[0] is Stage.CHECKING  # the kept bytes were hashed, not fetched again


def test_cancel_removes_the_partial_file(hub: HubServer, tmp_path: Path) -> None:
    hub.switches.delay = 0.002
    download = job(tmp_path / "dl")

    def cancel_after_a_megabyte(progress: Progress) -> None:
        if progress.done >= 1024 * 1024:
            download.cancel()

    result = download.run(cancel_after_a_megabyte)

    assert result.outcome is Outcome.CANCELLED
    assert list((tmp_path / "dl").iterdir()) == []


def test_cancelling_a_paused_download_discards_it(hub: HubServer, tmp_path: Path) -> None:
    hub.switches.delay = 0.002
    download = job(tmp_path / "dl")
    download.run(lambda progress: download.pause() if progress.done >= 512 * 1024 else None)
    assert download.partial.exists()
    download.discard()
    assert list((tmp_path / "dl").iterdir()) == []


@pytest.mark.slow
def test_too_little_disk_space_is_refused_before_any_byte(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    size = len(model_bytes)
    asked: list[Path] = []

    def free_space(folder: Path) -> int:
        asked.append(folder)
        return size + space_margin(size) - 1

    with pytest.raises(DiskSpaceError, match=r"Not enough free space .* Nothing was downloaded\.") as raised:
        job(tmp_path / "models", free_space=free_space).run()
    assert "8.8 MB more" in str(raised.value)
    assert asked == [tmp_path / "models"]
    assert hub.body_requests() == [] and hub.requests("GET") == []
    assert list((tmp_path / "models").iterdir()) == []

    # Exactly enough is enough.
    result = job(tmp_path / "models", free_space=lambda _f: size + space_margin(size)).run()
    assert result.outcome is Outcome.COMPLETED


@pytest.mark.slow
def test_a_resumed_download_only_needs_space_for_the_rest(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    cut = 4 * 1024 * 1024
    hub.switches.drop_after, hub.switches.drops_left = cut, 1
    with pytest.raises(DownloadError):
        job(tmp_path / "dl", retries=0).run()
    size = len(model_bytes)
    result = job(tmp_path / "dl", free_space=lambda _f: size - cut + space_margin(size)).run()
    assert result.outcome is Outcome.COMPLETED and result.resumed_from == cut


def test_server_down_gives_one_clear_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(DownloadError) as raised:
        job(tmp_path / "dl").run()
    assert str(raised.value) == (
        f"Cannot reach 127.0.0.1:{port}: the connection was refused (is the server up?)."
    )
    assert not (tmp_path / "dl").exists()


def test_an_unresolvable_host_says_the_computer_looks_offline(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"^Cannot reach hub\.invalid: the name does not resolve"):
        job(tmp_path / "dl", endpoint="http://hub.invalid").run()


def test_missing_file_and_missing_repository_are_named(hub: HubServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"^Magistral-Small-2509-Q9_K\.gguf is not in mistralai/"):
        job(tmp_path / "dl", RemoteFile(MODEL.repo_id, "Magistral-Small-2509-Q9_K.gguf")).run()
    with pytest.raises(DownloadError, match=r"^The repository nobody/nothing was not found on http://127"):
        job(tmp_path / "dl", RemoteFile("nobody/nothing", "x.gguf")).run()


def test_an_existing_identical_file_is_kept_without_downloading(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / MODEL.filename).write_bytes(model_bytes)
    result = job(tmp_path / "dl").run()
    assert result.outcome is Outcome.COMPLETED and result.fetched == 0
    assert hub.body_requests() == []


def test_an_existing_different_file_is_never_overwritten(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    mine = tmp_path / "dl" / MODEL.filename
    mine.parent.mkdir()
    different = bytearray(model_bytes)
    different[100] ^= 1
    mine.write_bytes(bytes(different))
    with pytest.raises(DownloadError, match="already exists and is a different file"):
        job(tmp_path / "dl").run()
    assert mine.read_bytes() == bytes(different)
    assert hub.body_requests() == []


def test_a_partial_file_of_another_version_is_not_continued(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    download = job(tmp_path / "dl")
    download.folder.mkdir()
    download.partial.write_bytes(b"x" * 1000)
    download.sidecar.write_text(json.dumps({"sha256": "0" * 64}))
    result = download.run()
    assert result.outcome is Outcome.COMPLETED and result.resumed_from == 0
    assert result.path.read_bytes() == model_bytes
    assert [entry.range for entry in hub.body_requests()] == [None]


def test_a_server_that_ignores_range_restarts_cleanly(
    hub: HubServer, tmp_path: Path, model_bytes: bytes
) -> None:
    hub.switches.drop_after, hub.switches.drops_left = 1024 * 1024, 1
    hub.switches.ignore_range = True
    result = job(tmp_path / "dl").run()
    assert result.path.read_bytes() == model_bytes
    assert [range_start(entry.range) for entry in hub.body_requests()] == [None, 1024 * 1024]


@pytest.mark.slow
def test_progress_reports_speed_and_time_left(hub: HubServer, tmp_path: Path) -> None:
    hub.switches.delay = 0.004
    seen: list[Progress] = []
    job(tmp_path / "dl").run(seen.append)
    measured = [p for p in seen if p.speed > 0]
    assert measured, "no speed was ever reported"
    assert all(p.eta is not None and p.eta >= 0 for p in measured)
    assert all(p.filename == MODEL.filename and p.total == seen[0].total for p in seen)


@pytest.mark.slow
def test_a_small_git_file_is_checked_by_its_git_object_id(hub: HubServer, tmp_path: Path) -> None:
    result = job(tmp_path / "dl", SMALL).run()
    assert result.path.read_bytes() == b"a small file kept in git\n"
    hub.switches.corrupt = True
    result.path.unlink()
    with pytest.raises(ChecksumError, match="git object id"):
        job(tmp_path / "dl", SMALL).run()


@pytest.mark.slow
def test_projector_downloads_beside_the_model_and_both_are_remembered(hub: HubServer, tmp_path: Path) -> None:
    model = job(tmp_path / "dl").run()
    projector = job(tmp_path / "dl", PROJECTOR).run()
    config = remember_download(AppConfig(), model.path, projector.path)
    assert config.models == [str(model.path)]  # in the library; which model is used stays the user's choice
    assert config.model_path is None
    assert config.projectors == {str(model.path): str(projector.path)}


def test_catalogue_offers_magistral_by_name() -> None:
    offered = offering("Magistral")
    assert offered is MAGISTRAL_SMALL_1_2
    assert [q.name for q in offered.quantizations] == ["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"]
    assert offered.quantization("q8_0").file.filename == "Magistral-Small-2509-Q8_0.gguf"
    with pytest.raises(VeritraceError, match="no quantization 'Q2_K'"):
        offered.quantization("Q2_K")
    with pytest.raises(VeritraceError, match="No model called 'llama'"):
        offering("llama")


def test_default_folder_is_inside_the_data_folder(veritrace_home: Path) -> None:
    assert default_folder() == veritrace_home / "models"
