"""Case work: triage, workflow, assignment, deadlines and history."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/petugas/kasus")
