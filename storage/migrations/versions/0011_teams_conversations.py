"""Conversation references (``conversation_refs``): Teams' channels and personal chats.

Teams lets a bot post to a channel or a person only with a conversation reference it was
given (at install, or when someone wrote to it). They are kept in the database, keyed per
surface, so proactive posts survive a restart and work from any replica. Downgrade drops
the table (the bot learns them again from the next install or message).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_refs",
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("surface", "key", name="pk_conversation_refs"),
    )


def downgrade() -> None:
    op.drop_table("conversation_refs")
