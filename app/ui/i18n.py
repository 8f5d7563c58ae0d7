"""The window's language: Qt translators for the system's language or the one chosen in Settings.

The window's own words come from ``resources/translations/veritrace_<lang>.qm`` (built from the
``.ts`` files by ``tools/translations.py``); Qt's standard buttons and dialogs from Qt's own
``qtbase_<lang>.qm``. The record, the exports and the command line stay in English whatever is
chosen: only what the window shows is translated. Dates and numbers follow the same locale
(``QLocale()`` after ``install_language``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.resources import resource_dir

# The languages the window ships in, by code, each named in its own language (a menu of
# languages is read by someone who may not read the current one). "" follows the system.
SHIPPED = ("fr", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
CATALOGUE = "veritrace"

# Each translator installed, with the catalogue it reads: Qt reads a catalogue where it lies in
# memory, so its bytes live as long as the translator does.
_installed: list[tuple[QTranslator, bytes]] = []


def translations_dir() -> Path:
    """Where the window's ``.qm`` (and ``.ts``) files are, from source or a frozen build."""
    return resource_dir() / "translations"


def qt_translations_dirs() -> list[Path]:
    """Where Qt's own translations may be: Qt's configured folder, then PySide6's own (frozen)."""
    import PySide6

    found = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    found.append(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")
    found.append(Path(PySide6.__file__).resolve().parent / "translations")
    return [path for index, path in enumerate(found) if path not in found[:index]]


def locale_for(choice: str) -> QLocale:
    """The locale of a choice: "" the system's; a language code that language, in the system's
    country where Qt knows the pair (English in Germany writes dates the German way round)."""
    system = QLocale.system()
    if not choice:
        return system
    language = QLocale(choice).language()
    if language == system.language():
        return system
    return QLocale(language, system.territory())


def language_of(locale: QLocale) -> str:
    """The shipped language a locale reads in: "fr", "de", or "en" for every other (and English)."""
    code = locale.name().split("_")[0]
    return code if code in SHIPPED else "en"


def install_language(app: QCoreApplication, choice: str = "") -> str:
    """Translate the window into ``choice`` ("" the system's language, "en", "fr", "de").

    Earlier translators are removed first, so this can be called again to switch. Returns the
    language now in use ("en" when there is no translation for the system's language).
    """
    remove_translators(app)
    locale = locale_for(choice)
    QLocale.setDefault(locale)
    language = language_of(locale)
    # English has a catalogue too: its plural forms ("%n entries" → "1 entry").
    if not _install(app, translations_dir() / f"{CATALOGUE}_{language}.qm") and language != "en":
        language = "en"  # a missing catalogue: the window stays whole, in English
    if language == "en":
        return language
    for folder in qt_translations_dirs():
        if _install(app, folder / f"qtbase_{language}.qm"):
            break
    return language


def _install(app: QCoreApplication, path: Path) -> bool:
    """Install the catalogue at ``path``; False if there is none there or it is not one.

    It is read into memory first: a translator that maps the file would crash the app (a bus
    error) if the file were replaced while the window runs, by an update or a reinstall.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return False
    translator = QTranslator(app)
    if not translator.load(data, str(path.parent)):
        translator.deleteLater()
        return False
    app.installTranslator(translator)
    _installed.append((translator, data))
    return True


def remove_translators(app: QCoreApplication) -> None:
    """Back to the source strings (English, without its plural forms) for what is translated from now on."""
    while _installed:
        translator, _data = _installed.pop()
        app.removeTranslator(translator)
        translator.deleteLater()
