"""The main window: builds the panes and wires them to the controller. No logic here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QSplitter, QVBoxLayout, QWidget

from app import __version__
from app.core.errors import VeritraceError
from app.core.remote import RemoteEndpoint
from app.core.signing import fingerprint
from app.core.text import visible
from app.core.types import Meaning
from app.render.html import label_text
from app.services.config import AppConfig
from app.services.exporting import scope_label
from app.services.models import cached_info
from app.services.record import Store
from app.services.remote import api_key, save_api_key
from app.services.reproduce import Overrides
from app.services.session import Backend
from app.ui.attachments import ImageViewer
from app.ui.composer import Composer
from app.ui.controller import ChatController, Panes
from app.ui.conversation_list import ConversationList
from app.ui.conversation_view import ConversationView
from app.ui.download_dialog import DownloadDialog
from app.ui.export_dialog import ExportDialog
from app.ui.identity_dialogs import IdentitiesDialog
from app.ui.models_dialog import ModelsDialog
from app.ui.reasoning_pane import ReasoningPane
from app.ui.remote_dialog import RemoteDialog
from app.ui.reproduce_dialog import ReproduceDialog
from app.ui.review_dialogs import AnnotateDialog, NameDialog, TimestampAuthorityDialog
from app.ui.session_browser import SessionBrowser
from app.ui.settings_dialog import SettingsDialog
from app.ui.signatures import SignaturesBanner
from app.ui.signoff_dialog import SignOffDialog
from app.ui.status_bar import AppStatusBar


class MainWindow(QMainWindow):
    """Conversation list | conversation and composer | reasoning pane, with a status bar."""

    def __init__(
        self,
        store: Store,
        backend: Backend,
        config: AppConfig,
        *,
        modal_errors: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Veritrace")
        self.setObjectName("MainWindow")
        self.conversations = ConversationList()
        self.view = ConversationView()
        self.reasoning = ReasoningPane()
        self.composer = Composer()
        self.status = AppStatusBar()
        self.setStatusBar(self.status)
        # The signatures of the conversation shown stay above it, in full, whatever is scrolled.
        self.signatures = SignaturesBanner()
        self.view.conversation_shown.connect(self.signatures.show_conversation)
        reading = QWidget()
        reading_layout = QVBoxLayout(reading)
        reading_layout.setContentsMargins(0, 0, 0, 0)
        reading_layout.setSpacing(4)
        reading_layout.addWidget(self.signatures)
        reading_layout.addWidget(self.view, 1)

        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(reading)
        centre.addWidget(self.composer)
        centre.setStretchFactor(0, 5)
        centre.setStretchFactor(1, 1)
        centre.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.conversations)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.reasoning)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([240, 640, 460])
        self.setCentralWidget(self.splitter)
        self.resize(1360, 820)

        self.controller = ChatController(
            store,
            backend,
            config,
            Panes(self.conversations, self.view, self.reasoning, self.composer, self.status),
            self,
        )
        self._modal_errors = modal_errors
        self.session_browser: SessionBrowser | None = None
        self.reproduce_dialog: ReproduceDialog | None = None  # the latest one opened
        self.signoff_dialog: SignOffDialog | None = None  # the latest one opened
        self.identities_dialog: IdentitiesDialog | None = None
        self.controller.error_occurred.connect(self._on_controller_error_occurred)
        self.controller.record_changed.connect(self._on_controller_record_changed)
        self.controller.image_requested.connect(self._on_controller_image_requested)
        self.view.annotate_requested.connect(self._on_view_annotate_requested)
        self.view.reproduce_requested.connect(self._on_view_reproduce_requested)
        self._build_menus()
        self._restore_geometry()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(
            file_menu, "&New conversation", self.controller.new_conversation, QKeySequence.StandardKey.New
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Open model…", self._on_open_model_triggered, QKeySequence.StandardKey.Open)
        self._action(file_menu, "&Models…", self.open_models_dialog)
        self._action(file_menu, "Use the &demo model", self.controller.use_demo_model)
        self._action(file_menu, "Use a &remote server…", self.open_remote_dialog)
        self._action(file_menu, "Download &Magistral…", self.open_download)  # downloads
        self._action(file_menu, "Open &vision projector…", self._on_open_projector_triggered)
        self._action(
            file_menu, "Stop using the vision projector", lambda: self.controller.set_projector(None)
        )
        file_menu.addSeparator()
        self._action(
            file_menu, "&Export this conversation…", self._on_export_triggered, QKeySequence("Ctrl+E")
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        run_menu = self.menuBar().addMenu("&Run")
        self._action(run_menu, "&Settings…", self._on_settings_triggered, QKeySequence("Ctrl+,"))
        self._action(run_menu, "S&top generation", self.controller.stop)
        review_menu = self.menuBar().addMenu("Re&view")
        self._action(
            review_menu, "&Browse sessions…", self.open_session_browser, QKeySequence("Ctrl+Shift+F")
        )
        review_menu.addSeparator()
        self._action(review_menu, "&Sign off this conversation…", self.open_sign_off)
        self._action(review_menu, "Signing &identities…", self.open_identities)
        self._action(review_menu, "&Continue in a new conversation", self.controller.continue_conversation)
        review_menu.addSeparator()
        self._action(review_menu, "Create a signed &checkpoint", self.controller.checkpoint)
        self._action(review_menu, "&Verify the record", self.controller.verify_record)
        self._action(review_menu, "&Timestamp authority…", self._on_timestamp_authority_triggered)
        review_menu.addSeparator()
        self._action(review_menu, "Your &name…", self._on_name_triggered)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Veritrace", self._on_about_triggered)

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _on_open_model_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a GGUF model", "", "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.controller.open_model(path)

    def open_models_dialog(self) -> ModelsDialog:
        """The model library (non-modal; it inspects files in the background)."""
        dialog = ModelsDialog(self.controller.config, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.library_changed.connect(self.controller.set_library)
        dialog.model_chosen.connect(self._on_models_dialog_model_chosen)
        dialog.show()
        return dialog

    def _on_models_dialog_model_chosen(self, path: str, _info: object) -> None:
        if path:
            self.controller.open_model(path)  # the worker reads the metadata the dialog cached
        else:
            self.controller.use_demo_model()

    def _on_open_projector_triggered(self) -> None:
        model = self.controller.model
        folder = str(Path(model.file.path).parent) if model else ""
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open the model's vision projector (mmproj)",
            folder,
            "GGUF projectors (*.gguf);;All files (*)",
        )
        if path:
            self.controller.set_projector(path)

    def open_remote_dialog(self) -> RemoteDialog:
        """File ▸ Use a remote server…; choosing a server keeps its key in the keyring only."""
        config = self.controller.config
        url = config.remote_url
        dialog = RemoteDialog(
            url, config.remote_model, api_key(url) if url else "", self, settings=config.settings
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_remote_dialog_accepted(dialog.endpoint(), *dialog.options()))
        dialog.show()
        return dialog

    def _on_remote_dialog_accepted(
        self, endpoint: RemoteEndpoint, prompt_mode: bool | None = None, resend_reasoning: bool | None = None
    ) -> None:
        try:
            stored = save_api_key(endpoint.url, endpoint.api_key)
        except VeritraceError as error:  # not a server address
            self._on_controller_error_occurred("Remote server not used", str(error))
            return
        if stored.message:
            self.status.showMessage(stored.message, 15000)
        self.controller.use_remote(endpoint, prompt_mode=prompt_mode, resend_reasoning=resend_reasoning)

    def _on_controller_image_requested(self, data: bytes, caption: str) -> None:
        viewer = ImageViewer(data, caption, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()

    def _on_view_annotate_requested(self, turn_id: int) -> None:
        dialog = AnnotateDialog(f"Turn {turn_id}", self)
        if dialog.exec():
            flag, comment = dialog.values()
            self.controller.annotate(turn_id, flag, comment)

    def _on_view_reproduce_requested(self, turn_id: int) -> None:
        session = self.controller.session
        turn = self.controller.store.turn(turn_id)
        overrides = Overrides()
        if turn.ran_remotely:
            asked = QMessageBox.question(
                self,
                "Reproduce turn",
                f"Turn {turn_id} ran on a server ({turn.endpoint}). A server's run cannot be reproduced "
                "bit for bit: its build, hardware and batching are not known.\n\nSend its recorded "
                "request again and compare the text?",
            )
            if asked != QMessageBox.StandardButton.Yes:
                return
            overrides = Overrides(run_again=True)
        dialog = ReproduceDialog(
            turn_id,
            lambda turn, asked, cancel, status: session.reproduce(turn, asked, cancel, status),
            overrides,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self.controller.refresh_conversations())
        self.reproduce_dialog = dialog
        dialog.show()

    def open_sign_off(self) -> SignOffDialog | None:
        """Review ▸ Sign off: the sign-off of the conversation shown (window-modal; it signs in the
        background)."""
        conversation_id = self.controller.conversation_id
        if conversation_id is None:
            QMessageBox.information(self, "Sign off", "Open the conversation to sign off first.")
            return None
        dialog = SignOffDialog(
            self.controller.session,
            conversation_id,
            self,
            default_name=self.controller.reviewer_name(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.signed.connect(self.controller.show_signed)
        dialog.refused.connect(lambda words: self._on_controller_error_occurred("Not signed", words))
        self.signoff_dialog = dialog
        dialog.show()
        return dialog

    def open_identities(self) -> IdentitiesDialog:
        """Review ▸ Signing identities: list, create and revoke them."""
        dialog = IdentitiesDialog(self.controller.session, self.controller.reviewer_name(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.identities_dialog = dialog
        dialog.show()
        return dialog

    def _on_export_triggered(self) -> None:
        conversation_id = self.controller.conversation_id
        if conversation_id is None:
            QMessageBox.information(self, "Export", "Open the conversation to export first.")
            return
        self.open_export([conversation_id], scope_label(self.controller.store, [conversation_id]))

    def open_export(
        self, conversation_ids: list[int], scope: str, over: QWidget | None = None
    ) -> ExportDialog | None:
        """The export dialog for these conversations (non-modal; it runs in the background)."""
        try:
            key = self.controller.signing_key()
        except VeritraceError as error:
            QMessageBox.warning(self, "Export needs the signing key", str(error))
            return None
        dialog = ExportDialog(
            self.controller.store, key, conversation_ids, scope, over or self, self.controller.authority
        )
        dialog.exported.connect(lambda _result: self.controller.send_timestamps())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # -- downloads -------------------------------------------------------------------

    def open_download(self) -> DownloadDialog:
        """The download dialog (non-modal: the download runs in the background)."""
        dialog = DownloadDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.downloaded.connect(self._on_download_downloaded)
        dialog.use_requested.connect(self._on_download_use_requested)
        dialog.show()
        return dialog

    def _on_download_downloaded(self, model: Path, projector: Path | None) -> None:
        self.controller.keep_download(model, projector)

    def _on_download_use_requested(self, model: Path, _projector: Path | None) -> None:
        self.controller.open_model(str(model))  # its projector was remembered with it

    # -- end of downloads ------------------------------------------------------------

    def open_session_browser(self) -> SessionBrowser:
        """The Sessions window (one per main window), brought up to date and to the front."""
        if self.session_browser is None:
            self.session_browser = SessionBrowser(
                self.controller.store, self, prompt_tokens=self.controller.session.prompt_tokens
            )
            self.session_browser.export_requested.connect(self._on_session_browser_export_requested)
        self.session_browser.refresh()
        if self.session_browser.isVisible():
            self.session_browser.raise_()  # already open, perhaps behind the main window
        self.session_browser.show()
        self.session_browser.activateWindow()
        return self.session_browser

    def _on_controller_record_changed(self) -> None:
        # An open Sessions window follows the record (it searches on its own thread).
        if self.session_browser is not None and self.session_browser.isVisible():
            self.session_browser.refresh()

    def _on_session_browser_export_requested(self, conversation_ids: list[int], scope: str) -> None:
        self.open_export(conversation_ids, scope, self.session_browser)

    def _on_name_triggered(self) -> None:
        dialog = NameDialog(self.controller.config.display_name, self)
        if dialog.exec():
            self.controller.set_display_name(dialog.value())

    def _on_settings_triggered(self) -> None:
        model = self.controller.model
        dialog = SettingsDialog(
            self.controller.settings(),
            self,
            trained_context=model.loaded.context_length if model else 0,
            info=cached_info(Path(model.file.path)) if model else None,
            statements={meaning: self.controller.config.statement(meaning) for meaning in Meaning},
        )
        if dialog.exec():
            self.controller.apply_settings(dialog.settings())
            self.controller.set_statements(dialog.statements())

    def _on_timestamp_authority_triggered(self) -> None:
        config = self.controller.config
        dialog = TimestampAuthorityDialog(config.tsa_url, config.tsa_root, self)
        if dialog.exec():
            self.controller.set_timestamp_authority(*dialog.values())

    def _on_about_triggered(self) -> None:
        key = self.controller.store.current_key()  # from the record: no passphrase is asked for
        signer = (
            f"<p>This record's checkpoints are signed with the Ed25519 key<br><tt>{fingerprint(key)}</tt></p>"
            if key
            else "<p>No signing key is enrolled in this record yet.</p>"
        )
        QMessageBox.about(
            self,
            "About Veritrace",
            f"<b>Veritrace {__version__}</b><p>Auditable reasoning with a local model. Every prompt, "
            "reasoning trace, answer and run setting is recorded with the model file's SHA-256.</p>" + signer,
        )

    def _on_controller_error_occurred(self, title: str, message: str) -> None:
        # It may quote a path, a model name or a title from a record: controls shown as escapes,
        # markup as text.
        self.status.showMessage(visible(message), 15000)
        if self._modal_errors:
            QMessageBox.warning(self, title, label_text(message))

    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # type: ignore[arg-type]

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("window/geometry", self.saveGeometry())
        if self.session_browser is not None:
            self.session_browser.wait()
        self.controller.shutdown()
        super().closeEvent(event)
