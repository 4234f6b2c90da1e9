"""Officer views of referrals to outside bodies (Bawaslu, BKN, Inspektorat, police, ...)."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import User
from portal.cases.colleague import confirms_colleague
from portal.cases.models import Case
from portal.cases.page import (
    Section,
    case_or_404,
    detail_context,
    register_case_section,
    run_and_redirect,
)
from portal.cases.referrals.asn import (
    FIELDS,
    CivilServantRefused,
    get_civil_servant,
    is_asn_case,
    save_civil_servant,
)
from portal.cases.referrals.forms import CivilServantForm, ReferralForm, ReferralOutcomeForm
from portal.cases.referrals.models import Referral
from portal.cases.referrals.operations import (
    BODY_LABELS,
    SANCTION_LABELS,
    get_referral,
    list_referrals,
    record_referral_outcome,
    refer_case,
)
from portal.db import unit_of_work

bp = Blueprint("referrals", __name__, url_prefix="/petugas/kasus")


def outcome_form(referral: Referral) -> ReferralOutcomeForm:
    """The answer form of one referral (prefixed: a case page may show several)."""
    return ReferralOutcomeForm(prefix=f"r{referral.id}")


def referrals_section(case: Case, user: User) -> Section:
    """The case page's referrals section: each referral with its answer form, and a new one."""
    referrals = list_referrals(case)
    data = {
        "referrals": referrals,
        "form": ReferralForm(formdata=None),
        "outcome_forms": {r.id: outcome_form(r) for r in referrals},
        "body_labels": BODY_LABELS,
        "sanction_labels": SANCTION_LABELS,
    }
    civil_servant = get_civil_servant(case)
    if civil_servant is not None or is_asn_case(case):
        # A refused save left its form, with the answers and errors, for this page (g).
        refused = g.pop("civil_servant_form", None)
        data["civil_servant"] = civil_servant
        data["civil_form"] = refused or CivilServantForm(formdata=None, obj=civil_servant)
    return Section("cases/referrals/_section.html", data)


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, referrals_section)


def _form_failed(form: FlaskForm, case_id: int) -> Response:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("cases.detail", case_id=case_id) + "#referrals", code=303)


@bp.post("/<int:case_id>/rujukan")
@roles_required()
@confirms_colleague("refer")
def refer(case_id: int) -> Response:
    """Record that the case was referred to an outside body."""
    case = case_or_404(case_id)
    form = ReferralForm()
    if not form.validate_on_submit():
        return _form_failed(form, case.id)
    return run_and_redirect(
        lambda: refer_case(
            case=case,
            body=form.body.data,
            body_name=form.body_name.data or "",
            reference_number=form.reference_number.data or "",
            referred_on=form.referred_on.data,
            due_on=form.due_on.data,
            actor=staff_user(),
        ),
        _("The referral was recorded."),
        url_for("cases.detail", case_id=case.id) + "#referrals",
    )


@bp.post("/<int:case_id>/rujukan/<int:referral_id>")
@roles_required()
@confirms_colleague("referral_answer")
def outcome(case_id: int, referral_id: int) -> Response:
    """Record what the outside body answered and whether a sanction was applied."""
    case = case_or_404(case_id)
    referral = get_referral(case, referral_id)
    if referral is None:
        abort(404)
    form = outcome_form(referral)
    if not form.validate_on_submit():
        return _form_failed(form, case.id)
    return run_and_redirect(
        lambda: record_referral_outcome(
            referral=referral,
            outcome=form.outcome.data,
            sanction_applied=form.sanction_applied.data,
            sanction=form.sanction.data or "",
            answered_on=form.answered_on.data,
            actor=staff_user(),
        ),
        _("The answer of %(body)s was recorded.", body=referral.body_name or referral.body.upper()),
        url_for("cases.detail", case_id=case.id) + "#referrals",
    )


@bp.post("/<int:case_id>/asn")
@roles_required()
def civil_servant(case_id: int) -> ResponseReturnValue:
    """Store the civil servant the case is about (for BKN); a refusal shows the case page
    again with every answer kept and each error by its field."""
    case = case_or_404(case_id)
    form = CivilServantForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                save_civil_servant(
                    case=case, actor=staff_user(), **{f: form[f].data or "" for f in FIELDS}
                )
            flash(_("The civil servant's data was saved."), "success")
            return redirect(url_for("cases.detail", case_id=case.id) + "#civil-servant", 303)
        except CivilServantRefused as refused:
            for field, message in refused.errors.items():
                form[field].errors = [*form[field].errors, message]
    g.civil_servant_form = form
    return render_template("cases/detail.html", **detail_context(case, staff_user())), 400
