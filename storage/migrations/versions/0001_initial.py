"""Initial schema: cases, history, deadlines, roles, references, outbox, chat posts, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_DEADLINE = sa.text("met_at IS NULL AND retired_at IS NULL")
PENDING_OUTBOX = sa.text("delivered_at IS NULL AND dead_at IS NULL")


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("intake", sa.JSON(), nullable=False),
        sa.Column("intake_key", sa.String(255), nullable=True),
        _ts("received_at", nullable=False),
        sa.Column("effective_receipt", sa.Date(), nullable=False),
        sa.Column("logged_by", sa.String(64), nullable=False),
        _ts("logged_at", nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("promised_reply_by", sa.Date(), nullable=True),
        sa.Column("investigator", sa.String(64), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("suggestions", sa.Text(), nullable=True),
        _ts("replied_at"),
        _ts("review_requested_at"),
        sa.Column("review_effective_receipt", sa.Date(), nullable=True),
        sa.Column("review_request_how", sa.Text(), nullable=True),
        sa.Column("review_late_reason", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(64), nullable=True),
        sa.Column("delegate", sa.String(64), nullable=True),
        sa.Column("review_reply_by", sa.Date(), nullable=True),
        _ts("person_informed_at"),
        sa.Column("person_response", sa.Text(), nullable=True),
        _ts("person_responded_at"),
        sa.Column("progress_updates", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("final_letter", sa.Text(), nullable=True),
        _ts("closed_at"),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("last_actor", sa.String(64), nullable=True),
        _ts("last_action_at"),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("reference", name="uq_cases_reference"),
        sa.UniqueConstraint("intake_key", name="uq_cases_intake_key"),
    )
    for column in ("state", "owner", "investigator", "reviewer", "delegate", "logged_by"):
        op.create_index(f"ix_cases_{column}", "cases", [column])

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _ts("at", nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_id_seq"),
    )

    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _ts("due_at", nullable=False),
        _ts("original_due_at", nullable=False),
        _ts("started_at", nullable=False),
        _ts("met_at"),
        _ts("retired_at"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_deadlines_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_deadlines"),
        sa.UniqueConstraint("case_id", "kind", name="uq_deadlines_case_id_kind"),
    )
    op.create_index("ix_deadlines_open_due_at", "deadlines", ["due_at"],
                    sqlite_where=OPEN_DEADLINE, postgresql_where=OPEN_DEADLINE)

    op.create_table(
        "roles",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role", name="pk_roles"),
    )

    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_reference_counters"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=True),
        _ts("created_at", nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at", nullable=False),
        _ts("delivered_at"),
        _ts("dead_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_outbox_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_pending_next_attempt_at", "outbox", ["next_attempt_at"],
                    sqlite_where=PENDING_OUTBOX, postgresql_where=PENDING_OUTBOX)
    op.create_index("ix_outbox_case_id", "outbox", ["case_id"])

    op.create_table(
        "chat_posts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_chat_posts_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", "surface", name="pk_chat_posts"),
    )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_kind", sa.String(32), nullable=False),
        sa.Column("alert_kind", sa.String(32), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        _ts("not_before", nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        _ts("claimed_until"),
        _ts("posted_at"),
        _ts("retired_at"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_alerts_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("key", name="uq_alerts_key"),
    )
    op.create_index("ix_alerts_posted_at_retired_at_not_before", "alerts",
                    ["posted_at", "retired_at", "not_before"])
    op.create_index("ix_alerts_case_id", "alerts", ["case_id"])


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("chat_posts")
    op.drop_table("outbox")
    op.drop_table("reference_counters")
    op.drop_table("roles")
    op.drop_table("deadlines")
    op.drop_table("case_events")
    op.drop_table("cases")
