"""The certificate PDF: its layout read back, every script's glyphs, the QR code, and borb kept in line."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pypdfium2
import pytest
import zxingcpp

from service.pdf import render
from service.pdf.render import CertificateText, render_certificate, render_certificates

URL = "https://recognition.example.org/verify/7KQ4-M9XD-2HT"


def _text(name: str, **changes: object) -> CertificateText:
    values: dict[str, object] = {
        "partner_name": "Riverside State University",
        "recipient_name": name,
        "certificate_type": "Certificate in Effective College Instruction",
        "program": "Effective Teaching Practices",
        "cohort": "Cohort A",
        "awarded_on": date(2026, 8, 20),
        "code": "7KQ4-M9XD-2HT",
        "verification_url": URL,
    }
    return CertificateText(**{**values, **changes})  # type: ignore[arg-type]


ROSTER_NAMES = [
    "Siobhán Ó Súilleabháin",
    "Łukasz Żółkiewski",
    "Şükrü Yıldız",
    "Nguyễn Thị Minh Khai",
    "Ελένη Οικονόμου",
    "Олена Шевченко",
    "王小明",
    "佐藤 花子",
    "김민준",
    "Aisha D'Angelo",
]


@pytest.mark.parametrize("name", ROSTER_NAMES)
def test_one_landscape_letter_page_with_the_exact_name_and_code(name: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_certificate(_text(name))))

    [page] = reader.pages
    assert (float(page.mediabox.width), float(page.mediabox.height), page.rotation) == (792, 612, 0)
    lines = page.extract_text().splitlines()
    assert name in lines
    assert "Verification code: 7KQ4-M9XD-2HT" in lines
    assert {
        "RIVERSIDE STATE UNIVERSITY",
        "Certificate in Effective College Instruction",
        "Effective Teaching Practices",
        "Cohort: Cohort A",
        "20 August 2026",
    } <= set(lines)


def test_fonts_are_embedded_subsets_with_unicode_maps() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_certificate(_text("Nguyễn Thị Minh Khai"))))

    resources: Any = reader.pages[0]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    assert fonts and all(font["/Subtype"] == "/Type0" and "/ToUnicode" in font for font in fonts)
    assert all("+" in font["/BaseFont"] for font in fonts)  # subset tags
    descriptors = [font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts]
    assert all("/FontFile2" in descriptor or "/FontFile3" in descriptor for descriptor in descriptors)


def test_pages_of_one_document_share_the_design_and_fonts_and_read_in_the_pages_order() -> None:
    # given
    names = ["Siobhán Ó Súilleabháin", "Nguyễn Thị Minh Khai", "王小明"]
    texts = [_text(name, code=f"7KQ4-M9X{number}-2HT") for number, name in enumerate(names)]

    # when
    data = render_certificates(texts)

    # then
    pdf = pikepdf.open(io.BytesIO(data))
    designs = {page.Resources.XObject.Design.objgen for page in pdf.pages}
    font_programs = [
        obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and "/FontFile2" in obj
    ]
    assert len(pdf.pages) == 3 and len(designs) == 1
    assert sorted(str(font.FontName).split("+")[1] for font in font_programs) == [
        "NotoSerif-Bold",
        "NotoSerif-Regular",
    ]  # the CJK name is CFF (FontFile3), in a font of its own
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert [page.extract_text().splitlines() for page in reader.pages] == [
        [
            "RIVERSIDE STATE UNIVERSITY",
            "Certificate in Effective College Instruction",
            "This certifies that",
            name,
            "has completed the program",
            "Effective Teaching Practices",
            "Cohort: Cohort A",
            "20 August 2026",
            "Date awarded Authorized signature",  # one baseline
            f"Verification code: 7KQ4-M9X{number}-2HT",
            "Scan the code or visit",
            URL,
        ]
        for number, name in enumerate(names)
    ]


def test_the_qr_code_opens_the_verification_page() -> None:
    document = pypdfium2.PdfDocument(render_certificate(_text("Ελένη Οικονόμου")))
    image = document[0].render(scale=3).to_pil()

    assert [barcode.text for barcode in zxingcpp.read_barcodes(image)] == [URL]


def test_a_very_long_name_breaks_onto_two_balanced_lines_and_stays_the_largest_text() -> None:
    name = "Maria Fernanda de los Ángeles Villanueva-Castellanos de la Fuente y Montgomery-Featherstonehaugh"
    reader = pypdf.PdfReader(io.BytesIO(render_certificate(_text(name))))

    sizes: dict[str, float] = {}

    def visit(text: str, _cm: object, matrix: list[float], *_: object) -> None:
        if text.strip():
            sizes[text.strip()] = matrix[0]

    reader.pages[0].extract_text(visitor_text=visit)
    lines = reader.pages[0].extract_text().splitlines()
    # Broken at the space nearest the middle; the space stays with the first line's text.
    assert lines[3:5] == [
        "Maria Fernanda de los Ángeles Villanueva-Castellanos ",
        "de la Fuente y Montgomery-Featherstonehaugh",
    ]
    assert sizes["Maria Fernanda de los Ángeles Villanueva-Castellanos"] == 22
    assert sizes["de la Fuente y Montgomery-Featherstonehaugh"] == 22
    # The title (30 pt on a page with a short name) is drawn no larger than the name.
    assert sizes["Certificate in Effective College Instruction"] == 22


def test_the_same_certificate_gives_the_same_bytes_and_names_borb() -> None:
    first = render_certificate(_text("Олена Шевченко"))
    second = render_certificate(_text("Олена Шевченко"))
    other = render_certificate(_text("Олена Шевченко", code="7KQ4-M9XD-2HU"))

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert first != other
    metadata = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None and metadata.producer is not None and "borb" in metadata.producer
    assert metadata.title == "Certificate in Effective College Instruction: Олена Шевченко"


def test_the_printed_values_are_the_text_as_a_dict_with_its_date_in_iso_form() -> None:
    texts = [
        _text("Ana Lucía Fernández"),
        _text("佐藤 美咲", language="ja", provisional=True),
        _text("Nguyễn Thị Ánh Tuyết", awarded_on=date(2027, 1, 2), provisional=False),
    ]

    printed = [text.as_printed() for text in texts]

    expected = [{**dataclasses.asdict(text), "awarded_on": text.awarded_on.isoformat()} for text in texts]
    del expected[0]["provisional"], expected[2]["provisional"]  # printed only when provisional
    assert printed == expected
    assert [CertificateText.from_printed(values) for values in printed] == texts


def test_a_document_drawn_after_others_with_the_same_lines_is_the_same_bytes() -> None:
    # The first page's repeated lines (and the codes their glyphs took) are kept for the process:
    # drawn after documents that start with the same lines, a document is what it is drawn first.
    names = ["Олена Шевченко", "Nguyễn Thị Ánh Tuyết", "محمد الأحمد", "Ana Silva"]
    long = "Maximiliana Alexandrina Konstantinopoulou-Vasilakopoulou de la Fuente"
    documents = [[_text(name)] for name in names] + [[_text(long), _text("Ana Silva")], [_text("X")]]
    first_drawn = []
    for texts in documents:
        render._laid_out_first.cache_clear()
        first_drawn.append(render_certificates(texts))

    render._laid_out_first.cache_clear()
    drawn_after = [render_certificates(texts) for texts in documents + documents]

    assert drawn_after == first_drawn + first_drawn
    assert render._laid_out_first.cache_info().hits >= len(documents)


SIDE_EFFECTS_PROBE = textwrap.dedent("""
    import signal, socket, sys, types, datetime

    attempts = []
    # A stand-in for `requests`, so borb *could* send telemetry if it were not switched off.
    fake_requests = types.ModuleType("requests")
    fake_requests.post = lambda *args, **kwargs: attempts.append(("requests.post", args))
    fake_requests.get = lambda *args, **kwargs: attempts.append(("requests.get", args))
    sys.modules["requests"] = fake_requests
    real_connect = socket.socket.connect
    def guarded_connect(self, address):
        attempts.append(("connect", address))
        raise OSError("no network in this probe")
    socket.socket.connect = guarded_connect
    socket.getaddrinfo = lambda *args, **kwargs: attempts.append(("getaddrinfo", args)) or []

    def ours(signum, frame):
        pass
    signal.signal(signal.SIGINT, ours)
    signal.signal(signal.SIGTERM, ours)

    from borb.pdf import Chunk, Shape
    from service.pdf.render import CertificateText, render_certificate
    for number in range(130):   # past borb's every-64-documents notice and telemetry batch
        render_certificate(CertificateText(
            partner_name="Riverside", recipient_name=f"Learner {number}", certificate_type="Certificate",
            program="Program", cohort="A", awarded_on=datetime.date(2026, 8, 20),
            code="7KQ4-M9XD-2HT", verification_url="https://recognition.example.org/verify/7KQ4-M9XD-2HT"))
    import time
    time.sleep(0.2)  # give any background sender a moment
    print("ATTEMPTS", attempts, file=sys.stderr)
    print("HANDLERS", signal.getsignal(signal.SIGINT) is ours, signal.getsignal(signal.SIGTERM) is ours,
          file=sys.stderr)
    caches = (Chunk.get_size.cache_info().currsize, Shape.get_size.cache_info().currsize)
    print("CACHES", *caches, file=sys.stderr)
""")


def test_borb_sends_nothing_prints_nothing_keeps_signals_and_caches_flat() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SIDE_EFFECTS_PROBE], capture_output=True, text=True, timeout=120, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    report = dict(
        line.split(" ", 1) for line in completed.stderr.splitlines() if line.split(" ")[0].isupper()
    )
    assert report == {"ATTEMPTS": "[]", "HANDLERS": "True True", "CACHES": "0 0"}


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed (.ci/run installs it)")
def test_qpdf_finds_the_file_sound(tmp_path: Path) -> None:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate(_text("Nguyễn Thị Minh Khai")))

    completed = subprocess.run(
        ["qpdf", "--check", str(path)], capture_output=True, text=True, timeout=60, check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "No syntax or stream encoding errors found" in completed.stdout
