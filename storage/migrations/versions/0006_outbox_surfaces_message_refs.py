"""Outbox rows name their surface; chat_posts(channel, ts) becomes message_refs(ref).

- ``outbox.surface``: the surface that delivers the row. Every row queued so far was for
  Slack. A notice is now queued at most once per surface, so the unique key on
  ``dedupe_key`` becomes one on ``(surface, dedupe_key)``.
- ``message_refs(case_id, surface, slot, ref)`` replaces ``chat_posts(case_id, surface,
  channel, ts)``, whose "surface" was the slot (cs card, directors card, decision). The
  reference is opaque to storage; Slack's is ``channel:ts`` (handlers.delivery.slack_ref),
  which is what the existing rows become.

On SQLite the outbox's unique key can only change by rebuilding the table: its indexes
(two of them partial) are dropped first and created again afterwards, exactly as
0001/0002 made them, rather than left to the rebuild's reflection.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_OUTBOX = sa.text("delivered_at IS NULL AND dead_at IS NULL")
_OUTBOX_INDEXES: tuple[tuple[str, list[str], bool], ...] = (
    ("ix_outbox_pending_next_attempt_at", ["next_attempt_at"], True),
    ("ix_outbox_case_id", ["case_id"], False),
    ("ix_outbox_pending_case_id_id", ["case_id", "id"], True),
)
# Slack's reference: channel and ts joined by a colon (neither ever contains one).
_SEPARATOR = ":"


def _rebuilding() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_outbox_indexes() -> None:
    if _rebuilding():
        for name, _, _ in _OUTBOX_INDEXES:
            op.drop_index(name, table_name="outbox")


def _create_outbox_indexes() -> None:
    if _rebuilding():
        for name, columns, partial in _OUTBOX_INDEXES:
            op.create_index(name, "outbox", columns,
                            sqlite_where=PENDING_OUTBOX if partial else None)


def upgrade() -> None:
    _drop_outbox_indexes()
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("surface", sa.String(32), nullable=False,
                                   server_default=sa.text("'slack'")))
        batch.drop_constraint("uq_outbox_dedupe_key", type_="unique")
        batch.create_unique_constraint("uq_outbox_surface_dedupe_key",
                                       ["surface", "dedupe_key"])
    _create_outbox_indexes()

    op.create_table(
        "message_refs",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("slot", sa.String(32), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name="fk_message_refs_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", "surface", "slot", name="pk_message_refs"),
    )
    op.execute(sa.text(
        "INSERT INTO message_refs (case_id, surface, slot, ref) "
        f"SELECT case_id, 'slack', surface, channel || '{_SEPARATOR}' || ts FROM chat_posts"))
    op.drop_table("chat_posts")


def downgrade() -> None:
    op.create_table(
        "chat_posts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_chat_posts_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", "surface", name="pk_chat_posts"),
    )
    bind = op.get_bind()
    # Split in Python: SQLite and PostgreSQL share no string-position function.
    refs = bind.execute(sa.text(
        "SELECT case_id, slot, ref FROM message_refs WHERE surface = 'slack'")).all()
    posts = [{"case_id": case_id, "surface": slot, "channel": channel, "ts": ts}
             for case_id, slot, ref in refs
             for channel, _, ts in [str(ref).partition(_SEPARATOR)]]
    if posts:
        bind.execute(sa.text("INSERT INTO chat_posts (case_id, surface, channel, ts) "
                             "VALUES (:case_id, :surface, :channel, :ts)"), posts)
    op.drop_table("message_refs")

    # The old schema knows only Slack: other surfaces' messages cannot be kept.
    op.execute(sa.text("DELETE FROM outbox WHERE surface <> 'slack'"))
    _drop_outbox_indexes()
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_surface_dedupe_key", type_="unique")
        batch.create_unique_constraint("uq_outbox_dedupe_key", ["dedupe_key"])
        batch.drop_column("surface")
    _create_outbox_indexes()
