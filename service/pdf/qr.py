"""The verification QR code: its modules from zxing-cpp's native encoder, drawn as a 1-bit image.

Why zxing-cpp: segno (pure Python) spent ~4–8 ms a code choosing its mask (it scores all eight
masks in Python), two thirds of a combined file's time. zxing-cpp encodes in C (error correction M)
and the same payload always gives the same modules, so a file drawn twice is the same bytes.

Why one fixed mask (``MASK``): left to choose, the encoder scores all eight masks, ~0.21 ms of a
code's ~0.23 ms; with the mask given, a code takes ~0.03 ms. The mask only spreads dark and light
modules so that no stretch of a code looks like a finder pattern or a block of one colour; any of
the eight decodes, and readers find the mask in the code's format bits. Every page's code is
decoded in the tests at 150 and at 72 dpi (``tests/pdf/test_qr.py``), and bench/README.md gives
the penalty scores of the fixed mask against the best one over many codes.

The code is drawn as an inline image mask (``BI … ID … EI``): one sample a module, a bit each,
painted in the fill colour where the module is dark, scaled to its square by one ``cm``. It is a few
hundred bytes of hexadecimal where a rectangle a run of dark modules took ~4 KB of operators to
build and compress. ``/Interpolate`` is left false (the default), so every viewer and printer draws
each module as a hard-edged square at any resolution.
"""

from __future__ import annotations

from typing import Any, cast

import zxingcpp

MASK = 4  # the mask zxing-cpp chose most often for the service's verification addresses
_BITS = bytes.maketrans(b"\x00\xff", b"01")  # zxing-cpp's image: 0 for a dark module, 255 for a light one


def qr_modules(payload: str) -> tuple[bytes, int]:
    """The code's modules, one byte a module (0 dark, 255 light), row by row from the top (no quiet
    zone); its width."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M", data_mask=MASK)
    # The image is a buffer of one byte a module (its stub does not say so).
    image = memoryview(cast(Any, barcode.to_image(scale=1, add_quiet_zones=False)))
    _rows, width = image.shape or (0, 0)
    return image.tobytes(), width


def qr_runs(payload: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The code's width in modules, and its dark runs as (row from the top, first column, length)."""
    modules, width = qr_modules(payload)
    runs = []
    for row in range(width):
        line = modules[row * width : (row + 1) * width]
        column = line.find(0)
        while column != -1:
            end = line.find(255, column)
            end = width if end == -1 else end
            runs.append((row, column, end - column))
            column = line.find(0, end)
    return width, runs


def qr_rectangles(
    payload: str, *, x: float, y: float, size: float
) -> list[tuple[float, float, float, float]]:
    """The QR code of ``payload`` in a square at (x, y): one rectangle (x, y, width, height) in points
    per run of dark modules in a row (the benchmark's other tools draw it from these)."""
    width, runs = qr_runs(payload)
    module = size / width
    return [
        (x + column * module, y + size - (row + 1) * module, length * module, module)
        for row, column, length in runs
    ]


def qr_bits(payload: str) -> tuple[int, bytes]:
    """The code's width in modules, and its image mask's samples: a bit a module, 0 where it is dark
    (painted), each row from the top padded with 1s (unpainted) to a whole byte."""
    modules, width = qr_modules(payload)
    bits = modules.translate(_BITS)
    pad = b"1" * (-width % 8)
    rows = pad.join([bits[start : start + width] for start in range(0, len(bits), width)]) + pad
    return width, int(rows, 2).to_bytes(len(rows) // 8, "big")


def qr_operators(payload: str, *, x: float, y: float, size: float, color: str) -> str:
    """PDF operators drawing the code in a square at (x, y), filled with ``color`` (``r g b``)."""
    width, samples = qr_bits(payload)
    return (
        f"q {color} rg {size:g} 0 0 {size:g} {x:g} {y:g} cm\n"
        f"BI /W {width} /H {width} /IM true /BPC 1 /F /AHx ID\n{samples.hex()}> EI Q"
    )
