"""Someone who can write the model files tries to make a turn record a hash other than what ran.

The recorded model hash must be the hash of the bytes that ran. Each attack here uses real parts:
the real llama-cpp-python runtime with the tiny GGUF model and projector (padded with zeros to
gigabytes where the background hash matters: llama.cpp ignores the tail), a real record file and
``ChatService``. The files are edited the way a person hides a change from a cache keyed on path,
size and modification time (``tests/fixtures/model_files.py``): one byte flipped in place with the
modification time put back by ``os.utime`` or ``touch -r``, or a same-size copy with the original's
times renamed over the path; a forged cache row for the file's exact identity stands for what a
clock turned back can achieve. Every attack must end with the true hash recorded or the turn
refused by name, the events in the ledger, and the record verifying.

Large files share one sparse inode per size through hard links (a link is a path of its own, so
no cache entry of another test applies): its page cache is warmed once, by computing its hash here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.clock import utc_now
from app.core.errors import ModelError, VeritraceError
from app.core.identity import file_identity
from app.core.images import CheckedImage, check_image
from app.core.presets import preset, with_params
from app.core.types import HashCheck, Turn, TurnStatus
from app.runtime.llama_backend import LlamaBackend
from app.services.chat import ChatService
from app.services.model_check import OpenedFile, Role, State
from app.storage.repository import Store
from tests.fixtures.forgery import append_row, cli
from tests.fixtures.model_files import (
    BY_RENAME,
    GIB,
    IN_PLACE_TOUCH,
    IN_PLACE_UTIME,
    MIB,
    edit,
    name_offset,
    padded_copy,
    sha256_of,
)
from tests.fixtures.sinks import RecordingSink

pytestmark = pytest.mark.e2e

# Greedy, seeded, short: the same load options for every turn, so no turn reloads the model itself.
SETTINGS = with_params(preset("think-tags"), seed=1, temperature=0.0, max_tokens=4, n_ctx=512, n_threads=1)
# Long enough that only the service can end it (the holding sink keeps it at its first token).
LONG = with_params(SETTINGS, max_tokens=256)
FORGED = "00" * 32
PROMPT = "Is clause 4 enforceable?"
HOLD_S = 30.0  # how long a held turn waits for the service to stop it before the test fails


# -- fixtures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Padded:
    """A sparse model file padded with zeros, and its SHA-256 computed here."""

    path: Path
    sha256: str

    def link(self, to: Path) -> Path:
        """A path of its own for the same bytes (a hard link: no copy, the page cache stays warm)."""
        os.link(self.path, to)
        return to


def _padded(folder: Path, tiny: Path, size: int) -> Padded:
    path = padded_copy(tiny, folder / f"padded-{size // MIB}mib.gguf", size)
    return Padded(path, sha256_of(path))  # reading it once also puts its pages in the cache


@pytest.fixture(scope="module")
def padded_3gib(tmp_path_factory: pytest.TempPathFactory, tiny_models: tuple[Path, Path]) -> Padded:
    """Hashed in about two seconds at the least: a turn on the tiny model starts and ends well
    before, so the attacks that need the hash still running do not race it."""
    return _padded(tmp_path_factory.mktemp("padded"), tiny_models[0], 3 * GIB)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "veritrace.db")
    yield opened
    opened.close()


@pytest.fixture
def service(store: Store) -> Iterator[ChatService]:
    chat = ChatService(store, LlamaBackend(), save_interval=0.0, user="alice")
    yield chat
    chat.release_model()
    chat.backend.close()


@pytest.fixture
def model(tmp_path: Path, tiny_models: tuple[Path, Path]) -> Path:
    """This test's own copy of the tiny text model (8.7 MB: hashed before ``load_model`` returns)."""
    return Path(shutil.copyfile(tiny_models[0], tmp_path / "model.gguf"))


# -- helpers ---------------------------------------------------------------------------------------


class HoldingSink(RecordingSink):
    """At the first streamed text, says so and holds the generation until the service stops it.

    A real model generates for minutes; holding the stream at its first token stands for that
    without depending on how fast the tiny model is.
    """

    def __init__(self, cancel: CancelToken) -> None:
        super().__init__()
        self.cancel = cancel
        self.first_text = threading.Event()
        self.stopped_by_service: bool | None = None

    def _delta(self, text: str) -> None:
        super()._delta(text)
        if not self.first_text.is_set():
            self.first_text.set()
            self.stopped_by_service = self.cancel.wait(HOLD_S)


