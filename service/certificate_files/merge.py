"""Joining PDFs into one with pikepdf (qpdf): linear in pages, little memory, no re-rendering."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pikepdf


def merge_pdfs(sources: Sequence[Path], destination: Path) -> int:
    """Write the pages of ``sources``, in order, to ``destination`` (atomically); the page count."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
    )
    os.close(descriptor)
    opened: list[pikepdf.Pdf] = []
    try:
        with pikepdf.Pdf.new() as combined:
            for source in sources:
                pdf = pikepdf.Pdf.open(source)
                opened.append(pdf)
                combined.pages.extend(pdf.pages)
            # Fixed ids and no timestamps keep the same selection's file byte-identical.
            combined.save(temporary, static_id=True, deterministic_id=False, compress_streams=True)
            pages = len(combined.pages)
        os.replace(temporary, destination)
        return pages
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        for pdf in opened:
            pdf.close()
