"""One session at the window or the command line: the model in use, the settings, the turns.

``Session`` is what both front ends drive. It owns the choice of model, projector, preset and
server (one path for both), the settings file, every write to the record, and each turn from
prompt to ledger entry. It has one ``Phase`` (see ``app.services.phases``), changed only by the
moves written down there, and tells what happens through typed events to one listener.

Where its work runs: with ``background=True`` (the window) loads and turns run in order on the
session's own thread, and events arrive from that thread; the listener hands them on to its own
(the window's adapter does, through a queued Qt signal). Without (the command line) they run in
the caller's thread, which keeps Ctrl-C and exit statuses as they are. Nothing outside reads
state the session's thread is changing: what the window shows comes from events, and the model
in use is an immutable snapshot (``model``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.images import CheckedImage
from app.core.models import ContextFit
from app.core.remote import RemoteEndpoint
from app.core.reproduction import Reproduction
from app.core.signing import KeyPair
from app.core.types import Checkpoint, Flag, Identity, Meaning, RunSettings, SignOff, Turn
from app.runtime.backend import Backend as Backend  # what a session runs turns on
from app.runtime.remote_backend import RemoteBackend
from app.services.anchoring import Authority, configured_authority
from app.services.chat import ActiveModel, ChatService, TurnSink
from app.services.config import (
    AppConfig,
    ModelChoice,
    config_projector,
    resolve_model,
    save_config,
    settings_for,
    with_model,
    with_projector,
    with_statement,
)
from app.services.downloads import remember_download
from app.services.events import (  # the session's events, named where they are defined
    ANSWER,
    REASONING,
    Event,
    HashProgress,
    ModelChecked,
    ModelFailed,
    ModelReady,
    OutputWaiting,
    PhaseChanged,
    SettingsChanged,
    StatusText,
    TurnEnded,
    TurnNotRun,
    TurnProgress,
    TurnStarted,
)
from app.services.identities import create_identity, identities, revoke_identity
from app.services.models import describe
from app.services.phases import IllegalMove, Phase, PhaseMachine, Runner
from app.services.record import anchor_with
from app.services.remote import configured_endpoint, remote_settings, with_remote
from app.services.reproduce import Overrides, reproduce, reproductions
from app.services.signing import installation_key
from app.services.signoff import SigningAttempt, SignOffSummary, meaning_statement, signoff_summary
from app.services.token_view import PromptTokenView, prompt_token_view
from app.storage.repository import Store

_log = logging.getLogger(__name__)
T = TypeVar("T")


class OutputBuffer:
    """Streamed pieces handed from the session's thread to whoever shows them: the one place
    streamed text is batched.

    One event per piece would flood a window when a model streams thousands a second. Pieces
    are appended under a lock, and ``notify`` is called only when the buffer turns non-empty;
    the reader takes what there is, when it is ready to show it. A reader that takes only part
    (``limit``) comes back for the rest: no notice comes while pieces wait. Nothing waits for a
    later piece to be delivered.
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

    def take(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(kind, text) pieces in order: all of them, or the first ``limit`` characters."""
        if limit is None:
            with self._lock:
                items, self._items = self._items, []
            return [(kind, "".join(parts)) for kind, parts in items]
        taken: list[tuple[str, str]] = []
        with self._lock:
            while self._items and limit > 0:
                kind, parts = self._items[0]
                text = "".join(parts)
                if len(text) > limit:
                    self._items[0] = (kind, [text[limit:]])
                    text = text[:limit]
                else:
                    del self._items[0]
                taken.append((kind, text))
                limit -= len(text)
        return taken

    def waiting(self) -> bool:
        """Whether pieces wait to be taken."""
        with self._lock:
            return bool(self._items)


class _EventSink:
    """A turn's pieces into the session's buffer and events."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def turn_started(self, turn: Turn) -> None:
        self._session._emit(TurnStarted(turn))

    def reasoning(self, text: str) -> None:
        self._session.output.push(REASONING, text)

    def answer(self, text: str) -> None:
        self._session.output.push(ANSWER, text)

    def progress(self, completion_tokens: int, tokens_per_second: float) -> None:
        self._session._emit(TurnProgress(completion_tokens, tokens_per_second))


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _failed(error: BaseException) -> Future[T]:
    future: Future[T] = Future()
    future.set_exception(error)
    return future


def local_backend() -> Backend:
    """The backend that runs a model file on this machine (llama.cpp)."""
    from app.runtime.llama_backend import LlamaBackend

    return LlamaBackend()


# -- the session -------------------------------------------------------------------------


class Session:
    """The model, settings and turns of one window or one command.

    ``remember``: keep choices in the settings file (the window); the command line's choices
    are for one run. ``listener`` receives every event, in order, from the thread that made it.
    """

    def __init__(
        self,
        store: Store,
        backend: Backend,
        config: AppConfig,
        *,
        listener: Callable[[Event], None] = lambda _event: None,
        background: bool = False,
        remember: bool = False,
        signer: KeyPair | None = None,
    ) -> None:
        self.store = store
        self._listener = listener
        self._remember = remember
        self._lock = threading.RLock()  # guards config, the model snapshot and the last good choice
        self._config = config
        self._model: ActiveModel | None = None
        self._last_good: ModelChoice | None = None
        self._key = signer
        self.authority: Authority | None = None
        self.phases = PhaseMachine(lambda before, after: self._emit(PhaseChanged(before, after)))
        self._runner = Runner("generation") if background else None
        self._local = backend  # turns run here unless a server is in use
        self._cancel = CancelToken()
        self.output = OutputBuffer(lambda: self._emit(OutputWaiting()))
        self.chat = ChatService(store, backend, signer=signer)
        if background:
            # The hash thread's news is settled on the session's thread, after any running turn.
            self.chat.on_check = self._settle_later
            self.chat.on_hash_progress = lambda done, total: self._emit(
                HashProgress(done / total if total else 1.0)
            )

    # -- what is known now, from any thread ----------------------------------------------------

    @property
    def phase(self) -> Phase:
        return self.phases.phase

    @property
    def model(self) -> ActiveModel | None:
        """The model in use as last reported (an immutable snapshot), or None."""
        with self._lock:
            return self._model

    @property
    def config(self) -> AppConfig:
        with self._lock:
            return self._config

    def settings(self, *, remote: bool = False) -> RunSettings:
        """What the next turn runs with: the user's settings, for the model in use."""
        with self._lock:
            model, config, last = self._model, self._config, self._last_good
        if remote or (model is not None and model.loaded.is_remote):
            # A server's model is never the demo model: the user's settings, else Magistral's.
            return settings_for(ModelChoice(Path(), is_demo=False), config.settings)
        return settings_for(last or ModelChoice(Path(), is_demo=True), config.settings)

    def reviewer_name(self) -> str:
        return self.config.display_name or self.store.os_user

    # -- choosing a model (one path for the window and the command line) --------------------------

    def name_authority(self) -> Authority | None:
        """The timestamp authority the settings name, used from now on (VeritraceError if it
        cannot be: checkpoints are then made without timestamps)."""
        config = self.config
        try:
            self.authority = configured_authority(config.tsa_url, config.tsa_root)
        finally:
            anchor_with(self.store, self.authority)
        return self.authority

    def start(self) -> Future[ActiveModel]:
        """Load what the settings name: their server, else their model, else the demo model.

        Raises VeritraceError if there is none.
        """
        config = self.config
        remote = configured_endpoint(config)
        if remote is not None:
            return self.use_remote(remote)
        return self.load(resolve_model(config))

    def load(
        self, choice: ModelChoice, *, chosen: bool = False, projector: Path | bool | None = True
    ) -> Future[ActiveModel]:
        """Load ``choice``. ``chosen``: newly picked, so its family's preset applies (read from
        the file's metadata on the session's thread). ``projector``: True for the one the settings
        keep for this model, else the one given (None: none)."""
        self.phases.move(Phase.LOADING)
        config = self.config
        settings = settings_for(choice, config.settings)
        use = config_projector(config, choice) if projector is True else projector or None
        self._emit(StatusText(f"Loading {choice.path.name}…"))
        return self._submit(lambda: self._load(choice, settings, use, chosen, retry=True))

    def open_model(self, path: str) -> Future[ActiveModel]:
        """A model the user picked: its family's preset and the context cap apply."""
        return self.load(ModelChoice(Path(path), is_demo=False), chosen=True)

    def use_demo_model(self) -> Future[ActiveModel]:
        return self.load(resolve_model(AppConfig()))

    def set_projector(self, path: str | None) -> Future[ActiveModel]:
        """Use (or stop using) a vision projector with the current model, and remember it."""
        with self._lock:
            choice = self._last_good
        if choice is None or choice.is_demo:
            raise VeritraceError("Open a model that has a vision projector first.")
        self._change_config(with_projector(self.config, choice.path, Path(path) if path else None))
        return self.load(choice)

    def use_remote(
        self,
        endpoint: RemoteEndpoint,
        *,
        prompt_mode: bool | None = None,
        resend_reasoning: bool | None = None,
    ) -> Future[ActiveModel]:
        """Run later turns on a server (its key comes with ``endpoint``). Magistral on Mistral's
        API gets the Magistral preset; ``prompt_mode`` and ``resend_reasoning`` are the user's
        choices for it. The model in use stays if the server cannot be used."""
        self.phases.move(Phase.LOADING)
        settings = self.settings(remote=True)
        if resend_reasoning is not None:
            settings = replace(settings, resend_reasoning=resend_reasoning)
        self._emit(StatusText(f"Connecting to {endpoint.host}…"))
        return self._submit(lambda: self._connect(endpoint, settings, prompt_mode))

    def _load(
        self, choice: ModelChoice, settings: RunSettings, projector: Path | None, chosen: bool, *, retry: bool
    ) -> ActiveModel:
        status = self._status
        chosen_settings = None
        try:
            if chosen and not choice.is_demo:
                chosen_settings = settings = settings_for(choice, settings, describe(choice.path))
            self.chat.use_backend(self._local)  # back from a server, if on one
            model = self.chat.load_model(
                choice.path, settings, is_demo=choice.is_demo, projector=projector, on_status=status
            )
        except BaseException as error:
            if not isinstance(error, Exception):  # Ctrl-C: no words, the phase set right
                self._settle_after_failure("")
                raise
            message = self._failure_words(error, "model load")
            with self._lock:
                previous = self._last_good
            if retry and previous is not None and previous != choice and self.chat.model is None:
                self._emit(ModelFailed(message, None, reloading=True))
                self._emit(StatusText("Reloading the previous model…"))
                previous_settings = settings_for(previous, self.config.settings)
                with self._lock:
                    previous_projector = config_projector(self._config, previous)
                with contextlib.suppress(Exception):  # said by the inner load already
                    self._load(previous, previous_settings, previous_projector, False, retry=False)
                raise
            self._settle_after_failure(message)
            raise
        with self._lock:
            config = self._config
            if chosen_settings is not None and chosen_settings != config.settings:
                config = replace(config, settings=chosen_settings)
            if choice != self._last_good:
                config = with_model(config, None if choice.is_demo else str(choice.path))
            if config.use_remote:
                config = with_remote(config, None)  # starts on this model next time
            self._last_good = choice
        self._became_ready(model, config)
        return model

    def _connect(
        self, endpoint: RemoteEndpoint, settings: RunSettings, prompt_mode: bool | None
    ) -> ActiveModel:
        try:
            # The status line also shows what a turn waits for there (a rate limit's countdown).
            remote = RemoteBackend(endpoint, on_status=self._status)
            model = self.chat.connect_remote(remote, settings, on_status=self._status)
            chosen = remote_settings(remote, settings, prompt_mode=prompt_mode)
        except BaseException as error:
            words = (
                self._failure_words(error, "connecting to the server") if isinstance(error, Exception) else ""
            )
            self._settle_after_failure(words)
            raise
        with self._lock:
            config = (
                replace(self._config, settings=chosen) if chosen != self._config.settings else self._config
            )
            config = with_remote(config, endpoint)  # starts there next time
        self._became_ready(model, config)
        return model

    def _became_ready(self, model: ActiveModel, config: AppConfig) -> None:
        settings_changed = config.settings != self.config.settings
        self._change_config(config)
        if settings_changed:
            self.store.log_event("settings.changed", config.settings.to_dict())
        with self._lock:
            self._model = model
        if not model.loaded.is_remote:
            mapped = ", weights memory-mapped" if model.runtime_info.get("mmap") else ""
            _log.info("model %s loaded in %.2f s%s", model.file.path, model.load_seconds, mapped)
        if self._runner is not None:
            # What is alive now (modules, classes, llama.cpp's bindings) lives as long as the app.
            # Frozen, it is out of the cycle collector's sight: a full collection while a turn
            # streams walks only what turns create.
            gc.freeze()
        self.phases.move(Phase.READY)
        if settings_changed:
            self._emit(SettingsChanged(config.settings))
        self._emit(ModelReady(model, self.settings()))

    def _settle_after_failure(self, message: str) -> None:
        """After a failed load: the model still in use (a server that did not answer), or none.
        ``message``: what to tell (none for an interrupted one)."""
        model = self.chat.model
        with self._lock:
            self._model = model
        self.phases.move(Phase.READY if model is not None else Phase.IDLE)
        if message:
            self._emit(ModelFailed(message, model))

    # -- turns ---------------------------------------------------------------------------------

    def send(
        self,
        conversation_id: int | None,
        prompt: str,
        images: Iterable[CheckedImage] = (),
        *,
        settings: RunSettings | None = None,
        sink: TurnSink | None = None,
    ) -> Future[Turn]:
        """Run a turn (a new conversation if ``conversation_id`` is None) with ``settings``, else
        the session's. Its pieces go to ``sink``, else to ``output`` and events."""
        images = tuple(images)
        self.phases.move(Phase.GENERATING)
        chosen = settings or self.settings()
        self._cancel.clear()
        return self._submit(
            lambda: self._turn(conversation_id, prompt, chosen, images, sink or _EventSink(self))
        )

    def _turn(
        self,
        conversation_id: int | None,
        prompt: str,
        settings: RunSettings,
        images: tuple[CheckedImage, ...],
        sink: TurnSink,
    ) -> Turn:
        try:
            turn = self.chat.run_turn(conversation_id, prompt, settings, sink, self._cancel, images)
        except BaseException as error:
            self._after_turn()
            if isinstance(error, Exception):
                self._emit(TurnNotRun(self._failure_words(error, "turn")))
            raise
        self._after_turn()
        self._emit(TurnEnded(turn))
        return turn

    def _after_turn(self) -> None:
        model = self.chat.model
        with self._lock:
            self._model = model
        self.phases.move(Phase.READY)

    def stop(self, reason: str | None = None) -> bool:
        """Ask the running turn to stop (from any thread); False if none is running.

        ``reason`` is recorded as the turn's finish reason (``app.core.states``): None for the
        user's Stop, ``states.WINDOW_CLOSED`` when the window closes under it.
        """
        try:
            self.phases.move(Phase.STOPPING)
        except IllegalMove:
            return False
        self._cancel.set(reason)
        return True

    @property
    def cancel_token(self) -> CancelToken:
        """The running turn's stop flag: a signal handler may set it directly."""
        return self._cancel

    def take_output(self) -> list[tuple[str, str]]:
        """Streamed (kind, text) pieces in order, kind being REASONING or ANSWER."""
        return self.output.take()

    def measure_context(
        self, conversation_id: int | None, prompt: str, images: int = 0
    ) -> Future[ContextFit | None]:
        """How the next turn would fit the context window (``ChatService.context_fit``): its
        prompt counted by the loaded model's own tokenizer, on the session's thread, which owns
        the model (after a load or a turn running). None: no model, or a window of unknown size."""
        settings = self.settings()
        return self._submit(lambda: self.chat.context_fit(conversation_id, prompt, settings, images))

    # -- the model's hash ----------------------------------------------------------------------

    def _settle_later(self) -> None:
        self._submit(self._settle)

    def _settle(self) -> None:
        """Record what the background hash or the watch found (after any running turn)."""
        try:
            self.chat.settle()
        except VeritraceError as error:
            _log.warning("the model's hash could not be recorded: %s", error)
            return
        model = self.chat.model
        with self._lock:
            self._model = model
        if model is not None and model.check is not None:
            self._emit(ModelChecked(model, model.check.problem()))

    # -- settings ----------------------------------------------------------------------------

    def apply_settings(self, settings: RunSettings) -> None:
        self._change_config(replace(self.config, settings=settings))
        self.store.log_event("settings.changed", settings.to_dict())
        self._emit(SettingsChanged(settings))

    def set_library(self, config: AppConfig) -> None:
        """Keep the model library the Models dialog edited (nothing else of its config)."""
        self._change_config(replace(self.config, models=list(config.models)))

    def keep_download(self, model: Path, projector: Path | None) -> None:
        """Add a finished download (and its projector) to the model library."""
        self._change_config(remember_download(self.config, model, projector))

    def set_display_name(self, name: str) -> None:
        """The name recorded as the actor of what this user does from now on."""
        self._change_config(replace(self.config, display_name=name.strip()))
        self.store.actor = self.reviewer_name()
        self.store.log_event(
            "reviewer.named", {"display_name": self.store.actor, "os_user": self.store.os_user}
        )

    def mark_welcomed(self) -> None:
        """The first-start welcome was shown: it is not shown again at start."""
        self._change_config(replace(self.config, welcomed=True))

    def set_language(self, language: str) -> None:
        """The window's language from its next start ("" follows the system's)."""
        self._change_config(replace(self.config, language=language))

    def set_theme(self, theme: str) -> None:
        """The window's colours from now on: "system", "light" or "dark"."""
        if theme != self.config.theme:
            self._change_config(replace(self.config, theme=theme))

    def set_timestamp_authority(self, url: str, root: str) -> None:
        """Name (or, with an empty ``url``, stop using) the RFC 3161 authority for checkpoints."""
        authority = configured_authority(url, root)
        self._change_config(replace(self.config, tsa_url=url, tsa_root=root))
        self.authority = authority
        anchor_with(self.store, authority)
        self.store.log_event("timestamps.configured", {"tsa_url": url, "tsa_root": root})

    def _change_config(self, config: AppConfig) -> None:
        with self._lock:
            changed = config != self._config
            self._config = config
        if changed and self._remember:
            save_config(config)

    # -- review --------------------------------------------------------------------------------

    def signing_key(self) -> KeyPair:
        """The installation key (its passphrase, where there is no keyring, is asked for once)."""
        with self._lock:
            if self._key is None:
                self._key = installation_key()
            key = self._key
        if self.chat.signer is None:
            # Every finished turn is then signed, so the witness outside the record covers it.
            self._submit(lambda: setattr(self.chat, "signer", key))
        return key

    def annotate(self, turn_id: int, flag: Flag, comment: str) -> Turn:
        note = self.store.annotate(turn_id, flag, comment, self.reviewer_name())
        # A note is evidence too: signed at once, so the witness outside the record covers it.
        self.store.checkpoint(self.signing_key(), f"annotation {note.id}")
        return self.store.turn(turn_id)

    def identities(self) -> list[Identity]:
        """Every signing identity of the record, revoked ones included (and marked)."""
        return identities(self.store)

    def create_identity(self, name: str, role: str, passphrase: str) -> Identity:
        """A new signing identity: its own key, kept encrypted with ``passphrase``, recorded."""
        return create_identity(self.store, name, role, passphrase, key=self.signing_key())

    def revoke_identity(self, fingerprint: str, reason: str) -> Identity:
        """Withdraw an identity: it signs nothing from now on; what it signed stays valid."""
        return revoke_identity(self.store, fingerprint, reason, key=self.signing_key())

    def meaning_statement(self, meaning: Meaning) -> str:
        """What a signature of ``meaning`` states, as the settings word it."""
        return meaning_statement(meaning, self.config)

    def set_signoff_statements(self, statements: Mapping[Meaning, str]) -> None:
        """What each meaning of a signature states from now on (blank: its default), recorded."""
        config = self.config
        for meaning, text in statements.items():
            config = with_statement(config, meaning, text)
        if config == self.config:
            return
        self._change_config(config)
        chosen = {str(meaning): config.statement(meaning) for meaning in Meaning}
        self.store.log_event("signoff.statements_changed", chosen)

    def signoff_summary(self, conversation_id: int) -> SignOffSummary:
        """What signing the conversation means, for the signer to read (``VeritraceError`` if it
        cannot be signed: no turns, a turn still running, no such conversation)."""
        return signoff_summary(self.store, conversation_id)

    def signing_attempt(
        self,
        conversation_id: int,
        *,
        fingerprint: str,
        meaning: Meaning,
        reason: str,
        acknowledged: SignOffSummary,
    ) -> SigningAttempt:
        """An attempt by identity ``fingerprint`` to sign the conversation ``acknowledged`` shows;
        give it to ``sign_off`` with the passphrase (again, after a wrong one)."""
        return SigningAttempt(
            self.store,
            conversation_id,
            fingerprint=fingerprint,
            meaning=meaning,
            reason=reason,
            acknowledged=acknowledged,
            key=self.signing_key(),
            config=self.config,
        )

    def sign_off(self, attempt: SigningAttempt, passphrase: str) -> SignOff:
        """Sign with the attempt's identity, its key opened by ``passphrase``; the conversation is
        then locked. ``WrongPassphraseError`` (with ``tries_left``), then ``TooManyTries``."""
        return attempt.sign(passphrase)

    def continue_conversation(self, conversation_id: int) -> int:
        """Open a new conversation linked to the (signed) one given; its id."""
        return self.store.continue_conversation(conversation_id, self.reviewer_name())

    def checkpoint(self, why: str = "on demand") -> Checkpoint:
        return self.store.checkpoint(self.signing_key(), why)

    def reproduce(
        self,
        turn_id: int,
        overrides: Overrides | None = None,
        cancel: CancelToken | None = None,
        on_status: Callable[[str], None] = lambda text: None,
    ) -> Reproduction:
        """Run a recorded turn again on a model of its own and record the result, signed.

        Blocks (call it off the GUI thread); the session's own model and turns are untouched.
        """
        result = reproduce(self.store, turn_id, overrides, cancel=cancel, on_status=on_status)
        self.store.checkpoint(self.signing_key(), f"reproduction of turn {turn_id}")
        return result

    def reproductions(self, turn_ids: set[int] | None = None) -> dict[int, list[Reproduction]]:
        """The recorded reproductions, by turn."""
        return reproductions(self.store, turn_ids)

    def prompt_tokens(self, turn_id: int) -> Future[PromptTokenView]:
        """A turn's recorded prompt ids, with each token's text if the model in use ran the turn.

        Read on the session's thread, which owns the model: after a running turn ends.
        """
        return self._submit(
            lambda: prompt_token_view(self.store.turn(turn_id), self.chat.model, self.chat.backend)
        )

    # -- ending --------------------------------------------------------------------------------

    def close(self, timeout: float | None = None, *, reason: str | None = None) -> None:
        """Stop a running turn (for ``reason``, as ``stop``), wait for it and any load to end,
        free the model. Safe twice."""
        if self._runner is None:
            timeout = 0.0  # nothing runs on another thread: nothing to wait for
        while self.phase is not Phase.CLOSED:
            self.stop(reason)
            self.phases.wait_for(frozenset({Phase.IDLE, Phase.READY, Phase.CLOSED}), timeout)
            try:
                self.phases.move(Phase.CLOSED)
            except IllegalMove:
                if timeout is not None and self.phase in (Phase.LOADING, Phase.GENERATING, Phase.STOPPING):
                    break  # still busy after the wait: leave the thread to the process's end
        if self._runner is not None:
            self._runner.submit(self._release)
            self._runner.stop(timeout)
        else:
            self._release()

    def _release(self) -> None:
        self.chat.release_model()
        self.chat.backend.close()
        self._local.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _submit(self, work: Callable[[], T]) -> Future[T]:
        if self._runner is not None:
            return self._runner.submit(work)
        try:
            return _done(work())
        except BaseException as error:
            if not isinstance(error, Exception):
                raise  # Ctrl-C, SystemExit: to the caller at once
            return _failed(error)

    def _status(self, text: str) -> None:
        self._emit(StatusText(text))

    def _emit(self, event: Event) -> None:
        self._listener(event)

    @staticmethod
    def _failure_words(error: Exception, doing: str) -> str:
        if isinstance(error, VeritraceError):
            return str(error)
        _log.exception("%s failed unexpectedly", doing)
        return f"Unexpected error ({type(error).__name__}: {error}). Details are in the log."
