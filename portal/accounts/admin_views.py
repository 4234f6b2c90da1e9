"""Admin pages for staff accounts (supervisors may see their own team's)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from portal import db as database
from portal.access import roles_required, staff_user
from portal.accounts import bp, operations, queries
from portal.accounts.forms import PasswordResetForm, UserCreateForm, UserEditForm
from portal.accounts.models import Role, Team, User


def team_choices(empty_label: str) -> list[SelectChoice]:
    """Teams for a select field; 0 stands for no team."""
    return [SelectChoice(0, empty_label)] + [SelectChoice(t.id, t.name)
                                             for t in queries.list_teams()]


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
def admin_index():
    """The admin's table of contents."""
    return render_template("accounts/admin/index.html")


@bp.get("/admin/pengguna")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def users():
    """All users for admins; a supervisor sees the members of their own team."""
    me = staff_user()
    if me.role == Role.ADMIN:
        rows = queries.list_users()
    else:
        rows = queries.list_users(team=me.team) if me.team else []
    return render_template("accounts/admin/users.html", users=rows,
                           can_edit=me.role == Role.ADMIN, now=database.utcnow())


@bp.route("/admin/pengguna/baru", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user():
    """Add a staff member with an initial password."""
    form = UserCreateForm()
    form.team_id.choices = team_choices(_("No team (admins only)"))
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                email=form.email.data, name=form.name.data, role=form.role.data,
                team=chosen_team(form.team_id.data), password=form.password.data,
                actor=staff_user())
        except operations.AccountError as err:
            form.form_errors.append(str(err))
        else:
            database.commit()
            flash(_("User %(name)s was created.", name=user.name), "success")
            return redirect(url_for("accounts.users"), code=303)
    return render_template("accounts/admin/user_new.html", form=form)


@bp.route("/admin/pengguna/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    """Change a user's name, role, team or active flag."""
    user = load_user_or_404(user_id)
    form = UserEditForm(obj=user)
    form.team_id.choices = team_choices(_("No team (admins only)"))
    if request.method == "GET":
        form.team_id.data = user.team_id or 0
        form.version.data = queries.edit_version(user)
    elif form.validate_on_submit():
        try:
            operations.update_user(
                user, version=form.version.data, email=form.email.data, name=form.name.data,
                role=form.role.data, team=chosen_team(form.team_id.data),
                is_active=form.is_active.data, actor=staff_user())
        except operations.AccountError as err:
            database.rollback()
            form.form_errors.append(str(err))
        else:
            database.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)
    return render_template("accounts/admin/user_edit.html", form=form, user=user,
                           reset_form=PasswordResetForm(), now=database.utcnow(),
                           events=queries.list_account_events(user))


@bp.post("/admin/pengguna/<int:user_id>/buka-kunci")
@roles_required(Role.ADMIN)
def unlock_user(user_id: int):
    """Lift a login lock now."""
    user = load_user_or_404(user_id)
    operations.unlock_user(user, actor=staff_user())
    database.commit()
    flash(_("The account was unlocked."), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)


@bp.post("/admin/pengguna/<int:user_id>/sandi")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    """Give a user a new password (they are logged out everywhere)."""
    user = load_user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            operations.set_password(user, password=form.password.data, actor=staff_user())
        except operations.AccountError as err:
            flash(str(err), "error")
        else:
            database.commit()
            flash(_("The new password was set. Tell it to the user in person."), "success")
    else:
        flash(_("Enter the new password."), "error")
    return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)
