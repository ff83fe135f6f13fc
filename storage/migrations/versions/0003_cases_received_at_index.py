"""Cases: index on received_at, for the Phase Three report over a period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-05-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_received_at", "cases", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_received_at", table_name="cases")
