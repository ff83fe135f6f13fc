"""Drives the real Teams endpoint (aiohttp, the token middleware, the SDK's CloudAdapter)
with activities shaped like Teams', against the local fake of Microsoft's side.

The bot is built as `complaints-bot run` builds it (``build_runtime``), on a SQLite file
with a frozen clock; outbox delivery is run on demand (``deliver``). Outgoing calls get
their token from the fake's token endpoint through the adapter's connection manager.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
from microsoft_agents.hosting.core import AgentAuthConfiguration, ConnectionManager

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from cases.clock import FrozenClock
from cases.people import AccountKind
from cases.roles import Role
from tests.teams.card_schema import problems_in
from tests.teams.fake_teams import APP_ID, FakeTeams

FIXTURES = Path(__file__).parent / "fixtures"
CS_CHANNEL = "19:cs-channel@thread.tacv2"
DIRECTORS_CHANNEL = "19:directors@thread.tacv2"
GENERAL = "19:team-general@thread.tacv2"


def fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text()))


class LocalTokenProvider:
    """Asks the fake's token endpoint (MSAL's client-credentials call, in production)."""

    def __init__(self, url: str, configuration: AgentAuthConfiguration) -> None:
        self.url = url
        self._configuration = configuration

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str],
                               force_refresh: bool = False) -> str:
        async with aiohttp.ClientSession() as session, session.post(
                self.url, data={"grant_type": "client_credentials",
                                "scope": " ".join(scopes)}) as response:
            response.raise_for_status()
            return str((await response.json())["access_token"])

    def get_token_credential(self) -> Any:
        raise NotImplementedError("tests use bearer tokens only")


def teams_settings(fake: FakeTeams) -> dict[str, Any]:
    """The settings that serve Teams against the local fake."""
    return {"connections__service_connection__settings__clientid": APP_ID,
            "connections__service_connection__settings__clientsecret": "not-used-in-tests",
            "connections__service_connection__settings__tenantid": "tenant-tiny-tracker",
            "complaints_teams_openid_metadata_url": fake.metadata_url,
            "complaints_teams_cs_channel": "customer-services",
            "complaints_teams_directors_channel": DIRECTORS_CHANNEL}


def teams_runtime_options(fake: FakeTeams) -> dict[str, Any]:
    """``build_runtime``'s Teams options: any free port, tokens from the fake."""
    config = AgentAuthConfiguration(client_id=APP_ID)
    connections = ConnectionManager(
        provider_factory=lambda c: LocalTokenProvider(f"{fake.base_url}/token", c),
        connections_configurations={"SERVICE_CONNECTION": config})
    return {"teams_host": "127.0.0.1", "teams_port": 0, "teams_connections": connections}


