"""Audit pages: the whole history's hash chains, and one case's chain with its events."""

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.access import roles_required, staff_user
from portal.accounts.models import Role
from portal.cases import queries
from portal.cases.audit.queries import get_case_audit, verify_all
from portal.cases.models import Case
from portal.cases.page import case_or_404
from portal.db import db

bp = Blueprint("audit", __name__)


@bp.get("/petugas/kasus/<int:case_id>/audit")
@roles_required()
def case_chain(case_id: int) -> str:
    """One case's chain: intact with its head hash, or the first altered event."""
    case = case_or_404(case_id)
    return render_template("cases/audit/case.html", case=case, audit=get_case_audit(case))


@bp.get("/petugas/audit")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def overview() -> str | Response:
    """Verify every case's chain; a reference in ?ref= opens that case's check."""
    reference = request.args.get("ref", "").strip().upper()
    if reference:
        found = db.session.scalar(sa.select(Case.id).where(Case.reference == reference))
        if found and queries.get_case_for(staff_user(), found):
            return redirect(url_for("audit.case_chain", case_id=found), code=303)
    summary = verify_all(scope=queries.scope(staff_user()))
    return render_template("cases/audit/overview.html", summary=summary, reference=reference)
