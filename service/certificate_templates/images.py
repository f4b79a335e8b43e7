"""Uploaded images: PNG or JPEG only, within size and pixel limits, decoded and re-encoded with
Pillow so that only pixels are kept (no metadata, no text chunks, no colour profile, nothing a
reader could run). SVG is refused: it is a program (scripts, external references, entities), and
no sanitiser is trusted here to make it harmless; a logo can be exported as PNG.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from service.errors import DomainError, ErrorCode

MAX_BYTES = 2 * 1024 * 1024  # as uploaded
MAX_PIXELS = 4_000_000  # a 2,000 × 2,000 logo is far more than a printed certificate needs
MAX_SIDE = 4_000
FORMATS = {"PNG": "PNG", "JPEG": "JPEG"}
EXTENSIONS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg")}
FIELD = ("file",)


@dataclass(frozen=True)
class CleanImage:
    format: str
    width: int
    height: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def refuse(code: ErrorCode, message: str) -> DomainError:
    return DomainError.of(code, message, field=FIELD)


def clean_image(data: bytes, *, filename: str) -> CleanImage:
    """The image re-encoded from its pixels, or a refusal saying which limit it broke."""
    if len(data) > MAX_BYTES:
        raise refuse(ErrorCode.IMAGE_TOO_LARGE, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    kind = _format_of(data)
    if kind is None:
        raise refuse(
            ErrorCode.IMAGE_FORMAT, "Upload a PNG or JPEG image (SVG is not accepted: export it as PNG)."
        )
    if not filename.lower().endswith(EXTENSIONS[kind]):
        raise refuse(
            ErrorCode.IMAGE_FORMAT,
            f"The file is a {kind} image but its name says otherwise: name it {EXTENSIONS[kind][0]}.",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[FORMATS[kind]]) as opened:
                width, height = opened.size
                # Checked before the pixels are decoded: a small file can claim billions of pixels.
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise refuse(
                        ErrorCode.IMAGE_TOO_MANY_PIXELS,
                        f"The image is {width} × {height} pixels; at most {MAX_PIXELS:,} pixels and "
                        f"{MAX_SIDE} on a side.",
                    )
                opened.load()
                pixels = ImageOps.exif_transpose(opened)
        except DomainError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            # Pillow's own guard, at opening, for sizes far past ours.
            raise refuse(
                ErrorCode.IMAGE_TOO_MANY_PIXELS,
                f"The image claims far more pixels than allowed: at most {MAX_PIXELS:,} pixels and "
                f"{MAX_SIDE} on a side.",
            ) from error
        except (OSError, ValueError) as error:
            raise refuse(ErrorCode.IMAGE_UNREADABLE, "The image could not be read.") from error
    return _reencoded(pixels, kind)


def _format_of(data: bytes) -> str | None:
    """PNG or JPEG by the file's own signature, whatever its name or declared type says."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


def _reencoded(pixels: Image.Image, kind: str) -> CleanImage:
    output = io.BytesIO()
    if kind == "JPEG":
        pixels.convert("L" if pixels.mode == "L" else "RGB").save(output, "JPEG", quality=90)
    else:
        mode = "RGBA" if pixels.mode in ("RGBA", "LA", "PA") or "transparency" in pixels.info else "RGB"
        pixels.convert(mode).save(output, "PNG", optimize=False)
    width, height = pixels.size
    return CleanImage(format=kind, width=width, height=height, data=output.getvalue())
