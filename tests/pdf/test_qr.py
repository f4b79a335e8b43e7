"""The QR code (zxing-cpp's encoder, one fixed mask) decodes on every page, at 150 and at 72 dpi,
is the same code every time it is drawn, and its image holds every module."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from service.pdf.merge import merge_pdfs
from service.pdf.qr import MASK, qr_operators, qr_runs
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


def _plain_modules(payload: str) -> list[list[bool]]:
    """The code's modules (True where dark), row by row from the top, read from zxing-cpp's image."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M", data_mask=MASK)
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    rows, width = image.shape or (0, 0)
    modules = image.tobytes()
    return [[modules[row * width + column] == 0 for column in range(width)] for row in range(rows)]


def _plain_samples(payload: str) -> bytes:
    """The image mask's samples packed plainly: a bit a module, 0 for dark, each row from the top
    filled with 1 bits to a whole byte."""
    samples = bytearray()
    for row in _plain_modules(payload):
        bits = [0 if dark else 1 for dark in row]
        bits += [1] * (-len(bits) % 8)
        for start in range(0, len(bits), 8):
            samples.append(int("".join(map(str, bits[start : start + 8])), 2))
    return bytes(samples)


def _plain_runs(payload: str) -> list[tuple[int, int, int]]:
    runs = []
    for number, row in enumerate(_plain_modules(payload)):
        column = 0
        while column < len(row):
            if row[column]:
                end = column
                while end < len(row) and row[end]:
                    end += 1
                runs.append((number, column, end - column))
                column = end
            else:
                column += 1
    return runs


# Payloads of every size the certificates take, and longer ones (larger codes).
PAYLOADS = [_text(number).verification_url for number in range(120)]
PAYLOADS += ["x", "https://example.org/" + "a" * 150, "https://example.org/" + "Z9" * 300]


def test_the_image_holds_each_module_as_a_bit() -> None:
    drawn = [qr_operators(payload, **QR, color="0.1333 0.1333 0.1333") for payload in PAYLOADS]

    expected = []
    for payload in PAYLOADS:
        width = len(_plain_modules(payload))
        expected.append(
            "q 0.1333 0.1333 0.1333 rg 86 0 0 86 640 104 cm\n"
            f"BI /W {width} /H {width} /IM true /BPC 1 /F /AHx ID\n{_plain_samples(payload).hex()}> EI Q"
        )
    assert drawn == expected
    assert len({len(_plain_modules(payload)) for payload in PAYLOADS}) >= 5


def test_the_runs_for_the_other_tools_are_those_of_each_row() -> None:
    runs = [qr_runs(payload) for payload in PAYLOADS]

    assert runs == [(len(_plain_modules(payload)), _plain_runs(payload)) for payload in PAYLOADS]