def ask(
    service: ChatService, sink: RecordingSink | None = None, images: list[CheckedImage] | None = None
) -> Turn:
    return service.run_turn(None, PROMPT, SETTINGS, sink or RecordingSink(), CancelToken(), images or [])


def opened(service: ChatService, role: Role = Role.MODEL) -> OpenedFile:
    """The current load's file as it was opened and identified (``cached``: what the cache said)."""
    assert service.model is not None and service.model.check is not None
    found = service.model.check.file(role)
    assert found is not None
    return found


def events(store: Store, kind: str) -> list[dict[str, Any]]:
    return [detail for _, _, detail in store.events_of([kind])]


def turn_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM turns").scalar_one())


def picture() -> CheckedImage:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="PNG")
    return check_image(buffer.getvalue(), "exhibit.png")


def forge_cache(store: Store, path: Path, sha256: str = FORGED) -> None:
    """Cache a wrong hash under the file's exact current identity (what a clock turned back allows)."""
    resolved = path.resolve()
    store.remember_model_hash(str(resolved), file_identity(resolved), sha256)


# -- 1 and 2. a byte changed, size and modification time kept, between two loads ------------------------

WHERE = {
    # Inside the GGUF header: a letter of general.name (within the first megabyte, the tripwire).
    "header": lambda path: name_offset(path),
    # A quantized weight halfway through the tensor data, beyond the first and last megabyte.
    "tensor data": lambda path: path.stat().st_size // 2,
    # A zero of a padded file's tail, far beyond the first and last megabyte.
    "padding": lambda path: path.stat().st_size // 2,
}


def _changed_between_loads(service: ChatService, store: Store, path: Path, where: str, how: str) -> None:
    original = sha256_of(path)
    tripwire = file_identity(path).tripwire
    # The cache, not a hash finished before the load returns, decides how each turn begins.
    service.hash_inline_bytes = 0
    service.load_model(path, SETTINGS)
    first = ask(service)
    service.settle(wait=None)
    assert store.turn(first.id).model.sha256 == original
    service.load_model(path, SETTINGS)
    assert opened(service).cached == original, "the unchanged file is found in the cache"
    service.settle(wait=None)  # this load's own hash agrees (a busy machine may take a while)
    service.release_model()  # the app is closed; the file is changed

    edit(path, WHERE[where](path), how)
    changed = sha256_of(path)
    assert changed != original
    if where != "header":
        assert file_identity(path).tripwire == tripwire, "the edit is invisible to the tripwire"

    service.load_model(path, SETTINGS)
    assert opened(service).cached is None, "no cached hash applies to the changed file"
    sink = RecordingSink()
    second = ask(service, sink)
    [began] = sink.started
    assert began.model.sha256 in ("", changed), "a turn never begins with the old file's hash"
    assert began.model_check in (HashCheck.UNHASHED, HashCheck.VERIFIED)
    service.settle(wait=None)

    recorded = store.turn(second.id)
    assert recorded.status == TurnStatus.COMPLETED
    assert recorded.model.sha256 == changed
    assert recorded.model_check in (HashCheck.VERIFIED, HashCheck.VERIFIED_AFTER)
    assert recorded.model_expected is None
    assert store.turn(first.id).model.sha256 == original, "the earlier turn keeps what it ran"
    verified = events(store, "model.verified")
    assert [(event["sha256"], event["matched_cache"]) for event in verified] == [
        (original, False),
        (original, True),
        (changed, False),
    ]
    assert verified[-1]["turns"] == ([second.id] if recorded.model_check is HashCheck.VERIFIED_AFTER else [])
    assert not events(store, "model.hash_mismatch")
    assert store.verify().intact


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "how", "size"),
    [
        ("header", IN_PLACE_UTIME, None),
        ("tensor data", IN_PLACE_TOUCH, None),
        ("padding", IN_PLACE_UTIME, 64 * MIB),
        ("padding", IN_PLACE_TOUCH, 64 * MIB),
    ],
)
def test_a_byte_changed_in_place_with_its_mtime_put_back_is_hashed_anew(
    service: ChatService, store: Store, model: Path, where: str, how: str, size: int | None
) -> None:
    if size is not None:
        os.truncate(model, size)
    _changed_between_loads(service, store, model, where, how)


