"""Alerts: drop claimed_until, posted_at and retired_at, which nothing writes.

A claimed alert's delivery is the outbox row queued with it (delivered_at, dead_at), and
retirement is checked against the deadline at sweep and delivery time; these columns
and their index only misled readers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNUSED = ("claimed_until", "posted_at", "retired_at")


def upgrade() -> None:
    op.drop_index("ix_alerts_posted_at_retired_at_not_before", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:  # SQLite rebuilds the table
        for name in _UNUSED:
            batch.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        for name in _UNUSED:
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_alerts_posted_at_retired_at_not_before", "alerts",
                    ["posted_at", "retired_at", "not_before"])
