"""`/complaint …`: the text parsed into a typed command, each answered privately."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient

from cases.errors import DomainError, IntakeInvalid
from cases.lifecycle import Action
from cases.reporting import last_full_quarter, parse_day
from cases.views import format_day
from handlers import blocks
from handlers.answers import command_answer, tell
from handlers.deps import HandlerDeps
from handlers.identity import actor_of, slack_user_of
from handlers.ids import SlashCommand
from handlers.listeners.casefile import CASEFILE_VERBS
from handlers.listeners.intake import open_intake
from handlers.listeners.records import RECORDS_VERBS
from handlers.listeners.step_buttons import step_view
from handlers.payloads import BadPayload, text_of, trigger_of
from handlers.report_files import dm_channel, upload_charts
from handlers.routes import Routes

LIST_USAGE = ("Use `/complaint list mine`, `/complaint list overdue` or "
              "`/complaint list open`.")
log = logging.getLogger(__name__)

REPORT_USAGE = ("Use `/complaint report` (the last full quarter), `/complaint report FROM` "
                "(up to today) or `/complaint report FROM TO`, dates as YYYY-MM-DD.")


@dataclass(frozen=True)
class Complaint:
    """One `/complaint` invocation: its verb, the words after it, and the raw text."""

    verb: str
    args: tuple[str, ...]
    text: str

    @classmethod
    def parse(cls, text: str) -> Complaint:
        words = text.split()
        verb = words[0].lower() if words else "help"
        return cls(verb=verb, args=tuple(words[1:]), text=text)

    @property
    def note(self) -> str:
        """What follows `note REF`."""
        return self.text.split(None, 2)[2]


# What each verb needs after it, said when it is missing: {verb: (what, example words)}.
NEEDS: dict[str, tuple[str, str]] = {
    "show": ("which case: its reference", "REF"),
    "escalate": ("which case: its reference", "REF"),
    "note": ("which case, then the note", "REF Rang the customer back; tracker replaced."),
}


def missing_text(verb: str, given: int, year: int) -> str:
    """What a verb without enough words lacks, with an example to copy."""
    what, example = NEEDS[verb]
    if verb == "note" and given == 1:
        what = "the note itself, after the reference"
    example = example.replace("REF", f"TT-{year}-0001")
    return f"`/complaint {verb}` needs {what}, e.g. `/complaint {verb} {example}`"


def report_period(args: tuple[str, ...], today: date) -> tuple[date, date]:
    """`report`, `report FROM` or `report FROM TO` as a date range; ValueError if not."""
    if not args:
        return last_full_quarter(today)
    start = parse_day(args[0])
    if len(args) > 1:
        return start, parse_day(args[1])
    if start > today:  # no end was given: it runs up to today, so say that
        raise ValueError(f"the start date {format_day(start)} is after today "
                         f"({format_day(today)}); `/complaint report FROM` covers "
                         "complaints received from FROM up to today")
    return start, today


class ComplaintCommand:
    """Answers to each verb; ``ack`` carries the private answer."""

    def __init__(self, deps: HandlerDeps, ack: Ack, client: WebClient, body: Any,
                 user: str) -> None:
        self.deps, self.ack, self.client, self.body, self.user = deps, ack, client, body, user

    def refuse(self, error: DomainError, not_done: str | None = None) -> None:
        self.ack(text=command_answer(error, self.deps.calendar, not_done=not_done))

    def new(self, command: Complaint) -> None:
        trigger = trigger_of(self.body)
        self.ack()
        open_intake(self.client, trigger, self.deps)

    def help(self, command: Complaint) -> None:
        self.ack(text=blocks.help_text())

    def list(self, command: Complaint) -> None:
        which = command.args[0].lower() if command.args else "open"
        try:
            found = self.deps.desk.list_cases(viewer=self.user, which=which)
        except IntakeInvalid:
            self.ack(text=LIST_USAGE)
            return
        self.ack(text=blocks.case_list_text(which, [self.deps.card(c) for c in found]))

    def show(self, command: Complaint) -> None:
        try:
            case = self.deps.desk.find_case(command.args[0], viewer=self.user)
        except DomainError as exc:
            self.refuse(exc)
            return
        text, card_blocks = blocks.case_card_message(self.deps.card(case))
        self.ack(text=text, blocks=card_blocks)

    def escalate(self, command: Complaint) -> None:
        desk = self.deps.desk
        try:
            case = desk.find_case(command.args[0], viewer=self.user)
            assert case.id is not None
            desk.check_action(case.id, Action.REQUEST_REVIEW, actor=self.user)
        except DomainError as exc:
            self.refuse(exc)
            return
        trigger = trigger_of(self.body)
        self.ack()
        self.client.views_open(trigger_id=trigger, view=step_view(
            self.deps, Action.REQUEST_REVIEW, case, self.user))

    def note(self, command: Complaint) -> None:
        desk = self.deps.desk
        try:
            case = desk.find_case(command.args[0], viewer=self.user)
            assert case.id is not None
            desk.add_note(case.id, actor=self.user, text=command.note)
        except DomainError as exc:
            self.refuse(exc, not_done="Note not added")
            return
        self.ack(text=f"Note added to {case.reference}'s history.")
        self.deps.wake()

    def report(self, command: Complaint) -> None:
        today = self.deps.calendar.local_date(self.deps.clock.now())
        if len(command.args) > 2:
            self.ack(text=REPORT_USAGE)
            return
        try:
            start, end = report_period(command.args, today)
        except ValueError as exc:
            self.ack(text=f"{exc}. {REPORT_USAGE}")
            return
        try:
            report = self.deps.desk.trends_report(viewer=self.user, start=start, end=end)
        except DomainError as exc:
            self.refuse(exc, not_done="Report not run")
            return
        text, report_blocks = blocks.report_message(report)
        self.ack(text=text, blocks=report_blocks)
        try:  # the charts follow in the reader's DMs: an ack carries no files
            upload_charts(self.client, dm_channel(self.client, self.user), report)
        except Exception:  # the report itself was answered; say the charts did not come
            log.exception("the report's charts could not be sent")
            tell(self.client, self.body, self.user,
                 "The report's charts could not be sent to you just now; run it again.")

    def unknown(self, command: Complaint) -> None:
        self.ack(text=f"I don't know `/complaint {' '.join(command.text.split())}`.\n\n"
                      f"{blocks.help_text()}")


# verb -> (answer, how many words it needs after the verb)
VERBS = {"new": (ComplaintCommand.new, 0), "help": (ComplaintCommand.help, 0),
         "list": (ComplaintCommand.list, 0), "show": (ComplaintCommand.show, 1),
         "escalate": (ComplaintCommand.escalate, 1), "note": (ComplaintCommand.note, 2),
         "report": (ComplaintCommand.report, 0), **CASEFILE_VERBS, **RECORDS_VERBS}


def opens_the_intake(args: Args) -> bool:
    """`/complaint new` that says who sent it and carries a trigger: nothing is left to
    refuse before its ack, which is empty, so Slack is answered at once and the intake form
    opened after (``Routes.command(..., acks_first=...)``)."""
    body = args.body
    try:
        return (Complaint.parse(text_of(body, "text")).verb == "new"
                and bool(trigger_of(body)) and bool(slack_user_of(body)))
    except BadPayload:
        return False


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.command(SlashCommand.COMPLAINT.value, acks_first=opens_the_intake)
    def handle_command_complaint(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        try:
            user = actor_of(body, deps.people)
            command = Complaint.parse(text_of(body, "text"))
            answer, needs = VERBS.get(command.verb, (ComplaintCommand.unknown, 0))
            if len(command.args) < needs:
                year = deps.calendar.local_date(deps.clock.now()).year
                ack(text=missing_text(command.verb, len(command.args), year))
                return
            answer(ComplaintCommand(deps, ack, client, body, user), command)
        except BadPayload as exc:  # raised before any ack: the answer is the refusal
            ack(text=command_answer(exc, deps.calendar))
