"""The resident's own data, reached from her status page (the tracking-code session): what
the portal holds about her, correcting and deleting her contact details, the download.

Every POST needs this device's tracked-report session and the form's CSRF token: a form sent
from anywhere else changes nothing."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.access import public
from portal.db import unit_of_work
from portal.extensions import limiter
from portal.intake.formal.forms import IdentityFields
from portal.intake.formal.models import IDENTITY_FIELDS
from portal.intake.labels import VISIBILITY_HELP
from portal.intake.models import Report
from portal.intake.rights.forms import ContactForm, EraseContactForm
from portal.intake.tracked import tracked_report
from portal.privacy.operations import (
    PrivacyError,
    UnderLegalHold,
    correct_contact,
    erase,
    remove_pending_files,
)
from portal.privacy.policy import Kind
from portal.privacy.subject import build_export, get_holdings

bp = Blueprint("rights", __name__, url_prefix="/lacak/data-saya")


def _page(
    report: Report, contact: ContactForm, erase_form: EraseContactForm, code: int = 200
) -> Response:
    response = Response(
        render_template(
            "privacy/rights.html",
            held=get_holdings(report),
            contact_form=contact,
            erase_form=erase_form,
            visibility_help=VISIBILITY_HELP,
            identity_labels={
                name: getattr(IdentityFields, name).args[0] for name in IDENTITY_FIELDS
            },
        ),
        status=code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _contact_form(report: Report) -> ContactForm:
    return ContactForm(
        formdata=None,
        contact_name=report.contact_name,
        contact_email=report.contact_email,
        contact_phone=report.contact_phone,
    )


@bp.get("")
@public
def overview() -> ResponseReturnValue:
    """Everything the portal holds about the holder of this report's code."""
    report = tracked_report()
    if report is None:
        return redirect(url_for("intake.track"))
    return _page(report, _contact_form(report), EraseContactForm(formdata=None))


@bp.post("/kontak")
@public
def correct() -> ResponseReturnValue:
    """Correct her contact details (answers kept and errors shown by the field when refused)."""
    report = tracked_report()
    if report is None:
        return redirect(url_for("intake.track"))
    form = ContactForm()
    if not form.validate_on_submit():
        return _page(report, form, EraseContactForm(formdata=None), 400)
    try:
        with unit_of_work():
            changed = correct_contact(
                report=report,
                name=form.contact_name.data or "",
                email=form.contact_email.data or "",
                phone=form.contact_phone.data or "",
            )
    except PrivacyError as err:
        form.contact_email.errors = [str(err)]
        return _page(report, form, EraseContactForm(formdata=None), 400)
    flash(_("Your contact details were saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("rights.overview"), code=303)


@bp.post("/hapus-kontak")
@public
def erase_contact() -> ResponseReturnValue:
    """Delete her contact details; the case goes on without them."""
    report = tracked_report()
    if report is None:
        return redirect(url_for("intake.track"))
    form = EraseContactForm()
    if not form.validate_on_submit():
        return _page(report, _contact_form(report), form, 400)
    try:
        with unit_of_work():
            erase(report=report, kind=Kind.CONTACT, actor=None)
    except UnderLegalHold:
        form.confirm.errors = [
            _(
                "Your contact details cannot be deleted now: the case is under a legal hold "
                "(for example for a court). They are deleted once the hold ends; the privacy "
                "notice says whom to ask."
            )
        ]
        return _page(report, _contact_form(report), form, 409)
    remove_pending_files()  # an ID card photo goes now, not at the next retention run
    flash(_("Your contact details were deleted. Your report and its case go on."), "success")
    return redirect(url_for("rights.overview"), code=303)


@bp.get("/unduh")
@public
@limiter.limit("20 per hour")
def download() -> ResponseReturnValue:
    """Her data as a ZIP: data.json and the files she sent."""
    report = tracked_report()
    if report is None:
        return redirect(url_for("intake.track"))
    response = Response(build_export(report), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="data-saya.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
