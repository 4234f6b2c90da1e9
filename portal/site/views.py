"""Site-wide pages: language switch and health check."""

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    request,
    send_from_directory,
    session,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from portal.access import public
from portal.extensions import csrf
from portal.i18n import SESSION_KEY
from portal.security import safe_next, sent_from_this_site

bp = Blueprint("site", __name__)


@bp.post("/bahasa")
@public
@csrf.exempt
def set_language() -> ResponseReturnValue:
    """Remember the chosen language and return to the page the visitor was on.

    Checked by its Origin instead of a CSRF token: the switch is on every page, and a token in
    it would give every first-time visitor a session and a cookie to sign, and every cached
    public page a token to fill in (bench/pages.py: about a third of a cached page's cost).
    """
    if not sent_from_this_site():
        raise CSRFError()  # the same "not sent from this site" page as a missing token
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


@bp.get("/favicon.ico")
@public
def favicon() -> Response:
    """The icon browsers ask for at the root whatever the page says; the SVG is linked too."""
    folder = Path(current_app.static_folder or "") / "icons"
    return send_from_directory(folder, "favicon.ico", mimetype="image/x-icon", max_age=86400)
