"""Admin pages for teams and complaint categories."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db as database
from portal.access import roles_required
from portal.accounts import bp, operations, queries
from portal.accounts.admin_views import chosen_team, team_choices
from portal.accounts.forms import CategoryForm, TeamForm
from portal.accounts.models import Role
from portal.accounts.questions import QuestionsError, format_questions, parse_questions


@bp.get("/admin/tim")
@roles_required(Role.ADMIN)
def teams():
    """Every team with its email address and member count."""
    return render_template("accounts/admin/teams.html", teams=queries.list_teams())


@bp.route("/admin/tim/baru", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_team():
    """Add a team."""
    form = TeamForm()
    if form.validate_on_submit():
        try:
            operations.create_team(name=form.name.data, slug=form.slug.data,
                                   email=form.email.data)
        except operations.AccountError as err:
            form.form_errors.append(str(err))
        else:
            database.commit()
            flash(_("The team was created."), "success")
            return redirect(url_for("accounts.teams"), code=303)
    return render_template("accounts/admin/team_form.html", form=form, team=None)


@bp.route("/admin/tim/<int:team_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_team(team_id: int):
    """Rename a team, change its short name, email address or active flag."""
    team = queries.get_team(team_id, for_update=request.method == "POST") or abort(404)
    form = TeamForm(obj=team)
    if request.method == "GET":
        form.version.data = queries.edit_version(team)
    elif form.validate_on_submit():
        try:
            operations.update_team(team, version=form.version.data or "", name=form.name.data,
                                   slug=form.slug.data, email=form.email.data,
                                   is_active=form.is_active.data)
        except operations.AccountError as err:
            database.rollback()
            form.form_errors.append(str(err))
        else:
            database.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.teams"), code=303)
    return render_template("accounts/admin/team_form.html", form=form, team=team)


@bp.get("/admin/kategori")
@roles_required(Role.ADMIN)
def categories():
    """Every category with its deadline and default team."""
    return render_template("accounts/admin/categories.html", categories=queries.list_categories())


@bp.route("/admin/kategori/<int:category_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_category(category_id: int):
    """Names, descriptions, deadlines, default team and extra questions of a category."""
    category = queries.get_category(category_id, for_update=request.method == "POST")
    if category is None:
        abort(404)
    form = CategoryForm(obj=category)
    form.default_team_id.choices = team_choices(_("No default team"))
    if request.method == "GET":
        form.default_team_id.data = category.default_team_id or 0
        form.questions.data = format_questions(category.questions)
        form.version.data = queries.edit_version(category)
    elif form.validate_on_submit():
        try:
            questions = parse_questions(form.questions.data or "")
        except QuestionsError as err:
            form.questions.errors = list(form.questions.errors) + err.messages
        else:
            if _save_category(category, form, questions):
                return redirect(url_for("accounts.categories"), code=303)
    return render_template("accounts/admin/category_form.html", form=form, category=category)


def _save_category(category, form: CategoryForm, questions: list) -> bool:  # noqa: ANN001
    """Apply a valid category form; False (with the reason on the form) when refused."""
    try:
        operations.update_category(
            category, version=form.version.data,
            default_team=chosen_team(form.default_team_id.data),
            questions=questions, **{name: getattr(form, name).data for name in (
                "name_id", "name_en", "description_id", "description_en", "deadline_days",
                "deadline_working_days", "reporting_window_days", "is_active")})
    except operations.AccountError as err:
        database.rollback()
        form.form_errors.append(str(err))
        return False
    database.commit()
    flash(_("Saved."), "success")
    return True
