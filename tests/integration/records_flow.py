"""A whole case with a distinctive complainant, through Stage One and Stage Two with
letters, for the records tests: every place the desk keeps personal data gets some."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from bot.dispatch import OutboxDispatcher
from cases import letters as views
from cases.clock import FrozenClock
from cases.company import CompanyDetails
from cases.delivery import DeliveryItem
from cases.letters import DeliveryMethod, LetterView
from cases.model import Outcome
from cases.people import AccountKind
from cases.policy import Policy
from cases.roles import Role
from cases.services import ComplaintsDesk
from letters.surface import Letters
from scheduling.calendar import UKWorkingCalendar
from storage.outbox import OutboxStore
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import intake_data

LONDON = ZoneInfo("Europe/London")
CS, INV, DIR, DIR2, HR = "P-0000000c51", "P-00000001a1", "P-00000d1a01", "P-00000d1a02", \
    "P-0000000ff1"

NAME = "Quorra Blenkinsop-Vashti"
EMAIL = "quorra.blenkinsop@vashti-mail.example"
PHONE = "01482 765432"
ADDRESS = "14 Zanzibar Mews\nNether Wallop Magna\nSO20 8QQ"
# The four values as typed, and the forms the desk writes them in (formatted, E.164,
# one line of the address, the surname): none may be left anywhere after anonymisation.
NEEDLES = (NAME, EMAIL, PHONE, "+44 1482 765432", "+441482765432", "14 Zanzibar Mews",
           "Nether Wallop Magna", "Blenkinsop", "Zanzibar", "vashti-mail")
OLD_PHONE = "07911 734589"   # corrected away: still the complainant's, in the history


def london(m: int, d: int, h: int, year: int = 2026) -> datetime:
    return datetime(year, m, d, h, tzinfo=LONDON)


class Accept:
    """A surface that takes every message (so some outbox rows end up delivered)."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def deliver(self, item: DeliveryItem) -> None:
        self.payloads.append(item.payload)


@dataclass
class World:
    engine: Engine
    clock: FrozenClock
    desk: ComplaintsDesk
    uow: SqlUnitOfWorkFactory


def world(engine: Engine, policy: Policy | None = None) -> World:
    clock = FrozenClock(london(6, 10, 11))
    uow = SqlUnitOfWorkFactory(engine, clock, surfaces=("slack",))
    desk = ComplaintsDesk(uow, clock, UKWorkingCalendar(), policy or Policy(),
                          reader=uow.reader())
    with uow() as u:
        for person, role in ((CS, Role.CUSTOMER_SERVICES), (DIR, Role.DIRECTOR),
                             (DIR2, Role.DIRECTOR), (HR, Role.HR_MANAGER)):
            u.roles.grant(person, role)
        # The complainant known as a person too (by their email): their name is on it.
        u.people.get_or_create_for_account(AccountKind.EMAIL, EMAIL, NAME)
        u.commit()
    return World(engine, clock, desk, uow)


def _letter(w: World, letters: Letters, case_id: int, view: LetterView,
            method: DeliveryMethod = DeliveryMethod.EMAIL) -> None:
    w.desk.send_letter(case_id, actor=CS, view=view, method=method,
                       text=letters.templates.text(view))


