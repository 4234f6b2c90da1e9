"""Officer views of duplicates: suggestions side by side, merge, undo a merge, split a report."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import User
from portal.cases import queries
from portal.cases.duplicates.compare import get_side
from portal.cases.duplicates.forms import ConfirmForm, MergeByReferenceForm
from portal.cases.duplicates.operations import (
    list_merged_cases,
    list_reporters_timeline,
    merge_cases,
    split_report,
    unmerge_case,
)
from portal.cases.duplicates.queries import list_duplicate_suggestions, reject_suggestion
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section, run_and_redirect
from portal.db import db
from portal.intake.models import Report

bp = Blueprint("duplicates", __name__, url_prefix="/petugas/kasus")


def duplicates_section(case: Case, user: User) -> Section:
    """The case page's duplicates section: the merge either way and how many look alike."""
    merged_into = db.session.get(Case, case.merged_into_id) if case.merged_into_id else None
    count = 0 if merged_into else len(list_duplicate_suggestions(case, scope=queries.scope(user)))
    return Section(
        "cases/duplicates/_section.html",
        {"merged_into": merged_into, "merged": list_merged_cases(case), "suggestion_count": count},
        place="before_reports",
    )


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, duplicates_section)


@bp.get("/<int:case_id>/duplikat")
@roles_required()
def page(case_id: int) -> str:
    """Suggested duplicates of a case, evidence side by side, with merge and reject buttons."""
    case = case_or_404(case_id)
    suggestions = list_duplicate_suggestions(case, scope=queries.scope(staff_user()))
    return render_template(
        "cases/duplicates/page.html",
        case=case,
        suggestions=suggestions,
        my_side=get_side(case),
        their_sides={s.other_case.id: get_side(s.other_case) for s in suggestions},
        merged=list_merged_cases(case),
        reporters=list_reporters_timeline(case),
        form=ConfirmForm(),
        merge_form=MergeByReferenceForm(),
    )


@bp.post("/<int:case_id>/duplikat/<int:other_id>/gabung")
@roles_required()
def merge_suggested(case_id: int, other_id: int) -> Response:
    """Merge the other case into this one."""
    case, other = case_or_404(case_id), case_or_404(other_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _merge(other, case)


def _merge(source: Case, case: Case) -> Response:
    return run_and_redirect(
        lambda: merge_cases(source=source, target=case, actor=staff_user()),
        _("Case %(ref)s was merged into this case.", ref=source.reference),
        url_for("duplicates.page", case_id=case.id),
    )


@bp.post("/<int:case_id>/duplikat/<int:other_id>/bukan")
@roles_required()
def reject(case_id: int, other_id: int) -> Response:
    """ "Not a duplicate": stop suggesting this pair."""
    case, other = case_or_404(case_id), case_or_404(other_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return run_and_redirect(
        lambda: reject_suggestion(case=case, other=other, actor=staff_user()),
        _("Case %(ref)s will no longer be suggested as a duplicate.", ref=other.reference),
        url_for("duplicates.page", case_id=case.id),
    )


@bp.post("/<int:case_id>/gabung")
@roles_required()
def merge_by_reference(case_id: int) -> Response:
    """Merge a case given by its reference into this one."""
    case = case_or_404(case_id)
    form = MergeByReferenceForm()
    if not form.validate_on_submit():
        abort(400)
    found = db.session.scalar(
        sa.select(Case.id).where(Case.reference == form.reference.data.strip().upper())
    )
    other = queries.get_case_for(staff_user(), found) if found else None
    if other is None:
        flash(_("No case with that reference in your cases."), "error")
        return redirect(url_for("duplicates.page", case_id=case.id), code=303)
    return _merge(other, case)


@bp.post("/<int:case_id>/batal-gabung")
@roles_required()
def unmerge(case_id: int) -> Response:
    """Undo the merge of this case into another: its reports come back."""
    case = case_or_404(case_id)
    if case.merged_into_id is not None:
        case_or_404(case.merged_into_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return run_and_redirect(
        lambda: unmerge_case(source=case, actor=staff_user()),
        _("The merge was undone; this case has its reports back."),
        url_for("cases.detail", case_id=case.id),
    )


@bp.post("/<int:case_id>/laporan/<int:report_id>/pisah")
@roles_required()
def split(case_id: int, report_id: int) -> Response:
    """Move one report out of this case into a new case of its own."""
    case = case_or_404(case_id)
    report = db.session.get(Report, report_id)
    if report is None or report.case_id != case.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made: list[Case] = []
    response = run_and_redirect(
        lambda: made.append(split_report(report=report, actor=staff_user())),
        _("The report now has a case of its own."),
        url_for("cases.detail", case_id=case.id),
    )
    if made and queries.get_case_for(staff_user(), made[0].id) is not None:
        return redirect(url_for("cases.detail", case_id=made[0].id), code=303)
    return response
