"""The main window: builds the panes and wires them to the controller. No logic here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QSplitter, QVBoxLayout, QWidget

from app import __version__
from app.core.errors import VeritraceError
from app.core.remote import RemoteEndpoint
from app.core.signing import fingerprint
from app.core.text import visible
from app.core.types import Identity, Meaning
from app.render.html import label_text
from app.services.config import AppConfig
from app.services.paths import data_dir
from app.services.remote import api_key, save_api_key
from app.ui.attachments import ImageViewer
from app.ui.composer import Composer
from app.ui.controller import ChatController, Panes
from app.ui.conversation_list import ConversationList
from app.ui.conversation_view import ConversationView
from app.ui.focus import PromptFocus
from app.ui.pane_layout import PaneLayout
from app.ui.reasoning_pane import ReasoningPane
from app.ui.review_dialogs import AnnotateDialog, NameDialog, TimestampAuthorityDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.signatures import SignaturesBanner
from app.ui.status_bar import AppStatusBar
from app.ui.words import status_words

if TYPE_CHECKING:  # each is imported when first opened: the window shows sooner
    from app.services.chat import ActiveModel
    from app.services.record import Store
    from app.services.session import Backend
    from app.ui.about import AboutDialog
    from app.ui.download_dialog import DownloadDialog
    from app.ui.export_dialog import ExportDialog
    from app.ui.guide import GuideDialog
    from app.ui.identity_dialogs import CreateIdentityDialog, IdentitiesDialog
    from app.ui.models_dialog import ModelsDialog
    from app.ui.remote_dialog import RemoteDialog
    from app.ui.reproduce_dialog import ReproduceDialog
    from app.ui.session_browser import SessionBrowser
    from app.ui.signoff_dialog import SignOffDialog
    from app.ui.welcome import WelcomeDialog


class MainWindow(QMainWindow):
    """Conversation list | conversation and composer | reasoning pane, with a status bar."""

    def __init__(
        self,
        store: Store | None,
        backend: Backend | None,
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
        self.centre = centre
        # The image strip takes room from the conversation while it shows, and gives it back.
        self._centre_before_images: list[int] | None = None
        self.composer.attachments.changed.connect(self._on_attachments_changed)
        centre.splitterMoved.connect(self._on_centre_splitter_moved)
        # Side by side when the three columns can be read; one at a time under tabs when not.
        self.pane_layout = PaneLayout(self.conversations, centre, self.reasoning)
        self.splitter = self.pane_layout.splitter
        self.setCentralWidget(self.pane_layout)
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
        self.welcome_dialog: WelcomeDialog | None = None  # the latest one opened
        self.create_identity_dialog: CreateIdentityDialog | None = None
        self.guide_dialog: GuideDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.controller.error_occurred.connect(self._on_controller_error_occurred)
        self.controller.record_changed.connect(self._on_controller_record_changed)
        self.controller.image_requested.connect(self._on_controller_image_requested)
        self.view.annotate_requested.connect(self._on_view_annotate_requested)
        self.view.reproduce_requested.connect(self._on_view_reproduce_requested)
        # Back from any dialog of this window, the keyboard is in the prompt again.
        self.prompt_focus = PromptFocus(self, self.composer.editor)
        self._build_menus()
        self._restore_geometry()
        # Shown before the record is open (``store`` None, see ``open_record``): its menus wait.
        self.menuBar().setEnabled(self.controller.record_open)

    def open_record(self, store: Store, backend: Backend | None = None) -> None:
        """The record is open: the window works on it (and runs turns on ``backend``, if it was
        not given before) from now on."""
        self.controller.open_record(store, backend)
        self.menuBar().setEnabled(True)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self._action(
            file_menu,
            self.tr("&New conversation"),
            self.controller.new_conversation,
            QKeySequence.StandardKey.New,
        )
        file_menu.addSeparator()
        self._action(
            file_menu, self.tr("&Open model…"), self._on_open_model_triggered, QKeySequence.StandardKey.Open
        )
        self._action(file_menu, self.tr("&Models…"), self.open_models_dialog)
        self._action(file_menu, self.tr("Use the &demo model"), self.controller.use_demo_model)
        self._action(file_menu, self.tr("Use a &remote server…"), self.open_remote_dialog)
        self._action(file_menu, self.tr("Download Ma&gistral…"), self.open_download)  # downloads
        self._action(file_menu, self.tr("Open &vision projector…"), self._on_open_projector_triggered)
        self.stop_projector_action = self._action(
            file_menu,
            self.tr("Sto&p using the vision projector"),
            lambda: self.controller.set_projector(None),
        )
        # Only a projector in use can be stopped.
        self.stop_projector_action.setEnabled(False)
        self.controller.model_changed.connect(self._on_controller_model_changed)
        file_menu.addSeparator()
        self._action(
            file_menu,
            self.tr("&Export this conversation…"),
            self._on_export_triggered,
            QKeySequence("Ctrl+E"),
        )
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        run_menu = self.menuBar().addMenu(self.tr("&Run"))
        self._action(run_menu, self.tr("&Settings…"), self._on_settings_triggered, QKeySequence("Ctrl+,"))
        self._action(run_menu, self.tr("S&top generation"), self.controller.stop, QKeySequence("Ctrl+."))
        self._action(run_menu, self.tr("&Write a prompt"), self.focus_prompt, QKeySequence("Ctrl+L"))
        review_menu = self.menuBar().addMenu(self.tr("Re&view"))
        self._action(
            review_menu, self.tr("&Browse sessions…"), self.open_session_browser, QKeySequence("Ctrl+Shift+F")
        )
        review_menu.addSeparator()
        self._action(review_menu, self.tr("&Sign off this conversation…"), self.open_sign_off)
        self._action(review_menu, self.tr("Signing &identities…"), self.open_identities)
        self._action(
            review_menu, self.tr("&Continue in a new conversation"), self.controller.continue_conversation
        )
        review_menu.addSeparator()
        self._action(review_menu, self.tr("Create a signed chec&kpoint"), self.controller.checkpoint)
        self._action(review_menu, self.tr("&Verify the record"), self.controller.verify_record)
        self._action(review_menu, self.tr("&Timestamp authority…"), self._on_timestamp_authority_triggered)
        review_menu.addSeparator()
        self._action(review_menu, self.tr("Your &name…"), self._on_name_triggered)
        self._build_view_menu()
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Guide…"), self.open_guide, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, self.tr("&Welcome…"), self.open_welcome)
        help_menu.addSeparator()
        self._action(help_menu, self.tr("&About Veritrace"), self.open_about)

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu(self.tr("Vie&w"))
        panes = (
            (self.tr("Conversation &list"), PaneLayout.LIST, "Ctrl+1"),
            (self.tr("&Conversation"), PaneLayout.CONVERSATION, "Ctrl+2"),
            (self.tr("&Reasoning"), PaneLayout.REASONING, "Ctrl+3"),
        )
        for text, index, key in panes:
            self._action(view_menu, text, self._pane_shower(index), QKeySequence(key))
        view_menu.addSeparator()
        self.list_column_action = self._action(
            view_menu, self.tr("Show the list &beside the conversation"), self._on_list_column_toggled
        )
        self.list_column_action.setCheckable(True)
        self.list_column_action.setChecked(self.pane_layout.list_shown)
        # In narrow windows the panes are tabbed: what the reader picks comes into view.
        self.conversations.conversation_selected.connect(
            lambda _id: self.pane_layout.reveal(PaneLayout.CONVERSATION)
        )
        self.conversations.new_requested.connect(lambda: self.pane_layout.reveal(PaneLayout.CONVERSATION))
        self.view.turn_selected.connect(lambda _id: self.pane_layout.reveal(PaneLayout.REASONING))

    def _pane_shower(self, index: int) -> Callable[[], None]:
        # No parameter, not even a default one: triggered(bool) would fill it with False, pane 0.
        return lambda: self.show_pane(index)

    def show_pane(self, index: int) -> None:
        """View ▸ a pane (Ctrl+1, 2, 3): bring it into view (its tab, in a narrow window) and give
        it the keyboard."""
        self.pane_layout.reveal(index)
        self.list_column_action.setChecked(self.pane_layout.list_shown)
        target: QWidget = (self.conversations.list, self.view, self.reasoning)[index]
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)  # the reasoning's proxy: its text

    def focus_prompt(self) -> None:
        """Run ▸ Write a prompt (Ctrl+L): the prompt box in view, with the keyboard in it."""
        self.pane_layout.reveal_widget(self.composer.editor)
        self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_attachments_changed(self) -> None:
        if self.composer.attachments.images():
            if self._centre_before_images is None:
                self._centre_before_images = self.centre.sizes()  # the strip is not laid out yet
        elif self._centre_before_images is not None:
            self.centre.setSizes(self._centre_before_images)
            self._centre_before_images = None

    def _on_centre_splitter_moved(self) -> None:
        self._centre_before_images = None  # the reader chose the sizes themselves

    def _on_list_column_toggled(self) -> None:
        self.pane_layout.set_list_shown(self.list_column_action.isChecked())

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
            self, self.tr("Open a GGUF model"), "", self.tr("GGUF models (*.gguf);;All files (*)")
        )
        if path:
            self.controller.open_model(path)

    def open_models_dialog(self) -> ModelsDialog:
        """The model library (non-modal; it inspects files in the background)."""
        from app.ui.models_dialog import ModelsDialog

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

    def _on_controller_model_changed(self, model: ActiveModel | None) -> None:
        self.stop_projector_action.setEnabled(model is not None and model.projector is not None)

    def _on_open_projector_triggered(self) -> None:
        model = self.controller.model
        folder = str(Path(model.file.path).parent) if model else ""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open the model's vision projector (mmproj)"),
            folder,
            self.tr("GGUF projectors (*.gguf);;All files (*)"),
        )
        if path:
            self.controller.set_projector(path)

    def open_remote_dialog(self) -> RemoteDialog:
        """File ▸ Use a remote server…; choosing a server keeps its key in the keyring only."""
        from app.ui.remote_dialog import RemoteDialog

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
            self._on_controller_error_occurred(self.tr("Remote server not used"), str(error))
            return
        if stored.message:
            self.status.showMessage(stored.message, 15000)
        self.controller.use_remote(endpoint, prompt_mode=prompt_mode, resend_reasoning=resend_reasoning)

    def _on_controller_image_requested(self, data: bytes, caption: str) -> None:
        viewer = ImageViewer(data, caption, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()

    def _on_view_annotate_requested(self, turn_id: int) -> None:
        dialog = AnnotateDialog(self.tr("Turn {number}").format(number=turn_id), self)
        if dialog.exec():
            flag, comment = dialog.values()
            self.controller.annotate(turn_id, flag, comment)

    def _on_view_reproduce_requested(self, turn_id: int) -> None:
        from app.services.reproduce import Overrides
        from app.ui.reproduce_dialog import ReproduceDialog

        session = self.controller.session
        turn = self.controller.store.turn(turn_id)
        overrides = Overrides()
        if turn.ran_remotely:
            asked = QMessageBox.question(
                self,
                self.tr("Reproduce turn"),
                self.tr(
                    "Turn {number} ran on a server ({server}). A server's run cannot be reproduced "
                    "bit for bit: its build, hardware and batching are not known.\n\nSend its recorded "
                    "request again and compare the text?"
                ).format(number=turn_id, server=turn.endpoint),
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
        from app.ui.signoff_dialog import SignOffDialog

        conversation_id = self.controller.conversation_id
        if conversation_id is None:
            QMessageBox.information(
                self, self.tr("Sign off"), self.tr("Open the conversation to sign off first.")
            )
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
        dialog.refused.connect(lambda words: self._on_controller_error_occurred(self.tr("Not signed"), words))
        self.signoff_dialog = dialog
        dialog.show()
        return dialog

    def open_identities(self) -> IdentitiesDialog:
        """Review ▸ Signing identities: list, create and revoke them."""
        from app.ui.identity_dialogs import IdentitiesDialog

        dialog = IdentitiesDialog(self.controller.session, self.controller.reviewer_name(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.identities_dialog = dialog
        dialog.show()
        return dialog

    def _on_export_triggered(self) -> None:
        from app.services.exporting import scope_label

        conversation_id = self.controller.conversation_id
        if conversation_id is None:
            QMessageBox.information(
                self, self.tr("Export"), self.tr("Open the conversation to export first.")
            )
            return
        self.open_export([conversation_id], scope_label(self.controller.store, [conversation_id]))

    def open_export(
        self, conversation_ids: list[int], scope: str, over: QWidget | None = None
    ) -> ExportDialog | None:
        """The export dialog for these conversations (non-modal; it runs in the background)."""
        from app.ui.export_dialog import ExportDialog

        try:
            key = self.controller.signing_key()
        except VeritraceError as error:
            QMessageBox.warning(self, self.tr("Export needs the signing key"), str(error))
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
        from app.ui.download_dialog import DownloadDialog

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
        from app.ui.session_browser import SessionBrowser

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
        # Opening it is a search: the keyboard is in the search box, its text ready to be replaced.
        self.session_browser.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.session_browser.query.selectAll()
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
        from app.services.models import cached_info

        model = self.controller.model
        dialog = SettingsDialog(
            self.controller.settings(),
            self,
            trained_context=model.loaded.context_length if model else 0,
            # The library's inspection, else the one the model's load made (the demo model's).
            info=(cached_info(Path(model.file.path)) or model.loaded.info) if model else None,
            remote=model is not None and model.loaded.is_remote,
            statements={meaning: self.controller.config.statement(meaning) for meaning in Meaning},
            language=self.controller.config.language,
            theme=self.controller.config.theme,
        )
        if dialog.exec():
            self.controller.apply_settings(dialog.settings())
            self.controller.set_statements(dialog.statements())
            self.controller.set_language(dialog.chosen_language())
            self.controller.set_theme(dialog.chosen_theme())

    def _on_timestamp_authority_triggered(self) -> None:
        config = self.controller.config
        dialog = TimestampAuthorityDialog(config.tsa_url, config.tsa_root, self)
        if dialog.exec():
            self.controller.set_timestamp_authority(*dialog.values())

    # -- help and the first start ---------------------------------------------------------

    def welcome_if_first_start(self) -> None:
        """Open the welcome once, the first time the window starts (after its first paint)."""
        if not self.controller.config.welcomed:
            QTimer.singleShot(0, self.open_welcome)

    def open_welcome(self) -> WelcomeDialog:
        """Help ▸ Welcome…: the reviewer's name, a signing identity, the demo model, the data folder.

        Opened, never executed: nothing waits for it. Once shown, it is not shown again at start.
        """
        from app.ui.welcome import WelcomeDialog

        session = self.controller.session
        dialog = WelcomeDialog(
            self.controller.config.display_name,
            self.controller.store.os_user,
            data_dir(),
            identities=len(session.identities()),
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.name_given.connect(self.controller.set_display_name)
        dialog.identity_requested.connect(lambda name: self.open_create_identity(name, dialog))
        dialog.guide_requested.connect(self.open_guide)
        self.welcome_dialog = dialog
        dialog.open()
        session.mark_welcomed()
        return dialog

    def open_create_identity(self, name: str = "", over: QWidget | None = None) -> CreateIdentityDialog:
        """The dialog that creates a signing identity of the reviewer's own (window-modal)."""
        from app.ui.identity_dialogs import CreateIdentityDialog

        dialog = CreateIdentityDialog(
            self.controller.session, name or self.controller.config.display_name, over or self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._on_create_identity_created)
        self.create_identity_dialog = dialog
        dialog.open()
        return dialog

    def _on_create_identity_created(self, identity: Identity) -> None:
        self.status.showMessage(
            self.tr("Signing identity created for {name}, key {fingerprint}.").format(
                name=visible(identity.name), fingerprint=identity.fingerprint
            ),
            15000,
        )

    def open_guide(self) -> GuideDialog:
        """Help ▸ Guide…: the short guide (non-modal; one, brought to the front)."""
        from app.ui.guide import GuideDialog

        if self.guide_dialog is None:
            self.guide_dialog = GuideDialog(self)
        if self.guide_dialog.isVisible():
            self.guide_dialog.raise_()  # already open, perhaps behind the main window
        self.guide_dialog.show()
        self.guide_dialog.activateWindow()
        return self.guide_dialog

    def open_about(self) -> AboutDialog:
        """Help ▸ About: the version, data folder, installation key's fingerprint and licences."""
        from app.ui.about import AboutDialog

        store = self.controller.store
        key = store.current_key()  # from the record: no passphrase is asked for
        dialog = AboutDialog(
            __version__, data_dir(), Path(store.path), fingerprint(key) if key else None, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog = dialog
        dialog.open()
        return dialog

    def _on_controller_error_occurred(self, title: str, message: str) -> None:
        # It may quote a path, a model name or a title from a record: controls shown as escapes,
        # markup as text. A message the window's catalogue knows is shown in its language.
        message = status_words(message)
        self.status.showMessage(visible(message), 15000)
        if self._modal_errors:
            QMessageBox.warning(self, title, label_text(message))

    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # type: ignore[arg-type]
        widths = settings.value("window/columns")
        if isinstance(widths, list) and all(str(width).isdigit() for width in widths):
            self.pane_layout.set_widths([int(width) for width in widths])
        if settings.value("window/list") == "false":
            self.list_column_action.setChecked(False)
            self.pane_layout.set_list_shown(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/columns", self.pane_layout.widths())
        settings.setValue("window/list", "true" if self.pane_layout.list_shown else "false")
        if self.session_browser is not None:
            self.session_browser.wait()
        self.controller.shutdown()
        super().closeEvent(event)
