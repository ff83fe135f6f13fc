"""The procedure's guards: each is one rule a table row checks before it applies.

A guard takes the ``Attempt`` and raises the refusal (``IntakeInvalid`` naming the form
field, ``NotAllowed`` or ``InvalidTransition``) or returns None. Rows list their guards
in ``cases.lifecycle.TRANSITIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cases import deadlines as dl
from cases import subject
from cases.errors import IntakeInvalid, InvalidTransition, NotAllowed
from cases.intake import received_time_problem
from cases.model import Case, DeadlineKind
from cases.steps import Attempt

Guard = Callable[[Attempt], None]


def _day(attempt: Attempt) -> date | None:
    return attempt.given.day


def reply_date_within_the_promise(attempt: Attempt) -> None:
    """Stage One: the promised reply date is today or later, and no later than the policy's."""
    day, rules, case = _day(attempt), attempt.rules, attempt.case
    if day is None:
        raise IntakeInvalid({"promised_reply_by": "this is required"})
    if day < rules.calendar.local_date(attempt.at):
        raise IntakeInvalid({"promised_reply_by": "the reply date is in the past"})
    latest = rules.calendar.local_date(dl.policy_dates(
        rules.policy, rules.calendar, case.received_at).stage_one_reply_expected_by)
    if day > latest:
        raise IntakeInvalid({"promised_reply_by":
                             f"the procedure promises a reply by {latest:%a %d %b %Y} "
                             "at the latest; choose that date or earlier"})


def owner_is_not_the_subject(attempt: Attempt) -> None:
    """The person the complaint is about does not deal with it."""
    subject.refuse_naming(attempt.case, attempt.given.person or "", "owner")


def investigator_is_not_the_subject(attempt: Attempt) -> None:
    """The person the complaint is about does not investigate it."""
    subject.refuse_naming(attempt.case, attempt.given.person or "", "investigator")


def request_time_not_in_future(attempt: Attempt) -> None:
    """A review request cannot have reached us after now."""
    received = attempt.given.received_at
    if received is None:
        raise IntakeInvalid({"requested_at": "this is required"})
    if received_time_problem(received, attempt.at):
        raise IntakeInvalid({"requested_at": "the request time is in the future"})
    replied = attempt.case.replied_at
    # Time pickers give whole minutes: a request in the reply's own minute is not before it.
    if replied is not None and received < replied.replace(second=0, microsecond=0):
        day = attempt.rules.calendar.local_date(replied)
        raise IntakeInvalid({"requested_at": "a review is asked for after the Stage One reply, "
                                             f"which was sent on {day:%a %-d %b %Y}; give "
                                             "the time the request reached us"})


def may_review(case: Case, person: str, field: str) -> None:
    """Stage Two is reviewed by someone fresh: not the investigator, not the named person."""
    if person == case.investigator:
        raise IntakeInvalid({field: "the Stage One investigator cannot review their own case"})
    subject.refuse_naming(case, person, field)


def clicker_may_review(attempt: Attempt) -> None:
    """The director taking the review may review it (a refusal to them, not a form error)."""
    try:
        may_review(attempt.case, attempt.actor, "reviewer")
    except IntakeInvalid as exc:
        raise NotAllowed(f"{attempt.case.reference}: {exc.errors['reviewer']}.") from None


def review_reply_date_within_the_promise(attempt: Attempt) -> None:
    """Stage Two: a reply date, if given, is today or later and within the 10 working days."""
    day, case = _day(attempt), attempt.case
    if day is None:
        return
    calendar = attempt.rules.calendar
    if day < calendar.local_date(attempt.at):
        raise IntakeInvalid({"reply_by": "the reply date is in the past"})
    due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
    latest = calendar.local_date(due.due_at) if due else None
    if latest is not None and day > latest:
        raise IntakeInvalid({"reply_by":
                             f"the procedure promises a definitive reply by "
                             f"{latest:%a %d %b %Y}; choose that date or earlier (a "
                             "later date needs a progress update with a reason)"})


def delegate_may_review(attempt: Attempt) -> None:
    """The suitably senior person a director delegates to may review the case."""
    may_review(attempt.case, attempt.given.person or "", "delegate")
    subject.refuse_delegate(attempt.case, attempt.given.person_roles)


def response_once_and_in_time(attempt: Attempt) -> None:
    """The named person responds once, while their time to respond is open."""
    case = attempt.case
    if case.person_responded_at is not None:
        raise InvalidTransition(
            f"You already responded on {case.reference}; the reviewer has it. "
            "Anything more goes to the reviewer directly.",
            last_actor=attempt.actor, last_at=case.person_responded_at)
    window = case.deadlines.get(DeadlineKind.PERSON_RESPONSE)
    if window is None or not window.is_open:
        raise InvalidTransition(
            f"The time to respond on {case.reference} has ended and the review "
            "went on without a response. Please speak to the reviewer.",
            last_actor=case.last_actor, last_at=case.last_action_at)


def new_date_is_a_later_working_day(attempt: Attempt) -> None:
    """A progress update promises a new reply on a working day after today."""
    day, calendar = _day(attempt), attempt.rules.calendar
    if day is None:
        raise IntakeInvalid({"new_reply_by": "this is required"})
    if day <= calendar.local_date(attempt.at):
        raise IntakeInvalid({"new_reply_by": "the new date must be after today"})
    if not calendar.is_working_day(day):
        raise IntakeInvalid({"new_reply_by": "choose a working day"})
    reply = attempt.case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
    original = calendar.local_date(reply.original_due_at) if reply else None
    if original is not None and day < original:
        raise IntakeInvalid({"new_reply_by": "a progress update cannot promise an earlier "
                                             f"date than the original {original:%a %-d %b %Y}"})


def named_person_has_had_their_say(attempt: Attempt) -> None:
    """No decision while the named person may still respond ("a further opportunity")."""
    case = attempt.case
    waiting = case.deadlines.get(DeadlineKind.PERSON_RESPONSE)
    if waiting is not None and waiting.is_open:
        local = attempt.rules.calendar.local_date(waiting.due_at)
        raise InvalidTransition(
            f"{case.reference}: the person the complaint is about may still respond "
            f"(until 17:00 on {local:%a %d %b %Y}); draft the decision after their "
            "response, or once that time has passed.",
            last_actor=case.last_actor, last_at=case.last_action_at,
        )


def approver_is_not_the_drafter(attempt: Attempt) -> None:
    """The decision is approved by a director other than its drafter (unless the policy
    lets a sole director approve their own, which the history then records)."""
    decision = attempt.case.decision
    if decision is None or decision.drafted_by != attempt.actor:
        return
    if attempt.rules.policy.stage_two.sole_director_may_approve:
        return
    raise NotAllowed(
        f"You drafted the decision on {attempt.case.reference}, so another director must "
        "approve it (a company with one director sets stage_two.sole_director_may_approve).")


# Guards that read only the case and the person, not the form: checked when the button is
# pressed too, so nobody fills a form that would then be refused.
BEFORE_THE_FORM: frozenset[Guard] = frozenset({
    response_once_and_in_time, named_person_has_had_their_say, approver_is_not_the_drafter,
    clicker_may_review,
})
