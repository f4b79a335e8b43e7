"""Joining PDFs into one, a source at a time, so memory stays flat however long the file.

Each source is opened with pikepdf (qpdf), its objects are written to the output renumbered
(references follow), and it is closed before the next; the pages are then listed in one page
tree. Only the output's offsets are kept in memory. Nothing is re-rendered: every page keeps its
part's content and fonts byte for byte. The file is written under a temporary name and renamed
when whole.
"""

from __future__ import annotations

import decimal
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf
from borb.pdf.license.version import Version
from pikepdf import ObjectType

PRODUCER = f"borb {Version.get_current_version()} (Recognition service)"  # the pages are borb's
CATALOG, PAGE_TREE, INFO, FIRST_FREE = 1, 2, 3, 4
_SCALARS = (
    ObjectType.name_,
    ObjectType.string,
    ObjectType.null,
    ObjectType.boolean,
    ObjectType.integer,
    ObjectType.real,
    ObjectType.operator,
)
_SKIPPED_STREAM_TYPES = {"/ObjStm", "/XRef"}


def merge_pdfs(sources: Sequence[Path], destination: Path) -> int:
    """Write the pages of ``sources``, in order, to ``destination`` (atomically); the page count."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as out:
            pages = _write(sources, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, destination)
        return pages
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write(sources: Sequence[Path], out: BinaryIO) -> int:
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    page_numbers: list[int] = []
    next_number = FIRST_FREE
    for source in sources:
        with pikepdf.Pdf.open(source) as pdf:
            numbers, next_number = _renumber(pdf, next_number)
            page_numbers += [numbers[page.obj.objgen] for page in pdf.pages]
            for obj in pdf.objects:
                number = numbers.get(obj.objgen)
                if number is None:
                    continue
                offsets[number] = out.tell()
                out.write(b"%d 0 obj\n" % number + _indirect(obj, numbers) + b"\nendobj\n")
    for number, body in (
        (CATALOG, b"<</Type /Catalog /Pages %d 0 R>>" % PAGE_TREE),
        (
            PAGE_TREE,
            b"<</Type /Pages /Count %d /Kids [%s]>>"
            % (len(page_numbers), b" ".join(b"%d 0 R" % number for number in page_numbers)),
        ),
        (INFO, b"<</Producer " + pikepdf.String(PRODUCER).unparse() + b">>"),
    ):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % next_number)
    out.write(b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, next_number)))
    out.write(
        b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n"
        % (next_number, CATALOG, INFO, start)
    )
    return len(page_numbers)


def _renumber(pdf: pikepdf.Pdf, first: int) -> tuple[dict[tuple[int, int], int], int]:
    """New numbers for the source's objects; its catalog, page tree and info are replaced by ours."""
    replaced = {pdf.Root.objgen, pdf.Root.Pages.objgen}
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Object) and info.is_indirect:
        replaced.add(info.objgen)
    numbers: dict[tuple[int, int], int] = {}
    number = first
    for obj in pdf.objects:
        if obj.objgen in replaced or obj._type_code == ObjectType.null:
            continue
        if (
            obj._type_code == ObjectType.stream
            and str(obj.stream_dict.get("/Type", "")) in _SKIPPED_STREAM_TYPES
        ):
            continue
        numbers[obj.objgen] = number
        number += 1
    numbers[pdf.Root.Pages.objgen] = PAGE_TREE  # pages' /Parent
    return numbers, number


def _indirect(obj: pikepdf.Object, numbers: dict[tuple[int, int], int]) -> bytes:
    """An indirect object's body: its value (never a reference to itself), or a stream with its data."""
    if obj._type_code == ObjectType.stream:
        raw = obj.read_raw_bytes()  # still compressed: the data is copied, not decoded
        entries = [(key, value) for key, value in obj.stream_dict.items() if key != "/Length"]
        return (
            _dictionary(entries, numbers, extra=b"/Length %d" % len(raw))
            + b"\nstream\n"
            + raw
            + b"\nendstream"
        )
    if obj._type_code == ObjectType.dictionary:
        return _dictionary(list(obj.items()), numbers)
    if obj._type_code == ObjectType.array:
        return b"[" + b" ".join(_value(item, numbers) for item in obj) + b"]"
    return bytes(obj.unparse())


def _dictionary(
    entries: list[tuple[str, Any]], numbers: dict[tuple[int, int], int], extra: bytes = b""
) -> bytes:
    body = b"".join(
        pikepdf.Name(key).unparse() + b" " + _value(value, numbers) + b" " for key, value in entries
    )
    return b"<<" + body + extra + b">>"


def _value(value: Any, numbers: dict[tuple[int, int], int]) -> bytes:
    """PDF syntax for a value inside an object; references follow the new numbering."""
    if isinstance(value, pikepdf.Object):
        if value.is_indirect:
            return b"%d 0 R" % numbers[value.objgen]
        kind = value._type_code
        if kind == ObjectType.dictionary:
            return _dictionary(list(value.items()), numbers)
        if kind == ObjectType.array:
            return b"[" + b" ".join(_value(item, numbers) for item in value) + b"]"
        if kind in _SCALARS:
            return bytes(value.unparse())
        raise TypeError(f"unexpected PDF object of type {kind}")
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, decimal.Decimal | float):
        return format(decimal.Decimal(value), "f").encode()
    if isinstance(value, str):
        return bytes(pikepdf.String(value).unparse())
    if value is None:
        return b"null"
    raise TypeError(f"unexpected value {value!r}")
