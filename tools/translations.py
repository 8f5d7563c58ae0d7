"""The window's translations: extract, compile and check them with Qt's own tools.

    python3 tools/translations.py update [--no-obsolete]  # pyside6-lupdate app/ui/*.py → .ts files
    python3 tools/translations.py release                 # pyside6-lrelease .ts → .qm (what ships)
    python3 tools/translations.py check                   # exit 1 on anything unfinished or stale
    python3 tools/translations.py todo [--context NAME]   # the messages still to translate
    python3 tools/translations.py fill FILE.json          # set {lang: {context: {source: text}}}

``update`` keeps every existing translation; a string that left the code is kept as "vanished"
(and revived if it comes back) until ``--no-obsolete`` drops it. ``check`` fails when a message
is unfinished or empty, when the code holds a string the ``.ts`` lacks, when a translation drops
or invents a placeholder, or when a ``.qm`` is not what ``release`` would build from its ``.ts``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "app" / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = ("fr", "de", "en")
# English needs only its plural forms ("%n entries" → "1 entry", "2 entries"): its catalogue holds
# the plural messages alone.
PLURAL_ONLY = ("en",)
CATALOGUE = "veritrace"
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z_0-9]*\}|%L?n|%L?\d+")
_DEAD = ("vanished", "obsolete")


def ts_path(language: str, folder: Path = TRANSLATIONS) -> Path:
    return folder / f"{CATALOGUE}_{language}.ts"


def qm_path(language: str, folder: Path = TRANSLATIONS) -> Path:
    return folder / f"{CATALOGUE}_{language}.qm"


def _tool(name: str) -> list[str]:
    """The command that runs Qt's ``name`` (lupdate, lrelease) as PySide6 installs it."""
    script = shutil.which(f"pyside6-{name}")
    if script:
        return [script]
    import PySide6

    binary = Path(PySide6.__file__).resolve().parent / (f"{name}.exe" if sys.platform == "win32" else name)
    if binary.exists():
        return [str(binary)]
    raise SystemExit(f"pyside6-{name} not found: install PySide6 (pip install PySide6).")


def source_files(folder: Path = SOURCES) -> list[Path]:
    return sorted(folder.glob("*.py"))


def lupdate(
    ts_files: Sequence[Path],
    *,
    no_obsolete: bool = False,
    sources: Sequence[Path] = (),
    plural_only: bool = False,
) -> None:
    """Merge the strings of ``sources`` (the window's modules) into ``ts_files``."""
    command = [*_tool("lupdate"), "-silent", "-locations", "none", "-source-language", "en"]
    # app.ui.words.translatable is QT_TRANSLATE_NOOP with a type.
    command += ["-tr-function-alias", "QT_TRANSLATE_NOOP+=translatable"]
    if no_obsolete:
        command.append("-no-obsolete")
    if plural_only:
        command.append("-pluralonly")
    command += [str(path) for path in (sources or source_files())]
    command += ["-ts", *[str(path) for path in ts_files]]
    subprocess.run(command, check=True, cwd=ROOT, timeout=120)


