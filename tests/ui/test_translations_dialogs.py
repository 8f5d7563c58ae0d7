"""The dialogs speak French and German in the states a reviewer meets them in (a summary read, a
search run, a download under way, an export done), with no English source string left; what is
signed or written into a report keeps the record's own words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QLabel, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from app.core.catalogue import OFFERINGS
from app.core.types import Flag, Meaning
from app.runtime.fake_backend import FakeBackend
from app.services.config import DEFAULT_STATEMENTS
from app.services.downloads import Progress, Stage
from app.storage.repository import Store
from app.ui.download_dialog import CATALOGUE_NOTES, DownloadDialog
from app.ui.i18n import install_language, remove_translators
from app.ui.main_window import MainWindow
from app.ui.prompt_tokens_dialog import PromptTokensDialog
from app.ui.remote_dialog import RemoteDialog
from app.ui.signatures import STATEMENT_READINGS, statement_reading
from app.ui.signoff_dialog import SignOffDialog, summary_html
from tests.fixtures.dialogs import Scene, close
from tests.fixtures.remote_servers import ScriptedServer
from tests.fixtures.signers import sign, signer
from tests.fixtures.translation_walk import english_left

# The record's own text the walks meet: what the scene typed and the model answered.
USER_DATA = {"Does the clause hold?", "It holds.", "Weigh the clause.", "Check the figures."}
READINGS = {
    "fr": "J'approuve les réponses de cette conversation pour l'usage indiqué dans le motif.",
    "de": "Ich genehmige die Antworten dieser Unterhaltung für den in der Begründung genannten Zweck.",
}
MEANINGS = {"fr": ["Relu", "Approuvé", "Rejeté"], "de": ["Geprüft", "Genehmigt", "Abgelehnt"]}
HEADERS = {
    "fr": ["Date", "Titre", "Modèle", "Tours", "État", "Relecture", "Images"],
    "de": ["Datum", "Titel", "Modell", "Runden", "Status", "Prüfung", "Bilder"],
}


@pytest.fixture
def speak(qapp: QApplication) -> Iterator[Callable[[str], str]]:
    """Switch the window's language for one test; back to the source strings after it."""
    before = QLocale()
    yield lambda language: install_language(qapp, language)
    remove_translators(qapp)
    QLocale.setDefault(before)


@pytest.fixture
def scene_in(
    qtbot: QtBot, speak, window_factory, store: Store, backend: FakeBackend, tmp_path: Path
) -> Callable[[str], Scene]:
    """The main window, built in ``language`` (a window is worded as it is built), and its record."""

    def build(language: str) -> Scene:
        assert speak(language) == language
        window: MainWindow = window_factory()
        window.show()
        qtbot.waitExposed(window)
        return Scene(qtbot, window, store, backend, tmp_path)

    return build


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_sign_off_dialog_reads_in_the_language_and_signs_the_recorded_words(
    scene_in: Callable[[str], Scene], language: str
) -> None:
    scene = scene_in(language)
    turn = scene.answered()
    scene.window.controller.annotate(turn.id, Flag.CONCERN, "Check the figures.")
    signer(scene.store, key=scene.window.controller.signing_key())
    dialog = scene.window.open_sign_off()
    assert isinstance(dialog, SignOffDialog)
    scene.qtbot.waitUntil(lambda: dialog.summary is not None, timeout=5000)
    dialog.choose_meaning(Meaning.APPROVED)

    buttons = [button.text() for button in dialog.findChildren(QRadioButton)]
    assert buttons == MEANINGS[language]
    # What is signed is the statement as the settings word it (English here), shown verbatim;
    # the translation beside it is for reading only.
    signed = DEFAULT_STATEMENTS[Meaning.APPROVED]
    statement = dialog.statement.text()
    assert signed in statement and READINGS[language] in statement, statement
    assert statement.index(signed) < statement.index(READINGS[language])
    assert english_left(dialog, language, data=USER_DATA) == []
    # A warning the window cannot word in its language is never dropped: the services' own
    # sentences are shown then, every one of them.
    summary = dialog.summary
    assert summary is not None and len(summary.warnings) == 1
    unknown = replace(summary, warnings=(*summary.warnings, "Turn 1 needs words this window lacks."))
    shown = QTextDocumentFragment.fromHtml(summary_html(unknown)).toPlainText()
    assert all(line in shown for line in unknown.warnings), shown
    close(dialog)


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_session_browser_and_its_review_and_tokens_read_in_the_language(
    scene_in: Callable[[str], Scene], language: str
) -> None:
    scene = scene_in(language)
    turn = scene.answered()
    scene.window.controller.annotate(turn.id, Flag.ERROR, "Check the figures.")
    browser = scene.window.open_session_browser()
    with scene.qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.query.setText("clause")
        browser.run_search()
    browser.open_conversation(turn.conversation_id)
    assert browser.hits.count() > 0, "the search found the prompt"
    headers = [
        str(browser.table_model.headerData(c, browser.table.horizontalHeader().orientation(), 0))
        for c in range(browser.table_model.columnCount())
    ]
    assert headers == HEADERS[language]
    assert english_left(browser, language, data=USER_DATA) == []

    dialog: PromptTokensDialog = browser.show_prompt_tokens(turn.id)
    scene.qtbot.waitUntil(lambda: dialog.view is not None or dialog.note.isVisible(), timeout=5000)
    assert english_left(dialog, language, data=USER_DATA) == []
    close(dialog)
    close(browser)


