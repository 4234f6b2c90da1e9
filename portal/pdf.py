"""HTML templates rendered as PDF documents (WeasyPrint): the bundle's summary and its BKN
report now, the formal laporan form and its receipt later. The PDF is made from the same HTML a
browser shows; a template adds a `@media print` stylesheet for paper.

Rendering never reaches outside the document: every URL a template or a resident's text could
name (images, stylesheets, fonts) is refused, so a PDF holds only what the HTML says. The same
HTML gives the same bytes (WeasyPrint writes no creation date unless the document names one).
"""

import logging
import threading
from typing import Any

from flask import render_template
from PIL import ImageFile

logger = logging.getLogger(__name__)
_import_lock = threading.Lock()


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the libraries it needs (Pango) are not installed on this machine."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document; PdfUnavailable when it cannot be made here."""
    # Imported here: it loads Pango through cffi (seconds, and an OSError when the Debian
    # libraries are missing); the rest of the portal starts without it.
    with _import_lock:
        try:
            from weasyprint import HTML, URLFetcher
        except (ImportError, OSError) as err:
            raise PdfUnavailable(f"WeasyPrint cannot run here: {err}") from err
        finally:
            # weasyprint.images switches Pillow to accept truncated images, process-wide;
            # evidence intake refuses to run with that on (evidence/images.py).
            ImageFile.LOAD_TRUNCATED_IMAGES = False
    # Only inline data: URLs; never the network or the server's own files.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return bytes(document.write_pdf())


def render_pdf(template: str, **context: Any) -> tuple[str, bytes]:
    """A Jinja template rendered once: (the HTML, the PDF made from that very HTML)."""
    html = render_template(template, **context)
    return html, html_to_pdf(html)
