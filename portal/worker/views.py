"""The admins' view of the background worker: is it alive, what waits, what went wrong."""

from flask import Blueprint, render_template

from portal.access import roles_required
from portal.db import utcnow
from portal.worker import queries

bp = Blueprint("worker", __name__)


@bp.get("/petugas/admin/pekerja")
@roles_required("admin")
def status():
    """Each worker's heartbeat and last error, and the depth of every queue it works."""
    now = utcnow()
    workers = queries.list_workers(now=now)
    return render_template(
        "worker/status.html",
        workers=workers,
        running=[w for w in workers if w.state == "running"],
        queues=queries.count_queues(now=now),
        now=now,
    )
