"""The receipt of a report, for the browser that filed it: as a page and as a PDF made from
that same page (portal.pdf). Nothing here checks who asks; the views do (filed_here)."""

from typing import Any

from portal.db import utcnow
from portal.i18n import current_language
from portal.intake.formal.filing import formal_status
from portal.intake.models import Report
from portal.intake.queries import get_receipt_view
from portal.intake.tracking import format_code
from portal.intake.windows import received_notice
from portal.pdf import render_pdf

TEMPLATE = "intake/receipt.html"


def receipt_context(report: Report, code: str) -> dict[str, Any]:
    """What the receipt template shows, in the reader's language."""
    return {
        "code": format_code(code),
        "receipt": get_receipt_view(report, current_language()),
        "window": received_notice(report.created_at, report.window_closes_at),
        "formal": formal_status(report, now=utcnow()),
    }


def receipt_pdf(report: Report, code: str) -> bytes:
    """The receipt as a PDF; raises portal.pdf.PdfUnavailable where WeasyPrint cannot run."""
    _html, pdf = render_pdf(TEMPLATE, as_pdf=True, **receipt_context(report, code))
    return pdf


def receipt_filename(report: Report) -> str:
    """The PDF's file name: the case reference, never the tracking code."""
    return f"tanda-terima-{report.case.reference or report.id}.pdf"
