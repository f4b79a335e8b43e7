"""The QR code's fixed mask (service/pdf/qr.py) against the mask zxing-cpp picks for each code.

    .venv/bin/python bench/qr_mask.py [--codes 400]

For codes of the service's form (its alphabet, four hosts of several lengths): the penalty score
of ISO/IEC 18004 (7.8.3: runs, blocks, finder-like patterns, balance; lower is better, and an
encoder left to choose takes the lowest of the eight masks) of the fixed mask, of the mask zxing-cpp
picks and of the best of the eight; and whether each code, drawn on a certificate, decodes at 50,
72 and 150 dpi (pdfium, zxing-cpp's reader). Prints the figures; no JSON.
"""

from __future__ import annotations

import argparse
import statistics
from datetime import date
from typing import Any, cast

import pypdfium2
import zxingcpp

from service.certificates.rules import new_code
from service.certificates.services import verification_url
from service.pdf.qr import MASK
from service.pdf.render import QR, CertificateText, render_certificates

HOSTS = [
    "https://p.example.edu",
    "https://portal.example.edu",
    "https://recognition.example.org",
    "https://portal.partner-university.example.edu:8443/recognition",
]
FINDER_LIKE = ([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1])


def matrix(payload: str, mask: int | None) -> list[list[int]]:
    """The code's modules (1 dark), with the mask given or zxing-cpp's own choice (None)."""
    options: dict[str, Any] = {"ec_level": "M"} if mask is None else {"ec_level": "M", "data_mask": mask}
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, **options)
    image = memoryview(cast(Any, barcode.to_image(scale=1, add_quiet_zones=False)))
    _rows, width = image.shape or (0, 0)
    data = image.tobytes()
    return [[1 if data[row * width + column] == 0 else 0 for column in range(width)] for row in range(width)]


def penalty(modules: list[list[int]]) -> int:
    """ISO/IEC 18004's mask penalty: N1 runs of five or more, N2 2×2 blocks, N3 finder-like
    patterns, N4 the dark share's distance from half."""
    size = len(modules)
    lines = modules + [list(column) for column in zip(*modules, strict=True)]
    score = 0
    for line in lines:
        run = 1
        for index in range(1, size + 1):
            if index < size and line[index] == line[index - 1]:
                run += 1
                continue
            if run >= 5:
                score += 3 + run - 5
            run = 1
        for start in range(size - 10):
            if line[start : start + 11] in FINDER_LIKE:
                score += 40
    for row in range(size - 1):
        for column in range(size - 1):
            block = modules[row][column]
            if block == modules[row][column + 1] == modules[row + 1][column] == modules[row + 1][column + 1]:
                score += 3
    dark = sum(map(sum, modules)) * 100 / (size * size)
    return score + 10 * int(abs(dark - 50) // 5)


def decodes(texts: list[CertificateText], dpi: int) -> int:
    document = pypdfium2.PdfDocument(render_certificates(texts))
    found = 0
    for page, text in zip(document, texts, strict=True):
        width, height = page.get_size()
        crop = (
            QR["x"] - 24,
            QR["y"] - 24,
            width - QR["x"] - QR["size"] - 24,
            height - QR["y"] - QR["size"] - 24,
        )
        image = page.render(scale=dpi / 72, crop=crop, grayscale=True).to_pil()
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image)] == [text.verification_url]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=400)
    count = parser.parse_args().codes
    payloads = [verification_url(HOSTS[number % len(HOSTS)], new_code()) for number in range(count)]
    fixed, picked, best, same = [], [], [], 0
    for payload in payloads:
        scores = [penalty(matrix(payload, mask)) for mask in range(8)]
        chosen = matrix(payload, None)
        fixed.append(scores[MASK])
        picked.append(penalty(chosen))
        best.append(min(scores))
        same += chosen == matrix(payload, MASK)
    print(f"{count} codes of the service's form, error correction M, four hosts")
    for label, scores in (("fixed mask", fixed), ("zxing-cpp's pick", picked), ("best of eight", best)):
        print(
            f"  penalty, {label}: median {statistics.median(scores):.0f}, "
            f"mean {statistics.mean(scores):.0f}, largest {max(scores)}"
        )
    ratios = sorted(score / low for score, low in zip(fixed, best, strict=True))
    print(f"  fixed over best: median {statistics.median(ratios):.2f}, largest {ratios[-1]:.2f}")
    print(f"  zxing-cpp picked the fixed mask for {same} of {count}")
    texts = [
        CertificateText(
            partner_name="Riverside State University",
            recipient_name=f"Learner {number}",
            certificate_type="Certificate in Effective College Instruction",
            program="Effective Teaching Practices",
            cohort="Cohort A",
            awarded_on=date(2026, 8, 20),
            code=payload.rsplit("/", 1)[1],
            verification_url=payload,
        )
        for number, payload in enumerate(payloads)
    ]
    for dpi in (150, 72, 50):
        found = sum(decodes(texts[start : start + 50], dpi) for start in range(0, count, 50))
        print(f"  drawn on a certificate, decoded at {dpi} dpi: {found} of {count}")


if __name__ == "__main__":
    main()
