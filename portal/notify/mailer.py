"""Rendering emails in the recipient's language, and one SMTP session for the sender."""

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Connection, Message
from jinja2 import TemplateNotFound
from werkzeug.routing import BuildError

FALLBACK_ROOT = "http://127.0.0.1:5000/"

# The strings of templates/emails/_layout.*, listed here so they land in notify's catalogue.
LAYOUT_STRINGS = (
    _l("If the button does not work, copy this address into your browser:"),
    _l("This email was sent automatically by %(site)s. Please do not reply to it."),
)


def site_root() -> str:
    """The public root URL: PUBLIC_URL when set, else the current request's root."""
    root = current_app.config.get("PUBLIC_URL")
    if not root:
        root = request.host_url if has_request_context() else FALLBACK_ROOT
    return root if root.endswith("/") else root + "/"


def email_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, built without a request (CLI, sender); the site root
    when the endpoint does not exist (yet)."""
    parts = urlsplit(site_root())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path, url_scheme=parts.scheme
    )
    try:
        return adapter.build(endpoint, values, force_external=True)
    except BuildError:
        return site_root()


@contextmanager
def email_context(language: str) -> Iterator[None]:
    """Render in `language`; outside a request, inside one rooted at the public URL so that
    url_for(..., _external=True) in email templates works from CLI commands too."""
    if has_request_context():
        with force_locale(language):
            yield
        return
    # POST: on SQLite a transaction begun while rendering must still take the write lock.
    with (
        current_app.test_request_context("/", base_url=site_root(), method="POST"),
        force_locale(language),
    ):
        yield


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str | None]:
    """The text body and, when emails/<template>.html exists, the HTML body."""
    text = render_template(f"emails/{template}.txt", **context)
    html_name = f"emails/{template}.html"
    try:
        html_template = current_app.jinja_env.get_template(html_name)
    except TemplateNotFound as exc:
        if exc.name != html_name:
            raise
        return text, None
    return text, render_template(html_template, **context)


class TimedConnection(Connection):
    """Flask-Mail's connection, with a socket timeout so a hung server cannot stall the sender."""

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class SmtpSession:
    """One SMTP connection reused across messages, opened on first use, dropped on error."""

    def __init__(self) -> None:
        self.connection: TimedConnection | None = None

    def send(self, message: Message) -> None:
        if self.connection is None:
            connection = TimedConnection(current_app.extensions["mail"])
            connection.host = None if connection.mail.suppress else connection.configure_host()
            self.connection = connection
        try:
            self.connection.send(message)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None or connection.host is None:
            return
        try:
            connection.host.quit()
        except (OSError, smtplib.SMTPException):
            connection.host.close()
