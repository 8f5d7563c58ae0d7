"""The light and dark themes: contrast of every colour pair, no colour outside the theme, the
choice in Settings applied at once and kept, the system's scheme followed, and what is really
drawn (pixels of the prompt, "Ready", a disabled Stop, focus rings) readable in dark."""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import app.ui
from app.render.colours import PRINT
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig, load_config
from app.ui import style
from app.ui.conversation_view import text_fragments
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from app.ui.theme import (
    DARK,
    LIGHT,
    PAIRS,
    STATE_ROLES,
    TEXT,
    THEMES,
    Choice,
    Theme,
    contrast,
    current,
    roles,
)
from app.ui.theme import theme_manager as manager
from tests.fixtures.window import send

UI = Path(app.ui.__file__).parent
# A colour written out: hex, a CSS function, a named Qt colour, a QColor built from literals, or a
# CSS colour name given to a colour property.
LITERAL_COLOUR = re.compile(
    r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\b(?:rgba?|hsla?|hsv)\(|Qt\.GlobalColor|Qt\.(?:white|black|red|green"
    r"|blue|gray|darkGray|lightGray|yellow)\b|QColor\(\s*(?:[\"'\d]|Qt\.)"
    r"|(?:color|background(?:-color)?|border(?:-[a-z]+)?)\s*:\s*[^;\"'}]*\b(?:white|black|red|green|blue"
    r"|gr[ae]y|yellow|orange|purple|navy|silver|maroon|teal)\b"
)


def test_every_themed_pair_meets_wcag_aa_in_both_themes() -> None:
    measured = [
        (theme.name, pair, contrast(getattr(theme, pair.foreground), getattr(theme, pair.background)))
        for theme in THEMES
        for pair in PAIRS
    ]
    assert [(name, pair, round(ratio, 2)) for name, pair, ratio in measured if ratio < pair.minimum] == []
    # Text is the rule, not the exception: at least half the pairs are held to 4.5:1.
    assert sum(pair.minimum >= TEXT for pair in PAIRS) > len(PAIRS) / 2


def test_every_colour_role_is_in_a_pair_and_both_themes_name_real_colours() -> None:
    paired = {pair.foreground for pair in PAIRS} | {pair.background for pair in PAIRS}
    assert set(roles()) - paired == set(), "a colour no pair says what it is drawn on"
    assert paired - set(roles()) == set(), "a pair names a role the theme does not have"
    for theme in THEMES:
        for role in roles():
            assert re.fullmatch(r"#[0-9a-f]{6}", getattr(theme, role)), (theme.name, role)
    # The roles are the dataclass's fields, nothing hidden beside them.
    assert set(roles()) == {field.name for field in fields(Theme)} - {"name", "dark"}
    assert set(STATE_ROLES.values()) <= set(roles())


def test_the_contrast_function_agrees_with_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_the_print_colours_of_escapes_are_readable_too() -> None:
    """Tooltips and the report renderer use the print colours of an escape, on their own background."""
    assert contrast(PRINT.escape, PRINT.escape_background) >= TEXT
    assert LIGHT.render_colours().escape_style == PRINT.escape_style


def test_no_literal_colour_in_the_window_outside_the_theme() -> None:
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(UI.glob("*.py"))
        if path.name != "theme.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LITERAL_COLOUR.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "line",
    [
        'X = "#1f5fa8"',
        "QColor(255, 0, 0)",
        'QColor("white")',
        "color: white;",
        "background: rgb(1, 2, 3)",
        "Qt.GlobalColor.red",
        "border: 1px solid black",
    ],
)
def test_the_literal_colour_check_catches_each_way_of_writing_one(line: str) -> None:
    assert LITERAL_COLOUR.search(line)


def test_the_style_sheet_names_only_roles_and_every_role_it_names_exists() -> None:
    assert not LITERAL_COLOUR.search(style.SHEET.template)
    assert set(style.SHEET.get_identifiers()) <= set(roles()) | set(style.ICONS)
    for theme in THEMES:
        sheet = style.style_sheet(theme)
        assert "$" not in sheet
        assert theme.focus in sheet and theme.accent in sheet and theme.text in sheet


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The application drawn in the theme (Light to start), as the app draws it; put back after."""
    palette, sheet, style_name = QPalette(qapp.palette()), qapp.styleSheet(), qapp.style().name()
    _delete_closed_widgets()
    style.apply_style(qapp, Choice.LIGHT)
    yield qapp
    manager().choose(Choice.LIGHT)
    manager().changed.disconnect()
    style._drawn_in = None
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style_name)


def _settled(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the model's hash is recorded: its check writes to the record from its own thread,
    which must be done before the test's record is closed."""
    qtbot.waitUntil(lambda: window.status.hash.property("state") == "ok", timeout=5000)
    _delete_closed_widgets()


def _delete_closed_widgets() -> None:
    """Delete the windows earlier tests closed, here, on this thread. Left to chance, the last
    reference to one can go on a thread of its own session (a job's closure) while a new
    application style sheet is polishing every widget: Qt then crashes. The app has one window
    for its whole life; a test process has dozens."""
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _shown(qapp: QApplication, theme: Theme) -> bool:
    window = qapp.palette().color(QPalette.ColorRole.Window)
    return window == QColor(theme.window) and style.style_sheet(theme) == qapp.styleSheet()


def test_choosing_light_or_dark_in_settings_redraws_everything_at_once_and_ok_keeps_it(
    qtbot: QtBot, themed: QApplication, window: MainWindow, backend: FakeBackend
) -> None:
    _settled(qtbot, window)
    backend.enqueue(["[THINK]why[/THINK]", "Because."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "A question")
    assert _shown(themed, LIGHT) and LIGHT.surface in window.view.toHtml()
    dialog = SettingsDialog(window.controller.settings(), window, language="", theme="light")
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    # At once, the dialog still open: the palette, the sheet and the conversation's own colours.
    assert _shown(themed, DARK) and current() is DARK
    assert DARK.surface in window.view.toHtml() and LIGHT.surface not in window.view.toHtml()
    assert DARK.text in window.view.document().defaultStyleSheet()
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    assert _shown(themed, LIGHT) and LIGHT.surface in window.view.toHtml()
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.reject()  # cancelled: back to what was chosen before, nothing kept
    assert _shown(themed, LIGHT)
    assert load_config().theme == "system"

    dialog = SettingsDialog(window.controller.settings(), window, language="", theme="light")
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    window.controller.set_theme(dialog.chosen_theme())  # what the window does after OK
    assert _shown(themed, DARK)
    assert window.controller.config.theme == "dark" and load_config().theme == "dark"


def test_system_follows_the_systems_scheme_while_running_and_what_is_shown_follows_too(
    qtbot: QtBot, themed: QApplication, window: MainWindow, backend: FakeBackend
) -> None:
    _settled(qtbot, window)
    backend.enqueue(["[THINK]a \x1b[2J b[/THINK]", "ok \x1b[1m"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "escape")
    hints = QGuiApplication.styleHints()
    manager().choose(Choice.SYSTEM)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert _shown(themed, DARK) and DARK.text in window.view.document().defaultStyleSheet()
    # Escapes already drawn, in the reasoning pane's plain text and in the conversation.
    assert _escape_backgrounds(window.reasoning._text.document()) == {DARK.escape_background}
    assert _escape_backgrounds(window.view.document()) == {DARK.escape_background}
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert _shown(themed, LIGHT)
    assert _escape_backgrounds(window.reasoning._text.document()) == {LIGHT.escape_background}
    manager().choose(Choice.DARK)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert _shown(themed, DARK), "a manual choice stays whatever the system does"


def test_a_theme_change_mid_turn_keeps_the_live_answer_and_what_streams_after_it(
    qtbot: QtBot, themed: QApplication, window: MainWindow, backend: FakeBackend
) -> None:
    _settled(qtbot, window)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        backend.enqueue(["[THINK]t[/THINK]", "First answer."])
        send(qtbot, window, "First")
    script = backend.enqueue(["[THINK]t[/THINK]", "Half \x1b[1m", "way", " and the rest."], hold_after=3)
    send(qtbot, window, "Second")
    qtbot.waitUntil(lambda: "Half \\x1b[1mway" in window.view.toPlainText(), timeout=5000)
    manager().choose(Choice.DARK)
    shown = window.view.toPlainText()
    assert "First answer." in shown and shown.count("Half \\x1b[1mway") == 1
    assert DARK.surface in window.view.toHtml() and LIGHT.surface not in window.view.toHtml()
    assert _escape_backgrounds(window.view.document()) == {DARK.escape_background}
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    assert "Half \\x1b[1mway and the rest." in window.view.toPlainText()


def test_a_saved_theme_that_is_not_one_of_the_three_falls_back_to_system() -> None:
    assert AppConfig.from_dict({"theme": "neon"}).theme == "system"
    assert AppConfig.from_dict({"theme": ["dark"]}).theme == "system"
    assert AppConfig.from_dict({"theme": "dark"}).theme == "dark"


def _escape_backgrounds(document: QTextDocument) -> set[str]:
    return {
        fragment.charFormat().background().color().name()
        for fragment in text_fragments(document)
        if fragment.text().startswith("\\x1b")
    }


# --- What is drawn: real pixels ----------------------------------------------------------------


def _colours(image: QImage) -> Counter[str]:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return Counter(image.pixelColor(x, y).name() for y in range(image.height()) for x in range(image.width()))


def _ink_contrast(widget: QWidget) -> float:
    """The contrast between the commonest colour of ``widget`` (its background) and the pixel
    that stands out most from it (the core of its text)."""
    counts = _colours(widget.grab().toImage())
    background = counts.most_common(1)[0][0]
    return max(contrast(colour, background) for colour in counts)


@pytest.fixture
def shown_window(qtbot: QtBot, themed: QApplication, window: MainWindow) -> MainWindow:
    """The window on screen and active (focus needs both), its model's hash recorded."""
    _settled(qtbot, window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=lambda theme: theme.name)
def test_the_typed_prompt_ready_and_a_disabled_stop_are_drawn_readable(
    qtbot: QtBot, shown_window: MainWindow, theme: Theme
) -> None:
    manager().choose(Choice(theme.name))
    editor = shown_window.composer.editor
    editor.setPlainText("The typed prompt, readable")
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    assert _colours(editor.viewport().grab().toImage()).most_common(1)[0][0] == theme.base
    assert _ink_contrast(editor.viewport()) >= TEXT
    qtbot.waitUntil(lambda: shown_window.status.state.text() == "Ready")
    assert _ink_contrast(shown_window.status.state) >= TEXT

    stop = shown_window.composer.stop_button
    assert not stop.isEnabled()
    assert _colours(stop.grab().toImage()).most_common(1)[0][0] == theme.disabled
    disabled_ink = _ink_contrast(stop)
    assert disabled_ink >= 3.0, "disabled, yet legible"
    stop.setEnabled(True)
    assert _colours(stop.grab().toImage()).most_common(1)[0][0] == theme.button
    assert _ink_contrast(stop) > disabled_ink + 2, "enabled, it reads clearly stronger"
    stop.setEnabled(False)


def test_focus_is_a_ring_in_the_focus_colour_in_both_themes_and_send_changes_with_it(
    qtbot: QtBot, shown_window: MainWindow
) -> None:
    composer = shown_window.composer
    composer.editor.setPlainText("something to send")
    send_button = composer.send_button
    for theme in THEMES:
        manager().choose(Choice(theme.name))
        composer.editor.setFocus()
        qtbot.waitUntil(composer.editor.hasFocus)
        unfocused = _colours(send_button.grab().toImage())
        assert theme.focus not in unfocused and unfocused.most_common(1)[0][0] == theme.accent
        for widget in (send_button, composer.attach_button, composer.editor, shown_window.conversations.list):
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            qtbot.waitUntil(widget.hasFocus)
            ring = _colours(widget.grab().toImage())[theme.focus]
            # A ring two pixels wide around (nearly) all of it.
            assert ring >= 3 * (widget.width() + widget.height()), (theme.name, type(widget).__name__, ring)
        send_button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(send_button.hasFocus)
        focused = _colours(send_button.grab().toImage())
        assert focused.most_common(1)[0][0] == theme.accent_focus != theme.accent, "Send's face changes too"

    dialog = SettingsDialog(shown_window.controller.settings(), shown_window, language="", theme="dark")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    bar = dialog.tabs.tabBar()
    bar.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(bar.hasFocus)
    tab = bar.tabRect(bar.currentIndex())
    assert _colours(bar.grab(tab).toImage())[DARK.focus] >= 3 * (tab.width() + tab.height())
    for field in (dialog.temperature, dialog.preset):  # a spin box and a drop-down list
        field.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(field.hasFocus)
        assert _colours(field.grab().toImage())[DARK.focus] >= 3 * (field.width() + field.height())
