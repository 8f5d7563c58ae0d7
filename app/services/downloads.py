"""Download a model file from the Hugging Face Hub: resumable, pausable, cancellable, checked by SHA-256.

huggingface_hub does what it is good at — the metadata API (size and the LFS SHA-256) and the file's
URL, both honouring ``HF_ENDPOINT`` — and httpx moves the bytes. ``hf_hub_download`` resumes, but it
cannot be paused or cancelled while a transfer runs, reports progress only through a tqdm class,
and keeps its partial files in a cache layout of its own; a 14 GB download needs all three.

The partial file is ``NAME.part`` beside the destination with ``NAME.part.json`` naming the exact
file version (repository, size, SHA-256) it belongs to, so a resume never splices two versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from app import __version__
from app.core.catalogue import RemoteFile
from app.core.errors import VeritraceError
from app.core.files import make_folder
from app.core.images import human_size
from app.services.config import AppConfig, with_projector
from app.services.models import add_model
from app.services.paths import data_dir

if TYPE_CHECKING:  # imported when a download starts: httpx is slow to import
    import httpx

PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".part.json"
MB = 1_000_000
CHUNK = 1 << 20
REPORT_INTERVAL = 0.1  # seconds between progress reports; a GUI needs no more
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


class DownloadError(VeritraceError):
    """A download could not be done; the message says what happened to the partial file."""


class ChecksumError(DownloadError):
    """The bytes that arrived are not the file the Hub describes."""


class DiskSpaceError(DownloadError):
    """The destination has too little free space; nothing was fetched."""


class Stage(StrEnum):
    CHECKING = "checking"  # hashing the partial file before continuing it
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"  # hashing an existing file at the destination


class Outcome(StrEnum):
    COMPLETED = "completed"
    PAUSED = "paused"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RemoteInfo:
    """What the Hub says about one file: its size and digest."""

    file: RemoteFile
    size: int
    sha256: str | None  # the LFS object id; None for a small file kept in git itself
    blob_id: str  # the git object id, which checks a non-LFS file


@dataclass(frozen=True)
class Progress:
    filename: str
    done: int
    total: int
    speed: float  # bytes per second, smoothed; 0.0 until measured
    eta: float | None  # seconds left at that speed
    stage: Stage


@dataclass(frozen=True)
class DownloadResult:
    outcome: Outcome
    path: Path  # the finished file; when paused, the partial file
    size: int
    sha256: str | None  # the verified digest once completed
    fetched: int  # bytes transferred by this run
    resumed_from: int  # bytes already on disk when this run started


ProgressCallback = Callable[[Progress], None]
FreeSpace = Callable[[Path], int]


def free_bytes(folder: Path) -> int:
    """Free bytes on the volume that holds ``folder`` (or its nearest existing parent)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def default_folder() -> Path:
    """Where downloaded models go unless the user picks another folder."""
    return data_dir() / "models"


