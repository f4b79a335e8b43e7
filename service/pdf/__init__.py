"""Drawing PDFs: certificate pages and combined files. The rest of the service calls only these.

Inside: ``render`` lays a certificate out; ``itemize``, ``shaping`` and ``layout`` turn text into
positioned glyphs (bidi, scripts, HarfBuzz, line breaking); ``faces``, ``fonts`` and ``truetype``
choose, cut and embed the fonts; ``drawing`` writes glyphs as PDF text; ``printable`` says whether
a name can be printed; ``branding`` places a partner's design (wording, colours, logos,
signatories); ``merge`` joins finished files page by page, and ``runtime`` tames borb's
process-wide side effects.
"""

from service.pdf.branding import Branding, Signatory, Wording
from service.pdf.merge import merge_pdfs
from service.pdf.printable import printable_name_problem
from service.pdf.render import CertificateText, render_certificate, render_certificates

__all__ = [
    "Branding",
    "CertificateText",
    "Signatory",
    "Wording",
    "merge_pdfs",
    "printable_name_problem",
    "render_certificate",
    "render_certificates",
]
