"""Staff login, logout, own account and the staff landing page."""

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db as database
from portal.access import public, roles_required, staff_user
from portal.accounts import auth, bp, operations
from portal.accounts.forms import LoginForm, PasswordChangeForm, ProfileForm
from portal.accounts.models import Role
from portal.extensions import limiter
from portal.security import safe_next

logger = logging.getLogger(__name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def staff_link(endpoint: str, path: str) -> str:
    """The URL of another area's page, or its planned path while that area has no such view."""
    return url_for(endpoint) if endpoint in current_app.view_functions else path


@bp.app_context_processor
def _inject_staff_link() -> dict:
    return {"staff_link": staff_link}


@bp.route("/masuk", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: r.status_code != 303)
def login():
    """The staff login form; one message for every kind of failure."""
    form = LoginForm(next=request.args.get("next", ""))
    target = safe_next(form.next.data, url_for("accounts.dashboard"))
    if current_user.is_authenticated:
        return redirect(target, code=303)
    if form.validate_on_submit():
        user = operations.authenticate(email=form.email.data, password=form.password.data,
                                       is_known_device=auth.is_known_device)
        database.commit()
        if user is not None:
            auth.start_session(user)
            logger.info("User %s logged in", user.id)
            response = redirect(target, code=303)
            auth.remember_device(response, user)
            return response
        form.form_errors.append(_(
            "The email address or password is not correct. After several failed attempts "
            "logging in to the account is paused for a few minutes."))
    return render_template("accounts/login.html", form=form)


@bp.post("/keluar")
@roles_required()
def logout():
    """End this session, and every other copy of its cookie."""
    operations.end_sessions(staff_user())
    database.commit()
    auth.end_session()
    flash(_("You have logged out."), "success")
    return redirect(url_for("accounts.login"), code=303)


@bp.get("/")
@roles_required()
def dashboard():
    """The staff landing page: where to go next."""
    user = staff_user()
    return render_template("accounts/dashboard.html", user=user, is_admin=user.role == Role.ADMIN)


@bp.route("/akun/sandi", methods=["GET", "POST"])
@roles_required()
def change_password():
    """Change one's own password; sessions in other browsers end."""
    form = PasswordChangeForm()
    user = staff_user()
    if form.validate_on_submit():
        try:
            operations.change_password(user, current=form.current_password.data,
                                       new=form.new_password.data)
        except operations.AccountError as err:
            form.form_errors.append(str(err))
        else:
            database.commit()
            auth.refresh_session(user)
            flash(_("Your password was changed. Other sessions were logged out."), "success")
            response = redirect(url_for("accounts.dashboard"), code=303)
            auth.remember_device(response, user)
            return response
    return render_template("accounts/password.html", form=form)


@bp.route("/akun", methods=["GET", "POST"])
@roles_required()
def profile():
    """One's own name; role, team and status are for admins to change."""
    user = staff_user()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        operations.update_profile(user, name=form.name.data)
        database.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("accounts.profile"), code=303)
    return render_template("accounts/profile.html", form=form, user=user)
