"""The Bot Framework endpoint, ``POST /api/messages``, served by aiohttp in its own thread.

Its event loop is also where outgoing Bot Connector calls run (``teams.connector``), so the
outbox thread and the endpoint share one adapter and one set of HTTP sessions.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentApplication, TurnState

from teams.auth import MAX_BODY, BotFrameworkTokens, token_middleware

log = logging.getLogger(__name__)
ANONYMOUS_WARNING = ("COMPLAINTS_TEAMS_ANONYMOUS=1: /api/messages accepts requests WITHOUT a "
                     "token. Use this only with the Agents Playground on this machine, never "
                     "where Teams (or anyone else) can reach the bot.")


def web_app(adapter: CloudAdapter, agent: AgentApplication[TurnState],
            tokens: BotFrameworkTokens | None, *, anonymous: bool = False) -> web.Application:
    """The aiohttp application: the token check first, then the SDK's adapter."""
    if anonymous:
        log.warning(ANONYMOUS_WARNING)
    app = web.Application(middlewares=[token_middleware(tokens, anonymous=anonymous)],  # type: ignore[list-item]
                          client_max_size=MAX_BODY)

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    async def healthz(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True})

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


class TeamsHost:
    """Runs the endpoint on ``host:port`` in a background thread until ``stop``."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app, self.host, self.port = app, host, port
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="teams", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # reported to start(), which raises it
            self._failed = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        # Bound here, so the port is known when 0 (any free port) was asked for.
        sock = socket.create_server((self.host, self.port), reuse_port=False, backlog=128)
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(30)
        if self._failed is not None:
            raise self._failed
        log.info("Complaints Desk listening for Teams on http://%s:%d/api/messages",
                 self.host, self.port)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        runner = self._runner

        async def shutdown() -> None:
            if runner is not None:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(15)
