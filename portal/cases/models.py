"""Cases, their append-only history, and messages between officers and reporters."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow
from portal.intake.models import Report


class Status(enum.StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    WAITING_FOR_REPORTER = "waiting_for_reporter"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    REOPENED = "reopened"


class Visibility(enum.StrEnum):
    INTERNAL = "internal"  # officers only
    REPORTER = "reporter"  # officers and the reporters of the case
    PUBLIC = "public"  # anyone, once the case is published


class Case(Model):
    """The matter that one or more reports describe."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(24), default=Status.NEW, index=True)
    priority: Mapped[int] = mapped_column(default=0)
    reported_party: Mapped[str] = mapped_column(sa.String(300), default="")
    report_count: Mapped[int] = mapped_column(default=0)
    first_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    learned_on: Mapped[date | None] = mapped_column(sa.Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The earliest of its reports' legal reporting windows closes then (None: no legal window).
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(32))
    public_summary: Mapped[str | None] = mapped_column(sa.Text)
    is_published: Mapped[bool] = mapped_column(default=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(32))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # Bumped with every write that changes what its page shows (cases/freshness.py): the key
    # of the copies kept of its pages. Not the optimistic `version`, which only Case rows move.
    page_version: Mapped[int] = mapped_column(default=0, server_default="0")

    __mapper_args__ = {"version_id_col": version}
    # The queue's keyset sorts, with and without a team scope (see queries.list_queue).
    __table_args__ = (
        sa.Index("ix_case_created_id", "created_at", "id"),
        sa.Index("ix_case_team_created_id", "team_id", "created_at", "id"),
        sa.Index("ix_case_team_status_created", "team_id", "status", "created_at", "id"),
        sa.Index("ix_case_status_created", "status", "created_at", "id"),
        sa.Index("ix_case_due_id", "due_at", "id"),
        sa.Index("ix_case_team_due_id", "team_id", "due_at", "id"),
        sa.Index("ix_case_count_id", "report_count", "id"),
        sa.Index("ix_case_team_count_id", "team_id", "report_count", "id"),
        sa.Index("ix_case_assignee_status", "assignee_id", "status"),
        sa.Index("ix_case_priority_id", "priority", "id"),
        sa.Index("ix_case_team_priority_id", "team_id", "priority", "id"),
        sa.Index("ix_case_merged_into_id", "merged_into_id"),  # the case page's merged cases
    )

    category = relationship("Category")
    region = relationship("Region")
    team = relationship("Team")
    assignee = relationship("User")
    reports: Mapped[list[Report]] = relationship(
        "Report", back_populates="case", order_by="Report.id"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.seq"
    )

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.status}>"


class CaseEvent(Model):
    """One entry of a case's history: append-only and hash-chained per case."""

    __table_args__ = (sa.UniqueConstraint("case_id", "seq", name="uq_case_event_case_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    seq: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(32))
    visibility: Mapped[str] = mapped_column(sa.String(16), default=Visibility.INTERNAL)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(64), default="system")
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")


class Message(Model):
    """A message between an officer and one reporter, shown on the reporter's status page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    direction: Mapped[str] = mapped_column(sa.String(16))  # to_reporter | from_reporter
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report = relationship("Report", back_populates="messages")
    author = relationship("User")
    evidence = relationship("Evidence", back_populates="message", order_by="Evidence.id")


class ReportLabel(Model):
    """Every label a report has held in a case: a label, once given in a case, always means
    the same report there and is never given again (cases/labels.py)."""

    __table_args__ = (
        sa.UniqueConstraint("case_id", "label", name="uq_report_label_case_label"),
        sa.UniqueConstraint("case_id", "report_id", name="uq_report_label_case_report"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"))
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseSearch(Model):
    """One search document per case, rewritten by cases/search.py whenever what it holds
    changes. The full-text index over it is per database: an FTS5 table on SQLite, a generated
    tsvector column with GIN and trigram indexes on PostgreSQL (DDL below, not in the model)."""

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case.id", ondelete="CASCADE"), primary_key=True
    )
    reference: Mapped[str] = mapped_column(sa.String(32), default="")
    handles: Mapped[str] = mapped_column(sa.Text, default="")  # "budi_s pemkot" (no "@")
    document: Mapped[str] = mapped_column(sa.Text, default="")  # party, texts, notes, links
    emails: Mapped[str] = mapped_column(sa.Text, default="")  # reporters' (staff search only)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutingRule(Model):
    """Cases of a category (in a region, or in any region when none) go to a team."""

    __table_args__ = (
        sa.UniqueConstraint("category_id", "region_id", name="uq_routing_rule_category_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category = relationship("Category")
    region = relationship("Region")
    team = relationship("Team")


class CannedReply(Model):
    """A ready-made message to reporters, offered for a category and/or status."""

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id"), index=True)
    status: Mapped[str | None] = mapped_column(sa.String(24))
    title: Mapped[str] = mapped_column(sa.String(200))
    body_id: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category = relationship("Category")

    def body(self, language: str) -> str:
        """The text in the reporter's language, Indonesian otherwise."""
        return self.body_en if language == "en" else self.body_id


# The history is append-only: the ORM refuses changes and deletes of recorded events.
class AppendOnlyViolation(RuntimeError):
    """Something tried to change or delete a recorded case event."""


@sa.event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, CaseEvent):
            raise AppendOnlyViolation("case events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, CaseEvent) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyViolation("case events cannot be changed")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_event_changes(state: sa.orm.ORMExecuteState) -> None:
    if (
        (state.is_update or state.is_delete)
        and state.bind_mapper is not None
        and state.bind_mapper.class_ is CaseEvent
    ):
        raise AppendOnlyViolation("case events cannot be changed")


# PostgreSQL also refuses UPDATE and DELETE from any client, not only from this application.
TRIGGER_FUNCTION = sa.DDL(
    "CREATE OR REPLACE FUNCTION case_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'case_event is append-only'; END; $$ LANGUAGE plpgsql"
)
TRIGGER = sa.DDL(
    "CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event "
    "FOR EACH ROW EXECUTE FUNCTION case_event_append_only()"
)
for _ddl in (TRIGGER_FUNCTION, TRIGGER):
    sa.event.listen(CaseEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))


