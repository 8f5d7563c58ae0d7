"""The window speaks French and German: every string it shows is translated, dates and numbers are
written the locale's way, and the shipped catalogues are complete and built from their sources."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QLocale, QModelIndex, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.types import Flag
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig, load_config
from app.storage.repository import Store
from app.ui import words
from app.ui.i18n import install_language, language_of, remove_translators, translations_dir
from app.ui.main_window import MainWindow
from tests.fixtures.dialogs import OPENERS, Scene, close

ROOT = Path(__file__).resolve().parents[2]
# Record text the walks meet that is the user's, not the window's: never a catalogue string.
USER_DATA = {
    "Does the clause hold?",
    "It holds.",
    "Weigh the clause.",
    "Sound.",
    "figure.png",
    "Check the cap.",
    "And the other clause?",
    "decode failed",
}
# Widgets that show report text, which is written in English whatever the window's language (the
# export dialog says so beside it).
REPORT_TEXT = {"exportScope"}


def _tool() -> ModuleType:
    """tools/translations.py, loaded as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "tools" / "translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


@pytest.fixture
def speaking(qapp: QApplication) -> Iterator[object]:
    """Switch the window's language for one test; back to the source strings after it."""
    before = QLocale()

    def switch(language: str) -> str:
        return install_language(qapp, language)

    yield switch
    remove_translators(qapp)
    QLocale.setDefault(before)


# -- what the catalogue knows ------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z_0-9]*\}|%L?n|%L?\d+")


def _pattern(source: str) -> re.Pattern[str] | None:
    """A source string as a pattern of what it looks like shown (placeholders filled, & dropped);
    None for one too short to tell from user data."""
    plain = source.replace("&&", "\0").replace("&", "").replace("\0", "&")
    pieces = _PLACEHOLDER.split(plain)
    letters = sum(len(re.findall(r"[A-Za-z]", piece)) for piece in pieces)
    if letters < 3:
        return None
    # In a short source ("Turn {number}") a value is one word: else any sentence that begins with
    # the same word ("Veritrace {version}") would look like it.
    value = r"\S+" if letters < 12 else ".+?"
    return re.compile(value.join(re.escape(piece) for piece in pieces), re.DOTALL)


def untranslated_patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Every source string whose translation into ``language`` differs from it: seen as it is in
    the window, it was not translated."""
    found = {}
    for message in TOOL.messages(TOOL.ts_path(language)):
        if not message.live or any(form == message.source for form in message.forms):
            continue
        pattern = _pattern(message.source)
        if pattern is not None:
            found[message.source] = pattern
    return found


# -- what the window shows ---------------------------------------------------------------------


def _plain(text: str) -> str:
    return QTextDocumentFragment.fromHtml(text).toPlainText() if "<" in text else text


def _model_texts(model: QAbstractItemModel | None) -> Iterator[str]:
    if model is None:
        return
    root = QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    for section in range(columns):
        yield str(model.headerData(section, Qt.Orientation.Horizontal) or "")
    for row in range(min(model.rowCount(root), 50)):
        for column in range(columns):
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    yield value


def _menu_texts(menu: QMenu) -> Iterator[tuple[str, str]]:
    yield f"menu {menu.title()!r}", menu.title()
    for action in menu.actions():
        yield f"action {action.text()!r}", action.text()
        yield f"tooltip of action {action.text()!r}", action.toolTip()
        if action.menu() is not None:
            yield from _menu_texts(action.menu())  # type: ignore[arg-type]


def shown_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every string ``root``'s window shows or speaks."""
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not root.window() and widget is not root:
            continue
        if widget.objectName() in REPORT_TEXT:
            continue
        kind = f"{type(widget).__name__} {widget.objectName() or ''}".strip()
        if widget.isWindow():
            yield f"title of {kind}", widget.windowTitle()
        yield f"tooltip of {kind}", widget.toolTip()
        yield f"accessible name of {kind}", widget.accessibleName()
        yield f"accessible description of {kind}", widget.accessibleDescription()
        if isinstance(widget, (QLabel, QAbstractButton)):
            yield kind, widget.text()
        elif isinstance(widget, QGroupBox):
            yield kind, widget.title()
        elif isinstance(widget, QLineEdit):
            yield f"placeholder of {kind}", widget.placeholderText()
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            yield f"placeholder of {kind}", widget.placeholderText()
            if widget.isReadOnly():  # what the window wrote there; a draft is the user's
                yield kind, widget.toPlainText()
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                yield f"item of {kind}", widget.itemText(index)
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                yield f"tab of {kind}", widget.tabText(index)
                yield f"tab tooltip of {kind}", widget.tabToolTip(index)
        elif isinstance(widget, QAbstractItemView):
            for text in _model_texts(widget.model()):
                yield f"cell of {kind}", text
        elif isinstance(widget, QMenu):
            yield from _menu_texts(widget)
        if isinstance(widget, QAbstractSpinBox) and isinstance(widget, QSpinBox):
            yield f"special value of {kind}", widget.specialValueText()
    if isinstance(root, QMainWindow):
        for action in root.menuBar().actions():
            if action.menu() is not None:
                yield from _menu_texts(action.menu())  # type: ignore[arg-type]
        yield "status bar message", root.statusBar().currentMessage()


