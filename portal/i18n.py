"""Locale selection: Indonesian by default, English on request, remembered in the session."""

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale

from portal.extensions import babel

SESSION_KEY = "lang"


def select_locale() -> str:
    """The visitor's chosen language, Indonesian otherwise."""
    lang = session.get(SESSION_KEY) if has_request_context() else None
    if isinstance(lang, str) and lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The two-letter code of the language of this request."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and every area's translations."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(translation_dirs()),
    )

    @app.context_processor
    def _inject_language() -> dict:
        return {"current_language": current_language(), "languages": app.config["LANGUAGES"]}


def translation_dirs() -> list[str]:
    """One catalogue per area, merged by Flask-Babel (keeps parallel work conflict-free)."""
    areas = (
        "core",
        "intake",
        "evidence",
        "cases",
        "cases_dup",
        "accounts",
        "notify",
        "public",
        "capture",
        "proof",
        "legal",
        "privacy",
        "formal",
    )
    return [f"translations/{area}" for area in areas]
