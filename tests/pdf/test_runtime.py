"""borb's writer, sped up (service/pdf/runtime.py, writer.py), writes the bytes its own methods write."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import replace
from datetime import date

import pytest
from borb.pdf.primitives import stream
from borb.pdf.visitor.write_new.build_xref_visitor import BuildXRefVisitor
from borb.pdf.visitor.write_new.document_visitor import DocumentVisitor
from borb.pdf.visitor.write_new.facade_visitor import FacadeVisitor
from borb.pdf.visitor.write_new.write_new_visitor import WriteNewVisitor

from service.pdf import (
    Branding,
    CertificateText,
    Signatory,
    render_certificate,
    render_certificates,
    runtime,
    writer,
)
from tests.pdf.roster import ROSTER
from tests.support.images import jpeg, png

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


# Designs with images (PNG with and without alpha, JPEG), wordings and signatories of their own.
BRANDINGS = [
    Branding(
        partner_logo=png(900, 60),
        organisation_logo=jpeg(),
        signatories=(
            Signatory("Sam Lee", "Dean", png(400, 120, (0, 0, 0), alpha=True)),
            Signatory("Kim Park", "Director"),
        ),
    ),
    Branding(signatories=(Signatory("Ana Silva", "Provost"),)),
]


def _drawn() -> list[bytes]:
    mixed = [BRANDINGS[number % 3] if number % 3 < 2 else Branding() for number in range(len(TEXTS))]
    return (
        [render_certificate(text) for text in TEXTS]
        + [render_certificates(TEXTS)]
        + [
            render_certificates(TEXTS, mixed),
            render_certificate(replace(TEXT, provisional=True), BRANDINGS[1]),
        ]
    )


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
    monkeypatch.setattr(stream, "__getitem__", runtime.BORBS_STREAM_GETITEM)
    monkeypatch.setattr(DocumentVisitor, "visit", writer.BORBS_DOCUMENT_VISIT)
    borbs = _drawn()

    assert faster == borbs


# What each of borb's visitors of values checks first, in borb's order: (negated, type) for each
# ``if [not] isinstance(node, type): return False`` its ``visit`` starts with.
TYPE_CHECKS = {
    "BoolVisitor": [(True, "bool")],
    "DictVisitor": [(True, "dict"), (False, "stream")],
    "FloatVisitor": [(True, "float")],
    "HexStrVisitor": [(True, "hexstr")],
    "IntVisitor": [(True, "int")],
    "ListVisitor": [(True, "list")],
    "ReferenceVisitor": [(True, "reference")],
    "StreamVisitor": [(True, "stream")],
    "StrVisitor": [(True, "str")],
}


def _type_checks(method: object) -> tuple[list[tuple[bool, str]], list[ast.stmt]]:
    """The ``if [not] isinstance(node, T): return False`` a method starts with, and the rest of it."""
    [function] = ast.parse(textwrap.dedent(inspect.getsource(method))).body  # type: ignore[arg-type]
    assert isinstance(function, ast.FunctionDef)
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    checks = []
    while body and isinstance(check := body[0], ast.If) and not check.orelse:
        test, negated = check.test, False
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negated = test.operand, True
        returns_false = ast.unparse(check.body[0]) == "return False" and len(check.body) == 1
        if not (isinstance(test, ast.Call) and ast.unparse(test.func) == "isinstance" and returns_false):
            break
        assert ast.unparse(test.args[0]) == "node"
        checks.append((negated, ast.unparse(test.args[1])))
        body = body[1:]
    return checks, body


def test_each_visitor_of_values_takes_a_value_by_its_type_alone() -> None:
    # runtime._visit asks the visitor that took a type's first value first for the type's next
    # ones: right while each visitor of values decides by isinstance checks alone, made before it
    # does anything, and then writes the value (never declines it).
    visitors = FacadeVisitor()._value_visitors

    assert [type(visitor).__name__ for visitor in visitors] == list(TYPE_CHECKS)
    for visitor in visitors:
        checks, rest = _type_checks(type(visitor).visit)
        assert checks == TYPE_CHECKS[type(visitor).__name__], type(visitor).__name__
        declines = [
            node
            for statement in rest
            for node in ast.walk(statement)
            if isinstance(node, ast.Return) and ast.unparse(node) != "return True"
        ]
        assert declines == [], type(visitor).__name__
