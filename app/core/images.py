"""Check images before they enter the record, and make the copy a model sees.

Every image is decoded by Pillow under explicit limits before it is accepted: a byte
limit, a pixel limit checked from the header before any pixel is decoded (decompression
bombs), an allow-list of formats, and a full decode so truncated or corrupt files are
caught now rather than inside llama.cpp.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import VeritraceError
from app.core.files import NotAFileError, TooLargeError, read_bounded
from app.core.hashing import sha256_bytes

MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # about 6300 x 6300
# Magistral's (Pixtral) vision encoder works on at most 1540 pixels a side.
DEFAULT_MODEL_MAX_SIDE = 1540

ALLOWED_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}


class ImageError(VeritraceError):
    """An image was refused; the message names the file and says why."""


@dataclass(frozen=True)
class CheckedImage:
    """An accepted image: the original bytes exactly as given, and what was found in them."""

    filename: str
    data: bytes
    sha256: str
    media_type: str
    width: int  # after EXIF orientation
    height: int

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ModelImage:
    """The normalised copy sent to the model: RGB PNG, oriented, at most ``max_side``."""

    data: bytes
    sha256: str
    width: int
    height: int
    media_type: str = "image/png"


def check_image(data: bytes, filename: str) -> CheckedImage:
    """Accept an image or raise ImageError with one clear sentence naming the file."""
    if not data:
        raise ImageError(f"{filename} is empty (0 bytes).")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(
            f"{filename} is {human_size(len(data))}; images up to {human_size(MAX_IMAGE_BYTES)} are accepted."
        )
    with _opened(data, filename) as image:
        if image.format not in ALLOWED_FORMATS:
            raise ImageError(
                f"{filename} is a {image.format} image; "
                "accepted formats are PNG, JPEG, WebP, GIF, BMP and TIFF."
            )
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageError(
                f"{filename} is {width} x {height} pixels, more than the "
                f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels accepted (it could be a decompression bomb)."
            )
        media_type = ALLOWED_FORMATS[image.format]
        try:
            image.load()  # decode every pixel now: truncated and corrupt files fail here
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            raise ImageError(f"{filename} is damaged or truncated and cannot be read ({error}).") from error
        oriented = ImageOps.exif_transpose(image)
        return CheckedImage(filename, data, sha256_bytes(data), media_type, oriented.width, oriented.height)


def read_image_file(path: Path) -> CheckedImage:
    """Read and check an image file; an unreadable file is an ImageError too.

    Only a regular file is read, and no more of it than the size limit and one byte: a folder,
    a named pipe or a device (``/dev/zero``) is refused before it is read.
    """
    try:
        data = read_bounded(path, MAX_IMAGE_BYTES)
    except NotAFileError as error:
        raise ImageError(f"{path} is {error.kind}, not an image file.") from error
    except TooLargeError as error:
        limit = human_size(MAX_IMAGE_BYTES)
        raise ImageError(
            f"{path.name} is {human_size(error.size)}; images up to {limit} are accepted."
        ) from error
    except OSError as error:
        raise ImageError(f"{path.name} cannot be read: {error.strerror or error}.") from error
    return check_image(data, path.name)


def model_copy(image: CheckedImage, max_side: int = DEFAULT_MODEL_MAX_SIDE) -> ModelImage:
    """Orient, flatten to RGB on white, downscale to ``max_side``, encode as PNG (deterministic)."""
    with _opened(image.data, image.filename) as opened:
        opened.seek(0)  # GIF and TIFF: the first frame
        oriented = ImageOps.exif_transpose(opened)
        rgb = _to_rgb(oriented)
    if max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG", optimize=False)
    data = buffer.getvalue()
    return ModelImage(data, sha256_bytes(data), rgb.width, rgb.height)


def human_size(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clip everything to white.
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


class _opened:
    """Open image bytes with Pillow's own bomb check turned into our message."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.data, self.filename = data, filename
        self.image: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        try:
            with warnings.catch_warnings():
                # Sizes between Pillow's warning and error thresholds are refused by our own
                # pixel limit with a clearer message; the warning itself adds nothing.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                self.image = Image.open(io.BytesIO(self.data))
        except Image.DecompressionBombError as error:
            raise ImageError(
                f"{self.filename} declares an enormous size and was refused as a possible decompression bomb."
            ) from error
        except UnidentifiedImageError as error:
            raise ImageError(
                f"{self.filename} is not an image Veritrace can read (unknown or damaged format)."
            ) from error
        except (OSError, ValueError, SyntaxError) as error:
            raise ImageError(f"{self.filename} is damaged and cannot be read ({error}).") from error
        return self.image

    def __exit__(self, *_exc: object) -> None:
        if self.image is not None:
            self.image.close()
