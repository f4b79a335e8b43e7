"""What a branded design costs: a combined file's chunk (25 pages in one document) drawn in the
default design and in Riverside's demo design with two logos and three signatures, in turn, in CPU
time; and the README's picture of a branded certificate.

    .venv/bin/python bench/template_branding.py [--rounds 12] [--picture docs/certificates/branded.png]

Prints the medians per page, the ratio and the chunk's size, and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdfium2

from service.certificate_templates.images import clean_image
from service.demo.branding import organisation_seal, riverside_logo, signature
from service.pdf import Branding, CertificateText, Signatory, render_certificates

RESULTS = Path(__file__).resolve().parent / "results"
CHUNK = 25  # pages of one combined file's chunk (service/certificate_files/requests.py)
NAMES = ["Ana Lucía Fernández", "Nguyễn Thị Ánh Tuyết", "Oluwaseun Adébáyọ̀", "Zofia Wiśniewska"]


def text(number: int) -> CertificateText:
    code = f"7KQ4-{number:04d}-2HT"
    return CertificateText(
        partner_name="Riverside State University",
        recipient_name=f"{NAMES[number % len(NAMES)]}",
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Cohort A",
        awarded_on=date(2026, 8, 20),
        code=code,
        verification_url=f"https://portal.example.edu/verify/{code.replace('-', '')}",
    )


def riverside() -> Branding:
    """The demo's design with a third signatory: two logos, three signatures, re-encoded as uploaded."""

    def clean(data: bytes) -> bytes:
        return clean_image(data, filename="image.png").data

    return Branding(
        partner_logo=clean(riverside_logo()),
        organisation_logo=clean(organisation_seal()),
        signatories=(
            Signatory("Dr. Helen Okafor", "Provost", clean(signature(1))),
            Signatory("Marcus Lindqvist", "Director, Teaching Centre", clean(signature(4))),
            Signatory("Aiyana Redcloud", "Dean of Education", clean(signature(7))),
        ),
    )


def picture(branding: Branding, path: Path) -> None:
    pdf = render_certificates([text(7)], [replace(branding, signatories=branding.signatories[:2])])
    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=1.25).to_pil().convert("RGB").save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--picture", type=Path)
    arguments = parser.parse_args()
    branded = riverside()
    designs = {"default design": Branding(), "two logos, three signatures": branded}
    for number in range(2):  # warm-up: fonts instanced, caches filled
        for design in designs.values():
            render_certificates([text(number)], [design])
    times: dict[str, list[float]] = {name: [] for name in designs}
    sizes: dict[str, int] = {}
    contenders = list(designs.items())
    for round_number in range(arguments.rounds):
        texts = [text(1000 + round_number * CHUNK + page) for page in range(CHUNK)]
        for name, design in contenders[round_number % 2 :] + contenders[: round_number % 2]:
            started = time.process_time()
            pdf = render_certificates(texts, [design] * CHUNK)
            times[name].append((time.process_time() - started) / CHUNK)
            sizes[name] = len(pdf)
    load = os.getloadavg()
    per_page = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, value in per_page.items():
        print(f"{name}: {value:.1f} ms CPU a page; a chunk of {CHUNK} pages is {sizes[name] / 1024:.0f} KB")
    ratio = per_page["two logos, three signatures"] / per_page["default design"]
    print(f"branded over default: {ratio:.2f} (load average {load[0]:.2f})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "template_branding.json").write_text(
        json.dumps(
            {"cpu_ms_per_page": per_page, "chunk_bytes": sizes, "ratio": ratio, "load_average": load[0]},
            indent=2,
        )
        + "\n"
    )
    if arguments.picture is not None:
        picture(branded, arguments.picture)


if __name__ == "__main__":
    main()
