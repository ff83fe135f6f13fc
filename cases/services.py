"""Use cases: each opens one unit of work, applies one transition, and commits.

The adapters (Slack today, Teams later) call these and nothing else to change a case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cases import deadlines as dl
from cases.access import may_see_case, may_see_personal_data
from cases.clock import Clock, require_aware
from cases.errors import (
    ConcurrentChange,
    IntakeInvalid,
    InvalidTransition,
    NotAllowed,
    NotFound,
)
from cases.intake import IntakeRecord, parse_intake, received_time_problem
from cases.lifecycle import (
    ACTION_LABELS,
    Action,
    Transition,
    apply,
    authorise,
    record,
    roles_on_case,
    transition_for,
)
from cases.model import (
    OUTCOME_LABELS,
    Case,
    DeadlineKind,
    Decision,
    Notice,
    NoticeKind,
    Outcome,
    ProgressUpdate,
    State,
)
from cases.policy import Policy
from cases.ports import UnitOfWorkFactory, WorkingCalendar
from cases.reporting import TrendReport, trends_report
from cases.roles import SYSTEM_ACTOR, Role

MAX_NOTE = 2000
MAX_HOW = 200
MAX_RESPONSE = 3000
MAX_REASONS = 2500
MAX_REMEDY = 1500
# Phase Three: the HR manager owns the policy; directors run the procedure's Stage Two.
REPORT_ROLES = frozenset({Role.HR_MANAGER, Role.DIRECTOR})


def card(case: Case) -> Notice:
    """Re-render the case's card(s) in place."""
    return Notice(NoticeKind.CARD, case.id, {})


def timeline(case: Case, what: str, actor: str, at: datetime, **public: Any) -> Notice:
    """One line in the case thread. ``public`` holds only fields safe for a channel."""
    return Notice(NoticeKind.TIMELINE, case.id,
                  {"what": what, "actor": actor, "at": at.isoformat(), **public})


def direct(case: Case, user: str, template: str, **data: Any) -> Notice:
    """A direct message to one person, rendered by the adapter from ``template``."""
    return Notice(NoticeKind.DIRECT, case.id, {"user": user, "template": template, **data})


@dataclass(frozen=True)
class PersonalDetails:
    """What 'View details' shows, only to people the need-to-know rule allows."""

    reference: str
    intake: IntakeRecord
    # The named person's own response, for the reviewer (Stage Two); None until given.
    person_response: str | None = None
    person_responded_at: datetime | None = None
    # Staff's free text about the review request: may name people, so never on a card.
    review_request_how: str | None = None
    review_late_reason: str | None = None


def _text(value: str | None, field: str, *, required: bool = True,
          limit: int = MAX_NOTE) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise IntakeInvalid({field: "this is required"})
    if len(cleaned) > limit:
        raise IntakeInvalid({field: f"keep this under {limit} characters"})
    return cleaned or None


