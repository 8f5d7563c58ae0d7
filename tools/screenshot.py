"""Screenshot the real window mid-generation, under Xvfb.

    xvfb-run -s '-screen 0 1440x900x24' python tools/screenshot.py OUT.png

Uses the real demo model on the session's own thread, with a throwaway data folder.
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


def sample_images(folder: Path) -> list[str]:
    """A scanned-looking contract page and a chart, drawn with Pillow."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (620, 820), (250, 249, 245))
    draw = ImageDraw.Draw(page)
    draw.text((60, 50), "MASTER SERVICES AGREEMENT", fill=(20, 20, 20))
    for index in range(28):
        y = 100 + index * 24
        draw.line((60, y, 560 - (index % 5) * 40, y), fill=(120, 120, 120), width=3)
    draw.rectangle((60, 430, 560, 520), outline=(200, 40, 40), width=3)
    chart = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(chart)
    for index, height in enumerate((120, 220, 160, 300, 260)):
        draw.rectangle((60 + index * 110, 360 - height, 140 + index * 110, 360), fill=(31, 95, 168))
    paths = []
    for name, image in (("contract-p4.png", page), ("liability-chart.png", chart)):
        path = folder / name
        image.save(path)
        paths.append(str(path))
    return paths


def main(output: str, mid_chars: int = 60, with_images: bool = False) -> None:
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
        if with_images and len(queue) == len(PROMPTS) - 1:
            window.composer.add_images(sample_images(Path(os.environ["VERITRACE_HOME"])))
        controller.send(window.composer.text(), tuple(window.composer.attachments.images()))

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
    arguments = [argument for argument in sys.argv[1:] if argument != "--images"]
    main(arguments[0] if arguments else "veritrace.png", with_images="--images" in sys.argv)
