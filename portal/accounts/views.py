"""Staff login, logout, own account and the staff landing page."""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal import db as database
from portal.access import public, roles_required, staff_user
from portal.accounts import auth, operations, queries
from portal.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    TeamForm,
    UserCreateForm,
    UserEditForm,
)
from portal.accounts.models import Role, Team, User
from portal.accounts.twofactor import auth as twofactor_auth
from portal.accounts.twofactor.queries import EVENT_KINDS as TWO_FACTOR_EVENT_KINDS
from portal.accounts.twofactor.queries import get_two_factor_status
from portal.extensions import limiter
from portal.security import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/petugas")
bp.before_app_request(auth.enforce_timeouts)
bp.after_app_request(auth.forbid_caching)

logger = logging.getLogger(__name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.app_template_global()
def staff_link(endpoint: str, path: str) -> str:
    """The URL of another area's page, or its planned path while that area has no such view."""
    return url_for(endpoint) if endpoint in current_app.view_functions else path


@bp.route("/masuk", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: r.status_code != 303)
def login() -> ResponseReturnValue:
    """The staff login form; one message for every kind of failure."""
    form = LoginForm(next=request.args.get("next", ""))
    target = safe_next(form.next.data, url_for("accounts.dashboard"))
    if current_user.is_authenticated:
        return redirect(target, code=303)
    if form.validate_on_submit():
        with database.unit_of_work():
            user = operations.authenticate(
                email=form.email.data,
                password=form.password.data,
                is_known_device=auth.is_known_device,
                has_second_factor=twofactor_auth.needs_second_step,
            )
        if user is not None and twofactor_auth.needs_second_step(user):
            return twofactor_auth.begin_second_step(user, target)
        if user is not None:
            auth.start_session(user)
            logger.info("User %s logged in", user.id)
            response = redirect(target, code=303)
            auth.remember_device(response, user)
            return response
        form.form_errors.append(
            _(
                "The email address or password is not correct. After several failed attempts "
                "logging in to the account is paused for a few minutes."
            )
        )
    return render_template("accounts/login.html", form=form)


@bp.post("/keluar")
@roles_required()
def logout() -> ResponseReturnValue:
    """End this session, and every other copy of its cookie."""
    with database.unit_of_work():
        operations.end_sessions(staff_user())
    auth.end_session()
    flash(_("You have logged out."), "success")
    return redirect(url_for("accounts.login"), code=303)


@bp.get("/")
@roles_required()
def dashboard() -> str:
    """The staff landing page: where to go next."""
    user = staff_user()
    return render_template("accounts/dashboard.html", user=user, is_admin=user.role == Role.ADMIN)


@bp.route("/akun/sandi", methods=["GET", "POST"])
@roles_required()
def change_password() -> ResponseReturnValue:
    """Change one's own password; sessions in other browsers end."""
    form = PasswordChangeForm()
    user = staff_user()
    if form.validate_on_submit():
        try:
            with database.unit_of_work():
                operations.change_password(
                    user, current=form.current_password.data, new=form.new_password.data
                )
        except database.EditError as err:
            form.form_errors.append(str(err))
        else:
            auth.refresh_session(user)
            flash(_("Your password was changed. Other sessions were logged out."), "success")
            response = redirect(url_for("accounts.dashboard"), code=303)
            auth.remember_device(response, user)
            return response
    return render_template("accounts/password.html", form=form)


@bp.route("/akun", methods=["GET", "POST"])
@roles_required()
def profile() -> ResponseReturnValue:
    """One's own name; role, team and status are for admins to change."""
    user = staff_user()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        with database.unit_of_work():
            operations.update_profile(user, name=form.name.data)
        flash(_("Saved."), "success")
        return redirect(url_for("accounts.profile"), code=303)
    return render_template(
        "accounts/profile.html", form=form, user=user, two_factor=get_two_factor_status(user)
    )


# Administration: users and teams -------------------------------------------------------------


def team_choices(empty_label: str) -> list[SelectChoice]:
    """Teams for a select field; 0 stands for no team."""
    return [SelectChoice(0, empty_label)] + [
        SelectChoice(t.id, t.name) for t in queries.list_teams()
    ]


def chosen_team(team_id: int) -> Team | None:
    """The team a select field names, or None for 0."""
    return queries.get_team(team_id) if team_id else None


def load_user_or_404(user_id: int) -> User:
    """The user from the URL; locked for the transaction when the request may write."""
    user = queries.get_user(user_id, for_update=request.method == "POST")
    if user is None:
        abort(404)
    return user


@bp.get("/admin/")
@roles_required(Role.ADMIN)
def admin_index() -> str:
    """The admin's table of contents."""
    return render_template("accounts/admin/index.html")


@bp.get("/admin/pengguna")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def users() -> str:
    """All users for admins; a supervisor sees the members of their own team."""
    me = staff_user()
    if me.role == Role.ADMIN:
        rows = queries.list_users()
    else:
        rows = queries.list_users(team=me.team) if me.team else []
    return render_template(
        "accounts/admin/users.html",
        users=rows,
        can_edit=me.role == Role.ADMIN,
        now=database.utcnow(),
    )


@bp.route("/admin/pengguna/baru", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    """Add a staff member with an initial password."""
    form = UserCreateForm()
    form.team_id.choices = team_choices(_("No team (admins only)"))
    if form.validate_on_submit():
        try:
            with database.unit_of_work():
                user = operations.create_user(
                    email=form.email.data,
                    name=form.name.data,
                    role=form.role.data,
                    team=chosen_team(form.team_id.data),
                    password=form.password.data,
                    actor=staff_user(),
                )
        except database.EditError as err:
            form.form_errors.append(str(err))
        else:
            flash(_("User %(name)s was created.", name=user.name), "success")
            return redirect(url_for("accounts.users"), code=303)
    return render_template("accounts/admin/user_new.html", form=form)


@bp.route("/admin/pengguna/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> ResponseReturnValue:
    """Change a user's name, role, team or active flag."""
    user = load_user_or_404(user_id)
    form = UserEditForm(obj=user)
    form.team_id.choices = team_choices(_("No team (admins only)"))
    if request.method == "GET":
        form.team_id.data = user.team_id or 0
        form.version.data = database.edit_version(user)
    elif form.validate_on_submit():
        try:
            with database.unit_of_work():
                operations.update_user(
                    user,
                    version=form.version.data,
                    email=form.email.data,
                    name=form.name.data,
                    role=form.role.data,
                    team=chosen_team(form.team_id.data),
                    is_active=form.is_active.data,
                    actor=staff_user(),
                )
        except database.EditError as err:
            form.form_errors.append(str(err))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)
    return render_template(
        "accounts/admin/user_edit.html",
        form=form,
        user=user,
        reset_form=PasswordResetForm(),
        now=database.utcnow(),
        events=queries.list_account_events(user),
        two_factor=get_two_factor_status(user),
        two_factor_event_kinds=TWO_FACTOR_EVENT_KINDS,
    )


@bp.post("/admin/pengguna/<int:user_id>/buka-kunci")
@roles_required(Role.ADMIN)
def unlock_user(user_id: int) -> ResponseReturnValue:
    """Lift a login lock now."""
    user = load_user_or_404(user_id)
    with database.unit_of_work():
        operations.unlock_user(user, actor=staff_user())
    flash(_("The account was unlocked."), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)


@bp.post("/admin/pengguna/<int:user_id>/sandi")
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    """Give a user a new password (they are logged out everywhere)."""
    user = load_user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            with database.unit_of_work():
                operations.set_password(user, password=form.password.data, actor=staff_user())
        except database.EditError as err:
            flash(str(err), "error")
        else:
            flash(_("The new password was set. Tell it to the user in person."), "success")
    else:
        flash(_("Enter the new password."), "error")
    return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)


@bp.get("/admin/tim")
@roles_required(Role.ADMIN)
def teams() -> str:
    """Every team with its email address and member count."""
    return render_template("accounts/admin/teams.html", teams=queries.list_teams())


@bp.route("/admin/tim/baru", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_team() -> ResponseReturnValue:
    """Add a team."""
    form = TeamForm()
    if form.validate_on_submit():
        try:
            with database.unit_of_work():
                operations.create_team(
                    name=form.name.data, slug=form.slug.data, email=form.email.data
                )
        except database.EditError as err:
            form.form_errors.append(str(err))
        else:
            flash(_("The team was created."), "success")
            return redirect(url_for("accounts.teams"), code=303)
    return render_template("accounts/admin/team_form.html", form=form, team=None)


@bp.route("/admin/tim/<int:team_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_team(team_id: int) -> ResponseReturnValue:
    """Rename a team, change its short name, email address or active flag."""
    team = queries.get_team(team_id, for_update=request.method == "POST") or abort(404)
    form = TeamForm(obj=team)
    if request.method == "GET":
        form.version.data = database.edit_version(team)
    elif form.validate_on_submit():
        try:
            with database.unit_of_work():
                operations.update_team(
                    team,
                    version=form.version.data or "",
                    name=form.name.data,
                    slug=form.slug.data,
                    email=form.email.data,
                    is_active=form.is_active.data,
                )
        except database.EditError as err:
            form.form_errors.append(str(err))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.teams"), code=303)
    return render_template("accounts/admin/team_form.html", form=form, team=team)
