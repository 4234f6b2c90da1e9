"""A formal laporan: the report's registrable part, the reporter's identity, the witnesses and
the requests to complete it.

The identity lives in its own table (`formal_identity`) so that its custodian can hold it apart
from the laporan; it never goes into a history payload, a public page, a log or an email.
"""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class LaporanState(enum.StrEnum):
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    REGISTERED = "registered"
    NOT_REGISTRABLE = "not_registrable"


class FormalLaporan(Model):
    """The registrable part of one report: the reported party, the place, the state."""

    __tablename__ = "formal_laporan"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), unique=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=LaporanState.INCOMPLETE)
    party_name: Mapped[str] = mapped_column(sa.String(200), default="")
    party_address: Mapped[str] = mapped_column(sa.String(500), default="")
    party_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    is_civil_servant: Mapped[bool] = mapped_column(default=False)
    party_nip: Mapped[str] = mapped_column(sa.String(18), default="")
    party_agency: Mapped[str] = mapped_column(sa.String(300), default="")
    party_position: Mapped[str] = mapped_column(sa.String(200), default="")
    party_ppk: Mapped[str] = mapped_column(sa.String(300), default="")  # who may sanction
    event_place: Mapped[str] = mapped_column(sa.String(500), default="")
    registration_number: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decision_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report = relationship("Report")
    registered_by = relationship("User")
    identity: Mapped["FormalIdentity | None"] = relationship(
        back_populates="laporan", uselist=False
    )
    witnesses: Mapped[list["FormalWitness"]] = relationship(
        back_populates="laporan", order_by="FormalWitness.position"
    )
    requests: Mapped[list["CompletionRequest"]] = relationship(
        back_populates="laporan", order_by="CompletionRequest.id"
    )

    @property
    def is_open(self) -> bool:
        return self.state in (LaporanState.INCOMPLETE, LaporanState.COMPLETE)


class FormalIdentity(Model):
    """The reporter's identity as the laporan form asks for it; staff only."""

    __tablename__ = "formal_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    laporan_id: Mapped[int] = mapped_column(sa.ForeignKey("formal_laporan.id"), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    nik: Mapped[str] = mapped_column(sa.String(16), default="")
    birth_place: Mapped[str] = mapped_column(sa.String(100), default="")
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    sex: Mapped[str] = mapped_column(sa.String(1), default="")  # L | P
    occupation: Mapped[str] = mapped_column(sa.String(100), default="")
    nationality: Mapped[str] = mapped_column(sa.String(60), default="")
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    # The ID card photo, stored like an evidence original (evidence.operations.store_image);
    # only the audited staff view serves it.
    id_card: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    id_card_original_key: Mapped[str | None] = mapped_column(sa.String(200))
    id_card_clean_key: Mapped[str | None] = mapped_column(sa.String(200))
    id_card_thumb_key: Mapped[str | None] = mapped_column(sa.String(200))

    laporan = relationship("FormalLaporan", back_populates="identity")


# The reporter's identity as the laporan form asks for it, in the form's order: the one list the
# form, the resident's own data pages and erasure all read.
IDENTITY_FIELDS: tuple[str, ...] = (
    "full_name",
    "nik",
    "birth_place",
    "birth_date",
    "sex",
    "occupation",
    "nationality",
    "address",
    "phone",
    "email",
)


class FormalWitness(Model):
    """One witness named in a laporan."""

    __tablename__ = "formal_witness"

    id: Mapped[int] = mapped_column(primary_key=True)
    laporan_id: Mapped[int] = mapped_column(sa.ForeignKey("formal_laporan.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")

    laporan = relationship("FormalLaporan", back_populates="witnesses")


class CompletionRequest(Model):
    """An officer's request to complete a laporan: what is missing, and by when."""

    __tablename__ = "completion_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    laporan_id: Mapped[int] = mapped_column(sa.ForeignKey("formal_laporan.id"), index=True)
    missing: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # checklist item codes
    note: Mapped[str] = mapped_column(sa.Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    laporan = relationship("FormalLaporan", back_populates="requests")
