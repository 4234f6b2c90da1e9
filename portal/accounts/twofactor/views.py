"""Two-step sign-in: the code step of the login, setting it up on one's account, and the
admins' policy and reset."""

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import ACCESS_ATTR, public, roles_required, staff_user
from portal.accounts import auth as accounts_auth
from portal.accounts import queries as accounts_queries
from portal.accounts.models import Role, User
from portal.accounts.twofactor import auth, operations, queries, totp
from portal.accounts.twofactor.forms import (
    EnrolmentCodeForm,
    LoginCodeForm,
    PasswordConfirmForm,
    RecoveryCodeForm,
    RolePolicyForm,
)
from portal.db import EditError, unit_of_work
from portal.extensions import limiter

bp = Blueprint("twofactor", __name__, url_prefix="/petugas")
logger = logging.getLogger(__name__)

# What a user who must set up two-step sign-in may still reach.
ENROLMENT_ENDPOINTS = {
    "twofactor.setup",
    "twofactor.start",
    "twofactor.confirm",
    "accounts.logout",
}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.before_app_request
def require_enrolment() -> Response | None:
    """Staff whose role requires two-step sign-in, and who have not set it up, may do only that."""
    endpoint = request.endpoint or ""
    mark = getattr(current_app.view_functions.get(endpoint), ACCESS_ATTR, None)
    if not isinstance(mark, tuple) or endpoint in ENROLMENT_ENDPOINTS:
        return None  # public pages and the set-up itself
    if not current_user.is_authenticated:
        return None
    user = current_user.user
    required = current_user.two_factor_required  # read with the user, when it was
    if required is None:
        required = queries.is_required(user.role)
    if not required or queries.is_enrolled(user):
        return None
    flash(_("Your role requires two-step sign-in. Set it up to continue."), "info")
    return redirect(url_for("twofactor.setup"), code=303)


# The second step of the login --------------------------------------------------------------------


# The same bucket as the password step (a route's own limit is keyed by its endpoint name), so
# that wrong codes use up the client's login attempts too.
@bp.route("/masuk/kode", methods=["GET", "POST"])
@public
@limiter.shared_limit(
    _login_limit,
    scope="accounts.login",
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 303,
)
def login_code() -> Response | str:
    """After a correct password: a code from the app, or a recovery code."""
    pending = auth.get_pending_login()
    if pending is None:
        auth.cancel_pending_login()
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"), code=303)
    code_form, recovery_form = LoginCodeForm(), RecoveryCodeForm()
    form = recovery_form if "recovery_code" in request.form else code_form
    if form.validate_on_submit():
        code = code_form.code.data if form is code_form else recovery_form.recovery_code.data
        with unit_of_work():
            factor = operations.verify_login_code(
                pending.user, code=code, is_known_device=accounts_auth.is_known_device(pending.user)
            )
        if factor is not None:
            logger.info("User %s logged in with %s", pending.user.id, factor)
            response = auth.finish_login(pending.user, pending.next_url)
            if factor is operations.SecondFactor.RECOVERY_CODE:  # after the session is new
                flash(_recovery_code_notice(pending.user), "info")
            return response
        form.form_errors.append(
            _(
                "The code is not correct, or it was used already. Wait for the next code in the "
                "app and try again. After several failed attempts logging in to the account is "
                "paused for a few minutes."
            )
        )
    return render_template(
        "accounts/twofactor/login_code.html", form=code_form, recovery_form=recovery_form
    )


def _recovery_code_notice(user: User) -> str:
    left = queries.count_unused_recovery_codes(user)
    return _(
        "You logged in with a recovery code; %(n)s are left. Make new ones on your account page "
        "if you lost your phone.",
        n=left,
    )


# One's own account -------------------------------------------------------------------------------


