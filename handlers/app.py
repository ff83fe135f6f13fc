"""The Slack adapter: thin listeners that parse payloads, call use cases, and answer Slack.

Every listener acks well inside Slack's 3 seconds; modals open first (trigger ids live
3 s). Case changes go through ``cases.services``; their messages reach Slack through
the outbox, so a listener only wakes the dispatcher. Refusals (stale buttons, roles)
come back as an ephemeral message or a modal, never an error screen.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.clock import Clock
from cases.errors import (
    DomainError,
    IntakeInvalid,
    InvalidTransition,
    NotAComplaint,
    NotAllowed,
    NotFound,
)
from cases.intake import GRIEVANCE_POINTER
from cases.lifecycle import Action
from cases.model import Case, Outcome
from cases.policy import Policy
from cases.reporting import last_full_quarter, parse_day
from cases.services import ComplaintsDesk
from cases.views import DisplayCalendar, Surface, case_card_view, dates_to_tell, home_view_model
from handlers import blocks
from handlers.delivery import surfaces_of
from handlers.ids import (
    BUTTON_ACTIONS,
    ActionId,
    BlockId,
    CallbackId,
    CaseRef,
    SlashCommand,
    decode_case_ref,
    encode_case_ref,
)

log = logging.getLogger(__name__)

Values = dict[str, Any]


@dataclass(frozen=True)
class HandlerDeps:
    desk: ComplaintsDesk
    clock: Clock
    calendar: DisplayCalendar
    policy: Policy
    wake: Callable[[], None]


# ---- reading Slack payloads ----------------------------------------------------------

def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Domain field names -> the block ids that show them inline."""
    shown: dict[str, str] = {}
    for field, message in errors.items():
        block = blocks.FIELD_BLOCKS.get(field) or blocks.FIELD_BLOCKS.get(field.split(".")[0])
        block = block or field.split(".")[0]
        shown[block] = message if block not in shown else f"{shown[block]}; {message}"
    return shown


def refusal_text(error: DomainError, calendar: DisplayCalendar) -> str:
    """A friendly one-liner for a stale button or a role refusal."""
    if isinstance(error, InvalidTransition) and error.last_actor:
        when = ""
        if error.last_at is not None:
            local = calendar.local(error.last_at)
            when = f" at {local:%H:%M} on {local:%a %d %b}"
        who = "the bot" if error.last_actor == "system" else f"<@{error.last_actor}>"
        return f"{error} Last change by {who}{when}."
    return str(error)


