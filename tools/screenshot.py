"""Screenshot the real window mid-generation, under Xvfb: the README's picture.

    xvfb-run -s '-screen 0 1280x800x24' python3 tools/screenshot.py [OUT.png] [--size 1280x800]
        [--images] [--answer] [--dialogs DIR] [--language fr] [--theme dark]

Runs the real demo model (llama.cpp) in the window's worker, in a throwaway data folder: a first
question is answered in full, then the shot is taken while the second one's reasoning streams
into the Reasoning pane (``--answer``: once its answer has started). OUT.png defaults to
``resources/screenshot.png``. ``--dialogs DIR`` also saves the first-start welcome, the guide and
About (both tabs) into DIR.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_HOME = tempfile.mkdtemp(prefix="veritrace-shot-")
os.environ["VERITRACE_HOME"] = _HOME
os.environ["VERITRACE_WITNESS_DIR"] = str(Path(_HOME) / "witness")
# No keyring, no prompt: the throwaway installation key is protected by this passphrase.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("VERITRACE_KEY_PASSPHRASE", "a passphrase for the screenshot only")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.render.fonts import register_fonts  # noqa: E402
from app.runtime.llama_backend import LlamaBackend  # noqa: E402
from app.services.config import load_config  # noqa: E402
from app.services.paths import backups_dir, database_path  # noqa: E402
from app.services.record import open_record  # noqa: E402
from app.ui.application import configure_process  # noqa: E402
from app.ui.i18n import install_language  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.style import apply_style  # noqa: E402

DEFAULT_OUTPUT = ROOT / "resources" / "screenshot.png"
PROMPTS = [
    "A supply contract caps liability at 12 months' fees. Does the cap apply if the supplier "
    "was grossly negligent? Answer briefly.",
    "The order was placed on 28 January and the contract says delivery is due within 30 days of "
    "the order. On what date is delivery due, and what if that day is a Sunday?",
]
REASONING_CHARS = 360  # enough reasoning on screen to read as a trace, before the answer starts


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


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    if not image.save(str(path), "PNG", 0):  # 0: the smallest PNG Qt writes
        raise SystemExit(f"could not write {path}")
    print(f"saved {path} ({image.width()}×{image.height()}, {path.stat().st_size // 1024} KiB)")


def save_dialogs(window: MainWindow, folder: Path) -> None:
    """The first-start welcome, the guide and About (both tabs), as a newcomer meets them."""
    welcome = window.open_welcome()
    save(welcome, folder / "welcome.png")
    welcome.close()
    guide = window.open_guide()
    save(guide, folder / "guide.png")
    guide.close()
    about = window.open_about()
    save(about, folder / "about.png")
    about.tabs.setCurrentIndex(1)
    about.licence_list.setCurrentRow(1)
    save(about, folder / "about-licences.png")
    about.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--size", default="1280x800", help="the window's size, WIDTHxHEIGHT")
    parser.add_argument("--images", action="store_true", help="attach two images to the first prompt")
    parser.add_argument("--answer", action="store_true", help="wait for the answer to start streaming")
    parser.add_argument("--dialogs", type=Path, help="also save the welcome, guide and About here")
    parser.add_argument("--language", default="", help="en, fr or de (default: the system's language)")
    parser.add_argument(
        "--theme", default="system", choices=["system", "light", "dark"], help="the window's theme"
    )
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))

    configure_process()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Veritrace")
    app.setOrganizationName("Veritrace-screenshot")  # its window geometry is not the user's
    register_fonts()
    apply_style(app, args.theme)
    install_language(app, args.language)
    store = open_record(database_path(), backups=backups_dir())
    window = MainWindow(store, LlamaBackend(), load_config(), modal_errors=False)
    window.resize(width, height)
    window.show()
    controller = window.controller
    controller.set_display_name("Dr Alice Martin")
    queue = list(PROMPTS)
    failures: list[str] = []

    def send_next() -> None:
        window.composer.editor.setPlainText(queue.pop(0))
        if args.images and len(queue) == len(PROMPTS) - 1:
            window.composer.add_images(sample_images(Path(_HOME)))
        controller.send(window.composer.text(), tuple(window.composer.attachments.images()))

    def on_model_changed(_model: object) -> None:
        if len(queue) == len(PROMPTS):
            send_next()

    def on_finished(_turn: object) -> None:
        if queue:
            send_next()
        else:
            failures.append("the last turn finished before the shot was taken")
            app.quit()

    def check() -> None:
        live = controller.live
        if not queue and live is not None:
            reasoning, answer = "".join(live.reasoning), "".join(live.answer)
            ready = answer.strip() if args.answer else len(reasoning) >= REASONING_CHARS or answer
            if ready:
                save(window, args.output)
                controller.turn_finished.disconnect(on_finished)
                controller.stop()
                if args.dialogs is not None:
                    save_dialogs(window, args.dialogs)
                QTimer.singleShot(500, app.quit)
                return
        QTimer.singleShot(10, check)

    controller.error_occurred.connect(lambda title, message: print(f"{title}: {message}", file=sys.stderr))
    controller.model_changed.connect(on_model_changed)
    controller.turn_finished.connect(on_finished)
    controller.start()
    QTimer.singleShot(10, check)
    app.exec()
    controller.shutdown()
    store.close()
    if failures:
        print("; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
