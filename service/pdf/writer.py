"""borb's last writing step, serialising the objects, done in one pass of plain functions.

borb writes a document with a chain of visitors: it numbers the objects (the cross-reference
pass), then its ``DocumentVisitor`` writes each one by offering every value to its visitors in
turn, each token through two method calls and a check of what was written last. That was a sixth
of a combined file's page. ``write_document`` takes the place of ``DocumentVisitor.visit`` (the
passes before it still run: numbering, conformance, compression of streams left uncompressed)
and writes the same bytes, token for token, as borb's visitors of values do:

- a dictionary's keys sorted, a list's items in order, one space between tokens unless what was
  written ends in one; a stream's keys without /Bytes, /DecodedBytes (and a /Filter of None), its
  /Length set to its bytes' length;
- a value that is an object of its own (in the cross-reference list) written as ``N 0 R``,
  anything else where it stands, by the first of borb's visitors that takes its type (bool, dict,
  float rounded to 7 places, hexstr, int, list, reference, stream, name, other str);
- borb's comment (its version, its licence) before the first object that starts past 1,024 bytes.

``tests/pdf/test_runtime.py`` compares the bytes with borb's own writer's for the documents the
service makes (one page and many, every script's fonts, a design with images).
"""

from __future__ import annotations

from typing import Any

from borb.pdf import Document
from borb.pdf.license.license import License
from borb.pdf.primitives import hexstr, name, reference, stream
from borb.pdf.visitor.write_new.document_visitor import DocumentVisitor
from borb.pdf.visitor.write_new.write_new_visitor import WriteNewVisitor

_SPACE, _NEWLINE = 0x20, 0x0A
_SKIPPED_STREAM_KEYS = frozenset({"Bytes", "DecodedBytes"})


def write_document(self: WriteNewVisitor, node: Any) -> bool:
    """``DocumentVisitor.visit``: the whole file after borb's header, into the writer's output."""
    if not isinstance(node, Document) or "XRef" not in node or len(node["XRef"]) == 0:
        return False
    if "Trailer" not in node:
        return False
    root = self._WriteNewVisitor__root
    start: int = root.tell()  # nothing written before this step: 0
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    xref: list[reference] = node["XRef"]
    numbers = {
        id(entry.get_referenced_object()): f"{entry.get_object_nr()} {entry.get_generation_nr()} R".encode()
        for entry in reversed(xref)  # the first entry of an object, as borb's lookup finds
    }
    commented = False
    offsets: list[int] = []
    for entry in xref:
        value = entry.get_referenced_object()
        if (
            not entry.is_in_use()
            or value is None
            or (entry.get_object_nr(), entry.get_generation_nr())
            == (
                0,
                65535,
            )
        ):
            raise ValueError(f"an entry borb's writer would write otherwise: {entry}")
        if not commented and start + len(out) >= 1024:
            _newline(out)
            company = License.get_company()
            notice = f"% Licensed to {company}" if company else "% AGPL"
            out += f"% borb\n% version {_version()}\n{notice}\n\n".encode("latin1")
            commented = True
        offsets.append(start + len(out))
        out += f"{entry.get_object_nr()} {entry.get_generation_nr()} obj\n".encode("latin1")
        _direct(out, value, numbers)
        _newline(out)
        out += b"endobj\n\n"
    at = start + len(out)
    out += f"xref\n0 {len(xref) + 1}\n0000000000 65535 f\r\n".encode("latin1")
    out += "".join(f"{offset:010d} 00000 n\r\n" for offset in offsets).encode("latin1")
    out += b"trailer\n"
    _direct(out, node["Trailer"], numbers)
    out += f"\nstartxref\n{at}\n%%EOF\n".encode("latin1")
    root._append_bytes(out)
    return True


def _version() -> str:
    from borb.pdf import Version

    return str(Version.get_current_version())


def _newline(out: bytearray) -> None:
    if out and out[-1] != _NEWLINE:
        out += b"\n"


def _space(out: bytearray) -> None:
    if out and out[-1] != _SPACE:
        out += b" "


def _value(out: bytearray, value: Any, numbers: dict[int, bytes]) -> None:
    """A value inside another: a reference when it is an object of its own."""
    number = numbers.get(id(value))
    if number is not None:
        out += number
    else:
        _direct(out, value, numbers)


def _direct(out: bytearray, value: Any, numbers: dict[int, bytes]) -> None:
    """A value where it stands, as the first of borb's visitors of values that takes it writes it."""
    if isinstance(value, bool):
        out += b"true" if value else b"false"
    elif isinstance(value, stream):
        _stream(out, value, numbers)
    elif isinstance(value, dict):
        out += b"<<"
        for index, key in enumerate(sorted(value.keys())):
            assert isinstance(key, str)
            if index:
                _space(out)
            out += f"/{key}".encode("latin1")
            _space(out)
            _value(out, value[key], numbers)
        out += b">>"
    elif isinstance(value, float):
        out += str(round(value, 7)).encode("latin1")
    elif isinstance(value, hexstr):
        out += f"<{value}>".encode("latin1")
    elif isinstance(value, int):
        out += str(value).encode("latin1")
    elif isinstance(value, list):
        out += b"["
        for index, item in enumerate(value):
            if index:
                _space(out)
            _value(out, item, numbers)
        out += b"]"
    elif isinstance(value, reference):
        out += f"{value.get_object_nr()} {value.get_generation_nr()} R".encode("latin1")
    elif isinstance(value, str):
        out += (f"/{value}" if isinstance(value, name) else f"({value})").encode("latin1")
    else:
        raise TypeError(f"a value borb's writer does not write: {type(value).__name__}")


def _stream(out: bytearray, value: stream, numbers: dict[int, bytes]) -> None:
    out += b"<<"
    deflated: bytes = value["Bytes"]
    value["Length"] = len(deflated)
    first = True
    for key in sorted(value.keys()):
        if key in _SKIPPED_STREAM_KEYS or (key == "Filter" and value[key] is None):
            continue
        if not first:
            _space(out)
        first = False
        out += f"/{key}".encode("latin1")
        _space(out)
        _value(out, value[key], numbers)
    out += b">>\nstream\n"
    out += deflated
    out += b"\nendstream"


BORBS_DOCUMENT_VISIT = DocumentVisitor.visit
DocumentVisitor.visit = write_document
