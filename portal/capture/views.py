"""Views of the capture area: capture artefacts for staff, the bundle, the account registry,
the platform sessions."""

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.access import roles_required, staff_user
from portal.accounts.models import User
from portal.capture.bundle import build_bundle
from portal.capture.forms import PLATFORM_NAMES, DeleteForm, ImportForm, RetryForm, SessionForm
from portal.capture.models import Capture, OfficialAccount
from portal.capture.operations import (
    NothingToRetry,
    flag_official_accounts,
    headers_key,
    retry_capture,
)
from portal.capture.queries import (
    get_capture_for,
    list_link_captures,
    list_official_accounts,
    list_sessions,
    official_accounts_for_case,
)
from portal.capture.registry import ImportRejected, import_official_accounts
from portal.capture.registry import delete_official_account as delete_account_op
from portal.capture.sessions import (
    SessionKeyInvalid,
    SessionRejected,
    key_id,
    remove_session,
    save_session,
    session_key,
)
from portal.cases.history import record_event
from portal.cases.models import Case, Visibility
from portal.cases.page import Section, register_case_section
from portal.cases.queries import get_case_for
from portal.db import db, unit_of_work, utcnow
from portal.evidence.storage import StoredFileMissing, get_storage
from portal.proof.queries import list_stamps, timestamps_enabled

bp = Blueprint("capture", __name__)

logger = logging.getLogger(__name__)


LIVENESS_LABELS = {
    "live": _l("Online"),
    "removed": _l("Removed"),
    "private": _l("Private or behind a login"),
    "changed": _l("Changed since the capture"),
    "unreachable": _l("Could not be checked"),
    "login_wall": _l("Unknown: the platform showed a login page"),
}
WALL_HEADLINES = {
    "login": _l("Login wall: the platform showed a login page instead of the post."),
    "consent": _l("Consent wall: the platform showed a cookie consent page instead of the post."),
    "interstitial": _l("Interstitial: the platform showed a placeholder page instead of the post."),
}
WALL_REASONS = {
    "login_redirect": _l("The link was redirected to the login page."),
    "login_title": _l("The page is titled as the login page."),
    "login_text": _l("The page asks the visitor to log in."),
    "login_form": _l("The page is a login form with no post in it."),
    "login_data": _l("The page's data says that a login is required."),
    "consent": _l("The page asks to accept cookies before showing anything."),
    "js_required": _l("The page shows nothing without JavaScript."),
    "placeholder": _l("The page is the platform's generic page, not the post."),
}
ERROR_LABELS = {
    "dns": _l("The host name could not be resolved"),
    "blocked_address": _l("Refused: the address is not public"),
    "bad_scheme": _l("Refused: only http and https links are fetched"),
    "bad_port": _l("Refused: only ports 80 and 443 are fetched"),
    "bad_url": _l("Refused: the address is malformed"),
    "too_many_redirects": _l("Too many redirects"),
    "too_large": _l("Page too large: cut off at the size limit"),
    "timeout": _l("Timed out"),
    "connection": _l("The connection failed"),
    "http_error": _l("The site answered with an error"),
}


@bp.app_template_global()
def liveness_label(state: str | None) -> str:
    """A post state in words (the case page and the bundle's summary)."""
    return str(LIVENESS_LABELS.get(state or "", _l("Not checked yet")))


@bp.app_template_global()
def capture_error_label(code: str) -> str:
    """Why a capture failed, in words."""
    return str(ERROR_LABELS.get(code, code))


@bp.app_template_global()
def wall_labels(capture: Capture) -> tuple[str, str]:
    """A login-wall capture's headline and the reason it was judged one, in words."""
    headline = WALL_HEADLINES.get(capture.wall_kind or "login", WALL_HEADLINES["login"])
    return str(headline), str(WALL_REASONS.get(capture.wall_reason or "", ""))


def capture_section(case: Case, user: User) -> Section:
    """The case page's section on linked posts: captures, their state, official accounts."""
    links = list_link_captures(case)
    captured = [cap.id for item in links if (cap := getattr(item, "capture", None)) is not None]
    data = {
        "links": links,
        "officials": official_accounts_for_case(case),
        "stamps": {cap_id: list_stamps("capture", cap_id) for cap_id in captured},
        "timestamps_on": timestamps_enabled(),
        "retry_form": RetryForm(formdata=None),
    }
    return Section(
        "capture/_case_section.html",
        data,
        place="after_reports",
        link_template="capture/_link_card.html",
        links={item.url: item for item in links},
    )


@bp.record_once
def _show_on_case_page(state: BlueprintSetupState) -> None:
    register_case_section(state.app, capture_section)


def _capture_or_404(capture_id: int) -> Capture:
    capture = get_capture_for(staff_user(), capture_id)
    if capture is None:
        abort(404)
    return capture


def _file(key: str | None, mime: str, name: str, *, attachment: bool) -> Response:
    try:
        data = get_storage().get(key) if key else None
    except StoredFileMissing:
        logger.error("Stored capture file missing: %s", key)
        data = None
    if data is None:
        abort(404)
    response = Response(data, mimetype=mime)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/petugas/tangkapan/<int:capture_id>/layar.png")
@roles_required()
def screenshot(capture_id: int) -> Response:
    """The rendered screenshot of a captured link, as an image."""
    capture = _capture_or_404(capture_id)
    return _file(
        capture.screenshot_key, "image/png", f"tangkapan-{capture.id}.png", attachment=False
    )


