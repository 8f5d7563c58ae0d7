from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.types import TurnStatus
from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.conversation_view import text_fragments
from app.ui.main_window import MainWindow
from tests.fixtures.ledger import tamper
from tests.fixtures.window import send


def test_send_streams_reasoning_and_answer_into_their_panes(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    backend.enqueue(["[THINK]Clause 4 ", "caps liability", "[/THINK]", "**Yes**, it is ", "enforceable."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "Is clause 4 enforceable?")
    turn = finished.args[0]
    assert turn.status == TurnStatus.COMPLETED
    assert window.reasoning.text() == "Clause 4 caps liability"
    shown = window.view.toPlainText()
    assert "Is clause 4 enforceable?" in shown and "Yes, it is enforceable." in shown
    assert "caps liability" not in shown, "reasoning stays out of the answer"
    assert "<strong>Yes</strong>" in window.view.toHtml() or "font-weight:700" in window.view.toHtml()
    assert window.composer.text() == "", "the prompt left the composer once recorded"
    assert window.conversations.list.count() == 1
    assert store.turn(turn.id).answer == "**Yes**, it is enforceable."


def test_live_stream_is_visible_before_the_turn_ends(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    script = backend.enqueue(["[THINK]step one. ", "step two.", "[/THINK]", "Done."], hold_after=2)
    send(qtbot, window, "Think")
    qtbot.waitUntil(lambda: window.reasoning.text() == "step one. step two.", timeout=5000)
    assert window.reasoning.live
    assert not window.composer.send_button.isEnabled() and window.composer.stop_button.isEnabled()
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    assert not window.composer.stop_button.isEnabled()
    assert not window.composer.send_button.isEnabled(), "the draft is empty: nothing to send"
    window.composer.editor.setPlainText("And then?")
    assert window.composer.send_button.isEnabled()


def test_stop_keeps_partial_trace_as_cancelled(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    backend.enqueue(["[THINK]partial ", "thought", "[/THINK]", "never shown"], hold_after=2)
    send(qtbot, window, "Stop me")
    qtbot.waitUntil(lambda: window.reasoning.text() == "partial thought", timeout=5000)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        qtbot.mouseClick(window.composer.stop_button, Qt.MouseButton.LeftButton)
    turn = finished.args[0]
    assert turn.status == TurnStatus.CANCELLED
    assert store.turn(turn.id).reasoning == "partial thought"
    assert "never shown" not in window.view.toPlainText()
    assert "stopped by the reviewer" in window.view.toPlainText()
    assert "Stopped" in window.status.state.text()


def test_escape_stops_generation(qtbot: QtBot, window: MainWindow, backend: FakeBackend) -> None:
    backend.enqueue(["[THINK]a", "b"], hold_after=1)
    send(qtbot, window, "x")
    qtbot.waitUntil(lambda: window.reasoning.text() == "a", timeout=5000)
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)
    assert finished.args[0].status == TurnStatus.CANCELLED


def test_ctrl_enter_sends(qtbot: QtBot, window: MainWindow, backend: FakeBackend) -> None:
    backend.enqueue(["[THINK]t[/THINK]a"])
    window.composer.editor.setPlainText("via keyboard")
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_switch_conversations_and_pick_a_turns_reasoning(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    backend.enqueue(["[THINK]first trace[/THINK]first answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as first:
        send(qtbot, window, "first question")
    backend.enqueue(["[THINK]follow-up trace[/THINK]follow-up answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "follow-up question")
    qtbot.mouseClick(window.conversations.new_button, Qt.MouseButton.LeftButton)
    assert "Ask the model anything" in window.view.toPlainText()
    backend.enqueue(["[THINK]other trace[/THINK]other answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "another topic")
    assert window.conversations.list.count() == 2
    assert "first question" not in window.view.toPlainText()

    window.conversations.select(first.args[0].conversation_id)
    shown = window.view.toPlainText()
    assert "first question" in shown and "follow-up answer" in shown and "another topic" not in shown
    assert window.reasoning.text() == "follow-up trace", "the latest turn's reasoning by default"
    window.view.turn_selected.emit(first.args[0].id)
    assert window.reasoning.text() == "first trace"


def test_selecting_a_turn_restyles_its_label_without_re_rendering(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    turns = []
    for index in range(3):
        backend.enqueue([f"[THINK]trace {index}[/THINK]answer {index}"])
        with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
            send(qtbot, window, f"question {index}")
        turns.append(finished.args[0])
    window.controller.select_conversation(turns[0].conversation_id)

    def weight(turn_id: int) -> int:
        """The weight of the turn's label, the link to it in the conversation."""
        label = next(
            fragment
            for fragment in text_fragments(window.view.document())
            if fragment.charFormat().anchorHref() == f"turn:{turn_id}"
        )
        return label.charFormat().fontWeight()

    assert weight(turns[2].id) > weight(turns[0].id), "the latest turn is selected at first"
    renders: list[object] = []
    monkeypatch.setattr(window.view, "setHtml", lambda html: renders.append(html))
    window.view.turn_selected.emit(turns[0].id)
    assert renders == [], "a click re-rendered the whole conversation"
    assert window.reasoning.text() == "trace 0"
    assert weight(turns[0].id) > weight(turns[2].id) == weight(turns[1].id)
    assert window.view.selected_turn_id == turns[0].id


def test_switching_away_and_back_during_generation_keeps_the_live_stream(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    backend.enqueue(["[THINK]old[/THINK]old answer"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as old:
        send(qtbot, window, "old conversation")
    window.controller.new_conversation()
    script = backend.enqueue(["[THINK]live ", "trace", "[/THINK]", "live answer"], hold_after=2)
    send(qtbot, window, "live conversation")
    qtbot.waitUntil(lambda: window.reasoning.text() == "live trace", timeout=5000)
    live_id = window.controller.conversation_id
    window.conversations.select(old.args[0].conversation_id)
    assert window.reasoning.text() == "old"
    window.conversations.select(live_id)  # type: ignore[arg-type]
    assert window.reasoning.text() == "live trace" and window.reasoning.live
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        script.release.set()
    assert "live answer" in window.view.toPlainText()


def test_restart_shows_history(qtbot: QtBot, window_factory, backend: FakeBackend) -> None:
    first = window_factory()
    backend.enqueue(["[THINK]kept trace[/THINK]kept answer"])
    with qtbot.waitSignal(first.controller.turn_finished, timeout=5000):
        send(qtbot, first, "remember me")
    first.close()
    second = window_factory()
    assert second.conversations.list.count() == 1
    second.conversations.select(second.conversations.ids()[0])
    assert "remember me" in second.view.toPlainText() and "kept answer" in second.view.toPlainText()
    assert second.reasoning.text() == "kept trace"


def test_model_output_is_inert_in_the_view(qtbot: QtBot, window: MainWindow, backend: FakeBackend) -> None:
    backend.enqueue(
        ['[THINK]<script>x</script>[/THINK]<img src="file:///etc/passwd"> [a](javascript:alert(1))']
    )
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "inject")
    rendered = window.view.toHtml()
    assert "<img" not in rendered and 'href="javascript:' not in rendered
    assert '<img src="file:///etc/passwd">' in window.view.toPlainText()
    assert window.reasoning.text() == "<script>x</script>"


def test_demo_model_is_labelled(qtbot: QtBot, window_factory, demo_gguf) -> None:
    from app.services.config import AppConfig

    window = window_factory(AppConfig())
    assert (
        "DEMO MODEL" in window.status.model.text() and "not a reasoning model" in window.status.model.text()
    )
    assert "Demo model" in window.composer.hint.text()


def test_settings_dialog_changes_what_the_next_turn_records(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    from app.services.config import load_config
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.controller.settings(), window)
    qtbot.addWidget(dialog)
    assert dialog.preset.currentData() == "magistral" and dialog.temperature.value() == 0.7
    dialog.temperature.setValue(0.3)
    dialog.seed.setValue(99)
    dialog.system_prompt.setPlainText("Be terse.")
    dialog.require_reasoning.setChecked(True)
    window.controller.apply_settings(dialog.settings())
    assert load_config().settings.params.temperature == 0.3, "settings persist"
    backend.enqueue(["[THINK]t[/THINK]a"])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "configured")
    recorded = store.turn(finished.args[0].id)
    assert recorded.params.temperature == 0.3 and recorded.params.seed == 99
    assert recorded.system_prompt == "Be terse." and recorded.require_reasoning


def test_choosing_a_preset_fills_its_values(qtbot: QtBot, window: MainWindow) -> None:
    from app.core.presets import MAGISTRAL_SYSTEM_PROMPT
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.controller.settings(), window)
    qtbot.addWidget(dialog)
    dialog.preset.setCurrentIndex(dialog.preset.findData("think-tags"))
    dialog.preset.activated.emit(dialog.preset.currentIndex())
    assert dialog.top_k.value() == 20 and dialog.system_prompt.toPlainText() == ""
    dialog.preset.setCurrentIndex(dialog.preset.findData("magistral"))
    dialog.preset.activated.emit(dialog.preset.currentIndex())
    assert dialog.system_prompt.toPlainText() == MAGISTRAL_SYSTEM_PROMPT
    assert dialog.seed.specialValueText() and dialog.settings().params.seed is None


def test_failed_turn_keeps_the_prompt_in_the_composer(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    from app.core.errors import ModelError

    def broken(*_args: object) -> None:
        raise ModelError("The chat template (gguf) failed to render: boom")

    backend.prepare = broken  # type: ignore[method-assign]
    errors: list[str] = []
    window.controller.error_occurred.connect(lambda _title, message: errors.append(message))
    send(qtbot, window, "do not lose me")
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "failed to render" in errors[0]
    assert window.composer.text() == "do not lose me"
    assert window.composer.send_button.isEnabled()


def test_record_is_verified_in_the_background_at_start(qtbot: QtBot, window_factory) -> None:
    window = window_factory(start=False)
    with qtbot.waitSignal(window.controller.record_verified, timeout=10_000) as verified:
        window.controller.start()
    assert verified.args[0].intact
    assert window.status.integrity.text().startswith("✓ Record verified")


def test_a_tampered_record_is_flagged_in_the_status_bar(
    qtbot: QtBot, window_factory, store: Store, backend: FakeBackend
) -> None:
    first = window_factory()
    backend.enqueue(["[THINK]t[/THINK]original answer"])
    with qtbot.waitSignal(first.controller.turn_finished, timeout=5000):
        send(qtbot, first, "q")
    tamper(Path(str(store.path)), "UPDATE turn_chunks SET answer = 'edited answer'")
    errors: list[str] = []
    first.controller.error_occurred.connect(lambda _title, message: errors.append(message))
    with qtbot.waitSignal(first.controller.record_verified, timeout=10_000) as verified:
        first.controller.verify_record()
    assert not verified.args[0].intact
    assert first.status.integrity.text().startswith("✗ Record broken at entry")
    assert errors and "differs from what it recorded" in errors[0]


def test_review_annotate_sign_off_lock_and_continue(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend, store: Store
) -> None:
    from app.core.types import Flag, Meaning
    from app.ui.controller import LOCKED_HINT
    from app.ui.review_dialogs import AnnotateDialog

    window.controller.set_display_name("Dr. Ada Reviewer")
    backend.enqueue(["[THINK]check the cap[/THINK]The cap holds."])
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000) as finished:
        send(qtbot, window, "Does the cap hold?")
    turn_id = finished.args[0].id
    assert f'href="annotate:{turn_id}"' in window.view.toHtml()

    dialog = AnnotateDialog("Turn 1", window)
    qtbot.addWidget(dialog)
    dialog.flag.setCurrentIndex(dialog.flag.findData("concern"))
    dialog.comment.setPlainText("Check the carve-out.")
    window.controller.annotate(turn_id, *dialog.values())
    assert "CONCERN" in window.view.toPlainText() and "Check the carve-out." in window.view.toPlainText()
    assert store.turn(turn_id).annotations[0].author == "Dr. Ada Reviewer"

    window.controller.session.create_identity("Dr. Ada Reviewer", "Reviewer", "a passphrase of hers")
    sign = window.open_sign_off()
    assert sign is not None
    qtbot.waitUntil(lambda: sign.summary is not None, timeout=5000)
    sign.choose_meaning(Meaning.APPROVED)
    sign.reason.setPlainText("Sound after review.")
    sign.acknowledge.setChecked(True)
    sign.passphrase.setText("a passphrase of hers")
    with qtbot.waitSignal(window.controller.signed_off, timeout=10_000):
        qtbot.mouseClick(sign.sign_button, Qt.MouseButton.LeftButton)
    shown = window.signatures.text.toPlainText()
    assert "APPROVED — signed by Dr. Ada Reviewer" in shown and "locked" in shown
    assert f'href="annotate:{turn_id}"' not in window.view.toHtml(), "nothing left to annotate"
    assert not window.composer.send_button.isEnabled() and window.composer.hint.text() == LOCKED_HINT
    assert store.conversation(finished.args[0].conversation_id).signoffs[0].meaning == Meaning.APPROVED

    errors: list[str] = []
    window.controller.error_occurred.connect(lambda _title, message: errors.append(message))
    window.controller.annotate(turn_id, Flag.OK, "too late")
    assert errors and "was signed off" in errors[0]

    window.controller.continue_conversation()
    window.composer.editor.setPlainText("Carry on.")
    assert window.composer.send_button.isEnabled() and window.composer.attach_button.isEnabled()
    assert "Continues signed conversation" in window.view.toPlainText()
    assert store.verify().intact


def test_what_lives_once_a_model_is_loaded_is_kept_out_of_the_cycle_collector(window_factory) -> None:
    import gc

    gc.unfreeze()
    window_factory()  # starts, and loads its model
    assert gc.get_freeze_count() > 10_000, "modules, classes and Qt wrappers are frozen"


def test_settings_changes_are_recorded(window: MainWindow, store: Store) -> None:
    from app.core.presets import preset

    window.controller.apply_settings(preset("think-tags"))
    with store.engine.connect() as connection:
        kinds = [row[0] for row in connection.exec_driver_sql("SELECT kind FROM events ORDER BY id")]
    assert "settings.changed" in kinds and store.verify().intact


def test_a_draft_that_may_not_fit_is_flagged_before_it_is_sent(
    qtbot: QtBot, window: MainWindow, backend: FakeBackend
) -> None:
    from app.ui.words import number

    composer = window.controller.panes.composer
    n_ctx = window.controller.model.loaded.n_ctx  # type: ignore[union-attr]
    max_tokens = window.controller.settings().params.max_tokens
    # The scripted tokenizer counts a token a word.
    fits, too_long = "a" * 30, " ".join(["word"] * (n_ctx - max_tokens + 30))
    warned: list[str] = []
    window.controller.context_warned.connect(warned.append)

    composer.editor.setPlainText(too_long)
    qtbot.waitUntil(lambda: not composer.context_note.isHidden(), timeout=5000)
    assert "may not fit" in composer.context_note.text()
    assert f"{number(n_ctx)} tokens" in composer.context_note.text()  # the locale's digits
    assert warned == [] and backend.loaded is not None  # nothing was sent: a warning, not a refusal

    composer.editor.setPlainText(fits)
    qtbot.waitUntil(composer.context_note.isHidden, timeout=5000)
    assert composer.context_note.text() == ""