def _render_setup(
    user: User,
    *,
    code_form: EnrolmentCodeForm | None = None,
    password_form: PasswordConfirmForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The set-up page: start, scan and confirm, or manage what is in force."""
    credential = queries.get_credential(user)
    context: dict = {
        "user": user,
        "credential": credential,
        "status": queries.get_two_factor_status(user),
    }
    secret = queries.get_secret(credential) if credential and not credential.is_enrolled else None
    if secret is not None:
        uri = totp.provisioning_uri(
            secret, account=user.email, issuer=current_app.config["SITE_NAME"]
        )
        context |= {
            "secret_groups": totp.secret_groups(secret),
            "qr": totp.qr_svg(uri, label=_("QR code for the authenticator app")),
            "code_form": code_form or EnrolmentCodeForm(),
        }
    context["password_form"] = password_form or PasswordConfirmForm()
    return render_template("accounts/twofactor/setup.html", **context), status


@bp.get("/akun/dua-langkah")
@roles_required()
def setup() -> tuple[str, int]:
    """Two-step sign-in on one's own account: set it up, or manage it."""
    return _render_setup(staff_user())


@bp.post("/akun/dua-langkah/mulai")
@roles_required()
def start() -> Response:
    """Make a new secret to scan (replaces one that was never confirmed)."""
    try:
        with unit_of_work():
            operations.start_enrolment(staff_user())
    except EditError as err:
        flash(str(err), "error")
    return redirect(url_for("twofactor.setup"), code=303)


@bp.post("/akun/dua-langkah/aktifkan")
@roles_required()
def confirm() -> tuple[str, int]:
    """Check the first code from the app; on success show the recovery codes, once."""
    user = staff_user()
    form = EnrolmentCodeForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                codes = operations.confirm_enrolment(user, code=form.code.data)
        except EditError as err:
            form.form_errors.append(str(err))
        else:
            return _render_codes(codes, first_time=True)
    return _render_setup(user, code_form=form, status=422)


@bp.post("/akun/dua-langkah/kode-pemulihan")
@roles_required()
def regenerate() -> tuple[str, int]:
    """New recovery codes for the old ones, after the password."""
    user = staff_user()
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                codes = operations.regenerate_recovery_codes(user, password=form.password.data)
        except EditError as err:
            form.form_errors.append(str(err))
        else:
            return _render_codes(codes, first_time=False)
    return _render_setup(user, password_form=form, status=422)


@bp.post("/akun/dua-langkah/matikan")
@roles_required()
def disable() -> Response | tuple[str, int]:
    """Turn two-step sign-in off, after the password (not when the role requires it)."""
    user = staff_user()
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                operations.disable_two_factor(user, password=form.password.data)
        except EditError as err:
            form.form_errors.append(str(err))
        else:
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("twofactor.setup"), code=303)
    return _render_setup(user, password_form=form, status=422)


def _render_codes(codes: list[str], *, first_time: bool) -> tuple[str, int]:
    """The recovery codes, shown this once (staff pages are never cached)."""
    return render_template(
        "accounts/twofactor/recovery_codes.html", codes=codes, first_time=first_time
    ), 200


# Administration ------------------------------------------------------------------------------


@bp.post("/admin/pengguna/<int:user_id>/dua-langkah/reset")
@roles_required(Role.ADMIN)
def reset(user_id: int) -> Response:
    """Remove a user's two-step sign-in (a lost phone); their sessions end."""
    try:
        with unit_of_work():
            user = accounts_queries.get_user(user_id, for_update=True) or abort(404)
            operations.reset_two_factor(user, actor=staff_user())
    except EditError as err:
        flash(str(err), "error")
    else:
        flash(_("Two-step sign-in of %(name)s was reset.", name=user.name), "success")
    return redirect(url_for("accounts.edit_user", user_id=user_id), code=303)


@bp.route("/admin/dua-langkah", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def policy() -> Response | str:
    """Which roles must use two-step sign-in."""
    policies = queries.list_role_policies()
    form = RolePolicyForm()
    if request.method == "GET":
        for role, row in policies.items():
            form[role].data = bool(row and row.is_two_factor_required)
    elif form.validate_on_submit():
        roles = [role.value for role in Role if form[role.value].data]
        with unit_of_work():
            operations.set_required_roles(roles=roles, actor=staff_user())
        flash(_("Saved."), "success")
        return redirect(url_for("twofactor.policy"), code=303)
    return render_template("accounts/twofactor/policy.html", form=form, policies=policies)
