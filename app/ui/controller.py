"""The window's adapter over the session: user actions go to it, its events come back to the panes.

All the logic of models, settings, turns and the record lives in ``app.services.session``;
this module only turns actions into session requests and session events into what the panes
show. Events from the session's thread arrive here through a queued Qt signal, on the GUI
thread; nothing here reads state the session's thread is changing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import states
from app.core.errors import VeritraceError
from app.core.images import CheckedImage, human_size
from app.core.remote import RemoteEndpoint
from app.core.signing import KeyPair
from app.core.types import Flag, Meaning, RunSettings, SignOff, Turn, TurnStatus
from app.services.anchoring import Authority
from app.services.chat import ActiveModel
from app.services.config import AppConfig
from app.services.phases import IllegalMove, Phase
from app.services.record import RecordCheck, Store
from app.services.recovery import interrupted_message
from app.services.session import (
    REASONING,
    Backend,
    Event,
    HashProgress,
    ModelChecked,
    ModelFailed,
    ModelReady,
    OutputWaiting,
    PhaseChanged,
    Session,
    StatusText,
    TurnEnded,
    TurnNotRun,
    TurnProgress,
    TurnStarted,
)
from app.ui.composer import Composer
from app.ui.conversation_list import ConversationList
from app.ui.conversation_view import ConversationView
from app.ui.integrity import IntegrityCheck
from app.ui.reasoning_pane import ReasoningPane
from app.ui.status_bar import AppStatusBar
from app.ui.timestamps import TimestampSender

_log = logging.getLogger(__name__)

LOCKED_HINT = "Signed off and locked — Review ▸ Continue in a new conversation."
DEMO_HINT = "Demo model: tiny and not a reasoning model. Open a real GGUF with File ▸ Open model…"


@dataclass
class _LiveTurn:
    turn: Turn
    reasoning: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)


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
MAX_CHARS_PER_REPAINT = 16_000


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

    def __init__(
        self, store: Store, backend: Backend, config: AppConfig, panes: Panes, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.panes = panes
        self.model: ActiveModel | None = None  # as the last event said, on this thread
        self.conversation_id: int | None = None
        self.live: _LiveTurn | None = None
        self.locked = False
        # Emitted on the session's thread, received here on the GUI thread (a queued connection).
        self.events.connect(self._on_event)
        self.session = Session(
            store, backend, config, listener=self.events.emit, background=True, remember=True
        )
        self.integrity = IntegrityCheck(store, self)
        self.integrity.started.connect(panes.status.set_verifying)
        self.integrity.finished.connect(self._on_integrity_finished)
        self.timestamps = TimestampSender(store, self)
        self.timestamps.finished.connect(self._on_timestamps_finished)

        # The draft is checked against the context window a moment after typing pauses.
        self._context_timer = QTimer(self)
        self._context_timer.setSingleShot(True)
        self._context_timer.setInterval(CONTEXT_CHECK_MS)
        self._context_timer.timeout.connect(self.check_context)
        panes.composer.editor.textChanged.connect(self._context_timer.start)
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
        panes.view.image_source = store.image_data

    # -- what the session holds --------------------------------------------------------------

    @property
    def config(self) -> AppConfig:
        return self.session.config

    @property
    def authority(self) -> Authority | None:
        return self.session.authority

    @property
    def loading(self) -> bool:
        return self.session.phase is Phase.LOADING

    @property
    def busy(self) -> bool:
        return self.session.phase in (Phase.GENERATING, Phase.STOPPING)

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
            self.error_occurred.emit("Signing is off for now", str(error))
        try:
            self.session.name_authority()
        except VeritraceError as error:
            self.error_occurred.emit("Timestamps are off", str(error))
        self.send_timestamps()  # whatever an earlier session left queued
        try:
            self.session.start()
        except VeritraceError as error:
            self.error_occurred.emit("No model", str(error))
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
        self._request("Model not loaded", lambda: self.session.open_model(path))

    def use_demo_model(self) -> None:
        self._request("Demo model unavailable", self.session.use_demo_model)

    def use_remote(
        self,
        endpoint: RemoteEndpoint,
        *,
        prompt_mode: bool | None = None,
        resend_reasoning: bool | None = None,
    ) -> None:
        """Run later turns on a server (the key comes with ``endpoint``, from the keyring)."""
        self._request(
            "Server not used",
            lambda: self.session.use_remote(
                endpoint, prompt_mode=prompt_mode, resend_reasoning=resend_reasoning
            ),
        )

    def set_projector(self, path: str | None) -> None:
        """Use (or stop using) a vision projector for the current model, and remember it."""
        self._request("No vision for this model", lambda: self.session.set_projector(path))

    def set_library(self, config: AppConfig) -> None:
        """Keep the model library the Models dialog edited (nothing else of its config)."""
        self.session.set_library(config)

    def keep_download(self, model: Path, projector: Path | None) -> None:
        """Add a finished download to the model library."""
        self._request("Downloaded model not added", lambda: self.session.keep_download(model, projector))

    def apply_settings(self, settings: RunSettings) -> None:
        self.session.apply_settings(settings)
        self.check_context()  # max tokens may have changed

    def open_image(self, sha256: str) -> None:
        for turn in self._shown_turns():
            for image in turn.images:
                if sha256 == image.sha256:
                    seen = (
                        f"The model saw a {image.sent_width} x {image.sent_height} copy "
                        f"(SHA-256 {image.sent_sha256})."
                        if image.sent_to_model
                        else "The model did not see this image (no vision projector)."
                    )
                    caption = (
                        f"{image.filename} · {image.media_type} · {image.width} x {image.height} · "
                        f"{human_size(image.size)}\nSHA-256 {image.sha256}\n{seen}"
                    )
                    self.image_requested.emit(self.store.image_data(sha256), caption)
                    return

    def _shown_turns(self) -> tuple[Turn, ...]:
        if self.conversation_id is None:
            return ()
        return self.store.conversation(self.conversation_id).turns

    def send(self, prompt: str, images: tuple[CheckedImage, ...] = ()) -> None:
        if self.model is None or self.busy or not (prompt.strip() or images):
            return
        try:
            self.session.send(self.conversation_id, prompt, images)
        except IllegalMove as error:  # a model still loading: the composer says so already
            self.panes.status.showMessage(str(error), 5000)
            return
        self._warn_if_context_is_short(prompt)

    def check_context(self) -> str | None:
        """Show under the draft, before it is sent, whether the next turn may not fit the context."""
        warning = self.session.context_warning(self.conversation_id, self.panes.composer.text())
        self.panes.composer.set_context_warning(warning)
        return warning

    def _warn_if_context_is_short(self, prompt: str) -> None:
        """Warn (status bar) as a turn that may overflow starts; the session still stops it if it does."""
        warning = self.session.context_warning(self.conversation_id, prompt)
        if warning:
            self.panes.status.showMessage(warning, 15000)
            self.context_warned.emit(warning)

    def stop(self) -> None:
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
        self.panes.conversations.set_conversations(self.store.list_conversations(), self.conversation_id)
        self.record_changed.emit()

    # -- review --------------------------------------------------------------------------------

    def set_display_name(self, name: str) -> None:
        """The name recorded as the actor of what this user does from now on."""
        self.session.set_display_name(name)

    def annotate(self, turn_id: int, flag: Flag, comment: str) -> None:
        try:
            turn = self.session.annotate(turn_id, flag, comment)
        except VeritraceError as error:
            self.error_occurred.emit("Annotation not added", str(error))
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
        self._request("Statements not saved", lambda: self.session.set_signoff_statements(statements))

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
            self.error_occurred.emit("No checkpoint made", str(error))
            return
        self.send_timestamps()
        self.panes.status.set_state(f"Signed checkpoint {made.id}: {made.entry_count} entries")

    def _refresh_composer(self) -> None:
        if self.model is None or self.loading:
            return
        if self.locked:
            self.panes.composer.set_can_send(False, LOCKED_HINT)
        else:
            self.panes.composer.set_can_send(True, DEMO_HINT if self.model.loaded.is_demo else "")
        self.check_context()  # another conversation, model or context size: another answer

    def verify_record(self) -> None:
        self.integrity.start()

    def _on_integrity_finished(self, result: RecordCheck) -> None:
        self.panes.status.set_verification(result)
        if not result.intact:
            self.error_occurred.emit("The record failed verification", "\n".join(result.lines()))
        self.record_verified.emit(result)

    def set_timestamp_authority(self, url: str, root: str) -> None:
        """Name (or, with an empty ``url``, stop using) the RFC 3161 authority for checkpoints."""
        if self._request(
            "Timestamp authority not changed", lambda: self.session.set_timestamp_authority(url, root)
        ):
            self.send_timestamps()

    def send_timestamps(self) -> None:
        """Send queued checkpoints to the authority in the background, if one is named."""
        if self.authority is not None:
            self.timestamps.send(self.authority)

    def _on_timestamps_finished(self, text: str) -> None:
        self.panes.status.showMessage(f"Timestamps: {text}", 15000)

    def shutdown(self) -> None:
        """Stop generation, wait for it, free the model. Safe to call twice.

        A turn still generating is recorded as stopped because the window closed, not as
        stopped by the reviewer.
        """
        self.integrity.wait()
        self.timestamps.wait()
        self.session.close(reason=states.WINDOW_CLOSED)

    # -- session events --------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _on_phase(self, event: PhaseChanged) -> None:
        composer, status = self.panes.composer, self.panes.status
        if event.phase is Phase.LOADING:
            composer.set_can_send(False, "Loading model…")
        elif event.phase is Phase.GENERATING:
            composer.set_busy(True)
            status.set_state("Generating…")
        elif event.phase is Phase.STOPPING:
            composer.set_busy(True, stopping=True)
            status.set_state("Stopping…")

    def _on_status(self, event: StatusText) -> None:
        self.panes.status.set_state(event.text)

    def _on_model_ready(self, event: ModelReady) -> None:
        model = self.model = event.model
        status = self.panes.status
        status.set_model(model)
        if model.check is None:
            status.set_hash_result(None)  # a server's model: nothing to hash here
        self.panes.composer.set_model_sees_images(model.loaded.has_vision)
        status.set_state("Ready")
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
            self.error_occurred.emit("Model file changed", event.problem)
        self.model_checked.emit(event.model, event.problem)

    def _on_model_failed(self, event: ModelFailed) -> None:
        self.error_occurred.emit("Model not loaded", event.message)
        if event.reloading:
            return  # the model used before is being loaded again
        self.model = event.model
        if event.model is None:
            self.panes.status.set_model(None)
            self._no_model()
        else:
            self.panes.status.set_state("Ready")
            self._refresh_composer()

    def _on_hash_progress(self, event: HashProgress) -> None:
        self.panes.status.set_hash_progress(event.fraction)

    def tell_interrupted(self, turn_ids: list[int]) -> str:
        """Say, at start-up, which turns the app's last stop cut off (``Store.mark_interrupted``'s
        ids); the words shown ("" for none)."""
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
            self.refresh_conversations()  # a new conversation; counts are refreshed at the end
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
        self.panes.composer.set_busy(False)
        self.panes.status.set_recorded_tokens(turn)
        self.panes.reasoning.end_live(turn)
        if self.conversation_id == turn.conversation_id:
            self.panes.view.show_conversation(self.store.conversation(turn.conversation_id), turn.id)
            if self.panes.reasoning.turn_id != turn.id:
                # The pane already holds this turn's streamed trace: laying out a long trace
                # again would stall the window for nothing.
                self.panes.reasoning.show_turn(turn)
        self.refresh_conversations()
        self.check_context()  # the conversation just grew
        self.panes.status.set_turn_state(turn)
        if turn.status == TurnStatus.FAILED:
            self.error_occurred.emit("Turn failed", turn.error or "The turn failed.")
        self.turn_finished.emit(turn)

    def _on_turn_not_run(self, event: TurnNotRun) -> None:
        self.live = None
        self.panes.composer.set_busy(False)
        self.panes.status.set_state("Ready")
        self.refresh_conversations()
        self.error_occurred.emit("Turn not run", event.message)

    def _no_model(self) -> None:
        self.panes.status.set_state("No model loaded")
        self.panes.composer.set_can_send(False, "No model loaded: use File ▸ Open model…")


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
