"""Every model module, imported in one place so the metadata is complete (migrations, tests)."""
from liaison.accounts.models import (ActivationToken, LoginThrottle, LoginThrottleAddress, Role, User,  # noqa: F401
                                     UserRole, user_townships)
from liaison.audit.models import AuditEvent  # noqa: F401
from liaison.deputies.models import Deputy, EndReason, Gender, Mandate, Suspension  # noqa: F401
from liaison.terms.models import Level, Term  # noqa: F401
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind  # noqa: F401
from stations.checkin.models import Checkin, FailedScan  # noqa: F401
from stations.models import OpeningHours, Station, StationKind, VoidedCode  # noqa: F401
from liaison.reports.models import (DutyReport, DutyReportCoverage, Exemption, ReportSession,  # noqa: F401
                                    Setting, TermClosure, session_mandates)
from liaison.calendar.models import CalendarDay, DayKind  # noqa: F401
from liaison.jobs.models import JobRun  # noqa: F401
from liaison.notifications.models import EmailAddress, Message, SmsOutbox  # noqa: F401
from liaison.rota.models import (Activity, ActivityInvitation, LeaveRequest, RotaMonth, Slot,  # noqa: F401
                                 SlotAssignment, Unavailability)
from liaison.opinions.models import Opinion, OpinionEvent  # noqa: F401