# The search index's per-database DDL, run when the table is created (`create_all`); the
# migration that added the index holds a copy.
SEARCH_DDL_SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search_fts USING fts5(handles, "
    "document, emails, content='case_search', content_rowid='case_id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS case_search_fts_ai AFTER INSERT ON case_search BEGIN "
    "INSERT INTO case_search_fts(rowid, handles, document, emails) VALUES "
    "(new.case_id, new.handles, new.document, new.emails); END",
    "CREATE TRIGGER IF NOT EXISTS case_search_fts_ad AFTER DELETE ON case_search BEGIN "
    "INSERT INTO case_search_fts(case_search_fts, rowid, handles, document, emails) "
    "VALUES ('delete', old.case_id, old.handles, old.document, old.emails); END",
    "CREATE TRIGGER IF NOT EXISTS case_search_fts_au AFTER UPDATE ON case_search BEGIN "
    "INSERT INTO case_search_fts(case_search_fts, rowid, handles, document, emails) "
    "VALUES ('delete', old.case_id, old.handles, old.document, old.emails); "
    "INSERT INTO case_search_fts(rowid, handles, document, emails) VALUES "
    "(new.case_id, new.handles, new.document, new.emails); END",
]
SEARCH_DROP_SQLITE = ["DROP TABLE IF EXISTS case_search_fts"]
# pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
SEARCH_DDL_POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE case_search ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, reference), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, handles), 'B') || "
    "to_tsvector('simple'::regconfig, document) || "
    "to_tsvector('simple'::regconfig, emails)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_case_search_tsv ON case_search USING gin (tsv)",
    "CREATE INDEX IF NOT EXISTS ix_case_search_handles_trgm ON case_search "
    "USING gin (handles gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_case_search_reference_trgm ON case_search "
    "USING gin (reference gin_trgm_ops)",
]


def is_modelled(name: str | None, type_: str, _parent: object = None) -> bool:
    """False for the objects only the DDL above makes, which a model cannot describe (a
    virtual table, a dialect-only column): the Alembic include_name hook of schema checks."""
    if name is None:
        return True
    if type_ == "column":
        return name != "tsv"
    return not name.startswith(("case_search_fts", "ix_case_search_"))


for _sql in SEARCH_DDL_SQLITE:
    sa.event.listen(CaseSearch.__table__, "after_create", sa.DDL(_sql).execute_if(dialect="sqlite"))
for _sql in SEARCH_DDL_POSTGRESQL:
    sa.event.listen(
        CaseSearch.__table__, "after_create", sa.DDL(_sql).execute_if(dialect="postgresql")
    )
for _sql in SEARCH_DROP_SQLITE:
    sa.event.listen(CaseSearch.__table__, "before_drop", sa.DDL(_sql).execute_if(dialect="sqlite"))
