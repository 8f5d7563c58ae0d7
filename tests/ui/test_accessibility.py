"""Every interactive widget of the window and of each of its dialogs has a name and a description,
as a screen reader gets them through Qt's accessibility interfaces (not only as properties)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.core.errors import VeritraceError
from app.core.types import Identity, Meaning, Turn
from app.runtime.fake_backend import FakeBackend
from app.storage.repository import Store
from app.ui.accessibility import make_default
from app.ui.attachments import ImageViewer
from app.ui.download_dialog import DownloadDialog
from app.ui.identity_dialogs import CreateIdentityDialog, RevokeIdentityDialog
from app.ui.main_window import MainWindow
from app.ui.prompt_tokens_dialog import PromptTokensDialog
from app.ui.reproduce_dialog import ReproduceDialog
from app.ui.review_dialogs import AnnotateDialog, NameDialog, TimestampAuthorityDialog
from app.ui.settings_dialog import SettingsDialog
from tests.fixtures.accessibility import enter_cancels, reachable, spoken, unnamed
from tests.fixtures.signers import sign, signer
from tests.fixtures.window import send


@dataclass
class Scene:
    qtbot: QtBot
    window: MainWindow
    store: Store
    backend: FakeBackend
    tmp_path: Path
    turn: Turn | None = None

    def answered(self) -> Turn:
        """A finished turn, with reasoning, in the conversation shown (the same one each time)."""
        if self.turn is not None:
            return self.turn
        self.backend.enqueue(["[THINK]Weigh the clause.[/THINK]", "It holds."])
        with self.qtbot.waitSignal(self.window.controller.turn_finished, timeout=5000) as finished:
            send(self.qtbot, self.window, "Does the clause hold?")
        self.turn = finished.args[0]
        return self.turn

    def image(self) -> Path:
        picture = QImage(48, 32, QImage.Format.Format_RGB32)
        picture.fill(QColor(30, 90, 160))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        picture.save(buffer, "PNG")  # type: ignore[call-overload]
        path = self.tmp_path / "figure.png"
        path.write_bytes(bytes(data.data()))
        return path

    def shown(self, dialog: QWidget) -> QWidget:
        self.qtbot.addWidget(dialog)
        dialog.show()
        self.qtbot.waitExposed(dialog)
        return dialog


def main_window(scene: Scene) -> QWidget:
    """The window with a conversation shown and an image in the draft (its remove button up)."""
    scene.answered()
    scene.window.composer.add_images([str(scene.image())])
    assert scene.window.composer.attachments.buttons()
    return scene.window


def signed_conversation(scene: Scene) -> QWidget:
    """The window showing a signed conversation: its signatures banner up, the composer locked."""
    turn = scene.answered()
    key = scene.window.controller.signing_key()
    sign(scene.store, turn.conversation_id, Meaning.APPROVED, "Sound.", key=key)
    scene.window.controller.refresh_conversations()
    scene.window.controller.select_conversation(turn.conversation_id)
    assert scene.window.signatures.isVisibleTo(scene.window)
    return scene.window


def narrow_window(scene: Scene) -> QWidget:
    """The window too narrow for its panes side by side: they go under a tab bar."""
    scene.window.resize(560, 600)
    scene.qtbot.waitUntil(lambda: not scene.window.pane_layout.side_by_side, timeout=2000)
    return scene.window


def settings(scene: Scene) -> QWidget:
    window = scene.window
    return scene.shown(
        SettingsDialog(
            window.controller.settings(),
            window,
            trained_context=4096,
            statements={meaning: window.controller.config.statement(meaning) for meaning in Meaning},
        )
    )


def models(scene: Scene) -> QWidget:
    dialog = scene.window.open_models_dialog()
    scene.qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=10_000)
    dialog.table.selectRow(0)
    return dialog


def remote(scene: Scene) -> QWidget:
    return scene.window.open_remote_dialog()


def download(scene: Scene) -> QWidget:
    return scene.shown(DownloadDialog(scene.window, folder=scene.tmp_path, free_space=lambda _path: 10**12))


def export(scene: Scene) -> QWidget:
    turn = scene.answered()
    dialog = scene.window.open_export([turn.conversation_id], "Conversation 1")
    assert dialog is not None
    return dialog


def reproduce(scene: Scene) -> QWidget:
    turn = scene.answered()

    def refused(*_args: object) -> object:
        raise VeritraceError("Nothing to run again in this test.")

    dialog = ReproduceDialog(turn.id, refused, None, scene.window)  # type: ignore[arg-type]
    scene.shown(dialog)
    assert dialog.wait(10)
    return dialog


def annotate(scene: Scene) -> QWidget:
    return scene.shown(AnnotateDialog("Turn 1", scene.window))


def name(scene: Scene) -> QWidget:
    return scene.shown(NameDialog("Dana Reviewer", scene.window))


def timestamp_authority(scene: Scene) -> QWidget:
    return scene.shown(TimestampAuthorityDialog("", "", scene.window))


def sign_off(scene: Scene) -> QWidget:
    """The sign-off with an identity to sign as (its choice shown) and a meaning chosen."""
    scene.answered()
    signer(scene.store, key=scene.window.controller.signing_key())
    dialog = scene.window.open_sign_off()
    assert dialog is not None
    scene.qtbot.waitUntil(lambda: dialog.summary is not None, timeout=5000)
    assert dialog.identity.isVisibleTo(dialog)
    dialog.choose_meaning(Meaning.REVIEWED)
    return dialog


def create_identity(scene: Scene) -> QWidget:
    return scene.shown(CreateIdentityDialog(scene.window.controller.session, "Dana Reviewer", scene.window))


def identities(scene: Scene) -> QWidget:
    return scene.window.open_identities()


def revoke_identity(scene: Scene) -> QWidget:
    identity = Identity(1, "Dana Reviewer", "Reviewer", "dana", "00" * 32, "ab:cd", "2026-12-01T10:00:00Z")
    return scene.shown(RevokeIdentityDialog(identity, scene.window))


def session_browser(scene: Scene) -> QWidget:
    scene.answered()
    browser = scene.window.open_session_browser()
    with scene.qtbot.waitSignal(browser.results_shown, timeout=5000):
        browser.query.setText("clause")
        browser.run_search()
    browser.open_conversation(browser.result_ids()[0])
    return browser


def prompt_tokens(scene: Scene) -> QWidget:
    turn = scene.answered()
    browser = scene.window.open_session_browser()
    dialog: PromptTokensDialog = browser.show_prompt_tokens(turn.id)
    scene.qtbot.waitUntil(lambda: dialog.view is not None or dialog.note.isVisible(), timeout=5000)
    return dialog


def image_viewer(scene: Scene) -> QWidget:
    return scene.shown(ImageViewer(scene.image().read_bytes(), "figure.png", scene.window))


def welcome(scene: Scene) -> QWidget:
    return scene.window.open_welcome()


def guide(scene: Scene) -> QWidget:
    return scene.window.open_guide()


def about(scene: Scene) -> QWidget:
    return scene.window.open_about()


# Each group is opened on one window, one after the other, each dialog closed after its walk.
GROUPS: dict[str, tuple[Callable[[Scene], QWidget], ...]] = {
    "the window": (main_window, signed_conversation, narrow_window),
    "dialogs": (
        settings,
        models,
        remote,
        download,
        annotate,
        name,
        timestamp_authority,
        create_identity,
        identities,
        revoke_identity,
        image_viewer,
        welcome,
        guide,
        about,
    ),
    "review dialogs": (export, reproduce, sign_off, session_browser, prompt_tokens),
}


@pytest.mark.parametrize("group", GROUPS.values(), ids=GROUPS.keys())
def test_every_interactive_widget_has_a_spoken_name_and_description(
    qtbot: QtBot,
    window: MainWindow,
    store: Store,
    backend: FakeBackend,
    tmp_path: Path,
    group: tuple[Callable[[Scene], QWidget], ...],
) -> None:
    window.show()
    qtbot.waitExposed(window)
    scene = Scene(qtbot, window, store, backend, tmp_path)
    problems: list[str] = []
    for opener in group:
        shown = opener(scene)
        assert shown.isVisible(), opener.__name__
        assert reachable(shown), f"{opener.__name__}: the walk found nothing to check"
        problems += unnamed(shown) + enter_cancels(shown)
        if isinstance(shown, QDialog):
            shown.close()
            waiting = getattr(shown, "wait", None)
            if waiting is not None:
                waiting()
    assert not problems, "\n".join(problems)


def test_the_walk_tells_a_nameless_control_from_a_named_one(qtbot: QtBot) -> None:
    """The walk itself: a field with neither name nor description is reported; one with both is not."""
    host = QWidget()
    host.setWindowTitle("probe")
    qtbot.addWidget(host)
    bare = QLineEdit(host)
    bare.setObjectName("bare")
    named = QPushButton("Go", host)
    named.move(0, 40)
    named.setAccessibleDescription("Goes.")
    hidden = QLineEdit(host)
    hidden.hide()
    host.show()
    qtbot.waitExposed(host)
    assert set(reachable(host)) == {bare, named}
    assert spoken(named) == ("Go", "Goes.")
    problems = unnamed(host)
    assert len(problems) == 2 and all("bare" in line for line in problems), problems
    bare.setAccessibleName("Bare field")
    bare.setAccessibleDescription("A field for the probe.")
    assert unnamed(host) == []
    assert Qt.FocusPolicy.TabFocus  # the walk's test for reachability


def test_enter_presses_the_button_made_default_not_cancel(qtbot: QtBot) -> None:
    """A button made default before it is in its dialog leaves Enter to the first button in Tab
    order (Cancel); ``make_default`` once it is in gives Enter back to it."""
    for fixed in (False, True):
        dialog = QDialog()
        qtbot.addWidget(dialog)
        field = QLineEdit()
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        create = box.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        create.setDefault(True)
        layout = QVBoxLayout(dialog)
        layout.addWidget(field)
        layout.addWidget(box)
        if fixed:
            make_default(create)
        pressed: list[str] = []
        create.clicked.connect(lambda _checked=False, pressed=pressed: pressed.append("create"))
        box.rejected.connect(lambda pressed=pressed: pressed.append("cancel"))
        dialog.show()
        qtbot.waitExposed(dialog)
        field.setFocus()
        assert bool(enter_cancels(dialog)) is not fixed
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert pressed == (["create"] if fixed else ["cancel"])