def whole_case(w: World, letters: Letters) -> int:
    """Logged, corrected, noted, searched, attached, Stage One, Stage Two, final; letters."""
    desk, company = w.desk, CompanyDetails()

    def at(m: int, d: int, h: int) -> ComplaintsDesk:
        w.clock.set(london(m, d, h))
        return desk

    case = desk.log_complaint(intake_data(
        complainant_name=NAME, email=EMAIL, phone=OLD_PHONE, postal_address=ADDRESS,
        organisation="Blenkinsop Widgets", facts=f"{NAME} says the tracker died.",
        received_at="2026-06-10T10:00:00+01:00"), logged_by=CS)
    cid = case.id
    assert cid is not None
    today = date(2026, 6, 11)
    at(6, 10, 12).edit_details(cid, actor=CS, changes={"phone": PHONE},
                               reason=f"{NAME} gave a new number")
    desk.add_note(cid, actor=CS, text=f"Rang {NAME} on {PHONE}.")
    assert desk.find_cases("Blenkinsop", viewer=CS)
    desk.attach_correspondence(cid, actor=CS, text=f"From: {EMAIL}\nIt broke.", files=[],
                               source="email forwarded")
    case = at(6, 11, 9).acknowledge_case(cid, actor=CS, owner=CS,
                                         promised_reply_by=date(2026, 7, 10),
                                         procedure_attached=True)
    _letter(w, letters, cid, views.stage_one_acknowledgement(
        case, company, today, owner_name="Carys Jones", reply_by=date(2026, 7, 10)))
    _letter(w, letters, cid, views.stage_one_acknowledgement(
        case, company, today, owner_name="Carys Jones", reply_by=date(2026, 7, 10)),
        DeliveryMethod.POST)
    at(6, 11, 11).assign_investigator(cid, actor=DIR, investigator=INV)
    at(6, 12, 9).conclude_investigation(cid, actor=INV, findings=f"{NAME}'s unit was faulty.")
    case = at(6, 12, 10).send_reply(cid, actor=CS, outcome=Outcome.PARTLY_UPHELD,
                                    suggestions=f"Replace {NAME}'s tracker.")
    _letter(w, letters, cid, views.stage_one_reply(
        case, company, today, outcome=Outcome.PARTLY_UPHELD,
        suggestions=f"Replace {NAME}'s tracker.", writer_name="Carys Jones"))
    at(7, 13, 10).request_review(cid, actor=CS, requested_at=london(7, 13, 9),
                                 how=f"email from {EMAIL}")
    case = at(7, 14, 10).acknowledge_review(cid, actor=DIR)
    _letter(w, letters, cid, views.stage_two_acknowledgement(
        case, company, today, reviewer_name="Dana Moss", reply_by=date(2026, 7, 28)))
    at(7, 24, 12).send_progress_update(cid, actor=DIR, reason=f"Waiting for {NAME}'s logs.",
                                       new_reply_by=date(2026, 8, 3))
    at(7, 29, 10).propose_decision(cid, actor=DIR, outcome=Outcome.UPHELD,
                                   reasons=f"{NAME} was right.", remedy="A new tracker.")
    at(7, 30, 10).request_changes(cid, actor=DIR2, comment=f"Apologise to {NAME}.")
    at(7, 31, 10).propose_decision(cid, actor=DIR, outcome=Outcome.UPHELD,
                                   reasons=f"{NAME} was right.", remedy="An apology.")
    case = at(8, 3, 10).approve_decision(cid, actor=DIR2)
    _letter(w, letters, cid, views.final_decision(
        case, company, today, outcome=Outcome.UPHELD, reasons=f"{NAME} was right.",
        remedy="An apology.", writer_name="Dana Moss"))
    desk.case_file(cid, viewer=HR)
    # Most messages are sent (delivered rows stay in the outbox until pruned); the last
    # ones are still pending.
    accept = Accept()
    OutboxDispatcher(OutboxStore(w.engine), {"slack": accept, "email": accept},
                     w.clock).drain()
    desk.add_note(cid, actor=CS, text=f"Posted to {ADDRESS}")
    return cid


def text_dump(engine: Engine) -> str:
    """Every column of every row of every table, as text (JSON as its text)."""
    parts: list[str] = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            columns = [c["name"] for c in inspect(conn).get_columns(table)]
            select = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
            for row in conn.execute(text(f'SELECT {select} FROM "{table}"')):
                parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def found(haystack: str) -> list[str]:
    """Which needles are in ``haystack`` (any case; JSON may escape a newline)."""
    folded = haystack.casefold().replace("\\n", "\n")
    return [n for n in NEEDLES if n.casefold() in folded]


def sqlite_file_bytes(engine: Engine) -> bytes:
    """The SQLite file (and any WAL left) after VACUUM: what the disk holds."""
    path = Path(str(make_url(str(engine.url)).database))
    engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")
