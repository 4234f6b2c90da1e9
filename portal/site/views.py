"""Site-wide pages: language switch and health check."""

from flask import Blueprint, current_app, redirect, request, session
from flask.typing import ResponseReturnValue

from portal.access import public
from portal.i18n import SESSION_KEY
from portal.security import safe_next

bp = Blueprint("site", __name__)


@bp.post("/bahasa")
@public
def set_language() -> ResponseReturnValue:
    """Remember the chosen language and return to the page the visitor was on."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = lang
        session.permanent = True
    return redirect(safe_next(request.form.get("next")), code=303)


@bp.get("/healthz")
@public
def health() -> dict[str, str]:
    """Liveness probe for load balancers."""
    return {"status": "ok"}
