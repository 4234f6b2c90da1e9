"""The live checklist of the report form's formal part: the page's script sends the form as it
is filled (without its files) and shows the checklist the server computes. Stores nothing; the
page shows the same checklist without scripts after "check what is still missing"."""

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from portal.access import public
from portal.db import utcnow
from portal.extensions import limiter
from portal.intake.filing import fill_choices, form_owner, read_draft
from portal.intake.formal.filing import form_checklist, formal_form
from portal.intake.forms import ReportForm
from portal.reference.queries import list_categories, list_regions

bp = Blueprint("formal", __name__)


@bp.post("/lapor/resmi/periksa")
@public
@limiter.limit(lambda: current_app.config["FORMAL_CHECK_RATE_LIMIT"])
def checklist() -> ResponseReturnValue:
    """The checklist of the posted form, as the HTML fragment the form shows."""
    categories, regions = list_categories(), list_regions()
    form = ReportForm()
    fill_choices(form, categories, regions)
    formal = formal_form()
    formal.is_formal.data = True
    found = form_checklist(
        formal,
        read_draft(form, categories, regions),
        now=utcnow(),
        owner=form_owner(form),
        has_id_card=request.form.get("has_id_card") == "1",
    )
    response = current_app.make_response(
        render_template("intake/formal/_checklist.html", checklist=found)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
