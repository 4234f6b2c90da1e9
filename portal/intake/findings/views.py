"""Staff intake views: enter a finding or a report brought in, see what was recorded, take a
resident's report up as a finding (a case-page section)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import User
from portal.cases.forms import choices
from portal.cases.labels import label_text
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section, run_and_redirect
from portal.cases.queries import get_case_for
from portal.cases.workflow import CaseError
from portal.clock import local_today
from portal.db import DatabaseBusy, db, unit_of_work
from portal.evidence.storage import StorageUnavailable
from portal.i18n import current_language
from portal.intake.drafts import REQUIRED, ReportDraft
from portal.intake.filing import RECEIPT_KEY, earlier_submission
from portal.intake.findings.entry import check_entry
from portal.intake.findings.forms import (
    CHANNEL_LABELS,
    CategoryStepForm,
    StaffEntryForm,
    TakeUpForm,
)
from portal.intake.findings.models import FINDING_CHANNELS, Channel
from portal.intake.findings.operations import record_finding, take_up_report
from portal.intake.findings.queries import (
    get_finding_of,
    list_case_findings,
    list_reports_to_take_up,
    list_team_officers,
)
from portal.intake.models import Report
from portal.intake.operations import ScreenshotRejected
from portal.intake.tracking import new_idempotency_key
from portal.reference.models import Category, Region
from portal.reference.queries import list_categories, list_regions

bp = Blueprint("findings", __name__, url_prefix="/petugas/temuan")
RECORDED_KEY = "findings_recorded"
ANCHOR = "#findings"


@bp.route("/baru", methods=["GET", "POST"])
@roles_required()
def new() -> ResponseReturnValue:
    """The staff entry form: the category first, then the report with its questions."""
    user = staff_user()
    if user.team_id is None:
        abort(403)  # a finding belongs to a team's officers
    categories = list_categories()
    chosen = request.form.get("category") if request.method == "POST" else None
    category = _category(categories, chosen or request.args.get("kategori"))
    if category is None:
        return _category_step(categories)
    regions = list_regions()
    form = StaffEntryForm()
    _fill(form, user, regions, category)
    if request.method == "GET":
        return _render(form, category)
    checked = check_entry(form, category, regions)
    if checked.draft is None:
        return _render(form, category, checked.question_errors, 400)
    return _file(form, category, checked.draft, user)


def _file(
    form: StaffEntryForm, category: Category, draft: ReportDraft, user: User
) -> ResponseReturnValue:
    """Record the entry in one unit of work (a second click finds the first) and go on."""
    twin = earlier_submission(draft)
    try:
        if twin is None:
            officer = db.get_or_404(User, form.officer.data)
            with unit_of_work():
                report = record_finding(
                    draft=draft, channel=Channel(form.channel.data), officer=officer, actor=user
                ).report
        else:
            report = twin[0]
    except ScreenshotRejected as rejected:
        form.screenshots.errors = [f"“{rejected.filename}”: {rejected.message}"]
        return _render(form, category, status=415 if rejected.code != "invalid" else 422)
    except CaseError as err:
        form.officer.errors = [str(err)]
        return _render(form, category, status=400)
    except (DatabaseBusy, StorageUnavailable) as unavailable:
        flash(str(unavailable.portal_message), "error")
        return _render(form, category, status=503)
    session[RECORDED_KEY] = report.id
    if form.channel.data not in FINDING_CHANNELS:  # a resident is waiting for the receipt
        session[RECEIPT_KEY] = {"report_id": report.id, "key": form.idempotency_key.data}
    return redirect(url_for("findings.recorded"), code=303)


def _category_step(categories: list[Category]) -> tuple[str, int]:
    """The first step; a category that is not one of the list is refused by its field."""
    step = CategoryStepForm(request.args)
    step.kategori.choices = choices(
        [(0, _("— choose —"))] + [(c.id, c.name(current_language())) for c in categories]
    )
    is_refused = request.method == "POST" or "kategori" in request.args
    if is_refused:
        step.validate()
        step.kategori.errors = list(step.kategori.errors) or [str(REQUIRED["category"])]
    page = render_template("intake/findings/category.html", form=step)
    return page, 400 if is_refused else 200


def _category(categories: list[Category], value: str | None) -> Category | None:
    return next((c for c in categories if str(c.id) == (value or "")), None)


def _fill(form: StaffEntryForm, user: User, regions: list[Region], category: Category) -> None:
    form.officer.choices = choices(
        (u.id, f"{u.name} ({u.email})") for u in list_team_officers(user.team_id)
    )
    form.region.choices = choices([(0, _("— choose —"))] + [(r.id, r.name) for r in regions])
    form.category.data = str(category.id)
    if request.method == "GET":
        form.officer.data = user.id
        form.found_on.data = local_today()
        form.idempotency_key.data = new_idempotency_key()


def _render(
    form: StaffEntryForm, category: Category, question_errors: dict | None = None, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "intake/findings/new.html",
        form=form,
        category=category,
        values=request.form,
        question_errors=question_errors or {},
        files_lost=request.method == "POST" and bool(request.files.getlist(form.screenshots.name)),
    )
    return page, status


@bp.get("/dicatat")
@roles_required()
def recorded() -> ResponseReturnValue:
    """What was just recorded: the case it joined or opened, the window, the receipt."""
    report = db.session.get(Report, session.get(RECORDED_KEY) or 0)
    finding = report and get_finding_of(report)
    if report is None or finding is None:
        return redirect(url_for("findings.new"))
    held = session.get(RECEIPT_KEY) or {}
    return render_template(
        "intake/findings/recorded.html",
        report=report,
        finding=finding,
        case=get_case_for(staff_user(), report.case_id),
        channel_labels=CHANNEL_LABELS,
        has_receipt=isinstance(held, dict) and held.get("report_id") == report.id,
    )


@bp.post("/kasus/<int:case_id>/ambil")
@roles_required()
def take_up(case_id: int) -> Response:
    """Take one of the case's residents' reports up as the team's own finding."""
    case = case_or_404(case_id)
    user = staff_user()
    form = _take_up_form(case, user, bound=True)
    target = url_for("cases.detail", case_id=case.id) + ANCHOR
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(target, code=303)
    report = db.get_or_404(Report, form.report.data)
    officer = db.get_or_404(User, form.officer.data)
    return run_and_redirect(
        lambda: take_up_report(
            report=report,
            officer=officer,
            actor=user,
            found_on=form.found_on.data,
            note=form.note.data or "",
        ),
        _("The report was taken up as a finding."),
        target,
    )


def _take_up_form(case: Case, user: User, *, bound: bool) -> TakeUpForm:
    kwargs: dict = (
        {} if bound else {"formdata": None, "found_on": local_today(), "officer": user.id}
    )
    # Its own prefix: the case page's message form has a "report" field too (ids stay unique).
    form = TakeUpForm(prefix="take-up", **kwargs)
    form.report.choices = choices((r.id, label_text(r)) for r in list_reports_to_take_up(case))
    form.officer.choices = choices(
        (u.id, f"{u.name} ({u.email})") for u in list_team_officers(user.team_id)
    )
    return form


def findings_section(case: Case, user: User) -> Section | None:
    """The case page's findings: which reports staff entered or took up, and the form to
    take one up (for the case's team)."""
    findings = list_case_findings(case)
    is_team = user.team_id is not None and user.team_id == case.team_id
    form = _take_up_form(case, user, bound=False) if is_team else None
    if form is not None and not form.report.choices:
        form = None
    if not findings and form is None:
        return None
    data = {"findings": findings, "form": form, "channel_labels": CHANNEL_LABELS}
    return Section("intake/findings/_case_section.html", data, place="before_reports")


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, findings_section)
