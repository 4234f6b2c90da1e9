"""Every model module, imported once so that the metadata is complete (migrations, create_all).

A new model module must be listed here."""

from portal.accounts import models as accounts_models
from portal.accounts.twofactor import models as twofactor_models
from portal.capture import models as capture_models
from portal.cases import models as cases_models
from portal.cases.duplicates import models as duplicates_models
from portal.cases.identity import models as identity_models
from portal.cases.publishing import models as publishing_models
from portal.cases.referrals import models as referrals_models
from portal.cases.registration import models as registration_models
from portal.evidence import models as evidence_models
from portal.intake import models as intake_models
from portal.intake.findings import models as findings_models
from portal.intake.formal import models as formal_models
from portal.legal import models as legal_models
from portal.notify import models as notify_models
from portal.privacy import models as privacy_models
from portal.proof import models as proof_models
from portal.public import models as public_models
from portal.reference import models as reference_models
from portal.worker import models as worker_models

__all__ = [
    "accounts_models",
    "capture_models",
    "cases_models",
    "duplicates_models",
    "evidence_models",
    "findings_models",
    "identity_models",
    "formal_models",
    "intake_models",
    "legal_models",
    "notify_models",
    "privacy_models",
    "proof_models",
    "public_models",
    "publishing_models",
    "reference_models",
    "referrals_models",
    "registration_models",
    "twofactor_models",
    "worker_models",
]
