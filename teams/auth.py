"""The Bot Framework bearer token on every request to /api/messages, checked before parsing.

RS256 against the keys of the OpenID metadata document (``COMPLAINTS_TEAMS_OPENID_METADATA_
URL``), its issuer, audience = the bot's app id, expiry with five minutes' leeway, the key's
endorsement for the ``msteams`` channel, and the token's ``serviceurl`` claim equal to the
activity's ``serviceUrl``. A request that passes carries a ``ClaimsIdentity`` in
``request["claims_identity"]``, where the SDK's CloudAdapter reads it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from aiohttp import web
from microsoft_agents.hosting.core import ClaimsIdentity

log = logging.getLogger(__name__)

BOT_FRAMEWORK_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
LEEWAY_SECONDS = 300
CHANNEL = "msteams"
METADATA_TTL = 24 * 3600.0  # seconds: Bot Framework rotates keys rarely, and says so ahead
MAX_BODY = 1 << 20

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TokenRefused(Exception):
    """The request's token does not prove it came from the Bot Connector."""


class BotFrameworkTokens:
    """Checks Bot Framework tokens against one OpenID metadata document (cached)."""

    def __init__(self, metadata_url: str, app_id: str, *, channel: str = CHANNEL,
                 timeout: float = 10.0) -> None:
        if not app_id:
            raise ValueError("the bot's app id (CLIENTID) is needed to check tokens")
        self.metadata_url = metadata_url
        self.app_id = app_id
        self.channel = channel
        self.timeout = timeout
        self._lock = threading.Lock()
        self._fetched_at = 0.0
        self._issuer = ""
        self._keys: jwt.PyJWKClient | None = None
        self._endorsements: dict[str, frozenset[str]] = {}

    def _metadata(self) -> tuple[str, jwt.PyJWKClient]:
        with self._lock:
            if self._keys is None or time.monotonic() - self._fetched_at > METADATA_TTL:
                with urllib.request.urlopen(self.metadata_url, timeout=self.timeout) as r:
                    document = json.loads(r.read())
                self._issuer = str(document["issuer"])
                self._keys = jwt.PyJWKClient(str(document["jwks_uri"]), cache_keys=True,
                                             lifespan=int(METADATA_TTL), timeout=self.timeout)
                self._endorsements = {}
                self._fetched_at = time.monotonic()
            return self._issuer, self._keys

    def _endorsed(self, keys: jwt.PyJWKClient, kid: str) -> frozenset[str]:
        """The channels the key ``kid`` is endorsed for (the key set lists them per key)."""
        with self._lock:
            found = self._endorsements.get(kid)
        if found is None:
            document = keys.fetch_data()  # the raw key set: PyJWK keeps no endorsements
            table = {str(k.get("kid")): frozenset(str(e) for e in k.get("endorsements") or ())
                     for k in document.get("keys", []) if isinstance(k, dict)}
            with self._lock:
                self._endorsements = table
            found = table.get(kid, frozenset())
        return found

    def check(self, token: str) -> dict[str, Any]:
        """The token's claims; TokenRefused says why it is not good (blocking: I/O once)."""
        try:
            issuer, keys = self._metadata()
            header = jwt.get_unverified_header(token)
            key = keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=["RS256"], audience=self.app_id, issuer=issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"{type(exc).__name__}: {exc}") from None
        except (OSError, ValueError, KeyError) as exc:
            raise TokenRefused(f"keys unavailable: {type(exc).__name__}") from None
        if self.channel not in self._endorsed(keys, str(header.get("kid"))):
            raise TokenRefused(f"signing key not endorsed for {self.channel}")
        return claims


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        raise TokenRefused("no bearer token")
    return token


def _service_url(body: bytes) -> str:
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TokenRefused("body is not JSON") from None
    url = activity.get("serviceUrl") if isinstance(activity, dict) else None
    if not isinstance(url, str) or not url:
        raise TokenRefused("activity has no serviceUrl")
    return url


def same_service_url(claimed: object, given: str) -> bool:
    """The token's serviceurl claim names the activity's service (trailing slash aside)."""
    return isinstance(claimed, str) and claimed.rstrip("/").lower() == given.rstrip("/").lower()


def unauthorized() -> web.Response:
    return web.json_response({"error": "Unauthorized"}, status=401)


def token_middleware(tokens: BotFrameworkTokens | None, *, anonymous: bool = False
                     ) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """An aiohttp middleware: 401 unless the token is good (or anonymous is allowed)."""

    @web.middleware
    async def check_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != "/api/messages":
            return await handler(request)
        if anonymous and "Authorization" not in request.headers:
            request["claims_identity"] = ClaimsIdentity({}, authentication_type="anonymous")
            return await handler(request)
        if tokens is None:
            return unauthorized()
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            token = _bearer(request)
            claims = await asyncio.to_thread(tokens.check, token)
            body = await request.read()  # the app's client_max_size bounds it
            if not same_service_url(claims.get("serviceurl"), _service_url(body)):
                raise TokenRefused("serviceurl claim differs from the activity's serviceUrl")
        except TokenRefused as refused:
            log.info("refused a request to /api/messages: %s (HTTP 401)", refused)
            return unauthorized()
        # The SDK's adapter reads this plain key (as its own middleware sets it).
        request["claims_identity"] = ClaimsIdentity(claims, authentication_type="Bearer",
                                                    security_token=token)
        return await handler(request)

    return check_token
