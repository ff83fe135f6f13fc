"""The intake fields the trends report counts, as plain columns on cases, so that the
report groups them in SQL without reading (or parsing) the intake.

Adds to ``cases`` the intake's ``category``, ``channel``, ``relationship`` and
``subject_user_id``, and the repeat-complainant keys ``contact_email_key`` and
``contact_phone_key`` (the complainant's email and phone normalised,
``cases.report_facts.email_key`` / ``phone_contact_key``), and fills them for every stored
case from its intake, in batches (keyset on the case id). Anonymised cases have no email
or phone in their intake and get no key. Downgrade drops the columns.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from cases.report_facts import email_key, phone_contact_key

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
COLUMNS: list[tuple[str, sa.types.TypeEngine[Any]]] = [
    ("category", sa.String(32)), ("channel", sa.String(32)), ("relationship", sa.String(32)),
    ("subject_user_id", sa.String(64)), ("contact_email_key", sa.Text()),
    ("contact_phone_key", sa.Text())]


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no default): no rebuild of ``cases``.
    for name, kind in COLUMNS:
        op.add_column("cases", sa.Column(name, kind, nullable=True))
    cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("intake", sa.JSON()),
                     *(sa.column(name, kind) for name, kind in COLUMNS))
    conn = op.get_bind()
    fill = (sa.update(cases).where(cases.c.id == sa.bindparam("case_id"))
            .values({name: sa.bindparam(f"new_{name}") for name, _ in COLUMNS}))
    last = 0
    while True:
        rows = conn.execute(sa.select(cases.c.id, cases.c.intake).where(cases.c.id > last)
                            .order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            return
        values = [{"case_id": row.id, **_values(row.intake or {})} for row in rows]
        conn.execute(fill, values)
        last = rows[-1].id


def _values(intake: dict[str, Any]) -> dict[str, Any]:
    return {"new_category": intake.get("category"), "new_channel": intake.get("channel"),
            "new_relationship": intake.get("relationship"),
            "new_subject_user_id": intake.get("subject_user_id"),
            "new_contact_email_key": email_key(intake.get("email")),
            "new_contact_phone_key": phone_contact_key(intake.get("phone"))}


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): the columns are in no index or constraint.
    for name, _ in reversed(COLUMNS):
        op.drop_column("cases", name)