def build_app(deps: HandlerDeps, *, client: WebClient, signing_secret: str | None,
              token_verification: bool = False) -> App:
    """A bolt App with every listener registered. The same app serves HTTP and Socket Mode."""
    app = App(client=client, signing_secret=signing_secret or "socket-mode",
              token_verification_enabled=token_verification,
              request_verification_enabled=signing_secret is not None,
              ignoring_self_events_enabled=False, url_verification_enabled=True,
              process_before_response=False)
    desk = deps.desk

    def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
        """An ephemeral answer where the click happened, or a DM when there is no channel."""
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            client.chat_postMessage(channel=user, text=text)

    def intake_view(user: str, prefill: dict[str, Any] | None = None) -> View:
        now = deps.clock.now()
        dates = dates_to_tell(desk.policy_dates(now), deps.calendar)
        return blocks.intake_modal(dates, prefill=prefill, now=deps.calendar.local(now),
                                   private_metadata="")

    # ---- /complaint ------------------------------------------------------------------

    @app.command(SlashCommand.COMPLAINT.value)
    def handle_command_complaint(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        words = (body.get("text") or "").split()
        verb = words[0].lower() if words else "help"
        user = body["user_id"]
        if verb == "new":
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=intake_view(user))
        elif verb == "help":
            ack(text=blocks.help_text())
        elif verb == "list":
            which = words[1].lower() if len(words) > 1 else "open"
            try:
                found = desk.list_cases(viewer=user, which=which)
            except IntakeInvalid:
                ack(text="Use `/complaint list mine`, `/complaint list overdue` or "
                         "`/complaint list open`.")
                return
            ack(text=blocks.case_list_text(which, [_card(deps, c) for c in found]))
        elif verb == "show" and len(words) > 1:
            try:
                case = desk.find_case(words[1], viewer=user)
            except NotFound as exc:
                ack(text=str(exc))
                return
            text, card_blocks = blocks.case_card_message(_card(deps, case))
            ack(text=text, blocks=card_blocks)
        elif verb == "escalate" and len(words) > 1:
            try:
                case = desk.find_case(words[1], viewer=user)
                desk.check_action(_id(case), Action.REQUEST_REVIEW, actor=user)
            except DomainError as exc:
                ack(text=refusal_text(exc, deps.calendar))
                return
            ack()
            client.views_open(trigger_id=body["trigger_id"],
                              view=_step_modal(deps, Action.REQUEST_REVIEW, case, user))
        elif verb == "note" and len(words) > 2:
            note = (body.get("text") or "").split(None, 2)[2]
            try:
                case = desk.find_case(words[1], viewer=user)
                desk.add_note(_id(case), actor=user, text=note)
            except IntakeInvalid as exc:
                ack(text=f"Note not added: {'; '.join(exc.errors.values())}.")
                return
            except DomainError as exc:
                ack(text=refusal_text(exc, deps.calendar))
                return
            ack(text=f"Note added to {case.reference}'s history.")
            deps.wake()
        elif verb == "report":
            answer_report(ack, user, words[1:])
        else:
            ack(text=f"I don't know `/complaint {' '.join(words)}`.\n\n{blocks.help_text()}")

    def answer_report(ack: Ack, user: str, args: list[str]) -> None:
        """`/complaint report [FROM [TO]]`: the Phase Three report, just for the asker."""
        usage = ("Use `/complaint report` (the last full quarter), `/complaint report FROM` "
                 "(up to today) or `/complaint report FROM TO`, dates as YYYY-MM-DD.")
        today = deps.calendar.local_date(deps.clock.now())
        if len(args) > 2:
            ack(text=usage)
            return
        try:
            start, end = (last_full_quarter(today) if not args else
                          (parse_day(args[0]), parse_day(args[1]) if len(args) > 1 else today))
        except ValueError as exc:
            ack(text=f"{exc}. {usage}")
            return
        try:
            report = desk.trends_report(viewer=user, start=start, end=end)
        except IntakeInvalid as exc:
            ack(text=f"Report not run: {'; '.join(exc.errors.values())}.")
            return
        except NotAllowed as exc:
            ack(text=str(exc))
            return
        text, report_blocks = blocks.report_message(report)
        ack(text=text, blocks=report_blocks)

    # ---- shortcuts -------------------------------------------------------------------

    @app.shortcut(CallbackId.SHORTCUT_LOG_COMPLAINT.value)
    def handle_shortcut_log_complaint(ack: Ack, body: dict[str, Any],
                                      client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=intake_view(body["user"]["id"]))

    @app.shortcut(CallbackId.SHORTCUT_LOG_MESSAGE.value)
    def handle_shortcut_log_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        message = body.get("message") or {}
        prefill: dict[str, Any] = {"facts": message.get("text") or ""}
        if message.get("ts"):
            prefill["received_at"] = datetime.fromtimestamp(float(message["ts"]), tz=UTC)
        client.views_open(trigger_id=body["trigger_id"],
                          view=intake_view(body["user"]["id"], prefill))

    @app.action(ActionId.LOG_COMPLAINT.value)
    def handle_home_log_complaint(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=intake_view(body["user"]["id"]))

    # ---- intake submission -----------------------------------------------------------

    @app.view(CallbackId.INTAKE.value)
    def handle_view_intake(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        try:
            data = blocks.intake_values_to_dict(view["state"]["values"], deps.calendar)
            desk.log_complaint(data, logged_by=user, intake_key=view["id"])
        except IntakeInvalid as exc:
            ack(response_action="errors", errors=field_errors(exc.errors))
            return
        except NotAComplaint:
            ack(response_action="errors",
                errors={BlockId.STAFF_GRIEVANCE.value: GRIEVANCE_POINTER})
            return
        ack()
        deps.wake()

    # ---- buttons on cards, DMs, the decision message ------------------------------------

    def on_button(action_id: ActionId, domain_action: Action) -> None:
        def handle_button(ack: Ack, body: dict[str, Any], client: WebClient,
                          action: dict[str, Any]) -> None:
            ack()
            user = body["user"]["id"]
            ref = decode_case_ref(action["value"])
            # A button that acts at once is checked against the version it showed; one that
            # opens a form is not (DMs are never re-rendered): the form carries the version
            # it was opened on, and a stale form is refused when submitted.
            acts_now = domain_action is Action.APPROVE_DECISION
            try:
                case = desk.check_action(ref.case_id, domain_action, actor=user,
                                         expected_version=ref.version if acts_now else None)
                if acts_now:
                    desk.approve_decision(ref.case_id, actor=user,
                                          expected_version=ref.version)
                    deps.wake()
                    return
            except DomainError as exc:
                tell(client, body, refusal_text(exc, deps.calendar))
                return
            client.views_open(trigger_id=body["trigger_id"],
                              view=_step_modal(deps, domain_action, case, user))

        handle_button.__name__ = f"handle_button_{action_id.value}"
        app.action(action_id.value)(handle_button)

    for action_id, domain_action in BUTTON_ACTIONS.items():
        on_button(action_id, domain_action)

    @app.action(ActionId.VIEW_DETAILS.value)
    def handle_button_view_details(ack: Ack, body: dict[str, Any], client: WebClient,
                                   action: dict[str, Any]) -> None:
        ack()
        ref = decode_case_ref(action["value"])
        try:
            details = desk.view_details(ref.case_id, actor=body["user"]["id"])
        except DomainError as exc:
            tell(client, body, refusal_text(exc, deps.calendar))
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=blocks.details_modal(details, deps.calendar))

    @app.action(ActionId.OPEN_CASE.value)
    def handle_button_open_case(ack: Ack, body: dict[str, Any], client: WebClient,
                                action: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        ref = decode_case_ref(action["value"])
        try:
            case = desk.case_for(ref.case_id, viewer=user)
        except DomainError as exc:
            tell(client, body, refusal_text(exc, deps.calendar))
            return
        # In Stage Two the directors' card is the one with the review and its buttons.
        surface: Surface = surfaces_of(case)[-1]
        text, card_blocks = blocks.case_card_message(_card(deps, case, surface))
        payload = [b.to_dict() for b in card_blocks]
        channel = (body.get("channel") or {}).get("id")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=payload)
        else:
            client.chat_postMessage(channel=user, text=text, blocks=payload)

    # ---- step modal submissions --------------------------------------------------------

    def on_submit(callback: CallbackId,
                  run: Callable[[int, str, Values, int | None], Any]) -> None:
        def handle_view_step(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            ref = decode_case_ref(view.get("private_metadata") or "")
            try:
                values = blocks.read_values(view["state"]["values"], deps.calendar)
                run(ref.case_id, body["user"]["id"], values, ref.version)
            except IntakeInvalid as exc:
                ack(response_action="errors", errors=field_errors(exc.errors))
                return
            except (InvalidTransition, NotAllowed, NotFound) as exc:
                ack(response_action="update",
                    view=blocks.notice_modal("Not done", refusal_text(exc, deps.calendar)))
                return
            ack()
            deps.wake()

        handle_view_step.__name__ = f"handle_view_{callback.value}"
        app.view(callback.value)(handle_view_step)

    def read(values: Values, block: BlockId) -> Any:
        return values.get(block.value)

    def need(values: Values, block: BlockId, message: str = "this is required") -> Any:
        value = values.get(block.value)
        if value in (None, "", []):
            raise IntakeInvalid({block.value: message})
        return value

    on_submit(CallbackId.ACKNOWLEDGE, lambda cid, user, v, ver: desk.acknowledge_case(
        cid, actor=user, expected_version=ver,
        owner=need(v, BlockId.OWNER, "choose who deals with it"),
        promised_reply_by=need(v, BlockId.PROMISED_REPLY_BY, "choose a reply date"),
        procedure_attached=bool(read(v, BlockId.PROCEDURE_ATTACHED))))
    on_submit(CallbackId.RESOLVE, lambda cid, user, v, ver: desk.resolve_case(
        cid, actor=user, expected_version=ver, resolution=read(v, BlockId.RESOLUTION) or ""))
    on_submit(CallbackId.ASSIGN_INVESTIGATOR, lambda cid, user, v, ver: desk.assign_investigator(
        cid, actor=user, expected_version=ver,
        investigator=need(v, BlockId.INVESTIGATOR, "choose a person")))
    on_submit(CallbackId.CONCLUDE_INVESTIGATION,
              lambda cid, user, v, ver: desk.conclude_investigation(
                  cid, actor=user, expected_version=ver, findings=read(v, BlockId.FINDINGS) or ""))
    on_submit(CallbackId.SEND_REPLY, lambda cid, user, v, ver: desk.send_reply(
        cid, actor=user, expected_version=ver,
        outcome=Outcome(need(v, BlockId.OUTCOME, "choose the outcome")),
        suggestions=read(v, BlockId.SUGGESTIONS) or ""))
    on_submit(CallbackId.REQUEST_REVIEW, lambda cid, user, v, ver: desk.request_review(
        cid, actor=user, expected_version=ver,
        requested_at=need(v, BlockId.REQUESTED_AT, "when did the complainant ask?"),
        how=read(v, BlockId.HOW) or "", reason=read(v, BlockId.REASON)))
    on_submit(CallbackId.WITHDRAW, lambda cid, user, v, ver: desk.withdraw(
        cid, actor=user, expected_version=ver, reason=read(v, BlockId.REASON) or ""))
    on_submit(CallbackId.ACKNOWLEDGE_REVIEW, lambda cid, user, v, ver: desk.acknowledge_review(
        cid, actor=user, expected_version=ver, reply_by=read(v, BlockId.REPLY_BY)))
    on_submit(CallbackId.DELEGATE_REVIEW, lambda cid, user, v, ver: desk.delegate_review(
        cid, actor=user, expected_version=ver,
        delegate=need(v, BlockId.DELEGATE, "choose a person")))
    on_submit(CallbackId.RECORD_PERSON_RESPONSE,
              lambda cid, user, v, ver: desk.record_person_response(
                  cid, actor=user, expected_version=ver, response=read(v, BlockId.RESPONSE) or ""))
    on_submit(CallbackId.SEND_PROGRESS_UPDATE, lambda cid, user, v, ver: desk.send_progress_update(
        cid, actor=user, expected_version=ver, reason=read(v, BlockId.REASON) or "",
        new_reply_by=need(v, BlockId.NEW_REPLY_BY, "choose the new date")))
    on_submit(CallbackId.PROPOSE_DECISION, lambda cid, user, v, ver: desk.propose_decision(
        cid, actor=user, expected_version=ver,
        outcome=Outcome(need(v, BlockId.OUTCOME, "choose the outcome")),
        reasons=read(v, BlockId.REASONS) or "", remedy=read(v, BlockId.REMEDY) or ""))
    on_submit(CallbackId.REQUEST_CHANGES, lambda cid, user, v, ver: desk.request_changes(
        cid, actor=user, expected_version=ver, comment=read(v, BlockId.COMMENT) or ""))

    # ---- App Home ----------------------------------------------------------------------

    @app.event("app_home_opened")
    def handle_event_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        cases = list(desk.list_cases(viewer=user, which="mine"))
        if desk.roles_of(user):
            seen = {c.id for c in cases}
            cases += [c for c in desk.list_cases(viewer=user, which="overdue")
                      if c.id not in seen]
        model = home_view_model(cases, deps.clock.now(), deps.calendar, deps.policy, user)
        client.views_publish(user_id=user, view=blocks.home_view(model))

    # ---- errors --------------------------------------------------------------------------

    @app.error
    def handle_errors(error: Exception, body: dict[str, Any], client: WebClient,
                      response: BoltResponse | None) -> BoltResponse | None:
        if isinstance(error, DomainError):
            log.info("refused: %s", error)
            text = refusal_text(error, deps.calendar)
        else:
            ref = uuid.uuid4().hex[:8]
            log.error("unhandled error (ref %s)", ref, exc_info=error)
            text = (f"Sorry, something went wrong (ref {ref}) and it was not saved. "
                    "Please try again; if it keeps happening, give that ref to whoever "
                    "runs Complaints Desk.")
        if response is not None and body.get("type") == "view_submission":
            # Keep the modal open with everything typed, and say so at the first field.
            first = next((b.get("block_id") for b in (body.get("view") or {}).get("blocks", [])
                          if b.get("type") == "input"), None)
            if first:
                return BoltResponse(status=200, headers={"Content-Type": "application/json"},
                                    body=json.dumps({"response_action": "errors",
                                                     "errors": {first: text}}))
        if response is not None and body.get("command"):
            return BoltResponse(status=200, body=text)  # shown only to the person who typed it
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        if user:
            try:
                client.chat_postMessage(channel=user, text=text)
            except Exception:  # telling the user is best effort; the error is logged above
                log.warning("could not tell %s about the error", user, exc_info=True)
        return BoltResponse(status=200, body="") if response is not None else None

    return app


def _id(case: Case) -> int:
    assert case.id is not None
    return case.id


def _card(deps: HandlerDeps, case: Case, surface: Surface = "cs") -> Any:
    return case_card_view(case, deps.clock.now(), deps.calendar, deps.policy, surface=surface)


def _step_modal(deps: HandlerDeps, action: Action, case: Case, user: str) -> View:
    """The small modal for one step, prefilled from the policy where it helps."""
    meta = encode_case_ref(CaseRef(case_id=_id(case), version=case.version))
    now = deps.clock.now()
    return blocks.step_modal(action, _card(deps, case), clicker=user,
                             today=deps.calendar.local_date(now),
                             private_metadata=meta, policy_prefill=_prefill(deps, action, case))


def _prefill(deps: HandlerDeps, action: Action, case: Case) -> dict[str, Any]:
    """Policy dates a step modal starts from (the reply date the complainant was told)."""
    from cases.model import DeadlineKind

    cal = deps.calendar
    if action is Action.ACKNOWLEDGE:
        dates = deps.desk.policy_dates(case.received_at)
        return {"promised_reply_by": cal.local_date(dates.stage_one_reply_expected_by)}
    if action is Action.ACKNOWLEDGE_REVIEW:
        due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
        return {"reply_by": cal.local_date(due.due_at)} if due else {}
    if action is Action.REQUEST_REVIEW:
        return {"requested_at": deps.clock.now()}
    if action is Action.PROPOSE_DECISION and case.decision is not None:
        # Redrafting after "Request changes": start from the previous draft.
        return {"outcome": case.decision.outcome, "reasons": case.decision.reasons,
                "remedy": case.decision.remedy}
    return {}
