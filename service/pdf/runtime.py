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
"""

from __future__ import annotations

import io
import threading

from borb.pdf import PDF, Document, LayoutElement, UsageStatistics

UsageStatistics.opt_out()

_lock = threading.Lock()


def write_pdf(document: Document) -> bytes:
    """The document's bytes; one writer at a time, since borb's counters and caches are global."""
    buffer = io.BytesIO()  # borb writes to BytesIO, str or Path only; other file objects get nothing
    with _lock:
        UsageStatistics._UsageStatistics__UNLICENSED_DOCS_COUNT = 0
        PDF.write(what=document, where_to=buffer)
        _clear_layout_caches()
    return buffer.getvalue()


def _clear_layout_caches() -> None:
    pending: list[type] = [LayoutElement]
    seen: set[type] = set()
    while pending:
        element_class = pending.pop()
        if element_class in seen:
            continue
        seen.add(element_class)
        pending.extend(element_class.__subclasses__())
        for attribute in vars(element_class).values():
            if hasattr(attribute, "cache_clear"):
                attribute.cache_clear()
