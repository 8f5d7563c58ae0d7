"""Start the desktop app: Qt setup, the record, the crash handler, the main window."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget

from app import __version__
from app.core.errors import CorruptDatabaseError, VeritraceError
from app.render.fonts import missing_fonts_message, register_fonts
from app.services.config import load_config, set_settings_reporter
from app.services.instance import InstanceLock, WriterLock, first_use
from app.services.logs import LOG_NAME, configure_logging, log_failure
from app.services.paths import backups_dir, data_dir, database_path
from app.services.signing import NEW_PASSPHRASE, set_passphrase_prompt
from app.services.witness import WitnessError
from app.ui.i18n import install_language
from app.ui.main_window import MainWindow
from app.ui.style import apply_style
from app.ui.theme import theme_manager
from app.ui.words import status_words

if TYPE_CHECKING:
    from app.services.record import Store

# The record's modules (SQLAlchemy, the ledger, the session) are imported where they are used,
# once the window is shown: loading them first would keep the window from the screen.

_log = logging.getLogger("veritrace")


def _install_crash_handler() -> None:
    """Bugs get a dialog with the traceback and go to the log; the record is already safe."""

    def handle(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        from app.services.failures import HANDLED, describe_failure

        if isinstance(error, HANDLED):  # not a bug: the system refused (a full disk…), said in one line
            log_failure("an action failed", error)
            if QApplication.instance() is not None:
                message = describe_failure(error, "That action").message
                QMessageBox.warning(
                    None, QCoreApplication.translate("Application", "Veritrace could not finish"), message
                )
            return
        text = "".join(traceback.format_exception(kind, error, tb))
        _log.critical("unhandled exception\n%s", text)
        if QApplication.instance() is not None:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                QCoreApplication.translate("Application", "Veritrace hit a bug"),
                QCoreApplication.translate(
                    "Application",
                    "Something went wrong inside Veritrace. Everything already recorded is safe.\n"
                    "The details are in {path}.",
                ).format(path=data_dir() / LOG_NAME),
            )
            box.setDetailedText(text)
            box.exec()

    sys.excepthook = handle


# How long a thread may hold the GIL while another waits (CPython's default is 5 ms). The GUI
# thread needs the GIL for every Python slot and timer; while the worker thread runs Python
# between tokens, a 5 ms handover per event adds up to visible stalls. 1 ms keeps the window
# responsive; llama.cpp itself runs without the GIL, so generation speed does not change.
GIL_SWITCH_INTERVAL_S = 0.001


def configure_process() -> None:
    """Process-wide settings the window relies on."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def _open_record(actor: str | None, writers: WriterLock | None = None) -> Store | None:
    """Open the record; a damaged one, or one that fails its witness, is replaced only on purpose.

    A replacement needs the record to itself: with ``writers`` (this window's), it is refused
    while a command is writing to the record.
    """
    from app.services.record import open_record, restore_record
    from app.services.recovery import best_backup

    alone = writers.alone if writers is not None else _no_other_writers
    try:
        return open_record(database_path(), actor=actor, backups=backups_dir())
    except CorruptDatabaseError as error:
        found = best_backup(backups_dir())
        offer = (
            QCoreApplication.translate(
                "Application", "The newest verified backup is {name}.\n{details}\n\nRestore it?"
            ).format(name=found[0].name, details=found[1])
            if found
            else QCoreApplication.translate(
                "Application",
                "No verified backup was found. Start with an empty record? (The damaged file is kept.)",
            )
        )
        answer = QMessageBox.critical(
            None,
            QCoreApplication.translate("Application", "The record is damaged"),
            f"{error}\n\n{offer}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        with alone("restoring the record"):
            restored = restore_record(
                database_path(),
                backup=found[0] if found else None,
                start_empty=found is None,
                reason=f"The record was damaged: {error}",
                backups=backups_dir(),
                actor=actor,
                set_aside_as="damaged",
            )
    except WitnessError as error:
        answer = QMessageBox.critical(
            None,
            QCoreApplication.translate("Application", "The record does not match its witness"),
            f"{error}\n\n"
            + QCoreApplication.translate(
                "Application",
                "Accept this copy as the record? Veritrace records that you did, when, and "
                "what was lost. No closes Veritrace and leaves every file as it is.",
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        reason, given = QInputDialog.getText(
            None,
            QCoreApplication.translate("Application", "Accept this copy"),
            QCoreApplication.translate("Application", "Why (this is recorded):"),
        )
        if not given or not reason.strip():
            return None
        with alone("accepting this copy"):
            restored = restore_record(
                database_path(), backup=None, reason=reason, backups=backups_dir(), actor=actor
            )
    _log.warning("%s", restored.describe())
    return open_record(database_path(), actor=actor, backups=backups_dir())


@contextmanager
def _no_other_writers(_doing: str) -> Iterator[None]:
    yield


def _ask_passphrase(question: str) -> str | None:
    """The signing key's passphrase, where the system has no keyring to keep its secret.

    A new passphrase is asked for twice: a typing slip would lock the key for good.
    """
    while True:
        text, given = QInputDialog.getText(
            None,
            QCoreApplication.translate("Application", "Signing key"),
            status_words(question),
            QLineEdit.EchoMode.Password,
        )
        if not given or not question.startswith(NEW_PASSPHRASE):
            return text if given else None
        again, given = QInputDialog.getText(
            None,
            QCoreApplication.translate("Application", "Signing key"),
            QCoreApplication.translate("Application", "Type the same passphrase again:"),
            QLineEdit.EchoMode.Password,
        )
        if not given:
            return None
        if again == text:
            return text
        QMessageBox.warning(
            None,
            QCoreApplication.translate("Application", "Signing key"),
            QCoreApplication.translate("Application", "The two passphrases differ. Choose one again."),
        )


def _tell_missing_fonts(window: MainWindow) -> None:
    """Say once, at start, which languages would show as boxes for want of a font."""
    message = missing_fonts_message()
    if message:
        _log.warning("%s", message)
        window.status.showMessage(message, 30000)


class _FirstPaint(QObject):
    """Logs how long after launch the window was first painted, then stops listening;
    ``then`` runs once the event loop is back, after that paint."""

    def __init__(self, window: QWidget, launched: float, then: Callable[[], object] | None = None) -> None:
        super().__init__(window)
        self._launched = launched
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # The CPU time too: on a busy machine the wall-clock time says more about the others.
            _log.info(
                "window shown %.2f s after launch (%.2f s of CPU time)",
                time.perf_counter() - self._launched,
                time.process_time(),
            )
            if self._then is not None:
                QTimer.singleShot(0, self._then)
        return False


def run_gui(launched: float | None = None) -> int:
    """Open the window; ``launched`` (a ``time.perf_counter()``) times the start-up in the log."""
    launched = time.perf_counter() if launched is None else launched
    configure_process()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Veritrace")
    app.setOrganizationName("Veritrace")
    app.setApplicationVersion(__version__)
    register_fonts()  # the shipped Noto faces, before any widget picks its font
    apply_style(app)  # type: ignore[arg-type]
    install_language(app)  # the system's language until the settings are read
    _install_crash_handler()

    set_passphrase_prompt(_ask_passphrase)
    # One window per record (the window lock); command-line writers share the record with it
    # (the writers lock, held shared: see app.services.instance).
    locks: list[InstanceLock | WriterLock] = []
    try:
        configure_logging()
        locks.append(InstanceLock(data_dir()).acquire())
        writers = WriterLock(data_dir()).acquire()
        locks.append(writers)
        unusable_settings: list[str] = []  # told once the window is up; the defaults apply
        set_settings_reporter(unusable_settings.append)
        config = load_config()
        if config.language:
            install_language(app, config.language)  # before any window: it is built in its words
        theme_manager().choose(config.theme)  # before any window: nothing is drawn twice
    except Exception as error:
        from app.services.failures import HANDLED

        if not isinstance(error, HANDLED):
            raise
        _cannot_start(error)  # a known refusal, or the system's (a data folder that is a file…)
        _release(locks)
        return 1
    # The window is shown first, saying the record is opening; the record is opened and checked
    # once it is painted. Until then nothing can be sent or recorded (see ChatController).
    window = MainWindow(None, None, config)
    opened: list[Store] = []

    def open_the_record() -> None:
        from app.services.failures import HANDLED
        from app.services.recovery import daily_backup
        from app.services.session import local_backend

        try:
            with first_use(data_dir()):
                store = _open_record(config.display_name or None, writers)
        except HANDLED as error:
            _cannot_start(error)
            store = None
        if store is None:
            window.hide()
            app.exit(1)
            return
        opened.append(store)
        store.log_event("database.opened", {"by": "window", "app_version": __version__})
        try:
            daily_backup(store, backups_dir())
        except (OSError, VeritraceError):
            _log.exception("daily backup failed")
        # Only with no command writing too: a turn another process is generating is not orphaned.
        interrupted = writers.when_alone(store.mark_interrupted) or []
        if interrupted:
            _log.info("marked %d turn(s) interrupted: %s", len(interrupted), interrupted)
        window.open_record(store, local_backend())
        _tell_missing_fonts(window)
        for line in unusable_settings:
            window.controller.error_occurred.emit(
                QCoreApplication.translate("Application", "Settings not used"), line
            )
        window.controller.start()
        window.controller.tell_interrupted(interrupted)  # in view until the next turn starts
        window.welcome_if_first_start()  # opened, not waited for

    _FirstPaint(window, launched, then=open_the_record)
    window.show()
    try:
        return app.exec()
    finally:
        window.controller.shutdown()
        for store in opened:
            store.close()
        _release(locks)


def _cannot_start(error: BaseException) -> None:
    from app.services.failures import describe_failure

    log_failure("Veritrace could not start", error)
    QMessageBox.critical(
        None,
        QCoreApplication.translate("Application", "Veritrace cannot start"),
        describe_failure(error, "Starting").message,
    )


def _release(locks: list[InstanceLock | WriterLock]) -> None:
    for lock in reversed(locks):
        lock.release()
