"""Screenshot the review side of the app under Xvfb: a conversation in many languages with math,
the Sessions window with a search, and the export dialog.

    xvfb-run -s '-screen 0 1440x900x24' python tools/screenshot_review.py OUT_PREFIX

Writes OUT_PREFIX-window.png, -sessions.png, -export.png, -models.png, -download.png and
-remote.png, using a
throwaway data folder filled through the real Store (no model needed: the scripted backend).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VERITRACE_HOME", tempfile.mkdtemp(prefix="veritrace-shot-"))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.render.fonts import register_fonts  # noqa: E402
from app.runtime.fake_backend import FakeBackend  # noqa: E402
from app.services.config import AppConfig  # noqa: E402
from app.services.paths import database_path  # noqa: E402
from app.storage.repository import Store  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.style import apply_style  # noqa: E402
from tests.fixtures.languages import LANGUAGES  # noqa: E402
from tests.fixtures.records import long_conversation  # noqa: E402


def model_path_demo() -> Path:
    from app.runtime.model_files import demo_model_path

    path = demo_model_path()
    assert path is not None
    return path


def grab(widget: QWidget, path: str) -> None:
    QApplication.processEvents()
    widget.grab().save(path)
    print(path)


def main(prefix: str) -> None:
    app = QApplication(sys.argv)
    app.setApplicationName("Veritrace")
    register_fonts()
    apply_style(app)
    store = Store(database_path())
    sentences = [language.sentence for language in LANGUAGES]
    long_conversation(store, 6, sentences[:6], title="Force majeure after the flood")
    long_conversation(store, 4, sentences[18:], title="Arabic, Bengali and Chinese filings", sign=False)
    long_conversation(store, 3, sentences[7:10], title="Japanese and Korean supplier terms", annotate_every=0)
    model = Path(tempfile.mkdtemp()) / "scripted.gguf"
    model.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + bytes(24))
    window = MainWindow(store, FakeBackend(), AppConfig(model_path=str(model)), modal_errors=False)
    window.resize(1400, 860)
    window.show()
    window.controller.start()
    steps: list[tuple[int, object]] = []

    def window_shot() -> None:
        window.controller.refresh_conversations()
        window.controller.select_conversation(2)
        QTimer.singleShot(400, lambda: grab(window, f"{prefix}-window.png"))

    def sessions_shot() -> None:
        browser = window.open_session_browser()
        browser.resize(1300, 800)
        browser.query.setText("flood")
        browser.run_search()
        QTimer.singleShot(1200, lambda: _open_first_hit(browser))

    def _open_first_hit(browser: object) -> None:
        browser.hits.setCurrentRow(0)  # type: ignore[attr-defined]
        browser._on_hits_item_activated(browser.hits.item(0))  # type: ignore[attr-defined]
        QTimer.singleShot(600, lambda: grab(browser, f"{prefix}-sessions.png"))  # type: ignore[arg-type]

    def export_shot() -> None:
        dialog = window.open_export([1, 2], "2 conversations: 1, 2")
        QTimer.singleShot(300, lambda: grab(dialog, f"{prefix}-export.png"))

    def dialog_shots() -> None:
        from app.services.models import add_model

        window.controller.set_library(add_model(window.controller.config, model_path_demo()))
        models = window.open_models_dialog()
        models.resize(1200, 380)
        QTimer.singleShot(2500, lambda: grab(models, f"{prefix}-models.png"))
        download = window.open_download()
        QTimer.singleShot(500, lambda: grab(download, f"{prefix}-download.png"))
        remote = window.open_remote_dialog()
        QTimer.singleShot(700, lambda: grab(remote, f"{prefix}-remote.png"))

    steps = [
        (500, window_shot),
        (1500, sessions_shot),
        (4000, export_shot),
        (5000, dialog_shots),
        (9000, app.quit),
    ]
    for delay, step in steps:
        QTimer.singleShot(delay, step)  # type: ignore[arg-type]
    app.exec()
    window.controller.shutdown()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "review")
