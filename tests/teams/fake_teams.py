"""Local stand-ins for Microsoft's side of Teams, on 127.0.0.1, in one aiohttp server.

- an OpenID metadata document and its key set (JWKS), with keys this test generated: one
  endorsed for ``msteams``, one endorsed for nothing (a forged-but-well-signed token);
- a token endpoint the bot's outgoing calls get their bearer token from;
- the Bot Connector REST API at the activities' ``serviceUrl``: it records every
  conversation created, activity sent, reply and update, and refuses a call without a
  token it issued. Every Adaptive Card in them is checked against the official schema
  (``card_schema``); what fails is kept in ``card_problems``, which the tests' fixture
  requires empty;
- an upload URL (``/upload/{name}``), as OneDrive's that Teams hands the bot when someone
  allows a file-consent card: it records each PUT (headers and bytes), and can fail it;
- the team's members (``GET v3/conversations/{teamId}/pagedmembers``) from ``roster``, at
  most ``max_page_size`` a page, with continuation tokens it issued (another is a 400).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.teams.card_schema import problems_in

ISSUER = "https://api.botframework.com"
APP_ID = "00000000-1111-2222-3333-444444444444"
TENANT = "tenant-tiny-tracker"


@dataclass
class Call:
    kind: str  # create | send | reply | update | channels | members
    conversation: str
    activity_id: str | None
    body: dict[str, Any]


@dataclass
class Upload:
    path: str
    headers: dict[str, str]
    data: bytes


@dataclass
class FakeTeams:
    calls: list[Call] = field(default_factory=list)
    issued: set[str] = field(default_factory=set)
    channels: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    # The next Bot Connector calls answer these instead: (status, headers), oldest first.
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # Why the official Adaptive Cards schema rejects a card the bot sent, one per card.
    card_problems: list[str] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    # The next uploads answer these statuses instead of 201, oldest first.
    upload_failures: list[int] = field(default_factory=list)
    # The team's members as pagedmembers gives them (id 29:…, name, aadObjectId, …).
    roster: list[dict[str, str]] = field(default_factory=list)
    max_page_size: int = 500
    # A broken server: every page of members carries a new continuation token, forever.
    endless_members: bool = False
    member_failures: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._pages: dict[str, int] = {}  # continuation token -> offset in the roster

    # ---- tokens ------------------------------------------------------------------------

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/connector/"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def token(self, *, kid: str = "endorsed", issuer: str = ISSUER, audience: str = APP_ID,
              expires_in: float = 600, service_url: str | None = None,
              key: Any = None) -> str:
        """A Bot Framework token as the Bot Connector would send it (or a bad one)."""
        now = time.time()
        claims = {"iss": issuer, "aud": audience, "exp": int(now + expires_in),
                  "nbf": int(now - 10), "serviceurl": service_url or self.service_url}
        signer = key or (self.rogue if kid == "unendorsed" else self.key)
        return jwt.encode(claims, signer, algorithm="RS256", headers={"kid": kid})

    def _jwks(self) -> dict[str, Any]:
        def jwk(private: Any, kid: str, endorsements: list[str]) -> dict[str, Any]:
            public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
            return {**public, "kid": kid, "use": "sig", "endorsements": endorsements}
        return {"keys": [jwk(self.key, "endorsed", ["msteams", "webchat"]),
                         jwk(self.rogue, "unendorsed", [])]}

    # ---- what the bot sent ---------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.failures.clear()
            self.card_problems.clear()
            self.uploads.clear()
            self.upload_failures.clear()
            self.roster, self.max_page_size, self.endless_members = [], 500, False
            self.member_failures.clear()

    def fail_next(self, status: int, times: int = 1, **headers: str) -> None:
        """The next ``times`` Bot Connector calls answer ``status`` (e.g. 429, Retry-After)."""
        with self._lock:
            self.failures += [(status, {k.replace("_", "-"): v for k, v in headers.items()})
                              ] * times

    def _failure(self) -> web.Response | None:
        with self._lock:
            if not self.failures:
                return None
            status, headers = self.failures.pop(0)
        return web.json_response({"error": {"code": "Failed", "message": f"HTTP {status}"}},
                                 status=status, headers=headers)

    def fail_members(self, status: int, times: int = 1) -> None:
        """The next ``times`` pagedmembers calls answer ``status`` (other calls are served)."""
        with self._lock:
            self.member_failures += [status] * times

    def _members_page(self, team: str, query: Any) -> web.Response:
        with self._lock:
            if self.member_failures:
                status = self.member_failures.pop(0)
                return web.json_response({"error": {"code": "Failed",
                                                    "message": f"HTTP {status}"}}, status=status)
        token = query.get("continuationToken") or None
        if token is not None and token not in self._pages:
            return web.json_response({"error": {"code": "BadArgument", "message":
                                                "unknown continuation token"}}, status=400)
        size = max(1, min(int(query.get("pageSize") or 500), self.max_page_size))
        start = self._pages.pop(token, 0) if token else 0
        page = self.roster[start:start + size]
        self._record("members", team, None, {"pageSize": size, "continuationToken": token})
        answer: dict[str, Any] = {"members": page}
        if self.endless_members or start + size < len(self.roster):
            following = f"page-{next(self._ids)}"
            self._pages[following] = start + size
            answer["continuationToken"] = following
        return web.json_response(answer)

    def of(self, kind: str, *, typing: bool = False) -> list[Call]:
        """The calls of ``kind``; without the typing indicators the SDK sends while a
        turn takes longer than half a second (a loaded machine), unless ``typing``."""
        with self._lock:
            return [c for c in self.calls if c.kind == kind
                    and (typing or c.body.get("type") != "typing")]

    def cards(self, kind: str = "send") -> list[dict[str, Any]]:
        """The Adaptive Cards the bot posted (or updated, or replied)."""
        return [a["content"] for c in self.of(kind) for a in c.body.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    # ---- the server ----------------------------------------------------------------------

    def _record(self, kind: str, conversation: str, activity_id: str | None,
                body: dict[str, Any]) -> str:
        with self._lock:
            new_id = activity_id if kind == "update" else f"1{next(self._ids):012d}"
            self.calls.append(Call(kind, conversation, new_id, body))
            self.card_problems += [f"{kind} in {conversation}: {p}" for p in problems_in(body)]
            return str(new_id)

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.issued

    def _app(self) -> web.Application:
        app = web.Application()

        async def metadata(request: web.Request) -> web.Response:
            return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base_url}/keys",
                                      "id_token_signing_alg_values_supported": ["RS256"]})

        async def keys(request: web.Request) -> web.Response:
            return web.json_response(self._jwks())

        async def token(request: web.Request) -> web.Response:
            issued = f"outgoing-{next(self._ids)}"
            self.issued.add(issued)
            return web.json_response({"access_token": issued, "expires_in": 3600,
                                      "token_type": "Bearer"})

        async def connector(request: web.Request) -> web.Response:
            if not self._authorised(request):
                return web.json_response({"error": "Unauthorized"}, status=401)
            failure = self._failure()
            if failure is not None:
                return failure
            parts = request.match_info["tail"].split("/")
            body = await request.json() if request.can_read_body else {}
            if len(parts) == 4 and parts[:2] == ["v3", "conversations"] \
                    and parts[3] == "pagedmembers" and request.method == "GET":
                return self._members_page(parts[2], request.query)
            if parts[:2] == ["v3", "teams"] and request.method == "GET":
                self._record("channels", parts[2], None, {})
                return web.json_response({"conversations": self.channels})
            if parts == ["v3", "conversations"]:
                refused = _personal_chat_refusal(body)
                if refused:
                    return web.json_response({"error": {"code": "BadArgument",
                                                         "message": refused}}, status=400)
                # As Teams: a 1:1 chat with the bot is one conversation per member, so
                # creating it again gives the same id (here the id the tests' personal
                # messages use).
                conv = f"a:personal-{body['members'][0]['id'].removeprefix('29:')}"
                self._record("create", conv, None, body)
                return web.json_response({"id": conv})  # no activityId: none was sent
            if len(parts) >= 4 and parts[:2] == ["v3", "conversations"] \
                    and parts[3] == "activities":
                conv = parts[2]
                target = parts[4] if len(parts) > 4 else None
                kind = "update" if request.method == "PUT" else (
                    "reply" if target or ";messageid=" in conv else "send")
                return web.json_response({"id": self._record(kind, conv, target, body)})
            return web.json_response({"error": "not found"}, status=404)

        app.router.add_get("/v1/.well-known/openidconfiguration", metadata)
        app.router.add_get("/keys", keys)
        app.router.add_post("/token", token)
        app.router.add_route("*", "/connector/{tail:.*}", connector)
        app.router.add_put("/upload/{name}", self._upload)
        return app

    # ---- file uploads (the file-consent flow) ----------------------------------------------

    def upload_url(self, name: str) -> str:
        return f"{self.base_url}/upload/{name}"

    def fail_uploads(self, status: int, times: int = 1) -> None:
        with self._lock:
            self.upload_failures += [status] * times

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        with self._lock:
            self.uploads.append(Upload(request.match_info["name"], dict(request.headers),
                                       data))
            status = self.upload_failures.pop(0) if self.upload_failures else 201
        return web.json_response({"id": request.match_info["name"]}, status=status)

    def attachments(self, conversation: str) -> list[dict[str, Any]]:
        """Every attachment the bot sent in ``conversation`` (cards, files), oldest first."""
        return [a for c in self.of("send") if c.conversation == conversation
                for a in c.body.get("attachments") or []]

    def __enter__(self) -> FakeTeams:
        self._thread.start()
        self._runner = web.AppRunner(self._app(), access_log=None)
        asyncio.run_coroutine_threadsafe(self._runner.setup(), self.loop).result(10)
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        asyncio.run_coroutine_threadsafe(site.start(), self.loop).result(10)
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


def _personal_chat_refusal(body: dict[str, Any]) -> str | None:
    """Why the Bot Connector would refuse this create-conversation call (None: it would not)."""
    members = body.get("members")
    if body.get("isGroup"):
        return "only a personal (1:1) chat is created by this bot"
    if not isinstance(members, list) or len(members) != 1 or not str(
            (members[0] or {}).get("id", "")).startswith("29:"):
        return "a personal chat needs exactly one member, by their 29: id"
    if not (body.get("bot") or {}).get("id", "").startswith("28:"):
        return "the bot (28: id) must be named"
    if not body.get("tenantId"):
        return "tenantId is required"
    return None
