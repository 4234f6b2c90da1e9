"""Derived settings, checked once at start-up."""

import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def finalize_config(app: Flask, environ: Mapping[str, str], explicit: Mapping) -> None:
    """Fill in settings that depend on others and refuse an unsafe production start."""
    cfg = app.config
    url = cfg.get("DATABASE_URL") or environ.get("DATABASE_URL")
    if url and "SQLALCHEMY_DATABASE_URI" not in explicit:
        cfg["SQLALCHEMY_DATABASE_URI"] = url
    cfg.setdefault("MIGRATIONS_DIR", str(PROJECT_ROOT / "migrations"))
    if not cfg.get("UPLOAD_FOLDER"):
        cfg["UPLOAD_FOLDER"] = str(PROJECT_ROOT / "uploads")
    if not cfg.get("SECRET_KEY"):
        if not (app.debug or cfg.get("TESTING")):
            raise RuntimeError(
                "No SECRET_KEY: set PORTAL_SECRET_KEY or put SECRET_KEY in instance/config.py"
            )
        cfg["SECRET_KEY"] = os.urandom(32).hex()
    if not cfg.get("TRACKING_KEY"):
        cfg["TRACKING_KEY"] = hmac.new(
            str(cfg["SECRET_KEY"]).encode(), b"tracking-code", hashlib.sha256
        ).hexdigest()
    if not cfg.get("IDEMPOTENCY_HMAC_KEY"):
        cfg["IDEMPOTENCY_HMAC_KEY"] = hmac.new(
            str(cfg["SECRET_KEY"]).encode(), b"idempotency-key", hashlib.sha256
        ).hexdigest()
    if cfg.get("TESTING") and "CACHE_TYPE" not in explicit:
        cfg["CACHE_TYPE"] = "SimpleCache"  # one per app: a test never sees another's pages
    if not cfg.get("CACHE_DIR"):
        cfg["CACHE_DIR"] = os.path.join(app.instance_path, "cache")
    os.makedirs(app.instance_path, exist_ok=True)
