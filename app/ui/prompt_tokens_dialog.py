"""A turn's prompt as the model saw it: token by token, control tokens marked with their ids."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.core.tokens import TokenPiece
from app.render.html import label_text, plain_to_html
from app.services.token_view import PromptTokenView
from app.ui.accessibility import describe_standard_buttons
from app.ui.theme import current


def control_style() -> str:
    """How a control token is marked, in the theme shown."""
    theme = current()
    return f"background-color:{theme.token_control}; color:{theme.token_control_text}; font-weight:600;"


def _image_style() -> str:
    theme = current()
    return f"background-color:{theme.token_image}; color:{theme.token_image_text}; font-weight:600;"


def _shades() -> tuple[str, str]:
    """Neighbouring tokens alternate shades, so where one ends and the next begins is visible."""
    theme = current()
    return theme.token_a, theme.token_b


_BOX = 'style="white-space:pre-wrap; font-family:monospace; line-height:150%;"'


def tokens_html(view: PromptTokenView, *, show_ids: bool = False) -> str:
    """The tokens as HTML: each text shaded, control tokens and images marked, ids where asked.

    Every text is the model vocabulary's, escaped as record text is (control characters as
    visible escapes); a line break is shown as ↵ and kept.
    """
    parts = []
    images = 0
    shades = _shades()
    text = f"color:{current().text};"
    for index, piece in enumerate(view.pieces):
        if piece.image:
            images += 1
            image = QCoreApplication.translate("PromptTokensDialog", "[image {number}]").format(number=images)
            parts.append(f'<span style="{_image_style()}">{image}</span>')
        elif piece.text is None:
            parts.append(f'<span style="background-color:{shades[index % 2]}; {text}">{piece.id}</span> ')
        else:
            parts.append(_piece_html(piece, shades[index % 2], show_ids))
    return f"<div {_BOX}>{''.join(parts)}</div>"


def _piece_html(piece: TokenPiece, shade: str, show_ids: bool) -> str:
    text = (piece.text or "").replace("\n", "↵\n")
    body = text.rstrip("\n")  # the id goes before the line breaks a token ends with
    label = f"<sub>{piece.id}</sub>" if piece.control or show_ids else ""
    colours = current().render_colours()
    shown = plain_to_html(body, escapes=True, colours=colours) + label
    shown += plain_to_html(text[len(body) :], escapes=True, colours=colours)
    style = control_style() if piece.control else f"background-color:{shade}; color:{current().text};"
    return f'<span style="{style}">{shown}</span>'


class PromptTokensDialog(QDialog):
    """Shows one turn's prompt as tokens, read-only, once they are read (``set_view``)."""

    def __init__(self, turn_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PromptTokensDialog")
        self.setWindowTitle(self.tr("Prompt of turn {number} as tokens").format(number=turn_id))
        self.view: PromptTokenView | None = None
        self.summary = QLabel(self.tr("Reading the tokens (after the turn running now, if there is one)…"))
        self.summary.setObjectName("paneCaption")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self.show_ids = QCheckBox(self.tr("Show every token's id"))
        self.show_ids.setVisible(False)
        self.tokens = QTextBrowser()
        self.tokens.setObjectName("promptTokens")
        self.tokens.setOpenLinks(False)
        self.tokens.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        describe_standard_buttons(buttons)
        self.show_ids.setAccessibleDescription(
            self.tr("Shows each token's id under it, not only the control tokens' ids.")
        )
        self.tokens.setAccessibleName(self.tr("Prompt as tokens"))
        self.tokens.setAccessibleDescription(
            self.tr(
                "The prompt exactly as the model read it, token by token, read-only; "
                "control tokens are marked."
            )
        )
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
        self.summary.setText(self.summary_text(view) if view.pieces else "")
        self.note.setText(label_text(self.note_words(view)))
        self.note.setVisible(bool(view.note))
        self.show_ids.setVisible(view.has_texts)
        self._render()

    def note_words(self, view: PromptTokenView) -> str:
        """Why the texts are missing, in the window's language (the services' note where the view
        gives no reason this window knows how to word)."""
        if view.why == "remote":
            return self.tr(
                "This turn's prompt token ids are not known: it ran on a server, which does not say "
                "the ids it read."
            )
        if view.why == "unrecorded":
            return self.tr(
                "This turn's prompt token ids are not known: they were not recorded (the turn was "
                "recorded by an earlier version of Veritrace)."
            )
        if view.why == "no-model":
            return self.tr(
                "No local model is loaded: the ids alone. Load the model that ran this turn to see "
                "each token's text."
            )
        if view.why == "other-model":
            return self.tr(
                "The model loaded now (SHA-256 {loaded}) is not the one that ran this turn "
                "(SHA-256 {recorded}): the ids alone. Load that model to see each token's text."
            ).format(
                loaded=view.loaded_sha256 or self.tr("not hashed yet"),
                recorded=view.recorded_sha256 or self.tr("not recorded"),
            )
        return view.note

    def summary_text(self, view: PromptTokenView) -> str:
        """How many tokens, control tokens and images the prompt has."""
        words = self.tr("%Ln tokens", "", len(view.pieces) - view.image_count)
        if view.has_texts:
            words += self.tr(", %Ln of them control tokens (marked, with their ids)", "", view.control_count)
        if view.image_count:
            words += self.tr("; %Ln images between them", "", view.image_count)
        return words

    def set_failure(self, words: str) -> None:
        self.summary.setText("")
        self.note.setText(label_text(words))
        self.note.setVisible(True)

    def _render(self) -> None:
        if self.view is not None:
            self.tokens.setHtml(tokens_html(self.view, show_ids=self.show_ids.isChecked()))

    def _on_show_ids_toggled(self, _checked: bool) -> None:
        self._render()
