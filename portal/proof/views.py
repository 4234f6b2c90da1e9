"""The proof area's blueprint: no pages of its own, the helpers of the timestamp partial."""

from flask import Blueprint

from portal.proof.queries import list_stamps, timestamps_enabled

bp = Blueprint("proof", __name__)


@bp.app_context_processor
def _stamp_helpers() -> dict:
    return {"list_stamps": list_stamps, "timestamps_enabled": timestamps_enabled}