class ComplaintsDesk:
    """The service layer. Construct once with its dependencies; call from any adapter."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, calendar: WorkingCalendar,
                 policy: Policy, *, reader: UnitOfWorkFactory | None = None) -> None:
        self.uow = uow
        # Units of work that only read (lists, lookups, pre-checks): they need not queue
        # behind writers where the database makes a difference (SQLite).
        self.reader = reader or uow
        self.clock = clock
        self.calendar = calendar
        self.policy = policy

    # ---- helpers ---------------------------------------------------------------------

    def _now(self) -> datetime:
        return require_aware(self.clock.now())

    def _change(
        self,
        case_id: int,
        action: Action,
        actor: str,
        mutate: Callable[[Case, Transition, datetime], tuple[dict[str, Any], list[Notice]]],
        *,
        check: Callable[[Case, frozenset[Role], datetime], None] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Load, check, transition, mutate, record, notify, commit: one use case.

        ``expected_version`` is the version the user saw (on the card or when the modal
        opened): if the case changed since, nothing is applied and they are told who
        changed it and when, so a stale form never overwrites a colleague's later change.
        """
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get(case_id)
            _check_version(case, action, expected_version)
            roles = roles_on_case(actor, case, uow.roles.roles_of(actor))
            if check is not None:
                check(case, roles, now)
            before = case.state
            row = apply(case, action, actor=actor, roles=roles, at=now)
            details, notices = mutate(case, row, now)
            event = case.new_events[-1]
            case.new_events[-1] = type(event)(
                case_id=event.case_id, seq=event.seq, at=event.at, actor=event.actor,
                action=event.action, from_state=before, to_state=case.state, details=details,
            )
            try:
                uow.cases.save(case)
            except ConcurrentChange:
                uow.rollback()
                raise self._already_done(case_id, action) from None
            uow.outbox.add([card(case), *notices])
            uow.commit()
            return case

    def _already_done(self, case_id: int, action: Action) -> InvalidTransition:
        with self.reader() as uow:
            fresh = uow.cases.get(case_id)
        return InvalidTransition(
            f"{fresh.reference} was changed by someone else just before you; "
            f"your “{action.value.replace('_', ' ')}” was not applied.",
            last_actor=fresh.last_actor, last_at=fresh.last_action_at,
        )

    def _person_is_staff_free(self, user: str, field: str) -> str:
        cleaned = user.strip()
        if not cleaned:
            raise IntakeInvalid({field: "choose a person"})
        return cleaned

    # ---- intake ----------------------------------------------------------------------

    def log_complaint(self, data: dict[str, Any] | IntakeRecord, *, logged_by: str,
                      intake_key: str | None = None) -> Case:
        """Validate and store a new complaint, open its Stage One deadlines, queue the card."""
        intake = data if isinstance(data, IntakeRecord) else parse_intake(data)
        now = self._now()
        received = require_aware(intake.received_at)
        problem = received_time_problem(received, now)
        if problem:
            raise IntakeInvalid({"received_at": problem})
        with self.uow() as uow:
            if intake_key:
                existing = uow.cases.find_by_intake_key(intake_key)
                if existing is not None:
                    return existing
            local_year = self.calendar.local_date(now).year
            case = Case(
                reference=uow.cases.next_reference(local_year),
                intake=intake,
                received_at=received,
                effective_receipt=self.calendar.effective_receipt(received),
                logged_by=logged_by,
                logged_at=now,
                intake_key=intake_key,
            )
            dates = dl.policy_dates(self.policy, self.calendar, received)
            dl.open_deadline(case, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT,
                             dates.stage_one_acknowledge_by, received)
            dl.open_deadline(case, DeadlineKind.INVESTIGATION,
                             dates.stage_one_investigate_by, received)
            record(case, "logged", actor=logged_by, at=now, after=State.LOGGED,
                   details={"channel": intake.channel.value,
                            "received_at": received.isoformat(),
                            "effective_receipt": case.effective_receipt.isoformat()})
            case.last_actor, case.last_action_at = logged_by, now
            uow.cases.add(case)
            uow.outbox.add([
                card(case),
                timeline(case, "logged", logged_by, now, channel=intake.channel.value),
                direct(case, logged_by, "logged"),
            ])
            uow.commit()
            return case

    # ---- stage one -------------------------------------------------------------------

    def acknowledge_case(self, case_id: int, *, actor: str, owner: str,
                         promised_reply_by: date, procedure_attached: bool,
                         expected_version: int | None = None) -> Case:
        """Record the acknowledgement: who deals with it, reply date, procedure attached."""
        owner = self._person_is_staff_free(owner, "owner")
        if not procedure_attached:
            raise IntakeInvalid({"procedure_attached":
                                 "the acknowledgement must include a copy of the procedure"})

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            if promised_reply_by < self.calendar.local_date(now):
                raise IntakeInvalid({"promised_reply_by": "the reply date is in the past"})
            latest = self.calendar.local_date(dl.policy_dates(
                self.policy, self.calendar, case.received_at).stage_one_reply_expected_by)
            if promised_reply_by > latest:
                raise IntakeInvalid({"promised_reply_by":
                                     f"the procedure promises a reply by {latest:%a %d %b %Y} "
                                     "at the latest; choose that date or earlier"})

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.owner = owner
            case.promised_reply_by = promised_reply_by
            dl.meet_deadline(case, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, now)
            details = {"owner": owner, "promised_reply_by": promised_reply_by.isoformat(),
                       "procedure_attached": True}
            return details, [timeline(case, "acknowledged", actor, now, **details)]

        return self._change(case_id, Action.ACKNOWLEDGE, actor, mutate, check=check,
                            expected_version=expected_version)

    def resolve_case(self, case_id: int, *, actor: str, resolution: str,
                     expected_version: int | None = None) -> Case:
        """Customer services resolved it; the Stage One reply clock starts."""
        text = _text(resolution, "resolution")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.resolution = text
            dl.meet_deadline(case, DeadlineKind.INVESTIGATION, now)
            dl.open_deadline(case, DeadlineKind.STAGE_ONE_REPLY,
                             dl.due_after(self.policy.stage_one_reply, now, self.calendar), now)
            return {"resolution": text}, [timeline(case, "resolved", actor, now)]

        return self._change(case_id, Action.RESOLVE, actor, mutate,
                            expected_version=expected_version)

    def assign_investigator(self, case_id: int, *, actor: str, investigator: str,
                            expected_version: int | None = None) -> Case:
        """Name the appropriate person who investigates; they get a DM."""
        person = self._person_is_staff_free(investigator, "investigator")

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            if person == case.intake.subject_user_id:
                raise IntakeInvalid({"investigator": "the complaint is about this person; "
                                                     "choose someone else to investigate"})

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            previous = case.investigator
            case.investigator = person
            details = {"investigator": person, "previous": previous}
            return details, [timeline(case, "investigator_assigned", actor, now,
                                      investigator=person),
                             direct(case, person, "investigator_assigned")]

        return self._change(case_id, Action.ASSIGN_INVESTIGATOR, actor, mutate, check=check,
                            expected_version=expected_version)

    def conclude_investigation(self, case_id: int, *, actor: str, findings: str,
                               expected_version: int | None = None) -> Case:
        """The investigation ended; the reply is due within the policy's days."""
        text = _text(findings, "findings")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.findings = text
            dl.meet_deadline(case, DeadlineKind.INVESTIGATION, now)
            dl.open_deadline(case, DeadlineKind.STAGE_ONE_REPLY,
                             dl.due_after(self.policy.stage_one_reply, now, self.calendar), now)
            return {"findings": text}, [timeline(case, "investigation_concluded", actor, now)]

        return self._change(case_id, Action.CONCLUDE_INVESTIGATION, actor, mutate,
                            expected_version=expected_version)

    def send_reply(self, case_id: int, *, actor: str, outcome: Outcome,
                   suggestions: str, expected_version: int | None = None) -> Case:
        """Record the Stage One reply with its outcome and suggestions; the review window opens."""
        text = _text(suggestions, "suggestions")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.outcome = outcome
            case.suggestions = text
            case.replied_at = now
            dl.meet_deadline(case, DeadlineKind.STAGE_ONE_REPLY, now)
            dl.meet_deadline(case, DeadlineKind.INVESTIGATION, now)
            dl.open_deadline(case, DeadlineKind.REVIEW_WINDOW,
                             dl.due_after(self.policy.review_window, now, self.calendar), now)
            details = {"outcome": outcome.value, "suggestions": text}
            return details, [timeline(case, "replied", actor, now, outcome=outcome.value)]

        return self._change(case_id, Action.SEND_REPLY, actor, mutate,
                            expected_version=expected_version)

    def withdraw(self, case_id: int, *, actor: str, reason: str,
                 expected_version: int | None = None) -> Case:
        """The complainant withdrew; open deadlines stop."""
        text = _text(reason, "reason")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.withdrawn_reason = text
            case.closed_at = now
            dl.retire_open_deadlines(case, now)
            return {"reason": text}, [timeline(case, "withdrawn", actor, now)]

        return self._change(case_id, Action.WITHDRAW, actor, mutate,
                            expected_version=expected_version)

    def close_expired_review_windows(self) -> list[str]:
        """Close every replied case whose review window has passed; returns references."""
        now = self._now()
        with self.reader() as uow:
            ids = list(uow.cases.ids_with_window_expired(now))
        closed: list[str] = []
        for case_id in ids:

            def mutate(case: Case, row: Transition, at: datetime) -> tuple[dict[str, Any],
                                                                          list[Notice]]:
                case.closed_at = at
                dl.meet_deadline(case, DeadlineKind.REVIEW_WINDOW, at)
                dl.retire_open_deadlines(case, at)
                return {"reason": "no review requested within the window"}, [
                    timeline(case, "closed", SYSTEM_ACTOR, at)]

            try:
                closed.append(self._change(case_id, Action.CLOSE_REVIEW_WINDOW, SYSTEM_ACTOR,
                                           mutate).reference)
            except (InvalidTransition, ConcurrentChange):
                continue  # someone escalated it meanwhile: nothing to close
        return closed

    # ---- stage two -------------------------------------------------------------------

    def request_review(self, case_id: int, *, actor: str, requested_at: datetime, how: str,
                       reason: str | None = None, expected_version: int | None = None) -> Case:
        """The complainant asked for a Stage Two review; clocks start at effective receipt."""
        received = require_aware(requested_at)
        how_text = _text(how, "how", limit=MAX_HOW)
        reason_text = _text(reason, "reason", required=False)

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            if received_time_problem(received, now):
                raise IntakeInvalid({"requested_at": "the request time is in the future"})
            window = case.deadlines.get(DeadlineKind.REVIEW_WINDOW)
            out_of_window = (
                case.state is not State.REPLIED
                or (window is not None and received > window.due_at)
            )
            if out_of_window:
                if Role.DIRECTOR not in roles:
                    raise NotAllowed(
                        f"{case.reference} is outside the review window (before the Stage One "
                        "reply, or after the window closed): only a director may accept it.")
                if not reason_text:
                    raise IntakeInvalid({"reason": "say why the review is accepted outside "
                                                   "the window"})

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.review_requested_at = received
            case.review_effective_receipt = self.calendar.effective_receipt(received)
            case.review_request_how = how_text
            case.review_late_reason = reason_text
            case.closed_at = None
            dl.meet_deadline(case, DeadlineKind.REVIEW_WINDOW, now)
            for kind in dl.STAGE_ONE_KINDS:
                d = case.deadlines.get(kind)
                if d is not None and d.is_open:
                    d.retired_at = now
            dl.open_deadline(case, DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT,
                             dl.due_after(self.policy.stage_two_acknowledgement, received,
                                          self.calendar), received)
            dl.open_deadline(case, DeadlineKind.STAGE_TWO_REPLY,
                             dl.due_after(self.policy.stage_two_reply, received, self.calendar),
                             received)
            details = {"requested_at": received.isoformat(), "how": how_text,
                       "reason": reason_text}
            # "how" is free text staff typed: it stays in the history, not in the channel.
            return details, [timeline(case, "review_requested", actor, now)]

        return self._change(case_id, Action.REQUEST_REVIEW, actor, mutate, check=check,
                            expected_version=expected_version)

    def acknowledge_review(self, case_id: int, *, actor: str, reply_by: date | None = None,
                           expected_version: int | None = None) -> Case:
        """A director takes the review; the named person (if any) is told and may respond."""

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            try:
                _may_review(case, actor, "reviewer")
            except IntakeInvalid as exc:  # the clicker themselves: a refusal, not a form error
                raise NotAllowed(f"{case.reference}: {exc.errors['reviewer']}.") from None
            if reply_by is not None and reply_by < self.calendar.local_date(now):
                raise IntakeInvalid({"reply_by": "the reply date is in the past"})
            due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
            latest = self.calendar.local_date(due.due_at) if due else None
            if reply_by is not None and latest is not None and reply_by > latest:
                raise IntakeInvalid({"reply_by":
                                     f"the procedure promises a definitive reply by "
                                     f"{latest:%a %d %b %Y}; choose that date or earlier (a "
                                     "later date needs a progress update with a reason)"})

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.reviewer = actor
            due = case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at
            case.review_reply_by = reply_by or self.calendar.local_date(due)
            dl.meet_deadline(case, DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT, now)
            notices = [timeline(case, "review_acknowledged", actor, now,
                                reply_by=case.review_reply_by.isoformat())]
            subject = case.intake.subject_user_id
            if subject:
                case.person_informed_at = now
                dl.open_deadline(case, DeadlineKind.PERSON_RESPONSE,
                                 dl.due_after(self.policy.person_response, now, self.calendar),
                                 now)
                notices.append(direct(case, subject, "person_informed"))
            details = {"reviewer": actor, "reply_by": case.review_reply_by.isoformat(),
                       "person_informed": bool(subject)}
            return details, notices

        return self._change(case_id, Action.ACKNOWLEDGE_REVIEW, actor, mutate, check=check,
                            expected_version=expected_version)

    def delegate_review(self, case_id: int, *, actor: str, delegate: str,
                        expected_version: int | None = None) -> Case:
        """The director hands the investigation to a suitably senior person."""
        person = self._person_is_staff_free(delegate, "delegate")

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            _may_review(case, person, "delegate")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.delegate = person
            return {"delegate": person}, [
                timeline(case, "review_delegated", actor, now, delegate=person),
                direct(case, person, "review_delegated", by=actor)]

        return self._change(case_id, Action.DELEGATE_REVIEW, actor, mutate, check=check,
                            expected_version=expected_version)

    def record_person_response(self, case_id: int, *, actor: str, response: str,
                               expected_version: int | None = None) -> Case:
        """The person the complaint is about gives their side, once; the reviewer sees it."""
        text = _text(response, "response", limit=MAX_RESPONSE)

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            window = case.deadlines.get(DeadlineKind.PERSON_RESPONSE)
            if case.person_responded_at is not None:
                raise InvalidTransition(
                    f"You already responded on {case.reference}; the reviewer has it. "
                    "Anything more goes to the reviewer directly.",
                    last_actor=actor, last_at=case.person_responded_at)
            if window is None or not window.is_open:
                raise InvalidTransition(
                    f"The time to respond on {case.reference} has ended and the review "
                    "went on without a response. Please speak to the reviewer.",
                    last_actor=case.last_actor, last_at=case.last_action_at)

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            case.person_response = text
            case.person_responded_at = now
            dl.meet_deadline(case, DeadlineKind.PERSON_RESPONSE, now)
            notices = [timeline(case, "person_responded", actor, now)]
            for reviewer in {case.reviewer, case.delegate} - {None}:
                assert reviewer is not None
                notices.append(direct(case, reviewer, "person_responded"))
            return {"response": text}, notices

        return self._change(case_id, Action.RECORD_PERSON_RESPONSE, actor, mutate, check=check,
                            expected_version=expected_version)

    def record_missing_responses(self) -> list[str]:
        """Record 'no response' for every named person whose window has passed."""
        now = self._now()
        with self.reader() as uow:
            due = list(uow.cases.ids_with_open_deadline_due(DeadlineKind.PERSON_RESPONSE, now))
        done: list[str] = []
        for case_id in due:

            def mutate(c: Case, row: Transition, at: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
                d = c.deadlines[DeadlineKind.PERSON_RESPONSE]
                d.retired_at = at
                return {"due_at": d.due_at.isoformat()}, [
                    timeline(c, "no_response", SYSTEM_ACTOR, at)]

            try:
                done.append(self._change(case_id, Action.RECORD_NO_RESPONSE, SYSTEM_ACTOR,
                                         mutate).reference)
            except (InvalidTransition, ConcurrentChange):
                continue  # the case moved on meanwhile
        return done

    def send_progress_update(self, case_id: int, *, actor: str, reason: str,
                             new_reply_by: date, expected_version: int | None = None) -> Case:
        """The definitive reply will be late: record why and the new date; keep the original."""
        text = _text(reason, "reason")

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            if new_reply_by <= self.calendar.local_date(now):
                raise IntakeInvalid({"new_reply_by": "the new date must be after today"})
            if not self.calendar.is_working_day(new_reply_by):
                raise IntakeInvalid({"new_reply_by": "choose a working day"})

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            new_due = self.calendar.close_of_business(new_reply_by)
            deadline = case.deadlines[DeadlineKind.STAGE_TWO_REPLY]
            deadline.due_at = new_due
            case.review_reply_by = new_reply_by
            case.progress_updates.append(ProgressUpdate(at=now, by=actor, reason=text or "",
                                                        new_due_at=new_due))
            details = {"reason": text, "new_reply_by": new_reply_by.isoformat(),
                       "original_due_at": deadline.original_due_at.isoformat()}
            return details, [timeline(case, "progress_update", actor, now,
                                      new_reply_by=new_reply_by.isoformat())]

        return self._change(case_id, Action.SEND_PROGRESS_UPDATE, actor, mutate, check=check,
                            expected_version=expected_version)

    def propose_decision(self, case_id: int, *, actor: str, outcome: Outcome, reasons: str,
                         remedy: str, expected_version: int | None = None) -> Case:
        """The reviewer drafts the decision; directors approve it in the thread."""
        reasons_text = _text(reasons, "reasons", limit=MAX_REASONS)
        remedy_text = _text(remedy, "remedy", limit=MAX_REMEDY)

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            # The procedure gives the named person a further opportunity to respond:
            # no decision while their window is open and they have not answered.
            waiting = case.deadlines.get(DeadlineKind.PERSON_RESPONSE)
            if waiting is not None and waiting.is_open:
                local = self.calendar.local_date(waiting.due_at)
                raise InvalidTransition(
                    f"{case.reference}: the person the complaint is about may still respond "
                    f"(until 17:00 on {local:%a %d %b %Y}); draft the decision after their "
                    "response, or once that time has passed.",
                    last_actor=case.last_actor, last_at=case.last_action_at,
                )

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            previous = case.decision.change_requests if case.decision else []
            case.decision = Decision(outcome=outcome, reasons=reasons_text or "",
                                     remedy=remedy_text or "", drafted_by=actor,
                                     drafted_at=now, change_requests=previous)
            details = {"outcome": outcome.value, "reasons": reasons_text,
                       "remedy": remedy_text}
            return details, [Notice(NoticeKind.CHANNEL, case.id,
                                    {"template": "decision_proposed", "surface": "directors"})]

        return self._change(case_id, Action.PROPOSE_DECISION, actor, mutate, check=check,
                            expected_version=expected_version)

    def request_changes(self, case_id: int, *, actor: str, comment: str,
                        expected_version: int | None = None) -> Case:
        """A director sends the draft back to its drafter with a comment."""
        text = _text(comment, "comment")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            assert case.decision is not None
            case.decision.change_requests.append(
                {"by": actor, "at": now.isoformat(), "comment": text or ""})
            drafter = case.decision.drafted_by
            return {"comment": text}, [
                timeline(case, "changes_requested", actor, now),
                direct(case, drafter, "changes_requested", by=actor, comment=text)]

        return self._change(case_id, Action.REQUEST_CHANGES, actor, mutate,
                            expected_version=expected_version)

    def approve_decision(self, case_id: int, *, actor: str,
                         expected_version: int | None = None) -> Case:
        """A director approves: the decision is final and the case closes for good."""

        def check(case: Case, roles: frozenset[Role], now: datetime) -> None:
            if actor == case.intake.subject_user_id:
                raise NotAllowed("The complaint is about you, so you cannot approve its "
                                 "decision; another director must.")

        def mutate(case: Case, row: Transition, now: datetime) -> tuple[dict[str, Any],
                                                                       list[Notice]]:
            assert case.decision is not None
            case.decision.approved_by = actor
            case.decision.approved_at = now
            case.closed_at = now
            dl.meet_deadline(case, DeadlineKind.STAGE_TWO_REPLY, now)
            dl.retire_open_deadlines(case, now)
            case.final_letter = final_letter(case)
            return {"outcome": case.decision.outcome.value, "final_letter": case.final_letter}, [
                timeline(case, "decision_approved", actor, now,
                         outcome=case.decision.outcome.value)]

        return self._change(case_id, Action.APPROVE_DECISION, actor, mutate, check=check,
                            expected_version=expected_version)

    # ---- any time --------------------------------------------------------------------

    def add_note(self, case_id: int, *, actor: str, text: str) -> Case:
        """A note on the history; allowed in every state, final included."""
        body = _text(text, "note")
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get(case_id)
            if not may_see_case(actor, case, uow.roles.roles_of(actor)):
                raise NotAllowed(f"You are not on {case.reference}'s need-to-know list.")
            record(case, "note", actor=actor, at=now, details={"text": body})
            uow.cases.append_history(case)
            uow.outbox.add([timeline(case, "note", actor, now)])
            uow.commit()
            return case

    def view_details(self, case_id: int, *, actor: str) -> PersonalDetails:
        """Show the complainant's personal data to someone allowed; record that they saw it."""
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get(case_id)
            if not may_see_personal_data(actor, case, uow.roles.roles_of(actor)):
                record(case, "details_refused", actor=actor, at=now)
                uow.cases.append_history(case)
                uow.commit()
                raise NotAllowed(
                    f"The complainant's details on {case.reference} are shown only to the "
                    "people who need to know: customer services, directors, the HR manager "
                    "and the staff working on this case.")
            record(case, "details_viewed", actor=actor, at=now)
            uow.cases.append_history(case)
            uow.commit()
            return PersonalDetails(reference=case.reference, intake=case.intake,
                                   person_response=case.person_response,
                                   person_responded_at=case.person_responded_at,
                                   review_request_how=case.review_request_how,
                                   review_late_reason=case.review_late_reason)

    def check_action(self, case_id: int, action: Action, *, actor: str,
                     expected_version: int | None = None) -> Case:
        """Would ``action`` be accepted from ``actor`` now? Raises the refusal if not."""
        with self.reader() as uow:
            case = uow.cases.get(case_id)
            roles = roles_on_case(actor, case, uow.roles.roles_of(actor))
        transition_for(case, action)  # a move the state no longer allows says so first
        _check_version(case, action, expected_version)
        authorise(case, action, roles)
        return case

    def get_case(self, case_id: int) -> Case:
        """Load a case (for rendering cards; no access check: cards hold no personal data)."""
        with self.reader() as uow:
            return uow.cases.get(case_id)

    def case_for(self, case_id: int, *, viewer: str) -> Case:
        """A case by id, if the viewer may see it; otherwise NotFound."""
        with self.reader() as uow:
            case = uow.cases.get(case_id)
            if not may_see_case(viewer, case, uow.roles.roles_of(viewer)):
                raise NotFound("No such case that you can see.")
            return case

    def find_case(self, reference: str, *, viewer: str) -> Case:
        """A case by reference, if the viewer may see it; otherwise NotFound."""
        with self.reader() as uow:
            case = uow.cases.get_by_reference(reference.strip().upper())
            if not may_see_case(viewer, case, uow.roles.roles_of(viewer)):
                raise NotFound(f"No case {reference.strip().upper()} that you can see.")
            return case

    def list_cases(self, *, viewer: str, which: str = "open", limit: int = 50
                   ) -> Sequence[Case]:
        """``mine``, ``overdue`` or ``open`` cases the viewer may see."""
        with self.reader() as uow:
            roles = uow.roles.roles_of(viewer)
            if which == "mine":
                found = uow.cases.list_for_user(viewer, limit=limit)
            elif which == "overdue":
                found = uow.cases.list_overdue(self._now(), limit=limit)
            elif which == "open":
                found = uow.cases.list_open(limit=limit)
            else:
                raise IntakeInvalid({"which": "choose mine, overdue or open"})
            return [c for c in found if may_see_case(viewer, c, roles)]

    # ---- Phase Three -----------------------------------------------------------------

    def trends_report(self, *, viewer: str, start: date, end: date) -> TrendReport:
        """Trends and effectiveness over complaints received in [start, end]: HR and directors."""
        with self.reader() as uow:
            roles = uow.roles.roles_of(viewer)
        if not roles & REPORT_ROLES:
            raise NotAllowed(
                "The trends report is for the HR manager, who owns the complaints policy, "
                "and directors. Ask one of them if you need it.")
        return self.trends_report_as_operator(start=start, end=end)

    def trends_report_as_operator(self, *, start: date, end: date) -> TrendReport:
        """The trends report without a role check: for operator tools (the CLI) only."""
        if start > end:
            raise IntakeInvalid({"end": f"the end date {end:%d %b %Y} is before the start "
                                        f"date {start:%d %b %Y}"})
        if start.year < 2000 or end.year > 9000:
            raise IntakeInvalid({"start" if start.year < 2000 else "end":
                                 "choose a date between 2000 and 9000"})
        now = self._now()
        # The period is in London dates: read a day either side in UTC and let the report
        # keep the cases whose London receipt date falls inside.
        since = datetime.combine(start - timedelta(days=1), time(0), tzinfo=UTC)
        until = datetime.combine(end + timedelta(days=2), time(0), tzinfo=UTC)
        with self.reader() as uow:
            pages = uow.cases.received_between(since, until)
            return trends_report((case for page in pages for case in page), start, end, now,
                                 self.calendar)

    def roles_of(self, user: str) -> frozenset[Role]:
        """A user's organisation roles."""
        with self.reader() as uow:
            return uow.roles.roles_of(user)

    def history(self, case_id: int) -> Sequence[Any]:
        """The case's history, oldest first."""
        with self.reader() as uow:
            return uow.cases.history(case_id)

    def policy_dates(self, received_at: datetime, concluded_at: datetime | None = None
                     ) -> dl.PolicyDates:
        """Every due date for a receipt at ``received_at`` (for telling the complainant)."""
        return dl.policy_dates(self.policy, self.calendar, require_aware(received_at),
                               require_aware(concluded_at) if concluded_at else None)


def _check_version(case: Case, action: Action, expected: int | None) -> None:
    """Refuse an action taken from a card or form showing an older version of the case."""
    if expected is not None and case.version != expected:
        raise InvalidTransition(
            f"{case.reference} has changed since it was shown to you; "
            f"your “{ACTION_LABELS[action]}” was not applied. Look at the card again and "
            "retry if it still applies.",
            last_actor=case.last_actor, last_at=case.last_action_at)


def _may_review(case: Case, person: str, field: str) -> None:
    if person == case.investigator:
        raise IntakeInvalid({field: "the Stage One investigator cannot review their own case"})
    if person == case.intake.subject_user_id:
        raise IntakeInvalid({field: "the complaint is about this person; they cannot review it"})


def final_letter(case: Case) -> str:
    """The final-decision letter's content: decision, reasons, remedy, and that it is final."""
    assert case.decision is not None
    d = case.decision
    return (
        f"Our reference: {case.reference}\n\n"
        f"Dear {case.intake.complainant_name},\n\n"
        "We have completed the Stage Two review of your complaint.\n\n"
        f"Decision: {OUTCOME_LABELS[d.outcome]}.\n\n"
        f"Our reasons: {d.reasons}\n\n"
        f"What we will do: {d.remedy}\n\n"
        "This decision is final: it completes our complaints procedure.\n"
    )