def hub_endpoint(endpoint: str | None = None) -> str:
    """The Hub's address: explicit, else ``HF_ENDPOINT`` as set now, else huggingface_hub's default.

    huggingface_hub reads ``HF_ENDPOINT`` once at import; reading it per call lets a test (or a user
    with a mirror) point the app at another server without restarting.
    """
    if endpoint:
        return endpoint.rstrip("/")
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def space_margin(size: int) -> int:
    """Free space to leave on top of the file: filling a disk to the last byte breaks other programs."""
    return max(256 * MB, size // 100)


def describe_network_error(error: BaseException, url: str) -> str:
    """One sentence for a transport failure, naming the host."""
    host = urlsplit(url).netloc or url
    text = str(error)
    lowered = text.lower()
    name = type(error).__name__
    if any(
        marker in lowered
        for marker in ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution")
    ):
        return f"Cannot reach {host}: the name does not resolve, so this computer looks offline."
    if "refused" in lowered:
        return f"Cannot reach {host}: the connection was refused (is the server up?)."
    if "Timeout" in name or "timed out" in lowered:
        return f"{host} did not answer in time; check the connection and try again."
    return f"The connection to {host} failed ({text or name})."


def fetch_info(file: RemoteFile, *, endpoint: str | None = None, token: str | None = None) -> RemoteInfo:
    """Ask the Hub for the file's size and SHA-256 (``paths-info``); nothing of the file is fetched."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    base = hub_endpoint(endpoint)
    try:
        entries = HfApi(endpoint=base, token=token).get_paths_info(
            file.repo_id, [file.filename], revision=file.revision, token=token or False
        )
    except OfflineModeIsEnabled:
        raise DownloadError(
            "HF_HUB_OFFLINE is set, so the Hugging Face Hub is not contacted; unset it to download."
        ) from None
    except RevisionNotFoundError:
        raise DownloadError(f"{file.repo_id} has no revision {file.revision!r} on the Hub.") from None
    except RepositoryNotFoundError:
        raise DownloadError(
            f"The repository {file.repo_id} was not found on {base} (or it needs an access token)."
        ) from None
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else "?"
        raise DownloadError(
            f"The Hub at {base} refused the file list for {file.repo_id} (HTTP {status})."
        ) from None
    except Exception as error:
        if _is_transport_error(error):
            raise DownloadError(describe_network_error(error, base)) from None
        raise
    for entry in entries:
        if getattr(entry, "path", None) == file.filename and hasattr(entry, "size"):
            lfs = getattr(entry, "lfs", None)
            return RemoteInfo(
                file=file,
                size=int(entry.size),
                sha256=str(lfs.sha256).lower() if lfs is not None else None,
                blob_id=str(getattr(entry, "blob_id", "")),
            )
    raise DownloadError(f"{file.filename} is not in {file.repo_id} on the Hub (revision {file.revision}).")


def _is_transport_error(error: BaseException) -> bool:
    """huggingface_hub's HTTP client differs between versions (requests, httpx, httpx2): go by name."""
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"TransportError", "ConnectionError", "Timeout", "TimeoutException", "NetworkError"})


def file_url(file: RemoteFile, endpoint: str | None = None) -> str:
    from huggingface_hub import hf_hub_url

    return hf_hub_url(file.repo_id, file.filename, revision=file.revision, endpoint=hub_endpoint(endpoint))


def human_duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def describe_progress(progress: Progress) -> str:
    """``name: 3.2 GB of 14.3 GB · 45.1 MB/s · 4 min 12 s left``."""
    amount = f"{human_size(progress.done)} of {human_size(progress.total)}"
    if progress.stage is Stage.CHECKING:
        return f"{progress.filename}: checking the part already downloaded, {amount}"
    if progress.stage is Stage.VERIFYING:
        return f"{progress.filename}: already here; checking it, {amount}"
    parts = [f"{progress.filename}: {amount}"]
    if progress.speed > 0:
        parts.append(f"{human_size(int(progress.speed))}/s")
    if progress.eta is not None:
        parts.append(f"{human_duration(progress.eta)} left")
    return " · ".join(parts)


class _Stop(Exception):
    """Raised inside the transfer loop when pause or cancel was requested."""


class _Retry(Exception):
    """A transfer failure worth another attempt from the current offset."""


class _Meter:
    """Smoothed speed and time left, reported at most every ``REPORT_INTERVAL`` seconds."""

    def __init__(self, filename: str, total: int, callback: ProgressCallback | None) -> None:
        self._filename, self._total, self._callback = filename, total, callback
        self._speed = 0.0
        self._last_time = time.monotonic()
        self._last_done: int | None = None
        self._last_report = 0.0

    def restart(self, done: int) -> None:
        """Forget the last sample: time spent reconnecting is not transfer time."""
        self._last_time, self._last_done = time.monotonic(), done

    def report(self, done: int, stage: Stage, *, force: bool = False) -> None:
        now = time.monotonic()
        if stage is Stage.DOWNLOADING:
            if self._last_done is None:
                self._last_time, self._last_done = now, done
            elif now - self._last_time >= 0.25:
                sample = (done - self._last_done) / (now - self._last_time)
                self._speed = sample if self._speed == 0.0 else 0.7 * self._speed + 0.3 * sample
                self._last_time, self._last_done = now, done
        if self._callback is None or (not force and now - self._last_report < REPORT_INTERVAL):
            return
        self._last_report = now
        speed = self._speed if stage is Stage.DOWNLOADING else 0.0
        eta = (self._total - done) / speed if speed > 0 else None
        self._callback(Progress(self._filename, done, self._total, speed, eta, stage))


