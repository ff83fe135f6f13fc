"""Case search: one row per (case, normalised term), indexed by term, for `/complaint find`.

Adds ``case_search_terms`` and fills it for every stored case, in batches (keyset on the
case id), from the reference and the intake's name, organisation, email and phone
(``cases.search.terms_of``). Downgrade drops the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from cases.search import terms_of

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
TERM = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade() -> None:
    terms = op.create_table(
        "case_search_terms",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("term", TERM, primary_key=True),
    )
    op.create_index("ix_case_search_terms_term", "case_search_terms", ["term", "case_id"])
    cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("reference", sa.String()),
                     sa.column("intake", sa.JSON()))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(cases.c.id, cases.c.reference, cases.c.intake)
                            .where(cases.c.id > last).order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            return
        values = [{"case_id": row.id, "term": term} for row in rows
                  for term in sorted(_terms(row.reference, row.intake or {}))]
        if values:
            conn.execute(sa.insert(terms), values)
        last = rows[-1].id


def _terms(reference: str, intake: dict[str, Any]) -> frozenset[str]:
    return terms_of(reference, name=intake.get("complainant_name"),
                    organisation=intake.get("organisation"), email=intake.get("email"),
                    phone=intake.get("phone"))


def downgrade() -> None:
    op.drop_index("ix_case_search_terms_term", table_name="case_search_terms")
    op.drop_table("case_search_terms")
