"""The QR code (zxing-cpp's encoder) decodes on every page, at 150 and at 72 dpi, and is the same
code every time it is drawn."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from service.pdf.merge import merge_pdfs
from service.pdf.qr import qr_operators, qr_runs
from service.pdf.render import QR, CertificateText, render_certificate, render_certificates
from tests.pdf.roster import ROSTER

PAGES, PART = 60, 25
# Hosts of several lengths, so that the codes take several QR versions (sizes).
HOSTS = [
    "https://p.example.edu",
    "https://recognition.example.org",
    "https://portal.partner-university.example.edu:8443/recognition",
]


def _text(number: int) -> CertificateText:
    code = f"{number * 7919 % 10000:04d}-M9XD-{number % 97:02d}"
    _family, name, language = ROSTER[number % len(ROSTER)]
    return CertificateText(
        partner_name="Riverside State University",
        recipient_name=name,
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Cohort A",
        awarded_on=date(2026, 8, 20),
        code=code,
        verification_url=f"{HOSTS[number % len(HOSTS)]}/verify/{code}",
        language=language,
    )


def _decoded(document: pypdfium2.PdfDocument, page: int, dpi: int) -> list[str]:
    """What a reader finds around the code's place on the page (the code and its quiet zone)."""
    width, height = document[page].get_size()
    margin = 24
    crop = (
        QR["x"] - margin,
        QR["y"] - margin,
        width - (QR["x"] + QR["size"] + margin),
        height - (QR["y"] + QR["size"] + margin),
    )
    image = document[page].render(scale=dpi / 72, crop=crop, grayscale=True).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("dpi", [150, 72])
def test_every_page_of_a_combined_file_decodes(tmp_path: Path, dpi: int) -> None:
    texts = [_text(number) for number in range(PAGES)]
    parts = []
    for start in range(0, PAGES, PART):
        parts.append(tmp_path / f"part-{start}.pdf")
        parts[-1].write_bytes(render_certificates(texts[start : start + PART]))
    merge_pdfs(parts, tmp_path / "file.pdf")
    document = pypdfium2.PdfDocument(tmp_path / "file.pdf")

    found = [_decoded(document, page, dpi) for page in range(len(document))]

    assert found == [[text.verification_url] for text in texts]


@pytest.mark.parametrize("dpi", [150, 72])
def test_single_certificates_decode(dpi: int) -> None:
    texts = [_text(number) for number in range(PAGES, PAGES + 6)]

    found = [_decoded(pypdfium2.PdfDocument(render_certificate(text)), 0, dpi) for text in texts]

    assert found == [[text.verification_url] for text in texts]


def test_the_codes_take_several_sizes_and_are_the_same_each_time() -> None:
    urls = [_text(number).verification_url for number in range(len(HOSTS))]

    sizes = {qr_runs(url)[0] for url in urls}

    assert len(sizes) == len(HOSTS)
    assert [qr_runs(url) for url in urls] == [qr_runs(url) for url in urls]


def _straightforward_operators(payload: str, *, x: float, y: float, size: float, color: str) -> str:
    """The code's operators worked out plainly, as they were before the table of operands: each row
    of modules searched for its dark runs, each run formatted."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    rows, width = image.shape or (0, 0)
    modules = image.tobytes()
    rectangles = []
    for row in range(rows):
        line = modules[row * width : (row + 1) * width]
        column = 0
        while column < width:
            if line[column] == 0:
                end = column
                while end < width and line[end] == 0:
                    end += 1
                rectangles.append(f"{column} {width - 1 - row} {end - column} 1 re")
                column = end
            else:
                column += 1
    module = f"{size / width:.6f}"
    return f"q {color} rg {module} 0 0 {module} {x:g} {y:g} cm\n" + "\n".join(rectangles) + "\nf Q"


def test_the_operators_are_those_of_each_dark_run_row_by_row() -> None:
    # Payloads of every size the certificates take, and longer ones (larger codes).
    payloads = [_text(number).verification_url for number in range(120)]
    payloads += ["x", "https://example.org/" + "a" * 150, "https://example.org/" + "Z9" * 300]

    drawn = [qr_operators(payload, **QR, color="0.1333 0.1333 0.1333") for payload in payloads]

    assert drawn == [
        _straightforward_operators(payload, **QR, color="0.1333 0.1333 0.1333") for payload in payloads
    ]
    assert len({qr_runs(payload)[0] for payload in payloads}) >= 5
