"""Where the user writes a prompt and attaches images: Ctrl+Enter sends, Esc or Stop stops."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.images import CheckedImage, ImageError, read_image_file
from app.ui.attachments import AttachmentStrip, has_images, read_mime_images

IMAGE_FILTER = str(
    QT_TRANSLATE_NOOP(
        "Composer", "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)"
    )
)
NO_VISION_HINT = str(
    QT_TRANSLATE_NOOP(
        "Composer", "This model cannot see images (no vision projector): they will be recorded, not sent."
    )
)


class PromptEditor(QPlainTextEdit):
    """A plain-text editor whose pastes and drops of images become attachments.

    Signals:
        images_received(object): a QMimeData with images or image files was pasted or dropped.
    """

    images_received = Signal(object)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return has_images(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if has_images(source):
            self.images_received.emit(source)
            return
        super().insertFromMimeData(source)


class Composer(QWidget):
    """A multi-line prompt editor with image attachments, Send and Stop.

    Signals:
        submitted(str, object): the user sent a prompt and a tuple of ``CheckedImage``
            (the draft is kept until the turn starts).
        stop_requested(): the user asked to stop the running generation.
    """

    submitted = Signal(str, object)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Composer")
        self.setAcceptDrops(True)
        self.attachments = AttachmentStrip()
        self.attach_button = QPushButton(self.tr("Attach image…"))
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setAccessibleName(self.tr("Attach image"))
        self.attach_button.setAccessibleDescription(
            self.tr("Opens a file chooser to add images to the prompt; pasting or dropping images works too.")
        )
        self.problems = QLabel("")
        self.problems.setObjectName("composerProblems")
        self.problems.setWordWrap(True)
        self.problems.setVisible(False)
        self.editor = PromptEditor()
        self.editor.setObjectName("promptEditor")
        self.editor.setAccessibleName(self.tr("Prompt"))
        self.editor.setAccessibleDescription(
            self.tr(
                "What to ask the model. Ctrl+Enter sends it; Esc stops a running turn; Tab leaves the box."
            )
        )
        self.editor.setPlaceholderText(self.tr("Write a prompt…  (Ctrl+Enter to send)"))
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(70)
        self.hint = QLabel("")  # why Send is off, or what to know before sending
        self.hint.setObjectName("composerHint")
        self.hint.setWordWrap(True)  # a narrow window wraps it rather than cutting it off
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.context_note = QLabel("")  # the draft may not fit the context window
        self.context_note.setObjectName("composerWarning")
        self.context_note.setWordWrap(True)
        self.context_note.setVisible(False)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleDescription(
            self.tr("Sends the prompt and its images to the model (Ctrl+Enter).")
        )
        self.send_button.setDefault(True)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleDescription(
            self.tr("Stops the running turn; what the model wrote until then is kept (Esc or Ctrl+.).")
        )
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.attachments)
        layout.addWidget(self.problems)
        layout.addWidget(self.editor)
        layout.addWidget(self.context_note)
        # The hint has a line of its own, the window's width, just above Send: in a narrow
        # window it wraps over a few lines rather than a column beside the buttons.
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.editor.images_received.connect(self.add_from_mime)
        self.attachments.changed.connect(self._refresh)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.editor.installEventFilter(self)
        self.hint.installEventFilter(self)  # its width decides how many lines it needs
        self.editor.textChanged.connect(self._on_editor_text_changed)
        self._can_send = True
        self._can_attach = True
        self._locked_reason = ""
        self._busy = False
        self._model_sees_images = False
        self._base_hint = ""
        self._nothing_to_send = False  # the user asked to send an empty draft: say so until it changes
        self._refresh()

    def text(self) -> str:
        return self.editor.toPlainText()

    def clear(self) -> None:
        """Empty the draft: text, attachments and any refusal messages."""
        self.editor.clear()
        self.attachments.clear()
        self._show_problems([])

    def add_images(self, paths: list[str]) -> None:
        """Attach image files; each refused file gets its message, the draft keeps the rest."""
        accepted, refused = [], []
        for name in paths:
            try:
                accepted.append(read_image_file(Path(name)))
            except ImageError as error:
                refused.append(str(error))
        self._take(accepted, refused)

    def add_from_mime(self, mime: QMimeData) -> None:
        self._take(*read_mime_images(mime))

    def set_model_sees_images(self, sees: bool) -> None:
        self._model_sees_images = sees
        self._refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if has_images(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if has_images(event.mimeData()):
            self.add_from_mime(event.mimeData())
            event.acceptProposedAction()

    def set_can_attach(self, can_attach: bool, reason: str = "") -> None:
        """Whether images may be added to the draft (not to a signed, locked conversation);
        ``reason`` says why not, on the button and to a drop or paste refused."""
        self._can_attach = can_attach
        self._locked_reason = "" if can_attach else reason
        self.attach_button.setEnabled(can_attach)
        self.attach_button.setToolTip(
            self.tr("Attach image files to the prompt") if can_attach else self._locked_reason
        )

    def _take(self, accepted: list[CheckedImage], refused: list[str]) -> None:
        if not self._can_attach and accepted:
            accepted, refused = [], [*refused, self._locked_reason or self.tr("Images cannot be added now.")]
        if accepted:
            self.attachments.add(accepted)
        self._show_problems(refused)

    def _show_problems(self, refused: list[str]) -> None:
        self.problems.setText("\n".join(refused))
        self.problems.setVisible(bool(refused))

    def _on_attach_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach images"), "", self.tr(IMAGE_FILTER))
        # However the dialog ended, the keyboard goes back to the prompt (once the window is
        # active again): left on this button, the next typed space would open the dialog again.
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if paths:
            self.add_images(paths)

    def set_busy(self, busy: bool, stopping: bool = False) -> None:
        """While a turn runs, Send is off and Stop is on (off again once stopping)."""
        self._busy = busy
        self.stop_button.setEnabled(busy and not stopping)
        self.stop_button.setText(self.tr("Stopping…") if stopping else self.tr("Stop"))
        self._refresh()

    def set_context_warning(self, warning: str | None) -> None:
        """Say, under the draft, that the next turn may not fit (None: nothing to say)."""
        self.context_note.setText(warning or "")
        self.context_note.setVisible(bool(warning))

    def set_can_send(self, can_send: bool, hint: str = "") -> None:
        self._can_send = can_send
        self._base_hint = hint
        self._refresh()

    def _is_empty(self) -> bool:
        return not (self.editor.toPlainText().strip() or self.attachments.images())

    def _refresh(self) -> None:
        empty = self._is_empty()
        self.send_button.setEnabled(self._can_send and not self._busy and not empty)
        if self._busy:
            tip = self.tr("A turn is running: stop it (Esc) or wait for it to end.")
        elif not self._can_send:
            tip = self._base_hint or self.tr("Nothing can be sent now.")
        elif empty:
            tip = self.tr("Nothing to send: write a prompt (or attach an image) first.")
        else:
            tip = self.tr("Send the prompt (Ctrl+Enter)")
        self.send_button.setToolTip(tip)
        if not self._can_send and self._base_hint:  # why nothing can be sent comes first
            self.hint.setText(self._base_hint)
        elif self.attachments.images() and not self._model_sees_images:
            self.hint.setText(QCoreApplication.translate("Composer", NO_VISION_HINT))
        elif self._nothing_to_send and empty and self._can_send and not self._busy:
            self.hint.setText(self.tr("Nothing to send: write a prompt first."))
        else:
            self.hint.setText(self._base_hint)
        self.hint.setVisible(bool(self.hint.text()))
        self._fit_hint()

    def _fit_hint(self) -> None:
        # Squeezed by the splitter, the layout gives a label one line: a wrapped hint asks for all of its.
        width = self.hint.width()
        needed = self.hint.heightForWidth(width) if width > 0 and self.hint.text() else 0
        if needed != self.hint.minimumHeight():
            self.hint.setMinimumHeight(max(0, needed))

    def _on_editor_text_changed(self) -> None:
        self._nothing_to_send = False
        self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Keys are handled here rather than by QShortcut: shortcuts need an active window,
        # and the editor must own Ctrl+Enter before QPlainTextEdit inserts a newline.
        if watched is self.hint and event.type() == QEvent.Type.Resize:
            self._fit_hint()
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, modifiers = event.key(), event.modifiers()
            if (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and modifiers & Qt.KeyboardModifier.ControlModifier
            ):
                self._on_send_clicked()
                return True
            if key == Qt.Key.Key_Escape:
                self._on_escape()
                return True
        return super().eventFilter(watched, event)

    def _on_send_clicked(self) -> None:
        text = self.text()
        images = tuple(self.attachments.images())
        if not (text.strip() or images):
            self._nothing_to_send = True  # said beside Send, not ignored in silence
            self._refresh()
        elif self.send_button.isEnabled():
            self.submitted.emit(text, images)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)  # the next prompt is typed there

    def _on_escape(self) -> None:
        if self.stop_button.isEnabled():
            self.stop_requested.emit()
