"""A turn's prompt as the model saw it: token by token, control tokens marked with their ids."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.core.tokens import TokenPiece
from app.render.html import label_text, plain_to_html
from app.services.token_view import PromptTokenView

CONTROL_STYLE = "background-color:#ffd8a8; color:#7a3d00; font-weight:600;"
IMAGE_STYLE = "background-color:#d6e4f5; color:#1f4e79; font-weight:600;"
# Neighbouring tokens alternate shades, so where one ends and the next begins is visible.
SHADES = ("#dbe7f5", "#f4e6cf")
_BOX = 'style="white-space:pre-wrap; font-family:monospace; line-height:150%;"'


def tokens_html(view: PromptTokenView, *, show_ids: bool = False) -> str:
    """The tokens as HTML: each text shaded, control tokens and images marked, ids where asked.

    Every text is the model vocabulary's, escaped as record text is (control characters as
    visible escapes); a line break is shown as ↵ and kept.
    """
    parts = []
    images = 0
    for index, piece in enumerate(view.pieces):
        if piece.image:
            images += 1
            parts.append(f'<span style="{IMAGE_STYLE}">[image {images}]</span>')
        elif piece.text is None:
            parts.append(f'<span style="background-color:{SHADES[index % 2]};">{piece.id}</span> ')
        else:
            parts.append(_piece_html(piece, SHADES[index % 2], show_ids))
    return f"<div {_BOX}>{''.join(parts)}</div>"


def _piece_html(piece: TokenPiece, shade: str, show_ids: bool) -> str:
    text = (piece.text or "").replace("\n", "↵\n")
    body = text.rstrip("\n")  # the id goes before the line breaks a token ends with
    label = f"<sub>{piece.id}</sub>" if piece.control or show_ids else ""
    shown = plain_to_html(body, escapes=True) + label + plain_to_html(text[len(body) :], escapes=True)
    style = CONTROL_STYLE if piece.control else f"background-color:{shade};"
    return f'<span style="{style}">{shown}</span>'


def summary_text(view: PromptTokenView) -> str:
    count = len(view.pieces) - view.image_count
    words = f"{count} token{'' if count == 1 else 's'}"
    if view.has_texts:
        words += f", {view.control_count} of them control tokens (marked, with their ids)"
    if view.image_count:
        words += f"; {view.image_count} image{'' if view.image_count == 1 else 's'} between them"
    return words


class PromptTokensDialog(QDialog):
    """Shows one turn's prompt as tokens, read-only, once they are read (``set_view``)."""

    def __init__(self, turn_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PromptTokensDialog")
        self.setWindowTitle(f"Prompt of turn {turn_id} as tokens")
        self.view: PromptTokenView | None = None
        self.summary = QLabel("Reading the tokens (after the turn running now, if there is one)…")
        self.summary.setObjectName("paneCaption")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self.show_ids = QCheckBox("Show every token's id")
        self.show_ids.setVisible(False)
        self.tokens = QTextBrowser()
        self.tokens.setObjectName("promptTokens")
        self.tokens.setOpenLinks(False)
        self.tokens.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(self.show_ids)
        layout.addWidget(self.tokens, 1)
        layout.addWidget(buttons)
        self.show_ids.toggled.connect(self._on_show_ids_toggled)
        self.resize(820, 560)

    def set_view(self, view: PromptTokenView) -> None:
        self.view = view
        self.summary.setText(summary_text(view) if view.pieces else "")
        self.note.setText(label_text(view.note))
        self.note.setVisible(bool(view.note))
        self.show_ids.setVisible(view.has_texts)
        self._render()

    def set_failure(self, words: str) -> None:
        self.summary.setText("")
        self.note.setText(label_text(words))
        self.note.setVisible(True)

    def _render(self) -> None:
        if self.view is not None:
            self.tokens.setHtml(tokens_html(self.view, show_ids=self.show_ids.isChecked()))

    def _on_show_ids_toggled(self, _checked: bool) -> None:
        self._render()
