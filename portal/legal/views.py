"""Admin pages of the legal area: the regimes' clocks and the days off (cuti bersama)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import roles_required
from portal.accounts.models import Role
from portal.db import EditError, db, edit_version, unit_of_work
from portal.legal import operations, queries
from portal.legal.forms import DayOffForm, RegimeForm, RemoveDayOffForm
from portal.legal.models import DayOff, Regime

bp = Blueprint("legal", __name__, url_prefix="/petugas/admin")


@bp.get("/rezim")
@roles_required(Role.ADMIN)
def regimes() -> str:
    """Every regime with its clocks."""
    return render_template("legal/regimes.html", regimes=queries.list_regimes())


@bp.route("/rezim/<int:regime_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_regime(regime_id: int) -> str | Response:
    """Names, clocks and legal basis of one regime."""
    regime = queries.get_regime(regime_id, for_update=request.method == "POST")
    if regime is None:
        abort(404)
    form = RegimeForm(obj=regime)
    if request.method == "GET":
        form.version.data = edit_version(regime)
    elif form.validate_on_submit() and _save_regime(regime, form):
        return redirect(url_for("legal.regimes"), code=303)
    return render_template("legal/regime_form.html", form=form, regime=regime)


def _save_regime(regime: Regime, form: RegimeForm) -> bool:
    """Apply a valid regime form; False (with the reason on the form) when refused."""
    try:
        with unit_of_work():
            operations.update_regime(
                regime,
                version=form.version.data,
                **{name: getattr(form, name).data for name in Regime.editable if name != "basis"},
                basis=(form.basis.data or "").strip(),
            )
    except EditError as err:
        form.form_errors.append(str(err))
        return False
    flash(_("Saved."), "success")
    return True


@bp.route("/hari-libur", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def days_off() -> ResponseReturnValue:
    """The days off the public-holiday calendar does not know; add one."""
    form = DayOffForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                operations.add_day_off(day=form.day.data, name=form.name.data)
        except operations.DayOffExists:
            form.day.errors = [_("This date is already a day off.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("legal.days_off"), code=303)
    return render_template(
        "legal/days_off.html",
        form=form,
        remove_form=RemoveDayOffForm(),
        days=queries.list_days_off(),
    ), (400 if form.errors else 200)


@bp.post("/hari-libur/<int:day_id>/hapus")
@roles_required(Role.ADMIN)
def remove_day_off(day_id: int) -> Response:
    """Working-day clocks count this day again."""
    if not RemoveDayOffForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        operations.remove_day_off(db.get_or_404(DayOff, day_id))
    flash(_("Removed."), "success")
    return redirect(url_for("legal.days_off"), code=303)
