"""Every model, imported once so that the metadata is complete (migrations, create_all)."""

from portal.accounts.models import Role, Team, User
from portal.cases.models import Case, CaseEvent, Message, Status, Visibility
from portal.evidence.models import Evidence, Link
from portal.intake.models import ContactVisibility, Report
from portal.notify.models import OutboxMessage
from portal.reference.models import Category, Region

__all__ = [
    "Case", "CaseEvent", "Category", "ContactVisibility", "Evidence", "Link", "Message",
    "OutboxMessage", "Region", "Report", "Role", "Status", "Team", "User", "Visibility",
]
