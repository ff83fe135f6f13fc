"""Outbox: hard_failures, the count of refusals and unexpected errors, for dead-lettering.

``attempts`` rises on every claim, transient retries included (a Slack outage, 429s), so
it cannot tell a message Slack keeps refusing from one that merely waited out an outage.
Rows already queued start at 0 (the server default).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: SQLite accepts NOT NULL with a constant
    # default, and no table rebuild touches the outbox's partial indexes.
    op.add_column("outbox", sa.Column("hard_failures", sa.Integer(), nullable=False,
                                      server_default=sa.text("0")))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): the column is in no index or constraint.
    op.drop_column("outbox", "hard_failures")
