"""Where the user writes a prompt and attaches images: Ctrl+Enter sends, Esc or Stop stops."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
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

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)"
NO_VISION_HINT = "This model cannot see images (no vision projector): they will be recorded, not sent."


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
        self.attach_button = QPushButton("Attach image…")
        self.attach_button.setObjectName("attachButton")
        self.problems = QLabel("")
        self.problems.setObjectName("composerProblems")
        self.problems.setWordWrap(True)
        self.problems.setVisible(False)
        self.editor = PromptEditor()
        self.editor.setObjectName("promptEditor")
        self.editor.setPlaceholderText("Write a prompt…  (Ctrl+Enter to send)")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(70)
        self.hint = QLabel("")
        self.hint.setObjectName("composerHint")
        self.context_note = QLabel("")  # the draft may not fit the context window
        self.context_note.setObjectName("composerWarning")
        self.context_note.setWordWrap(True)
        self.context_note.setVisible(False)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.attachments)
        layout.addWidget(self.problems)
        layout.addWidget(self.editor)
        layout.addWidget(self.context_note)
        layout.addLayout(buttons)
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.editor.images_received.connect(self.add_from_mime)
        self.attachments.changed.connect(self._refresh)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.editor.installEventFilter(self)
        self._can_send = True
        self._busy = False
        self._model_sees_images = False
        self._base_hint = ""

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

    def _take(self, accepted: list[CheckedImage], refused: list[str]) -> None:
        if accepted:
            self.attachments.add(accepted)
        self._show_problems(refused)

    def _show_problems(self, refused: list[str]) -> None:
        self.problems.setText("\n".join(refused))
        self.problems.setVisible(bool(refused))

    def _on_attach_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Attach images",
            "",
            "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)",
        )
        if paths:
            self.add_images(paths)

    def set_busy(self, busy: bool, stopping: bool = False) -> None:
        """While a turn runs, Send is off and Stop is on (off again once stopping)."""
        self._busy = busy
        self.stop_button.setEnabled(busy and not stopping)
        self.stop_button.setText("Stopping…" if stopping else "Stop")
        self._refresh()

    def set_context_warning(self, warning: str | None) -> None:
        """Say, under the draft, that the next turn may not fit (None: nothing to say)."""
        self.context_note.setText(warning or "")
        self.context_note.setVisible(bool(warning))

    def set_can_send(self, can_send: bool, hint: str = "") -> None:
        self._can_send = can_send
        self._base_hint = hint
        self._refresh()

    def _refresh(self) -> None:
        self.send_button.setEnabled(self._can_send and not self._busy)
        if self.attachments.images() and not self._model_sees_images:
            self.hint.setText(NO_VISION_HINT)
        else:
            self.hint.setText(self._base_hint)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Keys are handled here rather than by QShortcut: shortcuts need an active window,
        # and the editor must own Ctrl+Enter before QPlainTextEdit inserts a newline.
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
        if (text.strip() or images) and self.send_button.isEnabled():
            self.submitted.emit(text, images)

    def _on_escape(self) -> None:
        if self.stop_button.isEnabled():
            self.stop_requested.emit()
