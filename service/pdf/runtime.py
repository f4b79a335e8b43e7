"""borb's process-wide side effects, tamed in one place before any document is written.

- Usage telemetry: borb posts usage statistics over HTTP unless opted out. The service holds
  personal data, so it opts out on import, before the first document.
- Signal handlers: borb's first write on the main thread replaces SIGINT/SIGTERM handlers (with
  one that crashes); opting out stops that too, so uvicorn and Dramatiq keep their own.
- Licence notice: borb prints one on stdout every 64 documents, even after opting out. The
  counter is reset before each write so the service's output stays its own. (The AGPL terms
  stand regardless; PDFs keep borb in their Producer entry.)
- Layout caches: borb caches layout results on its element classes, keeping every element ever
  drawn; they are cleared after each document so memory stays flat.
- Work borb redoes for every document, done once per process instead: its ~400 PDF/A conformance
  checks are built on every write (and none applies to a plain PDF), and its own version is read
  from the package metadata on every write (for a comment in the file). Both never change while
  the process lives.
- borb's writer grows its output with ``bytes +=``, copying all of it for every piece written:
  a ``bytearray`` grows in place. And it offers every value to twenty visitors in turn, eleven of
  which only take the document or an indirect object: a value goes to the nine that write values.
- borb's writer runs an import statement for every token it writes, and asks the visitors of
  values in turn for every value, though each takes values by type alone: neither now.
- borb's writer finds each value's indirect reference by scanning the whole cross-reference list
  (objects × values), and builds that list the same way; an index by identity finds the same
  entries in the same order. The bytes written are the same (a test compares them).
- borb's last step, writing the numbered objects, is ``writer.write_document``: the same bytes
  from plain functions instead of a visitor call per token.
"""

from __future__ import annotations

import functools
import io
import threading
import zlib
from typing import Any

from borb.pdf import PDF, Document, LayoutElement, UsageStatistics
from borb.pdf.license.version import Version
from borb.pdf.primitives import PDFType, name, reference, stream
from borb.pdf.visitor.validate.conformance_checks import ConformanceChecks
from borb.pdf.visitor.write_new.build_xref_visitor import BuildXRefVisitor
from borb.pdf.visitor.write_new.document_visitor import ReferencedObjectType
from borb.pdf.visitor.write_new.facade_visitor import FacadeVisitor
from borb.pdf.visitor.write_new.write_new_visitor import WriteNewVisitor

from service.pdf import writer as _writer  # noqa: F401  (it takes the place of borb's DocumentVisitor.visit)

UsageStatistics.opt_out()
# borb's own writer methods, replaced below; kept so a test can show the bytes do not change.
BORBS_GET_REFERENCE = FacadeVisitor.get_reference
BORBS_BUILD_XREF = BuildXRefVisitor._BuildXRefVisitor__build_xref
_CHECKS = ConformanceChecks.get()
_VERSION = Version.get_current_version()
ConformanceChecks.get = staticmethod(lambda: _CHECKS)
Version.get_current_version = staticmethod(lambda: _VERSION)


def _get_reference(self: FacadeVisitor, node: PDFType) -> PDFType:
    """borb's ``FacadeVisitor.get_reference``: the first cross-reference entry of ``node``, else
    ``node`` itself; from an index rebuilt whenever the list is another or has grown."""
    document = self._FacadeVisitor__document
    if document is None:
        return node
    xref = document.get("XRef", [])
    key = (id(xref), len(xref))
    if getattr(self, "_reference_key", None) != key:
        index: dict[int, PDFType] = {}
        for entry in xref:
            index.setdefault(id(entry.get_referenced_object()), entry)
        self._reference_key, self._reference_index = key, index
    return self._reference_index.get(id(node), node)


FacadeVisitor.get_reference = _get_reference
BORBS_FACADE_INIT = FacadeVisitor.__init__


def _facade_init(self: FacadeVisitor, *args: object, **kwargs: object) -> None:
    """borb's ``FacadeVisitor.__init__``, its output a ``bytearray``: borb grows the file with
    ``bytes +=`` (a copy of all that is written so far for each of thousands of pieces), where a
    bytearray grows in place. Everything borb does with it (``len``, ``[-1]``, writing it out)
    behaves the same."""
    BORBS_FACADE_INIT(self, *args, **kwargs)
    self._FacadeVisitor__destination = bytearray()
    self._value_visitors = [
        visitor for visitor in self._FacadeVisitor__visitors if type(visitor).__name__ in _VALUE_VISITORS
    ]
    self._taker_of_type = {}


FacadeVisitor.__init__ = _facade_init
BORBS_VISIT = FacadeVisitor.visit
# The visitors that write a value (in borb's order). Every other one claims only the Document or an
# indirect object (a ReferencedObjectType), checking that first, after an import statement that
# runs on every call: for any other value, borb's dispatch asked eleven visitors in vain.
_VALUE_VISITORS = {
    "BoolVisitor",
    "DictVisitor",
    "FloatVisitor",
    "HexStrVisitor",
    "IntVisitor",
    "ListVisitor",
    "ReferenceVisitor",
    "StreamVisitor",
    "StrVisitor",
}


def _visit(self: FacadeVisitor, node: object) -> bool:
    """borb's ``FacadeVisitor.visit``, handing a plain value straight to the visitor of values that
    takes it. Each of them takes a value by its type alone (``isinstance`` before anything is
    written), so the one that took a type's first value is asked first for the type's next ones."""
    if isinstance(node, (Document, ReferencedObjectType)):
        return bool(BORBS_VISIT(self, node))
    taker = self._taker_of_type.get(type(node))
    if taker is not None and taker.visit(node):
        return True
    for visitor in self._value_visitors:
        if visitor.visit(node):
            self._taker_of_type[type(node)] = visitor
            return True
    return False


