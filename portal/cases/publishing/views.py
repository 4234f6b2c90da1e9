"""Officer views for publishing a case, and its section on the case page."""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.access import roles_required, staff_user
from portal.accounts.models import User
from portal.cases.colleague import confirms_colleague
from portal.cases.models import Case
from portal.cases.page import Section, case_or_404, register_case_section
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
from portal.db import unit_of_work

bp = Blueprint("publishing", __name__, url_prefix="/petugas/kasus")

STAFF = ("officer", "supervisor", "admin")


class PublishForm(FlaskForm):
    summary = TextAreaField(
        _l("Public summary"),
        id="publication-summary",
        validators=[DataRequired(), Length(max=MAX_SUMMARY)],
    )
    reported_party = StringField(
        _l("Reported party, as it may be published"), validators=[Optional(), Length(max=300)]
    )
    evidence = SelectMultipleField(
        _l("Evidence that may be shown publicly"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class ReviewForm(FlaskForm):
    note = StringField(_l("Note (internal)"), validators=[Optional(), Length(max=1000)])


class UnpublishForm(FlaskForm):
    reason = StringField(
        _l("Why is the case taken off the public site? (internal)"),
        validators=[DataRequired(), Length(max=1000)],
    )


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
    form = _publish_form(case, bound=False)
    if publication is not None:
        form.summary.data = publication.summary
        form.reported_party.data = publication.reported_party
        form.evidence.data = list(publication.evidence_ids or [])
    data = {
        "publication": publication,
        "states": PublicationState,
        "form": form,
        "evidence": list_case_evidence(case),
        "review_form": ReviewForm(formdata=None),
        "unpublish_form": UnpublishForm(formdata=None),
        "user": user,
        "requires_review": current_app.config["PUBLISH_REQUIRES_REVIEW"],
    }
    return Section("cases/publishing/_section.html", data)


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
