"""The look: Fusion, its palette and one style sheet, both built from the theme shown.

The sheet names no colour: every ``$role`` in ``SHEET`` is a role of ``app.ui.theme.Theme``.
Focus is drawn as a 2-pixel ring in the theme's focus colour on every button, field, list,
view and tab; the default action (Send) also changes its face when it has the focus.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from string import Template

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QApplication

from app.render.fonts import with_fallbacks
from app.ui.theme import Choice, Theme, theme_manager

SHEET = Template("""
QMainWindow, QDialog, QWidget#ConversationList { background: $window; color: $text; }
QToolTip { color: $tooltip_text; background: $tooltip; border: 1px solid $border; padding: 2px; }
QLabel#paneTitle { font-weight: 600; font-size: 10.5pt; color: $text; }
QLabel#paneCaption, QLabel#composerHint, QLabel#signoffHint, QLabel#identityHint { color: $muted; }
QLabel#composerProblems, QLabel#signoffProblem, QLabel#identityProblem { color: $danger; }
QLabel#signoffProblem, QLabel#identityProblem { font-weight: 600; }
QLabel#composerWarning { color: $caution; }
QLabel#signoffStatement {
    color: $text; background: $surface; border: 1px solid $border; border-radius: 3px; padding: 6px;
}

QPushButton, QToolButton {
    background: $button; color: $button_text; border: 1px solid $border; border-radius: 3px;
    padding: 4px 12px;
}
QToolButton { padding: 3px 6px; }
QPushButton:focus, QToolButton:focus { border: 2px solid $focus; padding: 3px 11px; }
QToolButton:focus { padding: 2px 5px; }
QPushButton:disabled, QToolButton:disabled {
    background: $disabled; color: $disabled_text; border: 1px dashed $disabled_text;
}
QPushButton#sendButton {
    background: $accent; color: $accent_text; border: 1px solid $accent; padding: 6px 18px; font-weight: 600;
}
QPushButton#sendButton:focus {
    background: $accent_focus; border: 2px solid $focus; padding: 5px 17px; text-decoration: underline;
}
QPushButton#sendButton:disabled {
    background: $disabled; color: $disabled_text; border: 1px dashed $disabled_text;
}
QPushButton#stopButton { padding: 6px 14px; }
QPushButton#stopButton:focus { padding: 5px 13px; }

QLineEdit, QPlainTextEdit, QTextEdit {
    background: $base; color: $text; border: 1px solid $border; border-radius: 2px;
    selection-background-color: $selection; selection-color: $selection_text;
}
QLineEdit { padding: 2px 3px; }
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus { border: 2px solid $focus; }
QLineEdit:focus { padding: 1px 2px; }
QLineEdit:disabled, QPlainTextEdit:disabled, QTextEdit:disabled {
    background: $disabled; color: $disabled_text;
}
QAbstractSpinBox, QComboBox {
    background: $base; color: $text; border: 1px solid $border; border-radius: 2px; padding: 2px 4px;
    selection-background-color: $selection; selection-color: $selection_text;
}
QAbstractSpinBox:focus, QComboBox:focus { border: 2px solid $focus; padding: 1px 3px; }
QAbstractSpinBox:disabled, QComboBox:disabled { background: $disabled; color: $disabled_text; }
QAbstractSpinBox { padding-right: 18px; }
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {
    subcontrol-origin: border; width: 16px; border-left: 1px solid $border; background: $button;
}
QAbstractSpinBox::up-button { subcontrol-position: top right; }
QAbstractSpinBox::down-button { subcontrol-position: bottom right; }
QAbstractSpinBox::up-arrow { image: url($arrow_up); width: 9px; height: 9px; }
QAbstractSpinBox::down-arrow { image: url($arrow_down); width: 9px; height: 9px; }
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off { image: url($arrow_up_off); }
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off { image: url($arrow_down_off); }
QComboBox { padding-right: 20px; }
QComboBox::drop-down {
    subcontrol-origin: padding; subcontrol-position: top right; width: 18px; border: none;
    border-left: 1px solid $border;
}
QComboBox::down-arrow { image: url($arrow_down); width: 9px; height: 9px; }
QComboBox::down-arrow:disabled { image: url($arrow_down_off); }
QCheckBox, QRadioButton { border: 2px solid transparent; border-radius: 3px; padding: 1px 2px; }
QCheckBox:focus, QRadioButton:focus { border: 2px solid $focus; }
QCheckBox:disabled, QRadioButton:disabled { color: $disabled_text; }
QCheckBox::indicator, QRadioButton::indicator {
    width: 13px; height: 13px; border: 1px solid $border; background: $base;
}
QCheckBox::indicator { border-radius: 2px; }
QRadioButton::indicator { border-radius: 7px; }
QCheckBox::indicator:checked { background: $accent; border-color: $accent; image: url($check); }
QRadioButton::indicator:checked { background: $accent; border-color: $accent; image: url($dot); }
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {
    background: $disabled; border-color: $disabled_text;
}

