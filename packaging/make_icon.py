"""Draw Veritrace's icon and write it as PNG, ICO (Windows) and ICNS (macOS) into ``resources/icons``.

The mark: a check stroke over three linked chain dots on a deep teal rounded square, i.e. a record
whose links are verified. Drawn at 1024 px and scaled down, so every size comes from one drawing;
run again after changing it: ``python packaging/make_icon.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZE = 1024
BACKGROUND = (14, 92, 99, 255)
FOREGROUND = (255, 255, 255, 255)
ACCENT = (250, 204, 84, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = SIZE) -> Image.Image:
    """The icon at ``size`` pixels, transparent outside the rounded square."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = size / 16
    pen.rounded_rectangle((unit, unit, size - unit, size - unit), radius=3 * unit, fill=BACKGROUND)
    # The chain: three dots joined by a line along the bottom.
    y = 11.5 * unit
    pen.line((4.5 * unit, y, 11.5 * unit, y), fill=ACCENT, width=round(0.6 * unit))
    for x in (4.5, 8.0, 11.5):
        r = 1.0 * unit
        pen.ellipse((x * unit - r, y - r, x * unit + r, y + r), fill=ACCENT)
    # The check, above the chain.
    points = [(4.3 * unit, 6.6 * unit), (7.0 * unit, 9.1 * unit), (11.9 * unit, 3.9 * unit)]
    pen.line(points, fill=FOREGROUND, width=round(1.3 * unit), joint="curve")
    return image


def main() -> int:
    ICONS.mkdir(parents=True, exist_ok=True)
    master = draw()
    master.resize((512, 512), Image.Resampling.LANCZOS).save(ICONS / "veritrace.png")
    master.resize((256, 256), Image.Resampling.LANCZOS).save(ICONS / "veritrace-256.png")
    master.save(ICONS / "veritrace.ico", sizes=ICO_SIZES)
    master.save(ICONS / "veritrace.icns")
    for name in ("veritrace.png", "veritrace-256.png", "veritrace.ico", "veritrace.icns"):
        print(f"{ICONS / name} ({(ICONS / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
