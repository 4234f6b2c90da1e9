"""Portal Aduan Warga: the application factory.

The factory imports the areas (every model module, the list of areas) inside its functions on
purpose: importing one module of the package (a model, in a migration or a test) must not load
every area.
"""

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any

from flask import Flask

from portal import clock, errors, extensions, i18n, pagecache, security
from portal.config import Defaults
from portal.db import configure_sqlite
from portal.settings import finalize_config


class Portal(Flask):
    """Flask, asking once per function whether a view or a hook is a coroutine: Flask's own
    ensure_sync asks `inspect` on every request for each of the fifteen hooks a request runs
    here (about 5 % of a kept page's CPU)."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            is_coroutine = _is_coroutine(func)
        except TypeError:  # an unhashable callable
            is_coroutine = inspect.iscoroutinefunction(func)
        return self.async_to_sync(func) if is_coroutine else func


@functools.lru_cache(maxsize=1024)
def _is_coroutine(func: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(func)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: config, extensions, blueprints, error pages, CLI commands."""
    app = Portal(__name__, instance_relative_config=True, template_folder="../templates")
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then PORTAL_* variables, then the test mapping."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.from_mapping(test_config)
    finalize_config(app, os.environ, test_config or {})


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from portal import models  # noqa: F401  (late: every area's models, for the metadata)

    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=app.config["MIGRATIONS_DIR"],
        render_as_batch=True,
        compare_type=True,
    )
    extensions.csrf.init_app(app)
    extensions.mail.init_app(app)
    # Before the limiter, so that it runs after the limiter's own hook (Flask runs
    # after_request hooks in reverse order) and sees the Retry-After that hook adds.
    app.after_request(security.keep_retry_after_for_waits)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)
    i18n.init_app(app)
    clock.init_app(app)
    security.init_app(app)
    pagecache.init_app(app)
    with app.app_context():
        if extensions.db.engine.dialect.name == "sqlite":
            configure_sqlite(extensions.db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def register_blueprints(app: Flask) -> None:
    """Mount each area's blueprint."""
    from portal.areas import AREAS  # late: every area

    for area in AREAS:
        if area.blueprint is not None:
            app.register_blueprint(area.blueprint)


def register_errorhandlers(app: Flask) -> None:
    """Error pages in the visitor's language."""
    errors.init_app(app)


def register_commands(app: Flask) -> None:
    """Flask CLI commands of each area."""
    from portal.areas import AREAS  # late: every area

    for area in AREAS:
        if area.commands is not None:
            app.cli.add_command(area.commands)