QAbstractItemView {
    background: $base; color: $text; border: 1px solid $border; alternate-background-color: $surface;
    selection-background-color: $selection; selection-color: $selection_text;
}
QAbstractItemView:focus { border: 2px solid $focus; }
QTabBar::tab:focus { border: 2px solid $focus; }
QTabWidget::pane { border: 1px solid $border; background: $window; top: -1px; }
QTabBar::tab:selected { color: $text; }

QListWidget#conversationItems::item { padding: 6px; border-bottom: 1px solid $divider; color: $text; }
QListWidget#conversationItems::item:selected { background: $selection; color: $selection_text; }
QTextBrowser#ConversationView, QTextBrowser#ReviewView {
    border: 1px solid $border; background: $base; color: $text;
}
QTextBrowser#ConversationView:focus, QTextBrowser#ReviewView:focus { border: 2px solid $focus; }
QTextBrowser#signoffSummary { border: 1px solid $border; background: $base; color: $text; }
QWidget#ReasoningPane { background: $reasoning; }
QPlainTextEdit#reasoningText {
    border: 1px solid $reasoning_border; background: $reasoning; color: $reasoning_text;
}
QPlainTextEdit#reasoningText:focus { border: 2px solid $focus; }
QPlainTextEdit#promptEditor { background: $base; color: $text; }

QFrame#SignaturesBanner { background: $banner; border: 1px solid $banner_border; border-radius: 3px; }
QTextBrowser#signaturesText { background: $banner; border: none; color: $banner_text; }
QTextBrowser#signaturesText:focus { border: 2px solid $focus; }
QTextBrowser#signaturesText QScrollBar:vertical { background: $banner; width: 10px; margin: 0; }
QTextBrowser#signaturesText QScrollBar::handle:vertical {
    background: $banner_handle; min-height: 24px; border-radius: 4px;
}
QTextBrowser#signaturesText QScrollBar::add-line:vertical,
QTextBrowser#signaturesText QScrollBar::sub-line:vertical { height: 0; }