def lrelease(ts_file: Path, qm_file: Path) -> None:
    command = [*_tool("lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)]
    subprocess.run(command, check=True, cwd=ROOT, timeout=120)


# -- reading .ts files ---------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    numerus: bool
    kind: str  # the translation's type: "" (finished), "unfinished", "vanished", "obsolete"
    forms: tuple[str, ...]  # the translation, or its plural forms

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.context, self.source, self.comment)

    @property
    def live(self) -> bool:
        return self.kind not in _DEAD


def messages(ts_file: Path) -> Iterator[Message]:
    root = ET.parse(ts_file).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            numerus = message.get("numerus") == "yes"
            if translation is None:
                forms: tuple[str, ...] = ()
            elif numerus:
                forms = tuple(form.text or "" for form in translation.iter("numerusform"))
            else:
                forms = (translation.text or "",)
            yield Message(
                name,
                message.findtext("source") or "",
                message.findtext("comment") or "",
                numerus,
                kind,
                forms,
            )


def source_strings(folder: Path = TRANSLATIONS) -> set[str]:
    """Every live source string the catalogues know (what the window says in English)."""
    found: set[str] = set()
    for language in LANGUAGES:
        path = ts_path(language, folder)
        if path.exists():
            found.update(message.source for message in messages(path) if message.live)
    return found


def _placeholders(text: str) -> list[str]:
    return sorted(set(_PLACEHOLDER.findall(text.replace("%Ln", "%n").replace("%L", "%"))))


def problems(language: str, folder: Path = TRANSLATIONS) -> list[str]:
    """What is wrong with one language's catalogue, one line each (no lupdate, no lrelease)."""
    path = ts_path(language, folder)
    if not path.exists():
        return [f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: missing"]
    found = []
    for message in messages(path):
        if not message.live:
            continue
        where = f"{language} [{message.context}] {message.source!r}"
        if message.kind == "unfinished" or not message.forms or not all(f.strip() for f in message.forms):
            found.append(f"{where}: not translated")
            continue
        wanted = _placeholders(message.source)
        for form in message.forms:
            if message.numerus and "%n" not in wanted:
                wanted = sorted({*wanted, "%n"})
            have = _placeholders(form)
            # A plural's singular form may spell the number out ("un modèle").
            if have != wanted and not (message.numerus and set(have) == set(wanted) - {"%n"}):
                found.append(f"{where}: placeholders {have} in {form!r}, the source has {wanted}")
    return found


def check(folder: Path = TRANSLATIONS, *, sources: Sequence[Path] = ()) -> list[str]:
    """Everything that keeps the catalogues from being complete and shipped; [] when all is well."""
    found: list[str] = []
    with tempfile.TemporaryDirectory(prefix="veritrace-ts-") as scratch:
        for language in LANGUAGES:
            path = ts_path(language, folder)
            found += problems(language, folder)
            if not path.exists():
                continue
            # Strings in the code the catalogue lacks: lupdate on a copy adds them.
            copy = Path(scratch) / path.name
            shutil.copyfile(path, copy)
            lupdate([copy], sources=sources, plural_only=language in PLURAL_ONLY)
            known = {message.key for message in messages(path) if message.live}
            for message in messages(copy):
                if message.live and message.key not in known:
                    found.append(
                        f"{language} [{message.context}] {message.source!r}: in the code, not in "
                        f"{path.name} (run update)"
                    )
            # The .qm shipped must be exactly what release builds from this .ts.
            built = Path(scratch) / f"{CATALOGUE}_{language}.qm"
            lrelease(path, built)
            shipped = qm_path(language, folder)
            if not shipped.exists() or shipped.read_bytes() != built.read_bytes():
                found.append(f"{shipped.name}: stale, not built from {path.name} (run release)")
    return found


def todo(context: str | None = None, folder: Path = TRANSLATIONS) -> list[tuple[str, Message]]:
    """(language, message) for every live message still to translate."""
    left = []
    for language in LANGUAGES:
        path = ts_path(language, folder)
        for message in messages(path) if path.exists() else ():
            if context and message.context != context:
                continue
            if message.live and (message.kind == "unfinished" or not all(f.strip() for f in message.forms)):
                left.append((language, message))
    return left


def fill(table: dict[str, dict[str, dict[str, str | list[str]]]], folder: Path = TRANSLATIONS) -> int:
    """Set translations: ``{language: {context: {source: text or [plural forms]}}}``; how many set.

    Only the contexts named are touched; a source the .ts does not have is reported, not added.
    """
    count = 0
    for language, contexts in table.items():
        path = ts_path(language, folder)
        tree = ET.parse(path)
        missing = {(c, s) for c, sources in contexts.items() for s in sources}
        for context in tree.getroot().iter("context"):
            name = context.findtext("name") or ""
            wanted = contexts.get(name)
            if not wanted:
                continue
            for message in context.iter("message"):
                source = message.findtext("source") or ""
                if source not in wanted:
                    continue
                missing.discard((name, source))
                translation = message.find("translation")
                if translation is None:
                    translation = ET.SubElement(message, "translation")
                if translation.get("type") in _DEAD:
                    continue
                text = wanted[source]
                if message.get("numerus") == "yes":
                    forms = [text] * 2 if isinstance(text, str) else list(text)
                    for child in list(translation):
                        translation.remove(child)
                    translation.text = None
                    for form in forms:
                        ET.SubElement(translation, "numerusform").text = form
                else:
                    translation.text = text if isinstance(text, str) else text[0]
                translation.attrib.pop("type", None)
                count += 1
        for context_name, source in sorted(missing):
            print(f"{language} [{context_name}] {source!r}: not in {path.name}", file=sys.stderr)
        _write(tree, path)
    return count


def _write(tree: ET.ElementTree, path: Path) -> None:
    """Write a .ts the way lupdate does (its next run leaves the layout alone)."""
    ET.indent(tree, space="    ")
    for element in tree.getroot().iter():  # lupdate's escapes in text, kept as they were
        if element.text:
            element.text = element.text.replace("'", "\0apos\0").replace('"', "\0quot\0")
    body = ET.tostring(tree.getroot(), encoding="unicode", short_empty_elements=False)
    body = body.replace("\0apos\0", "&apos;").replace("\0quot\0", "&quot;")
    body = body.replace("\u00a0", "&#xa0;").replace("\u202f", "&#x202f;")
    # lupdate sets contexts at the left margin, one level less than ElementTree does.
    body = "\n".join(
        line[4:] if line.startswith("    ") and line.lstrip().startswith("<") else line
        for line in body.split("\n")
    )
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n', encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="translations", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    update = commands.add_parser("update", help="extract the window's strings into the .ts files")
    update.add_argument("--no-obsolete", action="store_true", help="drop strings that left the code")
    commands.add_parser("release", help="compile the .ts files into the .qm files that ship")
    commands.add_parser("check", help="fail on anything unfinished, missing or stale")
    left = commands.add_parser("todo", help="list the messages still to translate")
    left.add_argument("--context")
    filler = commands.add_parser("fill", help="set translations from a JSON file")
    filler.add_argument("table", type=Path)
    arguments = parser.parse_args(argv)
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    if arguments.command == "update":
        full = [ts_path(language) for language in LANGUAGES if language not in PLURAL_ONLY]
        lupdate(full, no_obsolete=arguments.no_obsolete)
        plural = [ts_path(language) for language in PLURAL_ONLY]
        lupdate(plural, no_obsolete=arguments.no_obsolete, plural_only=True)
        for language in LANGUAGES:
            total = sum(1 for message in messages(ts_path(language)) if message.live)
            left = sum(1 for found, _message in todo() if found == language)
            print(f"{ts_path(language).name}: {total} messages, {left} to translate")
    elif arguments.command == "release":
        for language in LANGUAGES:
            lrelease(ts_path(language), qm_path(language))
            print(f"{qm_path(language).name}: built")
    elif arguments.command == "check":
        found = check()
        for line in found:
            print(line)
        print(f"translations: {len(found)} problem(s)" if found else "translations: complete and up to date")
        return 1 if found else 0
    elif arguments.command == "todo":
        for language, message in todo(arguments.context):
            print(
                json.dumps([language, message.context, message.source, message.comment], ensure_ascii=False)
            )
    elif arguments.command == "fill":
        table = json.loads(arguments.table.read_text("utf-8"))
        print(f"{fill(table)} translation(s) set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