@pytest.mark.parametrize("language", ["fr", "de"])
def test_identities_signatures_and_a_revocation_read_in_the_language(
    scene_in: Callable[[str], Scene], language: str
) -> None:
    scene = scene_in(language)
    turn = scene.answered()
    key = scene.window.controller.signing_key()
    sign(scene.store, turn.conversation_id, Meaning.REVIEWED, "Checked.", key=key)
    gone = signer(scene.store, "Former Reviewer", "Reviewer", key=key)
    dialog = scene.window.open_identities()
    assert dialog.revoke(gone, "left the team")
    assert english_left(dialog, language, data={"left the team"}) == []
    close(dialog)

    scene.window.controller.refresh_conversations()
    scene.window.controller.select_conversation(turn.conversation_id)
    banner = scene.window.signatures.text.toPlainText()
    # The meaning in the window's words; the statement signed, as it was signed.
    assert DEFAULT_STATEMENTS[Meaning.REVIEWED] in banner
    reading = statement_reading(DEFAULT_STATEMENTS[Meaning.REVIEWED])
    assert reading and reading != DEFAULT_STATEMENTS[Meaning.REVIEWED] and reading in banner
    assert english_left(scene.window.signatures, language, data=USER_DATA | {"Checked."}) == []


@pytest.mark.parametrize("language", ["fr", "de"])
def test_download_remote_and_export_progress_read_in_the_language(
    scene_in: Callable[[str], Scene], language: str
) -> None:
    scene = scene_in(language)
    download = scene.shown(DownloadDialog(scene.window, folder=scene.tmp_path, free_space=lambda _p: 10**12))
    for stage in Stage:
        progress = Progress("model.gguf", 3_200_000_000, 14_300_000_000, 45_100_000.0, 252.0, stage)
        download.status.setText(download.progress_words(progress))
        assert english_left(download, language) == [], stage
    close(download)

    server = ScriptedServer(models=("first-model", "second-model")).start()
    try:
        remote = RemoteDialog(server.url, "", "", scene.window)
        scene.shown(remote)
        with scene.qtbot.waitSignal(remote.models_fetched, timeout=10_000):
            remote.fetch.click()
        assert english_left(remote, language) == []
        close(remote)
    finally:
        server.stop()

    turn = scene.answered()
    scope = "Conversation 1: the report's own words"
    export = scene.window.open_export([turn.conversation_id], scope)
    assert export is not None
    export.formats.button(1).setChecked(True)  # Markdown: quick to write
    export.destination.setText(str(scene.tmp_path / "report.md"))
    with scene.qtbot.waitSignal(export.exported, timeout=10_000):
        export.export_button.click()
    # The scope is written into the report, which stays in English: shown as the report states it.
    assert export.scope.text() == scope
    assert english_left(export, language, data={scope}) == []
    close(export)


def test_english_counts_read_one_and_many(speak, qtbot: QtBot) -> None:
    from app.core.tokens import IMAGE_SLOT, TokenPiece
    from app.services.token_view import PromptTokenView

    assert speak("en") == "en"
    dialog = PromptTokensDialog(7)
    qtbot.addWidget(dialog)
    one = PromptTokenView(7, (TokenPiece(1, "[INST]", True), TokenPiece(IMAGE_SLOT)))
    assert (
        dialog.summary_text(one)
        == "1 token, 1 of them a control token (marked, with its id); 1 image between them"
    )
    two = PromptTokenView(
        7, (TokenPiece(1, "a"), TokenPiece(2, "b"), TokenPiece(IMAGE_SLOT), TokenPiece(IMAGE_SLOT))
    )
    assert (
        dialog.summary_text(two)
        == "2 tokens, 0 of them control tokens (marked, with their ids); 2 images between them"
    )


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_record_s_fixed_words_shown_in_dialogs_all_have_translations(speak, language: str) -> None:
    """The default statements and the catalogue's notes are read in the window's language: a
    changed default or a new note must come with its translation, not fall back to English."""
    assert speak(language) == language
    assert set(STATEMENT_READINGS) == set(DEFAULT_STATEMENTS.values())
    notes = {q.note for offering in OFFERINGS for q in offering.quantizations if q.note}
    assert notes <= set(CATALOGUE_NOTES)
    for text in (*STATEMENT_READINGS, *CATALOGUE_NOTES):
        context = "SignaturesBanner" if text in STATEMENT_READINGS else "DownloadDialog"
        assert QCoreApplication.translate(context, text) != text, text


