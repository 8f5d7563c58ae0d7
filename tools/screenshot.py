"""Screenshot the real window mid-generation, under Xvfb.

    xvfb-run -s '-screen 0 1440x900x24' python tools/screenshot.py OUT.png

Uses the real demo model through the real worker thread, with a throwaway data folder.
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
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.runtime.llama_backend import LlamaBackend  # noqa: E402
from app.services.config import load_config  # noqa: E402
from app.services.paths import database_path  # noqa: E402
from app.storage.repository import Store  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.style import apply_style  # noqa: E402

PROMPTS = [
    "Is a liability cap of 12 months' fees enforceable if the supplier was grossly negligent?",
    "Summarise the key risks in two bullet points.",
]


def main(output: str, mid_chars: int = 60) -> None:
    app = QApplication(sys.argv)
    app.setApplicationName("Veritrace")
    apply_style(app)
    store = Store(database_path())
    window = MainWindow(store, LlamaBackend(), load_config(), modal_errors=False)
    window.show()
    controller = window.controller
    queue = list(PROMPTS)

    def send_next() -> None:
        window.composer.editor.setPlainText(queue.pop(0))
        controller.send(window.composer.text())

    def on_finished(_turn: object) -> None:
        if queue:
            send_next()

    def check() -> None:
        live = controller.live
        if not queue and live is not None and len("".join(live.answer)) >= mid_chars:
            app.processEvents()
            window.grab().save(output)
            print(f"saved {output}")
            controller.stop()
            QTimer.singleShot(500, app.quit)
        else:
            QTimer.singleShot(20, check)

    controller.model_changed.connect(lambda _m: send_next())
    controller.turn_finished.connect(on_finished)
    controller.start()
    QTimer.singleShot(20, check)
    app.exec()
    controller.shutdown()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "veritrace.png")
