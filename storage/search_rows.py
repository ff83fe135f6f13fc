"""The search table: one row per (case, normalised term), indexed by term."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

# Byte (code-point) order on both databases, so a prefix is one index range scan.
TERM_TYPE = String(200).with_variant(String(200, collation="C"), "postgresql")


class CaseSearchTermRow(Base):
    """A term a case is found by (``cases.search.search_terms``)."""

    __tablename__ = "case_search_terms"
    __table_args__ = (Index("ix_case_search_terms_term", "term", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    term: Mapped[str] = mapped_column(TERM_TYPE, primary_key=True)
