"""Every image is accepted correctly or refused with one clear message naming the file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core import images
from app.core.images import ImageError, check_image, model_copy


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def gradient(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", size)
    image.putdata([(x * 4 % 256, y * 5 % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    return image.convert(mode)


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("WEBP", "image/webp"),
        ("GIF", "image/gif"),
        ("BMP", "image/bmp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_allowed_formats_are_accepted(fmt: str, media_type: str) -> None:
    data = encode(gradient(), fmt)
    checked = check_image(data, f"scan.{fmt.lower()}")
    assert (checked.media_type, checked.width, checked.height, checked.size) == (
        media_type,
        64,
        48,
        len(data),
    )
    assert checked.data == data, "the original bytes are kept exactly"
    sent = model_copy(checked)
    assert (sent.width, sent.height, sent.media_type) == (64, 48, "image/png")
    assert Image.open(io.BytesIO(sent.data)).mode == "RGB"


@pytest.mark.slow
def test_model_copy_is_deterministic_and_downscaled() -> None:
    checked = check_image(encode(gradient((3000, 1000)), "PNG"), "wide.png")
    first, second = model_copy(checked), model_copy(checked)
    assert first.data == second.data and first.sha256 == second.sha256
    assert (first.width, first.height) == (1540, 513)
    assert model_copy(checked, max_side=32).width == 32


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    data = encode(gradient((80, 20)), "JPEG", exif=exif)
    checked = check_image(data, "phone.jpg")
    assert (checked.width, checked.height) == (20, 80)
    sent = model_copy(checked)
    assert (sent.width, sent.height) == (20, 80)


def test_animated_gif_sends_its_first_frame() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    sent = model_copy(check_image(buffer.getvalue(), "blink.gif"))
    red, _green, blue = Image.open(io.BytesIO(sent.data)).getpixel((8, 8))
    assert red > 200 and blue < 50


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = encode(gradient(mode="CMYK"), "JPEG")
    checked = check_image(data, "print.jpg")
    assert Image.open(io.BytesIO(model_copy(checked).data)).mode == "RGB"


def test_sixteen_bit_png_keeps_its_contrast() -> None:
    image = Image.new("I;16", (32, 32))
    image.putdata([x * 2000 for y in range(32) for x in range(32)])
    sent = model_copy(check_image(encode(image, "PNG"), "xray.png"))
    pixels = Image.open(io.BytesIO(sent.data)).convert("L")
    assert pixels.getpixel((0, 0)) < 10 and pixels.getpixel((31, 0)) > 200


def test_transparency_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    sent = model_copy(check_image(encode(image, "PNG"), "clear.png"))
    assert Image.open(io.BytesIO(sent.data)).getpixel((4, 4)) == (255, 255, 255)


def truncated(fmt: str) -> bytes:
    data = encode(gradient((256, 256)), fmt)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.png", "empty.png is empty"),
        (
            b"just some notes, not a picture\n" * 20,
            "notes.png",
            "notes.png is not an image Veritrace can read",
        ),
        (truncated("PNG"), "half.png", "half.png is damaged or truncated"),
        (truncated("JPEG"), "half.jpg", "half.jpg is damaged or truncated"),
        (encode(gradient(), "PPM"), "scan.ppm", "scan.ppm is a PPM image; accepted formats are"),
        (encode(Image.new("1", (7000, 7000)), "PNG"), "huge.png", "huge.png is 7000 x 7000 pixels"),
        (encode(Image.new("1", (20000, 20000)), "PNG"), "bomb.png", "bomb.png declares an enormous size"),
    ],
    ids=["zero-bytes", "text-renamed-png", "truncated-png", "truncated-jpeg", "unsupported", "huge", "bomb"],
)
def test_bad_images_are_refused_with_a_clear_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ImageError) as refused:
        check_image(data, name)
    assert str(refused.value).startswith(message)


def test_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 1000)  # the real limit is 25 MB
    noise = Image.frombytes("RGB", (100, 100), bytes((i * 7919) % 251 for i in range(30_000)))
    with pytest.raises(ImageError, match=r"big\.png is \d+\.\d kB; images up to 1.0 kB are accepted"):
        check_image(encode(noise, "PNG"), "big.png")


def test_unreadable_file_is_an_image_error(tmp_path) -> None:
    from app.core.images import read_image_file

    with pytest.raises(ImageError, match=r"^missing\.png cannot be read: No such file or directory\.$"):
        read_image_file(tmp_path / "missing.png")
    path = tmp_path / "ok.png"
    path.write_bytes(encode(gradient(), "PNG"))
    assert read_image_file(path).filename == "ok.png"