@bp.get("/petugas/tangkapan/<int:capture_id>/halaman.html")
@roles_required()
def html(capture_id: int) -> Response:
    """The captured HTML: attacker-written, so only ever a download, never a page."""
    capture = _capture_or_404(capture_id)
    return _file(
        capture.html_key,
        "application/octet-stream",
        f"tangkapan-{capture.id}.html.txt",
        attachment=True,
    )


@bp.get("/petugas/tangkapan/<int:capture_id>/header.json")
@roles_required()
def headers(capture_id: int) -> Response:
    """Status, redirects and kept headers of the capture, as a download."""
    capture = _capture_or_404(capture_id)
    return _file(
        headers_key(capture),
        "application/octet-stream",
        f"tangkapan-{capture.id}-header.json",
        attachment=True,
    )


@bp.get("/petugas/kasus/<int:case_id>/bundel.zip")
@roles_required()
def bundle(case_id: int) -> Response:
    """The case's evidence bundle (ZIP); every export is recorded in the case history."""
    user = staff_user()
    case = get_case_for(user, case_id)
    if case is None:
        abort(404)
    data = build_bundle(case, user)
    with unit_of_work():
        record_event(
            case,
            "bundle_exported",
            visibility=Visibility.INTERNAL,
            actor=user,
            data={"size": len(data)},
        )
    name = f"bundel-{case.reference or case.id}.zip"
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/petugas/kasus/<int:case_id>/tangkapan/ulang")
@roles_required()
def retry(case_id: int) -> ResponseReturnValue:
    """Try a failed link capture again now (the worker runs it on its next pass)."""
    user = staff_user()
    case = get_case_for(user, case_id)
    if case is None:
        abort(404)
    form = RetryForm()
    urls = {item.url for item in list_link_captures(case) if item.can_retry}
    if not form.validate_on_submit() or form.url.data not in urls:
        flash(_("This link has nothing to try again."), "error")
    else:
        try:
            with unit_of_work():
                retry_capture(case=case, url=form.url.data, actor=user, now=utcnow())
            flash(
                _("The capture is queued again: the worker tries it on its next pass."), "success"
            )
        except NothingToRetry:
            flash(_("This link has nothing to try again."), "error")
    return redirect(url_for("cases.detail", case_id=case.id) + "#captures", code=303)


@bp.route("/petugas/admin/akun-resmi", methods=["GET", "POST"])
@roles_required("admin")
def official_accounts() -> ResponseReturnValue:
    """The registry of official accounts, with CSV import."""
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            with unit_of_work():
                added, updated = import_official_accounts(data=form.file.data.read())
                flag_official_accounts()  # cases already open may name the new accounts
            flash(
                _("Imported: %(added)d added, %(updated)d updated.", added=added, updated=updated),
                "success",
            )
            return redirect(url_for("capture.official_accounts"), code=303)
        except ImportRejected as rejected:
            errors = rejected.errors
    status = 400 if form.is_submitted() else 200
    return render_template(
        "capture/official_accounts.html",
        form=form,
        errors=errors,
        accounts=list_official_accounts(),
        delete_form=DeleteForm(),
    ), status


@bp.post("/petugas/admin/akun-resmi/<int:account_id>/hapus")
@roles_required("admin")
def delete_official_account(account_id: int) -> ResponseReturnValue:
    """Remove one account from the registry."""
    if not DeleteForm().validate_on_submit():
        abort(400)
    account = db.get_or_404(OfficialAccount, account_id)
    with unit_of_work():
        delete_account_op(account=account)
    flash(_("Account removed from the registry."), "success")
    return redirect(url_for("capture.official_accounts"), code=303)


def _key_state() -> tuple[str, bytes | None]:
    """off (no key), short (unusable key) or on, with the key when on."""
    try:
        key = session_key(current_app.config)
    except SessionKeyInvalid:
        return "short", None
    return ("on" if key else "off"), key


@bp.route("/petugas/admin/sesi-platform", methods=["GET", "POST"])
@roles_required("admin")
def sessions() -> ResponseReturnValue:
    """Platform sessions for captures: upload (never shown again), expiry, removal."""
    form = SessionForm()
    state, key = _key_state()
    error = None
    if form.validate_on_submit():
        platform = form.platform.data
        limit = int(current_app.config["CAPTURE_SESSION_MAX_BYTES"])
        try:
            if key is None:
                raise SessionRejected(_("Sessions are switched off: nothing was stored."))
            with unit_of_work():
                save_session(
                    platform=platform,
                    data=form.file.data.read(limit + 1),
                    user=staff_user(),
                    config=current_app.config,
                )
            flash(_("The %(platform)s session is stored, sealed.", platform=platform), "success")
            return redirect(url_for("capture.sessions"), code=303)
        except SessionRejected as rejected:
            error = str(rejected)
    return render_template(
        "capture/sessions.html",
        form=form,
        error=error,
        key_state=state,
        key_id=key_id(key) if key else None,
        platforms=PLATFORM_NAMES,
        stored=list_sessions(),
        delete_form=DeleteForm(),
        now=utcnow(),
    ), 400 if form.is_submitted() else 200


@bp.post("/petugas/admin/sesi-platform/<platform>/hapus")
@roles_required("admin")
def remove_platform_session(platform: str) -> ResponseReturnValue:
    """Delete one platform's session; its links are then fetched without one."""
    if not DeleteForm().validate_on_submit():
        abort(400)
    row = list_sessions().get(platform)
    if row is None:
        abort(404)
    with unit_of_work():
        remove_session(session=row, user=staff_user())
    flash(_("The %(platform)s session is removed.", platform=platform), "success")
    return redirect(url_for("capture.sessions"), code=303)
