"""Joining PDFs a source at a time: every page in order, sound structure, borb named as producer."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest

from service.pdf.merge import merge_pdfs
from service.pdf.render import CertificateText, render_certificate


def _certificate(folder: Path, number: int, name: str) -> Path:
    path = folder / f"{number}.pdf"
    path.write_bytes(
        render_certificate(
            CertificateText(
                partner_name="Riverside State University",
                recipient_name=name,
                certificate_type="Certificate in Effective College Instruction",
                program="Effective Teaching Practices",
                cohort="Cohort A",
                awarded_on=date(2026, 8, 20),
                code=f"7KQ4-M9XD-{number:03d}".replace("0", "2"),
                verification_url="https://recognition.example.org/verify/x",
            )
        )
    )
    return path


NAMES = ["Ελένη Οικονόμου", "王小明", "Nguyễn Thị Minh Khai", "김민준", "Aisha D'Angelo"]


def test_pages_in_order_from_parts_of_parts(tmp_path: Path) -> None:
    certificates = [_certificate(tmp_path, number, name) for number, name in enumerate(NAMES)]
    first_part = tmp_path / "part-1.pdf"
    second_part = tmp_path / "part-2.pdf"

    assert merge_pdfs(certificates[:2], first_part) == 2
    assert merge_pdfs(certificates[2:], second_part) == 3
    assert merge_pdfs([first_part, second_part], tmp_path / "file.pdf") == 5

    reader = pypdf.PdfReader(tmp_path / "file.pdf")
    assert [
        name in page.extract_text().splitlines() for name, page in zip(NAMES, reader.pages, strict=True)
    ] == [True] * 5
    assert reader.metadata is not None and "borb" in (reader.metadata.producer or "")
    assert [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages] == [(792, 612)] * 5
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []  # no leftovers


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed (.ci/run installs it)")
def test_qpdf_finds_the_joined_file_sound(tmp_path: Path) -> None:
    certificates = [_certificate(tmp_path, number, name) for number, name in enumerate(NAMES)]
    merge_pdfs(certificates, tmp_path / "file.pdf")

    completed = subprocess.run(
        ["qpdf", "--check", str(tmp_path / "file.pdf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "No syntax or stream encoding errors found" in completed.stdout


def test_a_failed_join_leaves_no_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really")

    with pytest.raises(pikepdf.PdfError):
        merge_pdfs([broken], tmp_path / "file.pdf")

    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.pdf"]
