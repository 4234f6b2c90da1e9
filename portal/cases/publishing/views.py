"""Officer views for publishing a case, its section on the case page, and the redaction page
where an image is redacted or approved for publishing as it is."""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from portal.access import roles_required, staff_user
from portal.accounts.models import User
from portal.cases.colleague import confirms_colleague
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section
from portal.cases.publishing.forms import PublishForm, RedactForm, ReviewForm, UnpublishForm
from portal.cases.publishing.models import PublicationState
from portal.cases.publishing.operations import (
    MAX_SUMMARY,
    PublishError,
    approve_publication,
    get_publication,
    list_case_evidence,
    publish_case,
    reject_publication,
    unpublish_case,
)
from portal.cases.publishing.redaction import approve_unredacted, redact_evidence
from portal.cases.publishing.rules import may_publish_evidence
from portal.db import unit_of_work
from portal.evidence.models import Evidence
from portal.evidence.operations import store_redaction

bp = Blueprint("publishing", __name__, url_prefix="/petugas/kasus")

STAFF = ("officer", "supervisor", "admin")


def _back(case: Case) -> Any:
    try:
        target = url_for("cases.detail", case_id=case.id)
    except BuildError:
        target = f"{bp.url_prefix}/{case.id}"
    return redirect(target + "#publikasi", code=303)


def _publish_form(case: Case, bound: bool = True) -> PublishForm:
    # The section is shown on pages that answer other forms' posts: never bind to those.
    form = PublishForm() if bound else PublishForm(formdata=None)
    form.evidence.choices = [(e.id, f"#{e.id}") for e in list_case_evidence(case)]
    return form


def publishing_section(case: Case, user: User) -> Section:
    """The case page's publishing section: the state, the review, and the forms."""
    publication = get_publication(case)
    evidence = list_case_evidence(case)
    form = _publish_form(case, bound=False)
    if publication is not None:
        form.summary.data = publication.summary
        form.reported_party.data = publication.reported_party
        form.evidence.data = list(publication.evidence_ids or [])
    data = {
        "publication": publication,
        "states": PublicationState,
        "form": form,
        "evidence": evidence,
        "choices": [image_choice(item) for item in evidence],
        "review_form": ReviewForm(formdata=None),
        "unpublish_form": UnpublishForm(formdata=None),
        "user": user,
        "requires_review": current_app.config["PUBLISH_REQUIRES_REVIEW"],
    }
    return Section("cases/publishing/_section.html", data)


def image_choice(evidence: Evidence) -> dict[str, Any]:
    """What the section says about one image: may it be ticked, and why (read here, so that
    rendering the case page runs no query of its own)."""
    redaction = evidence.latest_redaction
    approval = evidence.unredacted_approval
    approver = approval.approved_by if approval is not None else None
    return {
        "may_publish": may_publish_evidence(evidence),
        "redaction": redaction,
        "boxes": len(redaction.boxes) if redaction is not None else 0,
        "approved_at": approval.approved_at if approval is not None else None,
        "approved_by": approver.name if approver is not None else None,
    }


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, publishing_section)


@bp.post("/<int:case_id>/publikasi")
@roles_required(*STAFF)
@confirms_colleague("publish")
def publish(case_id: int) -> ResponseReturnValue:
    """Publish the case (or ask for review) with the public summary."""
    case = case_or_404(case_id)
    form = _publish_form(case)
    if not form.validate():
        flash(_("Write a public summary (at most %(max)d characters).", max=MAX_SUMMARY), "error")
        return _back(case)
    try:
        with unit_of_work():
            publication = publish_case(
                case=case,
                actor=staff_user(),
                summary=form.summary.data,
                reported_party_public=form.reported_party.data or "",
                publishable_evidence_ids=form.evidence.data or [],
            )
    except PublishError as error:
        flash(str(error), "error")
        return _back(case)
    if publication.state == PublicationState.PENDING:
        flash(
            _("Publication requested: a second officer or a supervisor must approve it."), "success"
        )
    else:
        flash(_("The case is now published."), "success")
    return _back(case)


@bp.post("/<int:case_id>/publikasi/setujui")
@roles_required(*STAFF)
def approve(case_id: int) -> ResponseReturnValue:
    """Approve a pending publication (not one's own)."""
    return _review(case_id, approve=True)


@bp.post("/<int:case_id>/publikasi/tolak")
@roles_required(*STAFF)
def reject(case_id: int) -> ResponseReturnValue:
    """Refuse a pending publication."""
    return _review(case_id, approve=False)


