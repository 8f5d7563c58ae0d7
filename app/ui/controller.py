"""The logic between the panes and the worker: what happens when the user acts."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from app.core.errors import VeritraceError
from app.core.images import CheckedImage, human_size
from app.core.models import context_warning
from app.core.signing import KeyPair
from app.core.types import Flag, Meaning, RunSettings, Turn, TurnStatus
from app.runtime.backend import Backend
from app.runtime.remote_backend import RemoteEndpoint
from app.services.anchoring import Authority, configured_authority
from app.services.chat import ActiveModel
from app.services.config import (
    AppConfig,
    ModelChoice,
    config_projector,
    resolve_model,
    save_config,
    settings_for,
    with_model,
    with_projector,
)
from app.services.record import RecordCheck, anchor_with
from app.services.remote import configured_endpoint, with_remote
from app.services.signing import installation_key
from app.storage.repository import Store
from app.ui.composer import Composer
from app.ui.conversation_list import ConversationList
from app.ui.conversation_view import ConversationView
from app.ui.integrity import IntegrityCheck
from app.ui.reasoning_pane import ReasoningPane
from app.ui.status_bar import AppStatusBar
from app.ui.timestamps import TimestampSender
from app.ui.worker import REASONING, GenerationWorker

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


class ChatController(QObject):
    """Drives the panes from user actions and worker signals.

    Signals:
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

    error_occurred = Signal(str, str)
    model_changed = Signal(object)
    model_checked = Signal(object, str)
    turn_finished = Signal(object)
    image_requested = Signal(bytes, str)
    record_verified = Signal(object)
    signed_off = Signal(object)
    context_warned = Signal(str)
    record_changed = Signal()
    _load_requested = Signal(str, bool, object, str, bool)
    _turn_requested = Signal(int, str, object, object)
    _remote_requested = Signal(object, object, object)  # endpoint, settings, prompt_mode choice

    def __init__(
        self, store: Store, backend: Backend, config: AppConfig, panes: Panes, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.config = config
        self.panes = panes
        self.model: ActiveModel | None = None
        self.conversation_id: int | None = None
        self.live: _LiveTurn | None = None
        self.loading = False
        self.busy = False
        self.locked = False
        self._pending_choice: ModelChoice | None = None
        self._pending_settings: RunSettings | None = None  # a chosen model's preset, kept once it loads
        self._pending_remote: RemoteEndpoint | None = None
        self._last_good: ModelChoice | None = None
        self._key: KeyPair | None = None  # the installation key, unlocked once per session

        self.worker_thread = QThread()
        self.worker_thread.setObjectName("generation")
        self.worker = GenerationWorker(store, backend)
        self.worker.moveToThread(self.worker_thread)
        self._load_requested.connect(self.worker.load_model)
        self._turn_requested.connect(self.worker.run_turn)
        self._remote_requested.connect(self.worker.use_remote)
        self.worker.status_changed.connect(panes.status.set_state)
        self.worker.settings_chosen.connect(self._on_worker_settings_chosen)
        self.worker.model_loaded.connect(self._on_worker_model_loaded)
        self.worker.model_failed.connect(self._on_worker_model_failed)
        self.worker.turn_started.connect(self._on_worker_turn_started)
        self.worker.output_ready.connect(self._on_worker_output_ready)
        self.worker.progress.connect(panes.status.set_speed)
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.hash_progress.connect(panes.status.set_hash_progress)
        self.worker.model_checked.connect(self._on_worker_model_checked)
        self.worker_thread.start()
        self.integrity = IntegrityCheck(store, self)
        self.integrity.started.connect(panes.status.set_verifying)
        self.integrity.finished.connect(self._on_integrity_finished)
        self.timestamps = TimestampSender(store, self)
        self.timestamps.finished.connect(self._on_timestamps_finished)
        self.authority: Authority | None = None

        # The draft is checked against the context window a moment after typing pauses.
        self._context_timer = QTimer(self)
        self._context_timer.setSingleShot(True)
        self._context_timer.setInterval(CONTEXT_CHECK_MS)
        self._context_timer.timeout.connect(self.check_context)
        panes.composer.editor.textChanged.connect(self._context_timer.start)

        panes.composer.submitted.connect(self.send)
        panes.composer.stop_requested.connect(self.stop)
        panes.conversations.conversation_selected.connect(self.select_conversation)
        panes.conversations.new_requested.connect(self.new_conversation)
        panes.view.turn_selected.connect(self.select_turn)
        panes.view.image_activated.connect(self.open_image)
        panes.view.images_dropped.connect(panes.composer.add_from_mime)
        panes.view.image_source = store.image_data

    # -- actions -----------------------------------------------------------------

    def signing_key(self) -> KeyPair:
        """The installation key (its passphrase, where there is no keyring, is asked for once)."""
        if self._key is None:
            self._key = installation_key()
            # Every finished turn is then signed, so the witness outside the record covers it.
            self.worker.service.signer = self._key
        return self._key

    def start(self) -> None:
        """Show the record, verify it in the background, load the configured model."""
        self.refresh_conversations()
        self.integrity.start()
        try:
            self.signing_key()
        except VeritraceError as error:  # turns still run and are recorded; only signing waits
            self.error_occurred.emit("Signing is off for now", str(error))
        try:
            self.authority = configured_authority(self.config.tsa_url, self.config.tsa_root)
        except VeritraceError as error:
            self.error_occurred.emit("Timestamps are off", str(error))
        anchor_with(self.store, self.authority)
        self.send_timestamps()  # whatever an earlier session left queued
        remote = configured_endpoint(self.config)
        if remote is not None:
            self.use_remote(remote)
            return
        try:
            choice = resolve_model(self.config)
        except VeritraceError as error:
            self.error_occurred.emit("No model", str(error))
            self._no_model()
            return
        self.load_model(choice)

    def load_model(self, choice: ModelChoice, *, chosen: bool = False) -> None:
        """Load ``choice``; ``chosen``: newly picked by the user, so its family's preset applies."""
        self.loading = True
        self._pending_choice = choice
        self._pending_settings = None
        self.panes.composer.set_can_send(False, "Loading model…")
        self.panes.status.set_state(f"Loading {choice.path.name}…")
        projector = config_projector(self.config, choice)
        settings = settings_for(choice, self.config.settings)
        self._load_requested.emit(str(choice.path), choice.is_demo, settings, str(projector or ""), chosen)

    def use_remote(
        self,
        endpoint: RemoteEndpoint,
        *,
        prompt_mode: bool | None = None,
        resend_reasoning: bool | None = None,
    ) -> None:
        """Run later turns on a server (the key comes with ``endpoint``, from the keyring).

        Magistral on Mistral's API runs with the Magistral preset (the worker applies it once the
        server answered); ``prompt_mode`` and ``resend_reasoning`` are the dialog's choices, kept
        once it connects.
        """
        self.loading = True
        self._pending_choice = None
        self._pending_remote = endpoint
        current = self.settings(remote=True)
        settings = current
        if resend_reasoning is not None:
            settings = replace(settings, resend_reasoning=resend_reasoning)
        self._pending_settings = settings if settings != current else None
        self.panes.composer.set_can_send(False, "Connecting to the server…")
        self.panes.status.set_state(f"Connecting to {endpoint.host}…")
        self._remote_requested.emit(endpoint, settings, prompt_mode)

    def set_projector(self, path: str | None) -> None:
        """Use (or stop using) a vision projector for the current model, and remember it."""
        choice = self._last_good
        if choice is None or choice.is_demo:
            self.error_occurred.emit(
                "No vision for the demo model", "Open a model that has a vision projector first."
            )
            return
        self.config = with_projector(self.config, choice.path, Path(path) if path else None)
        save_config(self.config)
        self.load_model(choice)

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

    def open_model(self, path: str) -> None:
        """Load a model the user picked (File ▸ Open, the Models dialog, a finished download).

        Its family's preset and the context cap apply (see ``settings_for``): the worker reads the
        file's metadata first, off the GUI thread.
        """
        self.load_model(ModelChoice(Path(path), is_demo=False), chosen=True)

    def set_library(self, config: AppConfig) -> None:
        """Keep the model library the Models dialog edited (nothing else of its config)."""
        self.config = replace(self.config, models=list(config.models))
        save_config(self.config)

    def use_demo_model(self) -> None:
        try:
            choice = resolve_model(AppConfig())
        except VeritraceError as error:
            self.error_occurred.emit("Demo model unavailable", str(error))
            return
        self.load_model(choice)

    def apply_settings(self, settings: RunSettings) -> None:
        self.config = replace(self.config, settings=settings)
        save_config(self.config)
        self.store.log_event("settings.changed", settings.to_dict())
        self.check_context()  # max tokens may have changed

    def send(self, prompt: str, images: tuple[CheckedImage, ...] = ()) -> None:
        if self.model is None or self.busy or not (prompt.strip() or images):
            return
        self.busy = True
        self.panes.composer.set_busy(True)
        self.panes.status.set_state("Generating…")
        self._warn_if_context_is_short(prompt)
        conversation = -1 if self.conversation_id is None else self.conversation_id
        self._turn_requested.emit(conversation, prompt, self.settings(), tuple(images))

    def check_context(self) -> str | None:
        """Show under the draft, before it is sent, whether the next turn may not fit the context."""
        warning = None
        if self.model is not None and not self.loading:
            warning = self._context_warning(self.panes.composer.text())
        self.panes.composer.set_context_warning(warning)
        return warning

    def _context_warning(self, prompt: str) -> str | None:
        assert self.model is not None
        history = self.store.context_used(self.conversation_id) if self.conversation_id is not None else 0
        params = self.settings().params
        return context_warning(history, prompt, params.max_tokens, self.model.loaded.n_ctx)

    def _warn_if_context_is_short(self, prompt: str) -> None:
        """Warn (status bar) as a turn that may overflow starts; the service still stops it if it does."""
        warning = self._context_warning(prompt)
        if warning:
            self.panes.status.showMessage(warning, 15000)
            self.context_warned.emit(warning)

    def stop(self) -> None:
        if self.busy:
            self.worker.cancel()
            self.panes.composer.set_busy(True, stopping=True)
            self.panes.status.set_state("Stopping…")

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

    def settings(self, *, remote: bool = False) -> RunSettings:
        if remote or (self.model is not None and self.model.loaded.is_remote):
            # A server's model is never the demo model: the user's settings, else Magistral's.
            return settings_for(ModelChoice(Path(), is_demo=False), self.config.settings)
        choice = self._last_good or ModelChoice(Path(), is_demo=True)
        return settings_for(choice, self.config.settings)

    # -- review --------------------------------------------------------------------

    def reviewer_name(self) -> str:
        return self.config.display_name or self.store.os_user

    def set_display_name(self, name: str) -> None:
        """The name recorded as the actor of what this user does from now on."""
        self.config = replace(self.config, display_name=name.strip())
        save_config(self.config)
        self.store.actor = self.reviewer_name()
        self.store.log_event(
            "reviewer.named", {"display_name": self.store.actor, "os_user": self.store.os_user}
        )

    def annotate(self, turn_id: int, flag: Flag, comment: str) -> None:
        try:
            note = self.store.annotate(turn_id, flag, comment, self.reviewer_name())
            # A note is evidence too: signed at once, so the witness outside the record covers it.
            self.store.checkpoint(self.signing_key(), f"annotation {note.id}")
        except VeritraceError as error:
            self.error_occurred.emit("Annotation not added", str(error))
            return
        self.send_timestamps()
        turn = self.store.turn(turn_id)
        self.panes.view.show_conversation(self.store.conversation(turn.conversation_id), turn_id)
        self.refresh_conversations()

    def sign_off(self, printed_name: str, meaning: Meaning, reason: str) -> None:
        if self.conversation_id is None:
            self.error_occurred.emit("Nothing to sign", "Open a conversation first.")
            return
        try:
            signed = self.store.sign_off(
                self.conversation_id, meaning, printed_name, reason, self.signing_key()
            )
        except VeritraceError as error:
            self.error_occurred.emit("Not signed", str(error))
            return
        self.send_timestamps()
        self.select_conversation(self.conversation_id)
        self.refresh_conversations()
        self.signed_off.emit(signed)

    def continue_conversation(self) -> None:
        """Open a new conversation linked to the (signed) one shown."""
        if self.conversation_id is None:
            return
        new_id = self.store.continue_conversation(self.conversation_id, self.reviewer_name())
        self.conversation_id = new_id
        self.refresh_conversations()
        self.select_conversation(new_id)

    def checkpoint(self) -> None:
        try:
            made = self.store.checkpoint(self.signing_key(), "on demand")
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
        try:
            authority = configured_authority(url, root)
        except VeritraceError as error:
            self.error_occurred.emit("Timestamp authority not changed", str(error))
            return
        self.config = replace(self.config, tsa_url=url, tsa_root=root)
        save_config(self.config)
        self.authority = authority
        anchor_with(self.store, authority)
        self.store.log_event("timestamps.configured", {"tsa_url": url, "tsa_root": root})
        self.send_timestamps()

    def send_timestamps(self) -> None:
        """Send queued checkpoints to the authority in the background, if one is named."""
        if self.authority is not None:
            self.timestamps.send(self.authority)

    def _on_timestamps_finished(self, text: str) -> None:
        self.panes.status.showMessage(f"Timestamps: {text}", 15000)

    def shutdown(self) -> None:
        """Stop generation, stop the thread, free the model. Safe to call twice."""
        self.integrity.wait()
        self.timestamps.wait()
        if self.worker_thread.isRunning():
            self.worker.cancel()
            self.worker_thread.quit()
            self.worker_thread.wait()
            self.worker.dispose()

    # -- worker signals ----------------------------------------------------------

    def _on_worker_settings_chosen(self, settings: RunSettings) -> None:
        self._pending_settings = settings

    def _on_worker_model_loaded(self, model: ActiveModel) -> None:
        self.loading = False
        self.model = model
        if self._pending_settings is not None:  # a chosen model's preset, or a server's choices
            self.config = replace(self.config, settings=self._pending_settings)
            save_config(self.config)
            self.store.log_event("settings.changed", self._pending_settings.to_dict())
        self._pending_settings = None
        choice = self._pending_choice
        if choice is not None:
            if choice != self._last_good:
                self.config = with_model(self.config, None if choice.is_demo else str(choice.path))
                save_config(self.config)
            self._last_good = choice
        remote = self._pending_remote if model.loaded.is_remote else None
        if remote is not None or self.config.use_remote:
            self.config = with_remote(self.config, remote)  # starts there next time, or no longer
            save_config(self.config)
        self._pending_remote = None
        if not model.loaded.is_remote:
            mapped = ", weights memory-mapped" if model.runtime_info.get("mmap") else ""
            _log.info("model %s loaded in %.2f s%s", model.file.path, model.load_seconds, mapped)
        # What is alive now (modules, classes, Qt wrappers, llama.cpp's bindings) lives as long as
        # the app. Frozen, it is out of the cycle collector's sight: a full collection during
        # streaming then walks only what turns create, instead of stalling the window 50-80 ms.
        gc.freeze()
        self.panes.status.set_model(model)
        if model.check is None:
            self.panes.status.set_hash_result(None)  # a server's model: nothing to hash here
        self.panes.composer.set_model_sees_images(model.loaded.has_vision)
        self.panes.status.set_state("Ready")
        self._refresh_composer()
        self.model_changed.emit(model)

    def _on_worker_model_checked(self, model: ActiveModel, problem: str) -> None:
        """The loaded files' full hash finished, or one changed on disk (``problem``)."""
        if self.model is None or self.model.file.path != model.file.path:
            return  # a later load replaced it
        self.model = model
        self.panes.status.set_model(model)
        self.panes.status.set_hash_result(problem)
        if problem:
            self.error_occurred.emit("Model file changed", problem)
        self.model_checked.emit(model, problem)

    def _on_worker_model_failed(self, message: str) -> None:
        self.loading = False
        self._pending_settings = None  # the preset belonged to the model that did not load
        failed, previous = self._pending_choice, self._last_good
        self.error_occurred.emit("Model not loaded", message)
        if previous is not None and previous != failed and self.worker.service.model is None:
            self.panes.status.set_state("Reloading the previous model…")
            self.load_model(previous)
            return
        if self.worker.service.model is None:
            self.model = None
            self.panes.status.set_model(None)
            self._no_model()
        else:
            self.panes.status.set_state("Ready")
            self._refresh_composer()

    def _on_worker_turn_started(self, turn: Turn) -> None:
        self.live = _LiveTurn(turn)
        self.conversation_id = turn.conversation_id
        self.panes.composer.clear()  # the prompt is in the record now
        if turn.index == 0:
            self.refresh_conversations()  # a new conversation; counts are refreshed at the end
        if not self.panes.view.continue_live(turn):
            self.panes.view.begin_live(self.store.conversation(turn.conversation_id), turn)
        self.panes.reasoning.begin_live(turn)

    def _on_worker_output_ready(self) -> None:
        for kind, text in self.worker.take_output():
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

    def _on_worker_finished(self, turn: Turn) -> None:
        self.send_timestamps()  # the head the worker signed after the turn
        self._on_worker_output_ready()  # anything streamed after the last notification
        self.live = None
        self.busy = False
        self.panes.composer.set_busy(False)
        self.panes.reasoning.end_live(turn)
        if self.conversation_id == turn.conversation_id:
            self.panes.view.show_conversation(self.store.conversation(turn.conversation_id), turn.id)
            if self.panes.reasoning.turn_id != turn.id:
                # The pane already holds this turn's streamed trace: laying out a long trace
                # again would stall the window for nothing.
                self.panes.reasoning.show_turn(turn)
        self.refresh_conversations()
        self.check_context()  # the conversation just grew
        words = {TurnStatus.COMPLETED: "Ready", TurnStatus.CANCELLED: "Stopped — partial output kept"}
        self.panes.status.set_state(words.get(turn.status, f"Turn {turn.status}: {turn.error or ''}"))
        if turn.status == TurnStatus.FAILED:
            self.error_occurred.emit("Turn failed", turn.error or "The turn failed.")
        self.turn_finished.emit(turn)

    def _on_worker_failed(self, message: str) -> None:
        self.live = None
        self.busy = False
        self.panes.composer.set_busy(False)
        self.panes.status.set_state("Ready")
        self.refresh_conversations()
        self.error_occurred.emit("Turn not run", message)

    def _no_model(self) -> None:
        self.panes.status.set_state("No model loaded")
        self.panes.composer.set_can_send(False, "No model loaded: use File ▸ Open model…")
