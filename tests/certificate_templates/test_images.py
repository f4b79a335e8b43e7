"""Uploaded images: PNG and JPEG only, re-encoded from their pixels; every hostile file refused
with its own code, before its pixels are decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from service.certificate_templates.images import MAX_BYTES, clean_image
from service.errors import DomainError, ErrorCode
from tests.support.images import SVG_WITH_SCRIPT, jpeg, png, png_bomb


def _refusal(data: bytes, filename: str) -> tuple[ErrorCode, str, tuple[str, ...] | None]:
    with pytest.raises(DomainError) as refused:
        clean_image(data, filename=filename)
    [problem] = refused.value.problems
    return problem.code, problem.message, problem.field


def test_a_png_is_re_encoded_from_its_pixels_without_its_text_chunks() -> None:
    # given a PNG carrying a text chunk
    uploaded = png(alpha=True)

    # when it is cleaned
    image = clean_image(uploaded, filename="Logo.PNG")

    # then the same pixels come back as a new PNG, without the text
    with Image.open(io.BytesIO(image.data)) as cleaned, Image.open(io.BytesIO(uploaded)) as original:
        assert (image.format, image.width, image.height, cleaned.mode) == ("PNG", 300, 120, "RGBA")
        assert cleaned.tobytes() == original.tobytes()
        assert "Comment" not in cleaned.info
    assert b"script" not in image.data


def test_a_jpeg_is_re_encoded() -> None:
    image = clean_image(jpeg(), filename="seal.jpeg")
    with Image.open(io.BytesIO(image.data)) as cleaned:
        assert (image.format, cleaned.format, cleaned.size, cleaned.mode) == (
            "JPEG",
            "JPEG",
            (200, 200),
            "RGB",
        )


def test_a_png_bomb_is_refused_before_its_pixels_are_decoded() -> None:
    # given PNGs of a few KB claiming 60,000² pixels (past even Pillow's own guard) and 9,000²
    bombs = [png_bomb(60_000), png_bomb(9_000)]
    assert max(len(bomb) for bomb in bombs) < 10_000

    # then both are refused
    assert [_refusal(bomb, "logo.png") for bomb in bombs] == [
        (
            ErrorCode.IMAGE_TOO_MANY_PIXELS,
            "The image claims far more pixels than allowed: at most 4,000,000 pixels and 4000 on a side.",
            ("file",),
        ),
        (
            ErrorCode.IMAGE_TOO_MANY_PIXELS,
            "The image is 9000 × 9000 pixels; at most 4,000,000 pixels and 4000 on a side.",
            ("file",),
        ),
    ]


def test_a_png_named_as_a_jpeg_is_refused() -> None:
    assert _refusal(png(), "logo.jpg") == (
        ErrorCode.IMAGE_FORMAT,
        "The file is a PNG image but its name says otherwise: name it .png.",
        ("file",),
    )


@pytest.mark.parametrize("filename", ["logo.svg", "logo.png"])
def test_an_svg_with_a_script_is_refused_whatever_its_name(filename: str) -> None:
    assert _refusal(SVG_WITH_SCRIPT, filename) == (
        ErrorCode.IMAGE_FORMAT,
        "Upload a PNG or JPEG image (SVG is not accepted: export it as PNG).",
        ("file",),
    )


def test_a_gif_is_refused() -> None:
    output = io.BytesIO()
    Image.new("RGB", (10, 10)).save(output, "GIF")
    assert _refusal(output.getvalue(), "logo.gif")[0] is ErrorCode.IMAGE_FORMAT


def test_an_oversize_file_is_refused() -> None:
    oversize = png() + b"\0" * MAX_BYTES
    assert _refusal(oversize, "logo.png") == (
        ErrorCode.IMAGE_TOO_LARGE,
        "The file is larger than 2 MB.",
        ("file",),
    )


def test_a_truncated_png_is_refused_as_unreadable() -> None:
    assert _refusal(png()[:200], "logo.png") == (
        ErrorCode.IMAGE_UNREADABLE,
        "The image could not be read.",
        ("file",),
    )


def test_too_many_pixels_within_the_byte_limit_is_refused() -> None:
    code, message, _ = _refusal(png(4001, 10), "wide.png")
    assert (code, message) == (
        ErrorCode.IMAGE_TOO_MANY_PIXELS,
        "The image is 4001 × 10 pixels; at most 4,000,000 pixels and 4000 on a side.",
    )
