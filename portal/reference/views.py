"""Admin pages for complaint categories: names, deadlines, default team and extra questions."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.access import roles_required
from portal.accounts.models import Role, Team
from portal.db import EditError, db, edit_version, unit_of_work
from portal.i18n import current_language
from portal.legal.queries import list_regimes
from portal.reference import operations, queries
from portal.reference.forms import CategoryForm
from portal.reference.groups import GROUP_LABELS, group_choices
from portal.reference.models import Category
from portal.reference.questions import QuestionsError, format_questions, parse_questions

bp = Blueprint("reference", __name__, url_prefix="/petugas/admin")


@bp.get("/kategori")
@roles_required(Role.ADMIN)
def categories() -> str:
    """Every category with its deadline and default team."""
    categories = queries.list_categories(include_inactive=True)
    return render_template(
        "reference/categories.html", categories=categories, group_labels=GROUP_LABELS
    )


@bp.route("/kategori/<int:category_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_category(category_id: int) -> str | Response:
    """Names, descriptions, deadlines, default team and extra questions of a category."""
    category = queries.get_category(category_id, for_update=request.method == "POST")
    if category is None:
        abort(404)
    form = CategoryForm(obj=category)
    form.group.choices = group_choices()
    form.default_team_id.choices = [SelectChoice(0, _("No default team"))] + [
        SelectChoice(t.id, t.name) for t in queries.list_teams()
    ]
    form.regime_id.choices = [SelectChoice(0, _("None: no legal window"))] + [
        SelectChoice(r.id, r.name(current_language())) for r in list_regimes()
    ]
    if request.method == "GET":
        form.default_team_id.data = category.default_team_id or 0
        form.regime_id.data = category.regime_id or 0
        form.questions.data = format_questions(category.questions)
        form.version.data = edit_version(category)
    elif form.validate_on_submit():
        try:
            questions = parse_questions(form.questions.data or "")
        except QuestionsError as err:
            form.questions.errors = list(form.questions.errors) + err.messages
        else:
            if _save_category(category, form, questions):
                return redirect(url_for("reference.categories"), code=303)
    return render_template("reference/category_form.html", form=form, category=category)


def _save_category(category: Category, form: CategoryForm, questions: list[dict[str, Any]]) -> bool:
    """Apply a valid category form; False (with the reason on the form) when refused."""
    try:
        with unit_of_work():
            operations.update_category(
                category,
                version=form.version.data,
                default_team=db.session.get(Team, team_id)
                if (team_id := form.default_team_id.data)
                else None,
                questions=questions,
                **{
                    name: getattr(form, name).data
                    for name in operations.CATEGORY_FIELDS
                    if name not in ("questions", "regime_id")
                },
                regime_id=form.regime_id.data or None,
            )
    except EditError as err:
        form.form_errors.append(str(err))
        return False
    flash(_("Saved."), "success")
    return True
