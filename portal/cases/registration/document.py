"""The official laporan form, pre-filled: one template for the page and the PDF (Indonesian,
as Bawaslu files it), with the registration number once given and room for the signature."""

from typing import Any

from flask import render_template
from flask_babel import force_locale

from portal.cases.registration.queries import get_checklist
from portal.db import utcnow
from portal.intake.formal.models import FormalLaporan
from portal.pdf import html_to_pdf

TEMPLATE = "cases/registration/laporan_form.html"


def form_context(laporan: FormalLaporan) -> dict[str, Any]:
    """What the form shows: the laporan, its report, identity, witnesses and evidence."""
    report = laporan.report
    return {
        "laporan": laporan,
        "report": report,
        "identity": laporan.identity,
        "witnesses": laporan.witnesses,
        "evidence": report.evidence,
        "links": report.links,
        "checklist": get_checklist(laporan, now=utcnow()),
        "case": report.case,
    }


def laporan_html(laporan: FormalLaporan) -> str:
    """The form as HTML, in Indonesian."""
    with force_locale("id"):
        return render_template(TEMPLATE, **form_context(laporan))


def laporan_pdf(laporan: FormalLaporan) -> tuple[bytes, str]:
    """The form as PDF and its file name (PdfUnavailable without WeasyPrint)."""
    name = f"formulir-laporan-{laporan.report.case.reference}-{laporan.id}.pdf"
    return html_to_pdf(laporan_html(laporan)), name
