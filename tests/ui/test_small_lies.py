"""What the window says is true: counts, the record's state, why a control is off, the context."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QMimeData, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.models import estimate_tokens
from app.core.text import counted
from app.core.types import Meaning, Turn, TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.services.config import AppConfig
from app.services.record import check_record
from app.storage.repository import Store
from app.ui.controller import DEMO_HINT, LOCKED_HINT
from app.ui.i18n import install_language, remove_translators
from app.ui.main_window import MainWindow
from app.ui.status_bar import AppStatusBar
from tests.fixtures.ledger import tamper
from tests.fixtures.window import send

SHOTS = Path("/work/notes/i20/shots/focus")


@pytest.fixture
def english(qtbot: QtBot) -> Iterator[None]:
    """English as the window ships it: with its plural forms ("1 entry")."""
    app = QApplication.instance()
    assert app is not None
    locale = QLocale()
    install_language(app, "en")
    yield
    remove_translators(app)
    QLocale.setDefault(locale)


def entries_shown(label: str) -> int:
    found = re.search(r"· ([\d,.\s]+) entr(y|ies)", label)
    assert found is not None, label
    return int(re.sub(r"\D", "", found.group(1)))


def shot(widget: object, name: str) -> None:
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]


# -- counts ----------------------------------------------------------------------------------


def test_one_entry_is_one_entry_and_two_are_two_entries(qtbot: QtBot, store: Store, english: None) -> None:
    bar = AppStatusBar()
    qtbot.addWidget(bar)
    store.create_conversation("first", "alice")
    assert store.head()[0] == 1
    bar.set_verification(check_record(store))
    assert bar.integrity.text().endswith("· 1 entry"), bar.integrity.text()
    store.create_conversation("second", "alice")
    bar.set_verification(check_record(store))
    assert bar.integrity.text().endswith("· 2 entries"), bar.integrity.text()


def test_the_command_line_and_the_record_count_in_words_too() -> None:
    assert [counted(n, "entry", "entries") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert counted(1, "turn") == "1 turn" and counted(11, "turn") == "11 turns"


# -- the record's state ------------------------------------------------------------------------


def test_the_integrity_label_follows_later_writes_with_the_true_count(
    qtbot: QtBot, window: MainWindow, store: Store, backend: FakeBackend, english: None
) -> None:
    label = window.status.integrity
    shown_counts: list[int] = []
    for question in ("Is it short?", "And now?"):
        backend.enqueue(["[THINK]short[/THINK]Yes."])
        with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
            send(qtbot, window, question)
        head = store.head()[0]
        qtbot.waitUntil(
            lambda head=head: label.text().startswith("✓") and entries_shown(label.text()) == head,
            timeout=5000,
        )
        shown_counts.append(entries_shown(label.text()))
    assert shown_counts[0] < shown_counts[1], "the label followed the second turn's writes too"


# -- an empty prompt ---------------------------------------------------------------------------


def test_an_empty_prompt_turns_send_off_and_asking_anyway_says_why(
    qtbot: QtBot, window: MainWindow, store: Store, backend: FakeBackend
) -> None:
    composer = window.composer
    for empty in ("", "   \n\t "):
        composer.editor.setPlainText(empty)
        assert not composer.send_button.isEnabled()
        assert "Nothing to send" in composer.send_button.toolTip()
    window.resize(800, 600)
    window.show()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert composer.hint.text() == "Nothing to send: write a prompt first."
    assert composer.hint.isVisible()
    qtbot.waitUntil(lambda: composer.hint.geometry().top() >= composer.editor.geometry().bottom())
    shot(window, "empty-prompt-800x600.png")
    assert "\n" not in composer.hint.text()
    assert store.list_conversations() == [] and backend.prompts == [], "nothing was sent or recorded"

    qtbot.keyClicks(composer.editor, "Now a question")
    assert composer.hint.text() == "" and composer.send_button.isEnabled()
    assert "Ctrl+Enter" in composer.send_button.toolTip()


# -- stale words -------------------------------------------------------------------------------


def test_a_context_warning_is_cleared_by_a_turn_that_ends_well(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    n_ctx = window.controller.model.loaded.n_ctx  # type: ignore[union-attr]
    max_tokens = window.controller.settings().params.max_tokens
    too_long = " ".join(["word"] * (n_ctx - max_tokens + 30))  # the scripted tokenizer: a token a word
    script = backend.enqueue(["[THINK]fine[/THINK]It fitted after all."], hold_after=1)
    warned: list[str] = []
    window.controller.context_warned.connect(warned.append)
    send(qtbot, window, too_long)
    qtbot.waitUntil(lambda: bool(warned), timeout=5000)
    assert window.status.currentMessage() == warned[0] and "may not fit" in warned[0]
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        script.release.set()
    assert finished.args[0].status == TurnStatus.COMPLETED
    assert window.status.currentMessage() == "", "no warning outlives the turn that proved it wrong"
    assert window.status.state.isVisible() or not window.isVisible()


def test_the_draft_is_measured_off_the_window_thread_and_a_server_says_it_estimates(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    counted_on: list[threading.Thread] = []
    scripted = backend.count_tokens

    def count(messages: tuple[object, ...], settings: object) -> int | None:
        counted_on.append(threading.current_thread())
        return scripted(messages, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(backend, "count_tokens", count)
    composer = window.composer
    n_ctx = window.controller.model.loaded.n_ctx  # type: ignore[union-attr]
    max_tokens = window.controller.settings().params.max_tokens
    composer.editor.setPlainText(" ".join(["word"] * (n_ctx - max_tokens + 30)))
    qtbot.waitUntil(lambda: not composer.context_note.isHidden(), timeout=5000)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    shot(window, "context-warning-800x600.png")
    assert counted_on and threading.main_thread() not in counted_on, "typing never waits for a count"
    assert "counted by the model's tokenizer" in composer.context_note.text()

    # A server's model: its tokenizer is not here, and the warning says it guesses.
    monkeypatch.setattr(backend, "count_tokens", lambda messages, settings: None)
    composer.editor.setPlainText("x" * (3 * n_ctx))
    qtbot.waitUntil(lambda: "an estimate" in composer.context_note.text(), timeout=5000)
    assert "about" in composer.context_note.text()


# -- a locked conversation ---------------------------------------------------------------------


def _png() -> QMimeData:
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.red)
    mime = QMimeData()
    mime.setImageData(image)
    return mime


def test_a_signed_conversation_turns_attach_off_and_says_why_beside_send(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    window.resize(800, 600)
    window.show()
    backend.enqueue(["[THINK]ok[/THINK]Approved."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "Approve this?")
    conversation_id = finished.args[0].conversation_id
    session = window.controller.session
    identity = session.create_identity("Ada", "Reviewer", "a passphrase of hers")
    attempt = session.signing_attempt(
        conversation_id,
        fingerprint=identity.fingerprint,
        meaning=Meaning.APPROVED,
        reason="Fine.",
        acknowledged=session.signoff_summary(conversation_id),
    )
    window.controller.show_signed(session.sign_off(attempt, "a passphrase of hers"))

    composer = window.composer
    assert window.controller.locked
    assert not composer.attach_button.isEnabled() and not composer.send_button.isEnabled()
    assert composer.hint.text() == LOCKED_HINT and composer.hint.isVisible()
    assert "signed and locked" in composer.hint.text()
    assert composer.attach_button.toolTip() == LOCKED_HINT == composer.send_button.toolTip()
    shot(window, "locked-800x600.png")

    composer.add_from_mime(_png())  # a paste or a drop
    assert composer.attachments.images() == [] and LOCKED_HINT in composer.problems.text()
    composer.editor.setPlainText("One more?")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(store.conversation(conversation_id).turns) == 1, "nothing added to a signed conversation"

    window.controller.new_conversation()
    assert composer.attach_button.isEnabled() and composer.send_button.isEnabled()
    assert composer.hint.text() != LOCKED_HINT


# -- the vision projector ---------------------------------------------------------------------


def test_stop_using_the_projector_is_offered_only_while_one_is_in_use(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    action = window.stop_projector_action
    assert window.controller.model is not None and window.controller.model.projector is None
    assert not action.isEnabled()
    (tmp_path / "vision").mkdir()  # not beside the model, where it would be picked up by itself
    projector = tmp_path / "vision" / "mmproj-scripted.gguf"
    projector.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + bytes(24))
    with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
        window.controller.set_projector(str(projector))
    assert window.controller.model.projector is not None and action.isEnabled()
    with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
        action.trigger()
    assert window.controller.model.projector is None and not action.isEnabled()


# -- the demo model ----------------------------------------------------------------------------


def test_the_demo_hint_wraps_at_800_by_600_instead_of_being_cut_off(
    qtbot: QtBot, window_factory: Callable[..., MainWindow], demo_gguf: Path
) -> None:
    window = window_factory(AppConfig(model_path=str(demo_gguf)))
    with qtbot.waitSignal(window.controller.model_changed, timeout=5000):
        window.controller.use_demo_model()
    window.show()
    qtbot.waitExposed(window)
    hint = window.composer.hint
    assert hint.text() == DEMO_HINT
    one_line = hint.fontMetrics().horizontalAdvance(hint.text())
    narrowest = window.minimumSizeHint().width()
    for width in (800, narrowest):
        window.resize(width, 600)
        qtbot.waitUntil(lambda width=width: window.width() == width, timeout=3000)
        qtbot.wait(10)  # the layout settles
        assert hint.isVisible()
        assert hint.height() >= hint.heightForWidth(hint.width()), f"every line shown at {width} px"
        shot(window, f"demo-hint-{width}x600.png")
    assert hint.width() < one_line, "too long for one line at the narrowest: it wraps, whole"


def test_settings_memory_row_says_why_it_has_no_figure(qtbot: QtBot, window: MainWindow) -> None:
    seen: list[str] = []

    def read_and_close() -> None:
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=3000)
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.memory.text())  # type: ignore[union-attr]
        dialog.reject()  # type: ignore[union-attr]

    QTimer.singleShot(0, read_and_close)
    window._on_settings_triggered()  # the scripted model's file is no GGUF anyone inspected
    assert seen == ["Memory: not estimated (the model file has not been inspected)"]


@pytest.mark.slow
def test_the_context_warning_counts_with_the_models_tokenizer_and_settings_show_its_memory(
    qtbot: QtBot, real_window_factory: Callable[..., MainWindow], store: Store
) -> None:
    """The demo model, really loaded: the draft's count is the count its turn evaluates."""
    window = real_window_factory(max_tokens=1990)  # of a 2,048-token window: most drafts warn
    composer = window.composer
    prompt = "Count these words: " + "blue green " * 40
    composer.editor.setPlainText(prompt)
    qtbot.waitUntil(lambda: not composer.context_note.isHidden(), timeout=20_000)
    note = composer.context_note.text()
    assert "counted by the model's tokenizer" in note, note
    found = re.search(r"its prompt is ([\d,.\s]+) tokens", note)
    assert found is not None, note
    shown = int(re.sub(r"\D", "", found.group(1)))
    assert shown != estimate_tokens(prompt), "not the three-characters-a-token guess"

    ended: list[Turn] = []
    window.controller.turn_finished.connect(ended.append)
    with qtbot.waitSignal(window.controller.events, timeout=20_000, check_params_cb=_turn_started):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    window.controller.stop()  # its prompt is what is measured: no need to wait for an answer
    qtbot.waitUntil(lambda: bool(ended), timeout=60_000)
    turn = ended[0]
    assert turn.prompt_tokens == shown, "what the warning counted is what llama.cpp evaluated"

    memory: list[str] = []

    def read_and_close() -> None:
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=3000)
        dialog = QApplication.activeModalWidget()
        memory.append(dialog.memory.text())  # type: ignore[union-attr]
        dialog.reject()  # type: ignore[union-attr]

    QTimer.singleShot(0, read_and_close)
    window._on_settings_triggered()
    assert memory and memory[0].startswith("Memory ≈") and "weights" in memory[0], memory


def _turn_started(event: object) -> bool:
    from app.services.session import TurnStarted

    return isinstance(event, TurnStarted)


def test_an_edit_behind_the_windows_back_turns_the_label_red_at_the_next_write(
    qtbot: QtBot, window: MainWindow, store: Store, backend: FakeBackend, english: None
) -> None:
    """The attack on a label that follows writes: another process edits a recorded answer while the
    window is open, and the window's next write must not re-check it into a green tick."""
    label = window.status.integrity
    backend.enqueue(["[THINK]t[/THINK]original answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "First question")
    qtbot.waitUntil(lambda: label.text().startswith("✓"), timeout=5000)
    tamper(Path(str(store.path)), "UPDATE turn_chunks SET answer = 'edited answer'")
    backend.enqueue(["[THINK]t[/THINK]second answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "Second question")
    qtbot.waitUntil(lambda: label.text().startswith("✗"), timeout=10_000)
    assert "not verified" in label.text() or "broken" in label.text(), label.text()