class _Sink:
    """The partial file being written and the running digest of everything in it."""

    def __init__(self, handle: BinaryIO, info: RemoteInfo) -> None:
        self.handle, self.info = handle, info
        self.size = info.size
        self.hasher = _hasher(info)
        self.done = 0

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)
        self.hasher.update(chunk)
        self.done += len(chunk)

    def restart(self) -> None:
        self.handle.seek(0)
        self.handle.truncate()
        self.hasher = _hasher(self.info)
        self.done = 0


class Download:
    """One file from the Hub into ``folder``; ``run`` may be called again after a pause to resume.

    ``pause`` and ``cancel`` may be called from any thread, even before ``run`` starts; the transfer
    stops within one received chunk, or at the read timeout if the server sends nothing.
    """

    def __init__(
        self,
        file: RemoteFile,
        folder: Path,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        free_space: FreeSpace = free_bytes,
        retries: int = 3,
        timeout: float = 30.0,
    ) -> None:
        self.file = file
        self.folder = Path(folder).expanduser()
        self.endpoint = hub_endpoint(endpoint)
        self._token = token
        self._free_space = free_space
        self._retries = retries
        self._timeout = timeout
        self._request: Outcome | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.info: RemoteInfo | None = None

    @property
    def destination(self) -> Path:
        return self.folder / Path(self.file.filename).name

    @property
    def partial(self) -> Path:
        return self.destination.with_name(self.destination.name + PART_SUFFIX)

    @property
    def sidecar(self) -> Path:
        return self.destination.with_name(self.destination.name + SIDECAR_SUFFIX)

    def pause(self) -> None:
        """Stop soon and keep the partial file, so that ``run`` continues from it."""
        with self._lock:
            if self._request is None:
                self._request = Outcome.PAUSED
        self._wake.set()

    def cancel(self) -> None:
        """Stop soon and delete the partial file."""
        with self._lock:
            self._request = Outcome.CANCELLED
        self._wake.set()

    def resolve(self) -> RemoteInfo:
        """The file's size and digest from the Hub (asked once per job)."""
        if self.info is None:
            self.info = fetch_info(self.file, endpoint=self.endpoint, token=self._token or _saved_token())
        return self.info

    def run(self, progress: ProgressCallback | None = None) -> DownloadResult:
        """Download (or continue downloading) the file; raises ``DownloadError`` with a clear message."""
        info = self.resolve()
        meter = _Meter(self.destination.name, info.size, progress)
        if self.destination.exists():
            return self._existing(info, meter)
        make_folder(self.folder)  # /proc's refusal is said as the system's
        resumed_from = self._usable_partial(info)
        self._check_space(info, resumed_from)
        self._write_sidecar(info)
        try:
            with open(self.partial, "r+b" if resumed_from else "wb") as handle:
                sink = _Sink(handle, info)
                if resumed_from:
                    handle.seek(resumed_from)
                    _hash_file(self.partial, sink.hasher, resumed_from, meter, Stage.CHECKING, self._stopped)
                    sink.done = resumed_from
                meter.report(sink.done, Stage.DOWNLOADING, force=True)
                self._transfer(sink, meter)
                handle.flush()
                os.fsync(handle.fileno())
        except _Stop:
            return self._stopped_result(info, resumed_from)
        except ChecksumError:
            self._discard()
            raise
        except DownloadError:
            self._discard_if_empty()
            raise
        except OSError as error:
            self._discard_if_empty()
            raise DownloadError(
                f"Could not write {self.partial}: {error.strerror or error}. What was downloaded is kept; "
                "the download continues from there next time."
            ) from None
        meter.report(sink.done, Stage.DOWNLOADING, force=True)
        digest = sink.hasher.hexdigest()
        expected = info.sha256 or info.blob_id
        if digest != expected:
            self._discard()
            kind = "SHA-256" if info.sha256 else "git object id"
            raise ChecksumError(
                f"{self.destination.name} arrived damaged: its {kind} is {digest}, but the Hub says "
                f"{expected}. The damaged file was deleted; download it again."
            )
        if self.destination.exists():  # appeared while downloading: never replace someone's file
            self._discard()
            raise DownloadError(
                f"{self.destination} appeared while downloading; it was left alone and the download deleted."
            )
        os.replace(self.partial, self.destination)
        self.sidecar.unlink(missing_ok=True)
        return DownloadResult(
            Outcome.COMPLETED,
            self.destination,
            info.size,
            info.sha256,
            fetched=sink.done - resumed_from,
            resumed_from=resumed_from,
        )

    # -- steps ---------------------------------------------------------------------

    def _existing(self, info: RemoteInfo, meter: _Meter) -> DownloadResult:
        """A file of that name is already there: keep it if it is this file, refuse otherwise."""
        size = self.destination.stat().st_size
        if size == info.size:
            hasher = _hasher(info)
            try:
                _hash_file(self.destination, hasher, size, meter, Stage.VERIFYING, self._stopped)
            except _Stop:
                with self._lock:
                    request, self._request = self._request, None
                    self._wake.clear()
                return DownloadResult(request or Outcome.CANCELLED, self.destination, size, None, 0, 0)
            if hasher.hexdigest() == (info.sha256 or info.blob_id):
                return DownloadResult(Outcome.COMPLETED, self.destination, size, info.sha256, 0, size)
        raise DownloadError(
            f"{self.destination} already exists and is a different file; move it away or choose another "
            "folder. Nothing was downloaded."
        )

    def _usable_partial(self, info: RemoteInfo) -> int:
        """Bytes of a partial file that belongs to this exact file version; a stale one is removed."""
        if not self.partial.exists():
            self.sidecar.unlink(missing_ok=True)
            return 0
        try:
            recorded = json.loads(self.sidecar.read_text("utf-8"))
        except (OSError, ValueError):
            recorded = None
        size = self.partial.stat().st_size
        if recorded != _sidecar_data(info) or size > info.size:
            self._discard()
            return 0
        return size

    def _check_space(self, info: RemoteInfo, have: int) -> None:
        needed = info.size - have
        margin = space_margin(info.size)
        free = self._free_space(self.folder)
        if free < needed + margin:
            raise DiskSpaceError(
                f"Not enough free space in {self.folder}: {self.destination.name} needs "
                f"{human_size(needed)} more, plus {human_size(margin)} to spare, and only "
                f"{human_size(free)} is free. Nothing was downloaded."
            )

    def _write_sidecar(self, info: RemoteInfo) -> None:
        self.sidecar.write_text(json.dumps(_sidecar_data(info)), "utf-8")

    def _transfer(self, sink: _Sink, meter: _Meter) -> None:
        import httpx

        url = file_url(self.file, self.endpoint)
        headers = {"User-Agent": f"veritrace/{__version__}"}
        token = self._token or _saved_token()
        if token:
            # httpx drops this header when the Hub redirects to its CDN on another host.
            headers["Authorization"] = f"Bearer {token}"
        timeout = httpx.Timeout(self._timeout, connect=min(self._timeout, 15.0))
        failures = 0
        with httpx.Client(follow_redirects=True, timeout=timeout, headers=headers) as client:
            while sink.done < sink.size:
                self._stopped()
                before = sink.done
                meter.restart(sink.done)
                try:
                    self._attempt(client, url, sink, meter)
                    if sink.done < sink.size:
                        raise _Retry(f"the server ended the transfer after {human_size(sink.done)}")
                except (_Retry, httpx.TransportError) as error:
                    # Attempts that moved the file forward do not use up the retries.
                    failures = failures + 1 if sink.done == before else 1
                    if failures > self._retries:
                        raise self._interrupted(error, url, sink.done, sink.size) from None
                    self._wake.wait(min(0.5 * (failures - 1), 5.0))

    def _attempt(self, client: httpx.Client, url: str, sink: _Sink, meter: _Meter) -> None:
        headers = {"Range": f"bytes={sink.done}-"} if sink.done else {}
        with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 416 and sink.done == sink.size:
                return
            if status in RETRYABLE_STATUS:
                raise _Retry(f"the server answered HTTP {status}")
            if status in (401, 403):
                raise DownloadError(
                    f"The Hub refused access to {self.file.repo_id} (HTTP {status}); the repository may ask "
                    "you to accept its terms on huggingface.co and to log in with `hf auth login`."
                )
            if status == 404:
                raise DownloadError(f"{self.file.label} is not on the Hub (HTTP 404).")
            if status >= 400:
                raise DownloadError(f"The Hub answered HTTP {status} for {self.file.label}.")
            if sink.done and (status != 206 or not _range_starts_at(response, sink.done)):
                sink.restart()  # the server ignored the Range request: start from the first byte
            # As the bytes arrive, unbuffered: what came before a dropped connection is kept.
            for chunk in response.iter_bytes():
                self._stopped()
                if sink.done + len(chunk) > sink.size:
                    raise ChecksumError(
                        f"{self.file.label} is longer than the {human_size(sink.size)} the Hub announced; "
                        "the download was stopped and deleted."
                    )
                sink.write(chunk)
                meter.report(sink.done, Stage.DOWNLOADING)

    def _interrupted(self, error: BaseException, url: str, done: int, size: int) -> DownloadError:
        import httpx

        reason = (
            describe_network_error(error, url).rstrip(".")
            if isinstance(error, httpx.TransportError)
            else f"The download stopped: {error}"
        )
        if done:
            return DownloadError(
                f"{reason}. {human_size(done)} of {human_size(size)} is kept in {self.partial.name}; "
                "the download continues from there next time."
            )
        return DownloadError(f"{reason}. Nothing was downloaded.")

    def _stopped(self) -> None:
        if self._request is not None:
            raise _Stop

    def _stopped_result(self, info: RemoteInfo, resumed_from: int) -> DownloadResult:
        with self._lock:
            request, self._request = self._request, None  # a paused job may run again
            self._wake.clear()
        if request is Outcome.CANCELLED:
            self._discard()
            return DownloadResult(Outcome.CANCELLED, self.destination, info.size, None, 0, resumed_from)
        kept = self.partial.stat().st_size if self.partial.exists() else 0
        return DownloadResult(
            Outcome.PAUSED, self.partial, info.size, None, kept - resumed_from, resumed_from
        )

    def discard(self) -> None:
        """Delete the partial file of a paused download (what cancel does to a running one)."""
        self._discard()

    def _discard_if_empty(self) -> None:
        if not self.partial.exists() or self.partial.stat().st_size == 0:
            self._discard()

    def _discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.sidecar.unlink(missing_ok=True)


