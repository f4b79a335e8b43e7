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

import functools
import re
from typing import Any, cast

import zxingcpp

_DARK_RUN = re.compile(rb"\x00+")  # zxing-cpp's image: 0 for a dark module, 255 for a light one


def _modules(payload: str) -> tuple[bytes, int, int]:
    """The code's modules, one byte each, rows of the code between light quiet zones (so that a
    search over the whole image finds each row's runs apart); its width in modules and the zone's."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    # The image is a buffer of one byte a module (its stub does not say so).
    image = memoryview(cast(Any, barcode.to_image(scale=1, add_quiet_zones=True)))
    _rows, columns = image.shape or (0, 0)
    modules = image.tobytes()
    quiet = modules.index(0) % columns  # the code's top left module is dark (its finder pattern's)
    return modules, columns - 2 * quiet, quiet


def qr_runs(payload: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The code's width in modules, and its dark runs as (row from the top, first column, length)."""
    modules, width, quiet = _modules(payload)
    line = width + 2 * quiet
    runs = []
    for start, end in map(re.Match.span, _DARK_RUN.finditer(modules)):
        row, column = divmod(start, line)
        runs.append((row - quiet, column - quiet, end - start))
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
    """PDF operators drawing the code in a square at (x, y), filled with ``color`` (``r g b``): a
    rectangle ``column row length 1 re`` per run, rows counted up from the bottom (PDF's y)."""
    modules, width, quiet = _modules(payload)
    origins, lengths = _operand_table(width, quiet)
    rectangles = "\n".join(
        [
            origins[start] + lengths[end - start]
            for start, end in map(re.Match.span, _DARK_RUN.finditer(modules))
        ]
    )
    return f"q {color} rg {size / width:.6f} 0 0 {size / width:.6f} {x:g} {y:g} cm\n{rectangles}\nf Q"


@functools.cache
def _operand_table(width: int, quiet: int) -> tuple[list[str], list[str]]:
    """For each byte of the image, ``column row `` of a run starting there; for each length, the
    rest of its rectangle. (Formatting three numbers for each of ~300 runs was a third of a code.)"""
    line = width + 2 * quiet
    origins = [
        f"{position % line - quiet} {width - 1 - (position // line - quiet)} "
        for position in range(line * line)
    ]
    return origins, [f"{length} 1 re" for length in range(line + 1)]
