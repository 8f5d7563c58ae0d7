"""Images in the draft: reading them from drops and pastes, thumbnails, a full-size viewer.

A file name or caption is shown with its control characters as escapes and never read as markup.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.images import CheckedImage, ImageError, check_image, read_image_file
from app.core.text import visible
from app.render.html import label_text
from app.ui.words import size

THUMBNAIL = 64


def has_images(mime: QMimeData) -> bool:
    """Whether a drop or paste carries image data or file URLs (checked properly later)."""
    return mime.hasImage() or any(url.isLocalFile() for url in mime.urls())


def read_mime_images(mime: QMimeData) -> tuple[list[CheckedImage], list[str]]:
    """Accepted images and one message per refused item; nothing is ever fetched.

    Local file URLs are read from disk: the original bytes are the evidence. Without one,
    image data carried by the drag or paste is kept as PNG (a browser drag carries the
    pixels and a web URL; the URL is never fetched). A remote URL alone is refused.
    """
    accepted: list[CheckedImage] = []
    refused: list[str] = []
    local = [url for url in mime.urls() if url.isLocalFile()]
    for url in local:
        try:
            accepted.append(read_image_file(Path(url.toLocalFile())))
        except ImageError as error:
            refused.append(str(error))
    if not local and not mime.hasImage():
        refused.extend(
            QCoreApplication.translate(
                "AttachmentStrip", "{address} is not a local file; Veritrace never downloads. Save it first."
            ).format(address=url.toString()[:80])
            for url in mime.urls()
        )
    if not local and mime.hasImage():  # a browser drag: the pixels it carries, never its URL
        image = QImage(mime.imageData())
        if image.isNull():
            refused.append(
                QCoreApplication.translate("AttachmentStrip", "The pasted image could not be read.")
            )
        else:
            try:
                accepted.append(check_image(_png_bytes(image), "pasted-image.png"))
            except ImageError as error:
                refused.append(str(error))
    return accepted, refused


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; PySide6 wants str
    buffer.close()
    return bytes(data.data())


def thumbnail(data: bytes, height: int = THUMBNAIL) -> QImage:
    image = QImage.fromData(data)
    return (
        image.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
        if not image.isNull()
        else image
    )


class AttachmentStrip(QWidget):
    """Thumbnails of the images attached to the draft, each with a remove button.

    Signals:
        changed(): images were added or removed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttachmentStrip")
        self._images: list[CheckedImage] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.setVisible(False)

    def images(self) -> list[CheckedImage]:
        return list(self._images)

    def add(self, images: list[CheckedImage]) -> None:
        known = {image.sha256 for image in self._images}
        for image in images:
            if image.sha256 not in known:  # the same file twice is one attachment
                self._images.append(image)
                known.add(image.sha256)
        self._rebuild()

    def remove(self, index: int) -> None:
        del self._images[index]
        self._rebuild()

    def clear(self) -> None:
        self._images.clear()
        self._rebuild()

    def buttons(self) -> list[QToolButton]:
        return self.findChildren(QToolButton, "removeImage")

    def _rebuild(self) -> None:
        while self._layout.count() > 1:
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for index, image in enumerate(self._images):
            self._layout.insertWidget(index, self._tile(index, image))
        self.setVisible(bool(self._images))
        self.changed.emit()

    def _tile(self, index: int, image: CheckedImage) -> QWidget:
        tile = QWidget()
        tile.setObjectName("attachmentTile")
        picture = QLabel()
        picture.setPixmap(QPixmap.fromImage(thumbnail(image.data, THUMBNAIL)))
        picture.setToolTip(
            label_text(
                f"{image.filename}\n{image.width} × {image.height}, {size(image.size)}\n"
                f"SHA-256 {image.sha256}"
            )
        )
        remove = QToolButton()
        remove.setObjectName("removeImage")
        remove.setAccessibleName(self.tr("Remove {name}").format(name=visible(image.filename)))
        remove.setAccessibleDescription(
            self.tr("Removes this image from the prompt; the file is left alone.")
        )
        remove.setText("✕")
        remove.setToolTip(label_text(self.tr("Remove {name}").format(name=image.filename)))
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda _checked=False, position=index: self.remove(position))
        column = QVBoxLayout(tile)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(remove, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(picture)
        short = image.filename if len(image.filename) <= 14 else image.filename[:13] + "…"
        name = QLabel(visible(short))  # shortened first: an escape is never cut
        name.setTextFormat(Qt.TextFormat.PlainText)
        name.setObjectName("paneCaption")
        column.addWidget(name)
        return tile


class ImageViewer(QDialog):
    """An image at full size, with what the record knows about it."""

    def __init__(self, data: bytes, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Image"))
        self.setObjectName("ImageViewer")
        image = QImage.fromData(data)
        picture = QLabel()
        picture.setPixmap(QPixmap.fromImage(image))
        scroll = QScrollArea()
        scroll.setAccessibleName(self.tr("Image"))
        scroll.setAccessibleDescription(
            self.tr("The image at full size; the arrow keys scroll it. {caption}").format(
                caption=visible(caption)
            )
        )
        scroll.setWidget(picture)
        scroll.setWidgetResizable(False)
        details = QLabel(label_text(caption))
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(details)
        size = image.size().boundedTo(QSize(1100, 800))
        self.resize(max(size.width() + 40, 360), size.height() + 90)
        self.setWindowIcon(QIcon())
