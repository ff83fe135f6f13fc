"""Repeat-complainant keys on cases, so the trends report groups them in SQL.

Adds ``cases.contact_email_key`` and ``cases.contact_phone_key`` (the complainant's email
and phone normalised, ``cases.report_facts.email_key`` / ``phone_contact_key``) and fills
them for every stored case, in batches (keyset on the case id), from the intake. Anonymised
cases have neither in their intake and get neither. Downgrade drops the columns.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cases.report_facts import email_key, phone_contact_key

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no default): no rebuild of ``cases``.
    op.add_column("cases", sa.Column("contact_email_key", sa.Text(), nullable=True))
    op.add_column("cases", sa.Column("contact_phone_key", sa.Text(), nullable=True))
    cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("intake", sa.JSON()),
                     sa.column("contact_email_key", sa.Text()),
                     sa.column("contact_phone_key", sa.Text()))
    conn = op.get_bind()
    fill = (sa.update(cases).where(cases.c.id == sa.bindparam("case_id"))
            .values(contact_email_key=sa.bindparam("email"),
                    contact_phone_key=sa.bindparam("phone")))
    last = 0
    while True:
        rows = conn.execute(sa.select(cases.c.id, cases.c.intake).where(cases.c.id > last)
                            .order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            return
        values = [{"case_id": row.id, "email": email_key((row.intake or {}).get("email")),
                   "phone": phone_contact_key((row.intake or {}).get("phone"))}
                  for row in rows]
        conn.execute(fill, values)
        last = rows[-1].id


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): the columns are in no index or constraint.
    op.drop_column("cases", "contact_phone_key")
    op.drop_column("cases", "contact_email_key")
