"""Phase Three: root causes and remedies on cases, and quarterly reviews with actions.

Adds to ``cases`` the Stage One root cause (a policy key), remedies (a JSON list) and the
amount refunded or credited (pence); existing cases keep NULL there, which the report
shows as "not recorded" (a final decision's root cause lives in its JSON, also absent on
old rows). Adds ``reviews`` and ``review_actions``. Downgrade drops all of it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (nullable, no default): no rebuild of ``cases``,
    # which every other table references.
    op.add_column("cases", sa.Column("root_cause", sa.String(32), nullable=True))
    op.add_column("cases", sa.Column("remedies", sa.JSON(), nullable=True))
    op.add_column("cases", sa.Column("remedy_amount_pence", sa.Integer(), nullable=True))
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("reviews.id"), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", _UTC, nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_review_actions_open_due", "review_actions", ["due_on"],
                    sqlite_where=sa.text("done_at IS NULL"),
                    postgresql_where=sa.text("done_at IS NULL"))
    op.create_index("ix_review_actions_review", "review_actions", ["review_id"])


def downgrade() -> None:
    op.drop_index("ix_review_actions_review", table_name="review_actions")
    op.drop_index("ix_review_actions_open_due", table_name="review_actions")
    op.drop_table("review_actions")
    op.drop_table("reviews")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): the columns are in no index or constraint.
    op.drop_column("cases", "remedy_amount_pence")
    op.drop_column("cases", "remedies")
    op.drop_column("cases", "root_cause")
