"""Custodians of reporters' identities, officers' reasoned requests to see one, the custodians'
decisions, and the at-risk flag of a case. The identity itself stays on the report; history
events name the request and the report's label, never a name or an address."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class RequestState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # enough distinct custodians approved: the requester may look
    REFUSED = "refused"  # one custodian refused; final


class IdentityCustodian(Model):
    """A member of staff who decides identity requests: for one team's cases, or for every
    case of the install when team_id is None."""

    __table_args__ = (sa.UniqueConstraint("user_id", "team_id", name="uq_custodian_user_team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    team = relationship("Team")


class IdentityRequest(Model):
    """An officer's request, with a reason, to see one confidential reporter's identity."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default=RequestState.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by every decision: two custodians deciding at once cannot both count as "first".
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    requester = relationship("User", foreign_keys=[requester_id])
    report = relationship("Report")
    case = relationship("Case")
    decisions: Mapped[list["IdentityDecision"]] = relationship(
        back_populates="request", order_by="IdentityDecision.id"
    )


class IdentityDecision(Model):
    """One custodian's approval or refusal of a request; one per custodian and request."""

    __table_args__ = (
        sa.UniqueConstraint("request_id", "custodian_id", name="uq_identity_decision_custodian"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("identity_request.id"), index=True)
    custodian_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    is_approval: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[IdentityRequest] = relationship(back_populates="decisions")
    custodian = relationship("User")


class CaseRisk(Model):
    """Whether a case's reporter fears retaliation: set by her tick on the form or by an
    officer, cleared only by an officer. No row: not at risk."""

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), primary_key=True)
    is_at_risk: Mapped[bool] = mapped_column(default=True, index=True)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))  # None: reporter
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
