"""Drawing PDFs: certificate pages and combined files. The rest of the service calls only these.

Inside: ``render`` lays a certificate out, ``fonts`` and ``truetype`` choose and cut the faces,
``merge`` joins finished files page by page, and ``runtime`` tames borb's process-wide side effects.
"""

from service.pdf.fonts import MissingGlyphs
from service.pdf.merge import merge_pdfs
from service.pdf.render import CertificateText, render_certificate, render_certificates

__all__ = ["CertificateText", "MissingGlyphs", "merge_pdfs", "render_certificate", "render_certificates"]
