"""One row per job and period: claimed before the job runs, so a period never runs twice."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class Outcome(enum.Enum):
    running = "running"
    success = "success"
    failure = "failure"

    @property
    def label(self):
        return {"running": _l("运行中"), "success": _l("成功"), "failure": _l("失败")}[self.value]


class RunSource(enum.Enum):
    """Why a run happened: on time, to make up for a scheduler that was down, or by hand."""

    scheduled = "scheduled"
    catch_up = "catch_up"
    manual = "manual"

    @property
    def label(self):
        return {"scheduled": _l("按时"), "catch_up": _l("补跑"), "manual": _l("手动")}[self.value]


class JobRun(db.Model):
    """A job's run for one period; the unique key is what makes every run happen once."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The job's stable id in the registry, e.g. ``month_end_station_reminder``.
    job_id: Mapped[str] = mapped_column(sa.String(60))
    #: The local period the run is for: ``2026-03`` (month), ``2026-Q1`` (quarter), ``2026-03-27`` (day).
    period: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[RunSource] = mapped_column(sa.Enum(RunSource, native_enum=False, length=10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: NULL while running. A run still running past ``LIAISON_JOB_STALE_MINUTES`` after its start
    #: was abandoned (its process died): the page says so, and catch-up or ``--retry`` takes it over.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[Outcome] = mapped_column(sa.Enum(Outcome, native_enum=False, length=10),
                                             default=Outcome.running)
    #: What the job reported (e.g. how many messages it sent) or the error's type and message.
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    #: 1 for the first run; each retry of a failure or takeover of an abandoned run adds one.
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")

    def abandoned(self, stale_before):
        """Tell whether the run is still marked running although it started before ``stale_before``."""
        return self.outcome is Outcome.running and self.started_at < stale_before

    def __repr__(self):
        return f"<JobRun {self.job_id} {self.period} {self.outcome.value}>"
