"""Accounts: users with a set of roles, township scopes, and one-time activation tokens."""
import enum
import functools
import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class Role(enum.Enum):
    """Roles are a set: many township staff (乡镇人大专干) are deputies too."""

    deputy = "deputy"
    township_staff = "township_staff"
    committee = "committee"
    admin = "admin"

    @property
    def label(self):
        return {
            "deputy": _l("人大代表"),
            "township_staff": _l("乡镇（街道）工作人员"),
            "committee": _l("区人大常委会"),
            "admin": _l("系统管理员"),
        }[self.value]


user_townships = sa.Table(
    "user_townships",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("township_id", sa.ForeignKey("townships.id"), primary_key=True),
)


def new_session_token():
    """A fresh random value; changing it signs the user out everywhere."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """Someone who signs in: with their mobile number and password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Normalised 11-digit mobile number used to sign in.
    mobile: Mapped[str] = mapped_column(sa.String(11), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    #: Werkzeug hash; NULL until a deputy activates the account and sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: Disabled accounts cannot sign in and lose every session.
    enabled: Mapped[bool] = mapped_column(default=True)
    #: Part of the session and remember-cookie identity: rotating it ends every session at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    #: The person this account belongs to, for deputies; NULL for staff who are not deputies.
    deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deputies.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    deputy = relationship("Deputy", back_populates="account")
    role_rows = relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")
    townships = relationship("Township", secondary=user_townships, lazy="selectin",
                             order_by="Township.name_sort_key")

    # flask-login identity: id plus session token, so rotating the token voids old cookies, plus
    # the time it was issued, so a remember cookie outlives its 60 days on the server too.
    def get_id(self):
        return f"{self.id}:{self.session_token}:{int(utcnow().timestamp())}"

    @property
    def is_active(self):
        return self.enabled

    @property
    def roles(self):
        return {row.role for row in self.role_rows}

    def has_role(self, *roles):
        """True when the user holds any of the given roles (``Role`` members or their values)."""
        return bool(self.roles.intersection(Role(r) for r in roles))

    def set_roles(self, roles):
        """Replace the user's role set."""
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in wanted - self.roles:
            self.role_rows.append(UserRole(role=role))

    @property
    def sees_whole_district(self):
        return self.has_role(Role.committee, Role.admin)

    @property
    def township_ids(self):
        return {t.id for t in self.townships}

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)
        self.password_changed_at = utcnow()

    def check_password(self, password):
        """True when ``password`` is this account's; an account without one costs the same hashing time."""
        return password_matches(self, password)

    def end_all_sessions(self):
        """Void every session and remember cookie of this user, on every device."""
        self.session_token = new_session_token()

    def __repr__(self):
        return f"<User {self.id}>"


@functools.cache
def _dummy_hash():
    return generate_password_hash("no account has this password")


def password_matches(user, password):
    """Check a password with exactly one hash check, whether ``user`` is None, has no password or has one.

    Every failing path costs the same hashing time, so timing tells neither whether a number is
    registered nor whether its account has been activated.
    """
    stored = user.password_hash if user is not None else None
    matches = check_password_hash(stored or _dummy_hash(), password)
    return bool(stored) and matches


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20), primary_key=True)


class ActivationToken(db.Model):
    """A single-use link (or its QR code) that lets a deputy set their first password."""

    __tablename__ = "activation_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it was used, or voided by a newer token; NULL while still usable.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()


class LoginThrottle(db.Model):
    """Failed sign-ins counted per account (number) and per client address, shared by every worker.

    Kept in the database so that all processes and instances see the same counts. An account
    waits a growing time after repeated failures; an address is locked (see ``throttle``).
    """

    __tablename__ = "login_throttles"

    #: ``account:<sha256 of the mobile>`` or ``address:<ip>``; hashed so no phone number is stored here.
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    #: Start of the current counting window (UTC).
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Sign-in refused until this instant (UTC); NULL when not locked.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Attempts refused while locked and not yet written to the audit trail (one event per lock, counted).
    refused: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Last failure (UTC), for accounts: a day without one forgets the count.
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottleAddress(db.Model):
    """A client address that failed to sign in to an account in its current run of failures.

    Counted to tell one person mistyping from an account tried from many addresses (which alerts
    the committee); removed with the account's count.
    """

    __tablename__ = "login_throttle_addresses"

    #: The account's ``LoginThrottle.key``.
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PasswordResetCode(db.Model):
    """A code sent by SMS to a deputy who forgot their password (忘记密码); typed back to set a new one.

    Only its hash is stored; it works once, for a few minutes, and a few wrong tries void it (rule R35).
    """

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the user id and the six digits; the digits themselves only travel in the SMS.
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Wrong codes typed against it; at the limit it is void.
    attempts: Mapped[int] = mapped_column(default=0)
    #: When it was used, or voided by a newer code or too many wrong tries; NULL while usable.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @staticmethod
    def hash(user_id, code):
        return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()
