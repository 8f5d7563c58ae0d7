"""The look: a calm, high-contrast light theme for long reading sessions."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.render.fonts import with_fallbacks

STYLE_SHEET = """
QMainWindow, QWidget#ConversationList { background: #f6f7f9; }
QLabel#paneTitle { font-weight: 600; font-size: 10.5pt; color: #1f2933; }
QLabel#paneCaption, QLabel#composerHint { color: #5f6b7a; }
QLabel#composerProblems { color: #b3261e; }
QLabel#composerWarning { color: #8a5300; }
QListWidget#conversationItems { border: 1px solid #dde3ea; background: white; }
QListWidget#conversationItems::item { padding: 6px; border-bottom: 1px solid #eef1f4; }
QListWidget#conversationItems::item:selected { background: #dbe8f7; color: #102a43; }
QTextBrowser#ConversationView { border: 1px solid #dde3ea; background: white; }
QWidget#ReasoningPane { background: #fbf8f1; }
QPlainTextEdit#reasoningText { border: 1px solid #e8dfc9; background: #fffdf7; color: #3d3a33; }
QPlainTextEdit#promptEditor { border: 1px solid #c9d2dc; background: white; }
QPushButton#sendButton {
    background: #1f5fa8; color: white; border: none; padding: 6px 18px; border-radius: 3px;
}
QPushButton#sendButton:disabled { background: #a9b8c8; }
QPushButton#stopButton { padding: 6px 14px; }
QLabel#modelLabel { padding: 0 8px; }
QLabel#stateLabel[whole="false"] { color: #8a5300; font-weight: 600; }
QLabel#noticeLabel {
    background: #fff4ce; color: #6b4f00; border: 1px solid #e6cf7a; border-radius: 3px; padding: 0 6px;
}
QLabel#integrityLabel { padding: 0 8px; color: #5f6b7a; }
QLabel#integrityLabel[state="ok"] { color: #2e7d32; }
QLabel#integrityLabel[state="broken"] { color: white; background: #c62828; border-radius: 3px; }
QLabel#hashLabel { padding: 0 8px; color: #5f6b7a; }
QLabel#hashLabel[state="ok"] { color: #2e7d32; }
QLabel#hashLabel[state="broken"] { color: white; background: #c62828; border-radius: 3px; }
QLabel#modelLabel[demo="true"] {
    background: #fff4ce; color: #6b4f00; border: 1px solid #e6cf7a; border-radius: 3px;
}
"""


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET)
    # The platform's UI font first, then the faces for every script the model writes.
    app.setFont(with_fallbacks(app.font()))