def test_the_review_names_a_local_model_as_the_reports_do(scene_in: Callable[[str], Scene]) -> None:
    """In English the review's model lines are the reports' own, for every way a hash was checked:
    the window's wording of them (translated elsewhere) says nothing the reports do not."""
    from app.core.report import model_identity_lines
    from app.core.types import HashCheck, ModelFile
    from app.ui.review_view import model_words

    scene = scene_in("en")
    turn = scene.answered()
    projector = ModelFile("/models/mmproj.gguf", 1, "ef" * 32)
    for check in (None, *HashCheck):
        for sha256 in ("ab" * 32, ""):
            model = replace(turn.model, sha256=sha256)
            shown = replace(
                turn,
                model=model,
                model_check=check,
                model_expected="cd" * 32,
                projector=projector,
                projector_check=check,
                projector_expected=None,
            )
            assert model_words(shown) == model_identity_lines(shown), (check, sha256)


@pytest.mark.parametrize(
    ("language", "identical", "diverges"),
    [
        ("en", "identical: 1 output token", "diverges at output token 3 (recorded ' a', now ' b')"),
        (
            "fr",
            "identique\u00a0: 1 jeton de sortie",
            "diverge au jeton de sortie 3 (enregistré ' a', maintenant ' b')",
        ),
        (
            "de",
            "identisch: 1 Ausgabe-Token",
            "weicht bei Ausgabe-Token 3 ab (aufgezeichnet ' a', jetzt ' b')",
        ),
    ],
)
def test_a_reproduction_is_told_in_the_language_and_a_refusal_as_recorded(
    speak, qtbot: QtBot, language: str, identical: str, diverges: str
) -> None:
    from app.core.errors import VeritraceError
    from app.core.reproduction import Outcome, Reproduction
    from app.ui.reproduce_dialog import ReproduceDialog

    assert speak(language) == language

    def refused(*_args: object) -> Reproduction:
        raise VeritraceError("Nothing to run again here.")

    dialog = ReproduceDialog(4, refused)
    qtbot.addWidget(dialog)
    assert dialog.wait(10)
    at = "2026-12-07T09:00:00.000Z"
    dialog.show_result(
        Reproduction(4, Outcome.IDENTICAL, "identical: 1 output tokens", at, compared_tokens=1)
    )
    assert dialog.summary.text().endswith(f"{identical}</b>")
    shown = Reproduction(4, Outcome.DIVERGES, "x", at, diverges_at=3, recorded_token="' a'", now_token="' b'")
    dialog.show_result(shown)
    assert diverges in dialog.summary.text()
    why = "the model file named is not the one the turn ran on"
    dialog.show_result(Reproduction(4, Outcome.REFUSED, why, at))
    assert why in dialog.summary.text()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_why_a_prompt_s_texts_are_missing_is_told_in_the_language(
    scene_in: Callable[[str], Scene], language: str
) -> None:
    """In English the dialog says exactly what the services say; in French, each reason translated."""
    from app.core.tokens import TokenPiece, pack_ids
    from app.services.token_view import prompt_token_view

    class Reader:
        def token_pieces(self, ids: object) -> list[TokenPiece]:
            return []

    scene = scene_in(language)
    turn = scene.answered()
    active = scene.window.controller.model
    assert active is not None
    with_ids = replace(turn, prompt_token_blob=pack_ids([1, 2, 3]))
    other = replace(active, file=replace(active.file, sha256="ff" * 32))
    views = {
        "unrecorded": prompt_token_view(turn, None, None),
        "remote": prompt_token_view(replace(turn, backend="remote"), None, None),
        "no-model": prompt_token_view(with_ids, None, None),
        "other-model": prompt_token_view(with_ids, other, Reader()),  # type: ignore[arg-type]
        "unreadable": prompt_token_view(replace(turn, prompt_token_blob=b"\x01"), None, None),
    }
    dialog = PromptTokensDialog(turn.id, scene.window)
    scene.qtbot.addWidget(dialog)
    for why, view in views.items():
        assert view.why == why and view.note, why
        words = dialog.note_words(view)
        if language == "en" or why == "unreadable":  # an error is said in the record's words
            assert words == view.note, why
        else:
            assert words != view.note and english_left(_label(words), language) == [], why
    assert "ff" * 32 in dialog.note_words(views["other-model"])


def _label(text: str) -> QWidget:
    label = QLabel(text)
    label.deleteLater()
    return label


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_sessions_window_and_the_sign_off_fit_an_800_pixel_screen_in_the_language(
    qapp: QApplication, scene_in: Callable[[str], Scene], language: str
) -> None:
    """French and German are longer than English: the widest of the dialogs still fit 800 pixels,
    drawn with the window's own style."""
    from app.ui.style import style_sheet
    from app.ui.theme import current

    scene = scene_in(language)
    qapp.setStyleSheet(style_sheet(current()))
    try:
        scene.answered()
        browser = scene.window.open_session_browser()
        with scene.qtbot.waitSignal(browser.results_shown, timeout=5000):
            browser.run_search()
        assert browser.minimumSizeHint().width() <= 800, browser.minimumSizeHint()
        close(browser)
        dialog = scene.window.open_sign_off()
        assert dialog is not None
        scene.qtbot.waitUntil(lambda: dialog.summary is not None, timeout=5000)
        assert dialog.minimumSizeHint().width() <= 800, dialog.minimumSizeHint()
        close(dialog)
    finally:
        qapp.setStyleSheet("")
