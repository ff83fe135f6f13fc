"""Records under UK GDPR: legal holds, anonymised cases, subject-access exports, and the
once-a-day claim of the retention job.

Adds ``legal_holds``, ``anonymised_cases``, ``record_exports`` and ``daily_job_runs``;
nothing existing changes. Downgrade drops the four tables (holds and the record of
exports with them).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDS_TABLES = ("daily_job_runs", "record_exports", "anonymised_cases", "legal_holds")


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_by", sa.String(length=64), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name="fk_legal_holds_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", name="pk_legal_holds"),
    )
    op.create_table(
        "anonymised_cases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name="fk_anonymised_cases_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", name="pk_anonymised_cases"),
    )
    op.create_table(
        "record_exports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_by", sa.String(length=64), nullable=False),
        sa.Column("matched_by", sa.String(length=16), nullable=False),
        sa.Column("case_references", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_exports"),
    )
    op.create_table(
        "daily_job_runs",
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "day", name="pk_daily_job_runs"),
    )


def downgrade() -> None:
    for table in RECORDS_TABLES:
        op.drop_table(table)
