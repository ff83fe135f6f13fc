"""A throwaway second surface: plain text from the same view models, no Slack anywhere.

``PlainTextSurface`` is what a new adapter (Teams, email) would be: it takes each outbox
notice, asks ``cases`` who it is for and what it says, and applies its own "markup"
(plain text, people by display name). A whole Stage One and Stage Two case is driven
through ``ComplaintsDesk``; every card, timeline line, alert, digest and DM it produced is
read back as the staff handling the complaint would see it. Nothing in this module imports
the Slack adapter or a Slack library; a subprocess checks that the whole run loads neither.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cases.alerts import Alert, OpenDeadline
from cases.audience import Audience, card_audiences, channel_audience
from cases.clock import FrozenClock
from cases.messages import (
    AlertView,
    DigestView,
    DirectMessageView,
    alert_retired,
    alert_view,
    digest_view,
    direct_message_view,
)
from cases.model import Case, DeadlineKind, Notice, NoticeKind, Outcome
from cases.policy import Policy
from cases.roles import Role
from cases.services import ComplaintsDesk
from cases.views import CaseCardView, DecisionView, case_card_view, dates_to_tell, decision_view
from cases.wording import Line, Template, plain_text, template_of, timeline_line
from scheduling.calendar import UKWorkingCalendar
from scheduling.sweep import Sweeper
from tests.fakes import InMemoryUnitOfWorkFactory, intake_data

LONDON = ZoneInfo("Europe/London")
CS, INVESTIGATOR, DIRECTOR, OTHER_DIRECTOR = "U_CS", "U_INV", "U_DIR", "U_DIR2"
SENIOR, SUBJECT = "U_SENIOR", "U_SUBJECT"
NAMES = {CS: "Casey", INVESTIGATOR: "Ivy", DIRECTOR: "Dana", OTHER_DIRECTOR: "Drew",
         SENIOR: "Sam", SUBJECT: "Sid"}


def london(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def words(line: Line) -> str:
    return plain_text(line, lambda person: NAMES.get(person, person))


# ---- the surface ----------------------------------------------------------------------------

class PlainTextSurface:
    """Renders every notice from view models to plain text, per audience: 'cs',
    'directors', or 'person:<id>'."""

    def __init__(self, desk: ComplaintsDesk, clock: FrozenClock, calendar: UKWorkingCalendar,
                 policy: Policy) -> None:
        self.desk, self.clock, self.calendar, self.policy = desk, clock, calendar, policy
        self.seen: dict[str, list[str]] = defaultdict(list)
        self.kinds: set[str] = set()

    def deliver(self, notice: Notice) -> None:
        case = self.desk.get_case(notice.case_id) if notice.case_id is not None else None
        payload = notice.payload
        if alert_retired(case, payload):
            return
        template = template_of(payload)
        if notice.kind is NoticeKind.CARD:
            assert case is not None
            for audience in card_audiences(case):
                self._post(audience, self.card(self._card(case, audience)), "card")
        elif notice.kind is NoticeKind.TIMELINE:
            line = timeline_line(payload)
            self._post(line.audience, words(line.words), "timeline")
        elif notice.kind is NoticeKind.DIRECT:
            assert case is not None and case.id is not None
            to = f"person:{payload['user']}"
            if template is Template.ALERT:
                self.seen[to].append(self.alert(alert_view(payload, case.id, self.calendar)))
                self.kinds.add("alert")
            else:
                self.seen[to].append(self.dm(direct_message_view(
                    payload, self._card(case, Audience.CUSTOMER_SERVICES),
                    dates_to_tell(self.desk.policy_dates(case.received_at), self.calendar))))
                self.kinds.add(f"dm:{template}")
        elif template is Template.DECISION_PROPOSED:
            assert case is not None
            self._post(channel_audience(payload),
                       self.decision(decision_view(case, self.calendar)), "decision")
        elif template is Template.ALERT:
            assert case is not None and case.id is not None
            self._post(channel_audience(payload),
                       self.alert(alert_view(payload, case.id, self.calendar)), "alert")
        else:
            assert template is Template.DIGEST, payload
            self._post(channel_audience(payload),
                       self.digest(digest_view(payload, self.calendar)), "digest")

    def _post(self, audience: Audience, text: str, kind: str) -> None:
        self.seen[audience.value].append(text)
        self.kinds.add(kind)

    def _card(self, case: Case, audience: Audience) -> CaseCardView:
        return case_card_view(case, self.clock.now(), self.calendar, self.policy, audience)

    # -- this surface's "markup": plain text --------------------------------------------

    @staticmethod
    def card(v: CaseCardView) -> str:
        due = f"{v.deadline.label} due {v.deadline.due} ({v.deadline.time_left})" \
            if v.deadline else "nothing owed"
        owner = NAMES.get(v.owner or "", "nobody yet")
        done = [f"Stage One outcome: {v.outcome}"] if v.outcome else []
        done += [f"Final decision: {v.final_decision}"] if v.final_decision else []
        return " | ".join([f"{v.reference} {v.summary}", v.phase_label, f"owner {owner}",
                           due, *done])

    @staticmethod
    def dm(v: DirectMessageView) -> str:
        body = "\n".join(words(line) for p in v.paragraphs for line in p)
        quote = f"\n\"{v.quote}\"" if v.quote is not None else ""
        buttons = "".join(f"\n[{b.label}]" for b in v.buttons)
        return f"{words(v.summary)}\n{body}{quote}{buttons}"

    @staticmethod
    def alert(v: AlertView) -> str:
        return f"{v.headline}: {v.reference}: {v.phrase}. Owner: {words((v.owner,))}"

    @staticmethod
    def digest(v: DigestView) -> str:
        lines = [v.title, v.summary]
        for group in v.groups:
            lines.append(group.heading)
            lines += [f"- {i.reference}: {i.phrase} ({words((i.owner,))})" for i in group.items]
        if v.more:
            lines.append(f"and {v.more} more")
        return "\n".join(lines)

    @staticmethod
    def decision(v: DecisionView) -> str:
        return (f"Decision drafted for {v.reference} by {NAMES[v.drafted_by]}: {v.outcome}. "
                f"Reasons: {v.reasons} Remedy: {v.remedy}")


class OneCaseLedger:
    """The sweep's ledger over the one case of this test (storage's job in the product)."""

    def __init__(self, desk: ComplaintsDesk, case_id: int, outbox: list[Notice]) -> None:
        self.desk, self.case_id, self.outbox = desk, case_id, outbox
        self.claimed_keys: set[str] = set()

    def open_deadlines_before(self, horizon: datetime, *, batch: int
                              ) -> Iterator[Sequence[OpenDeadline]]:
        yield [open_deadline(self.desk.get_case(self.case_id), kind)
               for kind, d in self.desk.get_case(self.case_id).deadlines.items()
               if d.is_open and d.due_at <= horizon]

    def claimed(self, keys: Sequence[str]) -> set[str]:
        return self.claimed_keys & set(keys)

    def claim(self, alerts: Sequence[Alert], now: datetime) -> list[Alert]:
        won = [a for a in alerts if a.key not in self.claimed_keys]
        self.claimed_keys |= {a.key for a in won}
        self.outbox.extend(n for a in won for n in a.notices)
        return won

    def queue(self, notices: Sequence[Notice], now: datetime) -> int:
        self.outbox.extend(notices)
        return len(notices)

    def person_responses_due(self, now: datetime) -> bool:
        return False

    def unsent_final_letters(self, limit: int) -> list[tuple[int, str, str | None]]:
        case = self.desk.get_case(self.case_id)
        return [(self.case_id, case.reference, case.owner)] if case.final_letter_unsent else []


def open_deadline(case: Case, kind: DeadlineKind) -> OpenDeadline:
    assert case.id is not None
    return OpenDeadline(1, case.id, case.reference, kind, case.deadlines[kind].due_at,
                        owner=case.owner, reviewer=case.reviewer, delegate=case.delegate)


# ---- the whole case ---------------------------------------------------------------------------

def run_whole_case() -> PlainTextSurface:
    """Log a complaint and take it through Stage One and Stage Two, with alerts and a digest."""
    uow = InMemoryUnitOfWorkFactory()
    clock = FrozenClock(london(2026, 6, 10, 11, 0))
    calendar, policy = UKWorkingCalendar(), Policy()
    desk = ComplaintsDesk(uow, clock, calendar, policy)
    uow.grant(CS, Role.CUSTOMER_SERVICES)
    for director in (DIRECTOR, OTHER_DIRECTOR):
        uow.grant(director, Role.DIRECTOR)
    uow.grant(SENIOR, Role.SENIOR)
    surface = PlainTextSurface(desk, clock, calendar, policy)
    delivered = 0

    def at(when: datetime) -> ComplaintsDesk:
        nonlocal delivered
        for notice in uow.outbox[delivered:]:  # what happened before this moment
            surface.deliver(notice)
        delivered = len(uow.outbox)
        clock.set(when)
        return desk

    case = at(london(2026, 6, 10, 11)).log_complaint(
        intake_data(subject_user_id=SUBJECT, category="staff_conduct"), logged_by=CS)
    assert case.id is not None
    cid = case.id
    ledger = OneCaseLedger(desk, cid, uow.outbox)
    sweeper = Sweeper(ledger, calendar, policy)
    at(london(2026, 6, 12, 9, 30))  # the acknowledgement is due soon: the thread hears
    sweeper.sweep(clock.now())
    at(london(2026, 6, 17, 9, 30))  # two working days late: raised to the directors
    sweeper.sweep(clock.now())
    sweeper.digest(clock.now())
    at(london(2026, 6, 17, 10)).acknowledge_case(
        cid, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10), procedure_attached=True)
    at(london(2026, 6, 17, 10, 5)).assign_investigator(cid, actor=CS, investigator=INVESTIGATOR)
    at(london(2026, 7, 9, 9, 30))  # the investigation is due tomorrow: its owner is told
    sweeper.sweep(clock.now())
    at(london(2026, 7, 9, 15)).conclude_investigation(
        cid, actor=INVESTIGATOR, findings="The update broke GPS reporting.")
    at(london(2026, 7, 10, 12)).send_reply(cid, actor=CS, outcome=Outcome.UPHELD,
                                           suggestions="Replacement tracker.")
    at(london(2026, 7, 13, 10)).request_review(
        cid, actor=CS, requested_at=london(2026, 7, 13, 9, 30), how="email")
    at(london(2026, 7, 14, 10)).acknowledge_review(cid, actor=DIRECTOR)
    at(london(2026, 7, 14, 11)).delegate_review(cid, actor=DIRECTOR, delegate=SENIOR)
    at(london(2026, 7, 16, 15)).record_person_response(
        cid, actor=SUBJECT, response="I followed the script that day.")
    at(london(2026, 7, 24, 12)).send_progress_update(
        cid, actor=SENIOR, reason="Waiting for the GPS supplier's logs.",
        new_reply_by=date(2026, 8, 3))
    at(london(2026, 7, 29, 10)).propose_decision(
        cid, actor=SENIOR, outcome=Outcome.NOT_UPHELD, reasons="Script followed.",
        remedy="None.")
    at(london(2026, 7, 30, 10)).request_changes(cid, actor=OTHER_DIRECTOR,
                                                comment="Offer a goodwill credit.")
    at(london(2026, 7, 31, 10)).propose_decision(
        cid, actor=SENIOR, outcome=Outcome.PARTLY_UPHELD, reasons="Script followed.",
        remedy="A month's subscription credit.")
    at(london(2026, 8, 3, 10)).approve_decision(cid, actor=OTHER_DIRECTOR)
    at(london(2026, 8, 3, 10, 1))
    return surface


def test_every_message_of_a_whole_case_renders_on_a_second_surface() -> None:
    seen = run_whole_case().seen
    ref = "TT-2026-0001"
    cs, directors = "\n".join(seen["cs"]), "\n".join(seen["directors"])

    # Customer services: the card through Stage One, their thread, their alerts.
    assert f"{ref} " in seen["cs"][0] and "Logged" in seen["cs"][0]
    assert "Casey logged the complaint (received by phone)." in cs
    assert "Casey acknowledged it: Casey deals with it; reply promised by Fri 10 Jul 2026; " \
           "procedure sent." in cs
    assert "Casey assigned Ivy to investigate." in cs
    assert "Ivy recorded that the investigation has concluded." in cs
    assert "Casey sent the Stage One reply: Upheld." in cs
    assert "Casey recorded a request for a Stage Two review." in cs
    assert f"Due soon: {ref}: Acknowledgement due 17:00 Mon 15 Jun. Owner: no owner yet" in cs
    assert "Deadlines for Wed 17 Jun 2026" in cs
    assert f"- {ref}: Acknowledgement was due 17:00 Mon 15 Jun, overdue by 2 working days " \
           "(no owner yet)" in cs
    assert any("In Stage Two review" in card for card in seen["cs"])

    # The directors: escalation, the Stage Two card, thread and decision.
    assert f"Overdue Stage One deadline raised to directors: {ref}: Acknowledgement was due " \
           "17:00 Mon 15 Jun, overdue by 2 working days." in directors
    assert "Deadlines for Wed 17 Jun 2026" in directors
    assert "Dana acknowledged the review; definitive reply by Mon 27 Jul 2026." in directors
    assert "Dana delegated the review to Sam." in directors
    assert "Sid gave their response to the review." in directors
    assert "Sam sent a progress update: full reply now by Mon 3 Aug 2026." in directors
    assert "Decision drafted for TT-2026-0001 by Sam: Not upheld." in directors
    assert "Drew asked for changes to the draft decision." in directors
    assert "Drew approved the final decision: Partly upheld. The procedure is complete." \
        in directors
    cards = [m for m in seen["directors"] if m.startswith(f"{ref} ")]
    assert "Final decision: Partly upheld" in cards[-1]
    assert "I followed the script" not in cs + directors  # the response stays private

    # One person each: the words of every direct message.
    assert "What to tell the complainant (quote reference TT-2026-0001):" in \
        seen[f"person:{CS}"][0]
    assert seen[f"person:{INVESTIGATOR}"][0].startswith(
        f"You have been asked to investigate {ref}")
    assert "[Investigation concluded]" in seen[f"person:{INVESTIGATOR}"][0]
    assert f"Due soon: {ref}: Investigation and action due 17:00 Fri 10 Jul. Owner: Casey" in \
        seen[f"person:{CS}"]
    assert f"A complaint that concerns you ({ref}) is under Stage Two review." in \
        seen[f"person:{SUBJECT}"][0]
    assert "[Respond]" in seen[f"person:{SUBJECT}"][0]
    assert seen[f"person:{SENIOR}"][0].startswith(
        f"Dana delegated the Stage Two review of {ref} to you.")
    assert any(m.startswith(f"The person complaint {ref} is about has given their response")
               for m in seen[f"person:{DIRECTOR}"])
    assert any(m.startswith(f"The final decision on {ref} is approved. Send the complainant")
               and "[Send final letter]" in m for m in seen[f"person:{CS}"])
    assert any(m.startswith(f"Drew asked for changes to your draft decision on {ref}.")
               and '"Offer a goodwill credit."' in m for m in seen[f"person:{SENIOR}"])


def test_the_second_surface_got_every_kind_of_message() -> None:
    surface = run_whole_case()
    assert surface.kinds >= {
        "card", "timeline", "alert", "digest", "decision",
        "dm:logged", "dm:investigator_assigned", "dm:person_informed",
        "dm:review_delegated", "dm:person_responded", "dm:changes_requested",
        "dm:final_letter_due"}


def test_the_second_surface_runs_without_any_slack_library() -> None:
    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys\n"
        "from tests.unit.test_second_surface import run_whole_case\n"
        "run_whole_case()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('slack_sdk', 'slack_bolt', 'handlers'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
