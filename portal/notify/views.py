"""The admins' view of the outbox: what waits, what failed, and retry buttons."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.access import roles_required
from portal.db import db, unit_of_work
from portal.notify import operations, queries
from portal.notify.forms import RetryForm
from portal.notify.mailer import email_url
from portal.notify.models import OutboxMessage

bp = Blueprint("notify", __name__)
bp.add_app_template_global(email_url)  # emails link back without a request


@bp.get("/petugas/admin/outbox")
@roles_required("admin")
def outbox() -> str:
    """Pending and given-up emails, recipients masked."""
    return render_template(
        "notify/outbox.html",
        pending=queries.list_pending(),
        failed=queries.list_failed(),
        counts=queries.count_outbox(),
        form=RetryForm(),
    )


@bp.post("/petugas/admin/outbox/<int:message_id>/retry")
@roles_required("admin")
def retry(message_id: int) -> ResponseReturnValue:
    """Make one message due now."""
    if not RetryForm().validate_on_submit():
        abort(400)
    message = db.get_or_404(OutboxMessage, message_id)
    if message.sent_at is not None:
        flash(_("This email has already been sent."), "error")
    else:
        with unit_of_work():
            operations.retry_message(message=message)
        flash(_("The email will be sent again within a few seconds."), "success")
    return redirect(url_for("notify.outbox"), code=303)


@bp.post("/petugas/admin/outbox/retry-failed")
@roles_required("admin")
def retry_failed() -> ResponseReturnValue:
    """Make every given-up message due now."""
    if not RetryForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        count = operations.retry_failed_messages()
    flash(
        _("%(count)s failed emails will be sent again within a few seconds.", count=count),
        "success",
    )
    return redirect(url_for("notify.outbox"), code=303)