def _sidecar_data(info: RemoteInfo) -> dict[str, Any]:
    return {
        "repo_id": info.file.repo_id,
        "filename": info.file.filename,
        "size": info.size,
        "sha256": info.sha256,
        "blob_id": info.blob_id,
    }


def _hasher(info: RemoteInfo) -> Any:
    if info.sha256:
        return hashlib.sha256()
    # A file kept in git itself is named by its git blob id: sha1("blob SIZE\0" + content).
    hasher = hashlib.sha1(usedforsecurity=False)
    hasher.update(f"blob {info.size}\0".encode())
    return hasher


def _hash_file(
    path: Path, hasher: Any, length: int, meter: _Meter, stage: Stage, stopped: Callable[[], None]
) -> None:
    with open(path, "rb") as stream:
        done = 0
        while done < length:
            stopped()
            block = stream.read(min(CHUNK * 8, length - done))
            if not block:
                break
            hasher.update(block)
            done += len(block)
            meter.report(done, stage)


def _range_starts_at(response: httpx.Response, offset: int) -> bool:
    content_range = response.headers.get("Content-Range", "")
    return content_range.startswith(f"bytes {offset}-")


def _saved_token() -> str | None:
    """The user's Hugging Face token if they logged in with ``hf auth login``; most repos need none."""
    try:
        from huggingface_hub import get_token

        return get_token()
    except Exception:  # an unreadable token file must not stop a public download
        return None


def remember_download(config: AppConfig, model: Path, projector: Path | None = None) -> AppConfig:
    """Add a downloaded model to the model library, with its projector if one came along.

    The model in use does not change: that stays the user's choice ("Use this model").
    """
    updated = add_model(config, model)
    if projector is not None:
        updated = with_projector(updated, model, projector)
    return updated
