"""The verification QR code: its modules from zxing-cpp's native encoder, drawn as PDF paths.

Why zxing-cpp: segno (pure Python) spent ~4–8 ms a code choosing its mask (it scores all eight
masks in Python), two thirds of a combined file's time. zxing-cpp encodes in C++ (error correction
M, the mask picked per code by its own scoring) in ~0.2 ms, and the same payload always gives the
same modules, so a file drawn twice is the same bytes. Every page's code is decoded in the tests
at 150 and at 72 dpi (``tests/pdf/test_qr.py``).

The code is drawn in module units: one ``cm`` scales a module to its size in points, and each run
of dark modules in a row is one integer rectangle, all filled as one path.
"""

from __future__ import annotations

import re
from typing import Any, cast

import zxingcpp

_DARK_RUN = re.compile(rb"\x00+")  # zxing-cpp's image: 0 for a dark module, 255 for a light one


def qr_runs(payload: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The code's width in modules, and its dark runs as (row from the top, first column, length)."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    # The image is a buffer of one byte a module (its stub does not say so).
    image = memoryview(cast(Any, barcode.to_image(scale=1, add_quiet_zones=False)))
    rows, width = image.shape or (0, 0)
    modules = image.tobytes()
    # One search over all rows, each followed by a light byte, so that no run crosses a row's end.
    line = width + 1
    padded = b"\xff".join(modules[row * width : (row + 1) * width] for row in range(rows))
    runs = []
    for run in _DARK_RUN.finditer(padded):
        row, column = divmod(run.start(), line)
        runs.append((row, column, run.end() - run.start()))
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


def qr_operators(payload: str, *, x: float, y: float, size: float, color: str) -> str:
    """PDF operators drawing the code in a square at (x, y), filled with ``color`` (``r g b``)."""
    width, runs = qr_runs(payload)
    module = f"{size / width:.6f}"
    bottom = width - 1  # rows counted from the top, PDF's y from the bottom
    rectangles = "\n".join(f"{column} {bottom - row} {length} 1 re" for row, column, length in runs)
    return f"q {color} rg {module} 0 0 {module} {x:g} {y:g} cm\n{rectangles}\nf Q"