FacadeVisitor.visit = _visit
_is_direct_object = BuildXRefVisitor._BuildXRefVisitor__is_direct_object


def _build_xref(document: Document) -> list[reference]:
    """borb's ``BuildXRefVisitor.__build_xref``, with a set where it scanned the list it builds."""
    parent_of: dict[int, PDFType] = {}
    xref: list[reference] = []
    in_xref: set[int] = set()
    pending: list[PDFType] = [document]
    while pending:
        value = pending.pop()
        parent = parent_of.get(id(value))
        if id(value) in in_xref:
            continue
        if isinstance(value, dict):
            # Read as a dict: borb's stream would decompress its /Bytes again to give /DecodedBytes
            # (a font's program, every document); neither is a list or a dict, so neither numbered.
            for key in sorted(value.keys()):
                item = dict.__getitem__(value, key)
                parent_of[id(item)] = value
                pending.append(item)
        if isinstance(value, list):
            for item in value:
                parent_of[id(item)] = value
                pending.append(item)
        # Only a list or a dict gets an entry: borb asks its checks of every value first, to no end.
        if not isinstance(value, (list, dict)) or _is_direct_object(value, parent):
            continue
        if isinstance(parent, dict) and parent.get("XRef") is not None and parent["XRef"] == value:
            continue
        entry = reference(object_nr=len(xref) + 1, generation_nr=0, id=id(value), referenced_object=value)
        xref.append(entry)
        in_xref.add(id(value))
    return xref


BuildXRefVisitor._BuildXRefVisitor__build_xref = staticmethod(_build_xref)
BORBS_APPEND_BYTES_OR_STR = WriteNewVisitor._append_bytes_or_str
BORBS_APPEND_SPACE = WriteNewVisitor._append_space_to_output_stream


def _append_bytes_or_str(self: WriteNewVisitor, bytes_or_str: bytes | str) -> WriteNewVisitor:
    """borb's ``WriteNewVisitor._append_bytes_or_str`` (called for every token written), without
    the import statement it runs on every call."""
    root = self._WriteNewVisitor__root
    if isinstance(root, FacadeVisitor):
        if isinstance(bytes_or_str, str):
            root._append_bytes(bytes_or_str.encode("latin1"))
        else:
            root._append_bytes(bytes_or_str if isinstance(bytes_or_str, bytes) else b"")
    return self


def _append_space(self: WriteNewVisitor) -> WriteNewVisitor:
    """borb's ``WriteNewVisitor._append_space_to_output_stream``: a space unless the output is
    empty or already ends in one; without the import statement."""
    root = self._WriteNewVisitor__root
    if isinstance(root, FacadeVisitor):
        written = root.bytes()
        if len(written) and written[-1] != 0x20:
            root._append_bytes(b" ")
    return self


WriteNewVisitor._append_bytes_or_str = _append_bytes_or_str
WriteNewVisitor._append_space_to_output_stream = _append_space
BORBS_STREAM_GETITEM = stream.__getitem__
_SYNCED = frozenset({"Bytes", "DecodedBytes"})


def _stream_getitem(self: stream, item: str) -> PDFType:
    """borb's ``stream.__getitem__``, which makes a list of two new names on every read to see
    whether the entry is /Bytes or /DecodedBytes (kept in step with each other): any other entry
    is read straight from the dictionary, as borb reads it."""
    if item not in _SYNCED:
        return dict.__getitem__(self, item)
    return BORBS_STREAM_GETITEM(self, item)


stream.__getitem__ = _stream_getitem

_lock = threading.Lock()
CONTENT_LEVEL = 6  # page operators: within 1 % of level 9's size, in a quarter of its time


def fill_stream(target: stream, data: bytes) -> None:
    """``target`` holding ``data``, compressed here (borb compresses at level 9 any stream left
    without /Bytes: 0.3 ms for a page's operators, against 0.08 ms at level 6). Only the
    compressed bytes are kept: a stream whose /DecodedBytes borb marks as older than its /Bytes is
    decompressed again when the entry is read, as its cross-reference pass reads every entry."""
    deflated = zlib.compress(data, CONTENT_LEVEL)
    target[name("Bytes")] = deflated
    target[name("Filter")] = name("FlateDecode")
    target[name("Length")] = len(deflated)


def write_pdf(document: Document) -> bytes:
    """The document's bytes; one writer at a time, since borb's counters and caches are global."""
    buffer = io.BytesIO()  # borb writes to BytesIO, str or Path only; other file objects get nothing
    with _lock:
        UsageStatistics._UsageStatistics__UNLICENSED_DOCS_COUNT = 0
        PDF.write(what=document, where_to=buffer)
        _clear_layout_caches()
    return buffer.getvalue()


def _clear_layout_caches() -> None:
    for cache in _layout_caches():
        cache.cache_clear()


@functools.cache
def _layout_caches() -> tuple[Any, ...]:
    """The layout caches of LayoutElement and its subclasses, found once (walking the classes took
    ~0.12 ms, 5 % of a one-page certificate): ``borb.pdf`` defines all of them when imported (74
    classes then, and as many after drawing every kind of page the tests draw)."""
    pending: list[type] = [LayoutElement]
    seen: set[type] = set()
    caches = []
    while pending:
        element_class = pending.pop()
        if element_class in seen:
            continue
        seen.add(element_class)
        pending.extend(element_class.__subclasses__())
        caches += [
            attribute for attribute in vars(element_class).values() if hasattr(attribute, "cache_clear")
        ]
    return tuple(caches)
