"""Error pages in the visitor's language; a server error rolls the transaction back."""

import logging

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.db import RETRY_AFTER_SECONDS, DatabaseBusy, db, is_busy

logger = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood. Please check what you entered and try again."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist. Check the address, or start again from the home page."),
    405: _l("This page cannot be used this way."),
    413: _l(
        "What you sent is too large. Each screenshot may be at most %(mib)s MiB; "
        "send fewer or smaller files."
    ),
    429: _l("Too many attempts from your connection. Please wait a while and try again."),
    500: _l("Something went wrong on our side. Nothing you sent was saved; please try again."),
    503: _l("The portal is busy right now. Please try again in a moment."),
}


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """The error page for an HTTP status, with a message that says what to do."""
    text = message or MESSAGES.get(code, MESSAGES[400])
    if code == 413:
        text = MESSAGES[413] % {"mib": current_app.config["MAX_FILE_BYTES"] // (1024 * 1024)}
    return render_template("errors/error.html", code=code, message=text), code


def init_app(app: Flask) -> None:
    """Register one handler for every HTTP error and for crashes."""

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> tuple[str, int]:
        return render_error(
            400, _("The form expired or was not sent from this site. Please fill it in again.")
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        if err.code is None or err.code < 400:
            return err
        page, code = render_error(err.code, getattr(err, "portal_message", None))
        # 503 (busy database, storage fault) carries Retry-After; others add nothing here
        retry = [(k, v) for k, v in err.get_headers() if k == "Retry-After"]
        return page, code, retry

    @app.errorhandler(InternalServerError)
    def _server_error(err: InternalServerError) -> ResponseReturnValue:
        db.session.rollback()  # whatever the crash left open, so the error page can still query
        original = getattr(err, "original_exception", None) or err
        if is_busy(original):  # a busy database met outside a unit of work: the same answer
            logger.warning("Database busy outside a unit of work: %s", original)
            page, code = render_error(503, str(DatabaseBusy.portal_message))
            return page, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}
        logger.error("Unhandled error: %s", original)
        return render_error(500)