QStatusBar { background: $window; color: $text; }
QStatusBar QLabel { color: $text; }
QLabel#modelLabel { padding: 0 8px; }
QLabel#stateLabel[whole="false"] { color: $caution; font-weight: 600; }
QLabel#noticeLabel {
    background: $warning; color: $warning_text; border: 1px solid $warning_border; border-radius: 3px;
    padding: 0 6px;
}
QLabel#integrityLabel, QLabel#hashLabel { padding: 0 8px; color: $muted; }
QLabel#integrityLabel[state="ok"], QLabel#hashLabel[state="ok"] { color: $ok; }
QLabel#integrityLabel[state="broken"], QLabel#hashLabel[state="broken"] {
    color: $alarm_text; background: $alarm; border-radius: 3px;
}
QLabel#modelLabel[demo="true"] {
    background: $warning; color: $warning_text; border: 1px solid $warning_border; border-radius: 3px;
}
""")


# The arrows of spin boxes and drop-down lists and the marks of check boxes and radio buttons:
# a style sheet that draws those controls draws these only from images, drawn here in the
# theme's colours.
ICONS = ("arrow_up", "arrow_down", "arrow_up_off", "arrow_down_off", "check", "dot")
_icon_folder: Path | None = None


def _icon(shape: str, colour: str) -> str:
    """The path of a small PNG (``shape``: up, down, check or dot) in ``colour``, drawn once."""
    global _icon_folder
    if _icon_folder is None:
        _icon_folder = Path(tempfile.mkdtemp(prefix="veritrace-style-"))
        atexit.register(shutil.rmtree, _icon_folder, True)
    path = _icon_folder / f"{shape}-{colour.lstrip('#')}.png"
    if not path.exists():
        size = 18  # drawn at twice the size shown: sharp at 200%
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(0)  # transparent
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if shape == "check":
            painter.setPen(QPen(QColor(colour), 2.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPolyline(QPolygonF([QPointF(4, 9.5), QPointF(7.5, 13), QPointF(14, 5)]))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            if shape == "dot":
                painter.drawEllipse(QPointF(9, 9), 4.0, 4.0)
            else:
                tip, base = (4.0, 13.0) if shape == "up" else (14.0, 5.0)
                painter.drawPolygon(QPolygonF([QPointF(2, base), QPointF(16, base), QPointF(9, tip)]))
        painter.end()
        image.save(str(path))  # PNG, by its suffix
    return path.as_posix()


def style_sheet(theme: Theme) -> str:
    """The application's style sheet in ``theme``'s colours."""
    values = {role: getattr(theme, role) for role in SHEET.get_identifiers() if role not in ICONS}
    values |= {
        "arrow_up": _icon("up", theme.text),
        "arrow_down": _icon("down", theme.text),
        "arrow_up_off": _icon("up", theme.disabled_text),
        "arrow_down_off": _icon("down", theme.disabled_text),
        "check": _icon("check", theme.accent_text),
        "dot": _icon("dot", theme.accent_text),
    }
    return SHEET.substitute(values)


def palette(theme: Theme) -> QPalette:
    """Fusion's palette in ``theme``'s colours (what the sheet does not draw, Fusion draws with it)."""
    roles = QPalette.ColorRole
    shown = QPalette()
    for role, colour in (
        (roles.Window, theme.window),
        (roles.WindowText, theme.text),
        (roles.Base, theme.base),
        (roles.AlternateBase, theme.surface),
        (roles.ToolTipBase, theme.tooltip),
        (roles.ToolTipText, theme.tooltip_text),
        (roles.PlaceholderText, theme.muted),
        (roles.Text, theme.text),
        (roles.Button, theme.button),
        (roles.ButtonText, theme.button_text),
        (roles.BrightText, theme.alarm_text),
        (roles.Highlight, theme.accent),
        (roles.HighlightedText, theme.accent_text),
        (roles.Link, theme.link),
        (roles.LinkVisited, theme.link),
        (roles.Accent, theme.accent),
    ):
        shown.setColor(role, QColor(colour))
    # Fusion's bevels and frames, from the button's face.
    button = QColor(theme.button)
    lighter, darker = (
        (button.lighter(150), button.darker(180))
        if theme.dark
        else (
            button.lighter(130),
            button.darker(160),
        )
    )
    shown.setColor(roles.Light, lighter)
    shown.setColor(roles.Midlight, button.lighter(115))
    shown.setColor(roles.Mid, QColor(theme.border))
    shown.setColor(roles.Dark, darker)
    shown.setColor(roles.Shadow, darker.darker(150))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.PlaceholderText):
        shown.setColor(disabled, role, QColor(theme.disabled_text))
    shown.setColor(disabled, roles.Button, QColor(theme.disabled))
    shown.setColor(disabled, roles.Base, QColor(theme.disabled))
    shown.setColor(disabled, roles.Highlight, QColor(theme.disabled))
    shown.setColor(disabled, roles.HighlightedText, QColor(theme.disabled_text))
    return shown


def show_theme(app: QApplication, theme: Theme) -> None:
    """Draw the whole application in ``theme``."""
    app.setPalette(palette(theme))
    app.setStyleSheet(style_sheet(theme))


def apply_style(app: QApplication, choice: Choice | str = Choice.SYSTEM) -> None:
    """Fusion, the fonts, and the theme ``choice``, drawn again whenever the theme shown changes
    (the system's scheme, or the user's choice: ``theme_manager().choose``)."""
    app.setStyle("Fusion")
    # The platform's UI font first, then the faces for every script the model writes.
    app.setFont(with_fallbacks(app.font()))
    global _drawn_in
    manager = theme_manager()
    if _drawn_in is not app:
        manager.changed.connect(lambda theme: show_theme(app, theme))
        _drawn_in = app
    before = manager.theme
    chosen = manager.choose(choice)
    if chosen == before:  # otherwise ``changed`` has drawn it
        show_theme(app, chosen)


_drawn_in: QApplication | None = None  # the application whose look follows the theme