def _pieces(text: str) -> Iterator[str]:
    """The text, each line of it, and each part of a line between " · " separators."""
    plain = _plain(text).replace("\u2028", "\n").replace("\u2029", "\n")
    yield plain.strip()
    for line in plain.splitlines():
        yield line.strip()
        for part in line.split(" · "):
            yield part.strip()


def untranslated(root: QWidget, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    """One line per string ``root``'s window shows that is still its English source."""
    found = []
    for where, text in shown_texts(root):
        for piece in _pieces(text):
            if not piece or piece in USER_DATA:
                continue
            for source, pattern in patterns.items():
                if pattern.fullmatch(piece):
                    found.append(f"{where}: {piece!r} is the English source {source!r}")
                    break
    return sorted(set(found))


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.slow  # lupdate and lrelease, three languages
def test_catalogues_are_complete_and_the_shipped_files_built_from_them() -> None:
    problems = TOOL.check()
    assert not problems, "\n".join(problems)


@pytest.mark.slow  # every window of the app, one after the other
@pytest.mark.parametrize("language", ["fr", "de"])
def test_no_window_shows_an_untranslated_string(
    qtbot: QtBot,
    speaking,
    window_factory,
    store: Store,
    backend: FakeBackend,
    tmp_path: Path,
    language: str,
) -> None:
    assert speaking(language) == language
    patterns = untranslated_patterns(language)
    assert len(patterns) > 200, "the catalogue lost its strings"
    window: MainWindow = window_factory()
    window.show()
    qtbot.waitExposed(window)
    scene = Scene(qtbot, window, store, backend, tmp_path)
    problems = []
    for name, opener in OPENERS.items():
        window.controller.new_conversation()  # one window for all: the last one shown may be locked
        window.composer.clear()
        shown = opener(scene)
        problems += [f"{name}: {line}" for line in untranslated(shown, patterns)]
        if shown is not window:
            close(shown)
    # The conversation as a review leaves it: an annotated turn and a failed one.
    window.controller.new_conversation()
    turn = scene.answered()
    window.controller.annotate(turn.id, Flag.CONCERN, "Check the cap.")
    backend.enqueue(["[THINK]Weigh", " it.[/THINK]", "Partly"], fail_with=RuntimeError("decode failed"))
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        window.composer.editor.setPlainText("And the other clause?")
        window.composer.send_button.click()
    problems += [f"reviewed conversation: {line}" for line in untranslated(window, patterns)]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_walk_finds_an_english_string_left_in_a_translated_window(
    qtbot: QtBot, speaking, window_factory
) -> None:
    """The walk itself: the window in French, with a button, a placeholder and a menu entry put
    back in English, is caught on each of them."""
    speaking("fr")
    window: MainWindow = window_factory()
    patterns = untranslated_patterns("fr")
    before = set(untranslated(window, patterns))
    assert not any("Send" in line or "conversation'" in line for line in before), before
    window.composer.send_button.setText("Send")
    window.composer.editor.setPlaceholderText("Write a prompt…  (Ctrl+Enter to send)")
    window.menuBar().actions()[0].menu().actions()[0].setText("&New conversation")  # type: ignore[union-attr]
    found = set(untranslated(window, patterns)) - before
    assert any("'Send'" in line for line in found), found
    assert any("Write a prompt" in line for line in found), found
    assert any("'New conversation'" in line for line in found), found


@pytest.mark.slow  # a whole turn with a long trace, in the window
def test_dates_and_numbers_follow_the_locale(
    qtbot: QtBot, speaking, window_factory, backend: FakeBackend
) -> None:
    speaking("fr")
    assert words.number(1234567).replace("\u202f", " ").replace("\xa0", " ") == "1 234 567"
    assert words.decimal(3.5) == "3,5"
    assert words.utc_date_time("2026-12-07T09:05:00.000Z") == "07/12/2026 09:05 UTC"
    assert words.utc_time("2026-12-07T21:05:00.000Z") == "21:05 UTC"
    speaking("de")
    assert words.number(1234567) == "1.234.567"
    assert words.decimal(3.5) == "3,5"
    assert words.utc_date_time("2026-12-07T09:05:00.000Z") == "07.12.26 09:05 UTC"
    # In the window: the conversation list's date line and the finished turn's counts.
    window: MainWindow = window_factory()
    backend.enqueue(["[THINK]" + "Weigh the clause. " * 700 + "[/THINK]", "It holds."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        window.composer.editor.setPlainText("Does the clause hold?")
        window.composer.send_button.click()
    line = window.conversations.list.item(0).text().splitlines()[1]
    # Spaces inside the date and the count do not break: a narrow list wraps between them.
    assert re.match(r"\d\d\.\d\d\.\d\d\xa0\d\d:\d\d\xa0UTC · 1\xa0Runde", line), line
    caption = window.reasoning.findChild(QLabel, "paneCaption")
    assert caption is not None and "2.100 Wörter" in caption.text(), caption.text()


def test_english_says_one_entry_not_one_entries(speaking) -> None:
    assert speaking("en") == "en"
    assert words.counted().entries(1) == "1 entry"
    assert words.counted().entries(2) == "2 entries"
    assert words.counted().turns(1) == "1 turn"


def test_core_words_are_translated_for_the_window_only(speaking) -> None:
    from app.core.states import State, TurnState

    speaking("fr")
    failed = TurnState(State.FAILED, "failed (model file changed)", "model file changed")
    assert words.state_words(failed) == "échec (model file changed)"
    assert words.state_words(TurnState(State.TOKEN_LIMIT, "stopped at the token limit")) != (
        "stopped at the token limit"
    )
    # The record's own words are untouched: exports and the command line stay in English.
    assert failed.words == "failed (model file changed)"


def test_language_chosen_in_settings_is_kept_for_the_next_start(
    qtbot: QtBot, window_factory, tmp_path: Path
) -> None:
    window: MainWindow = window_factory()
    assert window.controller.config.language == ""
    window.controller.set_language("de")
    assert load_config().language == "de"
    assert AppConfig.from_dict(window.controller.config.to_dict()).language == "de"


def test_the_system_language_is_followed_and_an_unknown_one_falls_back_to_english(
    qapp: QApplication, speaking
) -> None:
    before = QLocale.system()
    assert language_of(QLocale("fr_CA")) == "fr"
    assert language_of(QLocale("de_AT")) == "de"
    assert language_of(QLocale("ja_JP")) == "en"
    assert speaking("") == language_of(before)
    assert (translations_dir() / "veritrace_fr.qm").is_file()
    assert (translations_dir() / "veritrace_de.qm").is_file()


def test_status_lines_from_the_services_are_shown_in_the_window_language(
    speaking, monkeypatch: pytest.MonkeyPatch
) -> None:
    speaking("de")
    assert words.status_words("Loading Magistral-Small-2509-Q4_K_M.gguf…") == (
        "Magistral-Small-2509-Q4_K_M.gguf wird geladen…"
    )
    assert words.status_words("Running turn 12 again…") == "Runde 12 wird erneut ausgeführt…"
    # The signing key's question, where there is no keyring (its folder is the user's).
    assert words.status_words("Passphrase for the signing key of /home/dana/keys") == (
        "Passphrase für den Signaturschlüssel von /home/dana/keys"
    )
    # What start-up says with no model at all, word for word as the services raise it.
    from app.core.errors import ModelError
    from app.services.config import resolve_model

    monkeypatch.setattr("app.services.config.demo_model_path", lambda: None)
    with pytest.raises(ModelError) as raised:
        resolve_model(AppConfig())
    assert words.status_words(str(raised.value)).startswith("Es ist kein Modell eingerichtet")
    # A file name that looks like a template is shown as it is, not filled in.
    assert words.status_words("Loading {name}{0}.gguf…") == "{name}{0}.gguf wird geladen…"
    # A line the catalogue does not know is shown as it came, never dropped.
    assert words.status_words("Prefilling 4,096 tokens…") == "Prefilling 4,096 tokens…"


def test_settings_offer_the_languages_each_in_its_own_name(qtbot: QtBot, speaking) -> None:
    from app.core.presets import preset
    from app.ui.settings_dialog import SettingsDialog

    speaking("fr")
    dialog = SettingsDialog(preset("demo"), language="de")
    qtbot.addWidget(dialog)
    tabs = [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]
    assert "Fenêtre" in tabs, tabs
    names = [dialog.language.itemText(index) for index in range(dialog.language.count())]
    assert names == ["Langue du système", "English", "Français", "Deutsch"]
    assert dialog.chosen_language() == "de"
    dialog.language.setCurrentIndex(0)
    assert dialog.chosen_language() == ""
    assert QLocale().name().startswith("fr")


_REPORT_MENUS = (
    "from app.ui import application\n"
    "from PySide6.QtCore import QLocale, QTimer\n"
    "from app.ui.main_window import MainWindow\n"
    "def report():\n"
    "    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]\n"
    "    if not windows:\n"
    "        QTimer.singleShot(20, report)\n"
    "        return\n"
    "    menus = [action.text() for action in windows[0].menuBar().actions()]\n"
    "    print('MENUS|' + '|'.join(menus) + '|LOCALE|' + QLocale().name(), flush=True)\n"
    "    QApplication.quit()\n"
    "QTimer.singleShot(0, report)\n"
)


@pytest.mark.slow  # the real start-up, in a process of its own
@pytest.mark.parametrize(
    ("system", "chosen", "menu", "locale"),
    [
        ("fr_FR.UTF-8", "", "&Fichier", "fr_FR"),  # the system's language
        ("fr_FR.UTF-8", "de", "&Datei", "de"),  # the one chosen in Settings wins
        ("fr_FR.UTF-8", "en", "&File", "en"),
    ],
)
def test_the_window_starts_in_the_system_language_or_the_one_chosen(
    monkeypatch: pytest.MonkeyPatch, system: str, chosen: str, menu: str, locale: str
) -> None:
    from app.services.config import save_config
    from tests.fixtures.cli_runs import WINDOW_START, run_python

    monkeypatch.setenv("LANG", system)
    monkeypatch.setenv("LC_ALL", system)
    save_config(AppConfig(language=chosen))
    result = run_python(WINDOW_START.replace("from app.ui import application\n", _REPORT_MENUS), timeout=180)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("MENUS|")]
    assert len(lines) == 1, result.stdout
    menus, shown_locale = lines[0].removeprefix("MENUS|").split("|LOCALE|")
    assert menus.split("|")[0] == menu, menus
    assert shown_locale.startswith(locale), shown_locale


@pytest.mark.slow  # lupdate and lrelease, three languages
def test_check_finds_an_unfinished_message_a_lost_placeholder_a_missing_string_and_a_stale_qm(
    tmp_path: Path,
) -> None:
    import shutil

    folder = tmp_path / "translations"
    shutil.copytree(TOOL.TRANSLATIONS, folder)
    french = TOOL.ts_path("fr", folder)
    text = french.read_text("utf-8")
    # Unfinished: a translation marked so; lost placeholder: "{number}" dropped from a translation.
    text = text.replace(
        "<translation>Nouvelle conversation</translation>",
        '<translation type="unfinished">Nouvelle conversation</translation>',
        1,
    )
    assert "<translation>Tour {number}</translation>" in text
    text = text.replace("<translation>Tour {number}</translation>", "<translation>Tour</translation>", 1)
    french.write_text(text, "utf-8")  # and its .qm is now stale
    german = TOOL.ts_path("de", folder)
    text = german.read_text("utf-8")
    start = text.index("<source>Ready</source>")
    message = text.rindex("<message>", 0, start)
    german.write_text(text[:message] + text[text.index("</message>", start) + len("</message>") :], "utf-8")
    problems = "\n".join(TOOL.check(folder))
    assert "fr [ConversationList] 'New conversation': not translated" in problems, problems
    assert "'Turn {number}': placeholders [] in 'Tour'" in problems, problems
    assert "'Ready': in the code, not in veritrace_de.ts" in problems, problems
    assert "veritrace_fr.qm: stale" in problems, problems
    assert "veritrace_en.qm" not in problems, problems  # what did not change is not reported
