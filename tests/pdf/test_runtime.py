"""borb's writer, sped up in service/pdf/runtime.py, writes the very bytes its own methods write."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from borb.pdf.visitor.write_new.build_xref_visitor import BuildXRefVisitor
from borb.pdf.visitor.write_new.facade_visitor import FacadeVisitor
from borb.pdf.visitor.write_new.write_new_visitor import WriteNewVisitor

from service.pdf import CertificateText, render_certificate, render_certificates, runtime
from tests.pdf.roster import ROSTER

TEXT = CertificateText(
    partner_name="Riverside State University",
    recipient_name="Ana Silva",
    certificate_type="Certificate in Effective College Instruction",
    program="Effective Teaching Practices",
    cohort="Cohort A",
    awarded_on=date(2026, 8, 20),
    code="7KQ4-M9XD-2HT",
    verification_url="https://recognition.example.org/verify/7KQ4-M9XD-2HT",
)
TEXTS = [replace(TEXT, recipient_name=name, language=language) for _family, name, language in ROSTER[::20]]


def _drawn() -> list[bytes]:
    return [render_certificate(text) for text in TEXTS] + [render_certificates(TEXTS)]


def test_the_faster_writer_writes_the_same_bytes_as_borbs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    faster = _drawn()

    monkeypatch.setattr(FacadeVisitor, "get_reference", runtime.BORBS_GET_REFERENCE)
    monkeypatch.setattr(FacadeVisitor, "__init__", runtime.BORBS_FACADE_INIT)
    monkeypatch.setattr(FacadeVisitor, "visit", runtime.BORBS_VISIT)
    monkeypatch.setattr(
        BuildXRefVisitor, "_BuildXRefVisitor__build_xref", staticmethod(runtime.BORBS_BUILD_XREF)
    )
    monkeypatch.setattr(WriteNewVisitor, "_append_bytes_or_str", runtime.BORBS_APPEND_BYTES_OR_STR)
    monkeypatch.setattr(WriteNewVisitor, "_append_space_to_output_stream", runtime.BORBS_APPEND_SPACE)
    borbs = _drawn()

    assert faster == borbs
