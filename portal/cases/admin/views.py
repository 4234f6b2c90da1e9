"""Admin pages of the cases area: routing rules and canned replies, under /petugas/admin/."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import roles_required
from portal.accounts.models import Team
from portal.cases.canned import delete_canned_reply, save_canned_reply, unknown_placeholders
from portal.cases.forms import CannedReplyForm, DeleteForm, RoutingRuleForm, choices
from portal.cases.models import CannedReply, RoutingRule
from portal.cases.queries import list_canned_replies
from portal.cases.routing import (
    RoutingConflict,
    delete_routing_rule,
    list_routing_rules,
    save_routing_rule,
)
from portal.db import db, unit_of_work
from portal.i18n import current_language
from portal.reference.models import Category, Region

bp = Blueprint("case_admin", __name__, url_prefix="/petugas/admin")

ADMIN = "/petugas/admin"


def _choices(form: RoutingRuleForm | CannedReplyForm, *, any_region: bool = True) -> None:
    locale = current_language()
    categories = db.session.scalars(sa.select(Category).order_by(Category.sort_order)).all()
    cats = [(c.id, c.name(locale)) for c in categories]
    if hasattr(form, "team"):
        form.category.choices = choices(cats)
        form.region.choices = choices(
            [(None, _("Any region"))]
            + [
                (r.id, f"{r.code} {r.name}")
                for r in db.session.scalars(sa.select(Region).order_by(Region.code))
            ]
        )
        form.team.choices = choices(
            [(t.id, t.name) for t in db.session.scalars(sa.select(Team).order_by(Team.name))]
        )
    else:
        form.category.choices = choices([(None, _("Any category"))] + cats)


@bp.route("/routing", methods=["GET", "POST"])
@roles_required("admin")
def routing() -> str | Response:
    """Routing rules: category (+ region) to team; the most specific rule wins."""
    form = RoutingRuleForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                save_routing_rule(
                    rule=None,
                    category_id=form.category.data,
                    region_id=form.region.data,
                    team_id=form.team.data,
                )
        except RoutingConflict:
            flash(_("A rule for this category and region exists already; edit that one."), "error")
        else:
            flash(_("The routing rule was saved. It applies to new cases."), "success")
            return redirect(url_for("case_admin.routing"), code=303)
    return render_template(
        "cases/admin/routing.html",
        form=form,
        rules=list_routing_rules(),
        delete_form=DeleteForm(formdata=None),
        locale=current_language(),
    )


@bp.route("/routing/<int:rule_id>/hapus", methods=["POST"])
@roles_required("admin")
def routing_delete(rule_id: int) -> Response:
    """Remove a routing rule (existing cases stay where they are)."""
    rule = db.get_or_404(RoutingRule, rule_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        delete_routing_rule(rule)
    flash(_("The routing rule was deleted."), "success")
    return redirect(url_for("case_admin.routing"), code=303)


@bp.route("/balasan", methods=["GET"])
@roles_required("admin")
def canned() -> str:
    """Every canned reply, with links to edit them."""
    return render_template(
        "cases/admin/canned.html",
        replies=list_canned_replies(),
        delete_form=DeleteForm(formdata=None),
        locale=current_language(),
    )


@bp.route("/balasan/baru", methods=["GET", "POST"])
@bp.route("/balasan/<int:reply_id>", methods=["GET", "POST"])
@roles_required("admin")
def canned_edit(reply_id: int | None = None) -> str | Response:
    """Create or edit a canned reply."""
    reply = db.get_or_404(CannedReply, reply_id) if reply_id else None
    form = CannedReplyForm(obj=reply)
    if reply is not None and not form.is_submitted():
        form.category.data, form.status.data = reply.category_id, reply.status or ""
    _choices(form)
    if form.validate_on_submit() and _placeholders_known(form):
        with unit_of_work():
            save_canned_reply(
                reply=reply,
                title=form.title.data,
                category_id=form.category.data,
                status=form.status.data,
                body_id=form.body_id.data,
                body_en=form.body_en.data,
            )
        flash(_("The canned reply was saved."), "success")
        return redirect(url_for("case_admin.canned"), code=303)
    return render_template("cases/admin/canned_form.html", form=form, reply=reply)


def _placeholders_known(form: CannedReplyForm) -> bool:
    """Refuse a {name} we would not fill, by its field (the text is kept)."""
    known = True
    for field in (form.body_id, form.body_en):
        unknown = unknown_placeholders(field.data or "")
        if unknown:
            field.errors = [
                *field.errors,
                _(
                    "Unknown placeholder %(names)s: use {reference} or {deadline}.",
                    names=", ".join("{" + name + "}" for name in unknown),
                ),
            ]
            known = False
    return known


@bp.route("/balasan/<int:reply_id>/hapus", methods=["POST"])
@roles_required("admin")
def canned_delete(reply_id: int) -> Response:
    """Delete a canned reply."""
    reply = db.get_or_404(CannedReply, reply_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        delete_canned_reply(reply)
    flash(_("The canned reply was deleted."), "success")
    return redirect(url_for("case_admin.canned"), code=303)
