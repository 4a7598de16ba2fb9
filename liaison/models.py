"""Every model module, imported in one place so the metadata is complete (migrations, tests)."""
from liaison.accounts.models import (ActivationToken, LoginThrottle, LoginThrottleAddress, Role, User,  # noqa: F401
                                     UserRole, user_townships)
from liaison.audit.models import AuditEvent  # noqa: F401
from liaison.deputies.models import Deputy, EndReason, Exemption, Gender, Mandate, Suspension  # noqa: F401
from liaison.terms.models import Level, Term  # noqa: F401
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind  # noqa: F401
from liaison.network.models import OpeningHours, Station, StationKind  # noqa: F401
from stations.checkin.models import Checkin, FailedScan, KioskCodeUse  # noqa: F401
from stations.models import VoidedCode  # noqa: F401
from liaison.dashboard.models import TermClosure, VisitReminder  # noqa: F401
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportSession, Setting, session_mandates  # noqa: F401
from liaison.calendar.models import CalendarDay, DayKind  # noqa: F401
from liaison.jobs.models import JobRun  # noqa: F401
from liaison.notifications.models import Delivery, EmailAddress, Message  # noqa: F401
from liaison.activities.models import Activity, ActivityInvitation  # noqa: F401
from liaison.rota.models import LeaveRequest, RotaMonth, Slot, SlotAssignment, Unavailability  # noqa: F401
from liaison.opinions.models import Opinion, OpinionEvent  # noqa: F401
from liaison.zone.models import StoredZone  # noqa: F401
