"""Every area of the portal in one list: its blueprint (if it serves pages) and its commands.

The factory registers exactly what is listed here; a new area adds one line.
"""

from dataclasses import dataclass

import click
from flask import Blueprint

from portal.accounts import cli as accounts_cli
from portal.accounts import views as accounts_views
from portal.accounts.twofactor import views as twofactor_views
from portal.backup import cli as backup_cli
from portal.capture import cli as capture_cli
from portal.capture import views as capture_views
from portal.cases import cli as cases_cli
from portal.cases import views as cases_views
from portal.cases.admin import views as case_admin_views
from portal.cases.audit import cli as audit_cli
from portal.cases.audit import views as audit_views
from portal.cases.duplicates import cli as duplicates_cli
from portal.cases.duplicates import views as duplicates_views
from portal.cases.identity import views as identity_views
from portal.cases.publishing import views as publishing_views
from portal.cases.referrals import views as referrals_views
from portal.cases.registration import views as registration_views
from portal.cases.triage import views as triage_views
from portal.demo import cli as demo_cli
from portal.evidence import cli as evidence_cli
from portal.evidence import views as evidence_views
from portal.intake import views as intake_views
from portal.intake.findings import views as findings_views
from portal.intake.formal import views as formal_views
from portal.intake.rights import views as rights_views
from portal.intake.uploads import views as upload_views
from portal.legal import views as legal_views
from portal.notify import cli as notify_cli
from portal.notify import views as notify_views
from portal.privacy import cli as privacy_cli
from portal.privacy import views as privacy_views
from portal.proof import cli as proof_cli
from portal.public import cli as public_cli
from portal.public import views as public_views
from portal.public.apikeys import cli as apikeys_cli
from portal.public.apikeys import views as apikeys_views
from portal.public.open311 import views as open311_views
from portal.public.opendata import views as opendata_views
from portal.reference import cli as reference_cli
from portal.reference import views as reference_views
from portal.site import views as site_views
from portal.worker import cli as worker_cli
from portal.worker import views as worker_views


@dataclass(frozen=True)
class Area:
    name: str
    blueprint: Blueprint | None = None
    commands: click.Command | None = None


AREAS = (
    Area("site", site_views.bp),
    Area("reference", reference_views.bp, reference_cli.cli),
    Area("legal", legal_views.bp),
    Area("accounts", accounts_views.bp, accounts_cli.cli),
    Area("accounts.twofactor", twofactor_views.bp),
    Area("notify", notify_views.bp, notify_cli.cli),
    Area("proof", None, proof_cli.cli),
    Area("evidence", evidence_views.bp, evidence_cli.cli),
    Area("cases", cases_views.bp, cases_cli.cli),
    Area("cases.admin", case_admin_views.bp),
    Area("cases.duplicates", duplicates_views.bp, duplicates_cli.cli),
    Area("cases.referrals", referrals_views.bp),
    Area("cases.registration", registration_views.bp),
    Area("cases.publishing", publishing_views.bp),
    Area("cases.triage", triage_views.bp),
    Area("cases.identity", identity_views.bp),
    Area("cases.audit", audit_views.bp, audit_cli.cli),
    Area("capture", capture_views.bp, capture_cli.cli),
    Area("worker", worker_views.bp, worker_cli.cli),
    Area("privacy", privacy_views.bp, privacy_cli.cli),
    Area("intake", intake_views.bp),
    Area("intake.uploads", upload_views.bp),
    Area("intake.rights", rights_views.bp),
    Area("intake.findings", findings_views.bp),
    Area("intake.formal", formal_views.bp),
    Area("public", public_views.bp, public_cli.cli),
    Area("public.opendata", opendata_views.bp),
    Area("public.open311", open311_views.bp),
    Area("public.apikeys", apikeys_views.bp, apikeys_cli.cli),
    Area("demo", None, demo_cli.cli),
    Area("backup", None, backup_cli.cli),
)
