"""Check-ins at homes and stations (月进站 / 季回家) and the scans that were refused."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db
from liaison.network.models import StationKind


class Method(enum.Enum):
    poster = "poster"
    kiosk = "kiosk"
    #: 补登: staff recorded it from a paper sign-in sheet.
    back_entry = "back_entry"
    #: 扫代表码: the station's device, held by staff, read the deputy's personal code (rule R36).
    deputy_code = "deputy_code"

    @property
    def label(self):
        return {"poster": _l("扫海报"), "kiosk": _l("扫码屏"), "back_entry": _l("补登"),
                "deputy_code": _l("扫代表码")}[self.value]


class Status(enum.Enum):
    """Accepted and confirmed check-ins count; pending (待核实) and rejected ones do not."""

    accepted = "accepted"
    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"

    @property
    def label(self):
        return {"accepted": _l("有效"), "pending": _l("待核实"), "confirmed": _l("已核实"),
                "rejected": _l("已驳回")}[self.value]

    @property
    def counts(self):
        return self in COUNTED


#: The statuses that count toward 月进站 / 季回家 (docs/rules.md, rule R3).
COUNTED = (Status.accepted, Status.confirmed)


class PendingReason(enum.Enum):
    """Why a scan waits for staff instead of counting at once."""

    no_location = "no_location"
    outside_fence = "outside_fence"
    low_accuracy = "low_accuracy"
    no_fence = "no_fence"
    implausible_travel = "implausible_travel"
    station_policy = "station_policy"
    #: A deputy's code read by a station's device longer ago than LIAISON_SCAN_MAX_AGE_HOURS (rule R37).
    scan_too_old = "scan_too_old"
    #: A deputy's code read at a time still to come by the server's clock (the device's clock is wrong).
    scan_in_future = "scan_in_future"

    @property
    def label(self):
        return {
            "no_location": _l("未获取到位置"),
            "outside_fence": _l("位置不在站点范围内"),
            "low_accuracy": _l("定位精度不足"),
            "no_fence": _l("站点未设置位置范围"),
            "implausible_travel": _l("与上一次签到的距离和时间不符"),
            "station_policy": _l("本站点签到需工作人员核实"),
            "scan_too_old": _l("扫码后超过时限才上传"),
            "scan_in_future": _l("扫码时间晚于服务器时间（设备时钟有误）"),
        }[self.value]

    @property
    def message(self):
        """What the deputy is told at once, in a sentence: the reason itself and that staff will check
        (rule R32: the reason told is the one that applies, not the strongest doubt)."""
        return {
            "no_location": _l("未获取到位置，签到待工作人员核实"),
            "outside_fence": _l("您所在的位置不在站点范围内，签到待工作人员核实"),
            "low_accuracy": _l("定位精度不足，无法确认是否在站点范围内，签到待工作人员核实"),
            "no_fence": _l("站点尚未设置位置范围，签到待工作人员核实"),
            "implausible_travel": _l("与上一次签到的距离和时间不符，签到待工作人员核实"),
            "station_policy": _l("本站点的签到由工作人员核实后计入"),
        }[self.value]


class RejectReason(enum.Enum):
    """Why a scan was refused; each refusal is stored as a ``FailedScan``."""

    expired_token = "expired_token"
    #: The kiosk code already made its one check-in (a forwarded photo, or a second phone).
    used_token = "used_token"
    invalid_token = "invalid_token"
    other_station = "other_station"
    voided_code = "voided_code"
    unknown_code = "unknown_code"
    inactive_station = "inactive_station"
    not_deputy = "not_deputy"
    no_mandate = "no_mandate"
    #: A deputy's personal code of an earlier day (a screenshot kept), rule R36.
    deputy_code_expired = "deputy_code_expired"
    #: Not a deputy's personal code, altered, or of a later day than the scan.
    deputy_code_invalid = "deputy_code_invalid"
    #: Staff who are deputies too scanned their own code: a colleague must witness it.
    own_code = "own_code"

    @property
    def message(self):
        return {
            "expired_token": _l("二维码已过期，请扫描站点屏幕上正在显示的二维码。"),
            "used_token": _l("这个二维码已被使用过，每个二维码只能签到一次。请扫描站点屏幕上新显示的二维码。"),
            "invalid_token": _l("二维码无效或已被改动，请重新扫描站点的二维码。"),
            "other_station": _l("此二维码属于另一个站点，请扫描您所在站点的二维码。"),
            "voided_code": _l("此二维码已作废，请扫描站点张贴的新二维码。"),
            "unknown_code": _l("找不到这个站点，请检查二维码。"),
            "inactive_station": _l("此站点已停用，不能签到。"),
            "not_deputy": _l("只有人大代表本人可以签到。"),
            "no_mandate": _l("您今天没有在任的代表职务，不能签到。"),
            "deputy_code_expired": _l("代表码已过期，请打开手机上的最新代表码"),
            "deputy_code_invalid": _l("不是有效的代表码，请代表打开手机上“我的履职”中的代表码。"),
            "own_code": _l("不能为自己扫码签到，请由其他工作人员扫码。"),
        }[self.value]


class Checkin(db.Model):
    """One deputy's presence at one home or station; counted in the local calendar period."""

    __tablename__ = "checkins"
    __table_args__ = (
        # A double tap or a retry sends the same nonce: one row, whatever the timing.
        sa.UniqueConstraint("deputy_id", "client_nonce"),
        sa.Index("ix_checkins_deputy_id_month_key", "deputy_id", "month_key"),
        # The deputy's latest check-in (the travel doubt on every scan) without sorting their history.
        sa.Index("ix_checkins_deputy_id_occurred_at", "deputy_id", "occurred_at"),
        sa.Index("ix_checkins_station_id_local_date", "station_id", "local_date"),
        # The pending queue, oldest first: a few hundred rows among millions. A partial index keeps
        # the queue's cost flat as the district's history grows (the planner otherwise walks every
        # station's check-ins, since "pending" is rare and the status index says so only on average).
        sa.Index("ix_checkins_pending", "occurred_at", "id", sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
        # A township's pending queue: its own stations' pending rows only, whatever the district's
        # size (issue 16).
        sa.Index("ix_checkins_pending_station", "station_id", "occurred_at", "id",
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
        sa.CheckConstraint("constituents_received IS NULL OR constituents_received >= 0",
                           name="constituents_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("stations.id"))
    #: The station's kind when the check-in was made: 站 counts for 月进站, 家 for 季回家.
    station_kind: Mapped[StationKind] = mapped_column(sa.Enum(StationKind, native_enum=False, length=10))
    #: When the deputy was there (UTC), from the server's clock (or the paper sheet for 补登).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: ``occurred_at`` in the local zone, and its period keys, written once for SQL totals:
    #: month_key = year*100+month (202612), quarter_key = year*10+quarter (20264).
    local_date: Mapped[date]
    month_key: Mapped[int]
    quarter_key: Mapped[int] = mapped_column(index=True)
    method: Mapped[Method] = mapped_column(sa.Enum(Method, native_enum=False, length=12))
    status: Mapped[Status] = mapped_column(sa.Enum(Status, native_enum=False, length=12), index=True)
    pending_reason: Mapped[PendingReason | None] = mapped_column(
        sa.Enum(PendingReason, native_enum=False, length=20))
    #: The travel doubt held as well as ``pending_reason`` (no location, outside the fence …): the
    #: deputy is told the reason about their own scan first, staff see both (rule R32).
    travel_doubt: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Whether the phone was inside the station's fence; NULL when no location was shared.
    #: Raw coordinates are never stored (location is sensitive personal information).
    inside_fence: Mapped[bool | None]
    #: The phone's reported accuracy in metres, when it shared its location.
    accuracy_m: Mapped[int | None]
    #: Random value sent by the page (or made for 补登); with deputy_id it makes retries idempotent.
    client_nonce: Mapped[str] = mapped_column(sa.String(64))
    #: Not the deputy's own station (for 站) or home (for 家): still counts, shown as such.
    away_from_own: Mapped[bool] = mapped_column(default=False)
    #: Staff member who back-entered it (补登), and why.
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    back_entry_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Staff member who confirmed or rejected a pending check-in, and when.
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(sa.String(200), default="")
    #: 扫代表码: the staff member whose device read the deputy's code (the witness), rule R36.
    witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: 扫代表码: when the device read the code, by its own clock (UTC); ``created_at`` is when the
    #: server received it. Differs after an offline spell; NULL for the other methods (rule R37).
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: 签退: when the deputy left, and the minutes spent.
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int | None]
    #: 接待记录: constituents received and what they raised, filled in at check-out.
    constituents_received: Mapped[int | None]
    matters_raised: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deputy = relationship("Deputy")
    station = relationship("Station")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    witness = relationship("User", foreign_keys=[witness_id])

    @property
    def counts(self):
        return self.status in COUNTED

    @property
    def pending_reasons(self):
        """Every reason this check-in waits for staff, the main one first (labels, for staff lists)."""
        reasons = [self.pending_reason] if self.pending_reason else []
        if self.travel_doubt and PendingReason.implausible_travel not in reasons:
            reasons.append(PendingReason.implausible_travel)
        return reasons


class FailedScan(db.Model):
    """A refused scan, kept for statistics (which posters are old, which tokens are forwarded)."""

    __tablename__ = "failed_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The station the scan named, when it could be told.
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stations.id"), index=True)
    #: What was scanned (the code in the URL), cut to 64 characters.
    scanned_code: Mapped[str] = mapped_column(sa.String(64), default="")
    reason: Mapped[RejectReason] = mapped_column(sa.Enum(RejectReason, native_enum=False, length=20))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class KioskCodeUse(db.Model):
    """A kiosk code (the nonce in its signed token) that has made its one check-in.

    Written in the same transaction as the check-in; the primary key lets only one of two
    concurrent uses through, on SQLite and PostgreSQL alike.
    """

    __tablename__ = "kiosk_code_uses"

    #: The random code from the kiosk token (``stations.tokens.make_kiosk_token``).
    nonce: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    checkin_id: Mapped[int] = mapped_column(sa.ForeignKey("checkins.id"), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)

    checkin = relationship("Checkin")
