"""Models of the public side: Open311 API keys and tickets, statistics aggregates, head hashes."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cases.models import Case
from portal.db import Model, UTCDateTime, utcnow

# Published cases newest first (public list, Open311 lists, open data) without a full scan.
sa.Index("ix_public_case_published_created", Case.is_published, Case.created_at)
# Open311 filtered by service: the newest published cases of one category, read in order.
sa.Index(
    "ix_public_case_published_category_created",
    Case.is_published,
    Case.category_id,
    Case.created_at,
)


class ApiKey(Model):
    """An Open311 client's key; only its SHA-256 is stored, the key is shown once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(8))  # to tell keys apart in the admin list
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Ticket(Model):
    """A request filed through Open311: its token leads to the case (service_request_id)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(40), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"))
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case = relationship("Case")


class StatCell(Model):
    """Cases counted by month, category, region, team, status and outcome (recomputed)."""

    __table_args__ = (
        sa.Index("ix_stat_cell_scope", "is_rollup", "region_id", "month"),
        # the unfiltered page's cases per region, read from the index alone
        sa.Index("ix_stat_cell_region_n", "is_rollup", "region_id", "n"),
        sa.Index(
            "ix_stat_cell_month_category", "month", "category_id", "region_id"
        ),  # folding deltas
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    status: Mapped[str] = mapped_column(sa.String(24))
    outcome: Mapped[str | None] = mapped_column(sa.String(32))
    # Rollup rows sum every region (region_id NULL): what an unfiltered page reads.
    is_rollup: Mapped[bool] = mapped_column(default=False)
    n: Mapped[int] = mapped_column()
    n_resolved: Mapped[int] = mapped_column(default=0)
    n_in_time: Mapped[int] = mapped_column(default=0)


class StatDuration(Model):
    """A histogram of response or resolution times (hours, then whole days) per month/place."""

    __table_args__ = (
        sa.Index("ix_stat_duration_scope", "is_rollup", "region_id", "kind", "month"),
        # the unfiltered page's histograms, summed in hour order from the index alone
        sa.Index("ix_stat_duration_histogram", "is_rollup", "kind", "hours", "n"),
        sa.Index(
            "ix_stat_duration_month_category", "month", "category_id", "region_id"
        ),  # folding deltas
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))  # response | resolution
    hours: Mapped[int] = mapped_column()  # bucket: exact hour below 72, else whole days
    # Rollup rows sum every region (region_id NULL): what an unfiltered page reads.
    is_rollup: Mapped[bool] = mapped_column(default=False)
    n: Mapped[int] = mapped_column()


class StatRun(Model):
    """When the aggregates were last recomputed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cases: Mapped[int] = mapped_column(default=0)
    # Captured posts that went missing after they were reported (all regions and categories).
    removed_posts: Mapped[int] = mapped_column(default=0)


class HeadHash(Model):
    """A published case's audit-chain head as of the end of one day."""

    __table_args__ = (sa.UniqueConstraint("day", "case_id", name="uq_head_hash_day_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"))
    reference: Mapped[str] = mapped_column(sa.String(32))
    seq: Mapped[int] = mapped_column()
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatReferral(Model):
    """Referrals counted by month, category, region, receiving body, status and sanction."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date, index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    body: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    sanction_applied: Mapped[str] = mapped_column(sa.String(8))
    n: Mapped[int] = mapped_column()


# The changes to the aggregates that writes made since the last refresh, one row per flush and
# key (public/tally.py): writers only append here, so concurrent reports never wait on one hot
# aggregate row; `flask public refresh-stats` folds them into the tables above.
class StatCellDelta(Model):
    """A signed change to one StatCell (per region; the rollup is derived when folding)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    category_id: Mapped[int] = mapped_column()
    region_id: Mapped[int | None] = mapped_column()
    team_id: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(24))
    outcome: Mapped[str | None] = mapped_column(sa.String(32))
    n: Mapped[int] = mapped_column()
    n_resolved: Mapped[int] = mapped_column()
    n_in_time: Mapped[int] = mapped_column()


class StatDurationDelta(Model):
    """A signed change to one StatDuration bucket."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    category_id: Mapped[int] = mapped_column()
    region_id: Mapped[int | None] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(16))
    hours: Mapped[int] = mapped_column()
    n: Mapped[int] = mapped_column()


class StatReferralDelta(Model):
    """A signed change to one StatReferral."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    category_id: Mapped[int] = mapped_column()
    region_id: Mapped[int | None] = mapped_column()
    body: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    sanction_applied: Mapped[str] = mapped_column(sa.String(8))
    n: Mapped[int] = mapped_column()
