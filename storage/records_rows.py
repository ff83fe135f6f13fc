"""Tables for records under UK GDPR: legal holds, anonymised cases, exports, daily runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class LegalHoldRow(Base):
    """A case on legal hold keeps its personal data until the hold is released."""

    __tablename__ = "legal_holds"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    held_by: Mapped[str] = mapped_column(String(64))
    held_at: Mapped[datetime]


class AnonymisedCaseRow(Base):
    """A case whose personal data is gone: when, and why (retention or erasure)."""

    __tablename__ = "anonymised_cases"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    anonymised_at: Mapped[datetime]
    how: Mapped[str] = mapped_column(String(16))


class RecordExportRow(Base):
    """A subject-access export: when, by whom, matched by what kind of detail (never the
    detail itself), and the references it held."""

    __tablename__ = "record_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    exported_by: Mapped[str] = mapped_column(String(64))
    matched_by: Mapped[str] = mapped_column(String(16))
    case_references: Mapped[list[Any]]


class DailyJobRunRow(Base):
    """One daily job's run on one London day, claimed by exactly one process."""

    __tablename__ = "daily_job_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    worker: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime]
