"""The generation worker: owns the model in its own thread; talks only through signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.images import CheckedImage
from app.core.types import RunSettings, Turn
from app.runtime.backend import Backend
from app.runtime.remote_backend import RemoteBackend, RemoteEndpoint
from app.services.chat import ChatService
from app.services.config import ModelChoice, settings_for
from app.services.models import describe
from app.services.remote import remote_settings
from app.storage.repository import Store

_log = logging.getLogger(__name__)

REASONING, ANSWER = "reasoning", "answer"


class _OutputBuffer:
    """Streamed deltas handed from the worker thread to the GUI thread.

    One queued signal per delta would flood the GUI thread when a model (or the scripted
    backend) streams thousands of deltas a second. Instead the worker appends under a lock
    and signals only when the buffer turns non-empty; the GUI thread takes everything
    there is. Nothing waits for a later delta to be delivered.
    """

    def __init__(self, notify: Callable[[], None]) -> None:
        self._notify = notify
        self._lock = threading.Lock()
        self._items: list[tuple[str, list[str]]] = []

    def push(self, kind: str, text: str) -> None:
        with self._lock:
            first = not self._items
            if self._items and self._items[-1][0] == kind:
                self._items[-1][1].append(text)  # joined once on take: appending stays O(1)
            else:
                self._items.append((kind, [text]))
        if first:
            self._notify()

    def take(self) -> list[tuple[str, str]]:
        with self._lock:
            items, self._items = self._items, []
        return [(kind, "".join(parts)) for kind, parts in items]


class _SignalSink:
    """Adapts the service's callbacks to the worker's buffer and signals."""

    def __init__(self, worker: GenerationWorker) -> None:
        self._worker = worker

    def turn_started(self, turn: Turn) -> None:
        self._worker.turn_started.emit(turn)

    def reasoning(self, text: str) -> None:
        self._worker.output.push(REASONING, text)

    def answer(self, text: str) -> None:
        self._worker.output.push(ANSWER, text)

    def progress(self, completion_tokens: int, tokens_per_second: float) -> None:
        self._worker.progress.emit(completion_tokens, tokens_per_second)


class GenerationWorker(QObject):
    """Runs model loads and turns off the GUI thread.

    Requests arrive through queued signals connected to ``load_model`` and ``run_turn``.
    Stopping is ``cancel()``, a thread-safe flag: a queued "stop" slot would only run
    after the busy slot returned.

    Signals:
        status_changed(str): a loading step to show, or what a turn waits for on a server.
        settings_chosen(object): the ``RunSettings`` a newly chosen model's family preset gave, or
            a server's (Magistral on Mistral's API); sent before its ``model_loaded``, dropped by
            the receiver if the load fails.
        model_loaded(object): the ``ActiveModel`` now in use.
        model_failed(str): a load failed; the message is for the user.
        turn_started(object): the ``Turn`` as committed before generation.
        output_ready(): streamed text waits in ``output``; take it with ``take_output()``.
        progress(int, float): completion tokens so far and tokens per second.
        finished(object): the ``Turn`` as recorded when it ended.
        failed(str): a turn could not run; the message is for the user.
        hash_progress(float): how much of the loaded files' full hash is done (0 to 1).
        model_checked(object, str): the ``ActiveModel`` once its files are hashed, or when one
            changed on disk, with the problem in words ("" if none: the hash agreed).
    """

    status_changed = Signal(str)
    settings_chosen = Signal(object)
    model_loaded = Signal(object)
    model_failed = Signal(str)
    turn_started = Signal(object)
    output_ready = Signal()
    progress = Signal(int, float)
    finished = Signal(object)
    failed = Signal(str)
    hash_progress = Signal(float)
    model_checked = Signal(object, str)
    _check_news = Signal()  # emitted on the hash thread; settled on this worker's thread

    def __init__(self, store: Store, backend: Backend) -> None:
        super().__init__()
        self.service = ChatService(store, backend)
        self.service.on_check = self._check_news.emit
        self.service.on_hash_progress = lambda done, total: self.hash_progress.emit(
            done / total if total else 1.0
        )
        self._check_news.connect(self._settle_checks)
        self.local_backend = backend  # turns run here unless a remote server is in use
        self._cancel = CancelToken()
        self.output = _OutputBuffer(self.output_ready.emit)

    def take_output(self) -> list[tuple[str, str]]:
        """Streamed (kind, text) pieces in order, kind being REASONING or ANSWER; GUI thread."""
        return self.output.take()

    def cancel(self) -> None:
        """Ask the running generation to stop (callable from any thread)."""
        self._cancel.set()

    @Slot(str, bool, object, str, bool)
    def load_model(
        self, path: str, is_demo: bool, settings: RunSettings, projector: str = "", chosen: bool = False
    ) -> None:
        """Load a model; ``chosen``: the user just picked it, so its family's preset applies.

        The preset needs the file's metadata, read here (a child process, cached) rather than on
        the GUI thread: inspecting a file the first time can take seconds.
        """
        try:
            if chosen and not is_demo:
                info = describe(Path(path))
                settings = settings_for(ModelChoice(Path(path), is_demo=False), settings, info)
                self.settings_chosen.emit(settings)
            self.service.use_backend(self.local_backend)  # back from a remote server, if on one
            model = self.service.load_model(
                Path(path),
                settings,
                is_demo=is_demo,
                projector=Path(projector) if projector else None,
                on_status=self.status_changed.emit,
            )
        except VeritraceError as error:
            self.model_failed.emit(str(error))
            return
        except Exception as error:
            _log.exception("model load failed unexpectedly")
            self.model_failed.emit(
                f"Unexpected error ({type(error).__name__}: {error}). Details are in the log."
            )
            return
        self.model_loaded.emit(model)

    @Slot(object, object, object)
    def use_remote(
        self, endpoint: RemoteEndpoint, settings: RunSettings, prompt_mode: bool | None = None
    ) -> None:
        """Run later turns on a server; the local model is kept if the server cannot be used.

        Magistral on Mistral's API gets the Magistral preset (``settings_chosen``, before
        ``model_loaded``); ``prompt_mode``: whether to ask that API for its reasoning prompt.
        """
        try:
            # The status line also shows what a turn waits for there (a rate limit's countdown).
            remote = RemoteBackend(endpoint, on_status=self.status_changed.emit)
            model = self.service.connect_remote(remote, settings, on_status=self.status_changed.emit)
            chosen = remote_settings(remote, settings, prompt_mode=prompt_mode)
            if chosen != settings:
                self.settings_chosen.emit(chosen)
        except VeritraceError as error:
            self.model_failed.emit(str(error))
            return
        except Exception as error:
            _log.exception("connecting to the server failed unexpectedly")
            self.model_failed.emit(
                f"Unexpected error ({type(error).__name__}: {error}). Details are in the log."
            )
            return
        self.model_loaded.emit(model)

    @Slot(int, str, object, object)
    def run_turn(
        self, conversation_id: int, prompt: str, settings: RunSettings, images: tuple[CheckedImage, ...] = ()
    ) -> None:
        self._cancel.clear()
        sink = _SignalSink(self)
        try:
            turn = self.service.run_turn(
                conversation_id if conversation_id >= 0 else None,
                prompt,
                settings,
                sink,
                self._cancel,
                images,
            )
        except VeritraceError as error:
            self.failed.emit(str(error))
            return
        except Exception as error:  # a bug: keep the window usable, log the traceback
            _log.exception("turn failed unexpectedly")
            self.failed.emit(f"Unexpected error ({type(error).__name__}: {error}). Details are in the log.")
            return
        self.finished.emit(turn)

    @Slot()
    def _settle_checks(self) -> None:
        """Record what the background hash or the watch found (queued after any running turn)."""
        try:
            self.service.settle()
        except VeritraceError as error:
            _log.warning("the model's hash could not be recorded: %s", error)
            return
        model = self.service.model
        if model is not None and model.check is not None:
            self.model_checked.emit(model, model.check.problem())

    def dispose(self) -> None:
        """Free the model; call only once the worker's thread has stopped."""
        self.service.release_model()
        self.service.backend.close()
        self.local_backend.close()
