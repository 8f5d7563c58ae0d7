"""The window's adapter over the session: user actions go to it, its events come back to the panes.

All the logic of models, settings, turns and the record lives in ``app.services.session``;
this module only turns actions into session requests and session events into what the panes
show. Events from the session's thread arrive here through a queued Qt signal, on the GUI
thread; nothing here reads state the session's thread is changing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal

from app.core import states
from app.core.errors import VeritraceError
from app.core.images import CheckedImage
from app.core.models import ContextFit
from app.core.remote import RemoteEndpoint
from app.core.signing import KeyPair
from app.core.types import (
    Conversation,
    ConversationSummary,
    Flag,
    Meaning,
    RunSettings,
    SignOff,
    Turn,
    TurnStatus,
)
from app.services.config import AppConfig
from app.services.events import (
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
from app.services.phases import IllegalMove, Phase
from app.ui.background import Background
from app.ui.composer import Composer
from app.ui.conversation_list import ConversationList
from app.ui.conversation_view import ConversationView
from app.ui.integrity import IntegrityCheck
from app.ui.reasoning_pane import ReasoningPane
from app.ui.status_bar import AppStatusBar
from app.ui.timestamps import TimestampSender
from app.ui.words import counted, number, size, status_words

if TYPE_CHECKING:  # the record's modules load once the window is shown (see ``open_record``)
    from app.services.anchoring import Authority
    from app.services.chat import ActiveModel
    from app.services.record import RecordCheck, Store
    from app.services.session import Backend, Session

_log = logging.getLogger(__name__)

LOCKED_HINT = str(
    QT_TRANSLATE_NOOP(
        "ChatController",
        "This conversation is signed and locked: continue it in a new one (Review ▸ Continue in a new "
        "conversation).",
    )
)
DEMO_HINT = str(
    QT_TRANSLATE_NOOP(
        "ChatController",
        "Demo model: tiny and not a reasoning model. Open a real GGUF with File ▸ Open model…",
    )
)


@dataclass
class _LiveTurn:
    turn: Turn
    reasoning: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)


class _Draft(NamedTuple):
    """What a measurement against the context window depends on. ``epoch`` changes with the
    record, the model and the settings."""

    epoch: int
    conversation_id: int | None
    prompt: str
    images: int


@dataclass(frozen=True)
class Panes:
    conversations: ConversationList
    view: ConversationView
    reasoning: ReasoningPane
    composer: Composer
    status: AppStatusBar


CONTEXT_CHECK_MS = 250  # after typing pauses, before the draft is measured against the context
# Streamed text reaches the panes at most this often: a layout per token would stall the window.
REPAINT_INTERVAL_MS = 30
# Inserting text costs layout time in proportion to its length: one repaint shows at most this
# much, so that even a burst far faster than any model never blocks the event loop for long.
MAX_CHARS_PER_REPAINT = 8_000


class ChatController(QObject):
    """Drives the panes from user actions and session events.

    Signals:
        events(object): every session ``Event``, as it happens (from the session's thread).
        error_occurred(str, str): a title and a message for the user.
        model_changed(object): the ``ActiveModel`` in use, or None.
        model_checked(object, str): the model in use once its files are hashed in full, or one
            changed on disk; the problem in words ("" if the hash agreed).
        turn_finished(object): a ``Turn`` as recorded after it ended.
        image_requested(bytes, str): show this image at full size, with this caption.
        record_verified(object): a ``RecordCheck`` of the whole record finished.
        signed_off(object): the ``SignOff`` just recorded.
        context_warned(str): the next turn may not fit the context window (sent anyway).
        record_changed(): conversations, turns, annotations or sign-offs were recorded.
    """

    events = Signal(object)
    error_occurred = Signal(str, str)
    model_changed = Signal(object)
    model_checked = Signal(object, str)
    turn_finished = Signal(object)
    image_requested = Signal(bytes, str)
    record_verified = Signal(object)
    signed_off = Signal(object)
    context_warned = Signal(str)
    record_changed = Signal()
    # A measurement of a draft against the context window ended (its request, its Future).
    _context_measured = Signal(object, object)

    # Set by ``open_record``: the record, and what works on it.
    store: Store
    session: Session
    integrity: IntegrityCheck
    timestamps: TimestampSender

    def __init__(
        self,
        store: Store | None,
        backend: Backend | None,
        config: AppConfig,
        panes: Panes,
        parent: QObject | None = None,
    ) -> None:
        """``store`` None: the record is opened after the window is shown (``open_record``, which
        may bring the backend too); until then nothing can be sent or recorded."""
        super().__init__(parent)
        self.panes = panes
        self.model: ActiveModel | None = None  # as the last event said, on this thread
        self.conversation_id: int | None = None
        self.live: _LiveTurn | None = None
        self.locked = False
        self.record_open = False
        self._closed = False
        self._listed = 0  # conversation lists asked for: only the latest is shown
        self._backend, self._config = backend, config  # for the session, once the record is open
        # Emitted on the session's thread, received here on the GUI thread (a queued connection).
        self.events.connect(self._on_event)

        # The draft is checked against the context window a moment after typing pauses.
        self._context_timer = QTimer(self)
        self._context_timer.setSingleShot(True)
        self._context_timer.setInterval(CONTEXT_CHECK_MS)
        self._context_timer.timeout.connect(self.check_context)
        panes.composer.editor.textChanged.connect(self._context_timer.start)
        panes.composer.attachments.changed.connect(self._context_timer.start)
        self._context_measured.connect(self._on_context_measured)
        self._measuring: _Draft | None = None  # the measurement running, if one is
        self._measure_again = False  # the draft changed while it ran
        self._warn_when_measured: set[_Draft] = set()  # prompts sent: warn in the status bar
        self._last_fit: tuple[_Draft, ContextFit | None] | None = None
        self._context_epoch = 0
        self._problem_said: str | None = None  # what the last verification found wrong
        # Streamed text waits in the session's output buffer until the next repaint takes it.
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.timeout.connect(self._on_repaint_timeout)

        panes.composer.submitted.connect(self.send)
        panes.composer.stop_requested.connect(self.stop)
        panes.conversations.conversation_selected.connect(self.select_conversation)
        panes.conversations.new_requested.connect(self.new_conversation)
        panes.view.turn_selected.connect(self.select_turn)
        panes.view.image_activated.connect(self.open_image)
        panes.view.images_dropped.connect(panes.composer.add_from_mime)
        if store is not None:
            self.open_record(store)
        else:
            opening = self.tr("Opening the record…")
            panes.status.set_state(opening)
            panes.composer.set_can_send(False, opening)

    def open_record(self, store: Store, backend: Backend | None = None) -> None:
        """Work on this record, now open (and run turns on ``backend``, if not given before): the
        session, the integrity check and the timestamp sender start with it."""
        from app.services.session import Session  # loads the record's modules: not before now

        backend = backend if backend is not None else self._backend
        if backend is None:
            raise ValueError("the record was opened with no backend to run turns on")
        self.store = store
        self.session = Session(
            store, backend, self._config, listener=self.events.emit, background=True, remember=True
        )
        self.integrity = IntegrityCheck(store, self, idle=lambda: not self.busy)
        self.integrity.started.connect(self.panes.status.set_verifying)
        self.record_changed.connect(self.integrity.refresh)  # what it says stays true after later writes
        self.integrity.finished.connect(self._on_integrity_finished)
        self.timestamps = TimestampSender(store, self)
        self.timestamps.finished.connect(self._on_timestamps_finished)
        # Reads a turn's start and end need, off the GUI thread: a long turn's conversation takes
        # longer to read than a frame lasts, and the turn's own thread competes for Python's GIL.
        self._reads = Background("window reads", self)
        self.panes.view.image_source = store.image_data
        self.record_open = True

    # -- what the session holds --------------------------------------------------------------

    @property
    def config(self) -> AppConfig:
        return self.session.config if self.record_open else self._config

    @property
    def authority(self) -> Authority | None:
        return self.session.authority

    @property
    def loading(self) -> bool:
        return self.record_open and self.session.phase is Phase.LOADING

    @property
    def busy(self) -> bool:
        return self.record_open and self.session.phase in (Phase.GENERATING, Phase.STOPPING)

    def settings(self, *, remote: bool = False) -> RunSettings:
        return self.session.settings(remote=remote)

    def reviewer_name(self) -> str:
        return self.session.reviewer_name()

    # -- actions -----------------------------------------------------------------------------

    def signing_key(self) -> KeyPair:
        """The installation key (its passphrase, where there is no keyring, is asked for once)."""
        return self.session.signing_key()

    def start(self) -> None:
        """Show the record, verify it in the background, load the configured model."""
        self.refresh_conversations()
        self.integrity.start()
        try:
            self.signing_key()
        except VeritraceError as error:  # turns still run and are recorded; only signing waits
            self.error_occurred.emit(self.tr("Signing is off for now"), str(error))
        try:
            self.session.name_authority()
        except VeritraceError as error:
            self.error_occurred.emit(self.tr("Timestamps are off"), str(error))
        self.send_timestamps()  # whatever an earlier session left queued
        try:
            self.session.start()
        except VeritraceError as error:
            self.error_occurred.emit(self.tr("No model"), str(error))
            self._no_model()

    def _request(self, title: str, action: Callable[[], object]) -> bool:
        """Run a session request; a refusal (a model still loading, a turn running) is said."""
        try:
            action()
        except VeritraceError as error:
            self.error_occurred.emit(title, str(error))
            return False
        return True

    def open_model(self, path: str) -> None:
        """Load a model the user picked (File ▸ Open, the Models dialog, a finished download)."""
        self._request(self.tr("Model not loaded"), lambda: self.session.open_model(path))

    def use_demo_model(self) -> None:
        self._request(self.tr("Demo model unavailable"), self.session.use_demo_model)

    def use_remote(
        self,
        endpoint: RemoteEndpoint,
        *,
        prompt_mode: bool | None = None,
        resend_reasoning: bool | None = None,
    ) -> None:
        """Run later turns on a server (the key comes with ``endpoint``, from the keyring)."""
        self._request(
            self.tr("Server not used"),
            lambda: self.session.use_remote(
                endpoint, prompt_mode=prompt_mode, resend_reasoning=resend_reasoning
            ),
        )

    def set_projector(self, path: str | None) -> None:
        """Use (or stop using) a vision projector for the current model, and remember it."""
        self._request(self.tr("No vision for this model"), lambda: self.session.set_projector(path))

    def set_library(self, config: AppConfig) -> None:
        """Keep the model library the Models dialog edited (nothing else of its config)."""
        self.session.set_library(config)

    def keep_download(self, model: Path, projector: Path | None) -> None:
        """Add a finished download to the model library."""
        self._request(
            self.tr("Downloaded model not added"), lambda: self.session.keep_download(model, projector)
        )

    def apply_settings(self, settings: RunSettings) -> None:
        self.session.apply_settings(settings)
        self._context_changed()
        self.check_context()  # max tokens may have changed

    def open_image(self, sha256: str) -> None:
        for turn in self._shown_turns():
            for image in turn.images:
                if sha256 == image.sha256:
                    seen = (
                        self.tr("The model saw a {width} × {height} copy (SHA-256 {sha256}).").format(
                            width=image.sent_width, height=image.sent_height, sha256=image.sent_sha256
                        )
                        if image.sent_to_model
                        else self.tr("The model did not see this image (no vision projector).")
                    )
                    caption = (
                        f"{image.filename} · {image.media_type} · {image.width} × {image.height} · "
                        f"{size(image.size)}\nSHA-256 {image.sha256}\n{seen}"
                    )
                    self.image_requested.emit(self.store.image_data(sha256), caption)
                    return

    def _shown_turns(self) -> tuple[Turn, ...]:
        if self.conversation_id is None:
            return ()
        return self.store.conversation(self.conversation_id).turns

    def send(self, prompt: str, images: tuple[CheckedImage, ...] = ()) -> None:
        if not self.record_open:  # nothing is sent that could not be recorded; the draft stays
            self.panes.status.showMessage(
                self.tr("The record is still opening: nothing was sent. Send again once it is open."), 10000
            )
            return
        if self.model is None or self.busy or not (prompt.strip() or images):
            return
        request = self._context_request(prompt, len(images))
        known = self._last_fit
        # Measured now, if the draft was not, on the session's thread before the turn runs.
        measuring = None if known is not None and known[0] == request else self._measure(request)
        try:
            self.session.send(self.conversation_id, prompt, images)
        except IllegalMove as error:  # a model still loading: the composer says so already
            self.panes.status.showMessage(str(error), 5000)
            return
        if measuring is None:
            assert known is not None
            self._warn_as_sent(known[1])
        else:
            self._warn_when_measured.add(request)
            self._when_measured(request, measuring)

    def check_context(self) -> None:
        """Measure the draft against the context window with the model's own tokenizer, on the
        session's thread (typing never waits for it); what it finds shows under the draft."""
        if not self.record_open or self.model is None or self.loading or self.busy:
            return  # measured again once the model is ready, or the turn has ended
        composer = self.panes.composer
        request = self._context_request(composer.text(), len(composer.attachments.images()))
        if self._last_fit is not None and self._last_fit[0] == request:
            composer.set_context_warning(self._fit_words(self._last_fit[1]))
            return
        if self._measuring is not None:
            self._measure_again = True  # once the one running ends: one at a time
            return
        self._measuring = request
        self._when_measured(request, self._measure(request))

    def _context_request(self, prompt: str, images: int) -> _Draft:
        return _Draft(self._context_epoch, self.conversation_id, prompt, images)

    def _measure(self, draft: _Draft) -> Future[ContextFit | None]:
        return self.session.measure_context(draft.conversation_id, draft.prompt, draft.images)

    def _context_changed(self) -> None:
        """The conversation, the model or the settings changed: earlier measurements are stale."""
        self._context_epoch += 1
        self._last_fit = None

    def _when_measured(self, request: _Draft, measuring: Future[ContextFit | None]) -> None:
        def done(future: Future[ContextFit | None]) -> None:
            with contextlib.suppress(RuntimeError):  # the window is gone: nobody is left to tell
                self._context_measured.emit(request, future)

        measuring.add_done_callback(done)

    def _on_context_measured(self, request: _Draft, measured: Future[ContextFit | None]) -> None:
        try:
            fit = measured.result()
        except Exception as error:  # a template that cannot render: the turn will say so
            _log.info("the draft could not be measured against the context: %s", error)
            fit = None
        if request in self._warn_when_measured:
            self._warn_when_measured.discard(request)
            self._warn_as_sent(fit)
        if request == self._measuring:
            self._measuring = None
            self._last_fit = (request, fit)
            composer = self.panes.composer
            if request == self._context_request(composer.text(), len(composer.attachments.images())):
                composer.set_context_warning(self._fit_words(fit))
            if self._measure_again:
                self._measure_again = False
                self.check_context()

    def _warn_as_sent(self, fit: ContextFit | None) -> None:
        """Warn (status bar) as a turn that may overflow starts; the session still stops it if it does."""
        warning = self._fit_words(fit)
        if warning:
            self.panes.status.showMessage(warning, 15000)
            self.context_warned.emit(warning)

    def _fit_words(self, fit: ContextFit | None) -> str | None:
        """The warning for a measurement that does not fit, in the window's language (None if it fits)."""
        if fit is None or fit.fits:
            return None
        if fit.estimated:
            words = self.tr(
                "This turn may not fit: its prompt is about {prompt} tokens (an estimate: the server's "
                "tokenizer is not available here) and up to {more} more may be generated, but the context "
                "window is {window} tokens. Nothing is dropped: start a new conversation or raise the "
                "context size if it fails."
            )
        else:
            words = self.tr(
                "This turn may not fit: its prompt is {prompt} tokens (counted by the model's tokenizer) "
                "and up to {more} more may be generated, but the context window is {window} tokens. "
                "Nothing is dropped: start a new conversation or raise the context size if it fails."
            )
        words = words.format(
            prompt=number(fit.prompt_tokens), more=number(fit.max_tokens), window=number(fit.n_ctx)
        )
        if fit.uncounted_images:
            words += " " + self.tr("Images are not counted ({count}).").format(
                count=number(fit.uncounted_images)
            )
        return words

    def stop(self) -> None:
        if self.record_open:
            self.session.stop()

    def new_conversation(self) -> None:
        self.conversation_id = None
        self.locked = False
        self._refresh_composer()
        self.panes.view.show_conversation(None)
        self.panes.reasoning.clear()
        self.panes.conversations.list.clearSelection()
        self.panes.composer.editor.setFocus()

    def select_conversation(self, conversation_id: int) -> None:
        self.conversation_id = conversation_id
        conversation = self.store.conversation(conversation_id)
        self.locked = conversation.locked
        self._refresh_composer()
        live = self.live
        if live is not None and live.turn.conversation_id == conversation_id:
            self.panes.view.begin_live(conversation, live.turn, "".join(live.answer))
            self.panes.reasoning.begin_live(live.turn, "".join(live.reasoning))
            return
        last = conversation.turns[-1] if conversation.turns else None
        self.panes.view.show_conversation(conversation, last.id if last else None)
        if last is None:
            self.panes.reasoning.clear()
        else:
            self.panes.reasoning.show_turn(last)

    def select_turn(self, turn_id: int) -> None:
        live = self.live
        if live is not None and live.turn.id == turn_id:
            self.panes.reasoning.begin_live(live.turn, "".join(live.reasoning))
            return
        turn = self.store.turn(turn_id)
        self.panes.reasoning.show_turn(turn)
        if live is None or live.turn.conversation_id != turn.conversation_id:
            view = self.panes.view
            if view.shown_conversation_id != turn.conversation_id or not view.select_turn(turn_id):
                view.show_conversation(self.store.conversation(turn.conversation_id), turn_id)

    def refresh_conversations(self) -> None:
        self._listed += 1  # a list read in the background before now is out of date
        self.panes.conversations.set_conversations(self.store.list_conversations(), self.conversation_id)
        self.record_changed.emit()

    def _refresh_conversations_soon(self) -> None:
        """``refresh_conversations``, its read off the GUI thread (none newer may have come since)."""
        self._listed += 1
        listed = self._listed

        def show(summaries: list[ConversationSummary]) -> None:
            if listed == self._listed and not self._closed:
                self.panes.conversations.set_conversations(summaries, self.conversation_id)
                self.record_changed.emit()

        store = self.store
        self._reads.start(lambda _cancel: store.list_conversations(), show, doing="Listing the conversations")

    # -- review --------------------------------------------------------------------------------

    def set_display_name(self, name: str) -> None:
        """The name recorded as the actor of what this user does from now on."""
        self.session.set_display_name(name)
        self.integrity.refresh()

    def annotate(self, turn_id: int, flag: Flag, comment: str) -> None:
        try:
            turn = self.session.annotate(turn_id, flag, comment)
        except VeritraceError as error:
            self.error_occurred.emit(self.tr("Annotation not added"), str(error))
            return
        self.send_timestamps()
        self.panes.view.show_conversation(self.store.conversation(turn.conversation_id), turn_id)
        self.refresh_conversations()

    def show_signed(self, signed: SignOff) -> None:
        """Show a sign-off the services just recorded (the sign-off dialog signs): the conversation,
        now locked, with its signatures above it."""
        self.send_timestamps()
        if self.conversation_id == signed.conversation_id:
            self.select_conversation(signed.conversation_id)
        self.refresh_conversations()
        self.signed_off.emit(signed)

    def set_statements(self, statements: Mapping[Meaning, str]) -> None:
        """What each meaning of a signature states from now on (blank: its default)."""
        self._request(
            self.tr("Statements not saved"), lambda: self.session.set_signoff_statements(statements)
        )
        self.integrity.refresh()

    def continue_conversation(self) -> None:
        """Open a new conversation linked to the (signed) one shown."""
        if self.conversation_id is None:
            return
        new_id = self.session.continue_conversation(self.conversation_id)
        self.conversation_id = new_id
        self.refresh_conversations()
        self.select_conversation(new_id)

    def checkpoint(self) -> None:
        try:
            made = self.session.checkpoint()
        except VeritraceError as error:
            self.error_occurred.emit(self.tr("No checkpoint made"), str(error))
            return
        self.send_timestamps()
        self.integrity.refresh()
        self.panes.status.set_state(
            self.tr("Signed checkpoint {number}: {entries}").format(
                number=made.id, entries=counted().entries(made.entry_count)
            )
        )

    def _refresh_composer(self) -> None:
        # Nothing is added to a signed conversation: Attach says why, as Send does.
        self.panes.composer.set_can_attach(not self.locked, self.tr(LOCKED_HINT))
        if self.model is None or self.loading:
            return
        if self.locked:
            self.panes.composer.set_can_send(False, self.tr(LOCKED_HINT))
        else:
            self.panes.composer.set_can_send(True, self.tr(DEMO_HINT) if self.model.loaded.is_demo else "")
        self.check_context()  # another conversation, model or context size: another answer

    def verify_record(self) -> None:
        self._problem_said = None  # asked for: whatever it finds is said, even if said before
        self.integrity.start()

    def _on_integrity_finished(self, result: RecordCheck) -> None:
        self.panes.status.set_verification(result)
        problem = None if result.intact else "\n".join(result.lines())
        # Verified again after each write: a problem is said once, not after every write.
        if problem is not None and problem != self._problem_said:
            self.error_occurred.emit(self.tr("The record failed verification"), problem)
        self._problem_said = problem
        self.record_verified.emit(result)

    def set_language(self, language: str) -> None:
        """The window's language from its next start ("" follows the system's)."""
        self.session.set_language(language)

    def set_theme(self, theme: str) -> None:
        """The window's colours, kept for the next start: "system", "light" or "dark"."""
        self.session.set_theme(theme)

    def set_timestamp_authority(self, url: str, root: str) -> None:
        """Name (or, with an empty ``url``, stop using) the RFC 3161 authority for checkpoints."""
        if self._request(
            self.tr("Timestamp authority not changed"),
            lambda: self.session.set_timestamp_authority(url, root),
        ):
            self.send_timestamps()

    def send_timestamps(self) -> None:
        """Send queued checkpoints to the authority in the background, if one is named."""
        if self.authority is not None:
            self.timestamps.send(self.authority)

    def _on_timestamps_finished(self, text: str) -> None:
        self.panes.status.showMessage(self.tr("Timestamps: {result}").format(result=text), 15000)
        self.integrity.refresh()

    def shutdown(self) -> None:
        """Stop generation, wait for it, free the model. Safe to call twice.

        A turn still generating is recorded as stopped because the window closed, not as
        stopped by the reviewer.
        """
        self._closed = True  # a turn's end still being shown stops where it is
        if not self.record_open:
            return  # nothing started
        self.integrity.wait()
        self.timestamps.wait()
        self._reads.wait()
        self.session.close(reason=states.WINDOW_CLOSED)

    # -- session events --------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        kind = type(event)
        if kind in _CHANGES_CONTEXT:
            self._context_changed()  # before the handler measures the draft again
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, event)
        if kind in (TurnNotRun, SettingsChanged):
            self.check_context()
        if kind in _CHANGES_RECORD:
            self.integrity.refresh()

    def _on_phase(self, event: PhaseChanged) -> None:
        composer, status = self.panes.composer, self.panes.status
        if event.phase is Phase.LOADING:
            composer.set_can_send(False, self.tr("Loading model…"))
        elif event.phase is Phase.GENERATING:
            composer.set_busy(True)
            status.set_state(self.tr("Generating…"))
        elif event.phase is Phase.STOPPING:
            composer.set_busy(True, stopping=True)
            status.set_state(self.tr("Stopping…"))

    def _on_status(self, event: StatusText) -> None:
        self.panes.status.set_state(status_words(event.text))

    def _on_model_ready(self, event: ModelReady) -> None:
        model = self.model = event.model
        status = self.panes.status
        status.set_model(model)
        if model.check is None:
            status.set_hash_result(None)  # a server's model: nothing to hash here
        self.panes.composer.set_model_sees_images(model.loaded.has_vision)
        status.set_state(self.tr("Ready"))
        self._refresh_composer()
        self.model_changed.emit(model)

    def _on_model_checked(self, event: ModelChecked) -> None:
        """The loaded files' full hash finished, or one changed on disk (``problem``)."""
        if self.model is None or self.model.file.path != event.model.file.path:
            return  # a later load replaced it
        self.model = event.model
        self.panes.status.set_model(event.model)
        self.panes.status.set_hash_result(event.problem)
        if event.problem:
            self.error_occurred.emit(self.tr("Model file changed"), event.problem)
        self.model_checked.emit(event.model, event.problem)

    def _on_model_failed(self, event: ModelFailed) -> None:
        self.error_occurred.emit(self.tr("Model not loaded"), event.message)
        if event.reloading:
            return  # the model used before is being loaded again
        self.model = event.model
        if event.model is None:
            self.panes.status.set_model(None)
            self._no_model()
        else:
            self.panes.status.set_state(self.tr("Ready"))
            self._refresh_composer()

    def _on_hash_progress(self, event: HashProgress) -> None:
        self.panes.status.set_hash_progress(event.fraction)

    def tell_interrupted(self, turn_ids: list[int]) -> str:
        """Say, at start-up, which turns the app's last stop cut off (``Store.mark_interrupted``'s
        ids); the words shown ("" for none)."""
        from app.services.recovery import interrupted_message

        words = interrupted_message(self.store, turn_ids)
        if words:
            _log.info("%s", words)
            self.panes.status.set_notice(words)
        return words

    def _on_turn_started(self, event: TurnStarted) -> None:
        turn = event.turn
        self.panes.status.set_notice("")  # what the last start-up said is past now
        self.live = _LiveTurn(turn)
        self.conversation_id = turn.conversation_id
        self.panes.composer.clear()  # the prompt is in the record now
        if turn.index == 0:
            # A new conversation for the list (counts are refreshed at the end), read in the
            # background: the turn's first output is on its way.
            self._refresh_conversations_soon()
        if not self.panes.view.continue_live(turn):
            self.panes.view.begin_live(self.store.conversation(turn.conversation_id), turn)
        self.panes.reasoning.begin_live(turn)

    def _on_output_waiting(self, _event: OutputWaiting) -> None:
        if not self._repaint.isActive():
            self._repaint.start(REPAINT_INTERVAL_MS)

    def _on_repaint_timeout(self) -> None:
        self._show_output(MAX_CHARS_PER_REPAINT)
        if self.session.output.waiting():
            self._repaint.start(0)  # the rest once the event loop has run

    def _show_output(self, limit: int | None = None) -> None:
        for kind, text in self.session.output.take(limit):
            if kind == REASONING:
                self._on_reasoning(text)
            else:
                self._on_answer(text)

    def _on_reasoning(self, text: str) -> None:
        live = self.live
        if live is None:
            return
        live.reasoning.append(text)
        if self.panes.reasoning.turn_id == live.turn.id:
            self.panes.reasoning.append(text)

    def _on_answer(self, text: str) -> None:
        live = self.live
        if live is None:
            return
        if not live.answer:
            self.panes.reasoning.mark_answering(live.turn)
        live.answer.append(text)
        if self.panes.view.live_turn_id == live.turn.id:
            self.panes.view.append_answer(text)

    def _on_progress(self, event: TurnProgress) -> None:
        self.panes.status.set_speed(event.completion_tokens, event.tokens_per_second)

    def _on_turn_ended(self, event: TurnEnded) -> None:
        turn = event.turn
        self.send_timestamps()  # the head the session signed after the turn
        self._repaint.stop()
        self._show_output()  # everything still waiting: the turn is shown whole
        self.live = None
        self.panes.status.set_recorded_tokens(turn)
        self.panes.reasoning.end_live(turn)
        # The rest in steps, each in an event-loop pass of its own (a timer, not a posted call,
        # so that the window repaints between them): after a long turn, all of it at once would
        # hold the window for several frames. The turn is finished (and Send back) once it is
        # shown whole.
        QTimer.singleShot(1, self, lambda: self._load_ended(turn))

    def _load_ended(self, turn: Turn) -> None:
        if self._closed:
            return
        if self.live is None and self.conversation_id == turn.conversation_id:
            store, conversation_id = self.store, turn.conversation_id
            self._reads.start(
                lambda _cancel: store.conversation(conversation_id),
                lambda conversation: self._show_ended(turn, conversation),
                lambda words: self._show_ended(turn, None, words),
                doing="Showing the turn",
            )
        else:
            QTimer.singleShot(1, self, lambda: self._settle_ended(turn))

    def _show_ended(self, turn: Turn, conversation: Conversation | None, failure: str = "") -> None:
        if self._closed:
            return
        if failure:  # the record could not be read: the turn is recorded, only not shown again
            self.error_occurred.emit(self.tr("Turn not shown"), failure)
        elif conversation is not None and self.live is None and self.conversation_id == turn.conversation_id:
            self.panes.view.show_conversation(conversation, turn.id)
            if self.panes.reasoning.turn_id != turn.id:
                # The pane already holds this turn's streamed trace: laying out a long trace
                # again would stall the window for nothing.
                self.panes.reasoning.show_turn(turn)
        QTimer.singleShot(1, self, lambda: self._settle_ended(turn))

    def _settle_ended(self, turn: Turn) -> None:
        if self._closed:
            return
        if self.live is None:  # not a turn sent since: that one is running
            self.panes.composer.set_busy(False)
        self.refresh_conversations()
        self.check_context()  # the conversation just grew
        self.panes.status.set_turn_state(turn)
        if turn.status == TurnStatus.COMPLETED:
            self.panes.status.clearMessage()  # a warning from before this turn is stale now
        if turn.status == TurnStatus.FAILED:
            self.error_occurred.emit(self.tr("Turn failed"), turn.error or self.tr("The turn failed."))
        self.turn_finished.emit(turn)

    def _on_turn_not_run(self, event: TurnNotRun) -> None:
        self.live = None
        self.panes.composer.set_busy(False)
        self.panes.status.set_state(self.tr("Ready"))
        self.refresh_conversations()
        self.error_occurred.emit(self.tr("Turn not run"), event.message)

    def _no_model(self) -> None:
        self.panes.status.set_state(self.tr("No model loaded"))
        self.panes.composer.set_can_send(False, self.tr("No model loaded: use File ▸ Open model…"))


_HANDLERS: dict[type, Callable[[ChatController, Any], None]] = {
    PhaseChanged: ChatController._on_phase,
    StatusText: ChatController._on_status,
    ModelReady: ChatController._on_model_ready,
    ModelChecked: ChatController._on_model_checked,
    ModelFailed: ChatController._on_model_failed,
    HashProgress: ChatController._on_hash_progress,
    TurnStarted: ChatController._on_turn_started,
    OutputWaiting: ChatController._on_output_waiting,
    TurnProgress: ChatController._on_progress,
    TurnEnded: ChatController._on_turn_ended,
    TurnNotRun: ChatController._on_turn_not_run,
}
# Events after which the draft is measured again: the model, the settings or the conversation changed.
_CHANGES_CONTEXT = frozenset({ModelReady, ModelFailed, TurnEnded, TurnNotRun, SettingsChanged})
# Events that come after a write to the record (the integrity label is brought up to date).
_CHANGES_RECORD = frozenset({ModelReady, ModelChecked, ModelFailed, TurnEnded, TurnNotRun, SettingsChanged})
