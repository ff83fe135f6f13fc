"""People: every Slack user id in the data becomes a person with a linked slack account.

Adds ``people`` and ``person_accounts``, makes one person per distinct Slack user id
found in the data (display name: the Slack id, until a name is known; account
``slack:<id>``) and rewrites every reference to the person id. The system actor
("system") is not a person, and values that are not Slack user ids are left as they are.
Downgrade writes each person's Slack id back (their first-linked one) and drops the
tables; a person with no Slack account (made after the upgrade) keeps their person id.

Rows are read in batches (keyset on the primary key) and rewritten in Python, the same
code on SQLite and PostgreSQL. What is rewritten (``PERSON_COLUMNS`` and the JSON keys):
roles.user_id; cases.logged_by/owner/investigator/reviewer/delegate/last_actor;
cases.intake.subject_user_id; cases.decision.drafted_by/approved_by and
.change_requests[].by; cases.progress_updates[].by; case_events.actor and the
details keys in ``EVENT_DETAIL_KEYS``; outbox rows not yet delivered (pending or dead, as
dead ones can be requeued): the payload keys in ``PAYLOAD_KEYS`` and a digest's
items[].owner.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.migration.0007")  # quiet in the CLI like alembic's own

# Copied, not imported, from cases.people: a migration must not change with the code.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
BATCH = 500

PERSON_COLUMNS = ("logged_by", "owner", "investigator", "reviewer", "delegate", "last_actor")
EVENT_DETAIL_KEYS = ("owner", "investigator", "previous", "reviewer", "delegate", "by")
PAYLOAD_KEYS = ("user", "actor", "by", "owner", "investigator", "reviewer", "delegate")

Mapper = Callable[[Any], Any]

_people = sa.table("people", sa.column("id", sa.String), sa.column("display_name", sa.String))
_accounts = sa.table("person_accounts", sa.column("id", sa.Integer),
                     sa.column("person_id", sa.String), sa.column("kind", sa.String),
                     sa.column("external_id", sa.String))
_roles = sa.table("roles", sa.column("user_id", sa.String), sa.column("role", sa.String))
_cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("intake", sa.JSON),
                  sa.column("decision", sa.JSON), sa.column("progress_updates", sa.JSON),
                  *(sa.column(c, sa.String) for c in PERSON_COLUMNS))
_events = sa.table("case_events", sa.column("id", sa.Integer), sa.column("actor", sa.String),
                   sa.column("details", sa.JSON))
_outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("payload", sa.JSON),
                   sa.column("delivered_at", sa.DateTime))


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
    )
    op.create_table(
        "person_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name="fk_person_accounts_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_person_accounts"),
        sa.UniqueConstraint("kind", "external_id", name="uq_person_accounts_kind_external_id"),
    )
    op.create_index("ix_person_accounts_person_id", "person_accounts", ["person_id"])
    conn = op.get_bind()
    people = _SlackPeople(conn)
    _rewrite(conn, people.person_for)
    log.info("0007: %d people made from Slack user ids", len(people.made))


def downgrade() -> None:
    conn = op.get_bind()
    slack_of: dict[str, str] = {}
    rows = conn.execute(sa.select(_accounts.c.person_id, _accounts.c.external_id)
                        .where(_accounts.c.kind == "slack").order_by(_accounts.c.id.desc()))
    for person_id, external_id in rows:
        slack_of[person_id] = external_id  # descending: the first-linked account wins

    def back(value: Any) -> Any:
        return slack_of.get(value, value) if isinstance(value, str) else value

    _rewrite(conn, back)
    op.drop_index("ix_person_accounts_person_id", table_name="person_accounts")
    op.drop_table("person_accounts")
    op.drop_table("people")


class _SlackPeople:
    """Person ids for Slack user ids, making each person (and account) on first sight."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.made: dict[str, str] = {}

    def person_for(self, value: Any) -> Any:
        if not isinstance(value, str) or SLACK_USER_ID.fullmatch(value) is None:
            return value
        person_id = self.made.get(value)
        if person_id is None:
            person_id = f"P-{secrets.token_hex(5)}"
            self.conn.execute(sa.insert(_people).values(id=person_id, display_name=value))
            self.conn.execute(sa.insert(_accounts).values(person_id=person_id, kind="slack",
                                                          external_id=value))
            self.made[value] = person_id
        return person_id