@pytest.mark.slow
def test_a_same_size_copy_renamed_over_the_model_with_its_times_put_back_is_hashed_anew(
    service: ChatService, store: Store, model: Path
) -> None:
    os.truncate(model, 64 * MIB)
    inode = model.stat().st_ino
    _changed_between_loads(service, store, model, "padding", BY_RENAME)
    assert model.stat().st_ino != inode


# -- 3. the model replaced or written while it is loaded ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "said"),
    [
        (BY_RENAME, "it was replaced by another file"),
        (IN_PLACE_UTIME, "it was written to or its times were reset (its change time moved)"),
    ],
)
def test_a_model_changed_while_loaded_and_idle_refuses_every_later_turn_until_reloaded(
    service: ChatService, store: Store, model: Path, how: str, said: str
) -> None:
    original, inode = sha256_of(model), model.stat().st_ino
    service.load_model(model, SETTINGS)
    first = ask(service)
    assert (first.model.sha256, first.model_check) == (original, HashCheck.VERIFIED)

    edit(model, model.stat().st_size // 2, how)
    with pytest.raises(ModelError) as refused:
        ask(service)
    message = str(refused.value)
    assert message.startswith(f"The model file {model.resolve()} changed on disk while loaded: {said}.")
    assert "Load it again to use the new file." in message
    with pytest.raises(ModelError) as again:
        ask(service)
    assert str(again.value) == message, "every later turn is refused, with the same words"
    assert turn_count(store) == 1, "a refused turn records nothing"
    [changed] = events(store, "model.changed")
    assert changed["message"] == message
    assert changed["identity"]["model"]["inode"] == inode, "it names the file that loaded"
    assert (
        store.turn(first.id).model.sha256 == original
        and store.turn(first.id).model_check is HashCheck.VERIFIED
    )

    service.load_model(model, SETTINGS)  # loading it again is how the new file is used
    third = ask(service)
    assert third.model.sha256 == sha256_of(model) != original
    assert third.model_check is HashCheck.VERIFIED
    assert len(events(store, "model.changed")) == 1
    assert store.verify().intact


@pytest.mark.parametrize(
    "hashed", ["before the turn", pytest.param("during the turn", marks=pytest.mark.slow)]
)
def test_a_model_replaced_during_generation_stops_the_turn_which_keeps_the_hash_of_what_loaded(
    service: ChatService,
    store: Store,
    model: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    hashed: str,
) -> None:
    if hashed == "before the turn":  # 8.7 MB: hashed before load_model returns
        path, loaded_sha = model, sha256_of(model)
        replacement = Path(shutil.copyfile(model, tmp_path / "other.gguf"))
        edit(replacement, replacement.stat().st_size // 2, IN_PLACE_UTIME)
    else:  # 3 GiB: its hash is still running when the file is replaced
        padded: Padded = request.getfixturevalue("padded_3gib")
        path, loaded_sha = padded.link(tmp_path / "padded.gguf"), padded.sha256
        replacement = Path(shutil.copyfile(model, tmp_path / "other.gguf"))
    other, loaded_size = sha256_of(replacement), path.stat().st_size
    service.load_model(path, SETTINGS)
    cancel = CancelToken()
    sink = HoldingSink(cancel)

    hashed_when_replaced: list[bool] = []

    def replace_it() -> None:
        if sink.first_text.wait(HOLD_S):
            hashed_when_replaced.append(opened(service).state is not State.HASHING)
            os.replace(replacement, path)

    replacer = threading.Thread(target=replace_it)
    replacer.start()
    try:
        turn = service.run_turn(None, PROMPT, LONG, sink, cancel)
    finally:
        sink.first_text.set()
        replacer.join()
    assert sink.stopped_by_service, "the service stopped the generation itself"
    assert hashed_when_replaced == [hashed == "before the turn"], "replaced before or while it was hashed"
    assert sink.deltas and turn.completion_tokens < LONG.params.max_tokens
    assert turn.status == TurnStatus.FAILED and turn.finish_reason == "model_changed"
    assert turn.answer == "".join(sink.deltas), "what it wrote before it was stopped is kept"
    assert turn.error is not None
    assert turn.error.startswith(
        f"The model file {path.resolve()} changed on disk while loaded: it was replaced by another file"
    )
    [changed] = events(store, "model.changed")
    assert changed["message"] == turn.error

    service.settle(wait=None)
    recorded = store.turn(turn.id)
    # Hashed from the handle opened before the load: the bytes llama.cpp mapped, not the new file's.
    # (A rename over the path moves the old inode's change time too: that is not a write to it.)
    assert sha256_of(path) == other != loaded_sha
    assert (recorded.model.sha256, recorded.model_check) == (
        loaded_sha,
        HashCheck.VERIFIED if hashed == "before the turn" else HashCheck.VERIFIED_AFTER,
    )
    [verified] = events(store, "model.verified")
    assert (verified["sha256"], verified["size"]) == (loaded_sha, loaded_size)
    assert not events(store, "model.unverifiable")
    with pytest.raises(ModelError, match="changed on disk while loaded"):
        ask(service)
    assert turn_count(store) == 1
    assert store.verify().intact


# -- 4. the projector changed --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_projector_changed_in_place_with_its_mtime_put_back_is_refused_then_hashed_anew(
    service: ChatService, store: Store, model: Path, tiny_models: tuple[Path, Path], tmp_path: Path
) -> None:
    projector = Path(shutil.copyfile(tiny_models[1], tmp_path / "mmproj.gguf"))
    model_sha, original = sha256_of(model), sha256_of(projector)
    service.load_model(model, SETTINGS, projector=projector)
    first = ask(service, images=[picture()])
    assert first.images[0].sent_to_model, "the projector is in use"
    assert first.projector is not None
    assert (first.projector.sha256, first.projector_check) == (original, HashCheck.VERIFIED)

    edit(projector, projector.stat().st_size // 2, IN_PLACE_UTIME)
    changed = sha256_of(projector)
    assert changed != original
    with pytest.raises(ModelError) as refused:
        ask(service, images=[picture()])
    message = str(refused.value)
    assert message.startswith(f"The projector file {projector.resolve()} changed on disk while loaded: ")
    assert "its change time moved" in message
    [event] = events(store, "model.changed")
    assert event["message"] == message

    service.load_model(model, SETTINGS, projector=projector)
    assert opened(service, Role.PROJECTOR).cached is None, "no cached hash applies to the changed projector"
    assert opened(service, Role.MODEL).cached == model_sha, "the unchanged model is found in the cache"
    second = ask(service, images=[picture()])
    assert second.images[0].sent_to_model
    assert second.projector is not None
    assert (second.projector.sha256, second.projector_check) == (changed, HashCheck.VERIFIED)
    assert (second.model.sha256, second.model_check) == (model_sha, HashCheck.VERIFIED)
    kept = store.turn(first.id).projector
    assert kept is not None and kept.sha256 == original, "the earlier turn keeps what it ran"
    assert turn_count(store) == 2
    assert not events(store, "model.hash_mismatch")
    assert store.verify().intact


# -- 5. a forged cache entry for the file's exact identity -----------------------------------------------


@pytest.mark.slow
def test_a_forged_cache_for_a_small_model_refuses_the_load_naming_both_hashes(
    service: ChatService, store: Store, model: Path
) -> None:
    true = sha256_of(model)
    forge_cache(store, model)
    with pytest.raises(ModelError) as refused:
        service.load_model(model, SETTINGS)
    message = str(refused.value)
    assert message == (
        f"The model file {model.name} is not the file its cached hash describes: the cache said "
        f"{FORGED}, the file that loaded hashes to {true}. Generation was stopped; load the model "
        "again to use it."
    )
    assert service.model is None and service.backend.loaded is None
    [loaded] = events(store, "model.loaded")
    assert loaded["hash"] == {"model": "mismatch"}
    [mismatch] = events(store, "model.hash_mismatch")
    assert (mismatch["cached_sha256"], mismatch["sha256"], mismatch["turns"]) == (FORGED, true, [])
    with pytest.raises(VeritraceError, match="No model is loaded"):
        ask(service)
    assert turn_count(store) == 0

    # The load's own hash is now cached for this identity, after the forged one: loading again works.
    service.load_model(model, SETTINGS)
    assert opened(service).cached == true
    turn = ask(service)
    assert (turn.model.sha256, turn.model_check) == (true, HashCheck.VERIFIED)
    assert store.verify().intact


@pytest.mark.slow
def test_a_hash_known_to_disagree_with_the_cache_is_never_named_as_the_files(
    service: ChatService, store: Store, model: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Once the load's own hash has shown the cache wrong, nothing calls the cache's hash the file's."""
    true = sha256_of(model)
    forge_cache(store, model)
    with pytest.raises(ModelError, match="is not the file its cached hash describes"):
        service.load_model(model, SETTINGS)  # hashed in full before the event is written
    [loaded] = events(store, "model.loaded")
    assert loaded["hash"] == {"model": "mismatch"}
    assert loaded["sha256"] in (None, true), "the model.loaded entry names the forged hash as the file's"

    # Hashed after the load: what the session shows (the window's tooltip) once the mismatch is settled.
    padded: Padded = request.getfixturevalue("padded_3gib")
    path = padded.link(tmp_path / "padded.gguf")
    forge_cache(store, path)
    service.load_model(path, SETTINGS)
    service.settle(wait=None)
    assert service.model is not None and service.model.check is not None
    assert service.model.check.problem()
    assert service.model.file.sha256 in ("", padded.sha256), "the loaded model is shown with the forged hash"


@pytest.mark.slow
def test_a_forged_cache_for_a_large_model_is_found_after_a_turn_that_finished_first(
    service: ChatService, store: Store, padded_3gib: Padded, tmp_path: Path
) -> None:
    path = padded_3gib.link(tmp_path / "model.gguf")
    true = padded_3gib.sha256
    forge_cache(store, path)
    service.load_model(path, SETTINGS)
    assert opened(service).cached == FORGED
    sink = RecordingSink()
    first = ask(service, sink)
    [began] = sink.started
    assert (began.model.sha256, began.model_check) == (FORGED, HashCheck.CACHED), "marked as the cache's"
    assert first.status == TurnStatus.COMPLETED, "the turn ended before the 3 GiB hash did"

    service.settle(wait=None)
    recorded = store.turn(first.id)
    assert (recorded.model.sha256, recorded.model_check, recorded.model_expected) == (
        true,
        HashCheck.MISMATCH,
        FORGED,
    )
    shown = recorded.to_json()["model"]
    assert (shown["sha256"], shown["hash_check"], shown["cached_sha256"]) == (true, "mismatch", FORGED)
    assert f"the hash cache said {FORGED}, the file that loaded hashes to {true}" in shown["hash_check_words"]
    [mismatch] = events(store, "model.hash_mismatch")
    assert (mismatch["cached_sha256"], mismatch["sha256"], mismatch["turns"]) == (FORGED, true, [first.id])
    assert not events(store, "model.changed") and not events(store, "model.verified")

    for _ in range(2):  # every later turn, until the model is loaded again
        with pytest.raises(ModelError) as refused:
            ask(service)
        assert f"the cache said {FORGED}, the file that loaded hashes to {true}" in str(refused.value)
    assert turn_count(store) == 1

    service.load_model(path, SETTINGS)
    assert opened(service).cached == true, "the hash the check found is cached for this identity"
    again = ask(service)
    # CACHED, or VERIFIED if this load's own hash (of a file now in the page cache) won the race.
    assert again.model.sha256 == true and again.model_check in (HashCheck.CACHED, HashCheck.VERIFIED)
    assert store.verify().intact


@pytest.mark.slow
def test_a_forged_cache_for_a_large_model_stops_the_turn_still_generating(
    service: ChatService, store: Store, padded_3gib: Padded, tmp_path: Path
) -> None:
    path = padded_3gib.link(tmp_path / "model.gguf")
    true = padded_3gib.sha256
    forge_cache(store, path)
    service.load_model(path, SETTINGS)
    cancel = CancelToken()
    sink = HoldingSink(cancel)
    turn = service.run_turn(None, PROMPT, LONG, sink, cancel)
    assert sink.stopped_by_service, "the service stopped the generation when the hash disagreed"
    assert sink.started[0].model_check is HashCheck.CACHED and sink.started[0].model.sha256 == FORGED
    assert turn.status == TurnStatus.FAILED and turn.finish_reason == "model_changed"
    assert (
        turn.error is not None
        and f"the cache said {FORGED}, the file that loaded hashes to {true}" in turn.error
    )
    # run_turn settled before returning: the recorded hash is already the true one.
    assert (turn.model.sha256, turn.model_check, turn.model_expected) == (true, HashCheck.MISMATCH, FORGED)
    [mismatch] = events(store, "model.hash_mismatch")
    assert (mismatch["cached_sha256"], mismatch["sha256"], mismatch["turns"]) == (FORGED, true, [turn.id])
    assert not events(store, "model.changed")
    with pytest.raises(ModelError, match=f"the cache said {FORGED}"):
        ask(service)
    assert turn_count(store) == 1
    assert store.verify().intact


# -- 6. a 3 GiB model: the turn runs before the hash is done, and is settled after -------------------------


@pytest.mark.slow
def test_a_3_gib_model_is_used_at_once_and_its_turns_settled_when_the_hash_finishes(
    service: ChatService, store: Store, padded_3gib: Padded, tmp_path: Path
) -> None:
    path = padded_3gib.link(tmp_path / "model.gguf")
    true = padded_3gib.sha256
    service.load_model(path, SETTINGS)  # the default threshold: 256 MiB
    check = service.model.check  # type: ignore[union-attr]
    assert check is not None and not check.hashed(), "load_model returned before the 3 GiB hash completed"
    [loaded] = events(store, "model.loaded")
    assert loaded["hash"] == {"model": "hashing"} and loaded["sha256"] is None and loaded["size"] == 3 * GIB
    sink = RecordingSink()
    first = ask(service, sink)
    assert first.status == TurnStatus.COMPLETED
    [began] = sink.started
    assert (began.model.sha256, began.model_check) == ("", HashCheck.UNHASHED), (
        "no hash known yet, and so marked"
    )
    assert not check.hashed(), "the turn ran while the file was still being hashed"

    service.settle(wait=None)
    recorded = store.turn(first.id)
    assert (recorded.model.sha256, recorded.model_check, recorded.model_expected) == (
        true,
        HashCheck.VERIFIED_AFTER,
        None,
    )
    [verified] = events(store, "model.verified")
    assert (verified["sha256"], verified["turns"], verified["matched_cache"]) == (true, [first.id], False)
    assert store.verify().intact

    # The next load starts from that hash, marked as the cache's; unloaded before its own hash is done,
    # the turn says so.
    service.load_model(path, SETTINGS)
    assert opened(service).cached == true
    second = ask(service)
    assert (second.model.sha256, second.model_check) == (true, HashCheck.CACHED)
    service.release_model()
    assert store.turn(second.id).model_check is HashCheck.CACHED
    assert store.verify().intact


# -- 7. the command line ------------------------------------------------------------------------------------


def _ask_cli(capsys: pytest.CaptureFixture[str], path: Path) -> Any:
    return cli(capsys, "ask", PROMPT, "--model", str(path), "--seed", "1", "--max-tokens", "4")


def _shown_model(capsys: pytest.CaptureFixture[str], conversation: int) -> dict[str, Any]:
    shown = cli(capsys, "show", str(conversation), "--json")
    assert shown.status == 0, shown.err
    [turn] = json.loads(shown.out)["turns"]
    return dict(turn["model"])


@pytest.mark.slow
def test_cli_records_the_new_hash_after_an_edit_with_the_mtime_put_back(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    from app.services.paths import database_path

    original = sha256_of(model)
    first = _ask_cli(capsys, model)
    assert first.status == 0, first.err
    edit(model, model.stat().st_size // 2, IN_PLACE_TOUCH)
    changed = sha256_of(model)
    second = _ask_cli(capsys, model)
    assert second.status == 0, second.err
    assert re.search(r"^\[turn 2 in conversation 2: (completed|stopped at the token limit), ", second.err)

    assert _shown_model(capsys, 1)["sha256"] == original
    shown = _shown_model(capsys, 2)
    assert (shown["sha256"], shown["hash_check"], shown["cached_sha256"]) == (changed, "verified", None)
    store = Store(database_path())
    try:
        verified = events(store, "model.verified")
        assert [(event["sha256"], event["matched_cache"]) for event in verified] == [
            (original, False),
            (changed, False),
        ]
        assert store.verify().intact
    finally:
        store.close()


@pytest.mark.slow
def test_cli_with_a_forged_cache_for_a_large_model_exits_1_naming_both_hashes(
    capsys: pytest.CaptureFixture[str], padded_3gib: Padded, tmp_path: Path
) -> None:
    from app.services.paths import database_path

    path = padded_3gib.link(tmp_path / "model.gguf")
    true = padded_3gib.sha256
    store = Store(database_path())
    try:
        forge_cache(store, path)
    finally:
        store.close()
    asked = _ask_cli(capsys, path)
    assert asked.status == 1, asked.err
    naming = [line for line in asked.err.splitlines() if true in line]
    assert len(naming) == 1 and naming[0].startswith("veritrace: ") and FORGED in naming[0]
    assert f"the cache said {FORGED}, the file that loaded hashes to {true}" in naming[0]
    shown = _shown_model(capsys, 1)
    assert (shown["sha256"], shown["hash_check"], shown["cached_sha256"]) == (true, "mismatch", FORGED)
    store = Store(database_path())
    try:
        [mismatch] = events(store, "model.hash_mismatch")
        assert (mismatch["cached_sha256"], mismatch["sha256"]) == (FORGED, true)
        assert store.verify().intact
    finally:
        store.close()


@pytest.mark.slow
def test_cli_with_a_forged_cache_for_a_small_model_refuses_to_run_naming_both_hashes(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    from app.services.paths import database_path

    true = sha256_of(model)
    store = Store(database_path())
    try:
        forge_cache(store, model)
    finally:
        store.close()
    asked = _ask_cli(capsys, model)
    # Refused before anything ran: the status of every known error the command line reports.
    assert asked.status == 2
    assert asked.out == ""
    assert asked.err.splitlines() == [
        f"veritrace: The model file {model.name} is not the file its cached hash describes: the cache "
        f"said {FORGED}, the file that loaded hashes to {true}. Generation was stopped; load the model "
        "again to use it."
    ]
    store = Store(database_path())
    try:
        assert turn_count(store) == 0
        [mismatch] = events(store, "model.hash_mismatch")
        assert (mismatch["cached_sha256"], mismatch["sha256"]) == (FORGED, true)
        assert store.verify().intact
    finally:
        store.close()


# -- 8. a cache row from before identities -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("changed_since", [False, True], ids=["unchanged", "changed-mtime-put-back"])
def test_a_cache_row_from_before_identities_is_never_trusted(
    service: ChatService, store: Store, model: Path, tmp_path: Path, changed_since: bool
) -> None:
    original = sha256_of(model)
    stat = model.stat()
    # What the previous version cached: path, size and modification time, as it wrote it (with its entry).
    append_row(
        tmp_path / "veritrace.db",
        "model_files",
        {
            "path": str(model.resolve()),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": original,
            "hashed_at": utc_now(),
        },
    )
    if changed_since:
        edit(model, stat.st_size // 2, IN_PLACE_UTIME)
    true = sha256_of(model)
    service.hash_inline_bytes = 0  # the cache decides how the turn begins
    service.load_model(model, SETTINGS)
    assert opened(service).cached is None, "the old row is never looked up as a match"
    sink = RecordingSink()
    turn = ask(service, sink)
    assert sink.started[0].model.sha256 in ("", true)
    assert sink.started[0].model_check in (HashCheck.UNHASHED, HashCheck.VERIFIED)
    service.settle(wait=None)
    recorded = store.turn(turn.id)
    assert recorded.model.sha256 == true
    assert recorded.model_check in (HashCheck.VERIFIED, HashCheck.VERIFIED_AFTER)
    [verified] = events(store, "model.verified")
    assert (verified["sha256"], verified["matched_cache"]) == (true, False)
    assert not events(store, "model.hash_mismatch")
    assert store.verify().intact