def _review(case_id: int, approve: bool) -> Any:
    case = case_or_404(case_id)
    form = ReviewForm()
    if not form.validate():
        abort(400)
    try:
        with unit_of_work():
            if approve:
                approve_publication(case=case, actor=staff_user())
            else:
                reject_publication(case=case, actor=staff_user(), note=form.note.data or "")
    except PublishError as error:
        flash(str(error), "error")
        return _back(case)
    flash(_("The case is now published.") if approve else _("Publication refused."), "success")
    return _back(case)


@bp.post("/<int:case_id>/publikasi/cabut")
@roles_required(*STAFF)
def unpublish(case_id: int) -> ResponseReturnValue:
    """Take the case off the public site."""
    case = case_or_404(case_id)
    form = UnpublishForm()
    if not form.validate():
        flash(_("Say why the case is taken off the public site."), "error")
        return _back(case)
    try:
        with unit_of_work():
            unpublish_case(case=case, actor=staff_user(), reason=form.reason.data)
    except PublishError as error:
        flash(str(error), "error")
        return _back(case)
    flash(_("The case is no longer public."), "success")
    return _back(case)


def _case_image(case: Case, evidence_id: int) -> Evidence:
    """An image of this case (404 otherwise: the URL never reaches another case's evidence)."""
    evidence = next((e for e in list_case_evidence(case) if e.id == evidence_id), None)
    if evidence is None:
        abort(404)
    return evidence


@bp.route("/<int:case_id>/bukti/<int:evidence_id>/samarkan", methods=["GET", "POST"])
@roles_required(*STAFF)
def redact(case_id: int, evidence_id: int) -> ResponseReturnValue:
    """Draw black boxes on a clean copy: the redacted copy is a new file, the clean copy stays."""
    case = case_or_404(case_id)
    evidence = _case_image(case, evidence_id)
    form = RedactForm()
    if request.method == "GET" and evidence.latest_redaction is not None:
        form = RedactForm(data={"boxes": _rows(evidence.latest_redaction.boxes)})
    elif form.is_submitted() and not form.more.data and form.validate():
        boxes = form.read_boxes(width=evidence.width, height=evidence.height)
        if boxes is not None:
            clean_key, sha256_clean = evidence.clean_key, evidence.sha256_clean
            try:
                with unit_of_work():
                    stored = store_redaction(
                        clean_key=clean_key, sha256_clean=sha256_clean, boxes=boxes
                    )
                    redaction = redact_evidence(
                        case=case, evidence=evidence, stored=stored, actor=staff_user()
                    )
            except IntegrityError:  # another officer saved a version of this image meanwhile
                flash(_("Someone else changed this case meanwhile; please try again."), "error")
            else:
                flash(_("Redacted copy saved (version %(n)s).", n=redaction.version), "success")
                return redirect(
                    url_for("publishing.redact", case_id=case.id, evidence_id=evidence.id), 303
                )
    form.pad(3 if form.more.data else 2)
    return render_template("cases/publishing/redact.html", **_redact_context(case, evidence, form))


@bp.post("/<int:case_id>/bukti/<int:evidence_id>/setujui-tanpa-samaran")
@roles_required(*STAFF)
def approve_image(case_id: int, evidence_id: int) -> ResponseReturnValue:
    """Record that this clean copy may be published without redaction."""
    case = case_or_404(case_id)
    evidence = _case_image(case, evidence_id)
    if not ReviewForm().validate():
        abort(400)
    try:
        with unit_of_work():
            approve_unredacted(case=case, evidence=evidence, actor=staff_user())
    except PublishError as error:
        flash(str(error), "error")
    else:
        flash(_("Approved for publishing without redaction."), "success")
    return redirect(url_for("publishing.redact", case_id=case.id, evidence_id=evidence.id), 303)


def _rows(boxes: list) -> list[dict[str, str]]:
    return [dict(zip(("x", "y", "width", "height"), map(str, box), strict=True)) for box in boxes]


def _redact_context(case: Case, evidence: Evidence, form: RedactForm) -> dict[str, Any]:
    images = list_case_evidence(case)
    return {
        "case": case,
        "evidence": evidence,
        "number": images.index(evidence) + 1,
        "form": form,
        "approve_form": ReviewForm(formdata=None),
        "choice": image_choice(evidence),
        "versions": [
            {"redaction": r, "by": r.created_by.name if r.created_by else None}
            for r in reversed(evidence.redactions)
        ],
    }
