"""Drives the real bolt app with signed requests, against the fake Slack Web API.

The bot is built exactly as `complaints-bot run` builds it (``build_runtime``) on a
SQLite file, with a frozen clock; outbox delivery is run on demand so each test can
say when Slack is reached.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from cases.clock import FrozenClock
from cases.delivery import SLACK
from cases.model import Case
from cases.roles import Role
from handlers.delivery import Pacer, slack_position
from handlers.people import SlackPeople
from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import (
    FORM,
    block_actions_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)

SECRET = "test-signing-secret-0123456789abcdef"
CS_CHANNEL = "C0CS00001"
DIRECTORS_CHANNEL = "C0DIR0001"
CS_AGENT = "U0CS00001"
CS_AGENT_2 = "U0CS00002"
DIRECTOR = "U0DIR0001"
DIRECTOR_2 = "U0DIR0002"
STAFF = "U0STAFF01"
HR_MANAGER = "U0HRMGR01"
INVESTIGATOR = "U0INV0001"
SUBJECT = "U0SUBJ001"
SENIOR = "U0SENR001"


class SlackDriver:
    """A workspace with a customer-services agent, two directors, a senior and some staff."""

    def __init__(self, fake: FakeSlack, tmp_path: Path, clock: FrozenClock, *,
                 also: dict[str, Any] | None = None,
                 runtime_options: dict[str, Any] | None = None, **settings: Any) -> None:
        """``settings``/``also``: more settings (a mail server for letters, another
        surface's); ``runtime_options``: more for ``build_runtime`` (so one bot can serve
        Slack and Teams in one test)."""
        self.fake = fake
        self.clock = clock
        fake.clock = clock  # trigger ids expire by the bot's clock, never by wall time
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{tmp_path / 'desk.sqlite3'}",
            slack_bot_token=TEST_BOT_TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.base_url,
            complaints_cs_channel=CS_CHANNEL,
            complaints_directors_channel=DIRECTORS_CHANNEL,
            complaints_customer_services=[CS_AGENT, CS_AGENT_2],
            complaints_directors=[DIRECTOR, DIRECTOR_2],
            **settings,  # e.g. a mail server for letters
            **(also or {}),
        )
        self.runtime: Runtime = build_runtime(self.settings, clock=clock,
                                              pacer=Pacer(interval=0),
                                              **(runtime_options or {}))
        self.desk = self.runtime.container.desk
        self.people = SlackPeople(self.desk)
        self.grant(SENIOR, Role.SENIOR)  # suitably senior: a review may be delegated to them

    def grant(self, user: str, role: Role) -> None:
        """Give Slack user ``user`` an organisation role, as `complaints-bot roles add` would."""
        with self.desk.uow() as uow:
            uow.roles.grant(self.person(user), role)
            uow.commit()

    def person(self, slack_id: str) -> str:
        """The person id behind a Slack user, as the bot knows them (for direct desk calls)."""
        return self.people.person_for(slack_id)

    def slack_of(self, person_id: str) -> str | None:
        """The Slack id of a person the desk recorded (history actors, roles)."""
        return self.people.slack_id(person_id)

    # ---- requests in -------------------------------------------------------------------

    def send(self, body: bytes, *, content_type: str = FORM,
             headers: dict[str, str] | None = None) -> BoltResponse:
        """Dispatch a signed request through bolt, as the HTTP adapter would."""
        signed = signed_headers(body, SECRET)
        signed["Content-Type"] = content_type
        signed.update(headers or {})
        return self.runtime.app.dispatch(BoltRequest(body=body.decode(), headers=signed))

    def command(self, user: str, text: str) -> BoltResponse:
        """Type `/complaint TEXT` as ``user``."""
        return self.send(slash_command_body(text, user_id=user))

    def opened_view(self, count: int = 1) -> dict[str, Any]:
        """The view of the ``count``-th views.open call (waits for the listener)."""
        call = self.fake.wait_for("views.open", count)[count - 1]
        view = call.body["view"]
        return json.loads(view) if isinstance(view, str) else dict(view)

    def submit(self, user: str, view: dict[str, Any], answers: dict[str, Any], *,
               view_id: str | None = None) -> BoltResponse:
        """Fill the opened modal's inputs with ``answers`` (by block id) and submit it.

        The submission carries the id Slack gave the view when it was opened (unless
        ``view_id`` says otherwise), as Slack's own submissions do.
        """
        view_id = view_id or view.get("id") or self._opened_view_id(view)
        return self.send(view_submission_body(
            view["callback_id"], fill(view, answers), user_id=user,
            private_metadata=view.get("private_metadata") or "", view_id=view_id,
            blocks=view.get("blocks")))

    def _opened_view_id(self, view: dict[str, Any]) -> str | None:
        for call in reversed(self.fake.calls("views.open") + self.fake.calls("views.push")):
            sent = call.body.get("view")
            sent = json.loads(sent) if isinstance(sent, str) else sent
            if sent == view and call.answer is not None:
                return str(call.answer["view"]["id"])
        return None

    def click(self, user: str, action_id: str, case: Case | int, *,
              channel: str | None = CS_CHANNEL, version: int | None = None) -> BoltResponse:
        """Press a case button (on the card in ``channel``, or in a DM when None).

        ``version`` is the case version the button was rendered with (a stale card's).
        """
        case_id = case if isinstance(case, int) else case.id
        value = json.dumps({"case": case_id} if version is None
                           else {"case": case_id, "v": version})
        return self.send(block_actions_body(action_id, value, user_id=user,
                                            channel_id=channel))

    def press(self, user: str, action_id: str, case: Case | int, *,
              channel: str | None = CS_CHANNEL) -> BoltResponse:
        """Press a button as it stands in Slack now: on the newest message in ``channel``
        (its threads included), or in the bot's DM with ``user`` when None, that shows it
        for this case. The button's own value (with the version it carries) is sent."""
        case_id = case if isinstance(case, int) else case.id
        where = channel or self.fake.dm_channel(user)
        for message in sorted(self.fake.messages(where), key=lambda m: float(m.ts),
                              reverse=True):
            for block in message.blocks or []:
                for element in block.get("elements", []) if block.get("type") == "actions" \
                        else []:
                    if element.get("action_id") == action_id and \
                            json.loads(element.get("value") or "{}").get("case") == case_id:
                        return self.send(block_actions_body(
                            action_id, element["value"], user_id=user, channel_id=channel,
                            message_ts=message.ts))
        raise AssertionError(f"no {action_id} button for case {case_id} is shown in {where}")

    # ---- Slack out ---------------------------------------------------------------------

    def deliver(self) -> int:
        """Run outbox delivery until nothing more is due now."""
        return self.runtime.dispatcher.drain()

    def card(self, case: Case | int, channel: str = CS_CHANNEL) -> Any:
        """The case card as it stands in ``channel`` now."""
        case_id = case if isinstance(case, int) else case.id
        assert case_id is not None
        slot = "directors" if channel == DIRECTORS_CHANNEL else "cs"
        ref = self.runtime.outbox.message_ref(SLACK, case_id, slot)
        assert ref is not None, f"no {slot} card posted for case {case_id}"
        return self.fake.message(*slack_position(ref))

    def thread(self, case: Case | int, channel: str = CS_CHANNEL) -> list[str]:
        """The texts of the card's thread, oldest first."""
        card = self.card(case, channel)
        return [m.text for m in self.fake.thread(card.channel, card.ts)]

    def dms(self, user: str) -> list[str]:
        """Texts the bot sent ``user`` directly."""
        return [str(c.body.get("text")) for c in self.fake.calls("chat.postMessage")
                if c.body.get("channel") == user]

    def ephemerals(self, user: str) -> list[str]:
        """Ephemeral answers shown to ``user``."""
        return [str(c.body.get("text")) for c in self.fake.calls("chat.postEphemeral")
                if c.body.get("user") == user]

    def only_case(self) -> Case:
        """The one open case (for tests that log one)."""
        cases = self.desk.list_cases(viewer=self.person(CS_AGENT), which="open")
        assert len(cases) == 1, f"expected one open case, found {len(cases)}"
        return cases[0]


def card_text(message: Any) -> str:
    """Everything a person reads on a card: fallback text and every block's text."""
    return message.text + "\n" + json.dumps(message.blocks)


def buttons(message: Any) -> list[str]:
    """The action ids of the buttons on a message."""
    found = []
    for block in message.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found.append(element["action_id"])
    return found


def fill(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """state.values for ``view`` as Slack would send them after typing ``answers``."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind = element["type"]
        answer = answers.get(block["block_id"], _initial(element))
        state: dict[str, Any] = {"type": kind}
        if kind in ("plain_text_input", "email_text_input"):
            state["value"] = answer
        elif kind == "users_select":
            state["selected_user"] = answer
        elif kind == "datepicker":
            state["selected_date"] = answer.isoformat() if isinstance(answer, date) else answer
        elif kind == "datetimepicker":
            state["selected_date_time"] = (int(answer.timestamp())
                                           if isinstance(answer, datetime) else answer)
        elif kind in ("static_select", "radio_buttons"):
            state["selected_option"] = ({"value": answer, "text": {"type": "plain_text",
                                                                   "text": str(answer)}}
                                        if answer is not None else None)
        elif kind == "checkboxes":
            state["selected_options"] = [{"value": v, "text": {"type": "plain_text", "text": v}}
                                         for v in (answer or [])]
        else:
            raise AssertionError(f"fill() does not know {kind}")
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def _initial(element: dict[str, Any]) -> Any:
    kind = element["type"]
    if kind == "users_select":
        return element.get("initial_user")
    if kind == "datepicker":
        return element.get("initial_date")
    if kind == "datetimepicker":
        return element.get("initial_date_time")
    if kind in ("static_select", "radio_buttons"):
        return (element.get("initial_option") or {}).get("value")
    if kind == "checkboxes":
        return [o["value"] for o in element.get("initial_options") or []]
    return element.get("initial_value")


GOOD_INTAKE: dict[str, Any] = {
    "complainant_name": "Ada Example",
    "email": "ada@example.com",
    "phone": "01482 123456",
    "postal_address": "1 High Street, Hessle, HU13 0AA",
    "organisation": "Example Ltd",
    "relationship": "customer",
    "channel": "phone",
    "category": "product",
    "facts": "The tracker stopped reporting its position after two days.",
    "remedy_sought": "A replacement unit.",
    "staff_grievance": "no",
    "checklist": ["referred_to_procedure", "feedback_form_sent", "told_next_steps"],
}
