"""Help ▸ Guide: a short guide to the review flow, in the window's language.

Ask, read the reasoning, review and annotate, sign off, search, export, verify: one section each.
The text is translated like the rest of the window (each paragraph is one ``tr`` string).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.ui.accessibility import describe_standard_buttons


class GuideDialog(QDialog):
    """A short guide, in sections, that scrolls; non-modal so the window stays usable beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GuideDialog")
        self.setWindowTitle(self.tr("Veritrace guide"))
        self.setAccessibleName(self.tr("Veritrace guide"))
        self.setAccessibleDescription(
            self.tr("How to ask, read the reasoning, review, sign off, search, export and verify.")
        )
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(self.tr("Guide text"))
        self.browser.setAccessibleDescription(self.tr("Use the arrow and Page keys to scroll."))
        self.browser.setHtml(self._html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        describe_standard_buttons(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(640, 620)
        self.browser.setFocus(Qt.FocusReason.OtherFocusReason)

    def sections(self) -> list[tuple[str, list[str]]]:
        """(title, paragraphs) for each step of a review, in order."""
        return [
            (
                self.tr("1. Ask"),
                [
                    self.tr(
                        "Type a prompt in the box at the bottom of the conversation and press Send "
                        "(Ctrl+Enter). Drop or paste images onto the prompt, or use Attach image…, to "
                        "ask about a scanned page or a diagram (the model needs its vision projector: "
                        "File ▸ Open vision projector…)."
                    ),
                    self.tr(
                        "Everything is recorded before the model starts: the prompt, the exact text "
                        "sent to the model, the settings, and the model file's SHA-256. Stop ends a "
                        "turn early; what was produced until then is kept and marked stopped."
                    ),
                ],
            ),
            (
                self.tr("2. Read the reasoning"),
                [
                    self.tr(
                        "The model's reasoning streams into the Reasoning pane on the right as it is "
                        "written; the answer appears in the conversation. Choose an earlier turn's "
                        "label in the conversation to show its reasoning again."
                    ),
                ],
            ),
            (
                self.tr("3. Review and annotate"),
                [
                    self.tr(
                        "Annotate under a turn adds a flag (OK, Concern or Error) and a comment. "
                        "Annotations are added to the record, never edited: a later one supersedes an "
                        "earlier one, and both stay. Reproduce runs a turn again with its recorded "
                        "settings and compares the output."
                    ),
                    self.tr("Set your name in Review ▸ Your name…: it is recorded with everything you do."),
                ],
            ),
            (
                self.tr("4. Sign off"),
                [
                    self.tr(
                        "Review ▸ Sign off this conversation… signs it with your signing identity "
                        "(Review ▸ Signing identities… creates one), with a meaning (reviewed, approved "
                        "or rejected) and a reason. A signed conversation is closed: later work goes on "
                        "in a new conversation (Review ▸ Continue in a new conversation)."
                    ),
                ],
            ),
            (
                self.tr("5. Search"),
                [
                    self.tr(
                        "Review ▸ Browse sessions… (Ctrl+Shift+F) searches prompts, reasoning, answers "
                        "and annotations across the whole record, and filters by model, date, flag and "
                        "state."
                    ),
                ],
            ),
            (
                self.tr("6. Export"),
                [
                    self.tr(
                        "File ▸ Export this conversation… (Ctrl+E), or Export in the sessions window "
                        "for several, writes a PDF or Markdown report and a signed JSON bundle that "
                        "anyone can check with the verifier it carries."
                    ),
                ],
            ),
            (
                self.tr("7. Verify"),
                [
                    self.tr(
                        "Review ▸ Verify the record checks the whole hash chain, every signature and "
                        "the witness kept outside the record; the status bar shows the result. From a "
                        "terminal, veritrace verify does the same, and python verify_bundle.py checks "
                        "an exported bundle on any computer."
                    ),
                ],
            ),
        ]

    def _html(self) -> str:
        parts = []
        for title, paragraphs in self.sections():
            parts.append(f"<h3>{escape(title)}</h3>")
            parts.extend(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
        return "".join(parts)

    def text(self) -> str:
        """What the guide shows, as plain text."""
        return self.browser.toPlainText()
