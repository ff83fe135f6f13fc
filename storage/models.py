"""SQLAlchemy 2 typed tables for cases, history, deadlines, roles, outbox, alerts, people,
letters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC; always hands back UTC-aware datetimes (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
        utc = value.astimezone(UTC)
        # SQLite keeps text; one fixed form (naive UTC) keeps comparisons lexicographic.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


_OPEN_DEADLINE = text("met_at IS NULL AND retired_at IS NULL")
_PENDING_OUTBOX = text("delivered_at IS NULL AND dead_at IS NULL")


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_state", "state"),
        Index("ix_cases_owner", "owner"),
        Index("ix_cases_investigator", "investigator"),
        Index("ix_cases_reviewer", "reviewer"),
        Index("ix_cases_delegate", "delegate"),
        Index("ix_cases_logged_by", "logged_by"),
        # The Phase Three report pages through the cases received in a period.
        Index("ix_cases_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(32))
    intake: Mapped[dict[str, Any]]
    intake_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    received_at: Mapped[datetime]
    effective_receipt: Mapped[date] = mapped_column(Date)
    logged_by: Mapped[str] = mapped_column(String(64))
    logged_at: Mapped[datetime]
    owner: Mapped[str | None] = mapped_column(String(64))
    promised_reply_by: Mapped[date | None] = mapped_column(Date)
    investigator: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    suggestions: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    # Phase Three (0010): Stage One's root cause (a policy key) and remedies; NULL: not
    # recorded (cases closed before it was asked).
    root_cause: Mapped[str | None] = mapped_column(String(32))
    remedies: Mapped[list[Any] | None]
    remedy_amount_pence: Mapped[int | None] = mapped_column(Integer)
    # Copies of the intake fields the trends report counts (0013), written with the
    # intake, so the report groups plain columns: category, channel, relationship, the
    # staff-conduct subject, and the complainant's email and phone as repeat-complainant
    # keys (cases.report_facts; NULL when there is none, or a phone cannot be normalised).
    category: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    relationship: Mapped[str | None] = mapped_column(String(32))
    subject_user_id: Mapped[str | None] = mapped_column(String(64))
    contact_email_key: Mapped[str | None] = mapped_column(Text)
    contact_phone_key: Mapped[str | None] = mapped_column(Text)
    review_requested_at: Mapped[datetime | None]
    review_effective_receipt: Mapped[date | None] = mapped_column(Date)
    review_request_how: Mapped[str | None] = mapped_column(Text)
    review_late_reason: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(64))
    delegate: Mapped[str | None] = mapped_column(String(64))
    review_reply_by: Mapped[date | None] = mapped_column(Date)
    person_informed_at: Mapped[datetime | None]
    person_response: Mapped[str | None] = mapped_column(Text)
    person_responded_at: Mapped[datetime | None]
    progress_updates: Mapped[list[Any]]
    decision: Mapped[dict[str, Any] | None]
    final_letter: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    last_actor: Mapped[str | None] = mapped_column(String(64))
    last_action_at: Mapped[datetime | None]


class CaseEventRow(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, Any]]


class DeadlineRow(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "kind"),
        # "Open deadlines due before T" is a range scan over this partial index.
        Index("ix_deadlines_open_due_at", "due_at",
              sqlite_where=_OPEN_DEADLINE, postgresql_where=_OPEN_DEADLINE),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    original_due_at: Mapped[datetime]
    started_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class RoleRow(Base):
    __tablename__ = "roles"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ReferenceCounterRow(Base):
    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # The delivery worker asks "pending and due now", oldest first.
        Index("ix_outbox_pending_next_attempt_at", "next_attempt_at",
              sqlite_where=_PENDING_OUTBOX, postgresql_where=_PENDING_OUTBOX),
        Index("ix_outbox_case_id", "case_id"),
        # Claiming asks "is there an older pending row of this case?" (per-case order).
        Index("ix_outbox_pending_case_id_id", "case_id", "id",
              sqlite_where=_PENDING_OUTBOX, postgresql_where=_PENDING_OUTBOX),
        # A notice is queued at most once per surface (ON CONFLICT DO NOTHING).
        UniqueConstraint("surface", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    # The surface that delivers the row (cases.delivery: "slack", later "teams", ...).
    # The server default only serves rows queued by a process older than 0006.
    surface: Mapped[str] = mapped_column(String(32), server_default=text("'slack'"))
    created_at: Mapped[datetime]
    # Every claim counts, transient retries included: drives the retry backoff.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Refusals and unexpected errors only: the row is dead-lettered when they reach
    # bot.dispatch.PERMANENT_ATTEMPTS. Raw inserts (the sweep's) rely on the server default.
    hard_failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class MessageRefRow(Base):
    """Where a case's message in one slot (cs card, directors card, decision) lives on one
    surface: an opaque reference only that surface's adapter reads (Slack: channel, ts)."""

    __tablename__ = "message_refs"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    surface: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot: Mapped[str] = mapped_column(String(32), primary_key=True)
    ref: Mapped[str] = mapped_column(Text)


class AlertRow(Base):
    """One deadline alert occurrence, claimed and posted at most once (key is unique)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    deadline_kind: Mapped[str] = mapped_column(String(32))
    alert_kind: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(128))


class PersonRow(Base):
    """A person (``cases.people.Person``); the id is opaque, e.g. ``P-0a1b2c3d4e``."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))


class PersonAccountRow(Base):
    """One linked account (``slack:U…``, ``teams:…``, ``email:…``); each has one person."""

    __tablename__ = "person_accounts"
    __table_args__ = (
        UniqueConstraint("kind", "external_id"),
        Index("ix_person_accounts_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))


class LetterRow(Base):
    """One letter to a complainant in the communications log (``cases.communications``).

    An emailed letter's delivery state is its outbox row's (``outbox_key`` is that row's
    dedupe key on the email surface); post and phone letters keep the state they were
    recorded with.
    """

    __tablename__ = "letters"
    __table_args__ = (
        Index("ix_letters_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    view: Mapped[dict[str, Any]]
    recipient: Mapped[str | None] = mapped_column(String(500))
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    outbox_key: Mapped[str | None] = mapped_column(String(255))
    resend_of: Mapped[str | None] = mapped_column(String(64))


# The search table, the records tables (legal holds, anonymised cases, exports, daily job
# runs) and the conversation references a surface keeps (Teams: its channels and personal
# chats) live in their own modules; importing them here puts them on Base.
from storage import conversation_rows as _conversation_rows  # noqa: E402, F401
from storage import records_rows as _records_rows  # noqa: E402, F401 (its tables are on Base)
from storage import search_rows as _search_rows  # noqa: E402, F401 (its table is on Base)


class ReviewRow(Base):
    """A quarterly review recorded by the HR manager or a director (Phase Three)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]


class ReviewActionRow(Base):
    """One action a review decided on: what, whose, by when, and when it was done."""

    __tablename__ = "review_actions"
    __table_args__ = (
        Index("ix_review_actions_open_due", "due_on", sqlite_where=text("done_at IS NULL"),
              postgresql_where=text("done_at IS NULL")),
        Index("ix_review_actions_review", "review_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(64))
