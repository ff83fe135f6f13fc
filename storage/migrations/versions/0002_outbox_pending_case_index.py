"""Outbox: partial index on pending rows by (case_id, id), for per-case ordered claiming.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_OUTBOX = sa.text("delivered_at IS NULL AND dead_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_outbox_pending_case_id_id", "outbox", ["case_id", "id"],
                    sqlite_where=PENDING_OUTBOX, postgresql_where=PENDING_OUTBOX)


def downgrade() -> None:
    op.drop_index("ix_outbox_pending_case_id_id", table_name="outbox")