def _rewrite(conn: sa.Connection, person: Mapper) -> None:
    """Apply ``person`` to every person-valued field, table by table."""
    _rewrite_roles(conn, person)
    _rewrite_table(conn, _cases, lambda row: _case_values(row, person))
    _rewrite_table(conn, _events, lambda row: {
        "actor": person(row.actor), "details": _mapped_keys(row.details, EVENT_DETAIL_KEYS,
                                                            person)})
    _rewrite_table(conn, _outbox, lambda row: {"payload": _payload(row.payload, person)},
                   where=_outbox.c.delivered_at.is_(None))


def _rewrite_roles(conn: sa.Connection, person: Mapper) -> None:
    """roles has a composite key: page through its distinct user ids, update by value."""
    last = ""
    while True:
        users = list(conn.scalars(sa.select(_roles.c.user_id).distinct()
                                  .where(_roles.c.user_id > last)
                                  .order_by(_roles.c.user_id).limit(BATCH)))
        if not users:
            return
        changes = [(old, person(old)) for old in users]
        for old, new in changes:
            if new != old:
                conn.execute(sa.update(_roles).where(_roles.c.user_id == old)
                             .values(user_id=new))
        last = users[-1]


def _batches(conn: sa.Connection, table: sa.TableClause,
             where: sa.ColumnElement[bool] | None) -> Iterator[Sequence[sa.Row[Any]]]:
    last = 0
    while True:
        stmt = sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        if where is not None:
            stmt = stmt.where(where)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rewrite_table(conn: sa.Connection, table: sa.TableClause,
                   values: Callable[[sa.Row[Any]], dict[str, Any]],
                   where: sa.ColumnElement[bool] | None = None) -> None:
    """Page through ``table`` by id; update the rows whose ``values`` changed.

    Each page's updates go as one executemany per set of changed columns.
    """
    for rows in _batches(conn, table, where):
        grouped: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            changed = {k: v for k, v in values(row).items() if v != getattr(row, k)}
            if changed:
                grouped[tuple(sorted(changed))].append(
                    {"row_id": row.id, **{f"new_{k}": v for k, v in changed.items()}})
        for columns, params in grouped.items():
            stmt = (sa.update(table).where(table.c.id == sa.bindparam("row_id"))
                    .values({c: sa.bindparam(f"new_{c}", type_=table.c[c].type)
                             for c in columns}))
            conn.execute(stmt, params)


def _case_values(row: sa.Row[Any], person: Mapper) -> dict[str, Any]:
    values: dict[str, Any] = {c: person(getattr(row, c)) for c in PERSON_COLUMNS}
    values["intake"] = _mapped_keys(row.intake, ("subject_user_id",), person)
    values["progress_updates"] = _mapped_list(row.progress_updates, ("by",), person)
    decision = _mapped_keys(row.decision, ("drafted_by", "approved_by"), person)
    if isinstance(decision, dict) and "change_requests" in decision:
        decision["change_requests"] = _mapped_list(decision["change_requests"], ("by",),
                                                   person)
    values["decision"] = decision
    return values


def _payload(payload: Any, person: Mapper) -> Any:
    mapped = _mapped_keys(payload, PAYLOAD_KEYS, person)
    if isinstance(mapped, dict) and "items" in mapped:
        mapped["items"] = _mapped_list(mapped["items"], ("owner",), person)
    return mapped


def _mapped_keys(data: Any, keys: Sequence[str], person: Mapper) -> Any:
    """A copy of the JSON object ``data`` with ``person`` applied to ``keys`` present."""
    if not isinstance(data, dict):
        return data
    return {k: person(v) if k in keys else v for k, v in data.items()}


def _mapped_list(data: Any, keys: Sequence[str], person: Mapper) -> Any:
    """A JSON array of objects, each with ``person`` applied to ``keys``."""
    if not isinstance(data, list):
        return data
    return [_mapped_keys(item, keys, person) for item in data]