class TeamsDriver:
    """A team with a customer-services channel and a directors channel."""

    def __init__(self, fake: FakeTeams, tmp_path: Path, clock: FrozenClock, *,
                 runtime: Runtime | None = None, **settings: Any) -> None:
        """The bot built here (Teams alone), or ``runtime``: one built with
        ``teams_settings`` and ``teams_runtime_options`` beside another surface."""
        self.fake, self.clock = fake, clock
        fake.channels = [{"id": GENERAL}, {"id": CS_CHANNEL, "name": "customer-services"},
                         {"id": DIRECTORS_CHANNEL, "name": "directors"}]
        if runtime is None:
            self.settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                database_url=f"sqlite:///{tmp_path / 'desk.sqlite3'}",
                **teams_settings(fake), **settings)
            runtime = build_runtime(self.settings, clock=clock,
                                    **teams_runtime_options(fake))
        else:
            self.settings = runtime.container.settings
        self.runtime: Runtime = runtime
        self.runtime.teams.host.start()
        self.desk = self.runtime.container.desk
        self.url = f"http://127.0.0.1:{self.runtime.teams.host.port}/api/messages"

    def close(self) -> None:
        self.runtime.teams.host.stop()
        self.runtime.container.engine.dispose()

    # ---- people -------------------------------------------------------------------------

    def person(self, aad: str, name: str | None = None) -> str:
        return self.desk.person_for_account(AccountKind.TEAMS, aad, name or aad).id

    def grant(self, aad: str, role: Role, name: str | None = None) -> str:
        person = self.person(aad, name)
        with self.desk.uow() as uow:
            uow.roles.grant(person, role)
            uow.commit()
        return person

    # ---- requests in ----------------------------------------------------------------------

    def post(self, activity: dict[str, Any], *, token: str | None = "good",
             raw: bytes | None = None) -> tuple[int, Any]:
        """POST an activity to /api/messages with a bearer token (``good``: a valid one).
        Every Adaptive Card in the answer (a dialog, an ``Action.Execute`` answer) must be
        valid under the official schema (``card_schema``)."""
        body = raw if raw is not None else json.dumps(activity).encode()
        headers = {"Content-Type": "application/json"}
        if token == "good":
            token = self.fake.token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                answer = json.loads(text) if text else None
                problems = problems_in(answer)
                assert not problems, "\n".join(problems)
                return response.status, answer
        except urllib.error.HTTPError as err:
            text = err.read()
            try:
                return err.code, json.loads(text) if text else None
            except ValueError:
                return err.code, text.decode()

    def activity(self, name: str, aad: str, display: str | None = None,
                 **fields: Any) -> dict[str, Any]:
        """A fixture activity from ``aad`` (with ``fields`` replaced), at the fake's URL."""
        activity = copy.deepcopy(fixture(name))
        activity["serviceUrl"] = self.fake.service_url
        activity["from"] = {"id": f"29:{aad}", "name": display or aad, "aadObjectId": aad}
        activity.update(fields)
        return activity

    def install(self) -> tuple[int, Any]:
        return self.post(self.activity("install_in_team", "aad-installer"))

    @staticmethod
    def personal_conversation(aad: str) -> dict[str, Any]:
        return {"conversationType": "personal", "tenantId": "tenant-tiny-tracker",
                "id": f"a:personal-{aad}"}

    def say(self, aad: str, text: str, *, personal: bool = True,
            display: str | None = None) -> tuple[int, Any]:
        name = "message_personal" if personal else "message_channel"
        activity = self.activity(name, aad, display)
        if personal:
            activity["conversation"] = self.personal_conversation(aad)
        activity["text"] = text if personal else f"<at>Complaints Desk</at> {text}"
        return self.post(activity)

    def fetch(self, aad: str, data: dict[str, Any], name: str = "task_fetch", *,
              personal: bool = False) -> Any:
        """Open a dialog (press a button carrying ``data``, on a channel's card or, when
        ``personal``, in the bot's personal chat with ``aad``); the dialog's answer."""
        activity = self.activity(name, aad)
        if personal:
            activity["conversation"] = self.personal_conversation(aad)
            activity.pop("channelData", None)
        activity["value"]["data"] = {"msteams": {"type": "task/fetch"}, **data}
        status, body = self.post(activity)
        assert status == 200, (status, body)
        return body

    def submit(self, aad: str, dialog: dict[str, Any], answers: dict[str, Any]) -> Any:
        """Fill the dialog's card inputs with ``answers`` and press its submit button."""
        card = dialog["task"]["value"]["card"]["content"]
        data = dict(card["actions"][0]["data"])
        # As Teams does: every input's current value goes with the submit (what was
        # prefilled, unless the person changed it; an unticked toggle as its valueOff).
        for element in card["body"]:
            if element.get("type", "").startswith("Input.") and "id" in element:
                default = element.get("valueOff") if element["type"] == "Input.Toggle" else None
                value = element.get("value", default)
                if value is not None:
                    data[element["id"]] = value
        data.update(answers)
        activity = self.activity("task_submit", aad)
        activity["value"]["data"] = data
        status, body = self.post(activity)
        assert status == 200, (status, body)
        return body

    def execute(self, aad: str, verb: str, data: dict[str, Any], *,
                personal: bool = False) -> Any:
        """Press an ``Action.Execute`` button (or let Teams refresh a card); the answer."""
        activity = self.activity("card_action", aad)
        if personal:
            activity["conversation"] = self.personal_conversation(aad)
            activity.pop("channelData", None)
        activity["value"]["action"] = {"type": "Action.Execute", "verb": verb, "data": data}
        status, body = self.post(activity)
        assert status == 200, (status, body)
        return body

    def consent(self, aad: str, card: dict[str, Any], action: str = "accept", *,
                upload_url: str | None = None) -> tuple[int, Any]:
        """Press *Allow* (``accept``) or *Decline* on a file-consent card in ``aad``'s
        personal chat: the invoke Teams sends, its upload URL the fake's (or ``upload_url``)."""
        activity = self.activity("file_consent", aad)
        activity["conversation"] = self.personal_conversation(aad)
        content, name = card["content"], str(card["name"])
        value = activity["value"]
        value["action"] = action
        value["context"] = content["acceptContext" if action == "accept" else "declineContext"]
        if action == "accept":
            value["uploadInfo"].update(
                name=name, uploadUrl=upload_url or self.fake.upload_url(name),
                contentUrl=f"{self.fake.base_url}/files/{name}")
        else:
            value.pop("uploadInfo")
        return self.post(activity)

    def deliver(self) -> int:
        """Run outbox delivery until nothing is due."""
        return self.runtime.dispatcher.drain()
