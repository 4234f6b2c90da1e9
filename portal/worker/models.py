"""The worker's heartbeat: one row per `flask worker` process, so admins can see it is alive."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Model, UTCDateTime


class WorkerHeartbeat(Model):
    """A worker process as it last reported itself, after each pass.

    `last_error` holds an error's class and first line only (no SQL, no parameters, addresses
    masked), never a report's content or a resident's contact data.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))  # host:pid, as on the jobs it holds
    host: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int] = mapped_column()
    interval_seconds: Mapped[float] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    passes: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)  # consecutive failed passes, 0 when well
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
