"""Admin pages for Open311 API keys."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.access import roles_required, staff_user
from portal.db import db, unit_of_work
from portal.public.apikeys.operations import create_api_key, list_api_keys, revoke_api_key
from portal.public.models import ApiKey

bp = Blueprint("apikeys", __name__)


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Client name"), validators=[DataRequired(), Length(max=100)])


class RevokeForm(FlaskForm):
    pass


@bp.route("/petugas/admin/apikeys", methods=["GET", "POST"])
@roles_required("admin")
def index() -> ResponseReturnValue:
    """List keys; a valid post issues a new key and shows it once."""
    form, new_key = ApiKeyForm(), None
    if form.validate_on_submit():
        with unit_of_work():
            _key, new_key = create_api_key(name=form.name.data, created_by=staff_user())
        form.name.data = ""
    response = render_template(
        "public/apikeys.html",
        form=form,
        new_key=new_key,
        keys=list_api_keys(),
        revoke_form=RevokeForm(),
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/petugas/admin/apikeys/<int:key_id>/cabut")
@roles_required("admin")
def revoke(key_id: int) -> ResponseReturnValue:
    """Stop accepting a key."""
    key = db.session.get(ApiKey, key_id)
    if key is None or not RevokeForm().validate_on_submit():
        abort(404 if key is None else 400)
    with unit_of_work():
        revoke_api_key(key=key)
    flash(_("The key was revoked."), "success")
    return redirect(url_for("apikeys.index"), code=303)
