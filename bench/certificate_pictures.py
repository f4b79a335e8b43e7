"""Pictures of certificates for the README: the first roster name of each script family
(tests/pdf/roster.py), drawn by the service and rasterised by pdfium, as one contact sheet.

    .venv/bin/python bench/certificate_pictures.py [--out docs/certificates]

Writes ``contact-sheet.png`` (the name's band of each page, labelled with its family) and
``<family>.png`` for a few whole pages.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

import pypdfium2
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.pdf import CertificateText, render_certificates  # noqa: E402
from tests.pdf.roster import FAMILIES  # noqa: E402

SCALE = 1.5
WHOLE_PAGES = ("Arabic", "Japanese", "Long (80–200 characters)")


def _text(number: int, name: str, language: str) -> CertificateText:
    code = f"7KQ4-{number:04d}-2HT"
    return CertificateText(
        partner_name="Riverside State University",
        recipient_name=name,
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Cohort A",
        awarded_on=date(2026, 8, 20),
        code=code,
        verification_url=f"https://recognition.example.org/verify/{code}",
        language=language,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "certificates")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    families = [(family, *names[0]) for family, names in FAMILIES.items()]
    document = pypdfium2.PdfDocument(
        render_certificates(
            [_text(number, name, language) for number, (_, name, language) in enumerate(families)]
        )
    )
    bands = []
    for page_number, (family, _name, _language) in enumerate(families):
        image = document[page_number].render(scale=SCALE).to_pil().convert("RGB")
        if family in WHOLE_PAGES:
            image.save(out / f"{re.sub(r'[^a-z0-9]+', '-', family.lower()).strip('-')}.png", optimize=True)
        # From under "This certifies that" to the rule under the name (page points 350–430).
        band = image.crop((0, int((612 - 430) * SCALE), image.width, int((612 - 348) * SCALE)))
        label = Image.new("RGB", (band.width, 22), "white")
        ImageDraw.Draw(label).text((60, 4), family, fill=(90, 90, 90))
        bands += [label, band]
    sheet = Image.new("RGB", (bands[0].width, sum(band.height for band in bands)), "white")
    top = 0
    for band in bands:
        sheet.paste(band, (0, top))
        top += band.height
    sheet.save(out / "contact-sheet.png", optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
